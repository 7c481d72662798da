"""Linked data over real HTTP: every IRI of the release dereferences in every format, with 303s,
negotiation, Link and Vary headers; 404s for the unknown; VoID, DCAT, sitemap; standard clients."""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from xml.etree import ElementTree

import pyoxigraph as ox
import pytest
from conftest import running_server
from pyld import jsonld
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCAT, DCTERMS, OWL, RDF, VOID

from defence_kg.build import build, publish
from defence_kg.build.publish import LINK_TARGETS
from defence_kg.settings import Settings
from defence_kg.web.linked_data import OFFERS

RDF_OFFERS = [o for o in OFFERS if o.extension != "html"]
SYNTAX = {o.extension: ox.RdfFormat.from_extension(o.extension) for o in RDF_OFFERS}
SYNTAX["nq"] = ox.RdfFormat.N_QUADS
BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


NO_REDIRECT = urllib.request.build_opener(_NoRedirect)


def get(url: str, accept: str | None = None, follow: bool = True, headers=None):
    """(status, headers, body) of a GET; redirects are followed only when asked."""
    request = urllib.request.Request(url, headers={**({"Accept": accept} if accept else {}),
                                                   **(headers or {})})
    opener = urllib.request.build_opener() if follow else NO_REDIRECT
    try:
        with opener.open(request, timeout=30) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def release_iris(release: Settings) -> set[str]:
    """Every IRI under the base in the published data and its VoID description."""
    dumps = release.release_dir / "dumps"
    quads = [*ox.parse(path=str(dumps / "defence-kg.nq"), format=ox.RdfFormat.N_QUADS),
             *ox.parse(path=str(dumps / "void.ttl"), format=ox.RdfFormat.TURTLE)]
    return {term.value for q in quads for term in (q.subject, q.predicate, q.object,
                                                   getattr(q, "graph_name", None))
            if isinstance(term, ox.NamedNode) and term.value.startswith(release.base_uri)}


def local_url(server: str, iri: str, base: str) -> str:
    """Where this server answers for iri (the fragment is never sent)."""
    return server + "/" + iri[len(base):].split("#")[0]


def load_context(url, options=None) -> dict:
    """pyld's document loader: the JSON-LD contexts the documents name, fetched over HTTP."""
    status, _, body = get(url)
    assert status == 200, url
    return {"contextUrl": None, "documentUrl": url, "document": json.loads(body)}


def statements(body: bytes, extension: str, url: str) -> list:
    """The quads (or triples) of a document, by pyoxigraph; JSON-LD is expanded by pyld first,
    as its @context is remote."""
    if extension == "jsonld":
        body = jsonld.to_rdf(json.loads(body), {"format": "application/n-quads", "base": url,
                                                "documentLoader": load_context}).encode()
        extension = "nq"
    return list(ox.parse(body, format=SYNTAX[extension], base_iri=url))


def mentions(body: bytes, extension: str, iri: str, url: str) -> bool:
    node = ox.NamedNode(iri)
    return any(node in (q.subject, q.predicate, q.object, getattr(q, "graph_name", None))
               for q in statements(body, extension, url))


@pytest.fixture(scope="module")
def things(release, live_server) -> list[str]:
    """The IRIs that name things (answered by 303), as opposed to the files and the endpoint,
    which are documents served as they are; each kind must answer."""
    iris = sorted(release_iris(release))
    assert len(iris) > 300
    things = []
    for iri in iris:
        status, _, _ = get(local_url(live_server, iri, release.base_uri),
                                 accept="text/turtle", follow=False)
        assert status in (200, 303), (iri, status)
        if status == 303:
            things.append(iri)
    assert {f"{release.base_uri}id/india", release.vocabulary.ontology_iri,
            release.vocabulary.dataset_iri} <= set(things)
    return things


