"""What changed since the last good release: the asserted triples one has and the other has not.

An incremental build validates only the resources these changes can reach (validate.py): the
last release passed every shape, so the others still do. It may, when the release was built
from the same ontology, shapes, base IRI and code (schema_digest); otherwise all is validated.
Both sides are sorted N-Quads lines, compared as text in one merge, without sets.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from pathlib import Path

from ..release import DUMP_NAME, REPORT_NAME
from ..settings import Settings
from .assemble import graphs_holding, mapped

SCHEMA_KEY = "schema_sha256"  # in the build report


def schema_digest(settings: Settings, code: Iterable[tuple[Path, str]]) -> str:
    """A digest of what decides which data is valid: the ontology, the shapes, the base IRI
    and the code (as (path, name) pairs)."""
    from .load import ONTOLOGY_FILE, SHAPES_FILE

    digest = hashlib.sha256(settings.base_uri.encode())
    for path, name in [(settings.ontology_dir / ONTOLOGY_FILE, ONTOLOGY_FILE),
                       (settings.ontology_dir / SHAPES_FILE, SHAPES_FILE), *code]:
        digest.update(name.encode())
        try:
            digest.update(path.read_bytes())
        except OSError:  # the loader refuses the file, saying why, with its name
            digest.update(b"\0unreadable")
    return digest.hexdigest()


def previous_release(settings: Settings, schema: str) -> Path | None:
    """The current release, if it was built with this schema (and so passed these shapes)."""
    release = settings.release_dir.resolve()
    try:
        report = json.loads((release / REPORT_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return release if report.get(SCHEMA_KEY) == schema else None


def changed_triples(release: Path, asserted: Path, skipped: set[bytes]) -> list[bytes]:
    """The N-Triples lines of the triples asserted in `release` or in `asserted` (this build's
    asserted quads, sorted N-Quads lines) but not in both; graphs named in `skipped` (as
    N-Triples IRIs) are left out on both sides."""
    with open(release / "dumps" / f"{DUMP_NAME}.nq", "rb") as before, \
            open(asserted, "rb") as after:
        old = _triples(before, skipped)
        new = _triples(after, skipped)
        return [triple + b" .\n" for triple in _symmetric_difference(old, new)]


def amended_triples(before: Path, after: Path, change: tuple[Path, Path],
                    skipped: set[bytes]) -> list[bytes]:
    """What changed_triples gives, from the asserted lines removed and added (`change`, two
    files) alone: each of their triples looked up in the asserted lines before and after (sorted
    N-Quads) by binary searches, not by a pass over either."""
    triples = set()
    for path in change:
        with open(path, "rb") as lines:
            for line in lines:
                cut = line.rindex(b" <")
                if line[cut + 1:-3] not in skipped:
                    triples.add(line[:cut])
    graphs = {graph[1:-1] for graph in skipped}  # as graphs_holding gives them
    with mapped(before) as old, mapped(after) as new:
        return [triple + b" .\n" for triple in sorted(triples)
                if bool(graphs_holding(old, triple) - graphs)
                != bool(graphs_holding(new, triple) - graphs)]


def _triples(lines: Iterator[bytes], skipped: set[bytes]) -> Iterator[bytes]:
    """The triples of sorted N-Quads lines, each once, in order (a triple's lines are adjacent:
    its text begins each of them)."""
    previous = None
    for line in lines:
        cut = line.rindex(b" <")
        if line[cut + 1:-3] in skipped:
            continue
        triple = line[:cut]
        if triple != previous:
            previous = triple
            yield triple


def _symmetric_difference(left: Iterator[bytes], right: Iterator[bytes]) -> Iterator[bytes]:
    """What one sorted sequence holds and the other does not."""
    a, b = next(left, None), next(right, None)
    while a is not None or b is not None:
        if b is None or (a is not None and a < b):
            yield a
            a = next(left, None)
        elif a is None or b < a:
            yield b
            b = next(right, None)
        else:
            a, b = next(left, None), next(right, None)
