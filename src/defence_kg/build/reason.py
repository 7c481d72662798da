"""The published OWL 2 RL closure: inferred triples apart from asserted ones, pruned of trivia,
each with one derivation, and contradictions reported with the sentences behind them.

OWL 2 RL rules: https://www.w3.org/TR/owl2-profiles/#Reasoning_in_OWL_2_RL_and_RDF_Graphs_using_Rules
The rules run in defence_kg.build.rules, which records why each triple follows; owlrl, the reference
implementation, is the oracle its closure is tested against (tests/test_reasoning.py).
"""

from __future__ import annotations

import pickle
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import partial
from typing import BinaryIO

import pyoxigraph as ox
from rdflib.namespace import OWL, PROV, RDF, RDFS, XSD

from ..namespaces import NIF, Vocabulary
from . import rules
from .patch import asserted_quads
from .rules import Contradiction, Derivation, Reasoner

BUILT_IN_NAMESPACES = tuple(str(ns) for ns in (RDF, RDFS, OWL, XSD))


def _nodes(*terms) -> frozenset[ox.NamedNode]:
    return frozenset(ox.NamedNode(str(term)) for term in terms)


REFLEXIVE_TAUTOLOGIES = _nodes(OWL.sameAs, RDFS.subClassOf, RDFS.subPropertyOf,
                               OWL.equivalentClass, OWL.equivalentProperty)
UNIVERSAL_CLASSES = _nodes(OWL.Thing, RDFS.Resource)
UNIVERSAL_PREDICATES = _nodes(RDF.type, RDFS.subClassOf, RDFS.domain, RDFS.range)
SAME_AS, LABEL = ox.NamedNode(str(OWL.sameAs)), ox.NamedNode(str(RDFS.label))
WAS_DERIVED_FROM = ox.NamedNode(str(PROV.wasDerivedFrom))
ANCHOR_OF = ox.NamedNode(str(NIF.anchorOf))


@dataclass
class Inference:
    """The published inferences, their derivations, what was dropped and any contradictions."""

    triples: set[tuple]
    derivations: dict[tuple, Derivation] = field(default_factory=dict)
    dropped: Counter = field(default_factory=Counter)
    contradictions: list[str] = field(default_factory=list)
    state: State | None = None  # what a later build may continue from (infer_more)
    # Continued from the last release's state: the triples whose derivation was set or dropped
    # since, each with its derivation in the last release (None: none), so that explain.py
    # makes only their explanations anew; None from scratch.
    touched: dict[tuple, Derivation | None] | None = None


@dataclass
class State:
    """A closure to continue from: the reasoner after both phases of infer(), and what its
    input decided (the external aliases, the terms the axioms name, who is owl:sameAs another
    after the first phase). docs/design.md, "The reasoner's state between builds"."""

    reasoner: Reasoner
    aliases: set
    mentioned: set
    same: set

    def write(self, out: BinaryIO) -> None:
        """Pickle the state, without the pickler's memo: at 10M quads the memo grew the build
        by 1.5 GiB, its peak. What must stay one object is written once (Reasoner.__getstate__)
        or joined again on loading (__setstate__)."""
        pickler = pickle.Pickler(out, protocol=pickle.HIGHEST_PROTOCOL)
        pickler.fast = True
        pickler.dump(self)

    @staticmethod
    def read(file: BinaryIO) -> State:
        return pickle.load(file)

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        # The reasoner's why_trivial reads this set of aliases, which infer_more adds to.
        self.reasoner.ignore = partial(why_trivial, aliases=self.aliases)


def reasoner_input(quads: Iterable[ox.Quad], vocabulary: Vocabulary) -> Iterator[tuple]:
    """The triples of every graph but the derived ones and the identity links to other data
    sets (a triple in several graphs comes once per graph).

    With owl:sameAs to external IRIs in its input, a reasoner copies each of our triples onto
    each alias; we load none of those data sets, so the links would add nothing but copies.
    """
    excluded = {ox.NamedNode(str(graph)) for graph in
                (vocabulary.links_graph, *vocabulary.derived_graphs)}
    for quad in quads:
        if quad.graph_name not in excluded:
            yield quad.subject, quad.predicate, quad.object


def _noting_aliases(quads: Iterable[ox.Quad], vocabulary: Vocabulary,
                    aliases: set[ox.NamedNode]) -> Iterator[ox.Quad]:
    """The quads, unchanged; on the way, the IRIs of other data sets that the identity links
    name are added to `aliases`."""
    links = ox.NamedNode(str(vocabulary.links_graph))
    for quad in quads:
        if quad.graph_name == links and quad.predicate == SAME_AS \
                and isinstance(quad.object, ox.NamedNode):
            aliases.add(quad.object)
        yield quad


