"""/timeline over real HTTP: every dated statement of the data on it, each with the sentences
that support it, the undated activities at their reports' dates, and the filters; expectations
come from the release's N-Quads dump read with rdflib, not from the code under test."""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.parse
import urllib.request

import pytest
from conftest import running_server
from rdflib import Dataset, Literal, URIRef
from rdflib.namespace import PROV, RDF

from defence_kg.build import build, publish
from defence_kg.namespaces import NIF, SCHEMA
from defence_kg.release import release_nquads
from defence_kg.settings import Settings

DATE_TYPES = {URIRef("http://www.w3.org/2001/XMLSchema#" + name)
              for name in ("date", "dateTime", "dateTimeStamp", "gYear", "gYearMonth")}
TIME = "http://www.w3.org/2006/time#"


@pytest.fixture(scope="module")
def data(release) -> Dataset:
    dataset = Dataset(default_union=True)
    dataset.parse(release_nquads(release.release_dir), format="nquads")
    return dataset


def get(url: str, accept: str = "application/json"):
    request = urllib.request.Request(url, headers={"Accept": accept})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def entries(server: str, **filters) -> list[dict]:
    status, headers, body = get(f"{server}/timeline?" + urllib.parse.urlencode(filters))
    assert (status, headers.get_content_type()) == (200, "application/json"), body[:300]
    return json.loads(body)["entries"]


def data_graphs(data: Dataset, release) -> list:
    vocabulary = release.vocabulary
    excluded = {vocabulary.ontology_graph, *vocabulary.derived_graphs}
    return [g for g in data.graphs() if g.identifier not in excluded]


def test_every_dated_statement_is_on_the_timeline(live_server, release, data):
    shown = entries(live_server)
    assert shown
    temporal = {s for s, o in data.subject_objects(RDF.type) if str(o).startswith(TIME)}
    dated = [(s, p, o) for g in data_graphs(data, release) for s, p, o in g
             if isinstance(o, Literal) and o.datatype in DATE_TYPES and isinstance(s, URIRef)]
    assert dated
    for s, p, o in dated:
        if s in temporal:  # an instant: it dates what holds it, with the path as the role
            holders = [e for e in shown if e["date"] == str(o) and e["role"]
                       and e["role"][-1]["iri"] == str(p)]
            assert holders, (s, p, o)
            assert all(URIRef(e["thing"]["iri"]) not in temporal for e in holders)
        else:
            assert any(e["thing"]["iri"] == str(s) and e["date"] == str(o)
                       and [r["iri"] for r in e["role"]] == [str(p)] for e in shown), (s, p, o)
    assert [e["date"][:10].ljust(10, "-") for e in shown] == sorted(
        e["date"][:10].ljust(10, "-") for e in shown)


def test_every_report_and_every_activity_is_on_the_timeline(live_server, data):
    shown = {e["thing"]["iri"] for e in entries(live_server)}
    sources = set(data.subjects(RDF.type, NIF.Context))
    assert sources and {str(s) for s in sources} <= shown
    activities = {s for kind in (PROV.Activity, SCHEMA.Event) for s in data.subjects(RDF.type, kind)
                  if isinstance(s, URIRef)}
    assert activities and {str(a) for a in activities} <= shown


def test_each_entry_cites_the_sentences_that_support_it(live_server, data):
    for entry in entries(live_server):
        assert entry["sources"], entry
        thing = URIRef(entry["thing"]["iri"])
        for source in entry["sources"]:
            segment = URIRef(source["sentence"]["iri"])
            assert (segment, NIF.referenceContext, URIRef(source["source"]["iri"])) in data
            graphs = set(data.subjects(PROV.wasDerivedFrom, segment))
            assert graphs, segment
            # The graph derived from that sentence says something of the thing or its time.
            assert any((thing, None, None) in data.graph(g) or (None, None, thing) in
                       data.graph(g) or entry["role"] for g in graphs), (entry, segment)
            status, _, _ = get(source["sentence"]["page"], "text/html")
            assert status == 200


