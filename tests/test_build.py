"""The build: one code path from the repository's files to a published release."""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import re
import subprocess
import sys
from dataclasses import replace
from multiprocessing import resource_tracker
from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import append, dataset_of
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import OWL, RDF, RDFS

from defence_kg.build import BuildError, build, pipeline, publish
from defence_kg.build.assemble import amend_lines
from defence_kg.build.load import ONTOLOGY_FILE, load_shapes
from defence_kg.build.publish import DUMP_FORMATS
from defence_kg.build.reason import why_trivial
from defence_kg.rdf import from_rdflib
from defence_kg.release import (
    DUMP_NAME,
    GRAPH_COUNTS_NAME,
    REPORT_NAME,
    STORE_DIR,
    VOID_FILE,
    VOID_STORE_DIR,
    release_store,
    release_void_store,
    void_graph,
)
from defence_kg.settings import Settings

RDF_TYPE_NODE = ox.NamedNode(str(RDF.type))

CLI = str(Path(sys.executable).parent / "defence-kg")
EX = "http://example.org/"


def cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([CLI, *args], capture_output=True, text=True, timeout=300,
                          env={**os.environ, **(env or {})})


# --- what the build publishes -------------------------------------------------------------

@pytest.mark.data
def test_report_counts_every_kind_of_triple(build_result, settings):
    triples = build_result.report["triples"]
    assert triples["asserted"] > 100
    assert triples["ontology"] > 100
    assert triples["inferred"] > 0
    assert triples["dropped_total"] == sum(triples["dropped"].values()) > 0
    vocabulary = settings.vocabulary
    graphs = build_result.report["graphs"]
    for name in (vocabulary.ontology_graph, vocabulary.inferred_graph, vocabulary.links_graph):
        assert graphs[str(name)] > 0
    sentence_graphs = [g for g in graphs if "/sentence-" in g]
    assert len(sentence_graphs) >= 10


@pytest.mark.data
def test_release_keeps_the_graphs_counts_out_of_its_report(release, build_result):
    """The server reads the report at every start: the per-graph counts (a line per named
    graph) are published beside it, not in it."""
    directory = release.release_dir
    assert "graphs" not in json.loads((directory / REPORT_NAME).read_text(encoding="utf-8"))
    counts = json.loads((directory / GRAPH_COUNTS_NAME).read_text(encoding="utf-8"))
    assert counts == build_result.report["graphs"]


@pytest.mark.data
def test_release_holds_its_void_in_a_store_of_its_own(release):
    """What the server opens instead of parsing void.ttl: the file's statements as an Oxigraph
    store holds them (an xsd:nonNegativeInteger becomes an xsd:integer), in the file's graph
    and as the default graph."""
    directory = release.release_dir
    parsed = ox.Store()
    parsed.bulk_load(path=str(directory / "dumps" / VOID_FILE), format=ox.RdfFormat.TURTLE)
    void = graph_of(parsed, ox.DefaultGraph())
    store = ox.Store.read_only(str(release_void_store(directory)))
    for graph in (void_graph(release.base_uri), ox.DefaultGraph()):
        assert len(void) > 10 and isomorphic(graph_of(store, graph), void)


def graph_of(store: ox.Store, graph) -> Graph:
    """One graph of an Oxigraph store, in rdflib (to compare graphs with blank nodes)."""
    triples = (q.triple for q in store.quads_for_pattern(None, None, None, graph))
    return Graph().parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES), format="nt")


@pytest.mark.data
def test_inferred_graph_is_new_and_not_trivial(dataset, settings):
    vocabulary = settings.vocabulary
    inferred = dataset.graph(vocabulary.inferred_graph)
    asserted = {
        (s, p, o) for s, p, o, g in dataset.quads((None, None, None, None))
        if g != vocabulary.inferred_graph
    }
    assert len(inferred) > 0
    for triple in inferred:
        assert triple not in asserted, triple
        assert why_trivial(tuple(map(from_rdflib, triple))) is None, triple


@pytest.mark.data
def test_no_inference_mentions_another_data_set(dataset, settings):
    vocabulary = settings.vocabulary
    for triple in dataset.graph(vocabulary.inferred_graph):
        for term in triple:
            if isinstance(term, URIRef):
                assert not str(term).startswith(("http://www.wikidata.org/", "http://dbpedia.org/",
                                                 "https://sws.geonames.org/")), triple


@pytest.mark.data
def test_platform_superclass_is_only_inferred(dataset, settings):
    vocabulary = settings.vocabulary
    platform = vocabulary.ontology["MilitaryPlatform"]
    members = {
        g: set(dataset.graph(g).subjects(RDF.type, platform))
        for g in (vocabulary.inferred_graph,)
    }[vocabulary.inferred_graph]
    assert {vocabulary.id[p] for p in ("s-400", "su-57", "s-500")} <= members
    for s, _, _, graph in dataset.quads((None, RDF.type, platform, None)):
        assert graph == vocabulary.inferred_graph, f"{s} asserted as a platform in {graph}"


@pytest.mark.data
def test_partnership_makes_each_state_the_others_partner(dataset, settings):
    vocabulary = settings.vocabulary
    partner_of = vocabulary.ontology["partnerOf"]
    india, russia = vocabulary.id["india"], vocabulary.id["russia"]
    assert (india, partner_of, russia) in dataset
    assert (russia, partner_of, india) in dataset
    for s, _, o in dataset.triples((None, partner_of, None)):
        assert s != o, f"{s} inferred to be its own partner"


