"""An external store (`publish --to`, `serve --store`): the same pages, documents and answers as
the embedded store; publish replaces graphs, deletes those of ours a release dropped and keeps
others', and records the release, which serve checks; credentials are sent and never shown; a
store that fails is the endpoint's 502, one that refuses a query its 400.

Real Oxigraph servers on loopback; for answers Oxigraph would never give (401, 400, 500), a
plain HTTP server that records what it is sent.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import subprocess
import threading
import urllib.parse
import urllib.request
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pyoxigraph as ox
import pytest
from conftest import CLI, free_port, opened_store, oxigraph_server, publish_to

from defence_kg.rdf import canonical
from defence_kg.stores.embedded import QueryStore
from defence_kg.stores.querying import Query, StoreUnavailable
from defence_kg.stores.remote import RemoteStore
from defence_kg.web import create_app
from defence_kg.web.linked_data import EXTENSIONS

HTML = {"Accept": "text/html"}


@pytest.fixture(scope="module")
def clients(release):
    """Test clients of the app over the embedded store and over an Oxigraph server."""
    with opened_store("oxigraph", release) as remote:
        yield (create_app(release, QueryStore.from_release(release)).test_client(),
               create_app(release, remote).test_client())


def release_iris(release) -> list[str]:
    quads = ox.parse(path=str(release.release_dir / "dumps" / "defence-kg.nq"),
                     format=ox.RdfFormat.N_QUADS)
    return sorted({term.value for quad in quads for term in quad
                   if isinstance(term, ox.NamedNode) and term.value.startswith(release.base_uri)})


def test_every_page_and_document_is_the_same_from_both_stores(clients, release):
    embedded, remote = clients
    different = []
    for iri in release_iris(release):
        path = "/doc/" + iri.removeprefix(release.base_uri).replace("#", "/", 1)
        # JSON-LD is written by rdflib, whose parser labels blank nodes at random, so its
        # order varies from one request to the next; it is made from the same quads as N-Quads.
        for extension in (e for e in EXTENSIONS if e != "jsonld"):
            ours, theirs = (client.get(f"{path}.{extension}") for client in clients)
            assert ours.status_code == 200, (path, extension)
            if (ours.status_code, ours.data) != (theirs.status_code, theirs.data):
                different.append(f"{path}.{extension}")
    assert not different, different[:20]
    for path in ("/sitemap.xml", "/.well-known/void", "/dumps/", "/"):
        assert embedded.get(path, headers=HTML).data == remote.get(path, headers=HTML).data, path


@pytest.mark.parametrize("resource", [
    "id/india", "ontology#DefenceCooperation", "ontology", "id/source/ani-2025-12-02"])
def test_describe_gives_the_same_description_from_both_stores(clients, release, resource):
    query = f"DESCRIBE <{release.base_uri}{resource}>"
    answers = [client.get("/sparql", query_string={"query": query, "format": "nq"})
               for client in clients]
    assert all(answer.status_code == 200 for answer in answers)
    embedded, remote = (canonical(ox.parse(answer.data, format=ox.RdfFormat.N_QUADS))
                        for answer in answers)
    assert embedded and embedded == remote


def test_both_stores_describe_the_same_service(clients):
    embedded, remote = (client.get("/sparql", query_string={"format": "nt"}) for client in clients)
    assert canonical(ox.parse(embedded.data, format=ox.RdfFormat.N_TRIPLES)) == \
        canonical(ox.parse(remote.data, format=ox.RdfFormat.N_TRIPLES))


# --- publish and serve ----------------------------------------------------------------------

def count(store_url: str, query: str) -> int:
    request = urllib.request.Request(store_url, data=query.encode(), headers={
        "Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return int(json.load(response)["results"]["bindings"][0]["n"]["value"])


def test_publish_replaces_our_graphs_and_keeps_others(release, tmp_path):
    base = release.base_uri
    extra = tmp_path / "extra.nq"
    extra.write_text(f"<{base}id/x> <{base}ontology#p> <{base}id/y> <{base}graph/extra> .\n")
    with oxigraph_server(tmp_path) as (_, store_url):
        theirs = f"{store_url.removesuffix('/query')}/store?graph=http://example.org/theirs"
        urllib.request.urlopen(urllib.request.Request(
            theirs, method="PUT", data=b'<http://example.org/a> <http://example.org/b> "1" .',
            headers={"Content-Type": "application/n-triples"}), timeout=30)
        publish_to(release, store_url, [extra])
        with_extra = RemoteStore(replace(release, store=store_url), "")
        assert with_extra.holds_graph(f"{base}graph/extra")

        publish_to(release, store_url)
        store = RemoteStore.connect(replace(release, store=store_url))
        assert not store.holds_graph(f"{base}graph/extra")  # ours, dropped by the release
        assert store.holds_graph("http://example.org/theirs")  # not ours: kept
        expected = QueryStore.from_release(release)
        assert len(store) == len(expected) + 1
        assert [g for g in store.graph_names() if g.value.startswith(base)] == \
            expected.graph_names()
        # the default graph is the union of the named graphs, each triple once
        union = "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"
        assert count(store_url, union) == count_embedded(expected, union) + 1


def count_embedded(store: QueryStore, query: str) -> int:
    return int(next(iter(store.query(query)))["n"].value)


def test_serve_refuses_a_store_holding_another_release(release, tmp_path):
    extra = tmp_path / "extra.nq"
    extra.write_text(f"<{release.base_uri}id/x> <{release.base_uri}ontology#p> \"1\" "
                     f"<{release.base_uri}graph/extra> .\n")
    with oxigraph_server(tmp_path) as (_, store_url):
        publish_to(release, store_url, [extra])
        completed = subprocess.run(
            [CLI, "serve", "--output-dir", str(release.output_dir), "--port", str(free_port()),
             "--store", store_url], capture_output=True, text=True, timeout=60)
    assert completed.returncode == 2
    assert "holds release" in completed.stderr and "defence-kg publish" in completed.stderr


class Recorder(BaseHTTPRequestHandler):
    """Answers every request with the server's `status` and `body`, recording its headers."""

    def do_POST(self):
        self.server.seen.append(self.headers)
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        body = self.server.body.encode()
        self.send_response(self.server.status)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_PUT = do_GET = do_POST

    def log_message(self, *args):
        pass


