"""`python -m bench.scale --quads 1m[,10m]`: the build and the server at scale, against targets.

For each size, in a work directory kept between runs (--work), so that a run can resume:
1. a synthetic repository of about that many quads, one file per report (bench/synthetic.py),
   and one report more, kept aside;
2. the full build (`build()` + `publish()` in a child process): seconds and peak RSS by the
   end of each step;
3. the server (`defence-kg serve`, 2 workers, over the release's on-disk store): seconds from
   start to its first answer, and PSS (master and workers) at its peak over the query mix; the
   same server over the first report alone, whose PSS is what the Python processes cost, so
   that "the data adds" the difference;
4. the query mix (bench/queries) against Oxigraph server (`serve-read-only`) loaded with the
   same release: median milliseconds per query, and its PSS;
5. the report kept aside added, and the build run again: seconds.
Each size's results go to bench/results/scale-<size>.json after every step; a size measured
completely is not measured again unless --again. The table (Markdown) compares them with the
targets of issue 11 and with Oxigraph server; it is printed and written to
bench/results/scale.md.

Exit codes: 0 measured; 1 a step failed (its error is in the table); 2 bad usage.
"""

from __future__ import annotations

import argparse
import functools
import json
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

from . import load, servers
from .__main__ import QUICK, load_queries, measure, parse_size, size_label
from .synthetic import reports, write_report

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
BUILD_STEPS = ("load", "compare with the last release", "store", "reason (OWL 2 RL)", "explain",
               "validate (SHACL)", "wait for SHACL", "assemble",
               "check (violation queries)", "publish")
# Issue 11's targets on the 2-core, 24 GB machine: seconds, MiB, seconds, seconds.
TARGETS = {1_000_000: {"build_s": 120, "peak_mib": 3 * 1024, "add_s": 15, "start_s": 2},
           10_000_000: {"build_s": 1200, "peak_mib": 16 * 1024, "add_s": 60, "start_s": 2}}
ADDED = "added"  # the folder of the report kept aside, beside the repository


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.one_build:
        print(json.dumps(build_once(Path(args.one_build[0]), Path(args.one_build[1]))))
        return 0
    failed = False
    for size in args.quads:
        label = size_label(size)
        path = RESULTS / f"scale-{label}.json"
        if _complete(path) and not args.again:
            print(f"--- {label}: measured already ({path}); --again measures it anew",
                  file=sys.stderr)
            continue
        print(f"--- {label}", file=sys.stderr, flush=True)
        RESULTS.mkdir(parents=True, exist_ok=True)
        result = measure_size(size, args.work / label, args, functools.partial(_save, path=path))
        failed |= bool(result.get("errors"))
        _save({**result, "complete": True}, path)
        if not args.keep:
            shutil.rmtree(args.work / label / "build", ignore_errors=True)
    table = markdown(sorted((json.loads(p.read_text(encoding="utf-8"))
                             for p in RESULTS.glob("scale-*.json")), key=lambda r: r["size"]))
    (RESULTS / "scale.md").write_text(table, encoding="utf-8")
    print(table)
    return 1 if failed else 0


def measure_size(size: int, work: Path, args, save) -> dict:
    """Measure one size; `save(result)` is called after each step, so that a run cut short
    (an hour's limit, a kill) leaves what it measured."""
    repository, output = work / "repository", work / "build"
    result: dict = {"size": size, "label": size_label(size), "errors": {},
                    "started": time.strftime("%Y-%m-%d %H:%M:%S")}
    result["save"] = save
    _step(result, "generate", lambda: _generate(repository, size, args.seed))
    shutil.rmtree(output, ignore_errors=True)
    full = _step(result, "full build", lambda: _build(repository, output), "build")
    if full:  # the server over the full build's release, before a report is added to it
        result["quads"] = full["quads"]
        plan = QUICK
        queries = load_queries()
        first = _step(result, "first report alone", lambda: _first_report(repository, work))
        _step(result, "serve", lambda: _serve(output, work, plan, queries, args), "ours")
        if first is not None:
            _step(result, "serve the first report",
                  lambda: _serve(first, work, plan, queries, args), "first_report")
        _step(result, "oxigraph", lambda: _oxigraph(output, work, plan, queries, args),
              "oxigraph")
    added = repository / "data" / "synthetic" / f"{_added(repository).name}"
    shutil.copyfile(_added(repository), added)
    try:
        _step(result, "add one report", lambda: _build(repository, output), "add")
    finally:
        added.unlink()
    return result


def build_once(repository: Path, output: Path) -> dict:
    """One build and publish of the repository, in this process: seconds and peak RSS (MiB)
    by the end of each step."""
    import logging

    from defence_kg.build import build, publish
    from defence_kg.settings import Settings

    logging.disable(logging.INFO)
    settings = Settings.from_env({}, root=repository, output_dir=output)
    started = time.perf_counter()
    result = build(settings)
    step = time.perf_counter()
    publish(result, settings)
    timings = {**result.timings, "publish": time.perf_counter() - step}
    peaks = {**result.peaks,
             "publish": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}
    return {"seconds": time.perf_counter() - started, "timings": timings, "peaks": peaks,
            "peak_mib": max(peaks.values()), "quads": result.report["triples"]["quads"],
            "asserted": result.report["triples"]["asserted"],
            "inferred": result.report["triples"]["inferred"]}


