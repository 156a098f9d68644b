"""One exception root for every expected failure, each with a message that says what to do next.

    OcScaleError                 expected failure; the message is shown to the caller as is
    ├── InputError               a parameter or input file is malformed (bad URL, bad budget value)
    ├── ProjectError             project_dir missing, or a path escapes it
    └── CheckpointError          the checkpoint cannot be read, locked or written

The MCP face turns any `OcScaleError` into a `ToolError` and the CLI into one line on stderr with
exit code 2. Anything else is a bug and is reported as such, never as a traceback to the agent.
Third-party errors are translated where they happen, with `raise ... from exc`.
"""


class OcScaleError(Exception):
    """An expected failure whose message is fit to show the caller."""


class InputError(OcScaleError):
    """A parameter or an input file is malformed."""


class ProjectError(OcScaleError):
    """The project directory is missing, or a path given to a tool points outside it."""


class CheckpointError(OcScaleError):
    """The checkpoint cannot be read, locked or written."""
