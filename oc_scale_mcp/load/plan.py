"""What one load run does, as plain data that crosses into worker processes (picklable, no sockets).

Load models (the same names k6 and wrk2 users know):
- closed: `connections` loops, each sending its next request when the previous one answered (plus
  optional think time) — "as fast as the server allows";
- open: requests scheduled at `rate` per second (`arrival` constant or poisson), sent on a pool of up
  to `connections` connections; latency counts from the scheduled time (coordinated omission);
- stages: a list of `{duration_s, rate}` (open) or `{duration_s, connections}` (closed) ramps; each
  stage ramps linearly from the previous stage's target (the first from the run's `rate` or
  `connections`, or 0) to its own.
"""

from dataclasses import dataclass, field
from typing import Literal

LoadModel = Literal["closed", "open"]
Arrival = Literal["constant", "poisson"]


@dataclass(frozen=True, slots=True)
class RequestTemplate:
    """One endpoint's request, pre-encoded: sending it is one `transport.write`."""

    name: str  # "GET /api/contacts"
    raw: bytes
    weight: float


@dataclass(frozen=True, slots=True)
class Stage:
    duration_s: float
    target: float  # rate (open) or connections (closed) reached at the end of the stage


@dataclass(frozen=True, slots=True)
class LoadPlan:
    host: str
    port: int
    tls: bool
    server_hostname: str | None
    insecure_tls: bool
    requests: tuple[RequestTemplate, ...]
    model: LoadModel
    connections: int
    duration_s: float
    max_requests: int | None
    rate: float | None = None
    arrival: Arrival = "constant"
    stages: tuple[Stage, ...] = ()
    start_value: float = 0.0  # where the first stage ramps from
    think_time_s: float = 0.0
    timeout_s: float = 10.0
    connect_timeout_s: float = 5.0
    late_threshold_ms: float = 10.0
    seed: int = 0
    worker_index: int = 0
    worker_count: int = 1

    def share(self, index: int, count: int) -> "LoadPlan":
        """This plan's part for worker `index` of `count`: rate, connections and requests split evenly."""

        def split(total: int) -> int:
            return total // count + (1 if index < total % count else 0)

        from dataclasses import replace

        scale = 1.0 / count
        return replace(
            self,
            connections=max(1, split(self.connections)),
            rate=None if self.rate is None else self.rate * scale,
            max_requests=None if self.max_requests is None else split(self.max_requests),
            stages=tuple(Stage(s.duration_s, s.target * scale) for s in self.stages),
            start_value=self.start_value * scale,
            seed=self.seed + index,
            worker_index=index,
            worker_count=count,
        )

    def value_at(self, elapsed_s: float) -> float:
        """The ramped target (rate or connections) at `elapsed_s` into the run."""
        if not self.stages:
            return float(self.rate if self.model == "open" else self.connections)
        previous, start = self.start_value, 0.0
        for stage in self.stages:
            if elapsed_s < start + stage.duration_s:
                fraction = (elapsed_s - start) / stage.duration_s if stage.duration_s else 1.0
                return previous + (stage.target - previous) * fraction
            previous, start = stage.target, start + stage.duration_s
        return previous


@dataclass(slots=True)
class ErrorCounts:
    """Failures by class. HTTP 4xx and 5xx are failures too, never successes."""

    dns: int = 0
    connection_refused: int = 0
    connect_timeout: int = 0
    reset: int = 0
    tls: int = 0
    read_timeout: int = 0
    protocol_error: int = 0
    http_4xx: int = 0
    http_5xx: int = 0
    other: int = 0

    def total(self) -> int:
        return sum(getattr(self, name) for name in self.__slots__)

    def add(self, other: "ErrorCounts") -> None:
        for name in self.__slots__:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def as_dict(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in self.__slots__}


@dataclass(slots=True)
class StatusCounts:
    by_code: dict[int, int] = field(default_factory=dict)
