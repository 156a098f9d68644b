"""Endpoints to load: parsing, the request bytes, and the safety rules on where traffic may go.

Only http and https URLs; every endpoint of one run shares one origin (one connection pool). A hosted
server (`oc-scale serve --http`) refuses private, loopback and link-local targets unless the caller
explicitly allows them: a shared endpoint must not become a way into someone's internal network.
"""

import ipaddress
import os
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from oc_scale_mcp.core.errors import InputError
from oc_scale_mcp.load.plan import RequestTemplate

ALLOWED_METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}
USER_AGENT = "oc-scale-loadtest/0.1"


@dataclass(frozen=True, slots=True)
class Origin:
    scheme: str
    host: str
    port: int

    @property
    def tls(self) -> bool:
        return self.scheme == "https"

    @property
    def host_header(self) -> str:
        default = 443 if self.tls else 80
        host = f"[{self.host}]" if ":" in self.host else self.host
        return host if self.port == default else f"{host}:{self.port}"


def parse_origin(url: str) -> tuple[Origin, str]:
    """Split a URL into its origin and request target (`/path?query`), or raise a clear error."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise InputError(f"bad URL {url!r}: {exc}") from None
    if parts.scheme not in ("http", "https"):
        raise InputError(f"bad URL {url!r}: only http:// and https:// URLs can be load tested")
    if not parts.hostname:
        raise InputError(f"bad URL {url!r}: it has no host")
    origin = Origin(parts.scheme, parts.hostname, port or (443 if parts.scheme == "https" else 80))
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return origin, target


def build_request(
    origin: Origin, method: str, target: str, headers: dict[str, str], body: bytes, keep_alive: bool = True
) -> bytes:
    """The HTTP/1.1 request bytes; caller headers override our defaults (case-insensitively)."""
    method = method.upper()
    if method not in ALLOWED_METHODS:
        raise InputError(f"method {method!r} is not one of {', '.join(sorted(ALLOWED_METHODS))}")
    merged = {
        "host": ("Host", origin.host_header),
        "user-agent": ("User-Agent", USER_AGENT),
        "accept": ("Accept", "*/*"),
    }
    for name, value in headers.items():
        if "\r" in name or "\n" in name or "\r" in str(value) or "\n" in str(value):
            raise InputError(f"header {name!r} contains a line break")
        merged[name.lower()] = (name, str(value))
    if body or method in ("POST", "PUT", "PATCH"):
        merged["content-length"] = ("Content-Length", str(len(body)))
    if not keep_alive:
        merged["connection"] = ("Connection", "close")
    head = f"{method} {target} HTTP/1.1\r\n" + "".join(f"{n}: {v}\r\n" for n, v in merged.values()) + "\r\n"
    return head.encode("latin-1") + body


def template(
    origin: Origin, method: str, target: str, headers: dict[str, str], body: bytes, weight: float
) -> RequestTemplate:
    return RequestTemplate(f"{method.upper()} {target}", build_request(origin, method, target, headers, body), weight)


def is_hosted() -> bool:
    return os.environ.get("OC_SCALE_HOSTED") == "1"


def check_target_allowed(origin: Origin, allow_private: bool) -> None:
    """In hosted mode, refuse private/loopback/link-local targets unless explicitly allowed."""
    if not is_hosted() or allow_private:
        return
    try:
        infos = socket.getaddrinfo(origin.host, origin.port, proto=socket.IPPROTO_TCP)
    except socket.gaierror as exc:
        raise InputError(f"cannot resolve {origin.host}: {exc.strerror}") from None
    for info in infos:
        address = ipaddress.ip_address(info[4][0].split("%")[0])
        if address.is_private or address.is_loopback or address.is_link_local or address.is_reserved:
            raise InputError(
                f"{origin.host} resolves to {address}, a private/loopback/link-local address: a hosted "
                "oc-scale refuses such targets unless allow_private_targets=true"
            )
