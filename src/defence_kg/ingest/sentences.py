"""Sentences of a report, as character offsets into its text, by pysbd (docs/design.md,
"Sentence segmentation"): paragraphs first, then pysbd's rules within each paragraph."""

from __future__ import annotations

import re
from functools import cache

import pysbd
from pysbd.lang.english import English

# Abbreviations of defence writing that pysbd's English list lacks: "Mk." (mark, as in
# "LCA Mk. 1A") was a wrong split in bench/segmentation.py.
EXTRA_ABBREVIATIONS = ("mk",)
PARAGRAPH = re.compile(r"\S(?:.*\S)?", re.MULTILINE)  # a non-blank line, without its margins


@cache
def _segmenter() -> pysbd.Segmenter:
    known = {a.lower() for a in English.Abbreviation.ABBREVIATIONS}
    English.Abbreviation.ABBREVIATIONS += [a for a in EXTRA_ABBREVIATIONS if a not in known]
    return pysbd.Segmenter(language="en", clean=False)


def split_sentences(text: str, begin: int = 0) -> list[tuple[int, int]]:
    """(begin, end) offsets of each sentence of text[begin:], in order; text[b:e] is the
    sentence without surrounding white space. Lines are paragraphs: no sentence spans two."""
    spans = []
    for line in PARAGRAPH.finditer(text, begin):
        cursor = line.start()
        for sentence in _segmenter().segment(line.group()):
            words = sentence.strip()
            if not words:
                continue
            start = text.index(words, cursor, line.end())
            spans.append((start, start + len(words)))
            cursor = start + len(words)
    return spans
