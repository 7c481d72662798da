"""The home page (what the data set is, its dumps, the saved queries, a query form) and /health."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from flask import Blueprint, jsonify, render_template, url_for
from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, RDFS

from .formats import GRAPHS, RESULTS
from .state import state

bp = Blueprint("pages", __name__)


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
    title, description, sources = describe_dataset(release / "dumps" / "void.ttl",
                                                   settings.vocabulary.dataset_iri)
    return render_template(
        "home.html", title=title, description=description, sources=sources, dumps=dumps,
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


def describe_dataset(void: Path, dataset_iri: str) -> tuple[str, str, list[Source]]:
    """The data set's title, description and sources (by date) from the release's VoID file."""
    graph = Graph().parse(void, format="turtle")
    subject = URIRef(dataset_iri)
    sources = sorted((Source(str(iri), str(graph.value(iri, DCTERMS.title) or iri),
                             str(graph.value(graph.value(iri, DCTERMS.publisher), RDFS.label)
                                 or ""),
                             str(graph.value(iri, DCTERMS.issued) or ""))
                      for iri in graph.objects(subject, DCTERMS.source)),
                     key=lambda source: (source.issued, source.iri))
    return (str(graph.value(subject, DCTERMS.title) or "defence-kg"),
            str(graph.value(subject, DCTERMS.description) or ""), sources)
