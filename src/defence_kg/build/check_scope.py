"""Which rows of a violation check a known change can make: the shape of a check, read from its
SPARQL algebra (rdflib's parser), that lets an add-one build run it over the changed part only.

A check is scoped on a projected variable, its key, when every pattern that reads the data
reads only quads that hold the key's value where the pattern puts the key (a triple pattern
naming the key, or any pattern inside `GRAPH ?key`), and every such pattern certainly binds the
key. A row whose key is x then depends on those quads of x alone; if none of them changed, the
row is one the last release gave too, and the last release gave none (it passed the check). So
the rows are those of keys found in the changed quads, computed exactly on a store of the quads
that hold these keys. Anything else (aggregates, LIMIT, SERVICE, paths of more than one step,
subqueries that do not project the key, graph listings of another variable, non-deterministic
functions, FROM clauses) is not scoped: the check runs whole. docs/design.md, "Violation checks
over the change".
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pyoxigraph as ox
from rdflib import URIRef, Variable
from rdflib.paths import AlternativePath, InvPath, NegatedPath, Path
from rdflib.plugins.sparql.algebra import translateQuery
from rdflib.plugins.sparql.parser import parseQuery
from rdflib.plugins.sparql.parserutils import CompValue

KEY = "key"  # a shape's position that holds the key's value
_IN_KEY_GRAPH = "key graph"  # the active graph is the key's value: every quad read holds it
# Their value is not the data's: a row could differ with nothing changed.
_NOT_DETERMINED = {"Builtin_RAND", "Builtin_NOW", "Builtin_UUID", "Builtin_STRUUID",
                   "Builtin_BNODE"}
_PASS_THROUGH = {"Distinct", "Reduced", "OrderBy", "ToMultiSet"}

# A quad pattern as (subject, predicate, object, graph): KEY, an IRI or None (any term).
Shape = tuple[object, object, object, object]


class Unsupported(Exception):
    """The check's shape does not prove which rows a change can make."""


@dataclass(frozen=True)
class Scope:
    """A check's key variable and the quad patterns its rows with a given key read."""

    key: str
    shapes: tuple[Shape, ...]

    def keys(self, quads: Iterable[ox.Quad]) -> set:
        """The key's values that changed quads hold where a shape puts the key."""
        found = set()
        for quad in quads:
            terms = (quad.subject, quad.predicate, quad.object, quad.graph_name)
            for shape in self.shapes:
                if all(part in (None, KEY) or part == term for part, term in zip(shape, terms)):
                    found.update(term for part, term in zip(shape, terms) if part == KEY)
        return found

    def patterns(self, key) -> Iterable[tuple]:
        """The store's quad patterns whose quads a row with this key can read."""
        for shape in self.shapes:
            for position, part in enumerate(shape):
                if part == KEY:
                    yield tuple(key if i == position else (None if p == KEY else p)
                                for i, p in enumerate(shape))


def scope_of(query: str) -> Scope | None:
    """The scope of a SELECT check, or None when its shape does not give one. The first
    projected variable that can be the key is, preferring one that is never a predicate or
    object (the quads of such a key are few)."""
    try:
        algebra = translateQuery(parseQuery(query)).algebra
    except Exception:  # noqa: BLE001 - rdflib raises many kinds; the check then runs whole
        return None
    if algebra.name != "SelectQuery" or algebra.get("datasetClause"):
        return None
    found = []
    for variable in algebra.PV:
        analysis = _Analysis(variable)
        try:
            if analysis.pattern(algebra.p, None).binds:
                found.append(Scope(str(variable), tuple(dict.fromkeys(analysis.shapes))))
        except Unsupported:
            continue
    narrow = [scope for scope in found
              if all(shape[1] != KEY and shape[2] != KEY for shape in scope.shapes)]
    return (narrow or found or [None])[0]


@dataclass(frozen=True)
class _Facts:
    binds: bool  # every solution binds the key
    reads: bool  # the solutions depend on the data