@pytest.mark.parametrize(("triple", "reason"), [
    ((URIRef(EX + "a"), OWL.sameAs, URIRef(EX + "a")), "reflexive"),
    ((URIRef(EX + "C"), RDFS.subClassOf, URIRef(EX + "C")), "reflexive"),
    ((Literal("x"), RDF.type, RDFS.Literal), "literal-subject"),
    ((URIRef(EX + "a"), RDF.type, OWL.Thing), "universal-class"),
    ((URIRef(EX + "a"), RDF.type, RDFS.Resource), "universal-class"),
    ((URIRef(EX + "C"), RDFS.subClassOf, OWL.Thing), "universal-class"),
    ((URIRef(EX + "p"), RDFS.range, OWL.Thing), "universal-class"),
    ((OWL.sameAs, RDF.type, OWL.SymmetricProperty), "built-in-vocabulary"),
    ((URIRef(EX + "a"), RDFS.label, URIRef("http://www.wikidata.org/entity/Q668")),
     "external-alias"),
    ((URIRef(EX + "a"), OWL.sameAs, URIRef(EX + "b")), None),
    ((URIRef(EX + "s-400"), RDF.type, URIRef(EX + "MilitaryPlatform")), None),
    ((URIRef(EX + "C"), RDFS.subClassOf, URIRef(EX + "D")), None),
])
def test_rule_for_trivial_inferences(triple, reason):
    aliases = {ox.NamedNode("http://www.wikidata.org/entity/Q668")}
    assert why_trivial(tuple(map(from_rdflib, triple)), aliases) == reason


@pytest.mark.data
def test_dumps_agree_with_each_other_and_their_checksums(release, dataset):
    dumps = release.release_dir / "dumps"
    quads = ox.Dataset(ox.parse(path=str(dumps / f"{DUMP_NAME}.nq")))
    assert len(quads) == sum(len(g) for g in dataset.graphs())
    triples = {q.triple for q in quads}
    for extension, rdf_format in DUMP_FORMATS.items():
        data = (dumps / f"{DUMP_NAME}.{extension}").read_bytes()
        assert gzip.decompress((dumps / f"{DUMP_NAME}.{extension}.gz").read_bytes()) == data
        parsed = list(ox.parse(data, format=rdf_format))
        if rdf_format.supports_datasets:
            assert set(parsed) == set(quads), extension
        else:
            assert {quad.triple for quad in parsed} == triples, extension
    for line in (dumps / "SHA256SUMS").read_text().splitlines():
        digest, name = line.split("  ")
        assert hashlib.sha256((dumps / name).read_bytes()).hexdigest() == digest, name


@pytest.mark.data
def test_void_describes_the_dumps(release):
    void = ox.Store()
    void.load(path=str(release.release_dir / "dumps" / "void.ttl"))
    vocabulary = release.vocabulary
    (row,) = void.query(f"""PREFIX void: <http://rdfs.org/ns/void#>
        SELECT ?triples (COUNT(DISTINCT ?dump) AS ?dumps) WHERE {{
          <{vocabulary.dataset_iri}> void:triples ?triples ; void:dataDump ?dump ;
            void:sparqlEndpoint ?endpoint }} GROUP BY ?triples""")
    nt = (release.release_dir / "dumps" / f"{DUMP_NAME}.nt").read_bytes()
    assert int(row["triples"].value) == len(list(ox.parse(nt, format=ox.RdfFormat.N_TRIPLES)))
    assert int(row["dumps"].value) == 2 * (len(DUMP_FORMATS) + 1)
    links = {r["target"].value: int(r["n"].value) for r in void.query(
        """PREFIX void: <http://rdfs.org/ns/void#>
        SELECT ?target ?n WHERE { ?l a void:Linkset ; void:objectsTarget ?target ;
        void:triples ?n }""")}
    targets = [str(o) for o in Graph().parse(release.data_dir / "links.ttl").objects(
        None, OWL.sameAs)]
    assert links == {prefix: sum(1 for t in targets if t.startswith(prefix)) for prefix in (
        "http://www.wikidata.org/entity/", "https://sws.geonames.org/",
        "http://dbpedia.org/resource/")}
    assert sum(links.values()) == len(targets) > 0


# --- bad input fails clearly and loses nothing --------------------------------------------

def test_malformed_turtle_names_file_and_line(repo_copy):
    broken = "<https://w3id.org/defence-kg/id/india> owl:sameAs .\n"
    line = append(repo_copy.data_dir / "links.ttl", broken)
    with pytest.raises(BuildError, match=rf"data/links\.ttl:{line}: syntax error"):
        build(repo_copy)


def test_malformed_trig_names_file_and_line(repo_copy):
    trig = next(repo_copy.data_dir.glob("*.trig"))
    line = append(trig, "<https://w3id.org/defence-kg/graph/x> {\n  <a> <b> \n}\n")
    with pytest.raises(BuildError, match=rf"data/{trig.name}:{line + 1}: syntax error"):
        build(repo_copy)


def test_a_missing_ontology_file_is_named(repo_copy):
    (repo_copy.ontology_dir / ONTOLOGY_FILE).unlink()
    with pytest.raises(BuildError, match=rf"ontology/{re.escape(ONTOLOGY_FILE)}: cannot read"):
        build(repo_copy)


def test_fact_outside_a_sentence_graph_is_refused(repo_copy):
    trig = next(repo_copy.data_dir.glob("*.trig"))
    append(trig, "<https://w3id.org/defence-kg/id/india> <http://www.w3.org/2000/01/rdf-schema#"
                 "comment> \"unsourced\" .\n")
    with pytest.raises(BuildError, match="outside a named graph"):
        build(repo_copy)


