"""Send SPARQL 1.1 protocol queries (https://www.w3.org/TR/sparql11-protocol/#query-via-get)
and measure latency, throughput under a bounded concurrent load, and repeated queries.

Every loop is bounded by a request count and a time budget, whichever comes first, and every
request by a timeout. Fresh requests make each query text unique (a trailing comment), so no
result cache can answer them; repeated requests send the identical text with If-None-Match.
"""

from __future__ import annotations

import http.client
import json
import statistics
import threading
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field

import pyoxigraph as ox
from rdflib.plugins.sparql import prepareQuery

SELECT_TYPE = "application/sparql-results+json"
# rdflib-endpoint offers no N-Triples for DESCRIBE and answers RDF/XML labelled as XML.
GRAPH_TYPES = "application/n-triples, application/rdf+xml;q=0.5, application/xml;q=0.1"
FORMS = {"SelectQuery": "SELECT", "ConstructQuery": "CONSTRUCT", "DescribeQuery": "DESCRIBE",
         "AskQuery": "ASK"}


@dataclass(frozen=True)
class Plan:
    """How hard to push: requests and seconds per phase (whichever ends first), clients."""

    latency_requests: int = 200
    latency_seconds: float = 15.0
    load_requests: int = 400
    load_seconds: float = 8.0
    repeat_requests: int = 100
    repeat_seconds: float = 4.0
    clients: int = 4
    timeout: float = 60.0


@dataclass(frozen=True)
class Query:
    name: str
    question: str
    text: str
    form: str

    @classmethod
    def parse(cls, name: str, text: str) -> Query:
        question = text.splitlines()[0].removeprefix("#").strip()
        return cls(name, question, text, FORMS[prepareQuery(text).algebra.name])

    @property
    def graph_result(self) -> bool:
        return self.form in ("CONSTRUCT", "DESCRIBE")

    def fresh(self, number: int) -> str:
        """The same query, made unique so that no cache can answer it."""
        return f"{self.text}\n# request {number}\n"


class RequestFailed(Exception):
    """A request that timed out or got no 2xx/304 answer."""

    def __init__(self, message: str, timed_out: bool = False):
        super().__init__(message)
        self.timed_out = timed_out


@dataclass
class Answer:
    status: int
    seconds: float
    body: bytes
    content_type: str
    etag: str | None
    keeps_alive: bool


class Client:
    """One HTTP/1.1 connection to a SPARQL endpoint, kept alive while the server allows it,
    as a browser or a requests.Session would; a server that closes it pays for reconnecting."""

    def __init__(self, url: str, timeout: float):
        parts = urllib.parse.urlsplit(url)
        self.path = parts.path or "/"
        self.timeout = timeout
        self.connection = http.client.HTTPConnection(parts.hostname, parts.port,
                                                     timeout=timeout)

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc) -> None:
        self.connection.close()

    def ask(self, query: Query, text: str, etag: str | None = None) -> Answer:
        """GET one query; the time includes reading the whole body."""
        target = f"{self.path}?{urllib.parse.urlencode({'query': text})}"
        headers = {"Accept": GRAPH_TYPES if query.graph_result else SELECT_TYPE}
        if etag:
            headers["If-None-Match"] = etag
        started = time.perf_counter()
        try:
            try:
                response = self._send(target, headers)
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.connection.close()  # the server closed an idle kept-alive connection
                response = self._send(target, headers)
            body = response.read()
        except TimeoutError:
            self.connection.close()
            raise RequestFailed(f"no answer in {self.timeout:g} s", timed_out=True) from None
        except (OSError, http.client.HTTPException) as error:
            self.connection.close()
            raise RequestFailed(f"connection failed: {error!r}") from None
        seconds = time.perf_counter() - started
        if response.status not in (200, 304):
            detail = body[:500].decode(errors="replace")
            raise RequestFailed(f"HTTP {response.status}: {detail}")
        return Answer(response.status, seconds, body, response.getheader("Content-Type", ""),
                      response.getheader("ETag"), not response.will_close)

    def _send(self, target: str, headers: dict) -> http.client.HTTPResponse:
        self.connection.request("GET", target, headers=headers)
        return self.connection.getresponse()