def _build(repository: Path, output: Path) -> dict:
    """build_once() in a child process, so that its peak memory is its own."""
    done = subprocess.run([sys.executable, "-m", "bench.scale", "--one-build", str(repository),
                           str(output)], stdout=subprocess.PIPE, text=True, cwd=HERE.parent,
                          check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def _generate(repository: Path, size: int, seed: int) -> dict:
    """The repository (kept when already there: generating 10m takes minutes)."""
    from defence_kg.settings import PROJECT_ROOT

    done = repository / ".generated"
    if done.exists():
        _copy_project_files(PROJECT_ROOT, repository)
        return json.loads(done.read_text(encoding="utf-8"))
    shutil.rmtree(repository, ignore_errors=True)
    _copy_project_files(PROJECT_ROOT, repository)
    written = count = 0
    generated = reports(seed)
    for name, quads in generated:
        write_report(repository / "data", name, quads)
        written += len(quads)
        count += 1
        if written >= size:
            break
    name, quads = next(generated)  # the report added later, kept aside
    (repository.parent / ADDED).mkdir(exist_ok=True)
    aside = write_report(repository.parent / ADDED, name, quads)
    text = aside.parent.parent / "sources" / f"{name}.txt"
    (repository / "data" / "sources" / text.name).write_bytes(text.read_bytes())
    summary = {"reports": count, "quads_written": written}
    done.write_text(json.dumps(summary), encoding="utf-8")
    return summary


def _copy_project_files(project: Path, repository: Path) -> None:
    """The project's ontology and queries, fresh at every run: they are code (the shapes, the
    checks), and a repository kept from an earlier run would build with its old copies."""
    for folder in ("ontology", "queries"):
        shutil.rmtree(repository / folder, ignore_errors=True)
        shutil.copytree(project / folder, repository / folder)


def _added(repository: Path) -> Path:
    return next((repository.parent / ADDED / "synthetic").glob("*.nq"))


def _first_report(repository: Path, work: Path) -> Path:
    """A release of the first report alone: the server's memory without the data's."""
    first = work / "first"
    if not (first / "build" / "current").exists():
        shutil.rmtree(first, ignore_errors=True)
        for folder in ("ontology", "queries"):
            shutil.copytree(repository / folder, first / folder)
        report = repository / "data" / "synthetic" / "synthetic-0.nq"
        (first / "data" / "synthetic").mkdir(parents=True)
        shutil.copyfile(report, first / "data" / "synthetic" / report.name)
        text = repository / "data" / "sources" / "synthetic-0.txt"  # the build checks anchors
        (first / "data" / "sources").mkdir()
        shutil.copyfile(text, first / "data" / "sources" / text.name)
        _build(first, first / "build")
    return first / "build"


def _serve(output: Path, work: Path, plan: load.Plan, queries, args) -> dict:
    server = servers.start_ours(output, [], work, args.load_timeout)
    try:
        started_pss = servers.pss_mib(server.process)
        answers = {query.name: measure(server, query, plan)[0] for query in queries}
    finally:
        peak = server.stop()
    return {"start_s": server.load_seconds, "pss_mib_started": started_pss, "pss_mib": peak,
            "queries": _medians(answers)}


def _oxigraph(output: Path, work: Path, plan: load.Plan, queries, args) -> dict:
    current = output / "current" / "dumps"
    shutil.rmtree(work / "oxigraph-store", ignore_errors=True)
    server = servers.start_oxigraph_release(current / "defence-kg.nq", current / "defence-kg.nt",
                                            work, args.load_timeout, plan.timeout)
    try:
        answers = {query.name: measure(server, query, plan)[0] for query in queries}
    finally:
        peak = server.stop()
        shutil.rmtree(work / "oxigraph-store", ignore_errors=True)
    return {"start_s": server.load_seconds, "pss_mib": peak, "queries": _medians(answers)}


def _medians(answers: dict) -> dict:
    return {name: (measured.get("latency") or {}).get("median_ms")
            for name, measured in answers.items()}


def _step(result: dict, name: str, action, key: str | None = None):
    """Run one step; its value goes under `key` (if given) and the results so far are saved."""
    print(f"    {name}", file=sys.stderr, flush=True)
    try:
        value = action()
        if key is not None:
            result[key] = value
        return value
    except (subprocess.CalledProcessError, servers.ServerError, OSError, ValueError) as error:
        result["errors"][name] = f"{type(error).__name__}: {error}"
        print(f"    {name} failed: {error}", file=sys.stderr)
        return None
    finally:
        result["save"](result)


def _save(result: dict, path: Path) -> None:
    """Write a size's results so far (atomically: a reader never sees half a file)."""
    measured = {key: value for key, value in result.items() if key != "save"}
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(measured, indent=2) + "\n", encoding="utf-8")
    temporary.replace(path)


