"""`cache`: the plan from the example's code, and the audit of responses with controlled headers."""

import gzip

import orjson
import pytest

from oc_scale_mcp.commands.cache import CacheParams, run
from oc_scale_mcp.commands.spec import no_progress
from tests.servers import Behaviour, http_server

pytestmark = pytest.mark.anyio
BIG_TEXT = b"<html><body>" + b"<p>scaling readiness</p>" * 200 + b"</body></html>"
COUNTER = {"n": 0}


def _unstable(headers):
    COUNTER["n"] += 1
    return (
        200,
        {"Cache-Control": "public, max-age=60", "ETag": '"same"', "Content-Type": "application/json"},
        orjson.dumps({"n": COUNTER["n"]}),
    )


ROUTES = {
    "/assets/app-4f3a9c1b.js": lambda h: (
        (304, {"ETag": '"a1"'}, b"")
        if h.get("if-none-match") == '"a1"'
        else (
            200,
            {
                "Cache-Control": "max-age=31536000, immutable",
                "ETag": '"a1"',
                "Content-Type": "application/javascript",
                "Content-Encoding": "gzip",
                "Vary": "Accept-Encoding",
            },
            gzip.compress(b"console.log(1);" * 200),
        )
        if "gzip" in h.get("accept-encoding", "")
        else (
            200,
            {"Cache-Control": "max-age=31536000, immutable", "ETag": '"a1"', "Content-Type": "application/javascript"},
            b"console.log(1);" * 200,
        )
    ),
    "/page": lambda h: (200, {"Content-Type": "text/html"}, BIG_TEXT),
    "/api/me": lambda h: (
        200,
        {"Cache-Control": "no-store", "Vary": "User-Agent", "Content-Type": "application/json"},
        b"{}",
    ),
    "/api/conflict": lambda h: (
        200,
        {"Cache-Control": "private, public, max-age=60", "Content-Type": "application/json"},
        b"{}",
    ),
    "/api/broken-etag": lambda h: (
        200,
        {"Cache-Control": "public, max-age=60", "ETag": '"v1"', "Content-Type": "application/json"},
        b"{}",
    ),
    "/api/unstable-etag": _unstable,
    "/gz-no-vary": lambda h: (
        200,
        {
            "Content-Type": "text/plain",
            "Content-Encoding": "gzip",
            "Cache-Control": "public, max-age=60",
            "ETag": '"g"',
        },
        gzip.compress(BIG_TEXT),
    ),
    "/cookie": lambda h: (
        200,
        {"Cache-Control": "public, max-age=3600", "Set-Cookie": "sid=abc", "ETag": '"c"', "Content-Type": "text/plain"},
        b"hi",
    ),
    "/auth-public": lambda h: (
        200,
        {
            "Cache-Control": "public, max-age=600",
            "Content-Type": "application/json",
            "Last-Modified": "Wed, 02 Dec 2026 10:00:00 GMT",
        },
        b"{}",
    ),
}


async def audit(project, urls):
    return await run(CacheParams(project_dir=str(project), urls=urls), no_progress)


def kinds_for(result, url):
    return {f.id for f in result.findings if url in f.evidence}


async def test_the_example_plan_classifies_routes_and_says_which_writes_purge_them(example_project):
    result = await run(CacheParams(project_dir=str(example_project)), no_progress)
    plan = {p.route: p for p in result.plan}
    assert plan["GET /assets/*"].layer == "CDN" and plan["GET /assets/*"].ttl.startswith("1 year")
    assert plan["GET /api/contacts"].data_type == "User-specific data" and plan["GET /api/contacts"].layer == "KV"
    assert "{userId}" in plan["GET /api/contacts"].key
    assert set(plan["GET /api/contacts"].purged_by) == {"POST /api/contacts", "POST /api/contacts/import"}
    assert plan["GET /api/health"].cache == "No"
    ids = {f.id for f in result.findings}
    assert {"cache.missing-cache-aside", "infra.kv-hot-key"} <= ids
    doc = orjson.loads((example_project / ".checkpoints" / "oc-scale-ops.checkpoint.json").read_bytes())
    assert set(doc["skill_state"]["cache"]["layers"]) == {"CDN", "KV"}
    assert "| Route | Data type | Cache? | Where | TTL | Invalidation | Key |" in result.report


async def test_each_caching_defect_is_found_and_a_good_asset_is_clean(empty_project):
    with http_server(Behaviour(routes=ROUTES)) as (port, _):
        base = f"http://127.0.0.1:{port}"
        result = await audit(empty_project, [base + path for path in ROUTES])
    assert kinds_for(result, "/assets/app-4f3a9c1b.js") == set()
    assert "cache.not-compressed" in kinds_for(result, "/page")
    assert "cache.httplint.freshness_heuristic" in kinds_for(result, "/page")
    assert "cache.httplint.vary_user_agent" in kinds_for(result, "/api/me")
    assert "cache.httplint.store_private_public_conflict" in kinds_for(result, "/api/conflict")
    assert "cache.revalidation-broken" in kinds_for(result, "/api/broken-etag")
    assert "cache.etag-unstable" in kinds_for(result, "/api/unstable-etag")
    assert "cache.compressed-without-vary" in kinds_for(result, "/gz-no-vary")
    assert "cache.cookie-public" in kinds_for(result, "/cookie")
    assert "cache.auth-public" in kinds_for(result, "/auth-public")
    assert "cache.revalidation-broken" in kinds_for(result, "/auth-public")  # If-Modified-Since gave 200


async def test_an_unreachable_url_is_a_clear_error(empty_project):
    from oc_scale_mcp.core.errors import InputError
    from tests.servers import refused_port

    with pytest.raises(InputError, match="cannot fetch"):
        await audit(empty_project, [f"http://127.0.0.1:{refused_port()}/"])
