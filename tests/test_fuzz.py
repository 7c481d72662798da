"""Fuzzing a real server over loopback: well-formed and mutated requests on every route, with
every method, in protocol parameters, headers and bodies. Nothing a client sends may cause a
5xx other than a query timeout's 503, and the server stays healthy afterwards.

Seeded and bounded: the same SEED sends the same requests, REQUESTS of them per store, in a
few seconds. A failure names the request's number and what was sent; change SEED to explore.
"""

from __future__ import annotations

import http.client
import json
import random
import socket
import urllib.parse
from dataclasses import dataclass, field

import pytest
from conftest import STORES, serving

from defence_kg.web.formats import GRAPHS, RESULTS

SEED = 20261201
REQUESTS = 1200
TIMEOUT = 2  # seconds per query (--query-timeout): a slow mutant answers 503 quickly
METHODS = ("GET",) * 8 + ("POST",) * 4 + ("HEAD", "OPTIONS", "PUT", "DELETE", "PATCH", "TRACE",
                                        "PROPFIND", "BREW")
PARAMETERS = ("query", "default-graph-uri", "named-graph-uri", "default-graph-uri",
              "named-graph-uri", "format", "format", "update", "using-graph-uri",
              "using-named-graph-uri", "timeout", "callback", "")
BAD_IRIS = ("not an iri", "x", "", "<http://example.org/>", "http://exa mple.org/", "http://[::1",
            "urn:", ":", "http://example.org/\x00", "http://example.org/\u00e9\u0301",
            "\ud800", "http://example.org/{x}", "http://example.org/#a#b", "..", "/relative",
            "mailto:", "http://example.org/" + "a" * 5000)
ACCEPTS = ("", "*/*", "text/html", "application/sparql-results+json;q=0.5, text/csv",
           "text/turtle;q=abc", "*/*;q=2", "application/*;q=0", "garbage", ";;;,,,", "text/",
           "/", "text/html;q=0.9,*/*;q=0.8", "application/ld+json;profile=x", "*/*;q=-1",
           "\u00e9/\u00e9")
CONTENT_TYPES = ("application/x-www-form-urlencoded", "application/sparql-query",
                 "application/sparql-query; charset=latin-1", "application/sparql-update",
                 "multipart/form-data; boundary=x", "text/plain", "", "garbage", "a/b; c=\"",
                 "application/x-www-form-urlencoded; charset=utf-16")
HEADERS = {
    "If-None-Match": ('"x"', "*", 'W/"x"', "garbage", '"', ""),
    "If-Modified-Since": ("yesterday", "Thu, 01 Jan 1970 00:00:00 GMT", "0"),
    "Range": ("bytes=0-10", "bytes=5-1", "bytes=junk", "bytes=-0", "bytes=0-0,2-3,0-",
              "items=0-1", "bytes=99999999999999999999-"),
    "Accept-Encoding": ("gzip", "br;q=2", "identity;q=0", "*;q=0", "garbage"),
    "Accept-Language": ("en", "*", "xx-\u00e9"),
    "Origin": ("http://evil.example", "null", ""),
    "Access-Control-Request-Method": ("POST", "PUT", "garbage"),
    "Transfer-Encoding": ("chunked",),
    "Host": ("example.org", "a b", "[::1", "\u00e9vil.example", "x:99999", "", "h/p?q#f"),
    "X-Forwarded-Proto": ("https", "junk"),
    "X-Forwarded-For": ("10.0.0.1", "junk, ::1"),
}
RANDOM_TEXT = "?{}<>\"'\\;#&=%+ \t\n\r\x00\x7f\u00e9\u0301\u4e2d\U0001f600\ufffdabc01:/.,()|*!^$"


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | None = None

    def __str__(self) -> str:
        body = repr(self.body[:200]) if self.body else ""
        return f"{self.method} {self.path[:300]} {self.headers} {body}"


