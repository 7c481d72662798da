"""The ontology: one versioned owl:Ontology, every term named and defined, inside OWL 2 RL."""

from __future__ import annotations

import re

import pyoxigraph as ox
import pytest
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS

from defence_kg.build.load import ONTOLOGY_FILE, data_files, load_sources
from defence_kg.build.reason import infer

ONTOLOGY_IRI = URIRef("https://w3id.org/defence-kg/ontology")
VERSION_IRI = URIRef("https://w3id.org/defence-kg/ontology/0.1.0")
CC_BY_4 = URIRef("https://creativecommons.org/licenses/by/4.0/")
DKO = "https://w3id.org/defence-kg/ontology#"
MILITARY_PLATFORM = URIRef(DKO + "MilitaryPlatform")
PARTNER_OF = URIRef(DKO + "partnerOf")
DKO_NAME = re.compile(r"\bdko:([A-Za-z][A-Za-z0-9-]*[A-Za-z0-9])")
TERM_KINDS = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, SKOS.Concept,
              SKOS.ConceptScheme)
# Class expressions OWL 2 RL forbids as a superclass (profile, table "superClassExpression").
NOT_RL_SUPERCLASS = (OWL.someValuesFrom, OWL.unionOf, OWL.minCardinality, OWL.cardinality,
                     OWL.minQualifiedCardinality, OWL.qualifiedCardinality, OWL.oneOf,
                     OWL.hasSelf)
NOT_RL_AXIOMS = (OWL.ReflexiveProperty, OWL.disjointUnionOf)

# Its assertions depend on data/: tests/test_many_sources.py runs it again with a second source.
pytestmark = pytest.mark.data


@pytest.fixture(scope="module")
def ontology(settings) -> Graph:
    return Graph().parse(settings.ontology_dir / ONTOLOGY_FILE)


def own_terms(ontology: Graph) -> set[URIRef]:
    return {term for kind in TERM_KINDS for term in ontology.subjects(RDF.type, kind)
            if str(term).startswith(DKO)}


def test_exactly_one_versioned_licensed_ontology(ontology):
    assert list(ontology.subjects(RDF.type, OWL.Ontology)) == [ONTOLOGY_IRI]
    assert ontology.value(ONTOLOGY_IRI, OWL.versionIRI) == VERSION_IRI
    assert ontology.value(ONTOLOGY_IRI, DCTERMS.license) == CC_BY_4
    for required in (DCTERMS.creator, DCTERMS.title, DCTERMS.description):
        assert ontology.value(ONTOLOGY_IRI, required) is not None, required


def test_ontology_defines_the_terms_other_code_relies_on(ontology):
    terms = own_terms(ontology)
    for name in ("MilitaryPlatform", "AirDefenceSystem", "FighterAircraft",
                 "MissileDefenceSystem", "State", "partnerOf"):
        assert URIRef(DKO + name) in terms, name


def test_every_term_has_an_english_label_and_a_definition(ontology):
    terms = own_terms(ontology)
    assert len(terms) > 60
    for term in sorted(terms):
        labels = [*ontology.objects(term, RDFS.label), *ontology.objects(term, SKOS.prefLabel)]
        assert any(isinstance(x, Literal) and x.language == "en" for x in labels), term
        definitions = list(ontology.objects(term, SKOS.definition))
        assert any(isinstance(x, Literal) and x.language == "en" for x in definitions), term


def test_every_own_term_used_in_data_shapes_or_queries_is_defined(settings, ontology):
    # A misspelt dko: name is a new, undefined term to RDF: nothing else would catch it.
    files = [*data_files(settings), settings.ontology_dir / "shapes.ttl",
             *settings.queries_dir.rglob("*.rq")]
    used = {URIRef(DKO + name) for path in files
            for name in DKO_NAME.findall(path.read_text(encoding="utf-8"))}
    assert len(used) > 30
    assert used <= own_terms(ontology), sorted(used - own_terms(ontology))


