"""The Turtle, TriG and JSON-LD dumps are written in pieces of content-defined chunks, each its
own gzip member: an add-one build copies the pieces whose lines did not change from the last
release and publishes the bytes a full build publishes; a damaged or missing index is not
trusted."""

from __future__ import annotations

import gzip
import json
import re
import subprocess
from dataclasses import replace
from itertools import pairwise
from pathlib import Path

import pyoxigraph as ox
import pytest
from test_build import release_files

from defence_kg.build import build, publish
from defence_kg.build.kept import kept_path
from defence_kg.build.pieces import PIECES, KeptPieces, chunks, write_in_pieces
from defence_kg.release import DUMP_NAME

PIECED = ("trig", "jsonld", "ttl")
MADE = re.compile(r"publish: (\d+) pieces of the dumps made, (\d+) copied")


def _sorted_lines(subjects: range, extra: bytes = b"") -> bytes:
    lines = [f"<http://e.org/s{n}> <http://e.org/p> \"{k}\" .\n".encode()
             for n in subjects for k in range(n % 5 + 1)]
    return b"".join(sorted(lines + ([extra] if extra else [])))


def test_chunks_keep_subjects_whole_and_change_only_where_lines_change(monkeypatch):
    monkeypatch.setattr("defence_kg.build.pieces.CHUNK_BYTES", 2000)
    data = _sorted_lines(range(3000))
    spans = list(chunks(data))
    assert spans[0][0] == 0 and spans[-1][1] == len(data) and len(spans) > 50
    assert all(a[1] == b[0] for a, b in pairwise(spans))
    assert all(end - start <= 2000 for start, end in spans)
    for start, _ in spans[1:]:  # a chunk starts with a subject the line before lacks
        before = data[data.rfind(b"\n", 0, start - 1) + 1:start]
        assert before.split(b" ")[0] != data[start:data.find(b" ", start)]
    pieces = {data[start:end] for start, end in spans}
    added = _sorted_lines(range(3000), b'<http://e.org/s1234> <http://e.org/p> "new" .\n')
    changed = [added[start:end] for start, end in chunks(added)
               if added[start:end] not in pieces]
    assert len(changed) == 1 and b'"new"' in changed[0]
    assert list(chunks(b"")) == []


def test_a_piece_is_copied_only_from_the_same_lines(tmp_path, monkeypatch):
    """A chunk of the same size and the same first bytes as the last release's, but not the
    same lines, is made again: what a full build writes from those lines."""
    monkeypatch.setattr("defence_kg.build.pieces.CHUNK_BYTES", 2000)
    first, second = tmp_path / "first.nt", tmp_path / "second.nt"
    first.write_bytes(_sorted_lines(range(300)))
    second.write_bytes(first.read_bytes().replace(b'<http://e.org/s149> <http://e.org/p> "1"',
                                                  b'<http://e.org/s149> <http://e.org/p> "7"'))
    turtle = ox.RdfFormat.TURTLE
    [kept] = write_in_pieces(first, [(tmp_path / "first.ttl", turtle, None)], {})
    [again] = write_in_pieces(second, [(tmp_path / "again.ttl", turtle, KeptPieces(
        first, tmp_path / "first.ttl", kept.pieces))], {})
    [scratch] = write_in_pieces(second, [(tmp_path / "scratch.ttl", turtle, None)], {})
    assert again.copied == len(again.pieces) - 2  # all but the prefixes and the changed one
    assert (again.plain, again.packed) == (replace(scratch.plain, name="again.ttl"),
                                           replace(scratch.packed, name="again.ttl.gz"))


def test_dumps_written_together_are_the_bytes_of_each_written_alone(tmp_path, monkeypatch):
    """The JSON-LD and TriG dumps are written in one pass over the N-Quads' chunks, each chunk
    parsed once for both: each dump is the bytes it is alone, whether the other copies the
    chunk's piece or makes it."""
    monkeypatch.setattr("defence_kg.build.pieces.CHUNK_BYTES", 2000)
    first, second = tmp_path / "first.nq", tmp_path / "second.nq"
    quads = b"".join(sorted(line.replace(b" .\n", f" <http://e.org/g{n % 3}> .\n".encode())
                            for n, line in enumerate(_sorted_lines(range(300)).splitlines(True))))
    first.write_bytes(quads)
    second.write_bytes(quads.replace(b'<http://e.org/s149> <http://e.org/p> "1"',
                                     b'<http://e.org/s149> <http://e.org/p> "7"'))
    prefixes, trig, jsonld = {"e": "http://e.org/"}, ox.RdfFormat.TRIG, ox.RdfFormat.JSON_LD
    [kept] = write_in_pieces(first, [(tmp_path / "first.trig", trig, None)], prefixes)
    alone, together = tmp_path / "alone", tmp_path / "together"
    alone.mkdir(), together.mkdir()
    expected = [write_in_pieces(second, [(alone / f"d.{name}", rdf_format, None)], prefixes)[0]
                for name, rdf_format in (("jsonld", jsonld), ("trig", trig))]
    made = write_in_pieces(second, [
        (together / "d.jsonld", jsonld, None),
        (together / "d.trig", trig, KeptPieces(first, tmp_path / "first.trig", kept.pieces))],
        prefixes)
    assert made[0].copied == 0 and made[1].copied == len(made[1].pieces) - 2 > 10
    assert [(dump.plain, dump.packed) for dump in made] == [
        (dump.plain, dump.packed) for dump in expected]
    statements = set(ox.parse(path=str(second)))
    for name, rdf_format in (("jsonld", jsonld), ("trig", trig)):
        assert set(ox.parse(path=str(together / f"d.{name}"), format=rdf_format)) == statements
    with pytest.raises(ValueError):  # Turtle is written from the N-Triples, TriG the N-Quads
        write_in_pieces(second, [(together / "d.ttl", ox.RdfFormat.TURTLE, None),
                                 (together / "x.trig", trig, None)], prefixes)


