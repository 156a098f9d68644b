"""Run a load plan on N worker processes and merge what they measured, exactly.

Each worker sends a `second` message per second (merged here into the time series and into the
sliding windows that windowed thresholds need) and a `done` message with its HDR histograms, which
are merged bucket for bucket — the merged percentiles equal those of one histogram of every sample.
"""

import contextlib
import pickle
import signal
import subprocess
import sys
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import anyio
import anyio.abc
import orjson

from oc_scale_mcp.core.errors import OcScaleError
from oc_scale_mcp.load import histogram as hdr
from oc_scale_mcp.load.plan import LoadPlan
from oc_scale_mcp.load.results import EndpointResult, Histograms, Latency, RunResult, SecondSample

SATURATION_CPU = 0.9
CLIENT_LATE_FRACTION = 0.01

Progress = Callable[[float, float | None, str | None], Awaitable[None]]
SecondHook = Callable[["LiveRun"], bool]  # returns True to abort the run


@dataclass(slots=True)
class LiveRun:
    """What is known while the run goes: the time series so far and recent per-second histograms."""

    timeseries: list[SecondSample] = field(default_factory=list)
    recent: deque = field(default_factory=lambda: deque(maxlen=3600))  # (second, HdrHistogram)
    completed: int = 0
    errors: int = 0


def latency_model(histogram) -> Latency | None:
    """The `Latency` summary of a histogram, or None when it holds nothing."""
    summary = hdr.stats(histogram)
    if summary is None:
        return None
    values = {name: getattr(summary, name) for name in summary.__slots__}
    return Latency(**{k: round(v, 3) if isinstance(v, float) else v for k, v in values.items()})


