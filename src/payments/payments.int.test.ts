/**
 * Fees and payments end to end (issue 8): the citizen pays online through
 * the gateway simulator (a real HTTP server), a failed attempt is retried,
 * the signed webhook is replayed (C-19), two counters take the same cash fee
 * at once (C-20), receipts, reconciliation against the settlement report,
 * and a refund after rejection.
 */
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as applications from "../applications/service.ts";
import { rows } from "../db/client.ts";
import { testDatabases } from "../db/testing.ts";
import {
  actorFor,
  createOfficial,
  findOfficialByUsername,
  startSession,
} from "../identity/service.ts";
import { startTestPortal, TEST_GATEWAY_SECRET, type TestPortal } from "../web/testing.ts";
import { hmacHex, httpGateway } from "./gateway.ts";
import {
  formatReceiptNumber,
  reconcile,
  recordCounterPayment,
  recordReconciliation,
  refundPayment,
} from "./service.ts";

describe("receipt numbers", () => {
  it("carry the Indian financial year and a 7-digit sequence", () => {
    expect(formatReceiptNumber("2025-10-17", 42)).toBe("RCPT-2025-26-0000042");
    expect(formatReceiptNumber("2026-03-31", 1)).toBe("RCPT-2025-26-0000001");
    expect(formatReceiptNumber("2026-04-01", 1)).toBe("RCPT-2026-27-0000001");
  });
});

