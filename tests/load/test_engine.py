"""The builtin engine against real servers on 127.0.0.1, each with one behaviour."""

import pytest

from oc_scale_mcp.commands.loadtest import LoadtestParams, run
from oc_scale_mcp.commands.spec import no_progress
from tests.servers import Behaviour, http_server, refused_port

pytestmark = pytest.mark.anyio


async def loadtest(project, **kw):
    kw.setdefault("workers", 1)
    kw.setdefault("thresholds", [])
    return await run(LoadtestParams(project_dir=str(project), **kw), no_progress)


async def test_a_fast_server_is_loaded_with_keep_alive_and_every_request_succeeds(empty_project):
    with http_server() as (port, server):
        result = await loadtest(empty_project, url=f"http://127.0.0.1:{port}/", duration_s=2, connections=4)
    run_ = result.run
    assert run_.requests > 1000 and run_.error_rate == 0 and run_.status_counts == {"200": run_.requests}
    assert server.requests >= run_.requests
    assert run_.latency.p50_ms < 20 and run_.ttfb.count == run_.requests
    assert len(run_.timeseries) >= 2 and run_.timeseries[0].rps > 0


async def test_a_fixed_50_ms_server_measures_p50_within_10_percent(empty_project):
    with http_server(Behaviour(delay_s=0.05)) as (port, _):
        result = await loadtest(empty_project, url=f"http://127.0.0.1:{port}/", duration_s=2, connections=10)
    assert 45 <= result.run.latency.p50_ms <= 55
    assert 45 <= result.run.service_time.p50_ms <= 55


async def test_at_a_fixed_rate_a_stall_shows_in_corrected_p99_but_not_in_service_time(empty_project):
    behaviour = Behaviour(stall_every_s=3.0, stall_s=1.0)
    with http_server(behaviour) as (port, _):
        result = await loadtest(empty_project, url=f"http://127.0.0.1:{port}/", rate=200, connections=2, duration_s=9)
    run_ = result.run
    assert run_.model == "open"
    assert run_.latency.p99_ms > 500, "requests scheduled during the stall waited for it"
    assert run_.service_time.p99_ms < 100, "once sent, requests were fast"
    assert run_.late_requests > 0
    assert any("coordinated-omission" in note for note in [result.report])


async def test_http_500s_are_failures_never_successes(empty_project):
    with http_server(Behaviour(status=500)) as (port, _):
        result = await loadtest(
            empty_project,
            url=f"http://127.0.0.1:{port}/",
            duration_s=1,
            connections=2,
            thresholds=["error_rate<1%"],
        )
    assert result.run.errors["http_5xx"] == result.run.requests > 0
    assert result.run.error_rate == 1.0 and result.passed is False


async def test_404s_are_counted_as_4xx(empty_project):
    with http_server(Behaviour(status=404)) as (port, _):
        result = await loadtest(empty_project, url=f"http://127.0.0.1:{port}/", requests=50, connections=2)
    assert result.run.errors["http_4xx"] == 50 and result.run.requests == 50


async def test_a_refused_connection_is_classified_and_the_run_still_ends(empty_project):
    port = refused_port()
    result = await loadtest(empty_project, url=f"http://127.0.0.1:{port}/", duration_s=1, connections=2)
    assert result.run.errors["connection_refused"] > 0
    assert result.run.error_rate == 1.0 and "connection_refused" in " ".join(result.run.notes)


async def test_a_server_that_resets_connections_is_classified(empty_project):
    with http_server(Behaviour(reset=True)) as (port, _):
        result = await loadtest(empty_project, url=f"http://127.0.0.1:{port}/", duration_s=1, connections=2)
    assert result.run.errors["reset"] > 0 and result.run.errors["http_5xx"] == 0


async def test_a_slow_body_times_out(empty_project):
    with http_server(Behaviour(slow_body=True)) as (port, _):
        result = await loadtest(
            empty_project, url=f"http://127.0.0.1:{port}/", duration_s=1.5, connections=2, timeout_s=0.4
        )
    assert result.run.timeouts >= 2 and result.run.errors["read_timeout"] == result.run.timeouts


async def test_chunked_bodies_and_connection_close_responses_are_read_whole(empty_project):
    with http_server(Behaviour(chunked=True, body=b"x" * 5000)) as (port, _):
        chunked = await loadtest(empty_project, url=f"http://127.0.0.1:{port}/", requests=200, connections=2)
    assert chunked.run.requests == 200 and chunked.run.error_rate == 0
    assert chunked.run.throughput_bytes_per_s > 0
    with http_server(Behaviour(close_after_response=True)) as (port, server):
        closing = await loadtest(empty_project, url=f"http://127.0.0.1:{port}/", requests=100, connections=2)
    assert closing.run.requests == 100 and closing.run.error_rate == 0 and server.requests == 100


