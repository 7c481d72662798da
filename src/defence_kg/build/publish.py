"""Publish a build: dumps in every format, gzipped, with checksums and a VoID/DCAT description.

Releases are written to a staging directory and made current by swapping a symlink, so a
failed build never replaces the last good output and readers never see half a release.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import shutil
import tempfile
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, OWL, RDF, VOID, XSD

from ..namespaces import NIF, Vocabulary
from ..rdf import canonical_quads
from ..release import DUMP_NAME, ONTOLOGY_PAGE, REPORT_NAME, SEARCH_INDEX
from ..settings import Settings
from .ontology_page import ontology_page
from .pipeline import BuildResult
from .search_index import write_search_index

SPDX = "http://spdx.org/rdf/terms#"
LICENSE = URIRef("https://creativecommons.org/licenses/by/4.0/")
LINK_TARGETS = {
    "Wikidata": "http://www.wikidata.org/entity/",
    "DBpedia": "http://dbpedia.org/resource/",
    "GeoNames": "https://sws.geonames.org/",
}
# Dataset formats keep the named graphs; triple formats hold the union of all graphs.
DUMP_FORMATS = {
    "nq": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
    "ttl": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "jsonld": ox.RdfFormat.JSON_LD,
}
TITLE = "defence-kg: India–Russia defence cooperation"
RIGHTS = ("The statements of defence-kg are published under CC BY 4.0. The source text stays "
          "its publisher's: the data carries each sentence's offsets into it and the sentence "
          "itself as a short quotation, for attribution; the full article is the publisher's.")
IANA = "https://www.iana.org/assignments/media-types/"
EXAMPLES = 3
KEEP_RELEASES = 3


def publish(result: BuildResult, settings: Settings) -> Path:
    """Write the release and make it current; return its directory."""
    settings.output_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=settings.output_dir))
    try:
        fingerprint = write_release(result, settings, staging)
        release = settings.output_dir / "releases" / fingerprint[:16]
        if not release.exists():  # same fingerprint, same bytes: keep the one already there
            release.parent.mkdir(exist_ok=True)
            os.replace(staging, release)
        _point_current_at(release, settings)
        _prune_old_releases(settings)
        return release
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def write_release(result: BuildResult, settings: Settings, directory: Path) -> str:
    """Write every file of a release into directory; return the sha256 of its checksum list."""
    vocabulary = settings.vocabulary
    dumps = directory / "dumps"
    dumps.mkdir()
    quads = result.quads if result.quads is not None else canonical_quads(result.dataset)
    triples = sorted({q.triple for q in quads}, key=str)
    ontology = [q.triple for q in quads if q.graph_name.value == str(vocabulary.ontology_graph)]
    files, statements = {}, {}  # statements: triples (quads for dataset formats) per file
    for extension, rdf_format in DUMP_FORMATS.items():
        content = quads if rdf_format.supports_datasets else triples
        files[f"{DUMP_NAME}.{extension}"] = _serialize(content, rdf_format, vocabulary)
        statements[f"{DUMP_NAME}.{extension}"] = len(content)
    files["ontology.ttl"] = _serialize(ontology, ox.RdfFormat.TURTLE, vocabulary)
    statements["ontology.ttl"] = len(ontology)
    for name in list(files):
        files[name + ".gz"] = gzip.compress(files[name], mtime=0)
        statements[name + ".gz"] = statements[name]
    void = describe(result, settings, files, len(triples))
    files["void.ttl"] = _serialize(void, ox.RdfFormat.TURTLE, vocabulary)
    statements["void.ttl"] = len(void)
    checksums = "".join(f"{hashlib.sha256(data).hexdigest()}  {name}\n"
                        for name, data in sorted(files.items()))
    files["SHA256SUMS"] = checksums.encode()
    for name, data in files.items():
        (dumps / name).write_bytes(data)
    # The counts go with the release, so the server lists them without parsing every dump.
    report = json.dumps({**result.report, "statements": statements}, indent=2,
                        sort_keys=True) + "\n"
    (directory / REPORT_NAME).write_text(report, encoding="utf-8")
    page = ontology_page(result.dataset, vocabulary, result.report["version"])
    (directory / ONTOLOGY_PAGE).write_bytes(page)
    write_search_index(quads, vocabulary, directory / SEARCH_INDEX)
    index = hashlib.sha256((directory / SEARCH_INDEX).read_bytes()).digest()
    return hashlib.sha256(files["SHA256SUMS"] + report.encode() + page + index).hexdigest()


def describe(result: BuildResult, settings: Settings, files: dict[str, bytes],
             triple_count: int) -> list[ox.Triple]:
    """The VoID (https://www.w3.org/TR/void/) and DCAT (https://www.w3.org/TR/vocab-dcat-3/)
    description of the dataset, its dumps, its links and its SPARQL endpoint, in a catalogue."""
    vocabulary = settings.vocabulary
    g = Graph()
    dataset = URIRef(vocabulary.dataset_iri)
    endpoint = URIRef(vocabulary.base + "sparql")
    g.add((dataset, RDF.type, VOID.Dataset))
    g.add((dataset, RDF.type, DCAT.Dataset))
    g.add((dataset, DCTERMS.title, Literal(TITLE, lang="en")))
    g.add((dataset, DCTERMS.description, Literal(
        "Statements of an ANI report (2 December 2025) on India–Russia defence cooperation, "
        "each traced to its sentence, with OWL 2 RL inferences in their own graph.", lang="en")))
    g.add((dataset, DCTERMS.license, LICENSE))
    g.add((dataset, DCTERMS.rights, Literal(RIGHTS, lang="en")))
    g.add((dataset, DCTERMS.hasVersion, Literal(result.report["version"])))
    g.add((dataset, DCAT.landingPage, URIRef(vocabulary.base)))
    g.add((dataset, VOID.triples, Literal(triple_count)))
    g.add((dataset, VOID.uriSpace, Literal(str(vocabulary.id))))
    g.add((dataset, VOID.sparqlEndpoint, endpoint))
    g.add((dataset, VOID.vocabulary, URIRef(vocabulary.ontology_iri)))
    for namespace in _vocabularies(result, vocabulary):
        g.add((dataset, VOID.vocabulary, URIRef(namespace)))
    for rdf_format in DUMP_FORMATS.values():
        g.add((dataset, VOID.feature, URIRef(rdf_format.iri)))
    union = {(s, p, o) for s, p, o, _ in result.dataset.quads((None, None, None, None))}
    _describe_contents(g, dataset, union, vocabulary)
    for source in sorted({s for s, p, o in union if p == RDF.type and o == NIF.Context}):
        g.add((dataset, DCTERMS.source, source))
    service = URIRef(vocabulary.base + "sparql#service")
    g.add((service, RDF.type, DCAT.DataService))
    g.add((service, DCTERMS.title, Literal("defence-kg SPARQL 1.1 endpoint", lang="en")))
    g.add((service, DCAT.endpointURL, endpoint))
    g.add((service, DCAT.endpointDescription, endpoint))  # its service description, on GET
    g.add((service, DCTERMS.conformsTo, URIRef("https://www.w3.org/TR/sparql11-protocol/")))
    g.add((service, DCAT.servesDataset, dataset))
    g.add((service, DCTERMS.license, LICENSE))
    _describe_distributions(g, dataset, files, vocabulary)
    _describe_linksets(g, dataset, result.dataset.graph(vocabulary.links_graph), vocabulary)
    catalog = URIRef(vocabulary.base + "catalog")
    g.add((catalog, RDF.type, DCAT.Catalog))
    g.add((catalog, DCTERMS.title, Literal("defence-kg catalogue", lang="en")))
    g.add((catalog, DCTERMS.license, LICENSE))
    g.add((catalog, DCAT.dataset, dataset))
    g.add((catalog, DCAT.service, service))
    return [quad.triple for quad in canonical_quads(g)]


def _describe_contents(g: Graph, dataset: URIRef, union: set, vocabulary: Vocabulary) -> None:
    """Counts of the union of the graphs, and one partition per class and per property."""
    subjects = {s for s, _, _ in union}
    g.add((dataset, VOID.distinctSubjects, Literal(len(subjects))))
    g.add((dataset, VOID.distinctObjects, Literal(len({o for _, _, o in union}))))
    entities = {s for s in subjects if str(s).startswith(str(vocabulary.id))}
    g.add((dataset, VOID.entities, Literal(len(entities))))
    by_class = Counter(o for _, p, o in union if p == RDF.type)
    by_property = Counter(p for _, p, _ in union)
    g.add((dataset, VOID.classes, Literal(len(by_class))))
    g.add((dataset, VOID.properties, Literal(len(by_property))))
    for cls, count in sorted(by_class.items()):
        partition = BNode()
        g.add((dataset, VOID.classPartition, partition))
        g.add((partition, VOID["class"], cls))
        g.add((partition, VOID.entities, Literal(count)))
    for prop, count in sorted(by_property.items()):
        partition = BNode()
        g.add((dataset, VOID.propertyPartition, partition))
        g.add((partition, VOID.property, prop))
        g.add((partition, VOID.triples, Literal(count)))
    # Examples: the entities with the most statements about them (ties by IRI).
    sizes = Counter(s for s, _, _ in union if s in entities)
    for entity, _ in sorted(sizes.items(), key=lambda item: (-item[1], str(item[0])))[:EXAMPLES]:
        g.add((dataset, VOID.exampleResource, entity))


def _describe_distributions(g: Graph, dataset: URIRef, files: dict[str, bytes],
                            vocabulary: Vocabulary) -> None:
    listing = URIRef(f"{vocabulary.base}dumps/")
    for name, data in sorted(files.items()):
        url = URIRef(f"{vocabulary.base}dumps/{name}")
        g.add((dataset, VOID.dataDump, url))
        distribution = URIRef(f"{vocabulary.base}dumps/{name}#distribution")
        g.add((dataset, DCAT.distribution, distribution))
        g.add((distribution, RDF.type, DCAT.Distribution))
        g.add((distribution, DCTERMS.title, Literal(name)))
        g.add((distribution, DCAT.downloadURL, url))
        g.add((distribution, DCAT.accessURL, listing))
        inner = ox.RdfFormat.from_extension(Path(name.removesuffix(".gz")).suffix[1:])
        g.add((distribution, DCAT.mediaType, URIRef(IANA + inner.media_type)))
        g.add((distribution, DCTERMS["format"], URIRef(inner.iri)))
        if name.endswith(".gz"):
            g.add((distribution, DCAT.compressFormat, URIRef(IANA + "application/gzip")))
        g.add((distribution, DCAT.byteSize, Literal(len(data), datatype=XSD.nonNegativeInteger)))
        g.add((distribution, DCTERMS.license, LICENSE))
        checksum = BNode()
        g.add((distribution, URIRef(SPDX + "checksum"), checksum))
        g.add((checksum, URIRef(SPDX + "algorithm"), URIRef(SPDX + "checksumAlgorithm_sha256")))
        g.add((checksum, URIRef(SPDX + "checksumValue"),
               Literal(hashlib.sha256(data).hexdigest(), datatype=XSD.hexBinary)))


def _describe_linksets(g: Graph, dataset: URIRef, links: Graph, vocabulary: Vocabulary) -> None:
    """One void:Linkset per external target, with its number of owl:sameAs links."""
    for target, prefix in LINK_TARGETS.items():
        count = sum(1 for o in links.objects(None, OWL.sameAs) if str(o).startswith(prefix))
        linkset = URIRef(f"{vocabulary.dataset_iri}/links/{target.lower()}")
        other = URIRef(prefix)
        g.add((dataset, VOID.subset, linkset))
        g.add((linkset, RDF.type, VOID.Linkset))
        g.add((linkset, VOID.linkPredicate, OWL.sameAs))
        g.add((linkset, VOID.subjectsTarget, dataset))
        g.add((linkset, VOID.objectsTarget, other))
        g.add((linkset, DCTERMS.title, Literal(f"owl:sameAs links to {target}", lang="en")))
        g.add((linkset, VOID.triples, Literal(count)))
        g.add((other, RDF.type, VOID.Dataset))
        g.add((other, DCTERMS.title, Literal(target, lang="en")))
        g.add((other, VOID.uriSpace, Literal(prefix)))


def _vocabularies(result: BuildResult, vocabulary: Vocabulary) -> list[str]:
    """Namespaces of the predicates and classes in use, other than our own."""
    namespaces = set()
    for _, predicate, obj, _ in result.dataset.quads((None, None, None, None)):
        for term in (predicate, obj) if predicate == RDF.type else (predicate,):
            text = str(term)
            cut = max(text.rfind("#"), text.rfind("/")) + 1
            if cut and not text.startswith(vocabulary.base):
                namespaces.add(text[:cut])
    return sorted(namespaces)


def _serialize(content, rdf_format: ox.RdfFormat, vocabulary: Vocabulary) -> bytes:
    prefixes = vocabulary.prefixes if rdf_format not in (ox.RdfFormat.N_QUADS,
                                                         ox.RdfFormat.N_TRIPLES) else None
    return ox.serialize(content, format=rdf_format, prefixes=prefixes)


def _point_current_at(release: Path, settings: Settings) -> None:
    link = settings.release_dir
    temporary = link.with_name(f".current-{os.getpid()}")
    temporary.unlink(missing_ok=True)
    temporary.symlink_to(release.relative_to(link.parent))
    os.replace(temporary, link)  # atomic: readers see the old release or the new one


def _prune_old_releases(settings: Settings) -> None:
    current = settings.release_dir.resolve()
    releases = sorted((settings.output_dir / "releases").iterdir(),
                      key=lambda p: p.stat().st_mtime, reverse=True)
    for old in [r for r in releases if r.resolve() != current][KEEP_RELEASES - 1:]:
        shutil.rmtree(old, ignore_errors=True)