def test_failed_build_keeps_the_last_good_release(repo_copy):
    assert cli("build", "--output-dir", str(repo_copy.output_dir),
               env={"DEFENCE_KG_ROOT": str(repo_copy.root)}).returncode == 0
    current = repo_copy.release_dir.resolve()
    before = {p.name: p.read_bytes() for p in (current / "dumps").iterdir()}
    append(repo_copy.data_dir / "links.ttl", "this is not turtle\n")
    failed = cli("build", "--output-dir", str(repo_copy.output_dir),
                 env={"DEFENCE_KG_ROOT": str(repo_copy.root)})
    assert failed.returncode == 1
    assert "data/links.ttl:" in failed.stderr
    assert repo_copy.release_dir.resolve() == current
    assert {p.name: p.read_bytes() for p in (current / "dumps").iterdir()} == before
    assert not list(repo_copy.output_dir.glob(".staging-*"))


def test_a_failure_to_keep_the_reasoners_state_fails_the_build_and_leaves_nothing(
        repo_copy, monkeypatch):
    # A full disk while the state is pickled (pipeline._keep_state) must not pass
    # unnoticed, nor leave the build's work directory behind.
    def disk_full(state, path):
        raise OSError(28, "No space left on device", str(path))

    monkeypatch.setattr(pipeline, "_dump_state", disk_full)
    with pytest.raises(OSError, match=r"No space left"):
        build(repo_copy)
    assert not list(repo_copy.output_dir.glob(".build-*"))


def _children() -> set[int]:
    """This process's child processes, running or not yet reaped (zombies); the resource
    tracker of multiprocessing's spawn (validate.Beside) started first, as it stays."""
    resource_tracker.ensure_running()
    children = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # ended meanwhile
            continue
        if int(fields[1]) == os.getpid():
            children.add(int(stat.parent.name))
    return children


def test_a_build_failing_its_checks_stops_the_release_files_and_leaves_nothing(
        repo_copy, monkeypatch):
    # The dumps and the search index start being written before the checks run
    # (release_files.py); a failed check must stop and reap their process and remove them.
    started = []

    class Recorded(pipeline.ReleaseFiles):
        def __init__(self, *args):
            super().__init__(*args)
            started.append(self.directory)

    monkeypatch.setattr(pipeline, "ReleaseFiles", Recorded)
    (repo_copy.queries_dir / "checks" / "anything-violation.rq").write_text(
        "SELECT ?s WHERE { ?s ?p ?o } LIMIT 1\n", encoding="utf-8")
    repo_copy.output_dir.mkdir()
    before, children = set(repo_copy.output_dir.iterdir()), _children()
    with pytest.raises(BuildError, match=r"anything-violation\.rq"):
        build(repo_copy)
    assert started and not started[0].exists()
    assert _children() == children
    assert set(repo_copy.output_dir.iterdir()) == before


def test_a_build_dropped_unpublished_stops_its_release_files(repo_copy):
    children = _children()
    result = build(repo_copy)
    work = result.work
    assert (work / pipeline.RELEASE_FILES).is_dir()
    del result  # `defence-kg validate`, `accept`: no release is written
    assert _children() == children
    assert not work.exists()


def test_contradiction_names_resource_axiom_and_sentence(repo_copy):
    trig = next(repo_copy.data_dir.glob("*.trig"))
    # A state that is also a platform: the ontology declares the two classes disjoint.
    graph = _some_sentence_graph(repo_copy)
    append(trig, f"<{graph}> {{ <https://w3id.org/defence-kg/id/india> a "
                 "<https://w3id.org/defence-kg/ontology#AirDefenceSystem> . }\n")
    with pytest.raises(BuildError) as failure:
        build(repo_copy)
    message = str(failure.value)
    assert "contradicts the ontology" in message
    assert "https://w3id.org/defence-kg/id/india" in message
    assert "Disjoint" in message or "disjoint" in message
    assert "stated in https://w3id.org/defence-kg/id/source/" in message


def test_a_patched_store_explains_a_contradiction_as_a_new_one_does(repo_copy, tmp_path):
    """Over the last release's store (its derived graphs and union in it), the build names
    the premises' sentences as a build from scratch does."""
    publish(build(repo_copy), repo_copy)
    trig, graph = next(repo_copy.data_dir.glob("*.trig")), _some_sentence_graph(repo_copy)
    for name in ("india", "russia"):
        append(trig, f"<{graph}> {{ <https://w3id.org/defence-kg/id/{name}> a "
                     "<https://w3id.org/defence-kg/ontology#AirDefenceSystem> . }\n")
    messages = []
    for settings in (replace(repo_copy, patch_limit=float("inf")),
                     replace(repo_copy, output_dir=tmp_path / "scratch")):
        with pytest.raises(BuildError, match="contradicts the ontology") as failure:
            build(settings)
        messages.append(str(failure.value))
    assert messages[0] == messages[1]


def test_shape_violation_names_file_line_resource_and_shape(repo_copy):
    trig = next(repo_copy.data_dir.glob("*.trig"))
    graph = _some_sentence_graph(repo_copy)
    line = append(trig, f"<{graph}> {{ <https://w3id.org/defence-kg/id/unnamed-platform> a "
                        "<https://w3id.org/defence-kg/ontology#FighterAircraft> . }\n")
    with pytest.raises(BuildError, match="does not conform") as failure:
        build(repo_copy)
    assert (f"data/{trig.name}:{line}: dkg:unnamed-platform rdfs:label: missing"
            in str(failure.value))
    assert "dkgs:LabelledShape" in str(failure.value)


def _some_sentence_graph(settings: Settings) -> str:
    result = build(settings)
    return sorted(g for g in result.report["graphs"] if "/sentence-" in g)[0]


# --- determinism and configuration --------------------------------------------------------