def test_filters_keep_what_is_linked_to_the_choice(live_server, release, data):
    everything = entries(live_server)
    platforms = sorted({str(s) for s in data.subjects(RDF.type, URIRef(
        release.vocabulary.ontology + "AirDefenceSystem"))} | {
        str(s) for s in data.subjects(RDF.type, URIRef(
            release.vocabulary.ontology + "MilitaryPlatform"))})
    assert platforms
    for platform in platforms:
        chosen = entries(live_server, platform=platform)
        assert chosen and all(e in everything for e in chosen)
        node = URIRef(platform)
        linked = {str(s) for s, _, _ in data.triples((None, None, node))} | {
            str(o) for _, _, o in data.triples((node, None, None))}
        for entry in everything:  # what links to the platform directly is always kept
            if entry["thing"]["iri"] in linked:
                assert entry in chosen, (platform, entry["thing"])
        mentioning = {str(c) for g in data.graphs() if (node, None, None) in g
                      for seg in data.objects(g.identifier, PROV.wasDerivedFrom)
                      for c in data.objects(seg, NIF.referenceContext)}
        assert mentioning <= {e["thing"]["iri"] for e in chosen}  # the reports naming it
    assert len({json.dumps(entries(live_server, platform=p)) for p in platforms}) > 1
    about = entries(live_server, about=platforms[0])
    assert about == entries(live_server, platform=platforms[0])


def test_the_page_lists_the_same_entries_without_javascript(live_server):
    shown = entries(live_server)
    status, headers, body = get(f"{live_server}/timeline", "text/html")
    assert (status, headers.get_content_type()) == (200, "text/html")
    page = body.decode()
    dates = re.findall(r'<time datetime="([^"]+)">', page)
    assert dates == [e["date"] for e in shown]
    assert '<select id="partner" name="partner">' in page
    assert '<select id="platform" name="platform">' in page
    assert page.count("<circle ") == len(shown)


@pytest.mark.parametrize("query", ["platform=nothing", "partner=urn:x", "about=not%20an%20iri",
                                   "about=https://w3id.org/defence-kg/id/atlantis"])
def test_unknown_choices_are_a_400(live_server, query):
    status, _, body = get(f"{live_server}/timeline?{query}")
    assert status == 400, body


LATER = """@prefix dkg: <https://w3id.org/defence-kg/id/> .
@prefix dko: <https://w3id.org/defence-kg/ontology#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<https://w3id.org/defence-kg/graph/test/sentence-7-again> {
    dkg:s-400-delivery dko:expectedBy "2031"^^xsd:gYear .
    dkg:test-contract a dko:Contract ; rdfs:label "a contract, for a test"@en ;
        dko:signedOn "2018-10"^^xsd:gYearMonth ; dko:party dkg:india, dkg:russia . }
<https://w3id.org/defence-kg/graph/sources/test> {
    <https://w3id.org/defence-kg/graph/test/sentence-7-again> a dko:StatementGraph ;
        rdfs:label "What sentence 7 says again, for a test"@en ;
        prov:wasDerivedFrom <https://w3id.org/defence-kg/id/source/ani-2025-12-02/sentence/7> . }
"""


@pytest.fixture(scope="module")
def later_server(tmp_path_factory):
    """A server over the data plus facts in terms the ontology has but the data does not use
    yet (a contract's signing, a delivery's expected year), as a new report would bring."""
    directory = tmp_path_factory.mktemp("later")
    extra = directory / "later.trig"
    extra.write_text(LATER, encoding="utf-8")
    settings = Settings.from_env({}, output_dir=directory / "build")
    publish(build(settings, [extra]), settings)
    with running_server(settings) as url:
        yield url


def test_new_dated_terms_appear_without_code_changes(later_server, release):
    shown = {(e["thing"]["iri"], e["date"]): e for e in entries(later_server)}
    contract = shown[(f"{release.base_uri}id/test-contract", "2018-10")]
    assert [r["label"] for r in contract["role"]] == ["signed on"]
    assert contract["datatype"] == "gYearMonth"
    assert [s["sentence"]["iri"] for s in contract["sources"]] == [
        f"{release.base_uri}id/source/ani-2025-12-02/sentence/7"]
    expected = shown[(f"{release.base_uri}id/s-400-delivery", "2031")]
    assert not expected["reported"]  # a date of its own now: no longer at the report's date
    india = entries(later_server, partner=f"{release.base_uri}id/india")
    assert f"{release.base_uri}id/test-contract" in {e["thing"]["iri"] for e in india}
