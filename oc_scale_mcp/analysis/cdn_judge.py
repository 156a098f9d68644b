"""Judge edge caching for Cloudflare: one fetched response at a time (cf-cache-status, which header
the edge obeys, immutable hashed assets, HTML revalidation, compression, HTTP/3, image formats), and the
project's static config (`_headers` rules against Cloudflare's defaults). The caller fetches."""

import re
from dataclasses import dataclass
from pathlib import Path

from oc_scale_mcp.analysis.enforcement import glob_for_asset
from oc_scale_mcp.analysis.kinds import finding
from oc_scale_mcp.core.models import Finding

# cf-cache-status values, what they mean, and what to do (Cloudflare's cache responses documentation)
CF_CACHE_STATUS = {
    "HIT": ("served from the edge cache", None),
    "MISS": (
        "not in the edge cache yet; fetched from the origin",
        "Expected on a first request; if it persists, the asset is evicted or varies (check Vary and query strings)",
    ),
    "EXPIRED": ("was cached but stale; revalidated or refetched", "Raise the edge TTL (s-maxage or CDN-Cache-Control)"),
    "STALE": ("served stale because the origin could not be reached", "Check the origin's health"),
    "BYPASS": (
        "the origin told the edge not to cache (no-cache/private/Set-Cookie, or a bypass rule)",
        "Remove Set-Cookie and private/no-store from public assets, or fix the Cache Rule",
    ),
    "REVALIDATED": ("served from cache after a successful revalidation", None),
    "UPDATING": ("served stale while the edge fetches a fresh copy", None),
    "DYNAMIC": (
        "not eligible for caching (HTML and JSON are not cached by default)",
        "Add a Cache Rule (Eligible for cache) for the path, with an edge TTL",
    ),
    "NONE": (
        "not cacheable (e.g. a Worker response not stored with the Cache API)",
        "Cache in the Worker (`caches.default` / Workers Caching) or serve it as a static asset",
    ),
}
TEXT = ("text/", "application/javascript", "application/json", "image/svg+xml", "application/xml")
LEGACY_IMAGES = ("image/png", "image/jpeg", "image/gif", "image/bmp")
_HASHED = re.compile(r"[.\-_][A-Za-z0-9_\-]{8,}\.(?:js|mjs|css|woff2?|png|jpe?g|webp|avif|svg)$")


@dataclass(frozen=True, slots=True)
class EdgeResponse:
    url: str
    kind: str  # document, script, style, image, font
    status: int
    headers: dict[str, str]  # lower-case names
    bytes_wire: int


def edge_ttl(headers: dict[str, str]) -> tuple[str, str]:
    """(the header the edge obeys, its value): Cloudflare-CDN-Cache-Control, then CDN-Cache-Control, then
    Cache-Control (s-maxage before max-age)."""
    for name in ("cloudflare-cdn-cache-control", "cdn-cache-control", "cache-control"):
        if headers.get(name):
            return name, headers[name]
    return "cache-control", "(none)"


def is_fingerprinted(url: str) -> bool:
    return bool(_HASHED.search(url.split("?")[0]))


