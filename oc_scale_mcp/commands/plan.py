"""`plan`: a capacity plan from current to target users, fitted to measurements when there are any."""

from datetime import timedelta

from pydantic import BaseModel, Field, model_validator

from oc_scale_mcp.commands.spec import CommandSpec, Hints, Progress
from oc_scale_mcp.core.checkpoint import CheckpointStore
from oc_scale_mcp.core.errors import InputError
from oc_scale_mcp.core.models import CommandParams, CommandResult
from oc_scale_mcp.core.project import Project
from oc_scale_mcp.core.timestamps import utc_now
from oc_scale_mcp.planning.traffic import TrafficProfile


class Measurement(BaseModel):
    concurrency: float = Field(gt=0, description="Concurrent clients (connections) during the step.")
    throughput: float = Field(ge=0, description="Completed requests per second at that concurrency.")


class PlanParams(CommandParams):
    ticket: str | None = Field(
        None,
        description="PM ticket to post to (Linear id, Jira key, GitHub owner/repo#n); "
        "default: the checkpoint's pm_refs source. Needs .opchain/pm.yaml.",
    )
    current_dau: int = Field(ge=1, description="Daily active users today.")
    target_users: int = Field(ge=1, description="Daily active users to plan for.")
    peak_concurrent_users: int | None = Field(
        None,
        ge=1,
        description="Concurrent users at today's peak, if known (reported against the fitted peak concurrency).",
    )
    monthly_growth: float = Field(0.10, ge=0, le=10, description="User growth per month (0.10 = 10 %).")
    profile: TrafficProfile = Field(
        default_factory=TrafficProfile, description="Per-user traffic profile; every default is stated in its field."
    )
    measurements: list[Measurement] | None = Field(
        None,
        description="Throughput at several concurrency levels "
        "for the USL fit. Default: the last `loadtest` sweep recorded.",
    )
    months: int = Field(12, ge=1, le=60, description="Length of the projection, in months.")
    review_days: int = Field(90, ge=1, le=365, description="Days until the next capacity review.")

    @model_validator(mode="after")
    def _target_above_zero(self) -> "PlanParams":
        return self


class UslResult(BaseModel):
    sigma: float
    kappa: float
    lambda_: float = Field(alias="lambda", serialization_alias="lambda")
    std_errors: dict[str, float | None]
    residual_standard_error: float | None
    points: int
    peak_concurrency: float | None
    peak_throughput_rps: float | None
    limit_throughput_rps: float | None
    latency_at_peak_ms: float | None
    warnings: list[str]
    source: str

    model_config = {"populate_by_name": True}


class LimitRow(BaseModel):
    limit: str
    breaks_at_users: float | None = Field(description="None: never at this profile.")
    headroom: float | None = Field(description="breaks_at_users / current_dau.")
    months_until: float | None
    fix: str
    basis: str
    source: str


class TierOut(BaseModel):
    tier: str
    users: int
    requests_per_day: float
    peak_rps: float
    db_mb: float
    plan: str
    changes_needed: list[str]
    usd_per_month: float


class MonthOut(BaseModel):
    month: int
    users: int
    requests_per_day: float
    peak_rps: float
    db_mb: float
    plan: str
    usd_per_month: float
    limits_crossed: list[str]


class PlanResult(CommandResult):
    usl: UslResult | None
    limits: list[LimitRow]
    binding_limit: str | None
    current_tier: str
    target_tier: str
    tiers: list[TierOut]
    checklist: list[str]
    projection: list[MonthOut]
    next_review_date: str


