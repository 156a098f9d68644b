"""Real transports: a stdio subprocess (`oc-scale serve`) and streamable HTTP with a bearer token."""

import os
import socket
import subprocess
import sys
import time

import httpx
import httpx2
import pytest
from mcp import Client, StdioServerParameters
from mcp.client.streamable_http import streamable_http_client

pytestmark = pytest.mark.anyio


async def test_a_stdio_subprocess_lists_tools_and_answers_checkpoint(example_project):
    params = StdioServerParameters(command=sys.executable, args=["-m", "oc_scale_mcp", "serve"])
    async with Client(params) as client:
        names = {tool.name for tool in (await client.list_tools()).tools}
        assert {"checkpoint", "budget"} <= names
        result = await client.call_tool("checkpoint", {"project_dir": str(example_project)})
        assert result.is_error is False
        assert "No oc-scale checkpoint yet" in result.structured_content["report"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def http_server():
    port = _free_port()
    env = os.environ | {"OC_SCALE_TOKEN": "test-token-123"}
    process = subprocess.Popen(
        [sys.executable, "-m", "oc_scale_mcp", "serve", "--http", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                break
        except httpx.TransportError:
            time.sleep(0.05)
    else:
        process.kill()
        pytest.fail("HTTP server did not start: " + process.stderr.read().decode())
    yield base
    process.terminate()
    process.wait(timeout=10)


async def test_healthz_answers_without_a_token(http_server):
    response = httpx.get(f"{http_server}/healthz")
    assert response.status_code == 200 and response.json()["status"] == "ok"


async def test_a_call_without_the_token_gets_401(http_server):
    body = {"jsonrpc": "2.0", "id": 1, "method": "tools/list"}
    headers = {"accept": "application/json, text/event-stream"}
    assert httpx.post(f"{http_server}/mcp", json=body, headers=headers).status_code == 401
    wrong = headers | {"authorization": "Bearer nope"}
    assert httpx.post(f"{http_server}/mcp", json=body, headers=wrong).status_code == 401


async def test_a_call_with_the_token_works(http_server, example_project):
    http_client = httpx2.AsyncClient(headers={"Authorization": "Bearer test-token-123"}, timeout=30)
    async with Client(streamable_http_client(f"{http_server}/mcp", http_client=http_client)) as client:
        names = {tool.name for tool in (await client.list_tools()).tools}
        assert "budget" in names
        result = await client.call_tool("budget", {"project_dir": str(example_project)})
        assert result.structured_content["rows"][0]["metric"] == "ttfb_ms"


def test_a_public_bind_without_a_token_refuses_to_start():
    env = {k: v for k, v in os.environ.items() if k != "OC_SCALE_TOKEN"}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "oc_scale_mcp",
            "serve",
            "--http",
            "--host",
            "0.0.0.0",
            "--port",
            str(_free_port()),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 2
    assert "without a bearer token: set OC_SCALE_TOKEN" in done.stderr