def test_every_iri_dereferences_in_every_format(things, release, live_server):
    base = release.base_uri

    def check(iri: str) -> list[str]:
        problems = []
        url = local_url(live_server, iri, base)
        for offer in RDF_OFFERS:
            status, headers, _ = get(url, accept=offer.media_type, follow=False)
            location = urllib.parse.urljoin(url, headers.get("Location", ""))
            if status != 303 or not location.endswith("." + offer.extension) \
                    or "Accept" not in headers.get("Vary", ""):
                problems.append(f"{iri} {offer.media_type}: {status} {location}")
                continue
            status, headers, body = get(location)
            if status != 200 or headers.get_content_type() != offer.media_type \
                    or not mentions(body, offer.extension, iri, location):
                problems.append(f"{iri} {offer.media_type} at {location}: {status}")
        status, headers, body = get(url, accept=BROWSER_ACCEPT)
        if status != 200 or headers.get_content_type() != "text/html" \
                or iri not in body.decode("utf-8"):
            problems.append(f"{iri} as HTML: {status}")
        return problems

    with ThreadPoolExecutor(max_workers=4) as pool:
        problems = [p for found in pool.map(check, things) for p in found]
    assert not problems, "\n".join(problems[:20])


def test_documents_name_their_alternates_and_negotiate(live_server):
    status, headers, _ = get(live_server + "/doc/id/india", accept="application/n-triples")
    assert status == 200
    assert headers.get_content_type() == "application/n-triples"
    assert headers["Content-Location"].endswith("/doc/id/india.nt")
    assert "Accept" in headers["Vary"]
    alternates = dict(re.findall(r'<([^>]+)>; rel="alternate"; type="([^"]+)"', headers["Link"]))
    assert sorted(alternates.values()) == sorted(o.media_type for o in OFFERS)
    for target, media_type in alternates.items():
        status, headers, _ = get(urllib.parse.urljoin(live_server + "/doc/id/india", target))
        assert (status, headers.get_content_type()) == (200, media_type), target


def test_a_browser_is_sent_to_the_page_and_an_agent_to_the_data(live_server):
    status, headers, _ = get(live_server + "/id/india", accept=BROWSER_ACCEPT, follow=False)
    assert status == 303
    assert urllib.parse.urljoin(live_server + "/id/india", headers["Location"]) == \
        live_server + "/doc/id/india"
    status, headers, _ = get(live_server + "/id/india", accept="application/rdf+xml",
                             follow=False)
    assert status == 303 and headers["Location"].endswith("/doc/id/india.rdf")


def test_unknown_iris_are_404_pages_not_errors(live_server):
    for path in ("/id/atlantis", "/doc/id/atlantis", "/doc/id/atlantis.ttl", "/ontology/x",
                 "/graph/none", "/id/", "/doc/ontology/NoSuchTerm"):
        status, headers, body = get(live_server + path, accept=BROWSER_ACCEPT)
        assert status == 404, path
        assert headers.get_content_type() == "text/html"
        assert "<h1>Not found</h1>" in body.decode()
        status, headers, body = get(live_server + path, accept="text/turtle")
        assert status == 404, path
        assert b"nothing is known" in body


def test_nothing_acceptable_is_406(live_server):
    status, _, body = get(live_server + "/doc/id/india", accept="image/png")
    assert status == 406
    assert b"text/turtle" in body


def test_json_ld_uses_the_published_context_and_expands_to_the_turtle(release, live_server):
    context_status, _, context = get(live_server + "/context.jsonld")
    assert context_status == 200
    assert json.loads(context)["@context"] == release.vocabulary.prefixes

    for path in ("id/india", "id/rule/cax-sco", "dataset", "ontology",
                 "id/source/ani-2025-12-02/sentence/8"):
        _, _, document = get(f"{live_server}/doc/{path}.jsonld")
        compacted = json.loads(document)
        assert compacted["@context"] == live_server + "/context.jsonld"
        nquads = jsonld.to_rdf(compacted, {"format": "application/n-quads",
                                         "documentLoader": load_context})
        _, _, turtle = get(f"{live_server}/doc/{path}.ttl")
        assert isomorphic(Graph().parse(data=nquads, format="nt"),
                          Graph().parse(data=turtle, format="turtle")), path


