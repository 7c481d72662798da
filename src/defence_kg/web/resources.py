"""The document about one resource: what it says, what points to it, and where that came from.

A concise bounded description (https://www.w3.org/submission/CBD/) of the resource in every
named graph holding it, the statements that have it as their object ("what points here", from
IRIs only), and the derivation of each graph it appears in (the sentence it came from, see
docs/design.md). A named graph's document also holds the graph's contents, and the ontology's
document is the ontology graph, so that every hash IRI `ontology#Term` is described by the
document of `ontology`. Read by quad patterns: no query to parse, no query to plan.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import pyoxigraph as ox

from ..namespaces import NIF, Vocabulary
from ..store import QueryStore

WAS_DERIVED_FROM = ox.NamedNode("http://www.w3.org/ns/prov#wasDerivedFrom")
ANCHOR_OF = ox.NamedNode(str(NIF.anchorOf))


@dataclass(frozen=True)
class Sources:
    """The stores a resource is described from: the release and its VoID description."""

    stores: tuple[QueryStore, ...]

    def quads(self, subject=None, predicate=None, obj=None, graph_name=None) -> Iterator[ox.Quad]:
        """Matching quads of the named graphs (the union default graph only repeats them)."""
        for store in self.stores:
            for quad in store.quads(subject, predicate, obj, graph_name):
                if not isinstance(quad.graph_name, ox.DefaultGraph):
                    yield quad

    def knows(self, iri: str) -> bool:
        """Whether any statement uses the IRI, in any position or as a graph name."""
        node = ox.NamedNode(iri)
        patterns = ((node, None, None, None), (None, node, None, None), (None, None, node, None),
                    (None, None, None, node))
        return any(next(self.quads(*pattern), None) is not None for pattern in patterns)

    def described(self, base: str) -> list[str]:
        """Every IRI under base that some statement is about, sorted."""
        return sorted({q.subject.value for q in self.quads()
                       if isinstance(q.subject, ox.NamedNode) and q.subject.value.startswith(base)})


def document(sources: Sources, vocabulary: Vocabulary, iri: str) -> list[ox.Quad]:
    """The statements of the document about iri, without duplicates, in a stable order."""
    node = ox.NamedNode(iri)
    quads = list(bounded_description(sources, [node]))
    quads += [q for q in sources.quads(None, None, node) if isinstance(q.subject, ox.NamedNode)]
    contents = ox.NamedNode(str(vocabulary.ontology_graph)) if iri == vocabulary.ontology_iri \
        else node
    quads += sources.quads(graph_name=contents)
    quads += derivations(sources, {q.graph_name for q in quads})
    return list(dict.fromkeys(quads))


def bounded_description(sources: Sources, nodes: Iterable) -> Iterator[ox.Quad]:
    """Every statement about the nodes, and about the blank nodes they lead to (lists, OWL
    restrictions, checksums), recursively."""
    todo, seen = list(nodes), set()
    while todo:
        node = todo.pop()
        if node in seen:
            continue
        seen.add(node)
        for quad in sources.quads(node):
            yield quad
            if isinstance(quad.object, ox.BlankNode):
                todo.append(quad.object)


def derivations(sources: Sources, graphs: Iterable) -> list[ox.Quad]:
    """Where each graph came from (`prov:wasDerivedFrom` its sentence) and that sentence's text."""
    quads = []
    for graph in sorted(graphs, key=str):
        for derived in sources.quads(graph, WAS_DERIVED_FROM):
            quads.append(derived)
            quads += sources.quads(derived.object, ANCHOR_OF)
    return quads
