"""Reasoning benchmark: build time by step and peak memory at 1k/10k/100k asserted triples.

Baselines, measured in the same run on the same input (the reasoner input of the build: our
ontology plus the synthetic data, without the identity links):
- owlrl: `DeductiveClosure(OWLRL_Semantics).expand` as it comes (the plain call);
- reasonable: the Rust OWL 2 RL reasoner (`PyReasoner.from_graph` + `reason`).
Each system runs in its own process, so its peak memory (max RSS) is its own. The non-trivial
inferred triples of each baseline are compared with the build's published inferred graph.

    python -m bench.reasoning [--sizes 1k,10k,100k] [--owlrl-max 100k]
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.synthetic import write_data

SIZES = {"1k": 1_000, "10k": 10_000, "100k": 100_000, "1m": 1_000_000}
SYSTEMS = ("defence-kg", "owlrl", "reasonable")
STEPS = ("load", "validate (SHACL)", "reason (OWL 2 RL)", "explain",
         "check (violation queries)", "write dumps")
RESULTS = Path(__file__).parent / "results"


def make_repository(directory: Path, triples: int) -> Path:
    """A repository like ours whose data is the synthetic graph (plus nothing else)."""
    from defence_kg.settings import PROJECT_ROOT

    shutil.copytree(PROJECT_ROOT / "ontology", directory / "ontology")
    shutil.copytree(PROJECT_ROOT / "queries", directory / "queries")
    write_data(directory / "data", triples)
    return directory


def run_one(system: str, repository: Path, inferred_out: Path) -> dict:
    """Run one system on one repository in this process; return its timings and counts."""
    import logging

    import pyoxigraph as ox
    from rdflib import Graph

    from defence_kg.build import build, publish
    from defence_kg.build.load import load_sources
    from defence_kg.build.reason import reasoner_input, why_trivial
    from defence_kg.rdf import from_rdflib, to_rdflib
    from defence_kg.settings import Settings

    logging.disable(logging.INFO)
    settings = Settings.from_env({}, root=repository, output_dir=repository / "build")
    timings: dict[str, float] = {}
    if system == "defence-kg":
        started = time.perf_counter()
        result = build(settings)
        timings.update(result.timings)
        step = time.perf_counter()
        publish(result, settings)
        timings["write dumps"] = time.perf_counter() - step
        timings["total"] = time.perf_counter() - started
        inferred_graph = ox.NamedNode(str(settings.vocabulary.inferred_graph))
        inferred = {tuple(map(to_rdflib, q.triple))
                    for q in result.open_store().quads_for_pattern(None, None, None,
                                                                  inferred_graph)}
        asserted = result.report["triples"]["asserted"]
    else:
        started = time.perf_counter()
        graph = Graph()
        quads = [q for source in load_sources(settings) for q in source.quads]
        for triple in reasoner_input(quads, settings.vocabulary):
            graph.add(tuple(map(to_rdflib, triple)))
        timings["load"] = time.perf_counter() - started
        step = time.perf_counter()
        closure = _owlrl(graph) if system == "owlrl" else _reasonable(graph)
        timings["reason"] = time.perf_counter() - step
        timings["total"] = time.perf_counter() - started
        inferred = {t for t in closure if t not in graph
                    and why_trivial(tuple(map(from_rdflib, t))) is None}
        asserted = len(graph)
    _write_triples(inferred_out, inferred)
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    return {"timings": timings, "inferred": len(inferred), "asserted": asserted,
            "peak_mib": peak_mib}


def _owlrl(graph):
    import owlrl
    from owlrl.Namespaces import ERRNS
    from rdflib import Graph
    from rdflib.namespace import RDF

    closure = Graph()
    for triple in graph:
        closure.add(triple)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(closure)
    errors = set(closure.subjects(RDF.type, ERRNS.ErrorMessage))
    return {t for t in closure if t[0] not in errors}


def _reasonable(graph):
    import reasonable

    reasoner = reasonable.PyReasoner()
    reasoner.from_graph(graph)
    return set(reasoner.reason())


def _write_triples(path: Path, triples) -> None:
    # Blank node labels differ between processes: compare only triples without them.
    from rdflib import BNode

    lines = sorted(" ".join(term.n3() for term in t) for t in triples
                   if not any(isinstance(term, BNode) for term in t))
    path.write_text("\n".join(lines), encoding="utf-8")


def measure(system: str, repository: Path, work: Path) -> dict:
    """Run one system in a child process of its own, so its peak memory is its own."""
    out = work / f"{system}.nt"
    done = subprocess.run([sys.executable, "-m", "bench.reasoning", "--one", system,
                           str(repository), str(out)], stdout=subprocess.PIPE, text=True,
                          cwd=Path(__file__).parent.parent, check=True)
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["triples_file"] = out
    return result


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1k,10k,100k")
    parser.add_argument("--owlrl-max", default="100k",
                        help="largest size owlrl runs at (it takes minutes beyond)")
    parser.add_argument("--one", nargs=3, metavar=("SYSTEM", "REPOSITORY", "OUT"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one:
        system, repository, out = args.one
        print(json.dumps(run_one(system, Path(repository), Path(out))))
        return 0
    rows = []
    for size in args.sizes.split(","):
        with tempfile.TemporaryDirectory(prefix=f"bench-reasoning-{size}-") as tmp:
            work = Path(tmp)
            repository = make_repository(work / "repo", SIZES[size])
            results = {}
            for system in SYSTEMS:
                if system == "owlrl" and SIZES[size] > SIZES[args.owlrl_max]:
                    continue
                print(f"[{size}] {system} ...", file=sys.stderr, flush=True)
                results[system] = measure(system, repository, work)
            rows.append(_compare(size, results))
    report = render(rows)
    print(report)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "reasoning.md").write_text(report, encoding="utf-8")
    (RESULTS / "reasoning.json").write_text(json.dumps(rows, indent=2, default=str))
    return 0


def _compare(size: str, results: dict) -> dict:
    ours = set(results["defence-kg"]["triples_file"].read_text(encoding="utf-8").splitlines())
    for result in results.values():
        theirs = set(result.pop("triples_file").read_text(encoding="utf-8").splitlines())
        result["missing"] = len(ours - theirs)  # what we infer and they do not
        result["extra"] = len(theirs - ours)  # what they infer and we do not
    return {"size": size, "results": results}


def render(rows: list[dict]) -> str:
    lines = ["## Reasoning: build time by step, peak memory, closure against baselines", "",
             "| size | asserted | system | " + " | ".join(STEPS) + " | total s | peak MiB "
             "| inferred (non-trivial) | ≠ ours (extra / missing) | owlrl ÷ this |",
             "|" + "---|" * (len(STEPS) + 9)]
    for row in rows:
        results = row["results"]
        owlrl_time = results.get("owlrl", {}).get("timings", {}).get("reason")
        for system, result in results.items():
            t = result["timings"]
            steps = [t.get(step) for step in STEPS]
            if system != "defence-kg":
                steps = [t.get("load"), None, t.get("reason"), None, None, None]
            cells = " | ".join("" if v is None else f"{v:.2f}" for v in steps)
            reason = t.get("reason (OWL 2 RL)") or t.get("reason")
            ratio = f"{owlrl_time / reason:.1f}×" if owlrl_time and reason else ""
            lines.append(f"| {row['size']} | {result['asserted']:,} | {system} | {cells} | "
                         f"{t['total']:.2f} | {result['peak_mib']:.0f} | {result['inferred']:,} "
                         f"| {result['extra']} / {result['missing']} | {ratio} |")
    lines += ["", "Baseline: owlrl's plain `DeductiveClosure(OWLRL_Semantics).expand`. "
              "'owlrl ÷ this' is owlrl's reasoning time over this system's (target ≥ 10× at "
              "100k). '≠ ours' counts non-trivial inferred triples (without blank nodes) that "
              "the system infers and the build does not / the build infers and it does not."]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