def test_two_builds_are_byte_identical(repo_copy, tmp_path):
    """Every file of a release but its stores' (RocksDB's own files, not byte-identical from
    one write to the next), which hold the same statements, those of the dumps."""
    outputs, stores = [], []
    for seed in ("1", "2"):
        output = tmp_path / f"out-{seed}"
        done = cli("build", "--output-dir", str(output),
                   env={"DEFENCE_KG_ROOT": str(repo_copy.root), "PYTHONHASHSEED": seed})
        assert done.returncode == 0, done.stderr
        current = output / "current"
        outputs.append(files_but_stores(current))
        store = ox.Store.read_only(str(release_store(current)))
        stores.append(sorted(map(str, store)))
        named = [q for q in store if not isinstance(q.graph_name, ox.DefaultGraph)]
        nquads = (current / "dumps" / f"{DUMP_NAME}.nq").read_bytes()
        assert len(named) == nquads.count(b"\n")  # and their union in the default graph
    assert outputs[0] == outputs[1]
    assert len(outputs[0]) > 10
    assert stores[0] == stores[1]


def test_another_base_uri_rewrites_every_iri(repo_copy):
    other = Settings.from_env({}, root=repo_copy.root, output_dir=repo_copy.output_dir,
                              base_uri="http://kg.example.org/")
    publish(build(other), other)
    nquads = (other.release_dir / "dumps" / f"{DUMP_NAME}.nq").read_text(encoding="utf-8")
    assert "https://w3id.org/defence-kg/" not in nquads
    assert "<http://kg.example.org/id/india>" in nquads


def test_query_command_runs_a_saved_query(release):
    name = "provenance-of-every-fact"  # answered whatever the data: every fact has its sentence
    done = cli("query", name, "--output-dir", str(release.output_dir), "--format", "csv")
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("\n") >= 2  # a header and at least one row


def test_query_command_exit_codes(release):
    missing = cli("query", "no-such-query", "--output-dir", str(release.output_dir))
    assert missing.returncode == 2
    assert "saved queries:" in missing.stderr


def test_unchanged_inputs_are_not_rebuilt(repo_copy):
    env = {"DEFENCE_KG_ROOT": str(repo_copy.root)}
    first = cli("build", "--output-dir", str(repo_copy.output_dir), env=env)
    assert first.returncode == 0, first.stderr
    again = cli("build", "--output-dir", str(repo_copy.output_dir), env=env)
    assert again.returncode == 0 and again.stdout.startswith("up to date")
    append(repo_copy.data_dir / "links.ttl", "# a comment is a change of input\n")
    changed = cli("build", "--output-dir", str(repo_copy.output_dir), env=env)
    assert changed.returncode == 0 and changed.stdout.startswith("built")


def test_nquads_files_keep_their_graphs(repo_copy):
    graph = _some_sentence_graph(repo_copy)
    extra = repo_copy.data_dir / "extra.nq"
    extra.write_text(f"<https://w3id.org/defence-kg/id/s-400> "
                     f"<http://www.w3.org/2000/01/rdf-schema#comment> \"from N-Quads\"@en "
                     f"<{graph}> .\n", encoding="utf-8")
    result = build(repo_copy)
    assert result.report["graphs"][graph] > 0
    assert (URIRef("https://w3id.org/defence-kg/id/s-400"), RDFS.comment,
            Literal("from N-Quads", lang="en"), URIRef(graph)) in dataset_of(result)
    extra.write_text("<https://w3id.org/defence-kg/id/s-400> "
                     "<http://www.w3.org/2000/01/rdf-schema#comment> \"unsourced\" .\n",
                     encoding="utf-8")
    with pytest.raises(BuildError, match="outside a named graph"):
        build(repo_copy)


def test_drafts_are_never_built_but_can_be_checked_with_the_data(repo_copy):
    # A draft that would fail the build (a fact outside a sentence graph) is not read...
    drafts = repo_copy.drafts_dir
    drafts.mkdir()
    draft = drafts / "draft.trig"
    draft.write_text(f"<{EX}s> <{EX}p> <{EX}o> .\n", encoding="utf-8")
    built = dataset_of(build(repo_copy))
    assert not any(built.quads((URIRef(f"{EX}s"), None, None, None)))
    # ...unless it is named as an extra file, as `accept` does, and then it is checked.
    with pytest.raises(BuildError, match=r"draft\.trig: triples outside a named graph"):
        build(repo_copy, extra_files=[draft])
    draft.write_text(f"<{EX}g> {{ <{EX}s> <{RDFS.seeAlso}> <{EX}o> }}\n", encoding="utf-8")
    checked = dataset_of(build(repo_copy, extra_files=[draft]))
    assert (URIRef(f"{EX}s"), RDFS.seeAlso, URIRef(f"{EX}o")) in checked.graph(URIRef(f"{EX}g"))
    # Its terms are checked like the data's: an undeclared property fails, naming the draft.
    draft.write_text(f"<{EX}g> {{ <{EX}s> <{EX}p> <{EX}o> }}\n", encoding="utf-8")
    with pytest.raises(BuildError, match=r"draft\.trig:1: <http://example\.org/p> is not a"):
        build(repo_copy, extra_files=[draft])


# --- incremental builds --------------------------------------------------------------------

def release_files(settings: Settings) -> dict:
    """The current release's files but its store's, by path: what must be byte-identical."""
    return files_but_stores(settings.release_dir)


def files_but_stores(release: Path) -> dict:
    """A release's files but its stores' (RocksDB's own, not byte-identical), by path."""
    stores = {STORE_DIR, VOID_STORE_DIR}
    return {p.relative_to(release): p.read_bytes() for p in release.rglob("*")
            if p.is_file() and not stores & set(p.relative_to(release).parts)}


