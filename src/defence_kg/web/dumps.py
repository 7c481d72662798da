"""The release's files: the listing at /dumps/ and each file at /dumps/NAME.

Files are sent with Content-Length, ETag and Last-Modified, and answer conditional and range
requests (RFC 9110, sections 13 and 14), by Werkzeug's send_file.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pyoxigraph as ox
from flask import Blueprint, Flask, Response, current_app, render_template, send_from_directory

from ..release import REPORT_NAME
from .state import KEY as STATE_KEY
from .state import state

KEY = "defence_kg.dumps"
CHECKSUMS = "SHA256SUMS"

bp = Blueprint("dumps", __name__)


@dataclass(frozen=True)
class PublishedFile:
    name: str
    size: int
    sha256: str
    modified: datetime
    media_type: str
    statements: int | None  # triples, or quads for the dataset formats; None if not RDF


def init_app(app: Flask) -> None:
    """List the release's files once, with the statement counts the build recorded."""
    release = app.extensions[STATE_KEY].release
    report = json.loads((release / REPORT_NAME).read_text(encoding="utf-8"))
    app.extensions[KEY] = list_files(release / "dumps", report["statements"])
    app.add_template_filter(human_size)


def human_size(size: float) -> str:
    """A byte count as people read it: 532 B, 7.5 KiB, 292 KiB, 1.2 MiB."""
    for unit in ("B", "KiB", "MiB", "GiB"):
        if size < 1024 or unit == "GiB":
            break
        size /= 1024
    return f"{size:.1f} {unit}" if unit != "B" and size < 10 else f"{size:.0f} {unit}"


def list_files(directory: Path, statements: dict[str, int]) -> list[PublishedFile]:
    sums = {}
    checksums = directory / CHECKSUMS
    if checksums.is_file():
        for line in checksums.read_text(encoding="utf-8").splitlines():
            digest, name = line.split("  ", 1)
            sums[name] = digest
    return [PublishedFile(path.name, path.stat().st_size, sums.get(path.name, ""),
                          datetime.fromtimestamp(path.stat().st_mtime, UTC),
                          media_type(path.name), statements.get(path.name))
            for path in sorted(directory.iterdir()) if path.is_file()]


@bp.get("/dumps/")
def listing() -> Response:
    files = current_app.extensions[KEY]
    return Response(render_template("dumps.html", files=files, title="Downloads"),
                    mimetype="text/html")


@bp.get("/dumps/<path:name>")
def dump(name: str) -> Response:
    # send_from_directory refuses paths that leave the directory, and answers conditional
    # and range requests.
    return send_from_directory(state().release / "dumps", name, mimetype=media_type(name))


def media_type(name: str) -> str:
    """The media type of a published file, from its extension (pyoxigraph's for RDF)."""
    suffix = Path(name).suffix[1:]
    if suffix == "gz":
        return "application/gzip"
    rdf_format = ox.RdfFormat.from_extension(suffix)
    return rdf_format.media_type if rdf_format else "text/plain; charset=utf-8"
