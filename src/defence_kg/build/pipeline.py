"""The build: load -> compare with the last release -> SHACL-validate (in a process beside)
-> store -> OWL 2 RL reasoning -> explain -> assemble -> checks.

One code path makes the dataset for the CLI, the server and the tests; publish() writes it.
The quads never enter an rdflib Dataset: pyoxigraph parses, an on-disk Oxigraph store (the
release's, once published) answers look-ups and the checks, and the statements are sorted as
N-Quads lines (assemble.py). docs/design.md, "The streaming build", says why each step is so.
"""

from __future__ import annotations

import ctypes
import gc
import hashlib
import json
import logging
import resource
import shutil
import sys
import tempfile
import time
import weakref
from collections.abc import Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path

import pyoxigraph as ox

from .. import __version__
from ..settings import Settings
from .assemble import Statements, amend_lines, sort_lines, write_lines
from .asserted import sort_asserted
from .changes import SCHEMA_KEY, previous_release, schema_digest
from .check import CHECKS_KEY, check_digests, run_violation_queries
from .collector import pause_cycle_collector
from .explain import Last, changed_lines, explanation_lines
from .kept import kept_path
from .lines import read_rdf_files
from .load import LoadError, data_files, input_files, load_shapes
from .offsets import MisplacedSegments
from .patch import (EMPTY, Base, finish_patched, graph_lines, release_change,
                    start_patched)
from .reason import Inference, State, infer, infer_more
from .release_files import ReleaseFiles, last_dumps, last_index
from .terms import UndeclaredTerms
from .unchanged import RECORD_FILE, CheckedBefore, FileRecord, load_nquads
from .validate import Beside

log = logging.getLogger(__name__)
# What a release is made with besides its inputs: the code, and the templates of the pages
# written into it (the ontology documentation).
BUILD_CODE = {".py", ".html"}
STORE = "store"  # the work directory's Oxigraph store
STATE_FILE = "reasoner.pickle"  # the work directory's reasoner state (reason.State)
RELEASE_FILES = "release"  # the work directory's dumps and search index (release_files.py)


class BuildError(Exception):
    """The input cannot be published as it is; the message says where and why."""


@dataclass
class BuildResult:
    """A build, kept in a work directory under the output directory until it is dropped:
    the release's statements (sorted N-Quads and N-Triples), the store holding them, and the
    dumps and search index being written from them (stopped if it is dropped unpublished)."""

    report: dict  # deterministic: written into the release
    statements: Statements
    work: Path
    files: ReleaseFiles
    timings: dict[str, float] = field(default_factory=dict)  # seconds per step: logs, benchmarks
    peaks: dict[str, float] = field(default_factory=dict)  # peak RSS (MiB) by the end of each

    def __post_init__(self):
        weakref.finalize(self, _drop, self.files, self.work)

    @property
    def store_path(self) -> Path:
        return self.work / STORE

    def open_store(self) -> ox.Store:
        """The release's quads, and their union as the default graph (read-only)."""
        return ox.Store.read_only(str(self.store_path))


def _drop(files: ReleaseFiles | None, work: Path) -> None:
    """Stop the processes writing into the work directory, then remove it."""
    if files is not None:
        files.stop()
    shutil.rmtree(work, ignore_errors=True)


