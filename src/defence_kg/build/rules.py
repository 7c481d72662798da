"""OWL 2 RL rules as a forward chainer that remembers one derivation of every triple it infers.

Rule names and premises follow the tables of
https://www.w3.org/TR/owl2-profiles/#Reasoning_in_OWL_2_RL_and_RDF_Graphs_using_Rules.
Triples are joined in the order of their rank (0 asserted, else 1 + the highest rank of the
premises of the best rule instance), as in round-by-round semi-naive evaluation; the derivation
kept is a function of the closure alone, never of the input's order, and its premises all rank
lower than its conclusion: explanations never loop.

Not produced: the reflexive triples of eq-ref, scm-cls and scm-op/dp, typing with owl:Thing,
and the axiomatic triples of the RDF and OWL vocabularies; and whatever the caller's `ignore`
names (reason.why_trivial), which is counted but neither kept nor used as a premise.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import pyoxigraph as ox
from rdflib.namespace import OWL, RDF, RDFS

from ..rdf import to_rdflib

Triple = tuple
NOTHING_FOUND: dict = {}  # returned by lookups that find nothing; never written to
# Terms (pyoxigraph's) are dictionary-encoded as ints (literals negative), so the rules join
# and compare machine integers instead of terms; the vocabulary the rules use comes first.
VOCABULARY = tuple(ox.NamedNode(str(term)) for term in (
    RDF.type,
    RDFS.subClassOf,
    RDFS.subPropertyOf,
    OWL.equivalentClass,
    OWL.equivalentProperty,
    OWL.sameAs,
    OWL.AllDisjointClasses,
    OWL.allValuesFrom,
    OWL.AsymmetricProperty,
    OWL.differentFrom,
    OWL.disjointWith,
    RDFS.domain,
    RDF.first,
    OWL.FunctionalProperty,
    OWL.hasValue,
    OWL.intersectionOf,
    OWL.InverseFunctionalProperty,
    OWL.inverseOf,
    OWL.IrreflexiveProperty,
    OWL.maxCardinality,
    OWL.maxQualifiedCardinality,
    OWL.members,
    RDF.nil,
    OWL.Nothing,
    OWL.onClass,
    OWL.onProperty,
    OWL.propertyChainAxiom,
    RDFS.range,
    RDF.rest,
    OWL.someValuesFrom,
    OWL.SymmetricProperty,
    OWL.Thing,
    OWL.TransitiveProperty,
    OWL.unionOf,
    OWL.propertyDisjointWith,
    OWL.AllDisjointProperties,
    OWL.complementOf,
    OWL.AllDifferent,
    OWL.distinctMembers,
    OWL.sourceIndividual,
    OWL.assertionProperty,
    OWL.targetIndividual,
    OWL.targetValue,
))
(
    TYPE, SCO, SPO, EQC, EQP, SAME, ALL_DISJOINT_CLASSES, ALL_VALUES_FROM, ASYMMETRIC_PROPERTY,
    DIFFERENT_FROM, DISJOINT_WITH, DOMAIN, FIRST, FUNCTIONAL_PROPERTY, HAS_VALUE,
    INTERSECTION_OF, INVERSE_FUNCTIONAL_PROPERTY, INVERSE_OF, IRREFLEXIVE_PROPERTY,
    MAX_CARDINALITY, MAX_QUALIFIED_CARDINALITY, MEMBERS, NIL, NOTHING, ON_CLASS, ON_PROPERTY,
    PROPERTY_CHAIN_AXIOM, RANGE, REST, SOME_VALUES_FROM, SYMMETRIC_PROPERTY, THING,
    TRANSITIVE_PROPERTY, UNION_OF, PROPERTY_DISJOINT_WITH, ALL_DISJOINT_PROPERTIES,
    COMPLEMENT_OF, ALL_DIFFERENT, DISTINCT_MEMBERS, SOURCE_INDIVIDUAL, ASSERTION_PROPERTY,
    TARGET_INDIVIDUAL, TARGET_VALUE
) = range(len(VOCABULARY))


@dataclass(frozen=True)
class Derivation:
    rule: str
    premises: tuple[Triple, ...]


@dataclass(frozen=True)
class Contradiction:
    rule: str
    message: str
    premises: tuple[Triple, ...]


class Facts:
    """A set of encoded triples with the indexes the rules join on, and the term dictionary."""

    def __init__(self):
        self._ids: dict = {term: number for number, term in enumerate(VOCABULARY)}
        self._terms: list = list(VOCABULARY)
        self._literals: list = []
        self.triples: set[Triple] = set()
        # Dicts used as ordered sets: joins visit facts in the order they arrived, whatever
        # Python's hash seed.
        self._by_p = defaultdict(dict)
        self._by_sp = defaultdict(dict)
        self._by_po = defaultdict(dict)
        # By subject and by object alone: only owl:sameAs replacement needs them, so they are
        # built when first asked for (most data has no sameAs) and kept up to date after.
        self._by_s: defaultdict | None = None
        self._by_o: defaultdict | None = None
        self._chains = None  # property chains by link, computed when first asked

    # Pickled (a build's reasoner state, reason.State), pyoxigraph's terms cost ten times
    # their text: the dictionary is kept as the IRIs' and literals' text, made terms again on
    # loading, and the look-up by term rebuilt from them. The triples are not kept: the
    # Reasoner's asserted triples and derivations give them back (Reasoner.__setstate__).

    def __getstate__(self) -> dict:
        state = {**self.__dict__, "_terms": [term.value if type(term) is ox.NamedNode else term
                                             for term in self._terms],
                 "_literals": list(map(_literal_parts, self._literals))}
        del state["_ids"], state["triples"]
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._terms = [ox.NamedNode(term) if type(term) is str else term for term in self._terms]
        self._literals = list(map(_literal_from_parts, self._literals))
        self._ids = dict(zip(self._terms, range(len(self._terms))))
        self._ids.update(zip(self._literals, range(-1, -len(self._literals) - 1, -1)))

    def known(self, term) -> bool:
        """Whether the term is in the dictionary (a literal never is)."""
        return term in self._ids

    def encode(self, term) -> int:
        number = self._ids.get(term)
        if number is None:
            if isinstance(term, ox.Literal):
                self._literals.append(term)
                number = -len(self._literals)
            else:
                self._terms.append(term)
                number = len(self._terms) - 1
            self._ids[term] = number
        return number

    def decode(self, number: int):
        return self._literals[-number - 1] if number < 0 else self._terms[number]

    def decode_triple(self, triple: Triple) -> Triple:
        return tuple(self.decode(n) for n in triple)

    def triple_decoder(self):
        """decode_triple, at a third of its cost over many triples: the dictionary as one
        table, the literals (numbered from -1 down) at its end. Good until a term is added."""
        table = self._terms + self._literals[::-1]
        return lambda triple: (table[triple[0]], table[triple[1]], table[triple[2]])

    def number(self, term: int):
        """A literal's Python value (None for anything else)."""
        return _value(self.decode(term)) if term < 0 else None

    def name(self, term: int) -> str:
        """An IRI as it is, anything else in N-Triples syntax."""
        decoded = self.decode(term)
        return decoded.value if isinstance(decoded, ox.NamedNode) else str(decoded)

    def add(self, triple: Triple) -> bool:
        if triple in self.triples:
            return False
        s, p, o = triple
        self.triples.add(triple)
        self._by_p[p][s, o] = None
        self._by_sp[s, p][o] = None
        self._by_po[p, o][s] = None
        if self._by_s is not None:
            self._by_s[s][p, o] = None
            self._by_o[o][s, p] = None
        if p in (PROPERTY_CHAIN_AXIOM, FIRST, REST):
            self._chains = None
        return True

    def __contains__(self, triple: Triple) -> bool:
        return triple in self.triples

    # Views, not copies: the reasoner queues a triple's conclusions rather than adding them,
    # so no index changes while a rule iterates it.

    def pairs(self, p) -> dict:
        return self._by_p.get(p, NOTHING_FOUND)

    def objects(self, s, p) -> dict:
        return self._by_sp.get((s, p), NOTHING_FOUND)

    def subjects(self, p, o) -> dict:
        return self._by_po.get((p, o), NOTHING_FOUND)

    def outgoing(self, s) -> dict:
        self._index_by_node()
        return self._by_s.get(s, NOTHING_FOUND)

    def incoming(self, o) -> dict:
        self._index_by_node()
        return self._by_o.get(o, NOTHING_FOUND)

    def _index_by_node(self) -> None:
        if self._by_s is None:
            self._by_s, self._by_o = defaultdict(dict), defaultdict(dict)
            for p, pairs in self._by_p.items():  # insertion order: deterministic
                for s, o in pairs:
                    self._by_s[s][p, o] = None
                    self._by_o[o][s, p] = None

    def chains_through(self, link: int) -> list[tuple]:
        """(head, list, position) of each property chain axiom with `link` at `position`."""
        if self._chains is None:
            self._chains = defaultdict(list)
            for head, chain in self.pairs(PROPERTY_CHAIN_AXIOM):
                for position, member in enumerate(self.items(chain)):
                    self._chains[member].append((head, chain, position))
        return self._chains.get(link, [])

    def items(self, head) -> list:
        """The members of the RDF list starting at head."""
        members = []
        while head != NIL and head is not None:
            members.append(next(iter(self.objects(head, FIRST)), None))
            head = next(iter(self.objects(head, REST)), None)
        return members


