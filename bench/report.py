"""The benchmark's verdicts (ratios against the baselines, targets met) and its Markdown table."""

from __future__ import annotations

OURS, OXIGRAPH, RDFLIB = "ours", "oxigraph", "rdflib-endpoint"
OURS_ON_STORE = "ours-store"  # our server in front of Oxigraph server (serve --store)
OUR_SERVERS = (OURS, OURS_ON_STORE)
# The targets, as (baseline, phase, measure, test of ours / baseline, heading).
TARGETS = {
    "throughput_vs_rdflib": (RDFLIB, "throughput", "per_second", lambda ratio: ratio >= 10,
                             "req/s vs rdflib-endpoint (≥ 10×)"),
    "median_vs_oxigraph": (OXIGRAPH, "latency", "median_ms", lambda ratio: ratio <= 1.5,
                           "median vs Oxigraph (≤ 1.5×)"),
    "repeat_vs_oxigraph": (OXIGRAPH, "repeat", "median_ms", lambda ratio: ratio < 1,
                           "repeat vs Oxigraph (< 1×)"),
}


def verdicts(size_result: dict) -> dict[str, dict]:
    """Per query and target: ours ÷ baseline and whether the target is met (None: not
    measured, e.g. a server timed out or was skipped)."""
    out = {}
    for query, measured in size_result["queries"].items():
        out[query] = {}
        for name, (baseline, phase, key, met, _) in TARGETS.items():
            ours, theirs = (_get(measured.get(server, {}), phase, key)
                            for server in (OURS, baseline))
            ratio = ours / theirs if ours and theirs else None
            out[query][name] = {"ratio": ratio, "met": None if ratio is None else met(ratio)}
    return out


def disagreement(form: str, answers: dict[str, int | frozenset]) -> str | None:
    """Why the servers' answers to one query differ, or None if they agree.

    A DESCRIBE answer is up to the service (https://www.w3.org/TR/sparql11-query/#describe):
    ours adds the labels of linked resources and the statements' provenance, so it must
    contain the baselines' description, and the baselines must agree with each other.
    """
    sizes = ", ".join(f"{name} {len(a) if isinstance(a, frozenset) else a}"
                      for name, a in answers.items())
    if form == "DESCRIBE":
        baselines = [a for name, a in answers.items() if name not in OUR_SERVERS]
        if len(set(baselines)) > 1:
            return f"the baselines describe differently ({sizes})"
        ours = [a for name, a in answers.items() if name in OUR_SERVERS]
        if len({len(a) for a in ours}) > 1:
            return f"ours describes differently over its two stores ({sizes})"
        if ours and baselines and not ours[0] >= baselines[0]:
            return f"ours lacks triples of the baselines' description ({sizes})"
        return None
    if len(set(answers.values())) > 1:
        return f"{'triples' if form == 'CONSTRUCT' else 'rows'} differ ({sizes})"
    return None


def markdown(results: dict) -> str:
    lines = [f"# SPARQL benchmark, {results['started']}", "",
             f"Machine: {results['machine']}. Versions: {results['versions']}.",
             f"Plan: {results['plan']}.", ""]
    for label, size_result in results["sizes"].items():
        lines += _size_markdown(label, size_result)
    return "\n".join(lines) + "\n"


def _size_markdown(label: str, size: dict) -> list[str]:
    lines = [f"## {label}: {size['synthetic_triples']:,} synthetic quads "
             f"+ {size['release_quads']:,} of the release", ""]
    lines += ["| server | load s | peak MiB (PSS) | keeps connections alive | note |",
              "| --- | ---: | ---: | --- | --- |"]
    for name, server in size["servers"].items():
        alive = {measured[name].get("keeps_alive") for measured in size["queries"].values()
                 if name in measured} - {None}
        lines.append(f"| {name} | {_num(server.get('load_s'), 1)} | "
                     f"{_num(server.get('peak_mib'), 0)} | "
                     f"{'/'.join('yes' if a else 'no' for a in sorted(alive)) or '–'} | "
                     f"{_cell(server.get('note'))} |")
    lines += ["", "| query | rows | server | median ms | p99 ms | req/s (load) | repeat ms "
              "(304s) | error |", "| --- | ---: | --- | ---: | ---: | ---: | ---: | --- |"]
    wrong = size["disagreements"]
    for query, servers in size["queries"].items():
        for name, measured in servers.items():
            rows = _num(measured.get("rows"), 0)
            if query in wrong:
                rows = f"**{rows} differs**"
            repeat = measured.get("repeat") or {}
            lines.append(
                f"| {query} | {rows} | {name} | {_num(_get(measured, 'latency', 'median_ms'))} "
                f"| {_num(_get(measured, 'latency', 'p99_ms'))} "
                f"| {_num(_get(measured, 'throughput', 'per_second'), 1)} "
                f"| {_num(repeat.get('median_ms'))} ({repeat.get('not_modified', 0)}) "
                f"| {_cell(_first_error(measured))} |")
    headings = [target[-1] for target in TARGETS.values()]
    lines += ["", f"| query | {' | '.join(headings)} |",
              f"| --- |{' ---: |' * len(headings)}"]
    for query, verdict in size["verdicts"].items():
        lines.append(f"| {query} | {' | '.join(_target(**v) for v in verdict.values())} |")
    for query, why in wrong.items():
        lines += ["", f"**{query}: the servers disagree, so its timings compare different "
                      f"answers: {why}.**"]
    return [*lines, ""]


def _get(measured: dict, phase: str, key: str):
    return (measured.get(phase) or {}).get(key)


def _first_error(measured: dict) -> str | None:
    if measured.get("error"):
        return measured["error"]
    for phase in ("latency", "throughput", "repeat"):
        sample = measured.get(phase) or {}
        if sample.get("errors"):
            timeouts = f", {sample['timeouts']} timed out" if sample.get("timeouts") else ""
            return f"{phase}: {sample['errors']} failed{timeouts}: {sample['error']}"
    return None


def _target(ratio: float | None, met: bool | None) -> str:
    if ratio is None:
        return "n/a"
    return f"{ratio:.2f}× {'yes' if met else '**no**'}"


def _num(value, digits: int = 2) -> str:
    return "–" if value is None else f"{value:,.{digits}f}"


def _cell(text: str | None) -> str:
    return "" if not text else " ".join(text.split()).replace("|", "\\|")[:160]