def test_the_served_origin_resolves_another_base(tmp_path_factory):
    """A deployment under another base IRI, on another port: its IRIs resolve on this server."""
    base = "http://kg.example.org/defence/"
    settings = Settings.from_env({}, output_dir=tmp_path_factory.mktemp("other-base"),
                                 base_uri=base)
    publish(build(settings), settings)
    with running_server(settings, "--base-uri", base) as server:
        status, _, body = get(server + "/id/india", accept="text/turtle")
        assert status == 200
        graph = Graph().parse(data=body, format="turtle")
        assert (URIRef(base + "id/india"), None, None) in graph
        assert not any("w3id.org" in str(t) for triple in graph for t in triple)
        status, _, page = get(server + "/id/india", accept=BROWSER_ACCEPT)
        assert status == 200 and base + "id/india" in page.decode()


def test_pages_show_why_each_inference_holds(release, live_server):
    """For every subject with inferences: its page says because, names the rule, and cites the
    sentence or the ontology each asserted premise comes from."""
    explanations = str(release.vocabulary.explanations_graph)
    inferred_by = ox.NamedNode(str(release.vocabulary.ontology["inferredBy"]))
    quads = list(ox.parse(path=str(release.release_dir / "dumps" / "defence-kg.nq"),
                          format=ox.RdfFormat.N_QUADS))
    store = ox.Store()
    store.extend(quads)
    rows = store.query(f"""
        SELECT DISTINCT ?subject ?rule WHERE {{ GRAPH <{explanations}> {{
            ?statement <{RDF.subject}> ?subject ; <{inferred_by.value}> ?r .
            ?r <http://www.w3.org/2000/01/rdf-schema#label> ?rule }}
            GRAPH <{release.vocabulary.inferred_graph}> {{ ?subject ?p ?o }}
            FILTER(isIRI(?subject) && STRSTARTS(STR(?subject), "{release.base_uri}id/")) }}""")
    rules_by_subject: dict[str, set[str]] = {}
    for row in rows:
        rules_by_subject.setdefault(row["subject"].value, set()).add(row["rule"].value)
    assert rules_by_subject
    for subject, rules in rules_by_subject.items():
        _, _, body = get(local_url(live_server, subject, release.base_uri), accept="text/html")
        page = body.decode()
        assert "because:" in page, subject
        assert "badge\">inferred" in page, subject
        for rule in rules:
            assert f">{rule}</a>" in page, (subject, rule)


def test_pages_mark_the_resource_in_its_sentences(live_server):
    _, _, body = get(live_server + "/doc/id/s-500", accept="text/html")
    page = body.decode()
    assert "<mark>S-500</mark>" in page
    assert "Sentence 8 of the ANI report" in page
    assert re.search(r"<h3>Asserted</h3>.*missile defence system", page, re.S)
    assert re.search(r"<h3>Inferred</h3>.*military platform", page, re.S)
    assert "(ontology)" in page or ">ontology</a>" in page
    assert "http://dbpedia.org/resource/S-500_missile_system" in page


