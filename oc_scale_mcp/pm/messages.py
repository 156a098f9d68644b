"""The text of each PM write, in the skill's words ("PM-Tool MCP Integration"), with stable correlation
ids so that running the same audit twice writes nothing new."""

import hashlib
import re
from typing import Any

from oc_scale_mcp.core.models import Finding, Layer, Severity
from oc_scale_mcp.pm.config import PmConfig
from oc_scale_mcp.pm.publish import PmWrite

CHECKPOINT_POINTER = "Full report: .checkpoints/oc-scale-ops.checkpoint.json"
_LOCATION = re.compile(r"[\w./-]+:\d+")


def stable_id(*parts: str) -> str:
    return hashlib.sha1("|".join(parts).encode()).hexdigest()[:12]


def finding_key(finding: Finding) -> str:
    """Stable across runs: the kind, the title and where (file:line), never measured numbers."""
    where = _LOCATION.search(finding.evidence)
    anchor = where.group(0) if where else re.sub(r"[\d.,~]+", "#", finding.evidence)[:80]
    return f"{finding.id}-{stable_id(finding.id, finding.title, anchor)}"


def _ms(value: Any) -> str:
    return f"{value:.0f}ms" if isinstance(value, int | float) else "—"


def _slo_line(loadtest: dict[str, Any], budgets: dict[str, float]) -> str:
    latency = loadtest.get("latency_ms") or {}
    error = loadtest.get("error_rate")
    if not latency and error is None:
        return "SLO compliance: no load test recorded yet"
    error_text = f"{error:.2%}" if isinstance(error, int | float) else "—"
    return (
        f"SLO compliance: p95 {_ms(latency.get('p95'))} / target {budgets.get('api_p95_ms', 500):.0f}ms · "
        f"p99 {_ms(latency.get('p99'))} / target 1000ms · err {error_text} / target 1%"
    )


def summary_comment(
    event: str,
    correlation: str,
    *,
    readiness: str,
    load_profile: str,
    loadtest: dict[str, Any],
    budgets: dict[str, float],
    bottlenecks: list[tuple[str, str]],
    cost_line: str,
) -> PmWrite:
    lines = [
        f"Scale audit: Readiness {readiness}.",
        f"Load profile: {load_profile}",
        _slo_line(loadtest, budgets),
        "Top three bottlenecks (by headroom × business-impact):",
    ]
    lines += [f"  {i}. {component} — {finding}" for i, (component, finding) in enumerate(bottlenecks[:3], 1)] or [
        "  (none found)"
    ]
    lines += [cost_line, CHECKPOINT_POINTER]
    return PmWrite("add_comment", event, correlation, "", "\n".join(lines))


def risk_tickets(findings: list[Finding], config: PmConfig, current_pain: set[str]) -> list[PmWrite]:
    """One sub-ticket per HIGH/CRITICAL finding: bug if it hurts today, chore if it is scaling prep."""
    writes = []
    for finding in findings:
        if finding.severity not in (Severity.HIGH, Severity.CRITICAL):
            continue
        kind = "bug" if finding.severity is Severity.CRITICAL or finding.id in current_pain else "chore"
        owner_role = "infra" if finding.layer in (Layer.INFRASTRUCTURE, Layer.ARCHITECTURE) else "backend"
        body = "\n".join(
            [
                f"**{finding.title}** ({finding.severity.value}, {finding.layer.value})",
                "",
                f"Evidence: {finding.evidence}",
                f"Impact: {finding.impact}",
                f"Fix: {finding.fix}",
                f"Effort: {finding.effort}",
                "",
                "Found by oc-scale (scaling readiness audit).",
            ]
        )
        writes.append(
            PmWrite(
                "create_issue",
                "scale-risk",
                finding_key(finding),
                "",
                body,
                title=f"[scaling] {finding.title}",
                labels=[
                    *config.labels_default,
                    "scaling",
                    f"severity:{finding.severity.value.lower()}",
                    f"area:{finding.layer.value}",
                ],
                issue_type=config.issue_types.get(kind, kind.title()),
                assignee=config.remediation_owners.get(owner_role),
            )
        )
    return writes


def review_reminder(review_date: str, projection_table: str, config: PmConfig) -> PmWrite:
    body = f"Capacity review due {review_date} (oc-scale plan).\n\n{projection_table}"
    return PmWrite(
        "create_issue",
        "capacity-review",
        review_date,
        "",
        body,
        title=f"[scaling] Capacity review due {review_date}",
        labels=[*config.labels_default, "scaling", "capacity-review"],
        issue_type=config.issue_types.get("chore", "Chore"),
        assignee=config.remediation_owners.get("infra"),
    )


def cost_ticket(title: str, change: str, before: float, after: float, fraction: float, config: PmConfig) -> PmWrite:
    body = (
        f"**{title}** saves ${before - after:,.2f}/month ({fraction:.0%}): ${before:,.2f} → ${after:,.2f}.\n\n"
        f"Change: {change}"
    )
    return PmWrite(
        "create_issue",
        "cost-saving",
        re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-"),
        "",
        body,
        title=f"[cost] {title}: save {fraction:.0%}",
        labels=[*config.labels_default, "scaling", "cost"],
        issue_type=config.issue_types.get("chore", "Chore"),
        assignee=config.remediation_owners.get("infra"),
    )
