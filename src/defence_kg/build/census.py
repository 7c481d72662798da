"""What the VoID description counts (https://www.w3.org/TR/void/#statistics), in one pass over
the union of the graphs as the build wrote it: sorted N-Triples lines, one triple each.

In those lines the subject and the predicate are IRIs or blank nodes, which hold no space, so
the first two spaces end them and the rest is the object; the lines are sorted, so a subject's
triples are adjacent. Counting text costs a pass over the file, where a query per statistic
would cost one over the store each.

Nothing here grows with the number of triples: subjects are counted as they change (the lines
are sorted), and the distinct objects by an external sort (`sort -u`, in its own process and
within SORT_MEMORY), which spills to temporary files where a set would hold every object.

A build that amended the last release's statements by the lines that changed (an added report)
amends its census the same way (amend_census): a look-up for each term the changed triples use,
no pass over the union.
"""

from __future__ import annotations

import dataclasses
import json
import mmap
import subprocess
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from .assemble import bytewise, lines_beginning

RDF_TYPE = b"<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
SORT_MEMORY = "256M"  # sort's buffer; beyond it, sort merges runs from temporary files
BLOCK = 1 << 20


@dataclass
class Census:
    subjects: int
    objects: int
    entities: int  # subjects in the data's own namespace
    classes: Counter  # typing triples per class (N-Triples text)
    properties: Counter  # triples per predicate (N-Triples text)
    examples: list[str]  # the entities with the most triples (ties by IRI), N-Triples text
    instances: dict[str, list[str]]  # subjects of the classes asked for, N-Triples text
    example_triples: list[int]  # each example's triples: what a later census ranks them by

    def write(self, path: Path) -> None:
        # Not asdict(): it would copy each Counter from its items, counting the pairs.
        fields = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        path.write_text(json.dumps(fields, sort_keys=True), encoding="utf-8")

    @classmethod
    def read(cls, path: Path) -> Census:
        fields = json.loads(path.read_text(encoding="utf-8"))
        return cls(**{**fields, "classes": Counter(fields["classes"]),
                      "properties": Counter(fields["properties"])})


def take_census(ntriples: Path, namespace: str, examples: int,
                members_of: tuple[str, ...] = ()) -> Census:
    """Count the triples of the file; `namespace`: the IRI prefix of the entities; list the
    members of the classes `members_of` (IRIs)."""
    own = b"<" + namespace.encode()
    wanted = {f"<{iri}>".encode(): [] for iri in members_of}
    classes: Counter = Counter()
    properties: Counter = Counter()
    best: list[tuple[int, bytes]] = []  # (-triples, subject) of the top entities so far
    subjects = entities = 0
    current, count = None, 0
    with open(ntriples, "rb") as lines, _DistinctLines(ntriples.parent) as objects:
        for line in lines:
            subject, predicate, obj = line[:-3].split(b" ", 2)  # "s p o .\n"
            if subject != current:
                _rank(best, examples, current, count, own)
                current, count = subject, 0
                subjects += 1
                entities += subject.startswith(own)
            count += 1
            objects.write(line[len(subject) + len(predicate) + 2:])  # "o .\n": one a line
            properties[predicate] += 1
            if predicate == RDF_TYPE:
                classes[obj] += 1
                if obj in wanted:
                    wanted[obj].append(subject)
    _rank(best, examples, current, count, own)
    top = sorted(best)
    return Census(subjects, objects.count, entities,
                  Counter({k.decode(): v for k, v in classes.items()}),
                  Counter({k.decode(): v for k, v in properties.items()}),
                  [subject.decode() for _, subject in top],
                  {k.decode()[1:-1]: [s.decode() for s in v] for k, v in wanted.items()},
                  [-count for count, _ in top])