describe.each(testDatabases())("payments on $name", (which) => {
  let portal: TestPortal;
  let tehsil = 0;
  let csrf = { token: "", cookie: "" };
  beforeAll(async () => {
    portal = await startTestPortal(which);
    const [t] = await rows<{ code: number }>(
      portal.database.db,
      sql`select code from tehsils where district_code = 36 order by code limit 1`,
    );
    tehsil = t?.code as number;
  });
  afterAll(async () => portal?.close());

  /** Files an income certificate application (₹75 a copy) straight through the service layer. */
  async function file(mobile: string, copies = 1) {
    const db = portal.database.db;
    const [def] = await rows<{ id: number; service_id: number }>(
      db,
      sql`select id, service_id from service_definitions where code = 'income-certificate' and status = 'published'`,
    );
    const filed = await applications.submitApplication(db, {
      application: {
        kind: "definition",
        serviceId: def?.service_id as number,
        definitionId: def?.id as number,
        initialStage: "submitted",
        timeLimitDays: 15,
        basis: "working",
        noticePeriodDays: 0,
        feePaise: 7500 * copies,
        applicant: { name: "Fee Payer", mobile, districtCode: 36, tehsilCode: tehsil },
        answers: { copies },
        documents: {},
      },
      documentIds: [],
      channel: "online",
      now: portal.clock.now(),
    });
    return filed.reference;
  }

  /** A citizen's browser that tracks `reference` (the tracking grant cookie). */
  async function tracker(reference: string, mobile: string) {
    const page = await portal.app.inject({ url: "/track" });
    csrf = {
      token: /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1] as string,
      cookie: page.cookies.map((c) => `${c.name}=${c.value}`).join("; "),
    };
    const res = await portal.app.inject({
      method: "POST",
      url: "/track",
      payload: new URLSearchParams({ reference, mobile, _csrf: csrf.token }).toString(),
      headers: { "content-type": "application/x-www-form-urlencoded", cookie: csrf.cookie },
    });
    const cookie = [csrf.cookie, ...res.cookies.map((c) => `${c.name}=${c.value}`)].join("; ");
    return {
      get: (url: string) => portal.app.inject({ url, headers: { cookie } }),
      post: (url: string) =>
        portal.app.inject({
          method: "POST",
          url,
          payload: new URLSearchParams({ _csrf: csrf.token }).toString(),
          headers: { "content-type": "application/x-www-form-urlencoded", cookie },
        }),
    };
  }

  /** Chooses an outcome on the simulator's page (real HTTP) and returns where it sends the browser back. */
  async function atGateway(payUrl: string, outcome: string): Promise<string> {
    const page = await fetch(payUrl);
    expect(await page.text()).toContain("Pay (success)");
    const res = await fetch(payUrl, {
      method: "POST",
      body: new URLSearchParams({ outcome }),
      headers: { "content-type": "application/x-www-form-urlencoded" },
      redirect: "manual",
    });
    expect(res.status).toBe(303);
    const back = new URL(res.headers.get("location") as string);
    return `${back.pathname}${back.search}`;
  }

  const count = async (q: ReturnType<typeof sql>) =>
    Number((await rows<{ n: number }>(portal.database.db, q))[0]?.n);

  it("C-19: pays online: a failure, a retry, replayed webhooks → one payment, one receipt, one SMS", async () => {
    const mobile = "9876501234";
    const reference = await file(mobile, 2);
    const citizen = await tracker(reference, mobile);
    const track = await citizen.get(`/track/${reference}`);
    expect(track.body).toContain("Pay ₹150 online");

    // First attempt fails at the bank.
    const first = await citizen.post(`/track/${reference}/pay`);
    expect(first.statusCode).toBe(303);
    const failedReturn = await atGateway(first.headers.location as string, "failure");
    const failed = await citizen.get(failedReturn);
    expect(failed.headers.location).toBe(`/track/${reference}?payment=failed`);
    expect((await citizen.get(`/track/${reference}?payment=failed`)).body).toContain(
      "did not go through",
    );

    // The retry succeeds. The webhook arrives first (signed), then the browser, then the webhook twice more (C-19).
    const second = await citizen.post(`/track/${reference}/pay`);
    const orderId = new URL(second.headers.location as string).pathname.split("/").pop() as string;
    const paidReturn = await atGateway(second.headers.location as string, "success");
    const params = new URL(paidReturn, "http://x").searchParams;
    const raw = JSON.stringify({
      event: "payment.paid",
      orderId,
      paymentId: params.get("paymentId"),
      status: "paid",
      amountPaise: 15000,
    });
    const webhook = (body = raw, signature = hmacHex(TEST_GATEWAY_SECRET, body)) =>
      portal.app.inject({
        method: "POST",
        url: "/api/v1/payments/webhook",
        payload: body,
        headers: { "content-type": "application/json", "x-gateway-signature": signature },
      });
    expect((await webhook()).json()).toMatchObject({ received: true, changed: true });
    expect((await citizen.get(paidReturn)).headers.location).toBe(
      `/track/${reference}?payment=paid`,
    );
    const replays = await Promise.all([webhook(), webhook()]);
    for (const r of replays) expect(r.json()).toMatchObject({ received: true, changed: false });

    const app = await applications.findApplicationByReference(portal.database.db, reference);
    expect(
      await count(
        sql`select count(*)::int as n from payments where application_id = ${app?.id} and status = 'paid'`,
      ),
    ).toBe(1);
    expect(
      await count(
        sql`select count(*)::int as n from payments where application_id = ${app?.id} and status = 'failed'`,
      ),
    ).toBe(1);
    expect(
      await count(
        sql`select count(*)::int as n from application_events where application_id = ${app?.id} and action = 'fee_paid'`,
      ),
    ).toBe(1);
    expect(
      await count(
        sql`select count(*)::int as n from outbox_events where topic = 'payment.received' and payload->>'reference' = ${reference}`,
      ),
    ).toBe(1);

    const paidPage = await citizen.get(`/track/${reference}?payment=paid`);
    expect(paidPage.body).toContain("Payment received");
    expect(paidPage.body).not.toContain("online</button>");
    const receipt = /\/receipts\/(RCPT-[0-9-]+)/.exec(paidPage.body)?.[1] as string;
    expect(receipt).toMatch(/^RCPT-2025-26-\d{7}$/);
    const pdf = await citizen.get(`/track/${reference}/receipts/${receipt}`);
    expect(pdf.headers["content-type"]).toBe("application/pdf");
    expect(pdf.rawPayload.subarray(0, 5).toString()).toBe("%PDF-");

    // Tampering is refused: a body that does not match its signature, and an altered return.
    expect(
      (await webhook(raw.replace("15000", "1500"), hmacHex(TEST_GATEWAY_SECRET, raw))).statusCode,
    ).toBe(401);
    expect(
      (await citizen.get(paidReturn.replace("amountPaise=15000", "amountPaise=1"))).statusCode,
    ).toBe(400);

    // Reconciliation with the simulator's settlement report for the day.
    const gateway = httpGateway({
      url: portal.gateway.url,
      keyId: "test",
      secret: TEST_GATEWAY_SECRET,
    });
    const day = "2025-10-17";
    const clean = await reconcile(portal.database.db, gateway, day);
    expect(clean.matched).toBeGreaterThanOrEqual(1);
    expect(clean.mismatches).toEqual([]);
    await portal.database.db.execute(
      sql`update payments set amount_paise = 14000 where gateway_order_id = ${orderId}`,
    );
    const off = await reconcile(portal.database.db, gateway, day);
    expect(off.mismatches).toEqual([
      expect.objectContaining({ kind: "amount_differs", sewaPaise: 14000, gatewayPaise: 15000 }),
    ]);
    // The nightly job records the run; the reconciliation page lists it for the accounts staff.
    await recordReconciliation(portal.database.db, gateway, day, portal.clock.now());
    const admin = await findOfficialByUsername(portal.database.db, "accounts");
    const page = await portal.app.inject({
      url: `/admin/payments?date=${day}`,
      headers: {
        cookie: `sewa_staff=${await startSession(portal.database.db, admin?.id ?? null, new Date(), { mfa: true })}`,
      },
    });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain("Amounts differ");
    expect(page.body).toContain(`href="/admin/payments?date=${day}"`); // the nightly run's row
    await portal.database.db.execute(
      sql`update payments set amount_paise = 15000 where gateway_order_id = ${orderId}`,
    );

    // Rejected later: the fee is refunded through the gateway.
    const officer = await actorFor(portal.database.db, "do.ludhiana", day);
    const clerk = await actorFor(portal.database.db, "clerk.ludhiana", day);
    const { decideByDefinition } = await import("../applications/definition-decisions.ts");
    let row = await applications.findApplicationByReference(portal.database.db, reference);
    await decideByDefinition(
      portal.database.db,
      clerk,
      reference,
      { action: "send_for_verification", remark: "", version: row?.version ?? 0 },
      portal.clock.now(),
    );
    row = await applications.findApplicationByReference(portal.database.db, reference);
    await decideByDefinition(
      portal.database.db,
      clerk,
      reference,
      { action: "submit_report", remark: "Income not proved", version: row?.version ?? 0 },
      portal.clock.now(),
    );
    row = await applications.findApplicationByReference(portal.database.db, reference);
    await decideByDefinition(
      portal.database.db,
      officer,
      reference,
      { action: "reject", remark: "Income not proved", version: row?.version ?? 0 },
      portal.clock.now(),
    );
    // The designated officer refunds it from the desk (one form per paid receipt).
    const doOfficial = await findOfficialByUsername(portal.database.db, "do.ludhiana");
    const doCookie = `sewa_staff=${await startSession(portal.database.db, doOfficial?.id ?? null, new Date(), { mfa: true })}`;
    const desk = await portal.app.inject({
      url: `/desk/applications/${reference}`,
      headers: { cookie: doCookie },
    });
    expect(desk.body).toContain("Refund the fee");
    const refund = await portal.app.inject({
      method: "POST",
      url: `/desk/applications/${reference}/refund`,
      payload: new URLSearchParams({
        receipt,
        reason: "Rejected: income not proved",
        _csrf: csrf.token,
      }).toString(),
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        cookie: [csrf.cookie, doCookie].join("; "),
      },
    });
    expect(refund.headers.location).toBe(`/desk/applications/${reference}?refund=done`);
    const again = await refundPayment(portal.database.db, gateway, {
      receiptNumber: receipt,
      reason: "again",
      officialId: officer.officialId,
      now: portal.clock.now(),
    }).then(
      () => "refunded twice",
      (e: { kind?: string }) => e.kind,
    );
    expect(again).toBe("invalid_transition");
    expect(
      await count(
        sql`select count(*)::int as n from payments where receipt_number = ${receipt} and status = 'refunded'`,
      ),
    ).toBe(1);
  });

  it("C-20: two counters take the same cash fee at once → one payment, ₹0 balance, the other refused", async () => {
    const reference = await file("9876505678");
    const db = portal.database.db;
    const operator = await db.transaction((tx) =>
      createOfficial(tx, {
        username: `operator.${which.name}`,
        name: "Counter Operator",
        designation: "Sewa Kendra operator",
        password: "counter-test-password-9",
        posting: {
          role: "kendra_operator",
          level: "district",
          districtCode: 36,
          validFrom: "2020-01-01",
        },
      }),
    );
    const take = () =>
      recordCounterPayment(db, {
        reference,
        method: "cash",
        amountPaise: 7500,
        officialId: operator.id,
        collectedAt: "counter:1",
        now: portal.clock.now(),
      }).then(
        () => "paid",
        (e: Error & { kind?: string }) => e.kind ?? e.message,
      );
    const outcomes = (await Promise.all([take(), take()])).sort();
    expect(outcomes).toEqual(["conflict", "paid"]);
    const app = await applications.findApplicationByReference(db, reference);
    expect(
      await count(sql`select count(*)::int as n from payments where application_id = ${app?.id}`),
    ).toBe(1);
    const { feeStatus } = await import("./service.ts");
    expect((await feeStatus(db, reference)).balancePaise).toBe(0);
    // A wrong amount is refused with a field error and nothing is stored.
    const other = await file("9876509999");
    await expect(
      recordCounterPayment(db, {
        reference: other,
        method: "cash",
        amountPaise: 5000,
        officialId: operator.id,
        collectedAt: "counter:1",
        now: portal.clock.now(),
      }),
    ).rejects.toMatchObject({ kind: "validation" });
  });
});
