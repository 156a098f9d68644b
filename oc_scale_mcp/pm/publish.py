"""The single entry point for PM writes: `publish(project, writes, ticket)`.

It finds the linked ticket (the `ticket` argument, else the checkpoint's `pm_refs` with role `source`),
connects, and performs each write with its marker check first. A failure never fails the calling
tool: the write goes to `pm_deferred_actions` (retriable or not, per the protocol), and once one write
has failed the rest are queued without being tried, so an outage cannot stretch a tool call to minutes.
"""

import secrets
from dataclasses import dataclass, field
from typing import Any, Literal

from oc_scale_mcp.core.checkpoint import CheckpointStore
from oc_scale_mcp.core.errors import OcScaleError
from oc_scale_mcp.core.models import PmOutcome
from oc_scale_mcp.core.project import Project
from oc_scale_mcp.core.timestamps import now_timestamp
from oc_scale_mcp.pm.client import PmError
from oc_scale_mcp.pm.config import PmConfig, load_config

SKILL = "oc-scale-ops"


@dataclass(slots=True)
class PmWrite:
    operation: Literal["add_comment", "create_issue"]
    event: str  # scale-audit, loadtest, scale-risk, capacity-review, cost-saving
    correlation: str
    ticket: str  # commented on, or the parent of the new sub-ticket
    body: str
    title: str | None = None
    labels: list[str] = field(default_factory=list)
    issue_type: str | None = None
    assignee: str | None = None

    @property
    def marker(self) -> str:
        return f"<!-- opchain:{SKILL}:{self.event}:{self.correlation} -->"

    def marked_body(self) -> str:
        return self.body if self.marker in self.body else f"{self.body}\n\n{self.marker}"

    def payload(self) -> dict[str, Any]:
        return {
            "event": self.event,
            "correlation": self.correlation,
            "body": self.body,
            "title": self.title,
            "labels": self.labels,
            "issue_type": self.issue_type,
            "assignee": self.assignee,
        }

    @classmethod
    def from_deferred(cls, entry: dict[str, Any]) -> "PmWrite":
        payload = entry.get("payload") or {}
        return cls(
            operation=entry["operation"],
            event=payload.get("event", entry.get("verb", "")),
            correlation=payload.get("correlation", ""),
            ticket=entry.get("ticket_id") or "",
            body=payload.get("body", ""),
            title=payload.get("title"),
            labels=payload.get("labels") or [],
            issue_type=payload.get("issue_type"),
            assignee=payload.get("assignee"),
        )


def linked_ticket(doc: dict[str, Any], given: str | None) -> str | None:
    if given:
        return given
    refs = [r for r in doc.get("pm_refs") or [] if isinstance(r, dict) and r.get("role") == "source"]
    return str(refs[-1]["id"]) if refs else None


async def perform(actions, write: PmWrite) -> tuple[str, str]:
    """Do one write, marker check first. Returns ("posted" | "exists", id)."""
    if write.operation == "add_comment":
        if await actions.comment_exists(write.ticket, write.marker):
            return "exists", write.ticket
        return "posted", await actions.add_comment(write.ticket, write.marked_body())
    found = await actions.find_issue(write.marker)
    if found:
        return "exists", found
    created = await actions.create_sub_ticket(
        write.ticket, write.title or "", write.marked_body(), write.labels, write.issue_type or "", write.assignee
    )
    return "posted", created


def _deferred_entry(
    config: PmConfig, write: PmWrite, error: PmError, tool: str | None, attempted: bool
) -> dict[str, Any]:
    stamp = now_timestamp()
    return {
        "id": f"deferred-{stamp}-{secrets.token_hex(2)}",
        "skill": SKILL,
        "verb": write.event,
        "operation": write.operation,
        "provider": config.provider,
        "tool_name": tool,
        "ticket_id": write.ticket,
        "marker": write.marker,
        "payload": write.payload(),
        "queued_at": stamp,
        "last_attempt_at": stamp if attempted else None,
        "attempts": 1 if attempted else 0,
        "last_error": str(error),
        "retriable": error.retriable,
    }


