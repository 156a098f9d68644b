"""The two PM writes oc-scale makes — a comment on a ticket, and a sub-ticket — per provider, each
preceded by its idempotency check (the marker is looked for before anything is written)."""

from typing import Any

from oc_scale_mcp.pm.client import PmSession, with_retries
from oc_scale_mcp.pm.config import PmConfig
from oc_scale_mcp.pm.tools import jira_tool_is_rovo, require, resolve, split_github_ticket


def _contains(data: Any, marker: str) -> bool:
    import json

    return marker in (data if isinstance(data, str) else json.dumps(data, default=str))


def _created_id(data: Any) -> tuple[str, Any]:
    """(id to record, GitHub's numeric id for sub-issue links) from a create response."""
    if isinstance(data, dict):
        node = data.get("issue") if isinstance(data.get("issue"), dict) else data
        for key in ("identifier", "key", "number", "id"):
            if node.get(key) is not None:
                return str(node[key]), node.get("id")
    return str(data)[:80], None


class ProviderActions:
    def __init__(self, session: PmSession, config: PmConfig) -> None:
        self.session, self.config = session, config
        self.provider = config.provider
        self._cloud_id: str | None = None

    def tool(self, operation: str) -> str:
        return require(self.provider, operation, self.session.tools, self.config.tool_overrides)

    async def _call(self, tool: str, args: dict[str, Any]) -> Any:
        return await with_retries(lambda timeout: self.session.call(tool, args, timeout))

    async def _jira_cloud(self) -> dict[str, Any]:
        tool = self.tool("add_comment")
        if not jira_tool_is_rovo(tool):
            return {}
        if self._cloud_id is None:
            name = resolve(self.provider, "cloud_id", self.session.tools, self.config.tool_overrides)
            data = await self._call(name, {}) if name else []
            first = data[0] if isinstance(data, list) and data else data if isinstance(data, dict) else {}
            self._cloud_id = str(first.get("id", "")) if isinstance(first, dict) else ""
        return {"cloudId": self._cloud_id}

    # -- comments --------------------------------------------------------------------------------
    async def comment_exists(self, ticket: str, marker: str) -> bool:
        tool = self.tool("list_comments")
        if self.provider == "linear":
            data = await self._call(tool, {"issueId": ticket})
        elif self.provider == "github-issues":
            owner, repo, number = split_github_ticket(ticket, self.config.team_or_project)
            data = await self._call(
                tool, {"method": "get_comments", "owner": owner, "repo": repo, "issue_number": number}
            )
        elif jira_tool_is_rovo(tool):
            data = await self._call(tool, {**await self._jira_cloud(), "issueIdOrKey": ticket})
        else:
            data = await self._call(tool, {"issue_key": ticket})
        return _contains(data, marker)

    async def add_comment(self, ticket: str, body: str) -> str:
        tool = self.tool("add_comment")
        if self.provider == "linear":
            data = await self._call(tool, {"issueId": ticket, "body": body})
        elif self.provider == "github-issues":
            owner, repo, number = split_github_ticket(ticket, self.config.team_or_project)
            data = await self._call(tool, {"owner": owner, "repo": repo, "issue_number": number, "body": body})
        elif jira_tool_is_rovo(tool):
            data = await self._call(tool, {**await self._jira_cloud(), "issueIdOrKey": ticket, "commentBody": body})
        else:
            data = await self._call(tool, {"issue_key": ticket, "body": body})
        return _created_id(data)[0]

    # -- sub-tickets -----------------------------------------------------------------------------
    async def find_issue(self, marker: str) -> str | None:
        tool = resolve(self.provider, "find_issue", self.session.tools, self.config.tool_overrides)
        if tool is None:
            return None
        if self.provider == "linear":
            data = await self._call(tool, {"team": self.config.team_or_project, "query": marker})
        elif self.provider == "github-issues":
            owner, _, repo = self.config.team_or_project.partition("/")
            args = (
                {"query": f'"{marker}" repo:{self.config.team_or_project}'}
                if tool == "search_issues"
                else {"owner": owner, "repo": repo}
            )
            data = await self._call(tool, args)
        elif jira_tool_is_rovo(tool):
            data = await self._call(tool, {**await self._jira_cloud(), "jql": f'text ~ "{marker}"'})
        else:
            data = await self._call(tool, {"jql": f'text ~ "{marker}"'})
        items = data.get("issues") or data.get("items") or data.get("nodes") if isinstance(data, dict) else data
        for item in items if isinstance(items, list) else []:
            if _contains(item, marker):
                return _created_id(item)[0]
        return None

    async def create_sub_ticket(
        self, parent: str, title: str, body: str, labels: list[str], issue_type: str, assignee: str | None
    ) -> str:
        tool = self.tool("create_issue")
        config = self.config
        if self.provider == "linear":
            args = {
                "team": config.team_or_project,
                "title": title,
                "description": body,
                "parentId": parent,
                "labels": labels,
            }
            if assignee:
                args["assignee"] = assignee
            return _created_id(await self._call(tool, args))[0]
        if self.provider == "github-issues":
            owner, repo, number = split_github_ticket(parent, config.team_or_project)
            args = {"method": "create", "owner": owner, "repo": repo, "title": title, "body": body, "labels": labels}
            if assignee:
                args["assignees"] = [assignee]
            created, numeric_id = _created_id(await self._call(tool, args))
            link = self.tool("link_sub_issue")
            await self._call(
                link,
                {
                    "method": "add",
                    "owner": owner,
                    "repo": repo,
                    "issue_number": number,
                    "sub_issue_id": numeric_id if numeric_id is not None else created,
                },
            )
            return f"{owner}/{repo}#{created}"
        if jira_tool_is_rovo(tool):
            args = {
                **await self._jira_cloud(),
                "projectKey": config.team_or_project,
                "issueTypeName": issue_type,
                "summary": title,
                "description": body,
                "parent": parent,
            }
            if assignee:
                args["assignee_account_id"] = assignee
            return _created_id(await self._call(tool, args))[0]
        args = {
            "project_key": config.team_or_project,
            "summary": title,
            "issue_type": issue_type,
            "description": body,
            "additional_fields": {"parent": parent},
        }
        if assignee:
            args["assignee"] = assignee
        return _created_id(await self._call(tool, args))[0]
