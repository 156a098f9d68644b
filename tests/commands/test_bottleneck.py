"""`bottleneck`: the #1 constraint, fast, with the same ranking as the audit."""

import pytest

from oc_scale_mcp.commands.audit import AuditParams
from oc_scale_mcp.commands.audit import run as run_audit
from oc_scale_mcp.commands.bottleneck import BottleneckParams, run
from oc_scale_mcp.commands.spec import no_progress
from oc_scale_mcp.core.checkpoint import CheckpointStore
from oc_scale_mcp.core.project import Project

pytestmark = pytest.mark.anyio


async def test_the_first_bottleneck_matches_the_audit(example_project):
    top = await run(BottleneckParams(project_dir=str(example_project), current_dau=300), no_progress)
    audit = await run_audit(AuditParams(project_dir=str(example_project), current_dau=300), no_progress)
    assert top.bottleneck.component == audit.bottlenecks[0].component
    assert top.bottleneck.breaks_at_users is not None and "Fix:" in top.report
    assert len(top.runners_up) == 3


async def test_a_measured_sweep_becomes_the_basis(example_project):
    sweep = [
        {"concurrency": c, "throughput_rps": x}
        for c, x in [(1, 64.9), (18, 995.9), (36, 1652.4), (72, 1853.2), (108, 1828.9), (144, 1775.0), (216, 1702.2)]
    ]
    CheckpointStore(Project.open(example_project)).record_event(
        "loadtest", {"sweep": sweep}, summary="s", next_actions=["x"]
    )
    result = await run(
        BottleneckParams(project_dir=str(example_project), current_dau=300, workers_plan="paid"), no_progress
    )
    assert "measured" in result.bottleneck.basis or any("measured" in b.basis for b in result.runners_up)
