"""OWL 2 RL closure with owlrl, kept apart from the asserted triples and pruned of trivia.

OWL 2 RL rules: https://www.w3.org/TR/owl2-profiles/#Reasoning_in_OWL_2_RL_and_RDF_Graphs_using_Rules
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

import owlrl
from owlrl.Namespaces import ERRNS
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import OWL, PROV, RDF, RDFS, XSD

from .namespaces import NIF, Vocabulary

BUILT_IN_NAMESPACES = tuple(str(ns) for ns in (RDF, RDFS, OWL, XSD))
REFLEXIVE_TAUTOLOGIES = {OWL.sameAs, RDFS.subClassOf, RDFS.subPropertyOf, OWL.equivalentClass,
                         OWL.equivalentProperty}
UNIVERSAL_CLASSES = {OWL.Thing, RDFS.Resource}


@dataclass
class Inference:
    """The published inferences, what was dropped (by reason) and any contradictions found."""

    graph: Graph
    dropped: Counter = field(default_factory=Counter)
    contradictions: list[str] = field(default_factory=list)


def reasoner_input(dataset: Dataset, vocabulary: Vocabulary) -> Graph:
    """Every graph but the inferred one and the identity links to other data sets.

    With owl:sameAs to external IRIs in its input, owlrl copies each of our triples onto each
    alias; we load none of those data sets, so the links would add nothing but copies.
    """
    excluded = {vocabulary.links_graph, vocabulary.inferred_graph}
    merged = Graph()
    for graph in dataset.graphs():
        if graph.identifier not in excluded:
            for triple in graph:
                merged.add(triple)
    return merged


def external_aliases(dataset: Dataset, vocabulary: Vocabulary) -> set[URIRef]:
    links = dataset.graph(vocabulary.links_graph)
    return {o for o in links.objects(None, OWL.sameAs) if isinstance(o, URIRef)}


def infer(dataset: Dataset, vocabulary: Vocabulary) -> Inference:
    """Close the asserted data and ontology under OWL 2 RL; return only what is worth publishing."""
    asserted = reasoner_input(dataset, vocabulary)
    closure = Graph()
    for triple in asserted:
        closure.add(triple)
    # Axiomatic and datatype triples restate the RDF/OWL specifications: never published.
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics, axiomatic_triples=False,
                           datatype_axioms=False).expand(closure)

    inference = Inference(Graph())
    inference.contradictions = _contradictions(closure, dataset)
    aliases = external_aliases(dataset, vocabulary)
    for triple in closure:
        if triple in asserted or _is_error_report(triple, closure):
            continue
        reason = why_trivial(triple, aliases)
        if reason:
            inference.dropped[reason] += 1
        else:
            inference.graph.add(triple)
    return inference


def why_trivial(triple, aliases: set[URIRef] = frozenset()) -> str | None:
    """The rule for what is not published: the name of the first clause a triple meets, or None.

    - reflexive: `x owl:sameAs x`, `C rdfs:subClassOf C` and the other reflexive tautologies
    - literal-subject: a literal in subject position (generalised RDF, not RDF)
    - universal-type: `x rdf:type owl:Thing` or `rdfs:Resource`, and `C rdfs:subClassOf owl:Thing`
    - built-in-vocabulary: statements about RDF, RDFS, OWL or XSD terms themselves
    - external-alias: a copy of a triple onto another data set's IRI
    """
    subject, predicate, obj = triple
    if isinstance(subject, Literal):
        return "literal-subject"
    if predicate in REFLEXIVE_TAUTOLOGIES and subject == obj:
        return "reflexive"
    if predicate in (RDF.type, RDFS.subClassOf) and obj in UNIVERSAL_CLASSES:
        return "universal-type"
    if str(subject).startswith(BUILT_IN_NAMESPACES):
        return "built-in-vocabulary"
    if subject in aliases or obj in aliases:
        return "external-alias"
    return None


def _is_error_report(triple, closure: Graph) -> bool:
    subject = triple[0]
    return (subject, RDF.type, ERRNS.ErrorMessage) in closure


def _contradictions(closure: Graph, dataset: Dataset) -> list[str]:
    """owlrl's inconsistency messages, each followed by the sentences that state its resources."""
    messages = sorted(str(m) for m in closure.objects(None, ERRNS.error))
    return [_with_sources(message, dataset) for message in messages]


def _with_sources(message: str, dataset: Dataset) -> str:
    lines = [message]
    for iri in sorted(set(re.findall(r"[a-z]+://[^\s,()'\"]+", message))):
        resource = URIRef(iri)
        label = next(iter(sorted(dataset.objects(resource, RDFS.label))), None)
        lines.append(f"  {iri}" + (f" ({label})" if label else ""))
        for graph in sorted({g for _, _, _, g in dataset.quads((resource, None, None, None))}):
            for sentence in dataset.objects(graph, PROV.wasDerivedFrom):
                text = next(dataset.objects(sentence, NIF.anchorOf), "")
                lines.append(f"    stated in {sentence}: {text}")
    return "\n".join(lines)