async def test_open_model_rate_is_accurate_within_2_percent_at_2000_rps(empty_project):
    with http_server() as (port, _):
        result = await loadtest(
            empty_project, url=f"http://127.0.0.1:{port}/", rate=2000, connections=64, duration_s=4, workers=2
        )
    run_ = result.run
    assert run_.requests == pytest.approx(8000, rel=0.02)
    full_seconds = [s.rps for s in run_.timeseries[:4]]
    # completions per single second jitter with the (in-process) server's scheduling; their mean must not
    assert sum(full_seconds) / 4 == pytest.approx(2000, rel=0.02), full_seconds
    assert run_.dropped_requests == 0


async def test_weighted_endpoints_share_the_load_and_are_reported_each(empty_project):
    with http_server() as (port, _):
        base = f"http://127.0.0.1:{port}"
        result = await loadtest(
            empty_project,
            requests=400,
            connections=4,
            endpoints=[
                {"url": f"{base}/a", "weight": 3},
                {"url": f"{base}/b", "method": "POST", "body": "{}", "weight": 1},
            ],
        )
    counts = {e.name: e.requests for e in result.run.endpoints}
    assert counts == {"GET /a": 300, "POST /b": 100}
    assert "### Per endpoint" in result.report


async def test_open_rate_stages_ramp_up(empty_project):
    with http_server() as (port, _):
        result = await loadtest(
            empty_project,
            url=f"http://127.0.0.1:{port}/",
            stages=[{"duration_s": 2, "rate": 100}, {"duration_s": 2, "rate": 400}],
        )
    series = [s.rps for s in result.run.timeseries[:4]]
    assert series[0] < series[1] < series[2] < series[3]
    # ∫rate: per second 0→50, 50→100, 100→250, 250→400 averages 25, 75, 175, 325
    assert result.run.requests == pytest.approx(25 + 75 + 175 + 325, rel=0.03)


async def test_closed_connection_stages_ramp_the_active_connections(empty_project):
    with http_server(Behaviour(delay_s=0.02)) as (port, _):
        result = await loadtest(
            empty_project,
            url=f"http://127.0.0.1:{port}/",
            stages=[{"duration_s": 2, "connections": 2}, {"duration_s": 2, "connections": 8}],
        )
    series = [s.rps for s in result.run.timeseries[:4]]
    assert series[3] > 2 * series[0]


async def test_abort_on_fail_stops_early_with_a_partial_result(empty_project):
    with http_server(Behaviour(status=503)) as (port, _):
        result = await loadtest(
            empty_project,
            url=f"http://127.0.0.1:{port}/",
            duration_s=30,
            connections=2,
            thresholds=["error_rate<1%"],
            abort_on_fail=True,
        )
    assert result.run.partial and result.run.stop_reason == "aborted on a failed threshold"
    assert result.run.duration_s < 10 and result.passed is False


async def test_the_requests_bound_ends_the_run(empty_project):
    with http_server() as (port, _):
        result = await loadtest(
            empty_project, url=f"http://127.0.0.1:{port}/", requests=333, connections=3, duration_s=30
        )
    assert result.run.requests == 333 and result.run.duration_s < 10


@pytest.fixture
def tls_server_context():
    import ssl

    import trustme

    authority = trustme.CA()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("localhost", "127.0.0.1").configure_cert(context)
    return context


async def test_tls_with_verification_off_loads_a_self_signed_server(empty_project, tls_server_context):
    with http_server(ssl_context=tls_server_context) as (port, server):
        result = await loadtest(
            empty_project, url=f"https://127.0.0.1:{port}/", requests=200, connections=2, insecure_tls=True
        )
    assert result.run.requests == 200 and result.run.error_rate == 0 and server.requests == 200


async def test_an_untrusted_certificate_is_a_tls_error(empty_project, tls_server_context):
    with http_server(ssl_context=tls_server_context) as (port, _):
        result = await loadtest(empty_project, url=f"https://127.0.0.1:{port}/", duration_s=1, connections=1)
    assert result.run.errors["tls"] > 0 and result.run.error_rate == 1.0


def test_ctrl_c_stops_the_run_cleanly_and_returns_a_partial_result(empty_project):
    import json
    import signal
    import subprocess
    import sys
    import time

    with http_server() as (port, _):
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "oc_scale_mcp",
                "loadtest",
                "--project-dir",
                str(empty_project),
                "--url",
                f"http://127.0.0.1:{port}/",
                "--duration-s",
                "60",
                "--connections",
                "2",
                "--workers",
                "1",
                "--json",
                "--thresholds",
                "[]",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        time.sleep(3)
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=30)
    assert process.returncode == 0, err
    run = json.loads(out)["run"]
    assert run["partial"] is True and run["stop_reason"] == "cancelled"
    assert run["requests"] > 100 and run["duration_s"] < 30