class _Analysis:
    """One walk of a check's algebra for one key; raises Unsupported."""

    def __init__(self, key: Variable):
        self.key = key
        self.shapes: list[Shape] = []

    def pattern(self, node, graph) -> _Facts:
        """`graph`: the active graph, None (the default), an IRI, another variable
        (Variable) or _IN_KEY_GRAPH."""
        facts = self._pattern(node, graph)
        # A pattern that reads but may leave the key unbound has rows that depend on other
        # keys' data (an OPTIONAL's unmatched row, say).
        if facts.reads and not facts.binds and graph != _IN_KEY_GRAPH:
            raise Unsupported
        return facts

    def _pattern(self, node, graph) -> _Facts:
        name = node.name
        if name == "BGP":
            for triple in node.triples:
                self._triple(triple, graph)
            return _Facts(binds=graph == _IN_KEY_GRAPH or any(
                self.key in triple for triple in node.triples), reads=bool(node.triples))
        if name == "Graph":
            return self._graph(node, graph)
        if name in _PASS_THROUGH:
            self._expressions(node.get("expr"), graph)
            return self.pattern(node.p, graph)
        if name == "Project":
            return self._subquery(node, graph)
        if name in ("Filter", "Extend"):
            if name == "Extend" and node.var == self.key:
                raise Unsupported  # the key's value would not be the data's
            self._expressions(node.expr, graph)
            return self.pattern(node.p, graph)
        if name in ("Join", "Union", "LeftJoin", "Minus"):
            left, right = self.pattern(node.p1, graph), self.pattern(node.p2, graph)
            self._expressions(node.get("expr"), graph)
            binds = {"Join": left.binds or right.binds, "Union": left.binds and right.binds,
                     "LeftJoin": left.binds, "Minus": left.binds}[name]
            return _Facts(binds, left.reads or right.reads)
        if name == "values":
            return _Facts(binds=False, reads=False)
        raise Unsupported(name)  # Slice, Group, AggregateJoin, ServiceGraphPattern, ...

    def _graph(self, node, graph) -> _Facts:
        if node.term == self.key:
            self.shapes.append((None, None, None, KEY))
            self.pattern(node.p, _IN_KEY_GRAPH)
            return _Facts(binds=True, reads=True)
        inner = self.pattern(node.p, node.term)
        if not inner.reads:  # it lists graphs, which hold no key
            raise Unsupported
        return inner

    def _subquery(self, node, graph) -> _Facts:
        if self.key in node.PV:
            return self.pattern(node.p, graph)
        if graph == _IN_KEY_GRAPH:  # what it reads is still the key's graph
            self.pattern(node.p, graph)
            return _Facts(binds=False, reads=True)
        # Its own variable of the key's name is another variable; what it reads is no key's.
        raise Unsupported

    def _triple(self, triple, graph) -> None:
        if graph == _IN_KEY_GRAPH:
            return  # the key graph's shape covers it
        subject, predicate, obj = triple
        if self.key not in triple:
            raise Unsupported
        steps = _steps(predicate) if isinstance(predicate, Path) else [(predicate, False)]
        for step, inverse in steps:
            ends = (obj, subject) if inverse else (subject, obj)
            self.shapes.append((_part(ends[0], self.key), _part(step, self.key),
                                _part(ends[1], self.key), None))

    def _expressions(self, expression, graph) -> None:
        """Refuse what makes a row's value not the data's; walk [NOT] EXISTS' patterns."""
        if isinstance(expression, CompValue):
            if expression.name in _NOT_DETERMINED:
                raise Unsupported(expression.name)
            if expression.name in ("Builtin_EXISTS", "Builtin_NOTEXISTS"):
                # Evaluated for a row that binds the key: its patterns must hold it too.
                self.pattern(expression.graph, graph)
                return
            for value in expression.values():
                self._expressions(value, graph)
        elif isinstance(expression, list | tuple):
            for value in expression:
                self._expressions(value, graph)


def _steps(path) -> list[tuple[object, bool]]:
    """A path of one step as its (predicate, inverse) alternatives; a negated set as any
    predicate either way round (more quads than read, never fewer). Longer paths are refused:
    the nodes between hold no key."""
    if isinstance(path, URIRef):
        return [(path, False)]
    if isinstance(path, NegatedPath):
        return [(None, False), (None, True)]
    if isinstance(path, InvPath):
        return [(step, not inverse) for step, inverse in _steps(path.arg)]
    if isinstance(path, AlternativePath):
        return [step for arg in path.args for step in _steps(arg)]
    raise Unsupported(path)


def _part(term, key: Variable):
    """A triple pattern's term as a shape's part: only IRIs narrow it (a literal written in a
    query may match several stored forms; a wider shape reads more quads, never fewer)."""
    if term == key:
        return KEY
    return ox.NamedNode(str(term)) if isinstance(term, URIRef) else None
