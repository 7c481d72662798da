"""The servers under test, on 127.0.0.1 only: ours (over its embedded store, or in front of
Oxigraph server with `serve --store`), Oxigraph server and rdflib-endpoint.

Each is started in its own process from the same files, waited for by polling (never a fixed
sleep), timed from start to first answer, watched for peak memory, and stopped by its id.
"""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import psutil

BIN = Path(sys.executable).parent
POLL_SECONDS = 0.1
MEMORY_SAMPLE_SECONDS = 0.5
STOP_SECONDS = 15


class ServerError(Exception):
    """A server that could not be prepared or started: the message says why in one line,
    `log` holds the end of the server's output."""

    def __init__(self, message: str, log: str = ""):
        super().__init__(message)
        self.log = log


def executable(name: str) -> str:
    path = BIN / name
    if not path.exists():
        raise ServerError(f"{path} is missing: install the benchmark's dependencies with "
                          "pip install -e '.[test,bench]'")
    return str(path)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PeakMemory:
    """Samples the proportional set size (PSS) of process trees in a thread; keeps the peak.

    PSS splits pages that forked workers share among them, so a preforking server is not
    counted once per worker for the same store.
    """

    def __init__(self):
        self.peak_bytes = 0
        self._processes: list[psutil.Process] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def watch(self, *pids: int) -> None:
        self._processes = [psutil.Process(pid) for pid in pids]

    def close(self) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(MEMORY_SAMPLE_SECONDS):
            total = 0
            for root in self._processes:
                try:
                    tree = [root, *root.children(recursive=True)]
                except psutil.NoSuchProcess:
                    continue
                for process in tree:
                    with contextlib.suppress(psutil.NoSuchProcess, psutil.AccessDenied):
                        total += process.memory_full_info().pss
            self.peak_bytes = max(self.peak_bytes, total)


@dataclass
class Server:
    """A running server: where to send queries, how long it took to load, its peak memory."""

    name: str
    query_url: str
    process: subprocess.Popen
    load_seconds: float
    log_path: Path
    memory: PeakMemory = field(repr=False)
    behind: subprocess.Popen | None = None  # the external store it answers from, if any

    def stop(self) -> float:
        """Stop the server (its workers, its store); return its peak memory in MiB."""
        _terminate(self.process)
        if self.behind is not None:
            _terminate(self.behind)
        self.memory.close()
        return self.memory.peak_bytes / 2**20


