"""The SPARQL 1.1 Protocol query operation at /sparql (read-only, within limits, cached).

https://www.w3.org/TR/sparql11-protocol/#query-operation

Nothing is fetched on a query's behalf (docs/design.md, "Query safety"): SERVICE is refused
unless its IRI is listed, exactly, in settings.allowed_remote (a prefix would also admit
http://allowed.example.evil/); FROM and FROM NAMED may name the graphs the store holds (a
dataset clause) or a listed IRI, and nothing else. Every query has a deadline and a row cap
(stores/querying.py). A repeated query is answered from the result cache, and a client that already
holds the answer gets 304 (RFC 9110, section 13.1.2).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from importlib.metadata import version

import pyoxigraph as ox
from flask import Blueprint, Request, Response, g, request

from ..namespaces import SD
from ..stores.querying import RUNAWAY, Answer, Graph, Query, QueryTimeout, Store, StoreUnavailable
from . import editor, errors
from .cache import Rendered, digest
from .compression import gzip_etag
from .describe import describe
from .formats import GRAPHS, RESULTS, choose
from .inspection import QueryFacts, inspect
from .results import render, render_graph
from .service_description import FORMATS as DESCRIPTION_FORMATS
from .service_description import describe_service
from .state import state

FORM = "application/x-www-form-urlencoded"
QUERY_BODY = "application/sparql-query"
UPDATE_BODY = "application/sparql-update"
# Part of every ETag: a new release of the code may write the same results differently.
CODE_VERSION = version("defence-kg")

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
    # Only an Accept header naming HTML can prefer the editor to data (editor.is_wanted):
    # skipping that negotiation otherwise saves a third of the time of a cached answer.
    if "html" in request.headers.get("Accept", "") and editor.is_wanted(request):
        return editor.page()
    operation = read_operation(request, state().settings.max_query_length)
    if operation is None:
        return service_description()
    g.query_hash = hashlib.sha256(operation.query.encode()).hexdigest()[:16]
    key = digest(operation.query, *operation.default_graph_uris, "\0",
                 *operation.named_graph_uris, request.base_url,
                 request.values.get("format", ""), request.headers.get("Accept", ""))
    rendered = state().cache.get(key)
    if rendered is None:
        rendered = answer(operation)
        if rendered.etag:
            state().cache.put(key, rendered)
    return respond(rendered)


def service_description() -> Response:
    settings = state().settings
    fmt, media_type = choose(request, DESCRIPTION_FORMATS, "a service description")
    quads = tuple(ox.Quad(*t) for t in describe_service(request, settings, state().store))
    body = render_graph(Graph(quads, False), fmt, {**settings.vocabulary.prefixes, "sd": str(SD)})
    return respond(Rendered(body, media_type, len(quads), False, None))


def read_operation(req: Request, max_length: int) -> Operation | None:
    """The query and protocol dataset of a request; None for a GET without a query."""
    if req.method in ("GET", "HEAD"):  # Flask answers HEAD with the GET handler
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
    return Operation(text, graph_iris(params, "default-graph-uri"),
                     graph_iris(params, "named-graph-uri"))


def graph_iris(params, name: str) -> list[str]:
    """The values of a protocol dataset parameter: absolute IRIs, or 400 naming the one that
    is not (https://www.w3.org/TR/sparql11-protocol/#dataset)."""
    values = params.getlist(name)
    for value in values:
        try:
            ox.NamedNode(value)
        except ValueError as error:
            raise errors.bad_request(f"{name}={value!r} is not an absolute IRI: {error}") from None
    return values


def answer(operation: Operation) -> Rendered:
    """Check, run and render a query; its ETag when the same request will get the same bytes."""
    settings, store = state().settings, state().store
    query = Query(operation.query, tuple(operation.default_graph_uris),
                  tuple(operation.named_graph_uris), request.base_url)
    facts = inspect(query.text, query.base_iri)
    refuse_fetches(facts, store, settings.allowed_remote)
    try:
        result = state().threads.run(
            settings.query_timeout,
            lambda: evaluate(store, query, settings.result_limit, facts.describe))
    except QueryTimeout as timeout:
        request.environ[RUNAWAY] = True  # the server retires this worker once it has answered
        raise errors.query_timeout(timeout.seconds) from None
    except SyntaxError as error:
        raise errors.bad_request(f"SPARQL syntax error: {error}") from error
    except StoreUnavailable as error:
        raise errors.bad_gateway(str(error)) from error
    except OSError as error:
        raise errors.query_failed(str(error)) from error
    fmt, media_type = choose(request, GRAPHS, "CONSTRUCT and DESCRIBE") if isinstance(
        result, Graph) else choose(request, RESULTS, "ASK and SELECT")
    body = render(result, fmt, settings.vocabulary.prefixes)
    stable = not (facts.services or facts.volatile)
    etag = digest(store.fingerprint, CODE_VERSION, settings.base_uri,
                  str(settings.result_limit), query.text, *query.default_graphs, "\0",
                  *query.named_graphs, query.base_iri, media_type)[:40] if stable else None
    return Rendered(body, media_type, result.rows, result.truncated, etag)


def refuse_fetches(facts: QueryFacts, store: Store, allowed: tuple[str, ...]) -> None:
    """400 for a SERVICE call, or a FROM naming a graph the store lacks, that is not allowed."""
    for target in facts.services:
        if target not in allowed:
            raise errors.bad_request(
                f"SERVICE {target} is refused: this endpoint sends no requests on a query's "
                "behalf (federated queries are allowed only to DEFENCE_KG_ALLOWED_REMOTE)")
    for graph in facts.graphs:
        if graph not in allowed and not store.holds_graph(graph):
            raise errors.bad_request(
                f"FROM <{graph}> is refused: FROM and FROM NAMED may name only the graphs of "
                "this data set (listed in the service description), as nothing is fetched on a "
                "query's behalf")


def evaluate(store: Store, query: Query, limit: int, is_describe: bool) -> Answer:
    """The answer within the row cap; a DESCRIBE with the provenance and labels around it.
    Runs in the query's thread, so the deadline covers all of it."""
    result = store.answer(query, limit)
    if not is_describe:
        return result
    quads = describe(store, [quad.triple for quad in result.quads],
                     default_graph_uris=query.default_graphs, named_graph_uris=query.named_graphs)
    return Graph(tuple(quads[:limit]), result.truncated or len(quads) > limit)


def respond(rendered: Rendered) -> Response:
    """The result, or 304 / 412 when the client's If-None-Match names it."""
    g.rows = rendered.rows
    matched = rendered.etag and next(
        (tag for tag in (rendered.etag, gzip_etag(rendered.etag))
         if request.if_none_match.contains_weak(tag)), None)
    if matched:
        if request.method not in ("GET", "HEAD"):
            raise errors.precondition_failed()
        response = Response(status=304)
        response.set_etag(matched)
    else:
        media_type = rendered.media_type
        if media_type.startswith("text/"):
            media_type += "; charset=utf-8"
        response = Response(rendered.body, content_type=media_type)
        if rendered.etag:
            response.set_etag(rendered.etag)
    if rendered.truncated:
        response.headers["X-Result-Truncated"] = "true"
    response.headers["Cache-Control"] = (
        f"public, max-age={state().settings.cache_max_age}" if rendered.etag else "no-store")
    return response
