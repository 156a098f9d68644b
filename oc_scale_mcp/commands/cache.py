"""`cache`: a caching plan from the app's code, and an audit of real responses (httplint + active checks)."""

import hashlib

from pydantic import BaseModel, Field

from oc_scale_mcp.commands.spec import CommandSpec, Hints, Progress
from oc_scale_mcp.core.checkpoint import CheckpointStore
from oc_scale_mcp.core.errors import InputError
from oc_scale_mcp.core.models import CommandParams, CommandResult, Finding
from oc_scale_mcp.core.project import Project

TEXT_TYPES = ("text/", "application/json", "application/javascript", "application/xml", "image/svg+xml")
MIN_COMPRESSIBLE_BYTES = 1400


class CacheParams(CommandParams):
    urls: list[str] = Field(
        default_factory=list,
        description="Responses to audit (http/https): each is fetched, "
        "linted with httplint, and probed with conditional, compressed and authorized requests.",
    )
    timeout_s: float = Field(10.0, gt=0, le=60, description="Per-request timeout (s).")
    allow_private_targets: bool = Field(False, description="Hosted server only: allow private/loopback URLs.")


class RouteCachePlan(BaseModel):
    route: str
    where: str
    data_type: str
    cache: str
    layer: str
    ttl: str
    invalidation: str
    key: str
    reads: list[str]
    writes: list[str]
    purged_by: list[str]


class CacheResult(CommandResult):
    plan: list[RouteCachePlan]
    findings: list[Finding]
    audited_urls: list[str]


async def run(params: CacheParams, progress: Progress) -> CacheResult:
    project = Project.open(params.project_dir)
    findings: list[Finding] = []
    await progress(1, 3, "reading routes and their queries")
    plan, design_findings = _design(project)
    findings += design_findings
    audited = []
    if params.urls:
        from oc_scale_mcp.load.targets import check_target_allowed, parse_origin

        for url in params.urls:
            origin, _ = parse_origin(url)
            check_target_allowed(origin, params.allow_private_targets)
        await progress(2, 3, f"auditing {len(params.urls)} URL(s)")
        for url in params.urls:
            findings += await _audit_url(url, params.timeout_s)
            audited.append(url)
    if not plan and not params.urls:
        raise InputError("nothing to do: no routes found in project_dir and no `urls` to audit")
    result = CacheResult(
        plan=[
            RouteCachePlan(
                route=f"{p.method} {p.path}",
                where=p.where,
                data_type=p.data_type,
                cache=p.cache,
                layer=p.layer,
                ttl=p.ttl,
                invalidation=p.invalidation,
                key=p.key,
                reads=p.reads,
                writes=p.writes,
                purged_by=p.purged_by,
            )
            for p in plan
        ],
        findings=findings,
        audited_urls=audited,
        report="",
    )
    result.report = _report(project.name, result)
    await progress(3, 3, "recording the cache plan")
    cached = [p for p in result.plan if p.layer in ("KV", "CDN")]
    CheckpointStore(project).record_event(
        "cache",
        {
            "layers": sorted({p.layer for p in cached}),
            "ttls": {p.route: p.ttl for p in cached},
            "invalidation": {p.route: p.purged_by for p in cached if p.purged_by},
            "findings": len(findings),
            "audited_urls": audited,
        },
        summary=f"Cache plan: {len(cached)} cacheable route(s); {len(findings)} finding(s).",
        next_actions=[f"Cache {p.route} in {p.layer} ({p.ttl})" for p in cached[:2]] or ["Re-run after changes."],
    )
    return result


