"""/search?q=: resources by their names and sentences by their words, as a page or as JSON
(by the Accept header, or format=json), from the release's full-text index (finder.py)."""

from __future__ import annotations

from flask import Blueprint, Flask, Response, current_app, jsonify, render_template, request

from ..release import SEARCH_INDEX
from . import errors
from .addresses import local_path
from .finder import Finder, Hit, QueryTooLong
from .negotiation import negotiate
from .state import KEY as STATE_KEY
from .state import state

KEY = "defence_kg.search"
OFFERS = ("text/html", "application/json")
PAGE_HITS = 30
MOST_HITS = 50

bp = Blueprint("search", __name__)


def init_app(app: Flask) -> None:
    app.extensions[KEY] = Finder(app.extensions[STATE_KEY].release / SEARCH_INDEX)
    app.register_blueprint(bp)


@bp.route("/search", methods=["GET", "POST"])
def search() -> Response:
    """GET, or POST a form for text longer than a request line may be (the server's limit)."""
    text = request.values.get("q", "")
    limit = request.values.get("limit", str(PAGE_HITS))
    if not (limit.isdigit() and 1 <= int(limit) <= MOST_HITS):
        raise errors.bad_request(f"limit is a number of hits from 1 to {MOST_HITS}")
    wants_json = request.values.get("format") == "json" or negotiate(
        request.headers.get("Accept"), OFFERS) == "application/json"
    finder: Finder = current_app.extensions[KEY]
    if not finder.available():
        raise errors.HttpError(503, "this release has no search index: rebuild it "
                                    "(defence-kg build) with this version")
    try:
        hits = finder.search(text, int(limit)) if text.strip() else []
    except QueryTooLong as error:
        if not wants_json:
            return Response(render_template("search.html", title="Search", query="",
                                            hits=[], error=str(error)), 400)
        raise errors.bad_request(str(error)) from error
    if wants_json:
        response = jsonify(query=text, hits=[_as_json(hit) for hit in hits])
    else:
        response = Response(render_template("search.html", title=f"Search: {text}" if text
                                            else "Search", query=text, hits=hits, error=""))
    response.vary.add("Accept")
    return response


def _as_json(hit: Hit) -> dict:
    local = local_path(hit.iri, state().settings.base_uri)
    return {"iri": hit.iri, "page": hit.iri if local is None else request.url_root + local,
            "label": hit.label, "kind": hit.kind,
            "type": {"iri": hit.type_iri, "label": hit.type_label}, "match": hit.match,
            "sources": hit.sources, "sentences": hit.sentences,
            "snippet": [{"text": text, "mark": marked} for text, marked in hit.snippet]}
