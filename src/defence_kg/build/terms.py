"""Every class and property the data uses is declared: in the ontology, or in a vocabulary it
reuses. A misspelt or invented term is a new IRI to RDF, which no other check would catch."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

import pyoxigraph as ox
from rdflib.namespace import (
    DCAT, DCTERMS, ORG, OWL, PROV, RDF, RDFS, SDO, SKOS, TIME, VOID, XSD, DefinedNamespace,
)

from ..namespaces import NIF
from ..settings import Settings
from .lines import RdfFile
from .load import ONTOLOGY_FILE

RDF_TYPE = str(RDF.type)
# What the ontology declares a term with.
CLASS_KINDS = {str(OWL.Class), str(RDFS.Class), str(RDFS.Datatype)}
PROPERTY_KINDS = {str(k) for k in (
    RDF.Property, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty,
    OWL.FunctionalProperty, OWL.InverseFunctionalProperty, OWL.SymmetricProperty,
    OWL.AsymmetricProperty, OWL.TransitiveProperty, OWL.ReflexiveProperty,
    OWL.IrreflexiveProperty)}
# The vocabularies the ontology reuses, with rdflib's lists of their terms.
DEFINED_NAMESPACES: tuple[type[DefinedNamespace], ...] = (
    RDF, RDFS, OWL, XSD, SKOS, DCTERMS, PROV, SDO, TIME, ORG, VOID, DCAT)
# NIF 2.0 Core, which rdflib does not list: the classes and properties of
# http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core/nif-core.ttl
NIF_TERMS = (
    "String Context RFC5147String ContextHashBasedString OffsetBasedString CStringInst CString "
    "URIScheme Structure Word Phrase Sentence Paragraph Title ContextCollection Annotation "
    "referenceContext isString beginIndex endIndex anchorOf annotation literalAnnotation "
    "classAnnotation inter hasContext sourceUrl wasConvertedFrom broaderContext narrowerContext "
    "before after head tail contextAsLiteral predLang lang subString subStringTrans superString "
    "superStringTrans nextSentence nextSentenceTrans previousSentence previousSentenceTrans word "
    "firstWord lastWord sentence nextWord nextWordTrans previousWord previousWordTrans lemma stem "
    "oliaLink oliaCategory oliaConf oliaProv posTag category taMsClassRef dependency "
    "dependencyRelationType dependencyTrans sentimentValue opinion topic keyword confidence"
).split()
SUGGESTIONS = 3


@dataclass(frozen=True)
class Declared:
    """The classes and the properties the data may use."""

    classes: frozenset[str]
    properties: frozenset[str]

    @classmethod
    def by(cls, ontology: RdfFile) -> Declared:
        """The ontology's own declarations, and the terms of the vocabularies it reuses, told
        apart by the RDF naming convention (classes capitalised, properties not)."""
        classes, properties = set(), set()
        for quad in ontology.quads:
            if quad.predicate.value == RDF_TYPE and isinstance(quad.subject, ox.NamedNode):
                if quad.object.value in CLASS_KINDS:
                    classes.add(quad.subject.value)
                elif quad.object.value in PROPERTY_KINDS:
                    properties.add(quad.subject.value)
        reused = [f"{namespace._NS}{name}" for namespace in DEFINED_NAMESPACES
                  for name in (*namespace.__annotations__, *getattr(namespace, "_extras", ()))]
        reused += [f"{NIF}{name}" for name in NIF_TERMS]
        for term in reused:
            local = term.rsplit("#", 1)[-1].rsplit("/", 1)[-1]
            is_class = local[:1].isupper() or term.startswith(str(XSD))  # datatypes: xsd:date
            (classes if is_class else properties).add(term)
        return cls(frozenset(classes), frozenset(properties))


class UndeclaredTerms:
    """One problem per undeclared term and file: `file:line: term …`, with the closest terms;
    read() one file at a time."""

    def __init__(self, settings: Settings):
        self.declared = Declared.by(RdfFile.read(settings.ontology_dir / ONTOLOGY_FILE,
                                                 settings))
        self.problems: list[str] = []

    def read(self, file: RdfFile) -> None:
        used: dict[str, str] = {}  # term -> "class" or "property", in order of first use
        for quad in file.quads:
            used.setdefault(quad.predicate.value, "property")
            if quad.predicate.value == RDF_TYPE and isinstance(quad.object, ox.NamedNode):
                used.setdefault(quad.object.value, "class")
        for term, kind in used.items():
            known = self.declared.classes if kind == "class" else self.declared.properties
            if term not in known:
                self.problems.append(f"{file.where(term)}: {file.name(term)} is not a {kind} "
                                     f"declared in the ontology or a vocabulary it reuses"
                                     + _suggest(term, known, file))


def _suggest(term: str, known: frozenset[str], file: RdfFile) -> str:
    """The closest declared terms, compared as the curator reads them (prefixed names)."""
    names = {file.name(k).lower(): k for k in known}
    close = difflib.get_close_matches(file.name(term).lower(), names, n=SUGGESTIONS, cutoff=0.6)
    if not close:
        return ""
    return "; did you mean " + " or ".join(file.name(names[c]) for c in close) + "?"
