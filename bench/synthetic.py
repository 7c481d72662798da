"""A deterministic synthetic defence-cooperation dataset modelled on data/ (N-Quads, RDF 1.1).

Each synthetic report is written as the ANI report is (docs/design.md, docs/ontology.md,
docs/sentences.md): its metadata and NIF segments (a dateline phrase and eleven sentences,
code-point offsets into the report's text, whose words each reports) in `graph/sources/{report}`;
the facts each segment supports in `graph/{report}/{segment}`, a dko:StatementGraph
prov:wasDerivedFrom the segment; owl:sameAs links in `graph/links`. Every term is the
ontology's own and every report, whole, passes the build's shapes, reasoning and checks.
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
DATA_FILE = "synthetic.nq"

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
AGENCIES = ("Northern Wire", "Capital Press", "Defence Daily", "Harbour News", "Eastern Post",
            "Frontier Times", "Global Dispatch", "Summit Agency")
# (class, label prefix, what the text calls it)
PLATFORM_KINDS = (("AirDefenceSystem", "S", "air defence systems"),
                  ("MissileDefenceSystem", "A", "missile defence systems"),
                  ("FighterAircraft", "Su", "fighter jets"))
# The concepts of the ontology's schemes, as the text names them.
FORMER_MODE = "buyer-seller-supply"
MODES = {"joint-development": "joint development", "co-production": "co-production",
         "localisation": "localisation", "local-manufacturing": "local manufacturing",
         "joint-research": "joint research", "technology-sharing": "technology sharing",
         "innovative-financial-mechanisms": "innovative financial mechanisms",
         "joint-capability-development": "joint capability development"}
DOMAINS = {"political-domain": "political", "security-domain": "security",
           "trade-domain": "trade", "science-domain": "science", "cultural-domain": "cultural",
           "technological-domain": "technological", "industrial-domain": "industrial"}


def slug(text: str) -> str:
    return text.lower().replace(" ", "-")


def state_slug(index: int) -> str:
    return slug(STATES[index])


def person_name(index: int) -> str:
    """The name of the index-th person: names repeat every 500 people, as homonyms do."""
    return f"{FIRST_NAMES[index % len(FIRST_NAMES)]} " \
           f"{LAST_NAMES[index // len(FIRST_NAMES) % len(LAST_NAMES)]}"


def generate(triples: int, seed: int = 0, whole_reports: bool = False) -> list[ox.Quad]:
    """Distinct quads of synthetic reports until there are `triples`: exactly that many, the
    last report cut short, or with whole_reports the whole of the report that reaches the size
    (a report cut short usually leaves a sentence half described: only whole reports are sure
    to build)."""
    if triples < 0:
        raise ValueError(f"a graph cannot have {triples} triples")
    quads: dict[ox.Quad, None] = {}  # an ordered set: insertion order is generation order
    rng = random.Random(seed)
    platform_kinds: list[int] = []
    report = 0
    while len(quads) < triples:
        for quad in _report(report, rng, platform_kinds):
            quads.setdefault(quad)
            if len(quads) == triples and not whole_reports:
                break
        report += 1
    return list(quads)


def write_nquads(path: Path, triples: int, seed: int = 0, whole_reports: bool = False) -> Path:
    """Write generate(...) as N-Quads to path; the same arguments, the same bytes."""
    quads = generate(triples, seed, whole_reports)
    path.write_bytes(ox.serialize(quads, format=ox.RdfFormat.N_QUADS))
    return path


def reports(seed: int = 0) -> Iterator[tuple[str, list[ox.Quad]]]:
    """(name, quads) of synthetic report after report, without end: the reports generate()
    writes, whole, each with its own copy of the links it makes."""
    rng = random.Random(seed)
    platform_kinds: list[int] = []
    number = 0
    while True:
        yield f"synthetic-{number}", _report(number, rng, platform_kinds)
        number += 1


def write_report(data_dir: Path, name: str, quads: list[ox.Quad]) -> Path:
    """One report as a repository holds a source: data/synthetic/{name}.nq, its quads, and
    data/sources/{name}.txt, its text."""
    for quad in quads:
        if quad.predicate.value == NIF + "isString":
            text = data_dir / "sources" / f"{name}.txt"
            text.parent.mkdir(parents=True, exist_ok=True)
            text.write_text(quad.object.value, encoding="utf-8")
    path = data_dir / "synthetic" / f"{name}.nq"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(ox.serialize(quads, format=ox.RdfFormat.N_QUADS))
    return path


def write_data(data_dir: Path, triples: int, seed: int = 0) -> Path:
    """Fill a repository's data/ with whole synthetic reports (data_dir/synthetic.nq) and the
    verbatim text of each (the dko:textFile it names, relative to the repository root)."""
    quads = generate(triples, seed, whole_reports=True)
    data_dir.mkdir(parents=True, exist_ok=True)
    texts = {q.subject: q.object.value for q in quads if q.predicate.value == NIF + "isString"}
    for quad in quads:
        if quad.predicate.value == DKO + "textFile":
            path = data_dir.parent / quad.object.value
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(texts[quad.subject], encoding="utf-8")
    path = data_dir / DATA_FILE
    path.write_bytes(ox.serialize(quads, format=ox.RdfFormat.N_QUADS))
    return path


class _Document:
    """One report's quads, and its text with the code-point offsets of its segments."""

    def __init__(self, name: str, title: str):
        self.name = name
        self.title = title
        self.source = f"{ID}source/{name}"
        self.sources_graph = ox.NamedNode(f"{GRAPH}sources/{name}")
        self.graph = self.sources_graph
        self.quads: list[ox.Quad] = []
        self.text = ""
        self.sentences: list[str] = []

    def segment(self, text: str, attributed_to: str) -> None:
        """Start the next segment (the dateline, then sentences): its NIF description, and the
        statement graph of the facts it supports, which add() writes to from now on."""
        if self.text:
            self.text += "\n\n"
        begin = len(self.text)
        self.text += text
        if self.sentences or begin:
            number = len(self.sentences) + 1
            segment, kind = f"{self.source}/sentence/{number}", NIF + "Sentence"
            graph, what = f"{GRAPH}{self.name}/sentence-{number}", f"Sentence {number}"
        else:
            segment, kind = f"{self.source}/dateline", NIF + "Phrase"
            graph, what = f"{GRAPH}{self.name}/dateline", "Dateline"
        self.graph = self.sources_graph
        self.add(segment, RDF + "type", kind)
        self.add(segment, RDFS + "label", _english(f"{what} of the {self.title}"))
        self.add(segment, NIF + "referenceContext", self.source)
        self.add(segment, NIF + "beginIndex", _count(begin))
        self.add(segment, NIF + "endIndex", _count(len(self.text)))
        self.add(segment, NIF + "anchorOf", ox.Literal(text))
        self.add(segment, DKO + "attributesTo", attributed_to)
        if kind == NIF + "Sentence":
            if self.sentences:
                self.add(self.sentences[-1], NIF + "nextSentence", segment)
                self.add(segment, NIF + "previousSentence", self.sentences[-1])
            self.sentences.append(segment)
        self.add(graph, RDF + "type", DKO + "StatementGraph")
        self.add(graph, RDFS + "label", _english(f"What {what.lower()} of the {self.title} "
                                                 "supports"))
        self.add(graph, PROV + "wasDerivedFrom", segment)
        self.graph = ox.NamedNode(graph)

    def add(self, subject: str, predicate: str, obj: str | ox.Literal, graph=None) -> None:
        """One quad in the current graph; a str object is an IRI."""
        node = ox.NamedNode(obj) if isinstance(obj, str) else obj
        self.quads.append(ox.Quad(ox.NamedNode(subject), ox.NamedNode(predicate), node,
                                  graph or self.graph))

    def thing(self, subject: str, type_iri: str, label: str) -> None:
        self.add(subject, RDF + "type", type_iri)
        self.add(subject, RDFS + "label", _english(label))

    def link(self, subject: str, target: str) -> None:
        self.add(subject, OWL + "sameAs", target, ox.NamedNode(GRAPH + "links"))