class Mutator:
    """Requests drawn from a seeded generator: real paths, queries and parameters, mutated."""

    def __init__(self, rng: random.Random, paths: list[str], queries: list[str]):
        self.rng = rng
        self.paths = paths
        self.queries = queries

    def text(self, seed_text: str) -> str:
        """seed_text with a few random edits: deletions, insertions, duplications, cuts."""
        rng, text = self.rng, seed_text
        for _ in range(rng.randint(0, 4)):
            at = rng.randint(0, len(text))
            edit = rng.randrange(5)
            if edit == 0:
                text = text[:at] + text[at + rng.randint(1, 20):]
            elif edit == 1:
                noise = "".join(rng.choices(RANDOM_TEXT, k=rng.randint(1, 8)))
                text = text[:at] + noise + text[at:]
            elif edit == 2:
                text = text[:at] + text[at:at + 40] * rng.randint(2, 5) + text[at:]
            elif edit == 3:
                text = text[:at]
            else:
                text = text[:at] + rng.choice(["{", "}", "<", ">", "\"", "'", "#", "?x", "."]) \
                    + text[at:]
        return text

    def query(self) -> str:
        choice = self.rng.randrange(10)
        if choice == 0:
            return ""
        if choice == 1:
            return "".join(self.rng.choices(RANDOM_TEXT, k=self.rng.randint(1, 200)))
        return self.text(self.rng.choice(self.queries))

    def value(self, name: str) -> str:
        rng = self.rng
        if name == "query":
            return self.query()
        if name.endswith("graph-uri"):
            return rng.choice([*BAD_IRIS, "http://kasei.us/2009/09/sparql/data/data1.rdf",
                               "https://w3id.org/defence-kg/graph/links"])
        if name == "format":
            return rng.choice([*(f.name for f in (*RESULTS, *GRAPHS)), "html", "", "json;x",
                               "TEXT/CSV", self.text("json")])
        return self.text(rng.choice(["1", "x", "CLEAR ALL", "LOAD <file:///etc/passwd>"]))

    def parameters(self) -> list[tuple[str, str]]:
        rng = self.rng
        names = ["query"] if rng.random() < 0.8 else []
        names += rng.choices(PARAMETERS, k=rng.randint(0, 3))
        return [(name, self.value(name)) for name in names]

    def encoded(self, pairs: list[tuple[str, str]]) -> str:
        """Form-encoded, now and then with raw bytes that are not UTF-8 or broken escapes."""
        text = urllib.parse.urlencode(pairs, errors="surrogatepass")
        if self.rng.random() < 0.1:
            text += self.rng.choice(["&query=%ff%fe", "&%", "&query=%zz", "&=", "&&&", "&query"])
        return text

    def path(self) -> str:
        rng = self.rng
        # Half of them to the endpoint, whose parameters are the richest input.
        path = "/sparql" if rng.random() < 0.5 else rng.choice(self.paths)
        if rng.random() < 0.3:
            path = urllib.parse.quote(self.text(path), safe="/%?&=")
        if rng.random() < 0.1:
            path = rng.choice(["//", "/%00", "/%ff", "/..%2f..%2fetc/passwd", "/dumps/..%2f",
                               "/" + "a" * 3000, "/doc/", "/doc/.ttl", "/id/%e9"]) + path
        return path or "/"

    def request(self) -> Request:
        rng = self.rng
        method = rng.choice(METHODS)
        path = self.path()
        headers = {}
        if rng.random() < 0.7:
            headers["Accept"] = rng.choice(ACCEPTS)
        for name in rng.sample(sorted(HEADERS), rng.randint(0, 3)):
            headers[name] = rng.choice(HEADERS[name])
        body = None
        if path.split("?")[0] == "/sparql" or rng.random() < 0.2:
            pairs = self.parameters()
            if method in ("POST", "PUT", "PATCH") and rng.random() < 0.8:
                headers["Content-Type"] = rng.choice(CONTENT_TYPES)
                if "form" in headers["Content-Type"]:
                    body = self.encoded(pairs).encode("utf-8", "surrogatepass")
                else:
                    body = self.query().encode("utf-8", "surrogatepass")
                    if rng.random() < 0.1:
                        body = bytes(rng.randrange(256) for _ in range(rng.randint(1, 64)))
            else:
                path = path.split("?")[0] + "?" + self.encoded(pairs)
        if "Transfer-Encoding" in headers and body is None:
            del headers["Transfer-Encoding"]
        return Request(method, path, headers, body)


def send(host: str, port: int, request: Request) -> tuple[int, bytes]:
    """The status and body of one request, on a new connection."""
    connection = http.client.HTTPConnection(host, port, timeout=TIMEOUT + 30)
    try:
        connection.putrequest(request.method, request.path, skip_accept_encoding=True,
                              skip_host="Host" in request.headers)
        chunked = request.headers.get("Transfer-Encoding") == "chunked"
        for name, value in request.headers.items():
            connection.putheader(name, value.encode("utf-8", "surrogatepass"))
        if request.body is not None and not chunked:
            connection.putheader("Content-Length", str(len(request.body)))
        connection.endheaders()
        if request.body is not None:
            connection.send(b"%x\r\n%s\r\n0\r\n\r\n" % (len(request.body), request.body)
                            if chunked else request.body)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


