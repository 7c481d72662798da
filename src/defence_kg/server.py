"""Serve the web app: gunicorn's arbiter over event-loop workers (uvicorn) that read each
whole request before a thread runs the app, so that idle and slow clients cost no thread.

https://www.uvicorn.org/deployment/#gunicorn

The store is loaded once, in the arbiter, before it forks the workers (they share its pages).
A worker's event loop reads requests, head and body, without blocking; it answers 408 and
closes a connection whose request head or body has not arrived within settings.client_timeout,
and closes a kept-alive one idle for KEEPALIVE_SECONDS. Only a whole request reaches one of
THREADS threads, which runs the WSGI app; the loop sends the answer (docs/design.md, "Serving").

A query that outlives its deadline is answered at once (503), but its evaluation cannot be
stopped inside the process: the worker then retires gracefully (as SIGTERM asks: it stops
accepting, finishes its other requests, and exits), so the runaway evaluation dies with it, and
the arbiter forks a fresh worker from the preloaded app (docs/design.md, "Query limits").
"""

from __future__ import annotations

import asyncio
import functools
import gc
import io
import logging
import math
import os
import resource
import signal
from concurrent.futures import ThreadPoolExecutor
from typing import ClassVar

from a2wsgi.wsgi import build_environ
from gunicorn.app.base import BaseApplication
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn_worker import UvicornWorker

from .settings import Settings
from .stores.querying import RUNAWAY
from .web import create_app

THREADS = 4  # requests a worker runs at once; Oxigraph releases the GIL while it evaluates
# Beyond the query's own deadline: time to render and send its answer.
SEND_SECONDS = 30
KEEPALIVE_SECONDS = 5  # an idle kept-alive connection costs a socket, no thread, until then
HEAD_BYTES = 64 * 1024  # a request line and headers larger than this are refused (431)
BATCH_BYTES = 1024 * 1024  # of a long answer, read from the app at a time
RETIRING_LINGER_SECONDS = 2  # a retiring worker's idle kept-alive connections stay this long


class Server(BaseApplication):
    """gunicorn configured from Settings alone (no config file, no command-line parsing)."""

    def __init__(self, settings: Settings):
        self.settings = settings
        super().__init__()

    def load_config(self) -> None:
        request_seconds = math.ceil(self.settings.query_timeout) + SEND_SECONDS
        options = {
            "bind": f"{self.settings.host}:{self.settings.port}",
            "workers": self.settings.workers,
            "worker_class": f"{__name__}.Worker",
            # Load the store once in the arbiter: forked workers share its pages.
            "preload_app": True,
            # A worker is killed only if it stops answering the arbiter for this long...
            "timeout": request_seconds,
            # ...and a retiring one may take this long to finish its other requests.
            "graceful_timeout": request_seconds,
            "keepalive": KEEPALIVE_SECONDS,
            "accesslog": None,  # requestlog writes one structured line per request instead
            "errorlog": "-",
            "control_socket_disable": True,  # no runtime control socket in the user's home
        }
        for key, value in options.items():
            self.cfg.set(key, value)

    def load(self):
        app = create_app(self.settings)
        # Out of the collector's sight: a worker's collections would otherwise write to every
        # object the arbiter made, copying the pages it shares with the workers into each
        # (30 MiB of PSS at 200k quads; docs/design.md, "Server memory").
        gc.freeze()
        return Threads(app, THREADS, self.settings.client_timeout,
                       app.config["MAX_CONTENT_LENGTH"])


class Worker(UvicornWorker):
    """A gunicorn worker serving with uvicorn's event loop, whose HTTP protocol bounds the time
    and size of a request's head (RequestHead)."""

    # uvloop: about a tenth more requests per second than asyncio's own loop (docs/design.md).
    CONFIG_KWARGS: ClassVar[dict] = {"loop": "uvloop", "http": "httptools", "lifespan": "off",
                                     "server_header": False}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.config.http = functools.partial(RequestHead,
                                             seconds=self.app.settings.client_timeout)


