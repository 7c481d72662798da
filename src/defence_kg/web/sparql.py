"""The SPARQL 1.1 Protocol query operation at /sparql (read-only).

https://www.w3.org/TR/sparql11-protocol/#query-operation

Nothing is fetched on a query's behalf. SERVICE is refused unless its IRI is listed, exactly,
in settings.allowed_remote (a prefix would also admit http://allowed.example.evil/). FROM and
FROM NAMED are allowed with any IRI, file: included: Oxigraph only uses them to pick graphs
of the store and never dereferences them (tests/test_sparql_protocol.py checks this), and the
W3C protocol tests use them that way.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from itertools import islice

import pyoxigraph as ox
from flask import Blueprint, Request, Response, g, request

from ..namespaces import SD
from . import editor, errors
from .describe import describe
from .formats import GRAPHS, RESULTS, choose
from .inspection import inspect
from .results import Rendered, render_boolean, render_graph, render_solutions
from .service_description import FORMATS as DESCRIPTION_FORMATS
from .service_description import describe_service
from .state import state

FORM = "application/x-www-form-urlencoded"
QUERY_BODY = "application/sparql-query"
UPDATE_BODY = "application/sparql-update"

bp = Blueprint("sparql", __name__)


@dataclass(frozen=True)
class Operation:
    query: str
    default_graph_uris: list[str]
    named_graph_uris: list[str]


@bp.after_request
def vary_on_accept(response: Response) -> Response:
    response.vary.add("Accept")
    return response


@bp.route("/sparql", methods=["GET", "POST"])
def endpoint() -> Response:
    if editor.is_wanted(request):
        return editor.page()
    settings, store = state().settings, state().store
    operation = read_operation(request, settings.max_query_length)
    if operation is None:
        fmt, media_type = choose(request, DESCRIPTION_FORMATS, "a service description")
        triples = describe_service(request, settings, store)
        prefixes = {**settings.vocabulary.prefixes, "sd": str(SD)}
        return _respond(render_graph(iter(ox.Quad(*t) for t in triples), fmt, len(triples),
                                     prefixes), media_type)
    g.query_hash = hashlib.sha256(operation.query.encode()).hexdigest()[:16]
    facts = inspect(operation.query)
    for target in facts.services:
        if target not in settings.allowed_remote:
            raise errors.bad_request(
                f"SERVICE {target} is refused: this endpoint sends no requests on a query's "
                "behalf (federated queries are allowed only to DEFENCE_KG_ALLOWED_REMOTE)")
    dataset = {"default_graph_uris": operation.default_graph_uris,
               "named_graph_uris": operation.named_graph_uris}
    try:
        result = store.query(operation.query, base_iri=request.base_url, **dataset)
    except SyntaxError as error:
        raise errors.bad_request(f"SPARQL syntax error: {error}") from error
    try:  # evaluation is lazy: errors may surface while the results are written
        return _respond(*_render(result, facts.describe, dataset))
    except OSError as error:
        raise errors.query_failed(str(error)) from error


def read_operation(req: Request, max_length: int) -> Operation | None:
    """The query and protocol dataset of a request; None for a GET without a query."""
    if req.method == "GET":
        params = req.args
        if "update" in params:
            raise errors.read_only()
        if "query" not in params:
            return None
        queries = params.getlist("query")
    elif req.mimetype == UPDATE_BODY or "update" in req.values:
        raise errors.read_only()
    elif req.mimetype == FORM:
        params = req.values
        queries = params.getlist("query")
    elif req.mimetype == QUERY_BODY:
        params = req.args
        if req.mimetype_params.get("charset", "utf-8").lower() not in ("utf-8", "utf8"):
            raise errors.unsupported_media_type(f"{QUERY_BODY} must be sent as UTF-8")
        if "query" in params:
            raise errors.bad_request("two queries: one in the body and one in the URL")
        try:
            queries = [req.get_data().decode("utf-8")]
        except UnicodeDecodeError as error:
            raise errors.bad_request(f"the query is not valid UTF-8: {error}") from error
    else:
        raise errors.unsupported_media_type(
            f"POST a query as {FORM} (query=...) or as {QUERY_BODY}, "
            f"not {req.mimetype or 'a body without Content-Type'}")
    if len(queries) != 1:
        raise errors.bad_request(f"{len(queries) or 'no'} queries given; send exactly one `query`")
    text = queries[0]
    if not text.strip():
        raise errors.bad_request("the query is empty")
    if len(text) > max_length:
        raise errors.payload_too_large(len(text), max_length)
    return Operation(text, params.getlist("default-graph-uri"), params.getlist("named-graph-uri"))


def _render(result, is_describe: bool, dataset: dict) -> tuple[Rendered, str]:
    settings = state().settings
    limit = settings.result_limit
    if isinstance(result, ox.QueryBoolean):
        fmt, media_type = choose(request, RESULTS, "ASK")
        return render_boolean(result, fmt), media_type
    if isinstance(result, ox.QuerySolutions):
        fmt, media_type = choose(request, RESULTS, "SELECT")
        return render_solutions(result, fmt, limit), media_type
    fmt, media_type = choose(request, GRAPHS, "CONSTRUCT and DESCRIBE")
    if is_describe:
        quads = iter(describe(state().store, list(islice(result, limit + 1)), **dataset))
    else:
        quads = (ox.Quad(t.subject, t.predicate, t.object) for t in result)
    return render_graph(quads, fmt, limit, settings.vocabulary.prefixes), media_type


def _respond(rendered: Rendered, media_type: str) -> Response:
    if media_type.startswith("text/"):
        media_type += "; charset=utf-8"
    response = Response(rendered.body, content_type=media_type)
    if rendered.truncated:
        response.headers["X-Result-Truncated"] = "true"
    g.rows = rendered.rows
    return response
