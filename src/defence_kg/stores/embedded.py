"""The query engine: the built dataset in an embedded Oxigraph store (pyoxigraph).

Oxigraph answers queries, because rdflib's SPARQL engine is 10-30x slower and mishandles
comparisons of xsd:gYear values. A release holds its store on disk (build/assemble.py), which
every worker process opens read-only: the server starts at once whatever the size, and the
operating system's page cache, shared by the workers, holds what queries read. The release can
also be loaded into memory (`embedded_store = "memory"`, and always with extra files to serve).
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from functools import cached_property
from itertools import islice
from pathlib import Path

import pyoxigraph as ox

from ..rdf import rdf_format
from ..release import REPORT_NAME, release_fingerprint, release_store, served_files
from ..settings import Settings
from .querying import Answer, Boolean, Graph, Query, first_solutions

ON_DISK, IN_MEMORY = "disk", "memory"


class QueryStore:
    """A read-only view of one release (plus any extra files) for SPARQL queries."""

    def __init__(self, store: ox.Store | Path, settings: Settings,
                 fingerprint: str | None = None, quads: int | None = None):
        """`store`: a store in memory holding named graphs, whose default graph is made their
        union here; or the location of a store on disk that has it already, opened read-only
        once in each process that queries it (a RocksDB handle is not shared across a fork)."""
        if isinstance(store, ox.Store):
            # The default graph is the union of the named graphs, written once as a set.
            # Oxigraph's use_default_graph_as_union would repeat a fact once per sentence graph
            # holding it (COUNT(*) counts it twice) and would override a query's own FROM.
            store.bulk_extend([ox.Quad(q.subject, q.predicate, q.object) for q in store])
            self._store, self._location = store, None
        else:
            self._store, self._location = None, store
        self._pid: int | None = None
        self._lock = threading.Lock()
        self.settings = settings
        self._quads = quads
        if fingerprint is not None:
            self.fingerprint = fingerprint

    @classmethod
    def from_release(cls, settings: Settings) -> QueryStore:
        """The last good build, on disk as written by the build; or loaded into memory, with
        the files named by settings.load (a store on disk is read-only)."""
        location = release_store(settings.release_dir.resolve())
        if settings.embedded_store == ON_DISK and not settings.load and location.is_dir():
            report = json.loads((settings.release_dir / REPORT_NAME).read_text("utf-8"))
            return cls(location, settings, release_fingerprint(settings),
                       report["triples"]["quads"])
        store = ox.Store()
        for path in served_files(settings):
            store.bulk_load(path=str(path), format=rdf_format(path))
        return cls(store, settings, release_fingerprint(settings))

    @property
    def _here(self) -> ox.Store:
        """The store, opened in this process."""
        if self._location is not None and self._pid != os.getpid():
            with self._lock:
                if self._pid != os.getpid():
                    self._store = ox.Store.read_only(str(self._location))
                    self._pid = os.getpid()
        return self._store

    @cached_property
    def fingerprint(self) -> str:
        """A digest of the data, the same for the same data: part of every result's ETag.
        A store loaded from files digests the files; any other store its quads."""
        digest = hashlib.sha256()
        for quad in self._here:
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
        return self._here.query(text, **options)

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
        return self._here.contains_named_graph(ox.NamedNode(iri))

    def quads(self, subject=None, predicate=None, obj=None, graph_name=None):
        """The quads of the named graphs matching a pattern (None matches anything): the
        default graph only repeats them."""
        found = self._here.quads_for_pattern(subject, predicate, obj, graph_name)
        if graph_name is not None:
            return found
        return (quad for quad in found if not isinstance(quad.graph_name, ox.DefaultGraph))

    def graph_names(self) -> list[ox.NamedNode]:
        return sorted((g for g in self._here.named_graphs() if isinstance(g, ox.NamedNode)),
                      key=lambda graph: graph.value)

    def __len__(self) -> int:
        """The number of quads in the named graphs (the default graph only repeats them)."""
        if self._quads is None:
            union = self._here.quads_for_pattern(None, None, None, ox.DefaultGraph())
            self._quads = len(self._here) - sum(1 for _ in union)
        return self._quads