class _Cast:
    """What one report is about, drawn up front so that a report is written whole."""

    def __init__(self, number: int, rng: random.Random, platform_kinds: list[int]):
        # Round-robin first partners: every state leads some reports at every size, so queries
        # about the first state have answers even in a tiny graph.
        self.first = number % len(STATES)
        self.second = rng.choice([s for s in range(len(STATES)) if s != self.first])
        self.a_name, self.b_name = STATES[self.first], STATES[self.second]
        self.a, self.b = state_slug(self.first), state_slug(self.second)
        self.year = 2010 + rng.randrange(16)
        self.day = f"{self.year}-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}"
        self.agency = AGENCIES[rng.randrange(len(AGENCIES))]
        self.minister_number, self.leader_number = 2 * number, 2 * number + 1
        self.minister_name = person_name(self.minister_number)
        self.leader_name = person_name(self.leader_number)
        self.minister = f"{ID}{slug(self.minister_name)}-{self.minister_number}"
        self.leader = f"{ID}{slug(self.leader_name)}-{self.leader_number}"
        self.link_minister = rng.random() < 0.3
        modes = list(MODES)
        self.emphasis = rng.sample(list(DOMAINS), 2)
        self.modes_centred = rng.sample(modes, 3)
        self.modes_now = rng.sample(modes, 2)
        self.modes_included = rng.sample(modes, 3)
        self.mode_in_sum = rng.choice(modes)
        self.domains = rng.sample(list(DOMAINS), 3)
        self.share = rng.randrange(5, 61)
        self.declared = 1990 + rng.randrange(15)
        self.elevated = self.declared + 1 + rng.randrange(5)
        # Report n introduces platforms 2n (delivered) and 2n + 1 (talked about); talks also
        # concern an earlier report's platform. platform_kinds[p] is the kind of platform p.
        platform_kinds += [rng.randrange(len(PLATFORM_KINDS)), rng.randrange(len(PLATFORM_KINDS))]
        self.delivered = _platform(2 * number, platform_kinds)
        earlier = [rng.randrange(2 * number)] if number else []
        self.talked_about = [_platform(p, platform_kinds) for p in [2 * number + 1, *earlier]]


