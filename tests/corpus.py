"""What data/ holds, read for the tests: its sources, their segments and the statement graphs,
so that tests compute their expectations from the data, whatever sources are added. A fact
particular to one report is asserted as that report's, only where it is present (report())."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import pytest
from rdflib import Dataset, Graph, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS

from defence_kg.build.load import DATASET_FORMATS, data_files
from defence_kg.namespaces import NIF
from defence_kg.settings import Settings

ANI = "ani-2025-12-02"  # the first source: its own facts are asserted only while it is here
DKO = "https://w3id.org/defence-kg/ontology#"
TEXT_FILE = URIRef(DKO + "textFile")


@dataclass
class Source:
    """One source: data/sources/{id}.ttl (metadata, segments) and its verbatim text."""

    id: str
    iri: URIRef
    graph: Graph
    text: str

    @cached_property
    def segments(self) -> list[URIRef]:
        """Its sentences and phrases, in reading order."""
        found = {s for s in self.graph.subjects(NIF.referenceContext, self.iri)}
        return sorted(found, key=self.begin)

    @cached_property
    def sentences(self) -> list[URIRef]:
        return [s for s in self.segments if (s, RDF.type, NIF.Sentence) in self.graph]

    def begin(self, segment) -> int:
        return int(self.graph.value(segment, NIF.beginIndex))

    def end(self, segment) -> int:
        return int(self.graph.value(segment, NIF.endIndex))

    def anchor(self, segment) -> str:
        return str(self.graph.value(segment, NIF.anchorOf))

    @cached_property
    def statement_graphs(self) -> dict[URIRef, URIRef]:
        """Each statement graph this source's segments support -> its segment."""
        segments = set(self.segments)
        return {g: s for g, s in self.graph.subject_objects(PROV.wasDerivedFrom)
                if s in segments}

    @property
    def publisher(self) -> URIRef:
        return self.graph.value(self.iri, DCTERMS.publisher)

    @property
    def publisher_label(self) -> str:
        return str(self.graph.value(self.publisher, RDFS.label))

    @property
    def issued(self) -> str:
        return str(self.graph.value(self.iri, DCTERMS.issued))


@dataclass
class Corpus:
    """Every source under data/sources/ and every statement written in data/."""

    settings: Settings
    sources: list[Source] = field(default_factory=list)

    @classmethod
    def read(cls, settings: Settings) -> Corpus:
        corpus = cls(settings)
        for path in sorted((settings.data_dir / "sources").glob("*.ttl")):
            graph = Graph().parse(path)
            iri = settings.vocabulary.id[f"source/{path.stem}"]
            text = (settings.root / str(graph.value(iri, TEXT_FILE))).read_text(encoding="utf-8")
            corpus.sources.append(Source(path.stem, iri, graph, text))
        return corpus

    @cached_property
    def statements(self) -> Dataset:
        """The named graphs of every .trig and .nq file under data/ (drafts aside)."""
        dataset = Dataset(default_union=True)
        for path in data_files(self.settings):
            if path.suffix in DATASET_FORMATS:
                dataset.parse(path)
        return dataset

    def graphs(self) -> dict[URIRef, Graph]:
        """The statement graphs that hold something."""
        return {g.identifier: g for g in self.statements.graphs() if len(g)}

    @cached_property
    def segment_of(self) -> dict[URIRef, URIRef]:
        """Statement graph -> the segment it is derived from, over every source."""
        return {g: s for source in self.sources for g, s in source.statement_graphs.items()}

    @cached_property
    def source_of(self) -> dict[URIRef, Source]:
        """Statement graph -> its source."""
        return {g: source for source in self.sources for g in source.statement_graphs}

    def report(self, source_id: str) -> Source:
        """The source with this id; the test is skipped, saying why, where it is absent."""
        for source in self.sources:
            if source.id == source_id:
                return source
        pytest.skip(f"data/sources/{source_id}.ttl is not in this repository")
