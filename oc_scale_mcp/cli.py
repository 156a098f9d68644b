"""The CLI face: `oc-scale <command> [options]`, one subcommand per registered command, plus `serve`.

Options are generated from each params model (`project_dir` → `--project-dir`). Scalars are passed
as text and validated by the same pydantic model the MCP tool uses; lists take repeated options or
a JSON array; objects take JSON. Exit codes: 0 done, 1 a budget/threshold/check failed, 2 bad input,
3 a bug in oc-scale (one line; `OC_SCALE_DEBUG=1` prints the traceback).
"""

import argparse
import json
import sys
import types
import typing
from typing import Any, Literal

from pydantic import ValidationError
from pydantic.fields import FieldInfo

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT, EXIT_BUG = 0, 1, 2, 3


def _strip_optional(annotation: Any) -> Any:
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(args) == 1:
            return args[0]
    return annotation


def _json_value(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise argparse.ArgumentTypeError(f"not valid JSON ({exc.msg}): {text[:60]}") from None


def _add_option(parser: argparse.ArgumentParser, name: str, field: FieldInfo) -> None:
    flag = "--" + name.replace("_", "-")
    annotation = _strip_optional(field.annotation)
    origin = typing.get_origin(annotation)
    help_text = (field.description or "").replace("%", "%%")
    if annotation is bool:
        parser.add_argument(flag, dest=name, action=argparse.BooleanOptionalAction, default=None, help=help_text)
    elif origin is Literal:
        parser.add_argument(
            flag,
            dest=name,
            choices=[str(c) for c in typing.get_args(annotation)],
            default=None,
            help=help_text,
        )
    elif origin is list:
        item = _strip_optional(typing.get_args(annotation)[0]) if typing.get_args(annotation) else str
        scalar = item in (str, int, float)
        parser.add_argument(
            flag,
            dest=name,
            action="append",
            default=None,
            type=None if scalar else _json_value,
            help=help_text + (" (repeat the option for several)" if scalar else " (JSON)"),
        )
    elif (
        origin is dict
        or annotation in (dict, Any)
        or (isinstance(annotation, type) and hasattr(annotation, "model_fields"))
    ):
        parser.add_argument(flag, dest=name, type=_json_value, default=None, help=help_text + " (JSON)")
    else:
        parser.add_argument(flag, dest=name, default=None, help=help_text)


def build_parser() -> argparse.ArgumentParser:
    from oc_scale_mcp import __version__
    from oc_scale_mcp.commands.registry import COMMANDS

    parser = argparse.ArgumentParser(
        prog="oc-scale",
        description="Can this web app handle more users? "
        "Measure it. Every command is also an MCP tool (`oc-scale serve`).",
    )
    parser.add_argument("--version", action="version", version=f"oc-scale {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="<command>", required=True)
    serve = sub.add_parser("serve", help="Run the MCP server (stdio by default).")
    serve.add_argument("--http", action="store_true", help="Serve streamable HTTP instead of stdio.")
    serve.add_argument("--host", default="127.0.0.1", help="HTTP bind address (non-loopback needs OC_SCALE_TOKEN).")
    serve.add_argument("--port", type=int, default=8000, help="HTTP port.")
    demo = sub.add_parser("demo-server", help="Serve the example app's API and assets on 127.0.0.1 to try tools on.")
    demo.add_argument("--project-dir", default=None, help="Example project (default: the bundled examples/crm-worker).")
    demo.add_argument("--host", default="127.0.0.1", help="Loopback address to bind.")
    demo.add_argument("--port", type=int, default=8787, help="Port.")
    for spec in COMMANDS:
        command = sub.add_parser(spec.name, help=spec.summary, description=spec.description)
        for name, field in spec.params.model_fields.items():
            _add_option(command, name, field)
        command.add_argument("--json", dest="_json", action="store_true", help="Print the result model as JSON.")
    return parser


def _flatten_lists(values: list[Any]) -> list[Any]:
    flat: list[Any] = []
    for value in values:
        if isinstance(value, str) and value.strip().startswith("["):
            flat.extend(_json_value(value))
        elif isinstance(value, list):
            flat.extend(value)
        else:
            flat.append(value)
    return flat


async def _stderr_progress(done: float, total: float | None, message: str | None) -> None:
    if sys.stderr.isatty():
        where = f"{done:g}/{total:g}" if total else f"{done:g}"
        print(f"\r[{where}] {message or ''}\033[K", end="", file=sys.stderr, flush=True)


def _run_command(args: argparse.Namespace) -> int:
    import anyio

    from oc_scale_mcp.commands.registry import command_named
    from oc_scale_mcp.core.errors import OcScaleError
    from oc_scale_mcp.server import validation_message

    spec = command_named(args.command)
    raw = {name: value for name, value in vars(args).items() if name in spec.params.model_fields and value is not None}
    for name, value in raw.items():
        if isinstance(value, list):
            raw[name] = _flatten_lists(value)
    try:
        params = spec.params(**raw)
        result = anyio.run(spec.run, params, _stderr_progress)
    except ValidationError as exc:
        print(f"oc-scale {spec.name}: {validation_message(exc)}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except OcScaleError as exc:
        print(f"oc-scale {spec.name}: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print(f"oc-scale {spec.name}: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:
        import os

        if os.environ.get("OC_SCALE_DEBUG"):
            raise
        print(
            f"oc-scale {spec.name}: internal error (a bug, please report it): {type(exc).__name__}: {exc}",
            file=sys.stderr,
        )
        return EXIT_BUG
    if sys.stderr.isatty():
        print("\r\033[K", end="", file=sys.stderr)
    if args._json:
        print(result.model_dump_json(indent=2))
    else:
        print(result.report, end="" if result.report.endswith("\n") else "\n")
    return EXIT_FAILED if result.passed is False else EXIT_OK


def _serve(args: argparse.Namespace) -> int:
    from oc_scale_mcp.core.errors import OcScaleError

    if args.http:
        from oc_scale_mcp.hosting import serve_http

        try:
            serve_http(args.host, args.port)
        except OcScaleError as exc:
            print(f"oc-scale serve: {exc}", file=sys.stderr)
            return EXIT_BAD_INPUT
        return EXIT_OK
    from oc_scale_mcp.server import build_server

    build_server().run()
    return EXIT_OK


def _demo_server(args: argparse.Namespace) -> int:
    from pathlib import Path

    from oc_scale_mcp.core.errors import OcScaleError
    from oc_scale_mcp.demo.server import serve

    project = args.project_dir or str(Path(__file__).resolve().parents[1] / "examples" / "crm-worker")
    try:
        serve(project, args.host, args.port)
    except OcScaleError as exc:
        print(f"oc-scale demo-server: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    return EXIT_OK


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `oc-scale` console script."""
    import logging

    logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s")
    args = build_parser().parse_args(argv)
    if args.command == "serve":
        return _serve(args)
    if args.command == "demo-server":
        return _demo_server(args)
    return _run_command(args)
