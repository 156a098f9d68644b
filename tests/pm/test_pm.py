"""PM integration over real MCP sessions with a PM server shaped like each provider (no mocked client)."""

import json
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import orjson
import pytest

from oc_scale_mcp.commands.audit import AuditParams
from oc_scale_mcp.commands.audit import run as run_audit
from oc_scale_mcp.commands.loadtest import LoadtestParams
from oc_scale_mcp.commands.loadtest import run as run_loadtest
from oc_scale_mcp.commands.plan import PlanParams
from oc_scale_mcp.commands.plan import run as run_plan
from oc_scale_mcp.commands.spec import no_progress
from oc_scale_mcp.commands.sync_pm import SyncPmParams
from oc_scale_mcp.commands.sync_pm import run as run_sync
from tests.servers import Behaviour, http_server

pytestmark = pytest.mark.anyio
SERVER = Path(__file__).with_name("fake_pm_server.py")


def configure(project: Path, provider: str, state: Path, *, url: str | None = None, extra: str = "") -> None:
    (project / ".opchain").mkdir(exist_ok=True)
    team = {"linear": "ENG", "github-issues": "acme/app", "jira": "PROJ"}[provider]
    if url:
        mcp = f'mcp:\n  url: "{url}"\n  headers: {{Authorization: "Bearer ${{PM_TEST_TOKEN}}"}}\n'
    else:
        command = json.dumps([sys.executable, str(SERVER), "--provider", provider, "--state", str(state)])
        mcp = f"mcp:\n  command: {command}\n"
    (project / ".opchain" / "pm.yaml").write_text(
        f"provider: {provider}\nteam_or_project: {team}\nlabels_default: [opchain]\n"
        f"remediation_owners: {{infra: alice, backend: bob}}\n{mcp}{extra}"
    )


def calls(state: Path) -> list[dict]:
    path = state / "calls.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def fail(state: Path, mode: str | None, times: int = -1) -> None:
    (state / "control.json").write_text(json.dumps({"fail": mode, "times": times}))


def checkpoint(project: Path) -> dict:
    return orjson.loads((project / ".checkpoints" / "oc-scale-ops.checkpoint.json").read_bytes())


async def audit(project, **kw):
    return await run_audit(AuditParams(project_dir=str(project), current_dau=300, **kw), no_progress)


async def test_linear_gets_the_summary_comment_and_one_sub_ticket_per_high_risk(example_project, tmp_path):
    state = tmp_path / "pm"
    configure(example_project, "linear", state)
    result = await audit(example_project, ticket="ENG-42")
    assert result.pm.status == "posted"
    log = calls(state)
    comment = next(c["args"] for c in log if c["tool"] == "save_comment")
    assert comment["issueId"] == "ENG-42"
    body = comment["body"]
    assert body.startswith(f"Scale audit: Readiness {result.readiness}.")
    for line in (
        "Load profile:",
        "SLO compliance:",
        "Top three bottlenecks (by headroom × business-impact):",
        "Cost projection:",
        "Full report: .checkpoints/oc-scale-ops.checkpoint.json",
        "<!-- opchain:oc-scale-ops:scale-audit:",
    ):
        assert line in body
    issues = [c["args"] for c in log if c["tool"] == "save_issue"]
    risky = [f for f in result.findings if f.severity.value in ("HIGH", "CRITICAL")]
    assert len(issues) == len(risky) > 0
    first = issues[0]
    assert first["parentId"] == "ENG-42" and first["team"] == "ENG"
    assert {"opchain", "scaling"} <= set(first["labels"]) and any(
        label.startswith("severity:") for label in first["labels"]
    )
    assert any(label.startswith("area:") for label in first["labels"]) and first["assignee"] in ("alice", "bob")
    assert "<!-- opchain:oc-scale-ops:scale-risk:" in first["description"]
    refs = checkpoint(example_project)["pm_refs"]
    assert {"provider": "linear", "id": "ENG-42", "role": "source"} in refs
    assert sum(1 for r in refs if r["role"] == "child") == len(risky)


