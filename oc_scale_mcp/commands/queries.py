"""`queries`: find the SQL an app runs, judge it on the AST, plan it in the database, and find N+1 loops."""

from collections import defaultdict
from typing import Literal

from pydantic import BaseModel, Field

from oc_scale_mcp.commands.spec import CommandSpec, Hints, Progress
from oc_scale_mcp.core.checkpoint import CheckpointStore
from oc_scale_mcp.core.models import CommandParams, CommandResult, Finding, Severity
from oc_scale_mcp.core.project import Project


class QueriesParams(CommandParams):
    dialect: Literal["d1", "sqlite"] = Field("d1", description="Target database: Cloudflare D1 (SQLite) by default.")
    time_indexes: bool = Field(True, description="Time each recommended index before/after on generated data.")
    dataset_rows: int = Field(20_000, ge=1_000, le=200_000, description="Generated rows per table for the timing.")
    postgres_dsn: str | None = Field(
        None,
        description="Postgres to plan the queries on (EXPLAIN FORMAT JSON, "
        "what-if indexes with hypopg when installed), e.g. postgresql://user:pw@host/db. "
        "The password is never stored.",
    )
    analyze: bool = Field(
        False, description="Postgres: EXPLAIN ANALYZE (runs the query) — only for SELECTs without parameters."
    )


class IndexRecommendation(BaseModel):
    statement: str
    table: str
    columns: list[str]
    queries: list[str] = Field(description="file:line of each query it serves.")
    plan_before: list[str]
    plan_after: list[str]
    before_ms: float | None = Field(None, description="Median query time without the index on the generated data.")
    after_ms: float | None = None
    rows_in_table: int | None = None


class QueriesResult(CommandResult):
    findings: list[Finding]
    indexes: list[IndexRecommendation]
    queries_found: int
    queries_analyzed: int
    files_read: int
    tables: list[str]
    migrations: list[str]
    notes: list[str]


SEVERITY_ORDER = {Severity.CRITICAL: 0, Severity.HIGH: 1, Severity.MEDIUM: 2, Severity.LOW: 3}


