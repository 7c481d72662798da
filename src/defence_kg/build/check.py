"""Quality checks as data (as the Ontology Development Kit does): every row a
`queries/checks/*-violation.rq` query returns is a problem, and fails the build."""

from __future__ import annotations

import hashlib
import json
import logging
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pyoxigraph as ox

from ..release import REPORT_NAME
from ..settings import Settings
from .check_scope import scope_of
from .validate import Validation

log = logging.getLogger(__name__)
CHECKS_KEY = "checks_sha256"  # in the build report: the checks the release passed, by name


def violation_queries(settings: Settings) -> list[Path]:
    return sorted((settings.queries_dir / "checks").glob("*-violation.rq"))


def check_digests(settings: Settings) -> dict[str, str]:
    """Each check's digest (its text, and the engine that ran it), for the build report."""
    return {path.name: hashlib.sha256(path.read_bytes() + ox.__version__.encode()).hexdigest()
            for path in violation_queries(settings)}


def run_violation_queries(store: ox.Store, settings: Settings,
                          since: tuple[Path, tuple[Path, Path]] | None = None) -> Validation:
    """Run every check on the release's store (its default graph the union of the named
    graphs, as served); each row returned is a problem, reported in the checks' order.
    `since`: the last release and the lines removed from and added to it (two N-Quads files);
    a check it passed as it is now, of a shape that allows it, is then run over the quads the
    change can reach only (check_scope.py), with the same rows."""
    paths = violation_queries(settings)
    queries = {path.name: settings.vocabulary.rebase(path.read_text(encoding="utf-8"))
               for path in paths}
    scoped = {} if since is None else _Scoped(store, settings, queries, *since)
    if scoped:
        log.info("check: over the change (%d quads read): %s; whole: %s", len(scoped.store),
                 ", ".join(scoped), ", ".join(name for name in queries if name not in scoped))
    # pyoxigraph lets go of the GIL while Oxigraph evaluates, so the checks run side by side,
    # one a core (docs/design.md, "Cheaper violation checks").
    with ThreadPoolExecutor(os.cpu_count() or 1) as pool:
        found = pool.map(lambda path: _run_check(store, path.name, queries[path.name], scoped),
                         paths)
        problems = [problem for problems in found for problem in problems]
    return Validation(not problems, problems)


class _Scoped(dict):
    """The checks run over the change, by name: each its key variable and the keys the change
    holds. `store` is the quads those keys can read, copied from the release's store."""

    def __init__(self, release: ox.Store, settings: Settings, queries: dict[str, str],
                 last: Path, change: tuple[Path, Path]):
        super().__init__()
        passed = _passed(last)
        digests = check_digests(settings)
        # Analysed in a thread of its own: rdflib's parser leaves exceptions in reference
        # cycles whose frames link to their callers', and so would keep the release's store
        # open until the cycle collector runs (publish, backing it up while RocksDB still
        # compacts it, then misses files).
        with ThreadPoolExecutor(1) as thread:
            analysed = zip(queries, thread.map(scope_of, queries.values()))
            scopes = {name: scope for name, scope in analysed
                      if scope and passed.get(name) == digests[name]}
        if not scopes:
            return
        changed = [quad for path in change
                   for quad in ox.parse(path=str(path), format=ox.RdfFormat.N_QUADS)]
        self.store = ox.Store()
        for name, scope in scopes.items():
            keys = scope.keys(changed, release)
            if keys is None:
                continue
            self.store.extend(scope.quads(keys, release))
            for graph in scope.graphs(keys, release):
                self.store.add_graph(graph)
            self[name] = (scope.key, keys)


def _passed(release: Path) -> dict[str, str]:
    """The checks the last release passed (their digests, by name); none if it does not say."""
    try:
        report = json.loads((release / REPORT_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return report.get(CHECKS_KEY) or {}


def _run_check(store: ox.Store, name: str, query: str, scoped: dict) -> list[str]:
    if name in scoped:
        key, keys = scoped[name]
        store = scoped.store
    try:
        solutions = store.query(query)
    except SyntaxError as error:
        return [f"{name}: the check does not parse: {error}"]
    rows = solutions if name not in scoped else (
        row for row in solutions if row[key] in keys)
    return [f"{name}: " + ", ".join(f"?{var.value} = {_show(row[var])}"
                                    for var in solutions.variables)
            for row in rows]


def _show(term) -> str:
    return "(unbound)" if term is None else str(term)
