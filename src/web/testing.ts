/**
 * Integration-test helpers: a seeded database (PGlite or PostgreSQL), a clock
 * the test moves, a temporary document store, and the app built on them
 * (requests through Fastify's `inject`, no network).
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { FastifyInstance } from "fastify";
import { Temporal } from "temporal-polyfill";
import { fileStore } from "../applications/storage.ts";
import { loadConfig } from "../config.ts";
import type { Database } from "../db/client.ts";
import type { TestDatabase } from "../db/testing.ts";
import { capturingSms } from "../notifications/sms.ts";
import { httpGateway } from "../payments/gateway.ts";
import { type GatewaySimulator, startGatewaySimulator } from "../payments/simulator.ts";
import { seedDemoOfficials, seedReferenceData } from "../setup.ts";
import { istDateOf } from "../sla/clock.ts";
import { buildApp } from "./app.ts";

/** A clock a test can set and move. */
export type MovableClock = {
  now(): Temporal.Instant;
  set(iso: string): void;
  advance(hours: number): void;
};

/** A clock starting at `iso` (an instant with an offset). */
export function movableClock(iso: string): MovableClock {
  let at = Temporal.Instant.from(iso);
  return {
    now: () => at,
    set: (s) => {
      at = Temporal.Instant.from(s);
    },
    advance: (hours) => {
      at = at.add({ milliseconds: Math.round(hours * 3_600_000) });
    },
  };
}

/** A running test portal. */
export type TestPortal = {
  app: FastifyInstance;
  database: Database;
  clock: MovableClock;
  storeDir: string;
  /** Every SMS the portal sent. */
  sms: ReturnType<typeof capturingSms>;
  /** The payment gateway simulator the portal pays through (secret {@link TEST_GATEWAY_SECRET}). */
  gateway: GatewaySimulator;
  close(): Promise<void>;
};

/** The merchant secret of the test portals' gateway simulator (to sign webhooks in tests). */
export const TEST_GATEWAY_SECRET = "test-gateway-secret";

/** Opens `which`, seeds the real reference data and demo officials, and builds the app. */
export async function startTestPortal(
  which: TestDatabase,
  clockStart = "2025-10-17T10:00:00+05:30",
  opts: { logLevel?: string; logStream?: NodeJS.WritableStream } = {},
): Promise<TestPortal> {
  const database = await which.open();
  await seedReferenceData(database);
  await seedDemoOfficials(database);
  const storeDir = fs.mkdtempSync(path.join(os.tmpdir(), "sewa-docs-"));
  const clock = movableClock(clockStart);
  const config = { ...loadConfig({}), logLevel: opts.logLevel ?? "silent", dataDir: storeDir };
  const sms = capturingSms();
  const gateway = await startGatewaySimulator({
    port: 0,
    keyId: "test",
    secret: TEST_GATEWAY_SECRET,
    today: () => istDateOf(clock.now()),
  });
  const app = await buildApp({
    database,
    config,
    clock,
    store: fileStore(storeDir),
    sms,
    gateway: httpGateway({ url: gateway.url, keyId: "test", secret: TEST_GATEWAY_SECRET }),
    logStream: opts.logStream,
  });
  await app.ready();
  return {
    app,
    database,
    clock,
    storeDir,
    sms,
    gateway,
    async close() {
      await app.close();
      await gateway.close();
      await database.close();
      fs.rmSync(storeDir, { recursive: true, force: true });
    },
  };
}
