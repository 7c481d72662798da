"""The saved questions, answered by the engine that serves them over the real built release;
what each should answer is computed from data/ (and the ontology), whatever sources it holds."""

from __future__ import annotations

import re
import urllib.parse
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

import pyoxigraph as ox
import pytest
from corpus import ANI
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, TIME, XSD
from rdflib.plugins.sparql.parser import parseQuery

from defence_kg.build.load import ONTOLOGY_FILE
from defence_kg.stores.embedded import QueryStore

DKG = "https://w3id.org/defence-kg/id/"
DKO = "https://w3id.org/defence-kg/ontology#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_SUBCLASS_OF = "http://www.w3.org/2000/01/rdf-schema#subClassOf"
NOT_PARTIES = {RDF.type, TIME.hasTime, URIRef(DKO + "measuredBy")}  # what a claim points to
GUNICORN_REQUEST_LINE = 4094  # gunicorn's default limit_request_line, in bytes
DATE_PARAMETER = re.compile(r'VALUES \?date \{ "(\d{4}-\d{2}-\d{2})"\^\^xsd:date \}')

# Its assertions depend on data/: tests/test_many_sources.py runs it again with a second source.
pytestmark = pytest.mark.data


@pytest.fixture(scope="module")
def store(release) -> QueryStore:
    return QueryStore.from_release(release)


@pytest.fixture(scope="module")
def ontology(settings) -> Graph:
    return Graph().parse(settings.ontology_dir / ONTOLOGY_FILE)


def saved_queries(settings) -> list:
    return sorted(settings.queries_dir.rglob("*.rq"))


def ask(store: QueryStore, settings, name: str, text: str | None = None) -> list[dict]:
    """Rows of a saved query (or of its edited text) as {variable: plain Python value}."""
    if text is None:
        text = (settings.queries_dir / name).read_text(encoding="utf-8")
    solutions = store.query(settings.vocabulary.rebase(text))
    names = [v.value for v in solutions.variables]
    return [{n: _plain(row[n]) for n in names} for row in solutions]


def _plain(term):
    """An IRI as a URIRef, a literal as the value rdflib reads it as, so that rows compare
    with what rdflib reads from data/ (30.0 and 30 are one decimal)."""
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        return Literal(term.value, datatype=term.datatype.value).toPython()
    return term.value


def value(term):
    """A term of data/ as _plain() shows the same term of a query's answer."""
    return term.toPython() if isinstance(term, Literal) and not term.language else term


def subclasses(ontology: Graph, cls: URIRef) -> set[URIRef]:
    return set(ontology.transitive_subjects(RDFS.subClassOf, cls)) - {cls}


def test_every_query_file_starts_with_a_question_and_parses(settings):
    files = saved_queries(settings)
    assert len(files) >= 15
    for path in files:
        text = path.read_text(encoding="utf-8")
        first = text.splitlines()[0]
        assert first.startswith("# ") and first.endswith("?"), path
        parseQuery(text)  # a second, independent SPARQL parser


def test_every_saved_query_fits_in_a_link(settings):
    # The home page links each saved query as a GET; gunicorn refuses longer request lines (414).
    for path in settings.queries_dir.glob("*.rq"):
        link = "/sparql?" + urllib.parse.urlencode({"query": path.read_text(encoding="utf-8")})
        assert len(f"GET {link} HTTP/1.1") <= GUNICORN_REQUEST_LINE, path.name


def test_every_saved_query_runs_on_the_release(store, settings):
    for path in saved_queries(settings):
        store.query(settings.vocabulary.rebase(path.read_text(encoding="utf-8")))


def test_checks_find_nothing_in_the_release(store, settings):
    for path in sorted((settings.queries_dir / "checks").glob("*-violation.rq")):
        assert list(store.query(path.read_text(encoding="utf-8"))) == [], path.name


# --- the questions of the first report, asked of the data as a whole -----------------------

