/**
 * The server side of `bench/pendency.ts`: the real Sewa app on the benchmark
 * database (no workers), plus two bench-only routes that answer the same
 * question (district breakdown, all departments, the last 12 months, state
 * scope) through the fast path and through the naive GROUP BY over raw rows:
 * `GET /bench/fast/district` and `GET /bench/naive/district`. Both return the
 * rows as JSON. Run by bench/pendency.ts in a child process, so that the load
 * generator does not share the server's event loop.
 *
 * Environment: DATABASE_URL (required), PORT (default 3900), TODAY (YYYY-MM-DD).
 */
import os from "node:os";
import path from "node:path";
import { fileStore } from "../src/applications/storage.ts";
import { loadConfig } from "../src/config.ts";
import { openDatabase } from "../src/db/client.ts";
import { cutoffs, parsePeriod } from "../src/monitoring/measures.ts";
import { fastBreakdown, naiveBreakdown } from "../src/monitoring/repository.ts";
import { consoleSms } from "../src/notifications/sms.ts";
import { fixedClock } from "../src/sla/clock.ts";
import { loadCalendar } from "../src/sla/service.ts";
import { buildApp } from "../src/web/app.ts";

const today = process.env.TODAY ?? "2026-11-27";
const config = { ...loadConfig(), logLevel: "warn", workers: false };
const database = await openDatabase({ url: config.databaseUrl as string });
const clock = fixedClock(`${today}T12:00:00+05:30`);
const app = await buildApp({
  database,
  config,
  clock,
  store: fileStore(path.join(os.tmpdir(), "sewa-bench-docs")),
  sms: consoleSms(),
});
const calendar = await loadCalendar(database.db, null);
const question = () => ({
  group: "district" as const,
  filters: {},
  scope: "state" as const,
  period: parsePeriod(undefined, undefined, today),
  cut: cutoffs(calendar, today),
});
app.get("/bench/fast/district", async () => fastBreakdown(database.db, question()));
app.get("/bench/naive/district", async () => naiveBreakdown(database.db, question()));
await app.listen({ port: Number(process.env.PORT ?? 3900), host: "127.0.0.1" });
console.log("ready");
