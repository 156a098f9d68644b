"""SQL analysis: harvest queries from code, judge them on the sqlglot AST, plan them in SQLite, and find
N+1 loops in the application code. Judges only: the caller (commands/queries.py) reads the files."""
