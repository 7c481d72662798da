"""Load the ontology and the data files into one rdflib Dataset, one named graph per origin.

The graph layout is documented in docs/design.md ("Named graphs and provenance").
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from rdflib import Dataset, Graph, URIRef
from rdflib.plugins.parsers.notation3 import BadSyntax

from ..settings import Settings

ONTOLOGY_FILE = "defence-cooperation.ttl"
SHAPES_FILE = "shapes.ttl"
DATA_FORMATS = {".ttl": "turtle", ".trig": "trig", ".nq": "nquads"}
DATASET_FORMATS = {".trig", ".nq"}  # files that name their graphs


class LoadError(Exception):
    """A data file that cannot be read; the message starts with `file:line:`."""


def load_dataset(settings: Settings, extra_files: Sequence[Path] = ()) -> Dataset:
    """The ontology in its graph, each .ttl in the graph named after it, each .trig or .nq
    file's graphs as written; `extra_files` are read as if they were under data/ (a draft
    being accepted is checked with the rest of the data this way)."""
    vocabulary = settings.vocabulary
    dataset = Dataset(default_union=True)  # dataset.triples() reads every graph
    for prefix, namespace in vocabulary.prefixes.items():
        dataset.bind(prefix, namespace)
    _parse_into(dataset.graph(vocabulary.ontology_graph), settings.ontology_dir / ONTOLOGY_FILE,
                settings)
    for path in [*data_files(settings), *extra_files]:
        if path.suffix in DATASET_FORMATS:
            _load_named_graphs(dataset, path, settings)
        else:
            _parse_into(dataset.graph(vocabulary.graph[_graph_name(path, settings)]), path,
                        settings)
    return dataset


def load_shapes(settings: Settings) -> Graph:
    """The SHACL shapes: used to check the data, not part of the published dataset."""
    return _parse_into(Graph(), settings.ontology_dir / SHAPES_FILE, settings)


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


def _load_named_graphs(dataset: Dataset, path: Path, settings: Settings) -> None:
    # A fact outside any named graph would have no sentence to cite: refuse it.
    parsed = _parse_into(Dataset(), path, settings)
    default = parsed.default_graph
    if len(default):
        subject, predicate, obj = next(iter(default))
        raise LoadError(f"{_display(path, settings)}: triples outside a named graph, e.g. "
                        f"{subject.n3()} {predicate.n3()} {obj.n3()}; put each fact in the graph "
                        "of the sentence that supports it")
    for graph in parsed.graphs():
        if graph.identifier != default.identifier:
            target = dataset.graph(URIRef(graph.identifier))
            for triple in graph:
                target.add(triple)


def _parse_into(graph, path: Path, settings: Settings):
    display = _display(path, settings)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise LoadError(f"{display}: cannot read: {error}") from error
    try:
        graph.parse(data=settings.vocabulary.rebase(text), format=DATA_FORMATS[path.suffix])
    except BadSyntax as error:
        reason = getattr(error, "_why", None) or str(error)
        raise LoadError(f"{display}:{_line_of(error)}: syntax error: {reason}") from error
    except Exception as error:  # rdflib raises plain exceptions for bad IRIs, literals, prefixes
        raise LoadError(f"{display}: {error}") from error
    return graph


def _line_of(error: BadSyntax) -> int:
    """The line of the failing statement. rdflib's own `lines` counter drifts on some files, but
    the byte offset it keeps into the text (`_i` into `_str`) does not."""
    text, offset = getattr(error, "_str", None), getattr(error, "_i", None)
    if isinstance(text, bytes) and isinstance(offset, int):
        return text[:offset].count(b"\n") + 1
    return error.lines + 1


def _display(path: Path, settings: Settings) -> str:
    try:
        return path.relative_to(settings.root).as_posix()
    except ValueError:
        return str(path)
