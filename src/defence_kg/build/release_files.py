"""The release's files that forked processes write from the build's sorted statements: the
dumps in every format (gzipped, hashed as written) and the search index."""

from __future__ import annotations

import hashlib
import os
from functools import partial
from pathlib import Path

import pyoxigraph as ox

from ..namespaces import Vocabulary
from ..release import DUMP_NAME, SEARCH_INDEX
from .assemble import Statements
from .dumps import Written, pack_file, reparse, write_dump
from .forks import Forked
from .search_index import quads_to_index, write_search_index

# Dataset formats keep the named graphs; triple formats hold the union of all graphs.
DUMP_FORMATS = {
    "nq": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
    "ttl": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "jsonld": ox.RdfFormat.JSON_LD,
}
DUMPS = "dumps"  # the release's folder of dumps
# The forked tasks, the longest first (measured: docs/design.md, "Publishing at scale").
LONGEST_FIRST = ("jsonld", "trig", "ttl", "nq", "nt")
FORKS = 2  # the machine's cores: publish's own share is short
# Started while the build still runs its checks, which hold this process's core: one task
# takes the other (docs/design.md, "Publishing beside the checks").
BESIDE_THE_CHECKS = 1


class ReleaseFiles:
    """The dumps and the search index, written from the build's sorted statements into
    `directory` (its own, in the build's work directory) by forked processes, the longest
    first: BESIDE_THE_CHECKS at a time from the start, FORKS at a time once `hurry` is
    called. Nothing they read depends on the checks; a build that fails stops them (`stop`,
    or leaving it as a context manager)."""

    def __init__(self, statements: Statements, vocabulary: Vocabulary, directory: Path):
        self.directory = directory
        dumps = directory / DUMPS
        dumps.mkdir(parents=True)
        quads, triples = sum(statements.graphs.values()), statements.triples
        self.counts: dict[str, int] = {}  # statements: triples (quads for dataset formats)
        tasks = {SEARCH_INDEX: partial(_write_search_index, statements.nquads, vocabulary,
                                       directory / SEARCH_INDEX)}
        for extension in LONGEST_FIRST:
            rdf_format = DUMP_FORMATS[extension]
            source = statements.nquads if rdf_format.supports_datasets else statements.ntriples
            target = dumps / f"{DUMP_NAME}.{extension}"
            if rdf_format in (ox.RdfFormat.N_QUADS, ox.RdfFormat.N_TRIPLES):
                os.link(source, target)  # already written, sorted, by the build
                tasks[target.name] = partial(pack_file, target)
            else:
                tasks[target.name] = partial(_reserialise, source, target, rdf_format,
                                             vocabulary.prefixes)
            self.counts[target.name] = quads if rdf_format.supports_datasets else triples
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
        index = done.pop(SEARCH_INDEX)
        written = [file for pair in done.values() for file in pair]
        for file in written:
            os.replace(self.directory / DUMPS / file.name, release / DUMPS / file.name)
        os.replace(self.directory / SEARCH_INDEX, release / SEARCH_INDEX)
        return index, written

    def stop(self) -> None:
        """Stop the tasks still running and reap them; their files go with the directory."""
        self._forked.stop()


def _reserialise(source: Path, target: Path, rdf_format: ox.RdfFormat,
                 prefixes: dict[str, str]) -> tuple[Written, Written]:
    return write_dump(reparse(source), target, rdf_format, prefixes)


def _write_search_index(nquads: Path, vocabulary: Vocabulary, path: Path) -> str:
    """Write the index; return its sha256 (part of the release's fingerprint)."""
    write_search_index(quads_to_index(nquads, vocabulary), vocabulary, path)
    return sha256(path)


def sha256(path: Path) -> str:
    with open(path, "rb") as file:
        return hashlib.file_digest(file, "sha256").hexdigest()