def _literal_parts(literal: ox.Literal) -> tuple | ox.Literal:
    """(value, datatype IRI, language) of a literal; one with a direction, as it is."""
    if literal.direction is not None:
        return literal
    return literal.value, literal.datatype.value, literal.language


def _literal_from_parts(parts: tuple | ox.Literal) -> ox.Literal:
    if type(parts) is not tuple:
        return parts
    value, datatype, language = parts
    if language is not None:
        return ox.Literal(value, language=language)
    return ox.Literal(value, datatype=ox.NamedNode(datatype))


class Reasoner:
    """Apply the rules until nothing new follows; keep one derivation per inferred triple, the
    same whatever order the triples come in and whether they come at once or in parts.

    A triple's rank is 0 if asserted, else the least 1 + (the highest rank of its premises)
    over the rule instances that conclude it; its derivation is the instance of least rank
    that is least by (rule preference, rule, premises' N-Triples). The queue is processed in
    rank order (Dijkstra's, generalised to rules: a rank only ever goes down), so a triple is
    joined once its rank is final and each instance is seen with its premises' final ranks.
    """

    def __init__(self, triples: Iterable[Triple], ignore=lambda triple: None):
        self.facts = Facts()
        self.ignore = ignore
        self._ignored: dict[Triple, str] = {}
        self._asserted: set[Triple] = set()
        self._derivations: dict[Triple, Derivation] = {}
        # The rank of every inferred triple, whether joined yet (in facts) or still queued;
        # asserted triples (rank 0) are not in it.
        self._rank: dict[Triple, int] = {}
        self._queue: defaultdict[int, list[Triple]] = defaultdict(list)  # by rank
        self._contradictions: list[Contradiction] = []
        # The triples whose derivation was set or dropped since note_changes(), each with its
        # derivation then (None: it had none); None: not noted. A continued build explains
        # only those anew (explain.py).
        self.touched: dict[Triple, Derivation | None] | None = None
        self.add(triples)

    # Pickled without a memo (pipeline._dump_state: the memo's memory is the build's peak at
    # scale), so nothing is written twice: every fact is asserted or has a derivation, and
    # the ranks are the derivations' in their order. Loaded, each triple is one object again.

    def __getstate__(self) -> dict:
        return {**self.__dict__, "_rank": [self._rank[t] for t in self._derivations]}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._rank = dict(zip(self._derivations, self._rank))
        self.facts.triples = self._asserted | self._derivations.keys()

    def note_changes(self) -> None:
        """From now on, note in `touched` which triples' derivations are set or dropped."""
        self.touched = {}

    def add(self, triples: Iterable[Triple]) -> Reasoner:
        """Asserted triples, joined with everything known at the next run(). One that was
        inferred or ignored before now has rank 0, and what follows from it is ranked again."""
        encode, facts = self.facts.encode, self.facts
        for s, p, o in triples:
            triple = (encode(s), encode(p), encode(o))
            if triple in self._asserted:
                continue
            self._asserted.add(triple)
            # Asserted triples are in facts from the start: rules that read a list or a chain
            # (rdf:first, rdf:rest) see it whole when the first of its members' triples is joined.
            facts.add(triple)
            self._ignored.pop(triple, None)
            if self._rank.pop(triple, None) is not None:
                dropped = self._derivations.pop(triple)
                if self.touched is not None:
                    self.touched.setdefault(triple, dropped)
            self._queue[0].append(triple)
        return self

    def run(self, progress=None, every: int = 50_000) -> Reasoner:
        """Apply the rules; call progress(processed, known) every `every` triples processed."""
        facts, derive, queue, rank = self.facts, self._derive, self._queue, self._rank
        processed = 0
        while queue:
            level = min(queue)
            for triple in queue.pop(level):
                if rank.get(triple, 0) != level:
                    continue  # ranked lower since it was queued, and joined then
                facts.add(triple)
                processed += 1
                if progress and processed % every == 0:
                    progress(processed, len(facts.triples))
                # Conclusions are queued, not added to facts: no index changes while a rule
                # iterates it.
                for rule in rules_for(triple[1]):
                    for new, name, premises in rule(facts, triple):
                        derive(new, name, premises)
        # Each check in its order, its findings sorted by their text: the same whatever the
        # term dictionary's numbering.
        self._contradictions = [c for check in CONSISTENCY_CHECKS
                                for c in sorted(check(facts), key=self._sort_key)]
        return self

    # The results, decoded back to rdflib terms.

    @property
    def same(self) -> set:
        """Every term that is owl:sameAs another, decoded."""
        return {self.facts.decode(term) for pair in self.facts.pairs(SAME) for term in pair}

    @property
    def inferred(self) -> set[Triple]:
        return set(map(self.facts.triple_decoder(), self.facts.triples - self._asserted))

    @property
    def derivations(self) -> dict[Triple, Derivation]:
        decode = self.facts.triple_decoder()
        return {decode(t): Derivation(d.rule, tuple(map(decode, d.premises)))
                for t, d in self._derivations.items()}

    @property
    def ignored(self) -> dict[Triple, str]:
        decode = self.facts.triple_decoder()
        return {decode(t): reason for t, reason in self._ignored.items()}

    @property
    def contradictions(self) -> list[Contradiction]:
        decode = self.facts.triple_decoder()
        return [Contradiction(c.rule, c.message, tuple(decode(p) for p in c.premises))
                for c in self._contradictions]

    def _derive(self, triple: Triple, rule: str, premises: tuple[Triple, ...]) -> None:
        if triple in self._asserted or triple in self._ignored:
            return
        rank = self._rank
        level = 1 + max(rank.get(p, 0) for p in premises)
        current = rank.get(triple)
        if current is None:
            reason = self.ignore(self.facts.decode_triple(triple))
            if reason:
                self._ignored[triple] = reason
                return
        elif level > current or (level == current and not self._is_preferred(
                rule, premises, self._derivations[triple])):
            return
        if self.touched is not None and triple not in self.touched:
            self.touched[triple] = self._derivations.get(triple)
        self._derivations[triple] = Derivation(rule, premises)
        if level != current:
            rank[triple] = level
            self._queue[level].append(triple)

    def _is_preferred(self, rule: str, premises: tuple[Triple, ...], current: Derivation) -> bool:
        """Whether this instance is preferred to the current one of the same rank: the one a
        person reads more easily ("a missile defence system is a platform" over "the talks
        concern a platform"), then the least premises as text (never the dictionary's numbers).
        """
        mine, theirs = (_preference(rule), rule), (_preference(current.rule), current.rule)
        if mine != theirs:
            return mine < theirs
        return premises != current.premises and \
            self._as_text(premises) < self._as_text(current.premises)

    def _as_text(self, triples: tuple[Triple, ...]) -> tuple:
        decode = self.facts.decode
        return tuple(tuple(str(decode(term)) for term in triple) for triple in triples)

    def _sort_key(self, contradiction: Contradiction) -> tuple:
        return contradiction.rule, contradiction.message, self._as_text(contradiction.premises)


