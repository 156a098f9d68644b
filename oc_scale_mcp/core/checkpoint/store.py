"""The store for `.checkpoints/oc-scale-ops.checkpoint.json`: read → merge → write, never lose a byte.

Guarantees, each with a test:
- Writers are serialized by an exclusive `flock` on a lock file beside the checkpoint, so concurrent
  processes never lose an update; each merges its change into what is on disk *under the lock*.
- A write goes to a temp file in the same directory, is fsynced, then `os.replace`d over the old
  file (and the directory fsynced): a reader sees the old or the new file, never a partial one, and
  a writer killed mid-write leaves the previous file intact.
- A corrupt file (invalid JSON) is moved aside to `…checkpoint.json.corrupt-<timestamp>` and the
  outcome says so; it is never overwritten silently.
- Fields we do not own are kept; `created_at` is kept; `updated_at` is restamped; every secret is
  redacted; the document is validated against the protocol before it is written.
- Past ~32 KB, `skill_state.history` is rotated into `.checkpoints/history/oc-scale-ops.<date>.json`.
"""

import contextlib
import fcntl
import os
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from oc_scale_mcp.core.checkpoint.validate import SIZE_WARN_BYTES, validate_checkpoint
from oc_scale_mcp.core.errors import CheckpointError
from oc_scale_mcp.core.project import Project
from oc_scale_mcp.core.redact import redact
from oc_scale_mcp.core.timestamps import now_timestamp, parse_timestamp

SKILL = "oc-scale-ops"
PROTOCOL_VERSION = "1.1"
CHECKPOINT_FILE_NAME = f"{SKILL}.checkpoint.json"
LOCK_FILE_NAME = f".{SKILL}.lock"
TEMP_PREFIX = f".{CHECKPOINT_FILE_NAME}.tmp-"
HISTORY_KEY = "history"

# The skill's "When to Write" events, in the order of the skill's pipeline; they are the rows of our
# progress_table. (event id, label)
EVENTS: tuple[tuple[str, str], ...] = (
    ("audit", "Readiness audit run"),
    ("budgets", "Performance budgets set"),
    ("loadtest", "Load test completed"),
    ("cache", "Caching strategy designed"),
    ("queries", "Query optimization done"),
    ("plan", "Capacity plan produced"),
)

# Results kept in skill_state that are not rows of the skill's pipeline.
SUPPLEMENTARY_EVENTS: tuple[str, ...] = ("benchmark", "cost", "cdn")

Mutation = Callable[[dict[str, Any]], None]


@dataclass(slots=True)
class WriteOutcome:
    """What a write did, for the caller's report."""

    path: Path
    notes: list[str] = field(default_factory=list)
    moved_aside: Path | None = None
    rotated_to: Path | None = None