def _platform(index: int, platform_kinds: list[int]) -> tuple[str, str, str]:
    """(class, label, what the text calls it) of the index-th platform."""
    kind, prefix, words = PLATFORM_KINDS[platform_kinds[index]]
    return DKO + kind, f"{prefix}-{100 + index}", words


def _report(number: int, rng: random.Random, platform_kinds: list[int]) -> list[ox.Quad]:
    """The quads of one synthetic news report on the defence cooperation of two states."""
    c = _Cast(number, rng, platform_kinds)
    name = f"synthetic-{number}"
    d = _Document(name, f"synthetic report {number} on {c.a_name}-{c.b_name} defence "
                        "cooperation")
    publisher = ID + slug(c.agency)
    a, b = ID + c.a, ID + c.b
    cooperation = f"{ID}{c.a}-{c.b}-defence-cooperation"

    d.segment(f"date {c.day}", publisher)
    d.add(d.source, DCTERMS + "issued", ox.Literal(c.day, datatype=ox.NamedNode(XSD + "date")))

    d.segment(f"{c.a_name}-{c.b_name} defence cooperation is expanding into new domains with a "
              f"strong emphasis on {_and(DOMAINS, c.emphasis)} collaboration.", publisher)
    d.thing(a, DKO + "State", c.a_name)
    d.thing(b, DKO + "State", c.b_name)
    d.thing(cooperation, DKO + "DefenceCooperation", f"{c.a_name}-{c.b_name} defence cooperation")
    d.add(cooperation, DKO + "firstPartner", a)
    d.add(cooperation, DKO + "secondPartner", b)
    for concept in c.emphasis:
        d.add(cooperation, DKO + "emphasises", DKO + concept)

    _write_statement(d, c, cooperation)
    _write_procurement_share(d, c, number, publisher)
    _write_strategic_partnership(d, c, cooperation, publisher)

    d.segment(f"The cooperation now involves {_and(MODES, c.modes_now)} rather than mere supply "
              "contracts.", publisher)
    _add_modes(d, cooperation, c.modes_now)
    d.add(cooperation, DKO + "formerCooperationMode", DKO + FORMER_MODE)

    d.segment("This evolution aims to future-proof the strategic cooperation amid global "
              f"uncertainties and sanctions affecting {c.b_name}'s defence supply chains.",
              publisher)
    uncertainties, sanctions = ID + "global-uncertainties", f"{ID}sanctions-on-{c.b}"
    supply_chains = f"{ID}{c.b}-defence-supply-chains"
    d.add(cooperation, DKO + "adaptsTo", uncertainties)
    d.add(cooperation, DKO + "adaptsTo", sanctions)
    d.thing(uncertainties, DKO + "Circumstance", "global uncertainties")
    d.thing(sanctions, DKO + "Sanctions", f"sanctions on {c.b_name}")
    d.add(sanctions, DKO + "affects", supply_chains)
    d.thing(supply_chains, DKO + "DefenceSupplyChain", f"{c.b_name}'s defence supply chains")
    d.add(supply_chains, DKO + "supplyChainOf", b)

    _write_platforms(d, c, cooperation, publisher)

    d.segment(f"This also includes {_and(MODES, c.modes_included)}, ensuring continuity in a "
              "rapidly shifting global strategic environment.", publisher)
    _add_modes(d, cooperation, c.modes_included)

    d.segment(f"In sum, {c.a_name}-{c.b_name} defence cooperation is transitioning toward a more "
              f"integrated partnership that emphasises {MODES[c.mode_in_sum]} and "
              f"{DOMAINS[c.emphasis[0]]} synergy.", publisher)
    # A fact that two sentences support is written in both graphs.
    d.add(cooperation, DKO + "firstPartner", a)
    d.add(cooperation, DKO + "secondPartner", b)
    _add_modes(d, cooperation, [c.mode_in_sum])
    d.add(cooperation, DKO + "emphasises", DKO + c.mode_in_sum)
    d.add(cooperation, DKO + "emphasises", DKO + c.emphasis[0])

    d.segment(f"Based On {c.agency} Report", publisher)
    d.add(d.source, DCTERMS + "publisher", publisher)
    d.add(publisher, RDFS + "label", _english(c.agency))

    # The report's own description and links come first: a report cut short (exact sizes)
    # loses facts, not the source its sentences point to.
    facts = len(d.quads)
    _write_source(d, c, publisher)
    for state, index, name in ((a, c.first, c.a_name), (b, c.second, c.b_name)):
        d.link(state, f"{WIKIDATA}Q{9000 + index}")
        d.link(state, DBPEDIA + name)
    if c.link_minister:
        d.link(c.minister, f"{WIKIDATA}Q{100000 + c.minister_number}")
    d.link(ID + slug(c.delivered[1]), DBPEDIA + c.delivered[1])
    d.link(f"{ID}make-in-{c.a}", f"{DBPEDIA}Make_in_{c.a_name}")
    d.link(publisher, DBPEDIA + c.agency.replace(" ", "_"))
    return d.quads[facts:] + d.quads[:facts]


