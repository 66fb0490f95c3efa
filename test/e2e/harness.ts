/**
 * Harness for the browser journeys (`npx vitest run --project e2e`).
 *
 * - {@link startPortal} starts the real portal in this process, on a random
 *   port of 127.0.0.1, on an in-memory PGlite database seeded with the real
 *   reference data and the demo officials (as `npm start` does on an empty
 *   database), with documents in a throwaway folder and a clock the test
 *   controls ({@link controllableClock}).
 * - {@link launchBrowser} starts Debian's headless Chromium through
 *   playwright-core (`apt-get install chromium fonts-noto-core`; ARCHITECTURE.md §2).
 * - {@link screenshot} saves a full-page screenshot into `docs/screenshots/`.
 * - {@link signInStaff} signs a demo official in (password, then TOTP);
 *   {@link axeViolations} lists a page's axe-core WCAG 2.2 AA violations.
 * - {@link startGatewaySimulatorProcess} runs `sewa gateway-simulator` as a
 *   separate process; pass its settings to {@link startPortal} (`gateway`),
 *   which then listens on a port known in advance, so that the simulator's
 *   webhooks reach `SEWA_PUBLIC_URL` (`config.publicUrl`).
 *
 * Nothing here reads the wall clock for a rule: every "now" of the portal comes
 * from the injected clock.
 *
 * @module
 */
import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { AxeBuilder } from "@axe-core/playwright";
import type { FastifyInstance } from "fastify";
import { generate } from "otplib";
import { type Browser, chromium, type Page } from "playwright-core";
import { Temporal } from "temporal-polyfill";
import { fileStore } from "../../src/applications/storage.ts";
import { loadConfig } from "../../src/config.ts";
import type { Database } from "../../src/db/client.ts";
import { capturingSms } from "../../src/notifications/sms.ts";
import { type GatewayConfig, httpGateway } from "../../src/payments/gateway.ts";
import { DEMO_PASSWORD, DEMO_TOTP_SECRET, openAndMigrate, seedIfEmpty } from "../../src/setup.ts";
import { type Clock, parseInstant } from "../../src/sla/clock.ts";
import { buildApp } from "../../src/web/app.ts";

/** The repository's root folder. */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/** Where journey screenshots are written (committed, so reviewers can see the pages). */
export const SCREENSHOT_DIR = path.join(REPO_ROOT, "docs/screenshots");

/**
 * The Chromium binary: env `CHROMIUM_PATH`, else Debian's `/usr/bin/chromium`
 * (installed by `.ci/run` with `apt-get install chromium fonts-noto-core`).
 */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/**
 * Chromium flags: no sandbox (containers run as root), no GPU, and no
 * background traffic to Google (updates, sync, QUIC probes), so a journey
 * only ever talks to the portal on 127.0.0.1.
 */
export const CHROMIUM_ARGS: readonly string[] = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** A clock whose instant the test sets; the portal reads it on every request. */
export type ControllableClock = Clock & {
  /**
   * Moves the clock to `at` (an ISO 8601 instant **with** an offset, e.g.
   * `"2025-10-23T16:00+05:30"`, or a `Temporal.Instant`). Moving backwards is allowed.
   * @throws RangeError when the string has no offset or is not an instant.
   */
  set(at: string | Temporal.Instant): void;
};

/**
 * A clock stopped at `start` until the test moves it with `set`.
 * @throws RangeError when `start` is a string without an offset.
 */
export function controllableClock(start: string | Temporal.Instant): ControllableClock {
  const toInstant = (at: string | Temporal.Instant) =>
    typeof at === "string" ? parseInstant(at) : Temporal.Instant.from(at);
  let current = toInstant(start);
  return {
    now: () => current,
    set(at) {
      current = toInstant(at);
    },
  };
}

/** A running portal: its base URL (no trailing slash), its parts, and how to stop it. */
export type Portal = {
  /** e.g. `http://127.0.0.1:41234`. */
  url: string;
  app: FastifyInstance;
  database: Database;
  clock: ControllableClock;
  /** The throwaway folder that holds uploaded documents. */
  documentsDir: string;
  /** Stops the server, closes the database and deletes the documents folder. */
  close(): Promise<void>;
};

/**
 * Starts the portal in this process on a random port of 127.0.0.1: in-memory
 * PGlite, migrated and seeded (geography, 2025/2026 holidays, the notified
 * services, the demo officials of src/setup.ts), log level `warn`.
 *
 * @param clock the portal's clock (see {@link controllableClock}).
 * @param opts.gateway the payment gateway to use (as env `SEWA_GATEWAY_URL`,
 *   `SEWA_GATEWAY_KEY_ID`, `SEWA_GATEWAY_SECRET`); without it, no online payment.
 *   With it, the port is chosen before the app is built and `config.publicUrl`
 *   (env `SEWA_PUBLIC_URL`) is the portal's real URL, so return, webhook and
 *   QR-code URLs point at this portal.
 * @throws whatever migration, seeding or `listen` throws (the test then fails in `beforeAll`).
 */