async def run(params: PlanParams, progress: Progress) -> PlanResult:
    from oc_scale_mcp.planning.capacity import projection, tier_name, tier_rows, users_after
    from oc_scale_mcp.planning.limits import break_points
    from oc_scale_mcp.planning.usl import fit_usl

    project = Project.open(params.project_dir)
    store = CheckpointStore(project)
    measurements, source = params.measurements, "given measurements"
    if measurements is None:
        from oc_scale_mcp.commands.loadtest import recorded_sweep

        measurements = [Measurement(concurrency=c, throughput=x) for c, x in recorded_sweep(store.skill_state())]
        source = "the recorded load-test sweep"
    usl = None
    measured_rps = None
    if measurements:
        await progress(1, 3, "fitting the Universal Scalability Law")
        if len(measurements) < 3:
            raise InputError(
                f"{source} has {len(measurements)} point(s); a USL fit needs at least 3 (run "
                "`loadtest` with sweep=[1,2,4,8,16,32])"
            )
        fit = fit_usl([m.concurrency for m in measurements], [m.throughput for m in measurements])
        measured_rps = fit.max_throughput if fit.max_throughput != float("inf") else None
        usl = UslResult(
            sigma=fit.sigma,
            kappa=fit.kappa,
            lambda_=fit.lambda_,
            std_errors=dict(
                zip(("sigma", "kappa", "lambda"), (None if e != e else e for e in fit.std_errors), strict=True)
            ),
            residual_standard_error=None
            if fit.residual_standard_error != fit.residual_standard_error
            else fit.residual_standard_error,
            points=fit.points,
            peak_concurrency=fit.peak_concurrency,
            peak_throughput_rps=fit.peak_throughput,
            limit_throughput_rps=fit.limit_throughput,
            latency_at_peak_ms=fit.latency(fit.peak_concurrency) * 1000 if fit.peak_concurrency else None,
            warnings=list(fit.warnings),
            source=source,
        )
    await progress(2, 3, "projecting growth")
    profile = params.profile
    current_plan = (
        "free"
        if not [b for b in break_points(profile, "free", measured_rps) if b.breaks_at_users <= params.current_dau]
        else "paid"
    )
    points = break_points(profile, "paid", measured_rps)
    if current_plan == "free":
        points = sorted(
            break_points(profile, "free", measured_rps)
            + [p for p in points if p.id not in {q.id for q in break_points(profile, "free", measured_rps)}],
            key=lambda b: b.breaks_at_users,
        )
    limits = [
        LimitRow(
            limit=b.label,
            breaks_at_users=None if b.breaks_at_users == float("inf") else round(b.breaks_at_users),
            headroom=None if b.breaks_at_users == float("inf") else round(b.breaks_at_users / params.current_dau, 2),
            months_until=(lambda m: None if m is None else round(m, 1))(
                users_after(params.current_dau, params.monthly_growth, b.breaks_at_users)
            ),
            fix=b.fix,
            basis=b.basis,
            source=b.source,
        )
        for b in points
    ]
    binding = next((row for row in limits if row.breaks_at_users is not None), None)
    tiers = tier_rows(params.current_dau, params.target_users, profile, measured_rps)
    months = projection(params.current_dau, params.monthly_growth, params.months, profile, measured_rps)
    review = (utc_now() + timedelta(days=params.review_days)).strftime("%Y-%m-%d")
    checklist = _checklist(params, tiers, profile)
    result = PlanResult(
        usl=usl,
        limits=limits,
        binding_limit=binding.limit if binding else None,
        current_tier=tier_name(params.current_dau),
        target_tier=tier_name(params.target_users),
        tiers=[
            TierOut(
                tier=t.name,
                users=t.users,
                requests_per_day=round(t.requests_per_day),
                peak_rps=round(t.peak_rps, 2),
                db_mb=round(t.db_mb, 1),
                plan=t.plan,
                changes_needed=list(t.changes),
                usd_per_month=t.usd_per_month,
            )
            for t in tiers
        ],
        checklist=checklist,
        projection=[
            MonthOut(
                month=m.month,
                users=m.users,
                requests_per_day=round(m.requests_per_day),
                peak_rps=round(m.peak_rps, 2),
                db_mb=round(m.db_mb, 1),
                plan=m.plan,
                usd_per_month=m.usd_per_month,
                limits_crossed=list(m.crossed),
            )
            for m in months
        ],
        next_review_date=review,
        report="",
    )
    result.report = _report(params, result)
    await progress(3, 3, "recording the plan")
    store.record_event(
        "plan",
        {
            "current_tier": result.current_tier,
            "target_tier": result.target_tier,
            "current_dau": params.current_dau,
            "target_users": params.target_users,
            "upgrade_path": [{"tier": t.tier, "users": t.users, "changes": t.changes_needed} for t in result.tiers],
            "binding_limit": result.binding_limit,
            "next_review_date": review,
            "usl": usl.model_dump(by_alias=True) if usl else None,
        },
        summary=f"Capacity plan {params.current_dau:,} → {params.target_users:,} users: first limit "
        f"{result.binding_limit or 'none in range'}; next review {review}.",
        next_actions=checklist[:3] or [f"Review capacity on {review}."],
    )
    from oc_scale_mcp.pm.hooks import after_plan

    result.pm = await after_plan(project, result, params.ticket)
    if result.pm.status not in ("not configured",):
        result.report += f"\n{result.pm.message}\n"
    return result


def _checklist(params: PlanParams, tiers, profile: TrafficProfile) -> list[str]:
    current = tiers[0]
    following = next((t for t in tiers[1:] if t.users > current.users), None)
    if following is None:
        return []
    items = [change for change in following.changes if change != "None" and change not in current.changes]
    if profile.cache_hit_ratio < 0.5:
        items.append("Cache the read path (KV or Workers Caching) for public lists and aggregations.")
    delta = following.usd_per_month - current.usd_per_month
    if delta > 0:
        items.append(
            f"Approve the cost increase: ${current.usd_per_month:,.2f} → ${following.usd_per_month:,.2f} per month."
        )
    items.append(
        f"Load test at the {following.name.lower()} tier's peak: `oc-scale loadtest --rate "
        f"{max(1, round(following.peak_rps * 1.5))}` (1.5× its {following.peak_rps:,.1f} req/s peak)."
    )
    return items


