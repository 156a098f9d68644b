"""HDR histograms: batch recording equals hdrh's own, and merging is exact."""

import random
from array import array

from oc_scale_mcp.load import histogram as hdr


def test_batch_recording_puts_every_value_in_the_same_bucket_as_hdrh():
    rng = random.Random(3)
    values = [
        rng.choice([rng.randint(1, 999), rng.randint(1000, 10**6), rng.randint(10**6, 3_600_000_000)])
        for _ in range(20_000)
    ]
    ours, reference = hdr.new_histogram(), hdr.new_histogram()
    hdr.record_batch(ours, array("q", values))
    for value in values:
        reference.record_value(value)
    assert list(ours.counts) == list(reference.counts)
    assert (ours.get_total_count(), ours.get_min_value(), ours.get_max_value()) == (
        reference.get_total_count(),
        reference.get_min_value(),
        reference.get_max_value(),
    )


def test_merging_two_workers_histograms_equals_one_histogram_of_all_samples():
    rng = random.Random(5)
    first = [int(rng.lognormvariate(8, 1.5)) + 1 for _ in range(30_000)]
    second = [int(rng.lognormvariate(10, 1)) + 1 for _ in range(20_000)]
    worker_a, worker_b, everything = hdr.new_histogram(), hdr.new_histogram(), hdr.new_histogram()
    hdr.record_batch(worker_a, array("q", first))
    hdr.record_batch(worker_b, array("q", second))
    hdr.record_batch(everything, array("q", first + second))
    merged = hdr.merge([hdr.decode(hdr.encode(worker_a)), hdr.decode(hdr.encode(worker_b))])
    assert list(merged.counts) == list(everything.counts)
    assert hdr.stats(merged) == hdr.stats(everything)


def test_values_beyond_an_hour_are_clamped_not_lost():
    h = hdr.new_histogram()
    hdr.record_batch(h, array("q", [0, 5_000_000_000]))
    assert h.get_total_count() == 2 and h.get_max_value() >= 3_599_000_000


def test_stats_are_in_milliseconds():
    h = hdr.new_histogram()
    hdr.record_batch(h, array("q", [1000] * 99 + [50_000]))
    summary = hdr.stats(h)
    assert summary.p50_ms == 1.0 and 49.9 < summary.max_ms < 50.1 and summary.count == 100
