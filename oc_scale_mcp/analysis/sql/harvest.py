"""Find the SQL an application runs, with file:line, by walking the syntax tree (tree-sitter) of
TypeScript/JavaScript and Python sources, plus standalone `.sql` query files.

A string is SQL when it is the first argument of a DB call (`prepare`, `query`, `execute`, `exec`,
`raw`, `$queryRaw`…) or the template of an `sql` tagged template, and parses as a statement. A
`${…}` inside the SQL text makes it dynamic: reported as not statically resolvable, never guessed.
"""

import re
from dataclasses import dataclass, field
from pathlib import Path

SQL_CALLS = {
    "prepare",
    "query",
    "execute",
    "executemany",
    "exec",
    "raw",
    "unsafe",
    "queryRawUnsafe",
    "executeRawUnsafe",
    "$queryRaw",
    "$executeRaw",
    "$queryRawUnsafe",
    "$executeRawUnsafe",
    "text",
    "sql",
}
SQL_TAGS = {"sql", "SQL"}
_SQL_START = re.compile(r"^\s*(SELECT|INSERT|UPDATE|DELETE|WITH|REPLACE)\b", re.IGNORECASE)
SOURCE_SUFFIXES = {
    ".ts": "typescript",
    ".tsx": "tsx",
    ".mts": "typescript",
    ".cts": "typescript",
    ".js": "javascript",
    ".mjs": "javascript",
    ".cjs": "javascript",
    ".jsx": "javascript",
    ".py": "python",
}
SKIP_DIRS = {
    "node_modules",
    ".git",
    "dist",
    "build",
    ".wrangler",
    ".venv",
    "venv",
    "__pycache__",
    ".checkpoints",
    "coverage",
    ".next",
    ".output",
}
MAX_FILE_BYTES = 1_000_000


@dataclass(slots=True)
class HarvestedQuery:
    file: str  # relative to the project
    line: int
    sql: str
    dynamic: bool
    function: str  # enclosing function/handler, for "repeated in one handler"
    bind_args: list[str] = field(default_factory=list)  # source text of .bind(...) arguments


@dataclass(slots=True)
class Harvest:
    queries: list[HarvestedQuery] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    files_read: int = 0


_LANGUAGES: dict = {}


def language(name: str):
    """The tree-sitter Language for `name` (grammar packages ship compiled grammars: works offline)."""
    if name not in _LANGUAGES:
        from tree_sitter import Language

        if name in ("typescript", "tsx"):
            import tree_sitter_typescript as grammar

            _LANGUAGES[name] = Language(
                grammar.language_typescript() if name == "typescript" else grammar.language_tsx()
            )
        elif name == "javascript":
            import tree_sitter_javascript as grammar

            _LANGUAGES[name] = Language(grammar.language())
        else:
            import tree_sitter_python as grammar

            _LANGUAGES[name] = Language(grammar.language())
    return _LANGUAGES[name]


def parse_source(path: Path, lang: str):
    from tree_sitter import Parser

    return Parser(language(lang)).parse(path.read_bytes())


def source_files(root: Path, migrations: set[Path]) -> tuple[list[tuple[Path, str]], list[str]]:
    """(path, language or 'sql') for every candidate file, and notes about the ones skipped."""
    found, skipped = [], []
    for path in sorted(root.rglob("*")):
        if not path.is_file() or any(part in SKIP_DIRS for part in path.relative_to(root).parts[:-1]):
            continue
        suffix = path.suffix.lower()
        kind = SOURCE_SUFFIXES.get(suffix) or ("sql" if suffix == ".sql" and path not in migrations else None)
        if kind is None:
            continue
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            skipped.append(f"{path.relative_to(root)}: {size:,} bytes, over the 1 MB limit")
            continue
        if b"\0" in path.read_bytes()[:4096]:
            skipped.append(f"{path.relative_to(root)}: binary")
            continue
        found.append((path, kind))
    return found, skipped


def _text(node) -> str:
    return node.text.decode("utf-8", errors="replace")


def _string_value(node) -> tuple[str, bool] | None:
    """(SQL text, dynamic?) of a string or template literal node; None for anything else."""
    if node.type in ("string", "string_fragment"):
        raw = _text(node)
        if raw[:1] in "\"'" and raw[-1:] == raw[:1]:
            raw = raw[1:-1]
        elif node.type == "string" and raw[:3] in ('"""', "'''"):
            raw = raw[3:-3]
        # Python prefixes (f, r, b): an f-string with braces is dynamic
        prefix = re.match(r"^[rRbBuUfF]{0,2}", _text(node)).group(0)
        if prefix:
            raw = _text(node)[len(prefix) :].strip("\"'")
        return raw, "f" in prefix.lower() and "{" in raw
    if node.type == "template_string":
        raw = _text(node)[1:-1]
        return raw, any(child.type == "template_substitution" for child in node.children)
    if node.type == "concatenated_string":
        parts = [_string_value(child) for child in node.children if child.type == "string"]
        return "".join(p[0] for p in parts if p), any(p[1] for p in parts if p)
    return None


