"""Derivations are a function of the closure alone: the same whatever order the triples come
in, and whether they come at once or in parts (Reasoner.add after run, as an incremental
build continues a finished closure with a new report)."""

from __future__ import annotations

import io
import random

import pyoxigraph as ox
import pytest
from test_reasoning import parse

from defence_kg.build.load import load_sources
from defence_kg.build.reason import (
    SAME_AS,
    State,
    infer,
    infer_more,
    reasoner_input,
    split_inert,
    why_trivial,
)
from defence_kg.build.rules import Reasoner
from defence_kg.rdf import from_rdflib_graph

SUBCLASS_OF = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#subClassOf")


def outcome(reasoner: Reasoner) -> tuple:
    """Everything a run publishes or reports, decoded: nothing of the term dictionary."""
    return (reasoner.inferred, reasoner.derivations, reasoner.ignored,
            reasoner.contradictions)


def reason_in_parts(parts: list[list[tuple]]) -> Reasoner:
    reasoner = Reasoner(parts[0], ignore=why_trivial).run()
    for part in parts[1:]:
        reasoner.add(part).run()
    return reasoner


@pytest.fixture(scope="module")
def sources(settings) -> list[list[tuple]]:
    """The reasoner's input from each source file (the ontology, then each data file)."""
    return [list(reasoner_input(source.quads, settings.vocabulary))
            for source in load_sources(settings)]


@pytest.fixture(scope="module")
def at_once(sources) -> tuple:
    return outcome(Reasoner([t for part in sources for t in part], ignore=why_trivial).run())


@pytest.mark.data
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_derivations_do_not_depend_on_the_input_order(sources, at_once, seed):
    triples = [t for part in sources for t in part]
    random.Random(seed).shuffle(triples)
    assert at_once[1], "the real data infers something"
    assert outcome(Reasoner(triples, ignore=why_trivial).run()) == at_once


@pytest.mark.data
@pytest.mark.parametrize("order", ["as-read", "reversed"])
def test_adding_the_sources_one_by_one_gives_the_build_from_scratch(sources, at_once, order):
    parts = sources if order == "as-read" else sources[::-1]
    assert len(parts) > 2
    assert outcome(reason_in_parts(parts)) == at_once


@pytest.mark.data
@pytest.mark.parametrize("seed", [1, 2])
def test_adding_what_was_inferred_lowers_its_rank(sources, at_once, seed):
    """A second part that asserts triples the first part inferred, and others that make
    shallower derivations of known triples: ranks go down, and what depends on them too."""
    triples = [t for part in sources for t in part]
    random.Random(seed).shuffle(triples)
    half = len(triples) // 2
    first = Reasoner(triples[:half], ignore=why_trivial).run()
    restated = sorted(first.inferred, key=str)[::3]
    assert restated
    second = reason_in_parts([triples[:half], triples[half:] + restated])
    assert outcome(second) == outcome(Reasoner(triples + restated, ignore=why_trivial).run())


def test_a_shallower_derivation_replaces_a_deeper_one_and_its_dependents():
    graph = list(from_rdflib_graph(parse(
        ":A rdfs:subClassOf :B . :B rdfs:subClassOf :C . :C rdfs:subClassOf :D . :x a :A .")))
    shortcut = list(from_rdflib_graph(parse(":x a :C .")))
    continued = reason_in_parts([graph, shortcut])
    assert outcome(continued) == outcome(Reasoner(graph + shortcut).run())
    x, is_a, c = shortcut[0]
    d = ox.NamedNode("http://example.org/D")
    assert continued.derivations[x, is_a, d].premises == ((c, SUBCLASS_OF, d), (x, is_a, c))


def test_infer_continuing_with_the_inert_triples_is_the_closure_of_all(settings):
    """reason.infer reasons over the active triples, then adds the inert ones about
    individuals that are the same: the result is the one all triples give at once."""
    graph = parse(':p a owl:FunctionalProperty . :x :p :a , :b . :a rdfs:label "A" . '
                  ':c :q :b . :b rdfs:label "B" .')
    triples = list(from_rdflib_graph(graph))
    assert split_inert(triples)[1]
    quads = [ox.Quad(*t, ox.NamedNode("http://example.org/g")) for t in triples]
    store = ox.Store()
    store.bulk_extend(quads)
    inference = infer(quads, store, settings.vocabulary)
    at_once = Reasoner(triples, ignore=why_trivial).run()
    assert inference.triples == at_once.inferred
    assert inference.derivations == at_once.derivations


def _quads(turtle: str) -> list[ox.Quad]:
    return [ox.Quad(*t, ox.NamedNode("http://example.org/g"))
            for t in from_rdflib_graph(parse(turtle))]


def _infer_in_two(settings, first: str, then: str):
    """infer() over `first`, continued with `then` (the state pickled in between, as a build
    keeps it), and infer() over both at once."""
    before, added = _quads(first), _quads(then)
    store = ox.Store()
    store.bulk_extend(before + added)
    kept = io.BytesIO()
    infer(before, store, settings.vocabulary).state.write(kept)
    state = State.read(io.BytesIO(kept.getvalue()))
    return (infer_more(state, added, store, settings.vocabulary),
            infer(before + added, store, settings.vocabulary))


def test_a_kept_state_reads_back_whole(settings):
    """State.write pickles without a memo: the facts, ranks and derivations read back are
    those written, and the aliases why_trivial reads are the state's set, which infer_more
    adds to."""
    link = ox.Quad(ox.NamedNode("http://example.org/x"), SAME_AS,
                   ox.NamedNode("http://www.wikidata.org/entity/Q1"),
                   ox.NamedNode(str(settings.vocabulary.links_graph)))
    quads = [*_quads(BASE + " :x :p :a2 ."), link]
    store = ox.Store()
    store.bulk_extend(quads)
    kept = infer(quads, store, settings.vocabulary).state
    written = io.BytesIO()
    kept.write(written)
    state = State.read(io.BytesIO(written.getvalue()))
    before, after = kept.reasoner, state.reasoner
    assert after.facts.triples == before.facts.triples
    assert after._asserted == before._asserted and after._rank == before._rank
    assert after._derivations == before._derivations
    assert after.facts.decode_triple(next(iter(after.facts.triples))) == \
        before.facts.decode_triple(next(iter(after.facts.triples)))
    assert state.aliases == kept.aliases and after.ignore.keywords["aliases"] is state.aliases


BASE = (':p a owl:FunctionalProperty . :r rdfs:domain :D . :x :p :a . :a rdfs:label "A" . '
        ':c :q :b . :b rdfs:label "B" . :y :r :z .')


def test_continuing_from_a_kept_state_is_reasoning_afresh(settings):
    """A state kept after infer() and continued with added triples (active and inert, about
    individuals that are owl:sameAs others or not) gives what infer() over all gives."""
    continued, afresh = _infer_in_two(settings, BASE + " :x :p :a2 .",
                                      ':w :r :v . :a2 rdfs:label "A2" . :v rdfs:label "V" .')
    assert not isinstance(continued, str)
    for part in ("triples", "derivations", "dropped", "contradictions"):
        assert getattr(continued, part) == getattr(afresh, part)


@pytest.mark.parametrize("then, why", [
    (":s rdfs:subClassOf :T .", "schema triples"),
    (":q a owl:SymmetricProperty .", "schema triples"),
    (":x :p :b .", "became owl:sameAs"),  # the inert labels of :b would join
])
def test_continuing_falls_back_where_it_could_differ(settings, then, why):
    continued, _ = _infer_in_two(settings, BASE, then)
    assert isinstance(continued, str) and why in continued
