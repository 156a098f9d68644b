"""The load engine inside one process: a pool of `Connection`s driven by a closed or open model.

Latency, honestly: in the open model every request is timed from its *scheduled* send time, so a
server stall that delays sends shows up in the percentiles (coordinated-omission correction); the
service time from the actual send and the time to first byte are kept too. Raw microseconds go to
`array('q')` buffers and are folded into HDR histograms once a second (`histogram.record_batch`).

The worker reports to its parent through `emit`: one `second` message per second of the run (counts,
errors and that second's latency histogram, for the time series and windowed thresholds) and one
`done` message with the run's histograms and counters.
"""

import asyncio
import random
import socket
import ssl
import time
from array import array
from collections import deque
from collections.abc import Callable
from typing import Any

from oc_scale_mcp.load import histogram as hdr
from oc_scale_mcp.load.connection import Connection
from oc_scale_mcp.load.plan import ErrorCounts, LoadPlan

perf_counter = time.perf_counter
SWEEP_INTERVAL_S = 0.05
RECONNECT_BACKOFF_S = 0.05
GRACE_S = 2.0
DISPATCH_STEP_S = 0.001  # how long requests in flight at the end may still finish


def weighted_cycle(weights: list[float], length: int = 1000) -> list[int]:
    """A deterministic, evenly interleaved sequence of endpoint indices in proportion to `weights`
    (smooth weighted round-robin), so choosing an endpoint costs one list index per request.

    >>> weighted_cycle([3, 1], 8)
    [0, 0, 1, 0, 0, 0, 1, 0]
    """
    total = sum(weights)
    current = [0.0] * len(weights)
    sequence = []
    for _ in range(length):
        for i, weight in enumerate(weights):
            current[i] += weight
        best = max(range(len(weights)), key=current.__getitem__)
        current[best] -= total
        sequence.append(best)
    return sequence


