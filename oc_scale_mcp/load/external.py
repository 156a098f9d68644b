"""wrk and hey as engines: run the installed binary, parse its output into the same `RunResult`.

Both are closed-model tools that time each request from its actual send, so a server stall delays
the client instead of showing in the percentiles (coordinated omission is not corrected); the
result says so. wrk's percentiles come exactly from its HDR histogram through a Lua `done()` hook;
hey prints latencies rounded to 0.1 ms.
"""

import re
import shutil
import tempfile
from pathlib import Path

import anyio

from oc_scale_mcp.core.errors import InputError, OcScaleError
from oc_scale_mcp.load.results import Latency, RunResult

WRK_NOTE = (
    "wrk times each request from its actual send (closed model): coordinated omission is not "
    "corrected, so stalls are under-reported; use the builtin engine with `rate` for corrected latency."
)
HEY_NOTE = (
    "hey is closed-model only and times from the actual send (coordinated omission not corrected); "
    "its latencies are rounded to 0.1 ms."
)

_WRK_LUA = r"""
wrk.method = %(method)s
wrk.body = %(body)s
%(headers)s
done = function(summary, latency, requests)
  local p = {}
  for _, q in ipairs({50, 75, 90, 95, 99, 99.9}) do p[#p + 1] = string.format('"%%g":%%d', q, latency:percentile(q)) end
  io.write(string.format('\nOCSCALE_WRK {"duration_us":%%d,"requests":%%d,"bytes":%%d,' ..
    '"connect":%%d,"read":%%d,"write":%%d,"status":%%d,"timeout":%%d,' ..
    '"min":%%d,"max":%%d,"mean":%%f,"stdev":%%f,"p":{%%s}}\n',
    summary.duration, summary.requests, summary.bytes, summary.errors.connect, summary.errors.read,
    summary.errors.write, summary.errors.status, summary.errors.timeout,
    latency.min, latency.max, latency.mean, latency.stdev, table.concat(p, ",")))
end
"""


def require_binary(name: str) -> str:
    path = shutil.which(name)
    if not path:
        raise InputError(
            f"engine={name!r} needs the `{name}` binary on PATH (e.g. `apt-get install {name}`); "
            "or use engine='builtin'"
        )
    return path


def _lua_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


async def run_wrk(
    url: str,
    method: str,
    headers: dict[str, str],
    body: str,
    connections: int,
    duration_s: float,
    threads: int,
    timeout_s: float,
) -> RunResult:
    binary = require_binary("wrk")
    header_lines = "\n".join(f"wrk.headers[{_lua_string(k)}] = {_lua_string(v)}" for k, v in headers.items())
    script = _WRK_LUA % {
        "method": _lua_string(method.upper()),
        "body": _lua_string(body) if body else "nil",
        "headers": header_lines,
    }
    with tempfile.TemporaryDirectory() as tmp:
        lua = Path(tmp) / "oc_scale.lua"
        lua.write_text(script)
        args = [
            binary,
            "-t",
            str(max(1, min(threads, connections))),
            "-c",
            str(connections),
            "-d",
            f"{max(1, round(duration_s))}s",
            "--timeout",
            f"{max(1, round(timeout_s))}s",
            "-s",
            str(lua),
            url,
        ]
        done = await anyio.run_process(args, check=False)
    output = done.stdout.decode(errors="replace")
    if done.returncode != 0 or "OCSCALE_WRK" not in output:
        raise OcScaleError(f"wrk failed ({done.returncode}): {(done.stderr or done.stdout).decode()[-300:].strip()}")
    return parse_wrk(output, url, connections)


def parse_wrk(output: str, url: str, connections: int) -> RunResult:
    """Parse wrk's output plus our `done()` hook's JSON line."""
    import orjson

    data = orjson.loads(output.split("OCSCALE_WRK", 1)[1].strip().splitlines()[0])
    duration_s = data["duration_us"] / 1e6
    requests = data["requests"]
    p = {float(k): v / 1000 for k, v in data["p"].items()}
    errors = {
        "connection_refused": data["connect"],
        "reset": data["read"] + data["write"],
        "read_timeout": data["timeout"],
        "http_4xx_or_5xx": data["status"],
    }
    latency = Latency(
        count=requests,
        min_ms=data["min"] / 1000,
        max_ms=data["max"] / 1000,
        mean_ms=round(data["mean"] / 1000, 3),
        stdev_ms=round(data["stdev"] / 1000, 3),
        p50_ms=p[50],
        p75_ms=p[75],
        p90_ms=p[90],
        p95_ms=p[95],
        p99_ms=p[99],
        p999_ms=p[99.9],
    )
    failures = sum(errors.values())
    return RunResult(
        engine="wrk",
        model="closed",
        target=url,
        connections=connections,
        duration_s=round(duration_s, 3),
        requests=requests,
        rps=round(requests / duration_s, 1) if duration_s else 0.0,
        throughput_bytes_per_s=round(data["bytes"] / duration_s, 1) if duration_s else 0.0,
        error_rate=round(failures / requests, 6) if requests else 0.0,
        errors=errors,
        timeouts=data["timeout"],
        latency=latency,
        service_time=latency,
        ttfb=None,
        notes=[WRK_NOTE, "wrk does not tell 4xx from 5xx: both are counted as http_4xx_or_5xx."],
    )