def store_quads(settings: Settings) -> tuple[list[str], list[str]]:
    """Every quad of the current release's store, the default graph's too, as N-Quads, and
    its named graphs (a graph may stay when its quads go)."""
    store = ox.Store.read_only(str(release_store(settings.release_dir)))
    return sorted(map(str, store)), sorted(map(str, store.named_graphs()))


def store_files(release: Path) -> dict:
    """A release store's files, by name, and their contents' digests."""
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
            for p in (release / STORE_DIR).iterdir()}


def build_both_ways(settings: Settings, tmp_path: Path, caplog, patch_limit=float("inf"),
                    store="the last release's, patched",
                    reasoning="reasoning: continued from the last release's state",
                    parsed: int = 1) -> dict:
    """Build and publish incrementally over the last release (its store patched while a
    server holds it open, within `patch_limit`; the log names the `store` and how the
    `reasoning` went; only the `parsed` files changed or added are parsed and checked, the
    others' N-Quads are the last release's), and from scratch
    elsewhere; return the release, after checking
    that both are the same, store included, that the first validated only what the change
    reaches, and that the last release is as it was."""
    last = settings.release_dir.resolve()
    before = store_files(last)
    derived_kept = (settings.output_dir / pipeline.DERIVED / f"{last.name}.nq").exists()
    served = ox.Store.read_only(str(last / STORE_DIR))
    caplog.clear()
    with caplog.at_level("INFO", logger="defence_kg.build.pipeline"), \
            caplog.at_level("INFO", logger="defence_kg.build.publish"), \
            caplog.at_level("INFO", logger="defence_kg.build.release_files"):
        publish(build(replace(settings, patch_limit=patch_limit)), settings)
    assert "changed triples reach" in caplog.text
    # The search index's rows: the last release's, amended, whenever its statements were.
    assert ("search index: the last release's rows, amended" in caplog.text) == (
        "patched" in store), caplog.text
    assert f"store: {store}" in caplog.text
    assert ("assemble: the last release's statements, amended" in caplog.text) == (
        "patched" in store)
    assert reasoning in caplog.text
    # The census (void.ttl's counts, compared below) is amended only from a patched store.
    assert "census: the last release's, amended" not in caplog.text or "patched" in store
    # Continued reasoning, continued explanations: the unchanged statements' lines are kept.
    assert ("explain: continued" in caplog.text) == ("continued" in reasoning)
    # Continued, the last release's derived lines are amended: those kept beside it, else its
    # dump's; and the release is the last one's lines amended by the change explain knows.
    assert ("derived lines are not kept" in caplog.text) == (
        "continued" in reasoning and not derived_kept)
    assert ("amended by the known change" in caplog.text) == ("continued" in reasoning)
    assert f"load: {parsed} files parsed" in caplog.text
    assert "load: the last release's asserted lines, amended" in caplog.text
    assert f"check files: {parsed} checked" in caplog.text
    assert store_files(last) == before and len(served) > 0
    scratch = replace(settings, output_dir=tmp_path / f"scratch-{len(list(tmp_path.iterdir()))}")
    publish(build(scratch), scratch)
    assert settings.release_dir.resolve().name == scratch.release_dir.resolve().name
    files = release_files(settings)
    assert files == release_files(scratch)
    assert store_quads(settings) == store_quads(scratch)
    return files


def test_the_derived_graphs_load_when_a_core_is_free(settings, build_result, tmp_path):
    """A full build loads the derived graphs beside the count once SHACL's process has left
    the other core, or after the count if it never does: the same store either way."""
    from defence_kg.build.patch import Base, finish_patched, graph_lines

    derived_graphs = {str(graph) for graph in settings.vocabulary.derived_graphs}
    special = {str(settings.vocabulary.ontology_graph), *derived_graphs}
    release = build_result.statements.nquads
    derived = graph_lines(release, derived_graphs, True, tmp_path / "derived.nq")
    stores = []
    for freed in (True, False):
        asked = []

        def core_freed(seconds: float, asked=asked, freed=freed) -> bool:
            asked.append(seconds)
            return freed

        store = ox.Store(str(tmp_path / f"store-{freed}"))
        work = tmp_path / f"work-{freed}"
        work.mkdir()
        finish_patched(store, Base(), release, derived, derived_graphs, special, work, None,
                       core_freed)
        assert asked, "the derived graphs' load never asked whether a core is free"
        stores.append({*store})
    freed_store, busy_store = stores
    assert freed_store == busy_store
    assert {q.graph_name.value for q in freed_store
            if isinstance(q.graph_name, ox.NamedNode)} >= derived_graphs
    assert any(q.graph_name == ox.DefaultGraph() for q in freed_store)


