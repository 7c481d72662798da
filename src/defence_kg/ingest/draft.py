"""The files ingest writes: the source's metadata and sentences (NIF 2.0,
https://persistence.uni-leipzig.org/nlp2rdf/) and the draft of candidate facts (TriG,
https://www.w3.org/TR/trig/), each candidate under a comment naming its words and its rule."""

from __future__ import annotations

import re
from dataclasses import dataclass

from rdflib import Literal, URIRef
from rdflib.namespace import XSD

from ..namespaces import Vocabulary
from .facts import SentenceFacts
from .text import Report

DIGEST_LINE = re.compile(r"^# source-sha256: ([0-9a-f]{64})$", re.MULTILINE)
LOCAL_NAME = re.compile(r"^[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_-])?$")
COMMON_PREFIXES = {
    "dkg": "id/", "dko": "ontology#",
}
STANDARD = {
    "dcterms": "http://purl.org/dc/terms/",
    "nif": "http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#",
    "org": "http://www.w3.org/ns/org#",
    "prov": "http://www.w3.org/ns/prov#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "schema": "https://schema.org/",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "time": "http://www.w3.org/2006/time#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}


@dataclass(frozen=True)
class Sentence:
    number: int
    begin: int
    end: int
    text: str


class Names:
    """The IRIs of one source, and prefixed names for them: one prefix per level of IRI, since
    prefixed names cannot contain '/'."""

    def __init__(self, vocabulary: Vocabulary, source_id: str):
        base = vocabulary.base
        self.prefixes = {name: base + path for name, path in COMMON_PREFIXES.items()}
        self.prefixes.update(STANDARD)
        self.prefixes.update({
            "source": f"{base}id/source/",
            "segment": f"{base}id/source/{source_id}/",
            "sentence": f"{base}id/source/{source_id}/sentence/",
            "event": f"{base}id/event/{source_id}/",
            "post": f"{base}id/post/",
            "instant": f"{base}id/instant/",
            "statements": f"{base}graph/{source_id}/",
        })
        self.source = URIRef(f"{base}id/source/{source_id}")

    def header(self, names: tuple[str, ...]) -> str:
        return "".join(f"@prefix {n}: <{self.prefixes[n]}> .\n" for n in names)

    def show(self, term) -> str:
        if isinstance(term, Literal):
            if term.datatype == XSD.string or (term.datatype is None and term.language is None):
                return _quoted(str(term))
            if term.language:
                return f"{_quoted(str(term))}@{term.language}"
            if term.datatype == XSD.decimal and re.fullmatch(r"\d+\.\d+", str(term)):
                return str(term)
            return f"{_quoted(str(term))}^^{self.show(term.datatype)}"
        iri = str(term)
        if iri == "http://www.w3.org/1999/02/22-rdf-syntax-ns#type":
            return "a"
        best = max((p for p in self.prefixes.items() if iri.startswith(p[1])),
                   key=lambda p: len(p[1]), default=None)
        if best and LOCAL_NAME.match(iri[len(best[1]):]):
            return f"{best[0]}:{iri[len(best[1]):]}"
        return f"<{iri}>"


def source_turtle(report: Report, sentences: list[Sentence], speakers: dict[int, URIRef],
                  publisher: URIRef, names: Names) -> str:
    """data/sources/ID.ttl: the source, its dateline and sentences with checked offsets, and
    the statement graph each sentence supports."""
    sid, show = report.source_id, names.show
    what = f"the {report.publisher} report of {report.issued.isoformat()}"
    lines = [f"# The source {sid}: {what}, its metadata, its segments (NIF 2.0) and the",
             "# statement graphs each segment supports. Written by `defence-kg ingest`: offsets",
             "# are computed from data/sources/" + sid + ".txt and checked against its words.",
             "", names.header(("dkg", "dko", "dcterms", "nif", "prov", "rdfs", "schema", "skos",
                               "xsd", "source", "segment", "sentence", "statements")),
             f"{show(names.source)} a schema:NewsArticle, nif:Context ;",
             f"    rdfs:label {_quoted(what[0].upper() + what[1:])}@en ;",
             f"    dcterms:title {_quoted(report.title)}@en ;",
             f"    dcterms:publisher {show(publisher)} ;",
             f'    dcterms:issued "{report.issued.isoformat()}"^^xsd:date ;',
             f'    dcterms:language "{"en" if report.english else "und"}"^^xsd:language ;',
             f"    dcterms:identifier {_quoted(sid)} ;"]
    if report.url:
        lines.append(f"    schema:url <{report.url}> ;")
    lines += [f'    dko:textFile "data/sources/{sid}.txt" .', "",
              f"{show(publisher)} a schema:NewsMediaOrganization ;",
              f"    rdfs:label {_quoted(report.publisher)}@en .", ""]
    if report.dateline:
        d = report.dateline
        lines += ["segment:dateline a nif:Phrase ;",
                  f"    rdfs:label {_quoted('Dateline of ' + what)}@en ;",
                  f"    nif:referenceContext {show(names.source)} ;",
                  *_offsets(d.begin, d.end, d.text),
                  f"    dko:attributesTo {show(publisher)} .", "",
                  "statements:dateline a dko:StatementGraph ;",
                  f"    rdfs:label {_quoted('What the dateline of ' + what + ' supports')}@en ;",
                  "    prov:wasDerivedFrom segment:dateline .", ""]
    for s in sentences:
        n = s.number
        lines += [f"sentence:{n} a nif:Sentence ;",
                  f"    rdfs:label {_quoted(f'Sentence {n} of {what}')}@en ;",
                  f"    nif:referenceContext {show(names.source)} ;",
                  *_offsets(s.begin, s.end, s.text),
                  f"    dko:attributesTo {show(speakers.get(n, publisher))} ;"]
        links = ([f"    nif:previousSentence sentence:{n - 1} ;"] if n > 1 else []) + (
            [f"    nif:nextSentence sentence:{n + 1} ;"] if n < len(sentences) else [])
        lines += links
        lines[-1] = lines[-1][:-2] + " ."
        lines += ["", f"statements:sentence-{n} a dko:StatementGraph ;",
                  f"    rdfs:label {_quoted(f'What sentence {n} of {what} supports')}@en ;",
                  f"    prov:wasDerivedFrom sentence:{n} .", ""]
    return "\n".join(lines)


def draft_trig(report: Report, sentences: list[Sentence], facts: dict[int, SentenceFacts],
               dateline_triples: list, names: Names, note: str | None) -> str:
    """data/drafts/ID.trig: one graph per sentence; a comment before each candidate says which
    words it came from (offsets in the sentence) and which rule made it."""
    sid = report.source_id
    lines = [f"# Candidate facts of {sid}, made by `defence-kg ingest` for review: edit or delete",
             "# them, then `defence-kg accept " + sid + "`. Each candidate follows a comment",
             "# `[rule] chars B-E \"words\"` (offsets in its sentence). The build never reads this",
             "# file; accept checks it with the whole graph first.",
             f"# source-sha256: {report.sha256}"]
    if note:
        lines.append(f"# NOTE: {note}")
    lines += ["", names.header(("dkg", "dko", "dcterms", "org", "rdfs", "schema", "skos",
                                "time", "xsd", "source", "event", "post", "instant", "statements"))]
    if report.dateline and dateline_triples:
        lines += [f"# {_comment(report.dateline.text)}", "statements:dateline {",
                  f"    # [dateline] chars 0-{len(report.dateline.text)}",
                  *[f"    {_statement(t, names)}" for t in dateline_triples], "}", ""]
    for s in sentences:
        found = facts.get(s.number, SentenceFacts())
        lines += [f"# {s.number}: {_comment(s.text)}", f"statements:sentence-{s.number} {{"]
        if not found.candidates:
            lines.append("    # no candidate: add the facts this sentence supports, or accept "
                         "will say it supports none")
        for candidate in found.candidates:
            words = s.text[candidate.begin:candidate.end]
            lines.append(f"    # [{candidate.rule}] chars {candidate.begin}-{candidate.end} "
                         f"{_comment(_quoted(words))}")
            lines += [f"    {_statement(t, names)}" for t in dict.fromkeys(candidate.triples)]
        lines += ["}", ""]
    return "\n".join(lines)


def count_candidates(draft: str) -> int:
    return len(re.findall(r"^\s*# \[(?!mention\]|dateline\])", draft, re.MULTILINE))


def recorded_digest(draft: str) -> str | None:
    match = DIGEST_LINE.search(draft)
    return match.group(1) if match else None


def _offsets(begin: int, end: int, text: str) -> list[str]:
    return [f'    nif:beginIndex "{begin}"^^xsd:nonNegativeInteger ;',
            f'    nif:endIndex "{end}"^^xsd:nonNegativeInteger ;',
            f"    nif:anchorOf {_quoted(text)} ;"]


def _statement(triple, names: Names) -> str:
    return " ".join(names.show(term) for term in triple) + " ."


def _quoted(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")\
        .replace("\r", "\\r")
    return f'"{escaped}"'


def _comment(text: str) -> str:
    return " ".join(text.split())
