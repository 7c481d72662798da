"""Why each inferred triple holds, as RDF: a statement per triple, derived from its premises.

A published inference is an `rdf:Statement` that `prov:wasDerivedFrom` the statements of its
premises and names the OWL 2 RL rule that joined them (`dko:inferredBy`). A premise that was
asserted `prov:wasDerivedFrom` the named graph holding it, and that graph, in turn, from its
sentence: one property, followed down to the source text. PROV-O: https://www.w3.org/TR/prov-o/
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
from rdflib.namespace import PROV, RDF, RDFS, SKOS

from ..namespaces import Vocabulary
from .assemble import graphs_holding, lines_beginning, mapped
from .rules import Derivation

SPEC = "https://www.w3.org/TR/owl2-profiles/#Reasoning_in_OWL_2_RL_and_RDF_Graphs_using_Rules"

# What each rule of the OWL 2 RL tables says, for people reading an explanation.
RULE_DEFINITIONS = {
    "cax-sco": "A member of a class is a member of each of its superclasses.",
    "cax-eqc1": "A member of a class is a member of each equivalent class.",
    "cax-eqc2": "A member of a class is a member of each equivalent class.",
    "scm-sco": "Subclass is transitive.",
    "scm-spo": "Subproperty is transitive.",
    "scm-eqc1": "Equivalent classes are subclasses of each other.",
    "scm-eqc2": "Classes that are subclasses of each other are equivalent.",
    "scm-eqp1": "Equivalent properties are subproperties of each other.",
    "scm-eqp2": "Properties that are subproperties of each other are equivalent.",
    "scm-dom1": "A property's domain includes the domain's superclasses.",
    "scm-dom2": "A subproperty inherits the domain of its superproperty.",
    "scm-rng1": "A property's range includes the range's superclasses.",
    "scm-rng2": "A subproperty inherits the range of its superproperty.",
    "scm-int": "An intersection is a subclass of each of its members.",
    "scm-uni": "Each member of a union is a subclass of the union.",
    "prp-dom": "The subject of a property is a member of the property's domain.",
    "prp-rng": "The object of a property is a member of the property's range.",
    "prp-spo1": "A statement with a property holds with each of its superproperties.",
    "prp-spo2": "A chain of properties implies the property the chain defines.",
    "prp-eqp1": "A statement holds with each equivalent property.",
    "prp-eqp2": "A statement holds with each equivalent property.",
    "prp-inv1": "A statement holds in reverse with the inverse property.",
    "prp-inv2": "A statement holds in reverse with the inverse property.",
    "prp-symp": "A symmetric property holds in both directions.",
    "prp-trp": "A transitive property carries over along a path.",
    "prp-fp": "Two values of a functional property are the same individual.",
    "prp-ifp": "Two subjects of an inverse-functional property with one value are the same.",
    "eq-sym": "Sameness is symmetric.",
    "eq-trans": "Sameness is transitive.",
    "eq-rep-s": "What holds of an individual holds of the same individual.",
    "eq-rep-p": "What holds with a property holds with the same property.",
    "eq-rep-o": "What holds of an individual holds of the same individual.",
    "cls-hv1": "Members of a has-value restriction have the value.",
    "cls-hv2": "Having the value of a has-value restriction makes a member.",
    "cls-svf1": "A value in the restriction's class makes a member of the restriction.",
    "cls-svf2": "Any value of the property makes a member of the restriction.",
    "cls-avf": "Values of members of an all-values restriction are in its class.",
    "cls-int1": "A member of every class of an intersection is a member of the intersection.",
    "cls-int2": "A member of an intersection is a member of each of its classes.",
    "cls-uni": "A member of a class of a union is a member of the union.",
    "cls-maxc2": "Two values of a property allowed at most one value are the same individual.",
    "cls-maxqc3": "Two qualifying values where at most one is allowed are the same individual.",
    "cls-maxqc4": "Two values where at most one is allowed are the same individual.",
}


def _node(term) -> ox.NamedNode:
    return ox.NamedNode(str(term))


TYPE, STATEMENT, SUBJECT, PREDICATE, OBJECT = map(_node, (RDF.type, RDF.Statement, RDF.subject,
                                                          RDF.predicate, RDF.object))
DERIVED_FROM, LABEL, DEFINITION, SEE_ALSO = map(_node, (PROV.wasDerivedFrom, RDFS.label,
                                                        SKOS.definition, RDFS.seeAlso))


def statement_iri(triple, vocabulary: Vocabulary) -> ox.NamedNode:
    """A stable IRI for a triple: a digest of its N-Triples form.

    Blank node labels change from parse to parse, so they all hash alike; only ontology axioms
    (lists, restrictions) have them, and no two of those statements differ in a blank node alone.
    """
    return ox.NamedNode(f"{vocabulary.id}statement/{_digest(triple, map(str, triple))}")


def _digest(triple, texts: Iterable[str]) -> str:
    """statement_iri's digest of a triple, given the N-Triples texts of its terms."""
    text = " ".join("[]" if isinstance(term, ox.BlankNode) else written
                    for term, written in zip(triple, texts))
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def rule_iri(rule: str, vocabulary: Vocabulary) -> ox.NamedNode:
    return _node(vocabulary.id[f"rule/{rule}"])


