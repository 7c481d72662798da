"""What a release directory holds: the build writes these files, the stores and pages read them.

A release is `build/releases/<fingerprint>/`, made current by the `build/current` symlink.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pyoxigraph as ox

from .settings import Settings

DUMP_NAME = "defence-kg"
REPORT_NAME = "build-report.json"  # counts, timings' inputs, the input digest
# The quads of each named graph: apart from the report, which the server reads at every start
# (at 10M quads they are 472k graphs, 33.6 MB of JSON).
GRAPH_COUNTS_NAME = "graph-quads.json"
ONTOLOGY_PAGE = "ontology.html"
SEARCH_INDEX = "search.sqlite"  # the full-text index of names and sentences (SQLite FTS5)
STORE_DIR = "store"  # an Oxigraph (RocksDB) store of the quads and their union, read-only
CHECKSUMS = "SHA256SUMS"  # in dumps/: the digest of every dump
VOID_FILE = "void.ttl"  # in dumps/: the VoID and DCAT description of the data set
# The VoID in an Oxigraph store of its own (as the data in STORE_DIR): the server opens it
# instead of parsing the file at every start (a subset per source: 8.6 MB at 10M quads).
VOID_STORE_DIR = "void-store"


def release_nquads(release_dir: Path) -> Path:
    """The N-Quads dump of a release: every named graph, the input of every store."""
    return release_dir / "dumps" / f"{DUMP_NAME}.nq"


def served_files(settings: Settings) -> list[Path]:
    """What a server serves: the release's N-Quads and the files named by settings.load."""
    return [release_nquads(settings.release_dir), *settings.load]


def release_store(release_dir: Path) -> Path:
    """The release's on-disk store: what the embedded store opens, read-only, to serve."""
    return release_dir / STORE_DIR


def release_void_store(release_dir: Path) -> Path:
    """The release's VoID description in an on-disk store: its graph (void_graph) and, as in
    the release's store, their union as the default graph."""
    return release_dir / VOID_STORE_DIR


def void_graph(base: str) -> ox.NamedNode:
    """The VoID file's statements are kept in a graph named after the file."""
    return ox.NamedNode(f"{base}dumps/{VOID_FILE}")


def release_fingerprint(settings: Settings) -> str:
    """A digest of the data served: the same for the same data, in every store holding it.
    The release's checksum list stands for its dumps (reading the N-Quads would take seconds
    a million quads at every start); the extra files are digested whole."""
    digest = hashlib.sha256()
    checksums = settings.release_dir / "dumps" / CHECKSUMS
    for path in [checksums, *settings.load]:
        with open(path, "rb") as file:
            digest.update(hashlib.file_digest(file, "sha256").digest())
    return digest.hexdigest()
