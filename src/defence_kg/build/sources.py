"""The sources a data set holds (its nif:Context documents), with their title, publisher and date:
what its VoID/DCAT description and home page say it is made of."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from rdflib.namespace import DCTERMS, RDF, RDFS

from ..namespaces import NIF

TYPE, LABEL = str(RDF.type), str(RDFS.label)
TITLE, PUBLISHER, ISSUED = str(DCTERMS.title), str(DCTERMS.publisher), str(DCTERMS.issued)
CONTEXT = str(NIF.Context)


@dataclass(frozen=True, order=True)
class Source:
    """One source, ordered by date of issue (then IRI)."""

    issued: str
    iri: str
    title: str
    publisher: str  # IRI
    publisher_label: str

    @property
    def cited(self) -> str:
        """`ANI, 2 December 2025`: how a description names it."""
        try:
            day = date.fromisoformat(self.issued)
        except ValueError:
            return f"{self.publisher_label}, {self.issued}".rstrip(", ")
        return f"{self.publisher_label}, {day.day} {day:%B %Y}"


def list_sources(triples: Iterable) -> list[Source]:
    """The sources among triples of rdflib or pyoxigraph terms (IRIs and literals are compared by
    their text), by date."""
    facts: dict[str, dict[str, str]] = {}
    contexts = set()
    for s, p, o in ((_text(s), _text(p), _text(o)) for s, p, o in triples):
        if p == TYPE and o == CONTEXT:
            contexts.add(s)
        elif p in (TITLE, PUBLISHER, ISSUED, LABEL):
            facts.setdefault(s, {}).setdefault(p, o)
    found = []
    for iri in contexts:
        about = facts.get(iri, {})
        publisher = about.get(PUBLISHER, "")
        found.append(Source(about.get(ISSUED, ""), iri, about.get(TITLE, ""), publisher,
                            facts.get(publisher, {}).get(LABEL, publisher)))
    return sorted(found)


def describe_sources(sources: list[Source]) -> str:
    """A sentence for the data set's description: how many sources, and which."""
    if not sources:
        return "No sources yet."
    noun = "news report" if len(sources) == 1 else "news reports"
    return f"Statements of {len(sources)} {noun} ({'; '.join(s.cited for s in sources)})"


def _text(term) -> str:
    """An rdflib term is its text; a pyoxigraph term has it as .value."""
    return str(term) if isinstance(term, str) else term.value