def read_answer(query: Query, answer: Answer) -> int | frozenset[ox.Triple]:
    """What servers must agree on: the number of solutions of a SELECT (rows may differ under
    LIMIT), the set of triples of a CONSTRUCT or DESCRIBE."""
    if not query.graph_result:
        return len(json.loads(answer.body)["results"]["bindings"])
    media_type = answer.content_type.split(";")[0].strip()
    rdf_format = ox.RdfFormat.from_media_type(media_type) or ox.RdfFormat.RDF_XML
    return frozenset(quad.triple for quad in ox.parse(answer.body, format=rdf_format))


@dataclass
class Sample:
    """Timings of one phase; `error` says why it stopped early, if it did."""

    seconds: list[float] = field(default_factory=list)
    elapsed: float = 0.0
    errors: int = 0
    timeouts: int = 0
    not_modified: int = 0
    error: str | None = None

    @property
    def median_ms(self) -> float | None:
        return statistics.median(self.seconds) * 1000 if self.seconds else None

    @property
    def p99_ms(self) -> float | None:
        if len(self.seconds) < 2:
            return self.median_ms
        return statistics.quantiles(self.seconds, n=100, method="inclusive")[98] * 1000

    @property
    def per_second(self) -> float | None:
        return len(self.seconds) / self.elapsed if self.seconds and self.elapsed else None

    def record(self, failure: RequestFailed) -> None:
        self.errors += 1
        self.timeouts += failure.timed_out
        self.error = str(failure)

    def summary(self) -> dict:
        return {"requests": len(self.seconds), "median_ms": self.median_ms,
                "p99_ms": self.p99_ms, "per_second": self.per_second,
                "elapsed_s": self.elapsed, "errors": self.errors, "timeouts": self.timeouts,
                "not_modified": self.not_modified, "error": self.error}


def _numbers(limit: int, seconds: float) -> Iterator[int]:
    """Request numbers until the count or the time budget runs out."""
    deadline = time.monotonic() + seconds
    for number in range(limit):
        if time.monotonic() >= deadline:
            return
        yield number


def latency(url: str, query: Query, plan: Plan) -> Sample:
    """One client, fresh queries one after another; stops at the first timeout."""
    sample = Sample()
    started = time.perf_counter()
    with Client(url, plan.timeout) as client:
        for number in _numbers(plan.latency_requests, plan.latency_seconds):
            try:
                sample.seconds.append(client.ask(query, query.fresh(number)).seconds)
            except RequestFailed as failure:
                sample.record(failure)
                if failure.timed_out:
                    break
    sample.elapsed = time.perf_counter() - started
    return sample


def throughput(url: str, query: Query, plan: Plan) -> Sample:
    """plan.clients threads sending fresh queries back to back; answers per second overall."""
    sample = Sample()
    numbers = _numbers(plan.load_requests, plan.load_seconds)
    lock = threading.Lock()

    def send() -> None:
        with Client(url, plan.timeout) as client:
            while True:
                with lock:
                    number = next(numbers, None)
                if number is None:
                    return
                try:
                    seconds = client.ask(query, query.fresh(number)).seconds
                except RequestFailed as failure:
                    with lock:
                        sample.record(failure)
                    continue
                with lock:
                    sample.seconds.append(seconds)

    threads = [threading.Thread(target=send) for _ in range(plan.clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    sample.elapsed = time.perf_counter() - started
    return sample


def repeated(url: str, query: Query, plan: Plan, etag: str | None) -> Sample:
    """One client repeating the identical query, revalidating with the ETag if one was given."""
    sample = Sample()
    started = time.perf_counter()
    with Client(url, plan.timeout) as client:
        for _ in _numbers(plan.repeat_requests, plan.repeat_seconds):
            try:
                answer = client.ask(query, query.text, etag)
            except RequestFailed as failure:
                sample.record(failure)
                if failure.timed_out:
                    break
                continue
            sample.seconds.append(answer.seconds)
            sample.not_modified += answer.status == 304
    sample.elapsed = time.perf_counter() - started
    return sample
