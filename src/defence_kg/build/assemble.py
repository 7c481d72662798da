"""The release's statements as published: every quad once in one canonical order (sorted
N-Quads lines), the union of the graphs as a set (sorted N-Triples lines), and the on-disk
Oxigraph store that holds both (its default graph the union), as the server reads it.

Sorting serialised lines, not terms, keeps this in bytes: no Python object per statement.
A triple's lines are adjacent (its text is a prefix of each), so one pass removes repeats.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

BATCH = 100_000  # quads serialised at once


@dataclass
class Statements:
    """Where the release's statements were written, and how many there are of each kind."""

    nquads: Path  # every quad, sorted, each once
    ntriples: Path  # the union of the graphs, sorted, each triple once
    # The union again, parted into the triples without blank nodes and those with: Oxigraph's
    # bulk loader gives blank nodes new labels, which would part them from the named graphs'.
    plain: Path
    blank: Path
    graphs: dict[str, int]  # quads per named graph
    triples: int  # in the union
    asserted: int  # distinct triples in the graphs that are not `special`


def write_statements(lines: list[bytes], directory: Path, special: set[str]) -> Statements:
    """Sort the quads' N-Quads lines (nquads_lines) into directory/release.nq and their union
    into directory/release.nt. Every quad is in a named graph (the loader refuses others).
    `special`: the IRIs of the graphs whose triples are not counted as asserted (the
    ontology, the derived graphs)."""
    lines.sort()  # in place: sorted runs (the asserted quads, the derived) merge in one pass
    graphs: Counter = Counter()
    nquads, ntriples = directory / "release.nq", directory / "release.nt"
    plain, blank = directory / "union-plain.nt", directory / "union-blank.nt"
    previous_quad = previous_triple = previous_asserted = None
    triples = asserted = 0
    with open(nquads, "wb") as quads_out, open(ntriples, "wb") as triples_out, \
            open(plain, "wb") as plain_out, open(blank, "wb") as blank_out:
        for line in lines:
            if line == previous_quad:
                continue
            previous_quad = line
            quads_out.write(line)
            cut = line.rindex(b" <")
            graph = line[cut + 2:-4].decode()
            graphs[graph] += 1
            triple = line[:cut]
            if triple != previous_triple:
                previous_triple = triple
                triples += 1
                triples_out.write(triple + b" .\n")
                (blank_out if b"_:" in triple else plain_out).write(triple + b" .\n")
            if graph not in special and triple != previous_asserted:
                previous_asserted = triple
                asserted += 1
    return Statements(nquads, ntriples, plain, blank, dict(sorted(graphs.items())), triples,
                      asserted)


def add_lines(store: ox.Store, lines: list[bytes], directory: Path) -> None:
    """Add quads, as N-Quads lines, to the store: through a file and the bulk loader, but
    the lines with blank nodes, whose labels the bulk loader would change, parsed here."""
    plain, blank = directory / "added.nq", []
    with open(plain, "wb") as out:
        for line in lines:
            if b"_:" in line:
                blank.append(line)
            else:
                out.write(line)
    store.bulk_load(path=str(plain), format=ox.RdfFormat.N_QUADS)
    plain.unlink()
    store.bulk_extend(list(ox.parse(b"".join(blank), format=ox.RdfFormat.N_QUADS,
                                    rename_blank_nodes=False)))


def write_union(store: ox.Store, statements: Statements) -> None:
    """Make the store's default graph the union of its named graphs: written once here, as a
    set, so that the server need not (Oxigraph's use_default_graph_as_union would count a fact
    once per graph holding it, and override a query's own FROM clauses)."""
    store.bulk_load(path=str(statements.plain), format=ox.RdfFormat.N_TRIPLES,
                    to_graph=ox.DefaultGraph())
    store.bulk_extend(ox.Quad(*triple) for triple in ox.parse(
        path=str(statements.blank), format=ox.RdfFormat.N_TRIPLES, rename_blank_nodes=False))
    store.flush()


def nquads_lines(quads: Iterable[ox.Quad]) -> list[bytes]:
    """The quads as N-Quads lines, one a quad, in their order."""
    lines: list[bytes] = []
    batch: list[ox.Quad] = []
    for quad in quads:
        batch.append(quad)
        if len(batch) == BATCH:
            lines += ox.serialize(batch, format=ox.RdfFormat.N_QUADS).splitlines(keepends=True)
            batch = []
    lines += ox.serialize(batch, format=ox.RdfFormat.N_QUADS).splitlines(keepends=True)
    return lines
