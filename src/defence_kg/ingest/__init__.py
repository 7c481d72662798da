"""From a report to a draft of candidate facts: text -> sentences -> mentions -> facts -> draft.

`ingest()` writes data/sources/ID.txt and ID.ttl and data/drafts/ID.trig, all or nothing;
`accept()` (accept.py) checks a draft with the whole graph and moves it into data/.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from rdflib import Literal
from rdflib.namespace import DCTERMS, RDFS, XSD

from ..settings import Settings
from .draft import Names, Sentence, count_candidates, draft_trig, source_turtle
from .facts import Candidate, Extractor, SentenceFacts
from .mentions import Gazetteer
from .sentences import split_sentences
from .text import IngestError, Report, read_report, slug

__all__ = ["IngestError", "IngestResult", "ingest"]


@dataclass(frozen=True)
class IngestResult:
    source_id: str
    files: tuple[Path, ...]
    sentences: int
    candidates: int
    changed: bool
    note: str | None


def ingest(settings: Settings, path: Path, source_id: str | None = None,
           publisher: str | None = None, issued: str | None = None, title: str | None = None,
           url: str | None = None, replace: bool = False) -> IngestResult:
    """Read the report at path and write its source files and draft, or raise IngestError
    with nothing in data/ changed."""
    report = read_report(Path(path), settings.max_report_bytes, source_id, publisher, issued,
                         title, url)
    sid = report.source_id
    text_file = settings.data_dir / "sources" / f"{sid}.txt"
    accepted = settings.data_dir / f"{sid}.trig"
    if text_file.exists() and not replace:
        if text_file.read_bytes() != report.text.encode("utf-8"):
            raise IngestError(f"{sid}: data/sources/{sid}.txt holds a different text; choose "
                              "another --id, or --replace to ingest this text in its place")
        if accepted.exists():
            return IngestResult(sid, (), 0, 0, False, f"{sid} is already ingested and accepted "
                                "(data/" + sid + ".trig); --replace ingests it anew")
    begin = report.dateline.end if report.dateline else 0
    spans = split_sentences(report.text, begin)
    if not spans:
        raise IngestError(f"{path}: no sentence after the dateline: nothing to ingest")
    sentences = [Sentence(n, b, e, report.text[b:e]) for n, (b, e) in enumerate(spans, 1)]
    for s in sentences:  # the offsets are the text's, character for character
        if report.text[s.begin:s.end] != s.text or not s.text.strip():
            raise IngestError(f"{sid}: sentence {s.number}: offsets do not reproduce its words")
    names = Names(settings.vocabulary, sid)
    publisher_iri = settings.vocabulary.id[slug(report.publisher)]
    facts, speakers, note = _read(settings, report, sentences, names, publisher_iri)
    dateline = [(names.source, DCTERMS.issued, Literal(report.issued.isoformat(),
                                                        datatype=XSD.date))]
    draft = draft_trig(report, sentences, facts, dateline, names, note)
    source = source_turtle(report, sentences, speakers, publisher_iri, names)
    outputs = {text_file: report.text.encode("utf-8"),
               settings.data_dir / "sources" / f"{sid}.ttl": source.encode("utf-8"),
               settings.drafts_dir / f"{sid}.trig": draft.encode("utf-8")}
    changed = any(not p.exists() or p.read_bytes() != content for p, content in outputs.items())
    # A text ingested anew (--replace) is reviewed anew: its accepted facts leave data/.
    _write_all(outputs, [accepted] if accepted.exists() and replace else [])
    return IngestResult(sid, tuple(outputs), len(sentences), count_candidates(draft), changed,
                        note)


def _read(settings: Settings, report: Report, sentences: list[Sentence], names: Names,
          publisher_iri) -> tuple[dict[int, SentenceFacts], dict, str | None]:
    if not report.english:
        return {}, {}, ("the text does not read as English, the only language the extractor "
                        "reads: its sentences and offsets are written, no candidate facts; "
                        "write the facts each sentence supports by hand")
    extractor = Extractor(Gazetteer.from_data(settings), _namespace(names, "event"),
                          _namespace(names, "post"), report.text)
    facts, speakers = {}, {}
    for s in sentences:
        if report.closing and s.begin == report.closing.begin:
            publisher = Literal(report.publisher, lang="en")
            facts[s.number] = SentenceFacts([Candidate(
                [(names.source, DCTERMS.publisher, publisher_iri),
                 (publisher_iri, RDFS.label, publisher)],
                "closing line: 'Based On X Report' names the publisher", 0, len(s.text))])
            continue
        found = extractor.read(s.number, s.text)
        facts[s.number] = found
        if found.speaker is not None:
            speakers[s.number] = found.speaker.iri
    return facts, speakers, None


def _namespace(names: Names, prefix: str):
    from rdflib import Namespace

    return Namespace(names.prefixes[prefix])


def _write_all(outputs: dict[Path, bytes], remove: list[Path]) -> None:
    """Every file written beside its target first, then renamed: an error on the way leaves
    data/ as it was."""
    staged = []
    try:
        for target, content in outputs.items():
            target.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
            with os.fdopen(handle, "wb") as stream:
                stream.write(content)
            staged.append((Path(temporary), target))
    except BaseException:
        for temporary, _ in staged:
            temporary.unlink(missing_ok=True)
        raise
    for temporary, target in staged:
        os.replace(temporary, target)
    for path in remove:
        path.unlink(missing_ok=True)
