"""The registry is the single source: every command is documented, tested and cheap to import."""

import subprocess
import sys
from pathlib import Path

import oc_scale_mcp
from oc_scale_mcp.commands.registry import COMMANDS
from oc_scale_mcp.core.models import CommandParams, CommandResult
from oc_scale_mcp.tools_doc import render_tools_markdown

ROOT = Path(__file__).resolve().parents[1]


def test_the_public_surface_is_pinned():
    assert sorted(oc_scale_mcp.__all__) == ["OcScaleError", "__version__"]


def test_every_command_is_well_formed():
    names = [spec.name for spec in COMMANDS]
    assert len(names) == len(set(names))
    for spec in COMMANDS:
        assert issubclass(spec.params, CommandParams) and "project_dir" in spec.params.model_fields
        assert issubclass(spec.result, CommandResult) and "report" in spec.result.model_fields
        assert len(spec.description) > 120, f"{spec.name}: tell the agent when to use it and what it returns"
        for name, field in spec.params.model_fields.items():
            assert field.description, f"{spec.name}.{name} has no description"


def test_docs_tools_md_is_generated_from_the_registry_and_up_to_date():
    assert (ROOT / "docs" / "tools.md").read_text() == render_tools_markdown(), (
        "run: python -m oc_scale_mcp.tools_doc > docs/tools.md"
    )


def test_every_command_is_in_the_readme_and_has_a_test_module():
    readme = (ROOT / "README.md").read_text()
    for spec in COMMANDS:
        assert f"`{spec.name}`" in readme, f"README's tools table lacks {spec.name}"
        assert (ROOT / "tests" / "commands" / f"test_{spec.name}.py").exists(), f"no tests for {spec.name}"


def test_every_checkpoint_event_is_a_progress_row():
    from oc_scale_mcp.core.checkpoint.store import EVENTS, SUPPLEMENTARY_EVENTS

    events = {event for event, _ in EVENTS} | set(SUPPLEMENTARY_EVENTS)
    for spec in COMMANDS:
        assert spec.checkpoint_event is None or spec.checkpoint_event in events


HEAVY = (
    "scipy",
    "numpy",
    "sqlglot",
    "hdrh",
    "tree_sitter",
    "uvloop",
    "httptools",
    "brotli",
    "uvicorn",
    "yaml",
)


def _heavy_modules_after(statement: str) -> set[str]:
    code = f"import sys; {statement}; print(','.join(m for m in {HEAVY!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    return set(filter(None, out.strip().split(",")))


def test_importing_the_server_adds_no_heavy_library_to_what_the_sdk_loads():
    sdk = _heavy_modules_after("import mcp.server.mcpserver")
    ours = _heavy_modules_after("import oc_scale_mcp.server; oc_scale_mcp.server.build_server()")
    assert ours - sdk == set(), f"heavy modules imported at server start: {ours - sdk}"
