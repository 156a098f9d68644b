"""The checkpoint store follows shared/spec/checkpoint-protocol.md to the letter."""

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import orjson
import pytest

from oc_scale_mcp.core.checkpoint import CheckpointStore, validate_checkpoint
from oc_scale_mcp.core.checkpoint.cross_skill import read_sibling_checkpoints
from oc_scale_mcp.core.errors import CheckpointError
from oc_scale_mcp.core.project import Project
from oc_scale_mcp.core.timestamps import TIMESTAMP_PATTERN

REPO_ROOT = Path(__file__).resolve().parents[2]


def _store(path: Path) -> CheckpointStore:
    return CheckpointStore(Project.open(path))


def _record(store: CheckpointStore, event: str = "budgets", **record) -> None:
    store.record_event(
        event,
        record or {"values": {"ttfb_ms": 200}},
        summary="Budgets set.",
        next_actions=["Audit the budgets."],
    )


def test_first_write_creates_the_directory_and_a_file_that_satisfies_every_rule(empty_project):
    store = _store(empty_project)
    _record(store)
    doc = orjson.loads(store.path.read_bytes())
    report = validate_checkpoint(doc, file_name=store.path.name, size_bytes=store.path.stat().st_size)
    assert report.errors == []
    assert doc["protocol_version"] == "1.1"
    assert doc["skill"] == "oc-scale-ops"
    assert doc["project"] == "empty-app"
    assert doc["project_dir"] == str(empty_project.resolve())
    assert doc["status"] == "in_progress" and doc["next_actions"]
    assert doc["skill_state"]["budgets"]["values"] == {"ttfb_ms": 200}
    assert {row["id"] for row in doc["progress_table"]} >= {"audit", "budgets", "loadtest", "plan"}


def test_timestamps_are_utc_with_z_and_never_an_offset(empty_project):
    store = _store(empty_project)
    _record(store)
    text = store.path.read_text()
    doc = orjson.loads(text)
    assert TIMESTAMP_PATTERN.match(doc["created_at"]) and TIMESTAMP_PATTERN.match(doc["updated_at"])
    assert doc["created_at"].endswith("Z") and "+00:00" not in text
    assert TIMESTAMP_PATTERN.match(doc["skill_state"]["budgets"]["recorded_at"])


def test_merge_keeps_fields_we_do_not_own_and_keeps_created_at(empty_project):
    store = _store(empty_project)
    _record(store)
    doc = orjson.loads(store.path.read_bytes())
    doc["hand_edited_note"] = "keep me"
    doc["created_at"] = "2020-01-01T00:00:00Z"
    doc["blockers"] = [{"id": "b1", "description": "waiting for CF paid plan", "needs": "user_decision"}]
    store.path.write_bytes(orjson.dumps(doc))
    _record(store, "loadtest", endpoint="http://127.0.0.1/x")
    after = orjson.loads(store.path.read_bytes())
    assert after["hand_edited_note"] == "keep me"
    assert after["created_at"] == "2020-01-01T00:00:00Z"
    assert after["updated_at"] > after["created_at"]
    assert after["blockers"][0]["id"] == "b1"
    assert set(after["skill_state"]) >= {"budgets", "loadtest"}


def test_an_offset_timestamp_left_by_hand_is_replaced_on_the_next_write(empty_project):
    store = _store(empty_project)
    _record(store)
    doc = orjson.loads(store.path.read_bytes())
    doc["created_at"] = "2026-01-01T00:00:00+00:00"
    store.path.write_bytes(orjson.dumps(doc))
    _record(store)
    assert "+00:00" not in store.path.read_text()


def test_a_corrupt_file_is_moved_aside_reported_and_never_overwritten(empty_project):
    store = _store(empty_project)
    store.directory.mkdir()
    store.path.write_text('{"skill": "oc-scale-ops", "status": ')
    with pytest.raises(CheckpointError, match="not valid JSON"):
        store.read()
    outcome = store.update(lambda doc: doc.setdefault("skill_state", {}).update(x=1))
    assert outcome.moved_aside is not None and outcome.moved_aside.exists()
    assert outcome.moved_aside.read_text() == '{"skill": "oc-scale-ops", "status": '
    assert "moved aside" in outcome.notes[0]
    assert orjson.loads(store.path.read_bytes())["skill_state"] == {"x": 1}


def test_secrets_are_redacted_before_they_are_stored(empty_project):
    store = _store(empty_project)
    _record(
        store,
        "loadtest",
        headers={"Authorization": "Bearer sk-live-123456", "Cookie": "sid=abcdef", "Accept": "text/html"},
        postgres_dsn="postgresql://app:hunter2@127.0.0.1:5432/crm",
        command="wrk -H 'Authorization: Bearer sk-live-123456' http://127.0.0.1/",
        token_count=42,
    )
    text = store.path.read_text()
    for secret in ("sk-live-123456", "sid=abcdef", "hunter2"):
        assert secret not in text
    state = orjson.loads(text)["skill_state"]["loadtest"]
    assert state["headers"]["Accept"] == "text/html"
    assert state["postgres_dsn"] == "postgresql://app:[REDACTED]@127.0.0.1:5432/crm"
    assert state["token_count"] == 42


