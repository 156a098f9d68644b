"""`sync_pm` on its own (the end-to-end flushes against a real PM server are in tests/pm/test_pm.py)."""

import pytest

from oc_scale_mcp.commands.spec import no_progress
from oc_scale_mcp.commands.sync_pm import SyncPmParams, run
from oc_scale_mcp.core.checkpoint import CheckpointStore
from oc_scale_mcp.core.errors import InputError
from oc_scale_mcp.core.project import Project

pytestmark = pytest.mark.anyio


async def test_an_empty_queue_says_so(empty_project):
    result = await run(SyncPmParams(project_dir=str(empty_project)), no_progress)
    assert result.report.strip() == "no deferred PM actions queued" and result.flushed == result.failed == 0


async def test_a_queue_without_pm_config_is_a_clear_error(empty_project):
    CheckpointStore(Project.open(empty_project)).update(
        lambda doc: doc.setdefault("pm_deferred_actions", []).append(
            {"id": "deferred-x", "operation": "add_comment", "retriable": True, "payload": {"body": "b"}}
        )
    )
    with pytest.raises(InputError, match=r"pm\.yaml is missing"):
        await run(SyncPmParams(project_dir=str(empty_project)), no_progress)
