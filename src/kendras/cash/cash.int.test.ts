/**
 * The counter's day close (issue 9): fees taken at a counter are attributed
 * to the operator's Sewa Kendra and counter; the close expects that counter's
 * cash receipts of the IST day (card/UPI apart, other counters and days
 * excluded); a difference needs a remark; one close per counter and day; the
 * manager of that centre approves or returns it (another centre's manager
 * gets 404).
 */
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as applications from "../../applications/service.ts";
import { rows } from "../../db/client.ts";
import { testDatabases } from "../../db/testing.ts";
import { startTestPortal, type TestPortal } from "../../web/testing.ts";
import {
  seedKendraOfficial,
  seedTestKendra,
  staffBrowser,
  type TestBrowser,
} from "../assisted/testing.ts";
import { countedPaiseOf } from "./service.ts";

const KENDRA = "ZZ-LDH-02";
const OTHER = "ZZ-PTA-02";

describe("countedPaiseOf", () => {
  it("reads rupees and paise boxes in any script, and refuses the rest", () => {
    expect(countedPaiseOf("1,250", "50")).toBe(125050);
    expect(countedPaiseOf("੧੪੦", "")).toBe(14000);
    expect(countedPaiseOf("१४०", "५")).toBe(14005);
    expect(countedPaiseOf("", "75")).toBe(75);
    expect(() => countedPaiseOf("", "")).toThrow(/Enter the amount counted/);
    expect(() => countedPaiseOf("12.5", "")).toThrow(/whole number/);
    expect(() => countedPaiseOf("-5", "")).toThrow(/whole number/);
    expect(() => countedPaiseOf("10", "100")).toThrow(/0 to 99/);
  });
});

