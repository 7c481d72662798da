"""Ingest, review and accept: a report becomes a draft, a draft becomes data, in a temporary
copy of the repository (the real data/ is never touched)."""

from __future__ import annotations

import os
import shutil
from dataclasses import replace
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Dataset, Graph
from rdflib.namespace import RDF

from bench.extraction import HELD_OUT, REPOSITORY_PARTS, ROOT, SHARED_REPORTS, Score, evaluate
from bench.segmentation import read_cases, score
from defence_kg.build import BuildError, build, publish
from defence_kg.ingest import IngestError, ingest
from defence_kg.ingest.accept import accept, pending_drafts
from defence_kg.ingest.draft import recorded_digest
from defence_kg.ingest.sentences import split_sentences
from defence_kg.namespaces import NIF
from defence_kg.release import release_nquads
from defence_kg.settings import Settings

EXAMPLE = HELD_OUT / "ani-2025-07-12-tamal.txt"


@pytest.fixture
def repo(tmp_path) -> Settings:
    """A copy of the repository's ontology, data and queries, built into tmp_path/build."""
    for part in REPOSITORY_PARTS:
        shutil.copytree(ROOT / part, tmp_path / part)
    return replace(Settings.from_env({}), root=tmp_path, output_dir=tmp_path / "build")


def snapshot(settings: Settings) -> dict[str, bytes]:
    return {p.relative_to(settings.data_dir).as_posix(): p.read_bytes()
            for p in sorted(settings.data_dir.rglob("*")) if p.is_file()}


def write(path: Path, content: str | bytes) -> Path:
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return path


# --- sentences ---------------------------------------------------------------------------------

def test_the_segmenter_splits_the_labelled_set():
    result = score(lambda text: [text[b:e] for b, e in split_sentences(text)], read_cases())
    assert result["recall"] == 1.0  # a missed boundary would merge two sentences' facts
    assert result["precision"] >= 0.95, result


def test_sentences_are_offsets_into_the_text_line_by_line():
    text = 'He said: "Rs. 5.43 crore." Lt. Gen. A. K. Singh agreed.\n\nNo. 17 Squadron flies.'
    spans = split_sentences(text)
    assert [text[b:e] for b, e in spans] == [
        'He said: "Rs. 5.43 crore."', "Lt. Gen. A. K. Singh agreed.", "No. 17 Squadron flies."]


# --- ingest: what it writes ----------------------------------------------------------------------

def test_ingest_writes_the_text_the_sentences_and_a_draft(repo):
    result = ingest(repo, EXAMPLE)
    sid = result.source_id
    assert sid == "ani-2025-07-12-the-indian-navy-commissioned"  # publisher-date-first words
    text = (repo.data_dir / "sources" / f"{sid}.txt").read_bytes()
    assert text == EXAMPLE.read_bytes()
    sources = Graph().parse(repo.data_dir / "sources" / f"{sid}.ttl")
    sentences = list(sources.subjects(RDF.type, NIF.Sentence))
    assert len(sentences) == result.sentences == 6
    words = text.decode("utf-8")
    for segment in [*sentences, *sources.subjects(RDF.type, NIF.Phrase)]:
        begin, end = int(sources.value(segment, NIF.beginIndex)), int(
            sources.value(segment, NIF.endIndex))
        assert words[begin:end] == str(sources.value(segment, NIF.anchorOf))
    draft = (repo.drafts_dir / f"{sid}.trig").read_text(encoding="utf-8")
    parsed = Dataset().parse(data=draft, format="trig")
    graphs = {str(g.identifier) for g in parsed.graphs() if len(g)}
    assert f"https://w3id.org/defence-kg/graph/{sid}/sentence-1" in graphs
    assert recorded_digest(draft) == result_digest(words)
    assert "# [contract: signed/ordered" in draft  # each candidate says which rule made it


def result_digest(text: str) -> str:
    from defence_kg.ingest.text import digest

    return digest(text)


def test_ingest_is_idempotent(repo):
    first = ingest(repo, EXAMPLE, source_id="tamal")
    files = snapshot(repo)
    again = ingest(repo, EXAMPLE, source_id="tamal")
    assert first.changed and not again.changed
    assert snapshot(repo) == files


def test_a_different_text_under_an_existing_id_needs_replace(repo, tmp_path):
    ingest(repo, EXAMPLE, source_id="tamal")
    other = write(tmp_path / "other.txt", EXAMPLE.read_text().replace("four frigates",
                                                                      "two frigates"))
    before = snapshot(repo)
    with pytest.raises(IngestError, match=r"different text.*--replace"):
        ingest(repo, other, source_id="tamal")
    assert snapshot(repo) == before
    ingest(repo, other, source_id="tamal", replace=True)
    assert (repo.data_dir / "sources" / "tamal.txt").read_bytes() == other.read_bytes()


