import type { Context } from "hono";

// Module-level memo of sessions: survives between requests only inside one isolate, so each
// Worker instance sees a different subset (state that does not scale horizontally).
const sessionCache = new Map<string, number>();

export async function currentUserId(c: Context): Promise<number> {
  const token = c.req.header("Authorization")?.replace("Bearer ", "") ?? "";
  const cached = sessionCache.get(token);
  if (cached) return cached;
  const row = await c.env.DB.prepare(
    "SELECT user_id FROM sessions WHERE id = ?1 AND expires_at > datetime('now')"
  ).bind(token).first<{ user_id: number }>();
  if (!row) throw new Error("unauthorized");
  sessionCache.set(token, row.user_id);
  return row.user_id;
}
