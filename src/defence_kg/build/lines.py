"""Where a term is written: data files read with their text and prefixes, so that a check can
name the file and line of a term (parsers give no line per triple)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path

import pyoxigraph as ox

from ..namespaces import CANONICAL_BASE
from ..rdf import rdf_format
from ..settings import Settings

# What a Turtle or TriG line holds besides comments: IRIs and strings may contain '#'.
_NOT_COMMENT = re.compile(r'<[^>]*>|"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'')


@dataclass
class RdfFile:
    """One data file: its name as shown (relative to the repository), text, quads and prefixes.
    Without its text (None), the file is read again where a line is looked for."""

    path: Path
    display: str
    text: str | None
    quads: list[ox.Quad]
    prefixes: dict[str, str]

    @classmethod
    def read(cls, path: Path, settings: Settings) -> RdfFile:
        text = path.read_text(encoding="utf-8")
        # Lenient: the loader has checked the syntax already, with its own rules for IRIs.
        parser = ox.parse(text, format=rdf_format(path), lenient=True)
        quads = list(parser)
        return cls(path, display_name(path, settings), text, quads, dict(parser.prefixes))

    @cached_property
    def lines(self) -> list[str]:
        text = self.path.read_text(encoding="utf-8") if self.text is None else self.text
        return text.splitlines()

    def without_contents(self) -> RdfFile:
        """The file as a place to point at: its name and prefixes, not its text and quads."""
        return replace(self, text=None, quads=[])

    def name(self, iri: str) -> str:
        """The shortest prefixed name this file could write for iri, or <iri>."""
        for prefix, namespace in sorted(self.prefixes.items(), key=lambda p: -len(p[1])):
            local = iri[len(namespace):]
            if iri.startswith(namespace) and re.fullmatch(r"[\w-]+", local or "-"):
                return f"{prefix}:{local}"
        return f"<{iri}>"

    def line_of(self, iri: str, start: int = 1) -> int | None:
        """The 1-based line, from line `start` on, where iri is first written (in full or as a
        prefixed name), outside comments."""
        spellings = [re.escape(f"<{iri}>")]
        for prefix, namespace in self.prefixes.items():
            if iri.startswith(namespace):
                local = re.escape(iri[len(namespace):])
                spellings.append(rf"(?<![\w:/#.-]){re.escape(prefix)}:{local}(?![\w:%-])")
        pattern = re.compile("|".join(spellings))
        for number, line in enumerate(self.lines[start - 1:], start=start):
            found = pattern.search(line)
            if found and "#" not in _NOT_COMMENT.sub("", line[:found.start()]):
                return number
        return None

    def where(self, iri: str) -> str:
        """`file:line` where iri is first written, or the file alone."""
        line = self.line_of(iri)
        return f"{self.display}:{line}" if line else self.display


def read_rdf_files(paths: Iterable[Path], settings: Settings,
                   readers: Sequence[Callable[[RdfFile], None]] = ()) -> list[RdfFile]:
    """The files, each given to every reader as it is read, and then kept without its
    contents: one file's quads in memory at a time, whatever the size of the data."""
    files = []
    for path in paths:
        file = RdfFile.read(path, settings)
        for read in readers:
            read(file)
        files.append(file.without_contents())
    return files


def locate(files: Sequence[RdfFile], iri: str, then: str | None = None) -> str | None:
    """`file:line` where the first file that writes iri does; with `then`, the first line from
    there on that writes `then` (a statement's value after its subject), if there is one."""
    for file in files:
        line = file.line_of(iri)
        if line:
            line = (file.line_of(then, line) if then else None) or line
            return f"{file.display}:{line}"
    return None


def locator(files: Sequence[RdfFile], settings: Settings) -> Callable[[str, str | None],
                                                                    str | None]:
    """locate() for IRIs under the deployment's base: the files are written with the canonical
    one."""
    base = settings.vocabulary.base

    def canonical(iri: str | None) -> str | None:
        return CANONICAL_BASE + iri[len(base):] if iri and iri.startswith(base) else iri

    return lambda iri, then=None: locate(files, canonical(iri), canonical(then))


def display_name(path: Path, settings: Settings) -> str:
    try:
        return path.relative_to(settings.root).as_posix()
    except ValueError:
        return str(path)
