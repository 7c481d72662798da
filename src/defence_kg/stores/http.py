"""HTTP to an external SPARQL store: kept-alive connections, credentials from the environment.

Credentials are read from DEFENCE_KG_STORE_USER and DEFENCE_KG_STORE_PASSWORD (HTTP Basic) or
DEFENCE_KG_STORE_TOKEN (Bearer), never from a URL, a flag or the settings, and never appear in
a message: errors name the store's URL (which may not hold credentials) and its answer.
"""

from __future__ import annotations

import os
import threading
import urllib.parse
from collections.abc import Mapping

import urllib3

from .querying import QueryTimeout, StoreUnavailable

USER, PASSWORD, TOKEN = (f"DEFENCE_KG_STORE_{name}" for name in ("USER", "PASSWORD", "TOKEN"))
MESSAGE_CHARS = 2000  # of a store's error message, shown to the client


def credentials(environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """The Authorization header the environment asks for, or none."""
    environ = os.environ if environ is None else environ
    if environ.get(TOKEN):
        return {"Authorization": f"Bearer {environ[TOKEN]}"}
    if environ.get(USER):
        return urllib3.make_headers(basic_auth=f"{environ[USER]}:{environ.get(PASSWORD, '')}")
    return {}


def checked_url(url: str) -> str:
    """An http(s) URL without credentials in it (they belong in the environment)."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"not an http(s) URL of a SPARQL store: {url!r}")
    if parts.username is not None or parts.password is not None:
        raise ValueError(f"the store URL for {parts.hostname} holds credentials: set "
                         f"{USER} and {PASSWORD} (or {TOKEN}) instead")
    return url


class StoreHttp:
    """Requests to one store, on connections kept alive per process (a forked worker opens
    its own: sockets shared across a fork would mix answers)."""

    def __init__(self, environ: Mapping[str, str] | None = None):
        self._auth = credentials(environ)
        self._lock = threading.Lock()
        self._pid = None
        self._pool: urllib3.PoolManager | None = None

    def request(self, method: str, url: str, *, timeout: float, body: bytes | None = None,
                headers: Mapping[str, str] | None = None,
                stream: bool = False) -> urllib3.BaseHTTPResponse:
        """The store's answer; QueryTimeout when it takes longer than `timeout`,
        StoreUnavailable when it cannot be reached or fails, SyntaxError for a 400."""
        try:
            response = self._send(method, url, body, headers, timeout, stream)
        except urllib3.exceptions.ReadTimeoutError:
            raise QueryTimeout(timeout) from None
        except urllib3.exceptions.HTTPError as error:
            raise StoreUnavailable(f"the SPARQL store at {_where(url)} could not be reached: "
                                   f"{type(error).__name__}") from None
        if response.status >= 300:
            message = response.read(MESSAGE_CHARS).decode("utf-8", "replace").strip()
            response.release_conn()
            if response.status == 400:
                raise SyntaxError(message or f"the SPARQL store at {_where(url)} refused it (400)")
            raise StoreUnavailable(f"the SPARQL store at {_where(url)} answered "
                                   f"{response.status}: {message}")
        return response

    def _send(self, method, url, body, headers, timeout, stream):
        options = {"body": body, "headers": {**(headers or {}), **self._auth},
                   "preload_content": not stream,
                   "timeout": urllib3.Timeout(connect=timeout, read=timeout),
                   "redirect": False, "retries": False}
        try:
            return self._pool_here().request(method, url, **options)
        except urllib3.exceptions.ProtocolError:
            # A kept-alive connection the store closed meanwhile: once more, on a new one.
            # Every request sent is safe to repeat (queries; writes that replace).
            return self._pool_here().request(method, url, **options)

    def _pool_here(self) -> urllib3.PoolManager:
        with self._lock:
            if self._pid != os.getpid():
                self._pool, self._pid = urllib3.PoolManager(maxsize=8, block=False), os.getpid()
            return self._pool


def _where(url: str) -> str:
    """The store's address without its query string (which may hold a graph or a query)."""
    parts = urllib.parse.urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}"
