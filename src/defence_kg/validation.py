"""Check the data: SHACL shapes (https://www.w3.org/TR/shacl/) and `*-violation.rq` queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pyshacl
from rdflib import Dataset, Graph

from .settings import Settings
from .store import QueryStore


@dataclass
class Validation:
    """Whether the data conforms, and a report a person can act on."""

    conforms: bool
    problems: list[str] = field(default_factory=list)

    @property
    def report(self) -> str:
        return "\n\n".join(self.problems)


def validate_shapes(dataset: Dataset, shapes: Graph, settings: Settings) -> Validation:
    """SHACL over the asserted data and the ontology (so sh:targetClass follows subclasses)."""
    data = Graph()
    for graph in dataset.graphs():
        if graph.identifier not in settings.vocabulary.derived_graphs:
            for triple in graph:
                data.add(triple)
    conforms, _, text = pyshacl.validate(data, shacl_graph=shapes, inference="none",
                                         advanced=True, allow_warnings=True)
    return Validation(conforms, [] if conforms else [text.strip()])


def violation_queries(settings: Settings) -> list[Path]:
    return sorted((settings.queries_dir / "checks").glob("*-violation.rq"))


def run_violation_queries(dataset: Dataset, settings: Settings, quads=None) -> Validation:
    """ODK-style checks: every row a `*-violation.rq` query returns is a problem."""
    store = QueryStore.from_dataset(dataset, settings, quads)
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
