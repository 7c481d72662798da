"""The W3C SPARQL 1.1 Protocol and Service Description tests, replayed over real HTTP.

Each manifest entry becomes one test: its requests are sent as written (method, path,
headers, body in its declared encoding) to a running server that also serves the tests'
named graphs, and the status, media type and answer are checked as the manifest says.

The tests are an external resource (Settings.w3c_tests, by default ../shared/w3c-sparql11):
without them these tests are skipped, with one line saying where to put them.

The endpoint is read-only, so, as the suite's README states, every update request must be
refused with a 4xx (403 where the manifest expected success); the queries that follow a
refused update then prove that nothing changed: their ASK answers false.
"""

from __future__ import annotations

import http.client
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pyoxigraph as ox
import pytest
from conftest import w3c_tests_dir
from rdflib import Graph, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS
from rdflib.term import Node

from defence_kg.namespaces import SD

W3C_DIR = w3c_tests_dir()  # or this module is skipped, with one line saying where they go
PROTOCOL = W3C_DIR / "protocol" / "manifest.ttl"
SERVICE_DESCRIPTION = W3C_DIR / "service-description" / "manifest.ttl"
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
HTS = Namespace("http://www.w3.org/2011/http-statusCodes#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
CNT = Namespace("http://www.w3.org/2011/content#")
STATUS_CLASSES = {HTS.StatusCode2xx: 2, HTS.StatusCode3xx: 3, HTS.StatusCode4xx: 4,
                  HTS.StatusCode5xx: 5}
BOOLEAN_TYPES = {"application/sparql-results+json": ox.QueryResultsFormat.JSON,
                 "application/sparql-results+xml": ox.QueryResultsFormat.XML}
TABULAR_TYPES = {**BOOLEAN_TYPES, "text/tab-separated-values": ox.QueryResultsFormat.TSV,
                 "text/csv": None}
RDF_TYPES = {"application/rdf+xml": ox.RdfFormat.RDF_XML, "text/turtle": ox.RdfFormat.TURTLE,
             "application/n-triples": ox.RdfFormat.N_TRIPLES}
ENDPOINT_PATH = "/sparql"  # the manifest's paths start with /sparql/, to be replaced


@dataclass(frozen=True)
class Exchange:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes | None
    statuses: frozenset[int]  # expected status classes: 2 for 2xx, ...
    expected_format: str | None
    expected_boolean: bool | None

    @property
    def is_update(self) -> bool:
        content_type = self.headers.get("content-type", "")
        return ("sparql-update" in content_type or "update=" in self.path
                or "using-" in self.path or (self.body or b"").startswith(b"update="))


def read_protocol_manifest(path: Path) -> list[tuple[str, list[Exchange]]]:
    graph = Graph().parse(path, format="turtle")
    manifest = graph.value(predicate=RDF.type, object=MF.Manifest)
    return [(_local_name(entry), _exchanges(graph, entry))
            for entry in Collection(graph, graph.value(manifest, MF.entries))]


def _exchanges(graph: Graph, entry: Node) -> list[Exchange]:
    action = graph.value(entry, MF.action)
    exchanges = []
    for request in Collection(graph, graph.value(action, HT.requests)):
        headers = {}
        if (header_list := graph.value(request, HT.headers)) is not None:
            for header in Collection(graph, header_list):
                headers[str(graph.value(header, HT.fieldName)).lower()] = str(
                    graph.value(header, HT.fieldValue))
        body = graph.value(request, HT.body)
        if body is not None:
            encoding = str(graph.value(body, CNT.characterEncoding) or "UTF-8")
            body = str(graph.value(body, CNT.chars)).encode(encoding)
        response = graph.value(request, HT.resp)
        boolean = graph.value(response, MF.expectedBoolean)
        expected_format = graph.value(response, MF.expectedFormat)
        exchanges.append(Exchange(
            method=str(graph.value(request, HT.methodName)),
            path=str(graph.value(request, HT.absolutePath)).replace("/sparql/", ENDPOINT_PATH, 1),
            headers=headers,
            body=body,
            statuses=frozenset(STATUS_CLASSES[s] for s in graph.objects(response,
                                                                         MF.expectedStatus)),
            expected_format=None if expected_format is None else str(expected_format),
            expected_boolean=None if boolean is None else boolean.toPython(),
        ))
    return exchanges


def _local_name(iri: Node) -> str:
    return str(iri).rsplit("#", 1)[-1]


def _protocol_cases():
    return [pytest.param(name, exchanges, id=name)
            for name, exchanges in read_protocol_manifest(PROTOCOL)]


def send(base_url: str, exchange: Exchange) -> http.client.HTTPResponse:
    address = urlsplit(base_url)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=30)
    connection.request(exchange.method, exchange.path, body=exchange.body,
                       headers=exchange.headers)
    response = connection.getresponse()
    response.body = response.read()
    connection.close()
    return response


def test_the_w3c_test_data_is_present():
    assert SERVICE_DESCRIPTION.is_file(), "the W3C service description tests are missing"
    assert len(read_protocol_manifest(PROTOCOL)) == 34


def test_the_protocol_graphs_served_are_the_manifests(protocol_dataset):
    """Each file of a ut:graphData, loaded into the graph its label names: the quads the
    servers of these tests hold besides the release (conftest.protocol_dataset)."""
    manifest = Graph().parse(PROTOCOL, format="turtle")
    declared = set()
    for data in manifest.objects(None, UT.graphData):
        path = PROTOCOL.parent / str(manifest.value(data, UT.graph)).rsplit("/", 1)[-1]
        graph = ox.NamedNode(str(manifest.value(data, RDFS.label)))
        declared |= {ox.Quad(quad.subject, quad.predicate, quad.object, graph)
                     for quad in ox.parse(path=str(path), format=ox.RdfFormat.N_TRIPLES)}
    served = set(ox.parse(path=str(protocol_dataset), format=ox.RdfFormat.N_QUADS))
    assert declared and served == declared