def _publish(settings, caplog) -> tuple[int, int]:
    """Build and publish; return how many pieces were made and how many copied."""
    caplog.clear()
    with caplog.at_level("INFO", logger="defence_kg.build.pieces"):
        publish(build(settings), settings)
    made, copied = MADE.search(caplog.text).groups()
    return int(made), int(copied)


@pytest.mark.data
def test_an_add_one_build_copies_unchanged_pieces_and_publishes_the_full_builds_bytes(
        repo_copy, tmp_path, caplog, monkeypatch):
    from bench.synthetic import reports, write_report

    # Many chunks of the little data, so that a report changes some and not others: a piece
    # copied when its lines changed (a stale piece) makes the releases differ.
    monkeypatch.setattr("defence_kg.build.pieces.CHUNK_BYTES", 4096)
    made, copied = _publish(repo_copy, caplog)
    assert copied == 0 and made > 30
    first = repo_copy.release_dir.resolve()
    _check_pieces(repo_copy)
    name, quads = next(reports())
    added = write_report(repo_copy.data_dir, name, quads)
    made, copied = _publish(repo_copy, caplog)
    assert made > 0 and copied > made  # the report changes few chunks
    with_report = repo_copy.release_dir.resolve()
    scratch = replace(repo_copy, output_dir=tmp_path / "scratch")
    assert _publish(scratch, caplog)[1] == 0
    assert release_files(repo_copy) == release_files(scratch)

    # A damaged index: nothing copied, and the release is the bytes the first build wrote
    # (the same name: its fingerprint holds every dump's digest).
    kept_path(repo_copy, PIECES, with_report, ".json").write_text("{", encoding="utf-8")
    added.unlink()
    assert _publish(repo_copy, caplog)[1] == 0
    assert repo_copy.release_dir.resolve() == first

    # A missing index: nothing copied, and the release is the one the full build with the
    # report wrote.
    kept_path(repo_copy, PIECES, first, ".json").unlink()
    write_report(repo_copy.data_dir, name, quads)
    assert _publish(repo_copy, caplog)[1] == 0
    assert repo_copy.release_dir.resolve() == with_report


def _check_pieces(settings) -> None:
    """Each pieced dump's .gz is a gzip file of many members, one a piece."""
    dumps = settings.release_dir / "dumps"
    index = json.loads(kept_path(settings, PIECES, settings.release_dir.resolve(), ".json")
                       .read_text("utf-8"))
    for extension in PIECED:
        plain = dumps / f"{DUMP_NAME}.{extension}"
        pieces = index["files"][plain.name]["pieces"]
        assert len(pieces) > 10
        data, at = plain.with_name(f"{plain.name}.gz").read_bytes(), 0
        for *_, size in pieces:  # each piece a gzip member of its own
            assert data[at:at + 2] == b"\x1f\x8b"
            at += size
        assert at == len(data)
    _check_dumps(dumps)


def _check_dumps(dumps: Path) -> None:
    """gzip and Python's gzip read each pieced dump's .gz whole, and the dumps hold the
    statements of the sorted lines (the N-Quads' and N-Triples')."""
    quads = set(ox.parse(path=str(dumps / f"{DUMP_NAME}.nq")))
    triples = set(ox.parse(path=str(dumps / f"{DUMP_NAME}.nt")))
    for extension in PIECED:
        plain = dumps / f"{DUMP_NAME}.{extension}"
        packed = plain.with_name(f"{plain.name}.gz")
        subprocess.run(["gzip", "-t", str(packed)], check=True)
        with gzip.open(packed) as whole:
            assert whole.read() == plain.read_bytes()
        rdf_format = ox.RdfFormat.from_extension(extension)
        parsed = set(ox.parse(path=str(plain), format=rdf_format))
        assert parsed == (quads if rdf_format.supports_datasets else triples), extension


@pytest.mark.data
def test_the_releases_pieced_dumps_are_valid_gzip_and_hold_its_statements(release):
    _check_dumps(release.release_dir / "dumps")
