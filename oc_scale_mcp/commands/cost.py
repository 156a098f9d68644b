"""`cost`: the monthly bill at a given usage or user count, per growth tier, with savings to act on."""

from typing import Literal

from pydantic import BaseModel, Field

from oc_scale_mcp.commands.spec import CommandSpec, Hints, Progress
from oc_scale_mcp.core.checkpoint import CheckpointStore
from oc_scale_mcp.core.errors import InputError
from oc_scale_mcp.core.models import CommandParams, CommandResult
from oc_scale_mcp.core.project import Project
from oc_scale_mcp.planning.traffic import TrafficProfile
from oc_scale_mcp.planning.usage import CostUsage

TIER_USERS = (100, 1_000, 10_000, 100_000)
PM_SAVING_THRESHOLD = 0.30


class CostParams(CommandParams):
    ticket: str | None = Field(
        None,
        description="PM ticket to post to (Linear id, Jira key, GitHub owner/repo#n); "
        "default: the checkpoint's pm_refs source. Needs .opchain/pm.yaml.",
    )
    provider: Literal["cloudflare"] = Field(
        "cloudflare", description="Price list to use (data/pricing_<provider>.json)."
    )
    usage: CostUsage | None = Field(
        None, description="Explicit monthly usage (every field documented). Or give `users` and a `profile`."
    )
    users: int | None = Field(None, ge=1, description="Daily active users, turned into usage by `profile`.")
    profile: TrafficProfile = Field(
        default_factory=TrafficProfile, description="Per-user traffic profile (defaults stated in each field)."
    )
    plan: Literal["auto", "free", "paid"] = Field(
        "auto", description="Workers plan; auto picks Free when no free limit is exceeded, else Paid."
    )


class CostLine(BaseModel):
    product: str
    item: str
    usage: float
    unit: str
    included: float
    billable: float
    usd_per_month: float


class TierCost(BaseModel):
    users: int
    plan: str
    usd_per_month: float
    free_plan_breaches: list[str]


class Recommendation(BaseModel):
    title: str
    change: str
    usd_per_month_before: float
    usd_per_month_after: float
    saving_usd_per_month: float
    saving_fraction: float
    pm_subticket: bool = Field(description="Saving above 30 %: file a PM sub-ticket (sync_pm posts it).")


class CostResult(CommandResult):
    provider: str
    prices_as_of: str
    plan: str
    usd_per_month: float
    lines: list[CostLine]
    free_plan_breaches: list[str]
    tiers: list[TierCost]
    recommendations: list[Recommendation]


def monthly_cost(usage: CostUsage, plan: str, provider: str = "cloudflare"):
    """(plan used, Bill, free-plan breach labels) — `auto` takes Free only when nothing on it would fail."""
    from oc_scale_mcp.planning.pricing import bill

    per_invocation = {"workers_cpu_ms": usage.workers_cpu_ms_per_request}
    free = bill(provider, "free", usage.meters(), per_invocation=per_invocation)
    breaches = [f"{b.label}: {b.usage} > {b.limit}" for b in free.breaches]
    chosen = plan if plan != "auto" else ("free" if not breaches else "paid")
    result = free if chosen == "free" else bill(provider, "paid", usage.meters(), per_invocation=per_invocation)
    return chosen, result, breaches


def _recommendations(users: int, profile: TrafficProfile, plan: str, before: float) -> list[Recommendation]:
    ideas = []
    if profile.cache_hit_ratio < 0.8:
        ideas.append(
            (
                "Cache the read path",
                "Serve 80 % of Worker requests from Workers Caching/KV/CDN: no CPU and no D1 rows read for hits.",
                profile.model_copy(update={"cache_hit_ratio": 0.8}),
            )
        )
    if profile.d1_queries_per_request and profile.d1_rows_read_per_request > 10 * profile.d1_queries_per_request:
        ideas.append(
            (
                "Index the scanned queries",
                f"{profile.d1_rows_read_per_request:g} rows read for "
                f"{profile.d1_queries_per_request:g} queries per request means table scans; with indexes "
                "each query reads ~2 rows (`oc-scale queries` finds which).",
                profile.model_copy(update={"d1_rows_read_per_request": 2 * profile.d1_queries_per_request}),
            )
        )
    found = []
    for title, change, better in ideas:
        _, after_bill, _ = monthly_cost(better.monthly_usage(users), plan)
        after = float(after_bill.total_usd)
        saving = before - after
        if saving > 0.005:
            fraction = saving / before if before else 0.0
            found.append(
                Recommendation(
                    title=title,
                    change=change,
                    usd_per_month_before=before,
                    usd_per_month_after=after,
                    saving_usd_per_month=round(saving, 2),
                    saving_fraction=round(fraction, 4),
                    pm_subticket=fraction > PM_SAVING_THRESHOLD,
                )
            )
    return sorted(found, key=lambda r: -r.saving_usd_per_month)