def test_no_construct_outside_owl2_rl(ontology):
    for cls, superclass in ontology.subject_objects(RDFS.subClassOf):
        if isinstance(superclass, BNode):
            for forbidden in NOT_RL_SUPERCLASS:
                assert ontology.value(superclass, forbidden) is None, (cls, forbidden)
    for forbidden in NOT_RL_AXIOMS:
        assert not list(ontology.subjects(RDF.type, forbidden))
        assert not list(ontology.subject_objects(forbidden))


def test_property_chains_use_named_properties_only(ontology):
    # Rule prp-spo2 joins triples whose predicates are the chain's members: a blank node
    # (an inverse expression) in a chain would never match a triple.
    chains = list(ontology.subject_objects(OWL.propertyChainAxiom))
    assert chains
    for _, head in chains:
        members = list(Collection(ontology, head))
        assert len(members) >= 2
        assert all(isinstance(member, URIRef) for member in members), members


def test_military_platform_is_never_asserted_in_data(settings):
    for path in data_files(settings):
        data = Dataset(default_union=True).parse(path)
        assert not list(data.subjects(RDF.type, MILITARY_PLATFORM)), path


def test_partnership_makes_each_state_a_partner_of_the_other_but_not_of_itself(dataset,
                                                                             settings):
    inferred = dataset.graph(settings.vocabulary.inferred_graph)
    first, second = URIRef(DKO + "firstPartner"), URIRef(DKO + "secondPartner")
    pairs = {(dataset.value(p, first), dataset.value(p, second))
             for p in set(dataset.subjects(first, None))}
    assert pairs
    for a, b in pairs:
        assert (a, PARTNER_OF, b) in inferred
        assert (b, PARTNER_OF, a) in inferred
    assert not [(a, b) for a, b in dataset.subject_objects(PARTNER_OF) if a == b]


def asserted_platforms(dataset, ontology: Graph) -> dict[URIRef, set[URIRef]]:
    """Each platform of the data -> the kinds of dko:MilitaryPlatform it is typed with."""
    kinds = set(ontology.transitive_subjects(RDFS.subClassOf, MILITARY_PLATFORM)) - {
        MILITARY_PLATFORM}
    found: dict[URIRef, set[URIRef]] = {}
    for s, _, o in dataset.triples((None, RDF.type, None)):
        if o in kinds:
            found.setdefault(s, set()).add(o)
    return found


def test_platforms_are_military_platforms_by_inference_only(dataset, settings, ontology):
    inferred = dataset.graph(settings.vocabulary.inferred_graph)
    platforms = set(inferred.subjects(RDF.type, MILITARY_PLATFORM))
    assert platforms == set(asserted_platforms(dataset, ontology))
    assert platforms


@pytest.mark.parametrize("wrong_type", ["State", "FighterAircraft"])
def test_a_wrong_typing_is_an_inconsistency(settings, wrong_type):
    # A platform that is not a fighter (an air or missile defence system): typing it as a state
    # or a fighter contradicts the disjointness axioms.
    quads = [q for source in load_sources(settings) for q in source.quads]
    a = ox.NamedNode(str(RDF.type))
    defences = {DKO + "AirDefenceSystem", DKO + "MissileDefenceSystem"}
    typed = min((q for q in quads if q.predicate == a and q.object.value in defences),
                key=lambda q: q.subject.value)
    quads.append(ox.Quad(typed.subject, a, ox.NamedNode(DKO + wrong_type), typed.graph_name))
    assert infer(quads, _store(quads), settings.vocabulary).contradictions


def test_the_real_data_is_consistent(settings):
    quads = [q for source in load_sources(settings) for q in source.quads]
    assert infer(quads, _store(quads), settings.vocabulary).contradictions == []


def _store(quads) -> ox.Store:
    store = ox.Store()
    store.bulk_extend(quads)
    return store