@pytest.mark.parametrize(("name", "exchanges"), _protocol_cases())
def test_protocol(w3c_server, name, exchanges):
    refused_update = False
    for exchange in exchanges:
        response = send(w3c_server, exchange)
        status_class = response.status // 100
        if exchange.is_update:
            refused_update = True
            assert status_class == 4, (exchange.path, response.status, response.body)
            if 4 not in exchange.statuses:  # a valid update: refused as read-only
                assert response.status == 403, response.body
            continue
        assert status_class in exchange.statuses, (response.status, response.body)
        if exchange.expected_format is not None:
            answer = _check_format(response, exchange.expected_format)
            if exchange.expected_boolean is not None:
                expected = False if refused_update else exchange.expected_boolean
                assert bool(answer) is expected


def _check_format(response, expected_format: str):
    media_type = response.getheader("Content-Type", "").split(";")[0].strip()
    offered = {"boolean": BOOLEAN_TYPES, "tabular": TABULAR_TYPES, "RDF": RDF_TYPES}
    syntaxes = offered[expected_format]
    assert media_type in syntaxes, f"{media_type} is not {expected_format}"
    syntax = syntaxes[media_type]
    if syntax is None:  # CSV: pyoxigraph does not read it back
        return response.body.decode("utf-8")
    if expected_format == "RDF":
        return list(ox.parse(response.body, format=syntax))
    return ox.parse_query_results(response.body, syntax)


# --- service description ---------------------------------------------------------------------

SD_TERMS = {SD[t] for t in (
    "Service", "endpoint", "supportedLanguage", "feature", "defaultEntailmentRegime",
    "entailmentRegime", "defaultSupportedEntailmentProfile", "supportedEntailmentProfile",
    "extensionFunction", "extensionAggregate", "languageExtension", "inputFormat",
    "resultFormat", "defaultDataset", "availableGraphs", "propertyFeature", "Language",
    "SPARQL10Query", "SPARQL11Query", "SPARQL11Update", "Function", "Aggregate", "Feature",
    "DereferencesURIs", "UnionDefaultGraph", "RequiresDataset", "EmptyGraphs",
    "BasicFederatedQuery", "EntailmentRegime", "EntailmentProfile", "GraphCollection", "Dataset",
    "defaultGraph", "namedGraph", "NamedGraph", "name", "graph", "Graph",
)}


def _service_description(base_url: str) -> tuple[Graph, str]:
    response = send(base_url, Exchange("GET", ENDPOINT_PATH, {}, None, frozenset(), None, None))
    assert response.status == 200, response.body
    media_type = response.getheader("Content-Type", "").split(";")[0].strip()
    assert media_type in RDF_TYPES, media_type
    syntax = {"text/turtle": "turtle", "application/rdf+xml": "xml",
              "application/n-triples": "nt"}[media_type]
    return Graph().parse(data=response.body, format=syntax), base_url + ENDPOINT_PATH


def returns_rdf(graph: Graph, endpoint: str) -> None:
    assert len(graph) > 0


def has_endpoint_triple(graph: Graph, endpoint: str) -> None:
    assert (None, SD.endpoint, URIRef(endpoint)) in graph


def conforms_to_schema(graph: Graph, endpoint: str) -> None:
    """The terms and shapes of https://www.w3.org/TR/sparql11-service-description/#vocab."""
    used = {p for p in graph.predicates() if str(p).startswith(str(SD))}
    used |= {o for o in graph.objects() if str(o).startswith(str(SD))}
    assert used <= SD_TERMS, used - SD_TERMS
    services = list(graph.subjects(RDF.type, SD.Service))
    assert len(services) == 1
    service = services[0]
    assert all(isinstance(e, URIRef) for e in graph.objects(service, SD.endpoint))
    assert set(graph.objects(service, SD.supportedLanguage)) <= {
        SD.SPARQL10Query, SD.SPARQL11Query, SD.SPARQL11Update}
    assert all(isinstance(f, URIRef) for f in graph.objects(service, SD.resultFormat))
    for dataset in graph.objects(service, SD.defaultDataset):
        assert (dataset, RDF.type, SD.Dataset) in graph
        for default in graph.objects(dataset, SD.defaultGraph):
            assert (default, RDF.type, SD.Graph) in graph
        for named in graph.objects(dataset, SD.namedGraph):
            assert (named, RDF.type, SD.NamedGraph) in graph
            names = list(graph.objects(named, SD.name))
            assert len(names) == 1 and isinstance(names[0], URIRef)


SERVICE_DESCRIPTION_CHECKS = {"returns-rdf": returns_rdf,
                              "has-endpoint-triple": has_endpoint_triple,
                              "conforms-to-schema": conforms_to_schema}


def _service_description_cases():
    graph = Graph().parse(SERVICE_DESCRIPTION, format="turtle")
    manifest = graph.value(predicate=RDF.type, object=MF.Manifest)
    return [pytest.param(_local_name(e), id=_local_name(e))
            for e in Collection(graph, graph.value(manifest, MF.entries))]


@pytest.mark.parametrize("name", _service_description_cases())
def test_service_description(w3c_server, name):
    assert name in SERVICE_DESCRIPTION_CHECKS, f"no check written for the W3C test {name}"
    SERVICE_DESCRIPTION_CHECKS[name](*_service_description(w3c_server))
