"""The benchmark's synthetic graph: exact, deterministic, well-formed, and answered alike by
our engine and rdflib's for every query of the mix (at a tiny size; speed is for bench/)."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from collections import defaultdict

import pyoxigraph as ox
import pytest
from rdflib import Dataset

from bench import report
from bench.__main__ import load_queries
from bench.load import Query
from bench.synthetic import DKO, NIF, PLATFORM_KINDS, RDF, generate
from defence_kg.store import QueryStore

TINY = 3_000  # about 20 reports: enough for every query of the mix to have answers

WRITE_AND_HASH = (
    "import hashlib, pathlib, sys, tempfile\n"
    "from bench.synthetic import write_nquads\n"
    "path = pathlib.Path(tempfile.mkdtemp()) / 'g.nq'\n"
    "sys.stdout.write(hashlib.sha256(write_nquads(path, 2000, 7).read_bytes()).hexdigest())\n"
)


@pytest.fixture(scope="module")
def quads() -> list[ox.Quad]:
    return generate(TINY)


def test_yields_exactly_the_requested_number_of_distinct_quads():
    for size in (0, 1, 157, 2_500):
        quads = generate(size)
        assert len(quads) == size
        assert len(set(quads)) == size


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


def test_sentence_offsets_point_into_the_report_text(quads):
    values = defaultdict(dict)
    for quad in quads:
        values[quad.subject.value][quad.predicate.value] = quad.object.value
    fields = {NIF + name for name in ("referenceContext", "beginIndex", "endIndex", "anchorOf")}
    # The last report may be cut short, with some sentence half described.
    sentences = [v for v in values.values() if fields <= v.keys()]
    assert len(sentences) > 50
    for sentence in sentences:
        text = values[sentence[NIF + "referenceContext"]][NIF + "isString"]
        begin, end = int(sentence[NIF + "beginIndex"]), int(sentence[NIF + "endIndex"])
        assert text[begin:end] == sentence[NIF + "anchorOf"]


def test_every_fact_graph_is_derived_from_its_sentence_and_platforms_have_one_kind(quads):
    graphs = {q.graph_name.value for q in quads if "/sentence-" in q.graph_name.value}
    derived = {q.subject.value for q in quads if q.predicate.value.endswith("wasDerivedFrom")}
    assert graphs and graphs <= derived
    platform_classes = {DKO + kind for kind, _, _ in PLATFORM_KINDS}
    kinds = defaultdict(set)
    for quad in quads:
        if quad.predicate.value == RDF + "type" and quad.object.value in platform_classes:
            kinds[quad.subject.value].add(quad.object.value)
    assert len(kinds) > 5
    assert all(len(k) == 1 for k in kinds.values()), "disjoint platform classes would clash"


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
