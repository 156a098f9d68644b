"""Query plans from the database itself, and indexes that change them.

For each query, SQLite's `EXPLAIN QUERY PLAN` on the schema built from the migrations. A `SCAN` of a
table the query filters, joins or sorts → candidate indexes (equality columns first, then one range
column, then the ORDER BY columns; single and compound), each created, planned and dropped; one is
kept only when the plan for that table turns into a `SEARCH` or its temp B-tree disappears. Primary
key and existing-index lookups already plan as SEARCH and are never flagged.

Before/after times: the tables get generated rows shaped by the schema (tens of thousands for the
table in question), and the query is timed without and with the recommended index.
"""

import contextlib
import random
import re
import sqlite3
import statistics
import time
from dataclasses import dataclass, field

from sqlglot import exp

from oc_scale_mcp.analysis.sql.schema import Table, read_tables

_SCAN = re.compile(r"^SCAN (?:TABLE )?(\w+)(?: AS \w+)?(?! USING (?:COVERING )?INDEX)", re.IGNORECASE)
_SCAN_WITH_INDEX = re.compile(r"^SCAN (?:TABLE )?\w+.* USING (?:COVERING )?INDEX", re.IGNORECASE)


def binding_count(db: sqlite3.Connection, sql: str) -> int | None:
    """How many parameters the statement takes (sqlite3 does not say: each count is tried); None when
    SQLite cannot prepare the statement at all."""
    for count in range(0, 33):
        try:
            db.execute(f"EXPLAIN {sql}", [None] * count)
            return count
        except sqlite3.ProgrammingError as exc:
            if "bindings" not in str(exc):
                return None
        except sqlite3.Error:
            return None
    return None


def explain(db: sqlite3.Connection, sql: str) -> list[str] | None:
    """The plan's detail lines, or None when SQLite cannot prepare the statement."""
    count = binding_count(db, sql)
    if count is None:
        return None
    try:
        return [row[3] for row in db.execute(f"EXPLAIN QUERY PLAN {sql}", [None] * count)]
    except sqlite3.Error:
        return None


def scanned_tables(plan: list[str]) -> list[str]:
    return [m.group(1) for line in plan if (m := _SCAN.match(line)) and not _SCAN_WITH_INDEX.match(line)]


def has_temp_btree(plan: list[str]) -> bool:
    return any("TEMP B-TREE" in line.upper() for line in plan)


@dataclass(slots=True)
class IndexAdvice:
    table: str
    columns: list[str]
    statement: str
    plan_before: list[str]
    plan_after: list[str]
    before_ms: float | None = None
    after_ms: float | None = None
    rows_in_table: int | None = None


@dataclass(slots=True)
class PlanResult:
    plan: list[str] | None
    advice: list[IndexAdvice] = field(default_factory=list)
    scans: list[str] = field(default_factory=list)
    sorts_in_temp_btree: bool = False


def _column_roles(tree: exp.Expression, table: str, aliases: dict[str, str]) -> tuple[list[str], list[str], list[str]]:
    """(equality, range, order-by) columns of `table` in the query."""

    def belongs(column: exp.Column) -> bool:
        qualifier = column.table
        return not qualifier or aliases.get(qualifier, qualifier) == table

    equality, ranged, order = [], [], []
    for eq in tree.find_all(exp.EQ):
        for side, other in ((eq.left, eq.right), (eq.right, eq.left)):
            if (
                isinstance(side, exp.Column)
                and belongs(side)
                and side.name not in equality
                and (not isinstance(other, exp.Column) or other.table != side.table)
            ):
                equality.append(side.name)
    for node in tree.find_all(exp.GT, exp.GTE, exp.LT, exp.LTE, exp.Between):
        if isinstance(node.this, exp.Column) and belongs(node.this) and node.this.name not in ranged:
            ranged.append(node.this.name)
    for like in tree.find_all(exp.Like):
        pattern = like.expression
        if (
            isinstance(like.this, exp.Column)
            and belongs(like.this)
            and isinstance(pattern, exp.Literal)
            and not pattern.this.startswith("%")
        ):
            ranged.append(like.this.name)
    for ordered in tree.find_all(exp.Ordered):
        if isinstance(ordered.this, exp.Column) and belongs(ordered.this):
            order.append(ordered.this.name)
    group = tree.find(exp.Group)
    if group is not None:
        order += [g.name for g in group.expressions if isinstance(g, exp.Column) and belongs(g)]
    return equality, ranged, order


def candidates(equality: list[str], ranged: list[str], order: list[str], known: set[str]) -> list[list[str]]:
    """Candidate column lists, best first: eq + range, eq + order, eq, single columns."""
    equality = [c for c in equality if c in known]
    ranged = [c for c in ranged if c in known and c not in equality]
    order = [c for c in order if c in known and c not in equality]
    options = []
    if equality and order:
        options.append(equality + order)
    if equality and ranged:
        options.append(equality + ranged[:1])
    if equality:
        options.append(equality)
    for column in equality + ranged + order:
        options.append([column])
    if order:
        options.append(order)
    unique = []
    for option in options:
        if option not in unique:
            unique.append(option)
    return unique


def index_name(table: str, columns: list[str]) -> str:
    return f"idx_{table}_{'_'.join(columns)}"