def _callee_name(call) -> str:
    function = call.child_by_field_name("function")
    if function is None:
        return ""
    if function.type in ("member_expression", "attribute"):
        prop = function.child_by_field_name("property") or function.child_by_field_name("attribute")
        return _text(prop) if prop is not None else ""
    return _text(function)


def _enclosing_function(node) -> str:
    current = node.parent
    while current is not None:
        if current.type in (
            "function_declaration",
            "method_definition",
            "function_definition",
            "arrow_function",
            "function_expression",
            "function",
        ):
            name = current.child_by_field_name("name")
            if name is not None:
                return _text(name)
            # a handler passed to app.get("/path", async (c) => …): name it by the route call
            parent = current.parent
            if parent is not None and parent.type == "arguments" and parent.parent is not None:
                call = parent.parent
                first = next((c for c in parent.children if c.type in ("string", "template_string")), None)
                return f"{_callee_name(call)} {_text(first) if first is not None else ''}".strip()
            return f"<anonymous at line {current.start_point[0] + 1}>"
        current = current.parent
    return "<module>"


def _bind_args(call) -> list[str]:
    """The arguments of a `.bind(…)` chained on this call (`db.prepare(sql).bind(a, b)`)."""
    parent = call.parent
    if parent is not None and parent.type == "member_expression":
        outer = parent.parent
        prop = parent.child_by_field_name("property")
        if outer is not None and outer.type == "call_expression" and prop is not None and _text(prop) == "bind":
            args = outer.child_by_field_name("arguments")
            return [_text(a) for a in args.named_children] if args is not None else []
    return []


def _string_constants(root) -> dict[str, object]:
    """`const sql = "…"` (JS/TS) and `sql = "…"` (Python) in the file: name → string node. A name bound
    more than once is ambiguous and left out."""
    found: dict[str, object] = {}
    ambiguous: set[str] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        stack.extend(node.children)
        if node.type == "variable_declarator":
            name, value = node.child_by_field_name("name"), node.child_by_field_name("value")
        elif node.type == "assignment":
            name, value = node.child_by_field_name("left"), node.child_by_field_name("right")
        else:
            continue
        if name is None or value is None or name.type != "identifier" or _string_value(value) is None:
            continue
        key = _text(name)
        if key in found:
            ambiguous.add(key)
        found[key] = value
    return {k: v for k, v in found.items() if k not in ambiguous}


def harvest_tree(tree, relative: str) -> list[HarvestedQuery]:
    found: list[HarvestedQuery] = []
    constants = _string_constants(tree.root_node)
    stack = [tree.root_node]
    while stack:
        node = stack.pop()
        stack.extend(reversed(node.children))
        if node.type not in ("call_expression", "call"):
            continue
        name = _callee_name(node)
        args = node.child_by_field_name("arguments")
        candidate = None
        if args is not None and args.type == "template_string" and name in SQL_TAGS:
            candidate = args  # sql`…` tagged template
        elif name in SQL_CALLS and args is not None and args.named_children:
            candidate = args.named_children[0]
        if candidate is not None and candidate.type == "identifier" and _text(candidate) in constants:
            candidate = constants[_text(candidate)]  # const sql = "…"; db.prepare(sql)
        if candidate is None:
            continue
        value = _string_value(candidate)
        if value is None or not _SQL_START.match(value[0]):
            continue
        text, dynamic = value
        if name in SQL_TAGS and candidate.type == "template_string":
            dynamic = False  # sql`… ${x} …` binds ${x} as a parameter
            text = re.sub(r"\$\{[^}]*\}", "?", text)
        found.append(
            HarvestedQuery(
                relative,
                candidate.start_point[0] + 1,
                text.strip(),
                dynamic,
                _enclosing_function(node),
                _bind_args(node),
            )
        )
    return found


def harvest_sql_file(path: Path, relative: str) -> list[HarvestedQuery]:
    """Each statement of a `.sql` query file, with the line it starts on."""
    text = path.read_text(errors="replace")
    found, line, buffer, start = [], 1, [], 1
    for raw_line in text.splitlines():
        stripped = raw_line.strip()
        if not buffer and stripped and not stripped.startswith("--"):
            start = line
        if stripped and not stripped.startswith("--"):
            buffer.append(raw_line)
        if stripped.endswith(";"):
            statement = "\n".join(buffer).strip().rstrip(";")
            if _SQL_START.match(statement):
                found.append(HarvestedQuery(relative, start, statement, False, path.stem))
            buffer = []
        line += 1
    statement = "\n".join(buffer).strip()
    if statement and _SQL_START.match(statement):
        found.append(HarvestedQuery(relative, start, statement, False, path.stem))
    return found


def harvest(root: Path, migrations: set[Path]) -> Harvest:
    result = Harvest()
    files, result.skipped = source_files(root, migrations)
    for path, kind in files:
        relative = path.relative_to(root).as_posix()
        result.files_read += 1
        if kind == "sql":
            result.queries += harvest_sql_file(path, relative)
        else:
            result.queries += harvest_tree(parse_source(path, kind), relative)
    return result
