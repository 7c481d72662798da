"""Sentence segmenters measured on tests/fixtures/sentences.txt: accuracy and speed, one table.

    python -m bench.segmentation

Each candidate that is installed gets a row; the others are named as missing. The project
installs only the chosen one (docs/design.md, "Sentence segmentation"); install the others
(`pip install pysbd syntok blingfire sentencex spacy`) to measure them all.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

CASES = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "sentences.txt"


def read_cases(path: Path = CASES) -> list[list[str]]:
    """The labelled cases: each a list of sentences, whose text is the sentences joined by ' '."""
    cases, current = [], []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            continue
        if line.strip():
            current.append(line.strip())
        elif current:
            cases.append(current)
            current = []
    if current:
        cases.append(current)
    return cases


def score(split: Callable[[str], list[str]], cases: list[list[str]]) -> dict:
    """Boundary precision and recall (a boundary is the end offset of a sentence before the
    last), and the share of cases split exactly right."""
    found = expected = correct = exact = 0
    for sentences in cases:
        text = " ".join(sentences)
        gold = _ends(sentences)
        got = _ends([s.strip() for s in split(text) if s.strip()])
        found += len(got)
        expected += len(gold)
        correct += len(got & gold)
        exact += got == gold
    precision = correct / found if found else 1.0
    recall = correct / expected if expected else 1.0
    return {"precision": precision, "recall": recall,
            "f1": 2 * precision * recall / (precision + recall) if precision + recall else 0.0,
            "cases_exact": exact / len(cases)}


def _ends(sentences: list[str]) -> set[int]:
    ends, offset = set(), 0
    for sentence in sentences[:-1]:
        offset += len(sentence) + 1
        ends.add(offset)
    return ends


def candidates() -> Iterator[tuple[str, Callable[[str], list[str]] | str]]:
    """(name, split function), or (name, why it is missing)."""
    try:
        import pysbd

        segmenter = pysbd.Segmenter(language="en", clean=False)
        yield f"pysbd {_version('pysbd')}", segmenter.segment
    except ImportError:
        yield "pysbd", "not installed"
    try:
        from syntok import segmenter as syntok_segmenter

        def syntok_split(text: str) -> list[str]:
            return [text[s[0].offset - len(s[0].spacing):s[-1].offset + len(s[-1].value)]
                    for p in syntok_segmenter.analyze(text) for s in p]

        yield f"syntok {_version('syntok')}", syntok_split
    except ImportError:
        yield "syntok", "not installed"
    try:
        import blingfire

        yield f"blingfire {_version('blingfire')}", lambda t: blingfire.text_to_sentences(t)\
            .split("\n")
    except ImportError:
        yield "blingfire", "not installed"
    try:
        import sentencex

        yield f"sentencex {_version('sentencex')}", lambda t: list(sentencex.segment("en", t))
    except ImportError:
        yield "sentencex", "not installed"
    try:
        import spacy

        nlp = spacy.blank("en")
        nlp.add_pipe("sentencizer")
        yield f"spaCy {spacy.__version__} sentencizer", lambda t: [s.text for s in nlp(t).sents]
    except ImportError:
        yield "spaCy sentencizer", "not installed"
    # Last: it adds an abbreviation to pysbd's English list, which the pysbd row must not see.
    try:
        from defence_kg.ingest.sentences import split_sentences

        yield "defence-kg: pysbd + one abbreviation", lambda text: [text[b:e] for b, e in
                                                           split_sentences(text)]
    except ImportError as error:
        yield "defence-kg", f"not importable: {error}"
    yield "nltk punkt", ("not measured: its model (punkt_tab) is fetched from nltk's data "
                         "server, not from a package registry")


def _version(name: str) -> str:
    from importlib.metadata import version

    return version(name)


def main() -> None:
    cases = read_cases()
    sentences = sum(len(c) for c in cases)
    print(f"{len(cases)} cases, {sentences} sentences, {sentences - len(cases)} boundaries "
          f"({CASES.name})\n")
    print("| segmenter | boundary precision | recall | F1 | cases exact | ms per case |")
    print("|---|---|---|---|---|---|")
    for name, split in candidates():
        if isinstance(split, str):
            print(f"| {name} | {split} | | | | |")
            continue
        started = time.perf_counter()
        result = score(split, cases)
        elapsed = (time.perf_counter() - started) * 1000 / len(cases)
        print(f"| {name} | {result['precision']:.1%} | {result['recall']:.1%} | "
              f"{result['f1']:.1%} | {result['cases_exact']:.1%} | {elapsed:.2f} |")


if __name__ == "__main__":
    main()