def _design(project: Project):
    from oc_scale_mcp.analysis import kinds
    from oc_scale_mcp.analysis.cache_design import plan_routes
    from oc_scale_mcp.analysis.code_scan import scan_code
    from oc_scale_mcp.analysis.sql.harvest import harvest
    from oc_scale_mcp.analysis.sql.schema import find_migrations
    from oc_scale_mcp.analysis.wrangler import read_wrangler

    root = project.root
    config = read_wrangler(root)
    migrations = set(find_migrations(root))
    scan = scan_code(root, set(config.kv) if config else set(), migrations)
    queries: dict[tuple[str, str], list[str]] = {}
    for query in harvest(root, migrations).queries:
        if not query.dynamic:
            queries.setdefault((query.file, query.function), []).append(query.sql)
    plan = plan_routes(scan.routes, queries, scan.kv_read_files)
    if config and config.assets:
        from oc_scale_mcp.analysis.cache_design import FRAMEWORK, RoutePlan

        cache, layer, ttl, invalidation = FRAMEWORK["Static assets"]
        plan.insert(
            0, RoutePlan("GET", "/assets/*", "wrangler.toml [assets]", "Static assets", cache, layer, ttl, invalidation)
        )
    findings = []
    for item in plan:
        if item.layer == "KV" and item.reads and not item.has_cache_aside:
            findings.append(
                kinds.finding(
                    "cache.missing-cache-aside",
                    f"{item.where}: {item.method} {item.path} reads {', '.join(item.reads)} from D1 on every request",
                )
            )
    for file, line, key in scan.kv_hot_keys:
        findings.append(kinds.finding("infra.kv-hot-key", f'{file}:{line}: `put("{key}")` per request'))
    return plan, findings


async def _audit_url(url: str, timeout_s: float) -> list[Finding]:
    import httpx

    from oc_scale_mcp.analysis import kinds
    from oc_scale_mcp.analysis.cache_lint import Observed, lint

    found: list[Finding] = []
    async with httpx.AsyncClient(timeout=timeout_s, follow_redirects=False) as client:
        try:
            first, raw_body = await _fetch_raw(client, url, {"Accept-Encoding": "gzip, br"})
            _, plain_body = await _fetch_raw(client, url, {"Accept-Encoding": "identity"})
            again, again_body = await _fetch_raw(client, url, {"Accept-Encoding": "gzip, br"})
        except httpx.HTTPError as exc:
            raise InputError(f"cannot fetch {url}: {type(exc).__name__}: {exc}") from None
        headers = list(first.headers.multi_items())
        raw = len(raw_body)
        found += lint(Observed(url, first.status_code, headers, raw_body))
        cache_control = first.headers.get("cache-control", "").lower()
        public = (
            ("public" in cache_control or "s-maxage" in cache_control or "max-age" in cache_control)
            and "private" not in cache_control
            and "no-store" not in cache_control
        )
        etag, modified = first.headers.get("etag"), first.headers.get("last-modified")
        if etag:
            revalidated = await client.get(url, headers={"If-None-Match": etag})
            if revalidated.status_code != 304:
                found.append(
                    kinds.finding(
                        "cache.revalidation-broken",
                        f"{url}: If-None-Match: {etag} → {revalidated.status_code} (expected 304)",
                    )
                )
            if again.headers.get("etag") == etag and _digest(again_body) != _digest(raw_body):
                found.append(kinds.finding("cache.etag-unstable", f"{url}: ETag {etag} on two different bodies"))
        elif modified:
            revalidated = await client.get(url, headers={"If-Modified-Since": modified})
            if revalidated.status_code != 304:
                found.append(
                    kinds.finding(
                        "cache.revalidation-broken",
                        f"{url}: If-Modified-Since: {modified} → {revalidated.status_code} (expected 304)",
                    )
                )
        elif public and first.status_code == 200:
            found.append(
                kinds.finding("cache.no-validator", f"{url}: Cache-Control: {cache_control}, no ETag or Last-Modified")
            )
        content_type = first.headers.get("content-type", "")
        encoding = first.headers.get("content-encoding", "")
        if content_type.startswith(TEXT_TYPES) and len(plain_body) >= MIN_COMPRESSIBLE_BYTES and not encoding:
            found.append(
                kinds.finding(
                    "cache.not-compressed",
                    f"{url}: {len(plain_body):,} B of {content_type} without Content-Encoding (asked for gzip, br)",
                )
            )
        if encoding:
            vary = first.headers.get("vary", "").lower()
            if "accept-encoding" not in vary and "*" not in vary:
                found.append(
                    kinds.finding(
                        "cache.compressed-without-vary",
                        f"{url}: Content-Encoding: {encoding}, Vary: {first.headers.get('vary', '(none)')}",
                    )
                )
            if raw >= len(plain_body):
                found.append(
                    kinds.finding(
                        "cache.compression-useless", f"{url}: {encoding} {raw:,} B vs identity {len(plain_body):,} B"
                    )
                )
        if "set-cookie" in first.headers and public:
            found.append(kinds.finding("cache.cookie-public", f"{url}: Set-Cookie with Cache-Control: {cache_control}"))
        authorized = await client.get(url, headers={"Authorization": "Bearer oc-scale-cache-probe"})
        auth_cc = authorized.headers.get("cache-control", "").lower()
        if ("public" in auth_cc or "s-maxage" in auth_cc) and "private" not in auth_cc and "no-store" not in auth_cc:
            found.append(kinds.finding("cache.auth-public", f"{url}: with Authorization → Cache-Control: {auth_cc}"))
    return found


