"""An external SPARQL store answering the endpoint's queries, over the SPARQL 1.1 Protocol.

https://www.w3.org/TR/sparql11-protocol/#query-operation

Every query is first parsed here by an empty embedded Oxigraph store, so a malformed query gets
the same 400 and message whatever the store, and its form says which format to ask for; the
store's answer is read by pyoxigraph, lazily, and the row cap stops reading. The HTTP timeout
is the query's deadline: the endpoint answers 503 on time, while the store may go on working
until its own timeout stops it (docs/stores.md). The store must hold the release being served:
`defence-kg publish` writes its fingerprint into the graph RELEASE_GRAPH, checked at start.
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Iterator
from itertools import islice

import pyoxigraph as ox

from ..release import release_fingerprint
from ..settings import Settings
from .http import StoreHttp, checked_url
from .querying import Answer, Boolean, Graph, Query, first_solutions, query_form

# Where `publish` records which release a store holds; not part of the data served.
RELEASE_GRAPH = ox.NamedNode("urn:x-defence-kg:release")
FINGERPRINT = ox.NamedNode("http://purl.org/dc/terms/identifier")
SOLUTIONS_TYPE = "application/sparql-results+json"
TRIPLES_TYPE = "application/n-triples, text/turtle;q=0.9, application/rdf+xml;q=0.8"
NOT_RELEASE = f"FILTER(?g != {RELEASE_GRAPH})"
FORM = "application/x-www-form-urlencoded"
SERVICE = re.compile(r"\bservice\b", re.IGNORECASE)
FORMS = {"select": ox.QuerySolutions, "ask": ox.QueryBoolean, "construct": ox.QueryTriples,
         "describe": ox.QueryTriples}


class StoreMismatch(ValueError):
    """The external store holds another release than the one the server would serve."""


class RemoteStore:
    """The Store (stores/querying.py) of the data published to an external SPARQL store."""

    def __init__(self, settings: Settings, fingerprint: str, http: StoreHttp | None = None):
        self.settings = settings
        self.url = checked_url(settings.store)
        self.fingerprint = fingerprint
        self._http = http or StoreHttp()
        self._parser = ox.Store()  # empty: it only parses, as the embedded store would

    @classmethod
    def connect(cls, settings: Settings) -> RemoteStore:
        """The store at settings.store, once it is known to hold the release to be served."""
        expected = release_fingerprint(settings)
        store = cls(settings, expected)
        held = store.published_fingerprint()
        if held != expected:
            found = f"release {held[:16]}" if held else "no release of defence-kg"
            raise StoreMismatch(
                f"the SPARQL store at {store.url} holds {found}, not the release to be served "
                f"({expected[:16]}, {settings.release_dir} with {len(settings.load)} more "
                f"files): run `defence-kg publish --to {store.url}` with the same files first")
        return store

    def published_fingerprint(self) -> str | None:
        rows = list(self.query(f"SELECT ?f {{ GRAPH {RELEASE_GRAPH} {{ ?r {FINGERPRINT} ?f }} }}"))
        return rows[0]["f"].value if rows else None

    def query(self, text: str, default_graph_uris=(), named_graph_uris=(), base_iri=None):
        """The answer, read whole: QuerySolutions, a QueryBoolean or a list of Triples."""
        form = self._form(text, base_iri)
        response = self._send(text, default_graph_uris, named_graph_uris, base_iri, form)
        return _read(response.data, response.headers.get("Content-Type", ""), form)

    def answer(self, query: Query, limit: int) -> Answer:
        """At most `limit` rows, read from the store's answer as it arrives."""
        form = self._form(query.text, query.base_iri)
        response = self._send(query.text, query.default_graphs, query.named_graphs,
                              query.base_iri, form, stream=True)
        content_type = response.headers.get("Content-Type", "")
        try:
            if form is ox.QueryBoolean:
                return Boolean(bool(_read(response.read(), content_type, form)))
            if form is ox.QuerySolutions:
                return first_solutions(_read(response, content_type, form), limit)
            quads = [ox.Quad(t.subject, t.predicate, t.object)
                     for t in islice(_read(response, content_type, form), limit + 1)]
            return Graph(tuple(quads[:limit]), len(quads) > limit)
        except SyntaxError as error:
            raise OSError(f"the SPARQL store's answer could not be read: {error}") from None
        finally:
            response.close()
            response.release_conn()

    def holds_graph(self, iri: str) -> bool:
        node = ox.NamedNode(iri)
        return node != RELEASE_GRAPH and bool(self.query(f"ASK {{ GRAPH {node} {{ ?s ?p ?o }} }}"))

    def quads(self, subject=None, predicate=None, obj=None, graph_name=None) -> Iterator[ox.Quad]:
        terms = (subject, predicate, obj, graph_name)
        if any(isinstance(term, ox.BlankNode | ox.DefaultGraph) for term in terms):
            raise ValueError("an external store's blank nodes cannot be named in a query")
        s, p, o, g = (str(term) if term is not None else f"?{name}"
                      for term, name in zip(terms, "spog", strict=True))
        text = f"SELECT * {{ GRAPH {g} {{ {s} {p} {o} }} {NOT_RELEASE if g == '?g' else ''} }}"
        for row in self.query(text):
            yield ox.Quad(*(term if term is not None else row[name]
                            for term, name in zip(terms, "spog", strict=True)))

    def graph_names(self) -> list[ox.NamedNode]:
        text = f"SELECT DISTINCT ?g {{ GRAPH ?g {{ ?s ?p ?o }} {NOT_RELEASE} }}"
        return sorted((row["g"] for row in self.query(text)), key=lambda graph: graph.value)

    def __len__(self) -> int:
        text = f"SELECT (COUNT(*) AS ?n) {{ GRAPH ?g {{ ?s ?p ?o }} {NOT_RELEASE} }}"
        return int(next(iter(self.query(text)))["n"].value)

    def _form(self, text: str, base_iri: str | None) -> type:
        """QuerySolutions, QueryBoolean or QueryTriples; SyntaxError, with Oxigraph's message
        and position, for a malformed query."""
        if SERVICE.search(text):
            # Even an empty store evaluates SERVICE (ASK at once): that would fetch from the
            # remote endpoint twice. The form is read from the text; the store checks syntax.
            return FORMS.get(query_form(text), ox.QuerySolutions)
        return type(self._parser.query(text, base_iri=base_iri))

    def _send(self, text, default_graph_uris, named_graph_uris, base_iri, form, stream=False):
        # The protocol has no base IRI parameter: relative IRIs resolve against the endpoint
        # the client asked, so its URL is declared first (a later BASE in the query wins).
        # Sent as a form, which every store reads (Virtuoso 7 does not read a query as the body).
        fields = [("query", f"BASE <{base_iri}>\n{text}" if base_iri else text)]
        fields += [("default-graph-uri", uri) for uri in default_graph_uris]
        fields += [("named-graph-uri", uri) for uri in named_graph_uris]
        accept = TRIPLES_TYPE if form is ox.QueryTriples else SOLUTIONS_TYPE
        return self._http.request(
            "POST", self.url, body=urllib.parse.urlencode(fields).encode("ascii"),
            timeout=self.settings.query_timeout, stream=stream,
            headers={"Content-Type": FORM, "Accept": accept})


def _read(data, content_type: str, form: type):
    """The store's answer, in the format its Content-Type names, by pyoxigraph's parsers."""
    media_type = content_type.split(";")[0].strip()
    if form is ox.QueryTriples:
        rdf_format = ox.RdfFormat.from_media_type(media_type)
        if rdf_format is None:
            raise OSError(f"the SPARQL store answered in {media_type!r}, not an RDF format")
        return ox.parse(data, format=rdf_format)
    results_format = ox.QueryResultsFormat.from_media_type(media_type)
    if results_format is None:
        raise OSError(f"the SPARQL store answered in {media_type!r}, not a results format")
    return ox.parse_query_results(data, format=results_format)
