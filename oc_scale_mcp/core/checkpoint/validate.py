"""Judge a checkpoint document against the protocol's rules (`shared/spec/checkpoint-protocol.md`).

Errors make a file invalid for other tools of the skill family; warnings are advice (size, long
summaries, recommended fields). The store runs this before every write, so we never write an
invalid file; the `checkpoint validate` action runs it on every file in `.checkpoints/`.
"""

from dataclasses import dataclass, field
from typing import Any

from oc_scale_mcp.core.timestamps import parse_timestamp

REQUIRED_FIELDS = (
    "protocol_version",
    "skill",
    "project",
    "project_dir",
    "created_at",
    "updated_at",
    "phase",
    "step",
    "status",
    "progress_summary",
)
STATUSES = ("in_progress", "blocked", "complete", "failed")
ROW_STATUSES = ("complete", "in_progress", "not_started", "blocked", "failed")
BLOCKER_NEEDS = ("user_decision", "code_fix", "external_dep")
PM_ROLES = ("source", "child", "deploy", "incident", "linked")
ACCEPTED_VERSIONS = ("1.0", "1.1")
SUMMARY_WARN_CHARS = 1200
SIZE_WARN_BYTES = 32 * 1024
KEY_DECISIONS_WARN = 20


@dataclass(slots=True)
class ValidationReport:
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return not self.errors


def _is_nonempty_str(value: Any) -> bool:
    return isinstance(value, str) and value.strip() != ""


def validate_checkpoint(doc: Any, *, file_name: str | None = None, size_bytes: int | None = None) -> ValidationReport:
    """Check one parsed checkpoint document; `file_name` enables the `<skill>.checkpoint.json` rule."""
    report = ValidationReport()
    err, warn = report.errors.append, report.warnings.append
    if not isinstance(doc, dict):
        err("the checkpoint must be a JSON object")
        return report

    for name in REQUIRED_FIELDS:
        value = doc.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            err(f"required field `{name}` is missing or empty")
        elif not isinstance(value, str):
            err(f"`{name}` must be a string")

    version = doc.get("protocol_version")
    if isinstance(version, str) and version and version not in ACCEPTED_VERSIONS:
        err(f"protocol_version {version!r} is not one of {', '.join(ACCEPTED_VERSIONS)}")

    skill = doc.get("skill")
    if file_name and _is_nonempty_str(skill) and file_name != f"{skill}.checkpoint.json":
        err(f"file name {file_name!r} does not match skill {skill!r} (expected {skill}.checkpoint.json)")

    stamps = {}
    for name in ("created_at", "updated_at"):
        value = doc.get(name)
        if _is_nonempty_str(value):
            parsed = parse_timestamp(value)
            if parsed is None:
                err(f"`{name}` {value!r} is not UTC `YYYY-MM-DDTHH:MM:SS[.fff]Z` (offsets like +00:00 are rejected)")
            stamps[name] = parsed
    if stamps.get("created_at") and stamps.get("updated_at") and stamps["updated_at"] < stamps["created_at"]:
        err("`updated_at` is earlier than `created_at`")

    status = doc.get("status")
    if _is_nonempty_str(status) and status not in STATUSES:
        err(f"status {status!r} is not one of {', '.join(STATUSES)}")

    summary = doc.get("progress_summary")
    if isinstance(summary, str) and len(summary) > SUMMARY_WARN_CHARS:
        warn(f"progress_summary is {len(summary)} characters (keep it under ~{SUMMARY_WARN_CHARS})")

    _check_next_actions(doc, status, err)
    row_ids = _check_progress_table(doc, err)
    _check_context_primer(doc, err, warn)
    _check_blockers(doc, row_ids, err, warn)
    _check_pm_refs(doc, err)

    if "skill_state" in doc and not isinstance(doc["skill_state"], dict):
        err("`skill_state` must be an object")
    for name in ("pm_deferred_actions", "pm_flush_log", "pm_idempotent_skips"):
        if name in doc and not isinstance(doc[name], list):
            err(f"`{name}` must be an array")

    if status == "in_progress":
        if not doc.get("progress_table"):
            warn("progress_table is recommended while status is in_progress")
        if not doc.get("context_primer"):
            warn("context_primer is recommended while status is in_progress")
    if size_bytes is not None and size_bytes > SIZE_WARN_BYTES:
        warn(f"file is {size_bytes} bytes (> ~32 KB): rotate old history into .checkpoints/history/")
    return report


