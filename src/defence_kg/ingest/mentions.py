"""Mentions of things in a sentence, resolved to the graph's IRIs or given new ones.

Known things are found by their labels and alternative labels in data/ (case, hyphens and
spaces ignored: "S400" and "s-400" are "S-400"); new ones by their shape: a designation
("Su-30MKI"), a name before a kind of platform ("the BrahMos cruise missile"), a title before
a name ("Defence Minister Rajnath Singh"), a name ending like an organisation ("... Limited"),
an acronym in parentheses, a state, a capitalised place after "in" or "at".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rdflib import Dataset, URIRef
from rdflib.namespace import ORG, RDF, RDFS, SKOS

from ..namespaces import SCHEMA, Vocabulary
from ..settings import Settings
from .lexicon import (
    COMPANY_PREFIXES,
    DESIGNATION_PREFIXES,
    DKO,
    MEASURERS,
    NOT_NAMES,
    ORGANISATION_WORDS,
    PLATFORM_KINDS,
    SHIP_PREFIXES,
    STATES,
    TITLES,
)
from .text import slug

STATE, PERSON, PLATFORM, PLACE, ORGANISATION, UNNAMED, SHIP = (
    "state", "person", "platform", "place", "organisation", "unnamed", "ship")
ORGANISATION_CLASSES = {DKO.Company, DKO.JointVenture, DKO.GovernmentAgency, DKO.ArmedService,
                        DKO.Commission, ORG.Organization, SCHEMA.NewsMediaOrganization}
PLATFORM_CLASSES = {kind for _, kind in PLATFORM_KINDS if kind} | {
    DKO.AirDefenceSystem, DKO.MissileDefenceSystem}

CAPITALISED = r"[A-Z][\w.’'-]*"
# "and" joins the words of one name ("Research and Development Organisation"), not two names
# ("... Limited and Russia's Rosoboronexport").
NAME = (rf"{CAPITALISED}(?:[ -](?:(?:of|on|and(?![ -][\w-]+[’']s\b)|for|the|de)[ -])*"
        rf"{CAPITALISED})*")
DESIGNATION = re.compile(r"\b([A-Z][A-Za-z]{0,4}-\d+[A-Za-z0-9]*"
                         r"(?:[ -]?(?:Mk\.? ?)?[IVX0-9]+[A-Z]?)?"
                         r"(?:\s(?!Air\b|Defence\b)[A-Z][a-z]+)?)")
KIND_AFTER = re.compile(r"^[\s\w-]{0,40}?\b(" + "|".join(
    re.escape(k) for k, _ in PLATFORM_KINDS) + r")(?:e?s)?\b", re.IGNORECASE)
NAMED_PLATFORM = re.compile(
    r"\b([A-Z][A-Za-z]+(?:[ -][A-Z0-9][A-Za-z0-9]*)?)\s+(?:(?:shore-based|anti-ship|supersonic|"
    r"hypersonic|stealth|multirole|multi-role|long-range|advanced|upgraded|ballistic|"
    r"[a-z]+-range|[a-z]+-class|new)\s+){0,3}(" + "|".join(
        re.escape(k) for k, kind in PLATFORM_KINDS if kind) + r")(?:e?s)?\b")
TITLED_PERSON = re.compile(
    r"\b(?:(?P<adjective>" + "|".join(sorted({n for others in STATES.values() for n in others
                                             if n.isalpha() and n[0].isupper()}))
    + r")\s+)?(?P<title>" + "|".join(re.escape(t) for t in TITLES)
    + r")\s+(?P<name>(?:[A-Z][a-z]+|[A-Z]\.)(?:\s+(?:[A-Z]\.\s*)*[A-Z][a-z]+){1,2})\b")
ACRONYM = re.compile(rf"\b({NAME})\s+\(([A-Z][A-Za-z]{{1,9}})\)")
ORGANISATION_NAME = re.compile(
    rf"\b((?:(?:{'|'.join(COMPANY_PREFIXES)})\s+)?{NAME})")
SHIP = re.compile(r"\b((?:" + "|".join(SHIP_PREFIXES) + r")\s+[A-Z][a-z]+)\b")
ACCORDING_TO = re.compile(r"\b[Aa]ccording to (?:the\s+)?([A-Z][A-Za-z]+(?:\s+[A-Z][a-z]+)*)")
PLACE_AFTER = re.compile(r"\b(?:in|at|near|from|to)\s+(?:its\s+|the\s+|a\s+new\s+facility\s+in\s+)?"
                         rf"({CAPITALISED}(?:\s+{CAPITALISED})?)")
FACILITY = re.compile(rf"\b({CAPITALISED})\s+(?:facility|plant|shipyard|division|base|"
                      r"complex|unit)\b")
UNNAMED_SOURCES = re.compile(r"\b((?:[Ss]enior\s+|[Dd]efence\s+|[Gg]overnment\s+|Indian\s+|"
                             r"Russian\s+|[Mm]ilitary\s+)*(?:[Oo]fficials|[Ss]ources|an official|"
                             r"a senior official|[Dd]iplomats|[Ee]xperts)"
                             r"(?:\s+in\s+(?:New\s+)?[A-Z][a-z]+)?)\b")


def key(text: str) -> str:
    """What spellings of one name have in common: 'S-400', 's400', 'S 400' -> 's400'."""
    return re.sub(r"[^a-z0-9]", "", text.lower().replace("’s", "").replace("'s", ""))


@dataclass(eq=False)  # one object per thing: compared and hashed by identity
class Entity:
    iri: URIRef
    kind: URIRef
    label: str
    role: str
    new: bool
    alt_labels: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class Mention:
    begin: int
    end: int
    text: str
    entity: Entity
    title: str | None = None  # a person's post, as written before the name
    adjective: str | None = None  # "Russian" in "Russian counterpart ..."

    @property
    def role(self) -> str:
        return self.entity.role


def role_of(kind: URIRef) -> str:
    if kind == DKO.State:
        return STATE
    if kind == SCHEMA.Person:
        return PERSON
    if kind in PLATFORM_CLASSES:
        return PLATFORM
    if kind in ORGANISATION_CLASSES:
        return ORGANISATION
    if kind == DKO.UnnamedSource:
        return UNNAMED
    if kind == DKO.Warship:
        return SHIP
    return PLACE


class Gazetteer:
    """What the graph already knows, by name, and what this report has named so far."""

    def __init__(self, vocabulary: Vocabulary):
        self.vocabulary = vocabulary
        self.by_key: dict[str, Entity] = {}

    @classmethod
    def from_data(cls, settings: Settings) -> Gazetteer:
        gazetteer = cls(settings.vocabulary)
        data = Dataset(default_union=True)
        files = sorted(settings.data_dir.glob("*.trig")) + sorted(
            (settings.data_dir / "sources").glob("*.ttl"))
        for path in files:
            data.parse(data=settings.vocabulary.rebase(path.read_text(encoding="utf-8")),
                       format="trig" if path.suffix == ".trig" else "turtle")
        for subject, label in data.subject_objects(RDFS.label):
            kinds = [k for k in data.objects(subject, RDF.type) if role_of(k) != PLACE
                     or k == SCHEMA.Place]
            if not kinds or not isinstance(subject, URIRef):
                continue
            entity = Entity(subject, kinds[0], str(label), role_of(kinds[0]), new=False)
            alternatives = [str(a) for a in data.objects(subject, SKOS.altLabel)]
            for name in (str(label), *alternatives):
                gazetteer.by_key.setdefault(key(name), entity)
        for state in STATES:
            gazetteer.state(state)
        for name, acronym in MEASURERS.items():
            gazetteer.add(name, ORG.Organization, acronym)
        return gazetteer

    def find(self, name: str) -> Entity | None:
        return self.by_key.get(key(name))

    def state(self, name: str) -> Entity:
        for state, others in STATES.items():
            if name == state or name in others:
                found = self.find(state)
                if found is None:
                    found = self.add(state, DKO.State)
                return found
        raise KeyError(name)

    def add(self, label: str, kind: URIRef, *alt_labels: str, iri: URIRef | None = None) -> Entity:
        """The entity named label, known or new; new ones are remembered for the report."""
        for name in (label, *alt_labels):
            if (found := self.find(name)) is not None:
                for other in (label, *alt_labels):
                    if key(other) not in self.by_key:
                        self.by_key[key(other)] = found
                        if found.new:
                            found.alt_labels.add(other)
                return found
        entity = Entity(iri or self.vocabulary.id[slug(label)], kind, label, role_of(kind),
                        new=True, alt_labels=set(alt_labels))
        for name in (label, *alt_labels):
            self.by_key[key(name)] = entity
        return entity


def state_names() -> list[str]:
    names = [n for state, others in STATES.items() for n in (state, *others)]
    return sorted(names, key=len, reverse=True)


STATE_NAME = re.compile(r"(?<![\w-])(?:the\s+)?(" + "|".join(re.escape(n) for n in state_names())
                        + r")(?:’s|'s)?(?![\w-])")


def find_mentions(sentence: str, gazetteer: Gazetteer, report_text: str = "") -> list[Mention]:
    """The sentence's mentions, left to right, none overlapping (the longest wins)."""
    found: list[Mention] = []

    def claim(begin: int, end: int, entity: Entity, **extra) -> Mention | None:
        if any(m.begin < end and begin < m.end for m in found):
            return None
        mention = Mention(begin, end, sentence[begin:end], entity, **extra)
        found.append(mention)
        return mention

    for match in TITLED_PERSON.finditer(sentence):
        name = match.group("name")
        if name.split()[0] in NOT_NAMES or (gazetteer.find(name) and \
                gazetteer.find(name).role != PERSON):
            continue
        adjective = match.group("adjective")
        begin = match.start("adjective") if adjective else match.start("title")
        claim(begin, match.end("name"), gazetteer.add(name, SCHEMA.Person),
              title=match.group("title"), adjective=adjective)
    for match in ACRONYM.finditer(sentence):
        name, acronym = _trim(match.group(1)), match.group(2)
        kind = _organisation_kind(name) or (gazetteer.find(acronym) or gazetteer.find(name)
                                            or _Unknown).kind
        if kind is None:
            continue
        begin = match.start(1) + match.group(1).index(name)
        claim(begin, match.end(), gazetteer.add(name, kind, acronym))
    for match in SHIP.finditer(sentence):
        claim(match.start(1), match.end(1), gazetteer.add(match.group(1), DKO.Warship))
    for match in DESIGNATION.finditer(sentence):
        _claim_platform(match.group(1), match.start(1), sentence, report_text, gazetteer, claim)
    for match in NAMED_PLATFORM.finditer(sentence):
        name = match.group(1)
        if name in NOT_NAMES or name in STATES or _is_demonym(name) or \
                (gazetteer.find(name) and gazetteer.find(name).role not in (PLATFORM,)):
            continue
        _claim_platform(name, match.start(1), sentence, report_text, gazetteer, claim)
    for match in ORGANISATION_NAME.finditer(sentence):
        name = _trim(match.group(1))
        begin = match.start(1) + match.group(1).index(name) if name else match.start(1)
        kind = _organisation_kind(name)
        if name and kind is not None and (len(name.split()) > 1 or name in COMPANY_PREFIXES):
            claim(begin, begin + len(name), gazetteer.add(name, kind))
    for match in STATE_NAME.finditer(sentence):
        claim(match.start(1), match.end(1), gazetteer.state(match.group(1)))
    for name, entity in _known_names(sentence, gazetteer):
        for match in re.finditer(rf"(?<![\w-]){re.escape(name)}(?![\w-])", sentence):
            claim(match.start(), match.end(), entity)
    for match in UNNAMED_SOURCES.finditer(sentence):
        label = match.group(1)
        claim(match.start(1), match.end(1), gazetteer.add(label, DKO.UnnamedSource))
    for match in ACCORDING_TO.finditer(sentence):  # who is quoted is a person or a body
        name = match.group(1)
        if name not in NOT_NAMES and name not in STATES and gazetteer.find(name) is None:
            kind = SCHEMA.Person if len(name.split()) in (2, 3) and not name.isupper() \
                else ORG.Organization
            claim(match.start(1), match.end(1), gazetteer.add(name, kind))
    for match in FACILITY.finditer(sentence):
        if match.group(1) not in NOT_NAMES and gazetteer.find(match.group(1)) is None:
            claim(match.start(1), match.end(1), gazetteer.add(match.group(1), SCHEMA.Place))
    for match in PLACE_AFTER.finditer(sentence):
        name = match.group(1).rstrip(".")
        if not name or name.split()[0] in NOT_NAMES or _is_demonym(name.split()[0]):
            continue
        known = gazetteer.find(name)
        claim(match.start(1), match.start(1) + len(name),
              known or gazetteer.add(name, SCHEMA.Place))
    return sorted(found, key=lambda m: m.begin)


