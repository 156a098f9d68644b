import { Hono } from "hono";
import type { Env } from "../index";

export const track = new Hono<{ Bindings: Env }>();

// Page-view counter: one KV key written on every request (KV allows one write per second per key).
track.post("/", async (c) => {
  const current = Number((await c.env.CACHE.get("pageviews:total")) ?? 0);
  await c.env.CACHE.put("pageviews:total", String(current + 1));
  return c.body(null, 204);
});