async def run(params: CostParams, progress: Progress) -> CostResult:
    from oc_scale_mcp.planning.pricing import price_list

    project = Project.open(params.project_dir)
    if params.usage is None and params.users is None:
        raise InputError("give `usage` (monthly amounts) or `users` (with an optional `profile`)")
    usage = params.usage if params.usage is not None else params.profile.monthly_usage(params.users)
    plan, result, breaches = monthly_cost(usage, params.plan, params.provider)
    total = float(result.total_usd)
    lines = [
        CostLine(
            product=i.product,
            item=i.label,
            usage=float(i.usage),
            unit=i.unit,
            included=float(i.included),
            billable=float(i.billable),
            usd_per_month=float(i.usd_cents),
        )
        for i in result.items
    ]
    tier_users = sorted({*TIER_USERS, *([params.users] if params.users else [])})
    tiers = []
    for users in tier_users:
        tier_plan, tier_bill, tier_breaches = monthly_cost(params.profile.monthly_usage(users), "auto")
        tiers.append(
            TierCost(
                users=users, plan=tier_plan, usd_per_month=float(tier_bill.total_usd), free_plan_breaches=tier_breaches
            )
        )
    recommendations = _recommendations(params.users, params.profile, params.plan, total) if params.users else []
    prices = price_list(params.provider)
    outcome = CostResult(
        provider=params.provider,
        prices_as_of=prices["prices_as_of"],
        plan=plan,
        usd_per_month=total,
        lines=lines,
        free_plan_breaches=breaches,
        tiers=tiers,
        recommendations=recommendations,
        report="",
    )
    outcome.report = _report(outcome, params)
    CheckpointStore(project).record_event(
        "cost",
        {
            "plan": plan,
            "usd_per_month": total,
            "users": params.users,
            "recommendations": [r.model_dump() for r in recommendations],
        },
        summary=f"Cost projection: ${total:,.2f}/month on Workers {plan.title()}"
        + (f" at {params.users:,} daily users." if params.users else "."),
        next_actions=[f"Act on: {r.title} (saves ${r.saving_usd_per_month:,.2f}/month)" for r in recommendations[:2]]
        or ["Re-run `oc-scale cost` when usage changes."],
    )
    from oc_scale_mcp.pm.hooks import after_cost

    outcome.pm = await after_cost(project, outcome, params.ticket)
    if outcome.pm.status not in ("not configured",):
        outcome.report += f"\n{outcome.pm.message}\n"
    return outcome


def _report(result: CostResult, params: CostParams) -> str:
    who = f"{params.users:,} daily active users" if params.users else "the given usage"
    lines = [
        f"## Cost projection — {who}",
        "",
        f"Provider {result.provider}, prices as of {result.prices_as_of}; Workers {result.plan.title()} plan.",
        "",
        "| Product | Item | Usage | Included | Billable | $/month |",
        "|---|---|---|---|---|---|",
    ]
    lines += [
        f"| {c.product} | {c.item} | {c.usage:,.0f} {c.unit} | {c.included:,.0f} | {c.billable:,.0f} | "
        f"${c.usd_per_month:,.2f} |"
        for c in result.lines
    ]
    lines.append(f"| **Total** (incl. subscription) | | | | | **${result.usd_per_month:,.2f}** |")
    if result.free_plan_breaches:
        lines += [
            "",
            "On Workers Free these would fail (free limits are hard caps, not billed):",
            *[f"- {b}" for b in result.free_plan_breaches],
        ]
    lines += ["", "### Cost per growth tier", "| Users | Plan | Monthly cost |", "|---|---|---|"]
    lines += [f"| {t.users:,} | {t.plan.title()} | ${t.usd_per_month:,.2f} |" for t in result.tiers]
    if result.recommendations:
        lines += [
            "",
            "### Recommendations",
            "| Change | Before | After | Saving | PM sub-ticket |",
            "|---|---|---|---|---|",
        ]
        lines += [
            f"| {r.title}: {r.change} | ${r.usd_per_month_before:,.2f} | ${r.usd_per_month_after:,.2f} | "
            f"${r.saving_usd_per_month:,.2f} ({r.saving_fraction:.0%}) | {'yes (> 30 %)' if r.pm_subticket else 'no'} |"
            for r in result.recommendations
        ]
    return "\n".join(lines) + "\n"


SPEC = CommandSpec(
    name="cost",
    title="Cost projection",
    summary="Monthly cost at a usage or user count, exact to the provider's billing rules, with savings.",
    description=(
        "Use to answer 'what will this cost at N users?'. Give `users` (with a per-user traffic `profile`: "
        "requests, CPU ms, D1 rows, KV operations, storage) or an explicit monthly `usage`. Prices come from a "
        "versioned data file per provider (Cloudflare: Workers, D1, KV, R2, Durable Objects, Queues; each price "
        "with its included amount, rounding and source) and reproduce Cloudflare's worked examples to the cent. "
        "Returns line items, the total per month, which free-plan limits would fail, the cost per growth tier, "
        "and recommendations with their saving (above 30 % marked for a PM sub-ticket)."
    ),
    params=CostParams,
    result=CostResult,
    run=run,
    hints=Hints(read_only=False, destructive=False, idempotent=True, open_world=False),
    checkpoint_event="cost",
)
