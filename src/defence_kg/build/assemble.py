"""The release's statements as published: every quad once in one canonical order (sorted
N-Quads lines), the union of the graphs as a set (sorted N-Triples lines), and the on-disk
Oxigraph store that holds both (its default graph the union), as the server reads it.

The quads are written as N-Quads lines to files in the build's work directory, in any order,
and sorted there by GNU sort (byte order, each line once, spilling to disk): no Python object
per statement, and no memory in this process that grows with the data. A triple's lines are
adjacent (its text is a prefix of each), so one pass over the sorted file finds the union.
"""

from __future__ import annotations

import mmap
import os
import subprocess
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox

BATCH = 100_000  # quads serialised at once
# Lines given to Oxigraph's bulk loader at once. Each call ends in files ingested into the
# store that its compactions merge with what is there: fewer, larger calls cost less CPU
# (1.75M quads: 21.8 s 250k at a time, 11.4 s 1M at a time), more memory (320, 924 MiB).
LOAD_BATCH = 1_000_000
BLOCK = 16 << 20  # bytes read at once by the passes over a file's lines
# GNU sort's memory before it spills sorted runs to the work directory: bounded, so that the
# build's memory does not grow with the data in a child process either.
SORT_BUFFER = "1G"
# A merge holds a line per input, not the lines: a large buffer only costs its pages
# (2M lines, 466 MB merged: 1.45 CPU s with 1G, 0.97 with 64M; docs/design.md, "The asserted
# lines amended by the changed files").
MERGE_BUFFER = "64M"


@dataclass
class Statements:
    """Where the release's statements were written, and how many there are of each kind."""

    nquads: Path  # every quad, sorted, each once
    ntriples: Path  # the union of the graphs, sorted, each triple once
    graphs: dict[str, int]  # quads per named graph
    triples: int  # in the union
    asserted: int  # distinct triples in the graphs that are not `special`
    # Amended from a release's statements (amend_statements): that release, and the union's
    # triples lost and gained since (sorted N-Triples files); None when every line was counted.
    amended: Amendment | None = None


@dataclass
class Amendment:
    release: Path
    lost: Path
    gained: Path


def write_quads(quads: Iterable[ox.Quad], out: BinaryIO) -> None:
    """Write the quads to `out` as N-Quads lines, in their order."""
    batch: list[ox.Quad] = []
    for quad in quads:
        batch.append(quad)
        if len(batch) == BATCH:
            ox.serialize(batch, out, format=ox.RdfFormat.N_QUADS)
            batch = []
    ox.serialize(batch, out, format=ox.RdfFormat.N_QUADS)


def write_lines(lines: Iterable[str], out: BinaryIO) -> None:
    """Write N-Quads lines (made as text, each ending in a line break) to `out`."""
    batch: list[str] = []
    for line in lines:
        batch.append(line)
        if len(batch) == BATCH:
            out.write("".join(batch).encode())
            batch = []
    out.write("".join(batch).encode())


def bytewise() -> dict[str, str]:
    """The environment in which GNU sort, comm, join and grep compare bytes (as Python sorts
    them), whatever the user's locale."""
    return {**os.environ, "LC_ALL": "C"}


def grep_lines(arguments: list[str], path: Path, output: Path) -> Path:
    """The lines of `path` that grep selects with `arguments`, in their order, written to
    `output`; none selected is no error."""
    command = ["grep", *arguments, "--", str(path)]
    with open(output, "wb") as out:
        found = subprocess.run(command, stdout=out, env=bytewise())
    if found.returncode > 1:  # 1: no line matched
        raise subprocess.CalledProcessError(found.returncode, command)
    return output


def sort_lines(inputs: Iterable[Path], output: Path, merge: bool = False) -> Path:
    """Sort the lines of the input files into `output`, each line once, in byte order (as
    Python sorts bytes); `merge`: the inputs are sorted already. Temporary runs go beside
    `output`."""
    # The inputs' names on standard input: there may be more than a command line holds.
    command = ["sort", "--unique", f"--buffer-size={MERGE_BUFFER if merge else SORT_BUFFER}",
               f"--temporary-directory={output.parent}", f"--output={output}",
               *(["--merge"] if merge else []), "--files0-from=-"]
    names = b"".join(os.fsencode(path) + b"\0" for path in inputs)
    if not names:  # sort would read its standard input instead
        output.write_bytes(b"")
        return output
    subprocess.run(command, input=names, env=bytewise(), check=True)
    return output


