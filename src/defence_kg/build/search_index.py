"""The release's full-text search index: names and sentences in SQLite FTS5
(https://www.sqlite.org/fts5.html), written by the build and read by the server (web/finder.py).

Read from any iterable of pyoxigraph quads in one pass, so that the in-memory build and a
streaming one can both write it. A resource is indexed under each of its names (labels,
alternative labels, titles, and the sub-properties of these that the data declares) with a
compact key that ignores case, spaces and hyphens ("S-400", "s400", "S 400"); a segment of a
source (nif:anchorOf) by its words. Each entry carries what a hit shows: its type and how many
sources support it. The same quads in the same order give the same bytes (one SQLite version).
"""

from __future__ import annotations

import bisect
import gc
import hashlib
import json
import marshal
import mmap
import os
import re
import sqlite3
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from ..namespaces import NIF, Vocabulary
from .assemble import lines_beginning
from .collector import pause_cycle_collector

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
# What a resource is called, the first ones preferred as the name a hit shows.
LABELS = (RDFS + "label", SKOS + "prefLabel", "http://purl.org/dc/terms/title",
          "https://schema.org/name", "http://xmlns.com/foaf/0.1/name")
NAMES = (*LABELS, SKOS + "altLabel", SKOS + "hiddenLabel", "https://schema.org/alternateName")
SUB_PROPERTY = RDFS + "subPropertyOf"
SUB_CLASS = RDFS + "subClassOf"
DERIVED_FROM = "http://www.w3.org/ns/prov#wasDerivedFrom"
ANCHOR_OF = str(NIF.anchorOf)
CONTEXT = str(NIF.referenceContext)
# Words: letters and digits; a name's letter-digit neighbours are also indexed joined
# ("Su-57" is found by "su57" among other words, as in "su57 jets").
WORD = re.compile(r"\w+")
JOINABLE = re.compile(r"(?<![^\W\d_])([^\W\d_]++)[\s\-‐‑–/]++(\d++)(?!\d)")
DIGIT = re.compile(r"\d")
# Each FTS5 table keeps its terms in memory until they fill this much, then writes them as one
# more segment. At SQLite's 1 MiB, 200k quads made dozens of segments, which 'optimize' merged,
# leaving their pages free for a VACUUM to drop; the terms take about 6 MB at 200k quads (26 at
# 1M), so up to 2M quads or so each table is written once, as one segment.
FTS_MEMORY = 64 << 20
FTS_TABLES = ("name_words", "sentence_words")
# name_words is read in rowid order (the rank), never by BM25: no column sizes kept per name
# (columnsize=0: no _docsize row written for each).
SCHEMA = """
CREATE TABLE entry (
  id INTEGER PRIMARY KEY, kind TEXT NOT NULL, iri TEXT NOT NULL, label TEXT NOT NULL,
  type_iri TEXT, type_label TEXT, sources INTEGER NOT NULL, sentences INTEGER NOT NULL,
  text TEXT, joined TEXT);
CREATE TABLE name (id INTEGER PRIMARY KEY, entry INTEGER NOT NULL, name TEXT NOT NULL,
  key TEXT NOT NULL);
CREATE VIRTUAL TABLE name_words USING fts5 (name, joined, content='', columnsize=0,
  prefix='1 2 3',
  tokenize='porter unicode61 remove_diacritics 2');
CREATE VIRTUAL TABLE sentence_words USING fts5 (text, joined, content='entry', content_rowid='id',
  prefix='1 2 3',
  tokenize='porter unicode61 remove_diacritics 2');
"""
# Made once the names are in: sorted once, its pages filled, where rows inserted one by one
# into the index leave them part empty (a VACUUM packed them).
KEY_INDEX = "CREATE INDEX name_by_key ON name (key)"
SENTENCE, RESOURCE = "sentence", "resource"
PARSE_BATCH = 100_000  # lines parsed at once


def compact(text: str) -> str:
    """The key a name is looked up by: its letters and digits, lower case ("S 400" -> "s400")."""
    return "".join(WORD.findall(text.casefold())).replace("_", "")


def joined(text: str) -> str:
    """The name's letter-digit neighbours written together: "the Su-57 jets" -> "su57"."""
    if not DIGIT.search(text):  # most sentences: JOINABLE's search costs more than this one
        return ""
    return " ".join(a + b for a, b in JOINABLE.findall(text.casefold()))


