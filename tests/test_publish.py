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