def amend_census(last: Census, lost: Path, gained: Path, ntriples: Path, store: ox.Store,
                 namespace: str, examples: int) -> Census | None:
    """What take_census counts in `ntriples`, from the `last` census and the triples `lost`
    from the union and `gained` since (sorted N-Triples files); `store` holds the union as its
    default graph. None when the examples cannot be ranked so: one of the last's lost triples,
    and an entity that did not rank may now."""
    own = b"<" + namespace.encode()
    classes, properties = Counter(last.classes), Counter(last.properties)
    by_subject: Counter = Counter()  # triples gained less those lost
    objects_changed: dict[bytes, ox.Term] = {}
    lost_objects: set[bytes] = set()
    gained_lines: set[bytes] = set()
    for path, sign in ((lost, -1), (gained, 1)):
        lines = path.read_bytes().splitlines(keepends=True)
        if sign > 0:
            gained_lines.update(lines)
        terms = ox.parse(path=str(path), format=ox.RdfFormat.N_TRIPLES, rename_blank_nodes=False)
        for line, quad in zip(lines, terms, strict=True):
            subject, predicate, obj = line[:-3].split(b" ", 2)
            properties[predicate.decode()] += sign
            if predicate == RDF_TYPE:
                classes[obj.decode()] += sign
            by_subject[subject] += sign
            objects_changed[obj] = quad.object
            if sign < 0:
                lost_objects.add(obj)
    with open(ntriples, "rb") as file, mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ) as data:
        now = {subject: _triples_of(data, subject) for subject in
               {*by_subject, *(e.encode() for e in last.examples)}}
        subjects, entities = last.subjects, last.entities
        for subject, change in by_subject.items():
            moved = (now[subject] > 0) - (now[subject] - change > 0)
            subjects += moved
            entities += moved if subject.startswith(own) else 0
        objects = last.objects
        for text, term in objects_changed.items():
            before = text in lost_objects or _is_object(data, store, text, term, gained_lines)
            objects += _is_object(data, store, text, term, set()) - before
        for entity, triples in zip(last.examples, last.example_triples, strict=True):
            if now[entity.encode()] < triples:
                return None
    best = sorted((-count, subject) for subject, count in now.items()
                  if count and subject.startswith(own))[:examples]
    return Census(subjects, objects, entities, +classes, +properties,
                  [subject.decode() for _, subject in best], {}, [-count for count, _ in best])


def _triples_of(data: mmap.mmap, subject: bytes) -> int:
    """How many lines of a sorted N-Triples file have `subject`."""
    return len(lines_beginning(data, subject + b" "))


def _is_object(data: mmap.mmap, store: ox.Store, text: bytes, term: ox.Term,
               besides: set[bytes]) -> bool:
    """Whether a triple of the union (`data`: sorted N-Triples lines; `store`: the same as its
    default graph) but those of `besides` has the object written `text`. The store finds the
    triples with that object; a literal's are checked in the lines, because the store holds a
    number as its value ("01" and "1" as xsd:integer are one term there, two texts here)."""
    for quad in store.quads_for_pattern(None, None, term, ox.DefaultGraph()):
        line = f"{quad.subject} {quad.predicate} ".encode() + text + b" .\n"
        if line in besides:
            continue
        if type(term) is not ox.Literal or _has_line(data, line):
            return True
    return False


def _has_line(data: mmap.mmap, line: bytes) -> bool:
    return bool(lines_beginning(data, line))


def _rank(best: list, size: int, subject: bytes | None, count: int, own: bytes) -> None:
    """Keep in `best` the `size` entities with the most triples (ties: the first IRI)."""
    if subject is None or not subject.startswith(own):
        return
    key = (-count, subject)
    if len(best) < size:
        best.append(key)
    elif key < max(best):
        best[best.index(max(best))] = key


class _DistinctLines:
    """Counts the distinct lines written to it, with `sort -u` (bytewise, LC_ALL=C): `count`
    is set when the `with` block ends."""

    def __init__(self, temporary: Path):
        self.count = 0
        self._sort = subprocess.Popen(
            ["sort", "-u", "-S", SORT_MEMORY, "-T", str(temporary)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=bytewise())
        self.write = self._sort.stdin.write

    def __enter__(self) -> _DistinctLines:
        return self

    def __exit__(self, failed, *_) -> None:
        if failed:
            self._sort.kill()
            self._sort.wait()
            return
        self._sort.stdin.close()
        while block := self._sort.stdout.read(BLOCK):
            self.count += block.count(b"\n")
        self._sort.stdout.close()
        if self._sort.wait():
            raise OSError(f"sort -u failed with code {self._sort.returncode}")
