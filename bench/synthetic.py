"""A deterministic synthetic defence-cooperation dataset shaped like data/ (N-Quads, RDF 1.1).

Each synthetic report mirrors the ANI report's graphs (docs/design.md): its metadata and NIF
sentences (with code-point offsets into the report's text) in `graph/sources/{report}`, the
facts each sentence supports in `graph/{report}/sentence-{n}`, described by
prov:wasDerivedFrom, and owl:sameAs links in `graph/links`. Terms are the ontology's own.
Only `random.Random(seed)` and counters decide the content: the same size and seed give the
same quads in the same order, whatever Python's hash seed.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox

from defence_kg.namespaces import CANONICAL_BASE

ID = CANONICAL_BASE + "id/"
GRAPH = CANONICAL_BASE + "graph/"
DKO = CANONICAL_BASE + "ontology#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD = "http://www.w3.org/2001/XMLSchema#"
OWL = "http://www.w3.org/2002/07/owl#"
PROV = "http://www.w3.org/ns/prov#"
ORG = "http://www.w3.org/ns/org#"
SCHEMA = "https://schema.org/"
DCTERMS = "http://purl.org/dc/terms/"
TIME = "http://www.w3.org/2006/time#"
NIF = "http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#"
WIKIDATA = "http://www.wikidata.org/entity/"
DBPEDIA = "http://dbpedia.org/resource/"

# Invented names: syllable pairs for states, lists for people. Fixed order, no sets.
STATE_HEADS = ("Ar", "Bel", "Cor", "Dal", "Es", "Fen", "Gor", "Hal")
STATE_TAILS = ("avia", "onia", "estan", "mark", "land", "ovia")
STATES = tuple(head + tail for head in STATE_HEADS for tail in STATE_TAILS)
FIRST_NAMES = ("Anna", "Boris", "Chitra", "Dmitri", "Elena", "Farid", "Gita", "Hugo", "Irina",
               "Jamal", "Kavya", "Lev", "Meera", "Nikolai", "Olga", "Pavel", "Rahul", "Sofia",
               "Tariq", "Vera")
LAST_NAMES = ("Petrova", "Sharma", "Ivanov", "Kapoor", "Volkova", "Singh", "Orlov", "Mehta",
              "Sokolov", "Rao", "Kuznetsov", "Iyer", "Morozov", "Nair", "Lebedev", "Das",
              "Popov", "Gupta", "Fedorov", "Bose", "Romanov", "Joshi", "Zaitsev", "Menon",
              "Belov")
# (class, label prefix, what the text calls it)
PLATFORM_KINDS = (("AirDefenceSystem", "S", "air defence systems"),
                  ("MissileDefenceSystem", "A", "missile defence systems"),
                  ("FighterAircraft", "Su", "fighter jets"))
MODES = ("joint-development", "co-production", "localisation", "joint-research",
         "technology-sharing", "local-manufacturing", "innovative-financial-mechanisms",
         "joint-capability-development", "technological-collaboration",
         "industrial-collaboration", "industrial-synergy")
DOMAINS = ("political-domain", "security-domain", "trade-domain", "science-domain",
           "cultural-domain")
AGENCIES = ("Northern Wire", "Capital Press", "Defence Daily", "Harbour News", "Eastern Post",
            "Frontier Times", "Global Dispatch", "Summit Agency")


def slug(text: str) -> str:
    return text.lower().replace(" ", "-")


def state_slug(index: int) -> str:
    return slug(STATES[index])


def person_name(index: int) -> str:
    """The name of the index-th person: names repeat every 500 people, as homonyms do."""
    return f"{FIRST_NAMES[index % len(FIRST_NAMES)]} " \
           f"{LAST_NAMES[index // len(FIRST_NAMES) % len(LAST_NAMES)]}"


def generate(triples: int, seed: int = 0) -> list[ox.Quad]:
    """Exactly `triples` distinct quads: whole synthetic reports, the last one cut short."""
    if triples < 0:
        raise ValueError(f"a graph cannot have {triples} triples")
    quads: dict[ox.Quad, None] = {}  # an ordered set: insertion order is generation order
    rng = random.Random(seed)
    platform_kinds: list[int] = []
    report = 0
    while len(quads) < triples:
        for quad in _report(report, rng, platform_kinds):
            quads.setdefault(quad)
            if len(quads) == triples:
                break
        report += 1
    return list(quads)


def write_nquads(path: Path, triples: int, seed: int = 0) -> Path:
    """Write generate(triples, seed) as N-Quads to path; the same arguments, the same bytes."""
    path.write_bytes(ox.serialize(generate(triples, seed), format=ox.RdfFormat.N_QUADS))
    return path


class _Report:
    """Collects one report's quads and its sentences' text with code-point offsets."""

    def __init__(self, name: str):
        self.name = name
        self.source = ox.NamedNode(f"{ID}source/{name}")
        self.sources_graph = ox.NamedNode(f"{GRAPH}sources/{name}")
        self.links_graph = ox.NamedNode(f"{GRAPH}links")
        self.quads: list[ox.Quad] = []
        self.text = ""
        self.sentences: list[str] = []
        self.graph = self.sources_graph

    def sentence(self, text: str) -> None:
        """Start the next sentence: its NIF description, and the graph of what it supports."""
        if self.text:
            self.text += "\n\n"
        begin = len(self.text)
        self.text += text
        number = len(self.sentences) + 1
        resource = f"{ID}source/{self.name}/sentence/{number}"
        graph = f"{GRAPH}{self.name}/sentence-{number}"
        self.graph = self.sources_graph
        if self.sentences:
            self.add(self.sentences[-1], NIF + "nextSentence", ox.NamedNode(resource))
        self.sentences.append(resource)
        self.add(resource, RDF + "type", ox.NamedNode(NIF + "Sentence"))
        self.add(resource, NIF + "referenceContext", self.source)
        self.add(resource, NIF + "beginIndex", _integer(begin))
        self.add(resource, NIF + "endIndex", _integer(len(self.text)))
        self.add(resource, NIF + "anchorOf", ox.Literal(text))
        self.add(graph, RDF + "type", ox.NamedNode(DKO + "FactGraph"))
        self.add(graph, PROV + "wasDerivedFrom", ox.NamedNode(resource))
        self.graph = ox.NamedNode(graph)

    def add(self, subject: str, predicate: str, obj, graph=None) -> None:
        self.quads.append(ox.Quad(_node(subject), ox.NamedNode(predicate), obj,
                                  graph or self.graph))

    def thing(self, subject: str, types: tuple[str, ...], label: str) -> None:
        for type_iri in types:
            self.add(subject, RDF + "type", ox.NamedNode(type_iri))
        self.add(subject, RDFS + "label", ox.Literal(label, language="en"))

    def link(self, subject: str, target: str) -> None:
        self.add(subject, OWL + "sameAs", ox.NamedNode(target), self.links_graph)


def _report(number: int, rng: random.Random, platform_kinds: list[int]) -> Iterator[ox.Quad]:
    """One synthetic news report on the defence cooperation of two states; platform_kinds[n]
    is the kind of report n's platform (this report appends its own)."""
    # Round-robin first partners: every state leads some reports at every size, so queries
    # about the first state have answers even in a tiny graph.
    first = number % len(STATES)
    second = rng.choice([s for s in range(len(STATES)) if s != first])
    a_name, b_name = STATES[first], STATES[second]
    a, b = ID + state_slug(first), ID + state_slug(second)
    year = 2000 + rng.randrange(26)
    day = f"{year}-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}"
    agency = rng.randrange(len(AGENCIES))
    publisher = ID + slug(AGENCIES[agency])
    minister_name, leader_name = person_name(2 * number), person_name(2 * number + 1)
    minister = f"{ID}{slug(minister_name)}-{2 * number}"
    leader = f"{ID}{slug(leader_name)}-{2 * number + 1}"
    modes = rng.sample(MODES, 3)
    platform_kinds.append(rng.randrange(len(PLATFORM_KINDS)))
    kind, prefix, kind_text = PLATFORM_KINDS[platform_kinds[number]]
    platform_label = f"{prefix}-{100 + number}"
    platform = ID + slug(platform_label)
    wanted = rng.randrange(number + 1)  # talks concern a platform of this or an earlier report
    wanted_kind, wanted_prefix, wanted_text = PLATFORM_KINDS[platform_kinds[wanted]]
    cooperation = f"{ID}{state_slug(first)}-{state_slug(second)}-defence-cooperation"
    partnership = f"{ID}{state_slug(first)}-{state_slug(second)}-strategic-partnership"
    declared = 1990 + rng.randrange(20)
    share = rng.randrange(5, 61)
    domains = rng.sample(DOMAINS, 3)
    r = _Report(f"synthetic-{number}")

    r.sentence(f"{a_name}-{b_name} defence cooperation is expanding with a strong emphasis on "
               f"{_words(modes[0])}.")
    r.thing(a, (DKO + "State",), a_name)
    r.thing(b, (DKO + "State",), b_name)
    r.thing(cooperation, (DKO + "DefenceCooperation",), f"{a_name}-{b_name} defence cooperation")
    r.add(cooperation, DKO + "firstPartner", ox.NamedNode(a))
    r.add(cooperation, DKO + "secondPartner", ox.NamedNode(b))
    r.add(cooperation, DKO + "emphasises", ox.NamedNode(DKO + modes[0]))

    r.sentence(f"According to {b_name}'s Defence Minister {minister_name}, who spoke ahead of "
               f"{leader_name}'s visit to {a_name}, the partnership is centred on "
               f"{_words(modes[1])} and {_words(modes[2])}, aligned with {a_name}'s "
               f"\"Make in {a_name}\" initiative.")
    minister_post = f"{ID}defence-minister-of-{state_slug(second)}"
    leader_post = f"{ID}president-of-{state_slug(first)}"
    initiative = f"{ID}make-in-{state_slug(first)}"
    visit = f"{ID}visit-{number}"
    r.thing(minister, (PROV + "Person", SCHEMA + "Person"), minister_name)
    r.add(minister, ORG + "holds", ox.NamedNode(minister_post))
    r.thing(minister_post, (ORG + "Post",), f"Defence Minister of {b_name}")
    r.add(minister_post, ORG + "postIn", ox.NamedNode(b))
    r.thing(leader, (PROV + "Person", SCHEMA + "Person"), leader_name)
    r.add(leader, ORG + "holds", ox.NamedNode(leader_post))
    r.thing(leader_post, (ORG + "Post",), f"President of {a_name}")
    r.add(leader_post, ORG + "postIn", ox.NamedNode(a))
    r.thing(visit, (DKO + "Visit",), f"{leader_name}'s visit to {a_name}")
    r.add(visit, PROV + "wasAssociatedWith", ox.NamedNode(leader))
    r.add(visit, DKO + "destination", ox.NamedNode(a))
    statement = f"{ID}statement-{number}"
    r.thing(statement, (DKO + "Statement",), f"{minister_name}'s statement ahead of the visit")
    r.add(statement, PROV + "wasAttributedTo", ox.NamedNode(minister))
    r.add(statement, DKO + "madeAheadOf", ox.NamedNode(visit))
    r.add(statement, SCHEMA + "about", ox.NamedNode(cooperation))
    for mode in modes[1:]:
        r.add(cooperation, DKO + "hasCooperationMode", ox.NamedNode(DKO + mode))
    r.add(cooperation, DKO + "alignedWith", ox.NamedNode(initiative))
    r.thing(initiative, (DKO + "Initiative",), f"Make in {a_name}")
    r.add(initiative, DKO + "initiativeOf", ox.NamedNode(a))

    r.sentence(f"{b_name} accounts for over {share}% of {a_name}'s defence procurements over the "
               "past decade.")
    claim = f"{ID}share-{number}"
    interval = f"{ID}decade-to-{day}"
    r.thing(claim, (DKO + "ProcurementShare",),
            f"{b_name}'s share of {a_name}'s defence procurement")
    r.add(claim, DKO + "supplierState", ox.NamedNode(b))
    r.add(claim, DKO + "procuringState", ox.NamedNode(a))
    r.add(claim, DKO + "shareLowerBound", ox.Literal(str(share), datatype=ox.NamedNode(
        XSD + "decimal")))
    r.add(claim, DKO + "lowerBoundExclusive", ox.Literal(True))
    r.add(claim, DKO + "measuredOver", ox.NamedNode(interval))
    r.add(claim, PROV + "wasAttributedTo", ox.NamedNode(publisher))
    r.thing(interval, (TIME + "Interval",), f"the decade to {day}")
    r.add(interval, TIME + "hasXSDDuration", ox.Literal("P10Y", datatype=ox.NamedNode(
        XSD + "duration")))
    for end, date in (("hasBeginning", f"{year - 10}{day[4:]}"), ("hasEnd", day)):
        instant = f"{ID}date/{date}"
        r.add(interval, TIME + end, ox.NamedNode(instant))
        r.thing(instant, (TIME + "Instant",), date)
        r.add(instant, TIME + "inXSDDate", ox.Literal(date, datatype=ox.NamedNode(XSD + "date")))

    r.sentence(f"The relationship is a strategic partnership, declared in {declared}, across "
               f"{', '.join(_words(d) for d in domains)}.")
    declaration = f"{ID}{state_slug(first)}-{state_slug(second)}-declaration-{declared}"
    r.add(cooperation, DKO + "withinPartnership", ox.NamedNode(partnership))
    r.thing(partnership, (DKO + "StrategicPartnership",),
            f"{a_name}-{b_name} strategic partnership")
    r.add(partnership, DKO + "firstPartner", ox.NamedNode(a))
    r.add(partnership, DKO + "secondPartner", ox.NamedNode(b))
    r.add(partnership, DKO + "declaredBy", ox.NamedNode(declaration))
    for domain in domains:
        r.add(partnership, DKO + "spansDomain", ox.NamedNode(DKO + domain))
    r.thing(declaration, (DKO + "PartnershipDeclaration",),
            f"the {declared} {a_name}-{b_name} declaration")
    r.add(declaration, DCTERMS + "date", ox.Literal(str(declared), datatype=ox.NamedNode(
        XSD + "gYear")))

    r.sentence(f"The delivery of {platform_label} {kind_text} remains on schedule.")
    delivery = f"{ID}delivery-{number}"
    r.thing(platform, (DKO + kind,), platform_label)
    r.thing(delivery, (DKO + "Delivery",), f"delivery of {platform_label} {kind_text}")
    r.add(delivery, DKO + "deliversPlatform", ox.NamedNode(platform))
    r.add(delivery, DKO + "hasStatus", ox.NamedNode(DKO + "on-schedule"))

    wanted_label = f"{wanted_prefix}-{100 + wanted}"
    r.sentence(f"Ongoing talks focus on new platforms such as the {wanted_label} {wanted_text}.")
    talks = f"{ID}talks-{number}"
    r.thing(talks, (DKO + "Talks",), f"talks on the {wanted_label}")
    r.add(talks, DKO + "hasStatus", ox.NamedNode(DKO + "ongoing"))
    r.add(talks, DKO + "concernsPlatform", ox.NamedNode(ID + slug(wanted_label)))
    r.add(talks, PROV + "wasAssociatedWith", ox.NamedNode(a))
    r.add(talks, PROV + "wasAssociatedWith", ox.NamedNode(b))
    r.thing(ID + slug(wanted_label), (DKO + wanted_kind,), wanted_label)

    # A fact that two sentences support is written in both graphs.
    r.sentence(f"In sum, {a_name}-{b_name} defence cooperation is deepening.")
    r.add(cooperation, DKO + "firstPartner", ox.NamedNode(a))
    r.add(cooperation, DKO + "secondPartner", ox.NamedNode(b))

    # The report's own description comes first: a graph cut short loses facts, not sources.
    facts = len(r.quads)
    r.graph = r.sources_graph
    for type_iri in (SCHEMA + "NewsArticle", PROV + "Entity", NIF + "Context"):
        r.add(r.source.value, RDF + "type", ox.NamedNode(type_iri))
    r.add(r.source.value, DCTERMS + "title",
          ox.Literal(f"[{a_name}-{b_name} defence cooperation: report {number}]", language="en"))
    r.add(r.source.value, DCTERMS + "publisher", ox.NamedNode(publisher))
    r.add(r.source.value, PROV + "wasAttributedTo", ox.NamedNode(publisher))
    r.add(r.source.value, DCTERMS + "date", ox.Literal(day, datatype=ox.NamedNode(XSD + "date")))
    r.add(r.source.value, DCTERMS + "identifier", ox.Literal(f"synthetic-{number}"))
    r.add(r.source.value, NIF + "isString", ox.Literal(r.text))
    r.thing(publisher, (SCHEMA + "NewsMediaOrganization", PROV + "Organization"),
            AGENCIES[agency])

    r.link(a, f"{WIKIDATA}Q{9000 + first}")
    r.link(b, f"{WIKIDATA}Q{9000 + second}")
    r.link(a, f"{DBPEDIA}{a_name}")
    if rng.random() < 0.3:
        r.link(minister, f"{WIKIDATA}Q{100000 + 2 * number}")
    r.link(platform, f"{DBPEDIA}{platform_label}")
    return iter(r.quads[facts:] + r.quads[:facts])


def _node(iri: str | ox.NamedNode) -> ox.NamedNode:
    return iri if isinstance(iri, ox.NamedNode) else ox.NamedNode(iri)


def _integer(value: int) -> ox.Literal:
    return ox.Literal(str(value), datatype=ox.NamedNode(XSD + "nonNegativeInteger"))


def _words(concept: str) -> str:
    return concept.replace("-", " ")
