"""`cdn`: edge caching for a deployed page and its assets, and the project's static asset config."""

from pydantic import BaseModel, Field

from oc_scale_mcp.commands.spec import CommandSpec, Hints, Progress
from oc_scale_mcp.core.checkpoint import CheckpointStore
from oc_scale_mcp.core.errors import InputError
from oc_scale_mcp.core.models import CommandParams, CommandResult, Finding
from oc_scale_mcp.core.project import Project


class CdnParams(CommandParams):
    url: str | None = Field(None, description="A deployed page: it and the assets its HTML references are fetched.")
    dist_dir: str | None = Field(None, description="Built assets inside the project (default: dist/ when it exists).")
    max_assets: int = Field(30, ge=1, le=200, description="Most referenced assets to fetch.")
    timeout_s: float = Field(10.0, gt=0, le=60, description="Per-request timeout (s).")
    allow_private_targets: bool = Field(False, description="Hosted server only: allow a private/loopback URL.")


class EdgeRow(BaseModel):
    url: str
    kind: str
    status: int
    cf_cache_status: str
    edge_header: str = Field(
        description="The header the edge obeys (Cloudflare-CDN-Cache-Control > CDN-Cache-Control > Cache-Control)."
    )
    edge_value: str
    content_encoding: str
    bytes_wire: int
    http_version: str


class FileRow(BaseModel):
    path: str
    bytes_raw: int
    bytes_gzip: int
    bytes_brotli: int
    fingerprinted: bool


class CdnResult(CommandResult):
    responses: list[EdgeRow]
    files: list[FileRow]
    page_weight_bytes: int | None
    findings: list[Finding]


async def run(params: CdnParams, progress: Progress) -> CdnResult:
    from oc_scale_mcp.analysis.bundle import measure_dist
    from oc_scale_mcp.analysis.cdn_judge import is_fingerprinted, judge_static

    project = Project.open(params.project_dir)
    findings: list[Finding] = []
    rows: list[EdgeRow] = []
    if params.url:
        await progress(1, 3, f"fetching {params.url} and its assets")
        rows, fetched = await _fetch_edge(params)
        findings += fetched
    files: list[FileRow] = []
    weight = None
    dist = project.resolve(params.dist_dir, what="dist_dir") if params.dist_dir else project.root / "dist"
    if dist.is_dir():
        await progress(2, 3, f"measuring {dist.name}/")
        measured = measure_dist(dist)
        weight = measured.page_weight_bytes
        from oc_scale_mcp.analysis.bundle import measure_file

        for path in sorted(p for p in dist.rglob("*") if p.is_file() and p.name not in ("_headers", "_redirects")):
            size = measure_file(dist, path, "file")
            files.append(
                FileRow(
                    path=size.path,
                    bytes_raw=size.bytes_raw,
                    bytes_gzip=size.bytes_gzip,
                    bytes_brotli=size.bytes_brotli,
                    fingerprinted=is_fingerprinted(size.path),
                )
            )
        findings += judge_static(dist, [f.path for f in files])
    if not params.url and not files:
        raise InputError("nothing to check: pass `url` (a deployed page) or build the front end into dist/")
    result = CdnResult(responses=rows, files=files, page_weight_bytes=weight, findings=findings, report="")
    result.report = _report(project.name, result)
    CheckpointStore(project).record_event(
        "cdn",
        {"url": params.url, "findings": len(findings), "page_weight_bytes": weight},
        summary=f"CDN check: {len(findings)} finding(s)" + (f" on {params.url}" if params.url else "") + ".",
        next_actions=[f.fix for f in findings[:2]] or ["Re-check after the next deploy."],
    )
    return result