def _check_next_actions(doc: dict, status: Any, err) -> None:
    actions = doc.get("next_actions")
    if actions is None:
        if status == "in_progress":
            err("`next_actions` must be non-empty while status is in_progress")
        return
    if not isinstance(actions, list):
        err("`next_actions` must be an array")
        return
    if status == "in_progress" and not actions:
        err("`next_actions` must be non-empty while status is in_progress")
    for index, action in enumerate(actions):
        if isinstance(action, str):
            if not action.strip():
                err(f"next_actions[{index}] is an empty string")
        elif isinstance(action, dict):
            if not _is_nonempty_str(action.get("text")):
                err(f"next_actions[{index}] needs a non-empty `text`")
            if "done_when" in action and not isinstance(action["done_when"], str):
                err(f"next_actions[{index}].done_when must be a string (a shell command)")
        else:
            err(f"next_actions[{index}] must be a string or {{text, done_when?}}")


def _check_progress_table(doc: dict, err) -> set[str]:
    rows = doc.get("progress_table")
    ids: set[str] = set()
    if rows is None:
        return ids
    if not isinstance(rows, list):
        err("`progress_table` must be an array")
        return ids
    for index, row in enumerate(rows):
        if not isinstance(row, dict):
            err(f"progress_table[{index}] must be an object {{id, label, status}}")
            continue
        for key in ("id", "label", "status"):
            if not _is_nonempty_str(row.get(key)):
                err(f"progress_table[{index}] needs a non-empty `{key}`")
        if _is_nonempty_str(row.get("status")) and row["status"] not in ROW_STATUSES:
            err(f"progress_table[{index}].status {row['status']!r} is not one of {', '.join(ROW_STATUSES)}")
        if _is_nonempty_str(row.get("id")):
            ids.add(row["id"])
    return ids


def _check_context_primer(doc: dict, err, warn) -> None:
    primer = doc.get("context_primer")
    if primer is None:
        return
    if not isinstance(primer, dict):
        err("`context_primer` must be an object")
        return
    for key in ("key_decisions", "generated_files", "user_preferences"):
        if key in primer and not (isinstance(primer[key], list) and all(isinstance(v, str) for v in primer[key])):
            err(f"context_primer.{key} must be an array of strings")
    if isinstance(primer.get("key_decisions"), list) and len(primer["key_decisions"]) > KEY_DECISIONS_WARN:
        warn(f"context_primer.key_decisions has {len(primer['key_decisions'])} items (keep it under ~20)")


def _check_blockers(doc: dict, row_ids: set[str], err, warn) -> None:
    blockers = doc.get("blockers")
    if blockers is None:
        return
    if not isinstance(blockers, list):
        err("`blockers` must be an array")
        return
    for index, blocker in enumerate(blockers):
        if not isinstance(blocker, dict):
            err(f"blockers[{index}] must be an object")
            continue
        for key in ("id", "description"):
            if not _is_nonempty_str(blocker.get(key)):
                err(f"blockers[{index}] needs a non-empty `{key}`")
        needs = blocker.get("needs")
        if needs is not None and needs not in BLOCKER_NEEDS:
            err(f"blockers[{index}].needs {needs!r} is not one of {', '.join(BLOCKER_NEEDS)}")
        blocking = blocker.get("blocking")
        if blocking is not None and row_ids and blocking not in row_ids:
            warn(f"blockers[{index}].blocking {blocking!r} names no progress_table id")


def _check_pm_refs(doc: dict, err) -> None:
    refs = doc.get("pm_refs")
    if refs is None:
        return
    if not isinstance(refs, list):
        err("`pm_refs` must be an array")
        return
    for index, ref in enumerate(refs):
        if not isinstance(ref, dict):
            err(f"pm_refs[{index}] must be an object {{provider, id, role?, url?}}")
            continue
        for key in ("provider", "id"):
            if not _is_nonempty_str(ref.get(key)):
                err(f"pm_refs[{index}] needs a non-empty `{key}`")
        if ref.get("role") is not None and ref["role"] not in PM_ROLES:
            err(f"pm_refs[{index}].role {ref['role']!r} is not one of {', '.join(PM_ROLES)}")
