"""Shared fixtures: the bundled example project copied to a temp dir, and the anyio backend."""

import shutil
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = REPO_ROOT / "examples" / "crm-worker"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def example_project(tmp_path: Path) -> Path:
    """A private copy of examples/crm-worker, so tests can write checkpoints into it."""
    target = tmp_path / "crm-worker"
    shutil.copytree(EXAMPLE, target, ignore=shutil.ignore_patterns(".checkpoints", "node_modules"))
    return target


@pytest.fixture
def empty_project(tmp_path: Path) -> Path:
    target = tmp_path / "empty-app"
    target.mkdir()
    return target