def test_an_incremental_build_is_the_full_build(repo_copy, tmp_path, caplog):
    """Adding, changing and removing a source: the build validates the resources the change
    reaches, and publishes the release a build from scratch publishes."""
    from bench.synthetic import reports, write_report

    # Blank nodes, in a file the cache of the last release's N-Quads serves from now on:
    # labelled as a fresh parse labels them.
    (repo_copy.data_dir / "blank.ttl").write_text(
        "@prefix dct: <http://purl.org/dc/terms/> .\n"
        "<https://w3id.org/defence-kg/id/source/ani-2025-12-02> dct:contributor "
        "[ dct:title \"a desk\"@en ; dct:isPartOf [ dct:title \"a newsroom\"@en ] ] .\n",
        encoding="utf-8")
    publish(build(repo_copy), repo_copy)
    first = release_files(repo_copy)
    name, quads = next(reports())
    added = write_report(repo_copy.data_dir, name, quads)
    with_report = build_both_ways(repo_copy, tmp_path, caplog)
    assert with_report != first
    assert "census: the last release's, amended" in caplog.text
    trig = repo_copy.data_dir / "ani-2025-12-02.trig"
    trig.write_text(trig.read_text(encoding="utf-8").replace(
        '"the past decade, as of 2025-12-02"@en', '"the decade to 2 December 2025"@en'),
        encoding="utf-8")
    added.unlink()
    changed = build_both_ways(repo_copy, tmp_path, caplog,
                              reasoning="reasoning from scratch: asserted quads were removed")
    assert changed != first and b"the decade to 2 December 2025" in changed[
        Path("dumps") / f"{DUMP_NAME}.nq"]
    write_report(repo_copy.data_dir, name, quads)  # more than the limit changes:
    build_both_ways(repo_copy, tmp_path, caplog, patch_limit=0, store="new",
                    reasoning="reasoning from scratch: the store was loaded afresh")


def test_an_amended_search_index_is_the_full_builds(repo_copy, tmp_path, caplog):
    """The search index of an add-one build, from the last release's rows: a use of a shared
    resource removed from a sentence's graph that keeps other lines (its support drops, where
    the last release's store still holds the use) gives the index a full build writes."""
    from bench.synthetic import reports, write_report

    generated = reports()
    first, second = next(generated), next(generated)
    write_report(repo_copy.data_dir, *second)
    path = write_report(repo_copy.data_dir, *first)
    publish(build(repo_copy), repo_copy)
    name, quads = first
    # The one use of an IRI in a sentence's graph, as object, whose subject says more there.
    graphs = {}
    for quad in quads:
        graphs.setdefault(quad.graph_name, []).append(quad)
    dropped = next(q for q in quads if "/sentence-" in q.graph_name.value
                   and isinstance(q.object, ox.NamedNode) and q.predicate != RDF_TYPE_NODE
                   and sum(q.object in (other.subject, other.object)
                           for other in graphs[q.graph_name]) == 1
                   and sum(other.subject == q.subject for other in graphs[q.graph_name]) > 2)
    path.unlink()
    write_report(repo_copy.data_dir, name, [q for q in quads if q != dropped])
    build_both_ways(repo_copy, tmp_path, caplog,
                    reasoning="reasoning from scratch: asserted quads were removed")


def test_a_continued_build_explains_anew_what_the_added_quads_change(repo_copy, tmp_path,
                                                                      caplog):
    """Explained incrementally, a statement is made anew when an added quad puts an asserted
    premise in one more graph (its lines name the graphs), or asserts what was inferred (its
    derivation dropped, and what follows from it ranked again): the release is the one a build
    from scratch makes, not the last release's lines."""
    publish(build(repo_copy), repo_copy)
    release = ox.Store()
    release.bulk_load(path=str(repo_copy.release_dir / "dumps" / f"{DUMP_NAME}.nq"),
                      format=ox.RdfFormat.N_QUADS)
    graphs = sorted(g.value for g in release.named_graphs() if "/sentence-" in g.value)
    premises = """
        PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
        PREFIX prov: <http://www.w3.org/ns/prov#>
        PREFIX dko: <https://w3id.org/defence-kg/ontology#>
        SELECT ?s ?p ?o ?holder WHERE { GRAPH ?explanations {
            ?statement dko:inferredBy ?rule ; prov:wasDerivedFrom ?premise .
            ?premise rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ;
                     prov:wasDerivedFrom ?holder .
            FILTER (isIRI(?s) && isIRI(?o) && CONTAINS(STR(?holder), "/sentence-"))
        } } ORDER BY ?s ?p ?o ?holder"""
    s, p, o, holder = next(iter(release.query(premises)))
    elsewhere = next(g for g in graphs if g != holder.value)
    inferred_premises = premises.replace("prov:wasDerivedFrom ?holder", "dko:inferredBy ?by") \
        .replace(' && CONTAINS(STR(?holder), "/sentence-")', "").replace(" ?holder", "")
    s2, p2, o2 = next(iter(release.query(inferred_premises)))
    # An inferred type, asserted, gives a shallower (or preferred) derivation to a type of the
    # same resource that is no added quad: cax-sco from it, where prp-dom/rng or a longer
    # path was the derivation.
    vocabulary = repo_copy.vocabulary
    x, b, c = next(iter(release.query(f"""
        PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
        PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        PREFIX dko: <https://w3id.org/defence-kg/ontology#>
        SELECT ?x ?b ?c WHERE {{
            GRAPH <{vocabulary.inferred_graph}> {{ ?x rdf:type ?b }}
            GRAPH <{vocabulary.ontology_graph}> {{ ?b rdfs:subClassOf ?c }}
            GRAPH <{vocabulary.explanations_graph}> {{
                ?statement rdf:subject ?x ; rdf:predicate rdf:type ; rdf:object ?c ;
                           dko:inferredBy ?rule }}
            FILTER (isIRI(?x) && !STRENDS(STR(?rule), "/cax-sco"))
        }} ORDER BY ?x ?b ?c""")))
    (repo_copy.data_dir / "restated.nq").write_text(
        f"{s} {p} {o} <{elsewhere}> .\n{s2} {p2} {o2} <{elsewhere}> .\n"
        f"{x} <{RDF.type}> {b} <{elsewhere}> .\n", encoding="utf-8")
    build_both_ways(repo_copy, tmp_path, caplog)
    release = ox.Store()
    release.bulk_load(path=str(repo_copy.release_dir / "dumps" / f"{DUMP_NAME}.nq"),
                      format=ox.RdfFormat.N_QUADS)
    explained = """
        PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
        PREFIX prov: <http://www.w3.org/ns/prov#>
        PREFIX dko: <https://w3id.org/defence-kg/ontology#>
        ASK { GRAPH ?explanations { ?statement rdf:subject %s ; rdf:predicate %s ;
              rdf:object %s ; prov:wasDerivedFrom <%s> .
              FILTER NOT EXISTS { ?statement dko:inferredBy ?rule } } }"""
    assert release.query(explained % (s, p, o, elsewhere))  # one graph more
    assert release.query(explained % (s2, p2, o2, elsewhere))  # asserted now
    assert release.query(f"""
        PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
        PREFIX dko: <https://w3id.org/defence-kg/ontology#>
        ASK {{ GRAPH ?explanations {{ ?statement rdf:subject {x} ; rdf:predicate rdf:type ;
               rdf:object {c} ; dko:inferredBy <{vocabulary.id}rule/cax-sco> }} }}""")


