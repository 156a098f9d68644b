"""`cost`: bills through the command, tiers, and savings marked for the PM."""

import pytest

from oc_scale_mcp.commands.cost import CostParams, run
from oc_scale_mcp.commands.spec import no_progress
from oc_scale_mcp.core.errors import InputError

pytestmark = pytest.mark.anyio


async def cost(project, **kw):
    return await run(CostParams(project_dir=str(project), **kw), no_progress)


async def test_explicit_usage_reproduces_workers_example_1(empty_project):
    result = await cost(empty_project, usage={"workers_requests": 15_000_000, "workers_cpu_ms_per_request": 7})
    assert result.plan == "paid" and result.usd_per_month == 8.00
    assert {line.item: line.usd_per_month for line in result.lines} == {"Requests": 1.50, "CPU time": 1.50}
    assert result.free_plan_breaches == ["Workers Requests: 500,000/day > 100,000/day"]


async def test_a_small_app_stays_free_and_a_big_one_pays(empty_project):
    small = await cost(empty_project, users=200)
    assert small.plan == "free" and small.usd_per_month == 0 and small.free_plan_breaches == []
    big = await cost(empty_project, users=50_000, profile={"d1_rows_read_per_request": 400})
    assert big.plan == "paid" and big.usd_per_month > 5
    assert [t.users for t in big.tiers] == [100, 1_000, 10_000, 50_000, 100_000]
    assert "| **Total** (incl. subscription) |" in big.report and "### Cost per growth tier" in big.report


async def test_recommendations_carry_their_saving_and_the_pm_flag(empty_project):
    result = await cost(
        empty_project, users=200_000, profile={"d1_rows_read_per_request": 5_000, "cpu_ms_per_request": 20}
    )
    titles = [r.title for r in result.recommendations]
    assert set(titles) == {"Cache the read path", "Index the scanned queries"}
    for recommendation in result.recommendations:
        assert recommendation.usd_per_month_after < recommendation.usd_per_month_before
        assert recommendation.pm_subticket == (recommendation.saving_fraction > 0.30)
    assert any(r.pm_subticket for r in result.recommendations)


async def test_cost_needs_usage_or_users(empty_project):
    with pytest.raises(InputError, match="give `usage`"):
        await cost(empty_project)
