"""The evidence behind `audit` and `bottleneck`: findings per layer, what could not be checked, the
load profile read from the code, and the bottlenecks ranked by headroom × impact. Orchestration only:
each judgement lives in analysis/ or planning/."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from oc_scale_mcp.core.checkpoint import CheckpointStore
from oc_scale_mcp.core.models import Finding, Layer
from oc_scale_mcp.core.project import Project

N_PLUS_ONE_ITEMS = 20  # items per list assumed when an N+1 loop multiplies queries


@dataclass(slots=True)
class Evidence:
    findings: list[Finding] = field(default_factory=list)
    checked: dict[Layer, bool] = field(default_factory=dict)
    not_checked: dict[Layer, str] = field(default_factory=dict)
    profile: Any = None
    limits: list = field(default_factory=list)
    bottlenecks: list = field(default_factory=list)
    basis: str = "static estimate"
    routes: list = field(default_factory=list)
    services: list[str] = field(default_factory=list)
    tables: list[str] = field(default_factory=list)
    heaviest_query: str = ""
    plan_name: str = "free"
    current_users: int = 100
    notes: list[str] = field(default_factory=list)
    sources: dict[str, str] = field(default_factory=dict)


Progress = Callable[[float, float | None, str | None], Awaitable[None]]


async def gather(
    project: Project,
    *,
    current_users: int,
    workers_plan: str,
    fast: bool,
    progress: Progress,
    dist_dir: str | None = None,
    base_url: str | None = None,
    allow_private: bool = False,
) -> Evidence:
    from oc_scale_mcp.analysis import kinds
    from oc_scale_mcp.analysis.code_scan import scan_code
    from oc_scale_mcp.analysis.wrangler import read_wrangler
    from oc_scale_mcp.commands.queries import QueriesParams
    from oc_scale_mcp.commands.queries import run as run_queries
    from oc_scale_mcp.commands.spec import no_progress

    evidence = Evidence(current_users=current_users, plan_name=workers_plan)
    root = project.root
    state = CheckpointStore(project).skill_state()

    # Database -------------------------------------------------------------------------------------
    await progress(1, 6, "database: schema, queries and plans")
    db = await run_queries(QueriesParams(project_dir=str(root), time_indexes=not fast), no_progress)
    evidence.tables = db.tables
    has_sql = bool(db.migrations or db.queries_found)
    evidence.checked[Layer.DATABASE] = has_sql
    if not has_sql:
        evidence.not_checked[Layer.DATABASE] = "no migrations and no SQL found in the code"
    evidence.findings += db.findings
    evidence.findings += _foreign_keys_without_index(root, kinds)
    slowest = max(db.indexes, key=lambda i: i.before_ms or 0, default=None)
    evidence.heaviest_query = (
        f"{slowest.queries[0]} ({slowest.before_ms} ms on {slowest.rows_in_table:,} rows)"
        if slowest and slowest.before_ms
        else ""
    )

    # Infrastructure -------------------------------------------------------------------------------
    await progress(2, 6, "infrastructure: wrangler config and platform limits")
    config = read_wrangler(root)
    evidence.checked[Layer.INFRASTRUCTURE] = config is not None
    if config is None:
        evidence.not_checked[Layer.INFRASTRUCTURE] = "no wrangler.toml / wrangler.jsonc / wrangler.json"
    else:
        evidence.services = config.services
        if config.cpu_ms_limit is None:
            evidence.findings.append(kinds.finding("infra.no-cpu-limit", f"{config.path}: no [limits] cpu_ms"))
        if config.compatibility_date is not None:
            from datetime import date

            age = (date.today() - config.compatibility_date).days
            if age > 365:
                evidence.findings.append(
                    kinds.finding(
                        "infra.old-compatibility-date",
                        f"{config.path}: compatibility_date {config.compatibility_date} ({age} days)",
                    )
                )
        if len(config.d1) == 1:
            evidence.findings.append(
                kinds.finding(
                    "db.single-d1-database",
                    f"{config.path}: one D1 binding ({config.d1[0]}) serves every query and write",
                )
            )

    # API and architecture from the code ------------------------------------------------------------
    await progress(3, 6, "API and architecture: routes, state, caching")
    scan = scan_code(root, set(config.kv) if config else set(), {root / m for m in db.migrations})
    evidence.routes = scan.routes
    evidence.checked[Layer.API] = bool(scan.routes)
    evidence.checked[Layer.ARCHITECTURE] = scan.files > 0
    if not scan.routes:
        evidence.not_checked[Layer.API] = "no routes found (Hono/Express `app.get(…)`, FastAPI decorators)"
    if not scan.files:
        evidence.not_checked[Layer.ARCHITECTURE] = "no application source files"
    if scan.routes:
        if not scan.rate_limiting and not (config and config.rate_limit_bindings):
            evidence.findings.append(
                kinds.finding(
                    "api.no-rate-limiting",
                    f"{len(scan.routes)} routes, no rate-limit binding in wrangler and no limiter in the code",
                )
            )
        if not scan.cache_control_set:
            gets = [r for r in scan.routes if r.method == "GET"]
            evidence.findings.append(
                kinds.finding(
                    "api.no-cache-headers",
                    f"{len(gets)} GET routes ({', '.join(r.path for r in gets[:4])}…) never set Cache-Control",
                )
            )
        if db.queries_found and scan.kv_reads == 0:
            evidence.findings.append(kinds.finding("api.no-kv-cache", "no KV `.get()` anywhere: every read goes to D1"))
    for file, line, key in scan.kv_hot_keys:
        evidence.findings.append(
            kinds.finding("infra.kv-hot-key", f'{file}:{line}: `put("{key}")` in a request handler')
        )
    for file, line, name in scan.module_state:
        evidence.findings.append(
            kinds.finding(
                "arch.module-state", f"{file}:{line}: `{name}` is declared at module level and mutated in handlers"
            )
        )
    for file, line, target in scan.blocking_side_work:
        evidence.findings.append(
            kinds.finding("arch.work-to-queue", f"{file}:{line}: awaited fetch({target}) inside the request")
        )
    if base_url and scan.routes:
        evidence.findings += await _measure_api(project, base_url, scan.routes, allow_private, kinds)
    loadtest = state.get("loadtest") or {}
    if loadtest.get("passed") is False:
        failed = [t["expression"] for t in loadtest.get("thresholds", []) if not t.get("passed")]
        evidence.findings.append(
            kinds.finding(
                "api.loadtest-failed",
                f"load test of {loadtest.get('endpoint')} at {loadtest.get('recorded_at')}: failed {', '.join(failed)}",
            )
        )
        evidence.sources["API"] = "measured (recorded load test)"

    # Frontend --------------------------------------------------------------------------------------
    await progress(4, 6, "frontend: built assets")
    evidence.findings += _frontend(project, dist_dir, state, evidence)

    # Load profile, limits and ranking ---------------------------------------------------------------
    await progress(5, 6, "ranking bottlenecks by headroom × impact")
    evidence.profile = _profile_from_code(db, scan)
    measured_rps = _measured_capacity(state)
    if measured_rps:
        evidence.basis = "measured (USL fit of the recorded load-test sweep)"
    from oc_scale_mcp.analysis.ranking import rank
    from oc_scale_mcp.planning.limits import break_points

    evidence.limits = break_points(evidence.profile, workers_plan, measured_rps)
    for limit in evidence.limits:
        if (
            limit.id.startswith(("workers_free", "d1_free", "kv_free", "d1_database_size_free"))
            and limit.breaks_at_users <= 3 * current_users
        ):
            from oc_scale_mcp.core.models import Severity

            severity = Severity.CRITICAL if limit.breaks_at_users <= current_users else Severity.HIGH
            evidence.findings.append(
                kinds.finding(
                    "infra.free-plan-limit",
                    f"{limit.label}: breaks at ~{limit.breaks_at_users:,.0f} daily users ({limit.basis})",
                    severity=severity,
                    fix=limit.fix,
                )
            )
    evidence.bottlenecks = rank(evidence.findings, evidence.limits, current_users, evidence.basis)
    return evidence


def _foreign_keys_without_index(root, kinds) -> list[Finding]:
    from oc_scale_mcp.analysis.sql.schema import build_schema, find_migrations

    migrations = find_migrations(root)
    if not migrations:
        return []
    schema = build_schema(root, migrations)
    found = []
    for table in schema.tables.values():
        leading = {columns[0] for columns in table.indexes.values() if columns} | set(table.primary_key[:1])
        for column, parent, _ in table.foreign_keys:
            if column not in leading:
                found.append(
                    kinds.finding(
                        "db.fk-without-index",
                        f"{table.name}.{column} → {parent}: no index starts with {column}",
                        fix=f"CREATE INDEX idx_{table.name}_{column} ON {table.name}({column});",
                    )
                )
    return found


def _profile_from_code(db, scan):
    """The traffic profile with what the code shows: queries per request (N+1 loops multiplied), and the
    share of requests that write one hot KV key. Everything else keeps the profile's stated defaults."""
    from oc_scale_mcp.planning.traffic import TrafficProfile

    routes = max(1, len(scan.routes))
    queries = db.queries_found
    loops = sum(1 for f in db.findings if f.id == "sql.n-plus-one")
    per_request = (queries + loops * (N_PLUS_ONE_ITEMS - 1)) / routes if queries else 0.0
    return TrafficProfile(
        d1_queries_per_request=round(per_request, 2) if queries else 0,
        kv_hot_key_writes_per_request=round(len(scan.kv_hot_keys) / routes, 3),
    )


