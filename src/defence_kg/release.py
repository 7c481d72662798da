"""What a release directory holds: the build writes these files, the stores and pages read them.

A release is `build/releases/<fingerprint>/`, made current by the `build/current` symlink.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from .settings import Settings

DUMP_NAME = "defence-kg"
REPORT_NAME = "build-report.json"  # counts, timings' inputs, the input digest
ONTOLOGY_PAGE = "ontology.html"
SEARCH_INDEX = "search.sqlite"  # the full-text index of names and sentences (SQLite FTS5)


def release_nquads(release_dir: Path) -> Path:
    """The N-Quads dump of a release: every named graph, the input of every store."""
    return release_dir / "dumps" / f"{DUMP_NAME}.nq"


def served_files(settings: Settings) -> list[Path]:
    """What a server serves: the release's N-Quads and the files named by settings.load."""
    return [release_nquads(settings.release_dir), *settings.load]


def release_fingerprint(settings: Settings) -> str:
    """A digest of the files served: the same for the same data, in every store holding it."""
    digest = hashlib.sha256()
    for path in served_files(settings):
        with open(path, "rb") as file:
            digest.update(hashlib.file_digest(file, "sha256").digest())
    return digest.hexdigest()
