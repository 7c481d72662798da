"""The Turtle, TriG and JSON-LD dumps written in pieces: content-defined chunks of the build's
sorted lines, each chunk serialised alone and its piece its own gzip member, so that a build
copies the pieces of the chunks the last release wrote alike instead of serialising and
deflating them again (docs/design.md, "Dumps in pieces").

Chunks are found by bisecting the sorted file (a few `find`s per chunk, no pass over its
lines): a span of lines larger than CHUNK_BYTES is cut in two at the first bit where its first
and last subjects differ, again until each span fits or holds one subject. Whether a span is
split depends only on its own lines, so lines added or removed change only the chunks they
fall in, and the same lines always make the same chunks. A piece is copied when the last
release's chunk of lines is the same bytes (found by size and first bytes, then compared).
Chunks are parsed again leniently:
the build wrote the lines with pyoxigraph from terms it had parsed and checked.
"""

from __future__ import annotations

import hashlib
import json
import logging
import mmap
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache, partial
from pathlib import Path

import isal
import pyoxigraph as ox
from isal import isal_zlib

from ..release import DUMP_NAME
from ..settings import Settings
from . import dumps
from .dumps import GZIP_LEVEL, GZIP_WBITS, Written, _DumpWriter
from .assemble import mapped
from .kept import kept_path

log = logging.getLogger(__name__)
HEAD = 256  # a chunk's first bytes: with its size, where to look for it in the last release
CHUNK_BYTES = 512 << 10  # a span of sorted lines larger than this is split (~300 KB a chunk)
PIECES = "pieces"  # under the output directory: each release's index of its dumps' pieces
PIECES_FILE = "pieces.json"  # in the work directory, until it is kept beside the release
# What decides a piece's bytes besides its chunk's lines: this code and the gzip writer's.
_CODE = hashlib.sha256(Path(__file__).read_bytes()
                       + Path(dumps.__file__).read_bytes()).hexdigest()


def pieces_made_by(prefixes: dict[str, str]) -> dict:
    """What decides a piece's bytes besides its chunk's lines: the code, the libraries, the
    chunk size and the prefixes (a kept piece is copied only if they are the same)."""
    return {"code": _CODE, "pyoxigraph": ox.__version__, "isal": isal.__version__,
            "chunk_bytes": CHUNK_BYTES, "prefixes": prefixes}


def chunks(data: bytes | mmap.mmap) -> Iterator[tuple[int, int]]:
    """The (start, end) of each chunk of the sorted lines, in order."""
    todo = [(0, len(data))] if data else []
    while todo:
        start, end = todo.pop()
        parts = _split(data, start, end)
        if parts is None:
            yield start, end
        else:
            todo.extend(reversed(parts))


def _split(data, start: int, end: int) -> list[tuple[int, int]] | None:
    """The span's lines in two: those whose subjects have the first bit after the common
    prefix of its subjects clear, then those that have it set. None when it is kept whole
    (small enough, one subject, or lines out of order)."""
    if end - start <= CHUNK_BYTES:
        return None
    last = data.rfind(b"\n", start, end - 1) + 1
    first_subject = data[start:data.find(b" ", start, end) + 1]
    last_subject = data[last:data.find(b" ", last, end) + 1]
    depth = len(os.path.commonprefix([first_subject, last_subject]))
    if depth == len(first_subject) or depth == len(last_subject):
        return None  # one subject (the space ends it)
    differ = first_subject[depth] ^ last_subject[depth]
    high = last_subject[depth] >> (differ.bit_length() - 1) << (differ.bit_length() - 1)
    middle = _first_from(data, last_subject[:depth] + bytes([high]), start, end)
    return [(start, middle), (middle, end)] if start < middle < end else None


def _first_from(data, pivot: bytes, start: int, end: int) -> int:
    """The first line of the span starting at or after `pivot` in byte order, by bisection
    (the lines are sorted)."""
    low, high = start, end
    while low < high:
        middle = (low + high) // 2
        line = data.rfind(b"\n", start, middle) + 1 if middle > start else start
        if data[line:line + len(pivot)] >= pivot:
            high = middle
        else:
            low = middle + 1
    return data.rfind(b"\n", start, low) + 1 if low > start else start