def test_next_actions_are_never_empty_while_in_progress(empty_project):
    store = _store(empty_project)
    store.record_event("budgets", {"values": {}}, summary="s", next_actions=[])
    doc = orjson.loads(store.path.read_bytes())
    assert doc["status"] == "in_progress" and doc["next_actions"]
    assert "audit" in doc["next_actions"][0].lower()


def test_history_past_32_kb_rotates_into_the_history_folder(empty_project):
    store = _store(empty_project)
    for round_ in range(12):
        _record(store, "loadtest", samples=[f"{round_}-{i}-" + "x" * 60 for i in range(60)])
    size = store.path.stat().st_size
    history_files = list((store.directory / "history").glob("oc-scale-ops.*.json"))
    assert history_files, "old records must be rotated out"
    rotated = orjson.loads(history_files[0].read_bytes())
    assert all(entry["event"] == "loadtest" for entry in rotated)
    assert size < 32 * 1024 + 8 * 1024
    assert validate_checkpoint(orjson.loads(store.path.read_bytes())).valid


def test_reset_archives_the_file_then_starts_fresh(empty_project):
    store = _store(empty_project)
    _record(store)
    archive = store.reset()
    assert archive is not None and archive.parent.name == "history" and archive.exists()
    assert not store.path.exists()
    assert store.reset() is None


def test_cross_skill_reads_never_expose_a_siblings_skill_state(empty_project):
    directory = empty_project / ".checkpoints"
    directory.mkdir()
    (directory / "oc-deploy-ops.checkpoint.json").write_bytes(
        orjson.dumps(
            {
                "skill": "oc-deploy-ops",
                "status": "complete",
                "progress_summary": "deployed",
                "skill_state": {"secret_plan": 1},
            }
        )
    )
    (directory / "oc-stack-forge.checkpoint.json").write_text("{broken")
    siblings = {s.skill: s for s in read_sibling_checkpoints(Project.open(empty_project))}
    assert siblings["oc-deploy-ops"].view["status"] == "complete"
    assert "skill_state" not in siblings["oc-deploy-ops"].view
    assert siblings["oc-stack-forge"].view is None and "not valid JSON" in siblings["oc-stack-forge"].error


_WRITER = textwrap.dedent("""
    import sys
    from oc_scale_mcp.core.checkpoint import CheckpointStore
    from oc_scale_mcp.core.project import Project
    project, worker, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    store = CheckpointStore(Project.open(project))
    for i in range(count):
        store.update(lambda doc: doc.setdefault("skill_state", {}).setdefault("updates", {})
                     .__setitem__(f"{worker}-{i}", i))
""")


def test_16_processes_merging_25_updates_each_lose_nothing_and_the_file_is_always_valid(empty_project):
    store = _store(empty_project)
    _record(store)
    invalid_reads: list[str] = []
    stop = threading.Event()

    def watch() -> None:
        while not stop.is_set():
            try:
                data = store.path.read_bytes()
            except FileNotFoundError:
                invalid_reads.append("missing")
                continue
            try:
                orjson.loads(data)
            except orjson.JSONDecodeError:
                invalid_reads.append(data[:80].decode(errors="replace"))

    watcher = threading.Thread(target=watch)
    watcher.start()
    writers = [subprocess.Popen([sys.executable, "-c", _WRITER, str(empty_project), str(w), "25"]) for w in range(16)]
    try:
        codes = [p.wait(timeout=120) for p in writers]
    finally:
        stop.set()
        watcher.join()
    assert codes == [0] * 16
    updates = orjson.loads(store.path.read_bytes())["skill_state"]["updates"]
    assert len(updates) == 400
    assert invalid_reads == []
    assert not list(store.directory.glob(".*.tmp-*"))


_KILLED_WRITER = textwrap.dedent("""
    import os, sys, time
    from pathlib import Path
    from oc_scale_mcp.core.checkpoint import CheckpointStore
    from oc_scale_mcp.core.project import Project
    project, marker = sys.argv[1], Path(sys.argv[2])
    real_fsync = os.fsync
    def slow_fsync(fd):
        real_fsync(fd)
        marker.write_text("in the middle of the write")
        time.sleep(60)
    os.fsync = slow_fsync
    store = CheckpointStore(Project.open(project))
    store.update(lambda doc: doc.setdefault("skill_state", {}).__setitem__("big", "y" * 200_000))
""")


def test_a_writer_killed_mid_write_leaves_the_previous_file_intact(empty_project, tmp_path):
    store = _store(empty_project)
    _record(store)
    before = store.path.read_bytes()
    marker = tmp_path / "marker"
    child = subprocess.Popen([sys.executable, "-c", _KILLED_WRITER, str(empty_project), str(marker)])
    deadline = time.monotonic() + 30
    while not marker.exists() and time.monotonic() < deadline and child.poll() is None:
        time.sleep(0.02)
    assert marker.exists(), "the writer never reached the middle of its write"
    assert list(store.directory.glob(".*.tmp-*")), "the temp file is being written"
    os.kill(child.pid, signal.SIGKILL)
    child.wait(timeout=10)
    assert store.path.read_bytes() == before
    _record(store, "plan")  # the next writer cleans the dead writer's temp file up
    assert not list(store.directory.glob(".*.tmp-*"))
    assert "big" not in orjson.loads(store.path.read_bytes())["skill_state"]
