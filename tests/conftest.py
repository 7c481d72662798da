"""Shared fixtures: one build of the real repository per session, and real servers on loopback,
each over the embedded store and over an Oxigraph server the data is published to.

What the project's own files do not install (the W3C tests beside the repository, system tools
apt-get could not install) may be missing: the tests that need it are skipped with one line
saying what is missing and where it goes (missing()). Under CI=true nothing is skipped: every
skip is turned into a failure (pytest_runtest_makereport), whoever wrote it.
"""

from __future__ import annotations

import contextlib
import http.server
import json
import math
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from dataclasses import replace
from pathlib import Path
from typing import NoReturn

import pyoxigraph as ox
import pytest
from corpus import Corpus
from rdflib import Dataset

from defence_kg.build import build, publish
from defence_kg.build.load import load_sources
from defence_kg.build.validate import validate_shapes
from defence_kg.rdf import from_rdflib, to_rdflib
from defence_kg.settings import Settings
from defence_kg.stores.embedded import QueryStore
from defence_kg.stores.remote import RemoteStore

CLI = str(Path(sys.executable).parent / "defence-kg")
OXIGRAPH = str(Path(sys.executable).parent / "oxigraph")
STARTUP_SECONDS = 60
# Where the served data is held: the embedded store, or an Oxigraph server (serve --store).
STORES = ("embedded", "oxigraph")
IN_CI = os.environ.get("CI", "").lower() == "true"
PROTOCOL_GRAPHS = tuple(f"http://kasei.us/2009/09/sparql/data/data{n}.rdf" for n in (1, 2, 3))
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
FOAF_DOCUMENT = "http://xmlns.com/foaf/0.1/Document"


def missing(what: str) -> NoReturn:
    """Skip the test (or, called at import, its module): `what` it needs is missing (say where
    it goes). Under CI=true the skip becomes a failure."""
    pytest.skip(what, allow_module_level=True)


def system_tool(name: str) -> str:
    """The path of a system tool on PATH, or a skip: `make test` installs them where it can
    (tests/system-tools.sh)."""
    return shutil.which(name) or missing(
        f"{name} is not installed: `make test` installs it with apt-get as root or through "
        "sudo (tests/system-tools.sh); install it yourself where neither works")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    return _failed_if_skipped_in_ci((yield))


@pytest.hookimpl(wrapper=True)
def pytest_make_collect_report(collector):
    return _failed_if_skipped_in_ci((yield))


def _failed_if_skipped_in_ci(report):
    if IN_CI and report.skipped and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.outcome = "failed"
        report.longrepr = f"CI=true, where nothing may be skipped, but: {reason}"
    return report


class ServerUrl(str):
    """A running server's base URL; store_pid is the external store's process, if any."""

    store_pid: int | None = None


@pytest.fixture(scope="session")
def settings(tmp_path_factory) -> Settings:
    """The real repository (or the one DEFENCE_KG_ROOT names: a copy with more sources, see
    test_many_sources.py), with its build output in a temporary directory."""
    root = os.environ.get("DEFENCE_KG_ROOT")
    return Settings.from_env({}, root=Path(root) if root else None,
                             output_dir=tmp_path_factory.mktemp("build"))


@pytest.fixture(scope="session")
def corpus(settings) -> Corpus:
    """The sources and statements in data/, from which tests compute what to expect."""
    return Corpus.read(settings)


@pytest.fixture
def repo_copy(settings, tmp_path) -> Settings:
    """A private copy of the real ontology, data and queries, free to break."""
    for folder in ("ontology", "data", "queries"):
        shutil.copytree(settings.root / folder, tmp_path / folder)
    return Settings.from_env({}, root=tmp_path, output_dir=tmp_path / "build")


@pytest.fixture(scope="session")
def build_result(settings):
    return build(settings)


@pytest.fixture(scope="session")
def dataset(build_result) -> Dataset:
    """The built release (its sorted N-Quads) as an rdflib Dataset, to look into in tests."""
    return dataset_of(build_result)


def dataset_of(result) -> Dataset:
    return rdflib_dataset(ox.parse(path=str(result.statements.nquads),
                                   format=ox.RdfFormat.N_QUADS))


def rdflib_dataset(quads) -> Dataset:
    """pyoxigraph quads in an rdflib Dataset whose default graph reads every graph."""
    dataset = Dataset(default_union=True)
    for quad in quads:
        dataset.add(tuple(map(to_rdflib, (*quad.triple, quad.graph_name))))
    return dataset


def loaded_dataset(settings: Settings) -> Dataset:
    """The repository's files as the build loads them, in an rdflib Dataset (to break)."""
    return rdflib_dataset(q for source in load_sources(settings) for q in source.quads)


