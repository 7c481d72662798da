"""Which rows of a violation check a known change can make: the shape of a check, read from its
SPARQL algebra (rdflib's parser), that lets an add-one build run it over the changed part only.

A check is scoped on a projected variable, its key, when what a row with a given key reads is
reachable from the key: every triple pattern names the key or a variable linked to it (named
with a linked variable in a triple pattern every row matches), or lies inside `GRAPH ?key`;
an OPTIONAL's, a MINUS', an EXISTS' or a subquery's pattern is itself keyed on a linked variable
the rows around it bind. The quads a row with key x can read are then those the key's patterns
hold x in, and those of the variables linked from x, found by following the links in the store.
If none of them changed, the row is one the last release gave too, and it gave none (it passed
the check). So the rows are those of the keys whose quads the change reaches (the changed quads'
keys, and the keys linked to a changed quad's linked variable), computed exactly on a store of
the quads those keys reach. Anything else (aggregates, LIMIT, SERVICE, paths of more than one
step, a pattern reachable from no key, non-deterministic functions, FROM clauses) is not
scoped: the check runs whole. docs/design.md, "Violation checks over the change".
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass

import pyoxigraph as ox
from rdflib import URIRef, Variable
from rdflib.paths import AlternativePath, InvPath, NegatedPath, Path
from rdflib.plugins.sparql.algebra import translateQuery
from rdflib.plugins.sparql.parser import parseQuery
from rdflib.plugins.sparql.parserutils import CompValue

KEY, LINKED = "key", "linked"  # in a shape: the position of a variable's value, of a linked one
GRAPH_SHAPE = (None, None, None, KEY)  # every quad of a graph, `GRAPH ?var { ... }`
_IN_KEY_GRAPH = "key graph"  # the active graph is the key's value: every quad read holds it
# Their value is not the data's: a row could differ with nothing changed.
_NOT_DETERMINED = {"Builtin_RAND", "Builtin_NOW", "Builtin_UUID", "Builtin_STRUUID",
                   "Builtin_BNODE"}
_PASS_THROUGH = {"Distinct", "Reduced", "OrderBy", "ToMultiSet"}

# A quad pattern as (subject, predicate, object, graph): KEY, LINKED, an IRI or None (any term).
Shape = tuple[object, object, object, object]


class Unsupported(Exception):
    """The check's shape does not prove which rows a change can make."""


@dataclass(frozen=True)
class Scope:
    """A check's key variable, each variable's shapes (the quads a row reads, by the variable's
    value at KEY), and the links: (variable, linked variable, shape holding both)."""

    key: str
    shapes: tuple[tuple[str, Shape], ...]
    links: tuple[tuple[str, str, Shape], ...]
    names: tuple[str, ...] = ()  # variables of `GRAPH ?var { }`: a graph's name, not its quads
    # Triple patterns of the key every row matches (each as its shapes, one of which matches):
    # a key the store holds no quad of for one of them has no row.
    guards: tuple[tuple[Shape, ...], ...] = ()

    def keys(self, changed: Iterable[ox.Quad], store: ox.Store) -> set | None:
        """The keys whose quads the changed quads are among: the values the changed quads hold
        where a variable's shape puts it, followed back along the links in `store`. None if
        one is a blank node or a literal: its form in the change need not be the store's."""
        by_predicate: dict[object, list[ox.Quad]] = {None: []}
        for quad in changed:
            by_predicate[None].append(quad)
            by_predicate.setdefault(quad.predicate, []).append(quad)
        reached: dict[str, set] = {}
        for variable, shape in (*self.shapes, *((name, GRAPH_SHAPE) for name in self.names)):
            predicate = shape[1] if isinstance(shape[1], ox.NamedNode) else None
            for quad in by_predicate.get(predicate, ()):
                reached.setdefault(variable, set()).update(_values(shape, quad, KEY))
        if any(isinstance(value, ox.BlankNode | ox.Literal) for values in reached.values()
               for value in values):
            return None
        keys = _follow(reached, [(child, parent, shape) for parent, child, shape in self.links],
                       store, LINKED, KEY)[self.key]
        return {key for key in keys if all(
            any(next(store.quads_for_pattern(*pattern), None) is not None
                for shape in guard for pattern in _patterns(shape, key))
            for guard in self.guards)}

    def quads(self, keys: set, store: ox.Store) -> Iterable[ox.Quad]:
        """The quads of `store` the rows of these keys can read."""
        linked = _follow({self.key: set(keys)}, self.links, store, KEY, LINKED)
        for variable, shape in self.shapes:
            for value in linked.get(variable, ()):
                for pattern in _patterns(shape, value):
                    yield from store.quads_for_pattern(*pattern)
        # One quad of each graph `GRAPH ?var { }` names, and the graphs themselves (graphs()):
        # whether Oxigraph lists a graph by its quads or by its name, it lists the same.
        for variable in self.names:
            for value in linked.get(variable, ()):
                yield from itertools.islice(store.quads_for_pattern(None, None, None, value), 1)

    def graphs(self, keys: set, store: ox.Store) -> Iterable:
        """The named graphs (empty ones too) that `GRAPH ?var { }` of these keys can match."""
        linked = _follow({self.key: set(keys)}, self.links, store, KEY, LINKED)
        variables = {*self.names, *(variable for variable, shape in self.shapes
                                    if shape == GRAPH_SHAPE)}
        return {value for variable in variables for value in linked.get(variable, ())
                if store.contains_named_graph(value)}


