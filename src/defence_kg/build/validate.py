"""Validate the asserted data against the SHACL shapes (https://www.w3.org/TR/shacl/)."""

from __future__ import annotations

from dataclasses import dataclass, field

import pyshacl
from rdflib import Dataset, Graph

from ..settings import Settings


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