class RequestHead(HttpToolsProtocol):
    """uvicorn's HTTP/1.1 protocol, closing a connection whose request head (request line and
    headers) is not complete `seconds` after the connection opened or the request began, or
    grows past HEAD_BYTES: such a client holds a socket for that long at most, never a thread."""

    def __init__(self, *args, seconds: float, **kwargs):
        super().__init__(*args, **kwargs)
        self.seconds = seconds
        self.head_timer: asyncio.TimerHandle | None = None  # set while a head is awaited
        self.head_bytes = 0
        self.retiring = False

    def connection_made(self, transport) -> None:
        super().connection_made(transport)
        self._await_head()

    def on_message_begin(self) -> None:
        super().on_message_begin()
        if self.head_timer is None:
            self._await_head()

    def on_headers_complete(self) -> None:
        self._stop_awaiting_head()
        super().on_headers_complete()
        if self.retiring and self.cycle is not None:
            self.cycle.keep_alive = False

    def shutdown(self) -> None:
        """The worker retires. uvicorn would close every connection without a request under
        way, dropping one a client has just opened or sent on a kept-alive connection; instead,
        a request begun or awaited is still read (until its head's deadline), answered, and the
        connection closed after it; an idle kept-alive one lingers RETIRING_LINGER_SECONDS."""
        self.retiring = True
        if self.cycle is not None and not self.cycle.response_complete:
            self.cycle.keep_alive = False
        elif self.head_timer is None:
            self._unset_keepalive_if_required()
            self.timeout_keep_alive_task = self.loop.call_later(
                RETIRING_LINGER_SECONDS, self.timeout_keep_alive_handler)

    def data_received(self, data: bytes) -> None:
        awaited = self.head_timer
        super().data_received(data)
        # Counted only while one head stays incomplete: a chunk may also hold a body, or the
        # start of a pipelined request, whose bytes are not this head's.
        if awaited is not None and self.head_timer is awaited:
            self.head_bytes += len(data)
            if self.head_bytes > HEAD_BYTES:
                self._refuse("431 Request Header Fields Too Large",
                             f"the request line and headers exceed {HEAD_BYTES} bytes")

    def connection_lost(self, exc) -> None:
        self._stop_awaiting_head()
        super().connection_lost(exc)

    def _await_head(self) -> None:
        self.head_bytes = 0
        self.head_timer = self.loop.call_later(self.seconds, self._head_timed_out)

    def _stop_awaiting_head(self) -> None:
        if self.head_timer is not None:
            self.head_timer.cancel()
            self.head_timer = None

    def _head_timed_out(self) -> None:
        self.head_timer = None
        self._refuse("408 Request Timeout",
                     f"the request's head did not arrive within {self.seconds:g} s")

    def _refuse(self, status: str, message: str) -> None:
        """Answer `status` and close, unless a response is still being sent on the connection
        (a pipelined request): then only close."""
        self._stop_awaiting_head()
        if self.transport.is_closing():
            return
        if self.cycle is None or self.cycle.response_complete:
            body = message.encode() + b"\n"
            self.transport.write(
                b"HTTP/1.1 %s\r\ncontent-type: text/plain; charset=utf-8\r\n"
                b"content-length: %d\r\nconnection: close\r\n\r\n%s"
                % (status.encode(), len(body), body))
        self.transport.close()


