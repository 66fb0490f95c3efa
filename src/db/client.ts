/**
 * Database connection: embedded PGlite by default, PostgreSQL through a URL.
 *
 * Both give a Drizzle database over the same schema and migrations. Calendar
 * dates (`date`, OID 1082) come back as `YYYY-MM-DD` strings on both drivers
 * (ARCHITECTURE.md §4: never a JS `Date` for a due date or a date of birth).
 */
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { PGlite, types as pgliteTypes } from "@electric-sql/pglite";
import { drizzle as drizzlePg } from "drizzle-orm/node-postgres";
import { migrate as migratePg } from "drizzle-orm/node-postgres/migrator";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import pg from "pg";
import * as schema from "./schema.ts";

const DATE_OID = 1082;
pg.types.setTypeParser(DATE_OID, (v: string) => v);

/** A Drizzle database over either driver. */
export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;
/** A transaction handle; same query API as {@link Db}. */
export type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];
/** Either a database or a transaction: repositories accept both. */
export type Queryable = Db | Tx;

/** An open database and how to close it. */
export type Database = {
  db: Db;
  kind: "pglite" | "postgres";
  /** The embedded client (PGlite only), for pg-boss's PGlite adapter. */
  pglite?: PGlite;
  /** The connection string (PostgreSQL only), for pg-boss. */
  url?: string;
  close(): Promise<void>;
};

const migrationsFolder = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  "../../drizzle",
);

/**
 * Opens the database.
 * @param opts.onIdleError called when the server ends an idle pooled connection (PostgreSQL only).
 * @param opts.url PostgreSQL URL; when absent, PGlite stored in `opts.dataDir/pglite`
 *   (or in memory when `dataDir` is `memory://`).
 */
export async function openDatabase(opts: {
  url?: string;
  dataDir?: string;
  onIdleError?: (err: Error) => void;
}): Promise<Database> {
  if (opts.url) {
    const pool = new pg.Pool({ connectionString: opts.url, max: 10 });
    // An idle connection that the server ends (restart, failover, a dropped test database) is
    // replaced on the next query; without this listener its error would crash the process.
    pool.on("error", (err) => opts.onIdleError?.(err));
    const db = drizzlePg(pool, { schema }) as unknown as Db;
    return { db, kind: "postgres", url: opts.url, close: () => pool.end() };
  }
  let dir = "memory://";
  if (opts.dataDir && opts.dataDir !== "memory://") {
    dir = path.join(opts.dataDir, "pglite");
    fs.mkdirSync(dir, { recursive: true });
  }
  const client = await PGlite.create(dir, {
    parsers: { [pgliteTypes.DATE]: (v: string) => v },
  });
  const db = drizzlePglite(client, { schema }) as unknown as Db;
  return { db, kind: "pglite", pglite: client, close: () => client.close() };
}

/** Applies every pending migration from `drizzle/`. Idempotent. */
export async function migrate(database: Database): Promise<void> {
  if (database.kind === "postgres") {
    // biome-ignore lint/suspicious/noExplicitAny: the driver-specific type is erased in Db
    await migratePg(database.db as any, { migrationsFolder });
  } else {
    // biome-ignore lint/suspicious/noExplicitAny: as above
    await migratePglite(database.db as any, { migrationsFolder });
  }
}

/** Runs a raw SQL statement and returns its rows (both drivers return `{ rows }`). */
export async function rows<T>(q: Queryable, query: Parameters<Db["execute"]>[0]): Promise<T[]> {
  const result = (await q.execute(query)) as unknown as { rows: T[] };
  return result.rows;
}
