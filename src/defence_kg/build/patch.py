"""The build's Oxigraph store: a checkpoint of the last release's, patched with the difference.

When the last release was built with the same schema (changes.previous_release), the new store
begins as a RocksDB checkpoint of its store (Store.backup: the immutable SST files are hard
links, so it costs almost nothing and never changes the release, which servers keep reading)
and gets only the quads removed and added since; a build from scratch is the same path from
an empty last release. Both sides are sorted N-Quads (or N-Triples) lines in byte order, so
GNU comm finds the difference without sets. docs/design.md, "Patching the last release's
store", has the measurements behind Settings.patch_limit.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from ..release import DUMP_NAME, GRAPH_COUNTS_NAME, REPORT_NAME, STORE_DIR
from .assemble import (BLOCK, Amendment, Statements, amend_statements, bytewise, grep_lines,
                       load_lines, sort_lines, write_statements)

EMPTY = Path(os.devnull)  # the statements of no release
RELEASE_CHANGE = "release"  # finish_patched's difference of the release and the last one


@dataclass(frozen=True)
class Base:
    """What the build's store starts as: the last release's store and statements, or none."""

    store: Path | None = None
    nquads: Path = EMPTY
    ntriples: Path = EMPTY

    def statements(self) -> Statements:
        """The release's statements and their counts, as its report and graph counts say."""
        release = self.store.parent
        report = json.loads((release / REPORT_NAME).read_text(encoding="utf-8"))
        graphs = json.loads((release / GRAPH_COUNTS_NAME).read_text(encoding="utf-8"))
        return Statements(self.nquads, self.ntriples, graphs,
                          report["statements"][self.ntriples.name], report["triples"]["asserted"])

    @classmethod
    def of(cls, release: Path | None) -> Base:
        """The release's store, if it has one, or nothing to start from."""
        if release is None or not (release / STORE_DIR).is_dir():
            return cls()
        dumps = release / "dumps"
        return cls(release / STORE_DIR, dumps / f"{DUMP_NAME}.nq", dumps / f"{DUMP_NAME}.nt")


def asserted_quads(store: ox.Store, derived: frozenset, *pattern) -> Iterator[ox.Quad]:
    """The quads matching `pattern` in the store's asserted named graphs: while a build runs,
    its store may also hold the last release's derived graphs (`derived`, as NamedNodes) and
    union, which a store built from scratch does not have yet."""
    return (quad for quad in store.quads_for_pattern(*pattern)
            if isinstance(quad.graph_name, ox.NamedNode) and quad.graph_name not in derived)


def start_store(base: Base, path: Path) -> ox.Store:
    """A new store at `path`: a checkpoint of the base's (opened read-only, as servers hold
    it), or empty."""
    if base.store is not None:
        ox.Store.read_only(str(base.store)).backup(str(path))
    return ox.Store(str(path))


def graph_lines(nquads: Path, graphs: set[str], keep: bool, output: Path) -> Path:
    """Write the lines of `nquads` in the named `graphs` (keep) or in the others into
    `output`, in their order. The graph is a line's last term, so the match is anchored."""
    if nquads == EMPTY:
        return EMPTY
    patterns = [rf" <{_literally(graph)}> \.$" for graph in sorted(graphs)]
    return grep_lines(["-E", *(["-v"] if not keep else []),
                       *(arg for pattern in patterns for arg in ("-e", pattern))],
                      nquads, output)


def _literally(iri: str) -> str:
    """An IRI as an extended regular expression matching it alone (grep -E)."""
    return re.sub(r"([.\[\]()*+?$])", r"\\\1", iri)


def start_patched(base: Base, asserted: Path, derived_graphs: set[str], path: Path,
                  limit: float, known: tuple[Path, Path] | None = None
                  ) -> tuple[ox.Store, Base, tuple[Path, Path]]:
    """The store at `path` holding the asserted quads (sorted N-Quads lines), the base it
    was patched from: the last release's, or none when what changed is more than `limit` of
    the asserted quads' bytes (Settings.patch_limit: beyond it, the bulk loader into a new
    store is faster than removals and additions one by one), and the quads it removed from
    the base and added to it (two N-Quads files): `known` when the loader found them
    (asserted.py), else by comparing the base's asserted lines with `asserted`."""
    if base.nquads == EMPTY:
        change = EMPTY, asserted
    elif known is not None:
        change = known if _within(known, asserted, limit) else None
    else:
        before = graph_lines(base.nquads, derived_graphs, False, path.with_name("before.nq"))
        change = difference(before, asserted, path.parent, "asserted", limit)
        before.unlink()
    if change is None:
        base, change = Base(), (EMPTY, asserted)
    store = start_store(base, path)
    patch(store, *change, ox.RdfFormat.N_QUADS)
    return store, base, change