def _follow(reached: dict[str, set], links, store: ox.Store, start: str, end: str
            ) -> dict[str, set]:
    """`reached` (values by variable), with the values the store's quads link them to: for
    each (from, to, shape), the values at `end` of the quads with a value of `from` at
    `start`; until nothing more is reached."""
    reached = {variable: set(values) for variable, values in reached.items()}
    work = [(variable, value) for variable, values in reached.items() for value in values]
    while work:
        variable, value = work.pop()
        for source, target, shape in links:
            if source != variable:
                continue
            for pattern in _patterns(shape, value, start):
                for quad in store.quads_for_pattern(*pattern):
                    for found in _values(shape, quad, end):
                        if found not in reached.setdefault(target, set()):
                            reached[target].add(found)
                            work.append((target, found))
    return _Missing(reached)


class _Missing(dict):
    def __missing__(self, variable):
        return set()


def _values(shape: Shape, quad: ox.Quad, marker: str) -> set:
    """The terms a quad holds where the shape says `marker`, if it matches the shape's IRIs."""
    terms = (quad.subject, quad.predicate, quad.object, quad.graph_name)
    if any(part not in (None, KEY, LINKED) and part != term for part, term in zip(shape, terms)):
        return set()
    # A row's variable is never bound to the default graph.
    return {term for part, term in zip(shape, terms)
            if part == marker and not isinstance(term, ox.DefaultGraph)}


def _patterns(shape: Shape, value, marker: str = KEY) -> Iterable[tuple]:
    """The store's quad patterns of a shape with `value` at (one of) its `marker` positions."""
    for position, part in enumerate(shape):
        if part == marker:
            yield tuple(value if i == position else (p if isinstance(p, ox.NamedNode) else None)
                        for i, p in enumerate(shape))


def scope_of(query: str) -> Scope | None:
    """The scope of a SELECT check, or None when its shape does not give one: keyed on the
    first projected variable that can be, preferring one whose own shapes put it as subject
    or graph (a value is then in few quads)."""
    try:
        algebra = translateQuery(parseQuery(query)).algebra
    except Exception:  # noqa: BLE001 - rdflib raises many kinds; the check then runs whole
        return None
    if algebra.name != "SelectQuery" or algebra.get("datasetClause"):
        return None
    found = []
    for variable in algebra.PV:
        analysis = _Analysis()
        try:
            if variable in analysis.pattern(algebra.p, variable, None):
                found.append(analysis.scope(variable))
        except Unsupported:
            continue
    narrow = [scope for scope in found if all(
        shape[1] != KEY and shape[2] != KEY for variable, shape in scope.shapes
        if variable == scope.key)]
    return (narrow or found or [None])[0]


