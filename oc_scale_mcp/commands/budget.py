"""`budget`: set performance budgets, or audit what is measured against them."""

from pathlib import Path
from typing import Any, Literal

import orjson
from pydantic import BaseModel, Field

from oc_scale_mcp.analysis.budgets import (
    METRIC_BY_ID,
    METRICS,
    BudgetStatus,
    format_value,
    judge,
    resolve_budgets,
    stored_values,
)
from oc_scale_mcp.commands.spec import CommandSpec, Hints, Progress
from oc_scale_mcp.core.checkpoint import CheckpointStore
from oc_scale_mcp.core.errors import InputError
from oc_scale_mcp.core.models import CommandParams, CommandResult
from oc_scale_mcp.core.project import Project

BUDGET_KEYS = ", ".join(metric.id for metric in METRICS)


class BudgetParams(CommandParams):
    action: Literal["set", "audit"] = Field(
        "audit",
        description="set: store the budget table (defaults plus `budgets` overrides) in the checkpoint. "
        "audit: compare the stored budgets (or defaults) with what is measured.",
    )
    budgets: dict[str, float | str] | None = Field(
        None,
        description=f'Per-project overrides, metric -> value with unit, e.g. {{"lcp_ms": "2s", '
        f'"js_bundle_gzip_bytes": "120KB", "cls": 0.05}}. Metrics: {BUDGET_KEYS}. '
        "Short keys like `lcp` or `api_p95` work too.",
    )
    dist_dir: str | None = Field(
        None,
        description="Built front end inside the project (e.g. `dist`), for the JS bundle and page weight. "
        "Default: `dist` when it exists.",
    )
    entry_html: str = Field("index.html", description="Entry page inside dist_dir whose assets are initial.")
    lighthouse_report: str | None = Field(
        None,
        description="Path (inside the project) of a Lighthouse JSON report, for FCP/LCP/CLS/INP/TBT/TTFB.",
    )
    urls: list[str] = Field(
        default_factory=list, description="Page URLs to put in the emitted lighthouserc.json (collect.url)."
    )
    write_config: bool = Field(
        False,
        description="Also write lighthouserc.json, bundlesize.config.json and .size-limit.json into the project.",
    )


class BudgetRow(BaseModel):
    metric: str
    label: str
    unit: str
    budget: float
    measured: float | None
    status: BudgetStatus
    source: str | None = Field(None, description="Where the measurement came from.")


class EnforcementConfig(BaseModel):
    lighthouserc: dict[str, Any]
    bundlesize: dict[str, Any]
    size_limit: list[dict[str, Any]]
    written_files: list[str] = Field(default_factory=list)


class BudgetResult(CommandResult):
    action: str
    budgets: dict[str, float] = Field(description="Budget per metric, in the unit its name ends with.")
    rows: list[BudgetRow]
    notes: list[str] = Field(default_factory=list)
    enforcement: EnforcementConfig


def _latest_loadtest_latency(doc: dict[str, Any]) -> tuple[dict[str, float], str | None]:
    record = (doc.get("skill_state") or {}).get("loadtest") or {}
    latency = record.get("latency_ms") if isinstance(record, dict) else None
    if not isinstance(latency, dict):
        return {}, None
    found = {f"api_{q}_ms": float(latency[q]) for q in ("p50", "p95") if isinstance(latency.get(q), int | float)}
    return found, f"load test {record.get('recorded_at', '')} on {record.get('endpoint', '?')}"


