"""Read a Workers project's wrangler config (`wrangler.toml`, `wrangler.jsonc` or `wrangler.json`): the
bindings that bring platform limits (D1, KV, R2, Durable Objects, Queues), assets, limits, dates."""

import json
import re
import tomllib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from oc_scale_mcp.core.errors import InputError

CONFIG_NAMES = ("wrangler.toml", "wrangler.jsonc", "wrangler.json")


@dataclass(slots=True)
class WranglerConfig:
    path: str
    name: str
    compatibility_date: date | None
    d1: list[str] = field(default_factory=list)
    kv: list[str] = field(default_factory=list)
    r2: list[str] = field(default_factory=list)
    durable_objects: list[str] = field(default_factory=list)
    queues: list[str] = field(default_factory=list)
    assets: bool = False
    cpu_ms_limit: int | None = None
    rate_limit_bindings: list[str] = field(default_factory=list)
    hyperdrive: list[str] = field(default_factory=list)

    @property
    def services(self) -> list[str]:
        parts = ["Workers"] + (["static assets"] if self.assets else [])
        for label, items in (
            ("D1", self.d1),
            ("KV", self.kv),
            ("R2", self.r2),
            ("Durable Objects", self.durable_objects),
            ("Queues", self.queues),
        ):
            if items:
                parts.append(f"{label} ×{len(items)}")
        return parts


def _strip_jsonc(text: str) -> str:
    text = re.sub(r'("(?:\\.|[^"\\])*")|//[^\n]*|/\*.*?\*/', lambda m: m.group(1) or "", text, flags=re.S)
    return re.sub(r",(\s*[}\]])", r"\1", text)


def read_wrangler(root: Path) -> WranglerConfig | None:
    """The project's wrangler config, or None when there is none; a malformed one is a clear error."""
    for name in CONFIG_NAMES:
        path = root / name
        if not path.is_file():
            continue
        try:
            data = (
                tomllib.loads(path.read_text())
                if name.endswith(".toml")
                else json.loads(_strip_jsonc(path.read_text()))
            )
        except (tomllib.TOMLDecodeError, json.JSONDecodeError) as exc:
            raise InputError(f"{name} is malformed: {exc}") from None
        return _config(name, data)
    return None


def _names(items, *keys: str) -> list[str]:
    found = []
    for item in items or []:
        if isinstance(item, dict):
            found.append(next((str(item[k]) for k in keys if item.get(k)), "?"))
    return found


def _config(path: str, data: dict) -> WranglerConfig:
    compat = data.get("compatibility_date")
    try:
        parsed = date.fromisoformat(str(compat)) if compat else None
    except ValueError:
        parsed = None
    queues = data.get("queues") or {}
    unsafe = (data.get("unsafe") or {}).get("bindings") or []
    limits = data.get("limits") or {}
    return WranglerConfig(
        path=path,
        name=str(data.get("name", "")),
        compatibility_date=parsed,
        d1=_names(data.get("d1_databases"), "binding", "database_name"),
        kv=_names(data.get("kv_namespaces"), "binding"),
        r2=_names(data.get("r2_buckets"), "binding"),
        durable_objects=_names((data.get("durable_objects") or {}).get("bindings"), "name", "class_name"),
        queues=_names(queues.get("producers"), "binding", "queue") + _names(queues.get("consumers"), "queue"),
        assets=bool(data.get("assets") or data.get("site")),
        cpu_ms_limit=limits.get("cpu_ms"),
        hyperdrive=_names(data.get("hyperdrive"), "binding"),
        rate_limit_bindings=_names(data.get("ratelimits"), "name", "binding")
        + [b.get("name", "?") for b in unsafe if isinstance(b, dict) and b.get("type") == "ratelimit"],
    )
