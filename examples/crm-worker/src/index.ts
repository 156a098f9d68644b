import { Hono } from "hono";
import { contacts } from "./routes/contacts";
import { stats } from "./routes/stats";
import { track } from "./routes/track";

export interface Env {
  DB: D1Database;
  CACHE: KVNamespace;
  ASSETS: Fetcher;
  APP_ENV: string;
}

const app = new Hono<{ Bindings: Env }>();

app.get("/api/health", (c) => c.json({ ok: true }));
app.route("/api/contacts", contacts);
app.route("/api/stats", stats);
app.route("/api/track", track);

export default app;