def infer(quads: Iterable[ox.Quad], store: ox.Store, vocabulary: Vocabulary,
          progress=None) -> Inference:
    """Close the asserted data and ontology under OWL 2 RL; keep what is worth publishing.
    `quads` are read once (a file being parsed will do); `store` holds the same quads: where
    a contradiction's premises are stated."""
    aliases: set[ox.NamedNode] = set()
    triples = list(reasoner_input(_noting_aliases(quads, vocabulary, aliases), vocabulary))
    mentioned = mentioned_terms(triples)
    active, inert = split_inert(triples, mentioned)
    del triples
    reasoner = Reasoner(active, ignore=partial(why_trivial, aliases=aliases)).run(progress)
    del active
    same = reasoner.same
    _add_inert_about(same, inert, reasoner, progress)
    del inert
    return _inference(reasoner, store, vocabulary, State(reasoner, aliases, mentioned, same))


def infer_more(state: State, added: Iterable[ox.Quad], store: ox.Store, vocabulary: Vocabulary,
               progress=None) -> Inference | str:
    """What infer() gives over the state's input and the `added` quads, continuing from the
    state; or, where continuing could differ from reasoning afresh, why (a sentence)."""
    aliases: set[ox.NamedNode] = set()
    triples = list(reasoner_input(_noting_aliases(added, vocabulary, aliases), vocabulary))
    new = aliases - state.aliases
    if new:  # why_trivial's verdicts change on triples that name them
        named = {term for triple in triples for term in triple}
        if any(state.reasoner.facts.known(a) or a in named for a in new):
            return "owl:sameAs links to other data sets' IRIs that the data names were added"
        state.aliases.update(new)  # the set the reasoner's why_trivial reads (pickled once)
    if any(p in SCHEMA_PREDICATES or o in CHARACTERISTICS for _, p, o in triples):
        return "schema triples (or owl:sameAs) were added"
    active, inert = split_inert(triples, state.mentioned)
    reasoner = state.reasoner
    reasoner.note_changes()
    reasoner.add(active).run(progress)
    if reasoner.same != state.same:  # the inert triples about them would join (infer's phase 2)
        return "individuals became owl:sameAs others"
    _add_inert_about(state.same, inert, reasoner, progress)
    return _inference(reasoner, store, vocabulary, state)


def _add_inert_about(same: set, inert: list[tuple], reasoner: Reasoner, progress) -> None:
    """infer()'s second phase: what holds of an individual holds of the same individual
    (eq-rep-s, eq-rep-o), so the inert triples about those that are owl:sameAs another join."""
    if same:
        reasoner.add(t for t in inert if t[0] in same or t[2] in same).run(progress)


def _inference(reasoner: Reasoner, store: ox.Store, vocabulary: Vocabulary,
               state: State) -> Inference:
    inference = Inference(reasoner.inferred, derivations=reasoner.derivations,
                          dropped=Counter(reasoner.ignored.values()), state=state)
    if reasoner.touched is not None:
        decode = reasoner.facts.triple_decoder()
        inference.touched = {
            decode(t): None if d is None else Derivation(d.rule, tuple(map(decode, d.premises)))
            for t, d in reasoner.touched.items()}
        reasoner.touched = None  # the state kept for the next build notes nothing yet
    inference.contradictions = [explain_contradiction(c, reasoner, store, vocabulary)
                                for c in reasoner.contradictions]
    return inference


SCHEMA_PREDICATES = frozenset(rules.VOCABULARY) - {rules.VOCABULARY[rules.TYPE]}
CHARACTERISTICS = frozenset(rules.VOCABULARY[c] for c in (
    rules.FUNCTIONAL_PROPERTY, rules.INVERSE_FUNCTIONAL_PROPERTY, rules.SYMMETRIC_PROPERTY,
    rules.TRANSITIVE_PROPERTY, rules.IRREFLEXIVE_PROPERTY, rules.ASYMMETRIC_PROPERTY))


def mentioned_terms(triples: Iterable[tuple]) -> set:
    """The terms the axioms name: a property no axiom names joins nothing (split_inert)."""
    mentioned = set()
    for s, p, o in triples:
        if p in SCHEMA_PREDICATES:
            mentioned.update((s, o))
        elif o in CHARACTERISTICS:
            mentioned.add(s)
    return mentioned


def split_inert(triples: Iterable[tuple], mentioned: set | None = None
                ) -> tuple[list[tuple], list[tuple]]:
    """The triples a rule can read, and the others: those whose predicate no axiom of the
    input names (a label, an offset, a sentence's text), which join nothing and only matter
    when their subject or object is owl:sameAs another (in half the data, and none of it
    need be indexed, encoded or visited by the reasoner). Typing triples always count.
    `mentioned`: mentioned_terms() of the whole input, if `triples` are only part of it."""
    triples = list(triples)
    if mentioned is None:
        mentioned = mentioned_terms(triples)
    active, inert = [], []
    typing = rules.VOCABULARY[rules.TYPE]
    for triple in triples:
        p = triple[1]
        keep = p == typing or p in SCHEMA_PREDICATES or p in mentioned
        (active if keep else inert).append(triple)
    return active, inert


