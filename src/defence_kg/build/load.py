"""Load the ontology and the data files, one named graph per origin, with pyoxigraph's parsers.

The graph layout is documented in docs/design.md ("Named graphs and provenance").
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph

from ..settings import Settings

ONTOLOGY_FILE = "defence-cooperation.ttl"
SHAPES_FILE = "shapes.ttl"
DATA_FORMATS = {".ttl": ox.RdfFormat.TURTLE, ".trig": ox.RdfFormat.TRIG,
                ".nq": ox.RdfFormat.N_QUADS}
DATASET_FORMATS = {suffix for suffix, f in DATA_FORMATS.items() if f.supports_datasets}


class LoadError(Exception):
    """A data file that cannot be read; the message starts with `file:line:`."""


@dataclass(frozen=True)
class Source:
    """One file's quads, each in its graph, blank nodes labelled from the file's content."""

    path: Path
    quads: list[ox.Quad]


def load_sources(settings: Settings, extra_files: Sequence[Path] = ()) -> list[Source]:
    """The ontology in its graph, each .ttl in the graph named after it, each .trig or .nq
    file's graphs as written; `extra_files` are read as if they were under data/ (a draft
    being accepted is checked with the rest of the data this way)."""
    return list(read_sources(settings, extra_files))


def read_sources(settings: Settings, extra_files: Sequence[Path] = ()) -> Iterator[Source]:
    """load_sources() one at a time: a caller that writes each away holds one in memory."""
    for path, graph in source_files(settings, extra_files):
        yield load_source(path, settings, graph)


def source_files(settings: Settings, extra_files: Sequence[Path] = ()) -> Iterator[
        tuple[Path, ox.NamedNode | None]]:
    """The files load_sources() reads, each with the graph its triples go in (None for a
    dataset file, whose quads name their graphs)."""
    vocabulary = settings.vocabulary
    yield settings.ontology_dir / ONTOLOGY_FILE, ox.NamedNode(str(vocabulary.ontology_graph))
    for path in [*data_files(settings), *extra_files]:
        graph = None
        if not DATA_FORMATS[path.suffix].supports_datasets:
            graph = ox.NamedNode(str(vocabulary.graph[_graph_name(path, settings)]))
        yield path, graph


def load_source(path: Path, settings: Settings, graph: ox.NamedNode | None) -> Source:
    """A file's quads: a triples file's in `graph`, a dataset file's in the graphs it names
    (a fact outside any named graph would have no sentence to cite: refused)."""
    display = _display(path, settings)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise LoadError(f"{display}: cannot read: {error}") from error
    data = settings.vocabulary.rebase(text).encode("utf-8")
    try:
        parsed = list(ox.parse(data, format=DATA_FORMATS[path.suffix]))
    except SyntaxError as error:
        raise LoadError(f"{display}:{error.lineno}: syntax error: {error.msg}") from error
    except ValueError as error:
        raise LoadError(f"{display}: {error}") from error
    if graph is not None:
        quads = [ox.Quad(q.subject, q.predicate, q.object, graph) for q in parsed]
    else:
        quads = parsed
        outside = next((q for q in quads if not isinstance(q.graph_name, ox.NamedNode)), None)
        if outside is not None:
            raise LoadError(f"{display}: triples outside a named graph, e.g. {outside.triple}; "
                            "put each fact in the graph (named by an IRI) of the sentence that "
                            "supports it")
    return Source(path, _label_blank_nodes(quads, data))


def _label_blank_nodes(quads: list[ox.Quad], data: bytes) -> list[ox.Quad]:
    """The quads with blank nodes labelled by RDFC-1.0 (https://www.w3.org/TR/rdf-canon/),
    prefixed with a digest of the file: the same file always gives the same labels, whatever
    the parser chose, and two files never share a blank node."""
    blank = [q for q in quads if _has_blank_node(q)]
    if not blank:
        return quads
    canonical = ox.Dataset(blank)
    canonical.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    prefix = "b" + hashlib.sha256(data).hexdigest()[:12]

    def relabel(term):
        return ox.BlankNode(prefix + term.value) if isinstance(term, ox.BlankNode) else term

    return [q for q in quads if not _has_blank_node(q)] + [
        ox.Quad(relabel(q.subject), q.predicate, relabel(q.object), relabel(q.graph_name))
        for q in sorted(canonical, key=str)]


def _has_blank_node(quad: ox.Quad) -> bool:
    return any(isinstance(term, ox.BlankNode) for term in
               (quad.subject, quad.object, quad.graph_name))


def load_shapes(settings: Settings) -> Graph:
    """The SHACL shapes: used to check the data, not part of the published dataset."""
    path = settings.ontology_dir / SHAPES_FILE
    text = settings.vocabulary.rebase(path.read_text(encoding="utf-8"))
    try:
        return Graph().parse(data=text, format="turtle")
    except Exception as error:  # rdflib raises plain exceptions for bad IRIs, literals, prefixes
        raise LoadError(f"{_display(path, settings)}: {error}") from error


def data_files(settings: Settings) -> list[Path]:
    """Every RDF file under data/ but the drafts awaiting review, in a stable order."""
    drafts = settings.drafts_dir
    return sorted(p for p in settings.data_dir.rglob("*")
                  if p.suffix in DATA_FORMATS and not p.is_relative_to(drafts))


def _graph_name(path: Path, settings: Settings) -> str:
    """A Turtle file's graph: its path under data/ without the extension (links.ttl -> links)."""
    try:
        return path.relative_to(settings.data_dir).with_suffix("").as_posix()
    except ValueError:
        return path.stem


def input_files(settings: Settings) -> list[Path]:
    """Everything a build reads: what its output depends on."""
    checks = sorted((settings.queries_dir / "checks").glob("*.rq"))
    ontology = [settings.ontology_dir / ONTOLOGY_FILE, settings.ontology_dir / SHAPES_FILE]
    return ontology + data_files(settings) + checks


def _display(path: Path, settings: Settings) -> str:
    try:
        return path.relative_to(settings.root).as_posix()
    except ValueError:
        return str(path)
