"""`python -m bench.checks WORK`: the violation checks of an add-one release, whole and over the
change (docs/design.md, "Violation checks over the change"), CPU and wall seconds.

WORK is a bench.scale size's work directory after `--keep` (or after the add-one profiler of
docs/design.md, "Session 9's run"): its
build holds the full build's release and the add-one's. The change is the `comm` of the two
releases' sorted N-Quads dumps; the last release is a folder whose report says it passed the
checks as they are. Each way is run three times, then each check whole alone.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox

from defence_kg.build import check
from defence_kg.build.assemble import bytewise
from defence_kg.release import DUMP_NAME, REPORT_NAME
from defence_kg.settings import Settings


def main(argv: list[str] | None = None) -> int:
    work = Path((argv or sys.argv[1:])[0])
    releases = sorted((work / "build" / "releases").iterdir(), key=lambda p: p.stat().st_mtime)
    first, added = releases[0], releases[-1]
    settings = Settings.from_env({}, root=work / "repository", output_dir=work / "build")
    with tempfile.TemporaryDirectory() as temporary:
        out = Path(temporary)
        change = out / "removed.nq", out / "added.nq"
        before, after = (release / "dumps" / f"{DUMP_NAME}.nq" for release in (first, added))
        for path, only in zip(change, ("-23", "-13"), strict=True):
            with open(path, "wb") as lines:
                subprocess.run(["comm", only, "--", str(before), str(after)], stdout=lines,
                               check=True, env=bytewise())
        (out / REPORT_NAME).write_text(json.dumps({check.CHECKS_KEY: check.check_digests(
            settings)}), encoding="utf-8")
        print("change lines:", *(path.read_bytes().count(b"\n") for path in change))
        store = ox.Store.read_only(str(added / "store"))
        for label, since in [("whole", None), ("over the change", (out, change))] * 3:
            wall, cpu = time.perf_counter(), time.process_time()
            conforms = check.run_violation_queries(store, settings, since).conforms
            print(f"{label}: wall {time.perf_counter() - wall:.3f} s, "
                  f"CPU {time.process_time() - cpu:.3f} s, conforms {conforms}")
        for path in check.violation_queries(settings):
            query = settings.vocabulary.rebase(path.read_text(encoding="utf-8"))
            wall, cpu = time.perf_counter(), time.process_time()
            rows = len(list(store.query(query)))
            print(f"  {path.name} whole: wall {time.perf_counter() - wall:.3f} s, "
                  f"CPU {time.process_time() - cpu:.3f} s, {rows} rows")
    return 0


if __name__ == "__main__":
    sys.exit(main())
