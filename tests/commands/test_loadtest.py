"""`loadtest` as a command: thresholds from budgets, the report, the checkpoint record, safety, sweeps."""

import orjson
import pytest

from oc_scale_mcp.cli import main
from oc_scale_mcp.commands.budget import BudgetParams
from oc_scale_mcp.commands.budget import run as run_budget
from oc_scale_mcp.commands.loadtest import LoadtestParams, run
from oc_scale_mcp.commands.spec import no_progress
from oc_scale_mcp.core.checkpoint import validate_checkpoint
from oc_scale_mcp.core.errors import InputError
from tests.servers import Behaviour, http_server

pytestmark = pytest.mark.anyio


async def loadtest(project, **kw):
    kw.setdefault("workers", 1)
    return await run(LoadtestParams(project_dir=str(project), **kw), no_progress)


async def test_default_thresholds_come_from_the_recorded_budgets(example_project):
    await run_budget(
        BudgetParams(project_dir=str(example_project), action="set", budgets={"api_p50": "20ms", "api_p95": "40ms"}),
        no_progress,
    )
    with http_server(Behaviour(delay_s=0.05)) as (port, _):
        result = await loadtest(
            example_project, url=f"http://127.0.0.1:{port}/api/contacts", duration_s=1, connections=4
        )
    verdicts = {v.expression: v.passed for v in result.thresholds}
    assert verdicts == {"p50<20ms": False, "p95<40ms": False, "p99<1000ms": True, "error_rate<1%": True}
    assert result.passed is False
    assert "| p50 latency |" in result.report and "< 20 ms | ❌" in result.report


async def test_the_report_follows_the_skill_template(empty_project):
    with http_server() as (port, _):
        result = await loadtest(
            empty_project,
            url=f"http://127.0.0.1:{port}/api/health",
            duration_s=2,
            connections=2,
            thresholds=["rps>=10", "p95<500ms"],
        )
    report = result.report
    for heading in (
        "## Load Test Results — http://127.0.0.1",
        "### Configuration",
        "- Concurrency: 2 connections",
        "### Results",
        "| Metric | Value | Budget | Status |",
        "| Requests/sec |",
        "| Total requests |",
        "| Timeouts | 0 | 0 | ✅ |",
        "### Observations",
        "No failed requests.",
    ):
        assert heading in report, heading
    assert result.passed is True


async def test_the_checkpoint_records_results_and_never_the_authorization_header(empty_project):
    with http_server() as (port, _):
        await loadtest(
            empty_project,
            url=f"http://127.0.0.1:{port}/",
            requests=20,
            connections=1,
            headers={"Authorization": "Bearer s3cr3t-token-value"},
            thresholds=["p99<1s"],
        )
    path = empty_project / ".checkpoints" / "oc-scale-ops.checkpoint.json"
    text = path.read_text()
    assert "s3cr3t-token-value" not in text
    doc = orjson.loads(text)
    record = doc["skill_state"]["loadtest"]
    assert record["requests"] == 20 and record["passed"] is True and record["concurrency"] == 1
    assert set(record["latency_ms"]) == {"p50", "p95", "p99", "max"}
    assert validate_checkpoint(doc, file_name=path.name).valid


async def test_a_sweep_returns_throughput_per_concurrency_level(empty_project):
    with http_server(Behaviour(delay_s=0.01)) as (port, _):
        result = await loadtest(empty_project, url=f"http://127.0.0.1:{port}/", sweep=[1, 2, 4], step_duration_s=1)
    levels = [(s.concurrency, s.throughput_rps) for s in result.sweep]
    assert [c for c, _ in levels] == [1, 2, 4]
    assert levels[0][1] < levels[1][1] < levels[2][1]
    doc = orjson.loads((empty_project / ".checkpoints" / "oc-scale-ops.checkpoint.json").read_bytes())
    assert [s["concurrency"] for s in doc["skill_state"]["loadtest"]["sweep"]] == [1, 2, 4]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"url": "ftp://127.0.0.1/"}, "only http:// and https://"),
        ({"url": "http://"}, "has no host"),
        ({}, "give `url`"),
        ({"url": "http://127.0.0.1:1/", "duration_s": 3600}, "the cap is"),
        (
            {"endpoints": [{"url": "http://127.0.0.1:1/a"}, {"url": "http://127.0.0.1:2/b"}]},
            "share one origin",
        ),
        ({"url": "http://127.0.0.1:1/", "thresholds": ["p95 fast"]}, "is not like"),
        ({"url": "http://127.0.0.1:1/", "method": "BREW"}, "method 'BREW'"),
    ],
)
async def test_bad_input_is_refused_before_any_traffic(empty_project, kwargs, message):
    with pytest.raises(InputError, match=message):
        await loadtest(empty_project, **kwargs)


async def test_a_hosted_server_refuses_loopback_targets_unless_allowed(empty_project, monkeypatch):
    monkeypatch.setenv("OC_SCALE_HOSTED", "1")
    with pytest.raises(InputError, match="private/loopback"):
        await loadtest(empty_project, url="http://127.0.0.1:9/", requests=1)
    with http_server() as (port, _):
        result = await loadtest(
            empty_project,
            url=f"http://127.0.0.1:{port}/",
            requests=5,
            allow_private_targets=True,
            thresholds=[],
        )
    assert result.run.requests == 5


def test_the_cli_exits_1_when_a_threshold_fails(empty_project, capsys):
    with http_server(Behaviour(delay_s=0.03)) as (port, _):
        code = main(
            [
                "loadtest",
                "--project-dir",
                str(empty_project),
                "--url",
                f"http://127.0.0.1:{port}/",
                "--requests",
                "20",
                "--connections",
                "2",
                "--workers",
                "1",
                "--thresholds",
                "p50<5ms",
            ]
        )
    assert code == 1 and "❌" in capsys.readouterr().out
