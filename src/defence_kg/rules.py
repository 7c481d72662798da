"""OWL 2 RL rules as a forward chainer that remembers one derivation of every triple it infers.

Rule names and premises follow the tables of
https://www.w3.org/TR/owl2-profiles/#Reasoning_in_OWL_2_RL_and_RDF_Graphs_using_Rules.
Each new triple is joined once against what is known when it arrives (an agenda, as in
semi-naive evaluation), so a rule instance fires when its last premise appears, and the
derivation recorded then only uses triples that were already there: explanations never loop.

Not produced: the reflexive triples of eq-ref, scm-cls and scm-op/dp, typing with owl:Thing,
and the axiomatic triples of the RDF and OWL vocabularies; and whatever the caller's `ignore`
names (reasoning.why_trivial), which is counted but neither kept nor used as a premise.
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from rdflib import BNode, Literal
from rdflib.namespace import OWL, RDF, RDFS

Triple = tuple
TYPE, SCO, SPO = RDF.type, RDFS.subClassOf, RDFS.subPropertyOf
EQC, EQP, SAME = OWL.equivalentClass, OWL.equivalentProperty, OWL.sameAs


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
    """A set of triples with the three indexes the rules join on."""

    def __init__(self):
        self.triples: set[Triple] = set()
        # Dicts used as ordered sets: joins visit facts in the order they arrived, so the same
        # input always yields the same derivations, whatever Python's hash seed.
        self._by_p = defaultdict(dict)
        self._by_sp = defaultdict(dict)
        self._by_po = defaultdict(dict)
        self._by_s = defaultdict(dict)  # for owl:sameAs replacement only
        self._by_o = defaultdict(dict)

    def add(self, triple: Triple) -> bool:
        if triple in self.triples:
            return False
        s, p, o = triple
        self.triples.add(triple)
        self._by_p[p][s, o] = None
        self._by_sp[s, p][o] = None
        self._by_po[p, o][s] = None
        self._by_s[s][p, o] = None
        self._by_o[o][s, p] = None
        return True

    def __contains__(self, triple: Triple) -> bool:
        return triple in self.triples

    def pairs(self, p) -> list[tuple]:
        return list(self._by_p.get(p, ()))

    def objects(self, s, p) -> list:
        return list(self._by_sp.get((s, p), ()))

    def subjects(self, p, o) -> list:
        return list(self._by_po.get((p, o), ()))

    def outgoing(self, s) -> list[tuple]:
        return list(self._by_s.get(s, ()))

    def incoming(self, o) -> list[tuple]:
        return list(self._by_o.get(o, ()))

    def items(self, head) -> list:
        """The members of the RDF list starting at head."""
        members = []
        while head != RDF.nil and head is not None:
            first = self.objects(head, RDF.first)
            members.append(first[0] if first else None)
            rest = self.objects(head, RDF.rest)
            head = rest[0] if rest else None
        return members


class Reasoner:
    """Apply the rules until nothing new follows; keep one derivation per inferred triple."""

    def __init__(self, triples: Iterable[Triple], ignore=lambda triple: None):
        self.facts = Facts()
        self.ignore = ignore
        self.ignored: dict[Triple, str] = {}
        self.asserted: set[Triple] = set()
        self.derivations: dict[Triple, Derivation] = {}
        self._depth: dict[Triple, int] = {}  # 0 for asserted triples
        self.contradictions: list[Contradiction] = []
        self._agenda: deque[Triple] = deque()
        for triple in sorted(triples, key=_stable_order):
            if self.facts.add(triple):
                self.asserted.add(triple)
                self._agenda.append(triple)

    def run(self) -> Reasoner:
        while self._agenda:
            triple = self._agenda.popleft()
            for rule in RULES:
                for new, name, premises in rule(self.facts, triple):
                    self._derive(new, name, premises)
        self._check_consistency()
        return self

    @property
    def inferred(self) -> set[Triple]:
        return self.facts.triples - self.asserted

    def _derive(self, triple: Triple, rule: str, premises: tuple[Triple, ...]) -> None:
        if triple in self.ignored or triple in self.asserted:
            return
        depth = 1 + max(self._depth.get(p, 0) for p in premises)
        if triple in self.facts:
            self._prefer(triple, Derivation(rule, premises), depth)
            return
        reason = self.ignore(triple)
        if reason:
            self.ignored[triple] = reason
        elif self.facts.add(triple):
            self.derivations[triple] = Derivation(rule, premises)
            self._depth[triple] = depth
            self._agenda.append(triple)

    def _prefer(self, triple: Triple, derivation: Derivation, depth: int) -> None:
        """Keep the shallower derivation, or at equal depth the one a person reads more easily
        ("a missile defence system is a platform" over "the talks concern a platform").

        A premise that depends on the triple is deeper than it, so neither choice loops.
        """
        current = self.derivations[triple]
        if (depth, _preference(derivation.rule)) < (self._depth[triple],
                                                    _preference(current.rule)):
            self.derivations[triple] = derivation
            self._depth[triple] = depth

    def _check_consistency(self) -> None:
        for check in CONSISTENCY_CHECKS:
            self.contradictions.extend(check(self.facts))


Inference = Iterator[tuple[Triple, str, tuple[Triple, ...]]]


# Rules that explain a fact by what the thing is come first; domain and range last.
RULE_PREFERENCE = {"cax-sco": 0, "cax-eqc1": 0, "cax-eqc2": 0, "prp-dom": 3, "prp-rng": 3}


def _preference(rule: str) -> int:
    return RULE_PREFERENCE.get(rule, 2)


def _stable_order(triple: Triple) -> tuple:
    # Blank node labels differ between parses; ordering by them would undo determinism.
    return tuple("" if isinstance(term, BNode) else term.n3() for term in triple)


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
    for axiom, one, two in ((RDFS.domain, "scm-dom1", "scm-dom2"),
                            (RDFS.range, "scm-rng1", "scm-rng2")):
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
    if p == RDFS.domain:
        for x, y in f.pairs(s):
            yield (x, TYPE, o), "prp-dom", (t, (x, s, y))
    elif p == RDFS.range:
        for x, y in f.pairs(s):
            yield (y, TYPE, o), "prp-rng", (t, (x, s, y))
    for c in f.objects(p, RDFS.domain):
        yield (s, TYPE, c), "prp-dom", ((p, RDFS.domain, c), t)
    for c in f.objects(p, RDFS.range):
        yield (o, TYPE, c), "prp-rng", ((p, RDFS.range, c), t)


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
    if p == OWL.inverseOf:
        for x, y in f.pairs(s):
            yield (y, o, x), "prp-inv1", (t, (x, s, y))
        for x, y in f.pairs(o):
            yield (y, s, x), "prp-inv2", (t, (x, o, y))
    for q in f.objects(p, OWL.inverseOf):
        yield (o, q, s), "prp-inv1", ((p, OWL.inverseOf, q), t)
    for q in f.subjects(OWL.inverseOf, p):
        yield (o, q, s), "prp-inv2", ((q, OWL.inverseOf, p), t)


def prp_symmetric_transitive(f: Facts, t: Triple) -> Inference:
    s, p, o = t
    if p == TYPE and o == OWL.SymmetricProperty:
        for x, y in f.pairs(s):
            yield (y, s, x), "prp-symp", (t, (x, s, y))
    elif p == TYPE and o == OWL.TransitiveProperty:
        for x, y in f.pairs(s):
            for z in f.objects(y, s):
                yield (x, s, z), "prp-trp", (t, (x, s, y), (y, s, z))
    if (p, TYPE, OWL.SymmetricProperty) in f:
        yield (o, p, s), "prp-symp", ((p, TYPE, OWL.SymmetricProperty), t)
    if (p, TYPE, OWL.TransitiveProperty) in f:
        axiom = (p, TYPE, OWL.TransitiveProperty)
        for z in f.objects(o, p):
            yield (s, p, z), "prp-trp", (axiom, t, (o, p, z))
        for x in f.subjects(p, s):
            yield (x, p, o), "prp-trp", (axiom, (x, p, s), t)


def prp_chain(f: Facts, t: Triple) -> Inference:
    """prp-spo2: a property chain axiom, applied when any link of a chain arrives."""
    s, p, o = t
    if p == OWL.propertyChainAxiom:
        chain = f.items(o)
        for x, y in f.pairs(chain[0]) if chain else ():
            for end, right in _paths_forward(f, chain[1:], y):
                yield (x, s, end), "prp-spo2", (t, (x, chain[0], y), *right)
        return
    for head, chain_property in f.pairs(OWL.propertyChainAxiom):
        chain = f.items(chain_property)
        for position, link in enumerate(chain):
            if link != p:
                continue
            for start, left in _paths_back(f, chain[:position], s):
                for end, right in _paths_forward(f, chain[position + 1:], o):
                    premises = ((head, OWL.propertyChainAxiom, chain_property), *left, t, *right)
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
    if p == TYPE and o in (OWL.FunctionalProperty, OWL.InverseFunctionalProperty):
        for x, y in f.pairs(s):
            yield from _functional_pairs(f, s, o, (x, s, y))
    for kind in (OWL.FunctionalProperty, OWL.InverseFunctionalProperty):
        if (p, TYPE, kind) in f:
            yield from _functional_pairs(f, p, kind, t)


def _functional_pairs(f: Facts, p, kind, t: Triple) -> Inference:
    s, _, o = t
    axiom = (p, TYPE, kind)
    if kind == OWL.FunctionalProperty:
        for other in f.objects(s, p):
            if other != o and not isinstance(o, Literal):
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
        for v in f.objects(o, OWL.hasValue):
            for prop in f.objects(o, OWL.onProperty):
                yield (s, prop, v), "cls-hv1", ((o, OWL.hasValue, v), (o, OWL.onProperty, prop), t)
    for c in f.subjects(OWL.hasValue, o):
        if (c, OWL.onProperty, p) in f:
            yield (s, TYPE, c), "cls-hv2", ((c, OWL.hasValue, o), (c, OWL.onProperty, p), t)


def cls_some_all_values(f: Facts, t: Triple) -> Inference:
    """cls-svf1/2 (a value of the class makes a member) and cls-avf (members' values are in it)."""
    s, p, o = t
    if p == TYPE:
        # t as the value's type (svf1) or as the member's type (avf)
        for c in f.subjects(OWL.someValuesFrom, o):
            for prop in f.objects(c, OWL.onProperty):
                for x in f.subjects(prop, s):
                    yield (x, TYPE, c), "cls-svf1", ((c, OWL.someValuesFrom, o),
                                                     (c, OWL.onProperty, prop), (x, prop, s), t)
        for d in f.objects(o, OWL.allValuesFrom):
            for prop in f.objects(o, OWL.onProperty):
                for y in f.objects(s, prop):
                    yield (y, TYPE, d), "cls-avf", ((o, OWL.allValuesFrom, d),
                                                    (o, OWL.onProperty, prop), t, (s, prop, y))
    for c in f.subjects(OWL.onProperty, p):
        for d in f.objects(c, OWL.someValuesFrom):
            restriction = ((c, OWL.someValuesFrom, d), (c, OWL.onProperty, p))
            if d == OWL.Thing:
                yield (s, TYPE, c), "cls-svf2", (*restriction, t)
            elif (o, TYPE, d) in f:
                yield (s, TYPE, c), "cls-svf1", (*restriction, t, (o, TYPE, d))
        for d in f.objects(c, OWL.allValuesFrom):
            if (s, TYPE, c) in f:
                yield (o, TYPE, d), "cls-avf", ((c, OWL.allValuesFrom, d),
                                                (c, OWL.onProperty, p), (s, TYPE, c), t)


def cls_intersection_union(f: Facts, t: Triple) -> Inference:
    """cls-int1/2 and cls-uni."""
    s, p, o = t
    if p != TYPE:
        return
    for c, head in f.pairs(OWL.intersectionOf):
        members = f.items(head)
        if c == o:
            for member in members:
                yield (s, TYPE, member), "cls-int2", ((c, OWL.intersectionOf, head), t)
        elif o in members and all((s, TYPE, m) in f for m in members):
            premises = tuple((s, TYPE, m) for m in members)
            yield (s, TYPE, c), "cls-int1", ((c, OWL.intersectionOf, head), *premises)
    for c, head in f.pairs(OWL.unionOf):
        if o in f.items(head):
            yield (s, TYPE, c), "cls-uni", ((c, OWL.unionOf, head), t)


def cls_max_one(f: Facts, t: Triple) -> Inference:
    """cls-maxc2 and cls-maxqc3/4: two values where at most one is allowed are the same."""
    s, p, o = t
    if p == TYPE:
        yield from _max_one_values(f, s, o, None)
        # t as the qualifying type of a value (cls-maxqc3)
        for x in f.subjects(OWL.onClass, o):
            for prop in f.objects(x, OWL.onProperty):
                for u in f.subjects(prop, s):
                    if (u, TYPE, x) in f:
                        yield from _max_one_values(f, u, x, s)
    for x in f.subjects(OWL.onProperty, p):
        if (s, TYPE, x) in f:
            yield from _max_one_values(f, s, x, o)


def _max_one_values(f: Facts, u, x, value) -> Inference:
    """The sameAs pairs that restriction x forces among u's values (only those with `value`)."""
    for kind in (OWL.maxCardinality, OWL.maxQualifiedCardinality):
        for n in f.objects(x, kind):
            if not (isinstance(n, Literal) and n.toPython() == 1):
                continue
            qualifiers = f.objects(x, OWL.onClass) if kind == OWL.maxQualifiedCardinality else []
            for prop in f.objects(x, OWL.onProperty):
                values = [y for y in f.objects(u, prop)
                          if all(q == OWL.Thing or (y, TYPE, q) in f for q in qualifiers)]
                for y1 in values:
                    for y2 in values:
                        if y1 == y2 or (value is not None and value not in (y1, y2)):
                            continue
                        rule = ("cls-maxc2" if kind == OWL.maxCardinality else
                                "cls-maxqc4" if OWL.Thing in qualifiers else "cls-maxqc3")
                        premises = ((x, kind, n), (x, OWL.onProperty, prop), (u, TYPE, x),
                                    (u, prop, y1), (u, prop, y2),
                                    *((y, TYPE, q) for q in qualifiers if q != OWL.Thing
                                      for y in (y1, y2)),
                                    *((x, OWL.onClass, q) for q in qualifiers))
                        yield (y1, SAME, y2), rule, premises


def scm_intersection_union(f: Facts, t: Triple) -> Inference:
    """scm-int and scm-uni: an intersection is below, a union above, each of its members."""
    s, p, o = t
    if p == OWL.intersectionOf:
        for member in f.items(o):
            yield (s, SCO, member), "scm-int", (t,)
    elif p == OWL.unionOf:
        for member in f.items(o):
            yield (member, SCO, s), "scm-uni", (t,)


RULES = (cax_sco, cax_eqc, scm_transitive, scm_equivalence, scm_domain_range,
         prp_domain_range, prp_subproperty, prp_inverse, prp_symmetric_transitive, prp_chain,
         prp_functional, eq_rules, cls_has_value, cls_some_all_values, cls_intersection_union,
         cls_max_one, scm_intersection_union)


# --- consistency (the rules whose conclusion is false) -----------------------------------

def nothing_members(f: Facts) -> Iterator[Contradiction]:
    for x in f.subjects(TYPE, OWL.Nothing):
        yield Contradiction("cls-nothing2", f"{x} is a member of owl:Nothing",
                            ((x, TYPE, OWL.Nothing),))


def disjoint_classes(f: Facts) -> Iterator[Contradiction]:
    """cax-dw and cax-adc."""
    pairs = [((c1, c2), ((c1, OWL.disjointWith, c2),)) for c1, c2 in f.pairs(OWL.disjointWith)]
    for group in f.subjects(TYPE, OWL.AllDisjointClasses):
        for head in f.objects(group, OWL.members):
            members = f.items(head)
            for i, c1 in enumerate(members):
                for c2 in members[i + 1:]:
                    pairs.append(((c1, c2), ((group, OWL.members, head),)))
    for (c1, c2), axiom in pairs:
        rule = "cax-dw" if axiom[0][1] == OWL.disjointWith else "cax-adc"
        for x in sorted(set(f.subjects(TYPE, c1)) & set(f.subjects(TYPE, c2))):
            yield Contradiction(rule, f"{x} is a member of the disjoint classes {c1} and {c2}",
                                (*axiom, (x, TYPE, c1), (x, TYPE, c2)))


def property_characteristics(f: Facts) -> Iterator[Contradiction]:
    """prp-irp, prp-asyp, and prp-fp where the two values are distinct literals."""
    for p in f.subjects(TYPE, OWL.IrreflexiveProperty):
        for x, y in f.pairs(p):
            if x == y:
                axiom = (p, TYPE, OWL.IrreflexiveProperty)
                yield Contradiction("prp-irp", f"{x} is related to itself by the irreflexive "
                                    f"property {p}", (axiom, (x, p, x)))
    for p in f.subjects(TYPE, OWL.AsymmetricProperty):
        for x, y in f.pairs(p):
            if (y, p, x) in f:
                yield Contradiction("prp-asyp", f"{x} and {y} are related both ways by the "
                                    f"asymmetric property {p}",
                                    ((p, TYPE, OWL.AsymmetricProperty), (x, p, y), (y, p, x)))
    for p in f.subjects(TYPE, OWL.FunctionalProperty):
        for x, _ in f.pairs(p):
            values = sorted(v for v in f.objects(x, p) if isinstance(v, Literal))
            if len({v.toPython() if v.datatype else v for v in values}) > 1:
                yield Contradiction("prp-fp", f"{x} has {len(values)} values of the functional "
                                    f"property {p}: {', '.join(values)}",
                                    ((p, TYPE, OWL.FunctionalProperty),
                                     *((x, p, v) for v in values)))


def max_cardinality_zero(f: Facts) -> Iterator[Contradiction]:
    """cls-maxc1 and cls-maxqc1/2: a restriction to no values, broken."""
    for kind in (OWL.maxCardinality, OWL.maxQualifiedCardinality):
        for c, n in f.pairs(kind):
            if not (isinstance(n, Literal) and n.toPython() == 0):
                continue
            for p in f.objects(c, OWL.onProperty):
                qualifier = f.objects(c, OWL.onClass)
                for x in f.subjects(TYPE, c):
                    for y in f.objects(x, p):
                        if qualifier and not any((y, TYPE, q) in f or q == OWL.Thing
                                                 for q in qualifier):
                            continue
                        yield Contradiction("cls-maxc1" if kind == OWL.maxCardinality
                                            else "cls-maxqc1",
                                            f"{x} has a value {y} of {p}, which {c} allows none of",
                                            ((c, kind, n), (c, OWL.onProperty, p), (x, TYPE, c),
                                             (x, p, y)))


def different_individuals(f: Facts) -> Iterator[Contradiction]:
    """eq-diff1: the same individual declared different from itself."""
    for x, y in f.pairs(OWL.differentFrom):
        if (x, SAME, y) in f:
            yield Contradiction("eq-diff1", f"{x} and {y} are both the same and different",
                                ((x, SAME, y), (x, OWL.differentFrom, y)))


CONSISTENCY_CHECKS = (nothing_members, disjoint_classes, property_characteristics,
                      max_cardinality_zero, different_individuals)
