"""A report's text and metadata: read and checked, its dateline and closing attribution found."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from pathlib import Path

# Reports shaped like the first source: " date 2025-12-02 First sentence ..." and, last,
# "Based On ANI Report".
DATELINE = re.compile(r"^\s*(date (\d{4}-\d{2}-\d{2}))\s")
BASED_ON = re.compile(r"^\s*(Based [Oo]n (.+?) Report)\s*$", re.MULTILINE)
VALID_ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
# Words that make up a quarter or more of any English news text; a text with few of them is
# in a language the extractor does not read.
ENGLISH_WORDS = frozenset((
    "the", "of", "and", "to", "in", "a", "is", "was", "for", "on", "with", "by", "that", "has",
    "have", "will", "said", "at", "from", "its", "as", "an", "be", "are", "were", "it", "this",
    "which", "their", "after", "over", "under",
))
ENGLISH_SHARE = 0.12


class IngestError(ValueError):
    """A report that cannot be ingested; the message says why and what to do."""


@dataclass(frozen=True)
class Span:
    begin: int
    end: int
    text: str


@dataclass(frozen=True)
class Report:
    text: str
    source_id: str
    publisher: str
    issued: date
    title: str
    url: str | None
    dateline: Span | None
    closing: Span | None  # the "Based On X Report" line
    english: bool

    @property
    def sha256(self) -> str:
        return digest(self.text)


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def read_text(path: Path, max_bytes: int) -> str:
    """The file's text, exactly as written, or IngestError."""
    try:
        size = path.stat().st_size
    except OSError as error:
        raise IngestError(f"{path}: cannot read: {error.strerror}") from error
    if size > max_bytes:
        raise IngestError(f"{path}: {size:,} bytes, over the limit of {max_bytes:,} "
                          "(DEFENCE_KG_MAX_REPORT_BYTES raises it)")
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        bad = raw[error.start:error.start + 1]
        raise IngestError(f"{path}: not UTF-8 (byte {error.start}: {bad!r}); save the report "
                          "as UTF-8 text") from error
    if not text.strip():
        raise IngestError(f"{path}: empty: there is no text to ingest")
    return text


def read_report(path: Path, max_bytes: int, source_id: str | None = None,
                publisher: str | None = None, issued: str | None = None,
                title: str | None = None, url: str | None = None) -> Report:
    """The report and its metadata: flags first, then what the text itself says."""
    text = read_text(path, max_bytes)
    dateline = closing = None
    if match := DATELINE.match(text):
        dateline = Span(match.start(1), match.end(1), match.group(1))
        issued = issued or match.group(2)
    if match := BASED_ON.search(text):
        closing = Span(match.start(1), match.end(1), match.group(1))
        publisher = publisher or match.group(2).strip()
    missing = [flag for flag, value in (("--publisher", publisher), ("--date", issued))
               if not value]
    if missing:
        raise IngestError(f"{path}: no {' and no '.join(m[2:] for m in missing)} in the text "
                          "(a leading 'date YYYY-MM-DD' dateline, a closing 'Based On X Report' "
                          f"line): give {' and '.join(missing)}")
    try:
        day = date.fromisoformat(issued)
    except ValueError as error:
        raise IngestError(f"--date {issued!r}: not a date of the form YYYY-MM-DD") from error
    body = text[dateline.end:] if dateline else text
    if not re.search(r"\w", body):
        raise IngestError(f"{path}: no sentence after the dateline: nothing to ingest")
    title = title or _first_words(body)
    source_id = source_id or "-".join(
        part for part in (slug(publisher), day.isoformat(), slug(title, words=4)) if part)
    if not VALID_ID.match(source_id):
        raise IngestError(f"--id {source_id!r}: an ID is lower-case letters, digits and single "
                          "hyphens ([a-z0-9-]), such as pti-2025-11-14-s400")
    return Report(text, source_id, publisher, day, title, url, dateline, closing,
                  is_english(body))


def slug(text: str, words: int | None = None) -> str:
    """Lower-case ASCII words joined by hyphens: 'Su-30MKI jets' -> 'su-30mki-jets'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    parts = re.findall(r"[a-z0-9]+", ascii_text.lower().replace("'", ""))
    return "-".join(parts[:words] if words else parts)


def is_english(text: str) -> bool:
    tokens = re.findall(r"[^\W\d_]+", text.lower())
    if not tokens:
        return False
    return sum(t in ENGLISH_WORDS for t in tokens) / len(tokens) >= ENGLISH_SHARE


def _first_words(text: str, count: int = 12) -> str:
    words = text.split()
    return " ".join(words[:count]).rstrip(",.;:") + (" …" if len(words) > count else "")