@dataclass
class Last:
    """What a build continued from the last release's reasoner state explains from: the last
    release's derived lines (its inferred and explanations graphs, sorted N-Quads), the
    asserted quads added since (N-Quads), and the triples whose derivation was set or dropped
    since, with their derivation in the last release (Inference.touched). `dropped` is set by
    explanation_lines: the statements (and rules) whose lines of the last release are not
    kept (IRIs written)."""

    lines: Path
    added: Path
    touched: dict[tuple, Derivation | None]
    dropped: set[str] = field(default_factory=set)
    made: int = 0  # statements made anew

    def changed(self) -> set[tuple]:
        """The statements whose lines may differ from the last release's: their derivation
        changed, or an added quad states their triple (a graph more holds it, or it became
        asserted). Nothing was removed: a build that removes asserted quads reasons afresh."""
        added = {(quad.subject, quad.predicate, quad.object) for quad in ox.parse(
            path=str(self.added), format=ox.RdfFormat.N_QUADS, rename_blank_nodes=False)}
        return added | self.touched.keys()

    def unreachable(self, reachable: set[tuple]) -> set[tuple]:
        """The statements the last release explained that no published inference reaches now:
        the premises of the changed derivations as they were, and theirs, down to what is
        reachable still (a derivation that did not change has the premises it had)."""
        touched, found = self.touched, set()
        todo = [p for d in touched.values() if d is not None for p in d.premises]
        while todo:
            triple = todo.pop()
            if triple in reachable or triple in found:
                continue
            found.add(triple)
            before = touched.get(triple)
            if before is not None:
                todo.extend(before.premises)
        return found


def explanation_lines(published: Iterable[tuple], derivations: dict[tuple, Derivation],
                      asserted_nquads: Path, vocabulary: Vocabulary, graph: ox.NamedNode,
                      last: Last | None = None) -> Iterator[str]:
    """One derivation for every published inference, down to asserted triples and the named
    graphs that hold them in `asserted_nquads` (the asserted quads as sorted N-Quads lines):
    the explanations graph (`graph`), as N-Quads lines written as they are found (a line may
    come more than once: the sorted release holds it once).
    With `last`, the last release's lines of the statements that an unchanged path reaches
    and that did not change (Last.changed) are kept (the others are noted in `last.dropped`),
    and only the others' lines are yielded: docs/design.md, "Explaining incrementally".
    Lines, not terms: a line is all that is kept of a statement, and costs least to make."""
    end = f" {graph} .\n"
    inferred_by = f"<{vocabulary.ontology['inferredBy']}>"
    prefix = f"<{vocabulary.id}statement/"
    names: dict[tuple, str] = {}  # triple -> its statement IRI, written

    def name(triple, texts=None) -> str:
        found = names.get(triple)
        if found is None:
            found = names[triple] = f"{prefix}{_digest(triple, texts or map(str, triple))}>"
        return found

    asserted: list[tuple[bytes, str]] = []  # (N-Triples text and a space, statement IRI)

    def lines_of(triple, derivation: Derivation | None) -> Iterator[str]:
        texts = tuple(map(str, triple))
        statement = name(triple, texts)
        yield f"{statement} {TYPE} {STATEMENT}{end}"
        yield f"{statement} {SUBJECT} {texts[0]}{end}"
        yield f"{statement} {PREDICATE} {texts[1]}{end}"
        yield f"{statement} {OBJECT} {texts[2]}{end}"
        if derivation is None:
            asserted.append(((" ".join(texts) + " ").encode(), statement))
            return
        yield f"{statement} {inferred_by} {rule_iri(derivation.rule, vocabulary)}{end}"
        for premise in derivation.premises:
            yield f"{statement} {DERIVED_FROM} {name(premise)}{end}"

    # Continued, the statements reached from an unchanged published inference through unchanged
    # derivations alone were explained by the last release: those not changed keep its lines.
    # The rest (below a changed derivation) is made anew, lines the release may hold already.
    changed = last.changed() if last is not None else None
    rules_described: set[str] = set()
    done: set[tuple] = set()
    todo = list(published)  # in any order: the lines are sorted after
    below_changed: list[tuple] = []
    if changed is not None:
        below_changed = [t for t in todo if t in last.touched]
        todo = [t for t in todo if t not in last.touched]
    for reached_unchanged in (True, False):
        while todo:
            triple = todo.pop()
            if triple in done:
                continue
            done.add(triple)
            derivation = derivations.get(triple)
            if derivation is not None:
                if derivation.rule not in rules_described:
                    rules_described.add(derivation.rule)
                    yield from (f"{s} {p} {o}{end}"
                                for s, p, o in _describe_rule(derivation.rule, vocabulary))
                (todo if changed is None or triple not in last.touched
                 else below_changed).extend(derivation.premises)
            if changed is None or not reached_unchanged or triple in changed:
                if last is not None:
                    last.made += 1
                yield from lines_of(triple, derivation)
        todo = below_changed
    if last is not None:
        # The last release's lines of the statements changed or no longer reached, and of
        # the rules (described again above, for the rules used now), are dropped.
        last.dropped = {name(t) for t in changed | last.unreachable(done)}
        last.dropped.update(str(rule_iri(rule, vocabulary)) for rule in RULE_DEFINITIONS)
    del done, names
    asserted.sort()
    derived = {f"<{graph}>".encode() for graph in vocabulary.derived_graphs}
    # Continued, a few statements: their lines found by a binary search each, not a pass.
    holding = _graphs_holding if last is None else _graphs_found
    for statement, holder in holding(asserted, asserted_nquads, derived):
        yield f"{statement} {DERIVED_FROM} {holder}{end}"


