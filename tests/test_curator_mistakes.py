"""What a curator can get wrong fails the build, saying where (file and line), what was found and
what would be right: offsets that miss their sentence, terms the ontology does not declare, values
the shapes do not allow (build/offsets.py, build/terms.py, build/shape_messages.py)."""

from __future__ import annotations

import re

import pyshacl
import pytest
from conftest import append
from corpus import Corpus
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SH, SKOS, XSD

from defence_kg.build import BuildError, build
from defence_kg.build.lines import RdfFile
from defence_kg.build.load import ONTOLOGY_FILE
from defence_kg.build.shape_messages import ShapeMessages
from defence_kg.build.terms import Declared

DKO = "https://w3id.org/defence-kg/ontology#"

# Its assertions depend on data/: tests/test_many_sources.py runs it again with a second source.
pytestmark = pytest.mark.data


def failure(settings) -> str:
    with pytest.raises(BuildError) as raised:
        build(settings)
    return str(raised.value)


def some_sentence(settings):
    """A sentence of some source, its segment IRI's line in the source's .ttl, and the text."""
    source = Corpus.read(settings).sources[0]
    sentence = source.sentences[0]
    path = settings.data_dir / "sources" / f"{source.id}.ttl"
    return source, sentence, path, RdfFile.read(path, settings)


def statement_file(settings):
    """A data file of statements and one of its graphs, to add statements to."""
    path = sorted(settings.data_dir.glob("*.trig"))[0]
    graph = sorted(q.graph_name.value for q in RdfFile.read(path, settings).quads)[0]
    return path, graph


def test_the_real_data_passes_every_check(build_result):
    assert build_result.report["triples"]["asserted"] > 0


# --- offsets ------------------------------------------------------------------------------

def test_offsets_shifted_by_one_name_the_segment_the_anchor_and_the_text_found(repo_copy):
    source, sentence, path, file = some_sentence(repo_copy)
    begin, end = source.begin(sentence), source.end(sentence)
    text = path.read_text(encoding="utf-8")
    shifted = re.sub(rf'(<{re.escape(str(sentence))}>|{re.escape(file.name(str(sentence)))})'
                     rf'(\s.*?nif:beginIndex )"{begin}"(.*?nif:endIndex )"{end}"',
                     rf'\1\2"{begin + 1}"\3"{end + 1}"', text, count=1, flags=re.S)
    assert shifted != text
    path.write_text(shifted, encoding="utf-8")
    message = failure(repo_copy)
    line = file.line_of(str(sentence))
    assert f"data/sources/{source.id}.ttl:{line}: segment {file.name(str(sentence))}" in message
    assert f'nif:anchorOf is "{source.anchor(sentence)}"' in message
    found = source.text[begin + 1:end + 1].replace("\n", "\\n")
    assert f'has "{found}" at nif:beginIndex {begin + 1}, nif:endIndex {end + 1}' in message
    assert f"the anchor is at nif:beginIndex {begin}, nif:endIndex {end}" in message


def test_an_anchor_that_differs_from_the_verbatim_text_fails(repo_copy):
    source, sentence, path, file = some_sentence(repo_copy)
    anchor = source.anchor(sentence)
    edited = anchor[:-1] + ("?" if anchor[-1] != "?" else "!")
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace(f'nif:anchorOf "{anchor}"', f'nif:anchorOf "{edited}"'),
                    encoding="utf-8")
    message = failure(repo_copy)
    assert f"segment {file.name(str(sentence))}" in message
    assert f'nif:anchorOf is "{edited}" but data/sources/{source.id}.txt has "{anchor}"' \
        in message


def test_an_anchor_that_differs_from_its_context_string_names_where_the_string_is(repo_copy):
    """A context that holds its text (nif:isString), not a file: the message names the file and
    line that write it."""
    context = "https://w3id.org/defence-kg/id/inline-context"
    (repo_copy.data_dir / "inline.ttl").write_text(
        "@prefix nif: <http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#> .\n"
        "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
        f"<{context}> a nif:Context ;\n"
        '    nif:isString "The talks went well." .\n'
        f"<{context}#char=4,9> a nif:Phrase ; nif:referenceContext <{context}> ;\n"
        '    nif:beginIndex "4"^^xsd:nonNegativeInteger ;\n'
        '    nif:endIndex "9"^^xsd:nonNegativeInteger ; nif:anchorOf "walks" .\n',
        encoding="utf-8")
    assert 'nif:anchorOf is "walks" but data/inline.ttl:3 has "talks"' in failure(repo_copy)


def test_offsets_past_the_end_of_the_text_fail(repo_copy):
    source, sentence, path, file = some_sentence(repo_copy)
    end = source.end(sentence)
    text = path.read_text(encoding="utf-8")
    at = text.index(f'nif:endIndex "{end}"', text.index(file.name(str(sentence)) + " a "))
    path.write_text(text[:at] + f'nif:endIndex "{len(source.text) + 5}"'
                    + text[at + len(f'nif:endIndex "{end}"'):], encoding="utf-8")
    assert f"run past the end of data/sources/{source.id}.txt" in failure(repo_copy)


# --- terms --------------------------------------------------------------------------------

def test_an_undeclared_property_names_file_line_and_the_closest_terms(repo_copy):
    path, graph = statement_file(repo_copy)
    line = append(path, f"<{graph}> {{\n    <https://w3id.org/defence-kg/id/s-400>\n"
                        f"        <{DKO}licencedBy> <https://w3id.org/defence-kg/id/x> .\n}}\n")
    message = failure(repo_copy)
    assert (f"data/{path.name}:{line + 2}: dko:licencedBy is not a property declared in the "
            "ontology or a vocabulary it reuses") in message
    assert re.search(r"did you mean [^\n]*dko:\w+", message)


