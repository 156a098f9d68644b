"""Read-only views of the other opchain skills' checkpoints.

The protocol lets us read a sibling's header, progress, progress_table, context_primer and blockers
— never its `skill_state` — and never write to it.
"""

from dataclasses import dataclass
from typing import Any

from oc_scale_mcp.core.checkpoint.store import CHECKPOINT_FILE_NAME, load_json_object
from oc_scale_mcp.core.errors import CheckpointError
from oc_scale_mcp.core.project import Project

READABLE_FIELDS = (
    "protocol_version",
    "skill",
    "project",
    "project_dir",
    "created_at",
    "updated_at",
    "phase",
    "step",
    "status",
    "progress_summary",
    "next_actions",
    "progress_table",
    "context_primer",
    "blockers",
)
# The siblings oc-scale reads, and why (the skill's "Cross-Skill Reads").
SIBLINGS = {
    "oc-stack-forge": "stack architecture → infrastructure limits",
    "oc-code-auditor": "performance findings → pre-identified bottlenecks",
    "oc-deploy-ops": "current deployment config → infrastructure baseline",
    "oc-integrations-engineer": "API rate limits → external constraints",
}


@dataclass(frozen=True, slots=True)
class SiblingCheckpoint:
    skill: str
    file_name: str
    view: dict[str, Any] | None
    error: str | None = None


def read_sibling_checkpoints(project: Project) -> list[SiblingCheckpoint]:
    """Every other skill's checkpoint in `.checkpoints/`, reduced to the fields we may read."""
    found: list[SiblingCheckpoint] = []
    directory = project.checkpoint_dir
    if not directory.is_dir():
        return found
    for path in sorted(directory.glob("*.checkpoint.json")):
        if path.name == CHECKPOINT_FILE_NAME:
            continue
        skill = path.name.removesuffix(".checkpoint.json")
        try:
            doc = load_json_object(path)
        except CheckpointError as exc:
            found.append(SiblingCheckpoint(skill, path.name, None, str(exc)))
            continue
        found.append(SiblingCheckpoint(skill, path.name, {k: doc[k] for k in READABLE_FIELDS if k in doc}))
    return found
