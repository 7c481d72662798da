"""Searches over the release's full-text index (search_index.py): any text in, ranked hits out.

Ranked in tiers: a name equal to the query (ignoring case, spaces and hyphens), a name that
starts with it, names holding all its words, then sentences holding them; within a tier, the
hits supported by more sources first. The query is reduced to its words and each is quoted
for FTS5, so no text can reach the index's own query syntax (https://www.sqlite.org/fts5.html).
"""

from __future__ import annotations

import os
import sqlite3
import threading
from dataclasses import dataclass, field
from pathlib import Path

from ..build.search_index import SENTENCE, WORD, compact

MAX_LENGTH = 500  # characters of a query; longer ones are refused (400), not cut
MAX_WORDS = 16
TIER_LIMIT = 100  # candidates read from each tier before the hits are merged
TIERS = ("exact label", "label prefix", "words in a label", "sentence")
# Private-use characters mark the matches in FTS5's highlight(): no text of the data has them.
OPEN, CLOSE = "\ue000", "\ue001"


class QueryTooLong(ValueError):
    pass


@dataclass
class Hit:
    iri: str
    kind: str  # "resource" or "sentence"
    label: str
    type_iri: str | None
    type_label: str | None
    sources: int
    sentences: int
    match: str  # one of TIERS
    # What matched, as (text, marked) pieces: the name (the label or another name), or the
    # sentence.
    snippet: list[tuple[str, bool]] = field(default_factory=list)


class Finder:
    """Reads one index file; safe to share between threads (each gets its own connection)."""

    def __init__(self, path: Path):
        self.path = path
        self._local = threading.local()

    def available(self) -> bool:
        return self.path.is_file()

    def search(self, text: str, limit: int = 20) -> list[Hit]:
        """The best `limit` hits for any text; QueryTooLong past MAX_LENGTH characters."""
        if len(text) > MAX_LENGTH:
            raise QueryTooLong(f"a search is at most {MAX_LENGTH} characters; "
                               f"this one has {len(text)}")
        words = [w.replace("_", "") for w in WORD.findall(text.casefold())][:MAX_WORDS]
        words = [w for w in words if w]
        key = compact(text)
        if not words or not key:
            return []
        db = self._connection()
        found: dict[int, tuple[int, str]] = {}  # entry -> (tier, what matched)
        # Each tier reads its best candidates first (the index numbers names by rank) and
        # stops; a tier runs only while the hits above it leave room.
        for tier, (sql, args) in enumerate((
                ("SELECT entry, name FROM name WHERE key = ? ORDER BY id LIMIT ?", (key,)),
                ("SELECT entry, name FROM name WHERE key > ? AND key < ? ORDER BY key "
                 "LIMIT ?", (key, key + "\U0010ffff")),
                ("SELECT name.entry, name.name FROM name_words JOIN name "
                 "ON name.id = name_words.rowid WHERE name_words MATCH ? "
                 "ORDER BY name_words.rowid LIMIT ?", (_match(words),)))):
            if len(found) >= limit:
                break
            for entry, name in db.execute(sql, (*args, TIER_LIMIT)):
                found.setdefault(entry, (tier, name))
        if len(found) < limit:
            for entry, marked in self._sentences(db, words, limit - len(found)):
                found.setdefault(entry, (3, marked))
        if not found:
            return []
        ids = sorted(found)
        rows = db.execute(
            "SELECT id, iri, kind, label, type_iri, type_label, sources, sentences, text "
            "FROM entry "
            f"WHERE id IN ({','.join('?' * len(ids))})", ids).fetchall()
        rows.sort(key=lambda row: (found[row[0]][0], -row[6], -row[7], len(row[3]),
                                   row[3].casefold(), row[1]))
        return [self._hit(row, *found[row[0]], words, text) for row in rows[:limit]]

    def _sentences(self, db, words: list[str], wanted: int) -> list[tuple[int, str]]:
        """The sentences with all the words, the most relevant (BM25) of the first
        TIER_LIMIT read, with the words marked."""
        match = _match(words)
        candidates = db.execute("SELECT rowid, bm25(sentence_words) FROM sentence_words "
                                "WHERE sentence_words MATCH ? ORDER BY rowid LIMIT ?",
                                (match, TIER_LIMIT)).fetchall()
        best = [rowid for rowid, _ in sorted(candidates, key=lambda c: (c[1], c[0]))[:wanted]]
        if not best:
            return []
        marked = dict(db.execute(
            "SELECT rowid, highlight(sentence_words, 0, ?, ?) FROM sentence_words "
            f"WHERE sentence_words MATCH ? AND rowid IN ({','.join('?' * len(best))})",
            (OPEN, CLOSE, match, *best)))
        return [(rowid, marked[rowid]) for rowid in best]

    def _hit(self, row, tier: int, matched: str, words: list[str], text: str) -> Hit:
        _, iri, kind, label, type_iri, type_label, sources, sentences, sentence = row
        if kind == SENTENCE and tier < 3:  # found by its name: shown with its words
            snippet = [(sentence, False)]
        elif kind == SENTENCE:
            snippet = _unmark(matched)
            if not any(marked for _, marked in snippet):  # matched by a joined word
                snippet = _mark_words("".join(piece for piece, _ in snippet), words)
        else:
            snippet = _mark_name(matched, words, text, tier)
        return Hit(iri, kind, label, type_iri, type_label, sources, sentences, TIERS[tier],
                   snippet)

    def _connection(self) -> sqlite3.Connection:
        # A connection per thread and per process: the server forks its workers after loading.
        key = (os.getpid(), threading.get_ident())
        if getattr(self._local, "key", None) != key:
            uri = f"{self.path.resolve().as_uri()}?mode=ro&immutable=1"
            self._local.connection = sqlite3.connect(uri, uri=True, check_same_thread=False)
            self._local.key = key
        return self._local.connection