def _complete(path: Path) -> bool:
    try:
        return json.loads(path.read_text(encoding="utf-8")).get("complete", False)
    except (OSError, ValueError):
        return False


def markdown(results: list[dict]) -> str:
    """The table of every size measured, with the targets and Oxigraph server beside."""
    lines = ["## Scale: build, add one report, serve (`python -m bench.scale`)", "",
             "| size | quads | full build s | build peak RSS MiB | add one report + rebuild s "
             "| serve start s | server PSS MiB (data adds) | Oxigraph server PSS MiB | "
             "data ÷ Oxigraph PSS |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for r in results:
        build, add = r.get("build") or {}, r.get("add") or {}
        ours, first, oxigraph = (r.get(k) or {} for k in ("ours", "first_report", "oxigraph"))
        adds = (ours["pss_mib"] - first["pss_mib"]) if ours and first else None
        target = TARGETS.get(r["size"], {})
        lines.append(
            f"| {r['label']} | {_n(r.get('quads'), 0)} "
            f"| {_vs(build.get('seconds'), target.get('build_s'))} "
            f"| {_vs(build.get('peak_mib'), target.get('peak_mib'), 0)} "
            f"| {_vs(add.get('seconds'), target.get('add_s'))} "
            f"| {_vs(ours.get('start_s'), target.get('start_s'))} "
            f"| {_n(ours.get('pss_mib'), 0)} ({_n(adds, 0)}) | {_n(oxigraph.get('pss_mib'), 0)} "
            f"| {_ratio(adds, oxigraph.get('pss_mib'))} |")
    lines += ["", "Targets (issue 11) in brackets: 1M ≤ 120 s, ≤ 3 GiB, ≤ 15 s, ≤ 2 s; 10M ≤ "
              "1,200 s, ≤ 16 GiB, ≤ 60 s, ≤ 2 s; the memory the data adds (PSS over the query "
              "mix, master and 2 workers, minus the same server's over the first report "
              "alone) ≤ Oxigraph server's PSS on the same release.", ""]
    for r in results:
        build = r.get("build") or {}
        if build:
            lines += [f"**{r['label']}: build steps** (seconds, peak RSS MiB by the end)", "",
                      "| " + " | ".join(BUILD_STEPS) + " |",
                      "|" + " ---: |" * len(BUILD_STEPS),
                      "| " + " | ".join(f"{_n(build['timings'].get(s))} "
                                        f"({_n(build['peaks'].get(s), 0)})"
                                        for s in BUILD_STEPS) + " |", ""]
        ours, oxigraph = r.get("ours") or {}, r.get("oxigraph") or {}
        if ours.get("queries"):
            lines += [f"**{r['label']}: query mix**, median ms (one client)", "",
                      "| query | ours | Oxigraph server | ours ÷ Oxigraph |",
                      "| --- | ---: | ---: | ---: |"]
            for name, median in ours["queries"].items():
                theirs = (oxigraph.get("queries") or {}).get(name)
                lines.append(f"| {name} | {_n(median)} | {_n(theirs)} | "
                             f"{_ratio(median, theirs)} |")
            lines.append("")
        for step, error in (r.get("errors") or {}).items():
            lines.append(f"- {r['label']}: {step} failed: {error}")
    return "\n".join(lines) + "\n"


def _vs(value, target, digits: int = 1) -> str:
    if value is None:
        return "–"
    if target is None:
        return _n(value, digits)
    return f"{_n(value, digits)} {'✓' if value <= target else '✗'} ({_n(target, 0)})"


def _n(value, digits: int = 2) -> str:
    return "–" if value is None else f"{value:,.{digits}f}"


def _ratio(ours, theirs) -> str:
    return f"{ours / theirs:.2f}×" if ours is not None and theirs else "–"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench.scale", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quads", type=lambda text: [parse_size(s) for s in text.split(",")],
                        default=[1_000_000], help="repository sizes in quads (1m)")
    parser.add_argument("--work", type=Path, default=RESULTS / "scale-work",
                        help="where repositories and builds are kept (bench/results/scale-work)")
    parser.add_argument("--again", action="store_true", help="measure sizes measured already")
    parser.add_argument("--keep", action="store_true", help="keep each size's build output")
    parser.add_argument("--seed", type=int, default=0, help="the generator's seed (0)")
    parser.add_argument("--load-timeout", type=float, default=3600,
                        help="seconds to load and start one server (3600)")
    parser.add_argument("--one-build", nargs=2, metavar=("REPOSITORY", "OUTPUT"),
                        help=argparse.SUPPRESS)
    return parser


if __name__ == "__main__":
    sys.exit(main())
