"""Write a dump and its gzip in one pass, hashing both as they are written (nothing is read back).

Compressed with ISA-L's deflate (python-isal) at its level 2: on the release's N-Quads it takes
a fourteenth of the time of zlib's level 6 for a third more bytes (docs/design.md, "Publishing
at scale"). The gzip header holds no name and no time, so the bytes are the same for the same
content and the same library.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

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

