"""DESCRIBE answers: Oxigraph's concise bounded description of each resource, with the labels
of the resources it links to and the provenance of its statements (docs/design.md, "Named
graphs and provenance"). https://www.w3.org/TR/sparql11-query/#describe
"""

from __future__ import annotations

import pyoxigraph as ox

from ..store import QueryStore

CONTEXT = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX nif: <http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#>
CONSTRUCT {
  ?linked ?labelling ?label .
  ?graph prov:wasDerivedFrom ?sentence .
  ?sentence nif:anchorOf ?text .
} WHERE {
  VALUES ?resource { %s }
  {
    VALUES ?labelling { rdfs:label skos:prefLabel }
    ?resource ?p ?linked . FILTER(isIRI(?linked)) ?linked ?labelling ?label
  } UNION {
    GRAPH ?graph { ?resource ?q ?o }
    ?graph prov:wasDerivedFrom ?sentence
    OPTIONAL { ?sentence nif:anchorOf ?text }
  }
}"""


def describe(store: QueryStore, triples: list[ox.Triple], **dataset) -> list[ox.Quad]:
    """The description as quads: each statement in the graphs holding it (its sentences), then
    the linked labels and the graphs' sources in the default graph."""
    quads = []
    for t in triples:
        graphs = [q.graph_name for q in store.quads(t.subject, t.predicate, t.object)
                  if not isinstance(q.graph_name, ox.DefaultGraph)]
        for graph in graphs or [ox.DefaultGraph()]:
            quads.append(ox.Quad(t.subject, t.predicate, t.object, graph))
    resources = sorted({str(t.subject) for t in triples if isinstance(t.subject, ox.NamedNode)})
    if resources:
        context = store.query(CONTEXT % " ".join(resources), **dataset)
        quads += [ox.Quad(t.subject, t.predicate, t.object) for t in context]
    return quads
