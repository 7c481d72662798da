"""Candidate facts of a sentence: each rule reads one kind of relation, with its modality.

A rule fires on a clause (a sentence split at "while", "but", ";"): an offer is an offer, a
pending decision or a possibility is a prospect, and a negated clause asserts nothing
positive. Each candidate keeps the span of words it came from and the name of its rule.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rdflib import Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, ORG, RDF, RDFS, SKOS, TIME, XSD

from ..namespaces import SCHEMA
from .lexicon import CURRENCIES, DKO, MONTHS, MULTIPLIERS, NUMBER_WORDS, PLATFORM_KINDS, STATES
from .mentions import (
    ORGANISATION,
    PERSON,
    PLACE,
    PLATFORM,
    STATE,
    UNNAMED,
    Entity,
    Gazetteer,
    Mention,
    find_mentions,
)
from .text import slug

CLAUSE_BREAK = re.compile(r",\s+(?:while|whereas|but)\s+|;\s+|\s+while\s+")
NEGATION = re.compile(r"\b(?:not|n't|never|no longer|neither|nor|yet to|denied|ruled out)\b",
                      re.IGNORECASE)
POSSIBILITY = re.compile(
    r"\b(?:may|might|could|possib\w+|consider\w*|weigh\w*|evaluat\w+|interested in|"
    r"plans? to|planning to|set to|expected to sign|likely to|proposal|proposed|"
    r"pending|awaits?|awaiting|yet to decide|decision)\b", re.IGNORECASE)
REFUSAL = re.compile(r"\b(?:rejected|declined|turned down|refused|spurned)\b", re.IGNORECASE)
NUMBER = r"(\d[\d,]*(?:\.\d+)?|" + "|".join(sorted(NUMBER_WORDS, key=len, reverse=True)) + ")"
MONEY = re.compile(r"(USD|US\$|\$|Rs\.?|INR|₹|EUR|€)\s?(\d[\d,]*(?:\.\d+)?)\s*"
                   r"(thousand|lakh|million|mn|crore|cr|billion|bn|trillion)?\b"
                   r"|(\d[\d,]*(?:\.\d+)?)\s*(thousand|lakh|million|crore|billion)\s+"
                   r"(dollars|rupees|euros|roubles|rubles)")
DATE = re.compile(r"\b(?:(\d{1,2})\s+)?(" + "|".join(MONTHS) + r")(?:\s+(\d{1,2}),)?\s+(\d{4})\b"
                  r"|\b(?:in|by|from|since|until|before|after)\s+(?:the\s+end\s+of\s+|early\s+|"
                  r"late\s+|mid-)?(\d{4})\b")
PERCENT = re.compile(r"(?:(over|more than|above|at least|nearly|almost|about|around)\s+)?"
                     r"(\d+(?:\.\d+)?)\s*(?:%|per\s?cent|percent|pc)\b")
UNIT = r"(squadron|batter(?:y|ie)|regiment|unit|system|aircraft|jet|vessel|ship|set)s?"
KIND_NOUN = "|".join(sorted({re.escape(k) for k, _ in PLATFORM_KINDS} | {
    "aircraft", "warship", "ship", "vessel", "platform", "weapon"}, key=len, reverse=True))
GENERIC_NOUNS = {"aircraft", "platform", "weapon", "system", "jet"}
# Up to two words between a number and what it counts, none a number or a preposition: "12 more
# Su-30MKI", not "2025 for 26 Rafale".
FILLER = r"(?:(?!(?:for|of|in|to|by|and|with|from|at|on)\b)[A-Za-z-]+\s+){0,2}"
COOPERATION_MODES = (
    (r"joint(?:ly)? develop\w*|co-develop\w*", "joint-development"),
    (r"co-produc\w*|joint(?:ly)? produc\w*", "co-production"),
    (r"licen[cs]ed? production|under (?:a )?licen[cs]e", "licensed-production"),
    (r"joint venture", "joint-venture"),
    (r"technology transfer|transfer of technology|technolog\w* sharing", "technology-sharing"),
    (r"joint research", "joint-research"),
    (r"locali[sz]ation", "localisation"),
    (r"joint (?:military )?exercises?", "joint-exercises"),
)
LANGUAGE_EN = "en"


@dataclass
class Candidate:
    triples: list[tuple[URIRef, URIRef, object]]
    rule: str
    begin: int
    end: int


@dataclass
class SentenceFacts:
    candidates: list[Candidate] = field(default_factory=list)
    speaker: Entity | None = None


@dataclass
class Clause:
    begin: int
    end: int
    text: str
    mentions: list[Mention]

    def having(self, *roles: str) -> list[Mention]:
        return [m for m in self.mentions if m.role in roles]


class Extractor:
    """Reads one report, sentence by sentence, remembering what it has read (the last
    platform named, the last joint venture) to resolve "the missile", "the venture"."""

    def __init__(self, gazetteer: Gazetteer, events: Namespace, posts: Namespace,
                 report_text: str):
        self.gazetteer = gazetteer
        self.events = events
        self.posts = posts
        self.report_text = report_text
        self.last: dict[str, Entity] = {}
        self.states_seen: list[Entity] = []
        self.typed: set[URIRef] = set()

    def read(self, number: int, sentence: str) -> SentenceFacts:
        mentions = find_mentions(sentence, self.gazetteer, self.report_text)
        result = SentenceFacts()
        self.number, self.sentence, self.result, self.serial = number, sentence, result, {}
        for mention in mentions:
            self._describe(mention)
        result.speaker = self._speaker(sentence, mentions)
        for clause in _clauses(sentence, mentions):
            for rule in RULES:
                rule(self, clause)
        self._cooperation_modes(mentions)
        self._posts(mentions)
        for mention in mentions:
            self.last[mention.role] = mention.entity
            if mention.entity.kind in (DKO.JointVenture, DKO.Company):
                self.last["company"] = mention.entity
            if mention.entity.kind == DKO.Warship:
                self.last["ship"] = mention.entity
            if mention.role == STATE and mention.entity not in self.states_seen:
                self.states_seen.append(mention.entity)
        return result

    # --- helpers ------------------------------------------------------------------------

    def add(self, rule: str, span: tuple[int, int], *triples) -> None:
        self.result.candidates.append(Candidate(list(triples), rule, *span))

    def event(self, kind: str) -> URIRef:
        self.serial[kind] = self.serial.get(kind, 0) + 1
        suffix = f"-{self.serial[kind]}" if self.serial[kind] > 1 else ""
        return self.events[f"{self.number}-{kind}{suffix}"]

    def _describe(self, mention: Mention) -> None:
        entity = mention.entity
        triples = [(entity.iri, RDF.type, entity.kind),
                   (entity.iri, RDFS.label, Literal(entity.label, lang=LANGUAGE_EN))]
        triples += [(entity.iri, SKOS.altLabel, Literal(a, lang=LANGUAGE_EN))
                    for a in sorted(entity.alt_labels) if a != entity.label and entity.new]
        if entity.kind == DKO.ArmedService and (state := _state_of_name(entity.label,
                                                                         self.gazetteer)):
            triples.append((entity.iri, DKO.serviceOf, state.iri))
        if entity.iri in self.typed:  # described where the report first names it
            return
        self.typed.add(entity.iri)
        self.add("mention", (mention.begin, mention.end), *triples)

    def _speaker(self, sentence: str, mentions: list[Mention]) -> Entity | None:
        """Who the sentence quotes: "X said", "said X", "according to X"."""
        speakers = [m for m in mentions if m.role in (PERSON, UNNAMED, ORGANISATION, STATE)]
        for m in speakers:
            before, after = sentence[:m.begin], sentence[m.end:]
            if re.search(r"\baccording to\s+(?:the\s+)?$", before, re.IGNORECASE) or \
                    re.match(r"\s*(?:,[^,]*,\s*)?(?:said|says|told|confirmed|stated|announced|"
                             r"added|noted|claimed)\b", after) or \
                    re.search(r"\b(?:said|says|told)\s+$", before):
                return m.entity
        return None

    # --- rules ---------------------------------------------------------------------------

    def contract(self, clause: Clause) -> None:
        text = clause.text
        trigger = re.search(r"\b(?:signed|inked|awarded|placed|concluded|finali[sz]ed|ordered)\b",
                            text)
        if not trigger or not re.search(r"\b(?:contract|deal|order|ordered|agreement)\b", text):
            return
        if NEGATION.search(text) or POSSIBILITY.search(text) or REFUSAL.search(text):
            return
        # A party after "by" built or supplied: it is not the buyer.
        parties = [m for m in clause.having(STATE, ORGANISATION)
                   if not re.search(r"\bby\s+(?:the\s+)?$", text[:m.begin])]
        before = [m for m in parties if m.end <= trigger.start()]
        after = [m for m in parties if m.begin >= trigger.end()]
        platforms = self._referred(clause)
        counted = re.search(rf"\bfor\s+{NUMBER}\s+{FILLER}?({KIND_NOUN})s?\b", text,
                            re.IGNORECASE)
        money = MONEY.search(text)
        if not (platforms or counted or money) or not (before or money):
            return  # an agreement about no platform, no number and no price: not an order
        contract = self.event("contract")
        what = platforms[0].entity.label if platforms else (
            _singular(counted.group(2)) if counted else "a purchase")
        triples = [(contract, RDF.type, DKO.Contract),
                   (contract, RDFS.label, Literal(f"contract for {what}", lang=LANGUAGE_EN))]
        coordinated = len(before) == 2 and re.search(r"^\s+and\s+$",
                                                     text[before[0].end:before[1].begin])
        if coordinated:  # "India and France signed": both parties, roles unsaid
            triples += [(contract, DKO.party, m.entity.iri) for m in before]
        elif trigger.group() == "awarded":
            triples += [(contract, DKO.buyer, m.entity.iri) for m in before[-1:]]
            triples += [(contract, DKO.supplier, m.entity.iri) for m in after[:1]]
        else:
            triples += [(contract, DKO.buyer, m.entity.iri) for m in before[-1:]]
            triples += [(contract, DKO.supplier, m.entity.iri) for m in after if re.search(
                r"\b(?:with|from)\s+(?:the\s+)?$", text[:m.begin])][:1]
        for service in clause.having(ORGANISATION):
            if service.entity.kind == DKO.ArmedService and re.search(
                    r"\bfor\s+(?:the\s+)?$", text[:service.begin]):
                triples.append((contract, DKO.forService, service.entity.iri))
        triples += [(contract, DKO.concernsPlatform, p.entity.iri) for p in platforms
                    if p.entity.kind != DKO.Warship]
        if platforms and platforms[0].begin >= 0:
            triples += self._quantity(contract, clause, platforms[0])
        elif counted and (count := _number(counted.group(1))) is not None:
            triples += [(contract, DKO.quantity, Literal(count, datatype=XSD.nonNegativeInteger)),
                        (contract, DKO.unit, Literal(_singular(counted.group(2))))]
        triples += _money(contract, text) + _date(contract, DKO.signedOn, text)
        self.add("contract: signed/ordered, not negated or possible", _span(clause), *triples)

    def _referred(self, clause: Clause) -> list:
        """The platforms (or ships) a clause names, or the last one read that it refers to by
        a bare kind ("the aircraft", "the frigates", "the warship")."""
        named = clause.having(PLATFORM) + [m for m in clause.mentions
                                           if m.entity.kind == DKO.Warship]
        if named:
            return sorted(named, key=lambda m: m.begin)
        match = re.search(rf"\b(?:the|these|those|its)\s+(?:[\w-]+\s+)?({KIND_NOUN})s?\b",
                          clause.text, re.IGNORECASE)
        if not match:
            return []
        noun = match.group(1).lower()
        if noun in ("warship", "ship", "vessel") and "ship" in self.last:
            return [_Refer(self.last["ship"])]
        last = self.last.get(PLATFORM)
        kinds = {kind for k, kind in PLATFORM_KINDS if k == noun}
        if last is not None and (noun in GENERIC_NOUNS or last.kind in kinds or
                                 (DKO.Missile in kinds and last.kind == DKO.CruiseMissile)):
            return [_Refer(last)]
        return []

    def delivery(self, clause: Clause) -> None:
        text = clause.text
        if not re.search(r"\bdeliver(?:ed|y|ies|ing)?\b", text, re.IGNORECASE):
            return
        if NEGATION.search(text) or re.search(r"\b(?:may|might|could)\b", text):
            return
        platforms = clause.having(PLATFORM) or ([_Refer(self.last[PLATFORM])]
                                                if PLATFORM in self.last else [])
        if not platforms:
            return
        delivery = self.event("delivery")
        label = f"delivery of {platforms[0].entity.label}"
        triples = [(delivery, RDF.type, DKO.Delivery),
                   (delivery, RDFS.label, Literal(label, lang=LANGUAGE_EN))]
        triples += [(delivery, DKO.deliversPlatform, p.entity.iri) for p in platforms]
        recipient = next((m for m in clause.having(STATE, ORGANISATION) if re.search(
            r"\bto\s+(?:the\s+)?$", text[:m.begin])), None)
        if recipient:
            triples.append((delivery, DKO.deliveredTo, recipient.entity.iri))
        verb = re.search(r"\b(?:has|have|had)?\s*delivered\b", text)
        supplier = next((m for m in clause.having(STATE, ORGANISATION)
                         if verb and m.end <= verb.start() and m != recipient
                         and not re.search(r"\b(?:been|be|was|were)\s*$", text[:verb.start()])),
                        None)
        if supplier:
            triples.append((delivery, DKO.supplier, supplier.entity.iri))
        quantity = re.search(rf"\b{NUMBER}\s+(?:more\s+)?{UNIT}\b|\bremaining\s+{NUMBER}\b", text,
                             re.IGNORECASE)
        if not quantity and platforms[0].begin >= 0:
            triples += self._quantity(delivery, clause, platforms[0])
        if quantity:
            count = _number(quantity.group(1) or quantity.group(3))
            if count is not None:
                triples.append((delivery, DKO.quantity, Literal(count,
                                                                datatype=XSD.nonNegativeInteger)))
                if quantity.group(2):
                    triples.append((delivery, DKO.unit, Literal(_singular(quantity.group(2)))))
        status = None
        if re.search(r"\b(?:delayed|postponed|behind schedule|held up)\b", text):
            status = DKO.delayed
        elif re.search(r"\b(?:on schedule|on track|on time)\b", text):
            status = DKO["on-schedule"]
        elif re.search(r"\b(?:ha(?:ve|s|d) (?:already )?been|were|was) deliver", text) or \
                re.search(r"\bcompleted\b", text):
            status = DKO.completed
        if status is not None:
            triples.append((delivery, DKO.hasStatus, status))
        if re.search(r"\b(?:will|to) be delivered|\bexpected|\bdue\b|\bscheduled", text):
            triples += _date(delivery, DKO.expectedBy, text, year_only=True)
        if cause := re.search(r"\bdelayed by (?:the\s+)?((?:[\w-]+\s+){0,3}?"
                              r"(?:conflict|war|sanctions|crisis|pandemic)(?:\s+in\s+\w+)?)",
                              text):
            circumstance = self.gazetteer.vocabulary.id[slug(cause.group(1))]
            kind = DKO.Sanctions if "sanction" in cause.group(1) else (
                DKO.Conflict if re.search(r"conflict|war", cause.group(1)) else DKO.Circumstance)
            triples += [(delivery, DKO.delayedBy, circumstance), (circumstance, RDF.type, kind),
                        (circumstance, RDFS.label, Literal(cause.group(1), lang=LANGUAGE_EN))]
            for m in clause.having(STATE):
                if cause.start(1) <= m.begin - clause.begin + clause.begin and m.begin >= \
                        cause.start(1):
                    triples.append((circumstance, SCHEMA.location, m.entity.iri))
        if len(triples) == 3 and not clause.having(PLATFORM):
            return  # "the delivery schedule" of a platform named earlier: nothing said of it
        self.add("delivery: deliver*, status from its verb", _span(clause), *triples)

    def production(self, clause: Clause) -> None:
        text = clause.text
        trigger = re.search(r"\b(?:produc(?:e|es|ed|tion|ing)|manufactur\w*|build|builds|built|"
                            r"assembl\w*)\b", text)
        if not trigger or NEGATION.search(text) or \
                re.search(r"\b(?:may|might|could|consider\w*)\b", text):
            return
        passive = re.search(r"\b(?:built|produced|manufactured|made|assembled)\s+by\s+", text)
        parties = clause.having(ORGANISATION, STATE)
        if passive:
            producers = [m for m in parties if m.begin >= passive.end()][:1]
        else:
            producers = [m for m in parties if m.end <= trigger.start()][:1]
            if not producers and re.match(r"\s*(?:The|Its|This)\s+(?:plant|facility|factory|"
                                          r"venture|company)\b", text):
                producers = [_Refer(e) for e in [self.last.get("venture")
                                                 or self.last.get("company")] if e]
        things = self._referred(clause)
        counted = re.search(rf"\b(?:more than\s+|over\s+|some\s+)?{NUMBER}\s+"
                            rf"(?:more\s+|of\s+the\s+)?{FILLER}?({KIND_NOUN})s?\b",
                            text, re.IGNORECASE)
        if not things and counted and self.last.get(PLATFORM) is not None and \
                self.last[PLATFORM].kind in {k for n, k in PLATFORM_KINDS
                                             if n == counted.group(2).lower()}:
            things = [_Refer(self.last[PLATFORM])]  # "600,000 rifles" after "AK-203 rifles"
        if not producers or not (things or counted):
            return
        producer = producers[0]
        licence = re.search(r"\bunder (?:a |the )?licen[cs]e (?:from|of|by) ", text)
        production = self.event("licence-production" if licence else "production")
        what = things[0].entity.label if things else _singular(counted.group(2))
        triples = [(production, RDF.type, DKO.LicenceProduction if licence else DKO.Production),
                   (production, RDFS.label, Literal(f"{what} production by "
                                                    f"{producer.entity.label}", lang=LANGUAGE_EN)),
                   (production, DKO.producer, producer.entity.iri)]
        for thing in things:
            prop = DKO.producesShip if thing.entity.kind == DKO.Warship else DKO.producesPlatform
            triples.append((production, prop, thing.entity.iri))
        if things and things[0].begin >= 0 and self._quantity(production, clause, things[0]):
            triples += self._quantity(production, clause, things[0])
        elif counted and (count := _number(counted.group(1))) is not None and (
                not things or things[0].entity.kind != DKO.Warship):
            triples += [(production, DKO.quantity, Literal(count,
                                                           datatype=XSD.nonNegativeInteger)),
                        (production, DKO.unit, Literal(_singular(counted.group(2))))]
        for place in clause.having(PLACE):
            if place.begin > trigger.start() and place.entity.kind == SCHEMA.Place:
                triples.append((production, DKO.productionSite, place.entity.iri))
        if licence:
            licensor = next((m for m in clause.having(STATE, ORGANISATION)
                             if m.begin >= licence.end()), None)
            if licensor:
                triples.append((production, DKO.licensor, licensor.entity.iri))
        if re.search(r"\b(?:has|have) (?:begun|started)|\bbegan\b|\bstarted\b|\bis producing\b|"
                     r"\b(?:is|are) being (?:built|produced|manufactured)", text):
            triples.append((production, DKO.hasStatus, DKO.ongoing))
        self.add("production: produce/build/manufacture, 'built by X' (licence: 'under licence "
                 "from')", _span(clause), *triples)

    def development(self, clause: Clause) -> None:
        text = clause.text
        if not re.search(r"\b(?:under development|being developed|develop(?:s|ing|ed)?)\b", text) \
                or NEGATION.search(text) or re.search(r"joint(?:ly)? develop", text):
            return
        platforms = clause.having(PLATFORM)
        triples: list = []
        variant = re.search(r"\b((?:[\w-]+\s+)?(?:variant|version))\b", text)
        if variant and PLATFORM in self.last and not platforms:
            base = self.last[PLATFORM]
            label = f"{variant.group(1)} of {base.label}".removeprefix("an ").removeprefix("a ")
            entity = self.gazetteer.add(label, base.kind)
            triples += [(entity.iri, RDF.type, entity.kind),
                        (entity.iri, RDFS.label, Literal(label, lang=LANGUAGE_EN)),
                        (entity.iri, DKO.variantOf, base.iri)]
            platforms = [_Refer(entity)]
        if not platforms:
            return
        development = self.event("development")
        triples += [(development, RDF.type, DKO.Development),
                    (development, RDFS.label, Literal(
                        f"development of {platforms[0].entity.label}", lang=LANGUAGE_EN))]
        triples += [(development, DKO.concernsPlatform, p.entity.iri) for p in platforms]
        if re.search(r"under development|being developed", text):
            triples.append((development, DKO.hasStatus, DKO["under-development"]))
        if reach := re.search(r"\brange of (?:(over|more than|above|up to|about)\s+)?"
                              r"(\d[\d,]*)\s*(?:km|kilomet)", text):
            prop = DKO.rangeExceedsKm if reach.group(1) in ("over", "more than", "above") \
                else DKO.rangeKm
            triples.append((platforms[0].entity.iri, prop,
                            Literal(reach.group(2).replace(",", ""), datatype=XSD.decimal)))
        self.add("development: under development / developing", _span(clause), *triples)

    def venture(self, clause: Clause) -> None:
        text = clause.text
        venture = None
        named = re.search(r"\b(?:the|a)\s+joint\s+venture\s+(?:between|of)\b", text)
        if named:
            organisations = [m for m in clause.having(ORGANISATION) if m.end <= named.start()]
            if organisations:
                venture = organisations[-1].entity
                if venture.new:
                    venture.kind = DKO.JointVenture
                between = text[named.end():]
                phrase_end = named.end() + (re.search(r",|$", text[named.end():]).start())
                partners = [m for m in clause.having(ORGANISATION)
                            if named.end() <= m.begin and m.end <= phrase_end]
                partners = partners or [m for m in clause.having(STATE)
                                        if named.end() <= m.begin and m.end <= phrase_end]
                triples = [(venture.iri, RDF.type, DKO.JointVenture)]
                triples += [(venture.iri, DKO.venturePartner, p.entity.iri) for p in partners[:3]]
                if between:
                    self.add("joint venture: 'X, the joint venture between A and B'",
                             (named.start(), partners[-1].end if partners else named.end()),
                             *triples)
                self.last["venture"] = venture
        elif re.search(r"\b(?:the|this)\s+(?:joint\s+)?venture\b", text, re.IGNORECASE):
            venture = self.last.get("venture")
        if venture is None:
            return
        if founded := re.search(r"\b(?:set up|established|founded|formed|created|incorporated)"
                                r"\s+in\s+(\d{4})\b", text):
            places = [m for m in clause.having(PLACE) if m.entity.kind == SCHEMA.Place
                      and m.begin > founded.start()]
            self.add("joint venture: founded in YEAR (at PLACE)", (founded.start(), max(
                [founded.end(), *(m.end for m in places[:1])])),
                     (venture.iri, SCHEMA.foundingDate, Literal(founded.group(1),
                                                                datatype=XSD.gYear)),
                     *[(venture.iri, SCHEMA.location, m.entity.iri) for m in places[:1]])
        if agreement := re.search(r"\bunder an?\s+((?:[\w-]+\s+)?agreement)\s+between\b", text):
            parties = [m for m in clause.having(STATE, ORGANISATION) if m.begin > agreement.end()]
            iri = self.event("agreement")
            label = f"{agreement.group(1)} between " + " and ".join(p.entity.label
                                                                     for p in parties)
            triples = [(venture.iri, DKO.establishedUnder, iri), (iri, RDF.type, DKO.Agreement),
                       (iri, RDFS.label, Literal(label, lang=LANGUAGE_EN))]
            triples += [(iri, DKO.party, p.entity.iri) for p in parties]
            self.add("joint venture: established under an agreement between A and B",
                     (agreement.start(), parties[-1].end if parties else agreement.end()),
                     *triples)

    def stakes(self, clause: Clause) -> None:
        text = clause.text
        if not re.search(r"\bstakes?\b", text):
            return
        target = next((m.entity for m in clause.having(ORGANISATION)
                       if re.search(r"\bin\s+(?:the\s+)?$", text[:m.begin])), None)
        if target is None and re.search(r"\bin (?:the|this) (?:joint )?(?:venture|company)\b",
                                        text):
            target = self.last.get("venture") or self.last.get("company")
        if target is None:
            return
        for percent in PERCENT.finditer(text):
            holders = [m for m in clause.having(STATE, ORGANISATION)
                       if m.end <= percent.start() and m.entity != target]
            if not holders:
                continue
            holder = holders[-1]
            stake = self.event("stake")
            self.add("stake: 'X holds N per cent', each percentage to the party before it",
                     (holder.begin, percent.end()),
                     (stake, RDF.type, DKO.Stake),
                     (stake, RDFS.label, Literal(f"{holder.entity.label}'s stake in "
                                                 f"{target.label}", lang=LANGUAGE_EN)),
                     (stake, DKO.stakeholder, holder.entity.iri), (stake, DKO.stakeIn, target.iri),
                     (stake, DKO.percentage, Literal(percent.group(2), datatype=XSD.decimal)))

    def share(self, clause: Clause) -> None:
        text = clause.text
        scope = re.search(r"\bof\s+(?:(\w+)(?:’s|'s)\s+)?(?:total\s+)?(?:arms|defence|defense|"
                          r"military)?\s*(?:imports|procurements?|purchases|acquisitions)\b", text)
        percent = PERCENT.search(text)
        if not scope or not percent or re.search(r"\bstake\b", text):
            return
        states = clause.having(STATE)
        buyer = next((m for m in states if m.begin >= scope.start()), None)
        supplier = next((m for m in states if m.end <= percent.start()), None)
        if buyer is None or supplier is None or buyer.entity == supplier.entity:
            return
        share = self.event("share")
        bound = percent.group(1) in ("over", "more than", "above", "at least")
        triples = [(share, RDF.type, DKO.ProcurementShare),
                   (share, RDFS.label, Literal(f"{supplier.entity.label}'s share of "
                                               f"{buyer.entity.label}'s defence procurement",
                                               lang=LANGUAGE_EN)),
                   (share, DKO.supplier, supplier.entity.iri), (share, DKO.buyer, buyer.entity.iri),
                   (share, DKO.percentageExceeds if bound else DKO.percentage,
                    Literal(percent.group(2), datatype=XSD.decimal))]
        if period := re.search(r"\b((?:19|20)\d\d)\s*[-–]\s*((?:19|20)?\d\d)\b", text):
            end = period.group(2) if len(period.group(2)) == 4 else period.group(1)[:2] + \
                period.group(2)
            interval = self.gazetteer.vocabulary.id[f"period-{period.group(1)}-{end}"]
            begin_iri = self.gazetteer.vocabulary.id[f"instant/{period.group(1)}-01-01"]
            end_iri = self.gazetteer.vocabulary.id[f"instant/{end}-12-31"]
            triples += [(share, TIME.hasTime, interval), (interval, RDF.type, TIME.ProperInterval),
                        (interval, RDFS.label, Literal(f"{period.group(1)} to {end}",
                                                       lang=LANGUAGE_EN)),
                        (interval, TIME.hasBeginning, begin_iri), (interval, TIME.hasEnd, end_iri),
                        (begin_iri, RDF.type, TIME.Instant), (end_iri, RDF.type, TIME.Instant),
                        (begin_iri, TIME.inXSDDate, Literal(f"{period.group(1)}-01-01",
                                                            datatype=XSD.date)),
                        (end_iri, TIME.inXSDDate, Literal(f"{end}-12-31", datatype=XSD.date))]
        if self.result.speaker is not None and self.result.speaker.role == ORGANISATION:
            triples.append((share, DKO.measuredBy, self.result.speaker.iri))
        self.add("share: N% of X's imports/procurement", _span(clause), *triples)

    def offer(self, clause: Clause) -> None:
        text = clause.text
        trigger = re.search(r"\b(?:offer(?:ed|s|ing)?|proposal|proposed to "
                            r"(?:sell|supply|lease))\b", text)
        if not trigger or re.search(r"\b(?:not|never)\s+(?:\w+\s+)?(?:offer|propos)", text):
            return
        platforms = clause.having(PLATFORM)
        thing = re.search(rf"\b(?:offer\w*|proposal|proposed)\s+(?:\w+\s+)?(?:of|to\s+\w+)?\s*"
                          rf"(?:an?\s+|the\s+|its\s+)?((?:[\w-]+\s+){{0,2}}?(?:{KIND_NOUN})s?)\b",
                          text, re.IGNORECASE)
        if not platforms and not thing:
            return
        parties = clause.having(STATE, ORGANISATION)
        refusal = REFUSAL.search(text)
        by = next((m for m in reversed(parties) if m.end <= trigger.start()), None)
        to = next((m for m in parties if m.begin >= trigger.end() and m != by), None)
        refuser = next((m for m in parties if refusal and m.end <= refusal.start()), None)
        if refuser is not None:
            # "India declined a Russian proposal ...": the refuser comes first, the offerer
            # between the refusal and the offer.
            by = next((m for m in parties if refusal.end() <= m.begin < trigger.start()), None)
            to = refuser
        offer = self.event("offer")
        what = platforms[0].entity.label if platforms else thing.group(1)
        triples = [(offer, RDF.type, DKO.Offer),
                   (offer, RDFS.label, Literal(f"offer of {what}", lang=LANGUAGE_EN))]
        triples += [(offer, DKO.concernsPlatform, p.entity.iri) for p in platforms]
        if by:
            triples.append((offer, DKO.offeredBy, by.entity.iri))
        if to:
            triples.append((offer, DKO.offeredTo, to.entity.iri))
        if refusal and to:
            triples += [(offer, DKO.declinedBy, to.entity.iri),
                        (offer, DKO.hasStatus, DKO.declined)]
        self.add("offer: offered/offer/proposal (an offer, never an order)", _span(clause),
                 *triples)

    def prospect(self, clause: Clause) -> None:
        text = clause.text
        if re.search(r"\b(?:offer\w*|proposal)\b", text) or not (POSSIBILITY.search(text)
                                                                 or REFUSAL.search(text)):
            return
        if not re.search(r"\b(?:buy\w*|acqui\w+|procure\w*|purchas\w+|order\w*|induct\w*|"
                         r"lease\w*|contract|deal|decision|sign\w*)\b", text):
            return
        platforms = clause.having(PLATFORM)
        parties = [m for m in clause.having(STATE, ORGANISATION)
                   if m.entity != (self.result.speaker or m).entity or m.role == STATE]
        if not platforms:
            return
        prospect = self.event("prospect")
        declined = REFUSAL.search(text) or NEGATION.search(text)
        triples = [(prospect, RDF.type, DKO.Prospect),
                   (prospect, RDFS.label, Literal(
                       f"prospect of acquiring {platforms[0].entity.label}", lang=LANGUAGE_EN)),
                   (prospect, DKO.hasStatus, DKO.declined if declined
                    else DKO["under-consideration"])]
        triples += [(prospect, DKO.consideredBy, p.entity.iri) for p in parties[:1]]
        triples += [(prospect, DKO.concernsPlatform, p.entity.iri) for p in platforms]
        self.add("prospect: may/considering/pending/refused (no order, no agreement)",
                 _span(clause), *triples)

    def talks(self, clause: Clause) -> None:
        text = clause.text
        if not re.search(r"\b(?:talks|negotiations?|negotiating|discussions|discussed)\b", text):
            return
        if re.search(r"\b(?:meeting|met|session)\b", text) or NEGATION.search(text):
            return
        parties = [m.entity for m in clause.having(STATE, ORGANISATION)]
        if len(parties) < 2 and re.search(r"\bboth (?:countries|sides)\b", text):
            parties = self.states_seen[:2]
        platforms = clause.having(PLATFORM)
        if not parties and not platforms:
            return
        talks = self.event("talks")
        triples = [(talks, RDF.type, DKO.Talks),
                   (talks, RDFS.label, Literal("talks" + (f" on {platforms[0].entity.label}"
                                                          if platforms else ""),
                                               lang=LANGUAGE_EN))]
        triples += [(talks, DKO.participant, p.iri) for p in dict.fromkeys(parties)]
        triples += [(talks, DKO.concernsPlatform, p.entity.iri) for p in platforms]
        if re.search(r"\b(?:ongoing|continu\w+|under way|in talks|are negotiating)\b", text):
            triples.append((talks, DKO.hasStatus, DKO.ongoing))
        self.add("talks: talks/negotiations", _span(clause), *triples)

    def meeting(self, clause: Clause) -> None:
        text = clause.text
        trigger = re.search(r"\b(?:met|meeting|session|summit|co-chaired|chaired)\b", text)
        if not trigger or NEGATION.search(text):
            return
        people = clause.having(PERSON)
        body = next((m for m in clause.having(ORGANISATION) if m.entity.kind == DKO.Commission),
                    None)
        if not people and body is None:
            return
        meeting = self.event("meeting")
        label = "meeting" + (f" of the {body.entity.label}" if body else "")
        triples = [(meeting, RDF.type, DKO.Meeting),
                   (meeting, RDFS.label, Literal(label, lang=LANGUAGE_EN))]
        triples += [(meeting, DKO.participant, p.entity.iri) for p in people]
        if body:
            triples.append((meeting, DKO.meetingOf, body.entity.iri))
        for place in clause.having(PLACE):
            if place.entity.kind == SCHEMA.Place and re.search(r"\bin\s+$", text[:place.begin]):
                triples.append((meeting, SCHEMA.location, place.entity.iri))
        if chair := re.search(r"\b(?:co-)?chaired by\b", text):
            triples += [(meeting, DKO.chairedBy, p.entity.iri) for p in people
                        if p.begin > chair.end()]
        triples += _date(meeting, DCTERMS.date, text, day_only=True)
        self.add("meeting: met/meeting/session, participants and place", _span(clause), *triples)

    def commissioning(self, clause: Clause) -> None:
        text = clause.text
        if not re.search(r"\b(?:commissioned|inducted|entered service)\b", text) or \
                NEGATION.search(text) or POSSIBILITY.search(text):
            return
        things = [m for m in clause.mentions if m.entity.kind == DKO.Warship] or \
            clause.having(PLATFORM)
        services = [m for m in clause.having(ORGANISATION) if m.entity.kind == DKO.ArmedService]
        if not things:
            return
        event = self.event("commissioning")
        triples = [(event, RDF.type, DKO.Commissioning),
                   (event, RDFS.label, Literal(f"commissioning of {things[0].entity.label}",
                                               lang=LANGUAGE_EN)),
                   (event, DKO.commissions, things[0].entity.iri)]
        triples += [(event, DKO.intoService, s.entity.iri) for s in services[:1]]
        for place in clause.having(PLACE):
            if place.entity.kind == SCHEMA.Place:
                triples.append((event, SCHEMA.location, place.entity.iri))
        triples += _date(event, DCTERMS.date, text, day_only=True)
        self.add("commissioning: commissioned/inducted", _span(clause), *triples)

    def operator(self, clause: Clause) -> None:
        text = clause.text
        if not re.search(r"\b(?:fleet|backbone|operat\w+|in service with|flies|flown by|"
                         r"inventory|arsenal)\b", text) or NEGATION.search(text):
            return
        services = [m for m in clause.having(ORGANISATION) if m.entity.kind == DKO.ArmedService]
        for platform in clause.having(PLATFORM):
            for service in services[:1]:
                self.add("operator: a platform in a service's fleet/inventory",
                         (min(platform.begin, service.begin), max(platform.end, service.end)),
                         (platform.entity.iri, DKO.operatedBy, service.entity.iri))

    # --- shared pieces --------------------------------------------------------------------

    def _platforms_and_quantity(self, subject, clause: Clause, platforms) -> list:
        triples = [(subject, DKO.concernsPlatform, p.entity.iri) for p in platforms]
        if platforms:
            triples += self._quantity(subject, clause, platforms[0])
        return triples

    def _quantity(self, subject, clause: Clause, platform: Mention) -> list:
        before = clause.text[:platform.begin - clause.begin] if isinstance(platform, Mention) \
            else ""
        match = re.search(rf"\b{NUMBER}\s+(?:more\s+|new\s+|additional\s+)?(?:{UNIT}\s+of\s+"
                          rf"(?:the\s+)?)?{FILLER}$", before, re.IGNORECASE)
        if not match or (count := _number(match.group(1))) is None:
            return []
        triples = [(subject, DKO.quantity, Literal(count, datatype=XSD.nonNegativeInteger))]
        if match.group(2):
            triples.append((subject, DKO.unit, Literal(_singular(match.group(2)))))
        return triples

    def _cooperation_modes(self, mentions: list[Mention]) -> None:
        states = list(dict.fromkeys(m.entity for m in mentions if m.role == STATE))
        if len(states) < 2:
            return
        for pattern, concept in COOPERATION_MODES:
            if match := re.search(pattern, self.sentence, re.IGNORECASE):
                first, second = states[:2]
                cooperation = self.gazetteer.vocabulary.id[
                    f"{slug(first.label)}-{slug(second.label)}-defence-cooperation"]
                self.add(f"cooperation mode: '{match.group()}' between two states",
                         (match.start(), match.end()),
                         (cooperation, RDF.type, DKO.DefenceCooperation),
                         (cooperation, RDFS.label, Literal(f"{first.label}-{second.label} "
                                                           "defence cooperation",
                                                           lang=LANGUAGE_EN)),
                         (cooperation, DKO.firstPartner, first.iri),
                         (cooperation, DKO.secondPartner, second.iri),
                         (cooperation, DKO.hasCooperationMode, DKO[concept]))

    def _posts(self, mentions: list[Mention]) -> None:
        titled = [m for m in mentions if m.role == PERSON and m.title]
        for mention in titled:
            title = mention.title
            if title == "counterpart":
                others = [m.title for m in titled if m.title and m.title != "counterpart"]
                if not others:
                    continue
                title = others[0]
            title = {"Defense Minister": "Defence Minister", "Gen.": "General",
                     "Lt. Gen.": "Lieutenant General", "Lt Gen": "Lieutenant General",
                     "Col.": "Colonel", "chairman": "Chairman"}.get(title, title)
            state = self.gazetteer.state(mention.adjective) if mention.adjective else None
            if state is not None:
                post = self.posts[f"{slug(title)}-of-{slug(state.label)}"]
                label = f"{title} of {state.label}"
            else:
                post = self.posts[f"{slug(title)}-{slug(mention.entity.label)}"]
                label = f"{title} (post held by {mention.entity.label})"
            triples = [(mention.entity.iri, ORG.holds, post), (post, RDF.type, ORG.Post),
                       (post, RDFS.label, Literal(label, lang=LANGUAGE_EN)),
                       (post, ORG.heldBy, mention.entity.iri)]
            if state is not None:
                triples.append((post, ORG.postIn, state.iri))
            self.add("post: title before a name", (mention.begin, mention.end), *triples)


@dataclass(frozen=True)
class _Refer:
    """A platform the clause refers to without naming it ("three squadrons ... delivered")."""

    entity: Entity
    begin: int = -1
    end: int = -1


RULES = (Extractor.contract, Extractor.delivery, Extractor.production, Extractor.development,
         Extractor.venture, Extractor.stakes, Extractor.share, Extractor.offer,
         Extractor.prospect, Extractor.talks, Extractor.meeting, Extractor.commissioning,
         Extractor.operator)


def _clauses(sentence: str, mentions: list[Mention]) -> list[Clause]:
    bounds, start = [], 0
    for match in CLAUSE_BREAK.finditer(sentence):
        bounds.append((start, match.start()))
        start = match.end()
    bounds.append((start, len(sentence)))
    return [_clause(sentence, b, e, mentions) for b, e in bounds]


def _clause(sentence: str, begin: int, end: int, mentions: list[Mention]) -> Clause:
    """A clause whose text keeps the sentence's offsets: what lies outside it is blanked."""
    text = " " * begin + sentence[begin:end]
    return Clause(begin, end, text, [m for m in mentions if begin <= m.begin and m.end <= end])


