"""`.opchain/pm.yaml`: which PM provider, how to reach its MCP server, and the team's conventions.

`${VAR}` in `mcp.command`, `mcp.url` and `mcp.headers` is read from the environment when connecting
and never stored: the config model keeps the template, `expanded()` gives the live values.
"""

import os
import re
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from oc_scale_mcp.core.errors import InputError

CONFIG_PATH = Path(".opchain") / "pm.yaml"
_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


class McpEndpoint(BaseModel):
    model_config = ConfigDict(extra="forbid")

    command: list[str] | None = None
    url: str | None = None
    headers: dict[str, str] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _one_way(self) -> "McpEndpoint":
        if bool(self.command) == bool(self.url):
            raise ValueError("mcp needs exactly one of `command` (stdio) or `url` (streamable HTTP)")
        return self


class PmConfig(BaseModel):
    model_config = ConfigDict(extra="allow")

    provider: Literal["linear", "jira", "github-issues"]
    team_or_project: str
    issue_types: dict[str, str] = Field(default_factory=lambda: {"bug": "Bug", "chore": "Chore"})
    states: dict[str, str] = Field(default_factory=dict)
    labels_default: list[str] = Field(default_factory=list)
    remediation_owners: dict[str, str] = Field(default_factory=dict)
    tool_overrides: dict[str, str] = Field(default_factory=dict)
    mcp: McpEndpoint


def _expand(text: str) -> str:
    def value(match: re.Match) -> str:
        name = match.group(1)
        if name not in os.environ:
            raise InputError(f".opchain/pm.yaml uses ${{{name}}} but {name} is not set in the environment")
        return os.environ[name]

    return _VAR.sub(value, text)


def expanded(endpoint: McpEndpoint) -> McpEndpoint:
    """The endpoint with `${VAR}` filled in from the environment (for connecting only, never stored)."""
    return McpEndpoint(
        command=[_expand(part) for part in endpoint.command] if endpoint.command else None,
        url=_expand(endpoint.url) if endpoint.url else None,
        headers={k: _expand(v) for k, v in endpoint.headers.items()},
    )


def load_config(project_root: Path) -> PmConfig | None:
    """The project's PM config, None when there is none; a clear error when it is malformed."""
    path = project_root / CONFIG_PATH
    if not path.is_file():
        return None
    import yaml

    try:
        data = yaml.safe_load(path.read_text())
    except yaml.YAMLError as exc:
        raise InputError(f".opchain/pm.yaml is not valid YAML: {str(exc).splitlines()[0]}") from None
    if not isinstance(data, dict):
        raise InputError(".opchain/pm.yaml must be a mapping (provider, team_or_project, mcp, …)")
    try:
        return PmConfig.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "pm.yaml"
        hint = " (use linear, jira or github-issues)" if where == "provider" else ""
        raise InputError(f".opchain/pm.yaml: {where}: {first['msg']}{hint}") from None