def test_platforms_under_talks(store, settings, corpus):
    rows = ask(store, settings, "platforms-under-talks.rq")
    data = corpus.statements
    expected = {(talks, platform) for talks in data.subjects(RDF.type, URIRef(DKO + "Talks"))
                for platform in data.objects(talks, URIRef(DKO + "concernsPlatform"))
                if data.value(talks, URIRef(DKO + "hasStatus")) is not None}
    assert {(r["talks"], r["platform"]) for r in rows} == expected
    corpus.report(ANI)
    assert {(str(r["platformLabel"]), str(r["kindLabel"]), str(r["status"])) for r in rows} >= {
        ("Su-57", "fighter aircraft", "ongoing"),
        ("S-500", "missile defence system", "ongoing"),
    }


def test_deliveries_on_schedule_and_who_said_so(store, settings, corpus):
    rows = ask(store, settings, "delivery-on-schedule.rq")
    on_schedule = (None, URIRef(DKO + "hasStatus"), URIRef(DKO + "on-schedule"))
    expected = {(s, corpus.segment_of[g]) for s, _, _, g in corpus.statements.quads(on_schedule)}
    assert {(r["delivery"], r["sentence"]) for r in rows} == expected
    corpus.report(ANI)
    (manturov,) = [r for r in rows if r["saidBy"] == URIRef(DKG + "denis-manturov")]
    assert manturov["delivery"] == URIRef(DKG + "s-400-delivery")
    assert str(manturov["platformLabel"]) == "S-400"
    assert "on schedule" in str(manturov["sentenceText"])


def test_the_first_reports_share_is_over_30_percent_over_the_decade_to_it(store, settings,
                                                                            corpus):
    corpus.report(ANI)
    rows = ask(store, settings, "russia-procurement-share.rq")
    (row,) = [r for r in rows if r["share"] == URIRef(DKG + "russia-share-of-india-defence-"
                                                            "procurement")]
    assert row["moreThanPercent"] == Decimal(30)  # a lower bound: "over 30%"
    assert (str(row["periodStart"]), str(row["periodEnd"])) == ("2015-12-02", "2025-12-02")
    assert row["periodLength"] == Literal("P10Y", datatype=XSD.duration).toPython()
    assert str(row["saidByLabel"]) == "ANI"  # the report's own voice, not a quote


def test_partnership_milestones(store, settings, corpus):
    rows = ask(store, settings, "partnership-milestones.rq")
    milestones = {m for m in corpus.statements.objects(None, URIRef(DKO + "hasDeclaration"))}
    milestones |= set(corpus.statements.objects(None, URIRef(DKO + "hasElevation")))
    assert {r["milestone"] for r in rows} == milestones
    corpus.report(ANI)
    assert {(str(r["kindLabel"]), str(r["year"])) for r in rows} >= {("declaration", "2000"),
                                                                   ("elevation", "2010")}


def test_milestones_after_2005(store, settings, corpus):
    rows = ask(store, settings, "milestones-after-2005.rq")
    dated = {(m, str(corpus.statements.value(m, URIRef("http://purl.org/dc/terms/date"))))
             for p in ("hasDeclaration", "hasElevation", "hasMilestone")
             for m in corpus.statements.objects(None, URIRef(DKO + p))}
    assert {(r["milestone"], str(r["year"])) for r in rows} == {
        (m, year) for m, year in dated if int(year[:4]) > 2005}
    corpus.report(ANI)
    assert (URIRef(DKG + "india-russia-partnership-elevation-2010"), "2010") in {
        (r["milestone"], str(r["year"])) for r in rows}


def test_modes_and_domains_of_the_cooperation(store, settings, corpus):
    rows = ask(store, settings, "cooperation-modes-and-domains.rq")
    by_aspect: dict[str, set[URIRef]] = defaultdict(set)
    for row in rows:
        by_aspect[str(row["aspect"])].add(row["concept"])
    data = corpus.statements
    cooperations = set(data.subjects(RDF.type, URIRef(DKO + "DefenceCooperation")))
    assert by_aspect == {
        "mode": {o for c in cooperations
                 for o in data.objects(c, URIRef(DKO + "hasCooperationMode"))},
        "former mode": {o for c in cooperations
                        for o in data.objects(c, URIRef(DKO + "formerCooperationMode"))},
        "domain": {o for c in cooperations
                   for partnership in data.objects(c, URIRef(DKO + "characterisedAs"))
                   for o in data.objects(partnership, URIRef(DKO + "spansDomain"))},
    }
    corpus.report(ANI)
    local = {aspect: {c.removeprefix(DKO) for c in concepts}
             for aspect, concepts in by_aspect.items()}
    assert local["mode"] >= {"joint-development", "co-production", "localisation",
                             "joint-research", "technology-sharing", "local-manufacturing",
                             "innovative-financial-mechanisms", "joint-capability-development"}
    assert local["former mode"] >= {"buyer-seller-supply"}
    assert local["domain"] >= {"political-domain", "security-domain", "trade-domain",
                               "science-domain", "cultural-domain"}


