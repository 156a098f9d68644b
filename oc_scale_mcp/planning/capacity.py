"""Growth tiers, the 12-month projection and the tier-transition checklist, from a traffic profile, the
limits' break points and the cost model. Pure arithmetic; the `plan` command renders it."""

import math
from dataclasses import dataclass

from oc_scale_mcp.planning.limits import BreakPoint, break_points
from oc_scale_mcp.planning.traffic import TrafficProfile

TIERS = (("Small", 100), ("Medium", 1_000), ("Large", 10_000), ("Scale", 100_000))


def tier_name(users: float) -> str:
    for name, ceiling in TIERS:
        if users <= ceiling:
            return name
    return "Scale"


@dataclass(frozen=True, slots=True)
class TierRow:
    name: str
    users: int
    requests_per_day: float
    peak_rps: float
    db_mb: float
    plan: str
    changes: tuple[str, ...]
    usd_per_month: float


@dataclass(frozen=True, slots=True)
class MonthRow:
    month: int
    users: int
    requests_per_day: float
    peak_rps: float
    db_mb: float
    plan: str
    usd_per_month: float
    crossed: tuple[str, ...]


def _state(users: int, profile: TrafficProfile, measured_rps: float | None) -> tuple[str, list[BreakPoint], float]:
    """Plan used at `users` (Free while no free limit breaks), the broken limits, and the monthly cost."""
    from oc_scale_mcp.commands.cost import monthly_cost

    free_broken = [b for b in break_points(profile, "free", measured_rps) if b.breaks_at_users <= users]
    plan = "free" if not free_broken else "paid"
    broken = [b for b in break_points(profile, plan, measured_rps) if b.breaks_at_users <= users]
    _, bill, _ = monthly_cost(profile.monthly_usage(users), plan)
    return plan, broken, float(bill.total_usd)


def tier_rows(
    current_users: int, target_users: int, profile: TrafficProfile, measured_rps: float | None
) -> list[TierRow]:
    points = [("Current", current_users)] + [(n, u) for n, u in TIERS if u > current_users]
    if target_users not in [u for _, u in points]:
        points.append((f"Target ({tier_name(target_users)})", target_users))
    rows = []
    for name, users in sorted(points, key=lambda p: p[1]):
        plan, broken, usd = _state(users, profile, measured_rps)
        changes = (["Workers Paid plan"] if plan == "paid" else []) + [b.fix for b in broken]
        rows.append(
            TierRow(
                name,
                users,
                profile.requests_per_day(users),
                profile.peak_rps(users),
                profile.db_mb(users),
                plan,
                tuple(dict.fromkeys(changes)) or ("None",),
                usd,
            )
        )
    return rows


def projection(
    current_users: int, monthly_growth: float, months: int, profile: TrafficProfile, measured_rps: float | None
) -> list[MonthRow]:
    rows, previous = [], current_users
    for month in range(months + 1):
        users = max(1, round(current_users * (1 + monthly_growth) ** month))
        plan, _, usd = _state(users, profile, measured_rps)
        crossed = tuple(
            b.label
            for b in break_points(profile, plan, measured_rps)
            if (previous < b.breaks_at_users <= users) or (month == 0 and b.breaks_at_users <= users)
        )
        rows.append(
            MonthRow(
                month,
                users,
                profile.requests_per_day(users),
                profile.peak_rps(users),
                profile.db_mb(users),
                plan,
                usd,
                crossed,
            )
        )
        previous = users
    return rows


def users_after(current_users: int, monthly_growth: float, users: float) -> float | None:
    """Months until `users` is reached at the growth rate (None without growth or if already there)."""
    if users <= current_users:
        return 0.0
    if monthly_growth <= 0 or math.isinf(users):
        return None
    return math.log(users / current_users) / math.log(1 + monthly_growth)
