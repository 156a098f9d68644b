"""PM integration: oc-scale as an MCP client of the team's PM server (Linear, Jira, GitHub Issues),
following shared/spec/pm-mcp-protocol.md: summary comments, sub-tickets, idempotency markers, retries,
and the deferred-action queue in the checkpoint that `sync_pm` flushes."""
