"""What the app's code says about scaling, read from syntax trees (tree-sitter): the route inventory
(Hono/Express `app.get("/x", …)` with `app.route()` prefixes, FastAPI decorators), mutable module-level
state, KV keys written per request, Cache-Control headers, rate limiting, and slow side work."""

import re
from dataclasses import dataclass, field
from pathlib import Path

from oc_scale_mcp.analysis.sql.harvest import parse_source, source_files

HTTP_METHODS = {"get", "post", "put", "patch", "delete", "all", "options", "head"}
MUTATORS = {"set", "push", "add", "delete", "clear", "unshift", "splice"}


@dataclass(slots=True)
class Route:
    method: str
    path: str
    file: str
    line: int
    local_path: str = ""  # as written in its router file (before an app.route() prefix)


@dataclass(slots=True)
class CodeScan:
    routes: list[Route] = field(default_factory=list)
    module_state: list[tuple[str, int, str]] = field(default_factory=list)  # file, line, name
    kv_hot_keys: list[tuple[str, int, str]] = field(default_factory=list)  # file, line, key
    kv_reads: int = 0
    kv_read_files: set[str] = field(default_factory=set)
    cache_control_set: bool = False
    rate_limiting: list[str] = field(default_factory=list)
    blocking_side_work: list[tuple[str, int, str]] = field(default_factory=list)
    files: int = 0


def _text(node) -> str:
    return node.text.decode("utf-8", errors="replace")


def _string(node) -> str | None:
    if node is not None and node.type in ("string", "template_string"):
        if node.type == "template_string" and any(c.type == "template_substitution" for c in node.children):
            return None
        return _text(node)[1:-1]
    return None


def _walk(node):
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(current.children)


def _inside_function(node) -> bool:
    current = node.parent
    while current is not None:
        if current.type in (
            "arrow_function",
            "function_declaration",
            "function_expression",
            "method_definition",
            "function_definition",
        ):
            return True
        current = current.parent
    return False


def _scan_js(
    tree,
    relative: str,
    kv_bindings: set[str],
    scan: CodeScan,
    prefixes: dict[str, str],
    mounted: list[tuple[str, str]],
    local_routes: list[tuple[str, str, str, int]],
) -> None:
    root = tree.root_node
    top_level_names = {}
    for child in root.children:
        declaration = child.child_by_field_name("declaration") if child.type == "export_statement" else child
        if declaration is None or (
            declaration.type != "lexical_declaration" and declaration.type != "variable_declaration"
        ):
            continue
        keyword = _text(declaration).split()[0]
        for declarator in (c for c in declaration.named_children if c.type == "variable_declarator"):
            name, value = declarator.child_by_field_name("name"), declarator.child_by_field_name("value")
            if name is None:
                continue
            kind = value.type if value is not None else ""
            constructor = re.match(r"new\s+(\w+)", _text(value)) if kind == "new_expression" else None
            mutable_value = kind in ("object", "array") or (
                constructor is not None and constructor.group(1) in ("Map", "Set", "WeakMap", "Array")
            )
            if keyword == "let" or mutable_value:
                top_level_names[_text(name)] = declarator.start_point[0] + 1
    mutated = set()
    for node in _walk(root):
        if node.type == "call_expression":
            function = node.child_by_field_name("function")
            args = node.child_by_field_name("arguments")
            if function is not None and function.type == "member_expression":
                obj, prop = function.child_by_field_name("object"), function.child_by_field_name("property")
                obj_text, prop_text = (_text(obj) if obj is not None else ""), (_text(prop) if prop is not None else "")
                first = args.named_children[0] if args is not None and args.named_children else None
                if prop_text in MUTATORS and obj_text in top_level_names and _inside_function(node):
                    mutated.add(obj_text)
                if prop_text in HTTP_METHODS and _string(first) is not None and _string(first).startswith("/"):
                    local_routes.append((obj_text, prop_text.upper(), _string(first), node.start_point[0] + 1))
                if (
                    prop_text == "route"
                    and _string(first) is not None
                    and args is not None
                    and len(args.named_children) > 1
                ):
                    mounted.append((_text(args.named_children[1]), _string(first)))
                receiver = obj_text.split(".")[-1]
                if (
                    receiver in kv_bindings
                    and prop_text == "put"
                    and _string(first) is not None
                    and _inside_function(node)
                ):
                    scan.kv_hot_keys.append((relative, node.start_point[0] + 1, _string(first)))
                if receiver in kv_bindings and prop_text == "get":
                    scan.kv_reads += 1
                    scan.kv_read_files.add(relative)
                if (
                    prop_text in ("header", "set", "append")
                    and first is not None
                    and (_string(first) or "").lower() == "cache-control"
                ):
                    scan.cache_control_set = True
            if (
                function is not None
                and _text(function) == "fetch"
                and node.parent is not None
                and node.parent.type == "await_expression"
            ):
                first = args.named_children[0] if args is not None and args.named_children else None
                target = _string(first) or ""
                if target.startswith("http"):
                    scan.blocking_side_work.append((relative, node.start_point[0] + 1, target))
        elif (
            node.type in ("string", "template_string")
            and "cache-control" in _text(node).lower()
            and node.parent is not None
            and node.parent.type == "pair"
        ):
            scan.cache_control_set = True
        elif node.type == "identifier" and any(
            k in _text(node).lower() for k in ("ratelimit", "rate_limit", "ratelimiter")
        ):
            scan.rate_limiting.append(f"{relative}:{node.start_point[0] + 1}")
    for name, line in top_level_names.items():
        if name in mutated:
            scan.module_state.append((relative, line, name))


def _scan_python(tree, relative: str, scan: CodeScan) -> None:
    for node in _walk(tree.root_node):
        if node.type == "decorator":
            call = next((c for c in node.named_children if c.type == "call"), None)
            if call is None:
                continue
            function = call.child_by_field_name("function")
            args = call.child_by_field_name("arguments")
            method = _text(function).split(".")[-1] if function is not None else ""
            first = args.named_children[0] if args is not None and args.named_children else None
            path = _text(first).strip("\"'") if first is not None and first.type == "string" else None
            if method in HTTP_METHODS and path and path.startswith("/"):
                scan.routes.append(Route(method.upper(), path, relative, node.start_point[0] + 1))


def scan_code(root: Path, kv_bindings: set[str], skip: set[Path]) -> CodeScan:
    scan = CodeScan()
    files, _ = source_files(root, skip)
    mounted: list[tuple[str, str]] = []
    per_file: list[tuple[str, list]] = []
    for path, language in files:
        if language == "sql":
            continue
        relative = path.relative_to(root).as_posix()
        scan.files += 1
        tree = parse_source(path, language)
        if language == "python":
            _scan_python(tree, relative, scan)
        else:
            local: list[tuple[str, str, str, int]] = []
            _scan_js(tree, relative, kv_bindings, scan, {}, mounted, local)
            per_file.append((relative, local))
    prefixes = dict(mounted)  # router variable -> mount path (one level of app.route nesting)
    for relative, local in per_file:
        for router, method, path, line in local:
            prefix = prefixes.get(router, "")
            full = (prefix.rstrip("/") + path) if prefix and path != "/" else (prefix or path)
            scan.routes.append(Route(method, full, relative, line, path))
    return scan