def finish_patched(store: ox.Store, base: Base, release: Path, derived: Path,
                   derived_graphs: set[str], special: set[str], work: Path,
                   known: tuple[Path, Path] | None = None,
                   core_freed: Callable[[float], bool] = lambda _wait: True) -> Statements:
    """The release's statements (`release`: every quad, sorted N-Quads lines; write_statements)
    and the store patched to hold them: the derived graphs those of `derived` (sorted N-Quads
    lines), the default graph their union. Patched from a last release, its counts and union
    are amended by the lines that changed since (amend_statements: `known`, release_change's,
    or found by comparing the two releases), and so are its derived graphs; from none, they
    are made from every line. `core_freed(seconds)` waits that long at most for the machine's
    other core to be free (SHACL's process to end), and says whether it is."""
    if base.nquads == EMPTY:
        # The derived graphs' load needs nothing counted here: it runs in a thread (Oxigraph's
        # bulk loader releases the GIL) while this one counts the lines and writes and loads
        # their union. It starts once SHACL's process has left the other core (at 10M quads
        # SHACL still runs here, and a thread started at once took its core: SHACL 706 -> 936 s),
        # or once this thread is done. Joined before returning: the build forks after
        # (docs/design.md, "Loading beside the count").
        counted = threading.Event()

        def load_derived() -> None:
            while not (counted.is_set() or core_freed(0.1)):
                pass
            patch(store, EMPTY, derived, ox.RdfFormat.N_QUADS)

        with ThreadPoolExecutor(1, thread_name_prefix="load-derived") as pool:
            derived_loaded = pool.submit(load_derived)
            try:
                statements = write_statements(release, work, special)
                patch(store, EMPTY, statements.ntriples, ox.RdfFormat.N_TRIPLES)
            finally:
                counted.set()
            derived_loaded.result()
    else:
        removed, added = known or difference(base.nquads, release, work, RELEASE_CHANGE)
        statements, union = amend_statements(base.statements(), release, removed,
                                             added, work, special)
        statements.amended = Amendment(base.store.parent, *union)
        patch(store, *(graph_lines(path, derived_graphs, True, path.with_suffix(".derived"))
                       for path in (removed, added)), ox.RdfFormat.N_QUADS)
        patch(store, *union, ox.RdfFormat.N_TRIPLES)
    store.flush()
    return statements


def release_change(asserted: tuple[Path, Path], derived: tuple[Path, Path], work: Path
                   ) -> tuple[Path, Path]:
    """The release's lines removed and added since the last (where `difference` writes them:
    the search index reads them there), from those of its asserted graphs and of its derived
    ones (pairs of sorted files): no graph is both, so no line is in both."""
    change = change_paths(work, RELEASE_CHANGE)
    for output, *inputs in zip(change, asserted, derived, strict=True):
        sort_lines(inputs, output, merge=True)
    return change


def difference(before: Path, after: Path, work: Path, name: str, limit: float | None = None
               ) -> tuple[Path, Path] | None:
    """The lines of `before` not in `after` (removed) and of `after` not in `before` (added),
    as two files, both sorted; None when they are more than `limit` of `after`'s bytes."""
    if before == EMPTY:
        return EMPTY, after
    removed, added = change_paths(work, name)
    both = work / f"{name}-difference.nq"
    with open(both, "wb") as out:
        subprocess.run(["comm", "-3", "--", str(before), str(after)], stdout=out, check=True,
                       env=bytewise())
    if limit is not None and both.stat().st_size > limit * after.stat().st_size:
        both.unlink()
        return None
    with open(both, "rb") as lines, open(removed, "wb") as gone, open(added, "wb") as new:
        for line in lines:  # comm indents the lines only the second file has
            if line.startswith(b"\t"):
                new.write(line[1:])
            else:
                gone.write(line)
    both.unlink()
    return removed, added


def _within(change: tuple[Path, Path], asserted: Path, limit: float) -> bool:
    """Whether the change is within `limit` as difference() measures it (the bytes of
    `comm -3`'s output: each added line indented by a tab)."""
    removed, added = change
    with open(added, "rb") as lines:
        indents = sum(block.count(b"\n") for block in iter(lambda: lines.read(BLOCK), b""))
    size = removed.stat().st_size + added.stat().st_size + indents
    return size <= limit * asserted.stat().st_size


def change_paths(work: Path, name: str) -> tuple[Path, Path]:
    """Where `difference` writes the lines removed and added."""
    return work / f"{name}-removed.nq", work / f"{name}-added.nq"


def patch(store: ox.Store, removed: Path, added: Path, rdf_format: ox.RdfFormat) -> None:
    """Remove the statements of `removed` from the store and load those of `added` (N-Quads,
    or N-Triples: the default graph's). Blank nodes keep their labels: the loader's are the
    release's (load_lines), so a removal hits the quad that was loaded."""
    emptied = set()
    if removed != EMPTY:
        for quad in ox.parse(path=str(removed), format=rdf_format, rename_blank_nodes=False):
            store.remove(quad)
            emptied.add(quad.graph_name)
    # A named graph stays in the store when its last quad goes (GRAPH ?g {} finds it): the
    # build from scratch has none empty.
    for graph in emptied - {ox.DefaultGraph()}:
        if next(store.quads_for_pattern(None, None, None, graph), None) is None:
            store.remove_graph(graph)
    load_lines(store, added, rdf_format)
