"""Violation checks over the change (build/check_scope.py): on a change from a release that
passed every check, a check of a shape that allows it, run over what the change reaches, gives
the rows the whole check gives; other shapes run whole; an add-one build that breaks a check is
still refused."""

from __future__ import annotations

import json

import pyoxigraph as ox
import pytest
from conftest import dataset_of, ox_quads, store_of
from test_data import VIOLATIONS, _add_wrong_end, _drop_end, _drop_text, _unsource_segment

from defence_kg.build import BuildError, build, publish
from defence_kg.build.check import CHECKS_KEY, check_digests, run_violation_queries
from defence_kg.build.check_scope import KEY, LINKED, scope_of
from defence_kg.release import REPORT_NAME

CHECK_LOG = "defence_kg.build.check"
PREFIXES = "PREFIX ex: <https://example.org/>\n"
# Shapes whose rows need not be a key's: each must run whole.
UNSUPPORTED = [
    "SELECT ?s { ?s ex:p ?o } LIMIT 3",
    "SELECT (COUNT(*) AS ?n) { ?s ex:p ?o }",
    "SELECT ?s { ?s ex:p/ex:q ?o }",  # the node between is no variable's
    "SELECT ?s { ?s ex:p ?o OPTIONAL { ?x ex:q ?y } }",
    "SELECT ?s { ?s ex:p ?o FILTER NOT EXISTS { ?x ex:q ?y } }",
    "SELECT ?s { ?s ex:p ?o MINUS { SELECT ?x { ?x ex:q ?y } } }",
    "SELECT ?s { ?s ex:p ?o { SELECT ?o (COUNT(*) AS ?n) { ?x ex:q ?o } GROUP BY ?o } }",
    "SELECT ?s { ?s ex:p ?o FILTER (RAND() < 0.5) }",
    "SELECT ?s FROM ex:g { ?s ex:p ?o }",
    "SELECT ?g { GRAPH ?g { } ?s ex:p ?o }",
    "SELECT ?s { { ?s ex:p ?o } UNION { BIND (ex:a AS ?x) } }",
    "SELECT ?s { SERVICE ex:there { ?s ex:p ?o } }",
    "ASK { ?s ex:p ?o }",
    # Whichever graph an engine evaluates them on, these read what holds no key.
    "SELECT ?g { GRAPH ?g { { SELECT ?x { ?x ex:p ?o } } } }",
    "SELECT ?g { GRAPH ?g { ?x ex:p ?o FILTER NOT EXISTS { ?x ex:q ?y } } }",
]


# Shapes a VALUES block narrows: each must still have a place for its variable's value, and
# each link both its ends (else the quads of a changed key would be left out of its run).
NARROWED = [
    "SELECT ?s { VALUES ?s { ex:a ex:b } ?s ex:p ?o }",
    "SELECT ?s { VALUES ?k { ex:a ex:b } ?s a ?k . ?k ex:label ?l }",
    "SELECT ?s { VALUES ?k { ex:a ex:b } ?s a ?k }",
    "SELECT ?s { VALUES ?k { ex:a ex:b } ?s a ?k OPTIONAL { ?s ex:label ?l } }",
]


@pytest.mark.parametrize("query", NARROWED)
def test_every_shape_holds_its_variable(query):
    scope = scope_of(PREFIXES + query)
    assert scope is not None
    assert all(KEY in shape for _, shape in scope.shapes), scope
    assert all(KEY in shape and LINKED in shape for *_, shape in scope.links), scope
    assert {variable for variable, _ in scope.shapes} >= {link[1] for link in scope.links}


def test_every_check_of_ours_has_a_key(settings):
    for path in sorted((settings.queries_dir / "checks").glob("*-violation.rq")):
        assert scope_of(settings.vocabulary.rebase(path.read_text(encoding="utf-8"))), path


@pytest.mark.parametrize("query", UNSUPPORTED)
def test_a_check_of_another_shape_has_none(query):
    assert scope_of(PREFIXES + query) is None


def _changed_from(release, breakage, settings, tmp_path):
    """The release broken as `breakage` breaks it: its store, and the last release (a folder
    whose report says it passed the checks as they are) with the change from it."""
    dataset = dataset_of(release)
    before = set(ox_quads(dataset))
    named = breakage(dataset, settings)
    after = set(ox_quads(dataset))
    change = tmp_path / "removed.nq", tmp_path / "added.nq"
    for path, quads in zip(change, (before - after, after - before), strict=True):
        ox.serialize(sorted(quads, key=str), path, ox.RdfFormat.N_QUADS)
    last = tmp_path / "last"
    last.mkdir()
    (last / REPORT_NAME).write_text(json.dumps({CHECKS_KEY: check_digests(settings)}),
                                    encoding="utf-8")
    return store_of(dataset), (last, change), named


