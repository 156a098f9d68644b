"""From `loadtest` parameters to a measured run: build the plan, pick the engine, judge thresholds.

Thresholds are judged on the merged result; with `abort_on_fail` the builtin engine also judges them
every second (windowed ones once their window is full, whole-run ones after 5 s) and stops the run
when one has failed.
"""

import os
from typing import TYPE_CHECKING, Any

from oc_scale_mcp.core.errors import InputError
from oc_scale_mcp.load import histogram as hdr
from oc_scale_mcp.load.plan import LoadPlan, Stage
from oc_scale_mcp.load.results import RunResult
from oc_scale_mcp.load.runner import LiveRun, run_plan
from oc_scale_mcp.load.targets import parse_origin, template
from oc_scale_mcp.load.thresholds import Threshold, ThresholdVerdict, evaluate, holds, unit_of

if TYPE_CHECKING:
    from oc_scale_mcp.commands.loadtest import EndpointSpec, LoadtestParams, SweepStep

ABORT_MIN_ELAPSED_S = 5


def build_plan(
    params: "LoadtestParams",
    endpoints: list["EndpointSpec"],
    duration_s: float,
    connections: int | None = None,
) -> LoadPlan:
    origin, _ = parse_origin(endpoints[0].url)
    templates = []
    for endpoint in endpoints:
        _, target = parse_origin(endpoint.url)
        templates.append(
            template(origin, endpoint.method, target, endpoint.headers, endpoint.body.encode(), endpoint.weight)
        )
    stages = tuple(Stage(s.duration_s, float(s.rate if s.rate is not None else s.connections)) for s in params.stages)
    open_model = params.rate is not None or any(s.rate is not None for s in params.stages)
    pool = connections or params.connections
    if params.stages and not open_model:
        pool = max([pool, *(s.connections or 0 for s in params.stages)])
    return LoadPlan(
        host=origin.host,
        port=origin.port,
        tls=origin.tls,
        server_hostname=origin.host,
        insecure_tls=params.insecure_tls,
        requests=tuple(templates),
        model="open" if open_model else "closed",
        connections=pool,
        duration_s=duration_s,
        max_requests=params.requests,
        rate=params.rate,
        arrival=params.arrival,
        stages=stages,
        start_value=(params.rate or 0.0) if open_model else (float(params.connections) if not params.stages else 0.0),
        think_time_s=params.think_time_s,
        timeout_s=params.timeout_s,
    )


def judge(thresholds: list[Threshold], run: RunResult, live: LiveRun | None) -> list[ThresholdVerdict]:
    """Verdicts on a finished run (windows from the per-second histograms when the engine has them)."""
    histograms: dict[str, Any] = {}
    if run.histograms is not None:
        histograms = {
            "latency": hdr.decode(run.histograms.latency),
            "ttfb": hdr.decode(run.histograms.ttfb),
            "service": hdr.decode(run.histograms.service),
        }
    verdicts = []
    failures = sum(run.errors.values())
    for threshold in thresholds:
        source = threshold.metric.split(":")[0]
        if source in ("latency", "ttfb", "service") and source not in histograms:
            verdicts.append(_from_summary(threshold, run))
            continue
        if threshold.window_s is not None and live is None:
            verdicts.append(
                ThresholdVerdict(
                    expression=threshold.expression,
                    metric=threshold.metric,
                    passed=False,
                    measured=None,
                    limit=threshold.limit,
                    unit=unit_of(threshold),
                    window_s=threshold.window_s,
                    detail=f"{run.engine} gives no per-second data for windows",
                )
            )
            continue
        verdicts.append(
            evaluate(
                threshold,
                histograms=histograms,
                requests=run.requests,
                errors=failures,
                duration_s=run.duration_s,
                seconds=list(live.recent) if live else [],
            )
        )
    return verdicts


def _from_summary(threshold: Threshold, run: RunResult) -> ThresholdVerdict:
    """External engines: judge latency thresholds on the percentiles their output gives."""
    source, stat = threshold.metric.split(":")
    field = {
        "p50": "p50_ms",
        "p75": "p75_ms",
        "p90": "p90_ms",
        "p95": "p95_ms",
        "p99": "p99_ms",
        "p99.9": "p999_ms",
        "max": "max_ms",
        "mean": "mean_ms",
        "min": "min_ms",
    }.get(stat)
    summary = {"latency": run.latency, "service": run.service_time, "ttfb": run.ttfb}[source]
    measured = getattr(summary, field) if summary is not None and field else None
    passed = holds(threshold, measured)
    return ThresholdVerdict(
        expression=threshold.expression,
        metric=threshold.metric,
        passed=passed,
        measured=measured,
        limit=threshold.limit,
        unit="ms",
        window_s=threshold.window_s,
        detail="" if measured is not None else f"{run.engine} does not report {stat}",
    )


