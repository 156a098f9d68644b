"""A PM MCP server for the tests, shaped like Linear, GitHub Issues or Jira (Atlassian Rovo), built with
the `mcp` SDK and run as a real stdio subprocess or over streamable HTTP on 127.0.0.1.

    python tests/pm/fake_pm_server.py --provider linear --state DIR [--http PORT]

DIR holds `state.json` (issues and comments, kept across runs), `calls.jsonl` (every tool call, in
order) and an optional `control.json` read on every call to inject failures:
`{"fail": "503" | "429" | "401" | "hang", "times": N}` (N failing calls, then success; -1: always).
Over stdio a failure is a tool error carrying the status; over HTTP it is the real HTTP status.
"""

import argparse
import json
import sys
from pathlib import Path

import anyio
from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError

STATE: Path


def _load() -> dict:
    path = STATE / "state.json"
    return json.loads(path.read_text()) if path.exists() else {"issues": {}, "comments": {}, "next": 1}


def _save(data: dict) -> None:
    (STATE / "state.json").write_text(json.dumps(data))


def _control_failure() -> str | None:
    path = STATE / "control.json"
    if not path.exists():
        return None
    control = json.loads(path.read_text())
    times = control.get("times", -1)
    if not control.get("fail") or times == 0:
        return None
    if times > 0:
        control["times"] = times - 1
        path.write_text(json.dumps(control))
    return str(control["fail"])


async def _before(tool: str, args: dict, http: bool) -> None:
    with open(STATE / "calls.jsonl", "a") as log:
        log.write(json.dumps({"tool": tool, "args": args}) + "\n")
    if http:
        return  # HTTP mode fails in the ASGI middleware with real statuses
    failure = _control_failure()
    if failure == "hang":
        await anyio.sleep(3600)
    if failure == "429":
        raise ToolError("429 Too Many Requests (Retry-After: 1)")
    if failure:
        raise ToolError({"503": "503 Service Unavailable", "401": "401 Unauthorized: bad token"}.get(failure, failure))


def _new_issue(data: dict, title: str, body: str, parent: str | None, extra: dict) -> dict:
    number = data["next"]
    data["next"] += 1
    issue = {
        "id": 1000 + number,
        "number": number,
        "identifier": f"ENG-{number}",
        "key": f"PROJ-{number}",
        "title": title,
        "body": body,
        "parent": parent,
        **extra,
    }
    data["issues"][str(number)] = issue
    return issue


