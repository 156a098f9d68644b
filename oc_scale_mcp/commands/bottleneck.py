"""`bottleneck`: the single #1 scaling constraint, with its evidence, the load where it breaks, the fix."""

from typing import Literal

from pydantic import Field

from oc_scale_mcp.commands.audit import BottleneckOut, _current_users, bottleneck_models
from oc_scale_mcp.commands.spec import CommandSpec, Hints, Progress
from oc_scale_mcp.core.models import CommandParams, CommandResult
from oc_scale_mcp.core.project import Project


class BottleneckParams(CommandParams):
    current_dau: int | None = Field(
        None, ge=1, description="Daily active users today (default: from the last plan, else 100)."
    )
    workers_plan: Literal["free", "paid"] = Field("free", description="The Cloudflare Workers plan the app runs on.")


class BottleneckResult(CommandResult):
    bottleneck: BottleneckOut | None
    runners_up: list[BottleneckOut]


async def run(params: BottleneckParams, progress: Progress) -> BottleneckResult:
    from oc_scale_mcp.commands.readiness import gather

    project = Project.open(params.project_dir)
    users = _current_users(project, params.current_dau)
    evidence = await gather(
        project, current_users=users, workers_plan=params.workers_plan, fast=True, progress=progress
    )
    ranked = bottleneck_models(evidence.bottlenecks[:4])
    top = ranked[0] if ranked else None
    if top is None:
        report = f"# #1 scaling bottleneck — {project.name}\n\nNone found in what could be checked.\n"
    else:
        where = (
            f"It breaks at ~{top.breaks_at_users:,} daily users ({top.headroom:,.1f}× today's {users:,})."
            if top.breaks_at_users is not None
            else "No load model ties it to a user count."
        )
        report = "\n".join(
            [
                f"# #1 scaling bottleneck — {project.name}",
                "",
                f"**{top.component}** [{top.severity}]",
                "",
                f"{top.summary}. {where}",
                "",
                f"**Fix:** {top.fix}",
                "",
                "Evidence:",
                *[f"- {e}" for e in top.evidence],
                "",
                f"Basis: {top.basis}.",
                "",
                "Next in line: " + "; ".join(f"{b.component}" for b in ranked[1:]) if ranked[1:] else "",
            ]
        )
        report += "\n"
    return BottleneckResult(bottleneck=top, runners_up=ranked[1:], report=report)


SPEC = CommandSpec(
    name="bottleneck",
    title="#1 bottleneck",
    summary="The single #1 scaling constraint: evidence, the load where it breaks, and the fix.",
    description=(
        "Use for a fast answer to 'what breaks first?': the same evidence and ranking as `audit` (headroom × "
        "impact; measured capacity from a recorded load-test sweep when present), without the index timings, "
        "returning only the top constraint with its evidence (file:line or measurement), the daily-user count at "
        "which it breaks, and the fix, plus the next three in line. Reads only files inside project_dir."
    ),
    params=BottleneckParams,
    result=BottleneckResult,
    run=run,
    hints=Hints(read_only=True, destructive=False, idempotent=True, open_world=False),
    checkpoint_event=None,
)
