"""Secrets never survive redaction; ordinary data is left alone."""

from oc_scale_mcp.core.redact import REDACTED, redact, redact_text


def test_secret_keys_are_redacted_at_any_depth():
    doc = {
        "request": {"headers": {"Authorization": "Bearer abc", "X-Api-Key": "k1", "Accept": "json"}},
        "db_password": "pw",
        "cache_key": "contacts:1",
        "max_tokens": 5,
    }
    out = redact(doc)
    assert out["request"]["headers"] == {"Authorization": REDACTED, "X-Api-Key": REDACTED, "Accept": "json"}
    assert out["db_password"] == REDACTED
    assert out["cache_key"] == "contacts:1" and out["max_tokens"] == 5


def test_credentials_inside_text_are_redacted():
    text = "Authorization: Bearer eyJhbGciOi.x.y\nurl=https://u:s3cret@host/p?token=abc&x=1 mysql://root:toor@db/app"
    out = redact_text(text)
    for secret in ("eyJhbGciOi", "s3cret", "token=abc", "toor"):
        assert secret not in out
    assert "x=1" in out and "@host/p" in out


def test_redaction_is_idempotent():
    once = redact({"Cookie": "a=b", "note": "Bearer abcdef"})
    assert redact(once) == once
