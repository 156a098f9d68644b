import { Hono } from "hono";
import type { Env } from "../index";
import { currentUserId } from "../session";

export const contacts = new Hono<{ Bindings: Env }>();

// List a user's contacts with their notes.
contacts.get("/", async (c) => {
  const userId = await currentUserId(c);
  const { results } = await c.env.DB.prepare(
    "SELECT * FROM contacts WHERE user_id = ?1 ORDER BY updated_at DESC"
  ).bind(userId).all();
  const withNotes = [];
  for (const contact of results) {
    const notes = await c.env.DB.prepare(
      "SELECT id, body, created_at FROM notes WHERE contact_id = ?1 ORDER BY created_at DESC"
    ).bind(contact.id).all();
    withNotes.push({ ...contact, notes: notes.results });
  }
  return c.json(withNotes);
});

// Search by name or company.
contacts.get("/search", async (c) => {
  const userId = await currentUserId(c);
  const q = c.req.query("q") ?? "";
  const { results } = await c.env.DB.prepare(
    "SELECT id, name, company FROM contacts WHERE user_id = ?1 AND (name LIKE ?2 OR company LIKE ?2) LIMIT 20"
  ).bind(userId, `%${q}%`).all();
  return c.json(results);
});

contacts.get("/:id", async (c) => {
  const contact = await c.env.DB.prepare("SELECT id, name, email, company, stage FROM contacts WHERE id = ?1")
    .bind(c.req.param("id")).first();
  return contact ? c.json(contact) : c.notFound();
});

contacts.post("/", async (c) => {
  const userId = await currentUserId(c);
  const body = await c.req.json<{ name: string; email?: string; company?: string }>();
  const created = await c.env.DB.prepare(
    "INSERT INTO contacts (user_id, name, email, company) VALUES (?1, ?2, ?3, ?4) RETURNING id"
  ).bind(userId, body.name, body.email ?? null, body.company ?? null).first();
  await c.env.DB.prepare(
    "INSERT INTO activity (user_id, contact_id, kind) VALUES (?1, ?2, 'contact.created')"
  ).bind(userId, created?.id).run();
  return c.json(created, 201);
});

// Import many contacts at once: statements built in a loop and sent as one batch (the right way).
contacts.post("/import", async (c) => {
  const userId = await currentUserId(c);
  const rows = await c.req.json<{ name: string; company?: string }[]>();
  const statements = [];
  for (const row of rows) {
    statements.push(
      c.env.DB.prepare("INSERT INTO contacts (user_id, name, company) VALUES (?1, ?2, ?3)").bind(userId, row.name, row.company ?? null)
    );
  }
  await c.env.DB.batch(statements);
  return c.json({ imported: rows.length }, 201);
});