def quads_to_index(nquads: Path, vocabulary: Vocabulary) -> Iterator[ox.Quad]:
    """The quads of an N-Quads file that the index reads, in their order: the lines that cannot
    change it (a blank-node subject; in a derived graph, an IRI object of a predicate _Facts
    ignores there; an explanation's statement) are dropped before they are parsed."""
    batch: list[bytes] = []
    with open(nquads, "rb") as lines:
        for line in _lines_to_index(lines, vocabulary):
            batch.append(line)
            if len(batch) == PARSE_BATCH:
                yield from _parse(batch)
                batch = []
    yield from _parse(batch)


def _lines_to_index(lines: Iterable[bytes], vocabulary: Vocabulary) -> Iterator[bytes]:
    derived = tuple(f" <{graph}> .\n".encode() for graph in vocabulary.derived_graphs)
    wanted = {f"<{iri}>".encode() for iri in (SUB_PROPERTY, SUB_CLASS, DERIVED_FROM, CONTEXT)}
    # An explanation's statement (explain.py names it) is no resource, source or named graph
    # of the data: its lines (63% of the release's at 200k quads; a third of those parsed
    # before they were skipped) would only fill _Facts.
    statement = f"<{vocabulary.id}statement/".encode()
    explained = f" <{vocabulary.explanations_graph}> .\n".encode()
    for line in lines:
        if line.startswith(statement) and line.endswith(explained):
            continue  # most lines: asked first
        if line[:1] != b"<" or line[:2] == b"<<":
            continue  # not an IRI: _Facts.add ignores the quad
        if line.endswith(derived):
            _, predicate, rest = line.split(b" ", 2)
            if rest[:1] != b'"' and predicate not in wanted:
                continue
        yield line


def _parse(lines: list[bytes]) -> ox.QuadParser:
    # Lenient: the build wrote these lines with pyoxigraph from terms it had checked.
    return ox.parse(b"".join(lines), format=ox.RdfFormat.N_QUADS, lenient=True)


def write_search_index(quads: Iterable[ox.Quad], vocabulary: Vocabulary, path: Path,
                       kept: Path | None = None) -> None:
    """Write the index of the quads to path (replaced whole: written beside it, then renamed),
    and what an add-one build needs of it to `kept` (write_search_index_again)."""
    # The facts are millions of small containers without a cycle among them: the collector's
    # passes over them (a tenth of the index's CPU) would find nothing to free. They are
    # freed as _index returns, before the collector is back: the first allocation after it
    # would otherwise walk every object made while it was paused (0.1 s at 200k quads).
    with pause_cycle_collector():
        _index(quads, vocabulary, path, kept)


def _index(quads: Iterable[ox.Quad], vocabulary: Vocabulary, path: Path,
           kept: Path | None) -> None:
    facts = _Facts(vocabulary)
    for quad in quads:
        facts.add(quad)
    rows = _rows(facts, sorted(facts.literals))
    _write(rows, path)
    if kept is not None:
        _keep(rows, facts, kept)


@dataclass(frozen=True)
class LastIndex:
    """The last release's index as kept beside it, and what changed since: its rows (`rows`,
    written by _keep), its store and quads per graph, the lines removed and added since
    (sorted N-Quads)."""

    rows: Path
    store: Path
    graphs: Path
    removed: Path
    added: Path


def write_search_index_again(nquads: Path, graphs: dict[str, int], last: LastIndex,
                             vocabulary: Vocabulary, path: Path, kept: Path) -> str:
    """Write the index of the release `nquads` (sorted N-Quads; `graphs`: its quads per graph)
    to path, from the last release's rows with those of the IRIs the change reaches computed
    again: the same rows, so the same bytes, as write_search_index. Where it cannot tell which
    rows changed, the index is written from every line. Return how it was made (for the log)."""
    with pause_cycle_collector():  # as in write_search_index
        why = _index_again(nquads, graphs, last, vocabulary, path, kept)
    if why is None:
        return "the last release's rows, amended"
    write_search_index(quads_to_index(nquads, vocabulary), vocabulary, path, kept)
    return f"every line read ({why})"


