"""Write a dump and its gzip in one pass, hashing both as they are written (nothing is read back).

Compressed with ISA-L's deflate (python-isal) at its level 2: on the release's N-Quads it takes
a fourteenth of the time of zlib's level 6 for a third more bytes (docs/design.md, "Publishing
at scale"). The gzip header holds no name and no time, so the bytes are the same for the same
content and the same library.

The Turtle, TriG and JSON-LD dumps are written in content-defined chunks of the build's sorted
lines, each chunk's piece its own gzip member, so that a build copies the pieces of chunks that
did not change from the last release (docs/design.md, "Dumps in an add-one build"). Chunks are
parsed again leniently: the build wrote the lines with pyoxigraph from terms it had parsed and
checked, so their IRIs need not be checked a second time (half the time of a strict parse).
"""

from __future__ import annotations

import hashlib
import os
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import isal
import pyoxigraph as ox
from isal import isal_zlib

GZIP_LEVEL = 2
GZIP_WBITS = 16 + isal_zlib.MAX_WBITS  # a gzip member: header, deflate stream, CRC and size
BLOCK = 1 << 20


@dataclass(frozen=True)
class Written:
    """A file as the release describes it."""

    name: str
    size: int
    sha256: str


class _DumpWriter:
    """A file-like sink: keeps the plain bytes (unless they are already on disk) and their
    gzip, and the sha256 of each, a block at a time."""

    def __init__(self, plain: Path | None, packed: Path):
        self.plain = open(plain, "wb") if plain is not None else None
        self.packed = open(packed, "wb")
        self.compressor = isal_zlib.compressobj(GZIP_LEVEL, isal_zlib.DEFLATED, GZIP_WBITS)
        self.digests = hashlib.sha256(), hashlib.sha256()
        self.sizes = [0, 0]
        self.pending = bytearray()

    def write(self, data: bytes) -> int:
        """Take bytes; a serialiser's small writes are gathered into blocks first."""
        if self.pending or len(data) < BLOCK:
            self.pending += data
            if len(self.pending) < BLOCK:
                return len(data)
            self._out(bytes(self.pending))
            self.pending.clear()
        else:
            self._out(data)
        return len(data)

    def flush(self) -> None:
        pass  # the blocks go out as they fill, the rest at close()

    def _out(self, block: bytes) -> None:
        if self.plain is not None:
            self.plain.write(block)
        self._count(0, block)
        self._pack(self.compressor.compress(block))

    def _pack(self, block: bytes) -> None:
        self.packed.write(block)
        self._count(1, block)

    def _count(self, which: int, block: bytes) -> None:
        self.digests[which].update(block)
        self.sizes[which] += len(block)

    def close(self, name: str) -> tuple[Written, Written]:
        self._out(bytes(self.pending))
        self._pack(self.compressor.flush())
        for file in (self.plain, self.packed):
            if file is not None:
                file.close()
        return tuple(Written(n, size, digest.hexdigest()) for n, size, digest in
                     zip((name, f"{name}.gz"), self.sizes, self.digests))


def pack_file(path: Path) -> tuple[Written, Written]:
    """Gzip a file already written (path + ".gz"); describe both."""
    writer = _DumpWriter(None, path.with_name(f"{path.name}.gz"))
    with open(path, "rb") as plain:
        while block := plain.read(BLOCK):
            writer.write(block)
    return writer.close(path.name)


def write_dump(quads, target: Path, rdf_format: ox.RdfFormat,
               prefixes: dict[str, str]) -> tuple[Written, Written]:
    """Serialise the quads (or triples) to target and target + ".gz"; describe both."""
    writer = _DumpWriter(target, target.with_name(f"{target.name}.gz"))
    ox.serialize(quads, output=writer, format=rdf_format, prefixes=prefixes)
    return writer.close(target.name)


# Content-defined chunks (docs/design.md, "Dumps in an add-one build"): a chunk of the sorted
# lines ends before a subject whose CRC-32 has CHUNK_BITS low zero bits, so lines added or
# removed change only the chunks they fall in, and the same lines always make the same chunks.
CHUNK_BITS = 8
_CODE = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()


def chunks_made_by(prefixes: dict[str, str]) -> dict:
    """What decides a piece's bytes besides its chunk's lines: this code, the libraries, the
    chunk size and the prefixes (a kept piece is copied only if they are the same)."""
    return {"code": _CODE, "pyoxigraph": ox.__version__, "isal": isal.__version__,
            "chunk_bits": CHUNK_BITS, "prefixes": prefixes}


def chunks(path: Path) -> Iterator[bytes]:
    """The file's sorted lines, a chunk at a time (a subject's lines stay together)."""
    mask = (1 << CHUNK_BITS) - 1
    chunk: list[bytes] = []
    subject = None
    with open(path, "rb") as lines:
        for line in lines:
            first = line[:line.find(b" ")]
            if first != subject:
                subject = first
                if chunk and zlib.crc32(first) & mask == 0:
                    yield b"".join(chunk)
                    chunk = []
            chunk.append(line)
    if chunk:
        yield b"".join(chunk)


