"""What a resource page shows, made from its document and two or three queries: labels, types
(asserted and inferred apart), properties, inverse links, evidence (the sentences, their source,
publisher and date), external links, and why each inference holds (graph dkgg:explanations).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import pyoxigraph as ox
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS

from ..namespaces import Vocabulary
from .resources import Sources

LABELS = (str(RDFS.label), str(SKOS.prefLabel), str(DCTERMS.title))  # in order of preference
NAMES = (*LABELS, str(SKOS.altLabel))  # what the highlighter looks for in a sentence
EXTERNAL = {  # identity-link targets shown as links out, by IRI prefix
    "http://www.wikidata.org/entity/": "Wikidata",
    "http://dbpedia.org/resource/": "DBpedia",
    "https://sws.geonames.org/": "GeoNames",
}
TERM_FACTS = (  # (heading, predicate, as object?) shown for classes and properties
    ("Definition", str(SKOS.definition), False),
    ("Superclasses", str(RDFS.subClassOf), False),
    ("Subclasses", str(RDFS.subClassOf), True),
    ("Superproperties", str(RDFS.subPropertyOf), False),
    ("Subproperties", str(RDFS.subPropertyOf), True),
    ("Domain", str(RDFS.domain), False),
    ("Range", str(RDFS.range), False),
    ("Inverse of", str(OWL.inverseOf), False),
    ("Instances", str(RDF.type), True),
)

LABEL_QUERY = """
SELECT ?resource ?property ?label WHERE {
  VALUES ?resource { %s }
  VALUES ?property { %s }
  ?resource ?property ?label . FILTER(isLiteral(?label))
}"""

EVIDENCE_QUERY = """
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX dko: <%(ontology)s>
PREFIX nif: <http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#>
PREFIX prov: <http://www.w3.org/ns/prov#>
SELECT ?graph ?segment ?text ?source ?publisher ?issued ?speaker WHERE {
  VALUES ?graph { %(graphs)s }
  ?graph prov:wasDerivedFrom ?segment .
  ?segment nif:anchorOf ?text ; nif:referenceContext ?source ; nif:beginIndex ?begin .
  OPTIONAL { ?segment dko:attributesTo ?speaker }
  OPTIONAL { ?source dcterms:publisher ?publisher }
  OPTIONAL { ?source dcterms:issued ?issued }
} ORDER BY ?source ?begin"""

EXPLANATION_QUERY = """
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX dko: <%(ontology)s>
SELECT ?predicate ?object ?statement ?rule ?definition ?premise ?s ?p ?o ?origin ?premiseRule
WHERE {
  GRAPH <%(graph)s> {
    ?statement rdf:subject <%(iri)s> ; rdf:predicate ?predicate ; rdf:object ?object ;
      dko:inferredBy ?rule ; prov:wasDerivedFrom ?premise .
    OPTIONAL { ?rule skos:definition ?definition }
    ?premise rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o .
    OPTIONAL { ?premise dko:inferredBy ?premiseRule }
    OPTIONAL { ?premise prov:wasDerivedFrom ?origin
               FILTER NOT EXISTS { ?premise dko:inferredBy [] } }
  }
} ORDER BY ?statement ?premise ?origin"""


@dataclass
class Node:
    """An RDF term as shown: a label, a link when it has one, and a note (language, datatype)."""

    text: str
    href: str | None = None
    iri: str | None = None
    note: str = ""
    parts: list[tuple[Node, Node]] = field(default_factory=list)  # a blank node's statements
    items: list[Node] = field(default_factory=list)  # an RDF list's members


@dataclass
class Premise:
    subject: Node
    predicate: Node
    object: Node
    origins: list[Node]  # where an asserted premise comes from (its sentence, the ontology)
    rule: Node | None  # the rule of an inferred premise
    statement: Node  # its own page, to follow the chain further


@dataclass
class Explanation:
    rule: Node
    definition: str
    premises: list[Premise]


@dataclass
class Value:
    node: Node
    inferred: bool
    sources: list[Node]  # the graphs holding the statement
    because: list[Explanation] = field(default_factory=list)


@dataclass
class Row:
    predicate: Node
    values: list[Value]


@dataclass
class Evidence:
    """A sentence supporting statements on the page, with the resource's names marked in it."""

    segment: Node
    pieces: list[tuple[str, bool]]  # (text, marked)
    source: Node
    publisher: Node | None
    issued: str
    speaker: Node | None
    anchor: str