def _index_again(nquads: Path, graphs: dict[str, int], last: LastIndex, vocabulary: Vocabulary,
                 path: Path, kept: Path) -> str | None:
    """Write the index from the last release's rows amended, or say why it cannot be."""
    if not last.rows.exists():
        return "the last release's rows are missing"
    amended = _amend(nquads, graphs, last, vocabulary)
    if isinstance(amended, str):
        return amended
    rows, facts = amended
    _write(rows, path)
    _keep(rows, facts, kept)
    return None


KEPT_CODE = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()


def _keep(rows: list, facts: _Facts, kept: Path) -> None:
    """Keep what the next build's _amend reads: the rows, in their order, and what the rows
    of unchanged IRIs depend on beyond their own lines, with the graphs where each IRI is an
    object (by number: the graphs' names in their numbers' order); marshal: the fastest to
    read back."""
    state = (KEPT_CODE, rows, dict(facts.parents), facts._labels, facts.segment_of,
             facts.source_of, sorted(facts.graph_ids, key=facts.graph_ids.get),
             dict(facts.used))
    with open(kept, "wb") as out:
        marshal.dump(state, out)


def _amend(nquads: Path, graphs: dict[str, int], last: LastIndex, vocabulary: Vocabulary
           ) -> tuple[list, _Facts] | str:
    """The release's rows: the last release's, those of the IRIs the changed lines use
    computed again from their lines in `nquads`; or why they cannot be (a string)."""
    try:
        # From bytes read whole: marshal.load(file) reads the file object by object, three to
        # four times the CPU (1.5 s of 68 MB at 1M quads, 0.4 s from bytes).
        state = marshal.loads(last.rows.read_bytes())
        code = state[0]
    except (OSError, EOFError, ValueError, TypeError, IndexError, KeyError):
        return "the last release's rows are unreadable"
    if code != KEPT_CODE:
        return "the last release's rows were made by other code"
    _, rows, parents, labels, segment_of, source_of, graph_names, used = state
    lines = [path.read_bytes().splitlines(keepends=True) for path in (last.removed, last.added)]
    changes = [list(_parse(list(_lines_to_index(part, vocabulary)))) for part in lines]
    reached, why = _reached(changes, labels, vocabulary)
    if why:
        return why
    facts = _Facts(vocabulary)
    facts.parents.update(parents)  # unchanged: no sub-class or sub-property line changed
    facts._labels.update(labels)  # unchanged: no label of a type changed
    facts.segment_of, facts.source_of = dict(segment_of), dict(source_of)
    # The last release's uses, numbered as they were: the reached IRIs' amended below, the
    # others' unchanged (a changed line using an IRI as an object reaches it).
    facts.graph_ids = {name: number for number, name in enumerate(graph_names)}
    facts.used.update(used)
    for iri in reached:  # their lines in the release say it again, if they still do
        facts.segment_of.pop(iri, None)
        facts.source_of.pop(iri, None)
    with open(nquads, "rb") as file, mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ) as data:
        fed = _feed(facts, data, reached, set(), vocabulary)
        moved = _graphs_moved(facts, segment_of, source_of, reached)
        if not _changed_whole(moved, lines, graphs, last.graphs):
            return "a graph's segment or source changed while some of its lines did not"
        _amend_uses(facts, changes, last.store)
        types = {t for iri in reached for t in facts.types_of(iri)} - set(labels)
        _feed(facts, data, types, fed, vocabulary)  # a type new to the release: its label
    again = {iri for iri in reached if iri in facts.literals}
    return _merged([row for row in rows if row[0][1] not in reached],
                   _rows(facts, sorted(again))), facts


def _reached(changes: list[list[ox.Quad]], labels: dict[str, str], vocabulary: Vocabulary
             ) -> tuple[set[str], str | None]:
    """The IRIs whose rows the changed quads can change: their subjects and the IRIs they use
    in an asserted graph; or why the rows of others can change too."""
    derived = {str(graph) for graph in vocabulary.derived_graphs}
    reached = set()
    for quad in (quad for quads in changes for quad in quads):
        subject, predicate, obj = quad.subject.value, quad.predicate.value, quad.object
        if predicate in (SUB_CLASS, SUB_PROPERTY):
            return reached, "the class or property hierarchy changed"
        if type(obj) is ox.Literal and predicate in LABELS and subject in labels:
            return reached, f"the label of the type <{subject}> changed"
        reached.add(subject)
        graph = quad.graph_name
        if (type(obj) is ox.NamedNode and predicate != RDF_TYPE
                and type(graph) is ox.NamedNode and graph.value not in derived):
            reached.add(obj.value)
    return reached, None