Inference = Iterator[tuple[Triple, str, tuple[Triple, ...]]]


# Rules that explain a fact by what the thing is come first; domain and range last.
RULE_PREFERENCE = {"cax-sco": 0, "cax-eqc1": 0, "cax-eqc2": 0, "prp-dom": 3, "prp-rng": 3}


def _preference(rule: str) -> int:
    return RULE_PREFERENCE.get(rule, 2)


# --- classes (cax-*) and schema (scm-*) --------------------------------------------------

def cax_sco(f: Facts, t: Triple) -> Inference:
    s, p, o = t
    if p == SCO:
        for x in f.subjects(TYPE, s):
            yield (x, TYPE, o), "cax-sco", ((s, SCO, o), (x, TYPE, s))
    elif p == TYPE:
        for d in f.objects(o, SCO):
            yield (s, TYPE, d), "cax-sco", ((o, SCO, d), t)


def cax_eqc(f: Facts, t: Triple) -> Inference:
    s, p, o = t
    if p == EQC:
        for x in f.subjects(TYPE, s):
            yield (x, TYPE, o), "cax-eqc1", (t, (x, TYPE, s))
        for x in f.subjects(TYPE, o):
            yield (x, TYPE, s), "cax-eqc2", (t, (x, TYPE, o))
    elif p == TYPE:
        for d in f.objects(o, EQC):
            yield (s, TYPE, d), "cax-eqc1", ((o, EQC, d), t)
        for c in f.subjects(EQC, o):
            yield (s, TYPE, c), "cax-eqc2", ((c, EQC, o), t)


