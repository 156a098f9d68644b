"""k6-style pass/fail thresholds on a load run: `p95<500ms`, `p99<1s`, `error_rate<1%`, `rps>=1000`,
and windowed ones, `p99<800ms over 30s`, where the worst 30-second window must pass.

Metrics: latency percentiles `p50 p75 p90 p95 p99 p99.9` (also k6's `p(95)`), `min mean max`,
`ttfb_p95` / `service_p99` style prefixes, `error_rate`, `rps`. Units: `us ms s` for times
(default ms), `%` for rates (default a fraction), none for rps.
"""

import re
from dataclasses import dataclass

from pydantic import BaseModel, Field

from oc_scale_mcp.core.errors import InputError

_EXPRESSION = re.compile(
    r"^\s*(?P<metric>[a-z_]+(?:\(\s*\d+(?:\.\d+)?\s*\)|\d+(?:\.\d+)?)?|p\d+(?:\.\d+)?)\s*"
    r"(?P<op><=|>=|<|>|==)\s*(?P<value>\d+(?:\.\d+)?)\s*(?P<unit>us|µs|ms|s|%)?"
    r"(?:\s+over\s+(?P<window>\d+)\s*s)?\s*$",
    re.IGNORECASE,
)
_TIME_SCALE = {None: 1.0, "ms": 1.0, "s": 1000.0, "us": 0.001, "µs": 0.001}
_OPS = {
    "<": float.__lt__,
    "<=": float.__le__,
    ">": float.__gt__,
    ">=": float.__ge__,
    "==": lambda a, b: abs(a - b) < 1e-9,
}


@dataclass(frozen=True, slots=True)
class Threshold:
    expression: str
    metric: str  # "latency:p95", "ttfb:p99", "latency:max", "error_rate", "rps"
    op: str
    limit: float  # ms for latency metrics, fraction for error_rate, 1/s for rps
    window_s: int | None


class ThresholdVerdict(BaseModel):
    expression: str
    metric: str = Field(description="What was judged: `latency:p95`, `ttfb:p99`, `error_rate`, `rps`.")
    passed: bool
    measured: float | None
    limit: float
    unit: str
    window_s: int | None = None
    detail: str = ""


def parse_threshold(text: str) -> Threshold:
    """Parse one expression, or raise an `InputError` that shows the accepted forms.

    >>> parse_threshold("p99 < 1s over 30s")
    Threshold(expression='p99 < 1s over 30s', metric='latency:p99', op='<', limit=1000.0, window_s=30)
    """
    match = _EXPRESSION.match(text)
    if not match:
        raise InputError(
            f"threshold {text!r} is not like `p95<500ms`, `error_rate<1%`, `rps>=1000` or `p99<800ms over 30s`"
        )
    name = match["metric"].lower().replace(" ", "")
    value, unit = float(match["value"]), match["unit"]
    window = int(match["window"]) if match["window"] else None
    if window is not None and window < 1:
        raise InputError(f"threshold {text!r}: the window must be at least 1 s")
    if name == "error_rate":
        if unit not in (None, "%"):
            raise InputError(f"threshold {text!r}: error_rate takes a fraction or a percentage")
        return Threshold(text, "error_rate", match["op"], value / 100 if unit == "%" else value, window)
    if name in ("rps", "throughput"):
        if unit is not None:
            raise InputError(f"threshold {text!r}: rps takes a plain number of requests per second")
        return Threshold(text, "rps", match["op"], value, window)
    source = "latency"
    for prefix in ("ttfb_", "service_"):
        if name.startswith(prefix):
            source, name = prefix[:-1], name[len(prefix) :]
    k6 = re.fullmatch(r"p\((\d+(?:\.\d+)?)\)", name)
    if k6:
        name = f"p{k6.group(1)}"
    if not (re.fullmatch(r"p\d+(?:\.\d+)?", name) or name in ("min", "mean", "avg", "max")):
        raise InputError(
            f"threshold {text!r}: unknown metric {match['metric']!r} (use p50…p99.9, mean, max, "
            "error_rate or rps, optionally prefixed ttfb_ or service_)"
        )
    if name.startswith("p") and not 0 < float(name[1:]) <= 100:
        raise InputError(f"threshold {text!r}: a percentile is between 0 and 100")
    if unit == "%":
        raise InputError(f"threshold {text!r}: latency takes us, ms or s")
    return Threshold(
        text, f"{source}:{'mean' if name == 'avg' else name}", match["op"], value * _TIME_SCALE[unit], window
    )


