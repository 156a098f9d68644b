"""`loadtest`: real traffic against a URL, honest latency, thresholds, and concurrency sweeps."""

import os
from typing import Any, Literal

from pydantic import BaseModel, Field, model_validator

from oc_scale_mcp.analysis.budgets import stored_values
from oc_scale_mcp.commands.spec import CommandSpec, Hints, Progress
from oc_scale_mcp.core.checkpoint import CheckpointStore
from oc_scale_mcp.core.errors import InputError
from oc_scale_mcp.core.models import CommandParams, CommandResult
from oc_scale_mcp.core.project import Project
from oc_scale_mcp.load.results import RunResult
from oc_scale_mcp.load.thresholds import ThresholdVerdict

# Safety caps; a deployment may lower or raise them with these variables.
MAX_DURATION_S = float(os.environ.get("OC_SCALE_MAX_DURATION_S", "600"))
MAX_CONNECTIONS = int(os.environ.get("OC_SCALE_MAX_CONNECTIONS", "10000"))
MAX_RATE = float(os.environ.get("OC_SCALE_MAX_RATE", "200000"))


class EndpointSpec(BaseModel):
    url: str = Field(description="http(s) URL. Every endpoint of one run must share one origin.")
    method: str = Field("GET", description="HTTP method.")
    headers: dict[str, str] = Field(
        default_factory=dict, description="Request headers (values are redacted before anything is stored)."
    )
    body: str = Field("", description="Request body (sent with Content-Length).")
    weight: float = Field(1.0, gt=0, description="Relative share of requests for this endpoint.")


class StageSpec(BaseModel):
    duration_s: float = Field(gt=0, le=3600, description="Length of the stage in seconds.")
    rate: float | None = Field(None, ge=0, description="Open model: requests/s reached at the end of the stage.")
    connections: int | None = Field(None, ge=0, description="Closed model: connections reached at the end.")

    @model_validator(mode="after")
    def _one_target(self) -> "StageSpec":
        if (self.rate is None) == (self.connections is None):
            raise ValueError("a stage takes exactly one of `rate` or `connections`")
        return self


class LoadtestParams(CommandParams):
    ticket: str | None = Field(
        None,
        description="PM ticket to post to (Linear id, Jira key, GitHub owner/repo#n); "
        "default: the checkpoint's pm_refs source. Needs .opchain/pm.yaml.",
    )
    url: str | None = Field(None, description="The endpoint to load (or give `endpoints`).")
    method: str = Field("GET", description="Method for `url`.")
    headers: dict[str, str] = Field(
        default_factory=dict,
        description="Headers for `url` (e.g. Authorization; redacted before anything is stored).",
    )
    body: str = Field("", description="Body for `url`.")
    endpoints: list[EndpointSpec] = Field(
        default_factory=list,
        description='Several weighted endpoints of one origin, e.g. [{"url": "http://h/api/a", "weight": 3}, …].',
    )
    engine: Literal["builtin", "wrk", "hey", "locust"] = Field(
        "builtin",
        description="builtin (default: open and closed models, corrected latency, HDR histograms), "
        "wrk or hey (installed binaries, closed model), locust (master + workers, for load beyond one machine).",
    )
    connections: int = Field(
        50,
        ge=1,
        le=100_000,
        description="Closed model: concurrent connections. Open model: the most requests in flight at once.",
    )
    rate: float | None = Field(
        None,
        gt=0,
        description="Requests per second to schedule (open model). Without it "
        "the run is closed-model: each connection sends as fast as responses come back.",
    )
    arrival: Literal["constant", "poisson"] = Field(
        "constant", description="Open model: evenly spaced or Poisson arrivals."
    )
    stages: list[StageSpec] = Field(
        default_factory=list,
        description='Ramps: [{"duration_s": 30, "rate": '
        '500}, …] (open) or [{"duration_s": 30, "connections": 100}, …] (closed); '
        "each ramps linearly from the previous target.",
    )
    duration_s: float = Field(10.0, gt=0, le=3600, description="How long to send (s); ignored with stages.")
    requests: int | None = Field(None, ge=1, description="Stop after this many requests (with or before duration_s).")
    think_time_s: float = Field(0.0, ge=0, le=60, description="Closed model: pause after each response.")
    timeout_s: float = Field(10.0, gt=0, le=300, description="Per-request timeout (s).")
    workers: int | None = Field(None, ge=1, le=64, description="Generator processes (default: CPU cores).")
    thresholds: list[str] | None = Field(
        None,
        description="Pass/fail rules like `p95<500ms`, `error_rate<1%`, "
        "`rps>=1000`, `p99<800ms over 30s`. Default: from the budgets recorded "
        "by `budget` (p50, p95), plus p99<1000ms and error_rate<1%.",
    )
    abort_on_fail: bool = Field(False, description="Stop as soon as a threshold has failed (partial result).")
    sweep: list[int] | None = Field(
        None,
        description="Concurrency levels, e.g. [1,2,4,8,16,32]: one closed-model "
        "step per level; throughput per level feeds the USL fit in `plan`.",
    )
    step_duration_s: float = Field(5.0, gt=0, le=600, description="Length of each sweep step (s).")
    insecure_tls: bool = Field(False, description="Skip TLS certificate verification (self-signed staging).")
    allow_private_targets: bool = Field(False, description="Hosted server only: allow private/loopback targets.")


