"""Performance budgets: the skill's default table, parsing of per-project overrides, and verdicts.

Every budget is an upper bound ("TTFB < 200 ms"): a measurement at or above it fails, one within 10 %
below it warns. Sizes use KB = 1024 bytes, as bundlesize and Lighthouse (KiB) do.
"""

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

from oc_scale_mcp.core.errors import InputError

Unit = Literal["ms", "bytes", "score"]
WARN_FRACTION = 0.9


@dataclass(frozen=True, slots=True)
class BudgetMetric:
    id: str
    label: str
    unit: Unit
    default: float
    measurement: str
    lighthouse_audit: str | None = None


METRICS: tuple[BudgetMetric, ...] = (
    BudgetMetric("ttfb_ms", "Time to First Byte (TTFB)", "ms", 200, "Server response time", "server-response-time"),
    BudgetMetric("fcp_ms", "First Contentful Paint (FCP)", "ms", 1500, "Browser paint", "first-contentful-paint"),
    BudgetMetric(
        "lcp_ms",
        "Largest Contentful Paint (LCP)",
        "ms",
        2500,
        "Largest visible element",
        "largest-contentful-paint",
    ),
    BudgetMetric("cls", "Cumulative Layout Shift (CLS)", "score", 0.1, "Visual stability", "cumulative-layout-shift"),
    BudgetMetric(
        "inp_ms",
        "Interaction to Next Paint (INP)",
        "ms",
        200,
        "Input responsiveness",
        "interaction-to-next-paint",
    ),
    # Not in the skill's table: TBT is the lab proxy for INP, since a navigation Lighthouse run has no INP.
    BudgetMetric(
        "tbt_ms",
        "Total Blocking Time (TBT)",
        "ms",
        200,
        "Main-thread blocking (lab proxy for INP)",
        "total-blocking-time",
    ),
    BudgetMetric("api_p50_ms", "API response time (p50)", "ms", 100, "Median endpoint latency"),
    BudgetMetric("api_p95_ms", "API response time (p95)", "ms", 500, "Tail latency"),
    BudgetMetric("js_bundle_gzip_bytes", "JS bundle size (gzipped)", "bytes", 150 * 1024, "Initial load"),
    BudgetMetric("page_weight_bytes", "Total page weight", "bytes", 500 * 1024, "All resources", "total-byte-weight"),
    BudgetMetric("db_query_p95_ms", "Database query time (p95)", "ms", 50, "Slowest queries"),
)
METRIC_BY_ID = {metric.id: metric for metric in METRICS}
_ALIASES = {metric.id.removesuffix("_ms").removesuffix("_bytes"): metric.id for metric in METRICS} | {
    "js_bundle": "js_bundle_gzip_bytes",
    "bundle": "js_bundle_gzip_bytes",
    "page_weight": "page_weight_bytes",
    "total_page_weight": "page_weight_bytes",
    "api_p50": "api_p50_ms",
    "api_p95": "api_p95_ms",
}

_VALUE = re.compile(r"^\s*(?P<number>\d+(?:\.\d+)?|\.\d+)\s*(?P<unit>[a-zA-Z]*)\s*$")
_TIME_UNITS = {"": 1.0, "ms": 1.0, "s": 1000.0, "sec": 1000.0}
_SIZE_UNITS = {"": 1.0, "b": 1.0, "kb": 1024.0, "kib": 1024.0, "mb": 1024.0**2, "mib": 1024.0**2}


class BudgetStatus(StrEnum):
    PASS = "pass"
    WARN = "warn"
    FAIL = "fail"
    NOT_MEASURED = "not measured"


def metric_id_for(key: str) -> str:
    """Map a user's key (`lcp`, `lcp_ms`, `js_bundle`) to a metric id, or raise a clear error."""
    folded = key.strip().lower().replace("-", "_").replace(" ", "_")
    if folded in METRIC_BY_ID:
        return folded
    if folded in _ALIASES:
        return _ALIASES[folded]
    raise InputError(f"unknown budget metric {key!r}: use one of {', '.join(METRIC_BY_ID)}")


def parse_budget_value(metric: BudgetMetric, value: float | int | str) -> float:
    """Parse `200`, `"200ms"`, `"1.5s"`, `"150KB"`, `"0.1"` into the metric's unit.

    >>> parse_budget_value(METRIC_BY_ID["lcp_ms"], "2.5s")
    2500.0
    >>> parse_budget_value(METRIC_BY_ID["js_bundle_gzip_bytes"], "150 kB")
    153600.0
    """
    if isinstance(value, bool):
        raise InputError(f"budget for {metric.id} must be a number, not {value!r}")
    if isinstance(value, int | float):
        number = float(value)
    else:
        match = _VALUE.match(str(value))
        if not match:
            raise InputError(
                f"budget for {metric.id} {value!r} is not a number with an optional unit ({_unit_hint(metric)})"
            )
        unit = match["unit"].lower()
        scale = {"ms": _TIME_UNITS, "bytes": _SIZE_UNITS, "score": {"": 1.0}}[metric.unit].get(unit)
        if scale is None:
            raise InputError(f"budget for {metric.id} {value!r} has unit {match['unit']!r}; {_unit_hint(metric)}")
        number = float(match["number"]) * scale
    if not number > 0 or number != number or number == float("inf"):
        raise InputError(f"budget for {metric.id} must be a positive number, got {value!r}")
    return number


def _unit_hint(metric: BudgetMetric) -> str:
    return {
        "ms": "use ms or s, e.g. 200ms or 1.5s",
        "bytes": "use B, KB or MB, e.g. 150KB",
        "score": "it is a unitless score, e.g. 0.1",
    }[metric.unit]


def resolve_budgets(
    overrides: dict[str, float | int | str] | None, base: dict[str, float] | None = None
) -> dict[str, float]:
    """The default table, then `base` (budgets stored earlier), then the caller's overrides."""
    budgets = {metric.id: float(metric.default) for metric in METRICS}
    for key, value in (base or {}).items():
        if key in METRIC_BY_ID and isinstance(value, int | float) and value > 0:
            budgets[key] = float(value)
    for key, value in (overrides or {}).items():
        metric_id = metric_id_for(key)
        budgets[metric_id] = parse_budget_value(METRIC_BY_ID[metric_id], value)
    return budgets


def stored_values(skill_state: dict) -> dict[str, float]:
    """The budget values recorded by `budget set` (skill_state.budgets.values), or `{}`."""
    record = skill_state.get("budgets")
    values = record.get("values") if isinstance(record, dict) else None
    return values if isinstance(values, dict) else {}


def judge(measured: float | None, budget: float) -> BudgetStatus:
    """pass below 90 % of the budget, warn from 90 % up to it, fail at or above it."""
    if measured is None:
        return BudgetStatus.NOT_MEASURED
    if measured >= budget:
        return BudgetStatus.FAIL
    if measured >= WARN_FRACTION * budget:
        return BudgetStatus.WARN
    return BudgetStatus.PASS


def format_value(metric: BudgetMetric, value: float | None) -> str:
    """Human form in the metric's unit: `1.5 s`, `180 ms`, `146.5 KB`, `0.08`."""
    if value is None:
        return "—"
    if metric.unit == "ms":
        return f"{value / 1000:.2f} s" if value >= 1000 else f"{value:.0f} ms"
    if metric.unit == "bytes":
        return f"{value / 1024:.1f} KB"
    return f"{value:.3g}"
