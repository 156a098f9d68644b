"""`docs/tools.md`, generated from the registry so the tools table can never drift from the code.

Regenerate with `python -m oc_scale_mcp.tools_doc > docs/tools.md`; a test fails when it is stale.
"""

from oc_scale_mcp.commands.registry import COMMANDS


def _hint_words(spec) -> str:
    hints = spec.hints
    words = ["read-only" if hints.read_only else "writes the checkpoint"]
    if hints.destructive:
        words.append("destructive")
    if hints.idempotent:
        words.append("idempotent")
    if hints.open_world:
        words.append("open-world (network)")
    return ", ".join(words)


def render_tools_markdown() -> str:
    lines = [
        "# Tools",
        "",
        "Generated from the command registry (`python -m oc_scale_mcp.tools_doc`). Every tool is "
        "also a CLI subcommand: `oc-scale <tool> --help`.",
        "",
        "| Tool | What it does | Checkpoint event | Hints |",
        "|---|---|---|---|",
    ]
    for spec in COMMANDS:
        lines.append(f"| `{spec.name}` | {spec.summary} | {spec.checkpoint_event or '—'} | {_hint_words(spec)} |")
    for spec in COMMANDS:
        lines += [
            "",
            f"## `{spec.name}` — {spec.title}",
            "",
            spec.description,
            "",
            "| Parameter | Type | Default | Description |",
            "|---|---|---|---|",
        ]
        for name, field in spec.params.model_fields.items():
            annotation = field.annotation
            type_text = getattr(annotation, "__name__", None) or str(annotation).replace("typing.", "")
            default = (
                "required"
                if field.is_required()
                else ("[]" if field.default_factory is not None else repr(field.default))
            )
            description = (field.description or "").replace("|", "\\|").replace("\n", " ")
            lines.append(f"| `{name}` | `{type_text}` | `{default}` | {description} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(render_tools_markdown(), end="")
