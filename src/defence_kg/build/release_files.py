"""The release's files that forked processes write from the build's sorted statements: the
dumps in every format (gzipped, hashed as written; Turtle, TriG and JSON-LD in pieces, those
the last release wrote alike copied: pieces.py) and the search index."""

from __future__ import annotations

import hashlib
import logging
import os
from functools import partial
from pathlib import Path

import pyoxigraph as ox

from ..namespaces import Vocabulary
from ..release import DUMP_NAME, GRAPH_COUNTS_NAME, SEARCH_INDEX
from ..settings import Settings
from .assemble import Statements
from .dumps import Written, pack_file
from .forks import Forked
from .kept import keep, kept_path
from .pieces import (
    PIECES,
    PIECES_FILE,
    KeptPieces,
    PiecedDump,
    last_pieces,
    pieces_made_by,
    write_in_pieces,
    write_pieces_index,
)
from .patch import RELEASE_CHANGE, Base, change_paths
from .search_index import LastIndex, quads_to_index, write_search_index, write_search_index_again

log = logging.getLogger(__name__)

# Dataset formats keep the named graphs; triple formats hold the union of all graphs.
DUMP_FORMATS = {
    "nq": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
    "ttl": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "jsonld": ox.RdfFormat.JSON_LD,
}
DUMPS = "dumps"  # the release's folder of dumps
# The forked tasks, the longest first (measured: docs/design.md, "Publishing at scale"); the
# JSON-LD and TriG dumps in one, which parses each chunk of the N-Quads once for both
# (docs/design.md, "One parse for two dumps").
LONGEST_FIRST = (("jsonld", "trig"), ("ttl",), ("nq",), ("nt",))
FORKS = 2  # the machine's cores: publish's own share is short
SEARCH_ROWS = "search-rows"  # the index's rows, kept beside the release for the next build
SEARCH_KEPT = "search"  # under the output directory: each release's SEARCH_ROWS
# Started while the build still runs its checks, which hold this process's core: one task
# takes the other (docs/design.md, "Publishing beside the checks").
BESIDE_THE_CHECKS = 1


class ReleaseFiles:
    """The dumps and the search index, written from the build's sorted statements into
    `directory` (its own, in the build's work directory) by forked processes, the longest
    first: BESIDE_THE_CHECKS at a time from the start, FORKS at a time once `hurry` is
    called. Nothing they read depends on the checks; a build that fails stops them (`stop`,
    or leaving it as a context manager)."""

    def __init__(self, statements: Statements, vocabulary: Vocabulary, directory: Path,
                 last: LastIndex | None = None, pieces: dict[str, KeptPieces] | None = None):
        self.directory = directory
        self.made_by = pieces_made_by(vocabulary.prefixes)
        dumps = directory / DUMPS
        dumps.mkdir(parents=True)
        quads, triples = sum(statements.graphs.values()), statements.triples
        self.counts: dict[str, int] = {}  # statements: triples (quads for dataset formats)
        tasks = {SEARCH_INDEX: partial(_write_search_index, statements, vocabulary,
                                       directory / SEARCH_INDEX, last)}
        for extensions in LONGEST_FIRST:
            targets = [dumps / f"{DUMP_NAME}.{extension}" for extension in extensions]
            formats = [DUMP_FORMATS[extension] for extension in extensions]
            datasets = formats[0].supports_datasets
            source = statements.nquads if datasets else statements.ntriples
            if formats[0] in (ox.RdfFormat.N_QUADS, ox.RdfFormat.N_TRIPLES):
                os.link(source, targets[0])  # already written, sorted, by the build
                tasks[targets[0].name] = partial(pack_file, targets[0])
            else:
                tasks["+".join(target.name for target in targets)] = partial(
                    write_in_pieces, source,
                    [(target, rdf_format, (pieces or {}).get(target.name))
                     for target, rdf_format in zip(targets, formats, strict=True)],
                    vocabulary.prefixes)
            for target in targets:
                self.counts[target.name] = quads if datasets else triples
        self._forked = Forked(tasks, at_once=BESIDE_THE_CHECKS)

    def __enter__(self) -> ReleaseFiles:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def hurry(self) -> None:
        """Run FORKS tasks at a time from now on (the build's checks are done)."""
        self._forked.allow(FORKS)

    def move_into(self, release: Path) -> tuple[str, list[Written]]:
        """Wait for the files and move them into the release's directory (whose DUMPS folder
        is made); return the search index's sha256 and the dumps written."""
        done = self._forked.results()
        index, how = done.pop(SEARCH_INDEX)
        log.info("search index: %s", how)
        # A task in pieces gives a list of its dumps; pack_file the pair of files it wrote.
        pieced: list[PiecedDump] = [dump for name in list(done) if isinstance(done[name], list)
                                    for dump in done.pop(name)]
        written = [file for pair in done.values() for file in pair]
        written += [file for dump in pieced for file in (dump.plain, dump.packed)]
        write_pieces_index(pieced, {file.name: file.sha256 for file in written}, self.made_by,
                           self.directory / PIECES_FILE)
        for file in written:
            os.replace(self.directory / DUMPS / file.name, release / DUMPS / file.name)
        os.replace(self.directory / SEARCH_INDEX, release / SEARCH_INDEX)
        return index, written

    def keep_rows(self, settings: Settings, release: Path) -> None:
        """Keep the index's rows beside `release`, for the next build (last_index)."""
        keep(self.directory / SEARCH_ROWS, settings, SEARCH_KEPT, release, ".marshal")

    def keep_pieces(self, settings: Settings, release: Path) -> None:
        """Keep the index of the dumps' pieces beside `release`, for the next build
        (last_dumps)."""
        keep(self.directory / PIECES_FILE, settings, PIECES, release, ".json")

    def stop(self) -> None:
        """Stop the tasks still running and reap them; their files go with the directory."""
        self._forked.stop()


def last_index(settings: Settings, base: Base, work: Path) -> LastIndex | None:
    """The last release's search index rows and the lines changed since (finish_patched's),
    when the build's statements were amended from that release's."""
    if base.store is None:
        return None
    release = base.store.parent
    return LastIndex(kept_path(settings, SEARCH_KEPT, release, ".marshal"), base.store,
                     release / GRAPH_COUNTS_NAME, *change_paths(work, RELEASE_CHANGE))


def last_dumps(settings: Settings, vocabulary: Vocabulary) -> dict[str, KeptPieces]:
    """The current release's dumps whose pieces this build may copy, by name."""
    return last_pieces(settings, pieces_made_by(vocabulary.prefixes))


def _write_search_index(statements: Statements, vocabulary: Vocabulary, path: Path,
                        last: LastIndex | None) -> tuple[str, str]:
    """Write the index, and its rows beside it (SEARCH_ROWS), from the last release's rows when
    there are some; return its sha256 (part of the release's fingerprint) and how it was made."""
    kept = path.with_name(SEARCH_ROWS)
    if last is None:
        write_search_index(quads_to_index(statements.nquads, vocabulary), vocabulary, path, kept)
        how = "every line read (no last release's lines to start from)"
    else:
        how = write_search_index_again(statements.nquads, statements.graphs, last, vocabulary,
                                       path, kept)
    return sha256(path), how


def sha256(path: Path) -> str:
    with open(path, "rb") as file:
        return hashlib.file_digest(file, "sha256").hexdigest()
