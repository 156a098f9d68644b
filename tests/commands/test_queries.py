"""`queries` on fixture projects: harvesting, plans with index what-if and timing, N+1, robustness."""

import textwrap

import pytest

from oc_scale_mcp.commands.queries import QueriesParams, run
from oc_scale_mcp.commands.spec import no_progress

pytestmark = pytest.mark.anyio


def write(root, files: dict[str, str]):
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    return root


async def queries(project, **kw):
    return await run(QueriesParams(project_dir=str(project), **kw), no_progress)


def ids(result):
    return sorted({f.id for f in result.findings})


SCHEMA = {
    "migrations/0001_init.sql": """
    CREATE TABLE posts (id INTEGER PRIMARY KEY, author_id INTEGER NOT NULL, title TEXT, published_at TEXT);
    CREATE TABLE comments (id INTEGER PRIMARY KEY, post_id INTEGER NOT NULL, body TEXT);
""",
    "migrations/0002_index.sql": "CREATE INDEX idx_comments_post ON comments(post_id);\n",
}


async def test_a_scan_gets_an_index_that_the_database_confirms_with_before_after_times(empty_project):
    write(
        empty_project,
        SCHEMA
        | {
            "src/posts.ts": """
        export async function byAuthor(env, author) {
          return env.DB
            .prepare("SELECT id, title FROM posts WHERE author_id = ?1 ORDER BY published_at DESC LIMIT 20")
            .bind(author).all();
        }
        export async function one(env, id) {
          return env.DB.prepare("SELECT id, title FROM posts WHERE id = ?1").bind(id).first();
        }
        export async function comments(env, post) {
          const sql = "SELECT id, body FROM comments WHERE post_id = ?1 ORDER BY id LIMIT 50";
          return env.DB.prepare(sql).bind(post).all();
        }
    """
        },
    )
    result = await queries(empty_project, dataset_rows=5000)
    assert [i.statement for i in result.indexes] == [
        "CREATE INDEX idx_posts_author_id_published_at ON posts(author_id, published_at);"
    ]
    index = result.indexes[0]
    assert index.queries == ["src/posts.ts:4"]
    assert index.plan_before[0] == "SCAN posts" and index.plan_after[0].startswith("SEARCH posts USING INDEX")
    assert index.rows_in_table == 5000 and index.before_ms > index.after_ms
    assert ids(result) == ["sql.missing-index"]  # the PK lookup and the indexed comments query stay silent
    assert result.queries_analyzed == 3 and result.tables == ["comments", "posts"]


async def test_n_plus_one_is_found_and_the_batch_pattern_is_not(empty_project):
    write(
        empty_project,
        SCHEMA
        | {
            "src/feed.ts": """
        export async function feed(env, posts) {
          for (const post of posts) {
            const sql = "SELECT id FROM comments WHERE post_id = ?1 LIMIT 5";
            post.comments = await env.DB.prepare(sql).bind(post.id).all();
          }
          const count = "SELECT COUNT(*) FROM comments WHERE post_id = ?1";
          const counts = await Promise.all(posts.map((p) => env.DB.prepare(count).bind(p.id).first()));
          const stmts = posts.map((p) => env.DB.prepare("DELETE FROM comments WHERE post_id = ?1").bind(p.id));
          await env.DB.batch(stmts);
          return counts;
        }
    """,
            "app/jobs.py": """
        def archive(cursor, ids):
            for post_id in ids:
                cursor.execute("UPDATE posts SET title = 'x' WHERE id = ?", (post_id,))
    """,
        },
    )
    result = await queries(empty_project, time_indexes=False)
    loops = [
        (f.id, f.evidence.split(":")[0] + ":" + f.evidence.split(":")[1])
        for f in result.findings
        if f.id.startswith("sql.n-plus-one")
    ]
    assert sorted(loops) == [
        ("sql.n-plus-one", "app/jobs.py:4"),
        ("sql.n-plus-one", "src/feed.ts:5"),
        ("sql.n-plus-one-parallel", "src/feed.ts:8"),
    ]


async def test_dynamic_unparsable_and_repeated_sql_are_reported_not_crashed(empty_project):
    write(
        empty_project,
        SCHEMA
        | {
            "src/odd.ts": """
        export async function odd(env, table) {
          await env.DB.prepare(`SELECT id FROM ${table} WHERE id = ?1`).bind(1).first();
          await env.DB.prepare("SELECT FROM WHERE posts").all();
          const a = await env.DB.prepare("SELECT id FROM posts WHERE id = ?1").bind(1).first();
          const b = await env.DB.prepare("SELECT id FROM posts WHERE id = ?1").bind(2).first();
        }
    """,
            "queries/report.sql": "-- monthly report\nSELECT author_id, COUNT(*) FROM posts GROUP BY author_id;\n",
            "src/huge.ts": "// " + "x" * 1_100_000,
            "src/blob.js": "\0binary",
        },
    )
    result = await queries(empty_project, time_indexes=False)
    found = ids(result)
    assert {"sql.dynamic", "sql.unparsable", "sql.repeated-query"} <= set(found)
    assert any("src/odd.ts:3" in f.evidence for f in result.findings if f.id == "sql.dynamic")
    assert any(n.startswith("skipped src/huge.ts") for n in result.notes)
    assert any(n.startswith("skipped src/blob.js") for n in result.notes)
    assert result.queries_found == 5  # four in odd.ts, and the .sql query file counts too


async def test_a_broken_migration_is_a_finding_and_the_rest_still_applies(empty_project):
    write(
        empty_project,
        {
            "migrations/0001.sql": "CREATE TABLE a (id INTEGER PRIMARY KEY);\nCREATE TABLEX b;\n"
            "CREATE TABLE c (id INTEGER PRIMARY KEY);\n"
        },
    )
    result = await queries(empty_project)
    assert ids(result) == ["sql.migration-error"] and result.tables == ["a", "c"]
    assert "migrations/0001.sql:2" in result.findings[0].evidence


async def test_the_example_project_yields_its_known_defects(example_project):
    result = await queries(example_project, dataset_rows=5000)
    expected = {
        "sql.missing-index",
        "sql.n-plus-one",
        "sql.unbounded-list",
        "sql.select-star",
        "sql.offset-pagination",
        "sql.leading-wildcard",
        "sql.or-like-search",
        "sql.order-by-random",
        "sql.count-whole-table",
        "sql.wide-columns-in-list",
    }
    assert expected <= set(ids(result))
    assert not any("contacts.ts:58" in f.evidence for f in result.findings)  # the db.batch() import loop
    assert "| Problem | Detection | Fix | Found |" in result.report
    assert all(i.before_ms is not None for i in result.indexes)


async def test_a_project_without_migrations_says_what_did_not_run(empty_project):
    write(empty_project, {"src/a.ts": 'export const q = (db) => db.prepare("SELECT * FROM t").all();\n'})
    result = await queries(empty_project)
    assert result.indexes == [] and "No migrations found" in result.notes[0]
    assert "sql.select-star" in ids(result)