def test_a_release_amended_by_its_changed_lines_is_the_full_builds(repo_copy, tmp_path, caplog):
    """Patched from the last release, the counts and the union are the last release's moved by
    the lines that changed: a triple that loses one of its two graphs stays in the union, one
    that loses its only line leaves it (blank nodes too), one added comes in, and the graphs'
    and asserted triples' counts follow; all as a build from scratch finds them."""
    publish(build(repo_copy), repo_copy)
    dump = repo_copy.release_dir / "dumps" / f"{DUMP_NAME}.nq"
    asserted = [(triple, graph.removesuffix("> ."))
                for triple, graph in (line.rsplit(" <", 1) for line in
                                      dump.read_text(encoding="utf-8").splitlines())
                if "/sentence-" in graph and "_:" not in triple]
    (one, graph), (other, elsewhere) = asserted[0], next(
        pair for pair in asserted if pair[1] != asserted[0][1])  # `elsewhere` does not state one
    restated = repo_copy.data_dir / "restated.nq"
    restated.write_text(f"{one} <{elsewhere}> .\n", encoding="utf-8")
    blank = repo_copy.data_dir / "blank.ttl"
    blank.write_text("@prefix dct: <http://purl.org/dc/terms/> .\n"
                     "<https://w3id.org/defence-kg/id/source/ani-2025-12-02> dct:contributor "
                     "[ dct:title \"a desk\"@en ] .\n", encoding="utf-8")
    publish(build(repo_copy), repo_copy)
    first = release_files(repo_copy)
    # One changed file removes and adds: `one` keeps its first graph, `other` is in one more.
    restated.write_text(f"{other} <{graph}> .\n", encoding="utf-8")
    blank.write_text(blank.read_text(encoding="utf-8").replace("a desk", "a newsroom"),
                     encoding="utf-8")
    changed = build_both_ways(repo_copy, tmp_path, caplog, parsed=2,
                              reasoning="reasoning from scratch: asserted quads were removed")
    assert changed != first
    nquads = changed[Path("dumps") / f"{DUMP_NAME}.nq"].decode()
    assert f"{one} <{graph}> .\n" in nquads and f"{one} <{elsewhere}> .\n" not in nquads
    assert b'"a newsroom"@en' in changed[Path("dumps") / f"{DUMP_NAME}.nt"]
    assert b'"a desk"@en' not in changed[Path("dumps") / f"{DUMP_NAME}.nt"]


def test_lines_amended_by_binary_searches_are_the_lines_merged(release, tmp_path):
    """amend_lines gives what removing lines from a sorted file and merging others in gives,
    at its ends and in a file with none; a removed line it does not hold is an error."""
    dump = release.release_dir / "dumps" / f"{DUMP_NAME}.nq"
    lines = dump.read_bytes().splitlines(keepends=True)
    removed = sorted({*lines[::97], lines[0], lines[-1]})
    # Lines of other graphs, sorted among the release's, and before and after all of them.
    added = sorted({line[:-4] + b"-more> .\n" for line in lines[5::89]}
                   | {b"<a:> <a:> <a:> <a:> .\n", b"_:~ <z:> <z:> <z:> .\n"} - set(lines))
    changed = [tmp_path / "removed.nq", tmp_path / "added.nq"]
    for path, lines_of in zip(changed, (removed, added), strict=True):
        path.write_bytes(b"".join(lines_of))
    amended = amend_lines(dump, *changed, tmp_path / "amended.nq")
    assert amended.read_bytes() == b"".join(sorted(set(lines) - set(removed) | set(added)))
    (tmp_path / "none.nq").write_bytes(b"")
    assert amend_lines(tmp_path / "none.nq", tmp_path / "none.nq", changed[1],
                       tmp_path / "new.nq").read_bytes() == b"".join(added)
    with pytest.raises(ValueError, match="does not hold"):
        amend_lines(dump, changed[1], tmp_path / "none.nq", tmp_path / "wrong.nq")


def test_a_quad_stays_asserted_while_a_file_states_it(repo_copy, tmp_path, caplog):
    """Amended by the changed files' lines alone, the asserted lines keep a quad that one file
    no longer states while another still does, and do not take one that a file now states
    and another stated before."""
    publish(build(repo_copy), repo_copy)
    dump = repo_copy.release_dir / "dumps" / f"{DUMP_NAME}.nq"
    asserted = [line for line in dump.read_text(encoding="utf-8").splitlines(keepends=True)
                if "/sentence-" in line.rsplit(" <", 1)[1] and "_:" not in line]
    restated = repo_copy.data_dir / "restated.nq"
    restated.write_text(asserted[0], encoding="utf-8")
    publish(build(repo_copy), repo_copy)
    restated.write_text(asserted[-1], encoding="utf-8")
    # Without the last release's derived lines kept beside it (pruned by hand), its dump's.
    for kept in (repo_copy.output_dir / pipeline.DERIVED).iterdir():
        kept.unlink()
    changed = build_both_ways(repo_copy, tmp_path, caplog)
    nquads = changed[Path("dumps") / f"{DUMP_NAME}.nq"].decode()
    assert asserted[0] in nquads and asserted[-1] in nquads