def build(settings: Settings, extra_files: Sequence[Path] = ()) -> BuildResult:
    """Make the publishable dataset from the repository's files, or raise BuildError.
    `extra_files` are checked as if they were data files (`defence-kg accept` uses it)."""
    vocabulary = settings.vocabulary
    step = _Steps()
    settings.output_dir.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".build-", dir=settings.output_dir))
    beside = files = None
    try:
        # The last release's record of its files (unchanged.py): those with the same bytes
        # are neither parsed nor checked again.
        schema = schema_digest(settings, _code_files())
        previous = previous_release(settings, schema)
        known, record = FileRecord.last(settings, previous), FileRecord()
        # SHACL runs beside the rest, which does not depend on it; a shape violation is still
        # what the build reports first (after the files' own errors). From scratch it
        # validates every file, which it reads itself: it starts at once, on the other core,
        # while this one loads and checks the files (at 10M quads, 132 s earlier).
        beside = Beside(settings, extra_files, None, None) if previous is None else None
        with step("load"):
            # Each source written away as it is read: SHACL's process reads the files itself,
            # so nothing here needs every source's quads at once.
            try:
                sources = load_nquads(settings, extra_files, known, record, work)
                load_shapes(settings)  # a broken shapes file is refused here (SHACL reads it again)
            except LoadError as error:
                raise BuildError(str(error)) from error
            parsed = sum(source.is_relative_to(work) for source in sources)
            log.info("load: %d files parsed, %d unchanged since the last release", parsed,
                     len(sources) - parsed)
            # Amended from the last release's lines by the changed files' when it can be.
            assertions = sort_asserted(sources, settings, previous, known, record, work)
            asserted = assertions.lines
            log.info("load: %s", "the last release's asserted lines, amended"
                     if assertions.change else "every file's lines sorted")
        with step("check files (terms, offsets)"):
            _check_files([*data_files(settings), *extra_files], settings, known, record)
            record.write(work / RECORD_FILE)
        with step("compare with the last release"):
            special = {str(g) for g in (vocabulary.ontology_graph, *vocabulary.derived_graphs)}
            changed = None if previous is None else assertions.changed_triples(
                previous, {f"<{graph}>".encode() for graph in special})
        if beside is None:  # the change is known: SHACL validates what it reaches
            beside = Beside(settings, extra_files, changed, asserted)
        # The SHACL process reads the files itself; from here on the quads are read from the
        # sorted file, and no Python object per quad is kept.
        with step("store"):
            # The last release's store, patched (patch.py); from scratch, an empty one.
            derived_graphs = {str(graph) for graph in vocabulary.derived_graphs}
            store, base, change = start_patched(Base.of(previous), asserted, derived_graphs,
                                                work / STORE, settings.patch_limit,
                                                assertions.change)
            log.info("store: %s", "the last release's, patched" if base.store else "new")
        try:
            last = _last_state(settings, previous, base, change)
            # The reasoner's objects are made and dropped in here: collected afterwards, only
            # what survives them is walked.
            with pause_cycle_collector():
                inference = _reason(asserted, store, vocabulary, step, last)
                with step("keep the reasoner's state"):
                    _keep_state(inference, work / STATE_FILE)
                dropped, derived, derived_change = _explain(inference, asserted, settings,
                                                            step, work, base, change[1])
                del inference
            give_back_freed_memory()
            # Assembled while SHACL may still run: a shape violation is still the error
            # reported first, but the wait is shorter.
            with step("assemble"):
                # The asserted and derived lines stay in the work directory: publish keeps
                # them for the next build to amend (asserted.py, _explain).
                known = None if derived_change is None else release_change(
                    change, derived_change, work)
                release = work / "release.nq"
                if known is None:
                    sort_lines([asserted, derived], release, merge=True)
                else:  # the last release's lines amended by the change
                    amend_lines(base.nquads, *known, release)
                # The default graph is the union of the named graphs, written as a set so that
                # the server need not (Oxigraph's use_default_graph_as_union would count a fact
                # once per graph holding it, and override a query's own FROM clauses).
                statements = finish_patched(store, base, release, derived, derived_graphs,
                                            special, work, known, beside.finished)
                log.info("assemble: %s", "every line counted" if base.nquads == EMPTY
                         else "the last release's statements, amended by " + (
                             "the known change" if known else "the release's difference "
                             "with the last (explained afresh: its derived change unknown)"))
        except BuildError:
            _check_shapes(beside, step)
            raise
        _check_shapes(beside, step)
        # Nothing the dumps and the search index read depends on the checks to come: their
        # processes start here, beside the violation queries (after SHACL's, whose memory is
        # then given back: docs/design.md, "Publishing beside the checks").
        files = ReleaseFiles(statements, vocabulary, work / RELEASE_FILES,
                             last_index(settings, base, work), last_dumps(settings, vocabulary))
        with step("check (violation queries)"):
            # Over what the change can reach, when it is known (check.py).
            checked = run_violation_queries(
                store, settings, None if known is None or previous is None else (previous, known))
            if not checked.conforms:
                raise BuildError("Quality checks in queries/checks/ returned rows:\n"
                                 + checked.report)
        del store  # closes it: publish reads it from here
        report = {**_report(statements, dropped, settings), SCHEMA_KEY: schema,
                  CHECKS_KEY: check_digests(settings)}
    except BaseException:
        _drop(files, work)
        raise
    finally:
        if beside is not None:
            beside.cancel()
    log.info("asserted %(asserted)d, ontology %(ontology)d, inferred %(inferred)d, "
             "dropped %(dropped_total)d triples", report["triples"])
    return BuildResult(report, statements, work, files, step.timings, step.peaks)


STATES = "reasoner"  # under the output directory: the reasoner's state after each release
DERIVED = "derived"  # under the output directory: each release's derived lines, sorted
DERIVED_FILE = "derived-sorted.nq"  # in the work directory, until the release is published


def state_path(settings: Settings, release: Path) -> Path:
    """Where the reasoner's state after building `release` is kept (beside the releases, not
    in one: a release's files are compared byte for byte)."""
    return kept_path(settings, STATES, release, ".pickle")