class KeptPieces:
    """A dump of the last release and where each of its pieces is, plain and gzipped, by key:
    copied instead of made again."""

    def __init__(self, plain: Path, pieces: list[list]):
        self.plain, self.packed = plain, plain.with_name(f"{plain.name}.gz")
        self.where: dict[str, tuple[int, int, int, int]] = {}
        self.files: tuple[int, int] | None = None
        plain_at = packed_at = 0
        for key, plain_size, packed_size in pieces:
            self.where[key] = (plain_at, plain_size, packed_at, packed_size)
            plain_at, packed_at = plain_at + plain_size, packed_at + packed_size

    def read(self, key: str) -> tuple[bytes, bytes] | None:
        """The piece's plain and gzip bytes, if the last release has it."""
        if key not in self.where:
            return None
        plain_at, plain_size, packed_at, packed_size = self.where[key]
        if self.files is None:
            self.files = os.open(self.plain, os.O_RDONLY), os.open(self.packed, os.O_RDONLY)
        return (os.pread(self.files[0], plain_size, plain_at),
                os.pread(self.files[1], packed_size, packed_at))

    def close(self) -> None:
        for file in self.files or ():
            os.close(file)


@dataclass(frozen=True)
class ChunkedDump:
    """A dump written by write_chunked: its files, its pieces' keys and sizes in order, and
    how many of them were copied from the last release."""

    plain: Written
    packed: Written
    pieces: list[list]
    copied: int


class _PieceWriter(_DumpWriter):
    """A dump written a piece at a time, each piece its own gzip member (a gzip file of many
    members is one gzip file: RFC 1952, 2.2), so that a piece can be copied, plain and packed,
    from the last release's file. Turtle and TriG pieces are the serialiser's output without
    its prefixes (written once, first); JSON-LD's are the members of its top-level array."""

    def __init__(self, plain: Path, rdf_format: ox.RdfFormat, prefixes: dict[str, str],
                 kept: KeptPieces | None):
        super().__init__(plain, plain.with_name(f"{plain.name}.gz"))
        self.rdf_format, self.prefixes, self.kept = rdf_format, prefixes, kept
        self.pieces: list[list] = []
        self.copied = 0
        self.array = rdf_format == ox.RdfFormat.JSON_LD
        self.header = b"" if self.array else _header(rdf_format, prefixes)
        self.name, self.lead = plain.name, b"[" if self.array else b""
        if not self.array:
            self.piece("header", lambda: self.header)

    def chunk(self, key: str, statements: Callable[[], list]) -> None:
        """Write a chunk of statements (made only if the last release lacks its piece)."""
        lead = self.lead
        self.piece(f"{lead.decode()}{key}", lambda: lead + self._body(statements()))
        self.lead = b"," if self.array else b""

    def _body(self, statements: list) -> bytes:
        text = ox.serialize(statements, format=self.rdf_format, prefixes=self.prefixes)
        if self.array:
            return text[1:-1]
        if not text.startswith(self.header):
            raise ValueError(f"{self.rdf_format.name}: the serialiser's header is not "
                             f"{self.header!r}")
        return text[len(self.header):]

    def piece(self, key: str, make: Callable[[], bytes]) -> None:
        """Write the piece named key: the last release's bytes if it has them, else make()'s."""
        found = self.kept.read(key) if self.kept is not None else None
        if found is None:
            plain = make()
            compressor = isal_zlib.compressobj(GZIP_LEVEL, isal_zlib.DEFLATED, GZIP_WBITS)
            packed = compressor.compress(plain) + compressor.flush()
        else:
            (plain, packed), self.copied = found, self.copied + 1
        self.plain.write(plain)
        self._count(0, plain)
        self._pack(packed)
        self.pieces.append([key, len(plain), len(packed)])

    def finish(self) -> ChunkedDump:
        if self.array:
            self.piece("end" if self.lead == b"," else "empty",
                       lambda: b"]" if self.lead == b"," else b"[]")
        for file in (self.plain, self.packed):
            file.close()
        if self.kept is not None:
            self.kept.close()
        plain, packed = (Written(n, size, digest.hexdigest()) for n, size, digest in
                         zip((self.name, f"{self.name}.gz"), self.sizes, self.digests))
        return ChunkedDump(plain, packed, self.pieces, self.copied)


def write_chunked(source: Path, targets: dict[Path, ox.RdfFormat], prefixes: dict[str, str],
                  kept: dict[str, KeptPieces]) -> list[ChunkedDump]:
    """Serialise the build's sorted N-Quads or N-Triples to each target and its gzip, a chunk
    at a time (one pass over the lines for every target), copying the pieces the last
    release has (`kept`, by file name); describe them."""
    writers = [_PieceWriter(target, rdf_format, prefixes, kept.get(target.name))
               for target, rdf_format in targets.items()]
    lines = ox.RdfFormat.N_QUADS if source.suffix == ".nq" else ox.RdfFormat.N_TRIPLES
    for chunk in chunks(source):
        key = hashlib.sha256(chunk).hexdigest()[:32]
        parsed: list = []

        def statements(chunk=chunk, parsed=parsed) -> list:
            if not parsed:
                parsed.extend(ox.parse(input=chunk, format=lines, lenient=True))
            return parsed

        for writer in writers:
            writer.chunk(key, statements)
    return [writer.finish() for writer in writers]


def _header(rdf_format: ox.RdfFormat, prefixes: dict[str, str]) -> bytes:
    """What the serialiser writes before the first statement (Turtle's and TriG's prefixes)."""
    node = ox.NamedNode("urn:x")
    text = ox.serialize([ox.Quad(node, node, node)], format=rdf_format, prefixes=prefixes)
    return text[:text.index(b"<urn:x> <urn:x> <urn:x>")]
