"""`plan`: USL fit, the binding limit, tiers, checklist, projection and the checkpoint record."""

import csv
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson
import pytest

from oc_scale_mcp.commands.plan import PlanParams, run
from oc_scale_mcp.commands.spec import no_progress
from oc_scale_mcp.core.checkpoint import CheckpointStore, validate_checkpoint
from oc_scale_mcp.core.errors import InputError
from oc_scale_mcp.core.project import Project

pytestmark = pytest.mark.anyio
SPEC_SDM91 = [
    {"concurrency": float(r["load"]), "throughput": float(r["throughput"])}
    for r in csv.DictReader(
        (Path(__file__).resolve().parents[1] / "fixtures" / "usl" / "specsdm91.csv").read_text().splitlines()
    )
]


async def plan(project, **kw):
    return await run(PlanParams(project_dir=str(project), **kw), no_progress)


async def test_a_small_target_on_the_free_plan(empty_project):
    result = await plan(empty_project, current_dau=300, target_users=2000, measurements=SPEC_SDM91)
    assert result.usl.sigma == pytest.approx(0.0277285, rel=1e-4) and result.usl.peak_concurrency == pytest.approx(
        96.52, rel=1e-3
    )
    assert result.binding_limit == "D1 Free: 500 MB per database"
    assert result.limits[0].breaks_at_users == 990 and result.limits[0].headroom == 3.3
    assert [t.tier for t in result.tiers] == ["Current", "Medium", "Target (Large)", "Large", "Scale"]
    assert result.tiers[0].plan == "free" and result.tiers[0].usd_per_month == 0
    assert result.tiers[1].changes_needed == ["Workers Paid plan"]
    assert len(result.projection) == 13 and result.projection[12].users == round(300 * 1.1**12)
    assert result.next_review_date == (datetime.now(UTC) + timedelta(days=90)).strftime("%Y-%m-%d")
    for heading in (
        "## Capacity Plan: 300 → 2,000 users",
        "### Current State",
        "### Growth Tiers",
        "| Tier | Users | Requests/day | DB Size | Changes Needed | Monthly Cost |",
        "### Tier Transition Checklist",
        "### 12-month projection",
        "Next capacity review",
    ):
        assert heading in result.report


async def test_a_large_target_needs_sharding_and_the_writer_limit_shows(empty_project):
    result = await plan(empty_project, current_dau=50_000, target_users=1_000_000, monthly_growth=0.2)
    changes = " ".join(c for t in result.tiers for c in t.changes_needed)
    assert "Shard" in changes
    writer = next(r for r in result.limits if r.limit.startswith("D1: one database"))
    assert writer.breaks_at_users == 192_000 and writer.months_until == pytest.approx(7.4, abs=0.1)
    assert result.tiers[-1].usd_per_month > result.tiers[0].usd_per_month
    assert result.usl is None


async def test_the_recorded_sweep_is_used_when_no_measurements_are_given(empty_project):
    CheckpointStore(Project.open(empty_project)).record_event(
        "loadtest",
        {"sweep": [{"concurrency": m["concurrency"], "throughput_rps": m["throughput"]} for m in SPEC_SDM91]},
        summary="sweep",
        next_actions=["plan"],
    )
    result = await plan(empty_project, current_dau=100, target_users=1000)
    assert result.usl.source == "the recorded load-test sweep" and result.usl.points == 7
    assert any(r.limit.startswith("Measured capacity") for r in result.limits)


async def test_the_plan_is_recorded_with_tiers_and_upgrade_path(empty_project):
    await plan(empty_project, current_dau=300, target_users=20_000)
    path = empty_project / ".checkpoints" / "oc-scale-ops.checkpoint.json"
    doc = orjson.loads(path.read_bytes())
    record = doc["skill_state"]["plan"]
    assert record["current_tier"] == "Medium" and record["target_tier"] == "Scale"  # tiers: ≤100, ≤1K, ≤10K, more
    assert record["upgrade_path"][0]["tier"] == "Current" and record["next_review_date"]
    assert validate_checkpoint(doc, file_name=path.name).valid


async def test_too_few_measurements_are_a_clear_error(empty_project):
    with pytest.raises(InputError, match="at least 3"):
        await plan(empty_project, current_dau=10, target_users=100, measurements=SPEC_SDM91[:2])
