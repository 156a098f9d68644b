"""The CI configs that enforce budgets: `lighthouserc.json` assertions and a bundle-size config.

Both are derived from the same budget values, so CI fails exactly when `budget audit` would.
"""

import re
from typing import Any

from oc_scale_mcp.analysis.budgets import METRIC_BY_ID

_HASH = re.compile(r"([.\-_])[A-Za-z0-9_\-]{8,}(?=\.[a-z0-9]+$)")


def _number(value: float) -> float | int:
    """Whole numbers as ints, so the emitted JSON reads `1500`, not `1500.0`."""
    return int(value) if float(value).is_integer() else value


def lighthouserc(budgets: dict[str, float], urls: list[str]) -> dict[str, Any]:
    """Lighthouse CI config: one `maxNumericValue` assertion per budget Lighthouse can measure."""
    assertions: dict[str, Any] = {}
    for metric_id, value in budgets.items():
        audit = METRIC_BY_ID[metric_id].lighthouse_audit
        # INP needs an interaction (timespan mode); lhci's navigation runs never produce it.
        if audit and metric_id != "inp_ms":
            assertions[audit] = ["error", {"maxNumericValue": _number(value)}]
    if "js_bundle_gzip_bytes" in budgets:
        assertions["resource-summary:script:size"] = [
            "error",
            {"maxNumericValue": _number(budgets["js_bundle_gzip_bytes"])},
        ]
    return {"ci": {"collect": {"url": urls, "numberOfRuns": 3}, "assert": {"assertions": assertions}}}


def glob_for_asset(path: str) -> str:
    """Replace a build hash with `*` so the rule survives the next build: `assets/index-4f3a9c1b.js` →
    `assets/index-*.js`."""
    return _HASH.sub(r"\1*", path)


def bundlesize_config(budget_bytes: float, entry_scripts: list[str], dist_prefix: str) -> dict[str, Any]:
    """A bundlesize config for the initial scripts. bundlesize checks each file alone, so with several
    entry scripts each gets the whole budget and `size_limit` below carries the total."""
    paths = sorted({glob_for_asset(f"{dist_prefix}/{p}") for p in entry_scripts}) or [f"{dist_prefix}/**/*.js"]
    max_size = f"{budget_bytes / 1024:.0f} kB"
    return {"files": [{"path": path, "maxSize": max_size, "compression": "gzip"} for path in paths]}


def size_limit_config(budget_bytes: float, entry_scripts: list[str], dist_prefix: str) -> list[dict[str, Any]]:
    """A size-limit config (`.size-limit.json`), which sums every path in one entry: the total budget."""
    paths = sorted({glob_for_asset(f"{dist_prefix}/{p}") for p in entry_scripts}) or [f"{dist_prefix}/**/*.js"]
    return [{"name": "initial JS", "path": paths, "limit": f"{budget_bytes / 1024:.0f} kB", "gzip": True}]