async def run_hey(
    url: str,
    method: str,
    headers: dict[str, str],
    body: str,
    connections: int,
    duration_s: float,
    requests: int | None,
    timeout_s: float,
) -> RunResult:
    binary = require_binary("hey")
    args = [binary, "-c", str(connections), "-m", method.upper(), "-t", str(max(1, round(timeout_s)))]
    args += ["-n", str(requests)] if requests else ["-z", f"{max(1, round(duration_s))}s"]
    for name, value in headers.items():
        args += ["-H", f"{name}: {value}"]
    if body:
        args += ["-d", body]
    done = await anyio.run_process([*args, url], check=False)
    if done.returncode != 0:
        raise OcScaleError(f"hey failed ({done.returncode}): {done.stderr.decode()[-300:].strip()}")
    return parse_hey(done.stdout.decode(errors="replace"), url, connections)


_HEY_ERROR_CLASSES = (
    ("connection refused", "connection_refused"),
    ("no such host", "dns"),
    ("timeout", "read_timeout"),
    ("deadline exceeded", "read_timeout"),
    ("connection reset", "reset"),
    ("eof", "reset"),
    ("tls", "tls"),
    ("x509", "tls"),
    ("malformed", "protocol_error"),
)


def parse_hey(output: str, url: str, connections: int) -> RunResult:
    """Parse hey's default summary output."""

    def seconds(label: str) -> float | None:
        match = re.search(rf"{label}:\s+([\d.]+|NaN) secs", output)
        return float(match.group(1)) if match and match.group(1) != "NaN" else None

    total_s = seconds("Total") or 0.0
    percentiles = {
        float(q): float(v) * 1000
        for q, v in re.findall(r"^\s+(\d+(?:\.\d+)?)% in ([\d.]+) secs", output, re.MULTILINE)
        if float(v) > 0
    }
    statuses = {code: int(n) for code, n in re.findall(r"\[(\d{3})\]\s+(\d+) responses", output)}
    errors: dict[str, int] = {}
    error_block = output.split("Error distribution:", 1)[1] if "Error distribution:" in output else ""
    for count, message in re.findall(r"\[(\d+)\]\s+(.+)", error_block):
        kind = next((k for needle, k in _HEY_ERROR_CLASSES if needle in message.lower()), "other")
        errors[kind] = errors.get(kind, 0) + int(count)
    errors["http_4xx"] = sum(n for c, n in statuses.items() if 400 <= int(c) < 500)
    errors["http_5xx"] = sum(n for c, n in statuses.items() if int(c) >= 500)
    responses = sum(statuses.values())
    requests = responses + sum(v for k, v in errors.items() if not k.startswith("http_"))
    latency = None
    if responses:
        latency = Latency(
            count=responses,
            min_ms=_ms(seconds("Fastest")),
            max_ms=_ms(seconds("Slowest")),
            mean_ms=_ms(seconds("Average")),
            p50_ms=percentiles.get(50.0),
            p75_ms=percentiles.get(75.0),
            p90_ms=percentiles.get(90.0),
            p95_ms=percentiles.get(95.0),
            p99_ms=percentiles.get(99.0),
        )
    return RunResult(
        engine="hey",
        model="closed",
        target=url,
        connections=connections,
        duration_s=round(total_s, 3),
        requests=requests,
        rps=round(responses / total_s, 1) if total_s else 0.0,
        error_rate=round(sum(errors.values()) / requests, 6) if requests else 0.0,
        errors=errors,
        status_counts=statuses,
        timeouts=errors.get("read_timeout", 0),
        latency=latency,
        service_time=latency,
        ttfb=None,
        notes=[HEY_NOTE],
    )


def _ms(value: float | None) -> float | None:
    return None if value is None else round(value * 1000, 3)