async def run_plan(
    plan: LoadPlan,
    workers: int,
    progress: Progress,
    on_second: SecondHook | None = None,
    target_label: str = "",
) -> RunResult:
    """Start `workers` processes on shares of `plan`, follow them, and merge their results."""
    workers = max(1, min(workers, plan.connections))
    live = LiveRun()
    pending_seconds: dict[int, list[dict[str, Any]]] = {}
    done: list[dict[str, Any]] = []
    crashes: list[str] = []
    state = {"aborted": False, "cancelled": False}
    started = time.monotonic()
    processes = [
        await anyio.open_process(
            [sys.executable, "-m", "oc_scale_mcp.load.worker_process"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for _ in range(workers)
    ]

    def stop_all() -> None:
        for process in processes:
            if process.returncode is None:
                with contextlib.suppress(ProcessLookupError):
                    process.send_signal(signal.SIGTERM)

    async def follow(index: int, process: anyio.abc.Process) -> None:
        await process.stdin.send(pickle.dumps(plan.share(index, workers)))
        await process.stdin.aclose()
        reported = False
        async for line in TextLineStream(process.stdout):
            message = orjson.loads(line)
            kind = message["type"]
            if kind == "second":
                parts = pending_seconds.setdefault(message["second"], [])
                parts.append(message)
                if len(parts) == workers:
                    sample = _merge_second(message["second"], pending_seconds.pop(message["second"]), live)
                    await progress(
                        min(sample.second + 1, plan.duration_s),
                        plan.duration_s,
                        f"{sample.rps:.0f} req/s, p99 {sample.p99_ms or 0:.1f} ms, {live.errors} errors so far",
                    )
                    if on_second is not None and not state["aborted"] and on_second(live):
                        state["aborted"] = True
                        stop_all()
            elif kind == "done":
                done.append(message)
                reported = True
            elif kind == "crash":
                crashes.append(message["error"])
                reported = True
        await process.wait()
        if not reported:
            error = (await process.stderr.receive(4096)).decode(errors="replace") if process.stderr else ""
            crashes.append(f"worker {index} exited with {process.returncode}: {error.strip()[-300:]}")

    try:
        async with anyio.create_task_group() as group:
            for index, process in enumerate(processes):
                group.start_soon(follow, index, process)
    except anyio.get_cancelled_exc_class():
        # Cancelled (Ctrl-C, or the MCP client cancelled the call): the workers stop on SIGTERM and still
        # report what they measured; that becomes a partial result instead of being lost.
        state["cancelled"] = True
        stop_all()
        with anyio.CancelScope(shield=True), anyio.move_on_after(10):
            reported = {message["worker"] for message in done}
            for process in processes:
                tail = b"".join([chunk async for chunk in process.stdout])
                for line in tail.split(b"\n"):
                    try:
                        message = orjson.loads(line)
                    except orjson.JSONDecodeError:
                        continue
                    if message.get("type") == "done" and message["worker"] not in reported:
                        done.append(message)
                        reported.add(message["worker"])
        if not done:
            raise
    finally:
        stop_all()
        with anyio.CancelScope(shield=True), anyio.move_on_after(10):
            for process in processes:
                await process.wait()
        for process in processes:
            if process.returncode is None:
                process.kill()
    for second in sorted(pending_seconds):  # seconds some worker did not reach (e.g. a crash)
        _merge_second(second, pending_seconds[second], live)
    if crashes and not done:
        raise OcScaleError(f"the load generator failed: {crashes[0]}")
    result = merge_results(plan, done, live, time.monotonic() - started, target_label)
    if crashes:
        result.notes.append(f"{len(crashes)} worker(s) failed: {crashes[0]}")
        result.partial = True
    if state["aborted"]:
        result.partial, result.stop_reason = True, "aborted on a failed threshold"
    if state["cancelled"]:
        result.partial, result.stop_reason = True, "cancelled"
    return result


async def TextLineStream(stream: anyio.abc.ByteReceiveStream):
    """Yield complete lines from a byte stream (JSON lines from a worker)."""
    buffer = b""
    async for chunk in stream:
        buffer += chunk
        *lines, buffer = buffer.split(b"\n")
        for line in lines:
            if line:
                yield line
    if buffer.strip():
        yield buffer


def _merge_second(second: int, parts: list[dict[str, Any]], live: LiveRun) -> SecondSample:
    merged = hdr.merge([hdr.decode(p["latency"]) for p in parts])
    completed = sum(p["completed"] for p in parts)
    errors = sum(p["errors"] for p in parts)
    count = merged.get_total_count()
    sample = SecondSample(
        second=second,
        rps=float(completed),
        errors=errors,
        p50_ms=merged.get_value_at_percentile(50) / 1000 if count else None,
        p99_ms=merged.get_value_at_percentile(99) / 1000 if count else None,
        in_flight=sum(p["in_flight"] for p in parts),
        queued=sum(p["pending"] for p in parts),
    )
    live.timeseries.append(sample)
    live.recent.append((second, merged, completed, errors))
    live.completed += completed
    live.errors += errors
    return sample


def merge_results(
    plan: LoadPlan, done: list[dict[str, Any]], live: LiveRun, elapsed_s: float, target_label: str
) -> RunResult:
    """One `RunResult` from the workers' `done` messages (histograms merged exactly)."""
    histograms = {
        name: hdr.merge([hdr.decode(d[name]) for d in done]) for name in ("latency", "service", "ttfb", "lag")
    }
    errors: dict[str, int] = {}
    statuses: dict[str, int] = {}
    for d in done:
        for key, value in d["errors"].items():
            errors[key] = errors.get(key, 0) + value
        for code, value in d["status_counts"].items():
            statuses[str(code)] = statuses.get(str(code), 0) + value
    completed = sum(d["completed"] for d in done)
    wall = max((d["wall_s"] for d in done), default=elapsed_s) or elapsed_s
    cpu_share = max((d["cpu_s"] / d["wall_s"] for d in done if d["wall_s"] > 0), default=0.0)
    lag = latency_model(histograms["lag"]) if plan.model == "open" else None
    sent = sum(d["sent"] for d in done)
    client_late = sum(d["client_late"] for d in done)
    # Saturated: a worker used (nearly) a whole core, or >1 % of sends were late although a connection
    # was free (the scheduler itself fell behind, not the server).
    saturated = cpu_share >= SATURATION_CPU or (sent > 0 and client_late / sent > CLIENT_LATE_FRACTION)
    endpoints = []
    for index, template in enumerate(plan.requests):
        parts = [d["endpoints"][index] for d in done]
        endpoints.append(
            EndpointResult(
                name=template.name,
                requests=sum(p["count"] for p in parts),
                errors=sum(p["errors"] for p in parts),
                latency=latency_model(hdr.merge([hdr.decode(p["latency"]) for p in parts])),
            )
        )
    total_errors = sum(errors.values())
    notes = []
    first_errors = {d["first_connect_error"] for d in done if d.get("first_connect_error")}
    if first_errors:
        notes.append("connecting failed at the start: " + ", ".join(sorted(first_errors)))
    return RunResult(
        engine="builtin",
        model=plan.model,
        target=target_label,
        connections=plan.connections,
        rate=plan.rate,
        duration_s=round(wall, 3),
        requests=completed,
        rps=round(completed / wall, 1) if wall > 0 else 0.0,
        throughput_bytes_per_s=round(sum(d["bytes_in"] for d in done) / wall, 1) if wall > 0 else 0.0,
        error_rate=round(total_errors / completed, 6) if completed else (1.0 if total_errors else 0.0),
        errors=errors,
        status_counts=dict(sorted(statuses.items())),
        timeouts=errors.get("read_timeout", 0),
        latency=latency_model(histograms["latency"]),
        service_time=latency_model(histograms["service"]),
        ttfb=latency_model(histograms["ttfb"]),
        schedule_lag=lag,
        late_requests=sum(d["late"] for d in done),
        dropped_requests=sum(d["dropped"] for d in done),
        interrupted_requests=sum(d["interrupted"] for d in done),
        client_cpu_utilization=round(cpu_share, 3),
        client_saturated=saturated,
        workers=len(done),
        timeseries=sorted(live.timeseries, key=lambda s: s.second),
        endpoints=endpoints,
        histograms=Histograms(
            latency=hdr.encode(histograms["latency"]),
            service=hdr.encode(histograms["service"]),
            ttfb=hdr.encode(histograms["ttfb"]),
            schedule_lag=hdr.encode(histograms["lag"]),
        ),
        stop_reason=next((d["stop_reason"] for d in done if d["stop_reason"] != "duration"), "duration"),
        notes=notes,
    )
