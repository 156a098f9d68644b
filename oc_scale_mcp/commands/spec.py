"""How a command is declared: once, and both the MCP tool and the CLI subcommand are generated from it."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol

from oc_scale_mcp.core.models import CommandParams, CommandResult


class Progress(Protocol):
    """Where a long command reports how far it is (MCP progress notifications, or the CLI's stderr)."""

    async def __call__(self, done: float, total: float | None, message: str | None) -> None: ...


async def no_progress(done: float, total: float | None, message: str | None) -> None:
    """The progress sink for callers that do not want progress."""


@dataclass(frozen=True, slots=True)
class Hints:
    """The MCP tool annotations, kept free of MCP types so commands never import the SDK."""

    read_only: bool
    destructive: bool
    idempotent: bool
    open_world: bool


@dataclass(frozen=True, slots=True)
class CommandSpec:
    """Everything about one command, declared once."""

    name: str
    title: str
    summary: str  # one line, for the CLI help and the docs' tools table
    description: str  # for an agent: when to use it, what it needs, what it returns
    params: type[CommandParams]
    result: type[CommandResult]
    run: Callable[[Any, Progress], Awaitable[CommandResult]]
    hints: Hints
    checkpoint_event: str | None  # the skill_state key it records, or None
