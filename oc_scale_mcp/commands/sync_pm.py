"""`sync_pm`: replay the PM writes that could not be made (the checkpoint's deferred queue)."""

from typing import Any

from pydantic import Field

from oc_scale_mcp.commands.spec import CommandSpec, Hints, Progress
from oc_scale_mcp.core.checkpoint import CheckpointStore
from oc_scale_mcp.core.errors import InputError, OcScaleError
from oc_scale_mcp.core.models import CommandParams, CommandResult
from oc_scale_mcp.core.project import Project
from oc_scale_mcp.core.timestamps import now_timestamp


class SyncPmParams(CommandParams):
    force: bool = Field(
        False, description="Also retry entries marked non-retriable (after fixing credentials or config)."
    )


class SyncPmResult(CommandResult):
    flushed: int
    failed: int
    remaining: int
    results: list[dict[str, Any]] = Field(default_factory=list)


async def run(params: SyncPmParams, progress: Progress) -> SyncPmResult:
    from oc_scale_mcp.pm.actions import ProviderActions
    from oc_scale_mcp.pm.client import PmError, connect
    from oc_scale_mcp.pm.config import load_config
    from oc_scale_mcp.pm.publish import PmWrite, perform

    project = Project.open(params.project_dir)
    store = CheckpointStore(project)
    queue = [e for e in store.read().get("pm_deferred_actions") or [] if isinstance(e, dict)]
    todo = [e for e in queue if params.force or e.get("retriable", True)]
    if not todo:
        text = (
            "no deferred PM actions queued"
            if not queue
            else f"no retriable deferred PM actions ({len(queue)} non-retriable; use force=true after fixing the cause)"
        )
        return SyncPmResult(flushed=0, failed=0, remaining=len(queue), report=text + "\n", passed=None)
    config = load_config(project.root)
    if config is None:
        raise InputError("PM writes are queued but .opchain/pm.yaml is missing: restore it, then run sync_pm")
    done: dict[str, dict[str, Any]] = {}
    failures: dict[str, tuple[str, bool]] = {}
    results = []
    try:
        async with connect(config.mcp) as session:
            actions = ProviderActions(session, config)
            for index, entry in enumerate(todo):
                await progress(index, len(todo), f"replaying {entry.get('verb')} {entry.get('operation')}")
                try:
                    state, ident = await perform(actions, PmWrite.from_deferred(entry))
                except PmError as exc:
                    failures[entry["id"]] = (str(exc), exc.retriable)
                    continue
                except OcScaleError as exc:
                    failures[entry["id"]] = (str(exc), False)
                    continue
                done[entry["id"]] = {"id": entry["id"], "flushed_at": now_timestamp(), "result_id": ident}
                results.append({"id": entry["id"], "state": state, "result_id": ident})
    except PmError as exc:
        for entry in todo:
            failures.setdefault(entry["id"], (str(exc), True))

    def mutate(doc: dict[str, Any]) -> None:
        kept = []
        for entry in doc.get("pm_deferred_actions") or []:
            if entry.get("id") in done:
                continue
            if entry.get("id") in failures:
                message, retriable = failures[entry["id"]]
                entry["attempts"] = int(entry.get("attempts") or 0) + 1
                entry["last_error"] = message
                entry["last_attempt_at"] = now_timestamp()
                entry["retriable"] = retriable
            kept.append(entry)
        doc["pm_deferred_actions"] = kept
        if done:
            doc.setdefault("pm_flush_log", []).extend(done.values())

    store.update(mutate)
    remaining = len(queue) - len(done)
    report = f"flushed {len(done)} / failed {len(failures)}" + (f" ({remaining} still queued)" if remaining else "")
    return SyncPmResult(
        flushed=len(done),
        failed=len(failures),
        remaining=remaining,
        results=results,
        report=report + "\n",
        passed=not failures,
    )


SPEC = CommandSpec(
    name="sync_pm",
    title="Sync PM writes",
    summary="Replay the PM comments and sub-tickets that were deferred (outage, no config yet), exactly once.",
    description=(
        "Use after a PM outage or once .opchain/pm.yaml is fixed: replays the writes queued in the checkpoint's "
        "pm_deferred_actions (marker check first, so nothing is posted twice), moves each success to "
        "pm_flush_log, and updates attempts and the last error on failures. Answers `flushed N / failed M` or "
        "`no deferred PM actions queued`. force=true also retries entries marked non-retriable (401/403/404/422)."
    ),
    params=SyncPmParams,
    result=SyncPmResult,
    run=run,
    hints=Hints(read_only=False, destructive=False, idempotent=True, open_world=True),
    checkpoint_event=None,
)
