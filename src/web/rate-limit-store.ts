/**
 * A PostgreSQL store for @fastify/rate-limit, so limits hold across any number
 * of app nodes (ARCHITECTURE.md §1: no in-memory state that must agree).
 * Fixed windows: the counter restarts when a new window of `timeWindow` ms begins.
 */
import { sql } from "drizzle-orm";
import { type Db, rows } from "../db/client.ts";

type IncrCallback = (error: Error | null, result?: { current: number; ttl: number }) => void;

/** A store class bound to a database, in the shape @fastify/rate-limit expects (`new Store(options)`). */
export function postgresRateLimitStore(db: Db, now: () => number = Date.now) {
  return class PostgresRateLimitStore {
    readonly prefix: string;
    constructor(_options?: unknown, prefix = "") {
      this.prefix = prefix;
    }
    incr(key: string, callback: IncrCallback, timeWindow: number): void {
      const t = now();
      const windowStart = t - (t % timeWindow);
      const full = `${this.prefix}${key}`;
      rows<{ count: number }>(
        db,
        sql`insert into rate_limits (key, window_start, count) values (${full}, ${windowStart}, 1)
            on conflict (key) do update set
              count = case when rate_limits.window_start = excluded.window_start then rate_limits.count + 1 else 1 end,
              window_start = excluded.window_start
            returning count`,
      ).then(
        (r) => callback(null, { current: r[0]?.count ?? 1, ttl: windowStart + timeWindow - t }),
        (e: Error) => callback(e),
      );
    }
    child(routeOptions: { method?: string | string[]; url?: string; path?: string }) {
      const method = Array.isArray(routeOptions.method)
        ? routeOptions.method.join(",")
        : (routeOptions.method ?? "");
      return new PostgresRateLimitStore(
        undefined,
        `${method} ${routeOptions.url ?? routeOptions.path ?? ""}:`,
      );
    }
  };
}