def scm_transitive(f: Facts, t: Triple) -> Inference:
    """scm-sco and scm-spo: subclass and subproperty are transitive."""
    s, p, o = t
    if p in (SCO, SPO):
        name = "scm-sco" if p == SCO else "scm-spo"
        for d in f.objects(o, p):
            yield (s, p, d), name, (t, (o, p, d))
        for a in f.subjects(p, s):
            yield (a, p, o), name, ((a, p, s), t)


def scm_equivalence(f: Facts, t: Triple) -> Inference:
    """scm-eqc1/2 and scm-eqp1/2: equivalence is mutual subsumption."""
    s, p, o = t
    for eq, sub, one, two in ((EQC, SCO, "scm-eqc1", "scm-eqc2"),
                              (EQP, SPO, "scm-eqp1", "scm-eqp2")):
        if p == eq:
            yield (s, sub, o), one, (t,)
            yield (o, sub, s), one, (t,)
        elif p == sub and (o, sub, s) in f:
            yield (s, eq, o), two, (t, (o, sub, s))


def scm_domain_range(f: Facts, t: Triple) -> Inference:
    """scm-dom1/2, scm-rng1/2: domains and ranges follow subclasses and subproperties."""
    s, p, o = t
    for axiom, one, two in ((DOMAIN, "scm-dom1", "scm-dom2"),
                            (RANGE, "scm-rng1", "scm-rng2")):
        if p == axiom:
            for d in f.objects(o, SCO):
                yield (s, axiom, d), one, (t, (o, SCO, d))
            for sub in f.subjects(SPO, s):
                yield (sub, axiom, o), two, (t, (sub, SPO, s))
        elif p == SCO:
            for prop in f.subjects(axiom, s):
                yield (prop, axiom, o), one, ((prop, axiom, s), t)
        elif p == SPO:
            for c in f.objects(o, axiom):
                yield (s, axiom, c), two, ((o, axiom, c), t)


# --- properties (prp-*) ------------------------------------------------------------------

def prp_domain_range(f: Facts, t: Triple) -> Inference:
    s, p, o = t
    if p == DOMAIN:
        for x, y in f.pairs(s):
            yield (x, TYPE, o), "prp-dom", (t, (x, s, y))
    elif p == RANGE:
        for x, y in f.pairs(s):
            yield (y, TYPE, o), "prp-rng", (t, (x, s, y))
    for c in f.objects(p, DOMAIN):
        yield (s, TYPE, c), "prp-dom", ((p, DOMAIN, c), t)
    for c in f.objects(p, RANGE):
        yield (o, TYPE, c), "prp-rng", ((p, RANGE, c), t)