async def _fetch_edge(params: CdnParams) -> tuple[list[EdgeRow], list[Finding]]:
    from urllib.parse import urljoin

    import httpx

    from oc_scale_mcp.analysis.bundle import referenced_urls
    from oc_scale_mcp.analysis.cdn_judge import EdgeResponse, edge_ttl, judge_response
    from oc_scale_mcp.load.targets import check_target_allowed, parse_origin

    origin, _ = parse_origin(params.url)
    check_target_allowed(origin, params.allow_private_targets)
    rows, findings = [], []
    headers = {"Accept-Encoding": "br, gzip", "Accept": "text/html,image/avif,image/webp,*/*"}
    async with httpx.AsyncClient(timeout=params.timeout_s, follow_redirects=True) as client:
        targets = [("document", params.url)]
        seen = set()
        index = 0
        while index < len(targets) and index <= params.max_assets:
            kind, url = targets[index]
            index += 1
            if url in seen:
                continue
            seen.add(url)
            try:
                async with client.stream("GET", url, headers=headers) as response:
                    raw = b"".join([chunk async for chunk in response.aiter_raw()])
                    response_headers = {k.lower(): v for k, v in response.headers.items()}
                    status = response.status_code
                    version = response.http_version
            except httpx.HTTPError as exc:
                if kind == "document":
                    raise InputError(f"cannot fetch {url}: {type(exc).__name__}: {exc}") from None
                continue
            if kind == "document":
                html = httpx.Response(status, headers=response_headers, content=raw).text
                for ref_kind, ref in referenced_urls(html):
                    absolute = urljoin(url, ref)
                    if absolute.startswith(("http://", "https://")):
                        targets.append((ref_kind, absolute))
            edge = EdgeResponse(url, kind, status, response_headers, len(raw))
            findings += judge_response(edge)
            header, value = edge_ttl(response_headers)
            rows.append(
                EdgeRow(
                    url=url,
                    kind=kind,
                    status=status,
                    cf_cache_status=response_headers.get("cf-cache-status", "—"),
                    edge_header=header,
                    edge_value=value,
                    content_encoding=response_headers.get("content-encoding", "identity"),
                    bytes_wire=len(raw),
                    http_version=version,
                )
            )
    return rows, findings


def _report(name: str, result: CdnResult) -> str:
    lines = [f"## CDN and edge — {name}", ""]
    if result.responses:
        lines += [
            "| URL | Kind | Status | HTTP | cf-cache-status | Edge obeys | Encoding | Bytes |",
            "|---|---|---|---|---|---|---|---|",
        ]
        lines += [
            f"| {r.url} | {r.kind} | {r.status} | {r.http_version} | {r.cf_cache_status} | "
            f"{r.edge_header}: {r.edge_value} | "
            f"{r.content_encoding} | {r.bytes_wire:,} |"
            for r in result.responses
        ]
    if result.files:
        lines += ["", "### Built assets", "| File | Raw | gzip | brotli | Fingerprinted |", "|---|---|---|---|---|"]
        lines += [
            f"| {f.path} | {f.bytes_raw:,} | {f.bytes_gzip:,} | {f.bytes_brotli:,} | "
            f"{'yes' if f.fingerprinted else 'no'} |"
            for f in result.files
        ]
        if result.page_weight_bytes is not None:
            lines.append(f"\nPage weight of index.html and what it loads: {result.page_weight_bytes / 1024:,.1f} KB.")
    lines += [
        "",
        "Cloudflare defaults: HTML and JSON are not cached at the edge unless a Cache Rule says so; Workers "
        "static assets are served with `public, max-age=0, must-revalidate` unless `_headers` says otherwise.",
    ]
    if result.findings:
        lines += ["", "### Findings", "| Severity | Finding | Evidence | Fix |", "|---|---|---|---|"]
        lines += [f"| {f.severity.value} | {f.title} | {f.evidence} | {f.fix} |" for f in result.findings]
    return "\n".join(lines) + "\n"


SPEC = CommandSpec(
    name="cdn",
    title="CDN and edge check",
    summary="Edge caching of a page and its assets (cf-cache-status, immutable hashed assets, compression, HTTP/3).",
    description=(
        "Use to check how Cloudflare's edge serves the app. With `url`: the page and the assets its HTML "
        "references are fetched; each response's cf-cache-status is explained with its fix, the header the edge "
        "obeys is named (Cloudflare-CDN-Cache-Control > CDN-Cache-Control > Cache-Control), hashed assets must be "
        "`max-age=31536000, immutable`, HTML must revalidate, text ≥ 1.4 KB must be compressed, HTTP/3 advertised, "
        "images WebP/AVIF. From the project: dist/ files with raw/gzip/brotli sizes, which are fingerprinted, page "
        "weight, and `_headers` rules against Cloudflare's default asset caching."
    ),
    params=CdnParams,
    result=CdnResult,
    run=run,
    hints=Hints(read_only=False, destructive=False, idempotent=True, open_world=True),
    checkpoint_event="cdn",
)
