"""Judge one fetched response for caching: httplint's message checks (REDbot's, RFC 9111) plus the
results of our active checks. The caller fetches; this module only judges what it is given."""

from dataclasses import dataclass

from oc_scale_mcp.core.models import Finding, Layer, Severity

LEVELS = {"BAD": Severity.HIGH, "WARN": Severity.MEDIUM}
CATEGORIES = {"CACHING", "CONNEG", "VALIDATION"}


@dataclass(frozen=True, slots=True)
class Observed:
    url: str
    status: int
    headers: list[tuple[str, str]]
    body: bytes


def lint(observed: Observed) -> list[Finding]:
    """httplint's caching, negotiation and validation notes at WARN or BAD level, as findings."""
    from httplint import HttpResponseLinter

    linter = HttpResponseLinter()
    linter.process_response_topline(b"HTTP/1.1", str(observed.status).encode(), b"")
    linter.process_headers([(k.encode("latin-1"), v.encode("latin-1")) for k, v in observed.headers])
    linter.feed_content(observed.body)
    linter.finish_content(True)
    found = []
    for note in linter.notes:
        category = str(note.category).split(".")[-1]
        level = str(note.level).split(".")[-1]
        if category not in CATEGORIES or level not in LEVELS:
            continue
        cache_control = next((v for k, v in observed.headers if k.lower() == "cache-control"), "(none)")
        found.append(
            Finding(
                id=f"cache.httplint.{type(note).__name__.lower()}",
                layer=Layer.API,
                severity=LEVELS[level],
                title=note.summary,
                evidence=f"{observed.url}: Cache-Control: {cache_control}",
                impact="Caches and CDNs store or reuse this response wrongly (RFC 9111).",
                fix=_fix_for(type(note).__name__),
                effort="minutes",
            )
        )
    return found


def _fix_for(note: str) -> str:
    fixes = {
        "STORE_PRIVATE_PUBLIC_CONFLICT": "Send either `private` (user data) or `public`, never both",
        "VARY_USER_AGENT": "Drop `Vary: User-Agent`; vary on the header that really changes the body",
        "FRESHNESS_HEURISTIC": "Give an explicit lifetime: `Cache-Control: max-age=…` (or `no-cache` with a validator)",
        "VARY_COMPLEX": "Vary on fewer headers",
    }
    return fixes.get(note, "See the note; set explicit Cache-Control with a validator (ETag)")