def _terminate(process: subprocess.Popen) -> None:
    try:
        children = psutil.Process(process.pid).children(recursive=True)
    except psutil.NoSuchProcess:
        children = []
    process.terminate()
    try:
        process.wait(timeout=STOP_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    for child in children:  # workers the server started and left behind
        if child.is_running():
            child.kill()


def _run_step(command: list[str], log_path: Path, deadline: float, memory: PeakMemory,
              *watched: int) -> None:
    """Run a preparation step (such as a bulk load) to completion within the deadline; its
    memory is sampled with that of the `watched` processes."""
    with open(log_path, "ab") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        memory.watch(process.pid, *watched)
        try:
            process.wait(timeout=max(deadline - time.monotonic(), 0))
        except subprocess.TimeoutExpired:
            _terminate(process)
            raise ServerError(f"{command[0]} {command[1]} did not finish in time") from None
    if process.returncode:
        raise ServerError(f"{' '.join(command[:2])} failed ({process.returncode})",
                          _tail(log_path))


def _start(name: str, command: list[str], ready_url: str, query_url: str, log_path: Path,
           started: float, deadline: float, memory: PeakMemory,
           behind: subprocess.Popen | None = None) -> Server:
    """Start a server and poll ready_url until it answers 200; fail with its log otherwise.
    `behind`: a process the server depends on (its store), watched and stopped with it."""
    log = open(log_path, "ab")  # noqa: SIM115 (the server writes to it until stopped)
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    log.close()
    memory.watch(process.pid, *([behind.pid] if behind else []))
    while time.monotonic() < deadline:
        if process.poll() is not None:
            memory.close()
            log = _tail(log_path)
            raise ServerError(f"{name} exited with {process.returncode}: "
                              f"{(log.splitlines() or [''])[-1]}", log)
        try:
            with urllib.request.urlopen(ready_url, timeout=5) as response:
                if response.status == 200:
                    return Server(name, query_url, process, time.monotonic() - started,
                                  log_path, memory, behind)
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(POLL_SECONDS)  # a poll interval, not a wait for readiness
    _terminate(process)
    memory.close()
    raise ServerError(f"{name} did not answer {ready_url} in time", _tail(log_path))


def _started_store(command: list[str], ready_url: str, log_path: Path, deadline: float,
                   memory: PeakMemory) -> subprocess.Popen:
    """A store server started and polled until it answers (then loaded by the caller)."""
    with open(log_path, "ab") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    memory.watch(process.pid)
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ServerError(f"{command[0]} exited with {process.returncode}", _tail(log_path))
        try:
            with urllib.request.urlopen(ready_url, timeout=5):
                return process
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(POLL_SECONDS)  # a poll interval, not a wait for readiness
    _terminate(process)
    raise ServerError(f"{command[0]} did not answer {ready_url} in time", _tail(log_path))


def _tail(log_path: Path, lines: int = 20) -> str:
    return "\n".join(log_path.read_text(errors="replace").splitlines()[-lines:])


def start_ours(release_output: Path, files: list[Path], workdir: Path,
               timeout: float) -> Server:
    """`defence-kg serve` over the release in release_output, plus the benchmark's files."""
    started = time.monotonic()
    port = free_port()
    loads = [arg for path in files for arg in ("--load", str(path))]
    command = [executable("defence-kg"), "serve", "--host", "127.0.0.1", "--port", str(port),
               "--output-dir", str(release_output), *loads]
    url = f"http://127.0.0.1:{port}"
    return _start("ours", command, url + "/health", url + "/sparql", workdir / "ours.log",
                  started, started + timeout, PeakMemory())


def start_ours_on_store(release_output: Path, files: list[Path], workdir: Path,
                        timeout: float) -> Server:
    """`defence-kg serve --store` in front of Oxigraph server (`oxigraph serve`, read-write so
    that `defence-kg publish` can load it: the release and the benchmark's files). Load time
    and memory count both processes. Oxigraph's own timeout is left unset: it keeps a thread
    per query for that long (docs/stores.md)."""
    started = time.monotonic()
    deadline = started + timeout
    location, log_path = workdir / "store-oxigraph", workdir / "ours-store.log"
    store_port = free_port()
    store_url = f"http://127.0.0.1:{store_port}/query"
    memory = PeakMemory()
    try:
        store = _started_store([executable("oxigraph"), "serve", "--location", str(location),
                                "--bind", f"127.0.0.1:{store_port}"],
                               f"http://127.0.0.1:{store_port}/", log_path, deadline, memory)
    except ServerError:
        memory.close()
        raise
    loads = [arg for path in files for arg in ("--load", str(path))]
    try:
        _run_step([executable("defence-kg"), "publish", "--output-dir", str(release_output),
                   "--to", store_url, *loads], log_path, deadline, memory, store.pid)
    except ServerError:
        _terminate(store)
        memory.close()
        raise
    port = free_port()
    command = [executable("defence-kg"), "serve", "--host", "127.0.0.1", "--port", str(port),
               "--output-dir", str(release_output), "--store", store_url, *loads]
    url = f"http://127.0.0.1:{port}"
    try:
        return _start("ours-store", command, url + "/health", url + "/sparql", log_path,
                      started, deadline, memory, behind=store)
    except ServerError:
        _terminate(store)
        raise


def start_oxigraph(files: list[Path], workdir: Path, timeout: float,
                   query_timeout: float) -> Server:
    """`oxigraph load` then `serve-read-only`. The default graph is made the union of the
    named graphs as a set, as our store does (--union-default-graph would repeat a triple
    once per graph holding it, and so count it more than once)."""
    return _load_and_serve([["load", "--file", *map(str, files)],
                            ["update", "--update",
                             "INSERT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }"]],
                           workdir, timeout, query_timeout)


def _load_and_serve(steps: list[list[str]], workdir: Path, timeout: float,
                    query_timeout: float, memory_while_loading: bool = True) -> Server:
    """Run each `oxigraph` step on the work directory's store, compact it (`optimize`, as its
    own advice for a read-only endpoint under load says), then `serve-read-only`. Memory is
    sampled from the start, or, without `memory_while_loading`, from the start of serving."""
    started = time.monotonic()
    deadline = started + timeout
    oxigraph = executable("oxigraph")
    location = workdir / "oxigraph-store"
    log_path = workdir / "oxigraph.log"
    loading = PeakMemory()
    try:
        for command, *arguments in [*steps, ["optimize"]]:
            _run_step([oxigraph, command, "--location", str(location), *arguments], log_path,
                      deadline, loading)
    except ServerError:
        loading.close()
        raise
    if not memory_while_loading:
        loading.close()
        loading = PeakMemory()
    return _serve_read_only(location, log_path, started, deadline, query_timeout, loading)


def _serve_read_only(location: Path, log_path: Path, started: float, deadline: float,
                     query_timeout: float, memory: PeakMemory) -> Server:
    port = free_port()
    command = [executable("oxigraph"), "serve-read-only", "--location", str(location),
               "--bind", f"127.0.0.1:{port}", "--timeout-s", str(int(query_timeout))]
    url = f"http://127.0.0.1:{port}"
    return _start("oxigraph", command, url + "/", url + "/query", log_path, started, deadline,
                  memory)


def start_rdflib_endpoint(files: list[Path], workdir: Path, timeout: float) -> Server:
    """`rdflib-endpoint serve`: an rdflib Dataset (default graph: the union) behind uvicorn."""
    started = time.monotonic()
    port = free_port()
    command = [executable("rdflib-endpoint"), "serve", *map(str, files),
               "--host", "127.0.0.1", "--port", str(port)]
    url = f"http://127.0.0.1:{port}/"
    return _start("rdflib-endpoint", command, url, url, workdir / "rdflib-endpoint.log",
                  started, started + timeout, PeakMemory())


def start_oxigraph_release(nquads: Path, ntriples: Path, workdir: Path, timeout: float,
                           query_timeout: float) -> Server:
    """`oxigraph load` of a release's N-Quads, and of its N-Triples (the union of its graphs,
    as a set) into the default graph, then `optimize` and `serve-read-only`. Its memory is
    sampled from the start of serving: what it costs to serve, not to load."""
    return _load_and_serve([["load", "--file", str(nquads)], ["load", "--file", str(ntriples)]],
                           workdir, timeout, query_timeout, memory_while_loading=False)


def pss_mib(process: subprocess.Popen) -> float:
    """The proportional set size of a process and its children (a server's workers) now."""
    total = 0
    try:
        root = psutil.Process(process.pid)
        tree = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0.0
    for member in tree:
        with contextlib.suppress(psutil.NoSuchProcess, psutil.AccessDenied):
            total += member.memory_full_info().pss
    return total / 2**20
