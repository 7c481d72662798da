"""A build after a release made with the same schema neither parses nor checks again the data
files that did not change (build/unchanged.py); what it keeps for that follows the releases,
and a change to what a check reads besides the file checks it again."""

from __future__ import annotations

import json
from dataclasses import replace
from itertools import islice

import pyoxigraph as ox
import pytest
from conftest import append

from defence_kg.build import BuildError, build, publish, unchanged
from defence_kg.build.lines import RdfFile
from defence_kg.build.load import ONTOLOGY_FILE, data_files
from defence_kg.build.offsets import TEXT_FILE
from defence_kg.build.publish import KEEP_RELEASES
from defence_kg.namespaces import NIF


def spy_on_reads(monkeypatch) -> tuple[list, list]:
    """The files the per-file checks read (RdfFile.read) and those the loader parses
    (load_source), in order, as builds go on: the real functions, watched."""
    checked, parsed = [], []
    read, load = RdfFile.read.__func__, unchanged.load_source
    monkeypatch.setattr(RdfFile, "read", classmethod(
        lambda cls, path, settings: checked.append(path) or read(cls, path, settings)))
    monkeypatch.setattr(unchanged, "load_source",
                        lambda path, *args: parsed.append(path) or load(path, *args))
    return checked, parsed


def failure(settings) -> str:
    with pytest.raises(BuildError) as raised:
        build(settings)
    return str(raised.value)


def kept_files(settings) -> dict:
    return {p: p.read_bytes() for p in (settings.output_dir / unchanged.FILES).rglob("*")
            if p.is_file()}


def test_only_changed_files_are_read_and_what_is_kept_follows_the_releases(repo_copy,
                                                                           monkeypatch):
    from bench.synthetic import reports, write_report

    publish(build(repo_copy), repo_copy)
    for name, quads in islice(reports(), KEEP_RELEASES):  # a release more than are kept
        write_report(repo_copy.data_dir, name, quads)
        publish(build(repo_copy), repo_copy)
    output = repo_copy.output_dir
    releases = {p.name for p in (output / "releases").iterdir()}
    records = list((output / unchanged.FILES).glob("*.json"))
    assert {p.stem for p in records} == releases and len(releases) == KEEP_RELEASES
    named = {entry["nquads"] for record in records
             for entry in json.loads(record.read_text(encoding="utf-8"))["files"].values()}
    assert named == {p.name for p in (output / unchanged.FILES / unchanged.NQUADS).iterdir()}

    kept = kept_files(repo_copy)
    broken = repo_copy.data_dir / "broken.ttl"
    broken.write_text("<a> <b> .\n", encoding="utf-8")
    assert "data/broken.ttl:1" in failure(repo_copy)
    assert kept_files(repo_copy) == kept  # a failed build leaves the last good record
    broken.unlink()

    changed = data_files(repo_copy)[-1]
    append(changed, "# a curator's note: the bytes change, the statements do not\n")
    checked, parsed = spy_on_reads(monkeypatch)
    publish(build(repo_copy), repo_copy)
    assert parsed == [changed]
    assert checked == [repo_copy.ontology_dir / ONTOLOGY_FILE, changed]  # the ontology: terms


def test_a_changed_file_fails_as_in_a_build_from_scratch(repo_copy, tmp_path):
    publish(build(repo_copy), repo_copy)
    changed = next(p for p in data_files(repo_copy) if p.suffix == ".ttl")
    append(changed, "<https://w3id.org/defence-kg/id/india> "
                    "<https://w3id.org/defence-kg/ontology#licencedBy> \"no one\" .\n")
    message = failure(repo_copy)
    assert f"{changed.relative_to(repo_copy.root).as_posix()}:" in message
    assert "licencedBy" in message and "is not a property declared" in message
    assert message == failure(replace(repo_copy, output_dir=tmp_path / "scratch"))


def test_a_changed_text_or_ontology_checks_the_files_again(repo_copy, monkeypatch, tmp_path):
    """The offsets check reads the source text a file names: a change to it checks that file
    again; a change to the ontology (the schema) checks every file."""
    publish(build(repo_copy), repo_copy)
    text = sorted(repo_copy.data_dir.glob("sources/*.txt"))[0]
    text.write_text("X" + text.read_text(encoding="utf-8"), encoding="utf-8")
    checked, parsed = spy_on_reads(monkeypatch)
    message = failure(repo_copy)
    ontology = repo_copy.ontology_dir / ONTOLOGY_FILE
    naming = [p for p in data_files(repo_copy) if text.relative_to(repo_copy.root).as_posix()
              in p.read_text(encoding="utf-8")]
    assert parsed == [] and checked == [ontology, *naming] and naming
    assert "Segments whose nif:anchorOf is not the source text" in message
    assert message == failure(replace(repo_copy, output_dir=tmp_path / "scratch"))

    append(ontology, "# a comment: a new schema all the same\n")
    checked.clear()
    parsed.clear()
    assert failure(repo_copy) == message
    assert parsed == [ontology, *data_files(repo_copy)]
    assert checked == [ontology, *data_files(repo_copy)]


def test_a_new_segment_is_checked_against_the_text_an_unchanged_file_gives(repo_copy,
                                                                          tmp_path):
    """Files meet in the offsets check (a segment's context may be another file's): the new
    file's segment is compared with the text of a context written in a file not changed."""
    publish(build(repo_copy), repo_copy)
    context = next(quad.subject.value for path in data_files(repo_copy)
                   for quad in RdfFile.read(path, repo_copy).quads
                   if quad.predicate.value == TEXT_FILE)
    (repo_copy.data_dir / "segment.ttl").write_text(
        f"@prefix nif: <{NIF}> .\n<https://w3id.org/defence-kg/id/new-segment> "
        f'nif:referenceContext <{context}> ; nif:beginIndex 0 ; nif:endIndex 3 ; '
        f'nif:anchorOf "zzz" .\n', encoding="utf-8")
    message = failure(repo_copy)
    assert "data/segment.ttl:2: segment <https://w3id.org/defence-kg/id/new-segment>" in message
    assert message == failure(replace(repo_copy, output_dir=tmp_path / "scratch"))


def test_a_removed_file_that_met_an_unchanged_one_checks_every_file(repo_copy, monkeypatch):
    """A file gone since the last release may have held half of what an unchanged file's
    check compares (a segment of its context): then every file is checked, as from scratch."""
    publish(build(repo_copy), repo_copy)
    context, text_file = next((quad.subject.value, quad.object.value)
                              for path in data_files(repo_copy)
                              for quad in RdfFile.read(path, repo_copy).quads
                              if quad.predicate.value == TEXT_FILE)
    text = (repo_copy.root / text_file).read_text(encoding="utf-8")
    segment = repo_copy.data_dir / "segment.ttl"
    segment.write_text(
        f"@prefix nif: <{NIF}> .\n<https://w3id.org/defence-kg/id/new-segment> "
        f"nif:referenceContext <{context}> ; nif:beginIndex 0 ; nif:endIndex 3 ; "
        f"nif:anchorOf {ox.Literal(text[:3])} .\n", encoding="utf-8")
    publish(build(repo_copy), repo_copy)
    segment.unlink()
    checked, parsed = spy_on_reads(monkeypatch)
    publish(build(repo_copy), repo_copy)
    assert parsed == []
    assert checked == [repo_copy.ontology_dir / ONTOLOGY_FILE, *data_files(repo_copy)]
