"""Every dated thing of the data, found by what the data says rather than by report: each
statement whose value is an XSD date or year (https://www.w3.org/TR/xmlschema11-2/), an OWL-Time
instant or interval (https://www.w3.org/TR/owl-time/) told of the thing that has it, and each
activity or event without a date of its own, placed at the date of the sources that report it.
Each entry carries the sentences that support it and the things it is about, for the filters.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

import pyoxigraph as ox

from ..namespaces import Vocabulary

XSD = "http://www.w3.org/2001/XMLSchema#"
DATE_TYPES = tuple(XSD + t for t in ("date", "dateTime", "dateTimeStamp", "gYear", "gYearMonth"))
TIME = "http://www.w3.org/2006/time#"
PREFIXES = """PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX schema: <https://schema.org/>
PREFIX nif: <http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#>
PREFIX time: <http://www.w3.org/2006/time#>
"""
# The graphs that say nothing dated of their own: the ontology, inferences, explanations.
NOT_DATA = "FILTER(?g NOT IN (%(excluded)s))"
DATED = PREFIXES + """SELECT ?thing ?p ?date ?g WHERE {
  GRAPH ?g { ?thing ?p ?date } """ + NOT_DATA + """
  FILTER(isIRI(?thing) && isLiteral(?date) && DATATYPE(?date) IN (%(types)s)) }"""
# Who has a temporal entity (an instant, an interval), through which property, and whether
# the holder is itself temporal (an interval has its beginning).
HOLDERS = PREFIXES + """SELECT ?holder ?p ?entity ?g ?temporal WHERE {
  VALUES ?entity { %(entities)s } GRAPH ?g { ?holder ?p ?entity } """ + NOT_DATA + """
  FILTER(isIRI(?holder))
  OPTIONAL { ?holder rdf:type ?type FILTER(STRSTARTS(STR(?type), STR(time:))) }
  BIND(BOUND(?type) AS ?temporal) }"""
# Activities and events, and the dated sources whose sentences state them.
REPORTED = PREFIXES + """SELECT DISTINCT ?thing ?g ?date WHERE {
  VALUES ?kind { prov:Activity schema:Event } ?thing rdf:type ?kind .
  GRAPH ?g { ?thing ?p ?o } ?g prov:wasDerivedFrom ?segment .
  ?segment nif:referenceContext ?source . ?source ?q ?date .
  FILTER(isIRI(?thing) && isLiteral(?date) && DATATYPE(?date) IN (%(types)s)) }"""
SUPPORT = PREFIXES + """SELECT ?g ?segment ?source WHERE { VALUES ?g { %(graphs)s }
  ?g prov:wasDerivedFrom ?segment . ?segment nif:referenceContext ?source }"""
LABELS = PREFIXES + """SELECT ?iri ?label WHERE { VALUES ?iri { %(iris)s }
  ?iri rdfs:label ?label FILTER(LANGMATCHES(LANG(?label), "en") || LANG(?label) = "") }"""
TYPES = PREFIXES + """SELECT ?iri ?type WHERE { VALUES ?iri { %(iris)s }
  GRAPH ?g { ?iri rdf:type ?type } """ + NOT_DATA + """ }"""
# The things near a resource: one or two links away (not through the ontology's own terms, so
# not from one platform through "ongoing" to every other), and the sources that mention it.
NEAR = PREFIXES + """SELECT DISTINCT ?m ?near WHERE {
  { { GRAPH ?g { %(iri)s ?p ?m } } UNION { GRAPH ?g { ?m ?p %(iri)s } }
    """ + NOT_DATA + """ FILTER(isIRI(?m) && ?p != rdf:type)
    OPTIONAL { { GRAPH ?h { ?m ?q ?near } } UNION { GRAPH ?h { ?near ?q ?m } }
      FILTER(isIRI(?near) && ?q != rdf:type && ?h NOT IN (%(excluded)s)
             && NOT EXISTS { GRAPH %(ontology)s { ?m ?any ?term } }) } }
  UNION { { GRAPH ?g { %(iri)s ?p ?o } } UNION { GRAPH ?g { ?s ?p %(iri)s } }
    ?g prov:wasDerivedFrom ?segment . ?segment nif:referenceContext ?m } }"""


@dataclass
class Support:
    segment: str  # the sentence (or dateline) IRI
    source: str  # the report it is in


@dataclass
class Entry:
    date: str  # as written: 2000, 2025-12-02, 2025-12-02T10:00:00Z
    datatype: str  # its XSD type's local name: gYear, date, dateTime
    thing: str
    role: list[str]  # the properties from the thing to the date (IRIs)
    reported: bool  # dated by the sources that report it, not by a date of its own
    supports: list[Support] = field(default_factory=list)

    @property
    def sort_key(self) -> tuple:
        return (self.date[:10].ljust(10, "-"), self.reported, self.date, self.thing, self.role)


def dated_entries(store, vocabulary: Vocabulary) -> list[Entry]:
    """Every dated thing in the store, in time order (the same data, the same list)."""
    excluded = _excluded(vocabulary)
    types = ", ".join(f"<{t}>" for t in DATE_TYPES)
    found: dict[tuple, set[str]] = defaultdict(set)  # (date, type, thing, role, reported) -> g
    temporal: dict[str, list[tuple]] = defaultdict(list)
    for row in store.query(DATED % {"excluded": excluded, "types": types}):
        thing, predicate, date = row["thing"].value, row["p"].value, row["date"]
        dating = (date.value, date.datatype.value, (predicate,), frozenset({row["g"].value}))
        if predicate.startswith(TIME):  # an OWL-Time entity: it dates what holds it
            temporal[thing].append(dating)
        else:
            found[(*dating[:3], thing, False)] |= dating[3]
    _date_holders(store, temporal, found, excluded)
    dated = {key[3] for key in found}
    for row in store.query(REPORTED % {"types": types}):
        if row["thing"].value not in dated:
            found[(row["date"].value, row["date"].datatype.value, (), row["thing"].value,
                   True)].add(row["g"].value)
    supports = _supports(store, {g for graphs in found.values() for g in graphs})
    entries = [Entry(date, _local(datatype), thing, list(role), reported,
                     [s for g in sorted(graphs) for s in supports.get(g, [])])
               for (date, datatype, role, thing, reported), graphs in found.items()]
    return sorted(entries, key=lambda e: e.sort_key)


def near(store, vocabulary: Vocabulary, iri: str) -> set[str]:
    """The resource, the things one or two links from it, and the sources that mention it."""
    text = NEAR % {"iri": ox.NamedNode(iri), "excluded": _excluded(vocabulary),
                   "ontology": ox.NamedNode(str(vocabulary.ontology_graph))}
    return {iri} | {term.value for row in store.query(text) for term in (row["m"], row["near"])
                     if term is not None}


def labels(store, iris) -> dict[str, str]:
    """An English (or untagged) label of each IRI that has one."""
    found: dict[str, str] = {}
    for chunk in _chunks(sorted(set(iris))):
        rows = store.query(LABELS % {"iris": " ".join(f"<{i}>" for i in chunk)})
        for row in sorted(rows, key=lambda r: r["label"].value):
            found.setdefault(row["iri"].value, row["label"].value)
    return found


def types(store, vocabulary: Vocabulary, iris) -> dict[str, list[str]]:
    """The asserted types of each IRI."""
    found: dict[str, list[str]] = defaultdict(list)
    for chunk in _chunks(sorted(set(iris))):
        text = TYPES % {"iris": " ".join(f"<{i}>" for i in chunk),
                        "excluded": _excluded(vocabulary)}
        for row in store.query(text):
            if row["type"].value not in found[row["iri"].value]:
                found[row["iri"].value].append(row["type"].value)
    return found


def _date_holders(store, temporal: dict, found: dict, excluded: str, depth: int = 3) -> None:
    """Date what holds a temporal entity: an interval's beginning dates what has the interval,
    with the properties followed as the entry's role; up to `depth` links up."""
    for _ in range(depth):
        if not temporal:
            return
        entities = " ".join(f"<{e}>" for e in sorted(temporal))
        above: dict[str, list[tuple]] = defaultdict(list)
        for row in store.query(HOLDERS % {"entities": entities, "excluded": excluded}):
            holder, via = row["holder"].value, row["g"].value
            for date, datatype, role, graphs in temporal[row["entity"].value]:
                dating = (date, datatype, (row["p"].value, *role), graphs | {via})
                if row["temporal"].value == "true":
                    above[holder].append(dating)
                else:
                    found[(*dating[:3], holder, False)] |= dating[3]
        temporal = above


def _supports(store, graphs: set[str]) -> dict[str, list[Support]]:
    found: dict[str, list[Support]] = defaultdict(list)
    for chunk in _chunks(sorted(graphs)):
        rows = store.query(SUPPORT % {"graphs": " ".join(f"<{g}>" for g in chunk)})
        for row in rows:
            found[row["g"].value].append(Support(row["segment"].value, row["source"].value))
    return found


def _excluded(vocabulary: Vocabulary) -> str:
    return ", ".join(f"<{g}>" for g in (vocabulary.ontology_graph,
                                        *sorted(vocabulary.derived_graphs)))


def _chunks(items: list, size: int = 500):
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _local(iri: str) -> str:
    return re.split(r"[#/]", iri)[-1]
