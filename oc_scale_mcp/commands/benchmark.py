"""`benchmark`: time endpoints one request at a time, phase by phase, and compare them."""

import statistics
from typing import Literal

from pydantic import BaseModel, Field

from oc_scale_mcp.analysis.budgets import resolve_budgets, stored_values
from oc_scale_mcp.commands.spec import CommandSpec, Hints, Progress
from oc_scale_mcp.core.checkpoint import CheckpointStore
from oc_scale_mcp.core.errors import InputError
from oc_scale_mcp.core.models import CommandParams, CommandResult
from oc_scale_mcp.core.project import Project

PHASES = ("dns", "connect", "tls", "send", "wait", "ttfb", "download", "total")


class BenchmarkParams(CommandParams):
    urls: list[str] = Field(description="Endpoints to time (http/https), e.g. the API's GET routes.", min_length=1)
    method: str = Field("GET", description="HTTP method for every URL.")
    headers: dict[str, str] = Field(default_factory=dict, description="Request headers (redacted when stored).")
    body: str = Field("", description="Request body.")
    requests: int = Field(20, ge=1, le=1000, description="Timed requests per endpoint, sent one after another.")
    warmup: int = Field(2, ge=0, le=100, description="Untimed requests first (caches, JIT, connection pools).")
    reuse_connection: bool = Field(
        False,
        description="Keep one connection per endpoint (steady-state latency). "
        "Default: a new connection per request, like curl, so DNS/connect/TLS count.",
    )
    timeout_s: float = Field(10.0, gt=0, le=120, description="Per-request timeout (s).")
    http2: bool = Field(False, description="Offer HTTP/2 (needs the `h2` package).")
    insecure_tls: bool = Field(False, description="Skip TLS certificate verification.")
    allow_private_targets: bool = Field(False, description="Hosted server only: allow private/loopback targets.")


class PhaseStats(BaseModel):
    p50_ms: float
    p95_ms: float
    max_ms: float


class EndpointBenchmark(BaseModel):
    url: str
    requests: int
    errors: int
    error_samples: list[str] = Field(default_factory=list)
    status_counts: dict[str, int]
    phases: dict[str, PhaseStats] = Field(description="dns, connect, tls, send, wait, ttfb, download, total.")
    bytes_wire: int = Field(description="Body bytes as received (compressed).")
    bytes_raw: int = Field(description="Body bytes after decoding.")
    content_encoding: str
    http_version: str
    cache_headers: dict[str, str]
    budget_status: Literal["pass", "warn", "fail", "not measured"]


class BenchmarkResult(CommandResult):
    endpoints: list[EndpointBenchmark]
    budgets_ms: dict[str, float] = Field(description="The API budgets the endpoints were checked against.")


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))
    return round(ordered[index], 3)


async def run(params: BenchmarkParams, progress: Progress) -> BenchmarkResult:
    import httpx

    from oc_scale_mcp.analysis.budgets import judge
    from oc_scale_mcp.load.targets import check_target_allowed, parse_origin
    from oc_scale_mcp.load.timing import time_request

    project = Project.open(params.project_dir)
    for url in params.urls:
        origin, _ = parse_origin(url)
        check_target_allowed(origin, params.allow_private_targets)
    if params.http2:
        try:
            import h2  # noqa: F401
        except ImportError:
            raise InputError("http2=true needs the `h2` package: `pip install h2`") from None
    store = CheckpointStore(project)
    budgets = resolve_budgets(None, stored_values(store.skill_state()))
    results: list[EndpointBenchmark] = []
    total_steps = len(params.urls) * (params.requests + params.warmup)
    done_steps = 0
    for url in params.urls:
        timings = []
        limits = None if params.reuse_connection else httpx.Limits(max_keepalive_connections=0)
        async with httpx.AsyncClient(
            http2=params.http2, verify=not params.insecure_tls, limits=limits or httpx.Limits(), follow_redirects=False
        ) as client:
            for index in range(params.warmup + params.requests):
                timing = await time_request(
                    client, params.method.upper(), url, params.headers, params.body, params.timeout_s
                )
                if index >= params.warmup:
                    timings.append(timing)
                done_steps += 1
                if done_steps % 10 == 0 or done_steps == total_steps:
                    await progress(done_steps, total_steps, f"{url}: {index + 1} requests")
        results.append(_summarize(url, timings, budgets, judge))
    record = {
        "endpoints": [
            {
                "url": e.url,
                "p50_ms": e.phases["total"].p50_ms if e.phases else None,
                "p95_ms": e.phases["total"].p95_ms if e.phases else None,
                "errors": e.errors,
                "bytes_wire": e.bytes_wire,
            }
            for e in results
        ],
        "reuse_connection": params.reuse_connection,
        "headers": params.headers,
    }
    store.record_event(
        "benchmark",
        record,
        summary=f"Benchmarked {len(results)} endpoint(s): "
        + "; ".join(f"{e.url} p95 {e.phases['total'].p95_ms if e.phases else '—'} ms" for e in results[:3]),
        next_actions=["Load test the slowest endpoint (`oc-scale loadtest`)."],
    )
    failed = [e for e in results if e.budget_status == "fail" or e.errors]
    return BenchmarkResult(
        endpoints=results,
        budgets_ms={k: budgets[k] for k in ("api_p50_ms", "api_p95_ms", "ttfb_ms")},
        passed=not failed,
        report=_report(results, budgets, params),
    )