@contextlib.contextmanager
def recorder(status: int, body: str):
    server = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    server.status, server.body, server.seen = status, body, []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server, f"http://127.0.0.1:{server.server_address[1]}/query"
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize(("environ", "header"), [
    ({"DEFENCE_KG_STORE_USER": "alice", "DEFENCE_KG_STORE_PASSWORD": "pw-3141"},
     "Basic " + base64.b64encode(b"alice:pw-3141").decode()),
    ({"DEFENCE_KG_STORE_TOKEN": "tok-2718"}, "Bearer tok-2718"),
])
def test_credentials_are_sent_and_never_shown(release, environ, header):
    secrets = [*environ.values(), header.split()[1]]
    with recorder(401, "unauthorised") as (server, store_url):
        completed = subprocess.run(
            [CLI, "publish", "--output-dir", str(release.output_dir), "--to", store_url],
            capture_output=True, text=True, timeout=60, env={**os.environ, **environ})
    assert completed.returncode == 2
    assert "401" in completed.stderr
    assert server.seen and server.seen[0].get("Authorization") == header
    output = completed.stdout + completed.stderr
    assert not [s for s in secrets if s in output and s != "alice"]


def test_credentials_in_a_store_url_are_refused_unseen(release):
    completed = subprocess.run(
        [CLI, "publish", "--output-dir", str(release.output_dir),
         "--to", "http://alice:pw-3141@127.0.0.1:9/query"], capture_output=True, text=True,
        timeout=60)
    assert completed.returncode == 2
    assert "DEFENCE_KG_STORE_USER" in completed.stderr and "pw-3141" not in completed.stderr


def test_a_store_that_goes_away_is_a_502(release, tmp_path):
    with oxigraph_server(tmp_path) as (_, store_url):
        publish_to(release, store_url)
        client = create_app(release, RemoteStore.connect(
            replace(release, store=store_url))).test_client()
        assert client.get("/sparql", query_string={"query": "ASK {}"}).status_code == 200
    for path in ("/sparql?" + urllib.parse.urlencode({"query": "ASK { ?s ?p ?o }"}),
                 "/doc/id/india"):
        response = client.get(path)
        assert response.status_code == 502, path
        assert "could not be reached" in response.text and store_url in response.text


@pytest.mark.parametrize(("status", "raised"), [(400, SyntaxError), (500, StoreUnavailable)])
def test_a_store_that_refuses_or_fails_says_why(release, status, raised):
    with recorder(status, "the store's own words") as (_, store_url):
        store = RemoteStore(replace(release, store=store_url), "")
        with pytest.raises(raised, match="the store's own words"):
            store.answer(Query("ASK { ?s ?p ?o }"), 10)
