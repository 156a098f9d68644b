"""Commands: one module per command, each declaring one `CommandSpec`; `registry.COMMANDS` lists them."""