class _Unknown:
    kind = None


def _claim_platform(name, begin, sentence, report_text, gazetteer, claim) -> None:
    name = name.rstrip(".,")
    words = name.split()
    if words[0] in NOT_NAMES or name in STATES:
        return
    known = gazetteer.find(name) or (gazetteer.find(words[0]) if len(words) > 1 else None)
    if known is not None and known.role == PLATFORM:
        if known.label != name and key(name) not in gazetteer.by_key:
            gazetteer.add(known.label, known.kind, name)
        claim(begin, begin + len(name), known)
        return
    if known is not None:
        return
    kind = _platform_kind(name, sentence[begin + len(name):]) or _platform_kind(
        name, _after(report_text, name)) or _prefix_kind(name)
    if kind is None:
        return
    claim(begin, begin + len(name), gazetteer.add(name, kind))


def _platform_kind(name: str, following: str) -> URIRef | None:
    match = KIND_AFTER.match(following)
    if not match:
        return None
    noun = match.group(1).lower()
    return next((kind for k, kind in PLATFORM_KINDS if k == noun), None)


def _prefix_kind(name: str) -> URIRef | None:
    prefix = re.match(r"[A-Za-z]+", name)
    return DESIGNATION_PREFIXES.get(prefix.group().lower()) if prefix and "-" in name else None