@pytest.mark.parametrize(("content", "flags", "message"), [
    (b"\xff\xfe date 2025-01-01 India bought jets.\n", {}, "not UTF-8"),
    (b"", {}, "empty"),
    (b"  \n\n\t\n", {}, "empty"),
    (b" date 2025-01-01 \n\n\n", {"publisher": "ANI"}, "no sentence"),
    (b"India bought jets.\n", {}, "--publisher and --date"),
    (b"India bought jets.\n", {"publisher": "ANI"}, "--date"),
    (b"India bought jets.\n", {"publisher": "ANI", "issued": "2025-13-01"}, "YYYY-MM-DD"),
    (b" date 2025-01-01 India bought jets.\nBased On ANI Report\n", {"source_id": "Bad_ID"},
     r"\[a-z0-9-\]"),
])
def test_bad_input_is_refused_and_changes_nothing(repo, tmp_path, content, flags, message):
    report = write(tmp_path / "report.txt", content)
    before = snapshot(repo)
    with pytest.raises(IngestError, match=message):
        ingest(repo, report, **flags)
    assert snapshot(repo) == before


def test_a_report_over_the_size_limit_is_refused(repo, tmp_path):
    report = write(tmp_path / "big.txt", " date 2025-01-01 " + "India bought jets. " * 100)
    with pytest.raises(IngestError, match="over the limit of 1,000 "):
        ingest(replace(repo, max_report_bytes=1000), report, publisher="ANI")
    assert Settings().max_report_bytes == 1_000_000


def test_flags_give_what_the_text_does_not_say(repo, tmp_path):
    report = write(tmp_path / "plain.txt", "Russia offered the Su-57E fighter to India.\n")
    result = ingest(repo, report, publisher="Reuters", issued="2025-03-04",
                    title="Su-57E offer", url="https://example.org/su57")
    assert result.source_id == "reuters-2025-03-04-su-57e-offer"
    sources = (repo.data_dir / "sources" / f"{result.source_id}.ttl").read_text()
    assert '"2025-03-04"^^xsd:date' in sources and "<https://example.org/su57>" in sources


def test_a_language_the_extractor_does_not_read_gets_sentences_but_no_candidates(repo, tmp_path):
    report = write(tmp_path / "ru.txt", " date 2025-01-01 Россия поставила Индии три полка "
                   "С-400. Поставка остальных задерживается.\n")
    result = ingest(repo, report, publisher="TASS")
    assert result.sentences == 2 and result.candidates == 0
    assert "does not read as English" in result.note
    draft = (repo.drafts_dir / f"{result.source_id}.trig").read_text(encoding="utf-8")
    assert "# NOTE: the text does not read as English" in draft


ADVERSARIAL = (
    "", "(", "Russia.", "India's.", "by by by by", "Rs crore USD $ € % per cent.",
    "The Navy's Army's Force's.", "INS", "Project 1135.6.", "Lt. Gen. Admiral General A.B.",
    "A joint venture between.", "HAL holds a stake in.", "respectively 42 per cent.",
    "It was delivered.", "The venture was set up in 2016 by.", "Exercise INDRA.",
    "India could buy ten Ka-31 helicopters, though no contract was signed.",
    "sixty, 6,01,427 and 1,207.5 crore of 2021-2031 and 2003 to 2013 in 2+2",
    "Russia offered 62.5 per cent, which India rejected as short of 70 per cent it sought.",
    "X" * 5000, "Su-" * 300, "of the " * 400 + "Ministry of Defence.",
    "\u00a0\u2009Russia\u2014India\u2019s 12th edition of Exercise INDRA on 31 February 2021.",
)


def test_every_fixture_and_adversarial_text_is_read_without_error(repo, tmp_path):
    """The extractor raises on no report it may be given: every held-out and development
    report, and sentences made to break its patterns, ingest with no failure noted."""
    reports = sorted(HELD_OUT.rglob("*.txt")) + sorted(SHARED_REPORTS.glob("*.txt"))
    odd = write(tmp_path / "odd.txt", " date 2025-01-01 " + "\n\n".join(ADVERSARIAL)
                + "\n\nBased On Test Report\n")
    for number, report in enumerate([*reports, odd]):
        result = ingest(repo, report, source_id=f"robust-{number}")
        assert result.note is None, (report.name, result.note)
        assert result.sentences > 0


