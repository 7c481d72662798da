"""The data: sentences that quote the verbatim source exactly, facts tied to them, checked links."""

from __future__ import annotations

import itertools

import pytest
from conftest import dataset_of, loaded_dataset, store_of, validate_dataset
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import OWL, PROV, RDF, RDFS, XSD

from defence_kg.build.check import run_violation_queries
from defence_kg.build.load import load_shapes
from defence_kg.namespaces import NIF, STANDARD_PREFIXES

SOURCE = "ani-2025-12-02"
DKO = "https://w3id.org/defence-kg/ontology#"
ALLOWED_LINKS = {
    "http://www.wikidata.org/entity/Q668", "http://www.wikidata.org/entity/Q159",
    "http://www.wikidata.org/entity/Q7747",
    "https://sws.geonames.org/1269750/", "https://sws.geonames.org/2017370/",
    *("http://dbpedia.org/resource/" + name for name in (
        "India", "Russia", "Vladimir_Putin", "Denis_Manturov", "S-400_missile_system",
        "Sukhoi_Su-57", "S-500_missile_system", "Make_in_India", "Asian_News_International")),
}
# Vocabularies the data may use besides the project's own IRIs and the links above.
VOCABULARIES = (*STANDARD_PREFIXES.values(), "http://www.w3.org/2006/time#",
                "https://creativecommons.org/licenses/")


@pytest.fixture(scope="module")
def text(settings) -> str:
    return (settings.data_dir / "sources" / f"{SOURCE}.txt").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def sources(settings) -> Graph:
    return Graph().parse(settings.data_dir / "sources" / f"{SOURCE}.ttl")


@pytest.fixture(scope="module")
def statements(settings) -> Dataset:
    return Dataset(default_union=True).parse(settings.data_dir / f"{SOURCE}.trig")


def segments(sources: Graph) -> list[URIRef]:
    found = [*sources.subjects(RDF.type, NIF.Sentence), *sources.subjects(RDF.type, NIF.Phrase)]
    return sorted(found, key=lambda s: int(sources.value(s, NIF.beginIndex)))


def statement_graphs(statements: Dataset) -> dict[URIRef, Graph]:
    return {g.identifier: g for g in statements.graphs() if len(g)}


def test_every_offset_pair_reproduces_its_anchor(sources, text):
    found = segments(sources)
    assert len(found) == 12  # eleven sentences and the dateline
    for segment in found:
        begin = int(sources.value(segment, NIF.beginIndex))
        end = int(sources.value(segment, NIF.endIndex))
        assert text[begin:end] == str(sources.value(segment, NIF.anchorOf)), segment


def test_sentences_are_numbered_in_reading_order_without_overlap(settings, sources):
    sentence = settings.vocabulary.id[f"source/{SOURCE}/sentence/"]
    found = sorted(sources.subjects(RDF.type, NIF.Sentence),
                   key=lambda s: int(sources.value(s, NIF.beginIndex)))
    assert found == [URIRef(f"{sentence}{n}") for n in range(1, 12)]
    spans = [(int(sources.value(s, NIF.beginIndex)), int(sources.value(s, NIF.endIndex)))
             for s in found]
    assert all(end <= next_begin for (_, end), (next_begin, _) in itertools.pairwise(spans))


def test_typographic_apostrophes_are_kept(sources, text):
    anchors = "".join(str(a) for a in sources.objects(None, NIF.anchorOf))
    assert anchors.count("\u2019") == text.count("\u2019") == 3
    assert anchors.count("'") == text.count("'")


def test_every_segment_supports_a_fact(sources, statements):
    graphs = statement_graphs(statements)
    for segment in segments(sources):
        supported = [g for g in sources.subjects(PROV.wasDerivedFrom, segment) if g in graphs]
        assert supported, f"{segment} supports no fact"


def test_every_statement_graph_is_derived_from_a_segment(sources, statements):
    described = segments(sources)
    for graph in statement_graphs(statements):
        assert (graph, RDF.type, URIRef(DKO + "StatementGraph")) in sources, graph
        assert sources.value(graph, PROV.wasDerivedFrom) in described, graph


def test_source_metadata(settings, sources):
    source = settings.vocabulary.id[f"source/{SOURCE}"]
    assert sources.value(source, URIRef("http://purl.org/dc/terms/publisher")) == \
        settings.vocabulary.id["ani"]
    issued = sources.value(source, URIRef("http://purl.org/dc/terms/issued"))
    assert issued == Literal("2025-12-02", datatype=XSD.date)
    assert str(sources.value(source, URIRef("http://purl.org/dc/terms/identifier"))) == \
        "000_24dd4cbcba9d3677"
    text_file = str(sources.value(source, URIRef(DKO + "textFile")))
    assert (settings.root / text_file).is_file()


def test_links_use_only_checked_identifiers(settings):
    links = Graph().parse(settings.data_dir / "links.ttl")
    targets = {str(o) for o in links.objects(None, OWL.sameAs)}
    assert targets <= ALLOWED_LINKS, targets - ALLOWED_LINKS
    assert len(targets) == len(ALLOWED_LINKS)
    assert set(links.predicates()) == {OWL.sameAs}