def write_statements(nquads: Path, directory: Path, special: set[str]) -> Statements:
    """Count the quads of `nquads` (sorted N-Quads lines, each once: sort_lines) and write
    their union into directory/release.nt. Every quad is in a named graph (the loader refuses
    others). `special`: the IRIs of the graphs whose triples are not counted as asserted (the
    ontology, the derived graphs)."""
    special = {graph.encode() for graph in special}
    graphs: Counter = Counter()
    ntriples = directory / "release.nt"
    previous_triple = previous_asserted = None
    triples = asserted = 0
    with open(nquads, "rb") as quads_in, open(ntriples, "wb") as triples_out:
        for line in quads_in:
            cut = line.rindex(b" <")
            graph = line[cut + 2:-4]
            graphs[graph] += 1
            triple = line[:cut]
            if triple != previous_triple:
                previous_triple = triple
                triples += 1
                triples_out.write(triple + b" .\n")
            if graph not in special and triple != previous_asserted:
                previous_asserted = triple
                asserted += 1
    counts = {graph.decode(): count for graph, count in graphs.items()}
    return Statements(nquads, ntriples, dict(sorted(counts.items())), triples,
                      asserted)


def amend_statements(last: Statements, nquads: Path, removed: Path, added: Path,
                     directory: Path, special: set[str]) -> tuple[Statements, tuple[Path, Path]]:
    """What write_statements gives for `nquads`, from the `last` release's statements and the
    lines `removed` from and `added` to them since (sorted N-Quads files; `nquads` is the
    last's minus removed plus added): the counts are the last's, moved by the changed lines,
    and the union the last's, without the triples no line holds any more and with those no
    line held before; no pass in Python over every line. Also the union's change: the triples
    lost and gained (two sorted N-Triples files)."""
    graphs: Counter = Counter({graph.encode(): count for graph, count in last.graphs.items()})
    changes: dict[bytes, Counter] = {}  # per triple: its lines added (+1) or removed (-1)
    for path, sign in ((removed, -1), (added, 1)):
        with open(path, "rb") as lines:
            for line in lines:
                cut = line.rindex(b" <")
                graph = line[cut + 2:-4]
                graphs[graph] += sign
                changes.setdefault(line[:cut], Counter())[graph] += sign
    special = {graph.encode() for graph in special}
    lost, gained, asserted = [], [], last.asserted
    with open(nquads, "rb") as file, mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ) as data:
        for triple, change in changes.items():
            now = graphs_holding(data, triple)
            before = (now - {g for g, n in change.items() if n > 0}) | {
                g for g, n in change.items() if n < 0}
            line = triple + b" .\n"
            if now and not before:
                gained.append(line)
            elif before and not now:
                lost.append(line)
            asserted += bool(now - special) - bool(before - special)
    change = (_write_sorted(lost, directory / "union-removed.nt"),
              _write_sorted(gained, directory / "union-added.nt"))
    union = amend_lines(last.ntriples, *change, directory / "release.nt")
    counts = {graph.decode(): count for graph, count in graphs.items() if count}
    return Statements(nquads, union, dict(sorted(counts.items())),
                      last.triples - len(lost) + len(gained), asserted), change


def subtract_lines(lines: Path, removed: Path, output: Path) -> Path:
    """Write the lines of `lines` not in `removed` (both sorted) into `output`."""
    with open(output, "wb") as out:
        subprocess.run(["comm", "-23", "--", str(lines), str(removed)], stdout=out,
                       env=bytewise(), check=True)
    return output


@contextmanager
def mapped(path: Path) -> Iterator[mmap.mmap | None]:
    """The file's bytes, mapped; None when it is empty (an empty file cannot be mapped)."""
    with open(path, "rb") as file:
        if not file.seek(0, 2):
            yield None
            return
        with mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ) as data:
            yield data


def graphs_holding(data: mmap.mmap | None, triple: bytes) -> set[bytes]:
    """The graphs of the lines of `triple` in a sorted N-Quads file (a triple's text ends a
    term, so only its own lines begin with it and a space and a graph IRI); none in an empty
    file (mapped())."""
    if data is None:
        return set()
    prefix = triple + b" <"
    return {line[len(prefix):-4] for line in lines_beginning(data, prefix)}


def lines_beginning(data: mmap.mmap, prefix: bytes) -> list[bytes]:
    """The lines of sorted lines (`data`) that begin with `prefix`: adjacent, found by a
    binary search for the first."""
    low = _first_not_before(data, prefix)
    lines = []
    while data[low:low + len(prefix)] == prefix:
        end = data.find(b"\n", low) + 1
        lines.append(data[low:end])
        low = end
    return lines