def parse_thresholds(texts: list[str]) -> list[Threshold]:
    return [parse_threshold(text) for text in texts]


def _histogram_value(histogram, stat: str) -> float | None:
    if not histogram.get_total_count():
        return None
    if stat == "max":
        return histogram.get_max_value() / 1000
    if stat == "min":
        return histogram.get_min_value() / 1000
    if stat == "mean":
        return histogram.get_mean_value() / 1000
    return histogram.get_value_at_percentile(float(stat[1:])) / 1000


def unit_of(threshold: Threshold) -> str:
    """The unit a threshold's limit and measurement are in."""
    return {"error_rate": "fraction", "rps": "req/s"}.get(threshold.metric, "ms")


def holds(threshold: Threshold, measured: float | None) -> bool:
    """Whether a measured value satisfies the threshold (no measurement never passes)."""
    return measured is not None and _OPS[threshold.op](float(measured), float(threshold.limit))


def evaluate(
    threshold: Threshold,
    *,
    histograms: dict[str, object],
    requests: int,
    errors: int,
    duration_s: float,
    seconds: list[tuple[int, object, int, int]],
) -> ThresholdVerdict:
    """Judge one threshold on a whole run, or on its worst window (`seconds` holds, per second,
    `(second, latency histogram, completed, errors)`)."""
    higher_is_better = threshold.op in (">", ">=")
    if threshold.window_s is None:
        if threshold.metric == "error_rate":
            measured = errors / requests if requests else None
        elif threshold.metric == "rps":
            measured = requests / duration_s if duration_s > 0 else None
        else:
            source, stat = threshold.metric.split(":")
            measured = _histogram_value(histograms[source], stat)
        detail = ""
    else:
        measured, detail = _worst_window(threshold, seconds, higher_is_better)
    passed = holds(threshold, measured)
    return ThresholdVerdict(
        expression=threshold.expression,
        metric=threshold.metric,
        passed=passed,
        measured=None if measured is None else round(measured, 6),
        limit=threshold.limit,
        unit=unit_of(threshold),
        window_s=threshold.window_s,
        detail=detail or ("" if measured is not None else "no data"),
    )


def _worst_window(threshold: Threshold, seconds: list, higher_is_better: bool) -> tuple[float | None, str]:
    window = threshold.window_s or 1
    ordered = sorted(seconds, key=lambda item: item[0])
    if threshold.metric.split(":")[0] in ("ttfb", "service"):
        raise InputError(f"threshold {threshold.expression!r}: windows apply to latency, error_rate and rps")
    if len(ordered) < window:
        window_slices = [ordered] if ordered else []
    else:
        window_slices = [ordered[i : i + window] for i in range(len(ordered) - window + 1)]
    worst: float | None = None
    worst_start = 0
    for part in window_slices:
        completed = sum(item[2] for item in part)
        errors = sum(item[3] for item in part)
        if threshold.metric == "error_rate":
            value = errors / completed if completed else None
        elif threshold.metric == "rps":
            value = completed / len(part)
        else:
            from oc_scale_mcp.load import histogram as hdr

            value = _histogram_value(hdr.merge([item[1] for item in part]), threshold.metric.split(":")[1])
        if value is None:
            continue
        if worst is None or (value < worst if higher_is_better else value > worst):
            worst, worst_start = value, part[0][0]
    detail = f"worst {window}s window starts at second {worst_start}" if worst is not None else ""
    return worst, detail


def default_thresholds(budgets: dict[str, float] | None) -> list[str]:
    """Thresholds from the recorded budgets (or the skill's defaults): the Load Test Report's rows."""
    budgets = budgets or {}
    p50 = budgets.get("api_p50_ms", 100)
    p95 = budgets.get("api_p95_ms", 500)
    return [f"p50<{p50:g}ms", f"p95<{p95:g}ms", "p99<1000ms", "error_rate<1%"]
