"""The one list of commands. Only commands that really work are here; each has docs and tests (a test
fails otherwise). The MCP server, the CLI and `docs/tools.md` are generated from it."""

from oc_scale_mcp.commands import (
    audit,
    benchmark,
    bottleneck,
    budget,
    cache,
    cdn,
    checkpoint,
    cost,
    loadtest,
    plan,
    queries,
    sync_pm,
)
from oc_scale_mcp.commands.spec import CommandSpec

COMMANDS: tuple[CommandSpec, ...] = (
    audit.SPEC,
    bottleneck.SPEC,
    checkpoint.SPEC,
    budget.SPEC,
    cache.SPEC,
    cdn.SPEC,
    loadtest.SPEC,
    benchmark.SPEC,
    queries.SPEC,
    plan.SPEC,
    cost.SPEC,
    sync_pm.SPEC,
)


def command_named(name: str) -> CommandSpec:
    """The spec for `name` (KeyError when there is none)."""
    for spec in COMMANDS:
        if spec.name == name:
            return spec
    raise KeyError(name)