def _after(text: str, name: str) -> str:
    at = text.find(name)
    return text[at + len(name):at + len(name) + 60] if at >= 0 else ""


def _organisation_kind(name: str) -> URIRef | None:
    """The kind of organisation a name ends with ("... Limited"), or that names its head before
    a complement ("... Commission on Military ... Cooperation")."""
    words = name.split()
    if not words:
        return None
    if words[0] in COMPANY_PREFIXES and (len(words) > 1 or len(words[0]) > 5):
        return DKO.Company
    for at, word in enumerate(words[1:], 1):
        following = words[at + 1] if at + 1 < len(words) else None
        if word in ORGANISATION_WORDS and following in (None, "of", "on", "for"):
            return ORGANISATION_WORDS[word]
    return None


def _trim(name: str) -> str:
    """A name without the capitalised words that open sentences ('The', 'Russia's'), nor a
    full stop that ends the sentence."""
    words = name.rstrip(".").split()
    while words and (words[0] in NOT_NAMES or words[0].endswith(("’s", "'s"))):
        words.pop(0)
    return " ".join(words)


def _demonyms() -> set[str]:
    return {n for others in STATES.values() for n in others if n[0].isupper() and n.isalpha()}


def _is_demonym(word: str) -> bool:
    return word in _demonyms()


def _known_names(sentence: str, gazetteer: Gazetteer):
    """(spelling, entity) for every name the gazetteer knows that the sentence contains."""
    words = set(re.findall(r"[\w-]+", sentence))
    for name_key, entity in list(gazetteer.by_key.items()):
        for name in (entity.label, *entity.alt_labels):
            if key(name) == name_key and name.split()[0] in words and name in sentence:
                yield name, entity
