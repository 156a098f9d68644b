"""Read the metrics we budget out of a Lighthouse JSON report (an `lhr`, as `lighthouse --output=json`
or Lighthouse CI writes it).

Navigation runs have no INP (it needs an interaction): it is read from a timespan run's
`interaction-to-next-paint` audit when present, and otherwise left unmeasured (TBT is its lab proxy).
"""

from dataclasses import dataclass, field
from typing import Any

from oc_scale_mcp.core.errors import InputError

# metric id -> Lighthouse audit ids that carry it, first found wins
AUDITS: dict[str, tuple[str, ...]] = {
    "fcp_ms": ("first-contentful-paint",),
    "lcp_ms": ("largest-contentful-paint",),
    "cls": ("cumulative-layout-shift",),
    "inp_ms": ("interaction-to-next-paint", "experimental-interaction-to-next-paint"),
    "tbt_ms": ("total-blocking-time",),
    "ttfb_ms": ("server-response-time",),
    "page_weight_bytes": ("total-byte-weight",),
}


@dataclass(slots=True)
class LighthouseMetrics:
    url: str | None
    lighthouse_version: str | None
    values: dict[str, float] = field(default_factory=dict)
    performance_score: float | None = None


def read_lighthouse_report(doc: Any) -> LighthouseMetrics:
    """Extract budgeted metrics from a parsed lhr; a clear error when the JSON is not one."""
    if isinstance(doc, list) and doc and isinstance(doc[0], dict):
        doc = doc[0]  # lhci's manifest-style list of runs: take the first
    if not isinstance(doc, dict) or not isinstance(doc.get("audits"), dict):
        raise InputError(
            "the Lighthouse report has no `audits` object: pass the JSON from `lighthouse <url> --output=json` (an lhr)"
        )
    audits: dict[str, Any] = doc["audits"]
    metrics = LighthouseMetrics(
        url=doc.get("finalDisplayedUrl") or doc.get("finalUrl") or doc.get("requestedUrl"),
        lighthouse_version=doc.get("lighthouseVersion"),
    )
    for metric_id, audit_ids in AUDITS.items():
        for audit_id in audit_ids:
            value = (audits.get(audit_id) or {}).get("numericValue")
            if isinstance(value, int | float) and not isinstance(value, bool):
                metrics.values[metric_id] = float(value)
                break
    score = ((doc.get("categories") or {}).get("performance") or {}).get("score")
    if isinstance(score, int | float):
        metrics.performance_score = float(score)
    return metrics
