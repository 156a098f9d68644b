"""`oc-scale demo-server`: the example CRM's API and built assets on 127.0.0.1, for trying `loadtest`,
`benchmark`, `cache`, `cdn` and `plan` end to end without deploying anything.

It is the example app made real: the schema is built from the project's `migrations/*.sql` in an
in-memory SQLite database with generated rows, and the routes do what `src/routes/*.ts` do,
defects included:
- `GET /api/health`: fast.
- `GET /api/contacts`: `SELECT *` without LIMIT, then one query per contact for its notes (N+1) —
  query-heavy and slow.
- `GET /api/contacts/search?q=`: `LIKE '%q%'` scans; `GET /api/contacts/{id}`: a primary-key lookup.
- `GET /api/stats`: a whole-table COUNT(*), OFFSET pagination, ORDER BY RANDOM(), no caching.
- `POST /api/track`: every request writes one counter row under a single database lock, the way D1
  has one writer: it degrades as concurrency grows.
- Everything else: the files of `dist/` (fingerprinted assets with long-lived caching).
"""

import random
import sqlite3
import threading
import time
from pathlib import Path

import anyio
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from oc_scale_mcp.core.errors import ProjectError

WRITE_HOLD_S = 0.002  # time the single writer holds the lock per write (D1's ~1 ms writes, plus commit)


def build_database(migrations: Path, seed: int = 7) -> sqlite3.Connection:
    """The example schema with generated rows: 50 users, 4,000 contacts, 12,000 notes."""
    files = sorted(migrations.glob("*.sql"))
    if not files:
        raise ProjectError(f"no migrations/*.sql in {migrations.parent}: demo-server needs the example schema")
    db = sqlite3.connect(":memory:", check_same_thread=False)
    for path in files:
        db.executescript(path.read_text())
    rng = random.Random(seed)
    db.executemany(
        "INSERT INTO users (id, email, name) VALUES (?, ?, ?)",
        [(i, f"user{i}@example.com", f"User {i}") for i in range(1, 51)],
    )
    stages = ("lead", "qualified", "proposal", "won", "lost")
    db.executemany(
        "INSERT INTO contacts (id, user_id, name, email, company, stage, deal_value_cents) VALUES (?,?,?,?,?,?,?)",
        [
            (
                i,
                1 if i <= 200 else rng.randint(2, 50),
                f"Contact {i}",
                f"c{i}@example.com",
                f"Company {i % 300}",
                rng.choice(stages),
                rng.randint(0, 5_000_000),
            )
            for i in range(1, 4001)
        ],
    )
    db.executemany(
        "INSERT INTO notes (contact_id, body) VALUES (?, ?)",
        [(rng.randint(1, 4000), f"Called about renewal #{i}") for i in range(12_000)],
    )
    db.execute("CREATE TABLE IF NOT EXISTS pageviews (id INTEGER PRIMARY KEY CHECK (id = 1), n INTEGER)")
    db.execute("INSERT INTO pageviews VALUES (1, 0)")
    db.commit()
    return db


def create_app(project_dir: Path) -> Starlette:
    db = build_database(project_dir / "migrations")
    lock = threading.Lock()  # one connection, one writer: like D1

    def query(sql: str, args: tuple = ()) -> list[dict]:
        with lock:
            cursor = db.execute(sql, args)
            names = [c[0] for c in cursor.description or ()]
            return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def list_contacts(user_id: int) -> list[dict]:
        contacts = query("SELECT * FROM contacts WHERE user_id = ?1 ORDER BY updated_at DESC", (user_id,))
        for contact in contacts:  # N+1, as in src/routes/contacts.ts
            contact["notes"] = query(
                "SELECT id, body, created_at FROM notes WHERE contact_id = ?1 ORDER BY created_at DESC",
                (contact["id"],),
            )
            contact.pop("avatar", None)
        return contacts

    def track() -> None:
        with lock:
            db.execute("UPDATE pageviews SET n = n + 1 WHERE id = 1")
            time.sleep(WRITE_HOLD_S)
            db.commit()

    async def health(request: Request) -> Response:
        return JSONResponse({"ok": True})

    async def contacts(request: Request) -> Response:
        return JSONResponse(await anyio.to_thread.run_sync(list_contacts, 1))

    async def search(request: Request) -> Response:
        pattern = f"%{request.query_params.get('q', '')}%"
        rows = await anyio.to_thread.run_sync(
            query,
            "SELECT id, name, company FROM contacts WHERE user_id = ?1 AND (name LIKE ?2 OR company LIKE ?2) LIMIT 20",
            (1, pattern),
        )
        return JSONResponse(rows)

    async def contact(request: Request) -> Response:
        rows = await anyio.to_thread.run_sync(
            query,
            "SELECT id, name, email, company, stage FROM contacts WHERE id = ?1",
            (int(request.path_params["id"]),),
        )
        return JSONResponse(rows[0]) if rows else JSONResponse({"error": "not found"}, status_code=404)

    async def stats(request: Request) -> Response:
        def compute() -> dict:
            offset = int(request.query_params.get("offset", 0))
            return {
                "total": query("SELECT COUNT(*) AS n FROM contacts")[0]["n"],
                "by_stage": query(
                    "SELECT stage, COUNT(*) AS count, SUM(deal_value_cents) AS value FROM contacts "
                    "WHERE user_id = ?1 GROUP BY stage",
                    (1,),
                ),
                "recent": query(
                    "SELECT * FROM activity WHERE user_id = ?1 ORDER BY created_at DESC LIMIT 50 OFFSET ?2", (1, offset)
                ),
                "featured": query("SELECT id, name FROM contacts ORDER BY RANDOM() LIMIT 3"),
            }

        return JSONResponse(await anyio.to_thread.run_sync(compute))

    async def track_view(request: Request) -> Response:
        await anyio.to_thread.run_sync(track)
        return Response(status_code=204)

    routes = [
        Route("/api/health", health),
        Route("/api/contacts", contacts),
        Route("/api/contacts/search", search),
        Route("/api/contacts/{id:int}", contact),
        Route("/api/stats", stats),
        Route("/api/track", track_view, methods=["POST"]),
    ]
    dist = project_dir / "dist"
    if dist.is_dir():
        routes.append(Mount("/", app=StaticFiles(directory=dist, html=True)))
    return Starlette(routes=routes)


def serve(project_dir: str, host: str, port: int) -> None:
    import uvicorn

    from oc_scale_mcp.core.project import Project
    from oc_scale_mcp.hosting import is_loopback_host

    if not is_loopback_host(host):
        raise ProjectError("demo-server only binds to loopback (127.0.0.1, ::1): it is a local test target")
    root = Project.open(project_dir).root
    print(f"demo-server: {root.name} on http://{host}:{port}/ (try /api/health, /api/contacts, /api/stats)", flush=True)
    uvicorn.run(create_app(root), host=host, port=port, log_level="warning", access_log=False)
