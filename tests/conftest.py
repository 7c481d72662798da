"""Shared fixtures: one build of the real repository per session, and real servers on loopback."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from defence_kg.build import build
from defence_kg.dumps import publish
from defence_kg.settings import Settings

CLI = str(Path(sys.executable).parent / "defence-kg")
STARTUP_SECONDS = 60


@pytest.fixture(scope="session")
def settings(tmp_path_factory) -> Settings:
    """The real repository, with its build output in a temporary directory."""
    return Settings.from_env({}, output_dir=tmp_path_factory.mktemp("build"))


@pytest.fixture(scope="session")
def build_result(settings):
    return build(settings)


@pytest.fixture(scope="session")
def release(settings, build_result) -> Settings:
    """Settings whose release_dir holds a published build of the real data."""
    publish(build_result, settings)
    return settings


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def running_server(settings: Settings, *extra_args: str):
    """`defence-kg serve` in a subprocess on a free loopback port; yields its base URL.

    Waits by polling /health (never a fixed sleep) and fails with the server's output if it
    exits or does not answer in time.
    """
    port = free_port()
    command = [CLI, "serve", "--host", "127.0.0.1", "--port", str(port),
               "--output-dir", str(settings.output_dir), *extra_args]
    log = open(settings.output_dir / f"server-{port}.log", "w+b")  # noqa: SIM115 (closed below)
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT,
                               env={**os.environ, "PYTHONUNBUFFERED": "1"})
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_healthy(url, process, log)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def _wait_until_healthy(url: str, process: subprocess.Popen, log) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log.seek(0)
            pytest.fail(f"server exited with {process.returncode}:\n{log.read().decode()}")
        try:
            with urllib.request.urlopen(url + "/health", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.1)  # a poll interval, not a wait for readiness
    log.seek(0)
    pytest.fail(f"server did not answer /health in {STARTUP_SECONDS} s:\n{log.read().decode()}")


@pytest.fixture(scope="session")
def live_server(release):
    """Base URL of a real server over the built release."""
    with running_server(release) as url:
        yield url


@pytest.fixture(scope="session")
def w3c_dir(release) -> Path:
    """The W3C SPARQL 1.1 protocol tests (shared/ beside the repository); required, not optional."""
    path = release.root.parent / "shared" / "w3c-sparql11"
    assert path.is_dir(), f"the W3C test data is missing at {path}"
    return path


@pytest.fixture(scope="session")
def w3c_server(release, w3c_dir):
    """A real server that also serves the W3C protocol tests' named graphs."""
    with running_server(release, "--load", str(w3c_dir / "protocol-dataset.nq")) as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    """Headless Debian Chromium driven by Selenium, with the network kept to loopback.

    The flags stop Chromium's own background traffic (updates, sync, Google lookups), which
    this machine's closed network would refuse anyway.
    """
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--window-size=1280,1024"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service("/usr/bin/chromedriver"))
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()
