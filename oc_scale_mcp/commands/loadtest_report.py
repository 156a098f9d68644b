"""The skill's "Load Test Report" for a run: Configuration, Results (with Budget and Status), and
Observations written from the data — where latency spiked, which errors and when."""

from oc_scale_mcp.load.results import RunResult
from oc_scale_mcp.load.thresholds import ThresholdVerdict


def _ms(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value / 1000:.2f} s" if value >= 1000 else (f"{value:.0f} ms" if value >= 10 else f"{value:.2f} ms")


def _mark(verdict: ThresholdVerdict | None) -> str:
    return "—" if verdict is None else ("✅" if verdict.passed else "❌")


def _budget_text(verdict: ThresholdVerdict | None) -> str:
    if verdict is None:
        return "—"
    if verdict.unit == "fraction":
        return f"< {verdict.limit * 100:g}%"
    if verdict.unit == "req/s":
        return f"≥ {verdict.limit:,.0f}"
    return f"< {_ms(verdict.limit)}"


def _find(verdicts: list[ThresholdVerdict], metric: str) -> ThresholdVerdict | None:
    """The whole-run threshold on `metric`, for the Budget column of the results table."""
    return next((v for v in verdicts if v.window_s is None and v.metric == metric), None)


def observations(run: RunResult) -> list[str]:
    """Sentences about what happened, each backed by a number from the run."""
    notes: list[str] = []
    series = [s for s in run.timeseries if s.rps > 0]
    if run.partial:
        notes.append(f"The run stopped early ({run.stop_reason}): these are partial results.")
    if run.client_saturated:
        notes.append(
            f"The load generator was the bottleneck (CPU {run.client_cpu_utilization:.0%} of a core per "
            "worker, or sends late with free connections): the server may handle more than measured."
        )
    if len(series) >= 3:
        full = series[:-1] if len(series) > 3 else series  # the last second is usually partial
        peak = max(full, key=lambda s: s.rps)
        notes.append(
            f"Peak throughput {peak.rps:,.0f} req/s at second {peak.second} "
            f"(mean {run.rps:,.0f} req/s over {run.duration_s:.1f} s)."
        )
        with_p99 = [s for s in full if s.p99_ms is not None]
        if with_p99:
            ordered = sorted(s.p99_ms for s in with_p99)
            median_p99 = ordered[len(ordered) // 2]
            spike = max(with_p99, key=lambda s: s.p99_ms)
            if spike.p99_ms > 2 * median_p99 and spike.p99_ms - median_p99 > 5:
                notes.append(
                    f"Latency spiked at second {spike.second}: p99 {_ms(spike.p99_ms)} against a median "
                    f"per-second p99 of {_ms(median_p99)}."
                )
            else:
                notes.append(f"Latency was steady: per-second p99 between {_ms(ordered[0])} and {_ms(ordered[-1])}.")
        half = len(full) // 2
        if half >= 2:
            first = sum(s.rps for s in full[:half]) / half
            second = sum(s.rps for s in full[half:]) / (len(full) - half)
            if first > 0 and second < 0.8 * first:
                notes.append(
                    f"Throughput fell from {first:,.0f} to {second:,.0f} req/s between the first and second "
                    "half of the run: the server degrades under sustained load."
                )
    failed = {k: v for k, v in run.errors.items() if v}
    if failed:
        kinds = ", ".join(f"{k.replace('_', ' ')} ×{v:,}" for k, v in sorted(failed.items(), key=lambda kv: -kv[1]))
        error_seconds = [s.second for s in run.timeseries if s.errors]
        when = (
            f" between seconds {error_seconds[0]} and {error_seconds[-1]}"
            if len(error_seconds) > 1
            else f" at second {error_seconds[0]}"
            if error_seconds
            else ""
        )
        notes.append(f"{sum(failed.values()):,} failed requests ({run.error_rate:.2%}): {kinds}{when}.")
    else:
        notes.append("No failed requests.")
    corrected = run.latency.p99_ms if run.latency else None
    service = run.service_time.p99_ms if run.service_time else None
    if run.model == "open" and corrected and service and corrected > 1.5 * service and corrected - service > 5:
        notes.append(
            f"Requests queued behind slow responses: p99 from the scheduled send is {_ms(corrected)} but only "
            f"{_ms(service)} from the actual send — a tool without coordinated-omission correction would report "
            "the smaller number."
        )
    if run.dropped_requests:
        notes.append(
            f"{run.dropped_requests:,} scheduled requests were never sent (no free connection before the "
            "end): raise `connections` or the server cannot sustain the rate."
        )
    if run.late_requests:
        notes.append(f"{run.late_requests:,} requests were sent more than 10 ms after their scheduled time.")
    return notes


def render(run: RunResult, verdicts: list[ThresholdVerdict], endpoint_label: str, tool: str) -> str:
    latency = run.latency
    rows = [
        ("Requests/sec", f"{run.rps:,.0f}", _find(verdicts, "rps")),
        ("p50 latency", _ms(latency.p50_ms if latency else None), _find(verdicts, "latency:p50")),
        ("p95 latency", _ms(latency.p95_ms if latency else None), _find(verdicts, "latency:p95")),
        ("p99 latency", _ms(latency.p99_ms if latency else None), _find(verdicts, "latency:p99")),
        ("Error rate", f"{run.error_rate:.2%}", _find(verdicts, "error_rate")),
    ]
    lines = [
        f"## Load Test Results — {endpoint_label}",
        "",
        "### Configuration",
        f"- Tool: {tool}",
        f"- Model: {_model_text(run)}",
        f"- Concurrency: {run.connections} connections",
        f"- Duration: {run.duration_s:.1f} s",
        f"- Target: {run.target}",
        "",
        "### Results",
        "| Metric | Value | Budget | Status |",
        "|---|---|---|---|",
    ]
    lines += [f"| {name} | {value} | {_budget_text(v)} | {_mark(v)} |" for name, value, v in rows]
    lines.append(f"| Total requests | {run.requests:,} | — | — |")
    lines.append(f"| Timeouts | {run.timeouts:,} | 0 | {'✅' if run.timeouts == 0 else '⚠️'} |")
    if run.service_time and run.model == "open":
        lines.append(f"| p99 service time (from actual send) | {_ms(run.service_time.p99_ms)} | — | — |")
    if run.ttfb:
        lines.append(f"| p95 time to first byte | {_ms(run.ttfb.p95_ms)} | — | — |")
    others = [v for v in verdicts if v not in [r[2] for r in rows]]
    if others:
        lines += [
            "",
            "### Thresholds",
            *[
                f"- {_mark(v)} `{v.expression}`: measured {_fmt_measured(v)}{' (' + v.detail + ')' if v.detail else ''}"
                for v in others
            ],
        ]
    if len(run.endpoints) > 1:
        lines += [
            "",
            "### Per endpoint",
            "| Endpoint | Requests | Errors | p50 | p99 |",
            "|---|---|---|---|---|",
        ]
        lines += [
            f"| {e.name} | {e.requests:,} | {e.errors:,} | {_ms(e.latency.p50_ms if e.latency else None)} | "
            f"{_ms(e.latency.p99_ms if e.latency else None)} |"
            for e in run.endpoints
        ]
    lines += ["", "### Observations", *[f"- {note}" for note in observations(run)]]
    if run.notes:
        lines += [f"- Note: {note}" for note in run.notes]
    return "\n".join(lines) + "\n"


def _model_text(run: RunResult) -> str:
    if run.model == "open":
        return f"open, {run.rate or 0:,.0f} req/s scheduled" if run.rate else "open, staged rate"
    return "closed"


def _fmt_measured(verdict: ThresholdVerdict) -> str:
    if verdict.measured is None:
        return "no data"
    if verdict.unit == "fraction":
        return f"{verdict.measured:.2%}"
    if verdict.unit == "req/s":
        return f"{verdict.measured:,.0f} req/s"
    return _ms(verdict.measured)
