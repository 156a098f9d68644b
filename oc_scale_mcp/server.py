"""The MCP face: one tool per registered command, generated from the registry.

Each tool takes the command's params as flat, described, bounded arguments (the input schema comes
from the params model) and returns the result model (so `outputSchema` and `structuredContent`).
Our expected errors become `ToolError` here, in one place; anything else is logged with its
traceback on stderr and reaches the agent as a one-line internal error.
"""

import inspect
import logging
from typing import Annotated, Any

from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import CallToolResult, TextContent, ToolAnnotations
from pydantic import ValidationError

from oc_scale_mcp import __version__
from oc_scale_mcp.commands.registry import COMMANDS
from oc_scale_mcp.commands.spec import CommandSpec
from oc_scale_mcp.core.errors import OcScaleError

log = logging.getLogger("oc_scale_mcp")

INSTRUCTIONS = (
    "oc-scale assesses whether a web app can handle more users and proves it with measurements. "
    "Start with `checkpoint` (action=status) to resume earlier work. Every tool takes `project_dir`, the "
    "app's repository, and only reads or writes inside it; results are recorded in "
    ".checkpoints/oc-scale-ops.checkpoint.json. Each result has structured fields and a markdown `report`."
)


def validation_message(exc: ValidationError) -> str:
    """One readable line from a pydantic error: which argument, what is wrong."""
    parts = []
    for error in exc.errors()[:3]:
        where = ".".join(str(p) for p in error.get("loc", ())) or "arguments"
        parts.append(f"{where}: {error.get('msg')}")
    return "invalid arguments — " + "; ".join(parts)


def _tool_function(spec: CommandSpec):
    """A coroutine with a signature built from the params model, which the SDK turns into the schema."""

    async def tool(ctx: Context, **arguments: Any) -> Any:
        try:
            params = spec.params(**arguments)
        except ValidationError as exc:
            raise ToolError(validation_message(exc)) from None

        async def progress(done: float, total: float | None, message: str | None) -> None:
            await ctx.report_progress(done, total, message)

        try:
            return await spec.run(params, progress)
        except OcScaleError as exc:
            raise ToolError(str(exc)) from None
        except ValidationError as exc:
            raise ToolError(validation_message(exc)) from None
        except Exception:
            log.exception("internal error in tool %s", spec.name)
            raise ToolError(f"internal error in {spec.name} (a bug: the server log has the details)") from None

    parameters = [inspect.Parameter("ctx", inspect.Parameter.KEYWORD_ONLY, annotation=Context)]
    annotations: dict[str, Any] = {"ctx": Context, "return": spec.result}
    for name, field in spec.params.model_fields.items():
        annotation = Annotated[field.annotation, field]
        # A default_factory stays in the FieldInfo; giving the parameter a default as well would clash.
        default = inspect.Parameter.empty if field.is_required() or field.default_factory is not None else field.default
        parameters.append(
            inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, annotation=annotation, default=default)
        )
        annotations[name] = annotation
    tool.__signature__ = inspect.Signature(parameters, return_annotation=spec.result)  # type: ignore[attr-defined]
    tool.__annotations__ = annotations
    tool.__name__ = spec.name
    tool.__doc__ = spec.description
    return tool


def _argument_guard(specs: tuple[CommandSpec, ...]):
    """Server middleware: validate `tools/call` arguments with the command's own params model first, so
    bad arguments get one readable line (the SDK's own message is pydantic's multi-line dump)."""
    by_name = {spec.name: spec for spec in specs}

    async def guard(ctx: Any, call_next: Any) -> Any:
        params = ctx.params or {}
        spec = by_name.get(params.get("name")) if ctx.method == "tools/call" else None
        if spec is not None:
            try:
                spec.params(**(params.get("arguments") or {}))
            except ValidationError as exc:
                text = f"{spec.name}: {validation_message(exc)}"
                return CallToolResult(content=[TextContent(type="text", text=text)], is_error=True)
        return await call_next(ctx)

    return guard


def build_server() -> MCPServer:
    """The oc-scale MCP server with every registered command as a tool."""
    server = MCPServer(
        "oc-scale", version=__version__, instructions=INSTRUCTIONS, middleware=[_argument_guard(COMMANDS)]
    )
    for spec in COMMANDS:
        server.add_tool(
            _tool_function(spec),
            name=spec.name,
            title=spec.title,
            description=spec.description,
            annotations=ToolAnnotations(
                title=spec.title,
                read_only_hint=spec.hints.read_only,
                destructive_hint=spec.hints.destructive,
                idempotent_hint=spec.hints.idempotent,
                open_world_hint=spec.hints.open_world,
            ),
        )
    return server
