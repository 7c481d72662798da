"""Search: the release's full-text index and /search over real HTTP, with expectations computed
from the data (every name, every sentence, every source), and hostile input."""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import re
import sqlite3
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pyoxigraph as ox
import pytest

from defence_kg.build import search_index
from defence_kg.build.search_index import compact, quads_to_index
from defence_kg.namespaces import Vocabulary
from defence_kg.release import SEARCH_INDEX
from defence_kg.stores.embedded import QueryStore
from defence_kg.web.finder import MAX_LENGTH, TIERS, Finder

NAMES = """PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT DISTINCT ?thing ?name WHERE { GRAPH ?g { ?thing rdfs:label ?name }
  FILTER(isIRI(?thing) && STRSTARTS(STR(?thing), "%s")) }"""
SENTENCES = """PREFIX nif: <http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#>
SELECT ?segment ?text WHERE { ?segment nif:anchorOf ?text }"""
# The distinct sources of the sentences whose statement graphs use the resource.
SOURCES = """PREFIX nif: <http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#>
PREFIX prov: <http://www.w3.org/ns/prov#>
SELECT (COUNT(DISTINCT ?source) AS ?n) WHERE {
  { GRAPH ?g { <%(iri)s> ?p ?o } } UNION
  { GRAPH ?g { ?s ?p <%(iri)s> FILTER(?p != rdf:type) } }
  ?g prov:wasDerivedFrom ?segment . ?segment nif:referenceContext ?source }"""
PLATFORMS = """PREFIX dko: <https://w3id.org/defence-kg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?platform ?label WHERE { ?platform a dko:MilitaryPlatform ; rdfs:label ?label }"""
HOSTILE = ['"', "'", '""', 'S-400"', "s400 OR", "NOT", "AND OR NOT", "NEAR(s 400, 2)",
           "s4*", "*", "^s400", "label:s400", "{text}: s400", "(s400", "s400)", "-s400",
           "+", "%", "\\", "\x00", "\u202e", "🚀 s400", "s400; DROP TABLE entry; --",
           "<script>alert(1)</script>", "a" * MAX_LENGTH, "s " * 200, "\ud800",
           "x" * 10_000, "\"" * 10_000, "NEAR(" * 1000]


@pytest.fixture(scope="module")
def store(release):
    return QueryStore.from_release(release)


@pytest.fixture(scope="module")
def finder(release):
    return Finder(release.release_dir / SEARCH_INDEX)


def get(url: str, accept: str = "application/json", form: dict | None = None):
    data = urllib.parse.urlencode(form, errors="surrogatepass").encode() if form else None
    request = urllib.request.Request(url, data=data, headers={"Accept": accept})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def search_url(server: str, text: str, **params) -> str:
    # surrogatepass: a lone surrogate goes out as the invalid UTF-8 a hostile client can send.
    return f"{server}/search?" + urllib.parse.urlencode({"q": text, **params},
                                                        errors="surrogatepass")


def names_of(store, release) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for row in store.query(NAMES % release.vocabulary.id):
        found.setdefault(row["name"].value, set()).add(row["thing"].value)
    return found


def test_every_name_finds_its_resources_first(finder, store, release):
    names = names_of(store, release)
    assert names
    for name, things in names.items():
        hits = finder.search(name, 50)
        exact = {h.iri for h in hits if h.match == "exact label"}
        assert things <= exact, (name, things, [(h.iri, h.match) for h in hits])
        assert hits[0].iri in exact and compact(hits[0].label) == compact(name)


def test_case_hyphen_and_space_variants_find_the_platform(finder, store):
    platforms = [(row["platform"].value, row["label"].value) for row in store.query(PLATFORMS)]
    assert platforms
    for iri, label in platforms:
        squeezed = re.sub(r"[\s\-]+", "", label)
        spaced = re.sub(r"[\s\-]+", " ", label)
        for variant in (label, label.lower(), label.upper(), squeezed, squeezed.lower(), spaced):
            hits = finder.search(variant)
            assert (hits[0].iri, hits[0].match) == (iri, "exact label"), variant
            assert "".join(t for t, marked in hits[0].snippet if marked) == label


