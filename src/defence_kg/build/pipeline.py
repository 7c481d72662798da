"""The build: load -> SHACL-validate -> OWL 2 RL reasoning -> quality checks.

One code path makes the dataset for the CLI, the server and the tests; dumps.publish() writes it.
"""

from __future__ import annotations

import hashlib
import json
import logging
import sys
import time
from collections.abc import Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Dataset, Graph

from .. import __version__
from ..rdf import canonical_quads
from ..settings import Settings
from .check import run_violation_queries
from .explain import explanation_triples
from .load import LoadError, input_files, load_dataset, load_shapes
from .reason import infer
from .validate import validate_shapes

log = logging.getLogger(__name__)
# What a release is made with besides its inputs: the code, and the templates of the pages
# written into it (the ontology documentation).
BUILD_CODE = {".py", ".html"}


class BuildError(Exception):
    """The input cannot be published as it is; the message says where and why."""


@dataclass
class BuildResult:
    dataset: Dataset
    report: dict  # deterministic: written into the release
    timings: dict[str, float] = field(default_factory=dict)  # seconds per step: logs, benchmarks
    quads: list | None = None  # the dataset's canonical_quads(), computed once per build


def build(settings: Settings, extra_files: Sequence[Path] = ()) -> BuildResult:
    """Make the publishable dataset from the repository's files, or raise BuildError.
    `extra_files` are checked as if they were data files (`defence-kg accept` uses it)."""
    vocabulary = settings.vocabulary
    timings: dict[str, float] = {}
    with _step("load", timings):
        try:
            dataset = load_dataset(settings, extra_files)
            shapes = load_shapes(settings)
        except LoadError as error:
            raise BuildError(str(error)) from error
    with _step("validate (SHACL)", timings):
        shaped = validate_shapes(dataset, shapes, settings)
        if not shaped.conforms:
            raise BuildError("The data does not conform to ontology/shapes.ttl:\n" + shaped.report)
    with _step("reason (OWL 2 RL)", timings) as progress:
        inference = infer(dataset, vocabulary, progress=progress)
        if inference.contradictions:
            raise BuildError("The data contradicts the ontology (OWL 2 RL):\n"
                             + "\n".join(inference.contradictions))
        inferred = dataset.graph(vocabulary.inferred_graph)
        for triple in inference.triples:
            inferred.add(triple)
    with _step("explain", timings):
        explanations = dataset.graph(vocabulary.explanations_graph)
        for triple in explanation_triples(inference.triples, inference.derivations, dataset,
                                        vocabulary):
            explanations.add(triple)
    with _step("check (violation queries)", timings):
        quads = canonical_quads(dataset)
        checked = run_violation_queries(dataset, settings, quads)
        if not checked.conforms:
            raise BuildError("Quality checks in queries/checks/ returned rows:\n" + checked.report)
    report = _report(dataset, inference.dropped, settings)
    log.info("asserted %(asserted)d, ontology %(ontology)d, inferred %(inferred)d, "
             "dropped %(dropped_total)d triples", report["triples"])
    return BuildResult(dataset, report, timings, quads)


def input_hash(settings: Settings) -> str:
    """A digest of every input file, the base IRI and the code that builds: equal digests mean
    equal output (builds are deterministic), so an unchanged input need not be rebuilt."""
    digest = hashlib.sha256(settings.base_uri.encode())
    package = Path(__file__).parents[1]
    files = [(path, path.relative_to(settings.root)) for path in input_files(settings)]
    code = sorted(p for p in package.rglob("*") if p.suffix in BUILD_CODE and p.is_file()
                  and "node_modules" not in p.parts)
    files += [(path, path.relative_to(package)) for path in code]
    for path, name in files:
        digest.update(name.as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def is_up_to_date(settings: Settings) -> bool:
    """Whether the current release was built from exactly these inputs."""
    report = settings.release_dir / "build-report.json"
    try:
        built_from = json.loads(report.read_text(encoding="utf-8"))["input_sha256"]
    except (OSError, ValueError, KeyError):
        return False
    return built_from == input_hash(settings)


def _report(dataset: Dataset, dropped, settings: Settings) -> dict:
    vocabulary = settings.vocabulary
    special = {vocabulary.ontology_graph, *vocabulary.derived_graphs}
    asserted = Graph()
    graphs = {}
    for graph in dataset.graphs():
        if len(graph):
            graphs[str(graph.identifier)] = len(graph)
        if graph.identifier not in special:
            for triple in graph:
                asserted.add(triple)
    return {
        "version": __version__,
        "base_uri": settings.base_uri,
        "input_sha256": input_hash(settings),
        "triples": {
            "asserted": len(asserted),
            "ontology": len(dataset.graph(vocabulary.ontology_graph)),
            "inferred": len(dataset.graph(vocabulary.inferred_graph)),
            "explanations": len(dataset.graph(vocabulary.explanations_graph)),
            "dropped_total": sum(dropped.values()),
            "dropped": dict(sorted(dropped.items())),
            "quads": sum(graphs.values()),
        },
        "graphs": dict(sorted(graphs.items())),
    }


class _Progress:
    """Progress of a long step: a line rewritten in place on a terminal, a log line at most
    every five seconds otherwise (CI logs, files)."""

    def __init__(self, step: str):
        self.step = step
        self.terminal = sys.stderr.isatty()
        self.last_log = time.monotonic()
        self.line_open = False

    def __call__(self, processed: int, known: int) -> None:
        if self.terminal:
            sys.stderr.write(f"\r{self.step}: {processed:,} of {known:,} triples processed")
            sys.stderr.flush()
            self.line_open = True
        elif time.monotonic() - self.last_log >= 5:
            self.last_log = time.monotonic()
            log.info("%s: %d of %d triples processed", self.step, processed, known)

    def close(self) -> None:
        if self.line_open:
            sys.stderr.write("\n")


@contextmanager
def _step(name: str, timings: dict[str, float]):
    log.info("%s ...", name)
    started = time.perf_counter()
    progress = _Progress(name)
    yield progress
    progress.close()
    timings[name] = time.perf_counter() - started
    log.info("%s done in %.2f s", name, timings[name])
