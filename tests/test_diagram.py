"""The neighbourhood diagram on resource pages: every link of the data drawn, inferred ones apart,
each edge leading to the sentence that supports it; and fifty neighbours laid out readably."""

from __future__ import annotations

import re
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET

import pyoxigraph as ox
import pytest

from defence_kg.release import VOID_FILE, release_nquads, void_graph
from defence_kg.stores.embedded import QueryStore
from defence_kg.web.diagram import MAX_SHOWN, neighbourhood
from defence_kg.web.presentation import Node, Page, Row, Value

SVG = "{http://www.w3.org/2000/svg}"
# Every statement linking the resource to another IRI, and the graphs holding it.
LINKS = """SELECT ?s ?p ?o ?g WHERE {
  { GRAPH ?g { <%(iri)s> ?p ?o } BIND(<%(iri)s> AS ?s) FILTER(isIRI(?o)) }
  UNION { GRAPH ?g { ?s ?p <%(iri)s> } BIND(<%(iri)s> AS ?o) FILTER(isIRI(?s)) }
  FILTER(?g != <%(explanations)s>) }"""
SUPPORTS = """PREFIX prov: <http://www.w3.org/ns/prov#>
ASK { GRAPH ?g { <%s> <%s> <%s> } ?g prov:wasDerivedFrom <%s> }"""
RESOURCES = ["id/s-400", "id/india", "id/s-400-delivery", "id/india-russia-defence-cooperation"]


@pytest.fixture(scope="module")
def store(release):
    """The data and, as the pages show it, the release's VoID description in its own graph."""
    store = ox.Store()
    store.bulk_load(path=str(release_nquads(release.release_dir)), format=ox.RdfFormat.N_QUADS)
    store.bulk_load(path=str(release.release_dir / "dumps" / VOID_FILE),
                    format=ox.RdfFormat.TURTLE, to_graph=void_graph(release.base_uri))
    return QueryStore(store, release)


def diagram_of(server: str, path: str) -> tuple[ET.Element, str]:
    request = urllib.request.Request(f"{server}/doc/{path}", headers={"Accept": "text/html"})
    with urllib.request.urlopen(request, timeout=30) as response:
        page = response.read().decode()
    found = re.search(r"<svg .*?</svg>", page, re.S)
    assert found, f"{path} has no diagram"
    return ET.fromstring(found.group()), f"{server}/doc/{path}"


@pytest.mark.parametrize("path", RESOURCES)
def test_the_diagram_draws_each_link_inferred_ones_apart(live_server, release, store, path):
    svg, page_url = diagram_of(live_server, path)
    iri = release.base_uri + path
    inferred_graph = str(release.vocabulary.inferred_graph)
    graphs: dict[tuple[str, str, str], set[str]] = {}
    for row in store.query(LINKS % {"iri": iri,
                                    "explanations": release.vocabulary.explanations_graph}):
        key = (row["s"].value, row["p"].value, row["o"].value)
        graphs.setdefault(key, set()).add(row["g"].value)
    assert graphs
    edges = {(a.get("data-subject"), a.get("data-predicate"), a.get("data-object")): a
             for a in svg.iter(f"{SVG}a") if a.get("class") == "edge"}
    drawn = set(edges)
    assert drawn <= set(graphs), drawn - set(graphs)
    by_group: dict[tuple[str, bool], list] = {}
    for statement in graphs:
        by_group.setdefault((statement[1], statement[0] == iri), []).append(statement)
    for statements in by_group.values():
        shown = [s for s in statements if s in drawn]
        assert len(shown) == len(statements) or len(shown) >= MAX_SHOWN
    for statement, edge in edges.items():
        only_inferred = graphs[statement] == {inferred_graph}
        group = next(g for g in svg.iter(f"{SVG}g") if edge in list(g))
        assert ("inferred" in group.get("class").split()) == only_inferred, statement
        target = urllib.parse.urljoin(page_url, edge.get("href"))
        if only_inferred:
            assert urllib.parse.urldefrag(target).url == page_url  # the reasons on the page
            continue
        segment = release.base_uri + urllib.parse.urlsplit(target).path.lstrip("/")
        derived = [g for g in graphs[statement] if g != inferred_graph]
        if bool(store.query(
                "PREFIX prov: <http://www.w3.org/ns/prov#>\n"
                f"ASK {{ VALUES ?g {{ {' '.join(f'<{g}>' for g in derived)} }} "
                "?g prov:wasDerivedFrom [] }")):
            assert bool(store.query(SUPPORTS % (*statement, segment))), (statement, target)
        else:  # a graph with no sentence (the links): the edge opens the graph's page
            assert segment in derived, (statement, target)


def test_each_node_opens_the_page_of_its_resource(live_server, release):
    svg, page_url = diagram_of(live_server, "id/s-400")
    nodes = [a for a in svg.iter(f"{SVG}a") if a.find(f"{SVG}rect") is not None]
    assert nodes
    local = [urllib.parse.urljoin(page_url, a.get("href")) for a in nodes
             if not a.get("href").startswith("http")]
    assert f"{live_server}/id/s-400-delivery" in local
    for url in local:
        with urllib.request.urlopen(urllib.request.Request(
                url, headers={"Accept": "text/html"}), timeout=30) as response:
            assert response.status == 200, url


def fifty_neighbours() -> Page:
    def value(n: int, inferred: bool = False) -> Value:
        return Value(Node(f"Neighbour number {n} with a rather long label", f"n{n}",
                          f"urn:n{n}"), inferred, [Node("sentence 1", "#evidence-1", "urn:g")])

    def row(name: str, values: list[Value]) -> Row:
        return Row(Node(name, f"#{name}", f"urn:{name}"), values)

    return Page(iri="urn:centre", label="A resource with fifty neighbours",
                asserted_types=[value(0)], inferred_types=[value(1, True)],
                properties=[row("partner", [value(n) for n in range(2, 32)]),
                            row("supplies", [value(n) for n in range(32, 38)])],
                inverse=[row("concerns", [value(n) for n in range(38, 46)]),
                         row("delivers", [value(n, n % 2 == 0) for n in range(46, 52)])],
                term_facts=[], evidence=[], external=[], contents=[])


@pytest.mark.parametrize("narrow", [False, True], ids=["wide", "narrow"])
def test_fifty_neighbours_make_labelled_groups_not_a_hairball(narrow):
    diagram = neighbourhood(fifty_neighbours(), narrow=narrow)
    boxes = [diagram.centre] + [b for g in diagram.groups for b in (
        g.label, *g.nodes, *([g.more] if g.more else []))]
    for box in boxes:
        assert box.x >= 0 and box.x + box.width <= diagram.width, box
        assert box.y >= 0 and box.y + box.height <= diagram.height, box
        assert len(box.text) * 7.2 + 8 <= box.width or box is diagram.centre, box.text
    for a, b in ((a, b) for i, a in enumerate(boxes) for b in boxes[i + 1:]):
        apart = (a.x + a.width <= b.x or b.x + b.width <= a.x or
                 a.y + a.height <= b.y or b.y + b.height <= a.y)
        assert apart, (a.text, b.text)
    assert all(len(g.nodes) <= MAX_SHOWN for g in diagram.groups)
    more = [g.more for g in diagram.groups if g.more]
    assert sorted(m.text for m in more) == ["+ 2 more: see the table", "+ 24 more: see the table"]
    # A screen or so (two on a phone), whatever the number of neighbours.
    assert diagram.height <= (2000 if narrow else 1000)
    assert len(diagram.groups) == 7  # types, inferred types, 2 out, 2 in, 1 inferred in