describe.each(testDatabases())("day close on $name", (which) => {
  let portal: TestPortal;
  let operatorId = 0;
  let operator: TestBrowser;
  let managerId = 0;
  let manager: TestBrowser;
  let stranger: TestBrowser;
  let tehsil = 0;
  let definitionId = 0;
  let serviceId = 0;
  beforeAll(async () => {
    portal = await startTestPortal(which, "2026-03-02T10:00:00+05:30");
    const db = portal.database;
    await seedTestKendra(db, { code: KENDRA, name: "Close Ludhiana", districtCode: 36 });
    await seedTestKendra(db, { code: OTHER, name: "Close Patiala", districtCode: 41 });
    operatorId = await seedKendraOfficial(db, {
      username: `op.close.${which.name}`,
      role: "kendra_operator",
      districtCode: 36,
      kendraCode: KENDRA,
    });
    managerId = await seedKendraOfficial(db, {
      username: `mgr.close.${which.name}`,
      role: "kendra_manager",
      districtCode: 36,
      kendraCode: KENDRA,
    });
    const otherManager = await seedKendraOfficial(db, {
      username: `mgr.other.${which.name}`,
      role: "kendra_manager",
      districtCode: 41,
      kendraCode: OTHER,
    });
    operator = await staffBrowser(portal, operatorId, { kendraCode: KENDRA, counter: 1 });
    manager = await staffBrowser(portal, managerId);
    stranger = await staffBrowser(portal, otherManager);
    const [t] = await rows<{ code: number }>(
      db.db,
      sql`select code from tehsils where district_code = 36 order by code limit 1`,
    );
    tehsil = t?.code as number;
    const [def] = await rows<{ id: number; service_id: number }>(
      db.db,
      sql`select id, service_id from service_definitions where code = 'income-certificate' and status = 'published'`,
    );
    definitionId = def?.id as number;
    serviceId = def?.service_id as number;
  });
  afterAll(async () => portal?.close());

  const count = async (q: ReturnType<typeof sql>) =>
    ((await rows<{ n: number }>(portal.database.db, q))[0] as { n: number }).n;

  /** Files an income certificate application (₹75) at the centre. */
  async function file(mobile: string) {
    const filed = await applications.submitApplication(portal.database.db, {
      application: {
        kind: "definition",
        serviceId,
        definitionId,
        initialStage: "submitted",
        timeLimitDays: 15,
        basis: "working",
        noticePeriodDays: 0,
        feePaise: 7500,
        applicant: { name: "Cash Payer", mobile, districtCode: 36, tehsilCode: tehsil },
        answers: { copies: 1 },
        documents: {},
      },
      documentIds: [],
      channel: "kendra",
      now: portal.clock.now(),
    });
    return filed.reference;
  }

  async function pay(b: TestBrowser, reference: string, method: string) {
    await b.get(`/counter/payments?reference=${reference}`);
    const res = await b.post("/counter/payments", { reference, method, amountPaise: "7500" });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain("RCPT-");
  }

  it("attributes counter fees to the seat and expects that counter's cash of the IST day", async () => {
    // The day before: a cash fee at counter 1 that today's close must not count.
    portal.clock.set("2026-03-01T18:00:00+05:30");
    await pay(operator, await file("9814100001"), "cash");
    portal.clock.set("2026-03-02T10:00:00+05:30");
    const a = await file("9814100002");
    const b = await file("9814100003");
    const c = await file("9814100004");
    const d = await file("9814100005");
    await pay(operator, a, "cash");
    await pay(operator, b, "cash");
    await pay(operator, c, "upi");
    // Counter 2 of the same centre: its own close.
    const counter2 = await staffBrowser(portal, operatorId, { kendraCode: KENDRA, counter: 2 });
    await pay(counter2, d, "cash");
    expect(
      await count(
        sql`select count(*)::int as n from payments where kendra_code = ${KENDRA} and counter = 1 and status = 'paid'`,
      ),
    ).toBe(4);
    expect(
      await count(
        sql`select count(*)::int as n from payments where kendra_code = ${KENDRA} and counter = 2`,
      ),
    ).toBe(1);

    const page = await operator.get("/counter/close");
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain("Close Ludhiana, counter 1");
    expect(page.body).toContain(a);
    expect(page.body).toContain(b);
    expect(page.body).toContain("Cash expected: ₹150");
    expect(page.body).toContain("Card and UPI receipts");
    expect(page.body).toContain(c);
    expect(page.body).not.toContain(d);
    // An operator without a seat is sent to take one.
    const seatless = await staffBrowser(portal, operatorId);
    expect((await seatless.get("/counter/close")).body).toContain("Take a counter first");
    // A designated officer has no counter: 404.
    const [doId] = await rows<{ id: number }>(
      portal.database.db,
      sql`select id from officials where username = 'do.ludhiana'`,
    );
    expect(
      (await (await staffBrowser(portal, doId?.id as number)).get("/counter/close")).statusCode,
    ).toBe(404);
  });

  it("needs a remark for a mismatch, keeps one close per counter and day, and the manager decides it", async () => {
    const db = portal.database.db;
    await operator.get("/counter/close");
    const noRemark = await operator.post("/counter/close", {
      date: "2026-03-02",
      rupees: "140",
      paise: "50",
      remark: "",
    });
    expect(noRemark.statusCode).toBe(400);
    expect(noRemark.body).toContain("Explain the difference");
    expect(noRemark.body).toContain('value="140"');
    const badPaise = await operator.post("/counter/close", {
      date: "2026-03-02",
      rupees: "140",
      paise: "x",
      remark: "Short",
    });
    expect(badPaise.statusCode).toBe(400);
    expect(badPaise.body).toContain("0 to 99");
    expect(await count(sql`select count(*)::int as n from cash_closes`)).toBe(0);

    const done = await operator.post("/counter/close", {
      date: "2026-03-02",
      rupees: "140",
      paise: "50",
      remark: "₹9.50 short: change given from the drawer",
    });
    expect(done.headers.location).toBe("/counter/close?date=2026-03-02&done=1");
    const [close] = await rows<{
      id: number;
      receipts: number;
      expected_paise: string | number;
      counted_paise: string | number;
      difference_paise: string | number;
      status: string;
      official_id: number;
    }>(db, sql`select * from cash_closes where kendra_code = ${KENDRA} and counter = 1`);
    expect(close?.receipts).toBe(2);
    expect(Number(close?.expected_paise)).toBe(15000);
    expect(Number(close?.counted_paise)).toBe(14050);
    expect(Number(close?.difference_paise)).toBe(-950);
    expect(close?.status).toBe("submitted");
    expect(close?.official_id).toBe(operatorId);
    const shown = await operator.get("/counter/close?date=2026-03-02&done=1");
    expect(shown.body).toContain("−₹9.50");
    expect(shown.body).toContain("The day close was submitted");
    expect(shown.body).not.toContain("Submit the day close");
    // A repeat submit changes nothing.
    const again = await operator.post("/counter/close", {
      date: "2026-03-02",
      rupees: "150",
      paise: "",
      remark: "",
    });
    expect(again.statusCode).toBe(303);
    expect(await count(sql`select count(*)::int as n from cash_closes`)).toBe(1);
    expect(
      await count(sql`select count(*)::int as n from cash_closes where counted_paise = 14050`),
    ).toBe(1);

    // Another centre's manager neither sees nor decides it.
    expect((await stranger.get("/kendra/closes")).body).not.toContain(`close-${close?.id}`);
    await stranger.get("/kendra/closes");
    expect(
      (await stranger.post(`/kendra/closes/${close?.id}`, { decision: "approve", remark: "" }))
        .statusCode,
    ).toBe(404);

    // The centre's manager: the landing page, the list with the difference marked, return needs a remark.
    const landing = await manager.get("/kendra");
    expect(landing.statusCode).toBe(200);
    expect(landing.body).toContain('href="/kendra/closes?status=submitted"');
    expect(landing.body).toContain("1 waiting");
    const list = await manager.get("/kendra/closes");
    expect(list.body).toContain(`id="close-${close?.id}"`);
    expect(list.body).toContain("govuk-tag--red");
    expect(list.body).toContain("−₹9.50");
    const bare = await manager.post(`/kendra/closes/${close?.id}`, {
      decision: "return",
      remark: "",
    });
    expect(bare.statusCode).toBe(400);
    expect(bare.body).toContain("Say why you are returning");
    const returned = await manager.post(`/kendra/closes/${close?.id}`, {
      decision: "return",
      remark: "Count the drawer again with the supervisor",
    });
    expect(returned.statusCode).toBe(303);
    expect(
      (await rows<{ status: string }>(db, sql`select status from cash_closes`))[0]?.status,
    ).toBe("returned");

    // The operator counts again and resubmits the same row; the manager approves it.
    const page = await operator.get("/counter/close?date=2026-03-02");
    expect(page.body).toContain("Count the drawer again with the supervisor");
    const resubmitted = await operator.post("/counter/close", {
      date: "2026-03-02",
      rupees: "150",
      paise: "0",
      remark: "",
    });
    expect(resubmitted.statusCode).toBe(303);
    const [after] = await rows<{ status: string; difference_paise: string | number }>(
      db,
      sql`select status, difference_paise from cash_closes`,
    );
    expect(after).toMatchObject({ status: "submitted" });
    expect(Number(after?.difference_paise)).toBe(0);
    await manager.get("/kendra/closes");
    const approved = await manager.post(`/kendra/closes/${close?.id}`, {
      decision: "approve",
      remark: "",
    });
    expect(approved.statusCode).toBe(303);
    const [final] = await rows<{ status: string; decided_by: number; decided_at: unknown }>(
      db,
      sql`select status, decided_by, decided_at from cash_closes`,
    );
    expect(final).toMatchObject({ status: "approved", decided_by: managerId });
    expect(final?.decided_at).not.toBeNull();
    const twice = await manager.post(`/kendra/closes/${close?.id}`, { decision: "approve" });
    expect(twice.statusCode).toBe(409);
    expect(twice.body).toContain("decided already");
    const actions = await rows<{ action: string }>(
      db,
      sql`select action from audit_log where stream = ${`kendra:${KENDRA}`} order by seq`,
    );
    expect(actions.map((a) => a.action)).toEqual([
      "cash_close.submitted",
      "cash_close.returned",
      "cash_close.resubmitted",
      "cash_close.approved",
    ]);
  });
});
