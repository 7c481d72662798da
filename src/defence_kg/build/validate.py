"""Validate the asserted data against the SHACL shapes (https://www.w3.org/TR/shacl/), by source.

The data is validated a group of sources at a time: each group's graph holds the ontology (so
that sh:targetClass follows subclasses), the triples of the resources the group mentions, and
those of the resources they lead to, as many levels deep as the shapes look (shape_depth). A
resource's result depends on nothing else, so the problems of the groups together are those of
the whole data; a resource that is only a neighbour in a group is judged in the group that
mentions it. pyrudof (Rust) screens each group; pySHACL, three times slower and a kilobyte a
triple in an rdflib graph, validates only a group pyrudof finds fault with, and its results make
the messages (docs/design.md, "SHACL: pyrudof screens, pySHACL judges"). After a release that
conformed, only the resources a change reaches are validated, their triples read from the
build's sorted asserted lines instead of from every file (docs/design.md, "SHACL of an added
report from the sorted lines").
"""

from __future__ import annotations

import multiprocessing
import resource
import subprocess
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path
from typing import Protocol

import pyoxigraph as ox
import pyrudof
import pyshacl
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, RDFS, SH

from ..rdf import to_rdflib
from ..settings import Settings
from .assemble import bytewise, lines_beginning, mapped
from .collector import pause_cycle_collector
from .lines import locator, read_rdf_files
from .load import ONTOLOGY_FILE, data_files, load_shapes, load_source, load_sources
from .shape_messages import Locate, ShapeMessages

GROUP_QUADS = 50_000  # quads of the sources validated together: their memory (pyrudof ~5 KB each)
PLAIN_PARAMETERS = {SH.minCount, SH.maxCount, SH.datatype, SH.nodeKind, SH.minLength,
                    SH.maxLength, SH.pattern, SH.flags, SH.languageIn, SH.uniqueLang,
                    SH.minInclusive, SH.maxInclusive, SH.minExclusive, SH.maxExclusive,
                    SH.hasValue, SH["in"], SH.equals, SH.disjoint, SH.lessThan,
                    SH.lessThanOrEquals, SH.closed, SH.ignoredProperties, SH.message,
                    SH.severity, SH.name, SH.description, SH.order, SH.group, SH.deactivated,
                    SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf,
                    SH.path, SH.defaultValue, RDF.type}
NESTED = (SH.node, SH["and"], SH["or"], SH.xone, SH["not"], SH.property,
          SH.qualifiedValueShape)


class Beside:
    """validate_shapes() over the repository's sources in a process of its own, so that it runs
    on the machine's other core while this one reasons: it sends back its Validation, its
    seconds and its peak RSS (MiB). A new interpreter (spawned), not a fork: it parses the files
    itself, so this process need not keep their quads for it, and it holds none of this
    process's pages (a forked child keeps every page its parent writes to or frees after the
    fork: 2.2 GB of its own at 1M)."""

    def __init__(self, settings: Settings, extra_files: Sequence[Path],
                 changed: Sequence[bytes] | None, asserted: Path | None):
        context = multiprocessing.get_context("spawn")
        self._receive, send = context.Pipe(duplex=False)
        self._process = context.Process(target=_validate_and_send, daemon=True,
                                        args=(send, settings, list(extra_files), changed,
                                              asserted))
        self._process.start()
        send.close()

    def finished(self, seconds: float) -> bool:
        """Whether the process has answered (or ended), waiting that long at most: its core
        is free then (its answer waits in the pipe until result() reads it)."""
        return self._receive.poll(seconds)

    def result(self) -> tuple[Validation, float, float]:
        try:
            answer = self._receive.recv()
        except EOFError:
            self._process.join()
            raise RuntimeError(f"the SHACL validation process ended with "
                               f"{self._process.exitcode} before it answered") from None
        self._process.join()
        if isinstance(answer, BaseException):
            raise answer
        return answer

    def cancel(self) -> None:
        if self._process.is_alive():
            self._process.terminate()
        self._process.join()


