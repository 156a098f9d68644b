"""The Postgres side of `queries`: EXPLAIN (FORMAT JSON) for every harvested query on the team's own
database (the schema and statistics are theirs), what-if indexes through the hypopg extension when it
is installed, and connection-pooling advice. Runs psycopg in a worker thread."""

import contextlib
from dataclasses import dataclass, field
from typing import Any

from oc_scale_mcp.core.errors import InputError
from oc_scale_mcp.core.models import Finding
from oc_scale_mcp.core.redact import redact_text

POOL_PRESSURE = 0.8


@dataclass(slots=True)
class PostgresReport:
    findings: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    indexes: list[dict[str, Any]] = field(default_factory=list)
    planned: int = 0
    hypopg: bool = False
    hypopg_schema: str = "public"


def analyze_postgres(
    dsn: str, queries: list[tuple[str, str, Any]], analyze: bool, workers_project: bool
) -> PostgresReport:
    """queries: (file:line, sql, sqlglot tree). Blocking: call through anyio.to_thread."""
    import psycopg
    from sqlglot import exp

    from oc_scale_mcp.analysis.sql import kinds
    from oc_scale_mcp.analysis.sql.pg_plans import describe, index_scans, seq_scans, to_postgres_params, total_cost
    from oc_scale_mcp.analysis.sql.plans import _column_roles, candidates

    report = PostgresReport()
    try:
        connection = psycopg.connect(dsn, connect_timeout=5, autocommit=True)
    except psycopg.Error as exc:
        raise InputError(
            f"cannot connect to postgres_dsn {redact_text(dsn)}: {str(exc).strip().splitlines()[0]}"
        ) from None
    with connection:
        report.hypopg = _enable_hypopg(connection)
        if report.hypopg:  # call its functions qualified: the search_path may not include its schema
            report.hypopg_schema = connection.execute(
                "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
                "WHERE e.extname = 'hypopg'"
            ).fetchone()[0]
        if not report.hypopg:
            report.notes.append(
                "Postgres: the hypopg extension is not available, so no what-if indexes were tried "
                "(install it: apt install postgresql-<version>-hypopg; CREATE EXTENSION hypopg)"
            )
        report.findings += _pooling(connection, workers_project, kinds)
        for where, sql, tree in queries:
            pg_sql, params = to_postgres_params(sql)
            plan = _explain(
                connection, pg_sql, params, analyze and sql.lstrip().upper().startswith("SELECT") and params == 0
            )
            if plan is None:
                report.notes.append(f"Postgres could not plan {where} (schema differs from the code?)")
                continue
            report.planned += 1
            if not report.hypopg:
                for relation, condition in seq_scans(plan):
                    if condition:
                        report.findings.append(
                            kinds.finding(
                                "sql.missing-index",
                                f"{where}: Postgres plan {describe(plan)} (filter {condition})",
                                title=f"Sequential scan on {relation}",
                            )
                        )
                continue
            aliases = {t.alias_or_name: t.name for t in tree.find_all(exp.Table)}
            for relation, condition in seq_scans(plan):
                if not condition and not tree.find(exp.Order):
                    continue
                columns_known = _columns(connection, relation)
                equality, ranged, order = _column_roles(tree, relation, aliases)
                for columns in candidates(equality, ranged, order, columns_known):
                    statement = f"CREATE INDEX ON {relation} ({', '.join(columns)})"
                    try:
                        connection.execute(
                            f'SELECT * FROM "{report.hypopg_schema}".hypopg_create_index(%s)', (statement,)
                        )
                        after = _explain(connection, pg_sql, params, False)
                    finally:
                        connection.execute(f'SELECT "{report.hypopg_schema}".hypopg_reset()')
                    if (
                        after is not None
                        and relation not in [r for r, _ in seq_scans(after)]
                        and any(r == relation for r, _ in index_scans(after))
                    ):
                        before_cost, after_cost = total_cost(plan), total_cost(after)
                        name = f"idx_{relation}_{'_'.join(columns)}"
                        report.indexes.append(
                            {
                                "statement": f"CREATE INDEX {name} ON {relation} ({', '.join(columns)});",
                                "queries": [where],
                                "cost_before": before_cost,
                                "table": relation,
                                "columns": list(columns),
                                "cost_after": after_cost,
                            }
                        )
                        report.findings.append(
                            kinds.finding(
                                "sql.missing-index",
                                f"{where}: Postgres plan {describe(plan)} (cost {before_cost:,.1f}) → "
                                f"with a hypothetical index (hypopg) {describe(after)} (cost {after_cost:,.1f})",
                                title=f"Missing index on {relation}({', '.join(columns)})",
                                fix=f"CREATE INDEX {name} ON {relation} ({', '.join(columns)});",
                            )
                        )
                        break
    return report


def _enable_hypopg(connection) -> bool:
    import psycopg

    try:
        connection.execute("CREATE EXTENSION IF NOT EXISTS hypopg")
        return True
    except psycopg.Error:
        row = connection.execute("SELECT 1 FROM pg_extension WHERE extname = 'hypopg'").fetchone()
        return row is not None


def _explain(connection, sql: str, params: int, analyze: bool) -> Any:
    import psycopg

    try:
        connection.execute("SET plan_cache_mode = force_generic_plan")
        connection.execute("DEALLOCATE ALL")
        connection.execute(f"PREPARE oc_scale_q AS {sql}")
        arguments = ", ".join(["NULL"] * params)
        options = "ANALYZE, FORMAT JSON" if analyze else "FORMAT JSON"
        row = connection.execute(
            f"EXPLAIN ({options}) EXECUTE oc_scale_q{'(' + arguments + ')' if params else ''}"
        ).fetchone()
        return row[0]
    except psycopg.Error:
        return None
    finally:
        with contextlib.suppress(psycopg.Error):
            connection.execute("DEALLOCATE ALL")


def _columns(connection, relation: str) -> set[str]:
    rows = connection.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = %s", (relation,)
    ).fetchall()
    return {r[0] for r in rows}


def _pooling(connection, workers_project: bool, kinds) -> list[Finding]:
    used = connection.execute("SELECT count(*) FROM pg_stat_activity").fetchone()[0]
    limit = int(connection.execute("SHOW max_connections").fetchone()[0])
    findings = []
    if used >= POOL_PRESSURE * limit:
        findings.append(kinds.finding("sql.pool-pressure", f"Postgres: {used} of max_connections {limit} in use"))
    if workers_project:
        findings.append(
            kinds.finding(
                "sql.pooling-advice", f"Postgres reached from Workers ({used}/{limit} connections in use now)"
            )
        )
    return findings
