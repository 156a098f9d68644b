"""N+1 queries in application code: an awaited DB call inside a loop or a per-item callback.

Found on the syntax tree (tree-sitter), not by pattern-matching text:
- TypeScript/JavaScript: an `await` whose call chain ends in a D1 executor (`.all() .first() .run()
  .raw()`) or is a query call (`.query( .execute( .findMany/findUnique/findFirst( …)`) — or a Drizzle
  or Kysely builder ending in `.execute()`/`.get()` — inside `for`, `for…of`, `for…in`, `while`, `do`,
  or the callback of `.forEach`/`.map`/`.reduce`. `Promise.all(xs.map(… db …))` is a parallel N+1
  (lower severity). Building `prepare().bind()` statements in a loop for `db.batch()` is the fix, and
  is never flagged: nothing is awaited per item.
- Python: `cursor.execute(…)`, `session.execute/query(…)`, `conn.fetch*(…)` inside `for`/`while` or a
  comprehension.
"""

from dataclasses import dataclass

D1_EXECUTORS = {"all", "first", "run", "raw"}
QUERY_CALLS = {
    "query",
    "execute",
    "findMany",
    "findUnique",
    "findFirst",
    "findUniqueOrThrow",
    "findFirstOrThrow",
    "count",
    "aggregate",
    "executeTakeFirst",
    "executeTakeFirstOrThrow",
    "fetch",
    "fetchrow",
    "fetchval",
}
JS_LOOPS = {"for_statement", "for_in_statement", "while_statement", "do_statement"}
PER_ITEM_METHODS = {"forEach", "map", "flatMap", "reduce", "filter", "some", "every"}
PY_LOOPS = {
    "for_statement",
    "while_statement",
    "list_comprehension",
    "set_comprehension",
    "dictionary_comprehension",
    "generator_expression",
}
PY_DB_METHODS = {"execute", "executemany", "query", "fetch", "fetchrow", "fetchval", "scalar", "scalars", "get"}
PY_DB_RECEIVERS = ("cursor", "cur", "session", "db", "conn", "connection", "engine")


@dataclass(frozen=True, slots=True)
class LoopQuery:
    file: str
    line: int
    loop_line: int
    call: str
    parallel: bool
    loop_kind: str


def _text(node) -> str:
    return node.text.decode("utf-8", errors="replace")


def _member_chain(call) -> list[str]:
    """Method names along a call chain: db.prepare(x).bind(y).all() → ['prepare', 'bind', 'all']."""
    names = []
    node = call
    while node is not None and node.type == "call_expression":
        function = node.child_by_field_name("function")
        if function is None or function.type != "member_expression":
            break
        prop = function.child_by_field_name("property")
        names.append(_text(prop) if prop is not None else "")
        node = function.child_by_field_name("object")
    return list(reversed(names))


def _is_js_db_call(call) -> bool:
    chain = _member_chain(call)
    if not chain:
        return False
    last = chain[-1]
    if last in D1_EXECUTORS and "prepare" in chain:
        return True
    if last in QUERY_CALLS:
        return True
    return last in ("execute", "get", "all") and any(
        m in chain for m in ("select", "selectFrom", "insert", "update", "delete", "from", "where")
    )


def _js_loop_context(node):
    """(loop node, kind, parallel?) of the nearest enclosing loop or per-item callback, stopping at
    function boundaries that are not such callbacks."""
    current = node.parent
    while current is not None:
        if current.type in JS_LOOPS:
            kind = {
                "for_in_statement": "for…of/for…in loop",
                "for_statement": "for loop",
                "while_statement": "while loop",
                "do_statement": "do…while loop",
            }[current.type]
            return current, kind, False
        if current.type in ("arrow_function", "function_expression", "function"):
            arguments = current.parent
            call = arguments.parent if arguments is not None and arguments.type == "arguments" else None
            chain = _member_chain(call) if call is not None and call.type == "call_expression" else []
            if chain and chain[-1] in PER_ITEM_METHODS:
                parallel = chain[-1] in ("map", "flatMap") and _inside_promise_all(call)
                return call, f".{chain[-1]}() callback", parallel
            return None
        if current.type in ("function_declaration", "method_definition"):
            return None
        current = current.parent
    return None


def _inside_promise_all(call) -> bool:
    node = call.parent
    while node is not None and node.type in ("arguments", "array", "spread_element", "parenthesized_expression"):
        node = node.parent
    if node is not None and node.type == "call_expression":
        function = node.child_by_field_name("function")
        return function is not None and _text(function) in ("Promise.all", "Promise.allSettled")
    return False


def find_js(tree, relative: str) -> list[LoopQuery]:
    found = []
    stack = [tree.root_node]
    while stack:
        node = stack.pop()
        stack.extend(node.children)
        if node.type != "call_expression" or not _is_js_db_call(node):
            continue
        awaited = node.parent is not None and node.parent.type == "await_expression"
        context = _js_loop_context(node)
        if context is None:
            continue
        loop, kind, parallel = context
        if not awaited and not parallel:
            # a returned promise inside .map() under Promise.all is parallel; anything else not awaited
            # (e.g. statements collected for db.batch()) does not query per item
            if not (kind.endswith("callback") and _inside_promise_all(loop)):
                continue
            parallel = True
        found.append(
            LoopQuery(
                relative,
                node.start_point[0] + 1,
                loop.start_point[0] + 1,
                ".".join(_member_chain(node)),
                parallel,
                kind,
            )
        )
    return found


def _python_call_name(call) -> tuple[str, str]:
    function = call.child_by_field_name("function")
    if function is None or function.type != "attribute":
        return "", ""
    receiver = function.child_by_field_name("object")
    attribute = function.child_by_field_name("attribute")
    return (_text(receiver) if receiver is not None else ""), (_text(attribute) if attribute is not None else "")


def find_python(tree, relative: str) -> list[LoopQuery]:
    found = []
    stack = [tree.root_node]
    while stack:
        node = stack.pop()
        stack.extend(node.children)
        if node.type != "call":
            continue
        receiver, method = _python_call_name(node)
        base = receiver.split(".")[-1].split("(")[0].lower()
        if method not in PY_DB_METHODS or not any(base.startswith(r) or base.endswith(r) for r in PY_DB_RECEIVERS):
            continue
        current = node.parent
        while current is not None and current.type not in PY_LOOPS and current.type != "function_definition":
            current = current.parent
        if current is not None and current.type in PY_LOOPS:
            found.append(
                LoopQuery(
                    relative,
                    node.start_point[0] + 1,
                    current.start_point[0] + 1,
                    f"{receiver}.{method}",
                    False,
                    current.type.replace("_statement", ""),
                )
            )
    return found
