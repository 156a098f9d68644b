"""`oc-scale demo-server`: the example app made real, as a target for the tools."""

import socket
import subprocess
import sys
import time

import httpx
import pytest

from oc_scale_mcp.commands.benchmark import BenchmarkParams
from oc_scale_mcp.commands.benchmark import run as run_benchmark
from oc_scale_mcp.commands.loadtest import LoadtestParams
from oc_scale_mcp.commands.loadtest import run as run_loadtest
from oc_scale_mcp.commands.spec import no_progress

pytestmark = pytest.mark.anyio


@pytest.fixture(scope="module")
def demo_url():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, "-m", "oc_scale_mcp", "demo-server", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            httpx.get(f"{base}/api/health", timeout=1)
            break
        except httpx.TransportError:
            time.sleep(0.1)
    yield base
    process.terminate()
    process.wait(timeout=10)


def test_routes_and_assets_answer(demo_url):
    assert httpx.get(f"{demo_url}/api/health").json() == {"ok": True}
    contacts = httpx.get(f"{demo_url}/api/contacts").json()
    assert len(contacts) == 200 and "notes" in contacts[0]
    assert httpx.get(f"{demo_url}/api/contacts/7").json()["id"] == 7
    assert httpx.get(f"{demo_url}/api/contacts/999999").status_code == 404
    assert httpx.get(f"{demo_url}/api/stats").json()["total"] == 4000
    assert httpx.post(f"{demo_url}/api/track").status_code == 204
    assert "Pipeline CRM" in httpx.get(f"{demo_url}/").text


async def test_the_query_heavy_list_is_much_slower_than_health(demo_url, empty_project):
    result = await run_benchmark(
        BenchmarkParams(
            project_dir=str(empty_project),
            requests=5,
            warmup=1,
            urls=[f"{demo_url}/api/health", f"{demo_url}/api/contacts"],
        ),
        no_progress,
    )
    health, contacts = (e.phases["total"].p50_ms for e in result.endpoints)
    assert contacts > 5 * health


async def test_the_single_writer_route_does_not_scale_with_concurrency(demo_url, empty_project):
    result = await run_loadtest(
        LoadtestParams(
            project_dir=str(empty_project),
            url=f"{demo_url}/api/track",
            method="POST",
            sweep=[1, 8],
            step_duration_s=1.5,
            workers=1,
        ),
        no_progress,
    )
    one, eight = (s.throughput_rps for s in result.sweep)
    assert eight < 1.5 * one, f"writes are serialized: {one:.0f} vs {eight:.0f} req/s"
    assert result.sweep[1].p50_ms > 3 * result.sweep[0].p50_ms