def _validate_and_send(send, settings: Settings, extra_files: list[Path],
                       changed: Sequence[bytes] | None, asserted: Path | None) -> None:
    """_validation's answer, its seconds and the process's peak RSS, or its error, sent."""
    started = time.perf_counter()
    try:
        # Every source's quads, indexed, live until the process ends (it answers once, then
        # exits): the cycle collector's passes over those millions of objects would free
        # nothing (docs/design.md, "SHACL's process without the cycle collector").
        with pause_cycle_collector():
            validation = _validation(settings, extra_files, changed, asserted)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        send.send((validation, time.perf_counter() - started, peak))
    except BaseException as error:  # sent, to be raised where the build waits for it
        send.send(error)
    finally:
        send.close()


def _validation(settings: Settings, extra_files: list[Path], changed: Sequence[bytes] | None,
                asserted: Path | None) -> Validation:
    """Validate every source, or (`changed`: the triples changed since a release that
    conformed) the resources the change reaches, read from `asserted` (the build's sorted
    asserted lines), when the shapes look a bounded depth deep."""
    shapes, locate = load_shapes(settings), _locator(settings, extra_files)
    prefixes = settings.vocabulary.prefixes
    if changed is not None and asserted is not None and shape_depth(shapes) is not None:
        ontology = load_source(settings.ontology_dir / ONTOLOGY_FILE, settings,
                               ox.NamedNode(str(settings.vocabulary.ontology_graph)))
        with _SortedLines.of(asserted, read_predicates(shapes)) as lines:
            return validate_change(lines, ontology.quads, shapes, changed, prefixes, locate)
    sources = [source.quads for source in load_sources(settings, extra_files)]
    return validate_shapes(sources[1:], sources[0], shapes, changed, prefixes, locate)


def _locator(settings: Settings, extra_files: list[Path]) -> Locate:
    """locate() over the data files, read (with their text) only when a message needs it."""
    found: list = []

    def locate(iri: str, then: str | None = None) -> str | None:
        if not found:
            files = read_rdf_files([*data_files(settings), *extra_files], settings)
            found.append(locator(files, settings))
        return found[0](iri, then)

    return locate


@dataclass
class Validation:
    """Whether the data conforms, and a report a person can act on."""

    conforms: bool
    problems: list[str] = field(default_factory=list)
    scope: str = "all the data"  # what was validated

    @property
    def report(self) -> str:
        return "\n".join(self.problems)


def validate_shapes(sources: Sequence[Sequence[ox.Quad]], ontology: Sequence[ox.Quad],
                    shapes: Graph, changed: Sequence[bytes] | None = None,
                    prefixes: dict[str, str] | None = None,
                    locate: Locate | None = None) -> Validation:
    """SHACL over the asserted data (the quads of each source) and the ontology, a group of
    sources at a time; or, given the N-Triples lines of the triples `changed` since a release
    that conformed, over the resources whose results those can change alone. `locate` finds
    where the data writes an offending statement, for messages in the ontology's `prefixes`."""
    depth = shape_depth(shapes)
    # Where the neighbours of a group's resources are found: the quads by subject. Not an
    # Oxigraph store, which reads an xsd:nonNegativeInteger back as an xsd:integer (refused by
    # sh:datatype), nor a pyoxigraph Dataset, which costs a kilobyte a quad.
    seen = read_predicates(shapes)
    quads = [q for s in sources for q in s if seen is None or q.predicate in seen]
    if changed is not None and depth is not None:
        return validate_change(_InMemory(quads), ontology, shapes, changed, prefixes, locate)
    groups = ({term for s in group for q in s for term in (q.subject, q.object)
               if not isinstance(term, ox.Literal)} for group in _groups(sources, depth))
    if depth is None:
        everything = {_triple(q) for q in quads}
        return _judge(((group, everything) for group in groups), ontology, shapes, seen,
                      prefixes, locate, "all the data")
    data = _InMemory(quads)
    return _judge(((group, _neighbourhood(group, data, depth)) for group in groups), ontology,
                  shapes, seen, prefixes, locate, "all the data")


