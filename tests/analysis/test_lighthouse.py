"""A Lighthouse report (lhr) maps to the budgeted metrics."""

import pytest

from oc_scale_mcp.analysis.lighthouse import read_lighthouse_report
from oc_scale_mcp.core.errors import InputError


def lhr(**audits_values) -> dict:
    """A small lhr shaped like Lighthouse 12/13 output (audits carry numericValue and numericUnit)."""
    names = {
        "fcp": "first-contentful-paint",
        "lcp": "largest-contentful-paint",
        "cls": "cumulative-layout-shift",
        "tbt": "total-blocking-time",
        "ttfb": "server-response-time",
        "weight": "total-byte-weight",
        "inp": "interaction-to-next-paint",
        "si": "speed-index",
    }
    units = {"cls": "unitless", "weight": "byte"}
    return {
        "lighthouseVersion": "12.6.0",
        "requestedUrl": "http://127.0.0.1:8787/",
        "finalDisplayedUrl": "http://127.0.0.1:8787/",
        "fetchTime": "2026-12-04T10:00:00.000Z",
        "categories": {"performance": {"id": "performance", "score": 0.71}},
        "audits": {
            names[k]: {
                "id": names[k],
                "score": 0.5,
                "numericValue": v,
                "numericUnit": units.get(k, "millisecond"),
                "displayValue": str(v),
            }
            for k, v in audits_values.items()
        },
    }


def make_lhr_file(path, **values):
    import orjson

    path.write_bytes(orjson.dumps(lhr(**values)))
    return path


def test_metrics_map_to_budget_ids():
    report = read_lighthouse_report(
        lhr(fcp=1234.5, lcp=2890.1, cls=0.0431, tbt=310.0, ttfb=95.2, weight=654321, si=2000)
    )
    assert report.values == {
        "fcp_ms": 1234.5,
        "lcp_ms": 2890.1,
        "cls": 0.0431,
        "tbt_ms": 310.0,
        "ttfb_ms": 95.2,
        "page_weight_bytes": 654321,
    }
    assert report.performance_score == 0.71 and report.lighthouse_version == "12.6.0"


def test_inp_comes_from_a_timespan_run_and_is_absent_from_a_navigation_run():
    assert read_lighthouse_report(lhr(inp=180)).values == {"inp_ms": 180}
    assert "inp_ms" not in read_lighthouse_report(lhr(fcp=900)).values


def test_a_json_file_that_is_not_an_lhr_is_a_clear_error():
    with pytest.raises(InputError, match="no `audits` object"):
        read_lighthouse_report({"hello": "world"})