BREAKAGES = [*((check, breakage) for check, breakage in VIOLATIONS.items()),
             *(("", breakage) for breakage in (_drop_end, _drop_text, _add_wrong_end,
                                               _unsource_segment))]


@pytest.mark.parametrize(("check", "breakage"), BREAKAGES)
def test_a_check_over_the_change_gives_the_whole_checks_rows(build_result, settings, tmp_path,
                                                             caplog, check, breakage):
    store, since, named = _changed_from(build_result, breakage, settings, tmp_path)
    check = check or named[0]
    with caplog.at_level("INFO", logger=CHECK_LOG):
        scoped = run_violation_queries(store, settings, since)
    over = next(r.message for r in caplog.records if "over the change" in r.message)
    assert f"{check}-violation.rq" in over.split(";")[0], over
    whole = run_violation_queries(store, settings)
    assert any(p.startswith(f"{check}-violation.rq:") for p in whole.problems)
    assert sorted(scoped.problems) == sorted(whole.problems)


def test_the_release_store_is_let_go(build_result, settings, tmp_path):
    """Once the checks ran over the change, nothing holds the release's store open: publish
    backs it up (docs/design.md, "Violation checks over the change")."""
    memory, since, _ = _changed_from(build_result, VIOLATIONS["segment-offsets"], settings,
                                     tmp_path)
    path = str(tmp_path / "store")
    store = ox.Store(path)
    store.bulk_extend(memory)
    assert not run_violation_queries(store, settings, since).conforms
    del store
    ox.Store(path)  # RocksDB's lock: raises OSError while the store is still open


def test_a_check_the_last_release_did_not_pass_runs_whole(build_result, settings, tmp_path,
                                                          caplog):
    store, (last, change), _ = _changed_from(build_result, VIOLATIONS["segment-offsets"],
                                             settings, tmp_path)
    passed = check_digests(settings)
    passed["segment-offsets-violation.rq"] = "an earlier text"
    (last / REPORT_NAME).write_text(json.dumps({CHECKS_KEY: passed}), encoding="utf-8")
    with caplog.at_level("INFO", logger=CHECK_LOG):
        result = run_violation_queries(store, settings, (last, change))
    over = next(r.message for r in caplog.records if "over the change" in r.message)
    assert "segment-offsets-violation.rq" in over.split("whole:")[1], over
    assert any(p.startswith("segment-offsets-violation.rq:") for p in result.problems)


def test_an_added_report_that_breaks_a_check_is_refused(repo_copy, caplog):
    """A curator's checks, one over the change and one run whole (LIMIT), both broken by a
    report added to a release that passed them: the add-one build is refused by both."""
    from bench.synthetic import reports, write_report

    checks = repo_copy.queries_dir / "checks"
    check = ("PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
             "SELECT ?thing ?label WHERE {\n  ?thing rdfs:label ?label\n"
             "  FILTER (CONTAINS(STR(?label), \"FORBIDDEN\"))\n}\n")
    (checks / "forbidden-label-violation.rq").write_text(check, encoding="utf-8")
    (checks / "forbidden-label-limit-violation.rq").write_text(check + "LIMIT 10\n",
                                                               encoding="utf-8")
    publish(build(repo_copy), repo_copy)
    name, quads = next(reports())
    label = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
    first = next(q for q in quads if q.predicate == label)
    forbidden = ox.Quad(first.subject, label, ox.Literal("a FORBIDDEN name", language="en"),
                        first.graph_name)
    write_report(repo_copy.data_dir, name, [forbidden if q == first else q for q in quads])
    with caplog.at_level("INFO", logger=CHECK_LOG), \
            caplog.at_level("INFO", logger="defence_kg.build.pipeline"), \
            pytest.raises(BuildError) as refused:
        build(repo_copy)
    assert "amended by the known change" in caplog.text
    over = next(r.message for r in caplog.records if "over the change" in r.message)
    scoped, whole = over.split("whole:")
    assert "forbidden-label-violation.rq" in scoped
    assert "forbidden-label-limit-violation.rq" in whole
    for broken in ("forbidden-label-violation.rq", "forbidden-label-limit-violation.rq"):
        assert f"{broken}: ?thing = {first.subject}" in str(refused.value)