class Worker:
    def __init__(self, plan: LoadPlan, emit: Callable[[dict[str, Any]], None], should_stop: Callable[[], bool]):
        self.plan = plan
        self.emit = emit
        self.should_stop = should_stop
        self.raw_requests = [t.raw for t in plan.requests]
        self.head_requests = [t.raw.startswith(b"HEAD ") for t in plan.requests]
        self.cycle = weighted_cycle([t.weight for t in plan.requests])
        self.cycle_position = 0
        self.random = random.Random(plan.seed)
        self.closed_model = plan.model == "closed"
        # raw microsecond buffers, folded into histograms every second
        self.latency_buffer = array("q")
        self.service_buffer = array("q")
        self.ttfb_buffer = array("q")
        self.lag_buffer = array("q")
        self.endpoint_buffers = [array("q") for _ in plan.requests]
        self.latency = hdr.new_histogram()
        self.service = hdr.new_histogram()
        self.ttfb = hdr.new_histogram()
        self.lag = hdr.new_histogram()
        self.endpoint_latency = [hdr.new_histogram() for _ in plan.requests]
        self.endpoint_counts = [0] * len(plan.requests)
        self.endpoint_errors = [0] * len(plan.requests)
        self.errors = ErrorCounts()
        self.status_counts: dict[int, int] = {}
        self.sent = 0
        self.completed_count = 0
        self.second_completed = 0
        self.second_errors = 0
        self.bytes_in = 0
        self.late = 0
        self.client_late = 0  # late although a connection was free: the generator fell behind
        self.dropped = 0
        self.pending: deque[float] = deque()
        self.idle: list[Connection] = []
        self.parked: set[Connection] = set()
        self.active_connections = plan.connections
        self.stopping = False
        self.stop_reason = "duration"
        self.late_threshold_s = plan.late_threshold_ms / 1000
        self.connections = [Connection(self, i) for i in range(plan.connections)]
        self.loop: asyncio.AbstractEventLoop | None = None
        self.ssl_context: ssl.SSLContext | None = None
        self.t0 = 0.0
        self.seconds_emitted = 0

    # -- hot path ---------------------------------------------------------------------------------
    def _next_template(self) -> int:
        position = self.cycle_position
        self.cycle_position = position + 1 if position + 1 < len(self.cycle) else 0
        return self.cycle[position]

    def _budget_left(self) -> bool:
        return self.plan.max_requests is None or self.sent < self.plan.max_requests

    def completed(self, conn: Connection, status: int, now: float, keep_alive: bool) -> None:
        latency_us = int((now - conn.scheduled_at) * 1e6)
        self.latency_buffer.append(latency_us)
        self.service_buffer.append(int((now - conn.sent_at) * 1e6))
        self.ttfb_buffer.append(int(((conn.first_byte_at or now) - conn.sent_at) * 1e6))
        index = conn.template_index
        self.endpoint_buffers[index].append(latency_us)
        self.endpoint_counts[index] += 1
        self.completed_count += 1
        self.second_completed += 1
        self.bytes_in += conn.bytes_in
        self.status_counts[status] = self.status_counts.get(status, 0) + 1
        if status >= 400:
            if status >= 500:
                self.errors.http_5xx += 1
            else:
                self.errors.http_4xx += 1
            self.second_errors += 1
            self.endpoint_errors[index] += 1
        if keep_alive:
            self._next_for(conn)
        else:
            conn.abort()
            self._reconnect_soon(conn, 0.0)

    def failed(self, conn: Connection, kind: str) -> None:
        setattr(self.errors, kind, getattr(self.errors, kind) + 1)
        self.second_errors += 1
        self.completed_count += 1
        self.second_completed += 1
        self.endpoint_errors[conn.template_index] += 1
        self.endpoint_counts[conn.template_index] += 1
        conn.abort()
        self._reconnect_soon(conn, 0.0)

    def disconnected(self, conn: Connection) -> None:
        """An idle keep-alive connection was closed by the server: reconnect it."""
        if conn in self.idle:
            self.idle.remove(conn)
        self._reconnect_soon(conn, 0.0)

    def _next_for(self, conn: Connection) -> None:
        if self.stopping:
            return
        if self.closed_model:
            if conn.index >= self.active_connections:
                self.parked.add(conn)
            elif not self._budget_left():
                self.stopping = True
                self.stop_reason = "requests"
            elif self.plan.think_time_s:
                self.loop.call_later(self.plan.think_time_s, self._send_closed, conn)
            else:
                self.sent += 1
                conn.send(perf_counter(), self._next_template())
        elif self.pending:
            self._send_open(conn, self.pending.popleft(), queued=True)
        else:
            self.idle.append(conn)

    def _send_closed(self, conn: Connection) -> None:
        if self.stopping or conn.transport is None:
            return
        if not self._budget_left():
            self.stopping = True
            self.stop_reason = "requests"
            return
        self.sent += 1
        conn.send(perf_counter(), self._next_template())

    def _send_open(self, conn: Connection, scheduled_at: float, queued: bool) -> None:
        lag = perf_counter() - scheduled_at
        self.lag_buffer.append(int(lag * 1e6))
        if lag > self.late_threshold_s:
            self.late += 1
            if not queued:
                self.client_late += 1
        conn.send(scheduled_at, self._next_template())

    # -- connections ------------------------------------------------------------------------------
    async def _connect(self, conn: Connection) -> str | None:
        plan = self.plan
        try:
            await asyncio.wait_for(
                self.loop.create_connection(
                    lambda: conn,
                    plan.host,
                    plan.port,
                    ssl=self.ssl_context,
                    server_hostname=plan.server_hostname if plan.tls else None,
                ),
                plan.connect_timeout_s,
            )
            return None
        except socket.gaierror:
            return "dns"
        except ConnectionRefusedError:
            return "connection_refused"
        except TimeoutError:
            return "connect_timeout"
        except ssl.SSLError:
            return "tls"
        except (ConnectionResetError, BrokenPipeError):
            return "reset"
        except OSError:
            return "other"

    def _reconnect_soon(self, conn: Connection, delay: float) -> None:
        if not self.stopping:
            self.loop.create_task(self._reconnect(conn, delay))

    async def _reconnect(self, conn: Connection, delay: float) -> None:
        while not self.stopping:
            if delay:
                await asyncio.sleep(delay)
            error = await self._connect(conn)
            if error is None:
                self._next_for(conn)
                return
            # a failed connect is a failed request: the one this connection was about to send
            if self.closed_model:
                if not self._budget_left():
                    self.stopping = True
                    self.stop_reason = "requests"
                    return
                self.sent += 1
            elif self.pending:
                self.pending.popleft()
            else:
                delay = RECONNECT_BACKOFF_S  # nothing was waiting: retry without counting a failure
                continue
            setattr(self.errors, error, getattr(self.errors, error) + 1)
            self.completed_count += 1
            self.second_completed += 1
            self.second_errors += 1
            delay = RECONNECT_BACKOFF_S

    # -- schedulers and housekeeping --------------------------------------------------------------
    async def _dispatch_open(self, end: float) -> None:
        """Schedule arrivals by integrating the (possibly ramping) rate in 1 ms steps: an arrival is due
        each time the accumulated ∫rate·dt crosses the next unit (1 for constant arrivals, an Exp(1)
        draw for Poisson — the time-rescaling construction of a non-homogeneous Poisson process)."""
        plan, t0 = self.plan, self.t0
        poisson = plan.arrival == "poisson"
        credit, need = 0.0, (self.random.expovariate(1.0) if poisson else 1.0)
        step, t = DISPATCH_STEP_S, t0
        while not self.stopping:
            now = perf_counter()
            while t < now and t < end:
                rate = plan.value_at(t - t0 + step / 2)
                credit += rate * step
                while credit >= need:
                    credit -= need
                    arrival = t + step - (credit / rate if rate > 0 else 0.0)
                    need = self.random.expovariate(1.0) if poisson else 1.0
                    if not self._budget_left():
                        self.stop_reason = "requests"
                        return
                    self.sent += 1
                    if self.idle:
                        self._send_open(self.idle.pop(), arrival, queued=False)
                    else:
                        self.pending.append(arrival)
                t += step
            if t >= end:
                return
            await asyncio.sleep(max(0.0, t - perf_counter()))

    async def _housekeeping(self, end: float) -> None:
        """Timeouts, stage ramps for closed models, the per-second flush, and the stop signal."""
        plan = self.plan
        timeout = plan.timeout_s
        next_second = self.t0 + 1.0
        while True:
            await asyncio.sleep(SWEEP_INTERVAL_S)
            now = perf_counter()
            for conn in self.connections:
                if conn.busy and now - conn.sent_at > timeout:
                    conn.busy = False
                    self.failed(conn, "read_timeout")
            if self.closed_model and plan.stages:
                self._ramp_connections(now)
            while now >= next_second:
                self._flush_second(round(next_second - self.t0) - 1)
                next_second += 1.0
            if self.should_stop():
                self.stopping, self.stop_reason = True, "stopped"
            if now >= end or self.stopping:
                self.stopping = True
                return

    def _ramp_connections(self, now: float) -> None:
        target = max(0, min(len(self.connections), round(self.plan.value_at(now - self.t0))))
        self.active_connections = target
        for conn in sorted(self.parked, key=lambda c: c.index):
            if conn.index < target:
                self.parked.discard(conn)
                self._next_for(conn)

    def _flush_second(self, second: int) -> None:
        buffer = self.latency_buffer
        second_histogram = hdr.new_histogram()
        hdr.record_batch(second_histogram, buffer)
        if second_histogram.get_total_count():
            self.latency.add(second_histogram)
        self._fold_buffers()
        self.latency_buffer = array("q")
        self.emit(
            {
                "type": "second",
                "worker": self.plan.worker_index,
                "second": second,
                "completed": self.second_completed,
                "errors": self.second_errors,
                "latency": hdr.encode(second_histogram),
                "in_flight": sum(c.busy for c in self.connections),
                "pending": len(self.pending),
            }
        )
        self.second_completed = 0
        self.second_errors = 0
        self.seconds_emitted = second + 1

    def _fold_buffers(self) -> None:
        for histogram, name in (
            (self.service, "service_buffer"),
            (self.ttfb, "ttfb_buffer"),
            (self.lag, "lag_buffer"),
        ):
            hdr.record_batch(histogram, getattr(self, name))
            setattr(self, name, array("q"))
        for index, buffer in enumerate(self.endpoint_buffers):
            hdr.record_batch(self.endpoint_latency[index], buffer)
            self.endpoint_buffers[index] = array("q")

    # -- the run ----------------------------------------------------------------------------------
    async def run(self) -> None:
        self.loop = asyncio.get_running_loop()
        if self.plan.tls:
            self.ssl_context = ssl.create_default_context()
            if self.plan.insecure_tls:
                self.ssl_context.check_hostname = False
                self.ssl_context.verify_mode = ssl.CERT_NONE
        connect_errors = await asyncio.gather(*(self._connect(c) for c in self.connections))
        cpu0, self.t0 = time.process_time(), perf_counter()
        end = self.t0 + self.plan.duration_s
        first_error = next((e for e in connect_errors if e), None)
        if self.closed_model:
            self.active_connections = len(self.connections) if not self.plan.stages else round(self.plan.value_at(0))
        for conn, error in zip(self.connections, connect_errors, strict=True):
            if error is None and not self.closed_model:
                self.idle.append(conn)
            elif error is None:
                self._next_for(conn)
            else:
                self._reconnect_soon(conn, 0.0)
        tasks = [asyncio.ensure_future(self._housekeeping(end))]
        if not self.closed_model:
            tasks.append(asyncio.ensure_future(self._dispatch_open(end)))
        if self.plan.max_requests is not None:
            tasks.append(asyncio.ensure_future(self._wait_for_budget()))
        done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        if tasks[0] not in done and not self.stopping:
            # open dispatch or budget finished early: let in-flight requests finish, then stop
            await self._drain(end)
        self.stopping = True
        grace_end = perf_counter() + min(GRACE_S, self.plan.timeout_s)
        while any(c.busy for c in self.connections) and perf_counter() < grace_end and self.stop_reason != "stopped":
            await asyncio.sleep(0.005)
        for task in tasks:
            task.cancel()
        wall = perf_counter() - self.t0
        cpu = time.process_time() - cpu0
        interrupted = sum(c.busy for c in self.connections)
        self.dropped = len(self.pending)
        self._flush_second(self.seconds_emitted)
        for conn in self.connections:
            conn.abort()
        self.emit(self._summary(wall, cpu, interrupted, first_error))

    async def _wait_for_budget(self) -> None:
        while self.sent < (self.plan.max_requests or 0) or any(c.busy for c in self.connections) or self.pending:
            if self.stopping:
                return
            await asyncio.sleep(0.01)
        self.stop_reason = "requests"

    async def _drain(self, end: float) -> None:
        while (
            (self.pending or any(c.busy for c in self.connections)) and perf_counter() < end and not self.should_stop()
        ):
            await asyncio.sleep(0.005)

    def _summary(self, wall: float, cpu: float, interrupted: int, first_error: str | None) -> dict[str, Any]:
        return {
            "type": "done",
            "worker": self.plan.worker_index,
            "wall_s": wall,
            "cpu_s": cpu,
            "sent": self.sent,
            "completed": self.completed_count,
            "bytes_in": self.bytes_in,
            "errors": self.errors.as_dict(),
            "status_counts": self.status_counts,
            "late": self.late,
            "client_late": self.client_late,
            "dropped": self.dropped,
            "interrupted": interrupted,
            "stop_reason": self.stop_reason,
            "first_connect_error": first_error,
            "latency": hdr.encode(self.latency),
            "service": hdr.encode(self.service),
            "ttfb": hdr.encode(self.ttfb),
            "lag": hdr.encode(self.lag),
            "endpoints": [
                {
                    "name": t.name,
                    "count": self.endpoint_counts[i],
                    "errors": self.endpoint_errors[i],
                    "latency": hdr.encode(self.endpoint_latency[i]),
                }
                for i, t in enumerate(self.plan.requests)
            ],
        }
