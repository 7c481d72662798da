"""RDF helpers every stage shares: deterministic quads, and formats named by file extension."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef

XSD_STRING = ox.NamedNode("http://www.w3.org/2001/XMLSchema#string")


def canonical_quads(graphs) -> list[ox.Quad]:
    """An rdflib Dataset's (or Graph's) quads with RDFC-1.0 blank node labels, sorted: the same
    input always gives the same quads in the same order, whatever Python's hash seed."""
    syntax = "nquads" if graphs.context_aware else "nt"
    text = graphs.serialize(format=syntax, encoding="utf-8")
    return canonical(ox.parse(text, format=ox.RdfFormat.N_QUADS))


def canonical(quads) -> list[ox.Quad]:
    """Quads with RDFC-1.0 blank node labels, sorted: the same quads, however their blank
    nodes were labelled (by a parser, by another store), give the same list."""
    plain, blank = [], ox.Dataset()
    for quad in quads:
        has_blank = any(isinstance(term, ox.BlankNode) for term in
                        (quad.subject, quad.object, quad.graph_name))
        (blank.add if has_blank else plain.append)(quad)
    # RDFC-1.0 labels a blank node from the quads that mention blank nodes only, so the rest
    # (nearly everything) need not go through it.
    blank.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return sorted([*plain, *blank], key=str)


def rdf_format(path: Path) -> ox.RdfFormat:
    return ox.RdfFormat.from_extension(Path(path).suffix.lstrip("."))


def to_rdflib(term):
    """A pyoxigraph term as rdflib's (for pySHACL, rdflib-based tests and owlrl)."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    return Literal(term.value, datatype=None if term.datatype == XSD_STRING
                   else URIRef(term.datatype.value))


def from_rdflib(term):
    """An rdflib term as pyoxigraph's: the same labels for blank nodes, so identities hold."""
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if term.language:
        return ox.Literal(str(term), language=term.language)
    return ox.Literal(str(term), datatype=ox.NamedNode(term.datatype) if term.datatype else None)


def from_rdflib_graph(graph) -> list[ox.Triple]:
    """An rdflib Graph's triples as pyoxigraph's."""
    return [ox.Triple(*map(from_rdflib, triple)) for triple in graph]
