/**
 * Doorstep delivery through helpline 1076 (issue 9), on both databases:
 * services by channel (page and API), exclusions refused with their reason,
 * the visit fee in effect by date, capacity under concurrent bookings,
 * Sundays and holidays refused, reschedule and cancel events, and a
 * facilitator who sees only their own visits.
 */
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decideByDefinition } from "../applications/definition-decisions.ts";
import * as applications from "../applications/service.ts";
import { liveDefinitionOf } from "../catalog/definitions/versions.ts";
import { rows } from "../db/client.ts";
import { testDatabases } from "../db/testing.ts";
import { actorFor, findOfficialByUsername, startSession } from "../identity/service.ts";
import { startTestPortal, type TestPortal } from "../web/testing.ts";
import { channelsOf } from "./channels.ts";
import { DEMO_DOORSTEP_TEHSIL } from "./seed.ts";
import {
  bookVisit,
  saveFacilitator,
  serviceFeeAtDoorstep,
  slotCapacities,
  visitFeeOn,
} from "./service.ts";

type Res = { statusCode: number; body: string; headers: Record<string, unknown> };

describe.each(testDatabases())("doorstep delivery on $name", (which) => {
  let portal: TestPortal;
  let income = 0; // income certificate (definition, doorstep enabled)
  let pcc = 0; // Saanjh police clearance certificate (definition, doorstep off)
  let arms = 0; // catalog "Addition of retainer in Arms license" (excluded)
  let helpline: Browser;
  let sahayak1: Browser;
  let sahayak2: Browser;

  /** A browser for `inject` that keeps cookies and the last page's CSRF token. */
  type Browser = {
    get(url: string): Promise<Res>;
    post(url: string, form: Record<string, string>): Promise<Res>;
  };
  async function signedIn(username: string): Promise<Browser> {
    const o = await findOfficialByUsername(portal.database.db, username);
    const staff = `sewa_staff=${await startSession(portal.database.db, o?.id as number, new Date(), { mfa: true })}`;
    let cookies: Record<string, string> = {};
    let csrf = "";
    const cookieHeader = () =>
      [staff, ...Object.entries(cookies).map(([k, v]) => `${k}=${v}`)].join("; ");
    const keep = (r: { cookies: Array<{ name: string; value: string }>; body: string }) => {
      for (const c of r.cookies) cookies = { ...cookies, [c.name]: c.value };
      const m = /name="_csrf" value="([^"]+)"/.exec(r.body);
      if (m?.[1]) csrf = m[1];
    };
    return {
      async get(url) {
        const r = await portal.app.inject({ url, headers: { cookie: cookieHeader() } });
        keep(r);
        return r;
      },
      async post(url, form) {
        const r = await portal.app.inject({
          method: "POST",
          url,
          payload: new URLSearchParams({ _csrf: csrf, ...form }).toString(),
          headers: { "content-type": "application/x-www-form-urlencoded", cookie: cookieHeader() },
        });
        keep(r);
        return r;
      },
    };
  }

  beforeAll(async () => {
    portal = await startTestPortal(which, "2025-12-22T08:00:00+05:30"); // a Monday
    const db = portal.database.db;
    const id = async (q: ReturnType<typeof sql>) =>
      Number((await rows<{ id: number }>(db, q))[0]?.id);
    income = await id(sql`select id from services where code = 'income-certificate'`);
    pcc = await id(
      sql`select service_id as id from service_definitions where code like 'saanjh%' limit 1`,
    );
    arms = await id(sql`select id from services where name ilike '%arms licen%' limit 1`);
    helpline = await signedIn("helpline");
    sahayak1 = await signedIn("sahayak.ludhiana1");
    sahayak2 = await signedIn("sahayak.ludhiana2");
  });
  afterAll(async () => portal?.close());

  /** The console with a service, place and date chosen: it shows the slots and the booking form. */
  const consoleUrl =
    "/helpline?mobile=9876512345&service=INCOME&district=36&tehsil=TEHSIL&date=2025-12-23";

  const booking = (over: Record<string, string> = {}) => ({
    purpose: "application",
    mobile: "9876512345",
    name: "Gurpreet Kaur",
    address: "Dhanansu, House 12, Main Street",
    service: String(income),
    district: "36",
    tehsil: String(DEMO_DOORSTEP_TEHSIL),
    date: "2025-12-23",
    slot: "09:00",
    idem: crypto.randomUUID(),
    ...over,
  });

  it("lists the services of each channel (API), from definitions and the launch list", async () => {
    const get = async (channel: string) =>
      JSON.parse(
        (await portal.app.inject({ url: `/api/v1/services?channel=${channel}` })).body,
      ) as {
        items: Array<{ id: number; name: string }>;
      };
    const doorstep = await get("doorstep");
    const ids = doorstep.items.map((s) => s.id);
    expect(ids).toContain(income);
    expect(ids).not.toContain(pcc);
    expect(ids).not.toContain(arms);
    // A catalog service on the launch list (birth / death certificate copies) is offered at the doorstep.
    expect(doorstep.items.some((s) => /birth \/ death/i.test(s.name))).toBe(true);
    const online = await get("online");
    expect(online.items.map((s) => s.id)).toContain(pcc);
    const all = JSON.parse((await portal.app.inject({ url: "/api/v1/services" })).body).count;
    expect(doorstep.items.length).toBeLessThan(all);
    const bad = await portal.app.inject({ url: "/api/v1/services?channel=fax" });
    expect(bad.statusCode).toBe(400);
    // Documented in the OpenAPI document.
    const openapi = JSON.parse((await portal.app.inject({ url: "/api/docs/json" })).body);
    expect(JSON.stringify(openapi.paths["/api/v1/services"].get.parameters)).toContain("doorstep");
    expect(openapi.paths["/api/v1/doorstep/visits"].post).toBeDefined();
    expect(channelsOf("Issue of e-Stamp paper").doorstepRefusal).toBe("e_stamp");
    expect(channelsOf("Aadhaar enrolment").doorstepRefusal).toBe("aadhaar");
  });

  it("the visit fee in effect follows the effective dates (₹120 at launch, later ₹50)", async () => {
    const db = portal.database.db;
    expect(await visitFeeOn(db, "2023-12-09")).toBeUndefined();
    expect((await visitFeeOn(db, "2023-12-10"))?.visitFeePaise).toBe(12000);
    expect((await visitFeeOn(db, "2025-05-15"))?.visitFeePaise).toBe(12000);
    expect((await visitFeeOn(db, "2025-05-16"))?.visitFeePaise).toBe(5000);
    expect((await visitFeeOn(db, "2025-05-16"))?.source).toContain("UNVERIFIED");
    // The definition's own ₹120 doorstep line is not charged again: the service fee at the doorstep is ₹75.
    const live = await liveDefinitionOf(db, income);
    expect(serviceFeeAtDoorstep(live?.definition, null)).toBe(7500);
    expect(serviceFeeAtDoorstep(undefined, 2500)).toBe(2500);
  });

  it("the system administrator adds a fee from a future date; a past date is refused", async () => {
    const admin = await signedIn("admin");
    expect((await admin.get("/admin/doorstep-fees")).statusCode).toBe(200);
    const past = await admin.post("/admin/doorstep-fees", {
      from: "2025-12-01",
      rupees: "40",
      source: "test",
    });
    expect(past.statusCode).toBe(400);
    expect(past.body).toContain("a fee already in effect cannot change");
    const ok = await admin.post("/admin/doorstep-fees", {
      from: "2026-06-01",
      rupees: "60",
      source: "Test order",
    });
    expect(ok.statusCode).toBe(303);
    expect((await visitFeeOn(portal.database.db, "2026-06-01"))?.visitFeePaise).toBe(6000);
    expect((await visitFeeOn(portal.database.db, "2026-05-31"))?.visitFeePaise).toBe(5000);
    // Only the system administrator: the helpline agent gets 404.
    expect((await helpline.get("/admin/doorstep-fees")).statusCode).toBe(404);
  });

  it("refuses an excluded or non-doorstep service with the reason (page and API problem+json)", async () => {
    await helpline.get(
      consoleUrl.replace("INCOME", String(income)).replace("TEHSIL", String(DEMO_DOORSTEP_TEHSIL)),
    );
    const page = await helpline.post("/helpline/visits", booking({ service: String(arms) }));
    expect(page.statusCode).toBe(422);
    expect(page.body).toContain("Arms licence services are not offered at the doorstep");
    expect(page.body).toContain("govuk-error-summary");
    expect(page.body).toContain("Dhanansu, House 12"); // what was typed is kept
    const off = await helpline.post("/helpline/visits", booking({ service: String(pcc) }));
    expect(off.body).toContain("This service is not offered at the doorstep");
    // The API refuses with problem+json and the field code.
    const o = await findOfficialByUsername(portal.database.db, "helpline");
    const cookie = `sewa_staff=${await startSession(portal.database.db, o?.id as number, new Date(), { mfa: true })}`;
    const api = await portal.app.inject({
      method: "POST",
      url: "/api/v1/doorstep/visits",
      headers: { cookie, "idempotency-key": "api-test-excluded-1" },
      payload: {
        mobile: "9876512345",
        name: "Gurpreet Kaur",
        address: "Dhanansu",
        districtCode: 36,
        tehsilCode: DEMO_DOORSTEP_TEHSIL,
        serviceId: arms,
        date: "2025-12-23",
        slot: "09:00",
      },
    });
    expect(api.statusCode).toBe(422);
    expect(api.headers["content-type"]).toContain("application/problem+json");
    expect(JSON.parse(api.body).errors).toEqual([
      expect.objectContaining({ field: "service", code: "excluded.arms_licence" }),
    ]);
    const payload = {
      mobile: "9876512399",
      name: "Api Citizen",
      address: "Jamalpur",
      districtCode: 36,
      tehsilCode: DEMO_DOORSTEP_TEHSIL,
      serviceId: income,
      date: "2025-12-29",
      slot: "16:00",
    };
    const send = () =>
      portal.app.inject({
        method: "POST",
        url: "/api/v1/doorstep/visits",
        headers: { cookie, "idempotency-key": "api-test-ok-1" },
        payload,
      });
    const ok = await send();
    expect(ok.statusCode).toBe(201);
    expect(JSON.parse(ok.body)).toMatchObject({ status: "booked", window: "16:00–18:00" });
    const again = await send();
    expect(again.statusCode).toBe(200);
    expect(JSON.parse(again.body).number).toBe(JSON.parse(ok.body).number);
  });

  it("refuses Sundays and holidays", async () => {
    await helpline.get(
      consoleUrl.replace("INCOME", String(income)).replace("TEHSIL", String(DEMO_DOORSTEP_TEHSIL)),
    );
    const sunday = await helpline.post("/helpline/visits", booking({ date: "2025-12-28" }));
    expect(sunday.statusCode).toBe(400);
    expect(sunday.body).toContain("No visits on Sundays");
    const christmas = await helpline.post("/helpline/visits", booking({ date: "2025-12-25" }));
    expect(christmas.statusCode).toBe(400);
    expect(christmas.body).toContain("No visits on Christmas");
  });

  it("books from the console: look-up audited, documents and fees shown, SMS sent, repeat submit idempotent", async () => {
    const look = await helpline.get(
      consoleUrl.replace("INCOME", String(income)).replace("TEHSIL", String(DEMO_DOORSTEP_TEHSIL)),
    );
    expect(look.statusCode).toBe(200);
    expect(look.body).toContain("₹50"); // visit fee in effect
    expect(look.body).toContain("4 of 4 places free"); // two facilitators × 2
    const [audit] = await rows<{ n: number }>(
      portal.database.db,
      sql`select count(*)::int as n from audit_log where action = 'doorstep.citizen_lookup'`,
    );
    expect(Number(audit?.n)).toBeGreaterThan(0);
    const form = booking({ slot: "11:00" });
    const sent = portal.sms.sent.length;
    const first = await helpline.post("/helpline/visits", form);
    expect(first.statusCode).toBe(303);
    const second = await helpline.post("/helpline/visits", form);
    expect(second.headers.location).toBe(first.headers.location);
    const [n] = await rows<{ n: number }>(
      portal.database.db,
      sql`select count(*)::int as n from doorstep_visits where mobile = '9876512345' and slot = '11:00'`,
    );
    expect(Number(n?.n)).toBe(1);
    expect(portal.sms.sent.length).toBe(sent + 1);
    const sms = portal.sms.sent.at(-1);
    expect(sms?.to).toBe("9876512345");
    expect(sms?.text).toMatch(/DV-2025-\d{6}/);
    expect(sms?.text).toContain("23-12-2025 11:00–13:00");
    expect(sms?.text).toMatch(/[\u0A00-\u0A7F]/); // Punjabi when the language is not known
    expect(sms?.text).toContain("Rs 50");
    const page = await helpline.get(first.headers.location as string);
    expect(page.body).toContain("Visit booked");
  });

  it("never books more visits in a slot than the facilitators' capacity, even at once", async () => {
    const db = portal.database.db;
    const attempts = await Promise.allSettled(
      Array.from({ length: 7 }, (_, i) =>
        bookVisit(
          db,
          {
            mobile: `98765${String(10000 + i)}`,
            citizenName: `Citizen ${i}`,
            address: `Village ${i}`,
            districtCode: 36,
            tehsilCode: DEMO_DOORSTEP_TEHSIL,
            serviceId: income,
            visitDate: "2025-12-24",
            slot: "14:00",
            idempotencyKey: `concurrent-${i}`,
          },
          { officialId: null, label: "test" },
          portal.clock.now(),
        ),
      ),
    );
    const ok = attempts.filter((a) => a.status === "fulfilled");
    expect(ok).toHaveLength(4);
    for (const a of attempts)
      if (a.status === "rejected") expect((a.reason as { kind?: string }).kind).toBe("conflict");
    const perFacilitator = await rows<{ facilitator_id: number; n: number }>(
      db,
      sql`select facilitator_id, count(*)::int as n from doorstep_visits
          where visit_date = '2025-12-24' and slot = '14:00' and status = 'booked' group by facilitator_id`,
    );
    expect(perFacilitator.map((r) => Number(r.n))).toEqual([2, 2]);
    const slots = await slotCapacities(db, DEMO_DOORSTEP_TEHSIL, "2025-12-24");
    expect(slots.find((s) => s.slot === "14:00")?.remaining).toBe(0);
    const full = await helpline.post(
      "/helpline/visits",
      booking({ date: "2025-12-24", slot: "14:00" }),
    );
    expect(full.statusCode).toBe(409);
    expect(full.body).toContain("No facilitator is free in this time window");
  });

  it("a facilitator sees only their own visits, in route order; others' answer 404", async () => {
    const db = portal.database.db;
    const mine = await rows<{ id: number; facilitator_id: number }>(
      db,
      sql`select v.id, v.facilitator_id from doorstep_visits v join officials o on o.id = v.facilitator_id
          where v.visit_date = '2025-12-24' order by o.username`,
    );
    const s1 = await findOfficialByUsername(db, "sahayak.ludhiana1");
    const own = mine.find((v) => Number(v.facilitator_id) === s1?.id);
    const other = mine.find((v) => Number(v.facilitator_id) !== s1?.id);
    const list = await sahayak1.get("/visits?date=2025-12-24");
    expect(list.statusCode).toBe(200);
    expect(list.body).toContain(`/visits/${own?.id}`);
    expect(list.body).not.toContain(`/visits/${other?.id}"`);
    expect(list.body).toMatch(/tel:\+91\d{10}/);
    expect(list.body).toMatch(/98XXXXXX\d\d/);
    expect(list.body).toContain("Documents to keep ready");
    expect((await sahayak1.get(`/visits/${own?.id}`)).statusCode).toBe(200);
    expect((await sahayak1.get(`/visits/${other?.id}`)).statusCode).toBe(404);
    expect((await sahayak2.get(`/visits/${own?.id}`)).statusCode).toBe(404);
    // The helpline has no facilitator pages, and a facilitator no helpline.
    expect((await helpline.get("/visits")).statusCode).toBe(404);
    expect((await sahayak1.get("/helpline")).statusCode).toBe(404);
    // A capacity row needs a real capacity.
    await expect(
      saveFacilitator(db, {
        officialId: s1?.id as number,
        districtCode: 36,
        tehsilCode: DEMO_DOORSTEP_TEHSIL,
        capacityPerSlot: 0,
      }),
    ).rejects.toThrow(/Capacity/);
  });

  it("reschedules and cancels with events (by the citizen through the helpline, by the facilitator)", async () => {
    const db = portal.database.db;
    const booked = await helpline.post(
      "/helpline/visits",
      booking({ mobile: "9876512777", slot: "16:00" }),
    );
    const id = Number(/\/helpline\/visits\/(\d+)/.exec(booked.headers.location as string)?.[1]);
    await helpline.get(`/helpline/visits/${id}`);
    const noReason = await helpline.post(`/helpline/visits/${id}/reschedule`, {
      date: "2025-12-26",
      slot: "09:00",
      reason: "",
    });
    expect(noReason.statusCode).toBe(400);
    expect(noReason.body).toContain("Enter the reason");
    const moved = await helpline.post(`/helpline/visits/${id}/reschedule`, {
      date: "2025-12-26",
      slot: "09:00",
      reason: "Citizen away that day",
    });
    expect(moved.statusCode).toBe(303);
    const [v] = await rows<{ visit_date: string; slot: string; facilitator_id: number }>(
      db,
      sql`select visit_date::text as visit_date, slot, facilitator_id from doorstep_visits where id = ${id}`,
    );
    expect(v).toMatchObject({ visit_date: "2025-12-26", slot: "09:00" });
    // The facilitator it now belongs to cancels it with a reason.
    const owner = (
      await rows<{ username: string }>(
        db,
        sql`select username from officials where id = ${v?.facilitator_id}`,
      )
    )[0]?.username;
    const f = owner === "sahayak.ludhiana1" ? sahayak1 : sahayak2;
    await f.get(`/visits/${id}`);
    const cancelled = await f.post(`/visits/${id}/cancel`, { reason: "Road closed by flooding" });
    expect(cancelled.statusCode).toBe(303);
    const events = await rows<{
      action: string;
      by: string;
      reason: string | null;
      from_date: string | null;
      to_date: string | null;
    }>(
      db,
      sql`select action, by, reason, from_date::text as from_date, to_date::text as to_date from doorstep_visit_events where visit_id = ${id} order by id`,
    );
    expect(events.map((e) => [e.action, e.by])).toEqual([
      ["booked", "citizen"],
      ["rescheduled", "citizen"],
      ["cancelled", "facilitator"],
    ]);
    expect(events[1]).toMatchObject({
      from_date: "2025-12-23",
      to_date: "2025-12-26",
      reason: "Citizen away that day",
    });
    expect(events[2]?.reason).toBe("Road closed by flooding");
    // Cancelling again changes nothing; a cancelled visit cannot be rescheduled.
    expect((await f.post(`/visits/${id}/cancel`, { reason: "again" })).statusCode).toBe(303);
    const late = await helpline.post(`/helpline/visits/${id}/reschedule`, {
      date: "2025-12-29",
      slot: "09:00",
      reason: "x",
    });
    expect(late.statusCode).toBe(409);
    const history = await helpline.get(`/helpline/visits/${id}`);
    expect(history.body).toContain("Road closed by flooding");
  });

  it("at the visit: fee plus visit fee collected with a receipt, completed with feedback; then delivered against the OTP", async () => {
    const db = portal.database.db;
    await helpline.get(
      consoleUrl.replace("INCOME", String(income)).replace("TEHSIL", String(DEMO_DOORSTEP_TEHSIL)),
    );
    const booked = await helpline.post(
      "/helpline/visits",
      booking({ mobile: "9876512888", slot: "14:00", date: "2025-12-23" }),
    );
    const id = Number(/\/helpline\/visits\/(\d+)/.exec(booked.headers.location as string)?.[1]);
    const [v] = await rows<{ facilitator_id: number }>(
      db,
      sql`select facilitator_id from doorstep_visits where id = ${id}`,
    );
    const owner = (
      await rows<{ username: string }>(
        db,
        sql`select username from officials where id = ${v?.facilitator_id}`,
      )
    )[0]?.username;
    const f = owner === "sahayak.ludhiana1" ? sahayak1 : sahayak2;
    const page = await f.get(`/visits/${id}`);
    expect(page.body).toContain(`/counter/apply?visit=${id}`);
    expect(page.body).toContain("₹75"); // service fee without the definition's doorstep line
    // The application filed at the visit (the assisted filing does this with the consent code).
    const [def] = await rows<{ id: number }>(
      db,
      sql`select id from service_definitions where code = 'income-certificate' and status = 'published'`,
    );
    const filed = await applications.submitApplication(db, {
      application: {
        kind: "definition",
        serviceId: income,
        definitionId: def?.id as number,
        initialStage: "submitted",
        timeLimitDays: 15,
        basis: "working",
        noticePeriodDays: 0,
        feePaise: 7500,
        applicant: {
          name: "Gurpreet Kaur",
          mobile: "9876512888",
          districtCode: 36,
          tehsilCode: DEMO_DOORSTEP_TEHSIL,
        },
        answers: { copies: 1 },
        documents: {},
      },
      documentIds: [],
      channel: "doorstep",
      now: portal.clock.now(),
    });
    await db.execute(
      sql`update doorstep_visits set application_id = (select id from applications where reference = ${filed.reference}) where id = ${id}`,
    );
    const withApp = await f.get(`/visits/${id}`);
    expect(withApp.body).toContain("₹125"); // ₹75 + ₹50 visit fee
    const noMethod = await f.post(`/visits/${id}/collect`, { amountPaise: "12500" });
    expect(noMethod.statusCode).toBe(400);
    const paid = await f.post(`/visits/${id}/collect`, { amountPaise: "12500", method: "cash" });
    expect(paid.statusCode).toBe(303);
    const receipt = decodeURIComponent(
      /receipt=([^&]+)/.exec(paid.headers.location as string)?.[1] ?? "",
    );
    expect(receipt).toMatch(/^RCPT-2025-26-\d{7}$/);
    const [payment] = await rows<{
      amount_paise: number;
      visit_fee_paise: number;
      visit_id: number;
    }>(
      db,
      sql`select amount_paise::int as amount_paise, visit_fee_paise::int as visit_fee_paise, visit_id::int as visit_id from payments where receipt_number = ${receipt}`,
    );
    expect(payment).toMatchObject({ amount_paise: 12500, visit_fee_paise: 5000, visit_id: id });
    expect((await f.get(paid.headers.location as string)).body).toContain("Fees paid.");
    // Collecting again is refused (one paid payment per application, C-20).
    expect(
      (await f.post(`/visits/${id}/collect`, { amountPaise: "5000", method: "cash" })).statusCode,
    ).toBe(409);
    expect((await f.post(`/visits/${id}/complete`, {})).statusCode).toBe(303);
    expect((await f.post(`/visits/${id}/complete`, {})).statusCode).toBe(303);
    const [fb] = await rows<{ n: number }>(
      db,
      sql`select count(*)::int as n from feedback where visit_id = ${id}`,
    );
    expect(Number(fb?.n)).toBe(1);

    // The officer approves; the helpline books a delivery visit; the facilitator delivers with the citizen's code.
    const day = "2025-12-22";
    const clerk = await actorFor(db, "clerk.ludhiana", day);
    const officer = await actorFor(db, "do.ludhiana", day);
    for (const [actor, action] of [
      [clerk, "send_for_verification"],
      [clerk, "submit_report"],
      [officer, "approve"],
    ] as const) {
      const row = await applications.findApplicationByReference(db, filed.reference);
      await decideByDefinition(
        db,
        actor,
        filed.reference,
        { action, remark: "ok", version: row?.version ?? 0 },
        portal.clock.now(),
      );
    }
    await helpline.get(
      `/helpline?mobile=9876512888&purpose=delivery&reference=${filed.reference}&district=36&tehsil=${DEMO_DOORSTEP_TEHSIL}&date=2025-12-26`,
    );
    const delivery = await helpline.post(
      "/helpline/visits",
      booking({
        purpose: "delivery",
        reference: filed.reference,
        service: "",
        mobile: "9876512888",
        date: "2025-12-26",
        slot: "11:00",
      }),
    );
    expect(delivery.statusCode).toBe(303);
    const did = Number(/\/helpline\/visits\/(\d+)/.exec(delivery.headers.location as string)?.[1]);
    const [dv] = await rows<{ facilitator_id: number; purpose: string }>(
      db,
      sql`select facilitator_id, purpose from doorstep_visits where id = ${did}`,
    );
    expect(dv?.purpose).toBe("delivery");
    const downer = (
      await rows<{ username: string }>(
        db,
        sql`select username from officials where id = ${dv?.facilitator_id}`,
      )
    )[0]?.username;
    const d = downer === "sahayak.ludhiana1" ? sahayak1 : sahayak2;
    await d.get(`/visits/${did}`);
    expect((await d.post(`/visits/${did}/deliver-code`, {})).statusCode).toBe(303);
    const code = /\b(\d{6})\b/.exec(portal.sms.sent.at(-1)?.text ?? "")?.[1] as string;
    const wrong = await d.post(`/visits/${did}/deliver`, {
      code: code === "000000" ? "111111" : "000000",
    });
    expect(wrong.statusCode).toBe(400);
    const ok = await d.post(`/visits/${did}/deliver`, { code });
    expect(ok.statusCode).toBe(303);
    const [h] = await rows<{ status: string; visit_id: number }>(
      db,
      sql`select status, visit_id::int as visit_id from handovers where application_id = (select id from applications where reference = ${filed.reference})`,
    );
    expect(h).toMatchObject({ status: "handed_over", visit_id: did });
    const events = await rows<{ action: string }>(
      db,
      sql`select action from doorstep_visit_events where visit_id = ${did} order by id`,
    );
    expect(events.map((e) => e.action)).toEqual(["booked", "delivered"]);
  });
});
