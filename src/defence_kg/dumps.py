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
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, OWL, RDF, VOID, XSD

from .build import BuildResult
from .namespaces import Vocabulary
from .settings import Settings
from .store import DUMP_NAME, canonical_quads

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
REPORT_NAME = "build-report.json"
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
    quads = canonical_quads(result.dataset)
    triples = sorted({q.triple for q in quads}, key=str)
    ontology = [q.triple for q in quads if q.graph_name.value == str(vocabulary.ontology_graph)]
    files = {}
    for extension, rdf_format in DUMP_FORMATS.items():
        content = quads if rdf_format.supports_datasets else triples
        files[f"{DUMP_NAME}.{extension}"] = _serialize(content, rdf_format, vocabulary)
    files["ontology.ttl"] = _serialize(ontology, ox.RdfFormat.TURTLE, vocabulary)
    for name in list(files):
        files[name + ".gz"] = gzip.compress(files[name], mtime=0)
    files["void.ttl"] = _serialize(
        describe(result, settings, files, len(triples)), ox.RdfFormat.TURTLE, vocabulary)
    checksums = "".join(f"{hashlib.sha256(data).hexdigest()}  {name}\n"
                        for name, data in sorted(files.items()))
    files["SHA256SUMS"] = checksums.encode()
    for name, data in files.items():
        (dumps / name).write_bytes(data)
    report = json.dumps(result.report, indent=2, sort_keys=True) + "\n"
    (directory / REPORT_NAME).write_text(report, encoding="utf-8")
    return hashlib.sha256(files["SHA256SUMS"] + report.encode()).hexdigest()


def describe(result: BuildResult, settings: Settings, files: dict[str, bytes],
             triple_count: int) -> list[ox.Triple]:
    """The VoID (https://www.w3.org/TR/void/) and DCAT (https://www.w3.org/TR/vocab-dcat-3/)
    description of the dataset and its dumps."""
    vocabulary = settings.vocabulary
    g = Graph()
    dataset = URIRef(vocabulary.dataset_iri)
    endpoint = URIRef(vocabulary.base + "sparql")
    g.add((dataset, RDF.type, VOID.Dataset))
    g.add((dataset, RDF.type, DCAT.Dataset))
    title = "defence-kg: India–Russia defence cooperation"
    g.add((dataset, DCTERMS.title, Literal(title, lang="en")))
    g.add((dataset, DCTERMS.description, Literal(
        "Statements of an ANI report (2 December 2025) on India–Russia defence cooperation, "
        "each traced to its sentence, with OWL 2 RL inferences in their own graph.", lang="en")))
    g.add((dataset, DCTERMS.license, LICENSE))
    g.add((dataset, DCTERMS.hasVersion, Literal(result.report["version"])))
    g.add((dataset, VOID.triples, Literal(triple_count)))
    g.add((dataset, VOID.uriSpace, Literal(str(vocabulary.id))))
    g.add((dataset, VOID.sparqlEndpoint, endpoint))
    g.add((dataset, VOID.vocabulary, URIRef(vocabulary.ontology_iri)))
    for namespace in _vocabularies(result, vocabulary):
        g.add((dataset, VOID.vocabulary, URIRef(namespace)))
    service = URIRef(vocabulary.base + "sparql#service")
    g.add((service, RDF.type, DCAT.DataService))
    g.add((service, DCAT.endpointURL, endpoint))
    g.add((service, DCAT.servesDataset, dataset))
    for name, data in sorted(files.items()):
        url = URIRef(f"{vocabulary.base}dumps/{name}")
        g.add((dataset, VOID.dataDump, url))
        distribution = URIRef(f"{vocabulary.base}dumps/{name}#distribution")
        g.add((dataset, DCAT.distribution, distribution))
        g.add((distribution, RDF.type, DCAT.Distribution))
        g.add((distribution, DCAT.downloadURL, url))
        g.add((distribution, DCAT.byteSize, Literal(len(data), datatype=XSD.nonNegativeInteger)))
        g.add((distribution, DCTERMS.license, LICENSE))
        checksum = BNode()
        g.add((distribution, URIRef(SPDX + "checksum"), checksum))
        g.add((checksum, URIRef(SPDX + "algorithm"), URIRef(SPDX + "checksumAlgorithm_sha256")))
        g.add((checksum, URIRef(SPDX + "checksumValue"),
               Literal(hashlib.sha256(data).hexdigest(), datatype=XSD.hexBinary)))
    links = result.dataset.graph(vocabulary.links_graph)
    for target, prefix in LINK_TARGETS.items():
        count = sum(1 for o in links.objects(None, OWL.sameAs) if str(o).startswith(prefix))
        linkset = URIRef(f"{vocabulary.dataset_iri}/links/{target.lower()}")
        g.add((dataset, VOID.subset, linkset))
        g.add((linkset, RDF.type, VOID.Linkset))
        g.add((linkset, VOID.linkPredicate, OWL.sameAs))
        g.add((linkset, VOID.subjectsTarget, dataset))
        g.add((linkset, VOID.objectsTarget, URIRef(prefix)))
        g.add((linkset, DCTERMS.title, Literal(f"owl:sameAs links to {target}", lang="en")))
        g.add((linkset, VOID.triples, Literal(count)))
    return [quad.triple for quad in canonical_quads(g)]


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