def _measured_capacity(state: dict) -> float | None:
    """The peak throughput of the USL fit of the recorded sweep, when there is a usable one."""
    from oc_scale_mcp.commands.loadtest import recorded_sweep
    from oc_scale_mcp.core.errors import InputError
    from oc_scale_mcp.planning.usl import fit_usl

    points = recorded_sweep(state)
    if len(points) < 3:
        return None
    try:
        fit = fit_usl([c for c, _ in points], [x for _, x in points])
    except InputError:
        return None
    return None if fit.max_throughput == float("inf") else fit.max_throughput


def _frontend(project: Project, dist_dir: str | None, state: dict, evidence: Evidence) -> list[Finding]:
    from oc_scale_mcp.analysis.budgets import resolve_budgets, stored_values
    from oc_scale_mcp.analysis.bundle import measure_dist
    from oc_scale_mcp.analysis.frontend import frontend_findings

    dist = project.resolve(dist_dir, what="dist_dir") if dist_dir else project.root / "dist"
    if not dist.is_dir():
        evidence.checked[Layer.FRONTEND] = False
        evidence.not_checked[Layer.FRONTEND] = f"no built front end ({dist.name}/); build it or pass dist_dir"
        return []
    evidence.checked[Layer.FRONTEND] = True
    budgets = resolve_budgets(None, stored_values(state))
    return frontend_findings(dist, measure_dist(dist), budgets["js_bundle_gzip_bytes"], budgets["page_weight_bytes"])


