"""An answer (already cut at the row cap) in the chosen format, written by pyoxigraph.

Formats: https://www.w3.org/TR/sparql11-results-json/, https://www.w3.org/TR/rdf-sparql-XMLres/,
https://www.w3.org/TR/sparql11-results-csv-tsv/ and the RDF syntaxes pyoxigraph writes.
"""

from __future__ import annotations

import json

import pyoxigraph as ox

from ..stores.querying import TSV, Answer, Boolean, Graph, Solutions
from .formats import Format

JSON = ox.QueryResultsFormat.JSON
LINE_FORMATS = (ox.RdfFormat.N_TRIPLES, ox.RdfFormat.N_QUADS)  # no prefixes to declare


def render(answer: Answer, fmt: Format, prefixes: dict[str, str]) -> bytes:
    """The answer's bytes; a JSON answer that was cut says "truncated": true (every format
    also gets the X-Result-Truncated header)."""
    if isinstance(answer, Boolean):  # pyoxigraph makes a QueryBoolean only by parsing one
        boolean = json.dumps({"head": {}, "boolean": answer.value}).encode()
        return ox.parse_query_results(boolean, JSON).serialize(format=fmt.syntax)
    if isinstance(answer, Solutions):
        # pyoxigraph writes only a whole QuerySolutions and cannot make one from a list of
        # rows, so the rows kept as TSV are read back.
        body = ox.parse_query_results(answer.tsv, TSV).serialize(format=fmt.syntax)
        if answer.truncated and fmt.syntax == JSON:
            # Before "results": streaming readers (Oxigraph's) stop at the end of the bindings.
            written = json.loads(body)
            body = json.dumps({"head": written["head"], "truncated": True,
                               "results": written["results"]}).encode()
        return body
    return render_graph(answer, fmt, prefixes)


def render_graph(answer: Graph, fmt: Format, prefixes: dict[str, str]) -> bytes:
    return serialize_quads(answer.quads, fmt.syntax, prefixes)


def serialize_quads(quads, syntax: ox.RdfFormat, prefixes: dict[str, str]) -> bytes:
    """Quads for TriG and N-Quads, one block per graph; their distinct triples otherwise."""
    if syntax.supports_datasets:  # the sort is stable: the order within a graph stays
        content = sorted(quads, key=lambda quad: str(quad.graph_name))
    else:
        content = list(dict.fromkeys(quad.triple for quad in quads))
    options = {} if syntax in LINE_FORMATS else {"prefixes": prefixes}
    return ox.serialize(content, format=syntax, **options)