async def run(params: QueriesParams, progress: Progress) -> QueriesResult:
    import sqlglot

    from oc_scale_mcp.analysis.sql import kinds, nplusone, plans, rules
    from oc_scale_mcp.analysis.sql.harvest import harvest, parse_source, source_files
    from oc_scale_mcp.analysis.sql.schema import build_schema, find_migrations

    project = Project.open(params.project_dir)
    root = project.root
    await progress(1, 5, "building the schema from the migrations")
    migrations = find_migrations(root)
    schema = build_schema(root, migrations)
    findings: list[Finding] = []
    notes: list[str] = []
    for file, line, message in schema.errors:
        findings.append(kinds.finding("sql.migration-error", f"{file}:{line}: {message}"))
    if not migrations:
        notes.append(
            "No migrations found (migrations/, drizzle/, prisma/migrations/, schema.sql): query plans and "
            "index advice need the schema; only static rules and N+1 ran."
        )
    await progress(2, 5, "finding the SQL in the code")
    harvested = harvest(root, set(migrations))
    notes += [f"skipped {note}" for note in harvested.skipped]
    lab = (
        plans.TimingLab(
            [r[0] for r in schema.db.execute("SELECT sql FROM sqlite_master WHERE sql IS NOT NULL")],
            rows=params.dataset_rows,
        )
        if params.time_indexes
        else None
    )
    by_statement: dict[str, IndexRecommendation] = {}
    fingerprints: dict[tuple[str, str], list] = defaultdict(list)
    analyzed = 0
    await progress(3, 5, f"judging and planning {len(harvested.queries)} queries")
    for query in harvested.queries:
        where = f"{query.file}:{query.line}"
        shown = " ".join(query.sql.split())[:160]
        if query.dynamic:
            findings.append(kinds.finding("sql.dynamic", f"{where}: {shown}"))
            continue
        try:
            tree = rules.parse(query.sql)
        except sqlglot.errors.ParseError as exc:
            findings.append(kinds.finding("sql.unparsable", f"{where}: {shown} ({str(exc).splitlines()[0][:120]})"))
            continue
        analyzed += 1
        fingerprints[(query.file, query.function)].append((query, rules.fingerprint(tree)))
        for hit in rules.check(tree, schema.tables, query.bind_args):
            findings.append(kinds.finding(hit.kind, f"{where} ({query.function}): {shown} — {hit.detail}"))
        if schema.tables:
            planned = plans.plan_query(schema.db, query.sql, tree, schema.tables)
            if planned.advice and lab is not None:
                lab.time(query.sql, planned.advice)
            for advice in planned.advice:
                existing = by_statement.get(advice.statement)
                if existing is None:
                    by_statement[advice.statement] = IndexRecommendation(
                        statement=advice.statement,
                        table=advice.table,
                        columns=advice.columns,
                        queries=[where],
                        plan_before=advice.plan_before,
                        plan_after=advice.plan_after,
                        before_ms=advice.before_ms,
                        after_ms=advice.after_ms,
                        rows_in_table=advice.rows_in_table,
                    )
                else:
                    existing.queries.append(where)
    for (file, function), items in fingerprints.items():
        seen: dict[str, list] = defaultdict(list)
        for query, fp in items:
            seen[fp].append(query)
        for queries in seen.values():
            if len(queries) > 1 and function != "<module>":
                lines = ", ".join(str(q.line) for q in queries)
                findings.append(
                    kinds.finding(
                        "sql.repeated-query", f"{file}:{lines} ({function}): the same query {len(queries)} times"
                    )
                )
    _fold_prefix_indexes(schema.db, by_statement, {q.file + ":" + str(q.line): q.sql for q in harvested.queries})
    for advice in by_statement.values():
        timing = (
            f"; {advice.before_ms} ms → {advice.after_ms} ms on {advice.rows_in_table:,} generated rows"
            if advice.before_ms is not None and advice.rows_in_table
            else ""
        )
        kind = (
            "sql.missing-index"
            if any(step.startswith("SCAN") and "INDEX" not in step for step in advice.plan_before)
            else "sql.temp-btree-sort"
        )
        findings.append(
            kinds.finding(
                kind,
                f"{', '.join(advice.queries)}: plan {' / '.join(advice.plan_before)} → "
                f"{' / '.join(advice.plan_after)}{timing}",
                fix=advice.statement,
                title=f"{kinds.KINDS[kind].problem} on {advice.table}({', '.join(advice.columns)})",
            )
        )
    if params.postgres_dsn:
        await progress(3.5, 5, "planning on Postgres")
        import anyio

        from oc_scale_mcp.analysis.wrangler import read_wrangler
        from oc_scale_mcp.commands.queries_postgres import analyze_postgres

        parsed = []
        for query in harvested.queries:
            if not query.dynamic:
                try:
                    parsed.append((f"{query.file}:{query.line}", query.sql, rules.parse(query.sql)))
                except sqlglot.errors.ParseError:
                    continue
        config = read_wrangler(root)
        workers_without_pool = config is not None and not config.hyperdrive
        pg = await anyio.to_thread.run_sync(
            analyze_postgres, params.postgres_dsn, parsed, params.analyze, workers_without_pool
        )
        findings += pg.findings
        notes += [
            *pg.notes,
            f"Postgres: planned {pg.planned} of {len(parsed)} queries"
            + (" with hypopg what-if indexes" if pg.hypopg else ""),
        ]
        for item in pg.indexes:
            by_statement.setdefault(
                item["statement"],
                IndexRecommendation(
                    statement=item["statement"],
                    table=item["table"],
                    columns=item["columns"],
                    queries=item["queries"],
                    plan_before=[f"cost {item['cost_before']:,.1f}"],
                    plan_after=[f"cost {item['cost_after']:,.1f} (hypothetical index)"],
                ),
            )
    await progress(4, 5, "looking for N+1 loops")
    files, _ = source_files(root, set(migrations))
    for path, language in files:
        if language == "sql":
            continue
        relative = path.relative_to(root).as_posix()
        tree = parse_source(path, language)
        loops = nplusone.find_python(tree, relative) if language == "python" else nplusone.find_js(tree, relative)
        for loop in loops:
            kind = "sql.n-plus-one-parallel" if loop.parallel else "sql.n-plus-one"
            findings.append(
                kinds.finding(
                    kind,
                    f"{loop.file}:{loop.line}: `{loop.call}` awaited inside the "
                    f"{loop.loop_kind} at line {loop.loop_line}",
                )
            )
    findings.sort(key=lambda f: (SEVERITY_ORDER[f.severity], f.id, f.evidence))
    indexes = list(by_statement.values())
    result = QueriesResult(
        findings=findings,
        indexes=indexes,
        queries_found=len(harvested.queries),
        queries_analyzed=analyzed,
        files_read=harvested.files_read,
        tables=sorted(schema.tables),
        migrations=schema.migrations,
        notes=notes,
        report="",
    )
    result.report = _report(project.name, result)
    await progress(5, 5, "recording")
    CheckpointStore(project).record_event(
        "queries",
        {
            "findings": _counts(findings),
            "indexes": [
                i.model_dump(include={"statement", "queries", "before_ms", "after_ms", "rows_in_table"})
                for i in indexes
            ],
            "queries_analyzed": analyzed,
        },
        summary=f"Query audit: {analyzed} queries, {len(findings)} findings, {len(indexes)} index(es) recommended.",
        next_actions=[f"Add {i.statement}" for i in indexes[:2]] or ["Re-run `oc-scale queries` after changes."],
        key_decisions=[f"Index: {i.statement}" for i in indexes[:5]],
    )
    return result