def _last_state(settings: Settings, previous: Path | None, base: Base,
                change: tuple[Path, Path]) -> tuple[Path, Path] | None:
    """The last release's reasoner state and the asserted quads added since (N-Quads), when
    they were only added (`change`: the quads removed from the store's base and added to it);
    else None, and the log says why the reasoning starts afresh."""
    removed, added = change
    state = None if previous is None else state_path(settings, previous)
    why = ("there is no last release built with this schema" if previous is None
           else "the store was loaded afresh" if base.store is None
           else "asserted quads were removed" if removed.stat().st_size
           else "the last release's reasoner state is missing" if not state.exists()
           else None)
    if why:
        log.info("reasoning from scratch: %s", why)
        return None
    return state, added


def _reason(asserted: Path, store: ox.Store, vocabulary, step,
            last: tuple[Path, Path] | None = None) -> Inference:
    """The closure's published inferences, their derivations and the reasoner's state. With
    `last` (a state file and the quads added since), the reasoning continues from that state
    where it gives what reasoning afresh gives."""
    with step("reason (OWL 2 RL)") as progress:
        inference = None
        if last is not None:
            with open(last[0], "rb") as file:
                state = State.read(file)
            added = ox.parse(path=str(last[1]), format=ox.RdfFormat.N_QUADS,
                             rename_blank_nodes=False)
            inference = infer_more(state, added, store, vocabulary, progress=progress)
            del state
            if isinstance(inference, str):
                log.info("reasoning from scratch: %s", inference)
                inference = None
            else:
                log.info("reasoning: continued from the last release's state")
        if inference is None:
            quads = ox.parse(path=str(asserted), format=ox.RdfFormat.N_QUADS,
                             rename_blank_nodes=False)
            inference = infer(quads, store, vocabulary, progress=progress)
        if inference.contradictions:
            raise BuildError("The data contradicts the ontology (OWL 2 RL):\n"
                             + "\n".join(inference.contradictions))
    return inference


def _keep_state(inference: Inference, path: Path) -> None:
    """Pickle the reasoner's state to `path`, then drop it. Here, not in a forked process:
    the child's pickling would touch, and so copy, every page of the state (about 6 GiB at
    10M quads) beside the SHACL process's; docs/design.md, "Memory and passes of the full
    build", says what was measured."""
    _dump_state(inference.state, path)
    inference.state = None


def _dump_state(state: State, path: Path) -> None:
    with open(path, "wb") as out:
        state.write(out)


def _explain(inference: Inference, asserted: Path, settings: Settings, step, work: Path,
             base: Base, added: Path) -> tuple:
    """What was dropped from the closure (a count by reason), the inferred and explanations
    graphs as a sorted N-Quads file (DERIVED_FILE), written as they are found, and their
    change since the last release (two sorted files, removed and added) or None. Continued
    from the last release's state, the lines of what did not change are the last release's
    (kept beside it, or taken from `base`'s dump; `added`: the asserted quads added since),
    amended by the others: docs/design.md, "Explaining incrementally" and "The derived lines
    kept"."""
    vocabulary = settings.vocabulary
    with step("explain"):
        inferred = ox.NamedNode(str(vocabulary.inferred_graph))
        explanations = ox.NamedNode(str(vocabulary.explanations_graph))
        touched, last = inference.touched, None
        published = inference.triples
        if touched is not None and base.nquads != EMPTY:
            last = Last(_last_derived(settings, base, work), added, touched)
            published = [t for t in touched if t in inference.triples]  # the new lines
        explained = explanation_lines(inference.triples, inference.derivations, asserted,
                                      vocabulary, explanations, last)
        with open(work / "derived.nq", "wb") as out:
            write_lines(chain((f"{s} {p} {o} {inferred} .\n" for s, p, o in published),
                              explained), out)
        made = sort_lines([work / "derived.nq"], work / "derived-made.nq")
        (work / "derived.nq").unlink()
        if last is None:
            return inference.dropped, made.rename(work / DERIVED_FILE), None
        log.info("explain: continued from the last release's, %d statements made anew",
                 last.made)
        gone = (f"{s} {p} {o} {inferred} .\n" for s, p, o in touched
                if (s, p, o) not in inference.triples)  # no longer inferred: now asserted
        change = changed_lines(last, made, gone, explanations, work)
        derived = amend_lines(last.lines, *change, work / DERIVED_FILE)
        made.unlink()
        if last.lines.is_relative_to(work):
            last.lines.unlink()
    return inference.dropped, derived, change


def _last_derived(settings: Settings, base: Base, work: Path) -> Path:
    """The last release's derived lines, sorted: kept beside it, or (kept by no build of this
    code) its dump's lines in the derived graphs."""
    kept = kept_path(settings, DERIVED, base.store.parent, ".nq")
    if kept.exists():
        return kept
    log.info("explain: the last release's derived lines are not kept: taken from its dump")
    graphs = {str(graph) for graph in settings.vocabulary.derived_graphs}
    return graph_lines(base.nquads, graphs, True, work / "derived-before.nq")


