"""Extraction measured on reports it was not written for: each report is ingested into a copy
of the repository and its draft scored by the project-independent scorer
(../shared/reports/score.py; its README says how it matches).

    python -m bench.extraction        (make eval)

Development reports: ../shared/reports/*.txt (fixtures, never published data). Held-out
reports: tests/fixtures/reports/*.txt, written for this project before any rule was tuned on
them. Without ../shared, only the held-out ones are scored, with the scorer's copy in
tests/fixtures/reports/.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path

from defence_kg.ingest import ingest
from defence_kg.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
SHARED_REPORTS = ROOT.parent / "shared" / "reports"
HELD_OUT = ROOT / "tests" / "fixtures" / "reports"
SCORE_LINE = re.compile(r"entities (\d+)/(\d+), facts (\d+)/(\d+), forbidden made (\d+), "
                        r"content triples (\d+)")
REPOSITORY_PARTS = ("ontology", "data", "queries")


@dataclass(frozen=True)
class Score:
    report: str
    kind: str  # "development" or "held-out"
    entities: tuple[int, int]
    facts: tuple[int, int]
    forbidden: int
    candidates: int
    output: str

    @staticmethod
    def share(pair: tuple[int, int]) -> float:
        return pair[0] / pair[1] if pair[1] else 1.0


def reports() -> list[tuple[str, Path]]:
    """(kind, gold file) of every report there is to score."""
    found = [("held-out", p) for p in sorted(HELD_OUT.glob("*.gold.json"))]
    if SHARED_REPORTS.is_dir():
        found = [("development", p) for p in sorted(SHARED_REPORTS.glob("*.gold.json"))] + found
    return found


def scorer() -> Path:
    shared = SHARED_REPORTS / "score.py"
    return shared if shared.exists() else HELD_OUT / "score.py"


def copy_repository(target: Path) -> Settings:
    """The repository's ontology, data and queries in target: ingest writes there, not here."""
    for part in REPOSITORY_PARTS:
        shutil.copytree(ROOT / part, target / part)
    return replace(Settings.from_env({}), root=target, output_dir=target / "build")


def score(kind: str, gold: Path, settings: Settings) -> Score:
    """Ingest the report beside gold into settings' repository and score its draft."""
    name = gold.name.removesuffix(".gold.json")
    result = ingest(settings, gold.with_name(f"{name}.txt"), source_id=name)
    ontology = sorted(str(p) for p in settings.ontology_dir.glob("*.ttl"))
    completed = subprocess.run(
        [sys.executable, str(scorer()), str(gold), str(settings.drafts_dir / f"{name}.trig"),
         str(settings.data_dir / "sources" / f"{name}.ttl"), *ontology],
        capture_output=True, text=True, check=True, timeout=300)
    match = SCORE_LINE.search(completed.stdout)
    if match is None:
        raise RuntimeError(f"the scorer's output has no score line:\n{completed.stdout}")
    e, em, f, fm, forbidden, _ = (int(g) for g in match.groups())
    return Score(name, kind, (e, em), (f, fm), forbidden, result.candidates, completed.stdout)


def evaluate() -> list[Score]:
    with tempfile.TemporaryDirectory(prefix="defence-kg-eval-") as directory:
        settings = copy_repository(Path(directory))
        return [score(kind, gold, settings) for kind, gold in reports()]


def main() -> None:
    if not SHARED_REPORTS.is_dir():
        print(f"note: {SHARED_REPORTS} is absent: the development reports are not scored, "
              "only the held-out ones\n")
    scores = evaluate()
    print("| report | set | entities | facts | forbidden made | candidates |")
    print("|---|---|---|---|---|---|")
    for s in scores:
        print(f"| {s.report} | {s.kind} | {s.entities[0]}/{s.entities[1]} "
              f"({Score.share(s.entities):.0%}) | {s.facts[0]}/{s.facts[1]} "
              f"({Score.share(s.facts):.0%}) | {s.forbidden} | {s.candidates} |")
    for kind in ("development", "held-out"):
        chosen = [s for s in scores if s.kind == kind]
        if chosen:
            entities = (sum(s.entities[0] for s in chosen), sum(s.entities[1] for s in chosen))
            facts = (sum(s.facts[0] for s in chosen), sum(s.facts[1] for s in chosen))
            print(f"| **all {kind}** | | {entities[0]}/{entities[1]} "
                  f"({Score.share(entities):.0%}) | {facts[0]}/{facts[1]} "
                  f"({Score.share(facts):.0%}) | {sum(s.forbidden for s in chosen)} | "
                  f"{sum(s.candidates for s in chosen)} |")
    if "-v" in sys.argv:
        for s in scores:
            print(f"\n## {s.report}\n{s.output}")


if __name__ == "__main__":
    main()
