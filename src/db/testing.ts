/**
 * Test helpers: every integration suite runs on each available database.
 *
 * - `pglite`: always, in memory.
 * - `postgres`: when `TEST_DATABASE_URL` is set (`.ci/run` sets it to the local
 *   server). Each opened database is a fresh throwaway database created on that
 *   server and dropped on close, so test files can run in parallel.
 */
import { randomBytes } from "node:crypto";
import pg from "pg";
import { type Database, migrate, openDatabase } from "./client.ts";

/** A named way to open a fresh, migrated, empty database. */
export type TestDatabase = { name: "pglite" | "postgres"; open(): Promise<Database> };

/** The databases to run integration suites on, for `describe.each`. */
export function testDatabases(): TestDatabase[] {
  const list: TestDatabase[] = [{ name: "pglite", open: openPglite }];
  const url = process.env.TEST_DATABASE_URL;
  if (url) list.push({ name: "postgres", open: () => openThrowawayPostgres(url) });
  return list;
}

async function openPglite(): Promise<Database> {
  const database = await openDatabase({ dataDir: "memory://" });
  await migrate(database);
  return database;
}

async function openThrowawayPostgres(adminUrl: string): Promise<Database> {
  const name = `sewa_test_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const database = await openDatabase({ url: url.toString() });
  database.url = url.toString();
  await migrate(database);
  return {
    ...database,
    async close() {
      await database.close();
      const again = new pg.Client({ connectionString: adminUrl });
      await again.connect();
      await again.query(`drop database if exists ${name} with (force)`);
      await again.end();
    },
  };
}
