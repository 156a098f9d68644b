"""Static query rules on the sqlglot AST (never regexes on SQL text).

`normalize` makes D1's numbered parameters (`?1`) and Postgres' `$1` parseable; each rule looks at one
parsed statement plus the schema (to know keys and BLOB columns) and the `.bind()` arguments.
"""

import re
from dataclasses import dataclass

import sqlglot
from sqlglot import exp

from oc_scale_mcp.analysis.sql.schema import Table

_NUMBERED = re.compile(r"\?\d+|\$\d+")
AGGREGATES = (exp.Count, exp.Sum, exp.Avg, exp.Min, exp.Max, exp.GroupConcat)


def normalize(sql: str) -> str:
    """`?1`/`$1` → `?` so sqlglot parses D1 and Postgres placeholders.

    >>> normalize("SELECT * FROM t WHERE a = ?1 AND b = $2")
    'SELECT * FROM t WHERE a = ? AND b = ?'
    """
    return _NUMBERED.sub("?", sql)


def parse(sql: str, dialect: str = "sqlite") -> exp.Expression:
    """Parse one statement; raises `sqlglot.errors.ParseError` for unparsable SQL."""
    statements = [s for s in sqlglot.parse(normalize(sql), read=dialect) if s is not None]
    if not statements:
        raise sqlglot.errors.ParseError("empty statement")
    return statements[0]


def fingerprint(tree: exp.Expression) -> str:
    """The query with literals and parameters replaced, for "same query issued twice"."""

    def strip(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.Literal | exp.Placeholder):
            return exp.Placeholder()
        return node

    return tree.transform(strip).sql(dialect="sqlite", normalize=True)


@dataclass(frozen=True, slots=True)
class Hit:
    kind: str
    detail: str


def _tables(select: exp.Select) -> list[str]:
    return [t.name for t in select.find_all(exp.Table)]


def _is_aggregate_only(select: exp.Select) -> bool:
    """Every projection is an aggregate (or a GROUP BY key): a report, not a list of rows."""
    projections = select.expressions
    group = select.args.get("group")
    keys = {g.sql() for g in group.expressions} if group else set()
    return bool(projections) and all(
        p.find(*AGGREGATES) is not None or p.sql() in keys or (isinstance(p, exp.Alias) and p.this.sql() in keys)
        for p in projections
    )


def _equality_columns(where: exp.Expression | None) -> set[str]:
    if where is None:
        return set()
    found = set()
    for eq in where.find_all(exp.EQ):
        column = eq.left if isinstance(eq.left, exp.Column) else eq.right if isinstance(eq.right, exp.Column) else None
        other = eq.right if column is eq.left else eq.left
        if column is not None and not isinstance(other, exp.Column):
            found.add(column.name)
    return found


def _is_key_lookup(select: exp.Select, tables: dict[str, Table]) -> bool:
    names = _tables(select)
    if len(names) != 1 or names[0] not in tables:
        return False
    table = tables[names[0]]
    equal = _equality_columns(select.args.get("where"))
    keys = ([table.primary_key] if table.primary_key else []) + table.unique_sets
    return any(key and set(key) <= equal for key in keys)


def check(tree: exp.Expression, tables: dict[str, Table], bind_args: list[str]) -> list[Hit]:
    """Every rule that fires on one statement."""
    hits: list[Hit] = []
    for select in tree.find_all(exp.Select):
        if select.parent is not None and not isinstance(select.parent, exp.Subquery | exp.Union | exp.CTE):
            continue
        hits += _check_select(select, tables, bind_args, top=select is tree or isinstance(tree, exp.Union))
    return hits


