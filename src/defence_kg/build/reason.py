"""The published OWL 2 RL closure: inferred triples apart from asserted ones, pruned of trivia,
each with one derivation, and contradictions reported with the sentences behind them.

OWL 2 RL rules: https://www.w3.org/TR/owl2-profiles/#Reasoning_in_OWL_2_RL_and_RDF_Graphs_using_Rules
The rules run in defence_kg.build.rules, which records why each triple follows; owlrl, the reference
implementation, is the oracle its closure is tested against (tests/test_reasoning.py).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

from rdflib import Dataset, Literal, URIRef
from rdflib.namespace import OWL, PROV, RDF, RDFS, XSD

from ..namespaces import NIF, Vocabulary
from .rules import Contradiction, Derivation, Reasoner

BUILT_IN_NAMESPACES = tuple(str(ns) for ns in (RDF, RDFS, OWL, XSD))
REFLEXIVE_TAUTOLOGIES = {OWL.sameAs, RDFS.subClassOf, RDFS.subPropertyOf, OWL.equivalentClass,
                         OWL.equivalentProperty}
UNIVERSAL_CLASSES = {OWL.Thing, RDFS.Resource}
UNIVERSAL_PREDICATES = {RDF.type, RDFS.subClassOf, RDFS.domain, RDFS.range}


@dataclass
class Inference:
    """The published inferences, their derivations, what was dropped and any contradictions."""

    triples: set[tuple]
    derivations: dict[tuple, Derivation] = field(default_factory=dict)
    dropped: Counter = field(default_factory=Counter)
    contradictions: list[str] = field(default_factory=list)


def reasoner_input(dataset: Dataset, vocabulary: Vocabulary) -> Iterator[tuple]:
    """The triples of every graph but the derived ones and the identity links to other data
    sets (a triple in several graphs comes once per graph).

    With owl:sameAs to external IRIs in its input, a reasoner copies each of our triples onto
    each alias; we load none of those data sets, so the links would add nothing but copies.
    """
    excluded = {vocabulary.links_graph, *vocabulary.derived_graphs}
    for graph in dataset.graphs():
        if graph.identifier not in excluded:
            yield from graph


def external_aliases(dataset: Dataset, vocabulary: Vocabulary) -> set[URIRef]:
    links = dataset.graph(vocabulary.links_graph)
    return {o for o in links.objects(None, OWL.sameAs) if isinstance(o, URIRef)}


def infer(dataset: Dataset, vocabulary: Vocabulary, progress=None) -> Inference:
    """Close the asserted data and ontology under OWL 2 RL; keep what is worth publishing."""
    aliases = external_aliases(dataset, vocabulary)
    reasoner = Reasoner(reasoner_input(dataset, vocabulary),
                        ignore=lambda triple: why_trivial(triple, aliases)).run(progress)
    inference = Inference(reasoner.inferred, derivations=reasoner.derivations,
                          dropped=Counter(reasoner.ignored.values()))
    inference.contradictions = [explain_contradiction(c, reasoner, dataset)
                                for c in reasoner.contradictions]
    return inference


def why_trivial(triple, aliases: set[URIRef] = frozenset()) -> str | None:
    """The rule for what is not published: the name of the first clause a triple meets, or None.

    - reflexive: `x owl:sameAs x`, `C rdfs:subClassOf C` and the other reflexive tautologies
    - literal-subject: a literal in subject position (generalised RDF, not RDF)
    - universal-class: `x rdf:type owl:Thing` (or `rdfs:Resource`), and `rdfs:subClassOf`,
      `rdfs:domain` or `rdfs:range` `owl:Thing`: true of everything, so saying nothing
    - built-in-vocabulary: statements about RDF, RDFS, OWL or XSD terms themselves
    - external-alias: a copy of a triple onto another data set's IRI
    """
    subject, predicate, obj = triple
    if isinstance(subject, Literal):
        return "literal-subject"
    if predicate in REFLEXIVE_TAUTOLOGIES and subject == obj:
        return "reflexive"
    if predicate in UNIVERSAL_PREDICATES and obj in UNIVERSAL_CLASSES:
        return "universal-class"
    if str(subject).startswith(BUILT_IN_NAMESPACES):
        return "built-in-vocabulary"
    if subject in aliases or obj in aliases:
        return "external-alias"
    return None


def explain_contradiction(contradiction: Contradiction, reasoner: Reasoner,
                          dataset: Dataset) -> str:
    """The axiom broken, the resources involved, and where each premise comes from."""
    lines = [f"{contradiction.message} (OWL 2 RL rule {contradiction.rule})"]
    for premise in contradiction.premises:
        lines.append(f"  {_show(premise, dataset)}")
        lines.extend(f"    {origin}" for origin in _origins(premise, reasoner, dataset))
    return "\n".join(lines)


def _origins(triple, reasoner: Reasoner, dataset: Dataset, depth: int = 0) -> list[str]:
    """Where a triple comes from: the sentences that state it, or the rule that infers it."""
    if triple in reasoner.derivations:
        derivation = reasoner.derivations[triple]
        found = [f"inferred by {derivation.rule} from:"]
        for premise in derivation.premises:
            found.append(f"  {_show(premise, dataset)}")
            if depth < 4:
                deeper = _origins(premise, reasoner, dataset, depth + 1)
                found.extend("    " + line for line in deeper)
        return found
    found = []
    for graph in sorted({g for *_, g in dataset.quads((*triple, None))}):
        sentences = list(dataset.objects(graph, PROV.wasDerivedFrom))
        for sentence in sentences:
            text = next(dataset.objects(sentence, NIF.anchorOf), "")
            found.append(f"stated in {sentence}: \"{text}\"")
        if not sentences:
            found.append(f"stated in graph {graph}")
    return found


def _show(triple, dataset: Dataset) -> str:
    return " ".join(_name(term, dataset) for term in triple)


def _name(term, dataset: Dataset) -> str:
    if not isinstance(term, URIRef):
        return term.n3()
    label = next(iter(sorted(dataset.objects(term, RDFS.label))), None)
    name = term.n3(dataset.namespace_manager)
    return f"{name} ({label})" if label else name