class KeptPieces:
    """A dump of the last release, the sorted lines it was written from and where each of its
    pieces and their chunks are: a piece is copied when its chunk's lines are the same bytes
    (compared, not hashed: a full build then hashes nothing but its files)."""

    def __init__(self, lines: Path, plain: Path, pieces: list[list]):
        self.paths = lines, plain, plain.with_name(f"{plain.name}.gz")
        self.pieces = pieces
        self.where: dict[tuple[str, int, bytes], tuple[int, ...]] = {}
        self.files: tuple[int, ...] = ()

    def _open(self) -> None:
        """Open the files and find each chunk's first bytes (in the forked task, not before)."""
        self.files = tuple(os.open(path, os.O_RDONLY) for path in self.paths)
        at = [0, 0, 0]
        for kind, *sizes in self.pieces:
            if sizes[0]:  # a chunk's piece (the prefixes and the array's ends have no lines)
                head = os.pread(self.files[0], min(sizes[0], HEAD), at[0])
                self.where[kind, sizes[0], head] = (*at, *sizes)
            at = [offset + size for offset, size in zip(at, sizes, strict=True)]

    def read(self, kind: str, chunk: bytes) -> tuple[bytes, bytes] | None:
        """The piece's plain and gzip bytes, if the last release wrote it from these lines."""
        if not self.files:
            self._open()
        found = self.where.get((kind, len(chunk), chunk[:HEAD]))
        if found is None:
            return None
        lines_at, plain_at, packed_at, lines, plain, packed = found
        if os.pread(self.files[0], lines, lines_at) != chunk:
            return None
        return (os.pread(self.files[1], plain, plain_at),
                os.pread(self.files[2], packed, packed_at))

    def close(self) -> None:
        for file in self.files:
            os.close(file)


@dataclass(frozen=True)
class PiecedDump:
    """A dump written in pieces: its files, its pieces in order (kind: the JSON-LD array's
    lead or end, or the prefixes; the sizes of its chunk of lines, plain and gzipped), and how
    many of them were copied from the last release."""

    plain: Written
    packed: Written
    lines: str  # the release's dump of the sorted lines it was written from
    pieces: list[list]
    copied: int


class _PieceWriter(_DumpWriter):
    """A dump written a piece at a time, each piece its own gzip member (a gzip file of many
    members is one gzip file: RFC 1952, 2.2). Turtle and TriG pieces are the serialiser's
    output without its prefixes (written once, first); JSON-LD's are the members of its
    top-level array (`[`, `,` before each later piece, `]` last)."""

    def __init__(self, plain: Path, rdf_format: ox.RdfFormat, prefixes: dict[str, str],
                 kept: KeptPieces | None):
        super().__init__(plain, plain.with_name(f"{plain.name}.gz"))
        self.rdf_format, self.prefixes, self.kept = rdf_format, prefixes, kept
        self.lines = ox.RdfFormat.N_QUADS if rdf_format.supports_datasets else (
            ox.RdfFormat.N_TRIPLES)
        self.pieces: list[list] = []
        self.copied = 0
        self.array = rdf_format == ox.RdfFormat.JSON_LD
        self.header = b"" if self.array else _header(rdf_format, prefixes)
        self.name, self.lead = plain.name, b"[" if self.array else b""
        if not self.array:
            self.piece("header", 0, None, lambda: self.header)

    def chunk(self, lines: bytes, parsed: Callable[[], list]) -> None:
        """Write a chunk of the sorted lines (made only if the last release lacks its piece);
        `parsed` gives its statements."""
        kind = self.lead.decode()
        found = self.kept.read(kind, lines) if self.kept is not None else None
        self.piece(kind, len(lines), found, lambda lead=self.lead: lead + self._body(parsed()))
        self.lead = b"," if self.array else b""

    def _body(self, statements: list) -> bytes:
        text = ox.serialize(statements, format=self.rdf_format, prefixes=self.prefixes)
        if self.array:
            return text[1:-1]
        if not text.startswith(self.header):
            raise ValueError(f"{self.rdf_format.name}: the serialiser's header is not "
                             f"{self.header!r}")
        return text[len(self.header):]

    def piece(self, kind: str, lines: int, found: tuple[bytes, bytes] | None,
              make: Callable[[], bytes]) -> None:
        """Write a piece: the last release's bytes if found, else make()'s."""
        if found is None:
            plain = make()
            compressor = isal_zlib.compressobj(GZIP_LEVEL, isal_zlib.DEFLATED, GZIP_WBITS)
            packed = compressor.compress(plain) + compressor.flush()
        else:
            (plain, packed), self.copied = found, self.copied + 1
        self.plain.write(plain)
        self._count(0, plain)
        self._pack(packed)
        self.pieces.append([kind, lines, len(plain), len(packed)])

    def finish(self) -> PiecedDump:
        if self.array:
            self.piece("end" if self.lead == b"," else "empty", 0, None,
                       lambda: b"]" if self.lead == b"," else b"[]")
        for file in (self.plain, self.packed):
            file.close()
        if self.kept is not None:
            self.kept.close()
        plain, packed = (Written(n, size, digest.hexdigest()) for n, size, digest in
                         zip((self.name, f"{self.name}.gz"), self.sizes, self.digests))
        lines = f"{DUMP_NAME}.{'nq' if self.rdf_format.supports_datasets else 'nt'}"
        return PiecedDump(plain, packed, lines, self.pieces, self.copied)