def prp_subproperty(f: Facts, t: Triple) -> Inference:
    """prp-spo1 and prp-eqp1/2."""
    s, p, o = t
    if p == SPO:
        for x, y in f.pairs(s):
            yield (x, o, y), "prp-spo1", (t, (x, s, y))
    elif p == EQP:
        for x, y in f.pairs(s):
            yield (x, o, y), "prp-eqp1", (t, (x, s, y))
        for x, y in f.pairs(o):
            yield (x, s, y), "prp-eqp2", (t, (x, o, y))
    for q in f.objects(p, SPO):
        yield (s, q, o), "prp-spo1", ((p, SPO, q), t)
    for q in f.objects(p, EQP):
        yield (s, q, o), "prp-eqp1", ((p, EQP, q), t)
    for q in f.subjects(EQP, p):
        yield (s, q, o), "prp-eqp2", ((q, EQP, p), t)


def prp_inverse(f: Facts, t: Triple) -> Inference:
    s, p, o = t
    if p == INVERSE_OF:
        for x, y in f.pairs(s):
            yield (y, o, x), "prp-inv1", (t, (x, s, y))
        for x, y in f.pairs(o):
            yield (y, s, x), "prp-inv2", (t, (x, o, y))
    for q in f.objects(p, INVERSE_OF):
        yield (o, q, s), "prp-inv1", ((p, INVERSE_OF, q), t)
    for q in f.subjects(INVERSE_OF, p):
        yield (o, q, s), "prp-inv2", ((q, INVERSE_OF, p), t)


def prp_symmetric_transitive(f: Facts, t: Triple) -> Inference:
    s, p, o = t
    if p == TYPE and o == SYMMETRIC_PROPERTY:
        for x, y in f.pairs(s):
            yield (y, s, x), "prp-symp", (t, (x, s, y))
    elif p == TYPE and o == TRANSITIVE_PROPERTY:
        for x, y in f.pairs(s):
            for z in f.objects(y, s):
                yield (x, s, z), "prp-trp", (t, (x, s, y), (y, s, z))
    if (p, TYPE, SYMMETRIC_PROPERTY) in f:
        yield (o, p, s), "prp-symp", ((p, TYPE, SYMMETRIC_PROPERTY), t)
    if (p, TYPE, TRANSITIVE_PROPERTY) in f:
        axiom = (p, TYPE, TRANSITIVE_PROPERTY)
        for z in f.objects(o, p):
            yield (s, p, z), "prp-trp", (axiom, t, (o, p, z))
        for x in f.subjects(p, s):
            yield (x, p, o), "prp-trp", (axiom, (x, p, s), t)


def prp_chain(f: Facts, t: Triple) -> Inference:
    """prp-spo2: a property chain axiom, applied when any link of a chain arrives."""
    s, p, o = t
    if p == PROPERTY_CHAIN_AXIOM:
        chain = f.items(o)
        for x, y in f.pairs(chain[0]) if chain else ():
            for end, right in _paths_forward(f, chain[1:], y):
                yield (x, s, end), "prp-spo2", (t, (x, chain[0], y), *right)
        return
    for head, chain_property, position in f.chains_through(p):
        chain = f.items(chain_property)
        for start, left in _paths_back(f, chain[:position], s):
            for end, right in _paths_forward(f, chain[position + 1:], o):
                premises = ((head, PROPERTY_CHAIN_AXIOM, chain_property), *left, t, *right)
                yield (start, head, end), "prp-spo2", premises


def _paths_forward(f: Facts, links, node) -> Iterator[tuple]:
    if not links:
        yield node, ()
        return
    for nxt in f.objects(node, links[0]):
        for end, path in _paths_forward(f, links[1:], nxt):
            yield end, ((node, links[0], nxt), *path)


def _paths_back(f: Facts, links, node) -> Iterator[tuple]:
    if not links:
        yield node, ()
        return
    for previous in f.subjects(links[-1], node):
        for start, path in _paths_back(f, links[:-1], previous):
            yield start, (*path, (previous, links[-1], node))


def prp_functional(f: Facts, t: Triple) -> Inference:
    """prp-fp and prp-ifp: a functional property's two values are the same individual."""
    s, p, o = t
    if p == TYPE and o in (FUNCTIONAL_PROPERTY, INVERSE_FUNCTIONAL_PROPERTY):
        for x, y in f.pairs(s):
            yield from _functional_pairs(f, s, o, (x, s, y))
    for kind in (FUNCTIONAL_PROPERTY, INVERSE_FUNCTIONAL_PROPERTY):
        if (p, TYPE, kind) in f:
            yield from _functional_pairs(f, p, kind, t)


def _functional_pairs(f: Facts, p, kind, t: Triple) -> Inference:
    s, _, o = t
    axiom = (p, TYPE, kind)
    if kind == FUNCTIONAL_PROPERTY:
        for other in f.objects(s, p):
            if other != o and o >= 0:  # two literals are never made the same
                yield (o, SAME, other), "prp-fp", (axiom, t, (s, p, other))
    else:
        for other in f.subjects(p, o):
            if other != s:
                yield (s, SAME, other), "prp-ifp", (axiom, t, (other, p, o))


# --- equality (eq-*) ---------------------------------------------------------------------