def _feed(facts: _Facts, data: mmap.mmap, iris: set[str], fed: set[str],
          vocabulary: Vocabulary) -> set[str]:
    """Add the lines of which each IRI not yet `fed` is the subject to the facts, in the
    release's order (a subject's lines are adjacent and begin with it: a binary search finds
    them); return the IRIs fed."""
    for iri in sorted(iris - fed):
        lines = lines_beginning(data, f"<{iri}> ".encode())
        for quad in _parse(list(_lines_to_index(lines, vocabulary))):
            facts.add(quad)
    return fed | iris


def _graphs_moved(facts: _Facts, segment_of: dict[str, str], source_of: dict[str, str],
                  reached: set[str]) -> set[str]:
    """The graphs whose segment, or its source, is not the last release's: every IRI they
    use has a new support."""
    moved = {g for g in reached if facts.segment_of.get(g) != segment_of.get(g)}
    sources = {s for s in reached if facts.source_of.get(s) != source_of.get(s)}
    if sources:
        moved.update(g for g, segment in facts.segment_of.items() if segment in sources)
    return moved


def _changed_whole(moved: set[str], lines: list[list[bytes]], graphs: dict[str, int],
                   last_graphs: Path) -> bool:
    """Whether every line of the `moved` graphs, in the last release and in this one, is a
    changed line (`lines`: removed, added; the graphs of a source added or removed): then the
    IRIs they use are among those reached."""
    if not moved:
        return True
    counts = [Counter(line[line.rindex(b" <") + 2:-4].decode() for line in part)
              for part in lines]
    before = json.loads(last_graphs.read_text(encoding="utf-8"))
    return all(counts[0][g] == before.get(g, 0) and counts[1][g] == graphs.get(g, 0)
               for g in moved)


def _amend_uses(facts: _Facts, changes: list[list[ox.Quad]], store: Path) -> None:
    """Amend the last release's graphs where an IRI is an object (facts.used) by the changed
    quads, as _Facts.add notes them. An added use is in already: its subject is reached, and
    _feed gave the facts that subject's lines. A removed use's graph is taken away unless
    another use of the IRI is left in that graph: an added one, or one of the last release's
    (from its store, read-only as servers open it, by graph and object: a few quads) that
    was not removed."""
    removed, added = (Counter(use for use in map(facts.use, quads) if use is not None)
                      for quads in changes)
    gone = sorted(use for use in removed if use not in added)
    if not gone:
        return
    last = ox.Store.read_only(str(store))
    for iri, graph in gone:
        left = sum(facts.use(quad) is not None for quad in last.quads_for_pattern(
            None, None, ox.NamedNode(iri), ox.NamedNode(graph))) - removed[iri, graph]
        if not left:
            facts.used[iri].discard(facts.graph_ids[graph])


def _write(rows: list, path: Path) -> None:
    temporary = path.with_name(f".{path.name}-{os.getpid()}")
    temporary.unlink(missing_ok=True)
    connection = sqlite3.connect(temporary)
    try:
        connection.executescript("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;" + SCHEMA)
        for table in FTS_TABLES:
            connection.execute(f"INSERT INTO {table}({table}, rank) VALUES ('hashsize', ?)",
                               (FTS_MEMORY,))
        with connection:
            _insert(connection, rows)
            connection.execute(KEY_INDEX)
        # 'optimize' merges a table's segments into one (a no-op where it was written as one);
        # past FTS_MEMORY the merged segments' pages are left free, and only then worth a VACUUM.
        for table in FTS_TABLES:
            connection.execute(f"INSERT INTO {table}({table}) VALUES ('optimize')")
        connection.commit()
        if connection.execute("PRAGMA freelist_count").fetchone()[0]:
            connection.execute("VACUUM")
    finally:
        connection.close()
    os.replace(temporary, path)


