"""The result of a load run, as data: what `loadtest` returns, records and judges thresholds on."""

from typing import Literal

from pydantic import BaseModel, Field


class Latency(BaseModel):
    """Latency in milliseconds. The builtin engine fills every field from an HDR histogram (3 significant
    digits); an external engine leaves out what its output does not give (None)."""

    count: int
    min_ms: float | None = None
    mean_ms: float | None = None
    stdev_ms: float | None = None
    p50_ms: float | None = None
    p75_ms: float | None = None
    p90_ms: float | None = None
    p95_ms: float | None = None
    p99_ms: float | None = None
    p999_ms: float | None = None
    max_ms: float | None = None


class SecondSample(BaseModel):
    second: int = Field(description="Seconds since the start of the step.")
    rps: float = Field(description="Responses (and failures) completed in this second.")
    errors: int
    p50_ms: float | None
    p99_ms: float | None
    in_flight: int
    queued: int = Field(description="Open model: scheduled requests waiting for a free connection.")


class EndpointResult(BaseModel):
    name: str
    requests: int
    errors: int
    latency: Latency | None


class Histograms(BaseModel):
    """Compressed HdrHistogram encodings (µs), mergeable across processes and hosts."""

    latency: str
    service: str
    ttfb: str
    schedule_lag: str


class RunResult(BaseModel):
    engine: str
    model: Literal["closed", "open"]
    target: str
    connections: int
    rate: float | None = None
    duration_s: float
    requests: int = Field(description="Requests completed or failed.")
    rps: float = Field(description="Completed requests per second over the run.")
    throughput_bytes_per_s: float = 0.0
    error_rate: float
    errors: dict[str, int]
    status_counts: dict[str, int] = Field(default_factory=dict)
    timeouts: int = 0
    latency: Latency | None = Field(
        description="From the scheduled send time (open model: corrected for "
        "coordinated omission); equals service time in the closed model."
    )
    service_time: Latency | None = Field(description="From the actual send to the last byte.")
    ttfb: Latency | None = Field(description="From the actual send to the first response byte.")
    schedule_lag: Latency | None = Field(None, description="Open model: how late sends were vs schedule.")
    late_requests: int = 0
    dropped_requests: int = Field(0, description="Scheduled but never sent before the run ended.")
    interrupted_requests: int = Field(0, description="Still in flight at the end (not counted).")
    client_cpu_utilization: float = Field(0.0, description="Generator CPU per worker, 0-1 of one core.")
    client_saturated: bool = Field(False, description="The generator, not the server, was the limit.")
    workers: int = 1
    timeseries: list[SecondSample] = Field(default_factory=list)
    endpoints: list[EndpointResult] = Field(default_factory=list)
    histograms: Histograms | None = None
    partial: bool = Field(False, description="Stopped before its end (cancelled or aborted on a threshold).")
    stop_reason: str = "duration"
    notes: list[str] = Field(default_factory=list)
