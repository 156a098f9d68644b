"""`audit`: the scaling readiness report — a grade per layer and overall, from evidence."""

from typing import Literal

from pydantic import BaseModel, Field

from oc_scale_mcp.commands.spec import CommandSpec, Hints, Progress
from oc_scale_mcp.core.checkpoint import CheckpointStore
from oc_scale_mcp.core.models import CommandParams, CommandResult, Finding, Layer
from oc_scale_mcp.core.project import Project

LAYER_NAMES = {
    Layer.DATABASE: "Database",
    Layer.API: "API",
    Layer.FRONTEND: "Frontend",
    Layer.INFRASTRUCTURE: "Infrastructure",
    Layer.ARCHITECTURE: "Architecture",
}


class AuditParams(CommandParams):
    ticket: str | None = Field(
        None,
        description="PM ticket to post to (Linear id, Jira key, GitHub owner/repo#n); "
        "default: the checkpoint's pm_refs source. Needs .opchain/pm.yaml.",
    )
    current_dau: int | None = Field(
        None, ge=1, description="Daily active users today (default: from the last `plan`, else 100)."
    )
    target_users: int | None = Field(None, ge=1, description="Users to plan the scaling path for (default 10× today).")
    workers_plan: Literal["free", "paid"] = Field("free", description="The Cloudflare Workers plan the app runs on.")
    dist_dir: str | None = Field(None, description="Built front end inside the project (default: dist/).")
    base_url: str | None = Field(None, description="Where the app runs, to time its GET endpoints (a short benchmark).")
    allow_private_targets: bool = Field(False, description="Hosted server only: allow a private/loopback base_url.")


class LayerScore(BaseModel):
    layer: str
    grade: str = Field(description="A–F, or — when the layer could not be checked.")
    points: int
    bottleneck: str
    findings: int
    note: str = ""


class BottleneckOut(BaseModel):
    rank: int
    component: str
    severity: str
    summary: str
    fix: str
    breaks_at_users: int | None
    headroom: float | None
    basis: str
    evidence: list[str]


class AuditResult(CommandResult):
    grade: str
    readiness: Literal["READY", "WATCH", "RED"] = Field(description="For the PM summary: A/B READY, C WATCH, D/F RED.")
    can_handle: str
    layers: list[LayerScore]
    bottlenecks: list[BottleneckOut]
    findings: list[Finding]
    scaling_path: list[dict]
    not_checked: dict[str, str]


def _current_users(project: Project, given: int | None) -> int:
    if given:
        return given
    plan = CheckpointStore(project).skill_state().get("plan") or {}
    return int(plan.get("current_dau") or 100)


def bottleneck_models(bottlenecks) -> list[BottleneckOut]:
    return [
        BottleneckOut(
            rank=i,
            component=b.component,
            severity=b.severity.value,
            summary=b.summary,
            fix=b.fix,
            breaks_at_users=b.breaks_at_users,
            headroom=None if b.headroom is None else round(b.headroom, 2),
            basis=b.basis,
            evidence=b.evidence,
        )
        for i, b in enumerate(bottlenecks, 1)
    ]


async def run(params: AuditParams, progress: Progress) -> AuditResult:
    from oc_scale_mcp.analysis.grading import CAN_HANDLE, MEANING, grade_layer, overall_grade
    from oc_scale_mcp.commands.readiness import gather
    from oc_scale_mcp.planning.capacity import tier_rows

    project = Project.open(params.project_dir)
    users = _current_users(project, params.current_dau)
    target = params.target_users or users * 10
    evidence = await gather(
        project,
        current_users=users,
        workers_plan=params.workers_plan,
        fast=False,
        progress=progress,
        dist_dir=params.dist_dir,
        base_url=params.base_url,
        allow_private=params.allow_private_targets,
    )
    grades = [
        grade_layer(layer, [f for f in evidence.findings if f.layer == layer], evidence.checked.get(layer, False))
        for layer in LAYER_NAMES
    ]
    overall, why = overall_grade(grades)
    layers = []
    for g in grades:
        mine = [f for f in evidence.findings if f.layer == g.layer]
        worst = min(mine, key=lambda f: ["CRITICAL", "HIGH", "MEDIUM", "LOW"].index(f.severity.value), default=None)
        layers.append(
            LayerScore(
                layer=LAYER_NAMES[g.layer],
                grade=g.grade,
                points=g.points,
                findings=len(mine),
                bottleneck=(worst.title if worst else "none found")
                if g.checked
                else f"not checked: {evidence.not_checked.get(g.layer, '')}",
                note=g.capped,
            )
        )
    tiers = tier_rows(users, target, evidence.profile, None)
    path = [
        {"tier": t.name, "users": t.users, "plan": t.plan, "changes": list(t.changes), "usd_per_month": t.usd_per_month}
        for t in tiers
        if t.users <= max(target, users)
    ]
    top = bottleneck_models(evidence.bottlenecks[:5])
    readiness = "READY" if overall in ("A", "B") else "WATCH" if overall == "C" else "RED"
    result = AuditResult(
        grade=overall,
        readiness=readiness,
        can_handle=CAN_HANDLE.get(overall, "unknown"),
        layers=layers,
        bottlenecks=top,
        findings=evidence.findings,
        scaling_path=path,
        not_checked={LAYER_NAMES[k]: v for k, v in evidence.not_checked.items()},
        report="",
    )
    summary = f"{MEANING.get(overall, 'Not graded')} ({why})" if overall != "—" else why
    result.report = _report(project, evidence, result, summary, users, target)
    await progress(6, 6, "recording the audit")
    CheckpointStore(project).record_event(
        "audit",
        {
            "grade": overall,
            "readiness": readiness,
            "layers": {score.layer: score.grade for score in layers},
            "bottlenecks": [
                b.model_dump(include={"rank", "component", "severity", "breaks_at_users", "summary"}) for b in top
            ],
            "current_dau": users,
            "target_users": target,
            "basis": evidence.basis,
        },
        summary=f"Readiness {overall} ({readiness}): top bottleneck {top[0].component if top else 'none'}.",
        next_actions=[f"Fix #{b.rank}: {b.fix}" for b in top[:3]] or ["Re-run the audit after changes."],
        key_decisions=[f"Readiness grade {overall} on {evidence.basis}"],
    )
    from oc_scale_mcp.pm.hooks import after_audit

    result.pm = await after_audit(project, result, params.ticket)
    if result.pm.status not in ("not configured",):
        result.report += f"\n{result.pm.message}\n"
    return result