class _Facts:
    """What the index needs from the quads, gathered in one pass in any order."""

    def __init__(self, vocabulary: Vocabulary):
        self.derived = {str(g) for g in vocabulary.derived_graphs}
        self.literals: dict[str, dict[str, list[ox.Literal]]] = defaultdict(
            lambda: defaultdict(list))
        self.types: dict[str, set[str]] = defaultdict(set)  # asserted types only
        self.parents: dict[str, set[str]] = defaultdict(set)  # sub-class and sub-property
        # Where an IRI is used, by graph number: as the subject (of any quad in an asserted
        # graph) and as the object (use()); the second kept for the next build's _amend.
        self.graphs: dict[str, set[int]] = defaultdict(set)
        self.used: dict[str, set[int]] = defaultdict(set)
        self.graph_ids: dict[str, int] = {}
        self.segment_of: dict[str, str] = {}  # statement graph -> the segment it comes from
        self.source_of: dict[str, str] = {}  # segment -> its source
        self._ancestors: dict[str, set[str]] = {}  # read once every fact is in
        self._labels: dict[str, str | None] = {}

    def add(self, quad: ox.Quad) -> None:
        subject, obj, graph = quad.subject, quad.object, quad.graph_name
        if type(subject) is not ox.NamedNode:
            return
        subject, predicate = subject.value, quad.predicate.value
        graph = graph.value if type(graph) is ox.NamedNode else ""
        asserted = graph and graph not in self.derived
        if type(obj) is ox.Literal:
            self.literals[subject][predicate].append(obj)
            if asserted:
                self.graphs[subject].add(self.graph_ids.setdefault(graph, len(self.graph_ids)))
            return
        iri = obj.value if type(obj) is ox.NamedNode else None
        if iri is not None:
            if predicate == RDF_TYPE and graph not in self.derived:
                self.types[subject].add(iri)
            elif predicate in (SUB_PROPERTY, SUB_CLASS):
                self.parents[subject].add(iri)
            elif predicate == DERIVED_FROM:
                self.segment_of[subject] = iri
            elif predicate == CONTEXT:
                self.source_of[subject] = iri
        if asserted:
            graph_id = self.graph_ids.setdefault(graph, len(self.graph_ids))
            self.graphs[subject].add(graph_id)
            # use()'s rule, written inline: add() runs once a quad over the whole release.
            if iri is not None and predicate != RDF_TYPE:
                self.used[iri].add(graph_id)

    def use(self, quad: ox.Quad) -> tuple[str, str] | None:
        """(object, graph) where add() notes the graph as one where the object is used."""
        obj, graph = quad.object, quad.graph_name
        # A class is not supported by a sentence because something is an instance of it.
        if (type(obj) is ox.NamedNode and type(quad.subject) is ox.NamedNode
                and type(graph) is ox.NamedNode and graph.value not in self.derived
                and quad.predicate.value != RDF_TYPE):
            return obj.value, graph.value
        return None

    def name_properties(self) -> list[str]:
        """NAMES and every property declared a sub-property of one of them, transitively."""
        found = list(NAMES)
        for prop in sorted(self.parents):
            if prop not in found and self.ancestors(prop) & set(NAMES):
                found.append(prop)
        return found

    def ancestors(self, term: str) -> set[str]:
        found = self._ancestors.get(term)
        if found is None:
            found = self._ancestors[term] = self._find_ancestors(term)
        return found

    def _find_ancestors(self, term: str) -> set[str]:
        seen, todo = set(), list(self.parents.get(term, ()))
        while todo:
            parent = todo.pop()
            if parent not in seen:
                seen.add(parent)
                todo.extend(self.parents.get(parent, ()))
        return seen

    def type_label(self, iri: str) -> str:
        """A type's label, asked for each of its instances: found once."""
        found = self._labels.get(iri)
        if found is None:
            found = self._labels[iri] = self.label(iri) or _local_name(iri)
        return found

    def label(self, iri: str) -> str | None:
        for prop in LABELS:
            values = self.literals.get(iri, {}).get(prop)
            if values:
                return min(values, key=_english_first).value  # the first of the sorted
        return None

    def types_of(self, iri: str) -> list[str]:
        """The most specific asserted types, by IRI, so that a hit says what it is."""
        types = self.types.get(iri, set())
        if len(types) < 2:  # most resources: nothing to compare
            return list(types)
        return sorted(t for t in types if not any(
            t in self.ancestors(other) for other in types if other != t))

    def segments(self) -> list[str | None]:
        """The segment each graph (by number) comes from, or None."""
        names = sorted(self.graph_ids, key=self.graph_ids.get)
        return [self.segment_of.get(name) for name in names]

    def support(self, iri: str, segments: list[str | None]) -> tuple[int, int]:
        """(sources, sentences): how many of each hold statements using the IRI."""
        found = set(map(segments.__getitem__, self.graphs.get(iri, ())))
        found.update(map(segments.__getitem__, self.used.get(iri, ())))
        found.discard(None)
        return len({self.source_of[s] for s in found if s in self.source_of}), len(found)