export async function startPortal(
  clock: ControllableClock,
  opts: { gateway?: GatewayConfig } = {},
): Promise<Portal> {
  const documentsDir = fs.mkdtempSync(path.join(os.tmpdir(), "sewa-e2e-documents-"));
  const port = opts.gateway ? await freePort() : 0;
  const config = {
    ...loadConfig(port ? { SEWA_PUBLIC_URL: `http://127.0.0.1:${port}` } : {}),
    dataDir: "memory://",
    logLevel: "warn",
    gateway: opts.gateway,
  };
  const database = await openAndMigrate({ databaseUrl: undefined, dataDir: "memory://" });
  await seedIfEmpty(database);
  const app = await buildApp({
    database,
    config,
    clock,
    store: fileStore(documentsDir),
    sms: capturingSms(),
    ...(opts.gateway ? { gateway: httpGateway(opts.gateway) } : {}),
  });
  await app.listen({ port, host: "127.0.0.1" });
  const address = app.server.address();
  if (address === null || typeof address === "string")
    throw new Error(`unexpected server address ${String(address)}`);
  return {
    url: `http://127.0.0.1:${address.port}`,
    app,
    database,
    clock,
    documentsDir,
    async close() {
      await app.close();
      await database.close();
      fs.rmSync(documentsDir, { recursive: true, force: true });
    },
  };
}

/** A free TCP port of 127.0.0.1 (asked of the system, then released). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error("no free port"))));
    });
  });
}

/** A `sewa gateway-simulator` process: its URL, the credentials the portal needs, and how to stop it. */
export type GatewaySimulatorProcess = {
  /** e.g. `http://127.0.0.1:41235`. */
  url: string;
  /** What the portal is given (env `SEWA_GATEWAY_URL`, `SEWA_GATEWAY_KEY_ID`, `SEWA_GATEWAY_SECRET`). */
  gateway: GatewayConfig;
  child: ChildProcess;
  /** Stops the process (SIGTERM) and waits for it to exit. */
  close(): Promise<void>;
};

/**
 * Starts `sewa gateway-simulator --port N --key-id … --secret …` (src/cli.ts
 * on the project's pinned Node.js) as a separate process, and waits for the
 * line that gives its URL.
 * @param port 0 (default) for any free port; or one from {@link freePort}, so
 *   that the portal can be started at the same time with the URL known in advance.
 * @throws Error when the process exits or says nothing within 150 s (a busy machine
 *   takes long to load src/cli.ts).
 */
export async function startGatewaySimulatorProcess(
  keyId: string,
  secret: string,
  port = 0,
): Promise<GatewaySimulatorProcess> {
  const node = path.join(REPO_ROOT, "node_modules/node/bin/node");
  const child = spawn(
    fs.existsSync(node) ? node : process.execPath,
    [
      path.join(REPO_ROOT, "src/cli.ts"),
      "gateway-simulator",
      "--port",
      String(port),
      "--key-id",
      keyId,
      "--secret",
      secret,
    ],
    { cwd: REPO_ROOT, stdio: ["ignore", "pipe", "pipe"] },
  );
  let output = "";
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGTERM");
      reject(new Error(`gateway simulator said nothing in 150 s: ${output}`));
    }, 150_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString("utf8");
      const found = /Payment gateway simulator at (http:\/\/\S+)/.exec(output);
      if (found?.[1]) {
        clearTimeout(timer);
        resolve(found[1]);
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`gateway simulator exited (${code}): ${output}`));
    });
  });
  return {
    url,
    gateway: { url, keyId, secret },
    child,
    async close() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      await exited;
    },
  };
}

/**
 * Launches headless Chromium ({@link CHROMIUM_PATH}, {@link CHROMIUM_ARGS}).
 * @throws Error with the install command when the binary is missing.
 */
export async function launchBrowser(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM_PATH}: run \`apt-get install -y chromium fonts-noto-core\` or set CHROMIUM_PATH`,
    );
  }
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS] });
}

/**
 * Saves a full-page PNG of `page` as `docs/screenshots/<name>.png`, after the
 * web fonts (Noto Sans, Gurmukhi, Devanagari) have loaded, so that a missing
 * glyph shows as what it is and not as a half-loaded page.
 *
 * @param name a file name without extension, numbered by step, e.g. `01-home-search`.
 * @returns the path written.
 */
export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  // A string, not a function: the project's TypeScript has no DOM library.
  await page.evaluate("document.fonts.ready.then(() => undefined)");
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true, animations: "disabled" });
  return file;
}

/** Runs `action` (a click, a submit) and waits until the page it leads to has loaded. */
export async function navigate(page: Page, action: () => Promise<unknown>): Promise<void> {
  const committed = page.waitForEvent("framenavigated", (f) => f === page.mainFrame());
  await action();
  await committed;
  await page.waitForLoadState("load");
}

/**
 * Signs the demo official `username` in on `page` (whose context has the
 * portal as `baseURL`): the English sign-in page, the demo password, then a
 * TOTP code from the demo secret (src/setup.ts). Ends on the page the portal
 * sends a signed-in official to.
 */
export async function signInStaff(page: Page, username: string): Promise<void> {
  await page.goto("/staff/login?lang=en");
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password").fill(DEMO_PASSWORD);
  await navigate(page, () => page.getByRole("button", { name: "Sign in" }).click());
  await page.getByLabel("6-digit code").fill(await generate({ secret: DEMO_TOTP_SECRET }));
  await navigate(page, () => page.getByRole("button", { name: "Continue" }).click());
}

/** The WCAG tags every page is checked against (WCAG 2.2 AA, which includes 2.0 and 2.1 A/AA). */
export const AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"] as const;

/** axe-core's violations on the page as it is now, one line each: `label: rule (impact) targets`. */
export async function axeViolations(page: Page, label: string): Promise<string[]> {
  const result = await new AxeBuilder({ page }).withTags([...AXE_TAGS]).analyze();
  return result.violations.map(
    (v) => `${label}: ${v.id} (${v.impact}) ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`,
  );
}
