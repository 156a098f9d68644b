"""`budget`: set stores the table in a valid checkpoint; audit measures and judges."""

import orjson
import pytest

from oc_scale_mcp.commands.budget import BudgetParams, run
from oc_scale_mcp.commands.spec import no_progress
from oc_scale_mcp.core.checkpoint import CheckpointStore, validate_checkpoint
from oc_scale_mcp.core.errors import InputError, ProjectError
from oc_scale_mcp.core.project import Project
from tests.analysis.test_lighthouse import make_lhr_file

pytestmark = pytest.mark.anyio


async def budget(**kw):
    return await run(BudgetParams(**kw), no_progress)


async def test_set_stores_defaults_and_overrides_and_the_file_satisfies_every_protocol_rule(example_project):
    result = await budget(project_dir=str(example_project), action="set", budgets={"lcp": "2s", "cls": 0.05})
    assert result.budgets["lcp_ms"] == 2000 and result.budgets["cls"] == 0.05 and result.budgets["ttfb_ms"] == 200
    path = example_project / ".checkpoints" / "oc-scale-ops.checkpoint.json"
    doc = orjson.loads(path.read_bytes())
    verdict = validate_checkpoint(doc, file_name=path.name, size_bytes=path.stat().st_size)
    assert verdict.errors == []
    assert doc["skill_state"]["budgets"]["values"]["lcp_ms"] == 2000
    assert doc["skill_state"]["budgets"]["enforcement"]["lighthouserc"]["ci"]["assert"]["assertions"][
        "largest-contentful-paint"
    ] == ["error", {"maxNumericValue": 2000}]
    assert "+00:00" not in path.read_text()
    assert result.passed is None


async def test_audit_uses_the_stored_budgets_and_measures_the_example_dist(example_project):
    await budget(project_dir=str(example_project), action="set", budgets={"js_bundle": "100KB"})
    result = await budget(project_dir=str(example_project), action="audit")
    rows = {row.metric: row for row in result.rows}
    assert rows["js_bundle_gzip_bytes"].budget == 100 * 1024
    assert rows["js_bundle_gzip_bytes"].status == "fail"
    assert 130_000 < rows["js_bundle_gzip_bytes"].measured < 150_000
    assert rows["page_weight_bytes"].status == "fail"
    assert rows["lcp_ms"].status == "not measured"
    assert result.passed is False
    assert "| JS bundle size (gzipped) | < 100.0 KB |" in result.report
    assert "| Metric | Budget | Measured | Status |" in result.report


async def test_audit_reads_paint_metrics_from_a_lighthouse_report(example_project):
    make_lhr_file(example_project / "lhr.json", fcp=1100, lcp=2400, cls=0.2, tbt=150, ttfb=120, weight=300_000)
    result = await budget(project_dir=str(example_project), lighthouse_report="lhr.json", dist_dir="dist")
    rows = {row.metric: row for row in result.rows}
    assert (rows["fcp_ms"].measured, rows["fcp_ms"].status) == (1100, "pass")
    assert (rows["lcp_ms"].measured, rows["lcp_ms"].status) == (2400, "warn")
    assert (rows["cls"].measured, rows["cls"].status) == (0.2, "fail")
    assert rows["tbt_ms"].status == "pass" and rows["ttfb_ms"].status == "pass"
    assert rows["page_weight_bytes"].measured == 300_000  # the browser's figure wins over the static one
    assert rows["inp_ms"].status == "not measured"


async def test_api_latency_comes_from_the_latest_recorded_load_test(example_project):
    store = CheckpointStore(Project.open(example_project))
    store.record_event(
        "loadtest",
        {"endpoint": "http://127.0.0.1:8787/api/contacts", "latency_ms": {"p50": 40.0, "p95": 620.0}},
        summary="load test",
        next_actions=["x"],
    )
    result = await budget(project_dir=str(example_project))
    rows = {row.metric: row for row in result.rows}
    assert (rows["api_p50_ms"].status, rows["api_p95_ms"].status) == ("pass", "fail")
    assert "api/contacts" in rows["api_p95_ms"].source


async def test_enforcement_configs_follow_the_budgets_and_can_be_written(example_project):
    result = await budget(
        project_dir=str(example_project),
        action="set",
        budgets={"js_bundle": "120KB"},
        urls=["http://127.0.0.1:8787/"],
        write_config=True,
    )
    lhci = orjson.loads((example_project / "lighthouserc.json").read_bytes())
    assert lhci["ci"]["collect"]["url"] == ["http://127.0.0.1:8787/"]
    assertions = lhci["ci"]["assert"]["assertions"]
    assert assertions["first-contentful-paint"] == ["error", {"maxNumericValue": 1500}]
    assert assertions["resource-summary:script:size"] == ["error", {"maxNumericValue": 122880}]
    assert "interaction-to-next-paint" not in assertions
    bundlesize = orjson.loads((example_project / "bundlesize.config.json").read_bytes())
    assert bundlesize == {"files": [{"path": "dist/assets/index-*.js", "maxSize": "120 kB", "compression": "gzip"}]}
    size_limit = orjson.loads((example_project / ".size-limit.json").read_bytes())
    assert size_limit[0]["limit"] == "120 kB" and size_limit[0]["gzip"] is True
    assert sorted(result.enforcement.written_files) == [
        ".size-limit.json",
        "bundlesize.config.json",
        "lighthouserc.json",
    ]


async def test_bad_input_is_a_clear_error(example_project, tmp_path):
    with pytest.raises(ProjectError, match="does not exist"):
        await budget(project_dir=str(tmp_path / "missing"))
    (tmp_path / "outside.json").write_text("{}")
    with pytest.raises(ProjectError, match="outside project_dir"):
        await budget(project_dir=str(example_project), lighthouse_report="../outside.json")
    with pytest.raises(InputError, match="has unit"):
        await budget(project_dir=str(example_project), budgets={"ttfb": "3 KB"})
    (example_project / "broken.json").write_text("{not json")
    with pytest.raises(InputError, match="not valid JSON"):
        await budget(project_dir=str(example_project), lighthouse_report="broken.json")
