"""`queries` with postgres_dsn: EXPLAIN on a real PostgreSQL (started on loopback by .ci/run) and
what-if indexes through hypopg."""

import os
import secrets

import psycopg
import pytest

from oc_scale_mcp.commands.queries import QueriesParams, run
from oc_scale_mcp.commands.spec import no_progress
from oc_scale_mcp.core.errors import InputError

pytestmark = pytest.mark.anyio
BASE_DSN = os.environ.get("OC_SCALE_TEST_PG_DSN", "postgresql://ocscale:ocscale@127.0.0.1:5432/ocscale")


@pytest.fixture
def pg_dsn():
    """A fresh schema with 50,000 posts and statistics, as the search_path of the returned DSN."""
    schema = f"t_{secrets.token_hex(4)}"
    with psycopg.connect(BASE_DSN, autocommit=True) as connection:
        connection.execute(f"CREATE SCHEMA {schema}")
        connection.execute(
            f"CREATE TABLE {schema}.posts (id serial PRIMARY KEY, author_id int NOT NULL, "
            "title text, published_at timestamptz NOT NULL DEFAULT now())"
        )
        connection.execute(
            f"INSERT INTO {schema}.posts (author_id, title, published_at) SELECT g % 500, 'post ' || g, "
            "now() - (g || ' minutes')::interval FROM generate_series(1, 50000) g"
        )
        connection.execute(f"ANALYZE {schema}.posts")
    yield f"{BASE_DSN}?options=-csearch_path%3D{schema}"
    with psycopg.connect(BASE_DSN, autocommit=True) as connection:
        connection.execute(f"DROP SCHEMA {schema} CASCADE")


async def test_hypopg_confirms_an_index_for_the_scanned_query_and_the_pk_lookup_stays_silent(empty_project, pg_dsn):
    (empty_project / "src").mkdir()
    (empty_project / "src" / "posts.ts").write_text(
        'export const byAuthor = (db, a) => db.query("SELECT id, title FROM posts WHERE author_id = $1 '
        'ORDER BY published_at DESC LIMIT 20", [a]);\n'
        'export const one = (db, id) => db.query("SELECT id, title FROM posts WHERE id = $1", [id]);\n'
    )
    result = await run(QueriesParams(project_dir=str(empty_project), postgres_dsn=pg_dsn), no_progress)
    pg = [f for f in result.findings if "hypopg" in f.evidence]
    assert len(pg) == 1 and "src/posts.ts:1" in pg[0].evidence and "Seq Scan on posts" in pg[0].evidence
    assert pg[0].fix.startswith("CREATE INDEX idx_posts_author_id")
    index = next(i for i in result.indexes if "hypothetical" in i.plan_after[0])
    assert index.table == "posts" and index.columns[0] == "author_id"
    assert any("planned 2 of 2 queries with hypopg" in note for note in result.notes)


async def test_a_bad_dsn_is_a_clear_error_without_the_password(empty_project):
    with pytest.raises(InputError, match="cannot connect to postgres_dsn") as caught:
        await run(
            QueriesParams(project_dir=str(empty_project), postgres_dsn="postgresql://ocscale:hunter2@127.0.0.1:1/nope"),
            no_progress,
        )
    assert "hunter2" not in str(caught.value)