def eq_rules(f: Facts, t: Triple) -> Inference:
    """eq-sym, eq-trans and eq-rep-s/p/o."""
    s, p, o = t
    if p == SAME:
        yield (o, SAME, s), "eq-sym", (t,)
        for z in f.objects(o, SAME):
            yield (s, SAME, z), "eq-trans", (t, (o, SAME, z))
        for q, y in f.outgoing(s):
            yield (o, q, y), "eq-rep-s", (t, (s, q, y))
        for x, y in f.pairs(s):
            yield (x, o, y), "eq-rep-p", (t, (x, s, y))
        for x, q in f.incoming(s):
            yield (x, q, o), "eq-rep-o", (t, (x, q, s))
        return
    for alias in f.objects(s, SAME):
        yield (alias, p, o), "eq-rep-s", ((s, SAME, alias), t)
    for alias in f.objects(p, SAME):
        yield (s, alias, o), "eq-rep-p", ((p, SAME, alias), t)
    for alias in f.objects(o, SAME):
        yield (s, p, alias), "eq-rep-o", ((o, SAME, alias), t)


# --- class expressions (cls-*) -----------------------------------------------------------

def cls_has_value(f: Facts, t: Triple) -> Inference:
    """cls-hv1 (members have the value) and cls-hv2 (having the value makes a member)."""
    s, p, o = t
    if p == TYPE:
        for v in f.objects(o, HAS_VALUE):
            for prop in f.objects(o, ON_PROPERTY):
                yield (s, prop, v), "cls-hv1", ((o, HAS_VALUE, v), (o, ON_PROPERTY, prop), t)
    for c in f.subjects(HAS_VALUE, o):
        if (c, ON_PROPERTY, p) in f:
            yield (s, TYPE, c), "cls-hv2", ((c, HAS_VALUE, o), (c, ON_PROPERTY, p), t)


def cls_some_all_values(f: Facts, t: Triple) -> Inference:
    """cls-svf1/2 (a value of the class makes a member) and cls-avf (members' values are in it)."""
    s, p, o = t
    if p == TYPE:
        # t as the value's type (svf1) or as the member's type (avf)
        for c in f.subjects(SOME_VALUES_FROM, o):
            for prop in f.objects(c, ON_PROPERTY):
                for x in f.subjects(prop, s):
                    yield (x, TYPE, c), "cls-svf1", ((c, SOME_VALUES_FROM, o),
                                                     (c, ON_PROPERTY, prop), (x, prop, s), t)
        for d in f.objects(o, ALL_VALUES_FROM):
            for prop in f.objects(o, ON_PROPERTY):
                for y in f.objects(s, prop):
                    yield (y, TYPE, d), "cls-avf", ((o, ALL_VALUES_FROM, d),
                                                    (o, ON_PROPERTY, prop), t, (s, prop, y))
    for c in f.subjects(ON_PROPERTY, p):
        for d in f.objects(c, SOME_VALUES_FROM):
            restriction = ((c, SOME_VALUES_FROM, d), (c, ON_PROPERTY, p))
            if d == THING:
                yield (s, TYPE, c), "cls-svf2", (*restriction, t)
            elif (o, TYPE, d) in f:
                yield (s, TYPE, c), "cls-svf1", (*restriction, t, (o, TYPE, d))
        for d in f.objects(c, ALL_VALUES_FROM):
            if (s, TYPE, c) in f:
                yield (o, TYPE, d), "cls-avf", ((c, ALL_VALUES_FROM, d),
                                                (c, ON_PROPERTY, p), (s, TYPE, c), t)


def cls_intersection_union(f: Facts, t: Triple) -> Inference:
    """cls-int1/2 and cls-uni."""
    s, p, o = t
    if p != TYPE:
        return
    for c, head in f.pairs(INTERSECTION_OF):
        members = f.items(head)
        if c == o:
            for member in members:
                yield (s, TYPE, member), "cls-int2", ((c, INTERSECTION_OF, head), t)
        elif o in members and all((s, TYPE, m) in f for m in members):
            premises = tuple((s, TYPE, m) for m in members)
            yield (s, TYPE, c), "cls-int1", ((c, INTERSECTION_OF, head), *premises)
    for c, head in f.pairs(UNION_OF):
        if o in f.items(head):
            yield (s, TYPE, c), "cls-uni", ((c, UNION_OF, head), t)


def cls_max_one(f: Facts, t: Triple) -> Inference:
    """cls-maxc2 and cls-maxqc3/4: two values where at most one is allowed are the same."""
    s, p, o = t
    if p == TYPE:
        yield from _max_one_values(f, s, o, None)
        # t as the qualifying type of a value (cls-maxqc3)
        for x in f.subjects(ON_CLASS, o):
            for prop in f.objects(x, ON_PROPERTY):
                for u in f.subjects(prop, s):
                    if (u, TYPE, x) in f:
                        yield from _max_one_values(f, u, x, s)
    for x in f.subjects(ON_PROPERTY, p):
        if (s, TYPE, x) in f:
            yield from _max_one_values(f, s, x, o)


def _max_one_values(f: Facts, u, x, value) -> Inference:
    """The sameAs pairs that restriction x forces among u's values (only those with `value`)."""
    for kind in (MAX_CARDINALITY, MAX_QUALIFIED_CARDINALITY):
        for n in f.objects(x, kind):
            if f.number(n) != 1:
                continue
            qualifiers = f.objects(x, ON_CLASS) if kind == MAX_QUALIFIED_CARDINALITY else []
            for prop in f.objects(x, ON_PROPERTY):
                values = [y for y in f.objects(u, prop)
                          if all(q == THING or (y, TYPE, q) in f for q in qualifiers)]
                for y1 in values:
                    for y2 in values:
                        if y1 == y2 or (value is not None and value not in (y1, y2)):
                            continue
                        rule = ("cls-maxc2" if kind == MAX_CARDINALITY else
                                "cls-maxqc4" if THING in qualifiers else "cls-maxqc3")
                        premises = ((x, kind, n), (x, ON_PROPERTY, prop), (u, TYPE, x),
                                    (u, prop, y1), (u, prop, y2),
                                    *((y, TYPE, q) for q in qualifiers if q != THING
                                      for y in (y1, y2)),
                                    *((x, ON_CLASS, q) for q in qualifiers))
                        yield (y1, SAME, y2), rule, premises