def test_a_prefix_finds_the_names_it_starts(finder, store, release):
    for name, things in names_of(store, release).items():
        key = compact(name)
        if len(key) < 4:
            continue
        hits = finder.search(name[: len(name) * 2 // 3])
        assert things & {h.iri for h in hits}, name


def test_every_sentence_is_found_by_its_words(finder, store):
    sentences = {row["segment"].value: row["text"].value for row in store.query(SENTENCES)}
    assert sentences
    for segment, text in sentences.items():
        words = sorted(re.findall(r"[^\W\d_]{4,}", text), key=len, reverse=True)[:3]
        hits = finder.search(" ".join(words), 50)
        found = [h for h in hits if h.iri == segment]
        assert found, (segment, words)
        assert found[0].kind == "sentence"
        assert "".join(piece for piece, _ in found[0].snippet) == text
        # Found by its words, it shows them marked (its name may match first: "Dateline").
        assert found[0].match != "sentence" or any(marked for _, marked in found[0].snippet)


def test_hits_are_ranked_by_tier_then_sources(finder, store, release):
    for name in list(names_of(store, release))[:40]:
        for text in (name, name.split()[0], name[:3]):
            hits = finder.search(text, 50)
            tiers = [TIERS.index(h.match) for h in hits]
            assert tiers == sorted(tiers), text
            for a, b in itertools.pairwise(hits):
                if a.match == b.match:
                    assert a.sources >= b.sources, text


def test_each_hit_counts_the_sources_that_support_it(finder, store, release):
    for name, things in names_of(store, release).items():
        for hit in finder.search(name, 50):
            if hit.iri in things and hit.kind == "resource":
                rows = list(store.query(
                    "PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>\n"
                    + SOURCES % {"iri": hit.iri}))
                assert hit.sources == int(rows[0]["n"].value), hit.iri


def test_the_index_is_the_same_bytes_for_the_same_data(release, build_result, tmp_path):
    """Written again in another process, with another hash seed: the same bytes."""
    script = ("import sys; from pathlib import Path; import pyoxigraph as ox; "
              "from defence_kg.build import build; "
              "from defence_kg.build.search_index import write_search_index; "
              "from defence_kg.settings import Settings; "
              "s = Settings.from_env({}, output_dir=Path(sys.argv[2])); "
              "result = build(s); "  # kept: its work directory goes with it
              "quads = ox.parse(path=str(result.statements.nquads), format=ox.RdfFormat.N_QUADS); "
              "write_search_index(quads, s.vocabulary, Path(sys.argv[1]))")
    path = tmp_path / "again.sqlite"
    subprocess.run([sys.executable, "-c", script, str(path), str(tmp_path / "build")],
                   check=True, timeout=300,
                   env={**os.environ, "PYTHONHASHSEED": "12345"})
    ours = release.release_dir / SEARCH_INDEX
    assert hashlib.sha256(path.read_bytes()).digest() == hashlib.sha256(
        ours.read_bytes()).digest()


def test_an_index_written_in_segments_finds_the_same_and_is_packed(
        finder, store, release, build_result, tmp_path, monkeypatch):
    """Past search_index.FTS_MEMORY an FTS5 table is written in segments, merged afterwards:
    the same hits, and no page left free in the file."""
    monkeypatch.setattr(search_index, "FTS_MEMORY", 4096)
    path = tmp_path / "segmented.sqlite"
    search_index.write_search_index(
        quads_to_index(build_result.statements.nquads, release.vocabulary), release.vocabulary,
        path)
    segmented = Finder(path)
    texts = [text for name in list(names_of(store, release))[:40]
             for text in (name, name.split()[0], name[:3])]
    assert texts
    for text in texts:
        assert segmented.search(text, 50) == finder.search(text, 50), text
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA freelist_count").fetchone() == (0,)


def test_only_an_explanations_own_statements_are_skipped_unparsed(tmp_path):
    """quads_to_index skips an explanation's statement by its bytes (most of the release's
    lines); the same IRI in a graph of the data, or another subject in the explanations graph
    (a rule, with its label), is read."""
    vocabulary = Vocabulary()
    statement, rule = f"<{vocabulary.id}statement/ab12>", f"<{vocabulary.ontology}rule-x>"
    label = "<http://www.w3.org/2000/01/rdf-schema#label>"
    explained, data = vocabulary.explanations_graph, vocabulary.graph["report/sentence-1"]
    nquads = tmp_path / "sorted.nq"
    nquads.write_text(f'{statement} {label} "in the data" <{data}> .\n'
                      f'{statement} {label} "explained" <{explained}> .\n'
                      f'{rule} {label} "a rule" <{explained}> .\n', encoding="utf-8")
    assert [q.object.value for q in quads_to_index(nquads, vocabulary)] == [
        "in the data", "a rule"]


def _index_both_ways(tmp_path: Path, *versions: list[str]) -> list[str]:
    """Index each version (N-Quads lines) after the first from the rows kept for the one
    before it (the first's by a full pass, the others' as the amended path keeps them) and
    from every line; check the two files are the same bytes; return how each was made."""
    vocabulary, hows = Vocabulary(), []
    for step, (last, now) in enumerate(itertools.pairwise(versions)):
        here = tmp_path / str(step)
        here.mkdir()
        files = {}
        for name, lines in (("last", last), ("now", now), ("removed", set(last) - set(now)),
                            ("added", set(now) - set(last))):
            files[name] = here / f"{name}.nq"
            files[name].write_text("".join(sorted(lines)), encoding="utf-8")
        graphs = [{}, {}]
        for counts, lines in zip(graphs, (last, now), strict=True):
            for line in lines:
                graph = line.rsplit(" <", 1)[1][:-4]
                counts[graph] = counts.get(graph, 0) + 1
        (here / "graphs.json").write_text(json.dumps(graphs[0]), encoding="utf-8")
        store = ox.Store(str(here / "store"))
        store.load(path=str(files["last"]), format=ox.RdfFormat.N_QUADS)
        del store
        rows = tmp_path / str(step - 1) / "rows"
        if not step:
            rows = here / "first-rows"
            search_index.write_search_index(quads_to_index(files["last"], vocabulary),
                                            vocabulary, here / "last.sqlite", rows)
        kept = search_index.LastIndex(rows, here / "store", here / "graphs.json",
                                      files["removed"], files["added"])
        hows.append(search_index.write_search_index_again(
            files["now"], graphs[1], kept, vocabulary, here / "again.sqlite", here / "rows"))
        search_index.write_search_index(quads_to_index(files["now"], vocabulary), vocabulary,
                                        here / "full.sqlite")
        assert (here / "again.sqlite").read_bytes() == (here / "full.sqlite").read_bytes(), step
    return hows


@pytest.mark.parametrize("change, how", [
    ("a use removed, a name added", "the last release's rows, amended"),
    ("a type's label", "every line read (the label of the type"),
    ("the class hierarchy", "every line read (the class or property hierarchy changed)"),
    ("a graph's segment", "every line read (a graph's segment or source changed while"),
])
def test_an_index_from_the_last_rows_is_the_full_one_or_says_why_not(tmp_path, change, how):
    """Written from the last release's rows, the index is the one written from every line; or,
    where a change reaches rows its lines do not name, it is written from every line."""
    v = Vocabulary()
    label, rel = "<http://www.w3.org/2000/01/rdf-schema#label>", f"<{v.ontology}rel>"
    kind, sub = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>", (
        "<http://www.w3.org/2000/01/rdf-schema#subClassOf>")
    derived, context = "<http://www.w3.org/ns/prov#wasDerivedFrom>", (
        "<http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#referenceContext>")
    thing, sources = f"<{v.ontology}Thing>", f"<{v.graph['sources/r']}>"
    a, b, c = (f"<{v.id}{name}>" for name in "abc")
    g1, g2 = (f"<{v.graph[f'r/sentence-{n}']}>" for n in (1, 2))
    s1, s2, r = f"<{v.id}source/r/sentence/1>", f"<{v.id}source/r/sentence/2>", f"<{v.id}source/r>"
    last = [f'{thing} {label} "thing"@en <{v.ontology_graph}> .\n',
            *(f'{x} {kind} {thing} {g1} .\n' for x in (a, b)), f'{c} {kind} {thing} {g2} .\n',
            f'{a} {label} "Alpha"@en {g1} .\n', f'{b} {label} "Beta"@en {g1} .\n',
            f'{c} {label} "Gamma"@en {g2} .\n', f'{a} {rel} {b} {g1} .\n',
            f'{c} {rel} {b} {g2} .\n', f'{c} {rel} {a} {g2} .\n',
            f'{g1} {derived} {s1} {sources} .\n', f'{g2} {derived} {s2} {sources} .\n',
            f'{s1} {context} {r} {sources} .\n', f'{s2} {context} {r} {sources} .\n']
    changed = {
        "a use removed, a name added": ([f'{c} {rel} {b} {g2} .\n'],
                                        [f'{a} {label} "Alfa"@de {g1} .\n']),
        "a type's label": ([last[0]], [f'{thing} {label} "object"@en <{v.ontology_graph}> .\n']),
        "the class hierarchy": (
            [], [f'{thing} {sub} <{v.ontology}Other> <{v.ontology_graph}> .\n']),
        "a graph's segment": ([f'{g2} {derived} {s2} {sources} .\n'],
                              [f'{g2} {derived} {s1} {sources} .\n']),
    }
    removed, added = changed[change]
    now = [line for line in last if line not in removed] + added
    assert _index_both_ways(tmp_path, last, now)[0].startswith(how)



def test_an_index_amended_again_and_again_keeps_every_use(tmp_path):
    """The graphs where each IRI is used as an object are kept with the rows and amended by
    the changed lines: a use removed where another is left in its graph, the last use in a
    graph removed, a use replaced by another in its graph, a use in a new sentence; then names
    added to those IRIs, so that their rows are made again from the uses kept by the amended
    build: each index is the full one."""
    v = Vocabulary()
    label, rel, near = ("<http://www.w3.org/2000/01/rdf-schema#label>", f"<{v.ontology}rel>",
                        f"<{v.ontology}near>")
    derived, context = "<http://www.w3.org/ns/prov#wasDerivedFrom>", (
        "<http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#referenceContext>")
    sources = f"<{v.graph['sources/r']}>"
    a, b, c, d = (f"<{v.id}{name}>" for name in "abcd")
    g1, g2, g3 = (f"<{v.graph[f'r{n}/sentence-1']}>" for n in (1, 2, 3))

    def sentence(n: int, graph: str) -> list[str]:
        segment, source = f"<{v.id}source/r{n}/sentence/1>", f"<{v.id}source/r{n}>"
        return [f'{graph} {derived} {segment} {sources} .\n',
                f'{segment} {context} {source} {sources} .\n']

    first = [*sentence(1, g1), *sentence(2, g2),
             *(f'{x} {label} "{x[-2]}"@en {g} .\n' for x, g in ((a, g1), (b, g1), (c, g2))),
             f'{a} {rel} {b} {g1} .\n', f'{c} {rel} {b} {g2} .\n', f'{c} {near} {b} {g2} .\n',
             f'{c} {rel} {a} {g2} .\n', f'{c} {rel} {d} {g2} .\n']
    second = [line for line in first
              if line not in (f'{c} {rel} {b} {g2} .\n', f'{c} {rel} {a} {g2} .\n',
                              f'{c} {rel} {d} {g2} .\n')]
    second += [*sentence(3, g3), f'{c} {label} "c"@en {g3} .\n', f'{c} {rel} {d} {g3} .\n',
               f'{c} {near} {d} {g2} .\n']
    third = second + [f'{x} {label} "{x[-2]} again"@de {g1} .\n' for x in (a, b, d)]
    assert _index_both_ways(tmp_path, first, second, third) == [
        "the last release's rows, amended"] * 2


def test_lookups_use_the_index_not_a_scan(release):
    """The names are found through the key's B-tree and the FTS5 tables, never a table scan."""
    with sqlite3.connect(release.release_dir / SEARCH_INDEX) as db:
        plans = [" ".join(row[-1] for row in db.execute("EXPLAIN QUERY PLAN " + sql, args))
                 for sql, args in (("SELECT entry FROM name WHERE key = ?", ("s400",)),
                                   ("SELECT entry FROM name WHERE key > ? AND key < ?",
                                    ("s4", "s4\U0010ffff")),
                                   ("SELECT rowid FROM name_words WHERE name_words MATCH ?",
                                    ('"s400"',)))]
    assert "USING COVERING INDEX name_by_key" in plans[0] or "USING INDEX name_by_key" in plans[0]
    assert "name_by_key" in plans[1]
    assert "VIRTUAL TABLE INDEX" in plans[2]


def test_search_answers_json_and_html_over_http(live_server, release):
    status, headers, body = get(search_url(live_server, "s400"))
    assert (status, headers.get_content_type()) == (200, "application/json")
    assert "Accept" in headers["Vary"]
    answer = json.loads(body)
    top = answer["hits"][0]
    assert answer["query"] == "s400"
    assert top["iri"] == f"{release.base_uri}id/s-400" and top["match"] == "exact label"
    assert top["page"] == f"{live_server}/id/s-400"
    assert top["type"]["label"] and top["sources"] >= 1
    assert [p["text"] for p in top["snippet"] if p["mark"]] == ["S-400"]
    status, headers, body = get(search_url(live_server, "s400"), "text/html")
    assert (status, headers.get_content_type()) == (200, "text/html")
    page = body.decode()
    first = re.search(r'<ol class="hits".*?<a href="([^"]+)">(.*?)</a>', page, re.S)
    assert first and first.group(1).endswith("id/s-400") and "<mark>S-400</mark>" in first.group(2)
    status, headers, body = get(search_url(live_server, "s400", format="json"), "text/html")
    assert headers.get_content_type() == "application/json"
    assert len(json.loads(get(search_url(live_server, "s", limit=2))[2])["hits"]) <= 2


def test_every_page_has_the_search_box(live_server):
    for path in ("/", "/search", "/doc/id/s-400", "/dumps/", "/doc/ontology"):
        _, _, body = get(live_server + path, "text/html")
        form = re.search(r'<form class="site-search" role="search" action="([^"]+)"', body.decode())
        assert form, path
        assert urllib.parse.urljoin(live_server + path, form.group(1)) == live_server + "/search"


@pytest.mark.parametrize("text", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_input_gets_results_or_a_400(live_server, text):
    """Sent as a form (POST), and as a GET when it fits a request line."""
    for accept in ("application/json", "text/html"):
        status, _, body = get(f"{live_server}/search", accept, {"q": text})
        assert status in (200, 400), (status, body[:300])
        if len(search_url(live_server, text)) < 4000:
            assert get(search_url(live_server, text), accept)[0] == status
        if len(text) > MAX_LENGTH:
            assert status == 400 and b"at most" in body
        if status == 200 and accept == "application/json":
            assert isinstance(json.loads(body)["hits"], list)
        if accept == "text/html":
            assert b"<script>alert" not in body


def test_a_long_get_is_a_client_error(live_server):
    """10,000 characters in a GET: 400 from the app, or 414 from a server whose request line
    limit (gunicorn: 4 KiB) it passes; never a 500."""
    status, _, body = get(search_url(live_server, "x" * 10_000))
    assert status in (400, 414), body[:300]


def test_bad_limits_are_a_400(live_server):
    for limit in ("0", "51", "x", "-1"):
        status, _, body = get(search_url(live_server, "s400", limit=limit))
        assert status == 400, (limit, body)
