"""Quality checks as data (as the Ontology Development Kit does): every row a
`queries/checks/*-violation.rq` query returns is a problem, and fails the build."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from ..settings import Settings
from .validate import Validation


def violation_queries(settings: Settings) -> list[Path]:
    return sorted((settings.queries_dir / "checks").glob("*-violation.rq"))


def run_violation_queries(store: ox.Store, settings: Settings) -> Validation:
    """Run every check on the release's store (its default graph the union of the named
    graphs, as served); each row returned is a problem."""
    problems = []
    for path in violation_queries(settings):
        query = settings.vocabulary.rebase(path.read_text(encoding="utf-8"))
        try:
            solutions = store.query(query)
        except SyntaxError as error:
            problems.append(f"{path.name}: the check does not parse: {error}")
            continue
        for row in solutions:
            cells = ", ".join(f"?{var.value} = {_show(row[var])}" for var in solutions.variables)
            problems.append(f"{path.name}: {cells}")
    return Validation(not problems, problems)


def _show(term) -> str:
    return "(unbound)" if term is None else str(term)