class _Analysis:
    """A walk of a check's algebra; raises Unsupported. Each pattern is walked with the
    variable it is keyed on, and gives the variables linked to it that all its rows bind."""

    def __init__(self):
        self.shapes: list[tuple[str, Shape]] = []
        self.links: list[tuple[str, str, Shape]] = []
        self.names: list[str] = []
        self.guards: list[tuple[str, tuple[Shape, ...]]] = []
        # Whether every row of the query matches the pattern walked, its subqueries aside (a
        # subquery's variable of the key's name may be another variable).
        self.required, self.top = True, True

    def scope(self, key: Variable) -> Scope:
        # A link to a variable that places no pattern leads to no quad a row reads.
        placing = {*self.names, *(variable for variable, _ in self.shapes)}
        return Scope(str(key), tuple(dict.fromkeys(self.shapes)), tuple(dict.fromkeys(
            link for link in self.links if link[1] in placing)), tuple(dict.fromkeys(self.names)),
            tuple(dict.fromkeys(shapes for anchor, shapes in self.guards if anchor == str(key))))

    def optional(self, walk, *args):
        """A walk of a pattern not every row of the query matches."""
        required, self.required = self.required, False
        try:
            return walk(*args)
        finally:
            self.required = required

    def pattern(self, node, key: Variable, graph) -> set[Variable]:
        """The linked variables every row of `node` binds (`key` among them if it reads the
        data). `graph`: the active graph, None (the default), an IRI, another variable or
        _IN_KEY_GRAPH."""
        return self._walk(node, key, graph)[0]

    def _walk(self, node, key: Variable, graph) -> tuple[set[Variable], bool]:
        """pattern()'s variables, and whether `node` reads the data."""
        linked, reads = self._pattern(node, key, graph)
        # A pattern that reads but may leave the key unbound has rows that depend on other
        # keys' data (an OPTIONAL's unmatched row, say).
        if reads and key not in linked and graph != _IN_KEY_GRAPH:
            raise Unsupported
        return linked, reads

    def keyed(self, node, keys: Iterable[Variable], graph) -> set[Variable]:
        """`node` walked keyed on the first of `keys` it can be."""
        for key in keys:
            kept = self._kept()
            try:
                return self.pattern(node, key, graph)
            except Unsupported:
                self._back_to(kept)
        raise Unsupported

    def _pattern(self, node, key, graph) -> tuple[set[Variable], bool]:
        name = node.name
        if name == "BGP":
            return self._triples(node.triples, key, graph), bool(node.triples)
        if name == "Graph":
            return self._graph(node, key, graph)
        if name in _PASS_THROUGH:
            self._expressions(node.get("expr"), {key}, graph)
            return self._walk(node.p, key, graph)
        if name == "Project":
            return self._subquery(node, key, graph)
        if name in ("Filter", "Extend"):
            if name == "Extend" and node.var == key:
                raise Unsupported  # the key's value would not be the data's
            linked, reads = self._walk(node.p, key, graph)
            self._expressions(node.expr, linked, graph)
            return linked, reads
        if name == "Union":
            (left, reads), (right, also) = (self.optional(self._walk, node.p1, key, graph),
                                            self.optional(self._walk, node.p2, key, graph))
            return left & right, reads or also
        if name == "Join":
            return self._join(node.p1, node.p2, key, graph)
        if name in ("LeftJoin", "Minus"):
            # The right side's rows that meet a left row have its value of a linked variable.
            linked, reads = self._walk(node.p1, key, graph)
            self.optional(self.keyed, node.p2, _first(key, linked), graph)
            self._expressions(node.get("expr"), linked, graph)
            return linked, True
        if name == "values":
            return set(), False
        raise Unsupported(name)  # Slice, Group, AggregateJoin, ServiceGraphPattern, ...

    def _join(self, left, right, key, graph) -> tuple[set[Variable], bool]:
        """One side keyed on the key, the other on a variable the first links to it."""
        for first, second in ((left, right), (right, left)):
            kept = self._kept()
            try:
                if second.name == "BGP" and (fixed := _fixed(first)):
                    # `VALUES ?var { IRIs }` joined with triple patterns: each row of theirs
                    # has one of the IRIs there.
                    return self._triples(second.triples, key, graph, fixed), True
                linked, reads = self._walk(first, key, graph)
                return linked | self.keyed(second, _first(key, linked), graph), True
            except Unsupported:
                self._back_to(kept)
        raise Unsupported

    def _kept(self) -> tuple[int, ...]:
        return len(self.shapes), len(self.links), len(self.names), len(self.guards)

    def _back_to(self, kept: tuple[int, ...]) -> None:
        """Forget what a walk that failed found."""
        del self.shapes[kept[0]:], self.links[kept[1]:], self.names[kept[2]:], \
            self.guards[kept[3]:]

    def _graph(self, node, key, graph) -> tuple[set[Variable], bool]:
        if node.term == key:
            if node.p.name == "BGP" and not node.p.triples:
                self.names.append(str(key))  # `GRAPH ?key { }`: the graph's name alone
            else:
                self.shapes.append((str(key), GRAPH_SHAPE))
                self.pattern(node.p, key, _IN_KEY_GRAPH)
            return {key}, True
        linked = self.pattern(node.p, key, node.term)
        if not linked:  # it lists graphs, whose names are no linked variable's
            raise Unsupported
        return linked, True

    def _subquery(self, node, key, graph) -> tuple[set[Variable], bool]:
        # Within `GRAPH ?key`, walked as if outside: the rule then holds whichever graph an
        # engine evaluates a subquery on (shapes hold any graph).
        graph = None if graph == _IN_KEY_GRAPH else graph
        if key in node.PV:
            required, top, self.top = self.required, self.top, False
            self.required = required and top
            try:
                linked, reads = self._walk(node.p, key, graph)
            finally:
                self.required = required
            return linked & set(node.PV), reads
        raise Unsupported  # the caller may key it on another variable it projects

    def _triples(self, triples, key, graph, fixed=None) -> set[Variable]:
        """Each triple pattern placed by a linked variable it names (its shape, that
        variable's), linking the other variables it names; the key first."""
        if graph == _IN_KEY_GRAPH:
            return {key}
        # A VALUES variable is narrowed to its IRIs only where it is in one triple pattern and
        # not the key: nothing is then keyed on it or linked from it (its shape has no place
        # for its value).
        fixed = {variable: iris for variable, iris in (fixed or {}).items()
                 if variable != key and sum(variable in triple for triple in triples) == 1}
        linked, left = ({key} if any(key in triple for triple in triples) else set()), \
            list(triples)
        while left:
            triple = next((t for t in left if linked & set(t)), None)
            if triple is None:
                raise Unsupported  # a pattern no linked variable reaches
            left.remove(triple)
            anchor = next(term for term in triple if term in linked)
            others = sorted({term for term in triple if isinstance(term, Variable)
                             and term not in linked and term not in fixed})
            alternatives = []
            for terms in (alternative for step in _steps_of(triple)
                          for alternative in _fixing(step, fixed)):
                shape = tuple(_part(term, anchor) for term in terms) + (None,)
                alternatives.append(shape)
                self.shapes.append((str(anchor), shape))
                for other in others:
                    self.links.append((str(anchor), str(other), tuple(
                        LINKED if term == other else part for term, part in zip(terms, shape)
                    ) + (None,)))
            if self.required:
                self.guards.append((str(anchor), tuple(alternatives)))
            linked |= {term for term in triple if isinstance(term, Variable)}
        return linked - set(fixed)

    def _expressions(self, expression, linked: set[Variable], graph) -> None:
        """Refuse what makes a row's value not the data's; walk [NOT] EXISTS' patterns, each
        keyed on a variable the rows bind."""
        if isinstance(expression, CompValue):
            if expression.name in _NOT_DETERMINED:
                raise Unsupported(expression.name)
            if expression.name in ("Builtin_EXISTS", "Builtin_NOTEXISTS"):
                # Within `GRAPH ?key` too, as a subquery is (_subquery).
                self.optional(self.keyed, expression.graph, sorted(linked),
                              None if graph == _IN_KEY_GRAPH else graph)
                return
            for value in expression.values():
                self._expressions(value, linked, graph)
        elif isinstance(expression, list | tuple):
            for value in expression:
                self._expressions(value, linked, graph)


