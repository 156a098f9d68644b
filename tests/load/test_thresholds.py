"""k6-style thresholds parse, judge whole runs and worst windows, and reject nonsense clearly."""

from array import array

import pytest

from oc_scale_mcp.core.errors import InputError
from oc_scale_mcp.load import histogram as hdr
from oc_scale_mcp.load.thresholds import default_thresholds, evaluate, parse_threshold


@pytest.mark.parametrize(
    ("text", "metric", "op", "limit", "window"),
    [
        ("p95<500ms", "latency:p95", "<", 500, None),
        ("p99 < 1s", "latency:p99", "<", 1000, None),
        ("p(99.9)<=250", "latency:p99.9", "<=", 250, None),
        ("error_rate<1%", "error_rate", "<", 0.01, None),
        ("error_rate<0.05", "error_rate", "<", 0.05, None),
        ("rps>=1000", "rps", ">=", 1000, None),
        ("p99<800ms over 30s", "latency:p99", "<", 800, 30),
        ("ttfb_p95<200ms", "ttfb:p95", "<", 200, None),
        ("max<2s", "latency:max", "<", 2000, None),
        ("avg<40ms", "latency:mean", "<", 40, None),
    ],
)
def test_expressions_parse(text, metric, op, limit, window):
    threshold = parse_threshold(text)
    assert (threshold.metric, threshold.op, threshold.limit, threshold.window_s) == (
        metric,
        op,
        pytest.approx(limit),
        window,
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("p95 is fast", "is not like"),
        ("latency<5ms", "unknown metric"),
        ("p95<5%", "takes us, ms or s"),
        ("rps>10ms", "plain number"),
        ("p101<5ms", "between 0 and 100"),
        ("error_rate<5ms", "fraction"),
    ],
)
def test_bad_expressions_are_clear_errors(text, message):
    with pytest.raises(InputError, match=message):
        parse_threshold(text)


def _second(index, latencies_ms, errors=0):
    h = hdr.new_histogram()
    hdr.record_batch(h, array("q", [int(v * 1000) for v in latencies_ms]))
    return (index, h, len(latencies_ms), errors)


def test_whole_run_and_worst_window_verdicts():
    seconds = [
        _second(0, [10] * 100),
        _second(1, [10] * 100),
        _second(2, [900] * 100),
        _second(3, [10] * 100),
    ]
    whole = hdr.merge([s[1] for s in seconds])
    kwargs = dict(histograms={"latency": whole}, requests=400, errors=2, duration_s=4.0, seconds=seconds)
    assert evaluate(parse_threshold("p50<50ms"), **kwargs).passed
    assert not evaluate(parse_threshold("p99<800ms"), **kwargs).passed
    windowed = evaluate(parse_threshold("p50<500ms over 1s"), **kwargs)
    assert not windowed.passed and windowed.measured == pytest.approx(900, rel=0.01)
    assert "second 2" in windowed.detail
    assert evaluate(parse_threshold("error_rate<1%"), **kwargs).passed
    assert evaluate(parse_threshold("rps>=100"), **kwargs).passed
    assert not evaluate(parse_threshold("rps>=150"), **kwargs).passed


def test_defaults_follow_the_recorded_budgets():
    assert default_thresholds({"api_p50_ms": 80, "api_p95_ms": 300}) == [
        "p50<80ms",
        "p95<300ms",
        "p99<1000ms",
        "error_rate<1%",
    ]
    assert default_thresholds(None)[:2] == ["p50<100ms", "p95<500ms"]