def _check_select(select: exp.Select, tables: dict[str, Table], bind_args: list[str], top: bool) -> list[Hit]:
    hits: list[Hit] = []
    names = _tables(select)
    limit, order, offset = select.args.get("limit"), select.args.get("order"), select.args.get("offset")
    where = select.args.get("where")
    if any(
        isinstance(p, exp.Star) or (isinstance(p, exp.Column) and isinstance(p.this, exp.Star))
        for p in select.expressions
    ):
        hits.append(Hit("sql.select-star", "SELECT *"))
        blobs = [f"{t}.{c}" for t in names if t in tables for c, kind in tables[t].columns.items() if "BLOB" in kind]
        if blobs and not (limit is not None and limit.expression.sql() == "1") and not _is_key_lookup(select, tables):
            hits.append(Hit("sql.wide-columns-in-list", f"SELECT * returns BLOB column(s) {', '.join(blobs)}"))
    is_list = top and names and not _is_aggregate_only(select) and not _is_key_lookup(select, tables)
    if is_list and limit is None:
        hits.append(Hit("sql.unbounded-list", f"no LIMIT on a list of {', '.join(names)}"))
    if limit is not None and order is None and not _is_aggregate_only(select):
        hits.append(Hit("sql.limit-without-order", "LIMIT without ORDER BY"))
    if offset is not None or (limit is not None and limit.args.get("offset")):
        hits.append(Hit("sql.offset-pagination", "OFFSET"))
    if order is not None and any(
        isinstance(o.this, exp.Rand) or (isinstance(o.this, exp.Anonymous) and o.this.name.upper() == "RANDOM")
        for o in order.expressions
    ):
        hits.append(Hit("sql.order-by-random", "ORDER BY RANDOM()"))
    if where is not None:
        hits += _check_where(where, bind_args)
    if (
        names
        and _is_aggregate_only(select)
        and where is None
        and select.find(exp.Count) is not None
        and not select.args.get("joins")
    ):
        hits.append(Hit("sql.count-whole-table", f"COUNT over all of {names[0]}"))
    joins = select.args.get("joins") or []
    # sqlglot parses `FROM a, b` as a CROSS join: both are a cartesian product unless WHERE links them
    implicit = [
        j
        for j in joins
        if not j.args.get("on")
        and not j.args.get("using")
        and (j.args.get("kind") or "CROSS").upper() == "CROSS"
        and not j.args.get("side")
    ]
    if implicit:
        linked = where is not None and any(
            isinstance(eq.left, exp.Column) and isinstance(eq.right, exp.Column) for eq in where.find_all(exp.EQ)
        )
        hits.append(Hit("sql.implicit-join" if linked else "sql.implicit-cross-join", f"FROM {', '.join(names)}"))
    return hits


def _like_parameter_has_leading_wildcard(like: exp.Like, bind_args: list[str], placeholders: list) -> bool:
    pattern = like.expression
    if isinstance(pattern, exp.Literal):
        return pattern.this.startswith("%")
    if isinstance(pattern, exp.Placeholder):
        # the bound value: `%${q}%` or "%" + q in the .bind(...) call
        return any(
            re.match(r"""^[`'"]%""", arg) or arg.replace(" ", "").startswith(('"%"+', "'%'+")) for arg in bind_args
        )
    return False


def _check_where(where: exp.Expression, bind_args: list[str]) -> list[Hit]:
    hits: list[Hit] = []
    likes = list(where.find_all(exp.Like, exp.ILike))
    placeholders = list(where.find_all(exp.Placeholder))
    if any(_like_parameter_has_leading_wildcard(like, bind_args, placeholders) for like in likes):
        hits.append(Hit("sql.leading-wildcard", "LIKE with a leading %"))
    for disjunction in where.find_all(exp.Or):
        columns = {
            like.this.name for like in disjunction.find_all(exp.Like, exp.ILike) if isinstance(like.this, exp.Column)
        }
        if len(columns) > 1:
            hits.append(Hit("sql.or-like-search", f"LIKE across {', '.join(sorted(columns))} joined by OR"))
            break
    for predicate in where.find_all(exp.EQ, exp.GT, exp.GTE, exp.LT, exp.LTE, exp.Like, exp.In, exp.Between):
        for side in (predicate.this, predicate.args.get("expression")):
            if isinstance(side, exp.Func) and not isinstance(side, AGGREGATES) and side.find(exp.Column) is not None:
                hits.append(Hit("sql.function-on-column", f"{side.sql(dialect='sqlite')} in WHERE"))
                return hits
    return hits