@dataclass
class Page:
    iri: str
    label: str
    asserted_types: list[Value]
    inferred_types: list[Value]
    properties: list[Row]
    inverse: list[Row]
    term_facts: list[tuple[str, list[Node]]]
    evidence: list[Evidence]
    external: list[tuple[str, Node]]
    contents: list[tuple[Node, Node, Node]]  # a named graph's statements


class Presenter:
    """Turns one document's quads into a Page (one presenter per page: it keeps the labels it
    fetched); `href` maps an IRI to the link a page shows."""

    def __init__(self, sources: Sources, store, vocabulary: Vocabulary,
                 href: Callable[[str], str | None]):
        self.sources = sources
        self.store = store
        self.vocabulary = vocabulary
        self.href = href
        self.prefixes = sorted(vocabulary.prefixes.items(), key=lambda p: -len(p[1]))

    def page(self, iri: str, quads: list[ox.Quad]) -> Page:
        node = ox.NamedNode(iri)
        about = [q for q in quads if q.subject == node]
        pointing = [q for q in quads if q.object == node and q.subject != node
                    and q.graph_name != self._explanations]
        contents = [q for q in quads if q.graph_name == node]
        explanations = self._explanations_of(iri)
        evidence_graphs = {q.graph_name for q in about + pointing}
        origins = {o for rows in explanations.values() for e in rows for p in e["premises"]
                   for o in p["origins"]}
        evidence = self._evidence(evidence_graphs | origins)
        # Where sentences of several sources are cited, "sentence 3" alone would be ambiguous.
        self._several_sources = len({e.source.iri for e in evidence.values()}) > 1
        self._labels = self._fetch_labels(quads, explanations, evidence)
        blank = _blank_index(quads)
        label = self._label_of(iri) or self._statement_label(about) or self._fallback(iri)
        rows = self._rows(about, lambda q: q.predicate, lambda q: q.object, blank, explanations,
                          evidence)
        types = next((r.values for r in rows if r.predicate.iri == str(RDF.type)), [])
        rows = [r for r in rows if r.predicate.iri != str(RDF.type)]
        external = [(name, self._node(q.object, blank)) for q in about
                    for prefix, name in EXTERNAL.items()
                    if q.predicate.value == str(OWL.sameAs) and q.object.value.startswith(prefix)]
        return Page(
            iri=iri, label=label,
            asserted_types=[v for v in types if not v.inferred],
            inferred_types=[v for v in types if v.inferred],
            properties=rows,
            inverse=self._rows(pointing, lambda q: q.predicate, lambda q: q.subject, blank, {},
                               evidence),
            term_facts=self._term_facts(about, pointing, blank),
            evidence=[self._marked(e, iri) for g, e in evidence.items() if g in evidence_graphs],
            external=external,
            contents=[(self._node(q.subject, blank), self._node(q.predicate, blank, True),
                       self._node(q.object, blank)) for q in contents],
        )

    @property
    def _explanations(self) -> ox.NamedNode:
        return ox.NamedNode(str(self.vocabulary.explanations_graph))

    # Queries

    def _explanations_of(self, iri: str) -> dict[tuple[str, str], list[dict]]:
        """Why each inferred statement about iri holds: its rule and premises, by (p, o)."""
        text = EXPLANATION_QUERY % {"ontology": self.vocabulary.ontology, "iri": iri,
                                    "graph": self.vocabulary.explanations_graph}
        found: dict[tuple[str, str], dict[str, dict]] = defaultdict(dict)
        for row in self.store.query(text):
            key = (row["predicate"].value, str(row["object"]))
            explanation = found[key].setdefault(row["statement"].value, {
                "rule": row["rule"], "definition": row["definition"], "premises": {}})
            premise = explanation["premises"].setdefault(row["premise"].value, {
                "statement": row["premise"], "triple": (row["s"], row["p"], row["o"]),
                "rule": row["premiseRule"], "origins": []})
            if row["origin"] is not None and row["origin"] not in premise["origins"]:
                premise["origins"].append(row["origin"])
        return {key: [{**e, "premises": list(e["premises"].values())}
                      for e in by_statement.values()]
                for key, by_statement in found.items()}

    def _evidence(self, graphs: set) -> dict[ox.NamedNode, Evidence]:
        named = sorted((g for g in graphs if isinstance(g, ox.NamedNode)), key=str)
        if not named:
            return {}
        text = EVIDENCE_QUERY % {"ontology": self.vocabulary.ontology,
                                 "graphs": " ".join(str(g) for g in named)}
        found = {}
        for row in self.store.query(text):
            found.setdefault(row["graph"], row)
        return {graph: Evidence(
            segment=Node("", iri=row["segment"].value), pieces=[(row["text"].value, False)],
            source=Node("", iri=row["source"].value),
            publisher=Node("", iri=row["publisher"].value) if row["publisher"] else None,
            issued=row["issued"].value if row["issued"] else "",
            speaker=Node("", iri=row["speaker"].value) if row["speaker"] else None,
            anchor=self._anchor(graph)) for graph, row in found.items()}

    def _fetch_labels(self, quads, explanations, evidence) -> dict[str, dict[str, list]]:
        iris = {t.value for q in quads for t in (q.subject, q.predicate, q.object, q.graph_name)
                if isinstance(t, ox.NamedNode)}
        for rows in explanations.values():
            for e in rows:
                iris.add(e["rule"].value)
                for p in e["premises"]:
                    iris |= {t.value for t in (*p["triple"], *p["origins"], p["rule"])
                             if isinstance(t, ox.NamedNode)}
        for e in evidence.values():
            iris |= {n.iri for n in (e.segment, e.source, e.publisher, e.speaker) if n}
        labels: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
        if not iris:
            return labels
        text = LABEL_QUERY % (" ".join(f"<{i}>" for i in sorted(iris)),
                              " ".join(f"<{p}>" for p in NAMES))
        for store in self.sources.stores:
            for row in store.query(text):
                labels[row["resource"].value][row["property"].value].append(row["label"])
        return labels

    # Labels

    def _label_of(self, iri: str) -> str | None:
        """The resource's label in English (or without a language), by LABELS preference."""
        by_property = self._labels.get(iri, {})
        for prop in LABELS:
            literals = sorted(by_property.get(prop, []), key=lambda lit: (
                (lit.language or "en") != "en", lit.value))
            if literals:
                return literals[0].value
        return None

    def _fallback(self, iri: str) -> str:
        """A prefixed name (dko:State) or, failing that, the IRI itself."""
        for prefix, namespace in self.prefixes:
            if iri.startswith(namespace) and len(iri) > len(namespace):
                return f"{prefix}:{iri[len(namespace):]}"
        return iri

    def _predicate_label(self, iri: str) -> str:
        """Our properties' labels; other vocabularies' local names in words (wasDerivedFrom ->
        was derived from), as they are not loaded here."""
        label = self._label_of(iri)
        if label:
            return label
        local = re.split(r"[#/]", iri)[-1]
        return re.sub(r"(?<=[a-z])(?=[A-Z])", " ", local).lower() or iri

    def _statement_label(self, about: list[ox.Quad]) -> str | None:
        """`subject predicate object` for an rdf:Statement (the explanations' statements)."""
        parts = {q.predicate.value: q.object for q in about}
        terms = [parts.get(str(p)) for p in (RDF.subject, RDF.predicate, RDF.object)]
        if any(t is None for t in terms):
            return None
        subject, predicate, obj = terms
        return (f"{self._term_text(subject)} {self._predicate_label(predicate.value)} "
                f"{self._term_text(obj)}")

    def _term_text(self, term) -> str:
        if isinstance(term, ox.NamedNode):
            return self._label_of(term.value) or self._fallback(term.value)
        if isinstance(term, ox.Literal):
            return term.value
        return "[]"

    # Nodes and rows

    def _node(self, term, blank: dict, predicate: bool = False) -> Node:
        if isinstance(term, ox.NamedNode):
            text = self._predicate_label(term.value) if predicate else (
                self._label_of(term.value) or self._fallback(term.value))
            return Node(text, self.href(term.value), term.value, self._fallback(term.value))
        if isinstance(term, ox.Literal):
            note = f"@{term.language}" if term.language else (
                "" if term.datatype.value.endswith("#string") else self._fallback(
                    term.datatype.value))
            return Node(term.value, note=note)
        return self._blank(term, blank, set())

    def _blank(self, term, blank: dict, seen: set) -> Node:
        """A blank node as its statements, or as the members of the RDF list it starts."""
        if term in seen:
            return Node("[…]")
        seen = seen | {term}
        items = _list_items(term, blank)
        if items is not None:
            return Node("list", items=[self._node(i, blank) if not isinstance(i, ox.BlankNode)
                                       else self._blank(i, blank, seen) for i in items])
        parts = []
        for quad in blank.get(term, []):
            value = self._blank(quad.object, blank, seen) if isinstance(
                quad.object, ox.BlankNode) else self._node(quad.object, blank)
            parts.append((self._node(quad.predicate, blank, True), value))
        return Node("[]", parts=parts)

    def _rows(self, quads, key, other, blank, explanations, evidence) -> list[Row]:
        inferred_graph = ox.NamedNode(str(self.vocabulary.inferred_graph))
        grouped: dict = defaultdict(lambda: defaultdict(list))
        for q in quads:
            grouped[key(q)][other(q)].append(q.graph_name)
        rows = []
        for predicate in sorted(grouped, key=lambda p: (p.value != str(RDF.type),
                                                        self._predicate_label(p.value))):
            values = []
            for term, graphs in grouped[predicate].items():
                because = [self._explanation(e, blank, evidence)
                           for e in explanations.get((predicate.value, str(term)), [])]
                values.append(Value(self._node(term, blank), inferred_graph in graphs,
                                    [self._source(g, evidence) for g in sorted(set(graphs),
                                                                               key=str)],
                                    because))
            values.sort(key=lambda v: (v.node.text.lower(), v.node.iri or ""))
            rows.append(Row(self._node(predicate, blank, True), values))
        return rows

    def _term_facts(self, about, pointing, blank) -> list[tuple[str, list[Node]]]:
        facts = []
        for heading, predicate, inverse in TERM_FACTS:
            if inverse:
                terms = {q.subject for q in pointing if q.predicate.value == predicate}
            else:
                terms = {q.object for q in about if q.predicate.value == predicate}
            nodes = sorted((self._node(t, blank) for t in terms if not isinstance(
                t, ox.BlankNode)), key=lambda n: n.text.lower())
            if nodes and (heading != "Instances" or self._is_class(about)):
                facts.append((heading, nodes))
        return facts

    def _is_class(self, about) -> bool:
        return any(q.predicate.value == str(RDF.type) and q.object.value in (
            str(OWL.Class), str(RDFS.Class)) for q in about)

    def _source(self, graph, evidence) -> Node:
        """A graph as a short reference: to the sentence it came from when there is one."""
        if graph in evidence:
            return Node(self._cite(evidence[graph]), "#" + evidence[graph].anchor, graph.value)
        if graph == ox.NamedNode(str(self.vocabulary.inferred_graph)):
            return Node("inferred", self.href(graph.value), graph.value)
        return Node(self._fallback(graph.value).split(":", 1)[-1], self.href(graph.value),
                    graph.value)

    def _explanation(self, found: dict, blank, evidence) -> Explanation:
        premises = []
        for p in found["premises"]:
            s, pr, o = p["triple"]
            origins = []
            for origin in p["origins"]:
                if origin in evidence:
                    segment = evidence[origin].segment.iri
                    origins.append(Node(self._cite(evidence[origin]), self.href(segment), segment))
                else:
                    origins.append(self._source(origin, evidence))
            premises.append(Premise(
                self._node(s, blank), self._node(pr, blank, True), self._node(o, blank),
                origins, self._node(p["rule"], blank) if p["rule"] else None,
                self._node(p["statement"], blank)))
        definition = found["definition"].value if found["definition"] else ""
        return Explanation(self._node(found["rule"], blank), definition, premises)

    def _cite(self, evidence: Evidence) -> str:
        """How a value cites its sentence: `sentence 8`, with its source (`sentence 8 of ANI
        2025-12-02`) when the page cites several sources."""
        name = _segment_name(evidence.segment.iri)
        if not self._several_sources:
            return name
        publisher = evidence.publisher.iri if evidence.publisher else evidence.source.iri
        source = self._label_of(publisher) or self._fallback(publisher)
        return f"{name} of {source} {evidence.issued}".strip()

    def _anchor(self, graph) -> str:
        local = graph.value.removeprefix(str(self.vocabulary.graph))
        return "evidence-" + re.sub(r"[^A-Za-z0-9]+", "-", local).strip("-")

    def _marked(self, evidence: Evidence, iri: str) -> Evidence:
        """Label the evidence's links, and mark the resource's names in the sentence."""
        for node in (evidence.segment, evidence.source, evidence.publisher, evidence.speaker):
            if node:
                node.text = self._label_of(node.iri) or self._fallback(node.iri)
                node.href = self.href(node.iri)
        names = [lit.value for prop in NAMES for lit in self._labels.get(iri, {}).get(prop, [])]
        evidence.pieces = mark(evidence.pieces[0][0], names)
        return evidence