def why_trivial(triple, aliases: set[ox.NamedNode] = frozenset()) -> str | None:
    """The rule for what is not published: the name of the first clause a triple meets, or None.

    - reflexive: `x owl:sameAs x`, `C rdfs:subClassOf C` and the other reflexive tautologies
    - literal-subject: a literal in subject position (generalised RDF, not RDF)
    - universal-class: `x rdf:type owl:Thing` (or `rdfs:Resource`), and `rdfs:subClassOf`,
      `rdfs:domain` or `rdfs:range` `owl:Thing`: true of everything, so saying nothing
    - built-in-vocabulary: statements about RDF, RDFS, OWL or XSD terms themselves
    - external-alias: a copy of a triple onto another data set's IRI
    """
    subject, predicate, obj = triple
    if isinstance(subject, ox.Literal):
        return "literal-subject"
    if predicate in REFLEXIVE_TAUTOLOGIES and subject == obj:
        return "reflexive"
    if predicate in UNIVERSAL_PREDICATES and obj in UNIVERSAL_CLASSES:
        return "universal-class"
    if isinstance(subject, ox.NamedNode) and subject.value.startswith(BUILT_IN_NAMESPACES):
        return "built-in-vocabulary"
    if subject in aliases or obj in aliases:
        return "external-alias"
    return None


def explain_contradiction(contradiction: Contradiction, reasoner: Reasoner, store: ox.Store,
                          vocabulary: Vocabulary) -> str:
    """The axiom broken, the resources involved, and where each premise comes from."""
    lines = [f"{contradiction.message} (OWL 2 RL rule {contradiction.rule})"]
    for premise in contradiction.premises:
        lines.append(f"  {_show(premise, store, vocabulary)}")
        lines.extend(f"    {origin}" for origin in _origins(premise, reasoner, store, vocabulary))
    return "\n".join(lines)


def _origins(triple, reasoner: Reasoner, store: ox.Store, vocabulary: Vocabulary,
             depth: int = 0) -> list[str]:
    """Where a triple comes from: the sentences that state it, or the rule that infers it."""
    if triple in reasoner.derivations:
        derivation = reasoner.derivations[triple]
        found = [f"inferred by {derivation.rule} from:"]
        for premise in derivation.premises:
            found.append(f"  {_show(premise, store, vocabulary)}")
            if depth < 4:
                deeper = _origins(premise, reasoner, store, vocabulary, depth + 1)
                found.extend("    " + line for line in deeper)
        return found
    found = []
    if any(isinstance(term, ox.BlankNode) for term in triple):
        return found  # the store labels blank nodes its own way: an axiom of the ontology
    graphs = {q.graph_name for q in _stated(store, vocabulary, *triple)}
    for graph in sorted(graphs, key=str):
        sentences = [q.object for q in _stated(store, vocabulary, graph, WAS_DERIVED_FROM, None)]
        for sentence in sorted(sentences, key=str):
            text = next((q.object.value for q in _stated(store, vocabulary, sentence, ANCHOR_OF,
                                                          None)), "")
            found.append(f"stated in {_value(sentence)}: \"{text}\"")
        if not sentences:
            found.append(f"stated in graph {graph.value}")
    return found


def _stated(store: ox.Store, vocabulary: Vocabulary, *pattern) -> Iterator[ox.Quad]:
    """The asserted quads that match: the store may also hold the last release's derived
    graphs and union (patch.py), which a build from scratch's does not have yet."""
    derived = frozenset(ox.NamedNode(str(graph)) for graph in vocabulary.derived_graphs)
    return asserted_quads(store, derived, *pattern)


def _show(triple, store: ox.Store, vocabulary: Vocabulary) -> str:
    return " ".join(_name(term, store, vocabulary) for term in triple)


def _name(term, store: ox.Store, vocabulary: Vocabulary) -> str:
    if not isinstance(term, ox.NamedNode):
        return str(term)
    labels = sorted(q.object.value for q in _stated(store, vocabulary, term, LABEL, None))
    name = _prefixed(term.value, vocabulary)
    return f"{name} ({labels[0]})" if labels else name


def _prefixed(iri: str, vocabulary: Vocabulary) -> str:
    for prefix, namespace in sorted(vocabulary.prefixes.items(), key=lambda p: -len(p[1])):
        if iri.startswith(namespace) and iri != namespace:
            return f"{prefix}:{iri[len(namespace):]}"
    return f"<{iri}>"


def _value(term) -> str:
    return term.value if isinstance(term, ox.NamedNode) else str(term)