def _write_statement(d: _Document, c: _Cast, cooperation: str) -> None:
    """A defence minister's statement ahead of a president's visit, and the modes it names."""
    d.segment(f"According to {c.b_name}'s Defence Minister {c.minister_name}, who spoke ahead "
              f"of {c.b_name}'s President {c.leader_name}'s visit to {c.a_name}, the partnership "
              "has evolved from being largely buyer-seller based to long-term strategic "
              f"cooperation centred on {_and(MODES, c.modes_centred)}, aligned with "
              f"{c.a_name}'s \"Make in {c.a_name}\" initiative.", c.minister)
    visit = f"{c.leader}-visit-to-{c.a}"
    for person, name, title in ((c.minister, c.minister_name, "Defence Minister"),
                                (c.leader, c.leader_name, "President")):
        post = f"{ID}post/{slug(title)}-of-{c.b}"
        d.thing(person, SCHEMA + "Person", name)
        d.add(person, ORG + "holds", post)
        d.thing(post, ORG + "Post", f"{title} of {c.b_name}")
        d.add(post, ORG + "postIn", ID + c.b)
        d.add(post, ORG + "heldBy", person)
    d.thing(visit, DKO + "StateVisit", f"{c.leader_name}'s visit to {c.a_name}")
    d.add(visit, DKO + "visitor", c.leader)
    d.add(visit, DKO + "visitedState", ID + c.a)
    statement = f"{c.minister}-statement-ahead-of-{c.leader.removeprefix(ID)}-visit"
    d.thing(statement, DKO + "PublicStatement",
            f"{c.minister_name}'s statement ahead of {c.leader_name}'s visit to {c.a_name}")
    d.add(statement, DKO + "speaker", c.minister)
    d.add(statement, DKO + "madeAheadOf", visit)
    d.add(cooperation, DKO + "formerCooperationMode", DKO + FORMER_MODE)
    _add_modes(d, cooperation, c.modes_centred)
    initiative = f"{ID}make-in-{c.a}"
    d.add(cooperation, DKO + "alignedWith", initiative)
    d.thing(initiative, DKO + "Initiative", f"Make in {c.a_name}")
    d.add(initiative, DKO + "initiativeOf", ID + c.a)


