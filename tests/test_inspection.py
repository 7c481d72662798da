"""What the endpoint learns about a query before running it (web/inspection.py): a table."""

from __future__ import annotations

import pytest

from defence_kg.web.inspection import inspect

DKG = "https://w3id.org/defence-kg/id/"


@pytest.mark.parametrize(("query", "describe"), [
    (f"DESCRIBE <{DKG}s-400>", True),
    (f"describe <{DKG}s-400>", True),
    (f"# a comment\nPREFIX dkg: <{DKG}>\nBASE <http://example.org/>\nDESCRIBE dkg:s-400", True),
    (f"PREFIX : <{DKG}>\nDESCRIBE ?x WHERE {{ ?x a ?type }}", True),
    ("PREFIX describe: <http://example.org/> SELECT * { ?s describe:p ?o }", False),
    ("SELECT ?describe WHERE { ?describe ?p ?o }", False),
    ("# DESCRIBE <x>\nSELECT * { ?s ?p ?o }", False),
    ("CONSTRUCT WHERE { ?s ?p ?o }", False),
    ("ASK { ?s ?p ?o }", False),
    # With FROM the full parser decides, and must agree.
    (f"DESCRIBE <{DKG}s-400> FROM <{DKG}graph>", True),
    (f"SELECT * FROM <{DKG}graph> {{ ?s ?p ?o }}", False),
])
def test_query_form(query, describe):
    assert inspect(query).describe is describe


@pytest.mark.parametrize(("query", "volatile"), [
    ("SELECT (RAND() AS ?r) {}", True),
    ("SELECT (NOW() AS ?t) {}", True),
    ("SELECT (STRUUID() AS ?u) {}", True),
    ("SELECT ?random { ?random ?p ?o }", False),
])
def test_volatile_functions_are_noticed(query, volatile):
    assert inspect(query).volatile is volatile


def test_service_targets_and_from_graphs_are_found():
    facts = inspect("PREFIX r: <http://remote.example/> SELECT * FROM <http://g.example/a> "
                    "FROM NAMED <http://g.example/b> { SERVICE r:sparql { ?s ?p ?o } "
                    "SERVICE ?endpoint { ?s ?p ?o } }")
    assert facts.services == ("http://remote.example/sparql", "?endpoint")
    assert set(facts.graphs) == {"http://g.example/a", "http://g.example/b"}
