"""The query engine: the built dataset in an embedded Oxigraph store (pyoxigraph).

rdflib parses, validates, reasons and serialises; Oxigraph answers queries, because rdflib's
SPARQL engine is 10-30x slower and mishandles comparisons of xsd:gYear values.
"""

from __future__ import annotations

import hashlib
from functools import cached_property
from itertools import islice

import pyoxigraph as ox

from ..rdf import canonical_quads, rdf_format
from ..release import release_fingerprint, served_files
from ..settings import Settings
from .querying import Answer, Boolean, Graph, Query, first_solutions


class QueryStore:
    """A read-only view of one release (plus any extra files) for SPARQL queries."""

    def __init__(self, store: ox.Store, settings: Settings, fingerprint: str | None = None):
        # The default graph is the union of the named graphs, written once as a set. Oxigraph's
        # use_default_graph_as_union would repeat a fact once per sentence graph holding it
        # (COUNT(*) counts it twice) and would override a query's own FROM clauses.
        store.bulk_extend([ox.Quad(q.subject, q.predicate, q.object) for q in store])
        self._store = store
        self.settings = settings
        if fingerprint is not None:
            self.fingerprint = fingerprint

    @classmethod
    def from_release(cls, settings: Settings) -> QueryStore:
        """Load the last good build and the files named by settings.load into memory."""
        store = ox.Store()
        for path in served_files(settings):
            store.bulk_load(path=str(path), format=rdf_format(path))
        return cls(store, settings, release_fingerprint(settings))

    @classmethod
    def from_dataset(cls, dataset, settings: Settings, quads=None) -> QueryStore:
        """A store over an rdflib Dataset still in memory (the build's quality checks use it);
        `quads`, its canonical_quads() if already computed."""
        store = ox.Store()
        store.bulk_extend(canonical_quads(dataset) if quads is None else quads)
        return cls(store, settings)

    @cached_property
    def fingerprint(self) -> str:
        """A digest of the data, the same for the same data: part of every result's ETag.
        A store loaded from files digests the files; any other store its quads."""
        digest = hashlib.sha256()
        for quad in self._store:
            digest.update(str(quad).encode())
        return digest.hexdigest()

    def query(self, text: str, default_graph_uris=(), named_graph_uris=(), base_iri=None):
        """Run a SPARQL query; without a protocol dataset the default graph is the union graph.

        A protocol dataset (either list non-empty) replaces the query's FROM / FROM NAMED
        entirely, as https://www.w3.org/TR/sparql11-protocol/#dataset requires.
        """
        options = {"base_iri": base_iri}
        if default_graph_uris or named_graph_uris:
            options["default_graph"] = [ox.NamedNode(u) for u in default_graph_uris]
            options["named_graphs"] = [ox.NamedNode(u) for u in named_graph_uris]
        return self._store.query(text, **options)

    def answer(self, query: Query, limit: int) -> Answer:
        """At most `limit` rows of a query's results, evaluated only as far as needed."""
        result = self.query(query.text, query.default_graphs, query.named_graphs, query.base_iri)
        if isinstance(result, ox.QueryBoolean):
            return Boolean(bool(result))
        if isinstance(result, ox.QuerySolutions):
            return first_solutions(result, limit)
        quads = [ox.Quad(t.subject, t.predicate, t.object) for t in islice(result, limit + 1)]
        return Graph(tuple(quads[:limit]), len(quads) > limit)

    def holds_graph(self, iri: str) -> bool:
        """Whether the data has a named graph with this IRI."""
        return self._store.contains_named_graph(ox.NamedNode(iri))

    def quads(self, subject=None, predicate=None, obj=None, graph_name=None):
        """The quads of the named graphs matching a pattern (None matches anything): the
        default graph only repeats them."""
        found = self._store.quads_for_pattern(subject, predicate, obj, graph_name)
        if graph_name is not None:
            return found
        return (quad for quad in found if not isinstance(quad.graph_name, ox.DefaultGraph))

    def graph_names(self) -> list[ox.NamedNode]:
        return sorted((g for g in self._store.named_graphs() if isinstance(g, ox.NamedNode)),
                      key=lambda graph: graph.value)

    def __len__(self) -> int:
        """The number of quads in the named graphs (the default graph only repeats them)."""
        union = self._store.quads_for_pattern(None, None, None, ox.DefaultGraph())
        return len(self._store) - sum(1 for _ in union)