def ox_quads(dataset: Dataset) -> list[ox.Quad]:
    return [ox.Quad(*map(from_rdflib, quad)) for quad in dataset.quads((None, None, None, None))]


def validate_dataset(dataset: Dataset, settings: Settings, shapes):
    """validate_shapes() over an rdflib Dataset: its ontology graph, and the rest as one source."""
    ontology = ox.NamedNode(str(settings.vocabulary.ontology_graph))
    quads = ox_quads(dataset)
    return validate_shapes([[q for q in quads if q.graph_name != ontology]],
                           [q for q in quads if q.graph_name == ontology], shapes,
                           prefixes=settings.vocabulary.prefixes)


def store_of(dataset: Dataset) -> ox.Store:
    """An Oxigraph store of the quads, its default graph their union (as the build writes it)."""
    store = ox.Store()
    store.bulk_extend(ox_quads(dataset))
    store.bulk_extend([ox.Quad(q.subject, q.predicate, q.object) for q in store])
    return store


@pytest.fixture(scope="session")
def release(settings, build_result) -> Settings:
    """Settings whose release_dir holds a published build of the real data."""
    publish(build_result, settings)
    return settings


def append(path: Path, text: str) -> int:
    """Append text to a file; return the 1-based line number where it starts."""
    content = path.read_text(encoding="utf-8")
    if not content.endswith("\n"):
        content += "\n"
    path.write_text(content + text, encoding="utf-8")
    return content.count("\n") + 1


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def oxigraph_server(directory: Path, timeout: float | None = None):
    """`oxigraph serve` on a free loopback port over a store in directory; yields the process
    and its query URL. With a timeout (the endpoint's), it stops the work of a query the
    endpoint gave up on; it is left unset otherwise, since Oxigraph 0.5 keeps a thread per
    query for that long, and under load runs out of threads (docs/stores.md)."""
    port = free_port()
    command = [OXIGRAPH, "serve", "--location", str(directory / "store"),
               "--bind", f"127.0.0.1:{port}"]
    if timeout is not None:
        command += ["--timeout-s", str(math.ceil(timeout))]
    with _started(command, f"http://127.0.0.1:{port}/", directory / "oxigraph.log") as process:
        yield process, f"http://127.0.0.1:{port}/query"


def publish_to(settings: Settings, store_url: str, load=()) -> str:
    """`defence-kg publish --to store_url`: its output, or a failure with its messages."""
    command = [CLI, "publish", "--output-dir", str(settings.output_dir), "--to", store_url,
               *(arg for path in load for arg in ("--load", str(path)))]
    completed = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    return completed.stdout


@contextlib.contextmanager
def opened_store(store: str, settings: Settings):
    """The Store the web layer reads, over the release and the files in settings.load: the
    embedded one, or a RemoteStore of a fresh Oxigraph server they are published to."""
    if store == "embedded":
        yield QueryStore.from_release(settings)
        return
    directory = Path(tempfile.mkdtemp(prefix="oxigraph-", dir=settings.output_dir))
    try:
        with oxigraph_server(directory) as (_, store_url):
            publish_to(settings, store_url, settings.load)
            yield RemoteStore.connect(replace(settings, store=store_url))
    finally:
        shutil.rmtree(directory, ignore_errors=True)


@contextlib.contextmanager
def serving(store: str, settings: Settings, *extra_args: str, load=(), store_timeout=None):
    """`defence-kg serve` over the release (and the files in load) held by the embedded store,
    or published to a fresh Oxigraph server (with store_timeout as its own query timeout);
    yields the server's ServerUrl."""
    loads = [arg for path in load for arg in ("--load", str(path))]
    if store == "embedded":
        with running_server(settings, *extra_args, *loads) as url:
            yield ServerUrl(url)
        return
    with contextlib.ExitStack() as stack:
        directory = Path(tempfile.mkdtemp(prefix="oxigraph-", dir=settings.output_dir))
        stack.callback(shutil.rmtree, directory, ignore_errors=True)
        process, store_url = stack.enter_context(oxigraph_server(directory, store_timeout))
        publish_to(settings, store_url, load)
        url = ServerUrl(stack.enter_context(
            running_server(settings, "--store", store_url, *extra_args, *loads)))
        url.store_pid = process.pid
        yield url


@contextlib.contextmanager
def running_server(settings: Settings, *extra_args: str):
    """`defence-kg serve` in a subprocess on a free loopback port; yields its base URL.

    Waits by polling /health (never a fixed sleep) and fails with the server's output if it
    exits or does not answer in time.
    """
    port = free_port()
    command = [CLI, "serve", "--host", "127.0.0.1", "--port", str(port),
               "--output-dir", str(settings.output_dir), *extra_args]
    url = f"http://127.0.0.1:{port}"
    with _started(command, url + "/health", settings.output_dir / f"server-{port}.log"):
        yield url


