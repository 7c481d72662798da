"""The Turtle, TriG and JSON-LD dumps are written in content-defined chunks, each its own gzip
member: an add-one build copies the pieces whose lines did not change from the last release
and publishes the bytes a full build publishes; a damaged index or release is not trusted."""

from __future__ import annotations

import gzip
import json
import re
import subprocess
from dataclasses import replace

import pyoxigraph as ox
import pytest
from test_build import release_files

from defence_kg.build import build, publish
from defence_kg.build.kept import kept_path
from defence_kg.build.publish import CHUNKS
from defence_kg.release import DUMP_NAME

CHUNKED = ("trig", "jsonld", "ttl")
MADE = re.compile(r"publish: (\d+) pieces of the dumps made, (\d+) copied")


def _publish(settings, caplog) -> tuple[int, int]:
    """Build and publish; return how many pieces were made and how many copied."""
    caplog.clear()
    with caplog.at_level("INFO", logger="defence_kg.build.publish"):
        publish(build(settings), settings)
    made, copied = MADE.search(caplog.text).groups()
    return int(made), int(copied)


@pytest.mark.data
def test_an_add_one_build_copies_unchanged_pieces_and_publishes_the_full_builds_bytes(
        repo_copy, tmp_path, caplog, monkeypatch):
    from bench.synthetic import reports, write_report

    monkeypatch.setattr("defence_kg.build.dumps.CHUNK_BITS", 1)  # many chunks of little data
    made, copied = _publish(repo_copy, caplog)
    assert (made, copied) == (made, 0) and made > 6
    first = repo_copy.release_dir.resolve()
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
    kept_path(repo_copy, CHUNKS, with_report, ".json").write_text("{", encoding="utf-8")
    added.unlink()
    assert _publish(repo_copy, caplog)[1] == 0
    assert repo_copy.release_dir.resolve() == first

    # A missing index: nothing copied, and the release is the one the full build with the
    # report wrote.
    kept_path(repo_copy, CHUNKS, first, ".json").unlink()
    write_report(repo_copy.data_dir, name, quads)
    assert _publish(repo_copy, caplog)[1] == 0
    assert repo_copy.release_dir.resolve() == with_report


@pytest.mark.data
def test_chunked_dumps_are_gzip_files_of_many_members_read_whole(release):
    dumps = release.release_dir / "dumps"
    index = json.loads(kept_path(release, CHUNKS, release.release_dir.resolve(), ".json")
                       .read_text("utf-8"))
    for extension in CHUNKED:
        plain = dumps / f"{DUMP_NAME}.{extension}"
        pieces = index["files"][plain.name]["pieces"]
        assert len(pieces) >= 2
        packed = plain.with_name(f"{plain.name}.gz")
        subprocess.run(["gzip", "-t", str(packed)], check=True)
        with gzip.open(packed) as whole:
            assert whole.read() == plain.read_bytes()
        data, at = packed.read_bytes(), 0
        for _, _, size in pieces:  # each piece a gzip member of its own
            assert data[at:at + 2] == b"\x1f\x8b"
            at += size
        assert at == len(data)


@pytest.mark.data
def test_chunked_dumps_hold_the_statements_of_the_sorted_lines(release):
    dumps = release.release_dir / "dumps"
    quads = set(ox.parse(path=str(dumps / f"{DUMP_NAME}.nq")))
    triples = set(ox.parse(path=str(dumps / f"{DUMP_NAME}.nt")))
    for extension in CHUNKED:
        rdf_format = ox.RdfFormat.from_extension(extension)
        parsed = set(ox.parse(path=str(dumps / f"{DUMP_NAME}.{extension}"),
                              format=rdf_format))
        assert parsed == (quads if rdf_format.supports_datasets else triples), extension
