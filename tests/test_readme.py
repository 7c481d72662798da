"""Every example in README.md runs, so that the door of the project cannot break silently.

The convention, which picks up a new example by itself:

- Every fenced block whose language is `sh` or `python` is an example, and is run: each one a
  test, in README order, as a reader follows the README.
- They run in ONE temporary copy of the repository (its tracked files, plus a link to the
  installed .venv), built before the first: commands that change data (`defence-kg ingest`,
  `defence-kg build`, editing files) change the copy only, and later examples see the change.
  `defence-kg` and `.venv/bin/defence-kg` are the installed command, working on the copy.
- Addresses: `http://127.0.0.1:8000` is a server over the copy's first build, started for
  these tests; `http://127.0.0.1:7878` an empty Oxigraph server (e.g. for `publish --to`). The
  real ports are substituted.
- `sh` blocks run with bash, stopping at the first failing line (`set -e`); `curl` fails on an
  HTTP error status. A `defence-kg serve …` line is started in the background on a free port,
  must answer /health, and is stopped when its block ends. `python` blocks run with the
  project's Python. Each block must exit with 0 and print something.
- A block that must not run says why in its info string: ```` ```sh not-run: the reason ````
  (e.g. `make test`, which is this suite). Blocks in any other language (`text`, none) are
  output or layout, never run.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import CLI, free_port, oxigraph_server, running_server

from defence_kg.settings import PROJECT_ROOT, Settings

README = PROJECT_ROOT / "README.md"
RUN = ("sh", "python")
SERVER = "http://127.0.0.1:8000"
STORE = "http://127.0.0.1:7878"
FENCE = re.compile(r"^```([^\n`]*)\n(.*?)^```\s*$", re.M | re.S)
SERVE = re.compile(r"^(?:\.venv/bin/)?defence-kg\s+serve\b.*$", re.M)
SECONDS = 300  # for one example
# curl as the examples mean it: an HTTP error is a failure.
SHELL_PRELUDE = "set -e\ncurl() { command curl --silent --show-error --fail-with-body \"$@\"; }\n"


@dataclass(frozen=True)
class Example:
    line: int
    language: str
    flags: str
    code: str

    @property
    def id(self) -> str:
        return f"README.md:{self.line}-{self.language}"


def read_examples(text: str) -> list[Example]:
    """The fenced blocks in sh or python, with the line their code starts on."""
    examples = []
    for match in FENCE.finditer(text):
        language, _, flags = match.group(1).strip().partition(" ")
        if language in RUN:
            line = text.count("\n", 0, match.start(2)) + 1
            examples.append(Example(line, language, flags.strip(), match.group(2)))
    return examples


EXAMPLES = read_examples(README.read_text(encoding="utf-8"))


def test_the_readme_has_examples_and_says_why_any_is_not_run():
    assert {e.language for e in EXAMPLES} == set(RUN)
    for example in EXAMPLES:
        if example.flags:
            flag, _, reason = example.flags.partition(":")
            assert flag == "not-run" and reason.strip(), (
                f"{example.id}: the only flag is `not-run: <why>`, not {example.flags!r}")


@dataclass
class Walkthrough:
    """Where the examples run: the copy, its environment, and the addresses to substitute."""

    copy: Path
    env: dict[str, str]
    addresses: dict[str, str]

    def code(self, example: Example) -> str:
        code = example.code
        for written, real in self.addresses.items():
            code = code.replace(written, real)
        return code


@pytest.fixture(scope="module")
def walkthrough(tmp_path_factory):
    copy = tmp_path_factory.mktemp("readme") / "defence-kg"
    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=PROJECT_ROOT, check=True,
                             capture_output=True).stdout.decode().split("\0")
    for name in filter(None, tracked):
        if (PROJECT_ROOT / name).is_file():
            (copy / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(PROJECT_ROOT / name, copy / name)
    (copy / ".venv").symlink_to(Path(sys.prefix))
    env = {**os.environ, "DEFENCE_KG_ROOT": str(copy),
           "DEFENCE_KG_OUTPUT_DIR": str(copy / "build"),
           "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    subprocess.run([CLI, "build"], cwd=copy, env=env, check=True, capture_output=True,
                   timeout=SECONDS)
    settings = Settings.from_env(env)
    with contextlib.ExitStack() as stack:
        server = stack.enter_context(running_server(settings))
        _, store = stack.enter_context(oxigraph_server(copy / "build"))
        store_origin = store.removesuffix("/query")
        yield Walkthrough(copy, env, {SERVER: server, STORE: store_origin})


@pytest.mark.parametrize("example", [e for e in EXAMPLES if not e.flags], ids=lambda e: e.id)
def test_the_example_runs(example, walkthrough):
    if example.language == "python":
        command = [sys.executable, "-c", walkthrough.code(example)]
    else:
        command = ["bash", "-c", SHELL_PRELUDE + background_servers(walkthrough.code(example))]
    done = subprocess.run(command, cwd=walkthrough.copy, env=walkthrough.env,
                          capture_output=True, text=True, timeout=SECONDS)
    report = f"{example.id}\n{walkthrough.code(example)}\n--- stdout\n{done.stdout}\n" \
             f"--- stderr\n{done.stderr}"
    assert done.returncode == 0, report
    assert done.stdout.strip(), report


def background_servers(code: str) -> str:
    """Each `defence-kg serve …` line started in the background on a free port, awaited on
    /health, and stopped when the block ends (a trap)."""
    def background(match: re.Match) -> str:
        port = free_port()
        command = match.group(0).split("#", 1)[0].strip()
        return (f"{command} --port {port} & pids=\"$pids $!\"\n"
                f"for _ in $(seq 600); do curl -s -o /dev/null "
                f"http://127.0.0.1:{port}/health && break; sleep 0.1; done\n"
                f"curl http://127.0.0.1:{port}/health")
    if not SERVE.search(code):
        return code
    return "pids=\ntrap 'kill $pids 2>/dev/null || true; wait' EXIT\n" + SERVE.sub(background, code)
