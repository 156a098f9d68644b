"""The catalogue of query findings: each kind named once — layer, default severity, sentence, fix, and
the skill's "Detection" wording — so detectors only pick a kind and add evidence."""

from dataclasses import dataclass

from oc_scale_mcp.core.models import Finding, Layer, Severity

D1_ROWS_READ = "D1 bills rows read (scanned), not rows returned"
D1_WRITER = "one D1 database runs one query at a time: slow queries queue everything behind them"


@dataclass(frozen=True, slots=True)
class Kind:
    id: str
    severity: Severity
    problem: str  # the skill's "Problem" column
    detection: str  # the skill's "Detection" column
    fix: str
    impact: str
    effort: str = "minutes"


KINDS: dict[str, Kind] = {
    k.id: k
    for k in (
        Kind(
            "sql.missing-index",
            Severity.HIGH,
            "Missing index",
            "EXPLAIN QUERY PLAN shows a SCAN of a filtered, joined "
            "or sorted table; the database picks SEARCH once the index exists",
            "CREATE INDEX (given per finding)",
            f"Every call scans the whole table: {D1_ROWS_READ}, and {D1_WRITER}.",
        ),
        Kind(
            "sql.temp-btree-sort",
            Severity.MEDIUM,
            "Sort without an index",
            "The plan builds a temp B-tree for ORDER BY or GROUP BY",
            "An index whose columns end with the ORDER BY columns (given per finding)",
            "Every call sorts all matching rows in memory before returning any.",
        ),
        Kind(
            "sql.n-plus-one",
            Severity.HIGH,
            "N+1 queries",
            "An awaited DB call inside a loop or a per-item callback",
            "Fetch all rows at once: a JOIN, `WHERE id IN (…)`, or D1 `batch()` of prepared statements",
            "One query per item: latency and D1 rows read grow with the list; each query is a subrequest.",
            "hours",
        ),
        Kind(
            "sql.n-plus-one-parallel",
            Severity.MEDIUM,
            "Parallel N+1 queries",
            "`Promise.all(items.map(… db call …))`",
            "One query with `IN (…)` or a JOIN; or D1 `batch()`",
            "Fewer round trips than a sequential loop, but still one query per item against a single-writer database.",
        ),
        Kind(
            "sql.select-star",
            Severity.LOW,
            "SELECT *",
            "`*` in the select list",
            "List the columns the caller uses",
            "Reads and ships every column (BLOBs included), and breaks when columns are added.",
        ),
        Kind(
            "sql.unbounded-list",
            Severity.HIGH,
            "Unbounded query",
            "A list query without LIMIT (not a key lookup or a single aggregate)",
            "Add pagination: LIMIT with keyset (`WHERE id > ? ORDER BY id LIMIT 50`)",
            f"Response size and {D1_ROWS_READ.split(',')[0].lower()} grow with the table, without bound.",
        ),
        Kind(
            "sql.limit-without-order",
            Severity.LOW,
            "LIMIT without ORDER BY",
            "LIMIT with no ORDER BY",
            "Add an ORDER BY on a unique key",
            "Which rows come back is undefined and can change between calls.",
        ),
        Kind(
            "sql.offset-pagination",
            Severity.MEDIUM,
            "OFFSET pagination",
            "LIMIT … OFFSET",
            "Keyset pagination: `WHERE (created_at, id) < (?, ?) ORDER BY created_at DESC, id DESC LIMIT ?`",
            f"Every page reads and discards all earlier rows: deep pages are slow and {D1_ROWS_READ.lower()}.",
        ),
        Kind(
            "sql.leading-wildcard",
            Severity.MEDIUM,
            "Leading-wildcard LIKE",
            "`LIKE '%…'` (or a `%${q}%` binding)",
            "Full-text search: an FTS5 virtual table on SQLite/D1 (`MATCH ?`), trigram/GIN on Postgres",
            "No index can serve it: every search scans the table.",
        ),
        Kind(
            "sql.or-like-search",
            Severity.MEDIUM,
            "LIKE/OR search across columns",
            "`a LIKE ? OR b LIKE ?`",
            "One FTS5 table over the searched columns",
            "OR across columns defeats single-column indexes: a full scan.",
        ),
        Kind(
            "sql.implicit-cross-join",
            Severity.HIGH,
            "Implicit cross join",
            "`FROM a, b` with no condition linking them",
            "An explicit JOIN … ON",
            "Returns |a| × |b| rows.",
        ),
        Kind(
            "sql.implicit-join",
            Severity.LOW,
            "Implicit join",
            "`FROM a, b WHERE a.x = b.y`",
            "Write it as JOIN … ON",
            "Easy to lose the join condition in an edit and get a cross join.",
        ),
        Kind(
            "sql.function-on-column",
            Severity.MEDIUM,
            "Function on a filtered column",
            "`WHERE f(column) …`",
            "Compare the bare column (store it normalized), or index the expression",
            "An index on the column cannot be used: a scan.",
        ),
        Kind(
            "sql.order-by-random",
            Severity.MEDIUM,
            "ORDER BY RANDOM()",
            "ORDER BY RANDOM()",
            "Pick random ids in code (`WHERE id IN (…)`) or keep a precomputed random key",
            "Reads and sorts the whole table for a few rows.",
        ),
        Kind(
            "sql.repeated-query",
            Severity.MEDIUM,
            "Repeated queries",
            "The same query fingerprint issued more than once in one handler",
            "Run it once and keep the result in the request context",
            "Duplicate round trips and rows read per request.",
        ),
        Kind(
            "sql.count-whole-table",
            Severity.MEDIUM,
            "COUNT(*) of a whole table per request",
            "`SELECT COUNT(*) FROM t` without WHERE in request code",
            "Keep a counter (updated on write) or cache the count (KV, 5-60 min)",
            f"Counting reads every row: {D1_ROWS_READ}.",
        ),
        Kind(
            "sql.wide-columns-in-list",
            Severity.MEDIUM,
            "BLOB/wide columns in a list query",
            "A list query returns a BLOB column",
            "Leave the BLOB out of lists; fetch it by id, or keep it in R2",
            "Ships large values for every row.",
        ),
        Kind(
            "sql.unparsable",
            Severity.LOW,
            "Unparsable SQL",
            "sqlglot could not parse it",
            "Check the statement; dynamic SQL should be built from fixed fragments",
            "Not analyzed.",
        ),
        Kind(
            "sql.dynamic",
            Severity.LOW,
            "Dynamic SQL",
            "A `${…}` part inside the SQL text",
            "Use bound parameters; build identifiers from an allow-list",
            "Not statically resolvable: not analyzed, and a risk of SQL injection.",
        ),
        Kind(
            "sql.migration-error",
            Severity.MEDIUM,
            "Migration does not apply",
            "SQLite rejected a migration statement",
            "Fix the migration (D1 runs SQLite)",
            "The schema could not be fully built: plans may be incomplete.",
        ),
    )
}


def finding(
    kind_id: str,
    evidence: str,
    *,
    title: str | None = None,
    fix: str | None = None,
    severity: Severity | None = None,
    impact: str | None = None,
) -> Finding:
    kind = KINDS[kind_id]
    return Finding(
        id=kind.id,
        layer=Layer.DATABASE,
        severity=severity or kind.severity,
        title=title or kind.problem,
        evidence=evidence,
        impact=impact or kind.impact,
        fix=fix or kind.fix,
        effort=kind.effort,
    )
