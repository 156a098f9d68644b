"""Operation → the PM server's own tool names (the protocol's table), and each provider's arguments.

Names drift between server versions, so the client discovers tools with `tools/list` and takes the
first known name that exists; `tool_overrides` in pm.yaml wins; none found is a clear error.
"""

from oc_scale_mcp.core.errors import InputError

CANDIDATES: dict[str, dict[str, tuple[str, ...]]] = {
    "linear": {
        "list_comments": ("list_comments",),
        "add_comment": ("save_comment", "create_comment"),
        "create_issue": ("save_issue", "create_issue"),
        "find_issue": ("list_issues", "search_issues"),
    },
    "github-issues": {
        "list_comments": ("issue_read", "get_issue_comments"),
        "add_comment": ("add_issue_comment",),
        "create_issue": ("issue_write", "create_issue"),
        "link_sub_issue": ("sub_issue_write", "add_sub_issue"),
        "find_issue": ("search_issues", "list_issues"),
    },
    "jira": {
        "list_comments": ("getJiraIssue", "jira_get_issue"),
        "add_comment": ("addCommentToJiraIssue", "jira_add_comment"),
        "create_issue": ("createJiraIssue", "jira_create_issue"),
        "find_issue": ("searchJiraIssuesUsingJql", "jira_search"),
        "cloud_id": ("getAccessibleAtlassianResources",),
    },
}


def resolve(provider: str, operation: str, available: set[str], overrides: dict[str, str]) -> str | None:
    """The tool to call for `operation`, or None when the server has none (optional operations)."""
    if operation in overrides:
        name = overrides[operation]
        if name not in available:
            raise InputError(
                f"tool_overrides.{operation} = {name!r}, but the PM server has no such tool "
                f"(it has: {', '.join(sorted(available))})"
            )
        return name
    return next((name for name in CANDIDATES[provider].get(operation, ()) if name in available), None)


def require(provider: str, operation: str, available: set[str], overrides: dict[str, str]) -> str:
    name = resolve(provider, operation, available, overrides)
    if name is None:
        raise InputError(
            f"the {provider} PM server offers no tool for {operation} (looked for "
            f"{', '.join(CANDIDATES[provider].get(operation, ()))}; set tool_overrides.{operation})"
        )
    return name


def split_github_ticket(ticket: str, default_repo: str) -> tuple[str, str, int]:
    """`owner/repo#12`, `#12` or `12` → (owner, repo, number)."""
    repo, _, number = ticket.rpartition("#")
    repo = repo or default_repo
    owner, _, name = repo.partition("/")
    if not (owner and name and number.isdigit()):
        raise InputError(
            f"GitHub ticket {ticket!r} is not `owner/repo#number` (or `#number` with team_or_project set to owner/repo)"
        )
    return owner, name, int(number)


def jira_tool_is_rovo(name: str) -> bool:
    return not name.startswith("jira_")