def _rows(facts: _Facts, iris: list[str]) -> list[tuple[tuple, list[tuple]]]:
    """The entries of the IRIs that have one, each with its own names, in the order a tier
    ranks them (more sources first, then shorter names), so that a search reads the best
    matches first and stops (finder.py)."""
    name_properties = facts.name_properties()
    rows, segments = [], facts.segments()
    for iri in iris:
        literals = facts.literals[iri]
        own = list(dict.fromkeys(lit.value for prop in name_properties
                                 for lit in literals.get(prop, ())))
        text = literals.get(ANCHOR_OF)
        if not own and not text:
            continue
        label = facts.label(iri) or (own[0] if own else iri)
        types = facts.types_of(iri)
        type_label = ", ".join(facts.type_label(t) for t in types) or None
        if text:
            support = (int(facts.source_of.get(iri) is not None), 1)
            row = (SENTENCE, iri, label, types[0] if types else None, type_label, *support,
                   text[0].value, joined(text[0].value))
        else:
            row = (RESOURCE, iri, label, types[0] if types else None, type_label,
                   *facts.support(iri, segments), None, None)
        # Each name with its key and joined words: kept with the rows, not made again.
        rows.append((row, [(name, compact(name), joined(name)) for name in own]))
    rows.sort(key=_rank)
    return rows


def _merged(ranked: list, new: list) -> list:
    """Rows in rank order from two lists in rank order: each new row placed by a binary search,
    so that the keys of the few new rows and of a few of the others are computed, not of all
    (sorting the whole list again: 0.3 s at 1M quads). Ranks end with the IRI: no two equal."""
    merged, start = [], 0
    for row in new:
        at = bisect.bisect_left(ranked, _rank(row), lo=start, key=_rank)
        merged += ranked[start:at]
        merged.append(row)
        start = at
    return merged + ranked[start:]


def _rank(entry: tuple[tuple, list[tuple]]) -> tuple:
    row = entry[0]
    return row[0] == SENTENCE, -row[5], -row[6], len(row[2]), row[2], row[1]


def _insert(connection: sqlite3.Connection, rows: list[tuple[tuple, list[tuple]]]) -> None:
    """Entries and names numbered in their rows' order."""
    entries = [(number, *row) for number, (row, _) in enumerate(rows, 1)]
    names = [(number, *name) for number, (_, own) in enumerate(rows, 1) for name in own]
    connection.executemany("INSERT INTO entry VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", entries)
    connection.executemany("INSERT INTO name VALUES (?, ?, ?, ?)",
                           ((number, entry, name, key)
                            for number, (entry, name, key, _) in enumerate(names, 1)))
    connection.executemany("INSERT INTO name_words(rowid, name, joined) VALUES (?, ?, ?)",
                           ((number, name, join)
                            for number, (_, name, _, join) in enumerate(names, 1)))
    connection.execute("INSERT INTO sentence_words(rowid, text, joined) "
                       "SELECT id, text, joined FROM entry WHERE kind = ? ORDER BY id",
                       (SENTENCE,))


def _english_first(literal: ox.Literal) -> tuple:
    return ((literal.language or "en") != "en", literal.value)


def _local_name(iri: str) -> str:
    local = re.split(r"[#/]", iri)[-1]
    return re.sub(r"(?<=[a-z])(?=[A-Z])", " ", local).lower() or iri