def _check_shapes(beside: Beside, step) -> None:
    """Wait for the SHACL validation; its time and memory are its own process's."""
    with step("wait for SHACL"):
        shaped, seconds, peak = beside.result()
    step.timings["validate (SHACL)"], step.peaks["validate (SHACL)"] = seconds, peak
    log.info("validated %s against the shapes in %.2f s (peak RSS %.0f MiB)", shaped.scope,
             seconds, peak)
    if not shaped.conforms:
        raise BuildError("The data does not conform to ontology/shapes.ttl:\n" + shaped.report)


def _check_files(paths: list[Path], settings: Settings, last: FileRecord,
                 record: FileRecord) -> None:
    """The terms and offsets checks of the files, but of those the last release checked as
    they are (unchanged.CheckedBefore); raise BuildError with every problem found."""
    checked = CheckedBefore(paths, settings, last, record)
    to_read = checked.to_read()
    while True:
        terms, segments = UndeclaredTerms(settings), MisplacedSegments(settings)
        read_rdf_files(to_read, settings, readers=(terms.read, segments.read, checked.note))
        if not checked.read_all():
            break
        to_read = paths
    log.info("check files: %d checked, %d unchanged since the last release", len(to_read),
             len(paths) - len(to_read))
    _fail_on({
        "Terms neither the ontology nor a vocabulary it reuses declares": terms.problems,
        "Segments whose nif:anchorOf is not the source text at their offsets":
            segments.problems(),
    })
    checked.finish()


def _fail_on(problems: dict[str, list[str]]) -> None:
    """Raise one BuildError with every problem found, under its heading."""
    found = [f"{heading}:\n" + "\n".join(lines) for heading, lines in problems.items() if lines]
    if found:
        raise BuildError("\n".join(found))


def input_hash(settings: Settings) -> str:
    """A digest of every input file, the base IRI and the code that builds: equal digests mean
    equal output (builds are deterministic), so an unchanged input need not be rebuilt."""
    digest = hashlib.sha256(settings.base_uri.encode())
    files = [(path, path.relative_to(settings.root).as_posix())
             for path in input_files(settings)] + _code_files()
    for path, name in files:
        digest.update(name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _code_files() -> list[tuple[Path, str]]:
    """The code that builds, and the templates of the pages written into a release."""
    package = Path(__file__).parents[1]
    code = sorted(p for p in package.rglob("*") if p.suffix in BUILD_CODE and p.is_file()
                  and "node_modules" not in p.parts)
    return [(path, path.relative_to(package).as_posix()) for path in code]


def is_up_to_date(settings: Settings) -> bool:
    """Whether the current release was built from exactly these inputs."""
    report = settings.release_dir / "build-report.json"
    try:
        built_from = json.loads(report.read_text(encoding="utf-8"))["input_sha256"]
    except (OSError, ValueError, KeyError):
        return False
    return built_from == input_hash(settings)


def _report(statements: Statements, dropped, settings: Settings) -> dict:
    vocabulary = settings.vocabulary
    graphs = statements.graphs
    return {
        "version": __version__,
        "base_uri": settings.base_uri,
        "input_sha256": input_hash(settings),
        "triples": {
            "asserted": statements.asserted,
            "ontology": graphs.get(str(vocabulary.ontology_graph), 0),
            "inferred": graphs.get(str(vocabulary.inferred_graph), 0),
            "explanations": graphs.get(str(vocabulary.explanations_graph), 0),
            "dropped_total": sum(dropped.values()),
            "dropped": dict(sorted(dropped.items())),
            "quads": sum(graphs.values()),
        },
        "graphs": graphs,
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


class _Steps:
    """The steps of one build: each logged, timed, and the peak memory by its end noted."""

    def __init__(self):
        self.timings: dict[str, float] = {}
        self.peaks: dict[str, float] = {}

    @contextmanager
    def __call__(self, name: str):
        log.info("%s ...", name)
        started = time.perf_counter()
        progress = _Progress(name)
        yield progress
        progress.close()
        self.timings[name] = time.perf_counter() - started
        self.peaks[name] = peak_rss_mib()
        log.info("%s done in %.2f s (peak RSS so far %.0f MiB)", name, self.timings[name],
                 self.peaks[name])


def give_back_freed_memory() -> None:
    """Return the heap's free pages to the system: glibc's malloc keeps what Python freed
    (the reasoner's gigabytes at scale), which the page cache of the sorts and dumps to come
    would use. Elsewhere (no glibc), nothing."""
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        return
    libc.malloc_trim(0)


def peak_rss_mib() -> float:
    """This process's peak resident memory so far (Linux counts ru_maxrss in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
