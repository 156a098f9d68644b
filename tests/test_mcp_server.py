"""The MCP face, over a real in-process session: tools, schemas, annotations, results and errors."""

import orjson
import pytest
from mcp import Client

from oc_scale_mcp.commands.registry import COMMANDS
from oc_scale_mcp.server import build_server

pytestmark = pytest.mark.anyio


@pytest.fixture
async def client():
    async with Client(build_server(), raise_exceptions=True) as session:
        yield session


async def test_tools_list_shows_exactly_the_registered_commands_with_schemas_and_annotations(client):
    tools = {tool.name: tool for tool in (await client.list_tools()).tools}
    assert set(tools) == {spec.name for spec in COMMANDS}
    for spec in COMMANDS:
        tool = tools[spec.name]
        assert tool.description == spec.description
        assert set(tool.input_schema["properties"]) == set(spec.params.model_fields)
        assert all(prop.get("description") for prop in tool.input_schema["properties"].values())
        assert "report" in tool.output_schema["properties"]
        hints = tool.annotations
        assert (
            hints.read_only_hint,
            hints.destructive_hint,
            hints.idempotent_hint,
            hints.open_world_hint,
        ) == (spec.hints.read_only, spec.hints.destructive, spec.hints.idempotent, spec.hints.open_world)


async def test_enums_and_bounds_reach_the_agent(client):
    tools = {tool.name: tool for tool in (await client.list_tools()).tools}
    assert tools["checkpoint"].input_schema["properties"]["action"]["enum"] == [
        "status",
        "show",
        "list",
        "next",
        "validate",
        "reset",
    ]


async def test_budget_call_returns_structured_content_that_validates(client, example_project):
    progress = []

    async def on_progress(done, total, message):
        progress.append((done, total, message))

    result = await client.call_tool(
        "budget", {"project_dir": str(example_project), "action": "set"}, progress_callback=on_progress
    )
    assert result.is_error is False
    spec = next(s for s in COMMANDS if s.name == "budget")
    model = spec.result.model_validate(result.structured_content)
    assert model.budgets["ttfb_ms"] == 200 and "| Metric | Budget | Measured | Status |" in model.report
    assert progress and progress[-1][2] == "recording budgets"


async def test_checkpoint_call_after_budget_reports_progress(client, example_project):
    await client.call_tool("budget", {"project_dir": str(example_project), "action": "set"})
    result = await client.call_tool("checkpoint", {"project_dir": str(example_project)})
    assert result.structured_content["progress_done"] == 1
    assert result.structured_content["status"] == "in_progress"


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"project_dir": "/definitely/not/here"}, "does not exist"),
        ({"lighthouse_report": "../../etc/passwd"}, "outside project_dir"),
        ({"budgets": {"lcp": "fast"}}, "is not a number"),
        ({"budgets": {"nonsense": 1}}, "unknown budget metric"),
        ({"action": "explode"}, "Input should be 'set' or 'audit'"),
    ],
)
async def test_bad_input_is_a_one_line_tool_error(client, example_project, arguments, message):
    result = await client.call_tool("budget", {"project_dir": str(example_project)} | arguments)
    assert result.is_error is True
    text = result.content[0].text
    assert message in text and "Traceback" not in text and "\n" not in text.strip()


async def test_a_corrupt_checkpoint_is_a_tool_error_that_says_what_to_do(client, example_project):
    (example_project / ".checkpoints").mkdir()
    (example_project / ".checkpoints" / "oc-scale-ops.checkpoint.json").write_text("[1, 2")
    result = await client.call_tool("checkpoint", {"project_dir": str(example_project)})
    assert result.is_error and "checkpoint reset" in result.content[0].text


async def test_results_carry_the_report_as_text_content_too(client, example_project):
    result = await client.call_tool("checkpoint", {"project_dir": str(example_project), "action": "list"})
    assert orjson.loads(result.content[0].text)["report"].startswith("# Checkpoints")


async def test_loadtest_over_mcp_reports_progress_every_second_and_returns_the_report(client, empty_project):
    from tests.servers import http_server

    updates = []

    async def on_progress(done, total, message):
        updates.append((done, total, message))

    with http_server() as (port, _):
        result = await client.call_tool(
            "loadtest",
            {
                "project_dir": str(empty_project),
                "duration_s": 3,
                "url": f"http://127.0.0.1:{port}/",
                "connections": 2,
                "workers": 1,
            },
            progress_callback=on_progress,
        )
    assert result.is_error is False
    assert result.structured_content["run"]["requests"] > 100
    assert len(updates) >= 3 and all("req/s" in message for _, _, message in updates)
    assert updates[0][1] == 3