def _span(clause: Clause) -> tuple[int, int]:
    return clause.begin, clause.end


def _number(word: str) -> int | None:
    word = word.lower().replace(",", "")
    if word in NUMBER_WORDS:
        return NUMBER_WORDS[word]
    try:
        value = float(word)
    except ValueError:
        return None
    return int(value) if value.is_integer() else None


def _singular(unit: str) -> str:
    unit = unit.lower()
    return unit[:-3] + "y" if unit.endswith("ies") else unit.removesuffix("ie").rstrip("s")


def _money(subject, text: str) -> list:
    match = MONEY.search(text)
    if not match:
        return []
    if match.group(2):
        symbol, amount, scale = match.group(1), match.group(2), match.group(3)
    else:
        amount, scale, symbol = match.group(4), match.group(5), match.group(6)
    value = float(amount.replace(",", "")) * MULTIPLIERS.get((scale or "").lower(), 1)
    currency = CURRENCIES.get(symbol) or CURRENCIES.get(symbol.rstrip("."))
    return [(subject, SCHEMA.price, Literal(f"{value:.2f}".rstrip("0").rstrip("."),
                                            datatype=XSD.decimal)),
            (subject, SCHEMA.priceCurrency, Literal(currency))]


def _date(subject, predicate, text: str, year_only: bool = False, day_only: bool = False) -> list:
    match = DATE.search(text)
    if not match:
        return []
    if match.group(4):
        day, month, year = match.group(1) or match.group(3), match.group(2), match.group(4)
        month_number = MONTHS.index(month) + 1
        if day and not year_only:
            return [(subject, predicate, Literal(f"{year}-{month_number:02d}-{int(day):02d}",
                                                 datatype=XSD.date))]
        if day_only:
            return []
        if year_only:
            return [(subject, predicate, Literal(year, datatype=XSD.gYear))]
        return [(subject, predicate, Literal(f"{year}-{month_number:02d}",
                                             datatype=XSD.gYearMonth))]
    if day_only:
        return []
    return [(subject, predicate, Literal(match.group(5), datatype=XSD.gYear))]


def _state_of_name(name: str, gazetteer: Gazetteer) -> Entity | None:
    first = name.split()[0]
    for state, others in STATES.items():
        if first == state or first in others:
            return gazetteer.state(first)
    return None
