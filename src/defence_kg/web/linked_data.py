"""Dereferenceable IRIs: every IRI under the base answers, as HTML or RDF, by content negotiation.

Cool URIs for the Semantic Web (https://www.w3.org/TR/cooluris/): `/P` answers 303 See Other
with the document `/doc/P` (browsers) or `/doc/P.EXT` (agents, by the Accept header);
`/doc/P` negotiates (`Vary: Accept`, `Content-Location`), `/doc/P.EXT` is one format, and
both list the others in `Link: rel="alternate"` headers (https://www.rfc-editor.org/rfc/rfc8288).
Requests are mapped onto the configured base (settings.base_uri), so a server on any host and
port resolves the data's IRIs. JSON-LD documents use the context published at /context.jsonld.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from flask import Blueprint, Flask, Response, current_app, render_template, request, send_file
from rdflib import Graph

from ..release import ONTOLOGY_PAGE, void_graph
from . import errors
from .addresses import DOC, document_path, iris_for, local_path, relative_root, split_extension
from .diagram import neighbourhood
from .formats import GRAPHS, Format
from .negotiation import negotiate
from .presentation import Presenter
from .resources import Sources, document
from .results import serialize_quads
from .state import KEY as STATE_KEY
from .state import state

KEY = "defence_kg.linked_data"
HTML = ("text/html", "application/xhtml+xml")
EXTENSIONS = ("html", *(f.name for f in GRAPHS))
CONTEXT_PATH = "context.jsonld"
PRIMARY_TOPIC = ox.NamedNode("http://xmlns.com/foaf/0.1/primaryTopic")

bp = Blueprint("linked_data", __name__)


@dataclass(frozen=True)
class Offer:
    """One format a document is offered in."""

    extension: str
    name: str
    media_type: str


OFFERS = (Offer("html", "HTML", HTML[0]),
          *(Offer(f.name, f.syntax.name, f.media_type) for f in GRAPHS))


@dataclass(frozen=True)
class LinkedData:
    sources: Sources  # the release's store and its VoID description
    ontology_page: Path  # written by the build (defence_kg.docs)


def init_app(app: Flask) -> None:
    """Serve the data's IRIs and their pages, from the store and the release's VoID."""
    shared = app.extensions[STATE_KEY]
    app.extensions[KEY] = LinkedData(Sources((shared.store, shared.void)),
                                     shared.release / ONTOLOGY_PAGE)
    app.register_blueprint(bp)
    app.context_processor(page_context)


def linked_data() -> LinkedData:
    return current_app.extensions[KEY]


def page_context() -> dict:
    """What every template gets: the way up to the server root, and links for IRIs."""
    root = relative_root(request.path)
    base = state().settings.base_uri

    def href(iri: str) -> str:
        local = local_path(iri, base)
        return iri if local is None else root + local

    return {"root": root, "href": href}


@bp.get("/<path:path>")
def thing(path: str) -> Response:
    """A thing's IRI: 303 See Other to the document about it, in the format the client wants."""
    base = state().settings.base_uri
    if not linked_data().sources.knows(base + path):
        return not_found(base + path)
    chosen = _negotiate()
    target = relative_root(request.path) + DOC + path
    response = Response(status=303)
    response.headers["Location"] = target if chosen is None else f"{target}.{chosen.name}"
    response.vary.add("Accept")
    return response


@bp.get("/doc/<path:path>")
def doc(path: str) -> Response:
    """The document about a resource: negotiated at /doc/P, one format at /doc/P.EXT."""
    settings, data = state().settings, linked_data()
    stem, extension = split_extension(path, EXTENSIONS)
    iri = next((i for i in iris_for(stem, settings.base_uri) if data.sources.knows(i)), None)
    if iri is None:
        return not_found(settings.base_uri + path)
    if extension is None:
        chosen = _negotiate()
    else:
        chosen = next((f for f in GRAPHS if f.name == extension), None)
    if chosen is None:
        response = _html(iri)
    else:
        # The document says what it is about, so that even a graph's name, which no triple
        # format can write, appears in each of its formats.
        topic = ox.Quad(ox.NamedNode(f"{request.url_root}{DOC}{stem}"), PRIMARY_TOPIC,
                        ox.NamedNode(iri))
        response = _rdf([topic, *document(data.sources, settings.vocabulary, iri)], chosen)
    up = relative_root(request.path)
    response.headers["Link"] = ", ".join(
        f'<{up}{DOC}{stem}.{offer.extension}>; rel="alternate"; type="{offer.media_type}"'
        for offer in OFFERS)
    if extension is None:
        response.vary.add("Accept")
        extension = chosen.name if chosen else "html"
        response.headers["Content-Location"] = f"{up}{DOC}{stem}.{extension}"
    return response