def _report(project: Project, evidence, result: AuditResult, summary: str, users: int, target: int) -> str:
    profile = evidence.profile
    lines = [
        f"# Scaling Readiness Report — {project.name}",
        "",
        "## Current Profile",
        f"- Users: ~{users:,} (daily active)",
        f"- Requests: ~{profile.requests_per_day(users):,.0f}/day (assumed {profile.requests_per_user_per_day:g} "
        f"per user; peak {profile.peak_rps(users):,.2f} req/s)",
        f"- Database: {len(evidence.tables)} tables ({', '.join(evidence.tables[:6])})"
        + (f"; heaviest query {evidence.heaviest_query}" if evidence.heaviest_query else ""),
        f"- Infrastructure: Workers {evidence.plan_name.title()} plan; "
        f"{', '.join(evidence.services) if evidence.services else 'no wrangler config found'}",
        f"- Routes: {len(evidence.routes)} ({', '.join(f'{r.method} {r.path}' for r in evidence.routes[:6])})",
        "",
        f"## Readiness Score: {result.grade}",
        f"{summary}. Can handle: {result.can_handle}.",
        "",
        "## Layer Scores",
        "| Layer | Score | Bottleneck |",
        "|---|---|---|",
    ]
    lines += [
        f"| {score.layer} | {score.grade} | {score.bottleneck}{' (' + score.note + ')' if score.note else ''} |"
        for score in result.layers
    ]
    lines += ["", "## Top 5 Bottlenecks (fix in order)"]
    if not result.bottlenecks:
        lines.append("None found.")
    for b in result.bottlenecks:
        lines.append(f"{b.rank}. **{b.component}** [{b.severity}] — {b.summary}. Fix: {b.fix} _(basis: {b.basis})_")
        lines += [f"   - {e}" for e in b.evidence[:3]]
    lines += [
        "",
        f"## Scaling Path: {users:,} → {target:,} users",
        "| Tier | Users | Plan | Changes | Monthly cost |",
        "|---|---|---|---|---|",
    ]
    lines += [
        f"| {p['tier']} | {p['users']:,} | {p['plan'].title()} | {'; '.join(p['changes'])} | "
        f"${p['usd_per_month']:,.2f} |"
        for p in result.scaling_path
    ]
    if result.not_checked:
        lines += ["", "## Not checked", *[f"- {k}: {v}" for k, v in result.not_checked.items()]]
    lines += ["", "## All findings", "| Severity | Layer | Finding | Evidence |", "|---|---|---|---|"]
    lines += [f"| {f.severity.value} | {f.layer.value} | {f.title} | {f.evidence[:160]} |" for f in result.findings]
    lines += ["", "Grading rubric: docs/grading.md. Basis for load numbers: " + evidence.basis + "."]
    return "\n".join(lines) + "\n"


SPEC = CommandSpec(
    name="audit",
    title="Scaling readiness audit",
    summary="Grade A–F per layer and overall from evidence; top 5 bottlenecks by headroom × impact; scaling path.",
    description=(
        "Start here for 'can this app handle more users?'. Reads the repository (migrations and SQL with real query "
        "plans, routes and code, wrangler config, built dist/) and whatever the checkpoint holds (budgets, load "
        "tests, sweeps), and returns the skill's Scaling Readiness Report: a grade per layer (database, API, "
        "frontend, infrastructure, architecture) and overall with what it can handle, every finding with evidence "
        "(file:line, URL or measured number), the top 5 bottlenecks ranked by headroom × impact (the load at which "
        "each breaks, measured when a load-test sweep exists), and the scaling path to target_users. A layer it "
        "cannot check is reported as not checked, never guessed. Optional base_url times the GET endpoints."
    ),
    params=AuditParams,
    result=AuditResult,
    run=run,
    hints=Hints(read_only=False, destructive=False, idempotent=True, open_world=False),
    checkpoint_event="audit",
)
