"""Talking to the PM MCP server: connect, call one tool, classify failures, retry per the protocol.

Retries: up to 3 attempts, backoff 1 s, 3 s, 9 s with ±20 % jitter, within a 15 s budget per write;
transport errors, timeouts, 5xx and 429 (Retry-After honoured) are retried; 401/403/404/422 and
malformed responses are not. Servers on older SDKs that return JSON only as text are parsed too.
"""

import json
import os
import random
import re
from collections.abc import Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import anyio

from oc_scale_mcp.pm.config import McpEndpoint, expanded

BACKOFF_S = (1.0, 3.0, 9.0)
MAX_ATTEMPTS = 3
NOT_RETRIED = {401, 403, 404, 422}
_STATUS = re.compile(r"\b(401|403|404|422|429|5\d\d)\b")
_RETRY_AFTER = re.compile(r"retry[- ]after\D{0,3}(\d+(?:\.\d+)?)", re.IGNORECASE)


def budget_s() -> float:
    """The per-write budget (15 s per the protocol; OC_SCALE_PM_BUDGET_S lowers it, e.g. in tests)."""
    return float(os.environ.get("OC_SCALE_PM_BUDGET_S", "15"))


class PmError(Exception):
    def __init__(
        self, message: str, *, status: int | None = None, retriable: bool = True, retry_after_s: float | None = None
    ) -> None:
        super().__init__(message)
        self.status, self.retriable, self.retry_after_s = status, retriable, retry_after_s


def classify(message: str, *, transport: bool = False) -> PmError:
    match = _STATUS.search(message)
    status = int(match.group(1)) if match else None
    retry = _RETRY_AFTER.search(message)
    retriable = transport or status is None or status == 429 or status >= 500
    if status in NOT_RETRIED:
        retriable = False
    return PmError(
        message[:300], status=status, retriable=retriable, retry_after_s=float(retry.group(1)) if retry else None
    )


def payload_of(result: Any) -> Any:
    """The tool result as data: structuredContent, else JSON in the text content, else the text."""
    if getattr(result, "structured_content", None):
        data = result.structured_content
        return data.get("result", data) if isinstance(data, dict) and set(data) == {"result"} else data
    texts = [c.text for c in getattr(result, "content", []) or [] if getattr(c, "type", "") == "text"]
    text = "\n".join(texts)
    try:
        return json.loads(text)
    except (json.JSONDecodeError, TypeError):
        return text


class PmSession:
    def __init__(self, client: Any, tools: set[str]) -> None:
        self.client, self.tools = client, tools

    async def call(self, tool: str, arguments: dict[str, Any], timeout_s: float) -> Any:
        """One attempt; any failure is a classified `PmError`."""
        try:
            with anyio.fail_after(max(0.1, timeout_s)):
                result = await self.client.call_tool(tool, arguments)
        except TimeoutError:
            raise PmError(f"{tool} timed out after {timeout_s:.1f} s", retriable=True) from None
        except Exception as exc:  # transport and protocol errors from the SDK or httpx2
            raise classify(f"{tool}: {type(exc).__name__}: {exc}", transport=True) from None
        if getattr(result, "is_error", False):
            text = " ".join(getattr(c, "text", "") for c in result.content or [])
            raise classify(f"{tool} failed: {text}")
        return payload_of(result)


@asynccontextmanager
async def connect(endpoint: McpEndpoint, timeout_s: float = 10.0):
    """An open session with the PM server (stdio or streamable HTTP), tools listed. Failing to connect
    or to list tools is a retriable `PmError`; errors from the caller's body pass through unchanged."""
    from mcp import Client, StdioServerParameters

    live = expanded(endpoint)
    if live.command:
        target: Any = StdioServerParameters(command=live.command[0], args=live.command[1:])
    else:
        import httpx2
        from mcp.client.streamable_http import streamable_http_client

        target = streamable_http_client(live.url, http_client=httpx2.AsyncClient(headers=live.headers, timeout=30))
    opened = False
    try:
        async with Client(target) as session:
            with anyio.fail_after(timeout_s):
                tools = {tool.name for tool in (await session.list_tools()).tools}
            opened = True
            yield PmSession(session, tools)
    except Exception as exc:
        if opened or isinstance(exc, PmError):
            raise
        raise classify(f"cannot reach the PM MCP server: {type(exc).__name__}: {exc}", transport=True) from None


async def with_retries(
    attempt: Callable[[float], Awaitable[Any]],
    budget: float | None = None,
    sleep: Callable[[float], Awaitable[None]] = anyio.sleep,
) -> Any:
    """Run `attempt(timeout_s)` under the protocol's retry policy; the last `PmError` is raised."""
    deadline = anyio.current_time() + (budget if budget is not None else budget_s())
    last: PmError | None = None
    for number in range(MAX_ATTEMPTS):
        remaining = deadline - anyio.current_time()
        if remaining <= 0:
            break
        try:
            return await attempt(remaining)
        except PmError as exc:
            last = exc
            if not exc.retriable or number == MAX_ATTEMPTS - 1:
                break
            wait = BACKOFF_S[number] * random.uniform(0.8, 1.2)
            if exc.retry_after_s is not None:
                wait = max(wait, exc.retry_after_s)
            if anyio.current_time() + wait >= deadline:
                break
            await sleep(wait)
    raise last or PmError("PM write budget exhausted", retriable=True)
