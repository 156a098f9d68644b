"""Rank scaling bottlenecks by headroom × impact: a limit that breaks at 1.5× today's load ranks above
one that breaks at 50×. Findings are tied to the platform limit they push toward (a table scan to D1's
single writer, a per-request KV write to KV's 1 write/s per key); the limit's break point (from the
measured USL fit when there is one, otherwise a static estimate) gives the headroom."""

import math
from dataclasses import dataclass, field

from oc_scale_mcp.core.models import Finding, Severity
from oc_scale_mcp.planning.limits import BreakPoint

IMPACT = {Severity.CRITICAL: 8, Severity.HIGH: 4, Severity.MEDIUM: 2, Severity.LOW: 1}
LIMIT_OF_FINDING = {
    "sql.missing-index": "d1_single_writer",
    "sql.unbounded-list": "d1_single_writer",
    "sql.n-plus-one": "d1_single_writer",
    "sql.n-plus-one-parallel": "d1_single_writer",
    "sql.count-whole-table": "d1_single_writer",
    "sql.order-by-random": "d1_single_writer",
    "sql.offset-pagination": "d1_single_writer",
    "sql.leading-wildcard": "d1_single_writer",
    "sql.or-like-search": "d1_single_writer",
    "api.no-kv-cache": "d1_single_writer",
    "db.single-d1-database": "d1_single_writer",
    "infra.kv-hot-key": "kv_write_per_key",
}


@dataclass(slots=True)
class Bottleneck:
    component: str
    summary: str
    fix: str
    severity: Severity
    breaks_at_users: float | None
    headroom: float | None
    basis: str
    evidence: list[str] = field(default_factory=list)

    @property
    def score(self) -> float:
        """Lower is more urgent: headroom divided by impact (unknown headroom counts as 100×)."""
        return (self.headroom if self.headroom is not None else 100.0) / IMPACT[self.severity]


def rank(findings: list[Finding], limits: list[BreakPoint], current_users: int, basis: str) -> list[Bottleneck]:
    by_limit = {limit.id: limit for limit in limits}
    grouped: dict[str, list[Finding]] = {}
    loose: list[Finding] = []
    for f in findings:
        limit_id = LIMIT_OF_FINDING.get(f.id)
        if limit_id and limit_id in by_limit:
            grouped.setdefault(limit_id, []).append(f)
        elif f.severity in (Severity.HIGH, Severity.CRITICAL):
            loose.append(f)
    found: list[Bottleneck] = []
    for limit in limits:
        feeding = grouped.get(limit.id, [])
        breaks = limit.breaks_at_users
        if math.isinf(breaks) and not feeding:
            continue
        headroom = None if math.isinf(breaks) else breaks / max(1, current_users)
        if not feeding and headroom is not None and headroom > 20:
            continue  # far away and nothing in the code pushes toward it
        severity = _severity_for(headroom, feeding)
        found.append(
            Bottleneck(
                component=limit.label,
                severity=severity,
                fix=(feeding[0].fix if feeding and limit.id == "kv_write_per_key" else limit.fix),
                summary=(
                    f"breaks at ~{breaks:,.0f} daily users ({headroom:,.1f}× today)"
                    if headroom is not None
                    else "no break point at this profile"
                )
                + (
                    f"; pushed by {len(feeding)} finding(s): " + ", ".join(sorted({f.title for f in feeding}))[:200]
                    if feeding
                    else ""
                ),
                breaks_at_users=None if math.isinf(breaks) else round(breaks),
                headroom=headroom,
                basis=f"{basis}: {limit.basis}",
                evidence=[f.evidence for f in feeding[:5]],
            )
        )
    for f in loose:
        found.append(
            Bottleneck(
                component=f"{f.layer.value}: {f.title}",
                summary=f.impact,
                fix=f.fix,
                severity=f.severity,
                breaks_at_users=None,
                headroom=None,
                basis="finding (no load model)",
                evidence=[f.evidence],
            )
        )
    return sorted(found, key=lambda b: (b.score, -IMPACT[b.severity], b.component))


def _severity_for(headroom: float | None, feeding: list[Finding]) -> Severity:
    worst = max((f.severity for f in feeding), key=IMPACT.__getitem__, default=Severity.LOW)
    if headroom is None:
        return worst
    if headroom <= 1.0:
        return Severity.CRITICAL
    if headroom <= 3.0:
        return Severity.HIGH if IMPACT[worst] < IMPACT[Severity.HIGH] else worst
    return worst if feeding else Severity.MEDIUM