def mark(text: str, names: Iterable[str]) -> list[tuple[str, bool]]:
    """The text in pieces, each (piece, True) where one of the names occurs (ignoring case).

    The data ties statements to whole sentences, not to phrases, so the phrase marked is where
    the resource is named in the sentence.
    """
    names = sorted({n for n in names if n.strip()}, key=len, reverse=True)
    if not names:
        return [(text, False)]
    pattern = re.compile("|".join(re.escape(n) for n in names), re.IGNORECASE)
    pieces, at = [], 0
    for found in pattern.finditer(text):
        if found.start() > at:
            pieces.append((text[at:found.start()], False))
        pieces.append((found.group(), True))
        at = found.end()
    if at < len(text):
        pieces.append((text[at:], False))
    return pieces


def _blank_index(quads) -> dict:
    index = defaultdict(list)
    for q in quads:
        if isinstance(q.subject, ox.BlankNode) and q not in index[q.subject]:
            index[q.subject].append(q)
    return index


def _list_items(term, blank: dict) -> list | None:
    """The members of the RDF list starting at term, or None when term starts no list."""
    items, node, seen = [], term, set()
    while node != ox.NamedNode(str(RDF.nil)):
        if not isinstance(node, ox.BlankNode) or node in seen:
            return None
        seen.add(node)
        by_predicate = {q.predicate.value: q.object for q in blank.get(node, [])}
        if set(by_predicate) != {str(RDF.first), str(RDF.rest)}:
            return None
        items.append(by_predicate[str(RDF.first)])
        node = by_predicate[str(RDF.rest)]
    return items


def _segment_name(iri: str) -> str:
    """`…/sentence/8` -> `sentence 8`; `…/dateline` -> `dateline`: how a page cites a segment."""
    parts = iri.rstrip("/").split("/")
    return f"{parts[-2]} {parts[-1]}" if parts[-1].isdigit() else parts[-1]