def write_in_pieces(source: Path, dumps: list[tuple[Path, ox.RdfFormat, KeptPieces | None]],
                    prefixes: dict[str, str]) -> list[PiecedDump]:
    """Serialise the build's sorted N-Quads or N-Triples to each dump's target (path, format,
    and the pieces the last release has, copied) and its gzip, a chunk at a time; describe
    them. A chunk is parsed once for all the dumps that make its piece (most of a dump's
    cost: its lines made into Python objects; docs/design.md, "One parse for two dumps")."""
    writers = [_PieceWriter(target, rdf_format, prefixes, kept)
               for target, rdf_format, kept in dumps]
    if len({writer.lines for writer in writers}) > 1:
        raise ValueError("dumps in pieces of one source are all of datasets or all of triples")
    with mapped(source) as data:
        for start, end in chunks(data or b""):
            lines = data[start:end]
            parsed = cache(partial(_parse, lines, writers[0].lines))
            for writer in writers:
                writer.chunk(lines, parsed)
    return [writer.finish() for writer in writers]


def _parse(lines: bytes, rdf_format: ox.RdfFormat) -> list:
    return list(ox.parse(input=lines, format=rdf_format, lenient=True))


def _header(rdf_format: ox.RdfFormat, prefixes: dict[str, str]) -> bytes:
    """What the serialiser writes before the first statement (Turtle's and TriG's prefixes)."""
    node = ox.NamedNode("urn:x")
    text = ox.serialize([ox.Quad(node, node, node)], format=rdf_format, prefixes=prefixes)
    return text[:text.index(b"<urn:x> <urn:x> <urn:x>")]


def last_pieces(settings: Settings, made_by: dict) -> dict[str, KeptPieces]:
    """The current release's dumps, by name, whose pieces this build may copy: those its kept
    index describes, made the same way, with the sizes and digests the release lists. Empty
    when the index is missing or damaged: every piece is then made anew."""
    release = settings.release_dir.resolve()
    try:
        index = json.loads(kept_path(settings, PIECES, release, ".json").read_text("utf-8"))
        if index["made_by"] != made_by:
            return {}
        listed = dict(reversed(line.split("  ", 1)) for line in
                      (release / "dumps" / "SHA256SUMS").read_text("utf-8").splitlines())
        kept = {}
        for name, entry in index["files"].items():
            plain = release / "dumps" / name
            lines = plain.with_name(entry["lines"])
            sizes = [sum(piece[i] for piece in entry["pieces"]) for i in (1, 2, 3)]
            files = (lines, plain, plain.with_name(f"{name}.gz"))
            if ([listed.get(file.name) for file in files] == entry["sha256"]
                    and sizes == [file.stat().st_size for file in files]):
                kept[name] = KeptPieces(lines, plain, entry["pieces"])
        return kept
    except (OSError, ValueError, KeyError, TypeError, IndexError):
        return {}


def write_pieces_index(dumps: list[PiecedDump], digests: dict[str, str], made_by: dict,
                       path: Path) -> None:
    """Where each piece of the dumps and its chunk of the sorted lines are, for the next build
    (kept beside the release); `digests` are the release's files' sha256, by name."""
    files = {}
    for dump in dumps:
        files[dump.plain.name] = {"lines": dump.lines, "sha256": [
            digests[dump.lines], dump.plain.sha256, dump.packed.sha256], "pieces": dump.pieces}
    path.write_text(json.dumps({"made_by": made_by, "files": files}), encoding="utf-8")
    copied = sum(dump.copied for dump in dumps)
    made = sum(len(dump.pieces) for dump in dumps) - copied
    log.info("publish: %d pieces of the dumps made, %d copied from the last release", made,
             copied)
