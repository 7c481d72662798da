"""The project's namespaces, graph names and prefix bindings (see docs/design.md, "URIs")."""

from rdflib import Namespace
from rdflib.namespace import DCAT, DCTERMS, OWL, PROV, RDF, RDFS, SKOS, TIME, VOID, XSD

# Written in every file of the repository; a deployment may publish under another base,
# and the loader rewrites IRIs from this one (see rebase()).
CANONICAL_BASE = "https://w3id.org/defence-kg/"

NIF = Namespace("http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#")
ORG = Namespace("http://www.w3.org/ns/org#")
SCHEMA = Namespace("https://schema.org/")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
SH = Namespace("http://www.w3.org/ns/shacl#")

STANDARD_PREFIXES = {
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "owl": str(OWL),
    "xsd": str(XSD),
    "skos": str(SKOS),
    "dcterms": str(DCTERMS),
    "prov": str(PROV),
    "time": str(TIME),
    "schema": str(SCHEMA),
    "org": str(ORG),
    "nif": str(NIF),
    "void": str(VOID),
    "dcat": str(DCAT),
}


class Vocabulary:
    """The project's own namespaces under one base IRI."""

    def __init__(self, base: str = CANONICAL_BASE):
        self.base = base
        self.id = Namespace(base + "id/")
        self.ontology = Namespace(base + "ontology#")
        self.graph = Namespace(base + "graph/")
        self.ontology_iri = base + "ontology"
        self.dataset_iri = base + "dataset"
        self.ontology_graph = self.graph["ontology"]
        self.inferred_graph = self.graph["inferred"]
        self.links_graph = self.graph["links"]
        self.explanations_graph = self.graph["explanations"]
        # Written by the build, never by hand: not input to validation or reasoning.
        self.derived_graphs = frozenset({self.inferred_graph, self.explanations_graph})

    @property
    def prefixes(self) -> dict[str, str]:
        """Prefix bindings for serialisations and query editors, ours first."""
        return {
            "dkg": str(self.id),
            "dko": str(self.ontology),
            "dkgg": str(self.graph),
            **STANDARD_PREFIXES,
        }

    def rebase(self, text: str) -> str:
        """Rewrite the canonical base in a file's text or a query to this vocabulary's base."""
        if self.base == CANONICAL_BASE:
            return text
        return text.replace(CANONICAL_BASE, self.base)
