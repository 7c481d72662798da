"""The query editor a browser sees at /sparql (YASGUI), and the editor's assets.

https://github.com/zazuko/Yasgui
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote, urlencode

from flask import (
    Blueprint,
    Request,
    Response,
    render_template,
    request,
    send_from_directory,
    url_for,
)

from .errors import HttpError
from .formats import GRAPHS, RESULTS
from .negotiation import negotiate
from .pages import read_saved_query
from .state import state

FRONTEND = Path(__file__).parent / "frontend"
YASGUI_BUILD = FRONTEND / "node_modules" / "@zazuko" / "yasgui" / "build"
# Only what the page loads (and the source map developer tools ask for), not the whole package.
ASSETS = ("yasgui.min.js", "yasgui.min.css", "yasgui.min.js.map")
ASSET_MAX_AGE = 24 * 3600
# The ontology's terms for the editor's completion of classes and properties, with labels.
TERMS = """PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT DISTINCT ?term ?kind ?label WHERE { GRAPH %s {
  VALUES (?type ?kind) { (owl:Class "class") (rdfs:Class "class")
    (owl:ObjectProperty "property") (owl:DatatypeProperty "property")
    (owl:AnnotationProperty "property") (rdf:Property "property") }
  ?term a ?type FILTER(isIRI(?term)) OPTIONAL { ?term rdfs:label ?label } } }
ORDER BY ?term"""
DEFAULT_QUERY = """SELECT ?subject ?predicate ?object WHERE {
  ?subject ?predicate ?object
}
LIMIT 10
"""

bp = Blueprint("editor", __name__)


def is_wanted(req: Request) -> bool:
    """Whether a request to /sparql is a browser's asking for a page rather than for data.

    Only a GET naming no `format=` whose Accept header prefers HTML to every format the
    endpoint serves: HTML is offered last, so a tie (`*/*`, no Accept) keeps the data.
    """
    if req.method != "GET" or "format" in req.args or "update" in req.args:
        return False
    offered = [media_type for f in (*RESULTS, *GRAPHS) for media_type in f.media_types]
    return negotiate(req.headers.get("Accept"), [*offered, "text/html"]) == "text/html"


def page() -> str:
    """The editor, prefilled with the project's prefixes and the saved queries as examples."""
    settings = state().settings
    prefixes = settings.vocabulary.prefixes
    examples = [read_saved_query(path, settings.vocabulary.rebase)
                for path in sorted(settings.queries_dir.glob("*.rq"))]
    header = "".join(f"PREFIX {name}: <{iri}>\n" for name, iri in prefixes.items())
    # base and site: result links to the data set's IRIs open here, not at the (possibly not
    # yet registered) persistent identifier service.
    config = {"endpoint": url_for("sparql.endpoint"), "prefixes": prefixes,
              "base": settings.base_uri, "site": url_for("pages.home"),
              "query": header + DEFAULT_QUERY,
              "examples": [{"name": q.question, "query": q.text} for q in examples],
              # Completion from this server only: the ontology's terms here, the data's
              # resources by label from /search (no remote vocabulary service).
              "terms": vocabulary_terms(), "search": url_for("search.search")}
    return render_template("editor.html", title="SPARQL query editor", config=config,
                           examples=examples,
                           query=request.args.get("query", header + DEFAULT_QUERY),
                           formats=[f.name for f in (*RESULTS, *GRAPHS)])


def vocabulary_terms() -> dict[str, list[dict]]:
    """The ontology's classes and properties: {"class": [{iri, label}], "property": [...]}."""
    graph = f"<{state().settings.vocabulary.ontology_graph}>"
    terms: dict[str, dict[str, dict]] = {"class": {}, "property": {}}
    for row in state().store.query(TERMS % graph):
        label = row["label"].value if row["label"] is not None else ""
        terms[row["kind"].value].setdefault(row["term"].value, {
            "iri": row["term"].value, "label": label})
    return {kind: list(found.values()) for kind, found in terms.items()}


@bp.app_template_global()
def query_link(query: str, **params: str) -> str:
    """The endpoint's address with a query, every reserved character percent-encoded: YASGUI's
    URL parser splits parameters at `;` as well as `&`, so a `;` left as is (url_for leaves
    it) cuts the query short in the editor."""
    return url_for("sparql.endpoint") + "?" + urlencode({"query": query, **params},
                                                          quote_via=quote)


@bp.get("/editor/<any(" + ", ".join(f"'{name}'" for name in ASSETS) + "):name>")
def asset(name: str) -> Response:
    if not (YASGUI_BUILD / name).is_file():
        raise HttpError(404, "the editor's front-end is not installed: run `make` "
                             "(it runs npm ci in src/defence_kg/web/frontend)")
    response = send_from_directory(YASGUI_BUILD, name, max_age=ASSET_MAX_AGE)
    # Let the compression hook gzip whole files (the script is 1 MB, 280 kB gzipped); a range
    # (206) must go out as stored.
    response.direct_passthrough = response.status_code != 200
    return response