def test_void_describes_the_data_set(release, live_server):
    status, headers, body = get(live_server + "/.well-known/void")
    assert status == 200 and headers.get_content_type() == "text/turtle"
    void = Graph().parse(data=body, format="turtle")
    vocabulary = release.vocabulary
    dataset = URIRef(vocabulary.dataset_iri)
    dumps = release.release_dir / "dumps"
    quads = list(ox.parse(path=str(dumps / "defence-kg.nq"), format=ox.RdfFormat.N_QUADS))
    triples = {q.triple for q in quads}
    assert void.value(dataset, VOID.triples).toPython() == len(triples)
    assert void.value(dataset, VOID.sparqlEndpoint) == URIRef(vocabulary.base + "sparql")
    assert URIRef(vocabulary.ontology_iri) in set(void.objects(dataset, VOID.vocabulary))
    published = {p.name for p in dumps.iterdir()} - {"void.ttl", "SHA256SUMS"}
    assert {str(d).rsplit("/", 1)[1] for d in void.objects(dataset, VOID.dataDump)} == published
    classes = {}
    for t in triples:
        if t.predicate.value == str(RDF.type):
            classes[t.object.value] = classes.get(t.object.value, 0) + 1
    partitions = {str(void.value(p, VOID["class"])): void.value(p, VOID.entities).toPython()
                  for p in void.objects(dataset, VOID.classPartition)}
    assert partitions == classes
    properties = {}
    for t in triples:
        properties[t.predicate.value] = properties.get(t.predicate.value, 0) + 1
    assert {str(void.value(p, VOID.property)): void.value(p, VOID.triples).toPython()
            for p in void.objects(dataset, VOID.propertyPartition)} == properties
    linksets = {str(void.value(s, VOID.objectsTarget)): void.value(s, VOID.triples).toPython()
                for s in void.subjects(RDF.type, VOID.Linkset)}
    same_as = [t for t in triples if t.predicate.value == str(OWL.sameAs)]
    assert linksets == {prefix: sum(1 for t in same_as if t.object.value.startswith(prefix))
                        for prefix in LINK_TARGETS.values()}
    assert all(count > 0 for count in linksets.values())
    catalog = next(void.subjects(RDF.type, DCAT.Catalog))
    assert void.value(catalog, DCAT.dataset) == dataset
    service = void.value(catalog, DCAT.service)
    assert (service, RDF.type, DCAT.DataService) in void
    assert void.value(service, DCAT.endpointURL) == URIRef(vocabulary.base + "sparql")
    assert void.value(dataset, DCTERMS.license) == URIRef(
        "https://creativecommons.org/licenses/by/4.0/")
    assert isinstance(void.value(dataset, DCTERMS.rights), Literal)
    for distribution in void.objects(dataset, DCAT.distribution):
        name = str(void.value(distribution, DCAT.downloadURL)).rsplit("/", 1)[1]
        size = void.value(distribution, DCAT.byteSize).toPython()
        assert size == (dumps / name).stat().st_size, name


def test_sitemap_lists_every_described_resource_and_robots_points_to_it(release, live_server):
    status, _, robots = get(live_server + "/robots.txt")
    assert status == 200
    assert f"Sitemap: {live_server}/sitemap.xml" in robots.decode()
    status, headers, body = get(live_server + "/sitemap.xml")
    assert status == 200 and headers.get_content_type() == "application/xml"
    namespace = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    locations = [e.text for e in ElementTree.fromstring(body).findall("s:url/s:loc", namespace)]
    assert all(loc.startswith(live_server + "/") for loc in locations)
    assert f"{live_server}/doc/id/india" in locations
    assert f"{live_server}/doc/ontology/State" in locations
    assert f"{live_server}/doc/dataset" in locations

    def status_of(url):
        return url, get(url, accept=BROWSER_ACCEPT)[0]

    with ThreadPoolExecutor(max_workers=4) as pool:
        failed = [(u, s) for u, s in pool.map(status_of, locations) if s != 200]
    assert not failed


def test_standard_clients_query_the_endpoint(live_server, release):
    from rdflib.plugins.stores.sparqlstore import SPARQLStore
    from SPARQLWrapper import JSON, SPARQLWrapper

    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    client = SPARQLWrapper(live_server + "/sparql")
    client.setQuery(count)
    client.setReturnFormat(JSON)
    bindings = client.query().convert()["results"]["bindings"]
    expected = len({q.triple for q in ox.parse(
        path=str(release.release_dir / "dumps" / "defence-kg.nq"), format=ox.RdfFormat.N_QUADS)})
    assert int(bindings[0]["n"]["value"]) == expected
    client.setQuery(f"ASK {{ <{release.base_uri}id/india> ?p ?o }}")
    assert client.query().convert()["boolean"] is True
    store = SPARQLStore(live_server + "/sparql")  # SPARQL XML results, RDF/XML graphs
    graph = Graph(store=store)
    labels = {str(row.label) for row in graph.query(
        f"SELECT ?label WHERE {{ <{release.base_uri}id/india> "
        "<http://www.w3.org/2000/01/rdf-schema#label> ?label }")}
    assert labels == {"India"}
    constructed = graph.query(
        f"CONSTRUCT {{ <{release.base_uri}id/india> ?p ?o }} "
        f"WHERE {{ <{release.base_uri}id/india> ?p ?o }}")
    assert len(constructed) == sum(1 for t in {q.triple for q in ox.parse(
        path=str(release.release_dir / "dumps" / "defence-kg.nq"), format=ox.RdfFormat.N_QUADS)}
        if t.subject.value == f"{release.base_uri}id/india")
