"""`checkpoint`: show, list, validate and reset the skill's state in `.checkpoints/`."""

from typing import Any, Literal

from pydantic import BaseModel, Field

from oc_scale_mcp.commands.spec import CommandSpec, Hints, Progress
from oc_scale_mcp.core.checkpoint import CheckpointStore, validate_checkpoint
from oc_scale_mcp.core.checkpoint.cross_skill import read_sibling_checkpoints
from oc_scale_mcp.core.checkpoint.store import CHECKPOINT_FILE_NAME, load_json_object
from oc_scale_mcp.core.errors import CheckpointError
from oc_scale_mcp.core.models import CommandParams, CommandResult
from oc_scale_mcp.core.project import Project
from oc_scale_mcp.core.timestamps import describe_age, parse_timestamp


class CheckpointParams(CommandParams):
    action: Literal["status", "show", "list", "next", "validate", "reset"] = Field(
        "status",
        description="status: the resume block (default). show: the whole oc-scale checkpoint. list: every "
        "skill's checkpoint with a one-line status. next: the next actions. validate: check every checkpoint "
        "file against the protocol. reset: archive the oc-scale checkpoint into .checkpoints/history/ and "
        "start fresh.",
    )


class FileCheck(BaseModel):
    file: str
    valid: bool
    errors: list[str]
    warnings: list[str]


class CheckpointLine(BaseModel):
    file: str
    skill: str
    status: str
    updated_at: str | None
    summary: str


class CheckpointResult(CommandResult):
    action: str
    path: str = Field(description="Path of the oc-scale checkpoint file.")
    exists: bool
    status: str | None = None
    updated_at: str | None = None
    progress_done: int | None = None
    progress_total: int | None = None
    next_actions: list[str] = Field(default_factory=list)
    open_blockers: list[str] = Field(default_factory=list)
    document: dict[str, Any] | None = Field(None, description="The whole checkpoint (action=show).")
    checkpoints: list[CheckpointLine] = Field(default_factory=list, description="action=list.")
    checks: list[FileCheck] = Field(default_factory=list, description="action=validate.")
    archived_to: str | None = Field(None, description="action=reset: where the old file went.")


def _action_text(action: Any) -> str:
    if isinstance(action, dict):
        text = str(action.get("text", ""))
        return f"{text} (done when: `{action['done_when']}`)" if action.get("done_when") else text
    return str(action)


def _blocker_text(blocker: Any) -> str:
    if not isinstance(blocker, dict):
        return str(blocker)
    needs = f" [needs {blocker['needs']}]" if blocker.get("needs") else ""
    return f"{blocker.get('id', '?')}: {blocker.get('description', '')}{needs}"


def _progress(doc: dict[str, Any]) -> tuple[int, int]:
    rows = [r for r in doc.get("progress_table") or [] if isinstance(r, dict)]
    return sum(1 for r in rows if r.get("status") == "complete"), len(rows)


async def run(params: CheckpointParams, progress: Progress) -> CheckpointResult:
    project = Project.open(params.project_dir)
    store = CheckpointStore(project)
    base = {"action": params.action, "path": str(store.path)}
    if params.action == "list":
        return _list(project, store, base)
    if params.action == "validate":
        return _validate(project, store, base)
    if params.action == "reset":
        archived = store.reset()
        report = (
            f"Archived the oc-scale checkpoint to `{archived.relative_to(project.root)}`; the next command "
            "starts a fresh one."
            if archived
            else "There was no oc-scale checkpoint to reset."
        )
        return CheckpointResult(
            **base,
            exists=False,
            archived_to=str(archived) if archived else None,
            report=f"# Checkpoint reset — {project.name}\n\n{report}\n",
        )

    doc = store.read()
    if not doc:
        return CheckpointResult(
            **base,
            exists=False,
            report=f"# Checkpoint — {project.name}\n\nNo oc-scale checkpoint yet (`{CHECKPOINT_FILE_NAME}`). "
            "Run `budget`, `audit` or `loadtest` to start one.\n",
        )
    done, total = _progress(doc)
    next_actions = [_action_text(a) for a in doc.get("next_actions") or []]
    blockers = [_blocker_text(b) for b in doc.get("blockers") or []]
    fields = dict(
        exists=True,
        status=doc.get("status"),
        updated_at=doc.get("updated_at"),
        progress_done=done,
        progress_total=total,
        next_actions=next_actions,
        open_blockers=blockers,
    )
    if params.action == "show":
        import orjson

        text = orjson.dumps(doc, option=orjson.OPT_INDENT_2).decode()
        return CheckpointResult(
            **base, **fields, document=doc, report=f"# Checkpoint — {project.name}\n\n```json\n{text}\n```\n"
        )
    if params.action == "next":
        lines = "\n".join(f"{i}. {a}" for i, a in enumerate(next_actions, 1)) or "Nothing queued."
        return CheckpointResult(**base, **fields, report=f"# Next actions — {project.name}\n\n{lines}\n")
    updated = parse_timestamp(doc.get("updated_at", ""))
    age = describe_age(updated) if updated else "unknown (bad timestamp)"
    lines = [
        f"# Resume — {doc.get('project', project.name)}",
        "",
        f"- Last update: {age} ({doc.get('updated_at')})",
        f"- Status: {doc.get('status')} — phase `{doc.get('phase')}`, step `{doc.get('step')}`",
        f"- Summary: {doc.get('progress_summary', '')}",
        f"- Progress: {done}/{total}",
        f"- Next action: {next_actions[0] if next_actions else 'none'}",
        f"- Open blockers: {'; '.join(blockers) if blockers else 'none'}",
    ]
    deferred = doc.get("pm_deferred_actions") or []
    if deferred:
        lines.append(f"- PM writes waiting for `sync_pm`: {len(deferred)}")
    return CheckpointResult(**base, **fields, report="\n".join(lines) + "\n")


