"""pyrudof's screen (build/validate.py) never passes data that pySHACL fails: each constraint of
ontology/shapes.ttl, broken on a resource of the real data that its shape targets."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, SH, XSD

from defence_kg.build.load import load_shapes, load_sources
from defence_kg.build.validate import Screen, _triple, _validate
from defence_kg.rdf import from_rdflib, to_rdflib

# What each constraint's breakage does to the values of the path on a focus node.
CONSTRAINTS = (SH.minCount, SH.maxCount, SH.datatype, SH["class"], SH.hasValue, SH.pattern,
               SH.minLength, SH.languageIn, SH.lessThan, SH.disjoint, SH.minInclusive,
               SH.maxInclusive, SH.maxExclusive, SH.node, SH["or"], SH.xone, SH["not"])
FRESH = URIRef("https://example.org/nothing-known")
FOCI = 20  # focus nodes tried per target, for one with values to break

pytestmark = pytest.mark.data


def test_the_screen_fails_whatever_pyshacl_fails(settings):
    shapes = load_shapes(settings)
    # The ontology's triples with the data's: a breakage may touch either (a concept's scheme).
    data = {tuple(map(to_rdflib, _triple(q))) for source in load_sources(settings)
            for q in source.quads}
    whole = _graph(data)
    screen = Screen(shapes, [])
    assert screen.conforms(_ox(data)), "the real data must pass before it is broken"
    caught, missed, idle, visited = set(), [], [], set()
    for shape, constraint, focus, broken in _breakages(shapes, whole, data, visited):
        if not screen.conforms(_ox(broken)):
            caught.add(constraint)
            continue
        conforms, _, _ = _validate(_graph(broken), shapes)
        (idle if conforms else missed).append((shape, constraint, focus))
    assert not missed, f"pyrudof passed what pySHACL failed: {missed}"
    # Every kind of constraint with values in the data to break was broken there and caught
    # (ours: all of CONSTRAINTS but sh:maxInclusive, whose shape targets dko:percentage).
    assert caught == visited, f"no breakage of {visited - caught} was caught (ineffective: {idle})"


def _breakages(shapes: Graph, whole: Graph, data: set, visited: set) -> Iterator[tuple]:
    """(shape, constraint, focus node, the data with that constraint broken on that node) for
    each constraint of each targeted shape, on the first focus node that has values to break
    (a subclass's instance first), and of the shapes its sh:node values must conform to.
    `visited` gets the constraints that had values to break."""
    for shape in sorted(set(shapes.subjects(RDF.type, SH.NodeShape)), key=str):
        foci = _foci(shapes, whole, shape)
        for owner, path in [(shape, None), *_properties(shapes, shape)]:
            having = [f for f in foci if path is None or (f, path, None) in whole]
            for constraint, value in shapes.predicate_objects(owner):
                if constraint not in CONSTRAINTS or not having:
                    continue
                visited.add(constraint)
                for focus in having:
                    broken = _break(shapes, data, focus, path, constraint, value)
                    if broken is not None:
                        yield shape, constraint, focus, broken
                        break
                if constraint == SH.node and path is not None:
                    yield from _nested(shapes, data, having[0], path, value, visited)


def _nested(shapes: Graph, data: set, focus, path, nested, visited: set) -> Iterator[tuple]:
    """Breakages of a shape that (focus, path)'s values must conform to: its own constraints
    broken on the value, its properties' on the value's triples."""
    values = sorted((t[2] for t in data if t[0] == focus and t[1] == path), key=str)
    if not values:
        return
    for constraint, value in shapes.predicate_objects(nested):
        if constraint in CONSTRAINTS:
            visited.add(constraint)
            broken = _break(shapes, data, focus, path, constraint, value)
            if broken is not None:
                yield nested, constraint, focus, broken
    for member, inner in _properties(shapes, nested):
        for constraint, value in shapes.predicate_objects(member):
            if constraint in CONSTRAINTS:
                visited.add(constraint)
                broken = _break(shapes, data, values[0], inner, constraint, value)
                if broken is not None:
                    yield nested, constraint, values[0], broken


def _foci(shapes: Graph, whole: Graph, shape) -> list:
    """Nodes the shape targets in the data, a few of each target, subclasses' instances first."""
    found = []
    for target in shapes.objects(shape, SH.targetClass):
        kinds = set(whole.transitive_subjects(RDFS.subClassOf, target))
        instances = sorted({s for k in kinds for s in whole.subjects(RDF.type, k)}, key=str)
        found += sorted(instances, key=lambda i: (i, RDF.type, target) in whole)[:FOCI]
    for predicate in shapes.objects(shape, SH.targetSubjectsOf):
        found += sorted(set(whole.subjects(predicate, None)), key=str)[:FOCI]
    for predicate in shapes.objects(shape, SH.targetObjectsOf):
        found += sorted(set(whole.objects(None, predicate)), key=str)[:FOCI]
    return found


def _properties(shapes: Graph, shape) -> list[tuple]:
    """(property shape, its predicate) for the shape's properties and its logical members."""
    found = []
    members = [*shapes.objects(shape, SH.property)]
    for logical in (SH.xone, SH["or"], SH["and"]):
        for head in shapes.objects(shape, logical):
            members += list(Collection(shapes, head))
    for member in members:
        path = shapes.value(member, SH.path)
        if isinstance(path, BNode):  # an alternative path: break its first predicate
            path = next(iter(Collection(shapes, shapes.value(path, SH.alternativePath))))
        if path is not None:
            found.append((member, path))
    return found


def _break(shapes: Graph, data: set, focus, path, constraint, value) -> set | None:
    """The data with (focus, path)'s values (or the focus node's own triples) made to break
    `constraint`, or None where this breakage has no values to work on."""
    if path is None:  # a constraint on the node itself
        if constraint == SH["class"]:
            return {t for t in data if not (t[0] == focus and t[1] == RDF.type)}
        if constraint == SH.xone:
            members = [shapes.value(m, SH.path) for m in Collection(shapes, value)]
            present = [p for p in members if any(t[0] == focus and t[1] == p for t in data)]
            absent = [p for p in members if p not in present]
            if not present or not absent:
                return None
            return data | {(focus, absent[0], Literal("1", datatype=XSD.decimal))}
        return None
    values = [t[2] for t in data if t[0] == focus and t[1] == path]
    if not values and constraint != SH.maxCount:
        return None
    kept = {t for t in data if not (t[0] == focus and t[1] == path)}
    first = values[0] if values else Literal("1")
    typed = first.datatype if isinstance(first, Literal) else None

    def replaced(*new) -> set:
        return kept | {(focus, path, v) for v in new}

    if constraint == SH.minCount:
        return kept
    if constraint == SH.maxCount:
        extra = [URIRef(f"{FRESH}/{n}") if isinstance(first, URIRef) else
                 Literal(f"{first}{n}", datatype=typed, lang=getattr(first, "language", None))
                 for n in range(int(value) + 1)]
        return data | {(focus, path, v) for v in extra}
    if constraint == SH.datatype:
        return replaced(Literal("1", datatype=XSD.integer) if value == XSD.string
                        else Literal("x"))
    if constraint in (SH["class"], SH.node, SH.hasValue):
        return replaced(FRESH)
    if constraint == SH.pattern:
        return replaced(Literal("x", datatype=typed))
    if constraint == SH.minLength:
        return replaced(Literal("", datatype=typed))
    if constraint == SH.languageIn:
        return replaced(Literal("x", lang="fr"))
    if constraint == SH.lessThan:
        return replaced(Literal("999999999", datatype=typed))
    if constraint == SH.disjoint:
        other = [t[2] for t in data if t[0] == focus and t[1] == value]
        return data | {(focus, path, other[0])} if other else None
    if constraint in (SH.minInclusive,):
        return replaced(Literal("-1", datatype=typed))
    if constraint in (SH.maxInclusive, SH.maxExclusive):
        return replaced(Literal("1000", datatype=typed))
    if constraint == SH["or"]:
        return replaced(Literal("x", lang="fr"))
    if constraint == SH["not"]:
        forbidden = shapes.value(value, SH.hasValue)
        return data | {(focus, path, forbidden)} if forbidden is not None else None
    return None


def _graph(triples: set) -> Graph:
    graph = Graph()
    for triple in triples:
        graph.add(triple)
    return graph


def _ox(triples: set) -> set:
    return {tuple(map(from_rdflib, t)) for t in triples}
