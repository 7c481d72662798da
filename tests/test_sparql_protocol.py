"""The SPARQL 1.1 Protocol handlers, called through Flask's test client on the real release
(plus the W3C protocol tests' graphs): methods, errors, negotiation, datasets, limits and
safety; over the embedded store and over an Oxigraph server the same data is published to."""

from __future__ import annotations

import gzip
import io
import json
import logging
from dataclasses import replace

import pyoxigraph as ox
import pytest
from conftest import PROTOCOL_GRAPHS, STORES, opened_store
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import PROV, RDF, RDFS

from defence_kg.namespaces import SD
from defence_kg.web import create_app
from defence_kg.web.formats import GRAPHS, RESULTS

DATA1, DATA2, DATA3 = PROTOCOL_GRAPHS
ENDPOINT = "http://localhost/sparql"
FORM = "application/x-www-form-urlencoded"


@pytest.fixture(scope="module")
def protocol_settings(release, protocol_dataset):
    return replace(release, load=(protocol_dataset,))


@pytest.fixture(scope="module", params=STORES)
def store(request, protocol_settings):
    with opened_store(request.param, protocol_settings) as opened:
        yield opened


@pytest.fixture(scope="module")
def client(protocol_settings, store):
    return create_app(protocol_settings, store).test_client()


