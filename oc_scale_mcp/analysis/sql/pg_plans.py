"""Reading Postgres plans (`EXPLAIN (FORMAT JSON)`): sequential scans, index use, cost. Pure functions on
the JSON; the queries command runs EXPLAIN and hypopg and hands the plans here."""

import re
from typing import Any

_PLACEHOLDER = re.compile(r"\?(\d+)|\?|\$(\d+)")


def to_postgres_params(sql: str) -> tuple[str, int]:
    """D1/SQLite placeholders → Postgres `$n`; returns the SQL and the number of parameters.

    >>> to_postgres_params("SELECT * FROM t WHERE a = ?1 AND b = ?2 OR c = ?1")
    ('SELECT * FROM t WHERE a = $1 AND b = $2 OR c = $1', 2)
    >>> to_postgres_params("SELECT * FROM t WHERE a = ? AND b = ?")
    ('SELECT * FROM t WHERE a = $1 AND b = $2', 2)
    """
    counter = {"next": 0, "max": 0}

    def replace(match: re.Match) -> str:
        number = match.group(1) or match.group(2)
        if number is None:
            counter["next"] += 1
            number = str(counter["next"])
        counter["max"] = max(counter["max"], int(number))
        return f"${number}"

    return _PLACEHOLDER.sub(replace, sql), 0 if not counter["max"] else counter["max"]


def _nodes(plan: Any):
    stack = [plan[0]["Plan"] if isinstance(plan, list) else plan.get("Plan", plan)]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(node.get("Plans", []))


def seq_scans(plan: Any) -> list[tuple[str, str]]:
    """(relation, filter) of every sequential scan."""
    return [
        (n.get("Relation Name", "?"), n.get("Filter", "")) for n in _nodes(plan) if n.get("Node Type") == "Seq Scan"
    ]


def index_scans(plan: Any) -> list[tuple[str, str]]:
    """(relation or index, index name) of every index-using node."""
    found = []
    for n in _nodes(plan):
        if n.get("Node Type") in ("Index Scan", "Index Only Scan", "Bitmap Index Scan"):
            found.append((n.get("Relation Name", ""), n.get("Index Name", "")))
    return found


def total_cost(plan: Any) -> float:
    root = plan[0]["Plan"] if isinstance(plan, list) else plan["Plan"]
    return float(root.get("Total Cost", 0.0))


def describe(plan: Any) -> str:
    """A one-line plan summary: node types with their relation."""
    parts = []
    for n in _nodes(plan):
        relation = n.get("Relation Name") or n.get("Index Name") or ""
        parts.append(f"{n.get('Node Type')}{' on ' + relation if relation else ''}")
    return " / ".join(parts[:6])
