"""Budget values parse with their units; verdicts follow the < budget rule."""

import pytest

from oc_scale_mcp.analysis.budgets import (
    METRIC_BY_ID,
    METRICS,
    BudgetStatus,
    judge,
    parse_budget_value,
    resolve_budgets,
)
from oc_scale_mcp.core.errors import InputError


def test_the_default_table_is_the_skills():
    defaults = {m.id: m.default for m in METRICS}
    assert defaults["ttfb_ms"] == 200 and defaults["fcp_ms"] == 1500 and defaults["lcp_ms"] == 2500
    assert defaults["cls"] == 0.1 and defaults["inp_ms"] == 200
    assert defaults["api_p50_ms"] == 100 and defaults["api_p95_ms"] == 500
    assert defaults["js_bundle_gzip_bytes"] == 150 * 1024 and defaults["page_weight_bytes"] == 500 * 1024
    assert defaults["db_query_p95_ms"] == 50


@pytest.mark.parametrize(
    ("metric", "value", "expected"),
    [
        ("lcp_ms", "2.5s", 2500),
        ("lcp_ms", "900ms", 900),
        ("lcp_ms", 1200, 1200),
        ("cls", "0.05", 0.05),
        ("js_bundle_gzip_bytes", "150KB", 153600),
        ("page_weight_bytes", "1 MB", 1048576),
        ("js_bundle_gzip_bytes", 90000, 90000),
    ],
)
def test_values_parse_in_the_metrics_unit(metric, value, expected):
    assert parse_budget_value(METRIC_BY_ID[metric], value) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("metric", "value", "message"),
    [
        ("lcp_ms", "150KB", "has unit 'KB'"),
        ("js_bundle_gzip_bytes", "2s", "has unit 's'"),
        ("cls", "fast", "is not a number"),
        ("ttfb_ms", -5, "positive"),
        ("ttfb_ms", True, "must be a number"),
        ("ttfb_ms", 0, "positive"),
    ],
)
def test_malformed_values_are_clear_errors(metric, value, message):
    with pytest.raises(InputError, match=message):
        parse_budget_value(METRIC_BY_ID[metric], value)


def test_overrides_use_short_keys_and_unknown_keys_are_refused():
    budgets = resolve_budgets({"lcp": "2s", "api_p95": "300ms"})
    assert budgets["lcp_ms"] == 2000 and budgets["api_p95_ms"] == 300
    with pytest.raises(InputError, match="unknown budget metric 'speed'"):
        resolve_budgets({"speed": 1})


def test_stored_budgets_are_the_base_and_overrides_win():
    assert resolve_budgets({"ttfb": 150}, {"ttfb_ms": 180, "lcp_ms": 2000})["ttfb_ms"] == 150
    assert resolve_budgets(None, {"lcp_ms": 2000})["lcp_ms"] == 2000


@pytest.mark.parametrize(
    ("measured", "status"),
    [
        (None, BudgetStatus.NOT_MEASURED),
        (50, BudgetStatus.PASS),
        (89.9, BudgetStatus.PASS),
        (90, BudgetStatus.WARN),
        (99.9, BudgetStatus.WARN),
        (100, BudgetStatus.FAIL),
        (250, BudgetStatus.FAIL),
    ],
)
def test_verdicts(measured, status):
    assert judge(measured, 100) is status
