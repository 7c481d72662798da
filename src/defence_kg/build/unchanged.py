"""Files unchanged since the last release are neither parsed nor checked again: what a build
learnt of each file (its digest, its N-Quads as loaded, what its checks read besides it) is
kept beside the release, as the reasoner's state is (docs/design.md, "Unchanged files are not
read again")."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
import rdflib

from ..settings import Settings
from .assemble import write_quads
from .kept import keep, kept_path, prune_kept
from .lines import RdfFile, display_name
from .load import load_source, source_files
from .offsets import shared_inputs

FILES = "files"  # under the output directory: a record per release, and nquads/
RECORD_FILE = "files.json"  # in the work directory, until the release is published
NQUADS = "nquads"  # each file's N-Quads as the loader wrote them, by digest


def record_path(settings: Settings, release: Path) -> Path:
    """Where the record of the build of `release` is kept (beside the releases, not in one:
    a release's files are compared byte for byte)."""
    return kept_path(settings, FILES, release, ".json")


def _kept_nquads(settings: Settings) -> Path:
    return settings.output_dir / FILES / NQUADS


def _parsers() -> dict[str, str]:
    """What else decides a file's quads and checks besides the schema (the code, ontology and
    shapes: changes.schema_digest)."""
    return {"pyoxigraph": ox.__version__, "rdflib": rdflib.__version__}


@dataclass
class FileRecord:
    """What a build learnt of each file, by its name as shown: its digest (sha256), the name
    of its N-Quads file (nquads), and once checked, what its checks share with other files
    (iris: digests of segment and context IRIs) and the digests of the texts it names."""

    files: dict[str, dict] = field(default_factory=dict)

    @classmethod
    def last(cls, settings: Settings, previous: Path | None) -> FileRecord:
        """The record kept with `previous` (the last release, if it was built with this
        schema); empty when there is none, or other parsers made it."""
        if previous is None:
            return cls()
        try:
            kept = json.loads(record_path(settings, previous).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return cls()
        return cls(kept["files"]) if kept.get("parsers") == _parsers() else cls()

    def write(self, path: Path) -> None:
        path.write_text(json.dumps({"parsers": _parsers(), "files": self.files},
                                   sort_keys=True), encoding="utf-8")


def load_nquads(settings: Settings, extra_files: Sequence[Path], last: FileRecord,
                record: FileRecord, work: Path) -> list[Path]:
    """Each source's quads as an N-Quads file (load.py): the last release's for a file with
    the same bytes and graph (the loader's output is a function of them: blank nodes are
    labelled from the file's content), else the file parsed into work/nquads/. Raises
    LoadError."""
    kept, written = _kept_nquads(settings), work / NQUADS
    written.mkdir()
    outputs = []
    for path, graph in source_files(settings, extra_files):
        name = display_name(path, settings)
        try:
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
        except OSError:
            digest = None  # load_source says why it cannot be read
        nquads = hashlib.sha256(f"{graph}\n{digest}".encode()).hexdigest() + ".nq"
        if digest and last.files.get(name, {}).get("nquads") == nquads \
                and (kept / nquads).exists():
            outputs.append(kept / nquads)
        else:
            with open(written / nquads, "wb") as out:
                write_quads(load_source(path, settings, graph).quads, out)
            outputs.append(written / nquads)
        record.files[name] = {"sha256": digest, "nquads": nquads}
    return outputs


class CheckedBefore:
    """The files the per-file checks (terms, offsets) may skip: the last release checked them
    with the same bytes and the same texts, under the same schema, and no file read now, nor
    one changed or removed since, shares a segment or context with them."""

    def __init__(self, paths: Sequence[Path], settings: Settings, last: FileRecord,
                 record: FileRecord):
        self.settings, self.record = settings, record
        self.names = {path: display_name(path, settings) for path in paths}
        self.skipped: dict[Path, dict] = {}
        self.read_iris: set[str] = set()  # of the files read, as digests
        for path, name in self.names.items():
            entry = last.files.get(name)
            digest = record.files[name]["sha256"]
            if entry and "iris" in entry and digest and entry["sha256"] == digest \
                    and entry["texts"] == self._texts(entry["texts"]):
                self.skipped[path] = entry
        skipped_names = {self.names[path] for path in self.skipped}
        self.iris = {iri for entry in self.skipped.values() for iri in entry["iris"]}
        # A segment or context a changed or removed file named may be one of theirs.
        if any(self.shares(entry["iris"]) for name, entry in last.files.items()
               if name not in skipped_names and "iris" in entry):
            self.skipped, self.iris = {}, set()

    def to_read(self) -> list[Path]:
        return [path for path in self.names if path not in self.skipped]

    def shares(self, iris) -> bool:
        """Whether a skipped file names one of `iris` (digests) too."""
        return not self.iris.isdisjoint(iris)

    def read_all(self) -> bool:
        """After the files to_read() were checked: whether they share a segment or context
        with a skipped one, so that all must be checked together, as a full build does
        (then nothing is skipped any more)."""
        if self.shares(self.read_iris):
            self.skipped, self.iris = {}, set()
            return True
        return False

    def note(self, file: RdfFile) -> None:
        """A reader (lines.read_rdf_files): record what the file's checks shared."""
        iris, text_files = shared_inputs(file)
        digests = sorted({_digest(iri)[:16] for iri in iris})
        self.read_iris.update(digests)
        self.record.files[self.names[file.path]].update(iris=digests,
                                                        texts=self._texts(text_files))

    def finish(self) -> None:
        """Record the skipped files as the last release had them."""
        for path, entry in self.skipped.items():
            self.record.files[self.names[path]].update(iris=entry["iris"], texts=entry["texts"])

    def _texts(self, text_files) -> dict[str, str | None]:
        texts = {}
        for text_file in sorted(text_files):
            try:
                texts[text_file] = _digest((self.settings.root / text_file).read_bytes())
            except OSError:
                texts[text_file] = None
        return texts


def _digest(data: str | bytes) -> str:
    return hashlib.sha256(data.encode() if isinstance(data, str) else data).hexdigest()


def keep_record(work: Path, settings: Settings, release: Path) -> None:
    """Keep the build's record and the N-Quads files it wrote beside `release`: the files
    first, then the record naming them, each a rename within the output directory (atomic)."""
    record = work / RECORD_FILE
    if not record.exists():
        return
    kept = _kept_nquads(settings)
    kept.mkdir(parents=True, exist_ok=True)
    for nquads in (work / NQUADS).iterdir():
        os.replace(nquads, kept / nquads.name)
    keep(record, settings, FILES, release, ".json")


def prune_records(settings: Settings, releases: Path) -> None:
    """Drop the records of releases pruned, and the N-Quads files no record names."""
    named = set()
    for record in prune_kept(settings, FILES, releases):
        try:
            kept = json.loads(record.read_text(encoding="utf-8"))["files"]
        except (OSError, ValueError, KeyError):
            continue
        named.update(entry["nquads"] for entry in kept.values())
    kept_nquads = _kept_nquads(settings)
    if kept_nquads.is_dir():
        for nquads in kept_nquads.iterdir():
            if nquads.name not in named:
                nquads.unlink(missing_ok=True)

