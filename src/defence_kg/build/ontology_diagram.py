"""The ontology as two diagrams for its page, laid out here and drawn as SVG by the template
(web/templates/ontology_diagram.html): the class hierarchy as an indented tree, and each
property as an arrow from its domain to its range, grouped by domain. Terms reused from other
vocabularies (PROV-O, schema.org, OWL-Time, ...) are marked with their prefix and a dashed
border; ours link to their section of the page."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS, XSD

ROW, GAP, INDENT, MARGIN = 30, 6, 26, 12
BOX_WIDTH = 250
CHAR_WIDTH = 7.2
ARROW_WIDTH = 260  # the property's label sits on the arrow


@dataclass
class Term:
    x: float
    y: float
    text: str
    href: str
    reused: bool  # from another vocabulary
    literal: bool = False  # a datatype (xsd:decimal), as a property's range
    width: float = BOX_WIDTH
    height: float = ROW - GAP


@dataclass
class Line:
    path: str
    label: str = ""
    href: str = ""
    x: float = 0
    y: float = 0


@dataclass
class Picture:
    width: float
    height: float
    terms: list[Term] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)


@dataclass
class OntologyDiagram:
    hierarchy: Picture
    properties: Picture
    reused: list[str]  # the prefixes of the vocabularies reused


def ontology_diagram(ontology: Graph, namespace: str, label: Callable[[URIRef], str | None],
                     href: Callable[[URIRef], str], prefixed: Callable[[str], str]
                     ) -> OntologyDiagram:
    """The diagrams of the ontology graph; `namespace` is ours, `label`, `href` and `prefixed`
    say how a term is named and linked on the page."""
    def name(term: URIRef) -> str:
        own = str(term).startswith(namespace)
        return (label(term) or prefixed(str(term))) if own else prefixed(str(term))

    def box(term: URIRef, x: float, y: float, width: float = BOX_WIDTH) -> Term:
        return Term(x, y, _fit(name(term), width), href(term), not str(term).startswith(
            namespace), str(term).startswith(str(XSD)) or term == RDFS.Literal, width)

    hierarchy = _hierarchy(ontology, namespace, name, box)
    properties = _properties(ontology, namespace, name, box)
    reused = sorted({prefixed(t.href).split(":")[0] for p in (hierarchy, properties)
                     for t in p.terms if t.reused and ":" in prefixed(t.href)})
    return OntologyDiagram(hierarchy, properties, reused)


def _hierarchy(ontology: Graph, namespace: str, name, box) -> Picture:
    classes = {c for t in (OWL.Class, RDFS.Class) for c in ontology.subjects(RDF.type, t)
               if isinstance(c, URIRef) and str(c).startswith(namespace)}
    parents: dict[URIRef, set[URIRef]] = defaultdict(set)
    for child, parent in ontology.subject_objects(RDFS.subClassOf):
        if child in classes and isinstance(parent, URIRef):
            parents[child].add(parent)
    children: dict[URIRef, list[URIRef]] = defaultdict(list)
    for child, above in parents.items():
        for parent in above:
            children[parent].append(child)
    every = classes | {p for above in parents.values() for p in above}
    roots = sorted((c for c in every if not parents.get(c)), key=lambda c: name(c).casefold())
    picture, placed = Picture(0, 0), set()

    def place(term: URIRef, depth: int, parent_box: Term | None) -> None:
        y = MARGIN + len(picture.terms) * ROW
        node = box(term, MARGIN + depth * INDENT, y)
        if term in placed:  # a second parent: shown again, its subclasses once, above
            node.text = _fit(f"{name(term)} ↑", BOX_WIDTH)
        picture.terms.append(node)
        if parent_box is not None:
            x = parent_box.x + 10
            picture.lines.append(Line(f"M{x},{parent_box.y + parent_box.height} V{y + node.height / 2}"
                                      f" H{node.x}"))
        if term in placed:
            return
        placed.add(term)
        for child in sorted(children.get(term, []), key=lambda c: name(c).casefold()):
            place(child, depth + 1, node)

    for root in roots:
        place(root, 0, None)
    depth = max((t.x for t in picture.terms), default=0)
    picture.width = depth + BOX_WIDTH + MARGIN
    picture.height = MARGIN * 2 + len(picture.terms) * ROW
    return picture


def _properties(ontology: Graph, namespace: str, name, box) -> Picture:
    """One arrow per property, domain -> range; the domain drawn once for its group."""
    kinds = (OWL.ObjectProperty, OWL.DatatypeProperty)
    props = sorted({p for k in kinds for p in ontology.subjects(RDF.type, k)
                    if isinstance(p, URIRef) and str(p).startswith(namespace)},
                   key=lambda p: name(p).casefold())
    by_domain: dict[URIRef, list[tuple[URIRef, URIRef]]] = defaultdict(list)
    for prop in props:
        domain = ontology.value(prop, RDFS.domain)
        range_ = ontology.value(prop, RDFS.range)
        by_domain[domain if isinstance(domain, URIRef) else OWL.Thing].append(
            (prop, range_ if isinstance(range_, URIRef) else OWL.Thing))
    picture = Picture(MARGIN * 2 + 2 * BOX_WIDTH + ARROW_WIDTH, 0)
    y = MARGIN
    for domain in sorted(by_domain, key=lambda d: name(d).casefold()):
        rows = by_domain[domain]
        domain_box = box(domain, MARGIN, y)
        domain_box.height = len(rows) * ROW - GAP
        picture.terms.append(domain_box)
        for prop, range_ in rows:
            middle = y + (ROW - GAP) / 2
            start, end = MARGIN + BOX_WIDTH, MARGIN + BOX_WIDTH + ARROW_WIDTH
            picture.lines.append(Line(f"M{start},{middle} H{end - 4}",
                                      _fit(name(prop), ARROW_WIDTH - 10),
                                      box(prop, 0, 0).href, start + 8, middle - 4))
            picture.terms.append(box(range_, end, y))
            y += ROW
        y += GAP * 2
    picture.height = y + MARGIN
    return picture


def _fit(text: str, width: float) -> str:
    room = int((width - 14) / CHAR_WIDTH)
    return text if len(text) <= room else text[: room - 1].rstrip() + "…"