async def publish(project: Project, writes: list[PmWrite], ticket: str | None, *, source: str) -> PmOutcome:
    """Perform `writes` (their `ticket` fields are filled with the linked ticket here)."""
    store = CheckpointStore(project)
    try:
        config = load_config(project.root)
    except OcScaleError as exc:  # a malformed pm.yaml must not fail the tool that produced the report
        return PmOutcome(status="config error", message=f"PM not written: {exc}")
    if config is None:
        return PmOutcome(status="not configured", message="No .opchain/pm.yaml: report produced, no PM write.")
    try:
        doc = store.read()
    except OcScaleError:
        doc = {}
    linked = linked_ticket(doc, ticket)
    if not linked:
        return PmOutcome(
            status="no linked ticket",
            message="No linked ticket (pass `ticket` or add a pm_refs entry "
            "with role source): report produced, no PM write.",
        )
    for write in writes:
        write.ticket = linked
    outcome = PmOutcome(status="posted", message="")
    deferred: list[dict[str, Any]] = []
    skips: list[dict[str, Any]] = []
    children: list[str] = []
    await _run(config, writes, outcome, deferred, skips, children)
    _record(store, config, linked, ticket is not None, deferred, skips, children)
    outcome.deferred = len(deferred)
    if deferred:
        outcome.status = "deferred" if not outcome.posted and not outcome.skipped_existing else "partly deferred"
        outcome.message = (
            f"PM: {len(outcome.posted)} written, {outcome.skipped_existing} already there, "
            f"{len(deferred)} deferred ({deferred[0]['last_error'][:120]}); run `sync_pm` later."
        )
    elif not outcome.posted:
        outcome.status = "nothing new"
        outcome.message = f"PM: every write for {source} was already on {linked} (markers found): nothing posted."
    else:
        outcome.message = (
            f"PM: {len(outcome.posted)} write(s) on {linked}"
            + (f", {outcome.skipped_existing} already there" if outcome.skipped_existing else "")
            + "."
        )
    return outcome


async def _run(
    config: PmConfig, writes: list[PmWrite], outcome: PmOutcome, deferred: list, skips: list, children: list
) -> None:
    from oc_scale_mcp.pm.actions import ProviderActions
    from oc_scale_mcp.pm.client import connect

    try:
        async with connect(config.mcp) as session:
            actions = ProviderActions(session, config)
            failure: PmError | None = None
            for write in writes:
                tool = _tool_name(actions, write)
                if failure is not None:
                    deferred.append(
                        _deferred_entry(
                            config,
                            write,
                            PmError(f"not attempted: {failure}", retriable=failure.retriable),
                            tool,
                            False,
                        )
                    )
                    continue
                try:
                    state, ident = await perform(actions, write)
                except PmError as exc:
                    failure = exc
                    deferred.append(_deferred_entry(config, write, exc, tool, True))
                    continue
                except OcScaleError as exc:  # e.g. the server has no tool for this operation
                    failure = PmError(str(exc), retriable=False)
                    deferred.append(_deferred_entry(config, write, failure, tool, True))
                    continue
                if state == "exists":
                    outcome.skipped_existing += 1
                    skips.append({"ticket": write.ticket, "marker": write.marker, "observed_at": now_timestamp()})
                else:
                    outcome.posted.append(ident)
                if write.operation == "create_issue":
                    children.append(ident)
    except PmError as exc:  # could not connect: queue everything, retriable
        for write in writes[len(outcome.posted) + outcome.skipped_existing + len(deferred) :]:
            deferred.append(_deferred_entry(config, write, exc, None, True))
    except OcScaleError as exc:  # e.g. a ${VAR} in pm.yaml that is not set: needs a fix before a retry
        failure = PmError(str(exc), retriable=False)
        for write in writes[len(outcome.posted) + outcome.skipped_existing + len(deferred) :]:
            deferred.append(_deferred_entry(config, write, failure, None, False))


def _tool_name(actions, write: PmWrite) -> str | None:
    try:
        return actions.tool(write.operation)
    except OcScaleError:
        return None


def _record(
    store: CheckpointStore, config: PmConfig, linked: str, given: bool, deferred: list, skips: list, children: list
) -> None:
    def mutate(doc: dict[str, Any]) -> None:
        if deferred:
            doc.setdefault("pm_deferred_actions", []).extend(deferred)
        if skips:
            doc.setdefault("pm_idempotent_skips", []).extend(skips)
            del doc["pm_idempotent_skips"][:-200]
        refs = doc.setdefault("pm_refs", [])
        known = {(r.get("id"), r.get("role")) for r in refs if isinstance(r, dict)}
        if given and (linked, "source") not in known:
            refs.append({"provider": config.provider, "id": linked, "role": "source"})
        for child in children:
            if (child, "child") not in known:
                refs.append({"provider": config.provider, "id": child, "role": "child"})

    if deferred or skips or children or given:
        store.update(mutate)
