"""The project a command works on: an existing directory, and a fence around it.

Tools never read or write outside `project_dir`: every path a caller gives is resolved inside it
(symlinks included) and refused when it escapes.
"""

from dataclasses import dataclass
from pathlib import Path

from oc_scale_mcp.core.errors import ProjectError

CHECKPOINT_DIR_NAME = ".checkpoints"


@dataclass(frozen=True, slots=True)
class Project:
    """An existing project directory, resolved to an absolute path."""

    root: Path

    @classmethod
    def open(cls, project_dir: str | Path) -> "Project":
        """Open `project_dir` (relative to the current directory); it must exist and be a directory."""
        path = Path(project_dir).expanduser()
        try:
            root = path.resolve(strict=True)
        except (FileNotFoundError, RuntimeError, OSError):
            raise ProjectError(
                f"project_dir {str(project_dir)!r} does not exist: pass the path of the app's repository"
            ) from None
        if not root.is_dir():
            raise ProjectError(f"project_dir {str(project_dir)!r} is a file, not a directory")
        return cls(root)

    @property
    def name(self) -> str:
        """Human-readable project name: the directory name."""
        return self.root.name or str(self.root)

    @property
    def checkpoint_dir(self) -> Path:
        return self.root / CHECKPOINT_DIR_NAME

    def resolve(self, relative: str | Path, *, must_exist: bool = True, what: str = "path") -> Path:
        """Resolve a caller-given path inside the project, refusing anything that escapes it."""
        candidate = Path(relative).expanduser()
        if not candidate.is_absolute():
            candidate = self.root / candidate
        resolved = candidate.resolve(strict=False)
        if resolved != self.root and self.root not in resolved.parents:
            raise ProjectError(
                f"{what} {str(relative)!r} is outside project_dir {str(self.root)!r}: "
                "tools only read files inside the project"
            )
        if must_exist and not resolved.exists():
            raise ProjectError(f"{what} {str(relative)!r} does not exist inside {str(self.root)!r}")
        return resolved
