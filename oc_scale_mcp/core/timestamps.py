"""UTC timestamps in the one form the checkpoint protocol accepts: `YYYY-MM-DDTHH:MM:SSZ`.

Readers of our checkpoints reject a `+00:00` offset, so nothing here ever calls `isoformat()` on an
aware datetime.
"""

import re
from datetime import UTC, datetime

TIMESTAMP_PATTERN = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?Z$")


def utc_now() -> datetime:
    """The current time in UTC, truncated to whole seconds (the precision we write)."""
    return datetime.now(UTC).replace(microsecond=0)


def format_timestamp(moment: datetime) -> str:
    """Format an aware datetime as `YYYY-MM-DDTHH:MM:SSZ`.

    >>> format_timestamp(datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC))
    '2026-01-02T03:04:05Z'
    """
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def now_timestamp() -> str:
    """The current UTC time as a protocol timestamp."""
    return format_timestamp(utc_now())


def parse_timestamp(text: str) -> datetime | None:
    """Parse a protocol timestamp; None when it is not exactly in the protocol's form."""
    if not isinstance(text, str) or not TIMESTAMP_PATTERN.match(text):
        return None
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def describe_age(moment: datetime, now: datetime | None = None) -> str:
    """Relative time for the resume block, e.g. `3 minutes ago`.

    >>> describe_age(datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 1, 1, 2, tzinfo=UTC))
    '2 hours ago'
    """
    seconds = int(((now or utc_now()) - moment).total_seconds())
    if seconds < 0:
        return "in the future (clock skew?)"
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            count = seconds // size
            return f"{count} {unit}{'s' if count != 1 else ''} ago"
    return "just now"