async def _measure_api(project: Project, base_url: str, routes, allow_private: bool, kinds) -> list[Finding]:
    from oc_scale_mcp.analysis.budgets import resolve_budgets
    from oc_scale_mcp.commands.benchmark import BenchmarkParams
    from oc_scale_mcp.commands.benchmark import run as run_benchmark
    from oc_scale_mcp.commands.spec import no_progress

    urls = [
        base_url.rstrip("/") + r.path for r in routes if r.method == "GET" and ":" not in r.path and "{" not in r.path
    ][:10]
    if not urls:
        return []
    result = await run_benchmark(
        BenchmarkParams(
            project_dir=str(project.root),
            urls=urls,
            requests=5,
            warmup=1,
            reuse_connection=True,
            allow_private_targets=allow_private,
        ),
        no_progress,
    )
    budgets = resolve_budgets(None)
    found = []
    for endpoint in result.endpoints:
        if endpoint.phases and endpoint.phases["total"].p95_ms >= budgets["api_p95_ms"]:
            found.append(
                kinds.finding(
                    "api.slow-endpoint",
                    f"{endpoint.url}: p95 {endpoint.phases['total'].p95_ms:.0f}"
                    f" ms (budget {budgets['api_p95_ms']:.0f} ms), measured",
                )
            )
        if endpoint.bytes_wire > 500 * 1024:
            found.append(kinds.finding("api.large-payload", f"{endpoint.url}: {endpoint.bytes_wire / 1024:.0f} KB"))
    return found
