"""Quality checks as data (as the Ontology Development Kit does): every row a
`queries/checks/*-violation.rq` query returns is a problem, and fails the build."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pyoxigraph as ox

from ..settings import Settings
from .validate import Validation


def violation_queries(settings: Settings) -> list[Path]:
    return sorted((settings.queries_dir / "checks").glob("*-violation.rq"))


def run_violation_queries(store: ox.Store, settings: Settings) -> Validation:
    """Run every check on the release's store (its default graph the union of the named
    graphs, as served); each row returned is a problem, reported in the checks' order."""
    # pyoxigraph lets go of the GIL while Oxigraph evaluates, so the checks run side by side,
    # one a core (docs/design.md, "Cheaper violation checks").
    with ThreadPoolExecutor(os.cpu_count() or 1) as pool:
        found = pool.map(lambda path: _run_check(store, path, settings),
                         violation_queries(settings))
        problems = [problem for problems in found for problem in problems]
    return Validation(not problems, problems)


def _run_check(store: ox.Store, path: Path, settings: Settings) -> list[str]:
    query = settings.vocabulary.rebase(path.read_text(encoding="utf-8"))
    try:
        solutions = store.query(query)
    except SyntaxError as error:
        return [f"{path.name}: the check does not parse: {error}"]
    return [f"{path.name}: " + ", ".join(f"?{var.value} = {_show(row[var])}"
                                         for var in solutions.variables)
            for row in solutions]


def _show(term) -> str:
    return "(unbound)" if term is None else str(term)