def _graphs_found(triples: list[tuple[bytes, str]], nquads: Path, excluded: set[bytes]
                  ) -> Iterator[tuple[str, str]]:
    """What _graphs_holding gives (in another order: the lines are sorted after), by a
    binary search of `nquads` per triple (assemble.graphs_holding)."""
    with mapped(nquads) as data:
        for text, statement in triples:  # the triple's text and a space
            for graph in sorted(graphs_holding(data, text[:-1])):
                holder = b"<" + graph + b">"
                if holder not in excluded:
                    yield statement, holder.decode()


def _graphs_holding(triples: list[tuple[bytes, str]], nquads: Path, excluded: set[bytes]
                    ) -> Iterator[tuple[str, str]]:
    """(statement, named graph written) for each graph holding each triple, in one pass over
    `nquads` (sorted N-Quads lines, as Oxigraph writes them): `triples`, each its N-Triples
    text and a space, sorted as bytes, are the prefixes of their lines, which are adjacent
    and in the same order; lines in the `excluded` graphs are passed over."""
    if not triples:
        return
    index, (prefix, statement) = 0, triples[0]
    with open(nquads, "rb") as lines:
        for line in lines:
            while prefix < line and not line.startswith(prefix):
                # The lines that begin with `prefix` would be here: the triple holds no more.
                index += 1
                if index == len(triples):
                    return
                prefix, statement = triples[index]
            if line.startswith(prefix):
                holder = line[len(prefix):-3]  # "<graph>" of "<graph> .\n"
                if holder.startswith(b"<") and holder not in excluded:
                    yield statement, holder.decode()


def _describe_rule(rule: str, vocabulary: Vocabulary) -> Iterator[tuple]:
    iri = rule_iri(rule, vocabulary)
    yield iri, TYPE, _node(vocabulary.ontology["InferenceRule"])
    yield iri, LABEL, ox.Literal(rule)
    yield iri, DEFINITION, ox.Literal(RULE_DEFINITIONS[rule], language="en")
    yield iri, SEE_ALSO, ox.NamedNode(SPEC)


def changed_lines(last: Last, made: Path, gone: Iterable[str], graph: ox.NamedNode,
                  work: Path) -> tuple[Path, Path]:
    """The last release's derived lines (`last.lines`) that a continued build drops (removed)
    and the lines it made (`made`, sorted) that the last release did not hold (added), as two
    sorted files: what `comm -3` of the last lines and the new ones gives, by binary searches.
    Dropped: the explanations-graph (`graph`) lines of the statements explanation_lines noted
    (`last.dropped`) and the lines `gone` (the inferred graph's, of the triples no longer
    inferred) where the last release held them; a line made again is not dropped."""
    suffix = f" {graph} .\n".encode()
    with open(made, "rb") as lines:
        anew = lines.readlines()
    with mapped(last.lines) as data:
        def held(prefix: bytes) -> list[bytes]:
            return lines_beginning(data, prefix) if data is not None else []

        dropped = {line for subject in last.dropped for line in held(subject.encode() + b" ")
                   if line.endswith(suffix)}
        dropped.update(line for line in map(str.encode, gone) if held(line))
        added = [line for line in anew if not held(line)]
    removed = work / "derived-removed.nq"
    removed.write_bytes(b"".join(sorted(dropped.difference(anew))))
    (work / "derived-added.nq").write_bytes(b"".join(added))
    return removed, work / "derived-added.nq"
