"""The ontology's documentation page, written into each release at build time (as pyLODE does).

pyLODE itself is not used: its last release for Python 3.11 (3.4.1) fails on import when
installed from its wheel, and it cannot list a class's instances, which come from the data.
The page is rendered with the server's own layout (web/templates), so it reads like the others;
its links are relative, as it is served at /doc/ontology whatever the host.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import pyoxigraph as ox
from jinja2 import Environment, FileSystemLoader, select_autoescape
from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS

from ..namespaces import Vocabulary
from .ontology_diagram import ontology_diagram
from ..rdf import from_rdflib, to_rdflib

TEMPLATES = Path(__file__).parents[1] / "web" / "templates"
ROOT = "../"  # from /doc/ontology up to the server root
KINDS = (  # (section heading, anchor, the types that put a term in it)
    ("Classes", "classes", (OWL.Class, RDFS.Class)),
    ("Object properties", "object-properties", (OWL.ObjectProperty,)),
    ("Datatype properties", "datatype-properties", (OWL.DatatypeProperty,)),
    ("Annotation properties", "annotation-properties", (OWL.AnnotationProperty,)),
    ("Concept schemes", "concept-schemes", (SKOS.ConceptScheme,)),
    ("Concepts", "concepts", (SKOS.Concept,)),
)
FACTS = (  # (heading, predicate, inverse?)
    ("Superclasses", RDFS.subClassOf, False),
    ("Subclasses", RDFS.subClassOf, True),
    ("Superproperties", RDFS.subPropertyOf, False),
    ("Subproperties", RDFS.subPropertyOf, True),
    ("Domain", RDFS.domain, False),
    ("Range", RDFS.range, False),
    ("Inverse of", OWL.inverseOf, False),
    ("In scheme", SKOS.inScheme, False),
    ("Broader", SKOS.broader, False),
    ("Instances", RDF.type, True),
)


LISTED = 100  # values of a fact listed on the page (the first by IRI); the rest by a query


@dataclass
class Link:
    text: str
    href: str


@dataclass
class Term:
    anchor: str
    iri: str
    label: str
    name: str  # the prefixed name
    definition: str
    facts: list[tuple[str, list[Link]]] = field(default_factory=list)
    page: str = ""


def ontology_page(store: ox.Store, vocabulary: Vocabulary, version: str) -> bytes:
    """The HTML documentation of the ontology, with each class's instances in the data
    (`store`: the release's, its default graph the union of the graphs)."""
    ontology = Graph()
    for quad in store.quads_for_pattern(None, None, None,
                                        ox.NamedNode(str(vocabulary.ontology_graph))):
        ontology.add((to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object)))
    union = _Union(store)
    namespace = str(vocabulary.ontology)

    def link(term) -> Link:
        text = union.label(term) or _prefixed(str(term), vocabulary)
        iri = str(term)
        if iri.startswith(namespace):
            return Link(text, "#" + iri[len(namespace):])
        if iri.startswith(vocabulary.base):
            return Link(text, ROOT + iri[len(vocabulary.base):])
        return Link(text, iri)

    sections = []
    for heading, anchor, types in KINDS:
        members = sorted({s for t in types for s in ontology.subjects(RDF.type, t)
                          if isinstance(s, URIRef) and str(s).startswith(namespace)},
                         key=lambda s: (union.label(s) or str(s)).lower())
        terms = []
        for member in members:
            local = str(member)[len(namespace):]
            term = Term(local, str(member), union.label(member) or local,
                        _prefixed(str(member), vocabulary),
                        str(union.value(member, SKOS.definition) or ""),
                        page=f"{ROOT}doc/ontology/{local}")
            for fact, predicate, inverse in FACTS:
                values = union.iris(predicate, member, inverse)
                # The first by IRI (rdflib orders two IRIs by their text): the smallest LISTED
                # of the texts, not a sort of every instance made an rdflib term.
                listed = heapq.nsmallest(LISTED, values)
                links = sorted((link(URIRef(v)) for v in listed), key=lambda ln: ln.text.lower())
                if len(values) > LISTED:  # a class of a million instances: the rest by query
                    links.append(_the_rest(len(values) - LISTED, predicate, member, inverse))
                if links:
                    term.facts.append((fact, links))
            terms.append(term)
        if terms:
            sections.append((heading, anchor, terms))
    about = URIRef(vocabulary.ontology_iri)
    environment = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape())
    html = environment.get_template("ontology.html").render(
        root=ROOT, title=str(ontology.value(about, DCTERMS.title) or "Ontology"),
        iri=vocabulary.ontology_iri, version_iri=str(ontology.value(about, OWL.versionIRI) or ""),
        description=str(ontology.value(about, DCTERMS.description) or ""),
        license=str(ontology.value(about, DCTERMS.license) or ""),
        creator=str(ontology.value(about, DCTERMS.creator) or ""),
        created=str(ontology.value(about, DCTERMS.created) or ""),
        prefix="dko", namespace=namespace, sections=sections, version=version,
        diagram=ontology_diagram(ontology, namespace, union.label, lambda t: link(t).href,
                                 lambda iri: _prefixed(iri, vocabulary)))
    return html.encode("utf-8")


class _Union:
    """Look-ups over every graph of the dataset: labels and instances come from the data."""

    def __init__(self, store: ox.Store):
        self.store = store

    def iris(self, predicate, term, inverse: bool) -> set[str]:
        """The IRIs that are values of a fact of `term`: its objects, or (`inverse`) the
        subjects of which it is the object; as text, as a class's instances can be a million."""
        term, predicate, union = from_rdflib(term), from_rdflib(predicate), ox.DefaultGraph()
        if inverse:
            quads = self.store.quads_for_pattern(None, predicate, term, union)
            return {q.subject.value for q in quads if type(q.subject) is ox.NamedNode}
        quads = self.store.quads_for_pattern(term, predicate, None, union)
        return {q.object.value for q in quads if type(q.object) is ox.NamedNode}

    def value(self, subject, predicate) -> str | None:
        """The text of the first of the subject's values, English (or no language) first,
        then by text: as rdflib's terms sorted by _english_first, without making them."""
        values = [_english_first(q.object) for q in self.store.quads_for_pattern(
            from_rdflib(subject), from_rdflib(predicate), None, ox.DefaultGraph())]
        return min(values)[1] if values else None

    def label(self, term) -> str | None:
        for predicate in (RDFS.label, SKOS.prefLabel):
            found = self.value(term, predicate)
            if found is not None:
                return found
        return None


def _the_rest(count: int, predicate, member, inverse: bool) -> Link:
    """A link to the query that lists every value of a fact, for the values not listed."""
    pattern = f"?value <{predicate}> <{member}>" if inverse else f"<{member}> <{predicate}> ?value"
    query = f"SELECT ?value WHERE {{ {pattern} }} ORDER BY ?value"
    return Link(f"… and {count:,} more", f"{ROOT}sparql?{urlencode({'query': query})}")


def _english_first(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> tuple[bool, str]:
    language = term.language if type(term) is ox.Literal else None
    return ((language or "en") != "en", term.value)


def _prefixed(iri: str, vocabulary: Vocabulary) -> str:
    for prefix, namespace in sorted(vocabulary.prefixes.items(), key=lambda p: -len(p[1])):
        if iri.startswith(namespace):
            return f"{prefix}:{iri[len(namespace):]}"
    return iri