async def test_a_second_identical_audit_writes_nothing_new(example_project, tmp_path):
    state = tmp_path / "pm"
    configure(example_project, "linear", state)
    await audit(example_project, ticket="ENG-42")
    writes_before = [c for c in calls(state) if c["tool"] in ("save_comment", "save_issue")]
    second = await audit(example_project)  # the linked ticket now comes from pm_refs
    writes_after = [c for c in calls(state) if c["tool"] in ("save_comment", "save_issue")]
    assert len(writes_after) == len(writes_before)
    assert second.pm.status == "nothing new" and second.pm.skipped_existing == len(writes_before)
    assert checkpoint(example_project)["pm_idempotent_skips"][0]["ticket"] == "ENG-42"


async def test_github_comment_and_sub_issues_use_owner_repo_and_number(example_project, tmp_path):
    state = tmp_path / "pm"
    configure(example_project, "github-issues", state)
    with http_server() as (port, _):
        await run_loadtest(
            LoadtestParams(
                project_dir=str(example_project),
                url=f"http://127.0.0.1:{port}/",
                requests=50,
                connections=2,
                workers=1,
                ticket="acme/app#7",
            ),
            no_progress,
        )
    await audit(example_project)
    log = calls(state)
    comments = [c["args"] for c in log if c["tool"] == "add_issue_comment"]
    assert [(c["owner"], c["repo"], c["issue_number"]) for c in comments] == [("acme", "app", 7)] * 2
    created = [c["args"] for c in log if c["tool"] == "issue_write"]
    links = [c["args"] for c in log if c["tool"] == "sub_issue_write"]
    assert created and len(links) == len(created) and all(link["issue_number"] == 7 for link in links)
    assert all(isinstance(link["sub_issue_id"], int) for link in links)


async def test_jira_plan_files_a_review_reminder_with_the_projection(example_project, tmp_path):
    state = tmp_path / "pm"
    configure(example_project, "jira", state)
    result = await run_plan(
        PlanParams(project_dir=str(example_project), current_dau=300, target_users=3000, ticket="PROJ-9"), no_progress
    )
    log = calls(state)
    created = next(c["args"] for c in log if c["tool"] == "createJiraIssue")
    assert created["cloudId"] == "cloud-123" and created["parent"] == "PROJ-9" and created["issueTypeName"] == "Chore"
    assert result.next_review_date in created["summary"] and "| Month | Users |" in created["description"]


async def test_an_outage_queues_the_writes_and_sync_pm_flushes_them_exactly_once(
    example_project, tmp_path, monkeypatch
):
    monkeypatch.setenv("OC_SCALE_PM_BUDGET_S", "5")
    state = tmp_path / "pm"
    state.mkdir()
    configure(example_project, "linear", state)
    fail(state, "503")
    result = await audit(example_project, ticket="ENG-1")
    assert result.pm.status == "deferred" and "sync_pm" in result.pm.message
    queued = checkpoint(example_project)["pm_deferred_actions"]
    assert len(queued) == result.pm.deferred and all(e["retriable"] for e in queued)
    entry = queued[0]
    assert set(entry) >= {
        "id",
        "skill",
        "verb",
        "operation",
        "provider",
        "tool_name",
        "ticket_id",
        "marker",
        "payload",
        "queued_at",
        "last_attempt_at",
        "attempts",
        "last_error",
        "retriable",
    }
    assert entry["id"].startswith("deferred-") and entry["attempts"] == 1 and "503" in entry["last_error"]
    attempts = [c for c in calls(state) if c["tool"] == "list_comments"]
    assert len(attempts) == 3  # the first write was tried three times, the rest were not attempted
    fail(state, None)
    flushed = await run_sync(SyncPmParams(project_dir=str(example_project)), no_progress)
    assert flushed.report.startswith(f"flushed {len(queued)} / failed 0")
    doc = checkpoint(example_project)
    assert doc["pm_deferred_actions"] == [] and len(doc["pm_flush_log"]) == len(queued)
    assert sum(1 for c in calls(state) if c["tool"] == "save_comment") == 1
    again = await run_sync(SyncPmParams(project_dir=str(example_project)), no_progress)
    assert again.report.strip() == "no deferred PM actions queued"


