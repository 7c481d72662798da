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
from PIL import Image, ImageStat
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
    """The rows of the page's table, as lists of cells: their text and attributes."""

    def __init__(self):
        super().__init__()
        self.rows: list[list[tuple[str, dict[str, str]]]] = []
        self.cell: list[str] | None = None
        self.attrs: dict[str, str] = {}

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self.cell, self.attrs = [], dict(attrs)

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.cell is not None:
            self.rows[-1].append(("".join(self.cell).strip(), self.attrs))
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


HUMAN_SIZE = re.compile(r"\d+(\.\d)? (B|KiB|MiB|GiB)")


def test_the_listing_gives_size_statements_checksum_and_date_of_every_file(release, rapper,
                                                                          live_server):
    status, headers, body = fetch(live_server + "/dumps/")
    assert status == 200 and headers.get_content_type() == "text/html"
    table = Table()
    table.feed(body.decode())
    header, *rows = table.rows
    assert [text for text, _ in header] == ["file", "media type", "size", "statements",
                                            "sha256", "modified (UTC)"]
    dumps = release.release_dir / "dumps"
    assert [row[0][0] for row in rows] == sorted(p.name for p in dumps.iterdir())
    sums = dict(reversed(line.split("  ", 1))
                for line in (dumps / "SHA256SUMS").read_text().splitlines())
    for (name, _), _, (size, size_attrs), (statements, _), (sha256, _), (modified, _) in rows:
        path = dumps / name
        assert HUMAN_SIZE.fullmatch(size), size  # for people; the exact count for programs
        assert int(size_attrs["data-bytes"]) == path.stat().st_size, name
        assert sha256 == sums.get(name, "–"), name  # whole in the page, shortened by its style
        if name in sums:
            assert sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
        assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", modified)
        syntax = syntax_of(path)
        if syntax in RAPPER_SYNTAX:
            expected = rapper_count(rapper, content(path), syntax)
        elif name.removesuffix(".gz") == "void.ttl" or syntax == "jsonld":
            expected = sum(1 for _ in ox.parse(content(path), format=OX_SYNTAX[syntax]))
        else:
            assert statements == "–", name
            continue
        assert int(statements.replace(",", "")) == expected, name


@pytest.mark.parametrize("width", [1280, 390])  # a laptop, a phone
def test_the_listing_reads_well_on_a_wide_and_a_narrow_screen(browser, live_server, release,
                                                              width, tmp_path):
    browser.set_window_size(width, 1000)
    try:
        browser.get(live_server + "/dumps/")
        viewport = browser.execute_script("return document.documentElement.clientWidth")
        assert browser.execute_script(
            "return document.documentElement.scrollWidth") <= viewport  # no sideways scrolling
        table = browser.execute_script(
            "return document.querySelector('table.files').getBoundingClientRect().right")
        assert table <= viewport
        cells = browser.execute_script("""return Array.from(
            document.querySelectorAll('table.files tbody tr'), row => ({
              name: row.cells[0].textContent.trim(),
              size: row.cells[2].textContent.trim(),
              dateLines: row.querySelector('time').getClientRects().length,
              digest: row.querySelector('code.digest')?.textContent,
              digestTitle: row.querySelector('code.digest')?.title,
              digestWidth: row.querySelector('code.digest')?.getBoundingClientRect().width,
              digestFull: row.querySelector('code.digest')?.scrollWidth,
            }))""")
        sums = dict(reversed(line.split("  ", 1)) for line in (
            release.release_dir / "dumps" / "SHA256SUMS").read_text().splitlines())
        assert [cell["name"] for cell in cells] == sorted(
            p.name for p in (release.release_dir / "dumps").iterdir())
        for cell in cells:
            assert HUMAN_SIZE.fullmatch(cell["size"]), cell
            assert cell["dateLines"] == 1, cell  # the date on one line, not stacked
            if cell["name"] in sums:
                # Shortened on screen; whole in the page (copied as such) and in the tooltip.
                assert cell["digest"] == cell["digestTitle"] == sums[cell["name"]], cell
                assert cell["digestWidth"] < cell["digestFull"] / 3, cell
        screenshot = tmp_path / f"dumps-{width}.png"
        assert browser.save_screenshot(str(screenshot))
        with Image.open(screenshot) as image:
            assert image.size[0] == viewport or image.size[0] == width
            assert ImageStat.Stat(image.convert("L")).stddev[0] > 20, "the page is blank"
    finally:
        browser.set_window_size(1280, 1024)