def _write_procurement_share(d: _Document, c: _Cast, number: int, publisher: str) -> None:
    """'over N%' of the buyer's procurement, an exclusive lower bound over the past decade."""
    d.segment(f"{c.b_name} remains one of {c.a_name}'s most significant defence partners, "
              f"consistently accounting for over {c.share}% of {c.a_name}'s defence procurements "
              "over the past decade.", publisher)
    a, b = ID + c.a, ID + c.b
    claim = f"{ID}{c.b}-share-of-{c.a}-defence-procurement-in-report-{number}"
    decade = f"{ID}decade-to-{c.day}"
    d.add(b, DKO + "majorDefencePartnerOf", a)
    d.thing(claim, DKO + "ProcurementShare",
            f"{c.b_name}'s share of {c.a_name}'s defence procurement over the past decade")
    d.add(claim, DKO + "supplier", b)
    d.add(claim, DKO + "buyer", a)
    # "45", not "45.0": the canonical form (XSD 1.1), which Oxigraph and rdflib both keep as
    # written, so the servers' CONSTRUCT answers compare equal.
    d.add(claim, DKO + "percentageExceeds",
          ox.Literal(str(c.share), datatype=ox.NamedNode(XSD + "decimal")))
    d.add(claim, TIME + "hasTime", decade)
    d.thing(decade, TIME + "ProperInterval", f"the past decade, as of {c.day}")
    d.add(decade, TIME + "hasXSDDuration",
          ox.Literal("P10Y", datatype=ox.NamedNode(XSD + "duration")))
    for end, date in (("hasBeginning", f"{c.year - 10}{c.day[4:]}"), ("hasEnd", c.day)):
        instant = f"{ID}instant/{date}"
        d.add(decade, TIME + end, instant)
        d.add(instant, RDF + "type", TIME + "Instant")
        d.add(instant, TIME + "inXSDDate", ox.Literal(date, datatype=ox.NamedNode(XSD + "date")))


def _write_strategic_partnership(d: _Document, c: _Cast, cooperation: str,
                                 publisher: str) -> None:
    """The strategic partnership, its declaration and elevation (years), and its domains."""
    d.segment(f"The defence relationship is characterised as the \"{c.a_name}-{c.b_name} Strategic "
              f"Partnership,\" strengthened since the {c.declared} declaration and elevated in "
              f"{c.elevated}, representing a multi-dimensional cooperation framework across "
              f"{_and(DOMAINS, c.domains)} domains.", publisher)
    pair = f"{ID}{c.a}-{c.b}"
    partnership = f"{pair}-strategic-partnership"
    declaration = f"{pair}-declaration-{c.declared}"
    elevation = f"{pair}-partnership-elevation-{c.elevated}"
    d.add(cooperation, DKO + "characterisedAs", partnership)
    d.thing(partnership, DKO + "StrategicPartnership",
            f"{c.a_name}-{c.b_name} Strategic Partnership")
    d.add(partnership, DKO + "firstPartner", ID + c.a)
    d.add(partnership, DKO + "secondPartner", ID + c.b)
    d.add(partnership, DKO + "hasDeclaration", declaration)
    d.add(partnership, DKO + "hasElevation", elevation)
    for domain in c.domains:
        d.add(partnership, DKO + "spansDomain", DKO + domain)
    for milestone, kind, year, label in (
            (declaration, "Declaration", c.declared, f"the {c.declared} declaration"),
            (elevation, "Elevation", c.elevated, f"the {c.elevated} elevation of the partnership")):
        d.thing(milestone, DKO + kind, label)
        d.add(milestone, DCTERMS + "date", ox.Literal(str(year),
                                                      datatype=ox.NamedNode(XSD + "gYear")))