def test_a_sentence_the_extractor_fails_on_is_reported_and_loses_no_other(repo, monkeypatch):
    from defence_kg.ingest import facts

    original = facts.Extractor.read

    def failing(self, number, sentence):
        if number == 1:
            raise ValueError("made to fail")
        return original(self, number, sentence)

    monkeypatch.setattr(facts.Extractor, "read", failing)
    result = ingest(repo, EXAMPLE)
    assert "sentence 1 (ValueError: made to fail)" in result.note
    draft = (repo.drafts_dir / f"{result.source_id}.trig").read_text(encoding="utf-8")
    assert "# NOTE: the extractor failed on sentence 1" in draft
    assert "# [contract: signed/ordered" in draft  # the other sentences kept their candidates


@pytest.mark.parametrize(("sentence", "made", "never"), [
    ("The Navy could buy ten Ka-31 helicopters, a purchase cleared by the Defence Acquisition "
     "Council in 2019.", "approvedBy", "buyer"),
    ("A proposal to upgrade 84 Su-30MKI fighters is awaiting clearance from the Cabinet "
     "Committee on Security.", "awaitsApprovalFrom", "approvedBy"),
    ("HAL holds a 50.5 per cent stake in Indo-Russian Helicopters Limited, while Russian "
     "Helicopters owns 42.5 per cent "
     "and Rosoboronexport the remaining seven per cent.", "stakeholder", "buyer"),
    ("Russia has offered to manufacture its Su-57 fighter jet in India.", "offeredBy",
     "producer"),
    ("India has not signed a contract for the Ka-226T helicopter, and a decision is pending.",
     "consideredBy", "buyer"),
    ("INS Tushil's delivery, originally due in 2022, was held up after the war in Ukraine.",
     "originallyExpectedBy", "expectedBy"),
])
def test_generalised_rules_keep_their_modality(repo, sentence, made, never):
    """What a sentence says is made; what it does not say (an order, an approval, a
    production, a date still expected) is not."""
    from rdflib import Namespace

    from defence_kg.ingest.facts import Extractor
    from defence_kg.ingest.mentions import Gazetteer

    extractor = Extractor(Gazetteer.from_data(repo), Namespace("urn:event:"),
                          Namespace("urn:post:"), sentence)
    predicates = {str(p).rsplit("#", 1)[-1] for c in extractor.read(1, sentence).candidates
                  for _, p, _ in c.triples}
    assert made in predicates and never not in predicates, predicates


# --- review and accept ---------------------------------------------------------------------------

def test_drafts_lists_pending_drafts_with_their_counts(repo):
    result = ingest(repo, EXAMPLE, source_id="tamal")
    [draft] = pending_drafts(repo)
    assert (draft.source_id, draft.candidates, draft.sentences) == ("tamal", result.candidates,
                                                                    6)
    assert result.candidates > 0 and not draft.text_changed


def test_the_build_never_reads_drafts(repo):
    ingest(repo, EXAMPLE, source_id="tamal")
    write(repo.drafts_dir / "broken.trig", "this is { not TriG")
    assert build(repo).report["triples"]["asserted"] > 0


def test_accept_moves_a_valid_draft_into_data(repo):
    ingest(repo, EXAMPLE, source_id="tamal")
    target = accept(repo, "tamal")
    assert target == repo.data_dir / "tamal.trig" and target.exists()
    assert not (repo.drafts_dir / "tamal.trig").exists()
    assert pending_drafts(repo) == []


def test_accept_keeps_a_broken_draft_and_says_where(repo):
    ingest(repo, EXAMPLE, source_id="tamal")
    draft = repo.drafts_dir / "tamal.trig"
    lines = draft.read_text(encoding="utf-8").splitlines()
    at = next(i for i, line in enumerate(lines) if "dko:Contract" in line)
    lines[at] = lines[at].replace(" .", " ] .")
    write(draft, "\n".join(lines))
    with pytest.raises(BuildError, match=rf"data/drafts/tamal.trig:{at + 1}: syntax error"):
        accept(repo, "tamal")
    assert draft.exists() and not (repo.data_dir / "tamal.trig").exists()


def test_accept_refuses_a_draft_that_breaks_a_shape(repo):
    ingest(repo, EXAMPLE, source_id="tamal")
    draft = repo.drafts_dir / "tamal.trig"
    write(draft, draft.read_text(encoding="utf-8").replace('schema:priceCurrency "USD"',
                                                           'schema:priceCurrency "dollars"'))
    with pytest.raises(BuildError, match=r"stays a draft.*shapes"):
        accept(repo, "tamal")
    assert draft.exists()