def validate_change(data: Data, ontology: Sequence[ox.Quad], shapes: Graph,
                    changed: Sequence[bytes], prefixes: dict[str, str] | None = None,
                    locate: Locate | None = None) -> Validation:
    """SHACL over the resources whose results the `changed` triples (N-Triples lines) can
    change, after a release that conformed: their triples and their neighbours', as deep as
    the shapes look (which must be bounded), read from `data`."""
    depth = shape_depth(shapes)
    reached = _reached(changed, data, depth)
    scope = f"the {len(reached)} resources that {len(changed)} changed triples reach"
    return _judge([(reached, _neighbourhood(reached, data, depth))], ontology, shapes,
                  read_predicates(shapes), prefixes, locate, scope)


def _judge(groups, ontology: Sequence[ox.Quad], shapes: Graph, seen, prefixes, locate,
           scope: str) -> Validation:
    """Screen each group (its resources, and the triples that judge them: theirs and their
    neighbours') with pyrudof; judge those it fails with pySHACL, whose results on the group's
    own resources are the messages."""
    schema = [_triple(q) for q in ontology if seen is None or q.predicate in seen]
    problems, reported = [], set()
    screen = Screen(shapes, schema)
    for mentioned, triples in groups:
        if screen.conforms(triples):
            continue
        graph = Graph()
        for triple in chain(schema, triples):
            graph.add(tuple(map(to_rdflib, triple)))
        conforms, results, _ = _validate(graph, shapes)
        if conforms:
            continue
        mine = {to_rdflib(term) for term in mentioned}
        failed = {node for result in results.subjects(RDF.type, SH.ValidationResult)
                  for node in results.objects(result, SH.focusNode)
                  if node in mine and node not in reported}
        if failed:
            reported.update(failed)
            _keep_results_on(results, failed)
            problems += ShapeMessages(results, shapes, graph, prefixes or {}, locate).messages()
    return Validation(not problems, problems, scope)


def read_predicates(shapes: Graph) -> set[ox.NamedNode] | None:
    """The predicates whose triples validation can read: those the shapes name (paths,
    targets, pairs), the subclass links sh:targetClass and sh:class follow, and what the
    messages name things by; None (all of them) when a shape is sh:closed, which reads any."""
    if (None, SH.closed, None) in shapes:
        return None
    named = {term for triple in shapes for term in triple if isinstance(term, URIRef)}
    return {ox.NamedNode(str(term)) for term in
            named | {RDFS.subClassOf} | ShapeMessages.READS}