def test_every_asserted_fact_has_its_sentence_source_publisher_and_date(store, settings,
                                                                         corpus):
    rows = ask(store, settings, "provenance-of-every-fact.rq")
    graphs = corpus.graphs()
    assert {r["graph"] for r in rows} == set(graphs)
    assert len(rows) == sum(len(g) for g in graphs.values()) > 100
    assert {(str(r["publisherLabel"]), str(r["issued"])) for r in rows} == {
        (s.publisher_label, s.issued) for s in corpus.sources}
    corpus.report(ANI)
    share = [r for r in rows if r["predicate"] == URIRef(DKO + "percentageExceeds")
             and r["subject"] == URIRef(DKG + "russia-share-of-india-defence-procurement")]
    assert [str(r["text"]) for r in share] == [
        "Russia remains one of India\u2019s most significant defence partners, consistently "
        "accounting for over 30% of India\u2019s defence procurements over the past decade."]


def test_platforms_found_only_by_inference(store, settings, corpus, ontology):
    rows = ask(store, settings, "platforms-found-only-by-inference.rq")
    kinds = subclasses(ontology, URIRef(DKO + "MilitaryPlatform"))
    typed = {s for s, _, o in corpus.statements.triples((None, RDF.type, None)) if o in kinds}
    assert {r["platform"] for r in rows} == typed
    corpus.report(ANI)
    assert {str(r["label"]) for r in rows} >= {"S-400", "Su-57", "S-500"}


def test_partners_of_india_by_inference(store, settings, corpus):
    rows = ask(store, settings, "partners-of-india.rq")
    data, india = corpus.statements, URIRef(DKG + "india")
    pairs = [(data.value(p, URIRef(DKO + "firstPartner")),
              data.value(p, URIRef(DKO + "secondPartner")), p)
             for p in set(data.subjects(URIRef(DKO + "firstPartner"), None))]
    expected = {(b if a == india else a, p) for a, b, p in pairs if india in (a, b)}
    assert {(r["partner"], r["partnership"]) for r in rows} == expected
    corpus.report(ANI)
    assert {r["partner"] for r in rows} >= {URIRef(DKG + "russia")}


def test_why_s500_is_a_platform_chains_down_to_its_sentence(store, settings, corpus):
    corpus.report(ANI)
    rows = ask(store, settings, "why-is-a-fact-inferred.rq")
    assert {str(r["rule"]) for r in rows} == {"cax-sco"}
    premises = {(str(r["premiseSubject"]), str(r["premisePredicate"]),
                 str(r["premiseObject"])): r for r in rows}
    typed = premises[(DKG + "s-500", RDF_TYPE, DKO + "MissileDefenceSystem")]
    assert "S-500" in str(typed["sentence"])
    assert corpus.segment_of[typed["premiseGraph"]] in corpus.report(ANI).sentences
    axiom = premises[(DKO + "MissileDefenceSystem", RDFS_SUBCLASS_OF, DKO + "MilitaryPlatform")]
    assert axiom["premiseGraph"].endswith("/graph/ontology")


# --- many sources: facts several state, claims that differ, what was known when -------------

def facts_by_source(corpus) -> dict[tuple, dict]:
    """Each statement of data/ -> {source id: the segments of that source stating it}."""
    found: dict[tuple, dict] = defaultdict(lambda: defaultdict(set))
    for graph_name, graph in corpus.graphs().items():
        source = corpus.source_of[graph_name]
        for s, p, o in graph:
            found[(s, p, value(o))][source.id].add(corpus.segment_of[graph_name])
    return found