def build(provider: str, http: bool) -> MCPServer:
    server = MCPServer(f"fake-{provider}-pm")

    def comments_of(ticket: str) -> list[dict]:
        return _load()["comments"].get(ticket, [])

    async def add_comment(ticket: str, body: str) -> dict:
        data = _load()
        comment = {"id": f"c{sum(len(v) for v in data['comments'].values()) + 1}", "body": body}
        data["comments"].setdefault(ticket, []).append(comment)
        _save(data)
        return comment

    def search(marker: str) -> list[dict]:
        return [issue for issue in _load()["issues"].values() if marker in issue["body"]]

    if provider == "linear":

        @server.tool()
        async def list_comments(issueId: str) -> list[dict]:
            await _before("list_comments", {"issueId": issueId}, http)
            return comments_of(issueId)

        @server.tool()
        async def save_comment(issueId: str, body: str) -> dict:
            await _before("save_comment", {"issueId": issueId, "body": body}, http)
            return await add_comment(issueId, body)

        @server.tool()
        async def save_issue(
            team: str,
            title: str,
            description: str,
            parentId: str,
            labels: list[str] | None = None,
            assignee: str | None = None,
        ) -> dict:
            await _before(
                "save_issue",
                {
                    "team": team,
                    "title": title,
                    "description": description,
                    "parentId": parentId,
                    "labels": labels,
                    "assignee": assignee,
                },
                http,
            )
            data = _load()
            issue = _new_issue(data, title, description, parentId, {"labels": labels, "assignee": assignee})
            _save(data)
            return {"id": issue["identifier"], "identifier": issue["identifier"]}

        @server.tool()
        async def list_issues(team: str, query: str) -> list[dict]:
            await _before("list_issues", {"team": team, "query": query}, http)
            return [{"identifier": i["identifier"], "description": i["body"]} for i in search(query)]

    elif provider == "github-issues":

        @server.tool()
        async def issue_read(method: str, owner: str, repo: str, issue_number: int) -> list[dict]:
            await _before(
                "issue_read", {"method": method, "owner": owner, "repo": repo, "issue_number": issue_number}, http
            )
            return comments_of(f"{owner}/{repo}#{issue_number}")

        @server.tool()
        async def add_issue_comment(owner: str, repo: str, issue_number: int, body: str) -> dict:
            await _before(
                "add_issue_comment", {"owner": owner, "repo": repo, "issue_number": issue_number, "body": body}, http
            )
            return await add_comment(f"{owner}/{repo}#{issue_number}", body)

        @server.tool()
        async def issue_write(
            method: str,
            owner: str,
            repo: str,
            title: str,
            body: str,
            labels: list[str] | None = None,
            assignees: list[str] | None = None,
        ) -> dict:
            await _before(
                "issue_write",
                {
                    "method": method,
                    "owner": owner,
                    "repo": repo,
                    "title": title,
                    "body": body,
                    "labels": labels,
                    "assignees": assignees,
                },
                http,
            )
            data = _load()
            issue = _new_issue(data, title, body, None, {"labels": labels, "assignees": assignees})
            _save(data)
            return {"id": issue["id"], "number": issue["number"]}

        @server.tool()
        async def sub_issue_write(method: str, owner: str, repo: str, issue_number: int, sub_issue_id: int) -> dict:
            await _before(
                "sub_issue_write",
                {
                    "method": method,
                    "owner": owner,
                    "repo": repo,
                    "issue_number": issue_number,
                    "sub_issue_id": sub_issue_id,
                },
                http,
            )
            return {"ok": True}

        @server.tool()
        async def list_issues(owner: str, repo: str) -> list[dict]:
            await _before("list_issues", {"owner": owner, "repo": repo}, http)
            return [{"number": i["number"], "id": i["id"], "body": i["body"]} for i in _load()["issues"].values()]

    else:  # jira, Atlassian Rovo names

        @server.tool()
        async def getAccessibleAtlassianResources() -> list[dict]:
            await _before("getAccessibleAtlassianResources", {}, http)
            return [{"id": "cloud-123", "name": "acme"}]

        @server.tool()
        async def getJiraIssue(cloudId: str, issueIdOrKey: str) -> dict:
            await _before("getJiraIssue", {"cloudId": cloudId, "issueIdOrKey": issueIdOrKey}, http)
            return {"key": issueIdOrKey, "fields": {"comment": {"comments": comments_of(issueIdOrKey)}}}

        @server.tool()
        async def addCommentToJiraIssue(cloudId: str, issueIdOrKey: str, commentBody: str) -> dict:
            await _before(
                "addCommentToJiraIssue",
                {"cloudId": cloudId, "issueIdOrKey": issueIdOrKey, "commentBody": commentBody},
                http,
            )
            return await add_comment(issueIdOrKey, commentBody)

        @server.tool()
        async def createJiraIssue(
            cloudId: str,
            projectKey: str,
            issueTypeName: str,
            summary: str,
            description: str,
            parent: str,
            assignee_account_id: str | None = None,
        ) -> dict:
            await _before(
                "createJiraIssue",
                {
                    "cloudId": cloudId,
                    "projectKey": projectKey,
                    "issueTypeName": issueTypeName,
                    "summary": summary,
                    "description": description,
                    "parent": parent,
                },
                http,
            )
            data = _load()
            issue = _new_issue(data, summary, description, parent, {"type": issueTypeName})
            _save(data)
            return {"key": issue["key"], "id": str(issue["id"])}

        @server.tool()
        async def searchJiraIssuesUsingJql(cloudId: str, jql: str) -> dict:
            await _before("searchJiraIssuesUsingJql", {"cloudId": cloudId, "jql": jql}, http)
            marker = jql.split('"')[1] if '"' in jql else jql
            return {"issues": [{"key": i["key"], "fields": {"description": i["body"]}} for i in search(marker)]}

    return server


class FailingHttp:
    """ASGI middleware: real HTTP failures for POST /mcp, driven by control.json."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "http" and scope["method"] == "POST":
            failure = _control_failure()
            if failure == "hang":
                await anyio.sleep(3600)
            if failure:
                status = int(failure)
                headers = [(b"content-type", b"text/plain")] + ([(b"retry-after", b"1")] if status == 429 else [])
                await send({"type": "http.response.start", "status": status, "headers": headers})
                await send({"type": "http.response.body", "body": f"{status} injected".encode()})
                return
        await self.app(scope, receive, send)


def main() -> None:
    global STATE
    parser = argparse.ArgumentParser()
    parser.add_argument("--provider", required=True, choices=["linear", "github-issues", "jira"])
    parser.add_argument("--state", required=True)
    parser.add_argument("--http", type=int, default=0)
    args = parser.parse_args()
    STATE = Path(args.state)
    STATE.mkdir(parents=True, exist_ok=True)
    server = build(args.provider, bool(args.http))
    if args.http:
        import uvicorn

        app = server.streamable_http_app(stateless_http=True, json_response=True)
        uvicorn.run(FailingHttp(app), host="127.0.0.1", port=args.http, log_level="warning")
    else:
        server.run()


if __name__ == "__main__":
    sys.exit(main())