def shape_depth(shapes: Graph) -> int | None:
    """How many levels of triples the shapes read from a focus node: 1 for its own triples,
    one more for each property path followed to a value whose shape or class is checked.
    None when the shapes reach further than levels of forward paths can tell (inverse or
    complex paths, SPARQL), so that the data must be validated whole."""
    memo: dict = {}

    def hops(path) -> int | None:
        """The steps of a property path, if they all go forward (predicates, sequences of
        them, alternatives among them)."""
        if isinstance(path, URIRef):
            return 1
        alternatives = shapes.value(path, SH.alternativePath)
        if alternatives is not None:
            counts = [hops(member) for member in shapes.items(alternatives)]
            return None if None in counts else max(counts, default=0)
        steps = [hops(member) for member in shapes.items(path)]  # a sequence path
        return None if not steps or None in steps else sum(steps)

    def need(shape, seen: frozenset) -> int | None:
        if shape in seen:
            return None  # a recursive shape: as deep as the data
        if shape in memo:
            return memo[shape]
        path = shapes.value(shape, SH.path)
        below = 0 if path is None else hops(path)  # a property shape checks its values
        if below is None:
            return None  # an inverse or repeated path: no number of levels reads it
        levels = max(1, below)
        for predicate, value in shapes.predicate_objects(shape):
            if predicate in (SH.sparql, SH.target, SH.rule):
                return None
            if predicate == SH["class"]:
                levels = max(levels, 1 + below)
            elif predicate in NESTED:
                members = list(shapes.items(value)) if predicate in (
                    SH["and"], SH["or"], SH.xone) else [value]
                for member in members:
                    nested = need(member, seen | {shape})
                    if nested is None:
                        return None
                    extra = below if predicate != SH.property else 0
                    levels = max(levels, nested + extra)
        memo[shape] = levels
        return levels

    deepest = 1
    for shape in set(shapes.subjects(RDF.type, SH.NodeShape)) | set(
            shapes.subjects(RDF.type, SH.PropertyShape)):
        levels = need(shape, frozenset())
        if levels is None:
            return None
        deepest = max(deepest, levels)
    return deepest


class Data(Protocol):
    """The asserted quads SHACL reads (those of the predicates the shapes read), looked up."""

    def about(self, node) -> Iterable[ox.Quad]:
        """The quads whose subject is `node`."""

    def pointing_at(self, nodes: set) -> set:
        """The subjects of the quads whose object is one of `nodes`."""


class _InMemory:
    """Every source's quads, indexed in memory (a whole validation has read every file)."""

    def __init__(self, quads: list[ox.Quad]):
        self._quads = quads
        self._by_subject = _index(quads, "subject")
        self._by_object: dict | None = None  # made when asked: a whole validation never asks

    def about(self, node) -> list[ox.Quad]:
        return self._by_subject.get(node, ())

    def pointing_at(self, nodes: set) -> set:
        if self._by_object is None:
            self._by_object = _index(self._quads, "object")
        return {q.subject for node in nodes for q in self._by_object.get(node, ())}


class _SortedLines:
    """The build's sorted asserted lines (asserted.py), mapped: a resource's quads are adjacent
    lines, found by a binary search; the quads pointing at some resources, by one grep of the
    file. An added report's validation reads these instead of parsing every file."""

    def __init__(self, path: Path, data, seen: set[ox.NamedNode] | None):
        self._path, self._data, self._seen = path, data, seen

    @classmethod
    @contextmanager
    def of(cls, path: Path, seen: set[ox.NamedNode] | None) -> Iterator[_SortedLines]:
        with mapped(path) as data:
            yield cls(path, data, seen)

    def about(self, node) -> list[ox.Quad]:
        if self._data is None:
            return []
        return self._quads(b"".join(lines_beginning(self._data, f"{node} ".encode())))

    def pointing_at(self, nodes: set) -> set:
        """One pass of grep -F over the lines for each node written between spaces (as an
        object is, and as a predicate or a graph may be: the parsed quads are checked)."""
        if not nodes or self._data is None:
            return set()
        patterns = "".join(f" {node} \n" for node in nodes).encode()
        found = subprocess.run(["grep", "-F", "-f", "-", "--", str(self._path)],
                               input=patterns, capture_output=True, env=bytewise())
        if found.returncode > 1:  # 1: no line matched
            raise subprocess.CalledProcessError(found.returncode, "grep", found.stderr)
        return {q.subject for q in self._quads(found.stdout) if q.object in nodes}

    def _quads(self, lines: bytes) -> list[ox.Quad]:
        # Lenient: the build wrote these lines from terms it had parsed and checked.
        quads = ox.parse(lines, format=ox.RdfFormat.N_QUADS, rename_blank_nodes=False,
                         lenient=True)
        return [q for q in quads if self._seen is None or q.predicate in self._seen]


