"""`python -m bench.server_memory OUTPUT [OUTPUT ...]`: where the server's memory is, per process.

For each build output (a `--output-dir`, such as bench.scale's `<work>/<size>/build` kept with
`--keep`), `defence-kg serve` runs over its release (on-disk store, 2 workers) and the query mix
(bench/queries, the plan bench.scale uses) is sent to it; the proportional set size (PSS) of the
master and of each worker is read from /proc/PID/smaps at start and at the end, split by what
it maps: anonymous memory (the heaps: Python's, Oxigraph's and RocksDB's), the shared libraries,
other files. The peak PSS of the whole tree over the mix is sampled as bench.scale does.
With --oxigraph, Oxigraph server (`serve-read-only`) is measured the same way on each release.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
from collections import Counter
from pathlib import Path

import psutil

from . import servers
from .__main__ import QUICK, load_queries, measure

MAPPING = re.compile(r"^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$")


def kind(name: str) -> str:
    """What a mapping of /proc/PID/smaps holds, by its name."""
    if not name or name.startswith("[anon") or name in ("[heap]", "[stack]"):
        return "anon"
    if ".so" in name:
        return "libraries"
    return "files"


def breakdown(pid: int) -> Counter:
    """MiB of PSS (by kind, and the total), and of USS, of one process."""
    mib: Counter = Counter()
    current = "anon"
    with open(f"/proc/{pid}/smaps", encoding="utf-8", errors="replace") as smaps:
        for line in smaps:
            mapping = MAPPING.match(line)
            if mapping:
                current = kind(mapping.group(1).strip())
            elif line.startswith("Pss:"):
                mib[current] += int(line.split()[1]) / 1024
                mib["pss"] += int(line.split()[1]) / 1024
            elif line.startswith(("Private_Clean:", "Private_Dirty:")):
                mib["uss"] += int(line.split()[1]) / 1024
    return mib


def tree(server: servers.Server) -> dict[str, Counter]:
    root = psutil.Process(server.process.pid)
    found = {"master": breakdown(root.pid)}
    for number, child in enumerate(sorted(root.children(), key=lambda p: p.pid), 1):
        found[f"worker {number}"] = breakdown(child.pid)
    return found


def table(title: str, found: dict[str, Counter]) -> str:
    columns = ("pss", "uss", "anon", "libraries", "files")
    lines = [f"{title}", "| process | " + " | ".join(columns) + " |",
             "| --- |" + " ---: |" * len(columns)]
    total: Counter = Counter()
    for name, mib in found.items():
        total.update(mib)
        lines.append(f"| {name} | " + " | ".join(f"{mib[c]:.0f}" for c in columns) + " |")
    lines.append("| all | " + " | ".join(f"{total[c]:.0f}" for c in columns) + " |")
    return "\n".join(lines)


def measure_output(output: Path, timeout: float, oxigraph: bool) -> str:
    with tempfile.TemporaryDirectory(prefix="server-memory-") as work:
        server = servers.start_ours(output, [], Path(work), timeout)
        found = [f"## {output}"]
        try:
            found.append(table("at start, MiB", tree(server)))
            medians = run_mix(server)
            found.append(table("after the mix, MiB", tree(server)))
        finally:
            found.append(f"peak PSS over the mix (all processes): {server.stop():.0f} MiB")
        found.append(medians)
        if oxigraph:
            dumps = output / "current" / "dumps"
            server = servers.start_oxigraph_release(dumps / "defence-kg.nq",
                                                    dumps / "defence-kg.nt", Path(work),
                                                    timeout, QUICK.timeout)
            try:
                medians = run_mix(server)
            finally:
                found.append(f"Oxigraph server: peak PSS {server.stop():.0f} MiB")
            found.append(medians)
    return "\n\n".join(found)


def run_mix(server: servers.Server) -> str:
    """The query mix, as bench.scale sends it; the median latency of each query."""
    medians = {}
    for query in load_queries():
        answer = measure(server, query, QUICK)[0]
        medians[query.name] = (answer.get("latency") or {}).get("median_ms")
    return "medians, ms: " + ", ".join(f"{name} {ms:.1f}" if ms else f"{name} -"
                                       for name, ms in medians.items())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("outputs", nargs="+", type=Path, help="build output directories")
    parser.add_argument("--timeout", type=float, default=600, help="seconds to start (600)")
    parser.add_argument("--oxigraph", action="store_true",
                        help="also measure Oxigraph server on each release")
    args = parser.parse_args(argv)
    for output in args.outputs:
        print(measure_output(output, args.timeout, args.oxigraph), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