def _first(key: Variable, linked: set[Variable]) -> list[Variable]:
    return [key, *sorted(linked - {key})]


def _fixed(node) -> dict[Variable, list[URIRef]]:
    """The variables a `VALUES` block binds to an IRI in each of its rows, and the IRIs."""
    if node.name == "ToMultiSet":
        node = node.p
    if node.name != "values":
        return {}
    variables = set.intersection(*(set(row) for row in node.res)) if node.res else set()
    return {variable: [row[variable] for row in node.res] for variable in variables
            if all(isinstance(row[variable], URIRef) for row in node.res)}


def _fixing(terms: tuple, fixed: dict[Variable, list[URIRef]]) -> Iterable[tuple]:
    """The terms with each fixed variable replaced by each of its IRIs in turn."""
    return itertools.product(*([*fixed[term]] if term in fixed else [term] for term in terms))


def _steps_of(triple) -> list[tuple]:
    """A triple pattern as the (subject, predicate, object) of the quads it reads: one for
    each step a path of one step may take, its ends swapped for an inverse step."""
    subject, predicate, obj = triple
    if not isinstance(predicate, Path):
        return [triple]
    return [(obj, step, subject) if inverse else (subject, step, obj)
            for step, inverse in _steps(predicate)]


def _steps(path) -> list[tuple[object, bool]]:
    """A path of one step as its (predicate, inverse) alternatives; a negated set as any
    predicate either way round (more quads than read, never fewer). Longer paths are refused:
    the nodes between are no variable's."""
    if isinstance(path, URIRef):
        return [(path, False)]
    if isinstance(path, NegatedPath):
        return [(None, False), (None, True)]
    if isinstance(path, InvPath):
        return [(step, not inverse) for step, inverse in _steps(path.arg)]
    if isinstance(path, AlternativePath):
        return [step for arg in path.args for step in _steps(arg)]
    raise Unsupported(path)


def _part(term, anchor: Variable):
    """A triple pattern's term as a shape's part: only IRIs narrow it (a literal written in a
    query may match several stored forms; a wider shape reads more quads, never fewer)."""
    if term == anchor:
        return KEY
    return ox.NamedNode(str(term)) if isinstance(term, URIRef) else None
