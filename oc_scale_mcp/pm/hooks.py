"""What each command hands to the PM: built from its result, published through `publish`."""

from typing import Any

from oc_scale_mcp.analysis.budgets import stored_values
from oc_scale_mcp.core.checkpoint import CheckpointStore
from oc_scale_mcp.core.errors import OcScaleError
from oc_scale_mcp.core.models import PmOutcome
from oc_scale_mcp.core.project import Project
from oc_scale_mcp.pm import messages
from oc_scale_mcp.pm.config import load_config
from oc_scale_mcp.pm.publish import publish


def guarded(hook):
    """A PM step never fails the tool that produced the report: a bug here is logged and reported."""
    import functools
    import logging

    @functools.wraps(hook)
    async def wrapper(project: Project, result, ticket: str | None) -> PmOutcome:
        try:
            return await hook(project, result, ticket)
        except Exception as exc:
            logging.getLogger("oc_scale_mcp.pm").exception("PM step failed")
            return PmOutcome(
                status="error",
                message=f"PM step failed (a bug, report it): {type(exc).__name__}: "
                f"{exc}; the report above is complete.",
            )

    return wrapper


def _config(project: Project):
    """The PM config, or None when absent or malformed (`publish` then reports why, without failing)."""
    try:
        return load_config(project.root)
    except OcScaleError:
        return None


def _cost_line(state: dict[str, Any]) -> str:
    cost = state.get("cost") or {}
    if cost.get("usd_per_month") is not None:
        users = f"{cost['users']:,} users" if cost.get("users") else "the modelled usage"
        return f"Cost projection: ~${cost['usd_per_month']:,.2f}/month at {users}"
    return "Cost projection: not computed yet (run `oc-scale cost`)"


@guarded
async def after_audit(project: Project, result, ticket: str | None) -> PmOutcome:
    config = _config(project)
    state = CheckpointStore(project).skill_state()
    loadtest = state.get("loadtest") or {}
    profile = (
        f"{loadtest.get('concurrency')} concurrent connections / {loadtest.get('rps', 0):,.0f} req/sec sustained"
        if loadtest.get("rps")
        else "not load tested yet"
    )
    # the same audit result → the same correlation id → one comment however often it runs
    correlation = messages.stable_id(
        result.grade,
        result.readiness,
        *[l.grade for l in result.layers],  # noqa: E741
        *[b.component for b in result.bottlenecks],
    )
    writes = [
        messages.summary_comment(
            "scale-audit",
            correlation,
            readiness=result.readiness,
            load_profile=profile,
            loadtest=loadtest,
            budgets=stored_values(state),
            bottlenecks=[(b.component, b.summary) for b in result.bottlenecks],
            cost_line=_cost_line(state),
        )
    ]
    if config is not None:
        pain = {"api.loadtest-failed", "infra.free-plan-limit"}
        writes += messages.risk_tickets(result.findings, config, pain)
    return await publish(project, writes, ticket, source="this audit")


@guarded
async def after_loadtest(project: Project, result, ticket: str | None) -> PmOutcome:
    if result.run is not None and result.run.partial:
        return PmOutcome(
            status="held back", message="The load test did not finish: partial results are never posted to the PM tool."
        )
    state = CheckpointStore(project).skill_state()
    audit = state.get("audit") or {}
    loadtest = state.get("loadtest") or {}
    run = result.run
    profile = (
        f"{run.connections} concurrent connections / {run.rps:,.0f} req/sec sustained"
        if run
        else f"sweep over {len(result.sweep)} concurrency levels"
    )
    write = messages.summary_comment(
        "loadtest",
        loadtest.get("recorded_at", "latest"),
        readiness=audit.get("readiness", "WATCH" if result.passed is not False else "RED"),
        load_profile=profile,
        loadtest=loadtest,
        budgets=stored_values(state),
        bottlenecks=[(b.get("component", ""), b.get("summary", "")) for b in audit.get("bottlenecks", [])],
        cost_line=_cost_line(state),
    )
    return await publish(project, [write], ticket, source="this load test")


@guarded
async def after_plan(project: Project, result, ticket: str | None) -> PmOutcome:
    config = _config(project)
    if config is None:
        return await publish(project, [], ticket, source="this plan")
    table = ["| Month | Users | Requests/day | Peak req/s | $/month |", "|---|---|---|---|---|"]
    table += [
        f"| {m.month} | {m.users:,} | {m.requests_per_day:,.0f} | {m.peak_rps:,.2f} | ${m.usd_per_month:,.2f} |"
        for m in result.projection
    ]
    return await publish(
        project,
        [messages.review_reminder(result.next_review_date, "\n".join(table), config)],
        ticket,
        source="this plan",
    )


@guarded
async def after_cost(project: Project, result, ticket: str | None) -> PmOutcome:
    config = _config(project)
    worth = [r for r in result.recommendations if r.pm_subticket]
    if config is None or not worth:
        outcome = await publish(project, [], ticket, source="this cost projection") if config is None else None
        return outcome or PmOutcome(
            status="nothing new",
            message="No saving above 30 %: recommendations stay in the report (not worth the PM noise).",
        )
    writes = [
        messages.cost_ticket(
            r.title, r.change, r.usd_per_month_before, r.usd_per_month_after, r.saving_fraction, config
        )
        for r in worth
    ]
    return await publish(project, writes, ticket, source="this cost projection")
