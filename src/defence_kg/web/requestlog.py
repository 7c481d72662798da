"""One structured (JSON) log line per request: method, path, query hash, status, rows, duration."""

from __future__ import annotations

import json
import logging
import time

from flask import Flask, Response, g, request

logger = logging.getLogger("defence_kg.requests")


def init_app(app: Flask) -> None:
    app.before_request(_start_clock)
    app.after_request(_log)


def _start_clock() -> None:
    g.started = time.perf_counter()


def _log(response: Response) -> Response:
    started = g.get("started", time.perf_counter())
    logger.info(json.dumps({
        "method": request.method,
        "path": request.path,
        "query_hash": g.get("query_hash"),  # the query's sha256, not its text: logs stay small
        "status": response.status_code,
        "rows": g.get("rows"),
        "ms": round((time.perf_counter() - started) * 1000, 1),
    }))
    return response
