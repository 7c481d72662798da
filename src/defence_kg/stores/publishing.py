"""`defence-kg publish --to URL`: the built release into an external store, graph by graph.

SPARQL 1.1 Graph Store HTTP Protocol (https://www.w3.org/TR/sparql11-http-rdf-update/) and
SPARQL 1.1 Update (https://www.w3.org/TR/sparql11-update/). Each named graph replaces its
previous version in one request (PUT), so a reader sees a graph either whole before or whole
after. A store gives the blank nodes of each request fresh identities, so graphs that share a
blank node are written together, in one Update request. Then the graphs under the base that
this release no longer has are deleted, the default graph is made the union of the named graphs
(a set, as the embedded store's: embedded.py) inside the store, so its blank nodes stay the same
nodes, and last the release's fingerprint is recorded, which `serve --store` checks.
"""

from __future__ import annotations

import logging
import urllib.parse
from collections import defaultdict
from dataclasses import dataclass

import pyoxigraph as ox

from ..rdf import rdf_format
from ..release import release_fingerprint, served_files
from ..settings import Settings
from .http import StoreHttp, checked_url
from .remote import FINGERPRINT, FORM, NOT_RELEASE, RELEASE_GRAPH, RemoteStore

log = logging.getLogger(__name__)
N_TRIPLES = "application/n-triples"
# Writing a large graph takes longer than answering a query.
WRITE_SECONDS = 600
UNION = f"""DROP SILENT DEFAULT ;
INSERT {{ ?s ?p ?o }} WHERE {{ GRAPH ?g {{ ?s ?p ?o }} {NOT_RELEASE} }}"""


@dataclass(frozen=True)
class Published:
    graphs: int
    quads: int
    deleted: int
    fingerprint: str


def store_urls(settings: Settings) -> tuple[str, str]:
    """The Graph Store Protocol and Update URLs: as set, or beside the query URL
    (`…/query` or `…/sparql` -> `…/store` and `…/update`, Oxigraph server's layout)."""
    query = checked_url(settings.store)
    head, _, last = query.rstrip("/").rpartition("/")
    derived = last in ("query", "sparql")
    if not (settings.store_graph_url and settings.store_update_url) and not derived:
        raise ValueError(f"cannot tell the graph store and update URLs from {query}: give "
                         "--graph-store and --update-url (see docs/stores.md)")
    return (checked_url(settings.store_graph_url or f"{head}/store"),
            checked_url(settings.store_update_url or f"{head}/update"))


def publish_to_store(settings: Settings, http: StoreHttp | None = None) -> Published:
    """Replace the store's copy of the release (and of the files in settings.load)."""
    http = http or StoreHttp()
    graph_url, update_url = store_urls(settings)
    graphs: dict[ox.NamedNode, list[ox.Triple]] = defaultdict(list)
    for path in served_files(settings):
        for quad in ox.Dataset(ox.parse(path=str(path), format=rdf_format(path))):
            if isinstance(quad.graph_name, ox.NamedNode):
                graphs[quad.graph_name].append(quad.triple)
    fingerprint = release_fingerprint(settings)
    reader = RemoteStore(settings, fingerprint, http)
    held = reader.graph_names()

    def update(text: str) -> None:
        body = urllib.parse.urlencode({"update": text}).encode("ascii")
        http.request("POST", update_url, body=body, timeout=WRITE_SECONDS,
                     headers={"Content-Type": FORM})

    for group in _sharing_blank_nodes(graphs):
        if len(group) == 1:
            graph = group[0]
            body = ox.serialize(graphs[graph], format=ox.RdfFormat.N_TRIPLES)
            http.request("PUT", f"{graph_url}?{urllib.parse.urlencode({'graph': graph.value})}",
                         body=body, timeout=WRITE_SECONDS, headers={"Content-Type": N_TRIPLES})
        else:
            drops = [f"DROP SILENT GRAPH {graph}" for graph in group]
            data = " ".join(f"GRAPH {graph} {{ {_triples(graphs[graph])} }}" for graph in group)
            update(" ;\n".join([*drops, f"INSERT DATA {{ {data} }}"]))
    stale = [g for g in held if g.value.startswith(settings.base_uri) and g not in graphs]
    for graph in stale:
        http.request("DELETE", f"{graph_url}?{urllib.parse.urlencode({'graph': graph.value})}",
                     timeout=WRITE_SECONDS)
    update(UNION)
    update(f'DROP SILENT GRAPH {RELEASE_GRAPH} ;\nINSERT DATA {{ GRAPH {RELEASE_GRAPH} {{ '
           f'{RELEASE_GRAPH} {FINGERPRINT} "{fingerprint}" }} }}')
    return Published(len(graphs), sum(map(len, graphs.values())), len(stale), fingerprint)


def _triples(triples: list[ox.Triple]) -> str:
    """Triples in N-Triples syntax, which is also SPARQL's."""
    return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES).decode("utf-8")


def _sharing_blank_nodes(graphs: dict) -> list[list[ox.NamedNode]]:
    """The graphs in groups, two graphs in one group when they share a blank node."""
    group_of = {graph: graph for graph in graphs}

    def root(graph):
        while group_of[graph] != graph:
            graph = group_of[graph]
        return graph

    first_graph = {}
    for graph, triples in graphs.items():
        for triple in triples:
            for term in (triple.subject, triple.object):
                if isinstance(term, ox.BlankNode):
                    other = first_graph.setdefault(term, graph)
                    group_of[root(graph)] = root(other)
    groups = defaultdict(list)
    for graph in graphs:
        groups[root(graph)].append(graph)
    return list(groups.values())
