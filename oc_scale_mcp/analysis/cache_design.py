"""A cache plan from the app's own code: each route classified by the skill's decision framework (what
to cache, where, for how long, and which writes must invalidate it).

Inputs are what the other judges found: the route inventory and, per handler, the tables its SQL reads
and writes. A route is user-specific when its queries filter on a user/tenant column.
"""

from dataclasses import dataclass, field

import sqlglot
from sqlglot import exp

USER_COLUMNS = {"user_id", "owner_id", "account_id", "tenant_id", "org_id", "member_id"}
AUTH_WORDS = ("auth", "login", "session", "token", "oauth")
REALTIME_WORDS = ("live", "stream", "events", "ws", "socket", "realtime")

# The skill's "What to Cache (Decision Framework)": data type -> (cache?, where, TTL)
FRAMEWORK = {
    "Static assets": ("Yes", "CDN", "1 year (immutable hash)", "Deploy new hash"),
    "User-specific data": ("Maybe", "KV", "1-5 min", "On write (purge key)"),
    "Public list data": ("Yes", "KV", "5-15 min", "On write or TTL"),
    "Auth tokens": ("Yes", "KV", "Token expiry - 60s", "On refresh"),
    "Computed aggregations": ("Yes", "KV", "5-60 min", "On underlying data change"),
    "Real-time data": ("No", "—", "—", "—"),
    "No stored data": ("No", "—", "—", "—"),
    "Writes": ("No", "—", "—", "Purges the keys below"),
}


@dataclass(slots=True)
class RoutePlan:
    method: str
    path: str
    where: str  # file:line
    data_type: str
    cache: str
    layer: str
    ttl: str
    invalidation: str
    reads: list[str] = field(default_factory=list)
    writes: list[str] = field(default_factory=list)
    key: str = ""
    purged_by: list[str] = field(default_factory=list)
    has_cache_aside: bool = False


def tables_of(sql: str) -> tuple[set[str], set[str], bool, bool]:
    """(tables read, tables written, filters on a user column?, aggregates?) of one statement."""
    from oc_scale_mcp.analysis.sql.rules import normalize

    try:
        tree = sqlglot.parse_one(normalize(sql), read="sqlite")
    except sqlglot.errors.ParseError:
        return set(), set(), False, False
    written = set()
    if isinstance(tree, exp.Insert | exp.Update | exp.Delete):
        target = tree.this
        table = target if isinstance(target, exp.Table) else target.find(exp.Table)
        if table is not None:
            written.add(table.name)
    read = {t.name for t in tree.find_all(exp.Table)} - written
    where = tree.find(exp.Where)
    user = where is not None and any(c.name in USER_COLUMNS for c in where.find_all(exp.Column))
    aggregate = tree.find(exp.Count, exp.Sum, exp.Avg) is not None
    return read, written, user, aggregate


def classify(method: str, path: str, reads: set[str], user: bool, aggregate: bool) -> str:
    lowered = path.lower()
    if method != "GET":
        return "Writes"
    if any(word in lowered for word in REALTIME_WORDS):
        return "Real-time data"
    if any(word in lowered for word in AUTH_WORDS):
        return "Auth tokens"
    if aggregate and not user:
        return "Computed aggregations"
    if user:
        return "User-specific data"
    return "Public list data" if reads else "No stored data"


def plan_routes(
    routes, queries_by_handler: dict[tuple[str, str], list[str]], kv_read_files: set[str]
) -> list[RoutePlan]:
    """`routes`: code_scan Routes; `queries_by_handler`: (file, `get "/x"`) -> SQL strings."""
    plans = []
    for route in routes:
        handler = (route.file, f'{route.method.lower()} "{route.local_path or route.path}"')
        reads, writes, user, aggregate = set(), set(), False, False
        for sql in queries_by_handler.get(handler, []):
            r, w, u, a = tables_of(sql)
            reads |= r
            writes |= w
            user |= u
            aggregate |= a
        kind = classify(route.method, route.path, reads, user, aggregate)
        cache, layer, ttl, invalidation = FRAMEWORK[kind]
        key = ""
        if layer == "KV":
            scope = "{userId}:" if kind == "User-specific data" else ""
            segments = [
                f"{{{part[1:]}}}" if part.startswith(":") else part for part in route.path.strip("/").split("/")
            ]
            key = f"{':'.join(segments)}:{scope}v1"
        plans.append(
            RoutePlan(
                route.method,
                route.path,
                f"{route.file}:{route.line}",
                kind,
                cache,
                layer,
                ttl,
                invalidation,
                sorted(reads),
                sorted(writes),
                key,
                has_cache_aside=route.file in kv_read_files and layer == "KV",
            )
        )
    for plan in plans:
        if plan.layer == "KV":
            plan.purged_by = [
                f"{w.method} {w.path}" for w in plans if w.data_type == "Writes" and set(w.writes) & set(plan.reads)
            ]
    return plans
