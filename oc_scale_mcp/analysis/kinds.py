"""The catalogue of readiness findings outside SQL (API, frontend, infrastructure, architecture): each
kind named once with its layer, severity, sentence and fix; detectors add evidence."""

from dataclasses import dataclass

from oc_scale_mcp.core.models import Finding, Layer, Severity


@dataclass(frozen=True, slots=True)
class Kind:
    id: str
    layer: Layer
    severity: Severity
    title: str
    fix: str
    impact: str
    effort: str = "hours"


_L, _S = Layer, Severity
KINDS: dict[str, Kind] = {
    k.id: k
    for k in (
        Kind(
            "db.fk-without-index",
            _L.DATABASE,
            _S.MEDIUM,
            "Foreign key without an index",
            "CREATE INDEX on the foreign-key column",
            "Joins and lookups by parent scan the child table.",
        ),
        Kind(
            "db.single-d1-database",
            _L.ARCHITECTURE,
            _S.MEDIUM,
            "One D1 database takes every write",
            "Plan for sharding (per tenant/region) before the writer saturates; keep reads off it with caching",
            "D1 runs one query at a time per database: a single point of contention and failure.",
        ),
        Kind(
            "api.no-rate-limiting",
            _L.API,
            _S.MEDIUM,
            "No rate limiting",
            "Add the Workers Rate Limiting binding (`[[ratelimits]]` in wrangler) or a WAF rate-limiting rule",
            "One client can exhaust free-tier quotas, the D1 writer or your bill.",
        ),
        Kind(
            "api.no-cache-headers",
            _L.API,
            _S.MEDIUM,
            "API responses set no Cache-Control",
            "Set `Cache-Control` on public GET responses (e.g. `public, max-age=60, stale-while-revalidate=300`) "
            "and `private, no-store` on user data",
            "Every read reaches the Worker and D1; CDNs and browsers cannot help.",
        ),
        Kind(
            "api.no-kv-cache",
            _L.API,
            _S.MEDIUM,
            "Read endpoints query D1 on every request (no cache-aside)",
            "Cache-aside in KV for public lists and aggregations (the skill's `withCache` pattern), purged on write",
            "Read load scales 1:1 onto the single D1 writer.",
        ),
        Kind(
            "infra.kv-hot-key",
            _L.INFRASTRUCTURE,
            _S.HIGH,
            "A KV key written on every request",
            "Count in a Durable Object (or Analytics Engine) and flush to KV at most once a second",
            "KV accepts 1 write per second per key: writes fail or are lost beyond ~1 request/s.",
        ),
        Kind(
            "infra.no-cpu-limit",
            _L.INFRASTRUCTURE,
            _S.LOW,
            "No CPU limit configured",
            "Set `[limits] cpu_ms = 50` (or what the app needs) in wrangler to cap runaway invocations",
            "A slow path or attack bills up to 30 s of CPU per request.",
            "minutes",
        ),
        Kind(
            "infra.old-compatibility-date",
            _L.INFRASTRUCTURE,
            _S.LOW,
            "Compatibility date over a year old",
            "Move `compatibility_date` forward after testing",
            "Misses runtime fixes and performance improvements.",
            "minutes",
        ),
        Kind(
            "infra.free-plan-limit",
            _L.INFRASTRUCTURE,
            _S.HIGH,
            "A free-plan limit is close",
            "Move to Workers Paid before it is reached",
            "On Workers Free, past a daily cap requests fail.",
        ),
        Kind(
            "arch.module-state",
            _L.ARCHITECTURE,
            _S.MEDIUM,
            "Mutable module-level state in a Worker",
            "Keep per-request state in the request; shared state in KV/D1/a Durable Object",
            "Each isolate has its own copy: results differ between instances and the cache never invalidates.",
        ),
        Kind(
            "arch.work-to-queue",
            _L.ARCHITECTURE,
            _S.LOW,
            "Slow side work done inside the request",
            "Move it to `ctx.waitUntil()` or a Queue consumer",
            "The user waits for work that could happen after the response.",
        ),
        Kind(
            "api.slow-endpoint",
            _L.API,
            _S.HIGH,
            "Endpoint slower than its latency budget",
            "Profile the handler: its queries (`oc-scale queries`), caching and payload",
            "Users wait; the Worker and D1 are busy longer per request, so capacity drops.",
        ),
        Kind(
            "api.large-payload",
            _L.API,
            _S.MEDIUM,
            "Large API response",
            "Paginate and select fewer columns; compress (gzip/br)",
            "Transfer time and Worker CPU grow with the payload.",
        ),
        Kind(
            "api.loadtest-failed",
            _L.API,
            _S.HIGH,
            "The last load test failed its thresholds",
            "Fix the constraint behind the failed threshold, then re-run the load test",
            "Measured: the service misses its SLO at the tested load.",
        ),
        Kind(
            "cache.revalidation-broken",
            _L.API,
            _S.HIGH,
            "Conditional request does not get a 304",
            "Answer `If-None-Match`/`If-Modified-Since` with 304 Not Modified when the validator matches",
            "Every revalidation downloads the whole body again.",
        ),
        Kind(
            "cache.etag-unstable",
            _L.API,
            _S.HIGH,
            "The same ETag for different bodies",
            "Derive the ETag from the body (a hash) or a version that changes with it",
            "Caches serve the old body as if it were current.",
        ),
        Kind(
            "cache.not-compressed",
            _L.API,
            _S.MEDIUM,
            "Text response sent uncompressed",
            "Compress text of 1.4 KB or more (br or gzip); on Workers let Cloudflare compress the Response",
            "Several times more bytes on the wire than needed.",
        ),
        Kind(
            "cache.compressed-without-vary",
            _L.API,
            _S.MEDIUM,
            "Compressed response without `Vary: Accept-Encoding`",
            "Add `Vary: Accept-Encoding`",
            "A shared cache can hand a compressed body to a client that cannot read it.",
        ),
        Kind(
            "cache.compression-useless",
            _L.API,
            _S.LOW,
            "Compression does not shrink the response",
            "Do not compress already-compressed types (images, archives)",
            "CPU spent for nothing.",
        ),
        Kind(
            "cache.cookie-public",
            _L.API,
            _S.HIGH,
            "Response with Set-Cookie is publicly cacheable",
            "Mark it `Cache-Control: private, no-store`, or drop the cookie from cacheable responses",
            "A shared cache can hand one user's cookie to everyone.",
        ),
        Kind(
            "cache.auth-public",
            _L.API,
            _S.HIGH,
            "Response to an authorized request is publicly cacheable",
            "Send `Cache-Control: private` (or `no-store`) on authenticated responses",
            "A shared cache can serve one user's data to others.",
        ),
        Kind(
            "cache.no-validator",
            _L.API,
            _S.LOW,
            "Cacheable response without a validator",
            "Send an ETag (or Last-Modified) so caches can revalidate cheaply",
            "Revalidation re-downloads the body.",
        ),
        Kind(
            "cache.missing-cache-aside",
            _L.API,
            _S.MEDIUM,
            "Cacheable read route queries D1 on every request",
            "Wrap the read in KV cache-aside (`withCache(env.CACHE, key, ttl, fetcher)`) and purge on write",
            "Read load lands on the single D1 writer.",
        ),
        Kind(
            "cdn.asset-not-immutable",
            _L.FRONTEND,
            _S.HIGH,
            "Fingerprinted asset not cached for a year",
            "Serve hashed assets with `Cache-Control: public, max-age=31536000, immutable` (a `_headers` rule: "
            "`/assets/*` then `  Cache-Control: public, max-age=31536000, immutable`)",
            "Browsers and the edge revalidate files whose name already changes with their content.",
            "minutes",
        ),
        Kind(
            "cdn.html-not-revalidated",
            _L.FRONTEND,
            _S.MEDIUM,
            "HTML cached without revalidation",
            "Send `Cache-Control: no-cache` with an ETag, or a short `s-maxage` plus `stale-while-revalidate`",
            "Users keep an old page that points at assets of a previous deploy.",
        ),
        Kind(
            "cdn.not-compressed",
            _L.FRONTEND,
            _S.MEDIUM,
            "Text asset sent uncompressed by the edge",
            "Enable compression (Cloudflare compresses text by default unless the origin sends Content-Encoding or "
            "`no-transform`)",
            "Several times more bytes per visit.",
            "minutes",
        ),
        Kind(
            "cdn.cache-status",
            _L.FRONTEND,
            _S.MEDIUM,
            "The edge did not cache a cacheable asset",
            "See the cf-cache-status explanation in the evidence",
            "Every request goes to the origin.",
        ),
        Kind(
            "cdn.no-http3",
            _L.FRONTEND,
            _S.LOW,
            "No HTTP/3 advertised",
            'Enable HTTP/3 (QUIC) in the zone\'s Network settings; the edge then sends `alt-svc: h3=":443"`',
            "Slower connection setup on lossy mobile networks.",
            "minutes",
        ),
        Kind(
            "cdn.legacy-image",
            _L.FRONTEND,
            _S.MEDIUM,
            "Image not in WebP/AVIF",
            "Serve WebP/AVIF (Cloudflare Images or Polish, or a build step)",
            "Larger images, slower LCP.",
        ),
        Kind(
            "cdn.too-many-redirects",
            _L.FRONTEND,
            _S.MEDIUM,
            "Too many `_redirects` rules",
            "Move bulk redirects to Bulk Redirects (account level) or a Worker",
            "Rules past the limit are ignored.",
            "hours",
        ),
        Kind(
            "cdn.default-asset-caching",
            _L.FRONTEND,
            _S.HIGH,
            "Hashed assets left on the default asset caching",
            "Add a `_headers` rule for the hashed assets: `/assets/*` then `  Cache-Control: public, max-age=31536000, "
            "immutable`",
            "Workers static assets default to `public, max-age=0, must-revalidate`: every visit revalidates.",
            "minutes",
        ),
        Kind(
            "fe.bundle-over-budget",
            _L.FRONTEND,
            _S.HIGH,
            "Initial JavaScript over budget",
            "Split the bundle: dynamic `import()` for routes and heavy libraries (charts, editors)",
            "Every first visit downloads and parses it before the app is usable.",
        ),
        Kind(
            "fe.bundle-near-budget",
            _L.FRONTEND,
            _S.MEDIUM,
            "Initial JavaScript near its budget",
            "Split heavy libraries into lazily loaded chunks before new features push it over",
            "Little room left for growth.",
        ),
        Kind(
            "fe.no-code-splitting",
            _L.FRONTEND,
            _S.MEDIUM,
            "No code splitting",
            "Lazy-load routes and heavy components with dynamic `import()`",
            "All code ships on first load.",
        ),
        Kind(
            "fe.page-weight-over-budget",
            _L.FRONTEND,
            _S.HIGH,
            "Page weight over budget",
            "Compress and resize images, lazy-load below-the-fold media",
            "Slow first loads on mobile networks.",
        ),
        Kind(
            "fe.image-unoptimized",
            _L.FRONTEND,
            _S.MEDIUM,
            "Large or legacy-format image",
            "Serve WebP/AVIF at the displayed size (`<picture>`, Cloudflare Images or a build step)",
            "Images dominate page weight and LCP.",
        ),
        Kind(
            "fe.image-not-lazy",
            _L.FRONTEND,
            _S.LOW,
            "Image without lazy loading",
            'Add `loading="lazy"` (and width/height) to images below the fold',
            "Downloads compete with the first paint.",
            "minutes",
        ),
        Kind(
            "fe.lighthouse-metric",
            _L.FRONTEND,
            _S.MEDIUM,
            "A Lighthouse metric misses its budget",
            "See the budget audit for the metric's fix",
            "Users perceive the page as slow.",
        ),
    )
}


def finding(
    kind_id: str, evidence: str, *, severity: Severity | None = None, title: str | None = None, fix: str | None = None
) -> Finding:
    kind = KINDS[kind_id]
    return Finding(
        id=kind.id,
        layer=kind.layer,
        severity=severity or kind.severity,
        title=title or kind.title,
        evidence=evidence,
        impact=kind.impact,
        fix=fix or kind.fix,
        effort=kind.effort,
    )
