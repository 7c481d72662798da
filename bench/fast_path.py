"""`python -m bench.fast_path`: a repeated identical query, ours against Oxigraph server.

Serves the last build plus a synthetic graph with both servers (127.0.0.1 only) and prints, per
query of the mix, the median milliseconds of: a fresh query (evaluated), the same query again
(ours: from the result cache), and again with If-None-Match (ours: 304). One keep-alive client,
one request at a time. Exit codes: 0 measured; 1 a server failed; 2 bad usage.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from defence_kg.release import release_nquads
from defence_kg.settings import Settings

from . import load, servers
from .__main__ import load_queries, parse_size
from .synthetic import write_nquads

PLAN = load.Plan(latency_requests=200, latency_seconds=5, repeat_requests=500, repeat_seconds=5,
                 timeout=30)


def median_ms(sample: load.Sample) -> str:
    if sample.errors or sample.median_ms is None:
        return f"failed: {sample.error}"
    return f"{sample.median_ms:.2f}"


def measure(url: str, queries: list[load.Query]) -> dict[str, list[str]]:
    rows = {}
    for query in queries:
        with load.Client(url, PLAN.timeout) as client:
            etag = client.ask(query, query.text).etag
        rows[query.name] = [median_ms(load.latency(url, query, PLAN)),
                            median_ms(load.repeated(url, query, PLAN, None)),
                            median_ms(load.repeated(url, query, PLAN, etag)) if etag else "-"]
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=parse_size, default=10_000,
                        help="synthetic triples beside the release (10k)")
    args = parser.parse_args(argv)
    settings = Settings.from_env()
    if not release_nquads(settings.release_dir).exists():
        parser.error("no build: run `defence-kg build` first")
    queries = load_queries()
    with tempfile.TemporaryDirectory() as folder:
        workdir = Path(folder)
        files = [release_nquads(settings.release_dir),
                 write_nquads(workdir / "synthetic.nq", args.size)]
        results = {}
        for name, start in (("oxigraph", lambda: servers.start_oxigraph(files, workdir, 120, 30)),
                            ("ours", lambda: servers.start_ours(settings.output_dir, files[1:],
                                                                workdir, 120))):
            try:
                server = start()
            except servers.ServerError as error:
                print(f"{name}: {error}\n{error.log}", file=sys.stderr)
                return 1
            try:
                results[name] = measure(server.query_url, queries)
            finally:
                server.stop()
    print(f"median ms per request, {args.size:,} synthetic triples + the release\n")
    print("| query | oxigraph fresh | oxigraph repeated | ours fresh | ours repeated (cache) "
          "| ours 304 | cache vs oxigraph repeated |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for query in queries:
        oxigraph, ours = results["oxigraph"][query.name], results["ours"][query.name]
        try:
            ratio = f"{float(ours[1]) / float(oxigraph[1]):.2f}×"
        except ValueError:
            ratio = "-"
        print(f"| {query.name} | {oxigraph[0]} | {oxigraph[1]} | {' | '.join(ours)} | {ratio} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
