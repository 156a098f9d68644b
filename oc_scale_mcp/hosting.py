"""Serving over streamable HTTP: stateless JSON responses, `/healthz`, and a bearer token.

A server bound to anything but loopback is reachable by others, so it refuses to start without a
token (env `OC_SCALE_TOKEN`). When a token is set, every request but `/healthz` must carry
`Authorization: Bearer <token>`; the comparison is constant-time. We check the token in a small ASGI
middleware rather than the SDK's OAuth resource-server settings: a shared static token has no issuer
or introspection endpoint to describe.
"""

import hmac
import ipaddress
import os
from typing import Any

from oc_scale_mcp.core.errors import InputError

TOKEN_ENV = "OC_SCALE_TOKEN"
HOSTED_ENV = "OC_SCALE_HOSTED"


def is_loopback_host(host: str) -> bool:
    """True for `localhost`, 127.0.0.0/8 and ::1."""
    if host.strip("[]").lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def required_token(host: str, environ: dict[str, str] | None = None) -> str | None:
    """The token to enforce, or None on loopback without one; refuses a public bind without a token."""
    token = (environ if environ is not None else os.environ).get(TOKEN_ENV, "").strip() or None
    if token is None and not is_loopback_host(host):
        raise InputError(
            f"refusing to serve on {host} without a bearer token: set {TOKEN_ENV} (clients then send "
            f"`Authorization: Bearer <token>`), or bind to 127.0.0.1"
        )
    return token


class BearerTokenMiddleware:
    """ASGI middleware: 401 unless `Authorization: Bearer <token>` matches, except the open paths."""

    def __init__(self, app: Any, token: str, open_paths: tuple[str, ...] = ("/healthz",)) -> None:
        self.app = app
        self.expected = f"Bearer {token}".encode()
        self.open_paths = open_paths

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope.get("path") in self.open_paths:
            await self.app(scope, receive, send)
            return
        given = next((value for name, value in scope.get("headers", []) if name == b"authorization"), b"")
        if not hmac.compare_digest(given, self.expected):
            body = b'{"error":"unauthorized","error_description":"send Authorization: Bearer <token>"}'
            await send(
                {
                    "type": "http.response.start",
                    "status": 401,
                    "headers": [
                        (b"content-type", b"application/json"),
                        (b"www-authenticate", b'Bearer realm="oc-scale"'),
                        (b"content-length", str(len(body)).encode()),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": body})
            return
        await self.app(scope, receive, send)


def build_http_app(host: str, token: str | None) -> Any:
    """The Starlette app for streamable HTTP (stateless, JSON responses) with `/healthz`."""
    from starlette.requests import Request
    from starlette.responses import JSONResponse

    from oc_scale_mcp import __version__
    from oc_scale_mcp.server import build_server

    server = build_server()

    @server.custom_route("/healthz", methods=["GET"])
    async def healthz(request: Request) -> JSONResponse:
        return JSONResponse({"status": "ok", "name": "oc-scale", "version": __version__})

    app = server.streamable_http_app(stateless_http=True, json_response=True, host=host)
    return BearerTokenMiddleware(app, token) if token else app


def serve_http(host: str, port: int) -> None:
    """Run the HTTP server until interrupted (after the token check)."""
    import uvicorn

    token = required_token(host)
    os.environ[HOSTED_ENV] = "1"  # commands that send traffic refuse private targets when hosted
    uvicorn.run(build_http_app(host, token), host=host, port=port, log_level="warning")