def judge_response(r: EdgeResponse) -> list[Finding]:
    found: list[Finding] = []
    header, value = edge_ttl(r.headers)
    cache_control = r.headers.get("cache-control", "").lower()
    status = r.headers.get("cf-cache-status", "").upper()
    if status in CF_CACHE_STATUS and CF_CACHE_STATUS[status][1] and r.kind != "document":
        meaning, fix = CF_CACHE_STATUS[status]
        found.append(
            finding(
                "cdn.cache-status",
                f"{r.url}: cf-cache-status {status} — {meaning} (edge obeys {header}: {value})",
                fix=fix,
            )
        )
    if is_fingerprinted(r.url) and not ("immutable" in cache_control and "max-age=31536000" in cache_control):
        found.append(finding("cdn.asset-not-immutable", f"{r.url}: Cache-Control: {cache_control or '(none)'}"))
    if r.kind == "document":
        revalidates = "no-cache" in cache_control and (r.headers.get("etag") or r.headers.get("last-modified"))
        short_edge = "s-maxage" in cache_control and "stale-while-revalidate" in cache_control
        if not (revalidates or short_edge or "no-store" in cache_control):
            found.append(
                finding(
                    "cdn.html-not-revalidated",
                    f"{r.url}: Cache-Control: {cache_control or '(none)'}, ETag: {r.headers.get('etag', '(none)')}",
                )
            )
        if "h3" not in r.headers.get("alt-svc", ""):
            found.append(finding("cdn.no-http3", f"{r.url}: alt-svc: {r.headers.get('alt-svc', '(none)')}"))
    content_type = r.headers.get("content-type", "")
    if content_type.startswith(TEXT) and r.bytes_wire >= 1400 and not r.headers.get("content-encoding"):
        found.append(
            finding("cdn.not-compressed", f"{r.url}: {r.bytes_wire:,} B of {content_type} without Content-Encoding")
        )
    if content_type.startswith(LEGACY_IMAGES) and r.bytes_wire > 30 * 1024:
        found.append(finding("cdn.legacy-image", f"{r.url}: {content_type}, {r.bytes_wire / 1024:.0f} KB"))
    return found


def parse_headers_file(text: str) -> list[tuple[str, dict[str, str]]]:
    """Cloudflare's `_headers` format: a path pattern, then indented `Name: value` lines."""
    rules: list[tuple[str, dict[str, str]]] = []
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if not line[:1].isspace():
            rules.append((line.strip(), {}))
        elif rules and ":" in line:
            name, _, value = line.strip().partition(":")
            rules[-1][1][name.strip().lower()] = value.strip()
    return rules


def _matches(pattern: str, path: str) -> bool:
    regex = "^" + re.escape(pattern).replace(r"\*", ".*").replace(r"\:splat", ".*") + "$"
    return re.match(regex, path) is not None


REDIRECT_LIMITS = (2000, 100)  # static, dynamic rules per `_redirects` (Cloudflare Pages / Workers assets)


def count_redirects(text: str) -> tuple[int, int]:
    """(static, dynamic) rules in a `_redirects` file; a rule with `*` or `:placeholder` is dynamic."""
    static = dynamic = 0
    for line in text.splitlines():
        parts = line.split()
        if not parts or parts[0].startswith("#"):
            continue
        if "*" in parts[0] or ":" in parts[0]:
            dynamic += 1
        else:
            static += 1
    return static, dynamic


def judge_static(dist: Path, assets: list[str]) -> list[Finding]:
    """Hashed assets in dist/ against the project's `_headers` rules (Workers static assets and Pages read it)."""
    headers_file = dist / "_headers"
    rules = parse_headers_file(headers_file.read_text()) if headers_file.is_file() else []
    uncovered = []
    for asset in assets:
        path = "/" + asset
        if not is_fingerprinted(path):
            continue
        cache = next(
            (h.get("cache-control", "") for pattern, h in rules if _matches(pattern, path) and "cache-control" in h), ""
        )
        if "immutable" not in cache or "max-age=31536000" not in cache:
            uncovered.append(glob_for_asset(asset))
    found = []
    redirects = dist / "_redirects"
    if redirects.is_file():
        static, dynamic = count_redirects(redirects.read_text())
        if static > REDIRECT_LIMITS[0] or dynamic > REDIRECT_LIMITS[1]:
            found.append(
                finding(
                    "cdn.too-many-redirects",
                    f"{dist.name}/_redirects: {static} static and {dynamic} "
                    f"dynamic rules (limits {REDIRECT_LIMITS[0]} and {REDIRECT_LIMITS[1]})",
                )
            )
    if uncovered:
        where = f"{dist.name}/_headers" if rules else f"no {dist.name}/_headers"
        found.append(
            finding(
                "cdn.default-asset-caching",
                f"{where}: {', '.join(sorted(set(uncovered)))} get "
                "Cloudflare's default `public, max-age=0, must-revalidate`",
            )
        )
    return found
