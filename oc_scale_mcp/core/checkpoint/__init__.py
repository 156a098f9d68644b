"""Checkpoint protocol 1.1: the store that writes ours, the validator, and cross-skill reads."""

from oc_scale_mcp.core.checkpoint.store import (
    CHECKPOINT_FILE_NAME,
    PROTOCOL_VERSION,
    SKILL,
    CheckpointStore,
    WriteOutcome,
)
from oc_scale_mcp.core.checkpoint.validate import ValidationReport, validate_checkpoint

__all__ = [
    "CHECKPOINT_FILE_NAME",
    "PROTOCOL_VERSION",
    "SKILL",
    "CheckpointStore",
    "ValidationReport",
    "WriteOutcome",
    "validate_checkpoint",
]
