"""Exact bills from a provider's price list (a data file per provider: `data/pricing_<provider>.json`).

A meter has, per plan, an included amount, a price per block and a rounding rule (`exact`: fractions of
a block are billed, as Workers and Queues do; `ceil`: usage is rounded up to whole blocks, as R2 and
Durable Objects do), or free-plan limits (daily caps past which operations fail — never billed).
Arithmetic is in `Decimal` and only the presented amounts are rounded to the cent, so each worked
example in the provider's documentation comes out exactly (tests/planning/test_pricing.py).

Adding a provider is adding a data file whose meter ids name the usage fields it bills.
"""

import json
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal
from functools import cache
from importlib import resources

from oc_scale_mcp.core.errors import InputError

CENT = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class LineItem:
    meter: str
    product: str
    label: str
    unit: str
    usage: Decimal
    included: Decimal
    billable: Decimal
    billed_blocks: Decimal
    usd: Decimal  # unrounded

    @property
    def usd_cents(self) -> Decimal:
        return self.usd.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True, slots=True)
class LimitBreach:
    meter: str
    label: str
    limit: str
    usage: str


@dataclass(frozen=True, slots=True)
class Bill:
    provider: str
    plan: str
    subscription_usd: Decimal
    items: tuple[LineItem, ...]
    breaches: tuple[LimitBreach, ...]  # free plan: what would fail

    @property
    def total_usd(self) -> Decimal:
        return (self.subscription_usd + sum((i.usd for i in self.items), Decimal(0))).quantize(
            CENT, rounding=ROUND_HALF_UP
        )


@cache
def price_list(provider: str) -> dict:
    """The provider's price list from the package's data folder."""
    name = f"pricing_{provider}.json"
    try:
        return json.loads(resources.files("oc_scale_mcp.data").joinpath(name).read_text())
    except FileNotFoundError:
        raise InputError(f"no price list for provider {provider!r} (expected data/{name})") from None


def _decimal(value: float | int | str) -> Decimal:
    return Decimal(str(value))


def bill(
    provider: str,
    plan: str,
    usage: dict[str, float],
    days_in_month: int = 30,
    per_invocation: dict[str, float] | None = None,
) -> Bill:
    """The monthly bill for `usage` (meter id → monthly amount) on `plan` (`free` or `paid`).

    `per_invocation` carries per-request figures (e.g. CPU ms per request) checked against per-invocation
    limits of the free plan.
    """
    prices = price_list(provider)
    if plan not in prices["plans"]:
        raise InputError(f"plan {plan!r} is not one of {', '.join(prices['plans'])} for {provider}")
    known = {meter["id"] for meter in prices["meters"]}
    unknown = set(usage) - known
    if unknown:
        raise InputError(
            f"unknown usage field(s) {', '.join(sorted(unknown))} for {provider}: use {', '.join(sorted(known))}"
        )
    items: list[LineItem] = []
    breaches: list[LimitBreach] = []
    for meter in prices["meters"]:
        amount = _decimal(usage.get(meter["id"], 0))
        if amount < 0:
            raise InputError(f"usage {meter['id']} is negative")
        terms = meter.get(plan) or {}
        if "usd" in terms:
            included = _decimal(terms.get("included", 0))
            billable = max(Decimal(0), amount - included)
            blocks = billable / _decimal(terms["per"])
            if terms.get("rounding") == "ceil":
                blocks = blocks.to_integral_value(rounding=ROUND_CEILING)
            if amount:
                items.append(
                    LineItem(
                        meter["id"],
                        meter["product"],
                        meter["label"],
                        meter["unit"],
                        amount,
                        included,
                        billable,
                        blocks,
                        blocks * _decimal(terms["usd"]),
                    )
                )
        if "daily_limit" in terms and amount / days_in_month > _decimal(terms["daily_limit"]):
            breaches.append(
                LimitBreach(
                    meter["id"],
                    f"{meter['product']} {meter['label']}",
                    f"{terms['daily_limit']:,}/day",
                    f"{amount / days_in_month:,.0f}/day",
                )
            )
        if "total_limit" in terms and amount > _decimal(terms["total_limit"]):
            breaches.append(
                LimitBreach(
                    meter["id"],
                    f"{meter['product']} {meter['label']}",
                    f"{terms['total_limit']} {meter['unit']}",
                    f"{amount} {meter['unit']}",
                )
            )
        value = (per_invocation or {}).get(meter["id"])
        if "per_invocation_limit" in terms and value is not None and value > terms["per_invocation_limit"]:
            breaches.append(
                LimitBreach(
                    meter["id"],
                    f"{meter['product']} {meter['label']}",
                    f"{terms['per_invocation_limit']} per invocation",
                    f"{value} per invocation",
                )
            )
    return Bill(
        provider=provider,
        plan=plan,
        subscription_usd=_decimal(prices["plans"][plan]["subscription_usd_per_month"]),
        items=tuple(items),
        breaches=tuple(breaches),
    )
