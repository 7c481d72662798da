"""Validate the asserted data against the SHACL shapes (https://www.w3.org/TR/shacl/)."""

from __future__ import annotations

from dataclasses import dataclass, field

import pyshacl
from rdflib import Dataset, Graph

from ..settings import Settings
from .shape_messages import Locate, ShapeMessages


@dataclass
class Validation:
    """Whether the data conforms, and a report a person can act on."""

    conforms: bool
    problems: list[str] = field(default_factory=list)

    @property
    def report(self) -> str:
        return "\n".join(self.problems)


def validate_shapes(dataset: Dataset, shapes: Graph, settings: Settings,
                    locate: Locate | None = None) -> Validation:
    """SHACL over the asserted data and the ontology (so sh:targetClass follows subclasses);
    `locate` finds where the data writes an offending statement."""
    data = Graph()
    for graph in dataset.graphs():
        if graph.identifier not in settings.vocabulary.derived_graphs:
            for triple in graph:
                data.add(triple)
    conforms, results, _ = pyshacl.validate(data, shacl_graph=shapes, inference="none",
                                            advanced=True, allow_warnings=True)
    if conforms:
        return Validation(True)
    prefixes = settings.vocabulary.prefixes
    return Validation(False, ShapeMessages(results, shapes, data, prefixes, locate).messages())