def _report(params: PlanParams, result: PlanResult) -> str:
    profile = params.profile
    now = result.tiers[0]
    lines = [
        f"## Capacity Plan: {params.current_dau:,} → {params.target_users:,} users",
        "",
        "### Current State",
        f"- DAU: {params.current_dau:,}",
        f"- Peak concurrent: {params.peak_concurrent_users:,}"
        if params.peak_concurrent_users
        else "- Peak concurrent: not given",
        f"- Requests/day: {now.requests_per_day:,.0f} (peak {now.peak_rps:,.2f} req/s at a peak-to-average "
        f"factor of {profile.peak_to_average:g})",
        f"- DB size: {now.db_mb:,.1f} MB",
        f"- Monthly cost: ${now.usd_per_month:,.2f} (Workers {now.plan.title()})",
        "",
    ]
    if result.usl:
        u = result.usl
        errors = u.std_errors
        lines += [
            "### Measured scalability (Universal Scalability Law)",
            f"Fitted to {u.points} points from {u.source}: σ = {u.sigma:.5g} (± {errors['sigma'] or 0:.2g}), "
            f"κ = {u.kappa:.5g} (± {errors['kappa'] or 0:.2g}), λ = {u.lambda_:.5g} req/s per client "
            f"(± {errors['lambda'] or 0:.2g}).",
            f"- Peak: {u.peak_throughput_rps:,.1f} req/s at {u.peak_concurrency:,.1f} concurrent requests"
            f" (mean latency there {u.latency_at_peak_ms:,.1f} ms)"
            if u.peak_concurrency
            else "- No peak (κ = 0): throughput approaches the ceiling below",
            f"- Ceiling λ/σ: {u.limit_throughput_rps:,.1f} req/s" if u.limit_throughput_rps else "- No ceiling (σ = 0)",
        ]
        lines += [f"- Warning: {w}" for w in u.warnings] + [""]
    lines += [
        "### Which limit binds first",
        f"| Limit | Breaks at (users) | Headroom | When (at {params.monthly_growth:.0%}/month) | Fix |",
        "|---|---|---|---|---|",
    ]
    for row in result.limits[:8]:
        at = "never" if row.breaks_at_users is None else f"{row.breaks_at_users:,.0f}"
        head = "—" if row.headroom is None else f"{row.headroom:,.1f}×"
        when = (
            "—"
            if row.months_until is None
            else "now"
            if row.months_until == 0
            else f"in {row.months_until:,.1f} months"
        )
        lines.append(f"| {row.limit} | {at} | {head} | {when} | {row.fix} |")
    lines += [
        "",
        "### Growth Tiers",
        "| Tier | Users | Requests/day | DB Size | Changes Needed | Monthly Cost |",
        "|---|---|---|---|---|---|",
    ]
    lines += [
        f"| {t.tier} | {t.users:,} | {t.requests_per_day:,.0f} | {t.db_mb:,.0f} MB | {'; '.join(t.changes_needed)} "
        f"| ${t.usd_per_month:,.2f} |"
        for t in result.tiers
    ]
    if result.checklist:
        nxt = next((t for t in result.tiers[1:] if t.users > result.tiers[0].users), None)
        lines += [
            "",
            f"### Tier Transition Checklist ({result.tiers[0].tier} → {nxt.tier if nxt else ''})",
            *[f"{i}. [ ] {item}" for i, item in enumerate(result.checklist, 1)],
        ]
    lines += [
        "",
        f"### {params.months}-month projection ({params.monthly_growth:.0%} growth/month)",
        "| Month | Users | Requests/day | Peak req/s | DB | Plan | $/month | Limits crossed |",
        "|---|---|---|---|---|---|---|---|",
    ]
    lines += [
        f"| {m.month} | {m.users:,} | {m.requests_per_day:,.0f} | {m.peak_rps:,.2f} | {m.db_mb:,.0f} MB | "
        f"{m.plan.title()} | ${m.usd_per_month:,.2f} | {'; '.join(m.limits_crossed) or '—'} |"
        for m in result.projection
    ]
    lines += ["", f"Next capacity review: {result.next_review_date}."]
    return "\n".join(lines) + "\n"


SPEC = CommandSpec(
    name="plan",
    title="Capacity plan",
    summary="Capacity plan from current to target users: USL fit, first limit to break, tiers, 12-month projection.",
    description=(
        "Use to answer 'how far can we grow, and what breaks first?'. Needs current_dau and target_users; a "
        "per-user traffic profile (stated defaults) turns users into requests/s, D1 queries, KV writes and "
        "storage. When throughput was measured at several concurrency levels (`measurements`, or the last "
        "`loadtest` sweep) it fits the Universal Scalability Law (σ, κ, λ with standard errors, peak "
        "concurrency and throughput). Returns every limit with the user count where it breaks (measured "
        "capacity, D1's single writer and 10 GB, KV's 1 write/s per key, free-tier caps, CPU limits), the "
        "skill's growth-tier table with costs, a tier-transition checklist, a 12-month projection and the next "
        "review date; records current tier, target tier and upgrade path in the checkpoint."
    ),
    params=PlanParams,
    result=PlanResult,
    run=run,
    hints=Hints(read_only=False, destructive=False, idempotent=True, open_world=False),
    checkpoint_event="plan",
)
