"""How `queries` scales: generated projects of growing size (files, queries, tables), timed end to end.

Goal (issue #4): 2,000 source files with 1,000 queries analyzed in under 20 s on the dev machine.
There is no external tool that does the same job to compare against in the same run (sqlcheck reads
one SQL file and has no planner), so the reference printed is the cost per file and per query.

    python bench/queries_scale.py --sizes 500 1000 2000
"""

import argparse
import tempfile
import time
from pathlib import Path

import anyio

from oc_scale_mcp.commands.queries import QueriesParams, run
from oc_scale_mcp.commands.spec import no_progress

TABLES = 40


def generate(root: Path, files: int, queries: int) -> None:
    (root / "migrations").mkdir(parents=True)
    schema = []
    for t in range(TABLES):
        schema.append(
            f"CREATE TABLE t{t} (id INTEGER PRIMARY KEY, owner_id INTEGER NOT NULL, name TEXT, "
            f"status TEXT, created_at TEXT, payload BLOB);"
        )
    (root / "migrations" / "0001_init.sql").write_text("\n".join(schema) + "\n")
    shapes = [
        "SELECT id, name FROM t{t} WHERE owner_id = ?1 ORDER BY created_at DESC LIMIT 20",
        "SELECT * FROM t{t} WHERE status = ?1",
        "SELECT id FROM t{t} WHERE id = ?1",
        "SELECT COUNT(*) FROM t{t}",
        "SELECT id FROM t{t} WHERE name LIKE ?1 ORDER BY id LIMIT 10",
    ]
    src = root / "src"
    src.mkdir()
    per_file = max(1, queries // files) if queries >= files else 1
    written = 0
    for f in range(files):
        lines = [f"export async function handler{f}(env, id) {{"]
        if written < queries and (queries >= files or f % max(1, files // queries) == 0):
            for _ in range(per_file):
                if written >= queries:
                    break
                sql = shapes[written % len(shapes)].format(t=written % TABLES)
                lines.append(f'  const r{written} = await env.DB.prepare("{sql}").bind(id).all();')
                written += 1
        lines += ["  const items = [1, 2, 3].map((x) => x * 2);", "  return items;", "}", ""]
        lines += [f"export const helper{f}_{i} = (a: number) => a + {i};" for i in range(10)]
        (src / f"module{f}.ts").write_text("\n".join(lines) + "\n")


async def measure(files: int, queries: int) -> tuple[float, int, int]:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "app"
        root.mkdir()
        generate(root, files, queries)
        start = time.perf_counter()
        result = await run(QueriesParams(project_dir=str(root), dataset_rows=5000), no_progress)
        return time.perf_counter() - start, result.queries_analyzed, len(result.findings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[250, 500, 1000, 2000])
    args = parser.parse_args()
    print(f"{'files':>6} {'queries':>8} {'seconds':>8} {'ms/file':>8} {'ms/query':>9} {'findings':>9}")
    for files in args.sizes:
        queries = files // 2
        seconds, analyzed, findings = anyio.run(measure, files, queries)
        print(
            f"{files:>6} {analyzed:>8} {seconds:>8.2f} {seconds / files * 1000:>8.2f} "
            f"{seconds / max(1, analyzed) * 1000:>9.2f} {findings:>9}"
        )


if __name__ == "__main__":
    main()