class SweepStep(BaseModel):
    concurrency: int
    throughput_rps: float
    p50_ms: float | None
    p95_ms: float | None
    p99_ms: float | None
    error_rate: float


class LoadtestResult(CommandResult):
    run: RunResult | None = Field(None, description="The load run (absent for a sweep).")
    sweep: list[SweepStep] = Field(default_factory=list)
    thresholds: list[ThresholdVerdict] = Field(default_factory=list)


def _endpoints(params: LoadtestParams) -> list[EndpointSpec]:
    endpoints = list(params.endpoints)
    if params.url:
        endpoints.insert(
            0, EndpointSpec(url=params.url, method=params.method, headers=params.headers, body=params.body)
        )
    if not endpoints:
        raise InputError("give `url` (or `endpoints`) to load test")
    return endpoints


def _check_caps(params: LoadtestParams) -> float:
    duration = sum(s.duration_s for s in params.stages) if params.stages else params.duration_s
    if params.sweep:
        duration = params.step_duration_s * len(params.sweep)
    if duration > MAX_DURATION_S:
        raise InputError(
            f"this run would last {duration:g} s; the cap is {MAX_DURATION_S:g} s (OC_SCALE_MAX_DURATION_S)"
        )
    peak_connections = max([params.connections, *(params.sweep or []), *(s.connections or 0 for s in params.stages)])
    if peak_connections > MAX_CONNECTIONS:
        raise InputError(
            f"{peak_connections} connections is above the cap of {MAX_CONNECTIONS} (OC_SCALE_MAX_CONNECTIONS)"
        )
    peak_rate = max([params.rate or 0, *(s.rate or 0 for s in params.stages)])
    if peak_rate > MAX_RATE:
        raise InputError(f"{peak_rate:g} req/s is above the cap of {MAX_RATE:g} (OC_SCALE_MAX_RATE)")
    if params.stages and len({s.rate is None for s in params.stages}) > 1:
        raise InputError("stages must all set `rate` (open model) or all set `connections` (closed model)")
    return duration


def recorded_sweep(skill_state: dict) -> list[tuple[float, float]]:
    """(concurrency, throughput req/s) of the last recorded sweep — the input of the USL fit."""
    sweep = (skill_state.get("loadtest") or {}).get("sweep") or []
    return [
        (float(s["concurrency"]), float(s["throughput_rps"]))
        for s in sweep
        if isinstance(s, dict) and s.get("concurrency") and s.get("throughput_rps") is not None
    ]


async def run(params: LoadtestParams, progress: Progress) -> LoadtestResult:
    from oc_scale_mcp.load import engines, thresholds
    from oc_scale_mcp.load.targets import check_target_allowed, parse_origin

    project = Project.open(params.project_dir)
    store = CheckpointStore(project)
    endpoints = _endpoints(params)
    origins = {parse_origin(e.url)[0] for e in endpoints}
    if len(origins) > 1:
        raise InputError(
            "all endpoints of one run must share one origin (scheme, host, port): run one loadtest per origin"
        )
    origin = origins.pop()
    check_target_allowed(origin, params.allow_private_targets)
    duration = _check_caps(params)
    expressions = (
        params.thresholds
        if params.thresholds is not None
        else thresholds.default_thresholds(stored_values(store.skill_state()))
    )
    parsed = thresholds.parse_thresholds(expressions)

    if params.sweep:
        steps = await engines.run_sweep(params, endpoints, progress)
        result = _sweep_result(params, endpoints, steps)
    else:
        run_result, verdicts = await engines.run_load(params, endpoints, parsed, duration, progress)
        result = _run_result(params, endpoints, run_result, verdicts)
    outcome = store.record_event(
        "loadtest",
        _record(params, endpoints, result),
        summary=_summary(result),
        next_actions=_next_actions(result),
    )
    if outcome.notes:
        result.report += "\n" + "\n".join(f"- Checkpoint: {n}" for n in outcome.notes) + "\n"
    from oc_scale_mcp.pm.hooks import after_loadtest

    result.pm = await after_loadtest(project, result, params.ticket)
    if result.pm.status not in ("not configured",):
        result.report += f"\n{result.pm.message}\n"
    return result


def _label(endpoints: list[EndpointSpec]) -> str:
    return endpoints[0].url if len(endpoints) == 1 else f"{len(endpoints)} endpoints on {endpoints[0].url}"


