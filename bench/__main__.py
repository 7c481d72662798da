"""`python -m bench`: our SPARQL endpoint against Oxigraph server and rdflib-endpoint.

For each size: generate the synthetic graph, serve it with the real release on each server in
turn (127.0.0.1 only), check that all servers give the same number of rows for every query of
the mix, measure, and write a Markdown and a JSON report to bench/results/.
Exit codes: 0 the benchmark ran and its servers agree; 1 a server failed or answers differ;
2 bad usage.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, replace
from importlib.metadata import version
from pathlib import Path

from defence_kg.release import release_nquads

from . import load, report, servers
from .synthetic import write_nquads

HERE = Path(__file__).resolve().parent
QUICK = load.Plan(latency_requests=30, latency_seconds=5, load_requests=60, load_seconds=3,
                  repeat_requests=20, repeat_seconds=2, timeout=30)
SERVERS = (report.OURS, report.OURS_ON_STORE, report.OXIGRAPH, report.RDFLIB)
SIZE_SUFFIXES = {"k": 1_000, "m": 1_000_000}


def parse_size(text: str) -> int:
    """'10k' -> 10000, '1m' -> 1000000, '2500' -> 2500."""
    text = text.strip().lower()
    factor = SIZE_SUFFIXES.get(text[-1:], 1)
    digits = text[:-1] if text[-1:] in SIZE_SUFFIXES else text
    if not digits.isdigit():
        raise argparse.ArgumentTypeError(f"not a size: {text!r} (say 10k, 100k or 1m)")
    return int(digits) * factor


def load_queries(folder: Path = HERE / "queries") -> list[load.Query]:
    """The query mix: every .rq file of bench/queries, by name."""
    return [load.Query.parse(path.stem, path.read_text(encoding="utf-8"))
            for path in sorted(folder.glob("*.rq"))]


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    unknown = set(args.servers) - set(SERVERS)
    if unknown:
        parser.error(f"unknown servers: {', '.join(sorted(unknown))}")
    plan = replace(QUICK if args.quick else load.Plan(), clients=args.clients,
                   **({"timeout": args.timeout} if args.timeout else {}))
    queries = load_queries()
    results = {
        "started": time.strftime("%Y-%m-%d %H:%M:%S"),
        "machine": f"{os.cpu_count()} cores, {platform.platform()}, Python "
                   f"{platform.python_version()}",
        "versions": ", ".join(f"{name} {version(name)}" for name in
                              ("pyoxigraph", "oxigraph", "rdflib", "rdflib-endpoint")),
        "plan": ", ".join(f"{key}={value}" for key, value in asdict(plan).items()),
        "seed": args.seed,
        "queries": {query.name: query.question for query in queries},
        "sizes": {},
    }
    with tempfile.TemporaryDirectory(prefix="defence-kg-bench-") as scratch:
        workdir = Path(scratch)
        release, release_error = build_release(workdir / "build", args.load_timeout)
        for size in args.sizes:
            label = size_label(size)
            print(f"--- {label}: generating and serving", file=sys.stderr, flush=True)
            size_dir = workdir / label  # a fresh store per size; removed when measured
            size_dir.mkdir()
            results["sizes"][label] = run_size(size, args, plan, queries, size_dir,
                                               release, release_error)
            shutil.rmtree(size_dir)
            write_reports(results, args.output)
    print(report.markdown(results))
    failed = [f"{label}: {name}: {server['note']}"
              for label, size in results["sizes"].items()
              for name, server in size["servers"].items() if server.get("failed")]
    disagreements = [f"{label}: {query}: {why}" for label, size in results["sizes"].items()
                     for query, why in size["disagreements"].items()]
    for problem in failed + disagreements:
        print(f"bench: {problem}", file=sys.stderr)
    return 1 if failed or disagreements else 0


def build_release(output_dir: Path, timeout: float) -> tuple[Path | None, str | None]:
    """Build the real data (`defence-kg build`): our server needs a release, and every
    server is given its N-Quads dump beside the synthetic graph."""
    try:
        completed = subprocess.run(
            [servers.executable("defence-kg"), "build", "--output-dir", str(output_dir)],
            capture_output=True, text=True, timeout=timeout)
    except (servers.ServerError, subprocess.TimeoutExpired) as error:
        return None, f"defence-kg build: {error}"
    if completed.returncode:
        last_line = (completed.stderr.strip().splitlines() or ["no message"])[-1]
        return None, f"defence-kg build failed: {last_line}"
    return output_dir, None


def run_size(size: int, args, plan: load.Plan, queries: list[load.Query], workdir: Path,
             release: Path | None, release_error: str | None) -> dict:
    data = write_nquads(workdir / f"synthetic-{size}.nq", size, args.seed)
    files = [release_nquads(release / "current"), data] if release else [data]
    release_quads = _count_lines(files[0]) if release else 0
    result = {"synthetic_triples": size, "release_quads": release_quads,
              "servers": {}, "queries": {query.name: {} for query in queries}}
    answers: dict[str, dict] = {query.name: {} for query in queries}
    for name in args.servers:
        print(f"    {name}", file=sys.stderr, flush=True)
        if name == report.RDFLIB and size > args.rdflib_max:
            result["servers"][name] = {"note": f"skipped: above --rdflib-max "
                                               f"{size_label(args.rdflib_max)}"}
            continue
        if name in report.OUR_SERVERS and release is None:
            result["servers"][name] = {"failed": True, "note": release_error}
            continue
        try:
            server = _start(name, release, files, workdir, args.load_timeout, plan.timeout)
        except servers.ServerError as error:
            print(f"{error}\n{error.log}", file=sys.stderr)
            result["servers"][name] = {"failed": True, "note": str(error)}
            continue
        try:
            for query in queries:
                print(f"      {query.name}", file=sys.stderr, flush=True)
                measured, answer = measure(server, query, plan)
                result["queries"][query.name][name] = measured
                if answer is not None:
                    answers[query.name][name] = answer
        finally:
            peak = server.stop()
        result["servers"][name] = {"load_s": server.load_seconds, "peak_mib": peak}
    result["verdicts"] = report.verdicts(result)
    result["disagreements"] = {
        query.name: why for query in queries
        if (why := report.disagreement(query.form, answers[query.name]))}
    return result


def _start(name: str, release: Path | None, files: list[Path], workdir: Path,
           load_timeout: float, query_timeout: float) -> servers.Server:
    if name == report.OURS:
        return servers.start_ours(release, files[1:], workdir, load_timeout)
    if name == report.OURS_ON_STORE:
        return servers.start_ours_on_store(release, files[1:], workdir, load_timeout)
    if name == report.OXIGRAPH:
        return servers.start_oxigraph(files, workdir, load_timeout, query_timeout)
    return servers.start_rdflib_endpoint(files, workdir, load_timeout)


def measure(server: servers.Server, query: load.Query,
            plan: load.Plan) -> tuple[dict, int | frozenset | None]:
    """The answer (from a first, unmeasured request), then latency, throughput and repetition."""
    try:
        with load.Client(server.query_url, plan.timeout) as client:
            first = client.ask(query, query.text)
        answer = load.read_answer(query, first)
    except load.RequestFailed as failure:
        return {"rows": None, "error": f"first request: {failure}"}, None
    except (ValueError, SyntaxError, KeyError) as error:
        return {"rows": None, "error": f"unreadable answer ({first.content_type}): {error}"}, None
    return {
        "rows": len(answer) if isinstance(answer, frozenset) else answer,
        "etag": first.etag,
        "keeps_alive": first.keeps_alive,
        "latency": load.latency(server.query_url, query, plan).summary(),
        "throughput": load.throughput(server.query_url, query, plan).summary(),
        "repeat": load.repeated(server.query_url, query, plan, first.etag).summary(),
    }, answer


def write_reports(results: dict, output: Path) -> None:
    """bench/results/sparql-<time>.{md,json}: rewritten after each size, so a long run that
    is interrupted keeps what it measured."""
    output.mkdir(parents=True, exist_ok=True)
    stem = output / f"sparql-{results['started'].replace(' ', 'T').replace(':', '')}"
    stem.with_suffix(".json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    stem.with_suffix(".md").write_text(report.markdown(results), encoding="utf-8")


def _count_lines(path: Path) -> int:
    with open(path, "rb") as stream:
        return sum(1 for _ in stream)


def size_label(size: int) -> str:
    """10000 -> '10k', 1000000 -> '1m'."""
    for suffix, factor in sorted(SIZE_SUFFIXES.items(), key=lambda item: -item[1]):
        if size % factor == 0:
            return f"{size // factor}{suffix}"
    return str(size)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=lambda text: [parse_size(s) for s in text.split(",")],
                        default=[10_000, 100_000, 1_000_000],
                        help="synthetic graph sizes in triples (10k,100k,1m)")
    parser.add_argument("--quick", action="store_true", help="fewer requests per phase")
    parser.add_argument("--seed", type=int, default=0, help="the generator's seed (0)")
    parser.add_argument("--servers", type=lambda text: text.split(","), default=list(SERVERS),
                        help=f"which servers ({','.join(SERVERS)})")
    parser.add_argument("--rdflib-max", type=parse_size, default=100_000,
                        help="skip rdflib-endpoint above this size (100k): at 1m it needs "
                             "minutes to load and seconds per query")
    parser.add_argument("--clients", type=int, default=4, help="concurrent clients (4)")
    parser.add_argument("--timeout", type=float, help="seconds per request (60; quick: 30)")
    parser.add_argument("--load-timeout", type=float, default=900,
                        help="seconds to build, load and start one server (900)")
    parser.add_argument("--output", type=Path, default=HERE / "results",
                        help="where to write the reports (bench/results)")
    return parser


if __name__ == "__main__":
    sys.exit(main())
