"""The benchmark's verdicts (ratios against the baselines, targets met) and its Markdown table."""

from __future__ import annotations

OURS, OXIGRAPH, RDFLIB = "ours", "oxigraph", "rdflib-endpoint"
# The targets of the issue: at least 10x rdflib-endpoint's throughput, at most 1.5x Oxigraph
# server's median latency, and a repeated query answered faster than Oxigraph server does.
THROUGHPUT_VS_RDFLIB = 10.0
MEDIAN_VS_OXIGRAPH = 1.5


def _metric(size_result: dict, server: str, query: str, phase: str, key: str):
    measured = size_result["queries"][query].get(server, {})
    return (measured.get(phase) or {}).get(key)


def _ratio(numerator, denominator) -> float | None:
    return numerator / denominator if numerator and denominator else None


def verdicts(size_result: dict) -> dict[str, dict]:
    """Per query: each ratio against its baseline and whether the target is met (None: not
    measured, e.g. a server timed out or was skipped)."""
    out = {}
    for query in size_result["queries"]:
        def metric(server, phase, key, query=query):
            return _metric(size_result, server, query, phase, key)

        throughput = _ratio(metric(OURS, "throughput", "per_second"),
                            metric(RDFLIB, "throughput", "per_second"))
        median = _ratio(metric(OURS, "latency", "median_ms"),
                        metric(OXIGRAPH, "latency", "median_ms"))
        repeat = _ratio(metric(OURS, "repeat", "median_ms"),
                        metric(OXIGRAPH, "repeat", "median_ms"))
        out[query] = {
            "throughput_vs_rdflib": _verdict(throughput, throughput is not None
                                             and throughput >= THROUGHPUT_VS_RDFLIB),
            "median_vs_oxigraph": _verdict(median, median is not None
                                           and median <= MEDIAN_VS_OXIGRAPH),
            "repeat_vs_oxigraph": _verdict(repeat, repeat is not None and repeat < 1.0),
        }
    return out


def _verdict(ratio: float | None, met: bool) -> dict:
    return {"ratio": ratio, "met": None if ratio is None else met}


def disagreement(form: str, answers: dict[str, int | frozenset]) -> str | None:
    """Why the servers' answers to one query differ, or None if they agree.

    A DESCRIBE answer is up to the service (https://www.w3.org/TR/sparql11-query/#describe):
    ours adds the labels of linked resources and the statements' provenance, so it must
    contain the baselines' description, and the baselines must agree with each other.
    """
    sizes = ", ".join(f"{name} {len(a) if isinstance(a, frozenset) else a}"
                      for name, a in answers.items())
    if form == "DESCRIBE":
        baselines = [a for name, a in answers.items() if name != OURS]
        if len(set(baselines)) > 1:
            return f"the baselines describe differently ({sizes})"
        if OURS in answers and baselines and not answers[OURS] >= baselines[0]:
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
    lines += ["", f"| query | req/s vs rdflib-endpoint (≥ {THROUGHPUT_VS_RDFLIB:g}×) "
              f"| median vs Oxigraph (≤ {MEDIAN_VS_OXIGRAPH:g}×) "
              "| repeat vs Oxigraph (< 1×) |", "| --- | ---: | ---: | ---: |"]
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
