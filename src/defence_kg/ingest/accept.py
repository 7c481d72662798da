"""Review's end: a draft checked with the whole graph by THE build, then moved into data/."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from ..build import BuildError, build
from ..settings import Settings
from .draft import count_candidates, recorded_digest
from .text import IngestError, digest


@dataclass(frozen=True)
class Draft:
    source_id: str
    path: Path
    candidates: int
    sentences: int
    text_changed: bool


def pending_drafts(settings: Settings) -> list[Draft]:
    """The drafts awaiting review, with their counts of candidates."""
    found = []
    for path in sorted(settings.drafts_dir.glob("*.trig")):
        draft = path.read_text(encoding="utf-8")
        text = settings.data_dir / "sources" / f"{path.stem}.txt"
        changed = not text.exists() or digest(text.read_text(encoding="utf-8")) != \
            recorded_digest(draft)
        found.append(Draft(path.stem, path, count_candidates(draft),
                           draft.count("statements:sentence-") , changed))
    return found


def accept(settings: Settings, source_id: str) -> Path:
    """Check data/drafts/ID.trig with everything in data/ and move it to data/ID.trig; raise
    BuildError (the draft stays) or IngestError."""
    draft = settings.drafts_dir / f"{source_id}.trig"
    if not draft.exists():
        pending = ", ".join(d.source_id for d in pending_drafts(settings)) or "none"
        raise IngestError(f"no draft data/drafts/{source_id}.trig (pending drafts: {pending})")
    text = settings.data_dir / "sources" / f"{source_id}.txt"
    recorded = recorded_digest(draft.read_text(encoding="utf-8"))
    if not text.exists() or recorded != digest(text.read_text(encoding="utf-8")):
        raise IngestError(f"data/sources/{source_id}.txt has changed since the draft was made "
                          f"(its sha256 is not the draft's '# source-sha256' line): ingest it "
                          "again (--replace) and review the new draft")
    try:
        build(settings, extra_files=[draft])
    except BuildError as error:
        raise BuildError(f"data/drafts/{source_id}.trig stays a draft: {error}") from error
    target = settings.data_dir / f"{source_id}.trig"
    os.replace(draft, target)
    return target
