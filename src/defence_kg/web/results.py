"""Query results in the chosen format, written by pyoxigraph and capped at a row limit.

Formats: https://www.w3.org/TR/sparql11-results-json/, https://www.w3.org/TR/rdf-sparql-XMLres/,
https://www.w3.org/TR/sparql11-results-csv-tsv/ and the RDF syntaxes pyoxigraph writes.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import islice

import pyoxigraph as ox

from .formats import Format

TSV = ox.QueryResultsFormat.TSV
LINE_FORMATS = (ox.RdfFormat.N_TRIPLES, ox.RdfFormat.N_QUADS)  # no prefixes to declare


@dataclass(frozen=True)
class Rendered:
    body: bytes
    rows: int
    truncated: bool


def render_boolean(answer: ox.QueryBoolean, fmt: Format) -> Rendered:
    return Rendered(answer.serialize(format=fmt.syntax), 1, False)


def render_solutions(solutions: ox.QuerySolutions, fmt: Format, limit: int) -> Rendered:
    """SELECT results, at most `limit` rows; a JSON answer that was cut says "truncated": true.

    pyoxigraph writes only a whole QuerySolutions iterator and cannot make one from a list, so
    the first rows are taken as TSV (one solution per line, lossless) and read back.
    """
    buffer = _LineBuffer(limit + 1)  # the header line and `limit` rows
    try:
        solutions.serialize(buffer, format=TSV)
    except (_Full, OSError):
        if not buffer.full:
            raise
    kept = buffer.kept()
    rows = kept.count(b"\n") - 1
    body = ox.parse_query_results(kept, TSV).serialize(format=fmt.syntax)
    if buffer.full and fmt.syntax == ox.QueryResultsFormat.JSON:
        body = json.dumps({**json.loads(body), "truncated": True}).encode()
    return Rendered(body, rows, buffer.full)


def render_graph(quads: Iterable[ox.Quad], fmt: Format, limit: int,
                 prefixes: dict[str, str]) -> Rendered:
    """CONSTRUCT / DESCRIBE results: quads for TriG and N-Quads, their triples otherwise."""
    kept = list(islice(quads, limit + 1))
    truncated = len(kept) > limit
    kept = kept[:limit]
    if fmt.syntax.supports_datasets:  # one block per graph; the sort is stable within one
        content = sorted(kept, key=lambda quad: str(quad.graph_name))
    else:
        content = list(dict.fromkeys(quad.triple for quad in kept))
    options = {} if fmt.syntax in LINE_FORMATS else {"prefixes": prefixes}
    return Rendered(ox.serialize(content, format=fmt.syntax, **options), len(content), truncated)


class _Full(Exception):
    """Raised into pyoxigraph's writer to stop it once enough rows are kept."""


class _LineBuffer(io.RawIOBase):
    """Keeps what is written until it holds more than `lines` complete lines."""

    def __init__(self, lines: int):
        super().__init__()
        self.lines = lines
        self.data = bytearray()
        self.newlines = 0
        self.full = False

    def writable(self) -> bool:
        return True

    def write(self, chunk) -> int:
        if self.full:
            raise _Full
        self.data += chunk
        self.newlines += bytes(chunk).count(b"\n")
        if self.newlines > self.lines:
            self.full = True
            raise _Full
        return len(chunk)

    def kept(self) -> bytes:
        """The first complete lines (the part after the last newline is not one)."""
        return b"".join(line + b"\n" for line in self.data.split(b"\n")[:-1][:self.lines])