def plan_query(db: sqlite3.Connection, sql: str, tree: exp.Expression, tables: dict[str, Table]) -> PlanResult:
    plan = explain(db, sql)
    result = PlanResult(plan=plan)
    if plan is None:
        return result
    result.scans = scanned_tables(plan)
    result.sorts_in_temp_btree = has_temp_btree(plan)
    aliases = {t.alias_or_name: t.name for t in tree.find_all(exp.Table)}
    targets = list(
        dict.fromkeys(result.scans + ([t.name for t in tree.find_all(exp.Table)] if result.sorts_in_temp_btree else []))
    )
    for table in targets:
        if table not in tables:
            continue
        equality, ranged, order = _column_roles(tree, table, aliases)
        if not (equality or ranged or order):
            continue  # a scan of everything (e.g. COUNT(*) without WHERE): an index cannot help
        for columns in candidates(equality, ranged, order, set(tables[table].columns)):
            name = index_name(table, columns)
            statement = f"CREATE INDEX {name} ON {table}({', '.join(columns)})"
            try:
                db.execute(statement)
                after = explain(db, sql) or []
            finally:
                db.execute(f"DROP INDEX IF EXISTS {name}")
            searched = table in result.scans and table not in scanned_tables(after)
            sort_gone = result.sorts_in_temp_btree and not has_temp_btree(after)
            if searched or sort_gone:
                result.advice.append(IndexAdvice(table, columns, statement + ";", plan, after))
                break
    return result


# ---- before/after timing on generated data ------------------------------------------------------
def populate(db: sqlite3.Connection, tables: dict[str, Table], rows: int, seed: int = 11) -> dict[str, int]:
    """Fill every table with `rows` generated rows shaped by its columns (foreign keys point at existing
    parent ids; a few distinct values per low-cardinality-looking text column). Returns row counts."""
    rng = random.Random(seed)
    counts: dict[str, int] = {}
    order = _parents_first(tables)
    for name in order:
        table = tables[name]
        fk = {column: parent for column, parent, _ in table.foreign_keys}
        columns = [
            c
            for c in table.columns
            if not (c in table.primary_key and "INT" in table.columns[c] and len(table.primary_key) == 1)
        ]
        values = []
        for i in range(rows):
            row = []
            for column in columns:
                kind = table.columns[column]
                if column in fk:
                    row.append(rng.randint(1, max(1, counts.get(fk[column], rows))))
                elif column in table.primary_key or any(column in u for u in table.unique_sets):
                    row.append(f"{column}-{i}" if "INT" not in kind else i + 1)
                elif "INT" in kind or "REAL" in kind or "NUM" in kind:
                    row.append(rng.randint(0, 1000))
                elif "BLOB" in kind:
                    row.append(b"\0" * 64)
                elif "DATE" in column.upper() or column.endswith("_at"):
                    row.append(f"2026-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d} 12:00:00")
                else:
                    row.append(f"{column}-{rng.randint(0, 50 if column in ('stage', 'kind', 'status') else rows)}")
            values.append(row)
        placeholders = ", ".join("?" for _ in columns)
        quoted = ", ".join(f'"{c}"' for c in columns)
        try:
            db.executemany(f'INSERT INTO "{name}" ({quoted}) VALUES ({placeholders})', values)
            counts[name] = rows
        except sqlite3.Error:
            counts[name] = 0
    db.commit()
    return counts


def _parents_first(tables: dict[str, Table]) -> list[str]:
    ordered: list[str] = []

    def visit(name: str, seen: set[str]) -> None:
        if name in ordered or name in seen or name not in tables:
            return
        seen.add(name)
        for _, parent, _ in tables[name].foreign_keys:
            visit(parent, seen)
        ordered.append(name)

    for name in tables:
        visit(name, set())
    return ordered


def _time_query(db: sqlite3.Connection, sql: str, params: list, repeats: int) -> float:
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        db.execute(sql, params).fetchall()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


class TimingLab:
    """A second database with the same schema and generated rows, filled once, to time queries without
    and with a recommended index."""

    def __init__(self, schema_sql: list[str], rows: int = 20_000, repeats: int = 5) -> None:
        self.schema_sql, self.rows, self.repeats = schema_sql, rows, repeats
        self.db: sqlite3.Connection | None = None
        self.counts: dict[str, int] = {}

    def _ready(self) -> sqlite3.Connection:
        if self.db is None:
            self.db = sqlite3.connect(":memory:")
            for statement in self.schema_sql:
                with contextlib.suppress(sqlite3.Error):
                    self.db.execute(statement)
            self.counts = populate(self.db, read_tables(self.db), self.rows)
        return self.db

    def time(self, sql: str, advice: list[IndexAdvice]) -> None:
        if not advice:
            return
        db = self._ready()
        params = _sample_params(db, sql)
        if params is None:
            return
        for item in advice:
            item.rows_in_table = self.counts.get(item.table)
            item.before_ms = round(_time_query(db, sql, params, self.repeats), 3)
            db.execute(item.statement)
            try:
                item.after_ms = round(_time_query(db, sql, params, self.repeats), 3)
            finally:
                db.execute(f"DROP INDEX {index_name(item.table, item.columns)}")


def _sample_params(db: sqlite3.Connection, sql: str) -> list | None:
    """1 for every parameter: generated ids and foreign keys start at 1, so equality lookups hit rows."""
    count = binding_count(db, sql)
    return None if count is None else [1] * count
