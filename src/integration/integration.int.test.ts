import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as apps from "../applications/service.ts";
import { verifyAudit } from "../audit/service.ts";
import { rows } from "../db/client.ts";
import { testDatabases } from "../db/testing.ts";
import { startTestPortal, type TestPortal } from "../web/testing.ts";
import { createClient, type IssuedSecret, rotateSecret, setClientStatus } from "./clients.ts";

/** A minimal valid PDF. */
const PDF = Buffer.from("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n");

describe.each(testDatabases())("integration API on $name", (which) => {
  let portal: TestPortal;
  let a: IssuedSecret;
  let serviceA: { id: number; code: string };
  let serviceB: { id: number; code: string };
  let tehsil: number;

  const token = async (c: IssuedSecret, secret = c.secret) => {
    const res = await portal.app.inject({
      method: "POST",
      url: "/api/v1/oauth/token",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        authorization: `Basic ${Buffer.from(`${c.client.clientId}:${secret}`).toString("base64")}`,
      },
      payload: "grant_type=client_credentials",
    });
    return res;
  };
  const bearer = async (c: IssuedSecret) => `Bearer ${(await token(c)).json().access_token}`;

  async function file(serviceId: number): Promise<string> {
    const r = await apps.submitApplication(portal.database.db, {
      application: {
        serviceId,
        applicant: {
          name: "Gurpreet Kaur",
          relativeName: "Harjit Singh",
          gender: "female",
          dateOfBirth: "1990-04-01",
          mobile: "9876543210",
        },
        address: { line1: "House 12", districtCode: 36, tehsilCode: tehsil, pincode: "141002" },
        purpose: "Integration test",
        declaration: true,
      } as never,
      documentIds: [],
      channel: "api",
      now: portal.clock.now(),
    });
    return r.reference;
  }

  beforeAll(async () => {
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
    serviceA = svcs[0] as { id: number; code: string };
    serviceB = svcs[1] as { id: number; code: string };
    const [t] = await rows<{ code: number }>(
      db,
      sql`select code from tehsils where district_code = 36 order by code limit 1`,
    );
    tehsil = t?.code as number;
    const ctx = {
      actor: "test",
      now: portal.clock.now(),
      serverSecret: portal.app.deps.config.secretKey,
    };
    a = await createClient(
      db,
      { name: "System A", departmentCode: dept?.code as string, serviceCodes: [serviceA.code] },
      ctx,
    );
    // Client B: another service of the same department.
    await createClient(
      db,
      { name: "System B", departmentCode: dept?.code as string, serviceCodes: [serviceB.code] },
      ctx,
    );
  });
  afterAll(async () => portal?.close());

  it("issues tokens for the right secret only (client credentials)", async () => {
    expect((await token(a, "sws_wrong")).statusCode).toBe(401);
    const ok = await token(a);
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ token_type: "Bearer", expires_in: 900 });
    const noToken = await portal.app.inject({ url: "/api/v1/integration/applications" });
    expect(noToken.statusCode).toBe(401);
    expect(noToken.headers["content-type"]).toContain("application/problem+json");
    const forged = await portal.app.inject({
      url: "/api/v1/integration/applications",
      headers: { authorization: `${await bearer(a)}x` },
    });
    expect(forged.statusCode).toBe(401);
  });

  it("expires tokens after 15 minutes", async () => {
    const auth = await bearer(a);
    portal.clock.advance(0.26);
    const res = await portal.app.inject({
      url: "/api/v1/integration/applications",
      headers: { authorization: auth },
    });
    expect(res.statusCode).toBe(401);
  });

  it("client A never reads or acts on client B's applications", async () => {
    const mine = await file(serviceA.id);
    const theirs = await file(serviceB.id);
    const authA = await bearer(a);
    const list = await portal.app.inject({
      url: "/api/v1/integration/applications?limit=200",
      headers: { authorization: authA },
    });
    const refs = list.json().items.map((i: { reference: string }) => i.reference);
    expect(refs).toContain(mine);
    expect(refs).not.toContain(theirs);
    const read = await portal.app.inject({
      url: `/api/v1/integration/applications/${theirs}`,
      headers: { authorization: authA },
    });
    expect(read.statusCode).toBe(404);
    const act = await portal.app.inject({
      method: "POST",
      url: `/api/v1/integration/applications/${theirs}/updates`,
      headers: { authorization: authA },
      payload: { status: "rejected", remark: "not mine" },
    });
    expect(act.statusCode).toBe(404);
    const doc = await portal.app.inject({
      url: `/api/v1/integration/applications/${theirs}/documents/00000000-0000-0000-0000-000000000000`,
      headers: { authorization: authA },
    });
    expect(doc.statusCode).toBe(404);
    const still = await apps.findApplicationByReference(portal.database.db, theirs);
    expect(still?.status).toBe("submitted");
    const own = await portal.app.inject({
      url: `/api/v1/integration/applications/${mine}`,
      headers: { authorization: authA },
    });
    expect(own.statusCode).toBe(200);
    expect(own.json()).toMatchObject({ reference: mine, status: "submitted", version: 1 });
  });

  it("pages the waiting list with a cursor", async () => {
    await file(serviceA.id);
    await file(serviceA.id);
    const auth = await bearer(a);
    const seen: string[] = [];
    let cursor: string | null = "";
    while (cursor !== null) {
      const res = await portal.app.inject({
        url: `/api/v1/integration/applications?limit=1${cursor ? `&cursor=${cursor}` : ""}`,
        headers: { authorization: auth },
      });
      expect(res.statusCode).toBe(200);
      const page = res.json() as { items: Array<{ reference: string }>; nextCursor: string | null };
      seen.push(...page.items.map((i) => i.reference));
      cursor = page.nextCursor;
    }
    expect(seen.length).toBeGreaterThanOrEqual(3);
    expect(new Set(seen).size).toBe(seen.length);
  });

  it("records progress once, decides through the workflow, and replays idempotent writes", async () => {
    const ref = await file(serviceA.id);
    const auth = await bearer(a);
    const post = (payload: object, key?: string) =>
      portal.app.inject({
        method: "POST",
        url: `/api/v1/integration/applications/${ref}/updates`,
        headers: { authorization: auth, ...(key ? { "idempotency-key": key } : {}) },
        payload,
      });
    expect((await post({ status: "received" })).json()).toMatchObject({ recorded: true });
    expect((await post({ status: "under_process" })).json()).toMatchObject({ recorded: true });
    // A duplicate, and an out-of-order "received", record nothing.
    expect((await post({ status: "under_process" })).json()).toMatchObject({ recorded: false });
    expect((await post({ status: "received" })).json()).toMatchObject({ recorded: false });
    // An approval needs its output document.
    const bare = await post({ status: "approved" });
    expect(bare.statusCode).toBe(400);
    expect(bare.json().errors[0]).toMatchObject({ field: "document", code: "required" });
    const notPdf = await post({
      status: "approved",
      document: { filename: "x.pdf", content: Buffer.from("hello").toString("base64") },
    });
    expect(notPdf.statusCode).toBe(400);
    // A stale version is refused.
    expect((await post({ status: "rejected", remark: "x", version: 7 })).statusCode).toBe(409);
    const approve = {
      status: "approved",
      remark: "Certificate issued",
      document: { filename: "certificate.pdf", content: PDF.toString("base64") },
    };
    const first = await post(approve, "k-approve-1");
    expect(first.statusCode).toBe(200);
    expect(first.json()).toMatchObject({ status: "approved", version: 2, recorded: true });
    const replay = await post(approve, "k-approve-1");
    expect(replay.statusCode).toBe(200);
    expect(replay.headers["idempotent-replayed"]).toBe("true");
    expect(replay.json()).toEqual(first.json());
    const reused = await post({ status: "rejected", remark: "other" }, "k-approve-1");
    expect(reused.statusCode).toBe(422);
    // The workflow refuses a decision after disposal, as for an officer.
    const late = await post({ status: "under_process" });
    expect(late.statusCode).toBe(409);
    expect(late.json().type).toBe("https://sewa.punjab.gov.in/problems/invalid_transition");
    const again = await post({ status: "rejected", remark: "changed our mind" }, "k-reject-2");
    expect(again.statusCode).toBe(409);
    // A replayed error returns the first error.
    const againReplay = await post(
      { status: "rejected", remark: "changed our mind" },
      "k-reject-2",
    );
    expect(againReplay.statusCode).toBe(409);
    expect(againReplay.headers["idempotent-replayed"]).toBe("true");

    const view = await portal.app.inject({
      url: `/api/v1/integration/applications/${ref}`,
      headers: { authorization: auth },
    });
    const body = view.json();
    expect(body.timeline.map((e: { action: string }) => e.action)).toEqual([
      "submitted",
      "received_by_department",
      "under_process",
      "approved",
    ]);
    const output = body.documents.find((d: { kind: string }) => d.kind === "output");
    expect(output).toMatchObject({ filename: "certificate.pdf", mime: "application/pdf" });
    const bytes = await portal.app.inject({ url: output.href, headers: { authorization: auth } });
    expect(bytes.statusCode).toBe(200);
    expect(Buffer.compare(bytes.rawPayload, PDF)).toBe(0);
    expect(await verifyAudit(portal.database.db)).toMatchObject({ ok: true });
  });

  it("a deficiency pauses the time limit, and the resubmission is waiting again", async () => {
    const ref = await file(serviceA.id);
    const auth = await bearer(a);
    const before = await apps.findApplicationByReference(portal.database.db, ref);
    expect(before?.dueDate).not.toBeNull();
    const sent = await portal.app.inject({
      method: "POST",
      url: `/api/v1/integration/applications/${ref}/updates`,
      headers: { authorization: auth },
      payload: { status: "sent_back", remark: "Attach the fard" },
    });
    expect(sent.statusCode).toBe(200);
    expect(sent.json()).toMatchObject({ status: "sent_back", dueDate: null });
    const noRemark = await portal.app.inject({
      method: "POST",
      url: `/api/v1/integration/applications/${ref}/updates`,
      headers: { authorization: auth },
      payload: { status: "rejected" },
    });
    expect(noRemark.statusCode).toBe(400);
  });

  it("rotation keeps the old secret valid for the grace period only", async () => {
    const ctx = {
      actor: "test",
      now: portal.clock.now(),
      serverSecret: portal.app.deps.config.secretKey,
      graceHours: 1,
    };
    const rotated = await rotateSecret(portal.database.db, a.client.id, ctx);
    expect((await token(a, rotated.secret)).statusCode).toBe(200);
    expect((await token(a)).statusCode).toBe(200);
    portal.clock.advance(2);
    expect((await token(a)).statusCode).toBe(401);
    expect((await token(a, rotated.secret)).statusCode).toBe(200);
    a = rotated;
  });

  it("refuses tokens and calls of a disabled client", async () => {
    const ctx = { actor: "test", now: portal.clock.now() };
    const auth = await bearer(a);
    await setClientStatus(portal.database.db, a.client.id, "disabled", ctx);
    expect((await token(a)).statusCode).toBe(401);
    const call = await portal.app.inject({
      url: "/api/v1/integration/applications",
      headers: { authorization: auth },
    });
    expect(call.statusCode).toBe(401);
    await setClientStatus(portal.database.db, a.client.id, "active", ctx);
    expect((await token(a)).statusCode).toBe(200);
  });

  it("documents the integration routes in the OpenAPI document", async () => {
    const doc = (await portal.app.inject({ url: "/api/docs/json" })).json();
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        "/api/v1/oauth/token",
        "/api/v1/integration/applications",
        "/api/v1/integration/applications/{reference}/updates",
      ]),
    );
  });
});
