"""CORS for a public read-only endpoint: any origin may read, preflights are answered.

https://fetch.spec.whatwg.org/#http-cors-protocol
"""

from __future__ import annotations

from flask import Flask, Response, request


def init_app(app: Flask) -> None:
    app.after_request(allow_any_origin)


def allow_any_origin(response: Response) -> Response:
    # Safe because nothing here depends on cookies or credentials and nothing can be changed.
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Expose-Headers"] = "X-Result-Truncated"
    if request.method == "OPTIONS":
        response.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
        response.headers["Access-Control-Allow-Headers"] = "Accept, Content-Type"
        response.headers["Access-Control-Max-Age"] = "86400"
    return response