async def _fetch_raw(client, url: str, headers: dict[str, str]):
    """The response and its body exactly as sent (not decoded): httplint checks the encoding itself."""
    async with client.stream("GET", url, headers=headers) as response:
        body = b"".join([chunk async for chunk in response.aiter_raw()])
    return response, body


def _digest(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def _report(name: str, result: CacheResult) -> str:
    lines = [
        f"## Caching strategy — {name}",
        "",
        "```",
        "Request",
        "  ├──► CF CDN Cache (static assets, HTML if cacheable)   TTL: hours-days",
        "  ├──► CF KV (app-level cache)   TTL: minutes-hours",
        "  ├──► D1 query cache (per request only)",
        "  └──► Origin (D1 query)   no cache, always fresh",
        "```",
        "",
    ]
    if result.plan:
        lines += [
            "### What to cache (decision framework, per route)",
            "| Route | Data type | Cache? | Where | TTL | Invalidation | Key |",
            "|---|---|---|---|---|---|---|",
        ]
        for p in result.plan:
            invalidation = p.invalidation + (f": purged by {', '.join(p.purged_by)}" if p.purged_by else "")
            lines.append(
                f"| {p.route} | {p.data_type} | {p.cache} | {p.layer} | {p.ttl} | {invalidation} | {p.key or '—'} |"
            )
    if result.findings:
        lines += ["", "### Findings", "| Severity | Finding | Evidence | Fix |", "|---|---|---|---|"]
        lines += [f"| {f.severity.value} | {f.title} | {f.evidence} | {f.fix} |" for f in result.findings]
    elif result.audited_urls:
        lines += ["", "No caching problems found on the audited URLs."]
    return "\n".join(lines) + "\n"


SPEC = CommandSpec(
    name="cache",
    title="Caching strategy",
    summary="Cache plan per route from the code (layer, TTL, invalidation) and an audit of real responses.",
    description=(
        "Use to design or check caching. From project_dir: every route (Hono/Express/FastAPI) classified by the "
        "skill's decision framework (static assets, user-specific, public list, auth tokens, computed aggregations, "
        "real-time) from the tables its SQL reads, with the layer (CDN/KV), TTL, a KV key and which write routes "
        "must purge it; missing KV cache-aside and per-request KV writes are flagged. With `urls`: each response is "
        "linted with httplint (REDbot's RFC 9111 checks) and probed — conditional requests must give 304, ETags "
        "must change with the body, text must be compressed with `Vary: Accept-Encoding`, and responses with "
        "Set-Cookie or to authorized requests must not be publicly cacheable. Records the plan in the checkpoint."
    ),
    params=CacheParams,
    result=CacheResult,
    run=run,
    hints=Hints(read_only=False, destructive=False, idempotent=True, open_world=True),
    checkpoint_event="cache",
)
