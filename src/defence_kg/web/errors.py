"""One error shape, (status, message), made by small named constructors, rendered in one place."""

from __future__ import annotations

from flask import Flask, Response
from werkzeug.exceptions import HTTPException

from ..stores.querying import QueryTimeout, StoreUnavailable


class HttpError(Exception):
    """An error the client caused or must know about; its message is safe to show."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


def bad_request(message: str) -> HttpError:
    return HttpError(400, message)


def read_only() -> HttpError:
    return HttpError(403, "this endpoint is read-only: SPARQL updates are refused; "
                          "download the dumps to change the data locally")


def payload_too_large(length: int, limit: int) -> HttpError:
    return HttpError(413, f"the query is {length} characters long; the limit is {limit}")


def not_acceptable(form: str, offered: list[str]) -> HttpError:
    return HttpError(406, f"none of the accepted media types is offered for {form} results; "
                          f"offered: {', '.join(offered)}")


def unknown_format(name: str, offered: list[str]) -> HttpError:
    return HttpError(406, f"unknown or unsuitable format={name!r}; offered: {', '.join(offered)}")


def unsupported_media_type(message: str) -> HttpError:
    return HttpError(415, message)


def precondition_failed() -> HttpError:
    return HttpError(412, "If-None-Match names the current result: a POST is answered only "
                          "without it (a GET gets 304 Not Modified)")


def query_timeout(seconds: float) -> HttpError:
    # 503, as Fuseki answers: the service declines to spend more on this query; nothing broke.
    return HttpError(503, f"the query timed out: it ran for longer than this endpoint's limit of "
                          f"{seconds:g} s and was stopped; narrow it (more specific patterns, "
                          "LIMIT) or download the dumps and query them locally")


def bad_gateway(message: str) -> HttpError:
    # The external store behind the endpoint is unreachable or failed (docs/stores.md).
    return HttpError(502, message)


def query_failed(message: str) -> HttpError:
    return HttpError(500, f"the query failed while running: {message}")


def init_app(app: Flask) -> None:
    """Render every HttpError, and Flask's own HTTP errors (404, 405 + Allow, 413), as text."""
    app.register_error_handler(HttpError, _render)
    app.register_error_handler(HTTPException, _render_werkzeug)
    # The pages read an external store too: its failures and timeouts are the endpoint's.
    app.register_error_handler(StoreUnavailable, lambda error: _render(bad_gateway(str(error))))
    app.register_error_handler(QueryTimeout, lambda error: _render(query_timeout(error.seconds)))


def _render(error: HttpError) -> Response:
    response = Response(error.message + "\n", status=error.status, mimetype="text/plain")
    response.headers.update(error.headers)
    return response


def _render_werkzeug(error: HTTPException) -> Response:
    headers = {k: v for k, v in error.get_headers() if k.lower() != "content-type"}
    return _render(HttpError(error.code or 500, f"{error.name}: {error.description}", headers))
