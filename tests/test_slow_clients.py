"""Idle and slow clients cannot starve a real server (`defence-kg serve`, two workers): while
500 idle connections (new ones that send nothing, and kept-alive ones after an answer) and 200
slow ones (a header line now and then, or a body a byte at a time) are held open, other
clients' queries are answered within a second; and the server closes every one of them once
it has waited its limit (--client-timeout for a request's head or body; the keep-alive time
for an idle connection), answering 408 where a request had begun."""

from __future__ import annotations

import contextlib
import http.client
import json
import resource
import socket
import time
import urllib.parse
import urllib.request

import pytest
from conftest import Background, missing, serving

from defence_kg.server import KEEPALIVE_SECONDS

IDLE_NEW, IDLE_KEPT_ALIVE = 400, 100
SLOW_HEADS, SLOW_BODIES = 150, 50
CLIENT_TIMEOUT = 3  # seconds, --client-timeout
DRIP_SECONDS = 0.5  # how often a slow client sends a little more
ANSWER_SECONDS = 1
QUERIES = 20
FILES_NEEDED = 2 * (IDLE_NEW + IDLE_KEPT_ALIVE + SLOW_HEADS + SLOW_BODIES) + 200


@pytest.fixture(scope="module")
def many_files():
    """Enough open files for every connection (its two ends, when the server is a child):
    the soft limit raised up to the hard limit, as the server does for itself."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    needed = FILES_NEEDED * 2
    if hard != resource.RLIM_INFINITY and hard < needed:
        missing(f"this test holds {needed} open files, but `ulimit -Hn` allows {hard}")
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, needed), hard))
    yield
    resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


@pytest.fixture(scope="module")
def server(many_files, release):
    with serving("embedded", release, "--client-timeout", str(CLIENT_TIMEOUT),
                 "--workers", "2") as url:
        yield url


def connect(address) -> socket.socket:
    return socket.create_connection(address, timeout=10)


def kept_alive(address) -> socket.socket:
    """A connection that has had an answer and stays open, as a browser leaves it."""
    connection = http.client.HTTPConnection(*address, timeout=10)
    connection.request("GET", "/health")
    response = connection.getresponse()
    assert (response.status, response.getheader("Connection")) == (200, None)
    response.read()
    return connection.sock


def slow_head(address) -> socket.socket:
    sock = connect(address)
    sock.sendall(b"GET /health HTTP/1.1\r\nHost: test\r\n")
    return sock


def slow_body(address) -> socket.socket:
    sock = connect(address)
    sock.sendall(b"POST /sparql HTTP/1.1\r\nHost: test\r\nContent-Type: "
                 b"application/sparql-query\r\nContent-Length: 1000\r\n\r\nASK")
    return sock


class Drip(Background):
    """Sends each slow client a little more every DRIP_SECONDS: never enough to finish."""

    interval = DRIP_SECONDS

    def __init__(self, heads: list[socket.socket], bodies: list[socket.socket]):
        super().__init__()
        self.heads, self.bodies = heads, bodies
        self.line = 0

    def step(self) -> None:
        self.line += 1
        for sock, data in [*((s, b"X-Line-%d: x\r\n" % self.line) for s in self.heads),
                           *((s, b" ") for s in self.bodies)]:
            with contextlib.suppress(OSError):  # closed by the server: as it should be
                sock.sendall(data)


def query_time(url: str, number: int) -> float:
    """Seconds to answer a query no cache holds, on a new connection; checks the answer."""
    query = urllib.parse.urlencode({"query": f"ASK {{ ?s ?p ?o }} # meanwhile {number}"})
    started = time.monotonic()
    with urllib.request.urlopen(f"{url}/sparql?{query}", timeout=30) as response:
        answer = json.load(response)
    elapsed = time.monotonic() - started
    assert answer["boolean"] is True
    return elapsed


def state(sock: socket.socket) -> str:
    """'open' while the server keeps the connection; 'closed' (with 408 when it answered first)
    once it has closed it."""
    sock.settimeout(0)
    try:
        data = sock.recv(65536)
    except BlockingIOError:
        return "open"
    except OSError:
        return "closed"
    if not data:
        return "closed"
    return "closed 408" if data.startswith(b"HTTP/1.1 408") else f"answered {data[:40]!r}"


def wait_until_closed(socks: list[socket.socket], seconds: float) -> dict[str, int]:
    """How many of socks end in each state, polled until none is open or `seconds` pass."""
    deadline = time.monotonic() + seconds
    states = dict.fromkeys(socks, "open")
    while "open" in states.values() and time.monotonic() < deadline:
        for sock in [s for s, found in states.items() if found == "open"]:
            states[sock] = state(sock)  # read once: what the server sent is consumed
        time.sleep(0.2)  # polling the sockets, not waiting for the server
    return {found: list(states.values()).count(found) for found in set(states.values())}


def test_idle_and_slow_clients_do_not_delay_others_and_are_closed_in_time(server):
    address = ("127.0.0.1", urllib.parse.urlsplit(server).port)
    with contextlib.ExitStack() as stack:
        idle = [connect(address) for _ in range(IDLE_NEW)]
        idle += [kept_alive(address) for _ in range(IDLE_KEPT_ALIVE)]
        heads = [slow_head(address) for _ in range(SLOW_HEADS)]
        bodies = [slow_body(address) for _ in range(SLOW_BODIES)]
        held = idle + heads + bodies
        for sock in held:
            stack.callback(sock.close)
        opened = time.monotonic()
        with Drip(heads, bodies):
            times = [query_time(server, number) for number in range(QUERIES)]
            held_meanwhile = sum(state(sock) == "open" for sock in held)
            assert time.monotonic() - opened < min(CLIENT_TIMEOUT, KEEPALIVE_SECONDS), \
                "too slow to measure while every connection is still held"
            assert max(times) < ANSWER_SECONDS, times
            assert held_meanwhile == len(held)

            limit = max(CLIENT_TIMEOUT, KEEPALIVE_SECONDS) + 5
            assert wait_until_closed(idle[:IDLE_NEW], limit) == {"closed 408": IDLE_NEW}
            assert wait_until_closed(idle[IDLE_NEW:], limit) == {"closed": IDLE_KEPT_ALIVE}
            assert wait_until_closed(heads, limit) == {"closed 408": SLOW_HEADS}
            assert wait_until_closed(bodies, limit) == {"closed 408": SLOW_BODIES}
    assert query_time(server, QUERIES) < ANSWER_SECONDS