def ask(client, query, **params):
    response = client.get("/sparql", query_string={"query": query, **params},
                          headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 200, response.text
    return response.json["boolean"]


def select(client, query, **params):
    response = client.get("/sparql", query_string={"query": query, **params})
    assert response.status_code == 200, response.text
    return response.json["results"]["bindings"]


# --- the three ways to send a query -------------------------------------------------------

def test_get(client):
    response = client.get("/sparql", query_string={"query": "ASK {}"})
    assert response.status_code == 200
    assert response.mimetype == "application/sparql-results+json"
    assert response.json == {"head": {}, "boolean": True}


def test_post_form(client):
    response = client.post("/sparql", data={"query": "SELECT (1 AS ?one) {}"})
    assert response.status_code == 200
    assert response.json["results"]["bindings"] == [
        {"one": {"type": "literal", "value": "1",
                 "datatype": "http://www.w3.org/2001/XMLSchema#integer"}}]


def test_post_direct(client):
    response = client.post("/sparql", data="ASK { ?s ?p ?o }",
                           content_type="application/sparql-query")
    assert response.status_code == 200
    assert response.json["boolean"] is True


def test_post_direct_accepts_an_explicit_utf8_charset(client):
    query = 'SELECT ("Москва" AS ?city) {}'
    response = client.post("/sparql", data=query.encode("utf-8"),
                           content_type="application/sparql-query; charset=UTF-8")
    assert response.json["results"]["bindings"][0]["city"]["value"] == "Москва"


# --- bad requests ---------------------------------------------------------------------------

@pytest.mark.parametrize(("request_args", "status", "says"), [
    ({"method": "GET", "query_string": "query=ASK%20%7B%7D&query=ASK%20%7B%7D"}, 400, "2 queries"),
    ({"method": "POST", "data": {"default-graph-uri": DATA1}}, 400, "no queries"),
    ({"method": "POST", "data": "", "content_type": "application/sparql-query"}, 400, "empty"),
    ({"method": "GET", "query_string": {"query": "   \n"}}, 400, "empty"),
    ({"method": "POST", "data": "ASK {}", "content_type": "application/sparql-query",
      "query_string": {"query": "ASK {}"}}, 400, "two queries"),
    ({"method": "POST", "data": "ASK {}", "content_type": "text/plain"}, 415, "text/plain"),
    ({"method": "POST", "data": "query=ASK%20%7B%7D"}, 415, "without Content-Type"),
    ({"method": "POST", "data": "ASK {}".encode("utf-16"),
      "content_type": "application/sparql-query; charset=UTF-16"}, 415, "UTF-8"),
    ({"method": "POST", "data": b"ASK { \xff }", "content_type": "application/sparql-query"},
     400, "UTF-8"),
])
def test_bad_requests_say_what_is_wrong(client, request_args, status, says):
    response = client.open("/sparql", **request_args)
    assert response.status_code == status
    assert response.mimetype == "text/plain"
    assert says in response.text


def test_syntax_error_gives_the_parsers_message_and_position(client):
    response = client.get("/sparql", query_string={"query": "SELECT * WHERE {\n  ?s ?p }"})
    assert response.status_code == 400
    assert "SPARQL syntax error" in response.text
    assert "error at 2:" in response.text  # line and column from Oxigraph's parser


def test_head_answers_like_get_without_a_body(client):
    query = {"query": "ASK {}"}
    got = client.get("/sparql", query_string=query)
    head = client.head("/sparql", query_string=query)
    assert head.status_code == got.status_code == 200
    assert head.headers["Content-Type"] == got.headers["Content-Type"]
    assert head.data == b""
    assert client.head("/sparql").status_code == 200  # the service description


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH"])
def test_other_methods_get_405_with_allow(client, method):
    response = client.open("/sparql?query=ASK%20%7B%7D", method=method)
    assert response.status_code == 405
    assert {"GET", "POST"} <= {m.strip() for m in response.headers["Allow"].split(",")}


# --- read-only ------------------------------------------------------------------------------

UPDATE = f"INSERT DATA {{ GRAPH <{DATA1}> {{ <{DATA1}> <{DATA1}> <{DATA1}> }} }}"


@pytest.mark.parametrize("request_args", [
    {"method": "POST", "data": {"update": UPDATE}},
    {"method": "POST", "data": UPDATE, "content_type": "application/sparql-update"},
    {"method": "GET", "query_string": {"update": UPDATE}},
    {"method": "POST", "data": {"update": "CLEAR ALL", "query": "ASK {}"}},
    {"method": "POST", "data": {"update": f"LOAD <{DATA1}>"}},
])
def test_updates_are_refused_and_change_nothing(client, store, request_args):
    before = len(store)
    response = client.open("/sparql", **request_args)
    assert response.status_code == 403
    assert "read-only" in response.text
    assert len(store) == before
    assert not ask(client, f"ASK {{ <{DATA1}> <{DATA1}> <{DATA1}> }}")


def test_an_update_sent_as_a_query_is_a_syntax_error(client, store):
    before = len(store)
    response = client.post("/sparql", data={"query": "CLEAR ALL"})
    assert response.status_code == 400
    assert len(store) == before


# --- limits ---------------------------------------------------------------------------------

def test_query_length_limit(protocol_settings, store):
    client = create_app(replace(protocol_settings, max_query_length=50), store).test_client()
    assert client.get("/sparql", query_string={"query": "ASK {}"}).status_code == 200
    long_query = "ASK {}" + " " * 60
    response = client.post("/sparql", data={"query": long_query})
    assert response.status_code == 413
    assert "limit is 50" in response.text


def test_request_body_limit(protocol_settings, store):
    client = create_app(replace(protocol_settings, max_query_length=50), store).test_client()
    response = client.post("/sparql", data="#" * 1_000_000 + "\nASK {}",
                           content_type="application/sparql-query")
    assert response.status_code == 413


@pytest.fixture(scope="module")
def capped(protocol_settings, store):
    return create_app(replace(protocol_settings, result_limit=2), store).test_client()


def test_result_rows_are_capped_with_a_signal(capped):
    response = capped.get("/sparql", query_string={"query": "SELECT * { ?s ?p ?o }"})
    assert response.status_code == 200
    assert response.headers["X-Result-Truncated"] == "true"
    assert response.json["truncated"] is True
    assert len(response.json["results"]["bindings"]) == 2
    csv = capped.get("/sparql", query_string={"query": "SELECT * { ?s ?p ?o }",
                                              "format": "csv"})
    assert csv.headers["X-Result-Truncated"] == "true"
    assert csv.text.count("\r\n") == 3  # the header and two rows


def test_results_within_the_cap_are_not_marked(capped):
    response = capped.get("/sparql",
                          query_string={"query": "SELECT * { ?s ?p ?o } LIMIT 2"})
    assert "X-Result-Truncated" not in response.headers
    assert "truncated" not in response.json
    assert len(response.json["results"]["bindings"]) == 2


def test_graph_results_are_capped_too(capped):
    response = capped.get("/sparql", query_string={"query": "CONSTRUCT WHERE { ?s ?p ?o }",
                                                   "format": "nt"})
    assert response.headers["X-Result-Truncated"] == "true"
    assert len(list(ox.parse(response.data, format=ox.RdfFormat.N_TRIPLES))) == 2


@pytest.mark.parametrize("fmt", RESULTS, ids=lambda f: f.name)
def test_the_cap_holds_in_every_results_format(capped, fmt):
    response = capped.get("/sparql", query_string={"query": "SELECT * { ?s ?p ?o }",
                                                   "format": fmt.name})
    assert response.headers["X-Result-Truncated"] == "true"
    if fmt.name == "csv":  # pyoxigraph reads no CSV results
        assert response.text.count("\r\n") == 3
    else:
        assert len(list(ox.parse_query_results(response.data, fmt.syntax))) == 2


@pytest.mark.parametrize("fmt", GRAPHS, ids=lambda f: f.name)
@pytest.mark.parametrize("form", ["CONSTRUCT WHERE { ?s ?p ?o }", "DESCRIBE ?s { ?s a ?t }"])
def test_the_cap_holds_for_triples_in_every_rdf_format(capped, fmt, form):
    response = capped.get("/sparql", query_string={"query": form, "format": fmt.name})
    assert response.status_code == 200
    assert response.headers["X-Result-Truncated"] == "true"
    assert len(list(ox.parse(response.data, format=fmt.syntax))) == 2


def test_lines_inside_literals_do_not_confuse_the_cap(capped):
    query = 'SELECT ?x { VALUES ?x { "a\\nb\\tc" "d\\r\\ne" "f" } }'
    response = capped.get("/sparql", query_string={"query": query})
    assert [b["x"]["value"] for b in response.json["results"]["bindings"]] == ["a\nb\tc", "d\r\ne"]
    assert response.json["truncated"] is True


# --- negotiation ----------------------------------------------------------------------------

def _parses_as_results(body: bytes, fmt):
    return ox.parse_query_results(body, fmt.syntax) if fmt.name != "csv" else body.decode()


@pytest.mark.parametrize("fmt", RESULTS, ids=lambda f: f.name)
def test_select_in_every_results_format(client, fmt):
    query = f"SELECT ?doc WHERE {{ GRAPH ?g {{ ?doc a ?type }} FILTER(?g = <{DATA1}>) }}"
    response = client.get("/sparql", query_string={"query": query},
                          headers={"Accept": fmt.media_type})
    assert response.status_code == 200
    assert response.mimetype == fmt.media_type
    assert "Accept" in response.headers["Vary"]
    if fmt.name == "csv":  # pyoxigraph reads no CSV results; CSV keeps only the value
        assert response.text == f"doc\r\n{DATA1}\r\n"
    else:
        rows = list(ox.parse_query_results(response.data, fmt.syntax))
        assert [row["doc"] for row in rows] == [ox.NamedNode(DATA1)]


@pytest.mark.parametrize("fmt", RESULTS, ids=lambda f: f.name)
def test_ask_in_every_results_format(client, fmt):
    response = client.get("/sparql", query_string={"query": f"ASK {{ <{DATA2}> a ?t }}",
                                                   "format": fmt.name})
    assert response.status_code == 200
    assert response.mimetype == fmt.media_type
    if fmt.name in ("json", "xml"):
        assert bool(ox.parse_query_results(response.data, fmt.syntax)) is True
    else:
        assert response.text.strip() == "true"


@pytest.mark.parametrize("fmt", GRAPHS, ids=lambda f: f.name)
def test_construct_in_every_rdf_format(client, fmt):
    query = f"CONSTRUCT {{ ?doc a ?type }} WHERE {{ GRAPH <{DATA3}> {{ ?doc a ?type }} }}"
    response = client.get("/sparql", query_string={"query": query},
                          headers={"Accept": f"{fmt.media_type};q=0.9, text/plain;q=0.1"})
    assert response.status_code == 200
    assert response.mimetype == fmt.media_type
    parsed = [q.triple for q in ox.parse(response.data, format=fmt.syntax)]
    assert parsed == [ox.Triple(ox.NamedNode(DATA3), ox.NamedNode(str(RDF.type)),
                                ox.NamedNode("http://xmlns.com/foaf/0.1/Document"))]


def test_format_parameter_wins_over_accept(client):
    response = client.get("/sparql", query_string={"query": "ASK {}", "format": "xml"},
                          headers={"Accept": "application/sparql-results+json"})
    assert response.mimetype == "application/sparql-results+xml"


def test_aliases_are_answered_with_the_type_asked_for(client):
    response = client.get("/sparql", query_string={"query": "ASK {}"},
                          headers={"Accept": "application/json"})
    assert response.mimetype == "application/json"
    assert response.json["boolean"] is True


def test_406_names_the_offered_types(client):
    response = client.get("/sparql", query_string={"query": "SELECT * {}"},
                          headers={"Accept": "text/turtle"})
    assert response.status_code == 406
    assert "application/sparql-results+json" in response.text
    assert "text/tab-separated-values" in response.text
    graph = client.get("/sparql", query_string={"query": "CONSTRUCT WHERE { ?s ?p ?o }",
                                                "format": "csv"})
    assert graph.status_code == 406
    assert "ttl" in graph.text


# --- datasets -------------------------------------------------------------------------------

def test_default_graph_is_the_union_as_a_set(client, protocol_settings):
    dump = protocol_settings.release_dir / "dumps" / "defence-kg.nt"
    distinct = len(set(ox.parse(path=str(dump), format=ox.RdfFormat.N_TRIPLES))) + 3
    rows = select(client, "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }")
    assert int(rows[0]["n"]["value"]) == distinct


def test_protocol_default_graphs(client):
    query = f"ASK {{ <{DATA1}> a ?t . <{DATA2}> a ?t }}"
    assert ask(client, query, **{"default-graph-uri": [DATA1, DATA2]})
    assert not ask(client, query, **{"default-graph-uri": [DATA1]})


def test_protocol_named_graphs(client):
    query = "SELECT ?g { GRAPH ?g { ?s ?p ?o } }"
    rows = select(client, query, **{"named-graph-uri": [DATA1, DATA3]})
    assert sorted(row["g"]["value"] for row in rows) == [DATA1, DATA3]


def test_from_clauses_are_honoured(client):
    assert ask(client, f"ASK FROM <{DATA1}> {{ <{DATA1}> a ?t }}")
    assert not ask(client, f"ASK FROM <{DATA1}> {{ <{DATA2}> a ?t }}")
    rows = select(client, f"SELECT ?g FROM NAMED <{DATA2}> {{ GRAPH ?g {{ ?s ?p ?o }} }}")
    assert [row["g"]["value"] for row in rows] == [DATA2]


def test_protocol_dataset_replaces_from_clauses(client):
    query = f"ASK FROM <{DATA3}> {{ <{DATA3}> a ?t }}"
    assert ask(client, query)
    assert not ask(client, query, **{"named-graph-uri": DATA1})
    assert ask(client, query, **{"default-graph-uri": DATA3})


def test_relative_iris_resolve_against_the_endpoint(client):
    rows = select(client, "SELECT (<thing> AS ?iri) {}")
    assert rows[0]["iri"]["value"] == "http://localhost/thing"


# --- DESCRIBE -------------------------------------------------------------------------------

PROVENANCE = """PREFIX prov: <http://www.w3.org/ns/prov#>
SELECT ?resource ?graph ?sentence WHERE {
  GRAPH ?graph { ?resource ?p ?o } ?graph prov:wasDerivedFrom ?sentence
  FILTER(isIRI(?resource))
} ORDER BY ?resource ?graph LIMIT 1"""
LINKED_LABEL = """PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?resource ?linked ?label WHERE {
  GRAPH ?g { ?resource ?p ?linked } ?linked rdfs:label ?label FILTER(isIRI(?resource))
} ORDER BY ?resource ?linked LIMIT 1"""


def test_describe_gives_statements_in_their_graphs_and_their_sentences(client):
    row = select(client, PROVENANCE)[0]
    resource, graph, sentence = (URIRef(row[k]["value"]) for k in ("resource", "graph",
                                                                    "sentence"))
    response = client.get("/sparql", query_string={"query": f"DESCRIBE <{resource}>",
                                                   "format": "trig"})
    assert response.status_code == 200
    described = Dataset()
    described.parse(data=response.text, format="trig")
    assert any(described.graph(graph).predicate_objects(resource))
    assert (graph, PROV.wasDerivedFrom, sentence) in described.default_graph


def test_describe_labels_linked_resources(client):
    row = select(client, LINKED_LABEL)[0]
    resource, linked = URIRef(row["resource"]["value"]), URIRef(row["linked"]["value"])
    label = row["label"]
    response = client.get("/sparql", query_string={"query": f"DESCRIBE <{resource}>"})
    assert response.mimetype == "text/turtle"
    graph = Graph().parse(data=response.text, format="turtle")
    assert (linked, RDFS.label, Literal(label["value"], lang=label.get("xml:lang"),
                                        datatype=label.get("datatype"))) in graph


# --- service description --------------------------------------------------------------------

@pytest.mark.parametrize(("accept", "syntax"), [
    (None, "turtle"), ("application/ld+json", "json-ld"), ("application/rdf+xml", "xml")])
def test_service_description(client, accept, syntax):
    response = client.get("/sparql", headers={"Accept": accept} if accept else {})
    assert response.status_code == 200
    graph = Graph().parse(data=response.data, format=syntax)
    service = graph.value(predicate=RDF.type, object=SD.Service)
    assert graph.value(service, SD.endpoint) == URIRef(ENDPOINT)
    assert (service, SD.supportedLanguage, SD.SPARQL11Query) in graph
    formats = set(graph.objects(service, SD.resultFormat))
    assert URIRef("http://www.w3.org/ns/formats/SPARQL_Results_JSON") in formats
    dataset = graph.value(service, SD.defaultDataset)
    names = {graph.value(named, SD.name) for named in graph.objects(dataset, SD.namedGraph)}
    assert {URIRef(DATA1), URIRef(DATA2), URIRef(DATA3)} <= names
    assert URIRef("http://localhost/dumps/void.ttl") in set(graph.objects(dataset, RDFS.seeAlso))


# --- safety ---------------------------------------------------------------------------------

def test_service_is_refused_without_any_request(client, listener):
    url = listener.url()
    for query in (f"SELECT * {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
                  f"PREFIX r: <{url}> SELECT * {{ SERVICE SILENT r: {{ ?s ?p ?o }} }}",
                  "SELECT * { BIND(<x> AS ?u) SERVICE ?u { ?s ?p ?o } }"):
        response = client.get("/sparql", query_string={"query": query})
        assert response.status_code == 400, query
        assert "SERVICE" in response.text
    assert not listener.contacted()


def test_from_a_graph_the_store_lacks_is_refused_without_any_request(client, listener):
    url = listener.url("/data.ttl")
    for query in (f"ASK FROM <{url}> {{ ?s ?p ?o }}",
                  f"ASK FROM <{DATA1}> FROM NAMED <{url}> {{ ?s ?p ?o }}",
                  f"PREFIX r: <{listener.url('/')}> ASK FROM r:data.ttl {{}}",
                  "ASK FROM <data.ttl> {}"):  # relative: the endpoint's own address
        response = client.get("/sparql", query_string={"query": query})
        assert response.status_code == 400, query
        assert "FROM <http://" in response.text and "refused" in response.text
    assert not listener.contacted()


def test_an_unreadable_query_naming_from_is_refused(client):
    response = client.get("/sparql", query_string={"query": "ASK FROM <x> { ?s ?p ?o "})
    assert response.status_code == 400
    assert "could not be checked" in response.text


def test_allowed_from_iris_are_dataset_clauses_never_fetched(protocol_settings, store, listener):
    url = listener.url("/data.ttl")
    client = create_app(replace(protocol_settings, allowed_remote=(url,)), store).test_client()
    assert not ask(client, f"ASK FROM <{url}> FROM NAMED <{url}> {{ ?s ?p ?o }}")
    assert not listener.contacted()


def test_protocol_datasets_may_name_any_graph(client):
    # The W3C protocol tests name graphs a service need not hold (data0.rdf) and expect answers.
    unheld = "http://kasei.us/2009/09/sparql/data/data0.rdf"
    assert not ask(client, "ASK { ?s ?p ?o }", **{"default-graph-uri": unheld})


def test_the_word_service_in_a_literal_is_no_service(client):
    assert select(client, 'SELECT ("SERVICE <http://example.org/>" AS ?s) {}')


def test_allowed_remote_endpoints_may_be_federated(protocol_settings, store, remote_endpoint):
    url = remote_endpoint.url
    client = create_app(replace(protocol_settings, allowed_remote=(url,)), store).test_client()
    response = client.get("/sparql", query_string={
        "query": f"SELECT ?x {{ SERVICE <{url}> {{ ?x ?p ?o }} }}"})
    assert response.status_code == 200, response.text
    assert response.json["results"]["bindings"][0]["x"]["value"] == "answer 1"
    assert remote_endpoint.calls == 1  # fetched once, whichever store answers


# --- HTTP details ---------------------------------------------------------------------------

def test_cors(client):
    response = client.get("/sparql", query_string={"query": "ASK {}"},
                          headers={"Origin": "https://example.org"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    preflight = client.options("/sparql", headers={
        "Origin": "https://example.org", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type"})
    assert preflight.status_code == 200
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
    assert "content-type" in preflight.headers["Access-Control-Allow-Headers"].lower()


def test_large_responses_are_gzipped_when_accepted(client):
    numbers = " ".join(map(str, range(2000)))
    query = f"SELECT ?n {{ VALUES ?n {{ {numbers} }} }}"
    plain = client.get("/sparql", query_string={"query": query})
    zipped = client.get("/sparql", query_string={"query": query},
                        headers={"Accept-Encoding": "gzip"})
    small = client.get("/sparql", query_string={"query": "ASK {}"},
                       headers={"Accept-Encoding": "gzip"})
    assert "Content-Encoding" not in small.headers
    assert "Content-Encoding" not in plain.headers
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(zipped.data) == plain.data


def test_one_structured_log_line_per_request(client, caplog):
    with caplog.at_level(logging.INFO, logger="defence_kg.requests"):
        client.get("/sparql", query_string={"query": "SELECT * { VALUES ?x { 1 2 3 } }"})
        client.get("/sparql", query_string={"query": "ASK {"})
    lines = [json.loads(r.getMessage()) for r in caplog.records
             if r.name == "defence_kg.requests"]
    assert [(line["status"], line["rows"]) for line in lines] == [(200, 3), (400, None)]
    assert all(len(line["query_hash"]) == 16 and line["method"] == "GET" for line in lines)
    assert lines[0]["query_hash"] != lines[1]["query_hash"]
    assert all(line["ms"] >= 0 for line in lines)


def test_nothing_in_a_response_is_a_traceback(client):
    response = client.get("/sparql", query_string={"query": "SELECT * { ?s ?p"})
    assert "Traceback" not in response.text
    assert io.StringIO(response.text).readline().startswith("SPARQL syntax error")
