"""The project's schema, built for real: its migrations applied in order to an in-memory SQLite.

Migrations are the `.sql` files under `migrations/` (D1, and Drizzle's `drizzle/`), Prisma's
`prisma/migrations/*/migration.sql`, or a top-level `schema.sql`; applied in natural order. A
statement SQLite rejects is reported, and the rest still applied.
"""

import re
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

MIGRATION_GLOBS = (
    "migrations/**/*.sql",
    "drizzle/**/*.sql",
    "prisma/migrations/*/migration.sql",
    "db/migrations/**/*.sql",
    "schema.sql",
    "db/schema.sql",
)


def _natural_key(path: Path) -> list:
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", path.as_posix())]


def find_migrations(root: Path) -> list[Path]:
    found: dict[Path, None] = {}
    for pattern in MIGRATION_GLOBS:
        for path in sorted(root.glob(pattern), key=_natural_key):
            if "node_modules" not in path.parts:
                found[path] = None
    return list(found)


@dataclass(slots=True)
class Table:
    name: str
    columns: dict[str, str]  # name -> declared type
    primary_key: list[str]
    unique_sets: list[list[str]]  # UNIQUE constraints and unique indexes
    indexes: dict[str, list[str]]  # name -> columns (all indexes)
    foreign_keys: list[tuple[str, str, str]]  # (column, parent table, parent column)


@dataclass(slots=True)
class Schema:
    db: sqlite3.Connection
    tables: dict[str, Table] = field(default_factory=dict)
    errors: list[tuple[str, int, str]] = field(default_factory=list)  # (file, line, message)
    migrations: list[str] = field(default_factory=list)


def _statements(text: str) -> list[tuple[int, str]]:
    """Split a migration into statements with their start line (sqlite3.complete_statement decides)."""
    statements, buffer, start = [], "", 1
    for number, line in enumerate(text.splitlines(), 1):
        if not buffer.strip():
            start = number
        buffer += line + "\n"
        if sqlite3.complete_statement(buffer):
            if buffer.strip():
                statements.append((start, buffer.strip()))
            buffer = ""
    if buffer.strip() and not all(l.strip().startswith("--") for l in buffer.strip().splitlines()):  # noqa: E741
        statements.append((start, buffer.strip()))
    return statements


def build_schema(root: Path, migrations: list[Path]) -> Schema:
    db = sqlite3.connect(":memory:")
    schema = Schema(db=db)
    for path in migrations:
        relative = path.relative_to(root).as_posix()
        schema.migrations.append(relative)
        for line, statement in _statements(path.read_text(errors="replace")):
            try:
                db.execute(statement)
            except sqlite3.Error as exc:
                schema.errors.append((relative, line, str(exc)))
    db.commit()
    schema.tables = read_tables(db)
    return schema


def read_tables(db: sqlite3.Connection) -> dict[str, Table]:
    tables = {}
    names = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'")]
    for name in names:
        info = db.execute(f'PRAGMA table_info("{name}")').fetchall()
        columns = {row[1]: (row[2] or "").upper() for row in info}
        pk = [row[1] for row in sorted(info, key=lambda r: r[5]) if row[5]]
        indexes, unique = {}, []
        for row in db.execute(f'PRAGMA index_list("{name}")'):
            index_columns = [r[2] for r in db.execute(f'PRAGMA index_info("{row[1]}")')]
            indexes[row[1]] = index_columns
            if row[2]:
                unique.append(index_columns)
        fks = [(r[3], r[2], r[4]) for r in db.execute(f'PRAGMA foreign_key_list("{name}")')]
        tables[name] = Table(name, columns, pk, unique, indexes, fks)
    return tables
