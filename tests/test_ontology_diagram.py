"""The ontology's diagrams on /ontology: every class under each of its superclasses, every
property as an arrow from its declared domain to its declared range, reused terms marked;
computed from ontology/ itself."""

from __future__ import annotations

import itertools
import re
import urllib.request

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from defence_kg.build.ontology_diagram import INDENT, ROW, ontology_diagram
from defence_kg.build.ontology_page import _prefixed


@pytest.fixture(scope="module")
def ontology(settings) -> Graph:
    return Graph().parse(settings.ontology_dir / "defence-cooperation.ttl")


@pytest.fixture(scope="module")
def diagram(ontology, settings):
    namespace = str(settings.vocabulary.ontology)
    return ontology_diagram(
        ontology, namespace, lambda term: str(ontology.value(term, RDFS.label) or "") or None,
        lambda term: "#" + str(term)[len(namespace):] if str(term).startswith(namespace)
        else str(term), lambda iri: _prefixed(iri, settings.vocabulary))


def href(term: URIRef, namespace: str) -> str:
    return "#" + str(term)[len(namespace):] if str(term).startswith(namespace) else str(term)


def test_every_class_sits_under_each_of_its_superclasses(ontology, diagram, settings):
    namespace = str(settings.vocabulary.ontology)
    terms = diagram.hierarchy.terms
    classes = {c for c in ontology.subjects(RDF.type, OWL.Class)
               if isinstance(c, URIRef) and str(c).startswith(namespace)}
    assert classes and {href(c, namespace) for c in classes} <= {t.href for t in terms}
    pairs = [(c, p) for c in classes for p in ontology.objects(c, RDFS.subClassOf)
             if isinstance(p, URIRef)]
    assert pairs
    for child, parent in pairs:
        found = False
        for index, term in enumerate(terms):
            if term.href != href(parent, namespace):
                continue
            for below in terms[index + 1:]:
                if below.x <= term.x:
                    break
                if below.x == term.x + INDENT and below.href == href(child, namespace):
                    found = True
        assert found, (child, parent)
    for term in terms:
        assert term.reused == (not term.href.startswith("#"))
    ys = [t.y for t in terms]
    assert ys == sorted(ys) and len(set(ys)) == len(ys)  # one row each: a tree, not a tangle
    assert all(b - a == ROW for a, b in itertools.pairwise(ys))


def test_every_property_runs_from_its_domain_to_its_range(ontology, diagram, settings):
    namespace = str(settings.vocabulary.ontology)
    picture = diagram.properties
    properties = {p for k in (OWL.ObjectProperty, OWL.DatatypeProperty)
                  for p in ontology.subjects(RDF.type, k) if str(p).startswith(namespace)}
    arrows = {line.href: line for line in picture.lines}
    assert properties and {href(p, namespace) for p in properties} == set(arrows)
    for prop in properties:
        line = arrows[href(prop, namespace)]
        y = float(re.match(r"M[\d.]+,([\d.]+)", line.path).group(1))
        domain = next(t for t in picture.terms if t.x < line.x and t.y <= y <= t.y + t.height)
        range_ = next(t for t in picture.terms if t.x > line.x and t.y <= y <= t.y + t.height)
        declared_domain = ontology.value(prop, RDFS.domain) or OWL.Thing
        declared_range = ontology.value(prop, RDFS.range) or OWL.Thing
        assert domain.href == href(declared_domain, namespace), prop
        assert range_.href == href(declared_range, namespace), prop
    assert "prov" in diagram.reused and "schema" in diagram.reused


def test_the_ontology_page_shows_both_diagrams(live_server):
    request = urllib.request.Request(live_server + "/ontology", headers={"Accept": "text/html"})
    with urllib.request.urlopen(request, timeout=30) as response:
        page = response.read().decode()
    assert page.count("<svg ") == 2
    assert 'aria-labelledby="hierarchy"' in page and 'aria-labelledby="domains-and-ranges"' in page
