"""Cloudflare's own worked pricing examples, each to the cent (docs as of the price list's date)."""

from decimal import Decimal

import pytest

from oc_scale_mcp.core.errors import InputError
from oc_scale_mcp.planning.pricing import bill, price_list
from oc_scale_mcp.planning.usage import CostUsage


def cost(plan="paid", **usage):
    return bill("cloudflare", plan, CostUsage(**usage).meters())


def line(result, meter):
    return next(i.usd_cents for i in result.items if i.meter == meter)


# Workers: https://developers.cloudflare.com/workers/platform/pricing/#example-pricing
def test_workers_example_1_fifteen_million_requests_at_7_ms():
    result = cost(workers_requests=15_000_000, workers_cpu_ms_per_request=7)
    assert (line(result, "workers_requests"), line(result, "workers_cpu_ms")) == (Decimal("1.50"), Decimal("1.50"))
    assert result.total_usd == Decimal("8.00")


def test_workers_example_2_static_assets_are_free():
    result = cost(workers_requests=3_000_000, static_asset_requests=12_000_000, workers_cpu_ms_per_request=7)
    assert result.total_usd == Decimal("5.00")


def test_workers_example_3_an_hourly_cron_with_three_minutes_of_cpu():
    result = cost(workers_requests=720, workers_cpu_ms_per_request=180_000)
    assert line(result, "workers_cpu_ms") == Decimal("1.99") and line(result, "workers_requests") == 0
    assert result.total_usd == Decimal("6.99")


def test_workers_example_4_a_hundred_million_requests():
    result = cost(workers_requests=100_000_000, workers_cpu_ms_per_request=7)
    assert (line(result, "workers_requests"), line(result, "workers_cpu_ms")) == (Decimal("27.00"), Decimal("13.40"))
    assert result.total_usd == Decimal("45.40")


def test_workers_example_5_cache_hits_are_requests_without_cpu():
    result = cost(workers_requests=100_000_000, workers_cpu_ms_per_request=7, workers_cache_hit_ratio=0.8)
    assert line(result, "workers_cpu_ms") == Decimal("2.20") and result.total_usd == Decimal("34.20")


# R2: https://developers.cloudflare.com/r2/pricing/#r2-billing-examples (R2 alone: no Workers subscription)
def test_r2_standard_storage_example():
    result = cost("free", r2_storage_gb_month=1000, r2_class_a=1000, r2_class_b=1_000_000)
    assert result.total_usd == Decimal("14.85")


def test_r2_infrequent_access_example_rounds_up_to_whole_units():
    result = cost(
        "free", r2_ia_storage_gb_month=1000, r2_ia_class_a=1000, r2_ia_class_b=1_000_000, r2_ia_retrieval_gb=1000
    )
    assert line(result, "r2_ia_class_a") == Decimal("9.00")  # 1,000 operations bill as one million
    assert result.total_usd == Decimal("29.90")


def test_r2_asset_hosting_example():
    result = cost("free", r2_storage_gb_month=10, r2_class_a=100_000, r2_class_b=10_000_000 * 30)
    assert result.total_usd == Decimal("104.40")


def test_r2_one_million_and_one_operations_bill_as_two_million():
    result = cost("free", r2_class_a=1_000_000 + 1_000_001)
    assert line(result, "r2_class_a") == Decimal("9.00")


# Durable Objects: https://developers.cloudflare.com/durable-objects/platform/pricing/#compute-billing-examples
@pytest.mark.parametrize(
    ("usage", "total"),
    [
        ({"do_requests": 1_500_000, "do_active_seconds": 1_000_000}, "5.15"),
        ({"do_requests": 150_000, "do_websocket_messages": 72_000_000, "do_active_seconds": 86_400_000}, "142.95"),
        ({"do_requests": 100, "do_websocket_messages": 259_200_000, "do_active_seconds": 259_200_000}, "419.30"),
        ({"do_requests": 10_000, "do_websocket_messages": 432_000_000, "do_active_seconds": 4_320_000}, "20.65"),
    ],
)
def test_durable_objects_examples(usage, total):
    assert cost(**usage).total_usd == Decimal(total)


# Queues: https://developers.cloudflare.com/queues/platform/pricing/#examples (queue cost alone)
def test_queues_one_million_small_messages_a_day():
    assert line(cost(queues_messages=30_000_000, queues_message_kb=2), "queues_operations") == Decimal("35.60")


def test_queues_messages_over_64_kb_count_twice():
    assert line(cost(queues_messages=100_000_000, queues_message_kb=127), "queues_operations") == Decimal("239.60")


def test_the_free_plan_reports_what_would_fail_instead_of_billing_it():
    result = cost("free", workers_requests=6_000_000, workers_cpu_ms_per_request=3, kv_writes=90_000)
    breaches = {b.meter for b in result.breaches}
    assert breaches == {"workers_requests", "kv_writes"} and result.total_usd == Decimal("0.00")
    slow = bill("cloudflare", "free", {"workers_requests": 1000}, per_invocation={"workers_cpu_ms": 25})
    assert {b.meter for b in slow.breaches} == {"workers_cpu_ms"}


def test_every_meter_has_a_source_and_the_list_has_a_date():
    prices = price_list("cloudflare")
    assert prices["prices_as_of"] and all(m["source"].startswith("https://") for m in prices["meters"])


def test_unknown_providers_and_usage_fields_are_clear_errors():
    with pytest.raises(InputError, match="no price list for provider 'aws'"):
        bill("aws", "paid", {})
    with pytest.raises(InputError, match="unknown usage field"):
        bill("cloudflare", "paid", {"lambda_invocations": 5})