@bp.get("/" + CONTEXT_PATH)
def context() -> Response:
    """The JSON-LD context of the resource documents: the vocabulary's prefixes."""
    body = json.dumps({"@context": state().settings.vocabulary.prefixes}, indent=2)
    return Response(body, mimetype="application/ld+json")


@bp.get("/.well-known/void")
def void() -> Response:
    """The data set's VoID and DCAT description (https://www.w3.org/TR/void/#well-known)."""
    quads = list(linked_data().sources.quads(graph_name=void_graph(state().settings.base_uri)))
    response = _rdf(quads, _negotiate(html=False))
    response.vary.add("Accept")
    return response


def not_found(iri: str) -> Response:
    """404 with a page for people and a line of text for programs."""
    message = f"nothing is known about <{iri}> in this data set"
    if negotiate(request.headers.get("Accept"), [*HTML, "text/plain"]) in HTML:
        return Response(render_template("not_found.html", iri=iri, title="Not found"), 404,
                        mimetype="text/html")
    raise errors.HttpError(404, message)


def _negotiate(html: bool = True) -> Format | None:
    """The RDF format the client prefers, or None for HTML; 406 when it accepts neither."""
    offers = [*(HTML if html else ()), *(m for f in GRAPHS for m in f.media_types)]
    chosen = negotiate(request.headers.get("Accept"), offers)
    if chosen is None:
        raise errors.HttpError(406, "none of the accepted media types is offered here; "
                                    f"offered: {', '.join(offers)}")
    return next((f for f in GRAPHS if chosen in f.media_types), None)


def _html(iri: str) -> Response:
    settings, data = state().settings, linked_data()
    if iri == settings.vocabulary.ontology_iri and data.ontology_page.is_file():
        return send_file(data.ontology_page, mimetype="text/html")
    quads = document(data.sources, settings.vocabulary, iri)
    href = page_context()["href"]
    presenter = Presenter(data.sources, state().store, settings.vocabulary, href)
    page = presenter.page(iri, quads)
    stem = document_path(iri, settings.base_uri)
    formats = [{"path": f"{stem}.{o.extension}", **vars(o)} for o in OFFERS]
    return Response(render_template("resource.html", page=page, title=page.label,
                                    formats=formats, diagram=_diagrams(page)),
                    mimetype="text/html")


def _diagrams(page) -> tuple | None:
    """The neighbourhood drawn wide and narrow (the stylesheet shows one, by the screen)."""
    wide = neighbourhood(page)
    return None if wide is None else (wide, neighbourhood(page, narrow=True))


def _rdf(quads: list[ox.Quad], fmt: Format) -> Response:
    vocabulary = state().settings.vocabulary
    if fmt.syntax == ox.RdfFormat.JSON_LD:
        body = compact_json_ld(quads, vocabulary.prefixes,
                               request.url_root + CONTEXT_PATH)
    else:
        body = serialize_quads(quads, fmt.syntax, vocabulary.prefixes)
    media_type = fmt.media_type + ("; charset=utf-8" if fmt.media_type.startswith("text/") else "")
    return Response(body, content_type=media_type)


def compact_json_ld(quads: list[ox.Quad], prefixes: dict[str, str], context_url: str) -> bytes:
    """The document's triples as compacted JSON-LD (rdflib) whose @context is the published one.

    rdflib compacts with the prefixes inline; the same prefixes are published at context_url,
    so the inline context is replaced by its URL (https://www.w3.org/TR/json-ld11/#the-context).
    """
    triples = list(dict.fromkeys(q.triple for q in quads))
    graph = Graph().parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES),
                          format="nt")
    compacted = json.loads(graph.serialize(format="json-ld", context=prefixes))
    if isinstance(compacted, dict):
        compacted["@context"] = context_url
    return json.dumps(compacted, indent=2, ensure_ascii=False).encode("utf-8")
