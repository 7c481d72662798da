"""What the endpoint must know about a query before it runs: SERVICE targets, FROM graphs, form.

pyoxigraph runs a query in one call and does not expose the parsed query, and it *does*
fetch SERVICE URLs over HTTP, so federated calls must be found beforehand; the FROM / FROM
NAMED graphs are checked too (docs/design.md, "Query safety"). rdflib's SPARQL parser
(https://www.w3.org/TR/sparql11-query/#grammar) finds them; it is only asked when the text
contains one of the keywords at all, which keeps ordinary queries to one parse (Oxigraph's).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rdflib.plugins.sparql.algebra import translatePrologue
from rdflib.plugins.sparql.parser import parseQuery
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.term import URIRef

from ..stores.querying import query_form
from . import errors

KEYWORDS = re.compile(r"\b(service|describe|from)\b", re.IGNORECASE)
CHECKED = {"service": "federated queries (SERVICE)", "from": "FROM and FROM NAMED clauses"}
# Functions whose value changes from one evaluation to the next: such results are not cached.
VOLATILE = re.compile(r"\b(rand|now|uuid|struuid)\s*\(", re.IGNORECASE)


@dataclass(frozen=True)
class QueryFacts:
    services: tuple[str, ...] = ()  # SERVICE targets; a variable target is given as "?name"
    graphs: tuple[str, ...] = ()  # the IRIs of FROM and FROM NAMED
    describe: bool = False
    volatile: bool = False  # calls RAND(), NOW(), UUID() or STRUUID()


def inspect(text: str, base_iri: str | None = None) -> QueryFacts:
    """The query's SERVICE targets, FROM graphs and form; 400 if it mentions SERVICE or FROM
    and cannot be checked. Relative IRIs are resolved against `base_iri`, as Oxigraph does."""
    volatile = VOLATILE.search(text) is not None
    mentioned = {word.lower() for word in KEYWORDS.findall(text)}
    if not mentioned & CHECKED.keys():
        # Nothing to check: the form alone decides, and the prologue's grammar is simple enough
        # not to pay for a full parse (several milliseconds) on every DESCRIBE.
        return QueryFacts(describe=query_form(text) == "describe", volatile=volatile)
    try:
        prologue, body = parseQuery(text)
        base = translatePrologue(prologue, base_iri)
        services = tuple(_iri(node["term"], base) for node in _walk(body)
                         if node.name == "ServiceGraphPattern")
        # dict.get: CompValue.get's second argument is no default (it returns the key).
        clauses = dict.get(body, "datasetClause", ())
        # A DatasetClause holds one IRI, under "default" (FROM) or "named" (FROM NAMED).
        graphs = tuple(_iri(iri, base) for clause in clauses for iri in clause.values())
    except Exception as error:  # rdflib raises a bare Exception for an unknown prefix
        unchecked = [CHECKED[word] for word in sorted(mentioned) if word in CHECKED]
        if unchecked:
            raise errors.bad_request(
                f"{' and '.join(unchecked)} are checked before a query runs, and this query "
                f"mentions them in a way that could not be checked: {error}") from error
        return QueryFacts(volatile=volatile)  # a DESCRIBE rdflib cannot read is undecorated
    return QueryFacts(services, graphs, body.name == "DescribeQuery", volatile)


def _iri(term, prologue) -> str:
    if isinstance(term, URIRef | CompValue):  # an IRI, relative or not, or a prefixed name
        return str(prologue.absolutize(term))
    return f"?{term}"


def _walk(node):
    if isinstance(node, CompValue):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list | tuple) or hasattr(node, "asList"):
        for value in node:
            yield from _walk(value)