def test_accept_refuses_a_draft_whose_text_changed(repo):
    ingest(repo, EXAMPLE, source_id="tamal")
    text = repo.data_dir / "sources" / "tamal.txt"
    write(text, text.read_text(encoding="utf-8").replace("four", "five"))
    assert pending_drafts(repo)[0].text_changed
    with pytest.raises(IngestError, match="has changed since the draft was made"):
        accept(repo, "tamal")


# --- end to end ----------------------------------------------------------------------------------

def reports_to_publish() -> list[Path]:
    held_out = sorted(HELD_OUT.glob("*.txt"))
    if SHARED_REPORTS.is_dir():
        return sorted(SHARED_REPORTS.glob("*.txt")) + held_out
    if os.environ.get("CI") == "true":
        pytest.fail(f"{SHARED_REPORTS} is missing under CI")
    return held_out


def test_every_report_is_published_with_sentence_provenance(repo):
    """ingest + accept + build, with no hand-written line; then each source's facts are queried
    on Oxigraph with the sentence that supports them."""
    reports = reports_to_publish()
    for report in reports:
        ingest(repo, report, source_id=report.stem)
        accept(repo, report.stem)
    release = publish(build(repo), repo)
    store = ox.Store()
    store.load(path=str(release_nquads(release)), format=ox.RdfFormat.N_QUADS)
    query = """
        PREFIX nif: <http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#>
        PREFIX prov: <http://www.w3.org/ns/prov#>
        SELECT ?source (COUNT(*) AS ?facts) WHERE {
          GRAPH ?g { ?s ?p ?o }
          ?g prov:wasDerivedFrom ?sentence .
          ?sentence a nif:Sentence ; nif:referenceContext ?source ; nif:anchorOf ?words .
        } GROUP BY ?source"""
    rows = store.query(query, use_default_graph_as_union=True)
    counts = {str(row["source"].value): int(row["facts"].value) for row in rows}
    for report in reports:
        source = f"https://w3id.org/defence-kg/id/source/{report.stem}"
        assert counts.get(source, 0) > 0, report.stem


def test_the_scorer_targets_hold():
    """Entities >= 90 %, facts >= 80 %, nothing forbidden, on the development reports; facts
    >= 60 % and nothing forbidden on the held-out ones; on the blind ones, nothing forbidden,
    entities >= 90 % and facts >= 60 % over all (computed, not recorded)."""
    if not SHARED_REPORTS.is_dir() and os.environ.get("CI") != "true":
        pytest.skip(f"{SHARED_REPORTS} is missing: the development reports are not here")
    scores = evaluate()
    development = [s for s in scores if s.kind == "development"]
    assert development, "no development report was scored"
    for s in development:
        assert Score.share(s.entities) >= 0.9 and Score.share(s.facts) >= 0.8, s.output
        assert s.forbidden == 0, s.output
    for s in scores:
        if s.kind == "held-out":
            assert Score.share(s.facts) >= 0.6 and s.forbidden == 0, s.output
    # The blind reports the rules were generalised on (docs/design.md, "Ingest"): nothing
    # forbidden in any, and the targets over all of them.
    entities, facts = blind_totals(scores, "blind-dev")
    assert Score.share(entities) >= 0.9 and Score.share(facts) >= 0.6, (entities, facts)
    # The blind reports no rule was written for (scored 45/52 entities, 27/97 facts before they
    # were committed): nothing forbidden, and no fall below what was measured. These are floors
    # against regressions, not the targets, which they do not meet (docs/design.md).
    entities, facts = blind_totals(scores, "blind-final")
    assert Score.share(entities) >= 0.85 and Score.share(facts) >= 0.27, (entities, facts)


def blind_totals(scores, kind: str) -> tuple[tuple[int, int], tuple[int, int]]:
    """(entities, facts) found and wanted over the reports of one blind set, none of which may
    make a forbidden statement."""
    chosen = [s for s in scores if s.kind == kind]
    assert chosen, f"no {kind} report was scored"
    assert all(s.forbidden == 0 for s in chosen), [s.output for s in chosen if s.forbidden]
    return ((sum(s.entities[0] for s in chosen), sum(s.entities[1] for s in chosen)),
            (sum(s.facts[0] for s in chosen), sum(s.facts[1] for s in chosen)))


def test_the_real_data_has_no_development_report(settings):
    names = {p.name for p in settings.data_dir.rglob("*")}
    assert not any(p.stem in " ".join(names) for p in SHARED_REPORTS.glob("*.txt")), names
