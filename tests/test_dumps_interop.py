"""The dumps read the same in parsers nobody here wrote (Raptor's rapper, pyoxigraph, rdflib,
pyld), and are served as a download should be: listed, sized, checksummed, resumable, cacheable."""

from __future__ import annotations

import gzip
import hashlib
import json
import re
import subprocess
import urllib.error
import urllib.request
from html.parser import HTMLParser

import pyoxigraph as ox
import pytest
from conftest import system_tool
from pyld import jsonld
from rdflib import Dataset

from defence_kg.build.publish import DUMP_FORMATS

RAPPER_SYNTAX = {"nq": "nquads", "trig": "trig", "ttl": "turtle", "nt": "ntriples"}
OX_SYNTAX = {"nq": ox.RdfFormat.N_QUADS, "trig": ox.RdfFormat.TRIG, "ttl": ox.RdfFormat.TURTLE,
             "nt": ox.RdfFormat.N_TRIPLES, "jsonld": ox.RdfFormat.JSON_LD}


def fetch(url: str, headers: dict[str, str] | None = None):
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def rdf_dumps(release) -> list:
    dumps = release.release_dir / "dumps"
    return sorted(p for p in dumps.iterdir()
                  if p.name.removesuffix(".gz").rsplit(".", 1)[-1] in OX_SYNTAX)


def content(path) -> bytes:
    data = path.read_bytes()
    return gzip.decompress(data) if path.suffix == ".gz" else data


def syntax_of(path) -> str:
    return path.name.removesuffix(".gz").rsplit(".", 1)[-1]


@pytest.fixture(scope="module")
def rapper() -> str:
    """Raptor's rapper (Debian's raptor2-utils)."""
    return system_tool("rapper")


def rapper_count(rapper: str, data: bytes, syntax: str) -> int:
    """Statements Raptor reads (rapper -c counts them; it reports on stderr)."""
    done = subprocess.run([rapper, "-c", "-i", RAPPER_SYNTAX[syntax], "-", "http://x/"],
                          input=data, capture_output=True, check=True)
    return int(re.search(rb"Parsing returned (\d+) (?:triples|statements)",
                         done.stderr).group(1))


def rdflib_count(data: bytes, syntax: str) -> int:
    dataset = Dataset(default_union=False)
    dataset.parse(data=data, format={"nq": "nquads", "ttl": "turtle", "nt": "nt",
                                     "trig": "trig", "jsonld": "json-ld"}[syntax])
    return sum(1 for _ in dataset.quads((None, None, None, None)))  # len() counts triples


def test_rapper_is_installed(rapper):
    done = subprocess.run([rapper, "--version"], capture_output=True, check=True)
    assert done.stdout.strip()


def test_every_dump_parses_alike_in_independent_parsers(release, rapper):
    expected = {}
    quads = list(ox.parse(path=str(release.release_dir / "dumps" / "defence-kg.nq"),
                          format=ox.RdfFormat.N_QUADS))
    expected["dataset"] = len(quads)
    expected["union"] = len({q.triple for q in quads})
    assert expected["dataset"] > expected["union"] > 0
    checked = 0
    for path in rdf_dumps(release):
        syntax, data = syntax_of(path), content(path)
        oxigraph = sum(1 for _ in ox.parse(data, format=OX_SYNTAX[syntax]))
        counts = {"pyoxigraph": oxigraph, "rdflib": rdflib_count(data, syntax)}
        if syntax in RAPPER_SYNTAX:
            counts["rapper"] = rapper_count(rapper, data, syntax)
        else:  # JSON-LD: Raptor reads only RDF/JSON; pyld is the independent reader
            expanded = jsonld.to_rdf(json.loads(data), {"format": "application/n-quads"})
            counts["pyld"] = len(set(expanded.splitlines()))
        assert len(set(counts.values())) == 1, (path.name, counts)
        if path.name.startswith("defence-kg."):
            kind = "dataset" if OX_SYNTAX[syntax].supports_datasets else "union"
            assert oxigraph == expected[kind], (path.name, oxigraph, expected[kind])
        checked += 1
    assert checked == 2 * len(DUMP_FORMATS) + 3  # each dump and its .gz, ontology.ttl(.gz), void