@pytest.fixture(scope="module", params=STORES)
def server(request, release, protocol_dataset):
    with serving(request.param, release, "--query-timeout", str(TIMEOUT),
                 load=[protocol_dataset], store_timeout=TIMEOUT) as url:
        yield url


def seeds(release) -> tuple[list[str], list[str]]:
    """Real paths of every route, and real queries: what the mutations start from."""
    dumps = sorted(p.name for p in (release.release_dir / "dumps").iterdir())
    paths = ["/", "/health", "/sparql", "/dumps/", f"/dumps/{dumps[0]}", f"/dumps/{dumps[-1]}",
             "/editor/yasgui.min.js", "/editor/yasgui.min.css", "/editor/nothing.js",
             "/static/style.css", "/static/editor.js", "/context.jsonld", "/.well-known/void",
             "/robots.txt", "/sitemap.xml", "/ontology", "/dataset", "/id/india", "/id/s-400",
             "/doc/id/india", "/doc/id/india.ttl", "/doc/id/india.jsonld", "/graph/links",
             "/doc/ontology", "/id/nothing-here", "/unknown"]
    queries = [p.read_text(encoding="utf-8") for p in sorted(release.queries_dir.glob("*.rq"))]
    queries += ["ASK {}", "DESCRIBE <https://w3id.org/defence-kg/id/india>",
                "CONSTRUCT WHERE { ?s ?p ?o } LIMIT 5",
                "SELECT * FROM <https://w3id.org/defence-kg/graph/links> { ?s ?p ?o } LIMIT 2",
                "SELECT * { SERVICE <http://127.0.0.1:1/sparql> { ?s ?p ?o } }",
                "SELECT * { GRAPH ?g { ?s ?p ?o } } LIMIT 3"]
    return paths, queries


def test_no_request_causes_a_server_error(server, release):
    address = urllib.parse.urlsplit(server)
    assert address.hostname == "127.0.0.1"  # loopback only
    paths, queries = seeds(release)
    mutator = Mutator(random.Random(SEED), paths, queries)
    statuses: dict[int, int] = {}
    failures = []
    for number in range(REQUESTS):
        request = mutator.request()
        try:
            status, body = send(address.hostname, address.port, request)
        except (http.client.HTTPException, OSError) as error:
            failures.append(f"#{number} {request}: no answer ({error!r})")
            continue
        statuses[status] = statuses.get(status, 0) + 1
        if status >= 500 and not (status == 503 and b"timed out" in body):
            failures.append(f"#{number} {request}: {status} {body[:300]!r}")
    assert failures == [], f"{len(failures)} of {REQUESTS} failed (SEED={SEED}):\n" + \
        "\n".join(failures[:20])
    # The mix reached the handlers, not only the router: answers and client errors alike.
    assert statuses.get(200, 0) > REQUESTS // 10 and statuses.get(400, 0) > REQUESTS // 20, statuses

    # Healthy afterwards: it answers a plain query at once, correctly.
    status, body = send(address.hostname, address.port, Request("GET", "/health"))
    assert status == 200 and json.loads(body)["status"] == "ok"
    query = urllib.parse.urlencode({"query": "ASK { ?s ?p ?o }"})
    status, body = send(address.hostname, address.port, Request(
        "GET", f"/sparql?{query}", {"Accept": "application/sparql-results+json"}))
    assert (status, json.loads(body)["boolean"]) == (200, True)


def test_invalid_protocol_graph_iris_are_a_bad_request_naming_the_parameter(server):
    address = urllib.parse.urlsplit(server)
    for parameter in ("default-graph-uri", "named-graph-uri"):
        for iri in ("not an iri", "x", "http://exa mple.org/"):
            query = urllib.parse.urlencode({"query": "ASK {}", parameter: iri})
            status, body = send(address.hostname, address.port,
                                Request("GET", f"/sparql?{query}"))
            assert status == 400, (parameter, iri, body)
            assert parameter.encode() in body and iri.encode() in body


def test_a_raw_socket_speaking_no_http_gets_no_server_error(server):
    address = urllib.parse.urlsplit(server)
    rng = random.Random(SEED)
    for _ in range(20):
        with socket.create_connection((address.hostname, address.port), timeout=10) as sock:
            sock.sendall(bytes(rng.randrange(256) for _ in range(rng.randint(1, 300)))
                         + b"\r\n\r\n")
            answer = b""
            while chunk := sock.recv(65536):
                answer += chunk
            assert not answer.startswith(b"HTTP/1.1 5"), answer[:200]
