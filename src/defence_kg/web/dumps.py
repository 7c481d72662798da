"""The release's files at /dumps/NAME: the dumps, their .gz, SHA256SUMS and void.ttl."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
from flask import Blueprint, Response, send_from_directory

from .state import state

bp = Blueprint("dumps", __name__)


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
