"""The SPARQL 1.1 Service Description of the endpoint, as served on GET without a query.

https://www.w3.org/TR/sparql11-service-description/
"""

from __future__ import annotations

import pyoxigraph as ox
from flask import Request

from ..namespaces import SD
from ..settings import Settings
from ..stores.querying import Store
from .formats import GRAPHS, RESULTS

RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
SEE_ALSO = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#seeAlso")
FORMATS = tuple(f for f in GRAPHS if f.name in ("ttl", "jsonld", "rdf", "nt"))


def describe_service(request: Request, settings: Settings, store: Store) -> list[ox.Triple]:
    """sd:Service for the endpoint URL as served (from the request), its dataset and formats."""
    service, default_graph = ox.BlankNode(), ox.BlankNode()
    dataset = ox.NamedNode(settings.vocabulary.dataset_iri)

    def sd(term: str) -> ox.NamedNode:
        return ox.NamedNode(f"{SD}{term}")

    triples = [
        (service, RDF_TYPE, sd("Service")),
        (service, sd("endpoint"), ox.NamedNode(request.base_url)),
        (service, sd("supportedLanguage"), sd("SPARQL11Query")),
        (service, sd("feature"), sd("UnionDefaultGraph")),
        (service, sd("defaultDataset"), dataset),
        (dataset, RDF_TYPE, sd("Dataset")),
        (dataset, SEE_ALSO, ox.NamedNode(request.url_root + "dumps/void.ttl")),
        (dataset, sd("defaultGraph"), default_graph),
        (default_graph, RDF_TYPE, sd("Graph")),
    ]
    for f in (*RESULTS, *GRAPHS):
        triples.append((service, sd("resultFormat"), ox.NamedNode(f.syntax.iri)))
    for name in store.graph_names():
        named = ox.BlankNode()
        triples += [(dataset, sd("namedGraph"), named), (named, RDF_TYPE, sd("NamedGraph")),
                    (named, sd("name"), name)]
    return [ox.Triple(*t) for t in triples]
