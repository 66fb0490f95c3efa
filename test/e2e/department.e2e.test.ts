/**
 * Issue 10, done-when: the portal and the department simulator run as two
 * processes talking over HTTP. 200 applications are filed for a
 * department-handled service through the public API; the simulator processes
 * them with its misbehaviour on (late answers, 500s, duplicate and
 * out-of-order updates). Then every application ends in the state the
 * simulator decided, no timeline entry is duplicated, every webhook was
 * delivered at least once and processed once, and the due dates are right.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Database, openDatabase, rows } from "../../src/db/client.ts";
import type { SimulatorStatus } from "../../src/integration/simulator/server.ts";
import { REPO_ROOT } from "./harness.ts";

const COUNT = 200;
const NODE = fs.existsSync(path.join(REPO_ROOT, "node_modules/.bin/node"))
  ? path.join(REPO_ROOT, "node_modules/.bin/node")
  : process.execPath;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
    s.on("error", reject);
  });
}

async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs: number,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch {
      // not yet
    }
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

function stop(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
  });
}

describe("a department system on the portal, over HTTP", () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "sewa-e2e-department-"));
  let portal: ChildProcess | undefined;
  let simulator: ChildProcess | undefined;
  let portalUrl = "";
  let simUrl = "";
  let credentials: { clientId: string; secret: string };
  let serviceId = 0;
  let tehsil = 0;
  const output: string[] = [];

  const env = {
    ...process.env,
    SEWA_DATA_DIR: dataDir,
    DATABASE_URL: "",
    LOG_LEVEL: "warn",
    SEWA_WEBHOOK_POLL_MS: "200",
    SEWA_WEBHOOK_RETRY_BASE_MS: "300",
    SEWA_WEBHOOK_TIMEOUT_MS: "1500",
  };
  const cli = (...args: string[]) =>
    promisify(execFile)(NODE, ["src/cli.ts", ...args], { cwd: REPO_ROOT, env });

  beforeAll(async () => {
    await cli("seed");
    const database: Database = await openDatabase({ dataDir });
    const [svc] = await rows<{ id: number; code: string; department: string }>(
      database.db,
      sql`select s.id, s.code, d.code as department from services s join departments d on d.id = s.department_id
          where s.time_limit_days between 5 and 30 order by s.id limit 1`,
    );
    const [t] = await rows<{ code: number }>(
      database.db,
      sql`select code from tehsils where district_code = 36 order by code limit 1`,
    );
    await database.close();
    serviceId = svc?.id as number;
    tehsil = t?.code as number;
    const portalPort = await freePort();
    const simPort = await freePort();
    portalUrl = `http://127.0.0.1:${portalPort}`;
    simUrl = `http://127.0.0.1:${simPort}`;
    const created = await cli(
      "api-client",
      "create",
      "--name",
      "Simulated department",
      "--department",
      svc?.department as string,
      "--service",
      svc?.code as string,
      "--webhook-url",
      `${simUrl}/webhooks`,
      "--json",
    );
    credentials = JSON.parse(created.stdout.trim().split("\n").at(-1) as string);

    portal = spawn(NODE, ["src/main.ts"], {
      cwd: REPO_ROOT,
      env: { ...env, PORT: String(portalPort) },
      stdio: ["ignore", "pipe", "pipe"],
    });
    portal.stdout?.on("data", (d) => output.push(`[portal] ${d}`));
    portal.stderr?.on("data", (d) => output.push(`[portal] ${d}`));
    await waitFor(
      "the portal",
      async () => ((await fetch(`${portalUrl}/readyz`)).ok ? true : undefined),
      120_000,
    );

    simulator = spawn(
      NODE,
      [
        "src/cli.ts",
        "department-simulator",
        "--port",
        String(simPort),
        "--portal",
        portalUrl,
        "--client-id",
        credentials.clientId,
        "--secret",
        credentials.secret,
        "--mix",
        "approved=60,sent_back=20,rejected=20",
        "--timeouts",
        "0.1",
        "--errors",
        "0.15",
        "--duplicates",
        "0.3",
        "--out-of-order",
        "0.3",
        "--hang-ms",
        "2500",
        "--seed",
        "e2e",
      ],
      { cwd: REPO_ROOT, env, stdio: ["ignore", "pipe", "pipe"] },
    );
    simulator.stderr?.on("data", (d) => output.push(`[simulator] ${d}`));
    await waitFor(
      "the simulator",
      async () => ((await fetch(`${simUrl}/status`)).ok ? true : undefined),
      60_000,
    );
  }, 600_000);

  afterAll(async () => {
    await stop(simulator);
    await stop(portal);
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it("processes 200 applications with misbehaviour on: final states, timelines, webhooks and due dates", async () => {
    const filed = new Map<string, string | null>();
    for (let i = 0; i < COUNT; i++) {
      const res = await fetch(`${portalUrl}/api/v1/applications`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          // One address per applicant, as from many Sewa Kendras (the API's rate limit is per address).
          "x-forwarded-for": `10.1.${Math.floor(i / 200)}.${i % 200}`,
          "idempotency-key": `e2e-${i}`,
        },
        body: JSON.stringify({
          serviceId,
          applicant: {
            name: `Applicant ${i}`,
            relativeName: "Harjit Singh",
            gender: "female",
            dateOfBirth: "1990-04-01",
            mobile: "9876543210",
          },
          address: { line1: `House ${i}`, districtCode: 36, tehsilCode: tehsil, pincode: "141002" },
          purpose: "End-to-end test of a department system",
          declaration: true,
        }),
      });
      expect(res.status, await res.clone().text()).toBe(201);
      const body = (await res.json()) as { reference: string; dueDate: string | null };
      filed.set(body.reference, body.dueDate);
    }

    const status = await waitFor(
      "the simulator to decide every application",
      async () => {
        const s = (await (await fetch(`${simUrl}/status`)).json()) as SimulatorStatus;
        const decided = [...filed.keys()].filter((r) => s.decisions[r]).length;
        return decided === COUNT && s.inFlight === 0 ? s : undefined;
      },
      420_000,
    ).catch((e) => {
      throw new Error(`${(e as Error).message}\n${output.join("").slice(-4000)}`);
    });

    // Every webhook was delivered (with a valid signature) and processed exactly once.
    expect(status.failedEvents).toBe(0);
    expect(status.refused).toBe(0);
    const events = Object.values(status.processedPerEvent);
    expect(events).toHaveLength(COUNT);
    expect(events.every((n) => n === 1)).toBe(true);

    // Through the integration API: each application is in the state the simulator decided,
    // with one timeline entry per step, and the due date kept (or paused for a deficiency).
    const token = (await (
      await fetch(`${portalUrl}/api/v1/oauth/token`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: `grant_type=client_credentials&client_id=${encodeURIComponent(credentials.clientId)}&client_secret=${encodeURIComponent(credentials.secret)}`,
      })
    ).json()) as { access_token: string };
    const tally: Record<string, number> = {};
    for (const [reference, dueDate] of filed) {
      const res = await fetch(`${portalUrl}/api/v1/integration/applications/${reference}`, {
        headers: { authorization: `Bearer ${token.access_token}` },
      });
      expect(res.status).toBe(200);
      const app = (await res.json()) as {
        status: string;
        dueDate: string | null;
        timeline: Array<{ action: string }>;
        documents: Array<{ kind: string }>;
      };
      const decided = status.decisions[reference];
      expect(app.status, reference).toBe(decided?.decision);
      tally[app.status] = (tally[app.status] ?? 0) + 1;
      expect(app.timeline.map((e) => e.action)).toEqual(["submitted", "under_process", app.status]);
      expect(app.dueDate).toBe(app.status === "sent_back" ? null : dueDate);
      expect(app.documents.filter((d) => d.kind === "output")).toHaveLength(
        app.status === "approved" ? 1 : 0,
      );
    }
    expect(Object.keys(tally).sort()).toEqual(["approved", "rejected", "sent_back"]);
    // The misbehaviour happened: webhooks were re-sent after late answers and 500s.
    expect(status.webhooks).toBeGreaterThan(COUNT);
    expect(status.duplicateEvents).toBeGreaterThan(0);

    // Stop both, then read the portal's own records.
    await stop(simulator);
    await stop(portal);
    const database = await openDatabase({ dataDir });
    try {
      const deliveries = await rows<{ status: string; n: number }>(
        database.db,
        sql`select status, count(*)::int as n from webhook_deliveries group by status`,
      );
      expect(deliveries).toEqual([{ status: "delivered", n: COUNT }]);
      const duplicates = await rows<{ n: number }>(
        database.db,
        sql`select count(*)::int as n from (
                select application_id, action from application_events group by application_id, action having count(*) > 1
              ) d`,
      );
      expect(duplicates[0]?.n).toBe(0);
      const retried = await rows<{ n: number }>(
        database.db,
        sql`select count(*)::int as n from webhook_deliveries where attempts > 1`,
      );
      expect(retried[0]?.n).toBeGreaterThan(0);
    } finally {
      await database.close();
    }
  }, 600_000);
});