async def run(params: BudgetParams, progress: Progress) -> BudgetResult:
    project = Project.open(params.project_dir)
    store = CheckpointStore(project)
    doc = store.read()
    base = {} if params.action == "set" and not doc else stored_values(doc.get("skill_state") or {})
    budgets = resolve_budgets(params.budgets, base)
    notes: list[str] = []
    measured: dict[str, tuple[float, str]] = {}
    entry_scripts: list[str] = []

    dist_path = _dist_dir(project, params.dist_dir)
    dist_prefix = dist_path.relative_to(project.root).as_posix() if dist_path else "dist"
    if dist_path is not None:
        await progress(1, 3, f"measuring {dist_prefix}/")
        from oc_scale_mcp.analysis.bundle import measure_dist

        bundle = measure_dist(dist_path, params.entry_html)
        notes += bundle.notes
        entry_scripts = [asset.path for asset in bundle.initial_js]
        if bundle.initial_js:
            measured["js_bundle_gzip_bytes"] = (
                float(bundle.js_gzip_bytes),
                f"{dist_prefix}/: {len(bundle.initial_js)} initial script(s), brotli "
                f"{bundle.js_brotli_bytes / 1024:.1f} KB",
            )
        measured["page_weight_bytes"] = (
            float(bundle.page_weight_bytes),
            f"{dist_prefix}/{bundle.entry or '*.js'}: {len(bundle.page_assets)} file(s)",
        )
    if params.lighthouse_report:
        await progress(2, 3, "reading the Lighthouse report")
        from oc_scale_mcp.analysis.lighthouse import read_lighthouse_report

        path = project.resolve(params.lighthouse_report, what="lighthouse_report")
        try:
            lhr = read_lighthouse_report(orjson.loads(path.read_bytes()))
        except orjson.JSONDecodeError as exc:
            raise InputError(f"lighthouse_report {params.lighthouse_report!r} is not valid JSON: {exc.msg}") from exc
        for metric_id, value in lhr.values.items():
            measured[metric_id] = (
                value,
                f"Lighthouse {lhr.lighthouse_version or ''} {lhr.url or ''}".strip(),
            )
    latency, source = _latest_loadtest_latency(doc)
    for metric_id, value in latency.items():
        measured[metric_id] = (value, source or "load test")

    rows = []
    for metric in METRICS:
        value, origin = measured.get(metric.id, (None, None))
        rows.append(
            BudgetRow(
                metric=metric.id,
                label=metric.label,
                unit=metric.unit,
                budget=budgets[metric.id],
                measured=value,
                status=judge(value, budgets[metric.id]),
                source=origin,
            )
        )
    enforcement = _enforcement(budgets, params.urls, entry_scripts, dist_prefix)
    if params.write_config:
        enforcement.written_files = _write_configs(project, enforcement)

    generated = enforcement.written_files
    if params.action == "set":
        await progress(3, 3, "recording budgets")
        outcome = store.record_event(
            "budgets",
            {
                "values": budgets,
                "enforcement": {
                    "lighthouserc": enforcement.lighthouserc,
                    "bundlesize": enforcement.bundlesize,
                    "written_files": generated,
                },
            },
            summary="Performance budgets set: "
            + ", ".join(
                f"{METRIC_BY_ID[m].label.split(' (')[0]} < {format_value(METRIC_BY_ID[m], v)}"
                for m, v in budgets.items()
                if m in ("ttfb_ms", "lcp_ms", "api_p95_ms", "js_bundle_gzip_bytes")
            )
            + ".",
            next_actions=[
                "Run `oc-scale budget --action audit` after each build to check the budgets.",
                "Put the emitted lighthouserc.json and bundlesize config in CI so PRs over budget fail.",
            ],
            key_decisions=[f"Budgets: {', '.join(f'{m}={v:g}' for m, v in budgets.items())}"],
            generated_files=generated,
        )
        notes += outcome.notes
    failed = [row for row in rows if row.status is BudgetStatus.FAIL]
    judged = [row for row in rows if row.status is not BudgetStatus.NOT_MEASURED]
    passed = None if params.action == "set" or not judged else not failed
    return BudgetResult(
        action=params.action,
        budgets=budgets,
        rows=rows,
        notes=notes,
        enforcement=enforcement,
        passed=passed,
        report=_report(project, params.action, rows, notes, enforcement),
    )


def _dist_dir(project: Project, dist_dir: str | None) -> Path | None:
    if dist_dir:
        path = project.resolve(dist_dir, what="dist_dir")
        if not path.is_dir():
            raise InputError(f"dist_dir {dist_dir!r} is not a directory")
        return path
    default = project.root / "dist"
    return default if default.is_dir() else None


