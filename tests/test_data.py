"""The data: sentences that quote the verbatim source exactly, facts tied to them, checked links."""

from __future__ import annotations

import itertools
import re

import pytest
from conftest import dataset_of, loaded_dataset, store_of, validate_dataset
from corpus import ANI
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, XSD

from defence_kg.build.check import run_violation_queries
from defence_kg.build.load import load_shapes
from defence_kg.namespaces import NIF, STANDARD_PREFIXES

DKO = "https://w3id.org/defence-kg/ontology#"
# Where identity links may point, and what an identifier there looks like.
LINK_TARGETS = {
    "http://www.wikidata.org/entity/": r"Q[1-9][0-9]*",
    "http://dbpedia.org/resource/": r"[A-Z0-9][^\s/]*",
    "https://sws.geonames.org/": r"[1-9][0-9]*/",
}
# The first report's links, checked by hand against each target's page.
ANI_LINKS = {
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

# Its assertions depend on data/: tests/test_many_sources.py runs it again with a second source.
pytestmark = pytest.mark.data


def test_there_are_sources(corpus):
    assert corpus.sources
    for source in corpus.sources:
        assert source.segments and source.sentences, source.id


def test_every_offset_pair_reproduces_its_anchor(corpus):
    for source in corpus.sources:
        for segment in source.segments:
            text = source.text[source.begin(segment):source.end(segment)]
            assert text == source.anchor(segment), segment


def test_sentences_are_numbered_in_reading_order_without_overlap(settings, corpus):
    for source in corpus.sources:
        sentence = settings.vocabulary.id[f"source/{source.id}/sentence/"]
        found = source.sentences
        assert found == [URIRef(f"{sentence}{n}") for n in range(1, len(found) + 1)], source.id
        spans = [(source.begin(s), source.end(s)) for s in source.segments]
        assert all(end <= next_begin for (_, end), (next_begin, _) in itertools.pairwise(spans))


def test_the_first_report_has_eleven_sentences_and_a_dateline(corpus):
    ani = corpus.report(ANI)
    assert len(ani.sentences) == 11
    assert len(ani.segments) == 12


def test_typographic_apostrophes_are_kept(corpus):
    ani = corpus.report(ANI)
    anchors = "".join(ani.anchor(s) for s in ani.segments)
    assert anchors.count("\u2019") == ani.text.count("\u2019") == 3
    assert anchors.count("'") == ani.text.count("'")


def test_every_segment_supports_a_fact(corpus):
    graphs = corpus.graphs()
    for source in corpus.sources:
        supported = {s for g, s in source.statement_graphs.items() if g in graphs}
        assert set(source.segments) <= supported, set(source.segments) - supported


def test_every_statement_graph_is_derived_from_a_segment(corpus):
    for graph in corpus.graphs():
        source = corpus.source_of.get(graph)
        assert source is not None, f"{graph} is derived from no segment of a source"
        assert (graph, RDF.type, URIRef(DKO + "StatementGraph")) in source.graph, graph


def test_every_source_says_who_published_it_when_and_where_its_text_is(settings, corpus):
    for source in corpus.sources:
        assert source.publisher_label, source.id
        assert source.graph.value(source.iri, DCTERMS.issued).datatype == XSD.date, source.id
        assert source.graph.value(source.iri, DCTERMS.title), source.id
        text_file = str(source.graph.value(source.iri, URIRef(DKO + "textFile")))
        assert text_file == f"data/sources/{source.id}.txt"


def test_the_first_reports_metadata(settings, corpus):
    ani = corpus.report(ANI)
    assert ani.publisher == settings.vocabulary.id["ani"]
    assert ani.issued == "2025-12-02"
    assert str(ani.graph.value(ani.iri, DCTERMS.identifier)) == "000_24dd4cbcba9d3677"


def test_links_go_from_described_resources_to_well_formed_identifiers(settings, corpus):
    links = Graph().parse(settings.data_dir / "links.ttl")
    assert set(links.predicates()) == {OWL.sameAs}
    described = {s for g in (*corpus.graphs().values(), *(s.graph for s in corpus.sources))
                 for s in g.subjects(RDFS.label, None)}
    linked_from: dict[str, URIRef] = {}
    for subject, target in links.subject_objects(OWL.sameAs):
        assert subject in described, f"{subject} is linked but not described in data/"
        prefix = next((p for p in LINK_TARGETS if str(target).startswith(p)), None)
        assert prefix, f"{target}: links go to Wikidata, DBpedia or GeoNames only"
        assert re.fullmatch(LINK_TARGETS[prefix], str(target)[len(prefix):]), target
        # Two of our resources linked to one identifier would be merged by any consumer.
        assert linked_from.setdefault(str(target), subject) == subject, target


def test_the_first_reports_links_are_kept(settings, corpus):
    corpus.report(ANI)
    links = Graph().parse(settings.data_dir / "links.ttl")
    assert {str(o) for o in links.objects(None, OWL.sameAs)} >= ANI_LINKS


def test_data_mentions_no_other_external_identifier(settings, corpus):
    own = settings.vocabulary.base
    for graph in (*(s.graph for s in corpus.sources), *corpus.graphs().values()):
        for term in {t for triple in graph for t in triple if isinstance(t, URIRef)}:
            assert str(term).startswith((own, *VOCABULARIES)), term


def test_the_first_reports_share_is_a_lower_bound_not_a_value(settings, corpus):
    ani = corpus.report(ANI)
    share = settings.vocabulary.id["russia-share-of-india-defence-procurement"]
    bounds = {o for g in ani.statement_graphs if g in corpus.graphs()
              for o in corpus.graphs()[g].objects(share, URIRef(DKO + "percentageExceeds"))}
    assert bounds == {Literal("30.0", datatype=XSD.decimal)}


def test_the_data_conforms_to_the_shapes(settings):
    result = validate_dataset(loaded_dataset(settings), settings, load_shapes(settings))
    assert result.conforms, result.report


# --- broken copies: each breaks what it names, on whatever the data holds --------------------

def _first(quads, position: int):
    """The first (in IRI order) subject (0) or object (2) of some quads: a stable pick."""
    found = sorted({quad[position] for quad in quads}, key=str)
    assert found, "the data holds nothing this breakage can break"
    return found[0]


def _platform(dataset) -> tuple[URIRef, URIRef]:
    """A platform of the data (typed with a kind of dko:MilitaryPlatform), and the graph that
    types it."""
    kinds = {q[0] for q in dataset.quads((None, RDFS.subClassOf, URIRef(DKO + "MilitaryPlatform"),
                                          None))}
    typed = sorted((q for q in dataset.quads((None, RDF.type, None, None)) if q[2] in kinds),
                   key=lambda q: (str(q[0]), str(q[3])))
    assert typed, "the data holds no platform"
    return typed[0][0], typed[0][3]


def _set_share(dataset, settings):
    exceeds = URIRef(DKO + "percentageExceeds")
    share = _first(dataset.quads((None, exceeds, None, None)), 0)
    for _, _, _, graph in list(dataset.quads((share, exceeds, None, None))):
        dataset.graph(graph).set((share, exceeds, Literal("130", datatype=XSD.decimal)))


def _restate_share_differently(dataset, settings):
    # Another source writing its own figure on an existing claim's IRI: the claims would merge.
    exceeds = URIRef(DKO + "percentageExceeds")
    share = _first(dataset.quads((None, exceeds, None, None)), 0)
    graph = dataset.graph(settings.vocabulary.graph["another-source/sentence-1"])
    graph.add((share, exceeds, Literal("45", datatype=XSD.decimal)))


def _unlabel_platform(dataset, settings):
    dataset.remove((_platform(dataset)[0], RDFS.label, None))


def _assert_superclass(dataset, settings):
    platform, graph = _platform(dataset)
    dataset.graph(graph).add((platform, RDF.type, URIRef(DKO + "MilitaryPlatform")))


def _drop_offset(dataset, settings):
    sentence = _first(dataset.quads((None, RDF.type, NIF.Sentence, None)), 0)
    dataset.remove((sentence, NIF.endIndex, None))


def _untie_graph(dataset, settings):
    graph = _first(dataset.quads((None, RDF.type, URIRef(DKO + "StatementGraph"), None)), 0)
    dataset.remove((graph, PROV.wasDerivedFrom, None))


def _misdate_milestone(dataset, settings):
    declaration = _first(dataset.quads((None, URIRef(DKO + "hasDeclaration"), None, None)), 2)
    for _, _, _, graph in list(dataset.quads((declaration, None, None, None))):
        dataset.graph(graph).set((declaration, URIRef("http://purl.org/dc/terms/date"),
                                  Literal("the year 2000", datatype=XSD.gYear)))


@pytest.mark.parametrize("breakage", [_set_share, _restate_share_differently, _unlabel_platform,
                                      _assert_superclass, _drop_offset, _untie_graph,
                                      _misdate_milestone])
def test_a_broken_copy_does_not_conform(settings, breakage):
    dataset = loaded_dataset(settings)
    breakage(dataset, settings)
    result = validate_dataset(dataset, settings, load_shapes(settings))
    assert not result.conforms
    assert result.report


# --- the violation queries, each shown to catch what it names ------------------------------

def _orphan_graph(dataset, settings):
    graph = dataset.graph(settings.vocabulary.graph["no-source/sentence-99"])
    graph.add((settings.vocabulary.id["anything"], RDFS.label, Literal("anything", lang="en")))


def _misplace_offset(dataset, settings):
    sentence = _first(dataset.quads((None, RDF.type, NIF.Sentence, None)), 0)
    _, _, _, graph = next(iter(dataset.quads((sentence, NIF.endIndex, None, None))))
    dataset.graph(graph).set((sentence, NIF.endIndex,
                              Literal(10**6, datatype=XSD.nonNegativeInteger)))


def _empty_sentence_graph(dataset, settings):
    graph = _first(dataset.quads((None, RDF.type, URIRef(DKO + "StatementGraph"), None)), 0)
    dataset.remove_graph(dataset.graph(graph))


def _unlabel_inferred_platform(dataset, settings):
    platforms = dataset.quads((None, RDF.type, URIRef(DKO + "MilitaryPlatform"),
                               settings.vocabulary.inferred_graph))
    dataset.remove((_first(platforms, 0), RDFS.label, None))


def _self_partner(dataset, settings):
    state = _first(dataset.quads((None, RDF.type, URIRef(DKO + "State"), None)), 0)
    dataset.graph(settings.vocabulary.inferred_graph).add((state, URIRef(DKO + "partnerOf"),
                                                           state))


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


# Cases a rewrite of a check for speed could lose (docs/design.md, "Cheaper violation checks"):
# a property missing (an OPTIONAL left unbound), a second value beside the right one, a link of
# a chain missing. Each names the check and the rows it must return, whole.

def _segment(dataset):
    return _first(dataset.quads((None, RDF.type, NIF.Sentence, None)), 0)


def _drop_end(dataset, settings):
    dataset.remove((_segment(dataset), NIF.endIndex, None))
    return "segment-offsets", {"?end = (unbound)"}


def _drop_text(dataset, settings):
    dataset.remove((_segment(dataset), NIF.anchorOf, None))
    return "segment-offsets", {"?text = (unbound)"}


def _add_wrong_end(dataset, settings):
    segment = _segment(dataset)
    _, _, _, graph = next(iter(dataset.quads((segment, NIF.endIndex, None, None))))
    dataset.graph(graph).add((segment, NIF.endIndex,
                              Literal(10**6, datatype=XSD.nonNegativeInteger)))
    return "segment-offsets", {'?end = "1000000"'}


def _unsource_segment(dataset, settings):
    graph = _first(dataset.quads((None, RDF.type, URIRef(DKO + "StatementGraph"), None)), 0)
    segments = {q[2] for q in dataset.quads((graph, PROV.wasDerivedFrom, None, None))}
    derived = {q[0] for segment in segments
               for q in dataset.quads((None, PROV.wasDerivedFrom, segment, None))
               if (q[0], RDF.type, URIRef(DKO + "StatementGraph")) in dataset}
    for segment in segments:
        dataset.remove((segment, NIF.referenceContext, None))
    return "statement-graph-without-segment", {f"?graph = <{g}>" for g in derived}


@pytest.mark.parametrize("breakage", [_drop_end, _drop_text, _add_wrong_end, _unsource_segment])
def test_a_check_returns_every_row_it_names(build_result, settings, breakage):
    dataset = dataset_of(build_result)
    check, rows = breakage(dataset, settings)
    result = run_violation_queries(store_of(dataset), settings)
    found = [p for p in result.problems if p.startswith(f"{check}-violation.rq:")]
    assert len(found) == len(rows), result.report
    for row in rows:
        assert any(row in problem for problem in found), result.report


def test_every_violation_query_is_exercised(settings):
    checks = {p.name.removesuffix("-violation.rq")
              for p in (settings.queries_dir / "checks").glob("*-violation.rq")}
    assert checks == set(VIOLATIONS)
