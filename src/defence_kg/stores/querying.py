"""Running a query within the endpoint's limits: a wall-clock deadline and a row cap.

The seam between the endpoint and whatever answers its queries: an Engine (the embedded store,
or an external SPARQL store over HTTP) turns a Query into an Answer of at most `limit` rows,
and QueryThreads gives it a deadline; a Store is an Engine the pages can also read. Answers
are plain data (a boolean, SPARQL TSV, quads), so they can be rendered in any format, cached,
or made from another server's response.
"""

from __future__ import annotations

import io
import os
import queue
import re
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from typing import Protocol, TypeVar

import pyoxigraph as ox

# Set in the WSGI environ of a request whose query outlived its deadline: its work is still
# running in a thread that cannot be killed, so the server retires the worker (see server.py).
RUNAWAY = "defence_kg.runaway_query"
TSV = ox.QueryResultsFormat.TSV

T = TypeVar("T")


# The query form: the first word after the prologue (BASE and PREFIX declarations, whose IRIs
# hold no '>' or space, and comments, which run to the end of their line).
FORM = re.compile(r"(?:\s+|#[^\n]*|BASE\s*<[^>]*>|PREFIX\s+[^\s:]*:\s*<[^>]*>)*([A-Za-z]+)",
                  re.IGNORECASE)


def query_form(text: str) -> str:
    """"select", "construct", "ask" or "describe" (lower case), read without a full parse."""
    match = FORM.match(text)
    return match.group(1).lower() if match else ""


@dataclass(frozen=True)
class Query:
    text: str
    default_graphs: tuple[str, ...] = ()  # a protocol dataset, replacing FROM / FROM NAMED
    named_graphs: tuple[str, ...] = ()
    base_iri: str | None = None


@dataclass(frozen=True)
class Boolean:
    """The answer to an ASK query."""

    value: bool
    rows: int = 1
    truncated: bool = False


@dataclass(frozen=True)
class Solutions:
    """SELECT results as SPARQL TSV (a header line, then one line per solution: lossless)."""

    tsv: bytes
    rows: int
    truncated: bool


@dataclass(frozen=True)
class Graph:
    """CONSTRUCT or DESCRIBE results: quads, in the default graph unless a graph is known."""

    quads: tuple[ox.Quad, ...]
    truncated: bool

    @property
    def rows(self) -> int:
        return len(self.quads)


Answer = Boolean | Solutions | Graph


class Engine(Protocol):
    """What answers queries."""

    fingerprint: str  # changes whenever the data served changes

    def answer(self, query: Query, limit: int) -> Answer:
        """At most `limit` rows of the query's results; raises SyntaxError for a malformed
        query and OSError for one that fails while running."""

    def holds_graph(self, iri: str) -> bool:
        """Whether a named graph with this IRI is part of the data."""


class Store(Engine, Protocol):
    """What the web layer reads: the embedded store (store.QueryStore) or an external SPARQL
    store (remote.RemoteStore), which must give the same answers to the same calls."""

    def query(self, text: str, default_graph_uris=(), named_graph_uris=(), base_iri=None):
        """pyoxigraph's QuerySolutions, QueryBoolean, or an iterable of Triples; the default
        graph is the union of the named graphs unless a protocol dataset is given."""

    def quads(self, subject=None, predicate=None, obj=None,
              graph_name=None) -> Iterator[ox.Quad]:
        """The quads of the named graphs matching a pattern of IRIs and literals (None matches
        anything); blank nodes cannot be named (an external store could not find them)."""

    def graph_names(self) -> list[ox.NamedNode]:
        """The named graphs of the data, sorted."""

    def __len__(self) -> int:
        """The number of quads in the named graphs."""


class StoreUnavailable(ConnectionError):
    """An external store could not be reached, or failed; the message is safe to show."""


class QueryTimeout(Exception):
    """The query did not finish in time; its work may still be running."""

    def __init__(self, seconds: float):
        super().__init__(f"no answer within {seconds:g} s")
        self.seconds = seconds


class QueryThreads:
    """Daemon threads that run queries with a deadline, reused once idle (starting a thread
    costs more than answering a small query).

    The caller of run() answers once the deadline passes; the thread cannot be stopped from
    Python and runs on, never idle again, which is why a timeout also marks the request
    RUNAWAY. Oxigraph releases the GIL while it evaluates, so the caller wakes on time however
    busy the query is.
    """

    def __init__(self):
        self._lock = threading.Lock()
        self._start()

    def run(self, seconds: float, work: Callable[[], T]) -> T:
        """work() in one of the threads, or QueryTimeout once `seconds` have passed."""
        future: Future = Future()
        with self._lock:
            if self._pid != os.getpid():  # a forked worker: its parent's threads are not here
                self._start()
            if self._idle:
                self._idle -= 1
            else:
                threading.Thread(target=self._serve, args=(self._jobs,), name="query",
                                 daemon=True).start()
            self._jobs.put((work, future))
        try:
            return future.result(timeout=seconds)
        except FutureTimeout:
            raise QueryTimeout(seconds) from None

    def _start(self) -> None:
        self._jobs: queue.SimpleQueue = queue.SimpleQueue()
        self._idle = 0
        self._pid = os.getpid()

    def _serve(self, jobs: queue.SimpleQueue) -> None:
        while True:
            work, future = jobs.get()
            try:
                future.set_result(work())
            except BaseException as error:  # handed to the waiting thread, which re-raises it
                future.set_exception(error)
            with self._lock:
                self._idle += 1


def first_solutions(solutions: ox.QuerySolutions, limit: int) -> Solutions:
    """The first `limit` solutions, read lazily: evaluation stops after the row after them."""
    buffer = _LineBuffer(limit + 1)  # the header line and `limit` rows
    try:
        solutions.serialize(buffer, format=TSV)
    except (_Full, OSError):
        if not buffer.full:
            raise
    kept = buffer.kept()
    return Solutions(kept, kept.count(b"\n") - 1, buffer.full)


class _Full(Exception):
    """Raised into pyoxigraph's writer to stop it once enough rows are kept."""


class _LineBuffer(io.RawIOBase):
    """Keeps what is written until it holds more than `lines` complete lines."""

    def __init__(self, lines: int):
        super().__init__()
        self.lines = lines
        self.data = bytearray()
        self.newlines = 0
        self.full = False

    def writable(self) -> bool:
        return True

    def write(self, chunk) -> int:
        if self.full:
            raise _Full
        self.data += chunk
        self.newlines += bytes(chunk).count(b"\n")
        if self.newlines > self.lines:
            self.full = True
            raise _Full
        return len(chunk)

    def kept(self) -> bytes:
        """The first complete lines (the part after the last newline is not one)."""
        return b"".join(line + b"\n" for line in self.data.split(b"\n")[:-1][:self.lines])