def scm_intersection_union(f: Facts, t: Triple) -> Inference:
    """scm-int and scm-uni: an intersection is below, a union above, each of its members."""
    s, p, o = t
    if p == INTERSECTION_OF:
        for member in f.items(o):
            yield (s, SCO, member), "scm-int", (t,)
    elif p == UNION_OF:
        for member in f.items(o):
            yield (member, SCO, s), "scm-uni", (t,)


RULES = (cax_sco, cax_eqc, scm_transitive, scm_equivalence, scm_domain_range,
         prp_domain_range, prp_subproperty, prp_inverse, prp_symmetric_transitive, prp_chain,
         prp_functional, eq_rules, cls_has_value, cls_some_all_values, cls_intersection_union,
         cls_max_one, scm_intersection_union)
# The predicates of the triples that can fire a rule, for the rules that need one of a few;
# the others can fire on any triple. A data triple thus skips the schema rules.
TRIGGERS = {
    cax_sco: {SCO, TYPE},
    cax_eqc: {EQC, TYPE},
    scm_transitive: {SCO, SPO},
    scm_equivalence: {EQC, EQP, SCO, SPO},
    scm_domain_range: {DOMAIN, RANGE, SCO, SPO},
    cls_intersection_union: {TYPE},
    scm_intersection_union: {INTERSECTION_OF, UNION_OF},
}
_ANY_TRIPLE = tuple(rule for rule in RULES if rule not in TRIGGERS)
_RULES_FOR = {predicate: tuple(rule for rule in RULES
                               if rule not in TRIGGERS or predicate in TRIGGERS[rule])
              for predicate in set().union(*TRIGGERS.values())}


def rules_for(predicate: int) -> tuple:
    """The rules a triple with this predicate can fire, in RULES order."""
    return _RULES_FOR.get(predicate, _ANY_TRIPLE)


# --- consistency (the rules whose conclusion is false) -----------------------------------

def nothing_members(f: Facts) -> Iterator[Contradiction]:
    for x in f.subjects(TYPE, NOTHING):
        yield Contradiction("cls-nothing2", f"{f.name(x)} is a member of owl:Nothing",
                            ((x, TYPE, NOTHING),))


def disjoint_classes(f: Facts) -> Iterator[Contradiction]:
    """cax-dw and cax-adc."""
    pairs = [((c1, c2), ((c1, DISJOINT_WITH, c2),)) for c1, c2 in f.pairs(DISJOINT_WITH)]
    for group in f.subjects(TYPE, ALL_DISJOINT_CLASSES):
        for head in f.objects(group, MEMBERS):
            members = f.items(head)
            for i, c1 in enumerate(members):
                for c2 in members[i + 1:]:
                    pairs.append(((c1, c2), ((group, MEMBERS, head),)))
    for (c1, c2), axiom in pairs:
        rule = "cax-dw" if axiom[0][1] == DISJOINT_WITH else "cax-adc"
        for x in sorted(set(f.subjects(TYPE, c1)) & set(f.subjects(TYPE, c2))):
            yield Contradiction(rule, f"{f.name(x)} is a member of the disjoint classes "
                                f"{f.name(c1)} and {f.name(c2)}",
                                (*axiom, (x, TYPE, c1), (x, TYPE, c2)))


def property_characteristics(f: Facts) -> Iterator[Contradiction]:
    """prp-irp, prp-asyp, and prp-fp where the two values are distinct literals."""
    for p in f.subjects(TYPE, IRREFLEXIVE_PROPERTY):
        for x, y in f.pairs(p):
            if x == y:
                axiom = (p, TYPE, IRREFLEXIVE_PROPERTY)
                yield Contradiction("prp-irp", f"{f.name(x)} is related to itself by the "
                                    f"irreflexive property {f.name(p)}", (axiom, (x, p, x)))
    for p in f.subjects(TYPE, ASYMMETRIC_PROPERTY):
        for x, y in f.pairs(p):
            if (y, p, x) in f:
                yield Contradiction("prp-asyp", f"{f.name(x)} and {f.name(y)} are related both "
                                    f"ways by the asymmetric property {f.name(p)}",
                                    ((p, TYPE, ASYMMETRIC_PROPERTY), (x, p, y), (y, p, x)))
    for p in f.subjects(TYPE, FUNCTIONAL_PROPERTY):
        for x, _ in f.pairs(p):
            values = sorted((v for v in f.objects(x, p) if v < 0), key=f.name)
            if len({_value(f.decode(v)) for v in values}) > 1:
                shown = ", ".join(str(f.decode(v)) for v in values)
                yield Contradiction("prp-fp", f"{f.name(x)} has {len(values)} values of the "
                                    f"functional property {f.name(p)}: {shown}",
                                    ((p, TYPE, FUNCTIONAL_PROPERTY),
                                     *((x, p, v) for v in values)))


