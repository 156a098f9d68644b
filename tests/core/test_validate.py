"""The validator knows every rule of the checkpoint protocol."""

import pytest

from oc_scale_mcp.core.checkpoint import validate_checkpoint


def _valid() -> dict:
    return {
        "protocol_version": "1.1",
        "skill": "oc-scale-ops",
        "project": "crm",
        "project_dir": "/srv/crm",
        "created_at": "2026-12-01T10:00:00Z",
        "updated_at": "2026-12-01T10:05:00.123Z",
        "phase": "plan",
        "step": "loadtest",
        "status": "in_progress",
        "progress_summary": "Load test done.",
        "next_actions": ["Fix the N+1", {"text": "Re-run", "done_when": "test -f report.md"}],
        "progress_table": [{"id": "loadtest", "label": "Load test", "status": "complete"}],
        "context_primer": {"key_decisions": ["D1 stays"], "generated_files": [], "user_preferences": []},
        "blockers": [{"id": "b1", "description": "x", "blocking": "loadtest", "needs": "code_fix"}],
        "pm_refs": [{"provider": "linear", "id": "ENG-1", "role": "source"}],
    }


def test_a_complete_document_is_valid_without_warnings():
    report = validate_checkpoint(_valid(), file_name="oc-scale-ops.checkpoint.json", size_bytes=2000)
    assert report.errors == [] and report.warnings == []


def test_protocol_1_0_is_still_accepted_when_read():
    assert validate_checkpoint(_valid() | {"protocol_version": "1.0"}).valid


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"skill": ""}, "`skill` is missing or empty"),
        ({"created_at": "2026-12-01T10:00:00+00:00"}, "offsets like +00:00 are rejected"),
        ({"updated_at": "2026-11-30T10:00:00Z"}, "earlier than `created_at`"),
        ({"status": "done"}, "status 'done' is not one of"),
        ({"next_actions": []}, "must be non-empty while status is in_progress"),
        ({"protocol_version": "2.0"}, "protocol_version '2.0'"),
        ({"progress_table": [{"id": "a", "label": "A", "status": "started"}]}, "is not one of complete"),
        ({"blockers": [{"id": "b", "description": "d", "needs": "money"}]}, "needs 'money'"),
        ({"pm_refs": [{"provider": "linear", "id": "X", "role": "owner"}]}, "role 'owner'"),
        ({"next_actions": [{"done_when": "true"}]}, "needs a non-empty `text`"),
    ],
)
def test_each_broken_rule_is_an_error(change, message):
    report = validate_checkpoint(_valid() | change)
    assert any(message in error for error in report.errors), report.errors


def test_a_file_named_after_another_skill_is_an_error():
    report = validate_checkpoint(_valid(), file_name="oc-deploy-ops.checkpoint.json")
    assert any("does not match skill" in e for e in report.errors)


def test_size_long_summary_and_blocking_ids_draw_warnings():
    doc = _valid() | {
        "progress_summary": "x" * 1300,
        "blockers": [{"id": "b", "description": "d", "blocking": "nowhere"}],
    }
    report = validate_checkpoint(doc, size_bytes=40_000)
    assert report.valid
    assert len(report.warnings) == 3