def _run_result(
    params: LoadtestParams, endpoints: list[EndpointSpec], run: RunResult, verdicts: list[ThresholdVerdict]
) -> LoadtestResult:
    from oc_scale_mcp.commands.loadtest_report import render

    tool = {
        "builtin": "oc-scale builtin engine (HTTP/1.1 keep-alive, HDR histograms"
        + (", coordinated-omission corrected)" if run.model == "open" else ")"),
        "wrk": "wrk",
        "hey": "hey",
        "locust": "Locust (master + workers)",
    }[run.engine]
    passed = all(v.passed for v in verdicts) if verdicts else None
    return LoadtestResult(
        run=run, thresholds=verdicts, passed=passed, report=render(run, verdicts, _label(endpoints), tool)
    )


def _sweep_result(params: LoadtestParams, endpoints: list[EndpointSpec], steps: list[SweepStep]) -> LoadtestResult:
    lines = [
        f"## Concurrency sweep — {_label(endpoints)}",
        "",
        f"Closed model, {params.step_duration_s:g} s per step, engine {params.engine}.",
        "",
        "| Concurrency | Throughput (req/s) | p50 | p95 | p99 | Error rate |",
        "|---|---|---|---|---|---|",
    ]
    for s in steps:
        lines.append(
            f"| {s.concurrency} | {s.throughput_rps:,.1f} | {_fmt(s.p50_ms)} | {_fmt(s.p95_ms)} | "
            f"{_fmt(s.p99_ms)} | {s.error_rate:.2%} |"
        )
    best = max(steps, key=lambda s: s.throughput_rps) if steps else None
    if best:
        lines += [
            "",
            f"Peak throughput {best.throughput_rps:,.1f} req/s at concurrency {best.concurrency}. "
            "`oc-scale plan` fits the Universal Scalability Law to these points.",
        ]
    return LoadtestResult(sweep=steps, report="\n".join(lines) + "\n")


def _fmt(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f} ms"


def _record(params: LoadtestParams, endpoints: list[EndpointSpec], result: LoadtestResult) -> dict[str, Any]:
    record: dict[str, Any] = {
        "endpoint": _label(endpoints),
        "endpoints": [{"url": e.url, "method": e.method, "weight": e.weight, "headers": e.headers} for e in endpoints],
        "engine": params.engine,
        "concurrency": params.connections,
        "rate": params.rate,
        "passed": result.passed,
    }
    if result.run is not None:
        run = result.run
        latency = run.latency
        record |= {
            "model": run.model,
            "duration_s": run.duration_s,
            "requests": run.requests,
            "rps": run.rps,
            "error_rate": run.error_rate,
            "errors": {k: v for k, v in run.errors.items() if v},
            "latency_ms": {}
            if latency is None
            else {k: getattr(latency, f"{k}_ms") for k in ("p50", "p95", "p99", "max")},
            "client_saturated": run.client_saturated,
            "partial": run.partial,
            "thresholds": [v.model_dump() for v in result.thresholds],
        }
    if result.sweep:
        record["sweep"] = [s.model_dump() for s in result.sweep]
    return record


def _summary(result: LoadtestResult) -> str:
    if result.run is None:
        best = max(result.sweep, key=lambda s: s.throughput_rps)
        return (
            f"Concurrency sweep over {len(result.sweep)} levels: peak {best.throughput_rps:,.0f} req/s at "
            f"{best.concurrency} connections."
        )
    run = result.run
    p95 = run.latency.p95_ms if run.latency else None
    verdict = {True: "all thresholds passed", False: "thresholds FAILED", None: "no thresholds"}[result.passed]
    return (
        f"Load test on {run.target}: {run.rps:,.0f} req/s, p95 {p95 if p95 is not None else '—'} ms, "
        f"errors {run.error_rate:.2%} ({verdict})."
    )


def _next_actions(result: LoadtestResult) -> list[str]:
    if result.run is None:
        return ["Fit the capacity model to the sweep: `oc-scale plan`."]
    if result.passed is False:
        return [
            "Find the constraint behind the failed thresholds (`oc-scale bottleneck`), fix it, re-run the load test."
        ]
    return ["Run a concurrency sweep (`sweep=[1,2,4,8,16,32,64]`) to feed the capacity plan."]


SPEC = CommandSpec(
    name="loadtest",
    title="Load test",
    summary="Send real HTTP load (open or closed model) and report honest latency, errors and thresholds.",
    description=(
        "Use to measure how an endpoint behaves under load before saying it can handle more users. Needs a URL "
        "(or several weighted endpoints of one origin). Closed model by default (`connections` as fast as "
        "responses allow); give `rate` for an open model whose latency is measured from each request's scheduled "
        "time, so server stalls are not hidden (coordinated omission). `stages` ramp rate or connections; "
        "`sweep` runs one step per concurrency level for the capacity plan. Returns requests/s, p50…p99.9, "
        "time to first byte, errors by class, a per-second series, threshold verdicts (k6-style, defaults from "
        "the recorded budgets) and the skill's Load Test Report; records it in the checkpoint. Sends traffic: "
        "bounded by duration, connection and rate caps. engine=wrk|hey|locust uses those tools instead."
    ),
    params=LoadtestParams,
    result=LoadtestResult,
    run=run,
    hints=Hints(read_only=False, destructive=False, idempotent=False, open_world=True),
    checkpoint_event="loadtest",
)
