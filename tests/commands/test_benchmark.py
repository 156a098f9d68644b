"""`benchmark`: sequential, phase-by-phase timings against real servers on 127.0.0.1."""

import gzip

import pytest

from oc_scale_mcp.commands.benchmark import BenchmarkParams, run
from oc_scale_mcp.commands.spec import no_progress
from tests.servers import Behaviour, http_server, refused_port

pytestmark = pytest.mark.anyio


async def benchmark(project, **kw):
    return await run(BenchmarkParams(project_dir=str(project), **kw), no_progress)


async def test_phases_sizes_and_cache_headers_are_measured_per_endpoint(empty_project):
    body = gzip.compress(b'{"contacts": []}' * 300)
    fast = Behaviour(
        body=body, headers={"Content-Encoding": "gzip", "Cache-Control": "public, max-age=60", "ETag": '"v1"'}
    )
    with http_server(fast) as (fast_port, _), http_server(Behaviour(delay_s=0.12)) as (slow_port, _):
        result = await benchmark(
            empty_project,
            requests=10,
            warmup=1,
            urls=[f"http://127.0.0.1:{fast_port}/api/contacts", f"http://127.0.0.1:{slow_port}/slow"],
        )
    fast_result, slow_result = result.endpoints
    assert fast_result.requests == 10 and fast_result.status_counts == {"200": 10}
    assert fast_result.bytes_raw == 16 * 300 and fast_result.bytes_wire == len(body)
    assert fast_result.content_encoding == "gzip" and fast_result.http_version == "HTTP/1.1"
    assert fast_result.cache_headers == {"cache-control": "public, max-age=60", "etag": '"v1"'}
    assert fast_result.phases["connect"].p50_ms > 0 and fast_result.phases["dns"].max_ms == 0
    assert 115 <= slow_result.phases["wait"].p50_ms <= 160
    assert slow_result.phases["total"].p50_ms >= slow_result.phases["ttfb"].p50_ms >= 115
    assert slow_result.budget_status == "fail" and fast_result.budget_status == "pass"
    assert result.passed is False
    assert "| Endpoint | Status | p50 | p95 |" in result.report and "Slowest: http://127.0.0.1" in result.report


async def test_reusing_the_connection_skips_connect_after_the_first(empty_project):
    with http_server() as (port, _):
        result = await benchmark(
            empty_project, urls=[f"http://127.0.0.1:{port}/"], requests=10, warmup=1, reuse_connection=True
        )
    assert result.endpoints[0].phases["connect"].p95_ms == 0


async def test_an_unreachable_endpoint_is_reported_not_raised(empty_project):
    result = await benchmark(empty_project, urls=[f"http://127.0.0.1:{refused_port()}/"], requests=3, warmup=0)
    endpoint = result.endpoints[0]
    assert endpoint.errors == 3 and "connect" in endpoint.error_samples[0]
    assert endpoint.budget_status == "not measured" and result.passed is False
    assert "### Errors" in result.report
