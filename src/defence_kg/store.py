"""The query engine: the built dataset in an embedded Oxigraph store (pyoxigraph).

rdflib parses, validates, reasons and serialises; Oxigraph answers queries, because rdflib's
SPARQL engine is 10-30x slower and mishandles comparisons of xsd:gYear values.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from .settings import Settings

DUMP_NAME = "defence-kg"


def release_nquads(release_dir: Path) -> Path:
    """The N-Quads dump of a release: every named graph, the input of every store."""
    return release_dir / "dumps" / f"{DUMP_NAME}.nq"


class QueryStore:
    """A read-only view of one release (plus any extra files) for SPARQL queries."""

    def __init__(self, store: ox.Store, settings: Settings):
        self._store = store
        self.settings = settings

    @classmethod
    def from_release(cls, settings: Settings) -> QueryStore:
        """Load the last good build and the files named by settings.load into memory."""
        store = ox.Store()
        files = [release_nquads(settings.release_dir), *settings.load]
        for path in files:
            store.bulk_load(path=str(path), format=ox.RdfFormat.from_extension(Path(path).suffix[1:]))
        return cls(store, settings)

    def query(self, text: str, default_graph_uris=(), named_graph_uris=()):
        """Run a SPARQL query; without a protocol dataset the default graph is the union graph."""
        options = {"use_default_graph_as_union": not default_graph_uris}
        if default_graph_uris:
            options["default_graph"] = [ox.NamedNode(u) for u in default_graph_uris]
        if named_graph_uris:
            options["named_graphs"] = [ox.NamedNode(u) for u in named_graph_uris]
        return self._store.query(text, **options)

    def __len__(self) -> int:
        return len(self._store)
