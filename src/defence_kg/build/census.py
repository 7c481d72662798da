"""What the VoID description counts (https://www.w3.org/TR/void/#statistics), in one pass over
the union of the graphs as the build wrote it: sorted N-Triples lines, one triple each.

In those lines the subject and the predicate are IRIs or blank nodes, which hold no space, so
the first two spaces end them and the rest is the object; the lines are sorted, so a subject's
triples are adjacent. Counting text costs a pass over the file, where a query per statistic
would cost one over the store each.

Nothing here grows with the number of triples: subjects are counted as they change (the lines
are sorted), and the distinct objects by an external sort (`sort -u`, in its own process and
within SORT_MEMORY), which spills to temporary files where a set would hold every object.
"""

from __future__ import annotations

import subprocess
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from .assemble import bytewise

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
    top = [subject.decode() for _, subject in sorted(best)]
    return Census(subjects, objects.count, entities,
                  Counter({k.decode(): v for k, v in classes.items()}),
                  Counter({k.decode(): v for k, v in properties.items()}), top,
                  {k.decode()[1:-1]: [s.decode() for s in v] for k, v in wanted.items()})


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
