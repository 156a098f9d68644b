"""Which platform limit binds first: for each limit, the number of daily active users at which it breaks.

Limits are data (`data/limits_<provider>.json`, each with its source); this module only does the
arithmetic from a `TrafficProfile`. A measured capacity (the USL peak throughput) is one more limit.
"""

import json
import math
from dataclasses import dataclass
from functools import cache
from importlib import resources

from oc_scale_mcp.planning.traffic import DAYS_PER_MONTH, TrafficProfile

NEVER = math.inf


@dataclass(frozen=True, slots=True)
class BreakPoint:
    id: str
    label: str
    breaks_at_users: float  # inf: never at this profile; 0: already broken
    fix: str
    source: str
    basis: str  # the arithmetic, for the report


@cache
def limits_data(provider: str = "cloudflare") -> dict:
    return json.loads(resources.files("oc_scale_mcp.data").joinpath(f"limits_{provider}.json").read_text())


def _users_where(per_user: float, limit: float) -> float:
    return NEVER if per_user <= 0 else limit / per_user


def break_points(
    profile: TrafficProfile, plan: str, measured_peak_rps: float | None = None, measured_basis: str = ""
) -> list[BreakPoint]:
    """Every limit that applies to `plan` (`free` or `paid`) with the user count where it breaks, soonest first."""
    peak_per_user = profile.peak_rps(1)
    uncached = 1 - profile.cache_hit_ratio
    per_user_day = profile.requests_per_user_per_day
    found: list[BreakPoint] = []
    for limit in limits_data()["limits"]:
        if limit["plan"] not in ("any", plan):
            continue
        value, lid = limit["value"], limit["id"]
        if lid == "workers_free_requests":
            users, basis = _users_where(per_user_day, value), f"{per_user_day:g} requests/user/day"
        elif lid in ("workers_free_cpu", "workers_paid_cpu"):
            users = 0.0 if profile.cpu_ms_per_request > value else NEVER
            basis = f"{profile.cpu_ms_per_request:g} ms CPU per request"
        elif lid.startswith("workers_subrequests"):
            users = 0.0 if profile.subrequests_per_request > value else NEVER
            basis = f"{profile.subrequests_per_request:g} subrequests per request"
        elif lid == "d1_single_writer":
            users = _users_where(peak_per_user * uncached * profile.d1_queries_per_request, value)
            basis = f"{profile.d1_queries_per_request:g} queries per uncached request at peak"
        elif lid in ("d1_database_size", "d1_database_size_free"):
            users = (
                NEVER
                if profile.db_mb_per_user <= 0
                else max(0.0, (value - profile.db_fixed_mb) / profile.db_mb_per_user)
            )
            basis = f"{profile.db_mb_per_user:g} MB per user + {profile.db_fixed_mb:g} MB"
        elif lid == "d1_free_rows_read":
            users = _users_where(per_user_day * uncached * profile.d1_rows_read_per_request, value)
            basis = f"{profile.d1_rows_read_per_request:g} rows read per request"
        elif lid == "d1_free_rows_written":
            users = _users_where(per_user_day * profile.d1_rows_written_per_request, value)
            basis = f"{profile.d1_rows_written_per_request:g} rows written per request"
        elif lid == "kv_write_per_key":
            users = _users_where(peak_per_user * profile.kv_hot_key_writes_per_request, value)
            basis = f"{profile.kv_hot_key_writes_per_request:g} writes per request to one key at peak"
        elif lid == "kv_free_writes":
            users = _users_where(
                per_user_day * (profile.kv_writes_per_request + profile.kv_hot_key_writes_per_request), value
            )
            basis = "KV writes per user per day"
        elif lid == "kv_free_reads":
            users = _users_where(per_user_day * profile.kv_reads_per_request, value)
            basis = "KV reads per user per day"
        else:
            continue  # a limit this profile says nothing about (e.g. memory)
        found.append(BreakPoint(lid, limit["label"], users, limit["fix"], limit["source"], basis))
    if measured_peak_rps:
        found.append(
            BreakPoint(
                "measured_capacity",
                f"Measured capacity: {measured_peak_rps:,.0f} req/s at the USL peak",
                _users_where(peak_per_user, measured_peak_rps),
                "Scale the measured bottleneck (see `oc-scale bottleneck`) before this load.",
                "load-test sweep",
                measured_basis or "USL fit of the load-test sweep",
            )
        )
    return sorted(found, key=lambda b: b.breaks_at_users)


__all__ = ["DAYS_PER_MONTH", "BreakPoint", "break_points", "limits_data"]