def _write_platforms(d: _Document, c: _Cast, cooperation: str, publisher: str) -> None:
    """A delivery on schedule (in the minister's words) and ongoing talks on two platforms."""
    kind, label, words = c.delivered
    d.segment(f"{c.minister_name.split()[-1]} confirmed that key projects like the delivery of "
              f"{label} {words} remain on schedule, underscoring the robust execution of "
              "existing agreements.", c.minister)
    platform = ID + slug(label)
    delivery = f"{platform}-delivery"
    agreements = f"{ID}existing-{c.a}-{c.b}-defence-agreements"
    d.thing(platform, kind, label)
    d.thing(delivery, DKO + "Delivery", f"delivery of {label} {words}")
    d.add(delivery, DKO + "deliversPlatform", platform)
    d.add(delivery, DKO + "projectOf", cooperation)
    d.add(delivery, DKO + "hasStatus", DKO + "on-schedule")
    d.add(delivery, DKO + "implements", agreements)
    d.thing(agreements, DKO + "Agreement", "existing agreements")

    platforms = " and ".join(f"the {label} {words}" for _, label, words in c.talked_about)
    d.segment("Additionally, ongoing talks focus on expanding defence ties to include new "
              f"platforms such as {platforms}, reflecting both countries' efforts to deepen and "
              "diversify military-technical cooperation.", publisher)
    talks = f"{ID}{c.a}-{c.b}-talks-on-{slug(c.talked_about[0][1])}"
    d.thing(talks, DKO + "Talks", f"talks on new platforms for {c.a_name}-{c.b_name} defence ties")
    d.add(talks, DKO + "participant", ID + c.a)
    d.add(talks, DKO + "participant", ID + c.b)
    d.add(talks, DKO + "hasStatus", DKO + "ongoing")
    for kind, label, _ in c.talked_about:
        d.thing(ID + slug(label), kind, label)
        d.add(talks, DKO + "concernsPlatform", ID + slug(label))


def _write_source(d: _Document, c: _Cast, publisher: str) -> None:
    """The report's metadata, in its sources graph (its date is the dateline's fact)."""
    d.graph = d.sources_graph
    d.add(d.source, RDF + "type", SCHEMA + "NewsArticle")
    d.add(d.source, RDF + "type", NIF + "Context")
    d.add(d.source, RDFS + "label", _english(f"The {d.title}"))
    d.add(d.source, DCTERMS + "title",
          _english(f"[{c.a_name}-{c.b_name} defence cooperation expands]"))
    d.add(d.source, DCTERMS + "publisher", publisher)
    d.add(d.source, DCTERMS + "language", ox.Literal("en", datatype=ox.NamedNode(XSD + "language")))
    d.add(d.source, DCTERMS + "identifier", ox.Literal(d.name))
    d.add(d.source, DKO + "textFile", ox.Literal(f"data/sources/{d.name}.txt"))
    # Synthetic text has no verbatim copy elsewhere: keep it in the graph, so that the
    # N-Quads alone are enough to check every offset.
    d.add(d.source, NIF + "isString", ox.Literal(d.text))
    d.add(publisher, RDF + "type", SCHEMA + "NewsMediaOrganization")
    d.add(publisher, RDFS + "label", _english(c.agency))


def _add_modes(d: _Document, cooperation: str, modes: list[str]) -> None:
    for mode in modes:
        d.add(cooperation, DKO + "hasCooperationMode", DKO + mode)


def _and(words: dict[str, str], concepts: list[str]) -> str:
    """'a and b', 'a, b, and c': the concepts as the text names them."""
    named = [words[concept] for concept in concepts]
    if len(named) < 3:
        return " and ".join(named)
    return ", ".join(named[:-1]) + ", and " + named[-1]


def _english(text: str) -> ox.Literal:
    return ox.Literal(text, language="en")


def _count(value: int) -> ox.Literal:
    return ox.Literal(str(value), datatype=ox.NamedNode(XSD + "nonNegativeInteger"))
