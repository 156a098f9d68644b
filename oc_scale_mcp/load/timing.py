"""Time single HTTP requests phase by phase, like `curl -w`, through httpx's `trace` extension.

Phases (ms): dns (our own getaddrinfo; 0 for an IP literal), connect (TCP), tls, send (request
headers and body written), wait (request sent → response headers: the server's think time plus one
round trip), ttfb (start → response headers), download (body), total. httpx is right here: one
request at a time, full HTTP semantics, decompression; it is wrong for generating load.
"""

import socket
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import anyio
import httpx

CACHE_HEADERS = (
    "cache-control",
    "etag",
    "last-modified",
    "age",
    "expires",
    "vary",
    "cdn-cache-control",
    "cloudflare-cdn-cache-control",
    "cf-cache-status",
    "cache-status",
    "x-cache",
)


@dataclass(slots=True)
class RequestTiming:
    status: int | None
    error: str | None
    dns_ms: float = 0.0
    connect_ms: float = 0.0
    tls_ms: float = 0.0
    send_ms: float = 0.0
    wait_ms: float = 0.0
    ttfb_ms: float = 0.0
    download_ms: float = 0.0
    total_ms: float = 0.0
    bytes_wire: int = 0
    bytes_raw: int = 0
    http_version: str = ""
    content_encoding: str = ""
    cache_headers: dict[str, str] = field(default_factory=dict)


class _Tracer:
    def __init__(self) -> None:
        self.marks: dict[str, float] = {}

    async def __call__(self, event: str, info: dict) -> None:
        self.marks[event.split(".", 1)[1]] = time.perf_counter()

    def span(self, name: str) -> float:
        start, end = self.marks.get(f"{name}.started"), self.marks.get(f"{name}.complete")
        return (end - start) * 1000 if start is not None and end is not None else 0.0


async def resolve_ms(url: str) -> float:
    host = urlsplit(url).hostname or ""
    try:
        socket.inet_pton(socket.AF_INET6 if ":" in host else socket.AF_INET, host)
        return 0.0
    except OSError:
        pass
    start = time.perf_counter()
    await anyio.getaddrinfo(host, None)
    return (time.perf_counter() - start) * 1000


async def time_request(
    client: httpx.AsyncClient, method: str, url: str, headers: dict[str, str], body: str, timeout_s: float
) -> RequestTiming:
    """One request, timed; transport errors come back as `error`, never raised."""
    tracer = _Tracer()
    try:
        dns = await resolve_ms(url)
    except OSError as exc:
        return RequestTiming(status=None, error=f"dns: {exc}")
    start = time.perf_counter()
    try:
        response = await client.request(
            method, url, headers=headers, content=body or None, extensions={"trace": tracer}, timeout=timeout_s
        )
    except httpx.TimeoutException:
        return RequestTiming(status=None, error="timeout", dns_ms=dns)
    except httpx.ConnectError as exc:
        return RequestTiming(status=None, error=f"connect: {exc}", dns_ms=dns)
    except httpx.HTTPError as exc:
        return RequestTiming(status=None, error=f"{type(exc).__name__}: {exc}", dns_ms=dns)
    end = time.perf_counter()
    marks = tracer.marks
    headers_done = marks.get("receive_response_headers.complete", end)
    headers_started = marks.get("receive_response_headers.started", start)
    return RequestTiming(
        status=response.status_code,
        error=None,
        dns_ms=dns,
        connect_ms=tracer.span("connect_tcp"),
        tls_ms=tracer.span("start_tls"),
        send_ms=tracer.span("send_request_headers") + tracer.span("send_request_body"),
        wait_ms=(headers_done - headers_started) * 1000,
        ttfb_ms=(headers_done - start) * 1000 + dns,
        download_ms=(end - headers_done) * 1000,
        total_ms=(end - start) * 1000 + dns,
        bytes_wire=response.num_bytes_downloaded,
        bytes_raw=len(response.content),
        http_version=response.http_version,
        content_encoding=response.headers.get("content-encoding", ""),
        cache_headers={k: response.headers[k] for k in CACHE_HEADERS if k in response.headers},
    )