def _summarize(url: str, timings, budgets: dict[str, float], judge) -> EndpointBenchmark:
    ok = [t for t in timings if t.error is None]
    errors = [t.error for t in timings if t.error is not None]
    statuses: dict[str, int] = {}
    for t in ok:
        statuses[str(t.status)] = statuses.get(str(t.status), 0) + 1
    phases = {}
    if ok:
        for phase in PHASES:
            values = [getattr(t, f"{phase}_ms") for t in ok]
            phases[phase] = PhaseStats(
                p50_ms=_percentile(values, 50), p95_ms=_percentile(values, 95), max_ms=round(max(values), 3)
            )
    status = "not measured"
    if phases:
        verdicts = {
            judge(phases["total"].p50_ms, budgets["api_p50_ms"]),
            judge(phases["total"].p95_ms, budgets["api_p95_ms"]),
        }
        status = "fail" if "fail" in verdicts else "warn" if "warn" in verdicts else "pass"
    last = ok[-1] if ok else None
    return EndpointBenchmark(
        url=url,
        requests=len(timings),
        errors=len(errors),
        error_samples=sorted(set(errors))[:3],
        status_counts=statuses,
        phases=phases,
        bytes_wire=round(statistics.median([t.bytes_wire for t in ok])) if ok else 0,
        bytes_raw=round(statistics.median([t.bytes_raw for t in ok])) if ok else 0,
        content_encoding=last.content_encoding if last else "",
        http_version=last.http_version if last else "",
        cache_headers=last.cache_headers if last else {},
        budget_status=status,
    )


_MARK = {"pass": "✅", "warn": "⚠️", "fail": "❌", "not measured": "—"}


def _report(results: list[EndpointBenchmark], budgets: dict[str, float], params: BenchmarkParams) -> str:
    mode = "one kept-alive connection" if params.reuse_connection else "a new connection per request (like curl)"
    lines = [
        f"## Benchmark — {len(results)} endpoint(s)",
        "",
        f"{params.requests} sequential {params.method.upper()} requests per endpoint after {params.warmup} "
        f"warm-up, {mode}. Budgets: p50 < {budgets['api_p50_ms']:g} ms, p95 < {budgets['api_p95_ms']:g} ms.",
        "",
        "| Endpoint | Status | p50 | p95 | max | TTFB p50 | DNS | Connect | TLS | Wait p50 | Size wire/raw "
        "| Encoding | HTTP | Cache-Control | Budget |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for e in results:
        p = e.phases
        if not p:
            lines.append(f"| {e.url} | {e.errors} errors | — | — | — | — | — | — | — | — | — | — | — | — | — |")
            continue
        codes = ", ".join(f"{c}×{n}" for c, n in e.status_counts.items())
        lines.append(
            f"| {e.url} | {codes} | {p['total'].p50_ms:.1f} ms | {p['total'].p95_ms:.1f} ms "
            f"| {p['total'].max_ms:.1f} ms "
            f"| {p['ttfb'].p50_ms:.1f} ms | {p['dns'].p50_ms:.1f} ms | {p['connect'].p50_ms:.1f} ms "
            f"| {p['tls'].p50_ms:.1f} ms | {p['wait'].p50_ms:.1f} ms | {e.bytes_wire:,} / {e.bytes_raw:,} B "
            f"| {e.content_encoding or 'identity'} | {e.http_version} | {e.cache_headers.get('cache-control', '—')} "
            f"| {_MARK[e.budget_status]} |"
        )
    errors = [e for e in results if e.errors]
    if errors:
        lines += [
            "",
            "### Errors",
            *[f"- {e.url}: {e.errors} of {e.requests} failed ({'; '.join(e.error_samples)})" for e in errors],
        ]
    slowest = max((e for e in results if e.phases), key=lambda e: e.phases["total"].p95_ms, default=None)
    if slowest is not None:
        p = slowest.phases
        share = p["wait"].p50_ms / p["total"].p50_ms if p["total"].p50_ms else 0
        where = "the server (wait)" if share > 0.5 else "the network and connection set-up"
        lines += [
            "",
            f"Slowest: {slowest.url} (p95 {p['total'].p95_ms:.1f} ms); most of its time is in {where} "
            f"({share:.0%} waiting for the response).",
        ]
    return "\n".join(lines) + "\n"


SPEC = CommandSpec(
    name="benchmark",
    title="Benchmark endpoints",
    summary="Time endpoints one request at a time: DNS, connect, TLS, TTFB, total, size, caching headers.",
    description=(
        "Use to compare specific endpoints quickly, before or instead of a load test: for each URL, N sequential "
        "requests after a warm-up, timed phase by phase (DNS, TCP connect, TLS, request sent, server wait, TTFB, "
        "download, total) with p50/p95/max, plus the response size on the wire and decoded, content-encoding, "
        "HTTP version and cache headers. One comparison table, checked against the API latency budgets "
        "(p50/p95). A new connection per request by default (like curl); reuse_connection=true for steady state."
    ),
    params=BenchmarkParams,
    result=BenchmarkResult,
    run=run,
    hints=Hints(read_only=False, destructive=False, idempotent=True, open_world=True),
    checkpoint_event="benchmark",
)
