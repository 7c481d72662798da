"""Publishing: the VoID statistics count what the dumps hold, and the forked tasks that write
the dumps report their results and their failures."""

from __future__ import annotations

import os

import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import VOID

from defence_kg.build.census import take_census
from defence_kg.build.forks import Forked, ForkedTaskError
from defence_kg.release import DUMP_NAME


@pytest.mark.data
def test_void_statistics_count_the_union_of_the_dumps(release):
    dumps = release.release_dir / "dumps"
    triples = list(ox.parse(path=str(dumps / f"{DUMP_NAME}.nt")))
    subjects = {t.subject for t in triples}
    own = str(release.vocabulary.id)
    void = Graph().parse(dumps / "void.ttl", format="turtle")
    dataset = URIRef(release.vocabulary.dataset_iri)
    expected = {VOID.triples: len(triples), VOID.distinctSubjects: len(subjects),
                VOID.distinctObjects: len({t.object for t in triples}),
                VOID.entities: sum(isinstance(s, ox.NamedNode) and s.value.startswith(own)
                                   for s in subjects)}
    for predicate, count in expected.items():
        assert void.value(dataset, predicate) == Literal(count), predicate


def test_the_census_counts_distinct_objects_past_sorts_memory(tmp_path, monkeypatch):
    monkeypatch.setattr("defence_kg.build.census.SORT_MEMORY", "16K")  # sort spills to files
    lines = sorted({f'<http://x/s{i % 997}> <http://x/p> "o{i % 5003}" .\n' for i in range(20_000)})
    path = tmp_path / "union.nt"
    path.write_text("".join(lines), encoding="utf-8")
    census = take_census(path, "http://x/", 3)
    assert (census.subjects, census.objects, census.entities) == (997, 5003, 997)
    assert census.properties == {"<http://x/p>": len(lines)}


def test_forked_tasks_return_their_results_by_name():
    tasks = {f"task {n}": (lambda n=n: (n * n, os.getpid())) for n in range(5)}
    with Forked(tasks, at_once=2) as forked:
        results = forked.results()
    assert {name: square for name, (square, _) in results.items()} == {
        f"task {n}": n * n for n in range(5)}
    assert os.getpid() not in {pid for _, pid in results.values()}


def test_a_failing_forked_task_raises_with_its_traceback():
    tasks = {"fine": lambda: 1, "broken": lambda: 1 / 0}
    with pytest.raises(ForkedTaskError, match=r"(?s)broken:.*ZeroDivisionError"), \
            Forked(tasks, at_once=2) as forked:
        forked.results()


def test_a_forked_task_that_dies_is_a_failure():
    with pytest.raises(ForkedTaskError, match="dead: the process ended with code 3"), \
            Forked({"dead": lambda: os._exit(3)}, at_once=1) as forked:
        forked.results()


def test_an_amended_census_is_the_census_of_the_lines(tmp_path):
    """amend_census over a union's change gives what take_census counts after it: subjects,
    objects (a number written two ways is two objects, one term in the store), entities,
    classes, properties and the examples; and gives up when an example lost a triple."""
    from defence_kg.build.census import amend_census

    typed = "^^<http://www.w3.org/2001/XMLSchema#integer>"
    kind = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
    before = {f"<http://x/s{i}> <http://x/p{i % 3}> \"{i % 4}\"{typed} .\n" for i in range(40)}
    before |= {f"<http://x/s{i}> {kind} <http://x/C{i % 2}> .\n" for i in range(0, 40, 3)}
    before |= {f"_:b{i} <http://x/q> <http://x/s{i}> .\n" for i in range(5)}
    before |= {f"<http://x/s{i}> <http://x/q> <http://x/s0> .\n" for i in range(6)}
    lost = {f"<http://x/s7> <http://x/p1> \"3\"{typed} .\n",  # s7's only triple
            "_:b3 <http://x/q> <http://x/s3> .\n",  # the only one of _:b3, and with <s3>
            f"<http://x/s1> <http://x/p1> \"1\"{typed} .\n"}
    gained = {f"<http://x/s2> <http://x/p2> \"01\"{typed} .\n",  # "1" written another way
              f"<http://y/t> {kind} <http://x/C9> .\n", "<http://x/new> <http://x/q> \"z\" .\n",
              *(f"<http://x/s5> <http://x/r{n}> <http://x/s{20 + n}> .\n" for n in range(9))}
    after = (before - lost) | gained

    def write(name, lines):
        path = tmp_path / name
        path.write_text("".join(sorted(lines)), encoding="utf-8")
        return path

    def census(lines, name):
        return take_census(write(name, lines), "http://x/", 3)

    store = ox.Store()
    store.extend(ox.parse(path=str(write("after.nt", after)), format=ox.RdfFormat.N_TRIPLES,
                          rename_blank_nodes=False))
    last = census(before, "before.nt")
    amended = amend_census(last, write("lost.nt", lost), write("gained.nt", gained),
                           tmp_path / "after.nt", store, "http://x/", 3)
    assert amended == census(after, "after-again.nt")
    assert (amended.objects, amended.examples[0]) != (last.objects, last.examples[0])
    # An example (s5: most triples) losing one: another entity may now rank, so no amendment.
    dropped = {"<http://x/s5> <http://x/r0> <http://x/s20> .\n"}
    again = (after - dropped)
    store.remove(ox.Quad(ox.NamedNode("http://x/s5"), ox.NamedNode("http://x/r0"),
                         ox.NamedNode("http://x/s20")))
    assert amend_census(amended, write("lost2.nt", dropped), write("gained2.nt", set()),
                        write("again.nt", again), store, "http://x/", 3) is None


def test_the_sources_are_described_as_rdflib_wrote_them_and_once():
    """describe makes the sources' triples as pyoxigraph's, not through an rdflib graph: the
    same terms (a date rdflib writes in its canonical form too), and a publisher of two
    sources labelled by one triple once the repeats are dropped."""
    from rdflib.namespace import DCTERMS, RDFS, XSD

    from defence_kg.build.publish import _describe_sources
    from defence_kg.build.sources import Source
    from defence_kg.rdf import from_rdflib

    ex = "http://example.org/"
    sources = [Source("2025-12-02", ex + "a", "A report", ex + "ani", "ANI"),
               Source("2025-12-09Z", ex + "b", "Another", ex + "ani", "ANI"),
               Source("", ex + "c", "Undated", ex + "wire", "Wire")]
    dataset = URIRef(ex + "dataset")
    expected = Graph()
    for source in sources:
        iri, publisher = URIRef(source.iri), URIRef(source.publisher)
        expected.add((dataset, DCTERMS.source, iri))
        expected.add((iri, DCTERMS.title, Literal(source.title, lang="en")))
        expected.add((iri, DCTERMS.issued, Literal(source.issued, datatype=XSD.date)))
        expected.add((iri, DCTERMS.publisher, publisher))
        expected.add((publisher, RDFS.label, Literal(source.publisher_label, lang="en")))
    quads = list(dict.fromkeys(_describe_sources(dataset, sources)))
    assert sorted(map(str, quads)) == sorted(
        str(ox.Quad(*map(from_rdflib, triple))) for triple in expected)
    assert str(ox.Literal("2025-12-09", datatype=ox.NamedNode(str(XSD.date)))) in map(
        str, (q.object for q in quads))
