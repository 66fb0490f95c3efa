import http from "node:http";
import type { AddressInfo } from "node:net";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as apps from "../applications/service.ts";
import { rows } from "../db/client.ts";
import { testDatabases } from "../db/testing.ts";
import { startTestPortal, type TestPortal } from "../web/testing.ts";
import { createClient, type IssuedSecret } from "./clients.ts";
import { verifyWebhook } from "./crypto.ts";
import { attemptsOf, backoffMs, listDeliveries, resend, runWebhooks } from "./webhooks.ts";

type Received = { headers: http.IncomingHttpHeaders; body: string };

describe.each(testDatabases())("webhooks on $name", (which) => {
  let portal: TestPortal;
  let client: IssuedSecret;
  let serviceId: number;
  let otherServiceId: number;
  let tehsil: number;
  let server: http.Server;
  const received: Received[] = [];
  /** Answers to give, in order (then 204). */
  const answers: number[] = [];

  const opts = () => ({ serverSecret: portal.app.deps.config.secretKey, retryBaseMs: 30_000 });

  async function file(id: number): Promise<string> {
    const r = await apps.submitApplication(portal.database.db, {
      application: {
        serviceId: id,
        applicant: {
          name: "Gurpreet Kaur",
          relativeName: "Harjit Singh",
          gender: "female",
          dateOfBirth: "1990-04-01",
          mobile: "9876543210",
        },
        address: { line1: "House 12", districtCode: 36, tehsilCode: tehsil, pincode: "141002" },
        purpose: "Webhook test",
        declaration: true,
      } as never,
      documentIds: [],
      channel: "api",
      now: portal.clock.now(),
    });
    return r.reference;
  }

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let body = "";
      req.on("data", (c) => {
        body += c;
      });
      req.on("end", () => {
        received.push({ headers: req.headers, body });
        res.statusCode = answers.shift() ?? 204;
        res.end();
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
    portal = await startTestPortal(which);
    const db = portal.database.db;
    const [dept] = await rows<{ code: string; id: number }>(
      db,
      sql`select d.code, d.id from departments d join services s on s.department_id = d.id
          where s.time_limit_days > 0 group by d.code, d.id having count(*) >= 2 order by d.code limit 1`,
    );
    const svcs = await rows<{ id: number; code: string }>(
      db,
      sql`select id, code from services where department_id = ${dept?.id} and time_limit_days > 0 order by id limit 2`,
    );
    serviceId = svcs[0]?.id as number;
    otherServiceId = svcs[1]?.id as number;
    const [t] = await rows<{ code: number }>(
      db,
      sql`select code from tehsils where district_code = 36 order by code limit 1`,
    );
    tehsil = t?.code as number;
    client = await createClient(
      db,
      {
        name: "Webhook receiver",
        departmentCode: dept?.code as string,
        serviceCodes: [svcs[0]?.code as string],
        webhookUrl: url,
      },
      { actor: "test", now: portal.clock.now(), serverSecret: portal.app.deps.config.secretKey },
    );
  });
  afterAll(async () => {
    await portal?.close();
    await new Promise((r) => server.close(r));
  });

  it("pushes a signed event for the client's services only, once per event", async () => {
    const ref = await file(serviceId);
    await file(otherServiceId);
    const run = await runWebhooks(portal.database.db, portal.clock.now(), opts());
    expect(run).toMatchObject({ planned: 1, delivered: 1, failed: 0 });
    expect(received).toHaveLength(1);
    const got = received[0] as Received;
    const body = JSON.parse(got.body);
    expect(body).toMatchObject({
      type: "application.submitted",
      data: { reference: ref, serviceId },
    });
    expect(got.headers["sewa-event-id"]).toBe(body.id);
    const check = verifyWebhook({
      key: client.webhookKey,
      body: got.body,
      timestamp: got.headers["sewa-timestamp"] as string,
      signature: got.headers["sewa-signature"] as string,
      nowSeconds: Math.floor(portal.clock.now().epochMilliseconds / 1000),
    });
    expect(check).toEqual({ ok: true });
    // Another run (or another node) plans and sends nothing again.
    const again = await runWebhooks(portal.database.db, portal.clock.now(), opts());
    expect(again).toMatchObject({ planned: 0, delivered: 0 });
    expect(received).toHaveLength(1);
  });

  it("retries with exponential back-off, logs every attempt, and gives up after 24 hours", async () => {
    received.length = 0;
    answers.push(500, 503);
    await file(serviceId);
    const db = portal.database.db;
    expect(await runWebhooks(db, portal.clock.now(), opts())).toMatchObject({ failed: 1 });
    // Not due yet: nothing is sent.
    portal.clock.advance(10 / 3600);
    expect(await runWebhooks(db, portal.clock.now(), opts())).toMatchObject({
      delivered: 0,
      failed: 0,
    });
    portal.clock.advance(25 / 3600);
    expect(await runWebhooks(db, portal.clock.now(), opts())).toMatchObject({ failed: 1 });
    portal.clock.advance(61 / 3600);
    expect(await runWebhooks(db, portal.clock.now(), opts())).toMatchObject({ delivered: 1 });
    const [d] = await listDeliveries(db, { clientId: client.client.id, limit: 1 });
    expect(d).toMatchObject({ status: "delivered", attempts: 3 });
    const tries = await attemptsOf(db, d?.id as number);
    expect(tries.map((t) => t.status_code)).toEqual([500, 503, 204]);
    // The same event id every time: the receiver deduplicates by it.
    expect(new Set(received.map((r) => r.headers["sewa-event-id"])).size).toBe(1);

    expect(backoffMs(1)).toBe(30_000);
    expect(backoffMs(2)).toBe(60_000);
    expect(backoffMs(20)).toBe(3_600_000);
    // A receiver that never answers 2xx is given up after 24 hours.
    answers.push(...Array(60).fill(500));
    await file(serviceId);
    for (let i = 0; i < 40; i++) {
      await runWebhooks(db, portal.clock.now(), opts());
      portal.clock.advance(1);
    }
    const [gaveUp] = await listDeliveries(db, { clientId: client.client.id, limit: 1 });
    expect(gaveUp).toMatchObject({ status: "failed", next_attempt_at: null });
    answers.length = 0;
    // An administrator re-sends it.
    await resend(db, gaveUp?.id as number, { actor: "official:1", now: portal.clock.now() });
    expect(await runWebhooks(db, portal.clock.now(), opts())).toMatchObject({ delivered: 1 });
  });

  it("pushes resubmissions after a deficiency", async () => {
    received.length = 0;
    const ref = await file(serviceId);
    const db = portal.database.db;
    await runWebhooks(db, portal.clock.now(), opts());
    const auth = await portal.app.inject({
      method: "POST",
      url: "/api/v1/oauth/token",
      payload: {
        grant_type: "client_credentials",
        client_id: client.client.clientId,
        client_secret: client.secret,
      },
    });
    const sent = await portal.app.inject({
      method: "POST",
      url: `/api/v1/integration/applications/${ref}/updates`,
      headers: { authorization: `Bearer ${auth.json().access_token}` },
      payload: { status: "sent_back", remark: "Attach the fard" },
    });
    expect(sent.statusCode).toBe(200);
    const row = await apps.findApplicationByReference(db, ref);
    await apps.resubmit(db, row as apps.ApplicationRow, {
      application: row?.formData as never,
      documentIds: [],
      version: row?.version as number,
      now: portal.clock.now(),
    });
    await runWebhooks(db, portal.clock.now(), opts());
    expect(received.map((r) => JSON.parse(r.body).type)).toEqual([
      "application.submitted",
      "application.resubmitted",
    ]);
  });
});