def _index(quads: Iterable[ox.Quad], position: str) -> dict:
    """The quads by their subject (or object)."""
    index: dict = {}
    for quad in quads:
        index.setdefault(getattr(quad, position), []).append(quad)
    return index


def _reached(changed: Sequence[bytes], data: Data, depth: int) -> set:
    """The resources whose results the changed triples can change: their subjects and objects
    (an object may become a target of sh:targetObjectsOf), and every resource that reaches a
    changed subject in fewer than `depth` steps, whose checks read that subject's triples.
    A path that a change broke begins with a changed triple, whose subject is counted."""
    triples = ox.parse(b"".join(changed), format=ox.RdfFormat.N_TRIPLES,
                       rename_blank_nodes=False)
    reached, level = set(), set()
    for triple in triples:
        level.add(triple.subject)
        if not isinstance(triple.object, ox.Literal):
            reached.add(triple.object)
    for _ in range(depth):
        reached |= level
        level = data.pointing_at(level) - reached
    return reached


def _groups(sources: Sequence[Sequence[ox.Quad]],
            depth: int | None) -> Iterator[list[Sequence[ox.Quad]]]:
    """Sources in groups of about GROUP_QUADS quads (all at once when depth is None)."""
    group, size = [], 0
    for source in sources:
        group.append(source)
        size += len(source)
        if depth is not None and size >= GROUP_QUADS:
            yield group
            group, size = [], 0
    if group:
        yield group


def _neighbourhood(nodes: set, data: Data, depth: int) -> set[tuple]:
    """The triples of the nodes, and of the nodes they lead to, `depth` levels deep."""
    seen, level, triples = set(nodes), list(nodes), set()
    for _ in range(depth):
        following = []
        for node in level:
            for quad in data.about(node):
                triples.add((quad.subject, quad.predicate, quad.object))
                value = quad.object
                if not isinstance(value, ox.Literal) and value not in seen:
                    seen.add(value)
                    following.append(value)
        level = following
    return triples


def _validate(graph: Graph, shapes: Graph):
    return pyshacl.validate(graph, shacl_graph=shapes, inference="none", advanced=True,
                            allow_warnings=True, inplace=True)


def _keep_results_on(results: Graph, focus_nodes: set) -> None:
    """Drop from a report the results on other focus nodes (another group reports those).
    Not a second run with pySHACL's focus_nodes: it reports a nested sh:node on a focus node's
    value as conforming."""
    for report in results.subjects(RDF.type, SH.ValidationReport):
        for result in list(results.objects(report, SH.result)):
            if results.value(result, SH.focusNode) not in focus_nodes:
                results.remove((report, SH.result, result))


def _triple(quad: ox.Quad) -> tuple:
    return quad.subject, quad.predicate, quad.object


class Screen:
    """pyrudof over a group's triples and the ontology's: whether they conform. It fails every
    breakage of each constraint of the shapes that pySHACL fails (tests/test_shacl_screen.py),
    so a group it passes needs no pySHACL; one it fails goes to pySHACL, which has the last
    word and the results the messages are made of."""

    def __init__(self, shapes: Graph, schema: Sequence[tuple]):
        self._rudof = pyrudof.Rudof(pyrudof.RudofConfig())
        self._rudof.read_shacl(shapes.serialize(format="nt"), format=pyrudof.ShaclFormat.NTriples,
                               reader_mode=pyrudof.ReaderMode.Strict)
        self._schema = _ntriples(schema)

    def conforms(self, triples: Iterable[tuple]) -> bool:
        self._rudof.read_data(self._schema + _ntriples(triples),
                              format=pyrudof.RDFFormat.NTriples,
                              reader_mode=pyrudof.ReaderMode.Strict)
        conforms = self._rudof.validate_shacl().conforms
        self._rudof.reset_data()
        return conforms


def _ntriples(triples: Iterable[tuple]) -> str:
    return "".join(f"{s} {p} {o} .\n" for s, p, o in triples)