async def run_load(
    params: "LoadtestParams",
    endpoints: list["EndpointSpec"],
    thresholds: list[Threshold],
    duration_s: float,
    progress,
) -> tuple[RunResult, list[ThresholdVerdict]]:
    if params.engine == "builtin":
        plan = build_plan(params, endpoints, duration_s)
        on_second = _abort_check(thresholds) if params.abort_on_fail else None
        live_holder: dict[str, LiveRun] = {}

        def hook(live: LiveRun) -> bool:
            live_holder["live"] = live
            return bool(on_second and on_second(live))

        result = await run_plan(
            plan, params.workers or os.cpu_count() or 1, progress, hook, target_label=endpoints[0].url
        )
        return result, judge(thresholds, result, live_holder.get("live"))
    result = await _run_external(params, endpoints, duration_s, progress)
    return result, judge(thresholds, result, None)


async def _run_external(
    params: "LoadtestParams",
    endpoints: list["EndpointSpec"],
    duration_s: float,
    progress,
    connections: int | None = None,
) -> RunResult:
    from oc_scale_mcp.load import external

    if params.rate is not None or params.stages:
        raise InputError(
            f"engine={params.engine!r} runs a closed model only: drop `rate`/`stages` or use the builtin engine"
        )
    connections = connections or params.connections
    await progress(0, duration_s, f"running {params.engine}")
    if params.engine == "locust":
        from oc_scale_mcp.load.locust_engine import run_locust

        origin, _ = parse_origin(endpoints[0].url)
        specs = [
            {
                "method": e.method.upper(),
                "path": parse_origin(e.url)[1],
                "headers": e.headers,
                "body": e.body,
                "weight": e.weight,
                "name": f"{e.method.upper()} {parse_origin(e.url)[1]}",
            }
            for e in endpoints
        ]
        base = f"{origin.scheme}://{origin.host_header}"
        return await run_locust(base, specs, connections, duration_s, params.workers or 2, params.think_time_s)
    if len(endpoints) > 1:
        raise InputError(
            f"engine={params.engine!r} loads one endpoint: use the builtin engine or locust for weighted endpoints"
        )
    endpoint = endpoints[0]
    if params.engine == "wrk":
        return await external.run_wrk(
            endpoint.url,
            endpoint.method,
            endpoint.headers,
            endpoint.body,
            connections,
            duration_s,
            params.workers or os.cpu_count() or 1,
            params.timeout_s,
        )
    return await external.run_hey(
        endpoint.url,
        endpoint.method,
        endpoint.headers,
        endpoint.body,
        connections,
        duration_s,
        params.requests,
        params.timeout_s,
    )


def _abort_check(thresholds: list[Threshold]):
    def check(live: LiveRun) -> bool:
        seconds = list(live.recent)
        if not seconds:
            return False
        elapsed = seconds[-1][0] + 1
        merged = None
        for threshold in thresholds:
            if threshold.metric.split(":")[0] in ("ttfb", "service"):
                continue  # judged at the end only
            if threshold.window_s is not None:
                if elapsed < threshold.window_s:
                    continue
                window = seconds[-threshold.window_s :]
            else:
                if elapsed < ABORT_MIN_ELAPSED_S:
                    continue
                window = seconds
            if threshold.metric.startswith("latency") and threshold.window_s is None and merged is None:
                merged = hdr.merge([item[1] for item in seconds])
            completed = sum(item[2] for item in window)
            verdict = evaluate(
                threshold,
                histograms={"latency": merged if merged is not None else hdr.merge([item[1] for item in window])},
                requests=completed,
                errors=sum(item[3] for item in window),
                duration_s=float(len(window)),
                seconds=window,
            )
            if not verdict.passed and verdict.measured is not None:
                return True
        return False

    return check


async def run_sweep(params: "LoadtestParams", endpoints: list["EndpointSpec"], progress) -> list["SweepStep"]:
    from oc_scale_mcp.commands.loadtest import SweepStep

    steps: list[SweepStep] = []
    levels = sorted(set(params.sweep or []))
    for index, level in enumerate(levels):

        async def step_progress(done, total, message, index=index, level=level):
            await progress(index + (done / total if total else 0), len(levels), f"concurrency {level}: {message or ''}")

        if params.engine == "builtin":
            plan = build_plan(params, endpoints, params.step_duration_s, connections=level)
            if plan.model == "open":
                raise InputError("a sweep is closed-model: drop `rate` and `stages`")
            run = await run_plan(
                plan, params.workers or os.cpu_count() or 1, step_progress, target_label=endpoints[0].url
            )
        else:
            run = await _run_external(params, endpoints, params.step_duration_s, step_progress, connections=level)
        latency = run.latency
        steps.append(
            SweepStep(
                concurrency=level,
                throughput_rps=run.rps,
                p50_ms=latency.p50_ms if latency else None,
                p95_ms=latency.p95_ms if latency else None,
                p99_ms=latency.p99_ms if latency else None,
                error_rate=run.error_rate,
            )
        )
    return steps