def test_data_mentions_no_other_external_identifier(settings, sources, statements):
    own = settings.vocabulary.base
    for graph in (sources, *statement_graphs(statements).values()):
        for term in {t for triple in graph for t in triple if isinstance(t, URIRef)}:
            assert str(term).startswith((own, *VOCABULARIES)), term


def test_the_share_is_a_lower_bound_not_a_value(statements):
    bounds = {o for _, _, o in statements.triples((None, URIRef(DKO + "percentageExceeds"),
                                                   None))}
    assert bounds == {Literal("30.0", datatype=XSD.decimal)}


def test_the_data_conforms_to_the_shapes(settings):
    result = validate_dataset(loaded_dataset(settings), settings, load_shapes(settings))
    assert result.conforms, result.report


def _set_share(dataset, settings):
    share = settings.vocabulary.id["russia-share-of-india-defence-procurement"]
    exceeds = URIRef(DKO + "percentageExceeds")
    for _, _, _, graph in list(dataset.quads((share, exceeds, None, None))):
        dataset.graph(graph).set((share, exceeds, Literal("130", datatype=XSD.decimal)))


def _unlabel_platform(dataset, settings):
    dataset.remove((settings.vocabulary.id["su-57"], RDFS.label, None))


def _assert_superclass(dataset, settings):
    graph = dataset.graph(settings.vocabulary.graph[f"{SOURCE}/sentence-8"])
    graph.add((settings.vocabulary.id["su-57"], RDF.type, URIRef(DKO + "MilitaryPlatform")))


def _drop_offset(dataset, settings):
    dataset.remove((settings.vocabulary.id[f"source/{SOURCE}/sentence/3"], NIF.endIndex, None))


def _untie_graph(dataset, settings):
    graph = settings.vocabulary.graph[f"{SOURCE}/sentence-5"]
    dataset.remove((graph, PROV.wasDerivedFrom, None))


def _misdate_milestone(dataset, settings):
    declaration = settings.vocabulary.id["india-russia-declaration-2000"]
    for _, _, _, graph in list(dataset.quads((declaration, None, None, None))):
        dataset.graph(graph).set((declaration, URIRef("http://purl.org/dc/terms/date"),
                                  Literal("the year 2000", datatype=XSD.gYear)))


@pytest.mark.parametrize("breakage", [_set_share, _unlabel_platform, _assert_superclass,
                                      _drop_offset, _untie_graph, _misdate_milestone])
def test_a_broken_copy_does_not_conform(settings, breakage):
    dataset = loaded_dataset(settings)
    breakage(dataset, settings)
    result = validate_dataset(dataset, settings, load_shapes(settings))
    assert not result.conforms
    assert result.report


# --- the violation queries, each shown to catch what it names ------------------------------

def _orphan_graph(dataset, settings):
    graph = dataset.graph(settings.vocabulary.graph[f"{SOURCE}/sentence-99"])
    graph.add((settings.vocabulary.id["india"], RDFS.label, Literal("India", lang="en")))


def _misplace_offset(dataset, settings):
    sentence = settings.vocabulary.id[f"source/{SOURCE}/sentence/4"]
    graph = dataset.graph(settings.vocabulary.graph[f"sources/{SOURCE}"])
    graph.set((sentence, NIF.endIndex, Literal(900, datatype=XSD.nonNegativeInteger)))


def _empty_sentence_graph(dataset, settings):
    dataset.remove_graph(dataset.graph(settings.vocabulary.graph[f"{SOURCE}/sentence-9"]))


def _unlabel_inferred_platform(dataset, settings):
    dataset.remove((settings.vocabulary.id["s-500"], RDFS.label, None))


def _self_partner(dataset, settings):
    india = settings.vocabulary.id["india"]
    dataset.graph(settings.vocabulary.inferred_graph).add((india, URIRef(DKO + "partnerOf"),
                                                           india))


def _undefine_term(dataset, settings):
    dataset.remove((URIRef(DKO + "Talks"), URIRef("http://www.w3.org/2004/02/skos/core#"
                                                  "definition"), None))


VIOLATIONS = {
    "statement-graph-without-segment": _orphan_graph,
    "segment-offsets": _misplace_offset,
    "segment-without-statements": _empty_sentence_graph,
    "platform-without-label": _unlabel_inferred_platform,
    "military-platform-asserted": _assert_superclass,
    "reflexive-partner": _self_partner,
    "term-without-definition": _undefine_term,
}


@pytest.mark.parametrize(("check", "breakage"), VIOLATIONS.items())
def test_each_violation_query_catches_its_violation(build_result, settings, check, breakage):
    dataset = dataset_of(build_result)
    breakage(dataset, settings)
    result = run_violation_queries(store_of(dataset), settings)
    assert any(p.startswith(f"{check}-violation.rq:") for p in result.problems), result.report


def test_every_violation_query_is_exercised(settings):
    checks = {p.name.removesuffix("-violation.rq")
              for p in (settings.queries_dir / "checks").glob("*-violation.rq")}
    assert checks == set(VIOLATIONS)
