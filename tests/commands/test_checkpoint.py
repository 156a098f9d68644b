"""`checkpoint`: the resume block, list, next, show, validate and reset."""

import orjson
import pytest

from oc_scale_mcp.commands.budget import BudgetParams
from oc_scale_mcp.commands.budget import run as run_budget
from oc_scale_mcp.commands.checkpoint import CheckpointParams, run
from oc_scale_mcp.commands.spec import no_progress
from oc_scale_mcp.core.errors import CheckpointError

pytestmark = pytest.mark.anyio


async def checkpoint(project, action="status"):
    return await run(CheckpointParams(project_dir=str(project), action=action), no_progress)


async def test_status_without_a_checkpoint_says_how_to_start(empty_project):
    result = await checkpoint(empty_project)
    assert result.exists is False and "No oc-scale checkpoint yet" in result.report


async def test_status_is_the_resume_block(example_project):
    await run_budget(BudgetParams(project_dir=str(example_project), action="set"), no_progress)
    result = await checkpoint(example_project)
    assert result.exists and result.status == "in_progress"
    assert (result.progress_done, result.progress_total) == (1, 6)
    assert "- Last update: just now" in result.report
    assert "- Progress: 1/6" in result.report
    assert "- Next action: Run `oc-scale budget --action audit`" in result.report
    assert "- Open blockers: none" in result.report


async def test_next_and_show(example_project):
    await run_budget(BudgetParams(project_dir=str(example_project), action="set"), no_progress)
    nxt = await checkpoint(example_project, "next")
    assert nxt.report.count("\n1. ") == 1 and len(nxt.next_actions) == 2
    shown = await checkpoint(example_project, "show")
    assert shown.document["skill"] == "oc-scale-ops" and "```json" in shown.report


async def test_list_shows_every_skill_with_a_one_line_status(example_project):
    await run_budget(BudgetParams(project_dir=str(example_project), action="set"), no_progress)
    (example_project / ".checkpoints" / "oc-deploy-ops.checkpoint.json").write_bytes(
        orjson.dumps(
            {
                "skill": "oc-deploy-ops",
                "status": "complete",
                "updated_at": "2026-12-01T00:00:00Z",
                "progress_summary": "Deployed to production.\nAll smoke tests green.",
            }
        )
    )
    result = await checkpoint(example_project, "list")
    assert [(c.skill, c.status) for c in result.checkpoints] == [
        ("oc-scale-ops", "in_progress"),
        ("oc-deploy-ops", "complete"),
    ]
    assert result.checkpoints[1].summary == "Deployed to production. All smoke tests green."


async def test_validate_checks_every_file_and_fails_on_an_invalid_one(example_project):
    await run_budget(BudgetParams(project_dir=str(example_project), action="set"), no_progress)
    ok = await checkpoint(example_project, "validate")
    assert ok.passed is True and ok.checks[0].valid
    (example_project / ".checkpoints" / "oc-deploy-ops.checkpoint.json").write_bytes(
        orjson.dumps({"skill": "oc-deploy-ops", "status": "done", "created_at": "2026-12-01T00:00:00+00:00"})
    )
    bad = await checkpoint(example_project, "validate")
    assert bad.passed is False
    deploy = next(c for c in bad.checks if c.file.startswith("oc-deploy-ops"))
    assert any("+00:00" in e for e in deploy.errors) and any("status 'done'" in e for e in deploy.errors)


async def test_a_corrupt_checkpoint_is_a_clear_error_and_reset_archives_it(example_project):
    directory = example_project / ".checkpoints"
    directory.mkdir()
    (directory / "oc-scale-ops.checkpoint.json").write_text("{oops")
    with pytest.raises(CheckpointError, match=r"not valid JSON.*checkpoint reset"):
        await checkpoint(example_project)
    reset = await checkpoint(example_project, "reset")
    assert reset.archived_to and "history" in reset.archived_to
    assert (await checkpoint(example_project)).exists is False
