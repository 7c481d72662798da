"""What the endpoint must know about a query before Oxigraph runs it: SERVICE targets, DESCRIBE.

pyoxigraph runs a query in one call and does not expose the parsed query, and it *does*
fetch SERVICE URLs over HTTP, so federated calls must be found beforehand. rdflib's SPARQL
parser (https://www.w3.org/TR/sparql11-query/#grammar) finds them; it is only asked when the
text contains the keyword at all, which keeps ordinary queries to one parse (Oxigraph's).
"""

from __future__ import annotations

from dataclasses import dataclass

from rdflib.plugins.sparql.algebra import translatePrologue
from rdflib.plugins.sparql.parser import parseQuery
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.term import URIRef

from . import errors


@dataclass(frozen=True)
class QueryFacts:
    services: tuple[str, ...] = ()  # SERVICE targets; a variable target is given as "?name"
    describe: bool = False


def inspect(text: str) -> QueryFacts:
    """The query's SERVICE targets and form; 400 if it mentions SERVICE and cannot be checked."""
    lowered = text.lower()
    if "service" not in lowered and "describe" not in lowered:
        return QueryFacts()
    try:
        prologue, body = parseQuery(text)
        base = translatePrologue(prologue, None)
        services = tuple(_target(node, base) for node in _walk(body)
                         if node.name == "ServiceGraphPattern")
    except Exception as error:  # rdflib raises a bare Exception for an unknown prefix
        if "service" in lowered:
            raise errors.bad_request(
                "federated queries (SERVICE) are refused here, and this query mentions SERVICE "
                f"in a way that could not be checked: {error}") from error
        return QueryFacts()  # a DESCRIBE rdflib cannot read is still answered, undecorated
    return QueryFacts(services, body.name == "DescribeQuery")


def _target(node: CompValue, prologue) -> str:
    term = node["term"]
    if isinstance(term, URIRef):
        return str(term)
    if isinstance(term, CompValue):  # a prefixed name
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
