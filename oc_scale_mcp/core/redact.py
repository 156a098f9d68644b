"""Secrets never reach a checkpoint, a report or a log: redact them before anything is stored.

What counts as a secret: values under keys that name one (authorization, cookie, token, password,
api key, secret…), `Bearer`/`Basic` credentials inside strings, `Name: value` header lines for
those headers, and the password part of URLs and DSNs (`postgres://user:pw@host`).
"""

import re
from typing import Any

REDACTED = "[REDACTED]"

# A key names a secret when it is, or ends with, one of these (after folding `-`, `.` and case):
# `Authorization`, `db_password`, `x-api-key` do; `token_count` and a KV `key` do not.
_SECRET_KEY_ENDINGS = (
    "authorization",
    "cookie",
    "token",
    "password",
    "passwd",
    "secret",
    "api_key",
    "apikey",
    "private_key",
    "credentials",
)
_HEADER_LINE = re.compile(
    r"\b(authorization|proxy-authorization|cookie|set-cookie|x-api-key|x-auth-token)\s*:\s*[^\r\n'\"]+",
    re.IGNORECASE,
)
_CREDENTIAL = re.compile(r"\b(Bearer|Basic|Token)\s+[A-Za-z0-9._~+/=\-]{4,}", re.IGNORECASE)
_URL_PASSWORD = re.compile(r"(\b[a-z][a-z0-9+.\-]*://[^/\s:@]*:)([^@\s/]+)(@)", re.IGNORECASE)
_QUERY_SECRET = re.compile(r"([?&](?:token|access_token|api_key|apikey|key|secret|password)=)[^&\s#]+", re.IGNORECASE)


def is_secret_key(key: str) -> bool:
    """True when a mapping key names a secret (`Authorization`, `api_key`, `db_password`, …).

    >>> [is_secret_key(k) for k in ("Authorization", "x-api-key", "db_password", "token_count", "key")]
    [True, True, True, False, False]
    """
    folded = re.sub(r"[\-.\s]+", "_", key.strip().lower())
    return any(folded == end or folded.endswith("_" + end) for end in _SECRET_KEY_ENDINGS)


def redact_text(text: str) -> str:
    """Redact credentials inside free text: header lines, bearer tokens, URL passwords.

    >>> redact_text("curl -H 'Authorization: Bearer abc123' postgres://u:pw@db/x")
    "curl -H 'Authorization: [REDACTED]' postgres://u:[REDACTED]@db/x"
    """
    text = _HEADER_LINE.sub(lambda m: f"{m.group(1)}: {REDACTED}", text)
    text = _CREDENTIAL.sub(lambda m: f"{m.group(1)} {REDACTED}", text)
    text = _URL_PASSWORD.sub(lambda m: f"{m.group(1)}{REDACTED}{m.group(3)}", text)
    return _QUERY_SECRET.sub(lambda m: f"{m.group(1)}{REDACTED}", text)


def redact(value: Any) -> Any:
    """Return a copy of a JSON-like value with every secret replaced by `[REDACTED]`."""
    if isinstance(value, dict):
        return {
            key: (REDACTED if isinstance(key, str) and is_secret_key(key) and item not in (None, "") else redact(item))
            for key, item in value.items()
        }
    if isinstance(value, list | tuple):
        return [redact(item) for item in value]
    if isinstance(value, str):
        return redact_text(value)
    return value
