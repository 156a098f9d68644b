"""`audit`: grades from evidence, ranked bottlenecks, what could not be checked."""

import textwrap

import orjson
import pytest

from oc_scale_mcp.commands.audit import AuditParams, run
from oc_scale_mcp.commands.spec import no_progress

pytestmark = pytest.mark.anyio


async def audit(project, **kw):
    return await run(AuditParams(project_dir=str(project), **kw), no_progress)


def write(root, files):
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))


async def test_the_example_grades_low_with_evidence_for_every_layer(example_project):
    result = await audit(example_project, current_dau=300, target_users=5000)
    grades = {layer.layer: layer.grade for layer in result.layers}
    assert set(grades) == {"Database", "API", "Frontend", "Infrastructure", "Architecture"}
    assert "—" not in grades.values()
    assert grades["Database"] in ("D", "F") and result.grade in ("D", "F") and result.readiness == "RED"
    assert all(f.evidence for f in result.findings)
    ids = {f.id for f in result.findings}
    assert {
        "sql.n-plus-one",
        "infra.kv-hot-key",
        "arch.module-state",
        "fe.page-weight-over-budget",
        "db.fk-without-index",
        "api.no-rate-limiting",
    } <= ids
    assert result.bottlenecks and result.bottlenecks[0].breaks_at_users is not None
    for heading in (
        "# Scaling Readiness Report — crm-worker",
        "## Current Profile",
        "## Readiness Score:",
        "## Layer Scores",
        "| Layer | Score | Bottleneck |",
        "## Top 5 Bottlenecks (fix in order)",
        "## Scaling Path: 300 → 5,000 users",
    ):
        assert heading in result.report
    doc = orjson.loads((example_project / ".checkpoints" / "oc-scale-ops.checkpoint.json").read_bytes())
    recorded = doc["skill_state"]["audit"]
    assert recorded["grade"] == result.grade and recorded["layers"]["Database"] == grades["Database"]
    assert doc["next_actions"][0].startswith("Fix #1:")


async def test_bottlenecks_are_ranked_by_headroom_times_impact(example_project):
    result = await audit(example_project, current_dau=300)
    scores = [
        (b.headroom if b.headroom is not None else 100) / {"CRITICAL": 8, "HIGH": 4, "MEDIUM": 2, "LOW": 1}[b.severity]
        for b in result.bottlenecks
    ]
    assert scores == sorted(scores)
    assert result.bottlenecks[0].severity == "CRITICAL"  # already past a free-plan cap at 300 users


async def test_a_clean_project_grades_a_or_b(empty_project):
    write(
        empty_project,
        {
            "wrangler.toml": 'name = "clean"\nmain = "src/index.ts"\ncompatibility_date = "2026-10-01"\n'
            '[limits]\ncpu_ms = 50\n[[ratelimits]]\nname = "LIMITER"\nnamespace_id = "1001"\n'
            '[[kv_namespaces]]\nbinding = "CACHE"\nid = "x"\n',
            "migrations/0001.sql": (
                "CREATE TABLE notes (id INTEGER PRIMARY KEY, owner_id INTEGER NOT NULL, body TEXT);\n"
                "CREATE INDEX idx_notes_owner_id ON notes(owner_id, id);\n"
            ),
            "src/index.ts": """
            import { Hono } from "hono";
            const app = new Hono();
            app.get("/api/notes", async (c) => {
              const cached = await c.env.CACHE.get("notes:" + c.req.query("owner"));
              if (cached) return c.json(JSON.parse(cached));
              const { results } = await c.env.DB.prepare(
                "SELECT id, body FROM notes WHERE owner_id = ?1 AND id > ?2 ORDER BY id LIMIT 50"
              ).bind(1, 0).all();
              c.header("Cache-Control", "private, max-age=30");
              return c.json(results);
            });
            export default app;
        """,
        },
    )
    result = await audit(empty_project, current_dau=50, workers_plan="paid")
    assert result.grade in ("A", "B"), result.report
    assert result.readiness == "READY"


async def test_a_critical_defect_caps_its_layer_at_d(empty_project):
    write(
        empty_project,
        {
            "src/index.ts": 'app.get("/x", async (c) => c.json(1));\n',
            "wrangler.toml": 'name = "x"\ncompatibility_date = "2026-10-01"\n[limits]\ncpu_ms = 50\n',
        },
    )
    result = await audit(empty_project, current_dau=500_000, workers_plan="free")  # past Workers Free's daily cap
    infra = next(layer for layer in result.layers if layer.layer == "Infrastructure")
    assert infra.grade in ("D", "F") and any(f.severity.value == "CRITICAL" for f in result.findings)


async def test_a_partial_project_says_what_could_not_be_checked(empty_project):
    write(empty_project, {"README.md": "just docs"})
    result = await audit(empty_project)
    assert set(result.not_checked) == {"Database", "API", "Frontend", "Infrastructure", "Architecture"}
    assert result.grade == "—" and "## Not checked" in result.report
