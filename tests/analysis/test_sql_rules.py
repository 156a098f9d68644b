"""Static query rules on the sqlglot AST: each fires on its defect and stays silent on the fix."""

import sqlite3

import pytest

from oc_scale_mcp.analysis.sql.rules import check, fingerprint, normalize, parse
from oc_scale_mcp.analysis.sql.schema import read_tables

SCHEMA = """
CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT UNIQUE, name TEXT, avatar BLOB, created_at TEXT);
CREATE TABLE orders (id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES users(id), total INTEGER, created_at TEXT);
"""


@pytest.fixture(scope="module")
def tables():
    db = sqlite3.connect(":memory:")
    db.executescript(SCHEMA)
    return read_tables(db)


def kinds(sql, tables, bind_args=()):
    return sorted({hit.kind for hit in check(parse(sql), tables, list(bind_args))})


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        (
            "SELECT * FROM users WHERE name = ?1 LIMIT 10",
            ["sql.limit-without-order", "sql.select-star", "sql.wide-columns-in-list"],
        ),
        ("SELECT id, name FROM orders WHERE user_id = ?1", ["sql.unbounded-list"]),
        ("SELECT id FROM orders ORDER BY id LIMIT 20 OFFSET ?1", ["sql.offset-pagination"]),
        ("SELECT id FROM users WHERE name LIKE '%ann%' ORDER BY id LIMIT 5", ["sql.leading-wildcard"]),
        ("SELECT id FROM users WHERE name LIKE ?1 OR email LIKE ?1 ORDER BY id LIMIT 5", ["sql.or-like-search"]),
        ("SELECT users.id FROM users, orders ORDER BY users.id LIMIT 5", ["sql.implicit-cross-join"]),
        (
            "SELECT users.id FROM users, orders WHERE users.id = orders.user_id ORDER BY users.id LIMIT 5",
            ["sql.implicit-join"],
        ),
        ("SELECT id FROM users WHERE lower(email) = ?1 ORDER BY id LIMIT 1", ["sql.function-on-column"]),
        ("SELECT id FROM users ORDER BY RANDOM() LIMIT 3", ["sql.order-by-random"]),
        ("SELECT COUNT(*) FROM orders", ["sql.count-whole-table"]),
    ],
)
def test_each_rule_fires_on_its_defect(tables, sql, expected):
    assert kinds(sql, tables) == expected


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT id, name FROM users WHERE id = ?1",  # primary-key lookup
        "SELECT id, name FROM users WHERE email = $1",  # unique lookup, Postgres placeholder
        "SELECT COUNT(*) FROM orders WHERE user_id = ?1",  # a single aggregate
        "SELECT user_id, SUM(total) FROM orders WHERE created_at > ?1 GROUP BY user_id",  # aggregate report
        "SELECT id, name FROM users WHERE name LIKE 'ann%' ORDER BY id LIMIT 5",  # prefix LIKE can use an index
        "SELECT o.id FROM orders o JOIN users u ON u.id = o.user_id WHERE u.id = ?1 ORDER BY o.id LIMIT 10",
        "INSERT INTO orders (user_id, total) VALUES (?1, ?2)",
        "SELECT id FROM users WHERE created_at > datetime('now', '-1 day') ORDER BY id LIMIT 10",
    ],
)
def test_fixed_queries_stay_silent(tables, sql):
    assert kinds(sql, tables) == []


def test_a_leading_wildcard_bound_as_a_parameter_is_seen_through_bind(tables):
    sql = "SELECT id FROM users WHERE name LIKE ?1 ORDER BY id LIMIT 5"
    assert kinds(sql, tables, ["`%${q}%`"]) == ["sql.leading-wildcard"]
    assert kinds(sql, tables, ["`${q}%`"]) == []


def test_d1_and_postgres_placeholders_parse():
    assert normalize("SELECT a FROM t WHERE b = ?12 AND c = $3") == "SELECT a FROM t WHERE b = ? AND c = ?"
    assert parse("SELECT a FROM t WHERE b = ?1").sql() == "SELECT a FROM t WHERE b = ?"


def test_fingerprints_ignore_literals_and_parameters():
    assert fingerprint(parse("SELECT a FROM t WHERE b = 1")) == fingerprint(parse("select a from t where b = ?2"))
    assert fingerprint(parse("SELECT a FROM t WHERE b = 1")) != fingerprint(parse("SELECT a FROM t WHERE c = 1"))
