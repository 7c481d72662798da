"""SHACL results as a curator reads them (https://www.w3.org/TR/shacl/#validation-report):
the resource, the property, the offending value, and what the shape allows instead, such as
"`dko:planned` is not in dko:progress-statuses: dko:completed, dko:declined, …"."""

from __future__ import annotations

from collections.abc import Callable

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, SH, SKOS

# (subject, value or None) -> `file:line` where the data writes that statement, if known
Locate = Callable[[str, "str | None"], "str | None"]


class ShapeMessages:
    """Turns pySHACL's results graph into one line per violation."""

    # What it reads of the data graph besides the shapes' own paths (names, types, schemes).
    READS = frozenset({RDF.type, RDFS.label, SKOS.prefLabel, SKOS.inScheme})

    def __init__(self, results: Graph, shapes: Graph, data: Graph, prefixes: dict[str, str],
                 locate: Locate | None = None):
        self.results = results
        self.shape_names = shapes.namespace_manager  # the shapes file's own prefixes (dkgs:)
        self.shapes = shapes + results  # pySHACL copies blank property shapes into its results
        self.data = data
        self.prefixes = sorted(prefixes.items(), key=lambda p: -len(p[1]))
        self.locate = locate or (lambda subject, value: None)

    def messages(self) -> list[str]:
        report = next(self.results.subjects(RDF.type, SH.ValidationReport), None)
        found = [self.message(r) for r in self.results.objects(report, SH.result)]
        return sorted(set(found))

    def message(self, result) -> str:
        focus = self.results.value(result, SH.focusNode)
        path = self.results.value(result, SH.resultPath)
        value = self.results.value(result, SH.value)
        component = self.results.value(result, SH.sourceConstraintComponent)
        shape = self.results.value(result, SH.sourceShape)
        describe = getattr(self, "_" + _local(component), None)
        detail = describe(result, shape, focus, path, value) if describe else None
        if detail is None:  # pySHACL's own words, then the value
            detail = str(self.results.value(result, SH.resultMessage) or _local(component))
            if value is not None:
                detail += f" (value {self.show(value)})"
        where = self._where(focus, value)
        subject = self.name(focus) + (f" {self.name(path)}" if isinstance(path, URIRef) else "")
        text = f"{subject}: {detail}"
        note = self.shapes.value(shape, SH.message)
        if note is not None and str(note) not in text:
            text += f". {note}"
        owner = self._owner(shape)
        if owner is not None:
            text += f" [ontology/shapes.ttl, {self.shape_names.normalizeUri(owner)}]"
        return f"{where}: {text}" if where else text

    # One describer per constraint component: what was found, and what is allowed.

    def _InConstraintComponent(self, result, shape, focus, path, value):
        allowed = Collection(self.shapes, self.shapes.value(shape, SH["in"]))
        return f"{self.show(value)} is not one of: {self._list(allowed)}"

    def _NodeConstraintComponent(self, result, shape, focus, path, value):
        node = self.shapes.value(shape, SH.node)
        for member_shape in self.shapes.objects(node, SH.property):
            scheme = self.shapes.value(member_shape, SH.hasValue)
            if self.shapes.value(member_shape, SH.path) == SKOS.inScheme and scheme is not None:
                members = sorted(self.data.subjects(SKOS.inScheme, scheme), key=self.name)
                return (f"{self.show(value)} is not in {self.name(scheme)}: "
                        f"{self._list(members)}")
        details = [str(self.results.value(d, SH.resultMessage))
                   for d in self.results.objects(result, SH.detail)]
        if details:
            return f"{self.show(value)} does not conform: " + "; ".join(sorted(details))
        return None

    def _ClassConstraintComponent(self, result, shape, focus, path, value):
        expected = self.shapes.value(shape, SH["class"])
        types = sorted(self.data.objects(value, RDF.type), key=self.name)
        found = f"it is a {self._list(types)}" if types else "it has no type"
        return f"{self.show(value)} is not a {self.name(expected)} ({found})"

    def _DatatypeConstraintComponent(self, result, shape, focus, path, value):
        return f"{self.show(value)} is not a {self.name(self.shapes.value(shape, SH.datatype))}"

    def _MinCountConstraintComponent(self, result, shape, focus, path, value):
        count = int(self.shapes.value(shape, SH.minCount))
        return "missing" if count == 1 else f"needs at least {count} values"

    def _MaxCountConstraintComponent(self, result, shape, focus, path, value):
        count = int(self.shapes.value(shape, SH.maxCount))
        found = sorted(self.data.objects(focus, path), key=self.show) if isinstance(
            path, URIRef) else []
        listed = f" ({', '.join(self.show(v) for v in found)})" if found else ""
        return f"has {len(found) or 'more'} values{listed}; at most {count} allowed"

    def _HasValueConstraintComponent(self, result, shape, focus, path, value):
        return f"lacks the value {self.show(self.shapes.value(shape, SH.hasValue))}"

    def _PatternConstraintComponent(self, result, shape, focus, path, value):
        return f"{self.show(value)} does not match {self.shapes.value(shape, SH.pattern)}"

    def _LanguageInConstraintComponent(self, result, shape, focus, path, value):
        allowed = Collection(self.shapes, self.shapes.value(shape, SH.languageIn))
        return f"{self.show(value)} is not in the languages {', '.join(map(str, allowed))}"

    def _bound(self, shape, value, bound, relation):
        return f"{self.show(value)} is not {relation} {self.shapes.value(shape, bound)}"

    def _MinInclusiveConstraintComponent(self, result, shape, focus, path, value):
        return self._bound(shape, value, SH.minInclusive, "at least")

    def _MaxInclusiveConstraintComponent(self, result, shape, focus, path, value):
        return self._bound(shape, value, SH.maxInclusive, "at most")

    def _MinExclusiveConstraintComponent(self, result, shape, focus, path, value):
        return self._bound(shape, value, SH.minExclusive, "more than")

    def _MaxExclusiveConstraintComponent(self, result, shape, focus, path, value):
        return self._bound(shape, value, SH.maxExclusive, "less than")

    # Names

    def name(self, term) -> str:
        """A prefixed name (dko:State), the IRI, or [] for a blank node."""
        if isinstance(term, URIRef):
            for prefix, namespace in self.prefixes:
                if str(term).startswith(namespace) and len(term) > len(namespace):
                    return f"{prefix}:{term[len(namespace):]}"
            return f"<{term}>"
        return "[]" if isinstance(term, BNode) else str(term)

    def show(self, term) -> str:
        """A value as the data writes it, in backquotes: `dko:planned`, `"30%"^^xsd:string`."""
        if isinstance(term, Literal):
            suffix = f"@{term.language}" if term.language else (
                f"^^{self.name(term.datatype)}" if term.datatype else "")
            return f'`"{term}"{suffix}`'
        return f"`{self.name(term)}`"

    def _list(self, terms) -> str:
        """Prefixed names, each with its label when it has one."""
        shown = []
        for term in terms:
            label = self.data.value(term, SKOS.prefLabel) or self.data.value(term, RDFS.label)
            shown.append(self.name(term) + (f" ({label})" if label is not None else ""))
        return ", ".join(shown) or "(none)"

    def _where(self, focus, value) -> str | None:
        if not isinstance(focus, URIRef):
            return None
        return self.locate(str(focus), str(value) if isinstance(value, URIRef) else None)

    def _owner(self, shape):
        """The named shape a (blank) property shape belongs to."""
        if isinstance(shape, URIRef):
            return shape
        return next((s for s in self.shapes.subjects(SH.property, shape)
                     if isinstance(s, URIRef)), None)


def _local(term) -> str:
    return str(term).rsplit("#", 1)[-1] if term is not None else ""
