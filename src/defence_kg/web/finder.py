"""Searches over the release's full-text index (search_index.py): any text in, ranked hits out.

Ranked in tiers: a name equal to the query (ignoring case, spaces and hyphens), a name that
starts with it, names holding all its words, then sentences holding them; within a tier, the
hits supported by more sources first. The query is reduced to its words and each is quoted
for FTS5, so no text can reach the index's own query syntax (https://www.sqlite.org/fts5.html).
"""

from __future__ import annotations

import os
import re
import sqlite3
import threading
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from ..build.search_index import SENTENCE, WORD, compact

MAX_LENGTH = 500  # characters of a query; longer ones are refused (400), not cut
MAX_WORDS = 16
TIER_LIMIT = 100  # candidates read from each tier before the hits are merged
TIERS = ("exact label", "label prefix", "words in a label", "sentence")
# The sentences with all the words, with their BM25 relevance. (Their words are marked here,
# not by FTS5's highlight(), which would evaluate the query again.)
KEY = "SELECT entry, name FROM name WHERE key = ? ORDER BY id LIMIT ?"
PREFIX = "SELECT entry, name FROM name WHERE key > ? AND key < ? ORDER BY key LIMIT ?"
SENTENCES = ("SELECT rowid, bm25(sentence_words) FROM sentence_words WHERE sentence_words "
             "MATCH ? ORDER BY rowid LIMIT ?")


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
        found: dict[int, tuple] = {}  # entry -> (tier, the name that matched, rank by BM25)
        # Each tier reads its best candidates first (the index numbers names by rank) and
        # stops; a tier is read only while the hits above it leave room. The words are looked
        # for whole, and only if no name or sentence has them all whole is the last one taken
        # as a prefix (it is being typed): the prefix of a common word costs FTS5 the doclists
        # of every word it starts.
        whole, prefix = _matches(words)
        names = ("SELECT name.entry, name.name FROM name_words JOIN name ON name.id = "
                 "name_words.rowid WHERE name_words MATCH ? ORDER BY name_words.rowid LIMIT ?")
        for tier, sql, args in ((0, KEY, (key,)), (1, PREFIX, (key, key + "\U0010ffff")),
                                (2, names, (whole,)), (3, SENTENCES, (whole,)),
                                (2, names, (prefix,)), (3, SENTENCES, (prefix,))):
            if len(found) >= limit or (args[0] == prefix and any(
                    t >= 2 for t, *_ in found.values())):
                continue
            rows = db.execute(sql, (*args, TIER_LIMIT)).fetchall()
            if tier == 3:  # the most relevant (BM25) of those read
                rows = [(entry, "") for entry, _ in sorted(rows, key=lambda r: (r[1], r[0]))]
            for position, (entry, name) in enumerate(rows):
                found.setdefault(entry, (tier, name, position if tier == 3 else 0))
        if not found:
            return []
        ids = sorted(found)
        rows = db.execute(
            "SELECT id, iri, kind, label, type_iri, type_label, sources, sentences, text "
            "FROM entry "
            f"WHERE id IN ({','.join('?' * len(ids))})", ids).fetchall()
        rows.sort(key=lambda row: (found[row[0]][0], found[row[0]][2], -row[6], -row[7],
                                   len(row[3]), row[3].casefold(), row[1]))
        return [self._hit(row, *found[row[0]][:2], words, text) for row in rows[:limit]]

    def _hit(self, row, tier: int, matched: str, words: list[str], text: str) -> Hit:
        _, iri, kind, label, type_iri, type_label, sources, sentences, sentence = row
        if kind == SENTENCE and tier < 3:  # found by its name: shown with its words
            snippet = [(sentence, False)]
        elif kind == SENTENCE:
            snippet = _mark_words(sentence, [_stem(w) for w in words], prefixes=True)
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


def _matches(words: list[str]) -> list[str]:
    """FTS5 queries for all the words: the last one whole, then as a prefix (it may be half
    typed). Words are letters and digits only, and quoted: nothing else of FTS5's syntax
    gets in."""
    whole = " ".join(f'"{w}"' for w in words)
    return [whole, whole + "*"]


def _stem(word: str) -> str:
    """Roughly what the index's Porter stemmer keeps, to mark "delivery" for "deliveries"."""
    for suffix in ("ies", "ing", "ed", "es", "s", "y"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def _mark_name(name: str, words: list[str], text: str, tier: int) -> list[tuple[str, bool]]:
    """The name with what matched marked: the compact query from the start for the first two
    tiers ("s400" marks "S-400"), the query's words otherwise."""
    if tier < 2:
        return _marked(name, _spans(name, [(compact(text), False)])[:1])
    return _mark_words(name, words)


def _mark_words(text: str, words: list[str], prefixes: bool = False) -> list[tuple[str, bool]]:
    """The text with each query word marked where a word of the text starts with it (ignoring
    spaces and hyphens inside it: "su57" marks "Su-57"); only the last may be a prefix, unless
    `prefixes` (stems)."""
    keys = [(word, not prefixes and index < len(words) - 1) for index, word in enumerate(words)]
    return _marked(text, sorted(_spans(text, keys)))


def _spans(text: str, keys: list[tuple[str, bool]]) -> list[tuple[int, int]]:
    """Where each key starts a word of the text, ignoring what is not a letter or digit inside
    it (ending a word too, when its flag says whole), as spans of the text."""
    return [found.span() for key, whole in keys if key
            for found in _pattern(key, whole).finditer(text)]


@lru_cache(maxsize=1024)
def _pattern(key: str, whole: bool) -> re.Pattern:
    body = r"[\W_]*".join(re.escape(char) for char in key)
    return re.compile(r"(?<![^\W_])" + body + (r"(?![^\W_])" if whole else ""), re.IGNORECASE)


def _marked(text: str, spans: list[tuple[int, int]]) -> list[tuple[str, bool]]:
    pieces, at = [], 0
    for start, end in spans:
        if start >= at:
            pieces += [(text[at:start], False), (text[start:end], True)]
            at = end
    return [p for p in (*pieces, (text[at:], False)) if p[0]]
