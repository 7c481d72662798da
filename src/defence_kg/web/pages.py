"""The home page (what the data set is, its dumps, the saved queries, a query form) and /health."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox
from flask import Blueprint, jsonify, render_template, url_for

from ..stores.querying import Store
from .formats import GRAPHS, RESULTS
from .state import state

bp = Blueprint("pages", __name__)
DCT = "PREFIX dct: <http://purl.org/dc/terms/>\n"
DATASET = DCT + """SELECT (SAMPLE(?t) AS ?title) (SAMPLE(?d) AS ?description) {{
  OPTIONAL {{ {dataset} dct:title ?t }} OPTIONAL {{ {dataset} dct:description ?d }} }}"""
SOURCES = DCT + """PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?source (SAMPLE(?t) AS ?title) (SAMPLE(?l) AS ?publisher) (SAMPLE(?i) AS ?issued) {{
  {dataset} dct:source ?source
  OPTIONAL {{ ?source dct:title ?t }} OPTIONAL {{ ?source dct:publisher/rdfs:label ?l }}
  OPTIONAL {{ ?source dct:issued ?i }}
}} GROUP BY ?source ORDER BY DESC(?issued) DESC(?source) LIMIT {limit}"""
COUNT_SOURCES = DCT + "SELECT (COUNT(DISTINCT ?source) AS ?n) {{ {dataset} dct:source ?source }}"
# The home page lists the latest sources, not all: a data set of many reports (36k at 10M
# quads) would make a page of megabytes. The VoID description lists them all.
HOME_SOURCES = 50


@dataclass(frozen=True)
class SavedQuery:
    name: str
    question: str
    text: str


@bp.get("/")
def home():
    settings, release = state().settings, state().release
    dumps = sorted(p for p in (release / "dumps").iterdir() if p.is_file())
    queries = [read_saved_query(p, settings.vocabulary.rebase)
               for p in sorted(settings.queries_dir.glob("*.rq"))]
    title, description, sources, count = describe_dataset(state().void,
                                                          settings.vocabulary.dataset_iri)
    return render_template(
        "home.html", title=title, description=description, sources=sources,
        source_count=count, dumps=dumps,
        queries=queries,
        endpoint=url_for("sparql.endpoint", _external=True), quads=state().quads,
        formats=[f.name for f in (*RESULTS, *GRAPHS)],
        example=queries[0].text if queries else "SELECT * WHERE { ?s ?p ?o } LIMIT 10")


@bp.get("/health")
def health():
    return jsonify(status="ok", quads=state().quads)


def read_saved_query(path: Path, rebase) -> SavedQuery:
    """A saved query; its first line is `# <the question in English>`."""
    text = rebase(path.read_text(encoding="utf-8"))
    first = text.splitlines()[0] if text else ""
    question = first.lstrip("#").strip() if first.startswith("#") else path.stem
    return SavedQuery(path.stem, question, text)


@dataclass(frozen=True)
class Source:
    iri: str
    title: str
    publisher: str
    issued: str


@lru_cache(maxsize=8)
def describe_dataset(void: Store, dataset_iri: str, limit: int = HOME_SOURCES
                     ) -> tuple[str, str, tuple[Source, ...], int]:
    """The data set's title, description, its `limit` latest sources (by date) and how many
    sources it has, from the release's VoID (queried in its store). Asked once per process
    and VoID store: a server's release does not change under it, and the sources' query
    groups every source (36k at 10M quads)."""
    dataset = ox.NamedNode(dataset_iri)
    title, description = next(iter(void.query(DATASET.format(dataset=dataset))))
    (count,), = void.query(COUNT_SOURCES.format(dataset=dataset))
    latest = void.query(SOURCES.format(dataset=dataset, limit=limit))
    sources = tuple(sorted((Source(iri.value, _text(title, iri.value), _text(publisher),
                                   _text(issued))
                            for iri, title, publisher, issued in latest),
                           key=lambda source: (source.issued, source.iri)))
    return _text(title, "defence-kg"), _text(description), sources, int(count.value)


def _text(term: ox.Literal | None, otherwise: str = "") -> str:
    return otherwise if term is None else term.value
