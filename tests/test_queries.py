"""The saved questions, answered by the engine that serves them over the real built release."""

from __future__ import annotations

from decimal import Decimal

import pyoxigraph as ox
import pytest
from rdflib.plugins.sparql.parser import parseQuery

from defence_kg.stores.embedded import QueryStore

DKG = "https://w3id.org/defence-kg/id/"
DKO = "https://w3id.org/defence-kg/ontology#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_SUBCLASS_OF = "http://www.w3.org/2000/01/rdf-schema#subClassOf"


@pytest.fixture(scope="module")
def store(release) -> QueryStore:
    return QueryStore.from_release(release)


def saved_queries(settings) -> list:
    return sorted(settings.queries_dir.rglob("*.rq"))


def ask(store: QueryStore, settings, name: str) -> list[dict[str, object]]:
    """Rows of a saved query as {variable: plain Python value}."""
    text = settings.vocabulary.rebase((settings.queries_dir / name).read_text(encoding="utf-8"))
    solutions = store.query(text)
    names = [v.value for v in solutions.variables]
    return [{n: _plain(row[n]) for n in names} for row in solutions]


def _plain(term):
    return None if term is None else term.value


def test_every_query_file_starts_with_a_question_and_parses(settings):
    files = saved_queries(settings)
    assert len(files) >= 15
    for path in files:
        text = path.read_text(encoding="utf-8")
        first = text.splitlines()[0]
        assert first.startswith("# ") and first.endswith("?"), path
        parseQuery(text)  # a second, independent SPARQL parser


def test_every_saved_query_runs_on_the_release(store, settings):
    for path in saved_queries(settings):
        store.query(settings.vocabulary.rebase(path.read_text(encoding="utf-8")))


def test_checks_find_nothing_in_the_release(store, settings):
    for path in sorted((settings.queries_dir / "checks").glob("*-violation.rq")):
        assert list(store.query(path.read_text(encoding="utf-8"))) == [], path.name


def test_platforms_under_talks_are_su57_and_s500(store, settings):
    rows = ask(store, settings, "platforms-under-talks.rq")
    assert {(r["platformLabel"], r["kindLabel"], r["status"]) for r in rows} == {
        ("Su-57", "fighter aircraft", "ongoing"),
        ("S-500", "missile defence system", "ongoing"),
    }


def test_the_s400_delivery_is_on_schedule_according_to_manturov(store, settings):
    rows = ask(store, settings, "delivery-on-schedule.rq")
    assert len(rows) == 1
    row = rows[0]
    assert row["delivery"] == DKG + "s-400-delivery"
    assert row["platformLabel"] == "S-400"
    assert row["saidBy"] == DKG + "denis-manturov"
    assert "on schedule" in row["sentenceText"]


def test_russias_share_is_over_30_percent_over_the_decade_to_the_report(store, settings):
    rows = ask(store, settings, "russia-procurement-share.rq")
    assert len(rows) == 1
    row = rows[0]
    assert Decimal(row["moreThanPercent"]) == 30  # a lower bound: "over 30%"
    assert (row["periodStart"], row["periodEnd"]) == ("2015-12-02", "2025-12-02")
    assert row["periodLength"] == "P10Y"
    assert row["saidByLabel"] == "ANI"  # the report's own voice, not a quote


def test_partnership_was_declared_in_2000_and_elevated_in_2010(store, settings):
    rows = ask(store, settings, "partnership-milestones.rq")
    assert [(r["kindLabel"], r["year"]) for r in rows] == [("declaration", "2000"),
                                                          ("elevation", "2010")]
    assert {r["partnershipLabel"] for r in rows} == {"Special and Privileged Strategic Partnership"}


def test_only_the_2010_elevation_comes_after_2005(store, settings):
    rows = ask(store, settings, "milestones-after-2005.rq")
    assert [(r["milestone"], r["year"]) for r in rows] == [
        (DKG + "india-russia-partnership-elevation-2010", "2010")]


def test_modes_and_domains_of_the_cooperation(store, settings):
    rows = ask(store, settings, "cooperation-modes-and-domains.rq")
    by_aspect: dict[str, set[str]] = {}
    for row in rows:
        by_aspect.setdefault(row["aspect"], set()).add(row["concept"].removeprefix(DKO))
    assert by_aspect == {
        "mode": {"joint-development", "co-production", "localisation", "joint-research",
                 "technology-sharing", "local-manufacturing", "innovative-financial-mechanisms",
                 "joint-capability-development"},
        "former mode": {"buyer-seller-supply"},
        "domain": {"political-domain", "security-domain", "trade-domain", "science-domain",
                   "cultural-domain"},
    }


def test_every_asserted_fact_has_its_sentence_source_publisher_and_date(store, settings):
    rows = ask(store, settings, "provenance-of-every-fact.rq")
    graphs = {r["graph"] for r in rows}
    # Every statement graph appears: eleven sentences and the dateline.
    assert len(graphs) == 12
    statement_quads = [q for q in store.quads() if isinstance(q.graph_name, ox.NamedNode)
                       and q.graph_name.value in graphs]
    assert len(rows) == len(statement_quads) > 100
    assert {(r["publisherLabel"], r["issued"]) for r in rows} == {("ANI", "2025-12-02")}
    share = [r for r in rows if r["predicate"] == DKO + "percentageExceeds"]
    assert [r["text"] for r in share] == [
        "Russia remains one of India\u2019s most significant defence partners, consistently "
        "accounting for over 30% of India\u2019s defence procurements over the past decade."]


def test_platforms_found_only_by_inference(store, settings):
    rows = ask(store, settings, "platforms-found-only-by-inference.rq")
    assert {r["label"] for r in rows} == {"S-400", "Su-57", "S-500"}


def test_russia_is_indias_partner_by_inference(store, settings):
    rows = ask(store, settings, "partners-of-india.rq")
    assert {r["partner"] for r in rows} == {DKG + "russia"}
    assert {r["partnership"] for r in rows} == {
        DKG + "india-russia-defence-cooperation",
        DKG + "india-russia-special-and-privileged-strategic-partnership"}


def test_why_s500_is_a_platform_chains_down_to_its_sentence(store, settings):
    rows = ask(store, settings, "why-is-a-fact-inferred.rq")
    assert {r["rule"] for r in rows} == {"cax-sco"}
    premises = {(r["premiseSubject"], r["premisePredicate"], r["premiseObject"]): r for r in rows}
    typed = premises[(DKG + "s-500", RDF_TYPE, DKO + "MissileDefenceSystem")]
    assert "S-500" in typed["sentence"]
    assert typed["premiseGraph"].endswith("/sentence-8")
    axiom = premises[(DKO + "MissileDefenceSystem", RDFS_SUBCLASS_OF, DKO + "MilitaryPlatform")]
    assert axiom["premiseGraph"].endswith("/graph/ontology")
