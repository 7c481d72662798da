"""The asserted quads as sorted N-Quads lines, and what changed in them since the last release:
amended from the last release's sorted lines by the changed files' alone, when it kept them
(docs/design.md, "The asserted lines amended by the changed files"); else sorted afresh.
"""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ..settings import Settings
from .assemble import bytewise, graphs_holding, mapped, sort_lines, subtract_lines
from .changes import amended_triples, changed_triples
from .kept import keep, kept_path
from .patch import difference
from .unchanged import FileRecord

ASSERTED = "asserted"  # under the output directory: each release's sorted asserted lines
LINES_FILE = "asserted-sorted.nq"  # in the work directory, until the release is published


@dataclass(frozen=True)
class Asserted:
    """This build's asserted quads (sorted N-Quads lines, each once) and, when the last
    release's were amended, the lines removed from them and added (two sorted files)."""

    lines: Path
    change: tuple[Path, Path] | None = None
    before: Path | None = None  # the last release's, when amended

    def changed_triples(self, release: Path, skipped: set[bytes]) -> list[bytes]:
        """The triples asserted in `release` or now, but not in both (changes.py)."""
        if self.change is None:
            return changed_triples(release, self.lines, skipped)
        return amended_triples(self.before, self.lines, self.change, skipped)


def sort_asserted(sources: Sequence[Path], settings: Settings, previous: Path | None,
                  last: FileRecord, record: FileRecord, work: Path) -> Asserted:
    """The asserted lines of `sources` (each file's N-Quads, named in `record`, as
    unchanged.load_nquads wrote or kept them): the last release's, minus the lines no file
    holds any more, plus the new files' lines, when the last release kept its lines and the
    N-Quads files of those changed since; else every file's lines sorted."""
    output = work / LINES_FILE
    before = None if previous is None else kept_path(settings, ASSERTED, previous, ".nq")
    old = {entry["nquads"] for entry in last.files.values()}
    by_name = {path.name: path for path in sources}
    kept = settings.output_dir / "files" / "nquads"
    gone = sorted(kept / name for name in old - by_name.keys())
    if before is None or not last.files or not before.exists() \
            or not all(path.exists() for path in gone):
        return Asserted(sort_lines(sources, output))
    came = [path for name, path in sorted(by_name.items()) if name not in old]
    unchanged = [path for name, path in sorted(by_name.items()) if name in old]
    maybe_removed, maybe_added = difference(sort_lines(gone, work / "gone.nq"),
                                            sort_lines(came, work / "came.nq"), work, "files")
    removed = _held_by_none(maybe_removed, unchanged, work / "asserted-removed.nq")
    rest = before if removed.stat().st_size == 0 else subtract_lines(
        before, removed, work / "asserted-kept.nq")
    sort_lines([rest, maybe_added], output, merge=True)
    added = _held_before(maybe_added, before, work / "asserted-added.nq")
    for path in {work / "gone.nq", work / "came.nq", maybe_removed, maybe_added} - {rest}:
        path.unlink()
    if rest != before:
        rest.unlink()
    return Asserted(output, (removed, added), before)


def _held_by_none(lines: Path, files: Sequence[Path], output: Path) -> Path:
    """The lines of `lines` that none of `files` holds: a quad restated in another file stays
    asserted when one file drops it. Read only when something may be removed."""
    if lines.stat().st_size == 0:
        output.write_bytes(b"")
        return output
    still = output.with_name("asserted-still.nq")
    names = b"".join(bytes(path) + b"\0" for path in files)
    with open(still, "wb") as out:
        # xargs runs grep on as many names as a command line holds; grep exits 1 where it
        # matched nothing, which xargs reports as 123.
        found = subprocess.run(["xargs", "-0", "-r", "grep", "-h", "-F", "-x", "-f",
                                str(lines), "--"], input=names, stdout=out, env=bytewise())
    if found.returncode not in (0, 123):
        raise subprocess.CalledProcessError(found.returncode, "xargs grep")
    subtract_lines(lines, sort_lines([still], still), output)
    still.unlink()
    return output


def _held_before(lines: Path, before: Path, output: Path) -> Path:
    """The lines of `lines` (sorted) that `before` (sorted) does not hold: a binary search
    each, not a pass over `before`."""
    with open(lines, "rb") as candidates, open(output, "wb") as out, mapped(before) as data:
        for line in candidates:
            cut = line.rindex(b" <")
            if line[cut + 2:-4] not in graphs_holding(data, line[:cut]):
                out.write(line)
    return output


def keep_asserted(work: Path, settings: Settings, release: Path) -> None:
    """Keep the build's sorted asserted lines beside `release`, for the next build to amend."""
    lines = work / LINES_FILE
    if lines.exists():
        keep(lines, settings, ASSERTED, release, ".nq")