def test_facts_stated_by_several_sources_come_with_every_sentence(store, settings, corpus):
    rows = ask(store, settings, "facts-stated-by-several-sources.rq")
    expected = {(fact, segment) for fact, by_source in facts_by_source(corpus).items()
                if len(by_source) > 1 for segments in by_source.values() for segment in segments}
    assert {((r["subject"], r["predicate"], r["object"]), r["sentence"]) for r in rows} == expected
    for row in rows:
        assert row["sources"] == len(facts_by_source(corpus)[
            (row["subject"], row["predicate"], row["object"])])


def test_a_fact_in_several_graphs_is_one_triple_of_the_default_graph(store, corpus):
    several = [fact for fact, by_source in facts_by_source(corpus).items()
               if sum(len(segments) for segments in by_source.values()) > 1]
    assert several  # the first report alone states some facts in two sentences
    for s, p, o in several:
        term = o.n3() if isinstance(o, URIRef) else Literal(o).n3()
        (count,) = store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ <{s}> <{p}> {term} }}")
        assert count["n"].value == "1", (s, p, o)


def claims(corpus, ontology) -> dict[URIRef, dict]:
    """Every measured claim of data/: its kind, parties, figure, bound and period."""
    data = corpus.statements
    kinds = subclasses(ontology, URIRef(DKO + "MeasuredClaim"))
    found = {}
    for claim, _, kind in data.triples((None, RDF.type, None)):
        if kind not in kinds:
            continue
        period = data.value(claim, TIME.hasTime)
        bounds = [data.value(data.value(period, b), TIME.inXSDDate) for b in (TIME.hasBeginning,
                                                                              TIME.hasEnd)]
        found[claim] = {
            "measure": (kind, frozenset((p, o) for p, o in data.predicate_objects(claim)
                                        if isinstance(o, URIRef) and p not in NOT_PARTIES)),
            "figure": tuple(value(data.value(claim, URIRef(DKO + p)))
                            for p in ("percentage", "percentageExceeds")),
            "period": tuple(str(b) if b is not None else None for b in bounds),
        }
    return found


def test_claims_about_the_same_measure_that_differ_are_listed_side_by_side(store, settings,
                                                                           corpus, ontology):
    rows = ask(store, settings, "claims-that-differ.rq")
    found = claims(corpus, ontology)
    differing = {c for c, about in found.items() for other, other_about in found.items()
                 if other != c and other_about["measure"] == about["measure"]
                 and (other_about["figure"], other_about["period"])
                 != (about["figure"], about["period"])}
    assert {r["claim"] for r in rows} == differing
    for row in rows:
        claim = found[row["claim"]]
        assert (row["percent"], row["moreThanPercent"]) == claim["figure"]
        assert (row["periodStart"] and str(row["periodStart"]),
                row["periodEnd"] and str(row["periodEnd"])) == claim["period"]
        assert row["source"] == corpus.source_of[next(
            g for g, graph in corpus.graphs().items() if (row["claim"], RDF.type, None) in graph
        )].iri


def test_what_was_known_on_a_date_is_what_sources_published_by_then_state(store, settings,
                                                                          corpus):
    text = (settings.queries_dir / "what-was-known-on-a-date.rq").read_text(encoding="utf-8")
    assert DATE_PARAMETER.search(text), "the date to edit is a VALUES line"
    issued = sorted({date.fromisoformat(s.issued) for s in corpus.sources})
    days = [issued[0] - timedelta(days=1), *issued,
            date.fromisoformat(DATE_PARAMETER.search(text).group(1))]
    facts = facts_by_source(corpus)
    issued_of = {s.id: s.issued for s in corpus.sources}
    for day in days:
        edited = DATE_PARAMETER.sub(f'VALUES ?date {{ "{day}"^^xsd:date }}', text)
        rows = ask(store, settings, "", edited)
        expected = {}
        for fact, by_source in facts.items():
            known = sorted(issued_of[s] for s in by_source if issued_of[s] <= day.isoformat())
            if known:
                expected[fact] = (known[0], len(known))
        assert {(r["subject"], r["predicate"], r["object"]): (str(r["firstStated"]),
                                                            r["sources"]) for r in rows} \
            == expected, day
    assert not expected or len(expected) == len(facts)  # the query's own date knows it all
