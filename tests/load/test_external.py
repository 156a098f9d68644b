"""wrk, hey and Locust as engines: their real output, parsed into the same result."""

import pytest

from oc_scale_mcp.commands.loadtest import LoadtestParams, run
from oc_scale_mcp.commands.spec import no_progress
from oc_scale_mcp.load.external import parse_hey
from oc_scale_mcp.load.locust_engine import locustfile_source
from tests.servers import Behaviour, http_server

pytestmark = pytest.mark.anyio


async def loadtest(project, **kw):
    return await run(LoadtestParams(project_dir=str(project), **kw), no_progress)


async def test_wrk_output_is_parsed_with_exact_percentiles(empty_project):
    with http_server(Behaviour(delay_s=0.02)) as (port, server):
        result = await loadtest(
            empty_project,
            engine="wrk",
            url=f"http://127.0.0.1:{port}/x",
            connections=4,
            duration_s=1,
            workers=1,
            thresholds=["p50<100ms", "p99.9<1s"],
        )
    run_ = result.run
    assert run_.engine == "wrk" and run_.requests > 50
    assert 19 <= run_.latency.p50_ms <= 30 and run_.latency.p999_ms is not None
    assert abs(run_.requests - server.requests) <= 4  # in flight when wrk stopped
    assert result.passed is True and "coordinated omission is not corrected" in run_.notes[0]


async def test_wrk_counts_non_2xx_responses_as_errors(empty_project):
    with http_server(Behaviour(fail_every=2)) as (port, _):
        result = await loadtest(
            empty_project,
            engine="wrk",
            url=f"http://127.0.0.1:{port}/",
            connections=2,
            duration_s=1,
            workers=1,
            thresholds=[],
        )
    assert result.run.errors["http_4xx_or_5xx"] == pytest.approx(result.run.requests / 2, rel=0.1)


async def test_hey_output_is_parsed_with_statuses_and_errors(empty_project):
    with http_server(Behaviour(fail_every=4, delay_s=0.01)) as (port, server):
        result = await loadtest(
            empty_project,
            engine="hey",
            url=f"http://127.0.0.1:{port}/",
            connections=2,
            requests=80,
            thresholds=[],
        )
    run_ = result.run
    assert run_.engine == "hey" and run_.requests == 80
    assert run_.status_counts == {str(code): n for code, n in sorted(server.statuses.items())}
    assert run_.errors["http_5xx"] == server.statuses[500] > 0
    assert run_.latency.p50_ms >= 10


def test_hey_connection_errors_are_classified():
    output = """
Summary:
  Total:\t0.0051 secs
  Slowest:\t0.0000 secs
  Fastest:\t0.0000 secs
  Average:\t NaN secs
  Requests/sec:\t986.7

Status code distribution:

Error distribution:
  [5]\tGet "http://127.0.0.1:1/": dial tcp 127.0.0.1:1: connect: connection refused
"""
    result = parse_hey(output, "http://127.0.0.1:1/", 1)
    assert result.errors["connection_refused"] == 5 and result.requests == 5 and result.latency is None


async def test_external_engines_refuse_an_open_model(empty_project):
    from oc_scale_mcp.core.errors import InputError

    with pytest.raises(InputError, match="closed model only"):
        await loadtest(empty_project, engine="hey", url="http://127.0.0.1:9/", rate=10, thresholds=[])


def test_the_generated_locustfile_weights_each_endpoint():
    source = locustfile_source(
        [
            {"method": "GET", "path": "/a", "headers": {}, "body": "", "weight": 3, "name": "A"},
            {"method": "POST", "path": "/b", "headers": {"X": "1"}, "body": "{}", "weight": 1, "name": "B"},
        ],
        0.0,
    )
    compile(source, "locustfile.py", "exec")
    assert "@task(3)" in source and "@task(1)" in source and "'POST', '/b'" in source


async def test_a_two_worker_locust_run_on_loopback(empty_project):
    with http_server() as (port, server):
        base = f"http://127.0.0.1:{port}"
        result = await loadtest(
            empty_project,
            engine="locust",
            workers=2,
            connections=4,
            duration_s=3,
            endpoints=[{"url": f"{base}/a", "weight": 3}, {"url": f"{base}/b"}],
            thresholds=[],
        )
    run_ = result.run
    assert run_.engine == "locust" and run_.workers == 2 and run_.requests > 50
    names = {e.name: e.requests for e in run_.endpoints}
    assert set(names) == {"GET /a", "GET /b"} and names["GET /a"] > names["GET /b"]
    assert server.requests >= run_.requests
