"""What a build keeps beside each release for the next build (the reasoner's state, the record
of its files, its dumps' pieces): a file per release in a folder of the output directory, not
in the release (a release's files are compared byte for byte), dropped with its release."""

from __future__ import annotations

import os
from pathlib import Path

from ..settings import Settings


def kept_path(settings: Settings, folder: str, release: Path, suffix: str) -> Path:
    """Where the file `folder` keeps for `release` is."""
    return settings.output_dir / folder / f"{release.name}{suffix}"


def keep(made: Path, settings: Settings, folder: str, release: Path, suffix: str) -> None:
    """Keep a file the build made (in its work directory) for `release`: a rename within the
    output directory, atomic."""
    target = kept_path(settings, folder, release, suffix)
    target.parent.mkdir(exist_ok=True)
    os.replace(made, target)


def prune_kept(settings: Settings, folder: str, releases: Path) -> list[Path]:
    """Drop the files of releases no longer in `releases`; return those left."""
    kept = settings.output_dir / folder
    left = []
    for path in sorted(kept.iterdir()) if kept.is_dir() else ():
        if path.is_file():
            if (releases / path.name.split(".")[0]).is_dir():
                left.append(path)
            else:
                path.unlink(missing_ok=True)
    return left