def _match(words: list[str]) -> str:
    """An FTS5 query for all the words, the last one as a prefix (it may be half typed).
    Words are letters and digits only, and quoted: nothing else of FTS5's syntax gets in."""
    quoted = [f'"{w}"' for w in words]
    quoted[-1] += "*"
    return " ".join(quoted)


def _mark_name(name: str, words: list[str], text: str, tier: int) -> list[tuple[str, bool]]:
    """The name with what matched marked: the compact query from the start for the first two
    tiers ("s400" marks "S-400"), the query's words otherwise."""
    if tier < 2:
        return _marked(name, _spans(name, [(compact(text), False)])[:1])
    return _mark_words(name, words)


def _mark_words(text: str, words: list[str]) -> list[tuple[str, bool]]:
    """The text with each query word marked where a word of the text starts with it (ignoring
    spaces and hyphens inside it: "su57" marks "Su-57"); only the last may be a prefix."""
    keys = [(word, index < len(words) - 1) for index, word in enumerate(words)]
    return _marked(text, sorted(_spans(text, keys)))


def _spans(text: str, keys: list[tuple[str, bool]]) -> list[tuple[int, int]]:
    """Where each key starts a word of the text's letters and digits (ending one too, when its
    flag says whole), as spans of the text."""
    letters = [(i, c) for i, ch in enumerate(text) if ch.isalnum() for c in ch.casefold()]
    flat = "".join(c for _, c in letters)
    found = []
    for key, whole in keys:
        at = flat.find(key) if key else -1
        while at >= 0:
            start, end = letters[at][0], letters[at + len(key) - 1][0] + 1
            if (start == 0 or not text[start - 1].isalnum()) and (
                    not whole or end == len(text) or not text[end].isalnum()):
                found.append((start, end))
            at = flat.find(key, at + 1)
    return found


def _marked(text: str, spans: list[tuple[int, int]]) -> list[tuple[str, bool]]:
    pieces, at = [], 0
    for start, end in spans:
        if start >= at:
            pieces += [(text[at:start], False), (text[start:end], True)]
            at = end
    return [p for p in (*pieces, (text[at:], False)) if p[0]]


def _unmark(text: str) -> list[tuple[str, bool]]:
    """FTS5's highlighted text as (piece, marked) pairs."""
    pieces = []
    for index, part in enumerate(text.replace(CLOSE, OPEN).split(OPEN)):
        if part:
            pieces.append((part, index % 2 == 1))
    return pieces