def _enforcement(budgets: dict[str, float], urls: list[str], scripts: list[str], prefix: str) -> EnforcementConfig:
    from oc_scale_mcp.analysis.enforcement import bundlesize_config, lighthouserc, size_limit_config

    bundle = budgets["js_bundle_gzip_bytes"]
    return EnforcementConfig(
        lighthouserc=lighthouserc(budgets, urls or ["http://localhost:8787/"]),
        bundlesize=bundlesize_config(bundle, scripts, prefix),
        size_limit=size_limit_config(bundle, scripts, prefix),
    )


def _write_configs(project: Project, config: EnforcementConfig) -> list[str]:
    from oc_scale_mcp.core.checkpoint.store import atomic_write

    files = {
        "lighthouserc.json": config.lighthouserc,
        "bundlesize.config.json": config.bundlesize,
        ".size-limit.json": config.size_limit,
    }
    for name, content in files.items():
        atomic_write(project.root / name, orjson.dumps(content, option=orjson.OPT_INDENT_2) + b"\n")
    return list(files)


_STATUS_MARK = {
    BudgetStatus.PASS: "✅ pass",
    BudgetStatus.WARN: "⚠️ warn",
    BudgetStatus.FAIL: "❌ fail",
    BudgetStatus.NOT_MEASURED: "— not measured",
}


def _report(
    project: Project, action: str, rows: list[BudgetRow], notes: list[str], enforcement: EnforcementConfig
) -> str:
    title = "Performance budgets set" if action == "set" else "Performance budget audit"
    lines = [
        f"# {title} — {project.name}",
        "",
        "| Metric | Budget | Measured | Status |",
        "|---|---|---|---|",
    ]
    for row in rows:
        metric = METRIC_BY_ID[row.metric]
        lines.append(
            f"| {row.label} | < {format_value(metric, row.budget)} | {format_value(metric, row.measured)} "
            f"| {_STATUS_MARK[row.status]} |"
        )
    sources = [f"- {row.label}: {row.source}" for row in rows if row.source]
    if sources:
        lines += ["", "## Where the measurements come from", *sources]
    unmeasured = [row.label for row in rows if row.status is BudgetStatus.NOT_MEASURED]
    if unmeasured:
        lines += [
            "",
            "## Not measured",
            "Give `dist_dir` (bundle, page weight), `lighthouse_report` (paint metrics, "
            "TTFB) or run `loadtest` (API latency) to measure: " + ", ".join(unmeasured) + ".",
        ]
    if notes:
        lines += ["", "## Notes", *[f"- {note}" for note in notes]]
    lines += [
        "",
        "## Enforcement in CI",
        "`lighthouserc.json` (run with `npx lhci autorun`):",
        "```json",
        orjson.dumps(enforcement.lighthouserc, option=orjson.OPT_INDENT_2).decode(),
        "```",
        "`bundlesize.config.json` (run with `npx bundlesize`):",
        "```json",
        orjson.dumps(enforcement.bundlesize, option=orjson.OPT_INDENT_2).decode(),
        "```",
    ]
    if enforcement.written_files:
        lines.append("Written: " + ", ".join(f"`{name}`" for name in enforcement.written_files))
    return "\n".join(lines) + "\n"


SPEC = CommandSpec(
    name="budget",
    title="Performance budgets",
    summary="Set performance budgets or audit measurements against them; emits Lighthouse CI and bundle-size configs.",
    description=(
        "Use to define the project's performance budgets (action=set: the skill's defaults — TTFB 200 ms, "
        "FCP 1.5 s, LCP 2.5 s, CLS 0.1, INP 200 ms, API p50 100 ms / p95 500 ms, JS 150 KB gzip, "
        "page 500 KB, DB query p95 50 ms — plus your overrides, stored in the checkpoint) or to check "
        "them (action=audit): "
        "bundle and page weight measured from a built dist_dir (gzip and brotli), paint metrics from a "
        "Lighthouse JSON report, API latency from the latest recorded load test. Returns the table "
        "Metric | Budget | Measured | Status (pass/warn/fail/not measured) and the lighthouserc.json and "
        "bundle-size configs that enforce the same budgets in CI. Reads only files inside project_dir."
    ),
    params=BudgetParams,
    result=BudgetResult,
    run=run,
    hints=Hints(read_only=False, destructive=False, idempotent=True, open_world=False),
    checkpoint_event="budgets",
)