def test_an_undeclared_class_suggests_the_declared_one(repo_copy):
    path, graph = statement_file(repo_copy)
    line = append(path, f"@prefix dko: <{DKO}> .\n<{graph}> {{\n"
                        "    <https://w3id.org/defence-kg/id/x> a dko:MissileDefenseSystem .\n}\n")
    message = failure(repo_copy)
    assert (f"data/{path.name}:{line + 2}: dko:MissileDefenseSystem is not a class declared"
            in message)
    assert "did you mean dko:MissileDefenceSystem" in message


def test_a_term_of_an_unknown_vocabulary_is_named_in_full(repo_copy):
    path, graph = statement_file(repo_copy)
    append(path, f"<{graph}> {{ <https://w3id.org/defence-kg/id/india> "
                 "<http://xmlns.com/foaf/0.1/name> \"India\" . }\n")
    assert "<http://xmlns.com/foaf/0.1/name> is not a property declared" in failure(repo_copy)


def test_terms_of_the_reused_vocabularies_are_declared(settings):
    declared = Declared.by(RdfFile.read(settings.ontology_dir / ONTOLOGY_FILE, settings))
    for cls in ("https://schema.org/Person", "http://www.w3.org/2006/time#ProperInterval",
                "http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#Sentence",
                "http://www.w3.org/ns/org#Post", DKO + "State"):
        assert cls in declared.classes, cls
    for prop in ("http://www.w3.org/2000/01/rdf-schema#label", "http://purl.org/dc/terms/issued",
                 "http://www.w3.org/ns/prov#wasDerivedFrom", DKO + "hasStatus"):
        assert prop in declared.properties, prop
    assert DKO + "on-schedule" not in declared.classes | declared.properties  # a concept


# --- shapes -------------------------------------------------------------------------------

def test_a_status_outside_its_scheme_names_the_value_and_every_allowed_one(repo_copy):
    path, graph = statement_file(repo_copy)
    line = append(path, f"@prefix dko: <{DKO}> .\n<{graph}> {{\n"
                        "    <https://w3id.org/defence-kg/id/s-400-delivery>\n"
                        "        dko:hasStatus dko:planned .\n}\n")
    message = failure(repo_copy)
    assert (f"data/{path.name}:{line + 3}: dkg:s-400-delivery dko:hasStatus: `dko:planned` is "
            "not in dko:progress-statuses:") in message
    ontology = Graph().parse(repo_copy.ontology_dir / ONTOLOGY_FILE)
    statuses = list(ontology.subjects(SKOS.inScheme, URIRef(DKO + "progress-statuses")))
    assert len(statuses) >= 2
    for status in statuses:
        assert f"dko:{status.removeprefix(DKO)} ({ontology.value(status, SKOS.prefLabel)})" \
            in message


def test_a_platform_of_no_kind_names_the_class_expected(repo_copy):
    path, graph = statement_file(repo_copy)
    append(path, f"<{graph}> {{ <https://w3id.org/defence-kg/id/s-400-delivery> "
                 f"<{DKO}deliversPlatform> <https://w3id.org/defence-kg/id/mystery> . }}\n")
    message = failure(repo_copy)
    assert "`dkg:mystery` is not a dko:MilitaryPlatform (it has no type)" in message


def test_a_percentage_written_as_text_names_the_datatype_expected(repo_copy):
    path, graph = statement_file(repo_copy)
    share = f"<{DKO}ProcurementShare>"
    append(path, f"<{graph}> {{ <https://w3id.org/defence-kg/id/a-share> a {share} ; "
                 f"<{RDFS.label}> \"a share\"@en ; <{DKO}percentageExceeds> \"30%\" . }}\n")
    message = failure(repo_copy)
    assert 'dkg:a-share dko:percentageExceeds: `"30%"` is not a xsd:decimal' in message


def test_sh_in_lists_the_allowed_values_by_name_and_label():
    """No shape of ours uses sh:in yet: a small one shows how its violations read."""
    ex = "http://example.org/"
    shapes = Graph().parse(data=f"""
        @prefix sh: <{SH}> . @prefix ex: <{ex}> .
        ex:Shape a sh:NodeShape ; sh:targetClass ex:Thing ;
            sh:property [ sh:path ex:colour ; sh:in ( ex:red ex:green ) ] .""", format="turtle")
    data = Graph()
    data.add((URIRef(ex + "x"), RDF.type, URIRef(ex + "Thing")))
    data.add((URIRef(ex + "x"), URIRef(ex + "colour"), URIRef(ex + "blue")))
    data.add((URIRef(ex + "red"), SKOS.prefLabel, Literal("red", lang="en")))
    data.add((URIRef(ex + "x"), URIRef(ex + "size"), Literal("9", datatype=XSD.integer)))
    _, results, _ = pyshacl.validate(data, shacl_graph=shapes)
    locate = {(ex + "x", ex + "blue"): "data/things.ttl:7"}.get
    (message,) = ShapeMessages(results, shapes, data, {"ex": ex},
                               lambda s, v: locate((s, v))).messages()
    assert message == ("data/things.ttl:7: ex:x ex:colour: `ex:blue` is not one of: ex:red (red), "
                       "ex:green [ontology/shapes.ttl, ex:Shape]")