def _fold_prefix_indexes(db, by_statement: dict[str, IndexRecommendation], sql_at: dict[str, str]) -> None:
    """Fold an index into a longer one on the same table that starts with its columns, when the database
    plans every query of the shorter one with the longer one too (one index to maintain, not two)."""
    from oc_scale_mcp.analysis.sql.plans import explain, index_name, scanned_tables

    for short in sorted(by_statement.values(), key=lambda r: len(r.columns)):
        longer = [
            r
            for r in by_statement.values()
            if r.table == short.table
            and len(r.columns) > len(short.columns)
            and r.columns[: len(short.columns)] == short.columns
        ]
        if not longer:
            continue
        target = longer[0]
        db.execute(target.statement.rstrip(";"))
        try:
            served = all(
                short.table not in scanned_tables(explain(db, sql_at[q]) or [f"SCAN {short.table}"])
                for q in short.queries
            )
        finally:
            db.execute(f"DROP INDEX {index_name(target.table, target.columns)}")
        if served:
            target.queries += short.queries
            del by_statement[short.statement]


def _counts(findings: list[Finding]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for f in findings:
        counts[f.severity.value] = counts.get(f.severity.value, 0) + 1
    return counts


def _report(name: str, result: QueriesResult) -> str:
    from oc_scale_mcp.analysis.sql.kinds import KINDS

    lines = [
        f"## Query audit — {name}",
        "",
        f"{result.queries_analyzed} of {result.queries_found} queries analyzed in {result.files_read} files; "
        f"schema from {len(result.migrations)} migration(s): {', '.join(result.tables) or 'no tables'}.",
        "",
    ]
    present = list(dict.fromkeys(f.id for f in result.findings))
    if present:
        lines += ["| Problem | Detection | Fix | Found |", "|---|---|---|---|"]
        for kind_id in present:
            kind = KINDS[kind_id]
            count = sum(1 for f in result.findings if f.id == kind_id)
            lines.append(f"| {kind.problem} | {kind.detection} | {kind.fix} | {count} |")
    else:
        lines.append("No query problems found.")
    if result.indexes:
        lines += [
            "",
            "### Indexes to add (the database's own plan changes with each)",
            "| Index | Serves | Plan before → after | Time before → after |",
            "|---|---|---|---|",
        ]
        for i in result.indexes:
            timing = (
                f"{i.before_ms} ms → {i.after_ms} ms ({i.rows_in_table:,} rows)" if i.before_ms is not None else "—"
            )
            lines.append(
                f"| `{i.statement}` | {', '.join(i.queries)} | {' / '.join(i.plan_before)} → "
                f"{' / '.join(i.plan_after)} | {timing} |"
            )
    if result.findings:
        lines += ["", "### Findings"]
        lines += [f"- **{f.severity}** {f.title} — {f.evidence}. Fix: {f.fix}" for f in result.findings]
    lines += [
        "",
        "On D1: rows read (scanned) are billed; one database runs one query at a time, so a slow scan delays "
        "every other request; a Worker invocation may run a limited number of queries (subrequests).",
    ]
    if result.notes:
        lines += ["", "### Notes", *[f"- {n}" for n in result.notes]]
    return "\n".join(lines) + "\n"


SPEC = CommandSpec(
    name="queries",
    title="Query audit",
    summary="Find the app's SQL, judge it on the AST, plan it in SQLite with index what-ifs, and find N+1 loops.",
    description=(
        "Use to find the database's scaling problems in a repository. Builds the schema from the migrations "
        "(D1/Drizzle/Prisma SQL) in SQLite, harvests every SQL string passed to prepare/query/execute or an sql`` "
        "tag in TypeScript/JavaScript/Python with file:line, flags SELECT *, unbounded lists, OFFSET pagination, "
        "leading-wildcard and OR LIKE searches, functions on filtered columns, ORDER BY RANDOM(), whole-table "
        "COUNT(*), BLOBs in lists, repeated queries per handler; runs EXPLAIN QUERY PLAN and recommends only "
        "indexes that turn a SCAN into a SEARCH (or remove a temp B-tree sort), with before/after times on "
        "generated data; and finds awaited queries inside loops (N+1). Returns findings with evidence and the "
        "skill's Problem | Detection | Fix table. Reads only files inside project_dir."
    ),
    params=QueriesParams,
    result=QueriesResult,
    run=run,
    hints=Hints(read_only=False, destructive=False, idempotent=True, open_world=False),
    checkpoint_event="queries",
)