@contextlib.contextmanager
def _started(command: list[str], ready_url: str, log_path: Path):
    """A process started and polled on ready_url (never a fixed sleep) until it answers;
    failing with its output if it exits or does not answer in time; stopped afterwards."""
    log = open(log_path, "w+b")  # noqa: SIM115 (closed below)
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT,
                               env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        _wait_until_ready(ready_url, process, log)
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def _wait_until_ready(url: str, process: subprocess.Popen, log) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log.seek(0)
            pytest.fail(f"{Path(process.args[0]).name} exited with {process.returncode}:\n"
                        f"{log.read().decode()}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.1)  # a poll interval, not a wait for readiness
    log.seek(0)
    pytest.fail(f"{url} did not answer in {STARTUP_SECONDS} s:\n{log.read().decode()}")


@pytest.fixture(scope="session", params=STORES)
def live_server(request, release):
    """Base URL of a real server over the built release, in each store."""
    with serving(request.param, release) as url:
        yield url


def w3c_tests_dir() -> Path:
    """Where the W3C SPARQL 1.1 tests are (Settings.w3c_tests), or a skip."""
    path = Settings.from_env().w3c_tests
    if not (path / "protocol" / "manifest.ttl").is_file():
        missing(f"the W3C SPARQL 1.1 tests are not in {path}: copy the folders protocol/ and "
                "service-description/ of sparql/sparql11 in https://github.com/w3c/rdf-tests "
                "there, or name their folder with DEFENCE_KG_W3C_TESTS")
    return path


@pytest.fixture(scope="session")
def protocol_dataset(tmp_path_factory) -> Path:
    """The named graphs the W3C protocol tests address (ut:graphData in protocol/manifest.ttl:
    dataN.nt, which says <…/dataN.rdf> a foaf:Document, loaded into the graph <…/dataN.rdf>),
    written here so that the protocol tests need no external resource; test_w3c_protocol
    checks them against the manifest."""
    path = tmp_path_factory.mktemp("protocol") / "protocol-dataset.nq"
    path.write_text("".join(f"<{graph}> <{RDF_TYPE}> <{FOAF_DOCUMENT}> <{graph}> .\n"
                            for graph in PROTOCOL_GRAPHS), encoding="utf-8")
    return path


@pytest.fixture(scope="session", params=STORES)
def w3c_server(request, release, protocol_dataset):
    """A real server that also serves the W3C protocol tests' named graphs, in each store."""
    with serving(request.param, release, load=[protocol_dataset]) as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    """Headless Debian Chromium driven by Selenium, with the network kept to loopback.

    The flags stop Chromium's own background traffic (updates, sync, Google lookups), which
    this machine's closed network would refuse anyway.
    """
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    chromium, chromedriver = system_tool("chromium"), system_tool("chromedriver")
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--window-size=1280,1024"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(chromedriver))
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()


class Background:
    """step() called over and over in a daemon thread, `interval` seconds apart, from entering
    the context until leaving it (a steady client, a slow one)."""

    interval = 0.0

    def __init__(self):
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.step()

    def step(self) -> None:
        raise NotImplementedError


class Listener:
    """A loopback socket that records whether anything connected to it."""

    def __init__(self, sock: socket.socket):
        self.sock = sock

    def url(self, path: str = "/sparql") -> str:
        return f"http://127.0.0.1:{self.sock.getsockname()[1]}{path}"

    def contacted(self) -> bool:
        try:
            connection, _ = self.sock.accept()
        except BlockingIOError:
            return False
        connection.close()
        return True


@pytest.fixture
def listener():
    """Where a query might be made to fetch from: the tests assert it never is."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(8)
        sock.setblocking(False)
        yield Listener(sock)


class _CountingEndpoint(http.server.BaseHTTPRequestHandler):
    """Answers every query with one solution, ?x = "answer N" for the N-th call."""

    def do_GET(self):
        self.server.calls += 1
        body = json.dumps({"head": {"vars": ["x"]}, "results": {"bindings": [
            {"x": {"type": "literal", "value": f"answer {self.server.calls}"}}]}}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_POST = do_GET

    def log_message(self, *args):
        pass


@pytest.fixture
def remote_endpoint():
    """A stand-in remote SPARQL endpoint on loopback: its URL (`.url`), and `.calls`."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _CountingEndpoint)
    server.calls = 0
    server.url = f"http://127.0.0.1:{server.server_address[1]}/sparql"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
