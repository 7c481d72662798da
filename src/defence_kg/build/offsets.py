"""Every segment's nif:anchorOf is the source text between its offsets
(NIF 2.0: https://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#beginIndex).

Offsets count Unicode code points, as Python's str and SPARQL's STRLEN do. The text is the
verbatim copy a source names with dko:textFile, or its nif:isString where it has one.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pyoxigraph as ox

from ..namespaces import NIF, Vocabulary
from ..settings import Settings
from .lines import RdfFile

BEGIN, END, ANCHOR, CONTEXT = (str(NIF[n]) for n in ("beginIndex", "endIndex", "anchorOf",
                                                     "referenceContext"))
IS_STRING = str(NIF.isString)
TEXT_FILE = str(Vocabulary().ontology["textFile"])  # files are written with the canonical base


@dataclass
class Segment:
    iri: str
    file: RdfFile
    begin: int | None = None
    end: int | None = None
    anchor: str | None = None
    context: str | None = None


class MisplacedSegments:
    """One problem per segment whose anchor is not the text at its offsets, naming the file and
    line of the segment, the anchor and the text found there (and where the anchor is, if it is
    elsewhere in the text); read() one file at a time, then problems()."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.segments: dict[str, Segment] = {}
        # context -> (where the text is: a path, or where its nif:isString is written; the text)
        self.texts: dict[str, tuple[str | _WrittenAt, str]] = {}
        self.unreadable: list[str] = []

    def read(self, file: RdfFile) -> None:
        segments, texts = self.segments, self.texts
        place = file.without_contents()  # what a segment keeps of its file
        for quad in file.quads:
            subject, predicate, value = quad.subject.value, quad.predicate.value, quad.object
            if predicate in (BEGIN, END, ANCHOR, CONTEXT):
                segment = segments.get(subject)
                if segment is None:
                    segment = segments[subject] = Segment(subject, place)
                _set(segment, predicate, value)
            elif predicate == IS_STRING:
                texts[subject] = (_WrittenAt(place, subject), value.value)
            elif predicate == TEXT_FILE and subject not in texts:
                path = self.settings.root / value.value
                try:
                    texts[subject] = (value.value, path.read_text(encoding="utf-8"))
                except (OSError, UnicodeDecodeError) as error:
                    self.unreadable.append(f"{file.where(subject)}: {file.name(subject)} names "
                                           f"its text {value.value}, which cannot be read: "
                                           f"{error}")

    def problems(self) -> list[str]:
        problems = list(self.unreadable)
        for segment in self.segments.values():
            if segment.context in self.texts and None not in (segment.begin, segment.end,
                                                              segment.anchor):
                problem = _compare(segment, *self.texts[segment.context])
                if problem:
                    problems.append(problem)
        return problems


@dataclass(frozen=True)
class _WrittenAt:
    """Where a context's nif:isString is written, as a problem names it: `file:line`, looked
    up only when there is a problem (a pattern compiled and the file's lines searched, for
    every source, cost more than the check itself)."""

    file: RdfFile
    iri: str

    def __str__(self) -> str:
        return self.file.where(self.iri)


def shared_inputs(file: RdfFile) -> tuple[set[str], set[str]]:
    """What the check of `file` may share with other files: the segments and contexts it
    names (IRIs: a segment's offsets, anchor and text may be written in different files), and
    the text files it names (paths under the repository)."""
    iris, text_files = set(), set()
    for quad in file.quads:
        predicate = quad.predicate.value
        if predicate in (BEGIN, END, ANCHOR, CONTEXT, IS_STRING, TEXT_FILE):
            iris.add(quad.subject.value)
            if predicate == CONTEXT:
                iris.add(quad.object.value)
            elif predicate == TEXT_FILE:
                text_files.add(quad.object.value)
    return iris, text_files


def _set(segment: Segment, predicate: str, value: ox.Literal | ox.NamedNode) -> None:
    if predicate == CONTEXT:
        segment.context = value.value
    elif predicate == ANCHOR:
        segment.anchor = value.value
    elif value.value.isdigit():  # a malformed offset is the shapes' to report
        setattr(segment, "begin" if predicate == BEGIN else "end", int(value.value))


def _compare(segment: Segment, text_name: str | _WrittenAt, text: str) -> str | None:
    found = text[segment.begin:segment.end]
    if found == segment.anchor:
        return None
    file = segment.file
    where = f"{file.where(segment.iri)}: segment {file.name(segment.iri)}"
    offsets = f"nif:beginIndex {segment.begin}, nif:endIndex {segment.end}"
    if segment.end > len(text):
        detail = f"the offsets ({offsets}) run past the end of {text_name} ({len(text)} characters)"
    else:
        detail = (f"nif:anchorOf is {_quoted(segment.anchor)} but {text_name} has "
                  f"{_quoted(found)} at {offsets}")
    at = text.find(segment.anchor)
    if at >= 0:
        detail += f"; the anchor is at nif:beginIndex {at}, nif:endIndex {at + len(segment.anchor)}"
    return f"{where}: {detail}"


def _quoted(text: str) -> str:
    """JSON-quoted, so that spaces, line breaks and typographic quotes at the edges show."""
    return json.dumps(text, ensure_ascii=False)