def _first_not_before(data: mmap.mmap, key: bytes, low: int = 0) -> int:
    """Where the first line of sorted lines (`data`) from `low` on that does not sort before
    `key` begins (a binary search; the end when there is none)."""
    high = len(data)  # lines that begin before `low` sort before `key`
    while low < high:
        middle = data.rfind(b"\n", low, (low + high) // 2) + 1 or low
        end = data.find(b"\n", middle) + 1
        if data[middle:end] < key:
            low = end
        else:
            high = middle
    return low


def amend_lines(lines: Path, removed: Path, added: Path, output: Path) -> Path:
    """Write the lines of `lines` (sorted, each once) but those of `removed` (each one of them),
    with those of `added` (none of them), in order, into `output`: what `comm -23` and a
    `sort --merge` give, by a binary search per changed line and copies of the runs of lines
    between them, not a comparison per line (docs/design.md, "The derived lines kept")."""
    changes = []
    for path, adds in ((removed, False), (added, True)):
        with open(path, "rb") as changed:
            changes.extend((line, adds) for line in changed)
    changes.sort()
    at = 0
    with mapped(lines) as data, open(output, "wb") as out, \
            memoryview(data if data is not None else b"") as view:
        for line, adds in changes:
            where = _first_not_before(data, line, at) if data is not None else at
            out.write(view[at:where])
            if adds:
                out.write(line)
                at = where
            elif view[where:where + len(line)] == line:
                at = where + len(line)
            else:
                raise ValueError(f"{lines} does not hold the removed line {line!r}")
        out.write(view[at:])
    return output


def _write_sorted(lines: list[bytes], output: Path) -> Path:
    with open(output, "wb") as out:
        out.write(b"".join(sorted(lines)))
    return output


def load_lines(store: ox.Store, lines: Path, rdf_format: ox.RdfFormat) -> None:
    """Add the statements of an N-Quads (or N-Triples: into the default graph) file to the store:
    through the bulk loader, but the lines with blank nodes, whose labels the bulk loader
    would change (parting them from the same nodes elsewhere), parsed here."""
    blank = []
    with open(lines, "rb") as read:
        _bulk_load(store, _plain(read, blank), rdf_format, lines.with_name(lines.name + ".part"))
    store.bulk_extend(list(ox.parse(b"".join(blank), format=rdf_format,
                                    rename_blank_nodes=False)))


def _plain(read: BinaryIO, blank: list[bytes]) -> Iterator[bytes]:
    """The file's lines without blank nodes, a block of whole lines at a time; the others are
    appended to `blank`. By block, not by line: the few blank-node lines are found by search,
    and no Python step is taken per line (tens of millions at scale)."""
    rest = b""
    while block := read.read(BLOCK):
        block, rest = _whole_lines(rest + block)
        yield _without_blank_lines(block, blank)
    yield _without_blank_lines(rest, blank)


def _whole_lines(block: bytes) -> tuple[bytes, bytes]:
    """The block up to its last line break, and what follows it."""
    cut = block.rfind(b"\n") + 1
    return block[:cut], block[cut:]


def _without_blank_lines(block: bytes, blank: list[bytes]) -> bytes:
    kept, start = [], 0
    while (found := block.find(b"_:", start)) >= 0:
        line_start = block.rfind(b"\n", 0, found) + 1
        line_end = block.find(b"\n", found) + 1 or len(block)
        kept.append(block[start:line_start])
        blank.append(block[line_start:line_end])
        start = line_end
    kept.append(block[start:])
    return b"".join(kept)


def _bulk_load(store: ox.Store, blocks: Iterable[bytes], format: ox.RdfFormat, part: Path
               ) -> None:
    """Oxigraph's bulk loader, about LOAD_BATCH lines at a time (blocks of whole lines), each
    batch through the file `part`: given a whole file at once, its memory grows with the file
    (measured: 1.6 GiB for 2.8M quads, 0.8 GiB 500k at a time). A part file, not bytes: the
    batch is not held here too."""
    blocks = iter(blocks)
    while True:
        with open(part, "wb") as out:
            lines = 0
            while lines < LOAD_BATCH and (block := next(blocks, None)) is not None:
                out.write(block)
                lines += block.count(b"\n")
            if not out.tell():
                break
        # lenient: no IRI validation; the lines were written by Oxigraph from terms it
        # parsed and checked when the sources were loaded.
        store.bulk_load(path=str(part), format=format, lenient=True)
    part.unlink()
