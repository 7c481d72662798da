"""Explanations: the graphs named for an asserted premise, found in the sorted asserted N-Quads,
are those an Oxigraph store holding the same quads finds, whatever the premise's terms."""

from __future__ import annotations

import pyoxigraph as ox

from defence_kg.build.assemble import sort_lines, write_quads
from defence_kg.build.explain import DERIVED_FROM, SUBJECT, explanation_lines, statement_iri
from defence_kg.build.rules import Derivation
from defence_kg.namespaces import Vocabulary

X = "http://example.org/"
XSD = "http://www.w3.org/2001/XMLSchema#"


def _iri(name: str) -> ox.NamedNode:
    return ox.NamedNode(X + name)


# Objects whose N-Triples texts escape, tag, type, or begin like one another's.
OBJECTS = [
    ox.Literal('say "no" \\ then\nnewline\ttab\r\x00\x1f\x7f é 😀'),
    ox.Literal("a"), ox.Literal("a b"), ox.Literal("a", language="en"),
    ox.Literal("a", language="en-GB"), ox.Literal("1", datatype=ox.NamedNode(XSD + "integer")),
    ox.Literal("s", datatype=ox.NamedNode(XSD + "string")),
    _iri("o"), _iri("o/longer"), _iri("é%20x"), ox.BlankNode("c14n0"),
]


def test_premises_name_the_graphs_a_store_finds(tmp_path):
    vocabulary = Vocabulary(X)
    inferred = ox.NamedNode(str(vocabulary.inferred_graph))
    graphs = [_iri("g/1"), _iri("g/2"), _iri("g/10"), inferred]
    premises = [(subject, _iri("p"), obj) for subject in (_iri("s"), ox.BlankNode("c14n1"))
                for obj in OBJECTS]
    # Each premise in some of the graphs (one in none: asserted nowhere, named nowhere), some
    # in a derived graph, which no explanation names.
    quads = [ox.Quad(*premise, graph) for number, premise in enumerate(premises)
             for bit, graph in enumerate(graphs) if number + 1 & (1 << bit)]
    with open(tmp_path / "asserted.nq", "wb") as out:
        write_quads(quads, out)
    asserted = sort_lines([tmp_path / "asserted.nq"], tmp_path / "sorted.nq")
    conclusion = (_iri("s"), _iri("q"), _iri("o"))
    derivations = {conclusion: Derivation("cax-sco", tuple(premises))}
    explanations = ox.NamedNode(str(vocabulary.explanations_graph))

    lines = set(explanation_lines([conclusion], derivations, asserted, vocabulary,
                                  explanations))

    store = ox.Store()
    store.extend(quads)
    expected = {f"{statement_iri(q.triple, vocabulary)} {DERIVED_FROM} {q.graph_name} "
                f"{explanations} .\n" for premise in premises
                for q in store.quads_for_pattern(*premise)
                if q.graph_name != inferred}
    named = {line for line in lines if f" {DERIVED_FROM} <{X}g/" in line}
    assert len(expected) > len(premises)  # some premises are held in several graphs
    assert named == expected
    assert sum(f" {SUBJECT} " in line for line in lines) == len(premises) + 1
