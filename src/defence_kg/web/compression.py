"""gzip for large generated responses when the client accepts it (RFC 9110, section 8.4.1.3).

Files (the dumps) are streamed as they are: their .gz variants are published beside them.
"""

from __future__ import annotations

import gzip

from flask import Flask, Response, request

MINIMUM_SIZE = 4096  # smaller answers gain little and cost a compression each


def init_app(app: Flask) -> None:
    app.after_request(compress)


def compress(response: Response) -> Response:
    if (response.direct_passthrough or "Content-Encoding" in response.headers
            or request.accept_encodings["gzip"] <= 0):
        return response
    response.vary.add("Accept-Encoding")
    body = response.get_data()
    if len(body) >= MINIMUM_SIZE:
        response.set_data(gzip.compress(body))
        response.headers["Content-Encoding"] = "gzip"
        tag, weak = response.get_etag()
        if tag:  # another representation, so another strong validator (RFC 9110, 8.8.3)
            response.set_etag(gzip_etag(tag), weak)
    return response


def gzip_etag(tag: str) -> str:
    """The ETag of the gzip-coded representation of the response tagged `tag`."""
    return f"{tag}-gzip"
