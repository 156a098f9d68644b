"""`cdn`: a served page and its assets with controlled headers, and the project's `_headers` rules."""

import pytest

from oc_scale_mcp.analysis.cdn_judge import CF_CACHE_STATUS, edge_ttl, parse_headers_file
from oc_scale_mcp.commands.cdn import CdnParams, run
from oc_scale_mcp.commands.spec import no_progress
from tests.servers import Behaviour, http_server

pytestmark = pytest.mark.anyio
PAGE = (
    b'<html><head><script src="/assets/app-4f3a9c1b.js"></script><link rel="stylesheet" '
    b'href="/assets/site-9a8b7c6d.css"></head><body><img src="/hero.png"></body></html>'
)
ROUTES = {
    "/": lambda h: (
        200,
        {"Content-Type": "text/html", "Cache-Control": "public, max-age=3600", "cf-cache-status": "DYNAMIC"},
        PAGE,
    ),
    "/assets/app-4f3a9c1b.js": lambda h: (
        200,
        {
            "Content-Type": "application/javascript",
            "Cache-Control": "public, max-age=14400",
            "cf-cache-status": "BYPASS",
        },
        b"console.log('x');" * 200,
    ),
    "/assets/site-9a8b7c6d.css": lambda h: (
        200,
        {
            "Content-Type": "text/css",
            "Cache-Control": "public, max-age=31536000, immutable",
            "cf-cache-status": "HIT",
            "CDN-Cache-Control": "max-age=86400",
        },
        b"body{}",
    ),
    "/hero.png": lambda h: (
        200,
        {"Content-Type": "image/png", "Cache-Control": "public, max-age=86400"},
        b"\x89PNG" + b"\0" * 60_000,
    ),
}


async def test_a_served_page_and_its_assets_are_judged(empty_project):
    with http_server(Behaviour(routes=ROUTES)) as (port, _):
        result = await run(CdnParams(project_dir=str(empty_project), url=f"http://127.0.0.1:{port}/"), no_progress)
    by_url = {r.url.split(str(port))[1]: r for r in result.responses}
    assert set(by_url) == {"/", "/assets/app-4f3a9c1b.js", "/assets/site-9a8b7c6d.css", "/hero.png"}
    assert by_url["/assets/site-9a8b7c6d.css"].edge_header == "cdn-cache-control"
    found = {(f.id, f.evidence.split(str(port))[1].split(":")[0]) for f in result.findings}
    assert ("cdn.asset-not-immutable", "/assets/app-4f3a9c1b.js") in found
    assert ("cdn.cache-status", "/assets/app-4f3a9c1b.js") in found  # BYPASS explained with its fix
    assert ("cdn.not-compressed", "/assets/app-4f3a9c1b.js") in found
    assert ("cdn.html-not-revalidated", "/") in found and ("cdn.no-http3", "/") in found
    assert ("cdn.legacy-image", "/hero.png") in found
    assert not any(path == "/assets/site-9a8b7c6d.css" for _, path in found)


async def test_a_headers_rule_for_hashed_assets_clears_the_default_caching_finding(example_project):
    before = await run(CdnParams(project_dir=str(example_project)), no_progress)
    assert [f.id for f in before.findings] == ["cdn.default-asset-caching"]
    (example_project / "dist" / "_headers").write_text(
        "# hashed build output\n/assets/*\n  Cache-Control: public, max-age=31536000, immutable\n"
    )
    after = await run(CdnParams(project_dir=str(example_project)), no_progress)
    assert after.findings == [] and any(f.fingerprinted for f in after.files)
    assert after.page_weight_bytes > 500 * 1024


async def test_redirect_rules_over_the_limit_are_reported(example_project):
    rules = "".join(f"/old/{i} /new/{i} 301\n" for i in range(2001)) + "/blog/* /posts/:splat 301\n"
    (example_project / "dist" / "_redirects").write_text(rules)
    result = await run(CdnParams(project_dir=str(example_project)), no_progress)
    finding = next(f for f in result.findings if f.id == "cdn.too-many-redirects")
    assert "2001 static and 1 dynamic" in finding.evidence


def test_edge_header_precedence_and_status_catalogue():
    assert edge_ttl(
        {
            "cache-control": "max-age=60",
            "cdn-cache-control": "max-age=600",
            "cloudflare-cdn-cache-control": "max-age=6000",
        }
    ) == ("cloudflare-cdn-cache-control", "max-age=6000")
    assert set(CF_CACHE_STATUS) == {
        "HIT",
        "MISS",
        "EXPIRED",
        "STALE",
        "BYPASS",
        "REVALIDATED",
        "UPDATING",
        "DYNAMIC",
        "NONE",
    }
    assert parse_headers_file("/a/*\n  X-Test: 1\n/b\n  Cache-Control: no-cache\n") == [
        ("/a/*", {"x-test": "1"}),
        ("/b", {"cache-control": "no-cache"}),
    ]