def test_the_dataset_dumps_hold_the_same_quads(release):
    dumps = release.release_dir / "dumps"
    canonical = {}
    for name in ("defence-kg.nq", "defence-kg.trig", "defence-kg.jsonld"):
        found = ox.Dataset(ox.parse(content(dumps / name), format=OX_SYNTAX[syntax_of(
            dumps / name)]))
        found.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
        canonical[name] = sorted(map(str, found))
    assert canonical["defence-kg.nq"] == canonical["defence-kg.trig"] == \
        canonical["defence-kg.jsonld"]


class Table(HTMLParser):
    """The rows of the page's table, as lists of cell texts."""

    def __init__(self):
        super().__init__()
        self.rows: list[list[str]] = []
        self.cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self.cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.cell is not None:
            self.rows[-1].append("".join(self.cell).strip())
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def test_the_listing_gives_size_statements_checksum_and_date_of_every_file(release, rapper,
                                                                          live_server):
    status, headers, body = fetch(live_server + "/dumps/")
    assert status == 200 and headers.get_content_type() == "text/html"
    table = Table()
    table.feed(body.decode())
    header, *rows = table.rows
    assert header == ["file", "media type", "bytes", "statements", "sha256", "modified (UTC)"]
    dumps = release.release_dir / "dumps"
    assert [row[0] for row in rows] == sorted(p.name for p in dumps.iterdir())
    sums = dict(reversed(line.split("  ", 1))
                for line in (dumps / "SHA256SUMS").read_text().splitlines())
    for name, _, size, statements, sha256, modified in rows:
        path = dumps / name
        assert int(size) == path.stat().st_size, name
        assert sha256 == sums.get(name, "–"), name
        if name in sums:
            assert sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
        assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", modified)
        syntax = syntax_of(path)
        if syntax in RAPPER_SYNTAX:
            assert int(statements) == rapper_count(rapper, content(path), syntax), name
        elif name.removesuffix(".gz") == "void.ttl" or syntax == "jsonld":
            assert int(statements) == sum(1 for _ in ox.parse(content(path),
                                                               format=OX_SYNTAX[syntax]))
        else:
            assert statements == "–", name


@pytest.fixture(scope="module")
def download(live_server):
    url = live_server + "/dumps/defence-kg.nt"
    status, headers, body = fetch(url)
    assert status == 200
    return url, headers, body


def test_downloads_send_length_etag_and_date(download, release):
    _, headers, body = download
    assert int(headers["Content-Length"]) == len(body)
    assert body == (release.release_dir / "dumps" / "defence-kg.nt").read_bytes()
    assert headers["ETag"]
    assert headers["Last-Modified"]
    assert headers["Accept-Ranges"] == "bytes"


def test_downloads_resume_with_range(download):
    url, _, body = download
    status, headers, part = fetch(url, {"Range": "bytes=100-199"})
    assert status == 206
    assert part == body[100:200]
    assert headers["Content-Range"] == f"bytes 100-199/{len(body)}"
    status, _, tail = fetch(url, {"Range": "bytes=-50"})
    assert (status, tail) == (206, body[-50:])
    status, headers, _ = fetch(url, {"Range": f"bytes={len(body) + 10}-"})
    assert status == 416


def test_downloads_answer_conditional_requests(download):
    url, headers, _ = download
    status, _, body = fetch(url, {"If-None-Match": headers["ETag"]})
    assert (status, body) == (304, b"")
    status, _, body = fetch(url, {"If-Modified-Since": headers["Last-Modified"]})
    assert (status, body) == (304, b"")
    status, _, body = fetch(url, {"If-None-Match": '"something-else"'})
    assert status == 200 and body