def _list(project: Project, store: CheckpointStore, base: dict[str, Any]) -> CheckpointResult:
    entries: list[CheckpointLine] = []
    try:
        ours = store.read()
        if ours:
            entries.append(
                CheckpointLine(
                    file=CHECKPOINT_FILE_NAME,
                    skill=ours.get("skill", "?"),
                    status=str(ours.get("status")),
                    updated_at=ours.get("updated_at"),
                    summary=_one_line(ours.get("progress_summary")),
                )
            )
    except CheckpointError as exc:
        entries.append(
            CheckpointLine(
                file=CHECKPOINT_FILE_NAME,
                skill="oc-scale-ops",
                status="corrupt",
                updated_at=None,
                summary=str(exc),
            )
        )
    for sibling in read_sibling_checkpoints(project):
        view = sibling.view or {}
        entries.append(
            CheckpointLine(
                file=sibling.file_name,
                skill=sibling.skill,
                status=str(view.get("status")) if sibling.view else "corrupt",
                updated_at=view.get("updated_at"),
                summary=_one_line(view.get("progress_summary")) if sibling.view else (sibling.error or ""),
            )
        )
    table = ["| File | Status | Updated | Summary |", "|---|---|---|---|"]
    table += [f"| {e.file} | {e.status} | {e.updated_at or '—'} | {e.summary} |" for e in entries]
    body = "\n".join(table) if entries else "No checkpoints in `.checkpoints/`."
    return CheckpointResult(
        **base,
        exists=store.exists(),
        checkpoints=entries,
        report=f"# Checkpoints — {project.name}\n\n{body}\n",
    )


def _validate(project: Project, store: CheckpointStore, base: dict[str, Any]) -> CheckpointResult:
    checks: list[FileCheck] = []
    directory = project.checkpoint_dir
    paths = sorted(directory.glob("*.checkpoint.json")) if directory.is_dir() else []
    for path in paths:
        try:
            doc = load_json_object(path)
            verdict = validate_checkpoint(doc, file_name=path.name, size_bytes=path.stat().st_size)
            checks.append(
                FileCheck(file=path.name, valid=verdict.valid, errors=verdict.errors, warnings=verdict.warnings)
            )
        except CheckpointError as exc:
            checks.append(FileCheck(file=path.name, valid=False, errors=[str(exc)], warnings=[]))
    lines = [f"# Checkpoint validation — {project.name}", ""]
    if not checks:
        lines.append("No checkpoint files in `.checkpoints/`.")
    for check in checks:
        lines.append(f"## {check.file}: {'valid' if check.valid else 'INVALID'}")
        lines += [f"- error: {e}" for e in check.errors] + [f"- warning: {w}" for w in check.warnings]
        lines.append("")
    return CheckpointResult(
        **base,
        exists=store.exists(),
        checks=checks,
        passed=all(c.valid for c in checks) if checks else None,
        report="\n".join(lines).rstrip() + "\n",
    )


def _one_line(text: Any) -> str:
    text = " ".join(str(text or "").split())
    return text if len(text) <= 100 else text[:97] + "..."


SPEC = CommandSpec(
    name="checkpoint",
    title="Checkpoint status",
    summary="Show, list, validate or reset the scale-ops checkpoint (.checkpoints/).",
    description=(
        "Read the oc-scale state of a project: use it at the start of a session to resume (action=status "
        "gives last update, progress, next action and blockers), to see every opchain skill's checkpoint "
        "(list), to print the whole state (show), to check every checkpoint file against the protocol "
        "(validate), or to archive the state and start over (reset, the only action that changes anything; "
        "the old file is kept in .checkpoints/history/). Needs only project_dir."
    ),
    params=CheckpointParams,
    result=CheckpointResult,
    run=run,
    hints=Hints(read_only=False, destructive=True, idempotent=False, open_world=False),
    checkpoint_event=None,
)
