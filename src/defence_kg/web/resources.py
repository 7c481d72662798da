"""The document about one resource: what it says, what points to it, and where that came from.

A concise bounded description (https://www.w3.org/submission/CBD/) of the resource in every
named graph holding it, the statements that have it as their object ("what points here", from
IRIs only), and the derivation of each graph it appears in (the sentence it came from, see
docs/design.md). A named graph's document also holds the graph's contents, and the ontology's
document is the ontology graph, so that every hash IRI `ontology#Term` is described by the
document of `ontology`. Read by quad patterns of IRIs and by queries, which every store answers
alike (querying.Store): an external store's blank nodes can be reached, not named.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import pyoxigraph as ox

from ..namespaces import NIF, Vocabulary
from ..rdf import canonical
from ..stores.querying import Store

WAS_DERIVED_FROM = ox.NamedNode("http://www.w3.org/ns/prov#wasDerivedFrom")
ANCHOR_OF = ox.NamedNode(str(NIF.anchorOf))
KNOWS = """ASK {{ {{ GRAPH ?g {{ {iri} ?p ?o }} }} UNION {{ GRAPH ?g {{ ?s {iri} ?o }} }}
  UNION {{ GRAPH ?g {{ ?s ?p {iri} }} }} UNION {{ GRAPH {iri} {{ ?s ?p ?o }} }} }}"""
DESCRIBED = """SELECT DISTINCT ?s {{ GRAPH ?g {{ ?s ?p ?o }}
  FILTER(isIRI(?s) && STRSTARTS(STR(?s), {base})) }}"""
# The statements about the resources, and about the blank nodes reached from them through
# LEVEL blank nodes: one UNION branch per level, in one query, so that a blank node is the same
# in every row (an external store labels its blank nodes anew in each answer). The resources
# are bound inside each branch: Oxigraph evaluates UNION branches before outer bindings.
LEVEL = """{{ VALUES ?r0 {{ {resources} }} {hops}
    GRAPH ?g {{ ?r{level} ?p ?o }} BIND(?r{level} AS ?s) BIND({level} AS ?level) }}"""
HOP = "GRAPH ?h{n} {{ ?r{previous} ?q{n} ?r{n} }} FILTER(isBlank(?r{n}))"
DEEPEST = 64  # levels of blank nodes followed at most (OWL lists are one level per member)


@dataclass(frozen=True)
class Sources:
    """The stores a resource is described from: the release and its VoID description."""

    stores: tuple[Store, ...]

    def quads(self, subject=None, predicate=None, obj=None, graph_name=None) -> Iterator[ox.Quad]:
        """Matching quads of the named graphs (the union default graph only repeats them)."""
        for store in self.stores:
            yield from store.quads(subject, predicate, obj, graph_name)

    def knows(self, iri: str) -> bool:
        """Whether any statement uses the IRI, in any position or as a graph name (never, when
        it is no IRI: a request's path may spell one)."""
        try:
            text = KNOWS.format(iri=ox.NamedNode(iri))
        except ValueError:
            return False
        return any(bool(store.query(text)) for store in self.stores)

    def described(self, base: str) -> list[str]:
        """Every IRI under base that some statement is about, sorted."""
        text = DESCRIBED.format(base=ox.Literal(base))
        return sorted({row["s"].value for store in self.stores for row in store.query(text)})


def document(sources: Sources, vocabulary: Vocabulary, iri: str) -> list[ox.Quad]:
    """The statements of the document about iri, without duplicates, in a canonical order."""
    node = ox.NamedNode(iri)
    quads = bounded_description(sources, [node])
    quads += [q for q in sources.quads(None, None, node) if isinstance(q.subject, ox.NamedNode)]
    contents = ox.NamedNode(str(vocabulary.ontology_graph)) if iri == vocabulary.ontology_iri \
        else node
    quads += sources.quads(graph_name=contents)
    quads += derivations(sources, {q.graph_name for q in quads})
    # Each store labels its blank nodes its own way: canonical labels make the document, and
    # its order, the same whatever the store.
    return canonical(quads)


def bounded_description(sources: Sources, nodes: Iterable[ox.NamedNode]) -> list[ox.Quad]:
    """Every statement about the nodes, and about the blank nodes they lead to (lists, OWL
    restrictions, checksums), recursively, without duplicates."""
    resources = " ".join(sorted({str(node) for node in nodes}))
    quads: dict[ox.Quad, None] = {}
    for store in sources.stores if resources else ():
        # Most resources lead to no blank node: their own statements, one level, are all
        # (each level more cost 3 ms at 200k quads, whether it found anything or not).
        levels = 1
        while True:
            # As tuples (s, p, o, g, level): reading a solution by name cost more than the query.
            rows = [tuple(row) for row in store.query(_levels_query(resources, levels))]
            ends = {o for _, _, o, _, level in rows
                    if isinstance(o, ox.BlankNode) and int(level.value) == levels - 1}
            if not ends or ends <= {row[0] for row in rows} or levels >= DEEPEST:
                break
            levels *= 2
        rows.sort(key=lambda row: int(row[4].value))  # the resources' own first
        quads.update(dict.fromkeys(ox.Quad(s, p, o, g) for s, p, o, g, _ in rows))
    return list(quads)


def _levels_query(resources: str, levels: int) -> str:
    branches = [LEVEL.format(resources=resources, level=level, hops=" ".join(
        HOP.format(n=n, previous=n - 1) for n in range(1, level + 1))) for level in range(levels)]
    return "SELECT ?s ?p ?o ?g ?level {\n  " + "\n  UNION ".join(branches) + "\n}"


def derivations(sources: Sources, graphs: Iterable) -> list[ox.Quad]:
    """Where each graph came from (`prov:wasDerivedFrom` its sentence) and that sentence's text."""
    quads = []
    for graph in sorted(graphs, key=str):
        for derived in sources.quads(graph, WAS_DERIVED_FROM):
            quads.append(derived)
            quads += sources.quads(derived.object, ANCHOR_OF)
    return quads