async def test_a_401_is_queued_as_non_retriable_and_only_force_replays_it(example_project, tmp_path):
    state = tmp_path / "pm"
    state.mkdir()
    configure(example_project, "linear", state)
    fail(state, "401")
    result = await audit(example_project, ticket="ENG-1")
    queued = checkpoint(example_project)["pm_deferred_actions"]
    assert result.pm.status == "deferred" and not any(e["retriable"] for e in queued)
    assert len([c for c in calls(state) if c["tool"] == "list_comments"]) == 1  # 401 is not retried
    fail(state, None)
    skipped = await run_sync(SyncPmParams(project_dir=str(example_project)), no_progress)
    assert "no retriable deferred PM actions" in skipped.report
    forced = await run_sync(SyncPmParams(project_dir=str(example_project), force=True), no_progress)
    assert forced.flushed == len(queued) and forced.failed == 0


async def test_a_429_is_retried_after_its_retry_after(example_project, tmp_path):
    state = tmp_path / "pm"
    state.mkdir()
    configure(example_project, "linear", state)
    fail(state, "429", times=1)
    result = await audit(example_project, ticket="ENG-1")
    assert result.pm.status == "posted" and result.pm.deferred == 0
    assert [c["tool"] for c in calls(state)][:2] == ["list_comments", "list_comments"]


async def test_the_report_arrives_within_the_budget_when_the_pm_server_hangs(example_project, tmp_path, monkeypatch):
    monkeypatch.setenv("OC_SCALE_PM_BUDGET_S", "2")
    state = tmp_path / "pm"
    state.mkdir()
    configure(example_project, "linear", state)
    fail(state, "hang")
    start = time.monotonic()
    result = await audit(example_project, ticket="ENG-1")
    assert time.monotonic() - start < 20
    assert result.report.startswith("# Scaling Readiness Report") and result.pm.status == "deferred"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def http_pm(tmp_path):
    state = tmp_path / "pm-http"
    state.mkdir()
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, str(SERVER), "--provider", "linear", "--state", str(state), "--http", str(port)]
    )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/mcp", timeout=1)
            break
        except httpx.TransportError:
            time.sleep(0.1)
    yield f"http://127.0.0.1:{port}/mcp", state
    process.terminate()
    process.wait(timeout=10)


async def test_streamable_http_with_an_env_token_that_never_reaches_the_checkpoint(
    example_project, http_pm, monkeypatch
):
    url, state = http_pm
    monkeypatch.setenv("PM_TEST_TOKEN", "pm-secret-token-xyz")
    configure(example_project, "linear", state, url=url)
    result = await audit(example_project, ticket="ENG-5")
    assert result.pm.status == "posted"
    assert any(c["tool"] == "save_comment" for c in calls(state))
    fail(state, "503")
    monkeypatch.setenv("OC_SCALE_PM_BUDGET_S", "3")
    (example_project / ".checkpoints" / "oc-scale-ops.checkpoint.json").unlink()
    again = await audit(example_project, ticket="ENG-6")
    assert again.pm.status == "deferred"
    text = (example_project / ".checkpoints" / "oc-scale-ops.checkpoint.json").read_text()
    assert "pm-secret-token-xyz" not in text and "${PM_TEST_TOKEN}" not in text


async def test_no_ticket_no_config_and_bad_config_never_fail_the_tool(example_project, tmp_path):
    plain = await audit(example_project)
    assert plain.pm.status == "not configured"
    configure(example_project, "linear", tmp_path / "pm")
    unlinked = await audit(example_project)
    assert unlinked.pm.status == "no linked ticket" and not calls(tmp_path / "pm")
    (example_project / ".opchain" / "pm.yaml").write_text("provider: trello\nteam_or_project: X\nmcp: {url: x}\n")
    bad = await audit(example_project, ticket="X-1")
    assert bad.pm.status == "config error" and "provider" in bad.pm.message and bad.grade


async def test_a_partial_load_test_never_posts(example_project, tmp_path):
    state = tmp_path / "pm"
    configure(example_project, "linear", state)
    with http_server(Behaviour(status=503)) as (port, _):
        result = await run_loadtest(
            LoadtestParams(
                project_dir=str(example_project),
                url=f"http://127.0.0.1:{port}/",
                duration_s=20,
                connections=2,
                workers=1,
                ticket="ENG-3",
                thresholds=["error_rate<1%"],
                abort_on_fail=True,
            ),
            no_progress,
        )
    assert result.run.partial and result.pm.status == "held back" and not calls(state)