class CheckpointStore:
    """Our own checkpoint in one project."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.directory = project.checkpoint_dir
        self.path = self.directory / CHECKPOINT_FILE_NAME
        self.lock_path = self.directory / LOCK_FILE_NAME

    # ---- reading -------------------------------------------------------------------------------
    def read(self) -> dict[str, Any]:
        """The current document; `{}` when there is none. A corrupt file is an error, not `{}`."""
        if not self.path.exists():
            return {}
        return load_json_object(self.path)

    def skill_state(self) -> dict[str, Any]:
        """Our recorded results, for commands that use them as advice (budgets, sweeps, the last plan):
        `{}` when there is no checkpoint or it is corrupt — the next write moves a corrupt file aside and
        says so, so advice never blocks a command."""
        try:
            state = self.read().get("skill_state")
        except CheckpointError:
            return {}
        return state if isinstance(state, dict) else {}

    def exists(self) -> bool:
        return self.path.exists()

    # ---- writing -------------------------------------------------------------------------------
    def update(self, mutate: Mutation) -> WriteOutcome:
        """Apply `mutate` to the on-disk document under the lock, then write it atomically."""
        outcome = WriteOutcome(self.path)
        with self._locked():
            self._remove_stale_temp_files()
            doc = self._read_or_move_aside(outcome)
            mutate(doc)
            self._stamp(doc)
            doc = redact(doc)
            data = _dump(doc)
            if len(data) > SIZE_WARN_BYTES:
                data = self._rotate_history(doc, outcome)
            report = validate_checkpoint(doc, file_name=CHECKPOINT_FILE_NAME)
            if not report.valid:
                # Our own bug, never the caller's: refuse to write an invalid file.
                raise CheckpointError("refusing to write an invalid checkpoint: " + "; ".join(report.errors))
            atomic_write(self.path, data)
        return outcome

    def record_event(
        self,
        event: str,
        record: dict[str, Any],
        *,
        summary: str,
        next_actions: list[str],
        key_decisions: list[str] | None = None,
        generated_files: list[str] | None = None,
    ) -> WriteOutcome:
        """Store one command's result under `skill_state[event]` and refresh the progress fields.

        The previous record of the same event moves to `skill_state.history` (rotated past ~32 KB).
        """
        stamp = now_timestamp()

        def mutate(doc: dict[str, Any]) -> None:
            state = doc.setdefault("skill_state", {})
            if not isinstance(state, dict):
                state = doc["skill_state"] = {}
            previous = state.get(event)
            if previous is not None:
                state.setdefault(HISTORY_KEY, []).append({"event": event, "record": previous})
            state[event] = {"recorded_at": stamp, **record}
            doc["phase"] = "plan"
            doc["step"] = event
            doc["progress_summary"] = summary
            done = {row_id for row_id, _ in EVENTS if row_id in state}
            doc["progress_table"] = _merge_progress_rows(doc.get("progress_table"), done)
            all_done = all(row_id in done for row_id, _ in EVENTS)
            doc["status"] = "complete" if all_done and not next_actions else "in_progress"
            doc["next_actions"] = next_actions or ([] if all_done else [_default_next_action(done)])
            primer = doc.setdefault("context_primer", {})
            if isinstance(primer, dict):
                _extend_unique(primer.setdefault("key_decisions", []), key_decisions or [], keep_last=20)
                _extend_unique(primer.setdefault("generated_files", []), generated_files or [], keep_last=50)
                primer.setdefault("user_preferences", [])

        return self.update(mutate)

    def reset(self) -> Path | None:
        """Archive the current file into `.checkpoints/history/` and start fresh; returns the archive."""
        with self._locked():
            if not self.path.exists():
                return None
            archive_dir = self.directory / "history"
            archive_dir.mkdir(parents=True, exist_ok=True)
            archive = _unique_path(archive_dir / f"{SKILL}.reset-{_compact_now()}.json")
            os.replace(self.path, archive)
            _fsync_directory(self.directory)
            return archive

    # ---- internals -----------------------------------------------------------------------------
    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            handle = open(self.lock_path, "a+b")  # noqa: SIM115 - held for the duration of the lock
        except OSError as exc:
            raise CheckpointError(f"cannot create {self.directory}: {exc.strerror}") from exc
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
            handle.close()

    def _remove_stale_temp_files(self) -> None:
        # Every writer holds the lock while its temp file exists: one seen under the lock is from a
        # writer that died mid-write.
        for stale in self.directory.glob(TEMP_PREFIX + "*"):
            with contextlib.suppress(OSError):
                stale.unlink()

    def _read_or_move_aside(self, outcome: WriteOutcome) -> dict[str, Any]:
        if not self.path.exists():
            return {}
        try:
            return load_json_object(self.path)
        except CheckpointError:
            aside = _unique_path(self.path.with_name(f"{CHECKPOINT_FILE_NAME}.corrupt-{_compact_now()}"))
            os.replace(self.path, aside)
            outcome.moved_aside = aside
            outcome.notes.append(
                f"the existing checkpoint was not valid JSON: moved aside to {aside.name} and started fresh"
            )
            return {}

    def _stamp(self, doc: dict[str, Any]) -> None:
        now = now_timestamp()
        doc["protocol_version"] = PROTOCOL_VERSION
        doc["skill"] = SKILL
        if not _nonempty(doc.get("project")):
            doc["project"] = self.project.name
        doc["project_dir"] = str(self.project.root)
        if parse_timestamp(doc.get("created_at")) is None:
            doc["created_at"] = now
        doc["updated_at"] = max(now, doc["created_at"])
        for name, default in (
            ("phase", "plan"),
            ("step", "start"),
            ("status", "in_progress"),
            ("progress_summary", "oc-scale has not recorded any result yet."),
        ):
            if not _nonempty(doc.get(name)):
                doc[name] = default
        if doc.get("status") == "in_progress" and not doc.get("next_actions"):
            done = {row_id for row_id, _ in EVENTS if row_id in (doc.get("skill_state") or {})}
            doc["next_actions"] = [_default_next_action(done)]

    def _rotate_history(self, doc: dict[str, Any], outcome: WriteOutcome) -> bytes:
        state = doc.get("skill_state") or {}
        history = state.pop(HISTORY_KEY, None) if isinstance(state, dict) else None
        if history:
            archive_dir = self.directory / "history"
            archive_dir.mkdir(parents=True, exist_ok=True)
            archive = archive_dir / f"{SKILL}.{now_timestamp()[:10]}.json"
            existing: list[Any] = []
            if archive.exists():
                try:
                    loaded = orjson.loads(archive.read_bytes())
                    existing = loaded if isinstance(loaded, list) else [loaded]
                except orjson.JSONDecodeError:
                    aside = _unique_path(archive.with_name(archive.name + f".corrupt-{_compact_now()}"))
                    os.replace(archive, aside)
            atomic_write(archive, _dump(existing + list(history)))
            outcome.rotated_to = archive
            outcome.notes.append(f"rotated {len(history)} old record(s) into {archive.relative_to(self.project.root)}")
        data = _dump(doc)
        if len(data) > SIZE_WARN_BYTES:
            outcome.notes.append(f"checkpoint is {len(data)} bytes even after rotation (latest results are large)")
        return data


def load_json_object(path: Path) -> dict[str, Any]:
    """Parse a checkpoint file; a `CheckpointError` names the file when it is not a JSON object."""
    try:
        doc = orjson.loads(path.read_bytes())
    except orjson.JSONDecodeError as exc:
        raise CheckpointError(
            f"{path.name} is not valid JSON ({exc.msg} at line {exc.lineno}): "
            "run `checkpoint reset` to archive it and start fresh, or fix it by hand"
        ) from exc
    except OSError as exc:
        raise CheckpointError(f"cannot read {path}: {exc.strerror}") from exc
    if not isinstance(doc, dict):
        raise CheckpointError(f"{path.name} is not a JSON object: run `checkpoint reset` to archive it")
    return doc


def atomic_write(path: Path, data: bytes) -> None:
    """Write `data` to `path` so that readers see the old file or the new one, never a partial one."""
    fd, temp_name = tempfile.mkstemp(prefix=f".{path.name}.tmp-", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp_name, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp_name)
        raise
    _fsync_directory(path.parent)


def _fsync_directory(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _dump(doc: Any) -> bytes:
    return orjson.dumps(doc, option=orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS) + b"\n"


def _nonempty(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _compact_now() -> str:
    return now_timestamp().replace("-", "").replace(":", "")


def _unique_path(path: Path) -> Path:
    candidate, counter = path, 1
    while candidate.exists():
        candidate = path.with_name(f"{path.name}.{counter}")
        counter += 1
    return candidate


def _merge_progress_rows(existing: Any, done: set[str]) -> list[dict[str, Any]]:
    rows = [row for row in existing if isinstance(row, dict)] if isinstance(existing, list) else []
    by_id = {row.get("id"): row for row in rows}
    for row_id, label in EVENTS:
        row = by_id.get(row_id)
        if row is None:
            row = {"id": row_id, "label": label, "status": "not_started"}
            rows.append(row)
        if row_id in done:
            row["status"] = "complete"
    return rows


def _default_next_action(done: set[str]) -> str:
    for row_id, label in EVENTS:
        if row_id not in done:
            return f"Next in the scale-ops pipeline: {label.lower()} (`oc-scale {_COMMAND_OF_EVENT[row_id]}`)."
    return "Review the latest results and re-run `oc-scale audit` after changes."


_COMMAND_OF_EVENT = {
    "audit": "audit",
    "budgets": "budget --action set",
    "loadtest": "loadtest",
    "cache": "cache",
    "queries": "queries",
    "plan": "plan",
}


def _extend_unique(target: list[Any], items: list[str], *, keep_last: int) -> None:
    for item in items:
        if item in target:
            target.remove(item)
        target.append(item)
    del target[:-keep_last]
