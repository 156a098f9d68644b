"""The shared vocabulary: what every command takes and returns, and the `Finding` every analyzer yields."""

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class Severity(StrEnum):
    LOW = "LOW"
    MEDIUM = "MEDIUM"
    HIGH = "HIGH"
    CRITICAL = "CRITICAL"


class Layer(StrEnum):
    """The layers of the skill's "What Gets Checked" table."""

    DATABASE = "database"
    API = "api"
    FRONTEND = "frontend"
    INFRASTRUCTURE = "infrastructure"
    ARCHITECTURE = "architecture"


class Finding(BaseModel):
    """One observed problem, with the evidence that proves it and the fix."""

    id: str = Field(description="Stable kind id, e.g. `sql.select-star`.")
    layer: Layer
    severity: Severity
    title: str
    evidence: str = Field(description="file:line, URL or measured number that shows the problem.")
    impact: str = ""
    fix: str = ""
    effort: str = Field("", description="Rough effort: minutes, hours, days.")


class CommandParams(BaseModel):
    """Parameters every command takes."""

    model_config = ConfigDict(extra="forbid")

    project_dir: str = Field(
        ".",
        description="Path of the app's repository. Must exist; tools never read or write outside it.",
    )


class PmOutcome(BaseModel):
    """What the PM integration did for this call (comment and sub-tickets on the linked ticket)."""

    status: str = Field(
        description="posted, deferred, partly deferred, nothing new, no linked ticket, not configured, "
        "or held back (partial load test)."
    )
    message: str
    posted: list[str] = Field(default_factory=list, description="Ids of comments and tickets written.")
    skipped_existing: int = Field(0, description="Writes skipped because their marker was already there.")
    deferred: int = Field(0, description="Writes queued in pm_deferred_actions for `sync_pm`.")


class CommandResult(BaseModel):
    """What every command returns: data first, plus the markdown report in the skill's template."""

    report: str = Field(description="The human-readable markdown report.")
    passed: bool | None = Field(
        None,
        description="False when a budget, threshold or validation failed (the CLI then exits 1); "
        "None when nothing was judged.",
    )
    pm: PmOutcome | None = Field(None, description="PM writes made or deferred by this call, if any.")
