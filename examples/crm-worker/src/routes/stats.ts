import { Hono } from "hono";
import type { Env } from "../index";
import { currentUserId } from "../session";

export const stats = new Hono<{ Bindings: Env }>();

// Dashboard numbers, recomputed from scratch on every request (no cache).
stats.get("/", async (c) => {
  const userId = await currentUserId(c);
  const total = await c.env.DB.prepare("SELECT COUNT(*) AS n FROM contacts").first<{ n: number }>();
  const byStage = await c.env.DB.prepare(
    "SELECT stage, COUNT(*) AS count, SUM(deal_value_cents) AS value FROM contacts WHERE user_id = ?1 GROUP BY stage"
  ).bind(userId).all();
  const recent = await c.env.DB.prepare(
    "SELECT * FROM activity WHERE user_id = ?1 ORDER BY created_at DESC LIMIT 50 OFFSET ?2"
  ).bind(userId, Number(c.req.query("offset") ?? 0)).all();
  const featured = await c.env.DB.prepare("SELECT id, name FROM contacts ORDER BY RANDOM() LIMIT 3").all();
  return c.json({ total: total?.n ?? 0, by_stage: byStage.results, recent: recent.results, featured: featured.results });
});