class Threads:
    """An ASGI app that runs a WSGI app in `threads` threads. A request reaches the app only
    once its whole body is here, read on the event loop within `seconds` and at most `max_bytes`
    long (408 or 413 otherwise, and the connection closed), so that a thread never waits for a
    client; the answer is sent from the event loop. After an answer whose query outlived its
    deadline, the worker retires.

    One hand-off to a thread and one back per request: a2wsgi's adapter, which crosses back to
    the event loop for every message of the answer, cost a third of the throughput
    (docs/design.md, "Serving")."""

    def __init__(self, app, threads: int, seconds: float, max_bytes: int):
        self.app = app
        self.threads = ThreadPoolExecutor(threads, thread_name_prefix="wsgi")
        self.seconds = seconds
        self.max_bytes = max_bytes
        self.retiring = False

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":  # no lifespan events are sent; nor are web sockets served
            return
        try:
            async with asyncio.timeout(self.seconds):
                body = await self._body(scope, receive)
        except TimeoutError:
            return await _refuse(send, 408, f"the request's body did not arrive within "
                                            f"{self.seconds:g} s")
        except _TooLarge:
            return await _refuse(send, 413, f"the request's body exceeds {self.max_bytes} "
                                            "bytes")
        if body is None:  # the client left: nobody to answer
            return None
        environ = build_environ(scope, io.BytesIO(body))
        loop = asyncio.get_running_loop()
        status, headers, chunk, rest = await loop.run_in_executor(self.threads, self._start,
                                                                  environ)
        try:
            await send({"type": "http.response.start", "status": status, "headers": headers})
            while rest is not None:  # a long answer (a dump): read on, a batch at a time
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
                chunk, rest = await loop.run_in_executor(self.threads, _batch, *rest)
            await send({"type": "http.response.body", "body": chunk})
        finally:
            if rest is not None:
                rest[1].close()
        if environ.get(RUNAWAY):
            self._retire()

    async def _body(self, scope, receive) -> bytes | None:
        length = dict(scope["headers"]).get(b"content-length", b"0")
        if length.isdigit() and int(length) > self.max_bytes:
            raise _TooLarge
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return None
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            if size > self.max_bytes:
                raise _TooLarge
            if not message.get("more_body", False):
                return b"".join(chunks)

    def _start(self, environ):
        """In a thread: the app's status, headers, and its answer's first batch."""
        started, written = [], []

        def start_response(status: str, headers, exc_info=None):
            started[:] = [int(status.split(" ", 1)[0]),
                          [(name.lower().encode("latin-1"), value.encode("latin-1"))
                           for name, value in headers]]
            return written.append  # the WSGI write(), which Flask never calls

        result = self.app(environ, start_response)
        chunk, rest = _batch(iter(result), result)
        return *started, b"".join(written) + chunk, rest

    def _retire(self) -> None:
        """SIGTERM: uvicorn stops accepting, finishes its other requests and exits, and the
        arbiter forks a new worker. Asked once: a second SIGTERM would make uvicorn drop what is
        in flight."""
        if not self.retiring:
            self.retiring = True
            logging.getLogger(__name__).warning(
                "a query outlived its deadline: retiring worker %s", os.getpid())
            os.kill(os.getpid(), signal.SIGTERM)


def _batch(chunks, result) -> tuple[bytes, tuple | None]:
    """Up to BATCH_BYTES of an answer's chunks; the rest to read later, or None (and the
    answer closed, as WSGI asks) when there is none."""
    batch, size = [], 0
    for chunk in chunks:
        batch.append(chunk)
        size += len(chunk)
        if size >= BATCH_BYTES:
            return b"".join(batch), (chunks, result)
    if hasattr(result, "close"):
        result.close()
    return b"".join(batch), None


class _TooLarge(Exception):
    pass


async def _refuse(send, status: int, message: str) -> None:
    body = message.encode() + b"\n"
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                            (b"content-length", str(len(body)).encode()),
                            (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})


def allow_many_connections() -> None:
    """Raise this process's limit of open files to its hard limit: every connection, idle or
    not, holds one, and a shell's default soft limit (often 1024) is soon reached."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def run(settings: Settings) -> None:
    """Serve until stopped (SIGINT or SIGTERM)."""
    logging.getLogger("defence_kg").setLevel(logging.INFO)
    allow_many_connections()
    Server(settings).run()


if __name__ == "__main__":
    run(Settings.from_env())
