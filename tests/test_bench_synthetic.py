"""The benchmark's synthetic graph: deterministic, exact or in whole reports, written in the
ontology's own terms, built and published by the real build, and answered alike by our engine
and rdflib's for every query of the mix (at a tiny size; speed is for bench/)."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from collections import defaultdict

import pyoxigraph as ox
import pytest
from conftest import dataset_of
from rdflib import Dataset, Graph, URIRef
from rdflib.namespace import OWL, RDF, SKOS

from bench import report
from bench.__main__ import load_queries
from bench.load import Query
from bench.reasoning import make_repository
from bench.synthetic import DKO, NIF, PLATFORM_KINDS, PROV, generate
from defence_kg.build import build, publish
from defence_kg.release import release_nquads
from defence_kg.settings import Settings
from defence_kg.stores.embedded import QueryStore

TINY = 3_000  # about 11 reports: enough for every query of the mix to have answers
BUILT = 2_000  # whole reports: a repository the build accepts, built in about a second

WRITE_AND_HASH = (
    "import hashlib, pathlib, sys, tempfile\n"
    "from bench.synthetic import write_nquads\n"
    "path = pathlib.Path(tempfile.mkdtemp()) / 'g.nq'\n"
    "sys.stdout.write(hashlib.sha256(write_nquads(path, 2000, 7).read_bytes()).hexdigest())\n"
)


@pytest.fixture(scope="module")
def quads() -> list[ox.Quad]:
    return generate(TINY, whole_reports=True)


def test_yields_exactly_the_requested_number_of_distinct_quads():
    for size in (0, 1, 157, 2_500):
        quads = generate(size)
        assert len(quads) == size
        assert len(set(quads)) == size


def test_whole_reports_end_with_the_report_that_reaches_the_size():
    assert generate(0, whole_reports=True) == []
    for size in (1, 1_000, 2_500):
        whole = generate(size, whole_reports=True)
        assert len(whole) >= size
        assert whole[:size] == generate(size)  # the exact graph, completed
        # It ends where a report ends: asking for its own size adds nothing, one more quad
        # adds a whole report.
        assert generate(len(whole), whole_reports=True) == whole
        longer = generate(len(whole) + 1, whole_reports=True)
        assert longer[:len(whole)] == whole and len(longer) > len(whole) + 100


def test_same_size_and_seed_give_the_same_bytes_another_seed_other_bytes():
    def nquads(size, seed):
        return ox.serialize(generate(size, seed), format=ox.RdfFormat.N_QUADS)

    assert nquads(2_000, 0) == nquads(2_000, 0)
    assert nquads(2_000, 0) != nquads(2_000, 1)
    assert nquads(2_000, 0).startswith(nquads(1_000, 0))  # a bigger graph extends a smaller


def test_output_does_not_depend_on_the_hash_seed(settings):
    digests = set()
    for hash_seed in ("1", "2"):
        completed = subprocess.run(
            [sys.executable, "-c", WRITE_AND_HASH], cwd=settings.root, capture_output=True,
            text=True, timeout=120, env={**os.environ, "PYTHONHASHSEED": hash_seed})
        assert completed.returncode == 0, completed.stderr
        digests.add(completed.stdout)
    expected = ox.serialize(generate(2_000, 7), format=ox.RdfFormat.N_QUADS)
    assert digests == {hashlib.sha256(expected).hexdigest()}


def test_every_dko_term_used_is_defined_by_the_ontology_as_what_it_is_used_for(quads, settings):
    ontology = Graph().parse(settings.ontology_dir / "defence-cooperation.ttl")

    def defined(kinds):
        return {str(term) for kind in kinds for term in ontology.subjects(RDF.type, kind)}

    used = defaultdict(set)
    for quad in quads:
        if quad.predicate.value.startswith(DKO):
            used["property"].add(quad.predicate.value)
        if quad.object.value.startswith(DKO):
            role = "class" if quad.predicate.value == str(RDF.type) else "concept"
            used[role].add(quad.object.value)
        if quad.subject.value.startswith(DKO):
            used["subject"].add(quad.subject.value)
    assert not used["subject"], "the data describes terms of the ontology"
    assert len(used["property"]) >= 25 and len(used["class"]) >= 15 and len(used["concept"]) >= 10
    assert used["property"] <= defined([OWL.ObjectProperty, OWL.DatatypeProperty])
    assert used["class"] <= defined([OWL.Class])
    assert used["concept"] <= defined([SKOS.Concept])


def test_sentence_offsets_point_into_the_report_text(quads):
    values = defaultdict(dict)
    for quad in quads:
        values[quad.subject.value][quad.predicate.value] = quad.object.value
    segments = [v for v in values.values() if NIF + "anchorOf" in v]
    assert len(segments) == 12 * sum(1 for v in values.values() if NIF + "isString" in v)
    for segment in segments:
        text = values[segment[NIF + "referenceContext"]][NIF + "isString"]
        begin, end = int(segment[NIF + "beginIndex"]), int(segment[NIF + "endIndex"])
        assert text[begin:end] == segment[NIF + "anchorOf"]
        assert DKO + "attributesTo" in segment


def test_every_statement_graph_is_derived_from_its_segment_and_platforms_have_one_kind(quads):
    graphs = {q.graph_name.value for q in quads
              if "/sentence-" in q.graph_name.value or q.graph_name.value.endswith("/dateline")}
    derived = {q.subject.value: q.object.value for q in quads
               if q.predicate.value == PROV + "wasDerivedFrom"}
    assert graphs and graphs == derived.keys()
    for graph, segment in derived.items():  # graph/{report}/sentence-n: source/{report}/sentence/n
        expected = graph.replace("/graph/", "/id/source/").replace("/sentence-", "/sentence/")
        assert segment == expected
    platform_classes = {DKO + kind for kind, _, _ in PLATFORM_KINDS}
    kinds = defaultdict(set)
    for quad in quads:
        if quad.predicate.value == str(RDF.type) and quad.object.value in platform_classes:
            kinds[quad.subject.value].add(quad.object.value)
    assert len(kinds) > 15
    assert all(len(k) == 1 for k in kinds.values()), "disjoint platform classes would clash"


def test_a_repository_of_whole_synthetic_reports_builds_and_publishes(tmp_path):
    """The reasoning benchmark's own repository: SHACL, reasoning without contradictions and
    every violation query pass (build() raises otherwise), and the release is written."""
    repository = make_repository(tmp_path / "repository", BUILT)
    settings = Settings.from_env({}, root=repository, output_dir=tmp_path / "build")
    result = build(settings)
    triples = result.report["triples"]
    assert BUILT <= triples["asserted"] < BUILT + 400
    assert triples["inferred"] > 100
    publish(result, settings)
    dump = release_nquads(settings.release_dir)
    assert set(generate(BUILT, whole_reports=True)) <= set(ox.parse(path=dump,
                                                                    format=ox.RdfFormat.N_QUADS))
    sources = [g for g in dataset_of(result).graphs() if "/graph/sources/" in str(g.identifier)]
    assert len(sources) >= 7
    for graph in sources:
        for source, text_file in graph.subject_objects(URIRef(DKO + "textFile")):
            text = graph.value(source, URIRef(NIF + "isString"))
            assert (repository / str(text_file)).read_text(encoding="utf-8") == str(text)


def test_every_query_of_the_mix_has_answers_that_rdflib_agrees_with(quads, settings):
    queries = load_queries()
    assert {q.form for q in queries} == {"SELECT", "CONSTRUCT", "DESCRIBE"}
    store = ox.Store()
    store.bulk_extend(quads)
    ours = QueryStore(store, settings)
    theirs = Dataset(default_union=True)
    theirs.parse(data=ox.serialize(quads, format=ox.RdfFormat.N_QUADS), format="nquads")
    for query in queries:
        answers = {report.OURS: _ours(ours, query), report.RDFLIB: _rdflib(theirs, query)}
        count = answers[report.OURS]
        assert (len(count) if isinstance(count, frozenset) else count) > 0, query.name
        assert report.disagreement(query.form, answers) is None, query.name


def _ours(store: QueryStore, query: Query):
    result = store.query(query.text)
    if query.graph_result:
        return frozenset(result)
    return sum(1 for _ in result)


def _rdflib(dataset: Dataset, query: Query):
    result = dataset.query(query.text)
    if query.graph_result:
        text = result.serialize(format="nt", encoding="utf-8")
        return frozenset(q.triple for q in ox.parse(text, format=ox.RdfFormat.N_TRIPLES))
    return len(result)