def test_an_incremental_build_catches_what_a_change_breaks_elsewhere(repo_copy, caplog):
    """The instant stops being a time:Instant: the interval that begins at it, stated by no
    changed triple, breaks its shape (sh:class time:Instant), and the build says so."""
    publish(build(repo_copy), repo_copy)
    last = repo_copy.release_dir.resolve()
    before = store_files(last)
    trig = repo_copy.data_dir / "ani-2025-12-02.trig"
    trig.write_text(trig.read_text(encoding="utf-8").replace(
        "instant:2015-12-02 a time:Instant ;", "instant:2015-12-02"), encoding="utf-8")
    with caplog.at_level("INFO", logger="defence_kg.build.pipeline"), \
            pytest.raises(BuildError, match="does not conform") as failure:
        build(repo_copy)
    assert "changed triples reach" in caplog.text
    assert "the last release's, patched" in caplog.text  # and failed after: nothing touched
    assert store_files(last) == before and repo_copy.release_dir.resolve() == last
    assert "decade-to-2025-12-02" in str(failure.value)


def test_an_incremental_build_validates_an_added_blank_node(repo_copy, caplog):
    """A platform without a label, written as a blank node in a file added after a release:
    the build that validates only what the change reaches finds it, as a build from scratch
    does (its triples are read from the sorted lines, whose blank nodes the change names)."""
    publish(build(repo_copy), repo_copy)
    (repo_copy.data_dir / "unnamed.ttl").write_text(
        "[] a <https://w3id.org/defence-kg/ontology#FighterAircraft> .\n", encoding="utf-8")
    messages = []
    for settings in (repo_copy, replace(repo_copy, output_dir=repo_copy.output_dir / "scratch")):
        with caplog.at_level("INFO", logger="defence_kg.build.pipeline"), \
                pytest.raises(BuildError, match="does not conform") as failure:
            build(settings)
        messages.append(str(failure.value))
    assert "changed triples reach" in caplog.text
    assert "rdfs:label: missing" in messages[0] and messages[0] == messages[1]


def test_the_sorted_lines_answer_validation_as_the_quads_in_memory_do(build_result, settings):
    """What an added report's validation reads from the sorted lines (a binary search for a
    resource's quads, a grep for those pointing at it) is what the quads in memory give."""
    from defence_kg.build.validate import (
        _InMemory,
        _neighbourhood,
        _reached,
        _SortedLines,
        read_predicates,
        shape_depth,
    )

    shapes = load_shapes(settings)
    seen, depth = read_predicates(shapes), shape_depth(shapes)
    nquads = build_result.statements.nquads
    quads = [q for q in ox.parse(path=str(nquads), format=ox.RdfFormat.N_QUADS,
                                 rename_blank_nodes=False) if seen is None or q.predicate in seen]
    lines = nquads.read_bytes().splitlines(keepends=True)
    sample = lines[::max(1, len(lines) // 40)]
    changed = [b" ".join(line.split(b" ")[:3]) + b" .\n" for line in sample
               if line.count(b" ") == 4]  # statements whose terms hold no space
    in_memory = _InMemory(quads)
    with _SortedLines.of(nquads, seen) as sorted_lines:
        reached = _reached(changed, sorted_lines, depth)
        assert reached == _reached(changed, in_memory, depth)
        assert len(reached) > len(changed) // 2
        assert _neighbourhood(reached, sorted_lines, depth) == _neighbourhood(
            reached, in_memory, depth)


def test_the_ontology_page_lists_a_hundred_instances_and_links_the_rest(build_result, settings):
    from defence_kg.build.ontology_page import LISTED, ontology_page

    store = ox.Store()
    store.bulk_load(path=str(build_result.statements.nquads), format=ox.RdfFormat.N_QUADS)
    state = ox.NamedNode(settings.vocabulary.ontology["State"])
    graph = ox.NamedNode(settings.vocabulary.graph["many-states"])
    # Numbered without padding, so that the first by IRI are not the first numbers (state-1,
    # state-10, state-100, ...); and an instance that is a blank node, neither listed nor counted.
    typed = ox.NamedNode(str(RDF.type))
    store.bulk_extend([*(ox.Quad(ox.NamedNode(f"{EX}state-{n}"), typed, state, graph)
                         for n in range(LISTED + 50)),
                       ox.Quad(ox.BlankNode(), typed, state, graph)])
    store.bulk_extend([ox.Quad(q.subject, q.predicate, q.object) for q in store])
    page = ontology_page(store, settings.vocabulary, "test").decode("utf-8")
    states = page[page.index('id="State"'):]
    states = states[:states.index("</section>")] if "</section>" in states else states
    more = re.search(r'<a href="([^"]*sparql\?query=[^"]*)">… and ([\d,]+) more</a>', states)
    assert more, states[:2000]
    instances = sorted({q.subject.value for q in store.quads_for_pattern(
        None, typed, state, ox.DefaultGraph()) if isinstance(q.subject, ox.NamedNode)})
    assert int(more.group(2).replace(",", "")) == len(instances) - LISTED
    listed = set(re.findall(rf'href="({re.escape(EX)}state-\d+)"', states))
    assert listed == {iri for iri in instances[:LISTED] if iri.startswith(EX)}
