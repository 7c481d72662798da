"""The server as a person or a crawler meets it: real HTTP to `defence-kg serve` on loopback."""

from __future__ import annotations

import hashlib
import html
import json
import urllib.error
import urllib.parse
import urllib.request
from html.parser import HTMLParser

import pyoxigraph as ox
import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, RDFS

from defence_kg.web.pages import read_saved_query


def fetch(url: str, data: bytes | None = None, headers: dict[str, str] | None = None):
    request = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


class Links(HTMLParser):
    """The href of every link and the controls of every form on a page."""

    def __init__(self):
        super().__init__()
        self.hrefs: list[str] = []
        self.forms: list[dict] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a":
            self.hrefs.append(attrs["href"])
        elif tag == "form":
            self.forms.append({"action": attrs.get("action"), "method": attrs.get("method"),
                               "controls": []})
        elif tag in ("textarea", "select", "input") and self.forms:
            self.forms[-1]["controls"].append(attrs.get("name"))


@pytest.fixture(scope="module")
def home(live_server):
    status, headers, body = fetch(live_server + "/")
    assert status == 200
    assert headers.get_content_type() == "text/html"
    page = Links()
    page.feed(body.decode("utf-8"))
    return body.decode("utf-8"), page


def test_health(live_server):
    status, _, body = fetch(live_server + "/health")
    assert status == 200
    report = json.loads(body)
    assert report["status"] == "ok"
    assert report["quads"] > 0


def test_home_page_says_what_the_data_set_is(home, release):
    text, _ = home
    void = Graph().parse(release.release_dir / "dumps" / "void.ttl", format="turtle")
    dataset = URIRef(release.vocabulary.dataset_iri)
    assert f"<h1>{void.value(dataset, DCTERMS.title)}</h1>" in text
    assert str(void.value(dataset, DCTERMS.description)) in text


@pytest.mark.data
def test_void_and_home_page_list_every_source(home, release, corpus):
    void = Graph().parse(release.release_dir / "dumps" / "void.ttl", format="turtle")
    dataset = URIRef(release.vocabulary.dataset_iri)
    listed = set(void.objects(dataset, DCTERMS.source))
    assert listed == {s.iri for s in corpus.sources}
    text, _ = home
    count = len(corpus.sources)
    assert f"{count} news report{'s' if count > 1 else ''}" in str(
        void.value(dataset, DCTERMS.description))
    assert f"{count} source{'s' if count > 1 else ''}, each sentence" in text
    for source in corpus.sources:
        assert (void.value(source.iri, DCTERMS.title)
                == source.graph.value(source.iri, DCTERMS.title))
        assert str(void.value(source.iri, DCTERMS.issued)) == source.issued
        publisher = void.value(source.iri, DCTERMS.publisher)
        assert str(void.value(publisher, RDFS.label)) == source.publisher_label
        assert html.escape(str(void.value(source.iri, DCTERMS.title))) in text
        assert f"{html.escape(source.publisher_label)}, {source.issued}" in text


def test_home_page_links_every_dump(home, release):
    _, page = home
    names = sorted(p.name for p in (release.release_dir / "dumps").iterdir())
    assert [href for href in page.hrefs if href.startswith("/dumps/")] == [
        f"/dumps/{name}" for name in names]


def test_home_page_has_a_plain_query_form(home):
    _, page = home
    assert {"action": "/sparql", "method": "get", "controls": ["query", "format"]} in page.forms


def test_home_page_lists_every_saved_query_and_each_runs(home, release, live_server):
    text, page = home
    saved = [read_saved_query(p, release.vocabulary.rebase)
             for p in sorted(release.queries_dir.glob("*.rq"))]
    assert saved, "the repository has no saved queries (queries/*.rq)"
    runs = [href for href in page.hrefs if href.startswith("/sparql?")]
    for query in saved:
        assert query.question in html.unescape(text)
        link = next(h for h in runs
                    if urllib.parse.parse_qs(urllib.parse.urlsplit(h).query)["query"]
                    == [query.text])
        status, headers, body = fetch(live_server + link)
        assert status == 200, (query.name, body)
        assert headers.get_content_type() == "application/sparql-results+json"
        assert "results" in json.loads(body) or "boolean" in json.loads(body)


def test_saved_query_questions_come_from_their_first_line(release):
    for path in sorted(release.queries_dir.glob("*.rq")):
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert first.startswith("# "), path
        assert read_saved_query(path, release.vocabulary.rebase).question == first[2:].strip()


def test_every_dump_is_served_as_published(live_server, release):
    dumps = release.release_dir / "dumps"
    sums = dict(reversed(line.split("  ", 1)) for line in
                (dumps / "SHA256SUMS").read_text().splitlines())
    assert sums
    for name, digest in sums.items():
        status, headers, body = fetch(f"{live_server}/dumps/{name}")
        assert status == 200, name
        assert hashlib.sha256(body).hexdigest() == digest, name
        if name.endswith(".gz"):
            assert headers.get_content_type() == "application/gzip"
        else:
            syntax = ox.RdfFormat.from_extension(name.rsplit(".", 1)[1])
            assert headers.get_content_type() == syntax.media_type, name


def test_missing_files_and_escapes_are_404(live_server):
    for path in ("/dumps/nothing.ttl", "/dumps/../build-report.json",
                 "/dumps/%2e%2e/build-report.json", "/dumps//etc/passwd"):
        status, _, _ = fetch(live_server + path)
        assert status == 404, path


def test_query_over_http_get_and_post(live_server):
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    status, headers, body = fetch(f"{live_server}/sparql?" + urllib.parse.urlencode(
        {"query": query}), headers={"Accept": "text/csv"})
    assert status == 200
    assert headers.get_content_type() == "text/csv"
    count = int(body.decode().splitlines()[1])
    assert count > 0
    status, headers, body = fetch(f"{live_server}/sparql", data=query.encode(),
                                  headers={"Content-Type": "application/sparql-query",
                                           "Accept": "application/sparql-results+json"})
    assert status == 200
    assert int(json.loads(body)["results"]["bindings"][0]["n"]["value"]) == count


def test_the_server_listens_on_loopback_by_default():
    from defence_kg.settings import Settings

    assert (Settings().host, Settings().port) == ("127.0.0.1", 8000)