def _value(literal: ox.Literal):
    """A literal's value (rdflib's reading of its datatype): "01" and "1" as integers are one."""
    return to_rdflib(literal).toPython()


def max_cardinality_zero(f: Facts) -> Iterator[Contradiction]:
    """cls-maxc1 and cls-maxqc1/2: a restriction to no values, broken."""
    for kind in (MAX_CARDINALITY, MAX_QUALIFIED_CARDINALITY):
        for c, n in f.pairs(kind):
            if f.number(n) != 0:
                continue
            for p in f.objects(c, ON_PROPERTY):
                qualifier = f.objects(c, ON_CLASS)
                for x in f.subjects(TYPE, c):
                    for y in f.objects(x, p):
                        if qualifier and not any((y, TYPE, q) in f or q == THING
                                                 for q in qualifier):
                            continue
                        yield Contradiction("cls-maxc1" if kind == MAX_CARDINALITY
                                            else "cls-maxqc1",
                                            f"{f.name(x)} has a value {f.name(y)} of "
                                            f"{f.name(p)}, which {f.name(c)} allows none of",
                                            ((c, kind, n), (c, ON_PROPERTY, p), (x, TYPE, c),
                                             (x, p, y)))


def different_individuals(f: Facts) -> Iterator[Contradiction]:
    """eq-diff1: the same individual declared different from itself."""
    for x, y in f.pairs(DIFFERENT_FROM):
        if (x, SAME, y) in f:
            yield Contradiction("eq-diff1",
                                f"{f.name(x)} and {f.name(y)} are both the same and different",
                                ((x, SAME, y), (x, DIFFERENT_FROM, y)))


def complement_classes(f: Facts) -> Iterator[Contradiction]:
    """cls-com: a member of a class and of its complement."""
    for c1, c2 in f.pairs(COMPLEMENT_OF):
        for x in f.subjects(TYPE, c1):
            if (x, TYPE, c2) in f:
                yield Contradiction("cls-com", f"{f.name(x)} is a member of {f.name(c1)} and of "
                                    f"its complement {f.name(c2)}",
                                    ((c1, COMPLEMENT_OF, c2), (x, TYPE, c1), (x, TYPE, c2)))


def disjoint_properties(f: Facts) -> Iterator[Contradiction]:
    """prp-pdw and prp-adp: two disjoint properties relating the same pair."""
    pairs = [((p1, p2), ((p1, PROPERTY_DISJOINT_WITH, p2),))
             for p1, p2 in f.pairs(PROPERTY_DISJOINT_WITH)]
    for group in f.subjects(TYPE, ALL_DISJOINT_PROPERTIES):
        for head in f.objects(group, MEMBERS):
            members = f.items(head)
            for i, p1 in enumerate(members):
                for p2 in members[i + 1:]:
                    pairs.append(((p1, p2), ((group, MEMBERS, head),)))
    for (p1, p2), axiom in pairs:
        rule = "prp-pdw" if axiom[0][1] == PROPERTY_DISJOINT_WITH else "prp-adp"
        for x, y in f.pairs(p1):
            if (x, p2, y) in f:
                yield Contradiction(rule, f"{f.name(x)} is related to {f.name(y)} by the "
                                    f"disjoint properties {f.name(p1)} and {f.name(p2)}",
                                    (*axiom, (x, p1, y), (x, p2, y)))


def all_different(f: Facts) -> Iterator[Contradiction]:
    """eq-diff2/3: two members of an owl:AllDifferent that are the same individual."""
    for group in f.subjects(TYPE, ALL_DIFFERENT):
        for kind, rule in ((MEMBERS, "eq-diff2"), (DISTINCT_MEMBERS, "eq-diff3")):
            for head in f.objects(group, kind):
                members = f.items(head)
                for i, y1 in enumerate(members):
                    for y2 in members[i + 1:]:
                        if (y1, SAME, y2) in f:
                            yield Contradiction(rule, f"{f.name(y1)} and {f.name(y2)} are "
                                                "declared all different but are the same",
                                                ((group, kind, head), (y1, SAME, y2)))


def negative_assertions(f: Facts) -> Iterator[Contradiction]:
    """prp-npa1/2: a negative property assertion that the data states after all."""
    for assertion, source in f.pairs(SOURCE_INDIVIDUAL):
        for p in f.objects(assertion, ASSERTION_PROPERTY):
            for target_kind, rule in ((TARGET_INDIVIDUAL, "prp-npa1"), (TARGET_VALUE, "prp-npa2")):
                for target in f.objects(assertion, target_kind):
                    if (source, p, target) in f:
                        yield Contradiction(rule, f"{f.name(source)} {f.name(p)} "
                                            f"{f.name(target)} is stated, and denied by a "
                                            "negative property assertion",
                                            ((assertion, SOURCE_INDIVIDUAL, source),
                                             (assertion, ASSERTION_PROPERTY, p),
                                             (assertion, target_kind, target),
                                             (source, p, target)))


CONSISTENCY_CHECKS = (nothing_members, disjoint_classes, property_characteristics,
                      max_cardinality_zero, different_individuals, complement_classes,
                      disjoint_properties, all_different, negative_assertions)
