"""Publish a build: dumps in every format, gzipped, with checksums and a VoID/DCAT description,
and the store the server opens (a RocksDB checkpoint of the build's: its files are hard links).

Releases are written to a staging directory and made current by swapping a symlink, so a
failed build never replaces the last good output and readers never see half a release. Dumps
are written by streaming: from the build's sorted N-Quads and N-Triples, through pyoxigraph's
serialisers and gzip, a block or a piece at a time (pieces.py).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, OWL, RDF, RDFS, VOID, XSD

from ..namespaces import NIF, Vocabulary
from ..rdf import canonical, from_rdflib, to_rdflib
from ..release import (
    GRAPH_COUNTS_NAME,
    ONTOLOGY_PAGE,
    REPORT_NAME,
    STORE_DIR,
    VOID_FILE,
    VOID_STORE_DIR,
    void_graph,
)
from ..settings import Settings
from .asserted import ASSERTED, keep_asserted
from .census import Census, amend_census, take_census
from .dumps import write_dump
from .ontology_page import ontology_page
from .kept import keep, kept_path, prune_kept
from .pipeline import DERIVED, DERIVED_FILE, STATE_FILE, STATES, BuildResult
from .unchanged import keep_record, prune_records
from .pieces import PIECES
from .release_files import DUMP_FORMATS, DUMPS, SEARCH_KEPT, sha256
from .sources import Source, describe_sources, list_sources

log = logging.getLogger(__name__)
SPDX = "http://spdx.org/rdf/terms#"
LICENSE = URIRef("https://creativecommons.org/licenses/by/4.0/")
LINK_TARGETS = {
    "Wikidata": "http://www.wikidata.org/entity/",
    "DBpedia": "http://dbpedia.org/resource/",
    "GeoNames": "https://sws.geonames.org/",
}
TITLE = "defence-kg: India–Russia defence cooperation"
RIGHTS = ("The statements of defence-kg are published under CC BY 4.0. The source text stays "
          "its publisher's: the data carries each sentence's offsets into it and the sentence "
          "itself as a short quotation, for attribution; the full article is the publisher's.")
IANA = "https://www.iana.org/assignments/media-types/"
EXAMPLES = 3
KEEP_RELEASES = 3
CENSUSES = "census"  # under the output directory: each release's census, for the next to amend
CENSUS_FILE = "census.json"  # in the build's work directory, until it is kept


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
        _keep_state(result, settings, release)
        keep(result.work / CENSUS_FILE, settings, CENSUSES, release, ".json")
        keep_record(result.work, settings, release)
        keep_asserted(result.work, settings, release)
        if (result.work / DERIVED_FILE).exists():  # for the next build's explain to amend
            keep(result.work / DERIVED_FILE, settings, DERIVED, release, ".nq")
        result.files.keep_rows(settings, release)
        result.files.keep_pieces(settings, release)
        _point_current_at(release, settings)
        _prune_old_releases(settings)
        return release
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def write_release(result: BuildResult, settings: Settings, directory: Path) -> str:
    """Write every file of a release into directory; return the sha256 of its checksum list,
    its report, its graphs' counts, its ontology page and its search index (the stores'
    files are not byte-identical from one build to the next; the statements they hold are
    those of the dumps and of void.ttl).

    The dumps and the search index are written by forked processes (release_files.py), the
    build started them; here two at a time (the longest first), while this process takes the
    census and writes the ontology page."""
    vocabulary = settings.vocabulary
    dumps = directory / DUMPS
    dumps.mkdir()
    store = result.open_store()
    statements = result.statements
    with result.files as forking:
        forking.hurry()
        counts = dict(forking.counts)  # statements: triples (quads for dataset formats)
        ontology_graph = ox.NamedNode(str(vocabulary.ontology_graph))
        ontology = sorted((q.triple for q in store.quads_for_pattern(
            None, None, None, ontology_graph)), key=str)
        written = [*write_dump(ontology, dumps / "ontology.ttl", ox.RdfFormat.TURTLE,
                               vocabulary.prefixes)]
        counts["ontology.ttl"] = len(ontology)
        census = _take_census(result, settings, store)
        page = ontology_page(store, vocabulary, result.report["version"])
        digest, forked = forking.move_into(directory)
    index = bytes.fromhex(digest)
    written += forked
    for name in list(counts):
        counts[f"{name}.gz"] = counts[name]
    files = {file.name: file.size for file in written}
    digests = {file.name: file.sha256 for file in written}
    void = describe(result, settings, store, census, files, digests)
    ox.serialize(void, output=str(dumps / VOID_FILE), format=ox.RdfFormat.TURTLE,
                 prefixes=vocabulary.prefixes)
    write_void_store(void, void_graph(vocabulary.base), directory / VOID_STORE_DIR)
    counts[VOID_FILE] = len(void)
    digests[VOID_FILE] = sha256(dumps / VOID_FILE)
    checksums = "".join(f"{digest}  {name}\n" for name, digest in sorted(digests.items()))
    (dumps / "SHA256SUMS").write_text(checksums, encoding="utf-8")
    # The counts go with the release, so the server lists them without parsing every dump.
    summary = {key: value for key, value in result.report.items() if key != "graphs"}
    report = json.dumps({**summary, "statements": counts}, indent=2, sort_keys=True) + "\n"
    (directory / REPORT_NAME).write_text(report, encoding="utf-8")
    graph_counts = json.dumps(result.report["graphs"], indent=2, sort_keys=True) + "\n"
    (directory / GRAPH_COUNTS_NAME).write_text(graph_counts, encoding="utf-8")
    (directory / ONTOLOGY_PAGE).write_bytes(page)
    store.backup(str(directory / STORE_DIR))
    return hashlib.sha256(checksums.encode() + report.encode() + graph_counts.encode() + page
                          + index).hexdigest()


def _take_census(result: BuildResult, settings: Settings, store: ox.Store) -> Census:
    """What the VoID counts: when the build amended the last release's statements, that
    release's census amended by the union's change, if it is kept and the examples can be
    ranked so; else every line counted. Written into the work directory, to be kept."""
    census, amended = None, result.statements.amended
    namespace = str(settings.vocabulary.id)
    if amended is not None:
        last = kept_path(settings, CENSUSES, amended.release, ".json")
        if last.exists():
            census = amend_census(Census.read(last), amended.lost, amended.gained,
                                  result.statements.ntriples, store, namespace, EXAMPLES)
    log.info("census: %s", "the last release's, amended" if census is not None
             else "every line counted")
    if census is None:
        census = take_census(result.statements.ntriples, namespace, EXAMPLES)
    census.write(result.work / CENSUS_FILE)
    return census


def write_void_store(void: list[ox.Triple], graph: ox.NamedNode, location: Path) -> None:
    """The VoID in a store of its own, in its graph and as the default graph (the union of
    its one graph), so that the server opens it instead of parsing void.ttl at every start."""
    store = ox.Store(str(location))
    store.bulk_extend([*(ox.Quad(t.subject, t.predicate, t.object, graph) for t in void),
                       *(ox.Quad(t.subject, t.predicate, t.object) for t in void)])
    store.flush()


def describe(result: BuildResult, settings: Settings, store: ox.Store, census: Census,
             files: dict[str, int], digests: dict[str, str]) -> list[ox.Triple]:
    """The VoID (https://www.w3.org/TR/void/) and DCAT (https://www.w3.org/TR/vocab-dcat-3/)
    description of the dataset, its dumps, its links and its SPARQL endpoint, in a catalogue."""
    vocabulary = settings.vocabulary
    g = Graph()
    dataset = URIRef(vocabulary.dataset_iri)
    endpoint = URIRef(vocabulary.base + "sparql")
    g.add((dataset, RDF.type, VOID.Dataset))
    g.add((dataset, RDF.type, DCAT.Dataset))
    g.add((dataset, DCTERMS.title, Literal(TITLE, lang="en")))
    sources = list_sources(_about_sources(store))
    g.add((dataset, DCTERMS.description, Literal(
        f"{describe_sources(sources)} on defence cooperation between states, each statement "
        "traced to its sentence, with OWL 2 RL inferences in their own graph.", lang="en")))
    g.add((dataset, DCTERMS.license, LICENSE))
    g.add((dataset, DCTERMS.rights, Literal(RIGHTS, lang="en")))
    g.add((dataset, DCTERMS.hasVersion, Literal(result.report["version"])))
    g.add((dataset, DCAT.landingPage, URIRef(vocabulary.base)))
    g.add((dataset, VOID.triples, Literal(result.statements.triples)))
    g.add((dataset, VOID.uriSpace, Literal(str(vocabulary.id))))
    g.add((dataset, VOID.sparqlEndpoint, endpoint))
    g.add((dataset, VOID.vocabulary, URIRef(vocabulary.ontology_iri)))
    for namespace in _vocabularies(census, vocabulary):
        g.add((dataset, VOID.vocabulary, URIRef(namespace)))
    for rdf_format in DUMP_FORMATS.values():
        g.add((dataset, VOID.feature, URIRef(rdf_format.iri)))
    _describe_contents(g, dataset, census)
    service = URIRef(vocabulary.base + "sparql#service")
    g.add((service, RDF.type, DCAT.DataService))
    g.add((service, DCTERMS.title, Literal("defence-kg SPARQL 1.1 endpoint", lang="en")))
    g.add((service, DCAT.endpointURL, endpoint))
    g.add((service, DCAT.endpointDescription, endpoint))  # its service description, on GET
    g.add((service, DCTERMS.conformsTo, URIRef("https://www.w3.org/TR/sparql11-protocol/")))
    g.add((service, DCAT.servesDataset, dataset))
    g.add((service, DCTERMS.license, LICENSE))
    _describe_distributions(g, dataset, files, digests, vocabulary)
    _describe_linksets(g, dataset, store, vocabulary)
    catalog = URIRef(vocabulary.base + "catalog")
    g.add((catalog, RDF.type, DCAT.Catalog))
    g.add((catalog, DCTERMS.title, Literal("defence-kg catalogue", lang="en")))
    g.add((catalog, DCTERMS.license, LICENSE))
    g.add((catalog, DCAT.dataset, dataset))
    g.add((catalog, DCAT.service, service))
    # The sources' triples (most of them: five a source, thousands at 1M quads) are made as
    # pyoxigraph's, not added to the rdflib graph and written out and parsed again with it.
    quads = dict.fromkeys([*ox.parse(g.serialize(format="nt", encoding="utf-8"),
                                     format=ox.RdfFormat.N_QUADS),
                           *_describe_sources(dataset, sources)])
    return [quad.triple for quad in canonical(quads)]


def _describe_contents(g: Graph, dataset: URIRef, census: Census) -> None:
    """Counts of the union of the graphs, and one partition per class and per property."""
    for predicate, value in ((VOID.distinctSubjects, census.subjects),
                             (VOID.distinctObjects, census.objects),
                             (VOID.entities, census.entities),
                             (VOID.classes, len(census.classes)),
                             (VOID.properties, len(census.properties))):
        g.add((dataset, predicate, Literal(value)))
    for cls, count in sorted((_term(c), n) for c, n in census.classes.items()):
        partition = BNode()
        g.add((dataset, VOID.classPartition, partition))
        g.add((partition, VOID["class"], cls))
        g.add((partition, VOID.entities, Literal(count)))
    for prop, count in sorted((_term(p), n) for p, n in census.properties.items()):
        partition = BNode()
        g.add((dataset, VOID.propertyPartition, partition))
        g.add((partition, VOID.property, prop))
        g.add((partition, VOID.triples, Literal(count)))
    # Examples: the entities with the most statements about them (ties by IRI).
    for entity in census.examples:
        g.add((dataset, VOID.exampleResource, _term(entity)))


def _about_sources(store: ox.Store):
    """The triples list_sources reads (the sources' types, titles, publishers and dates, their
    publishers' labels), looked up by subject in the union: a few per source, where a pass
    over every typing triple and label would cost seconds a million statements."""
    union = ox.DefaultGraph()
    context = ox.NamedNode(str(NIF.Context))
    labelled = set()  # publishers: a few, each of thousands of sources at 1M quads
    for typed in store.quads_for_pattern(None, ox.NamedNode(str(RDF.type)), context, union):
        yield typed.subject, typed.predicate, typed.object
        for predicate in (DCTERMS.title, DCTERMS.publisher, DCTERMS.issued):
            for quad in store.quads_for_pattern(typed.subject, ox.NamedNode(str(predicate)),
                                                None, union):
                yield quad.subject, quad.predicate, quad.object
                if (predicate == DCTERMS.publisher and not isinstance(quad.object, ox.Literal)
                        and quad.object not in labelled):
                    labelled.add(quad.object)
                    yield from _labels(store, quad.object)


def _labels(store: ox.Store, subject):
    for quad in store.quads_for_pattern(subject, ox.NamedNode(str(RDFS.label)), None,
                                        ox.DefaultGraph()):
        yield quad.subject, quad.predicate, quad.object


def _describe_sources(dataset: URIRef, sources: list[Source]) -> Iterator[ox.Quad]:
    """Each source with its title, publisher and date, so the description lists them (a
    publisher's label once for each of its sources: the caller drops the repeats)."""
    dataset = from_rdflib(dataset)
    source_of, title, issued, publisher, label = (ox.NamedNode(str(predicate)) for predicate in (
        DCTERMS.source, DCTERMS.title, DCTERMS.issued, DCTERMS.publisher, RDFS.label))
    dates = {}  # the same literal as rdflib's (which writes a valid date in its canonical form)
    for source in sources:
        iri, by = ox.NamedNode(source.iri), ox.NamedNode(source.publisher)
        if source.issued not in dates:
            dates[source.issued] = from_rdflib(Literal(source.issued, datatype=XSD.date))
        yield ox.Quad(dataset, source_of, iri)
        yield ox.Quad(iri, title, ox.Literal(source.title, language="en"))
        yield ox.Quad(iri, issued, dates[source.issued])
        yield ox.Quad(iri, publisher, by)
        yield ox.Quad(by, label, ox.Literal(source.publisher_label, language="en"))


def _term(text: str):
    """An N-Triples term as rdflib's."""
    if text.startswith("<") and "\\" not in text:
        return URIRef(text[1:-1])
    if text.startswith("_:"):
        return BNode(text[2:])
    triple = next(ox.parse(f"<x:s> <x:p> {text} .", format=ox.RdfFormat.N_TRIPLES))
    return to_rdflib(triple.object)


def _rows(store: ox.Store, query: str) -> list[tuple]:
    """A query's rows, as rdflib terms (numbers as Python ints), sorted."""
    solutions = store.query(query)
    rows = [tuple(_python(row[v]) for v in solutions.variables) for row in solutions]
    return sorted(rows, key=lambda row: tuple(map(str, row)))


def _python(term):
    if isinstance(term, ox.Literal) and term.datatype.value == str(XSD.integer):
        return int(term.value)
    return to_rdflib(term)


def _describe_distributions(g: Graph, dataset: URIRef, files: dict[str, int],
                            digests: dict[str, str], vocabulary: Vocabulary) -> None:
    listing = URIRef(f"{vocabulary.base}dumps/")
    for name, size in sorted(files.items()):
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
        g.add((distribution, DCAT.byteSize, Literal(size, datatype=XSD.nonNegativeInteger)))
        g.add((distribution, DCTERMS.license, LICENSE))
        checksum = BNode()
        g.add((distribution, URIRef(SPDX + "checksum"), checksum))
        g.add((checksum, URIRef(SPDX + "algorithm"), URIRef(SPDX + "checksumAlgorithm_sha256")))
        g.add((checksum, URIRef(SPDX + "checksumValue"),
               Literal(digests[name], datatype=XSD.hexBinary)))


def _describe_linksets(g: Graph, dataset: URIRef, store: ox.Store,
                       vocabulary: Vocabulary) -> None:
    """One void:Linkset per external target, with its number of owl:sameAs links."""
    links = [row[0] for row in _rows(store, f"""SELECT ?o {{ GRAPH <{vocabulary.links_graph}>
        {{ ?s <{OWL.sameAs}> ?o }} }}""")]
    for target, prefix in LINK_TARGETS.items():
        count = sum(1 for o in links if str(o).startswith(prefix))
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


def _vocabularies(census: Census, vocabulary: Vocabulary) -> list[str]:
    """Namespaces of the predicates and classes in use, other than our own."""
    namespaces = set()
    for term in map(_term, [*census.properties, *census.classes]):
        text = str(term)
        cut = max(text.rfind("#"), text.rfind("/")) + 1
        if cut and not text.startswith(vocabulary.base):
            namespaces.add(text[:cut])
    return sorted(namespaces)


def _point_current_at(release: Path, settings: Settings) -> None:
    link = settings.release_dir
    temporary = link.with_name(f".current-{os.getpid()}")
    temporary.unlink(missing_ok=True)
    temporary.symlink_to(release.relative_to(link.parent))
    os.replace(temporary, link)  # atomic: readers see the old release or the new one


def _keep_state(result: BuildResult, settings: Settings, release: Path) -> None:
    """Keep the build's reasoner state beside the release it belongs to (a rename within the
    output directory: atomic), for the next build to continue from."""
    state = result.work / STATE_FILE
    if state.exists():
        keep(state, settings, STATES, release, ".pickle")


def _prune_old_releases(settings: Settings) -> None:
    current = settings.release_dir.resolve()
    releases = sorted((settings.output_dir / "releases").iterdir(),
                      key=lambda p: p.stat().st_mtime, reverse=True)
    for old in [r for r in releases if r.resolve() != current][KEEP_RELEASES - 1:]:
        shutil.rmtree(old, ignore_errors=True)
    # What is kept beside each release (kept.py) goes with it.
    for kept in (STATES, ASSERTED, DERIVED, CENSUSES, SEARCH_KEPT, PIECES):
        prune_kept(settings, kept, settings.output_dir / "releases")
    prune_records(settings, settings.output_dir / "releases")
