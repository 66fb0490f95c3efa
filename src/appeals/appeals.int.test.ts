import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as applications from "../applications/service.ts";
import { verifyAudit } from "../audit/service.ts";
import { rows } from "../db/client.ts";
import { testDatabases } from "../db/testing.ts";
import { actorFor, createOfficial, startSession } from "../identity/service.ts";
import { startTestPortal, type TestPortal } from "../web/testing.ts";
import { CHAIN_2018 } from "./chain.ts";
import { autoAppealBreaches } from "./service.ts";

describe.each(testDatabases())("appeals on $name", (which) => {
  let portal: TestPortal;
  let csrf: { token: string; cookie: string };
  let serviceId: number;
  let tehsil: number;

  /** A fresh official with one posting and a signed-in session cookie. */
  async function staff(username: string, role: string, districtCode: number) {
    const { db } = portal.database;
    const o = await db.transaction((tx) =>
      createOfficial(tx, {
        username,
        name: `Officer ${username}`,
        designation: "ADC (General)",
        password: "appeal-test-password-7",
        posting: { role, level: "district", districtCode, validFrom: "2020-01-01" },
      }),
    );
    return `sewa_staff=${await startSession(db, o.id, new Date(), { mfa: true })}`;
  }
  const form = (url: string, fields: Record<string, string>, cookie: string) =>
    portal.app.inject({
      method: "POST",
      url,
      payload: new URLSearchParams({ ...fields, _csrf: csrf.token }).toString(),
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        cookie: [csrf.cookie, cookie].filter(Boolean).join("; "),
      },
    });
  async function file(mobile: string) {
    const res = await portal.app.inject({
      method: "POST",
      url: "/api/v1/applications",
      payload: {
        serviceId,
        applicant: {
          name: "Kuldeep Singh",
          relativeName: "Bachan Singh",
          gender: "male",
          dateOfBirth: "1970-05-05",
          mobile,
        },
        address: { line1: "Village Gill", districtCode: 36, tehsilCode: tehsil, pincode: "141116" },
        purpose: "Land records",
        declaration: true,
      },
    });
    return res.json() as { reference: string; dueDate: string };
  }
  async function citizenFor(reference: string, mobile: string) {
    const res = await form("/track", { reference, mobile }, "");
    return res.cookies.map((c) => `${c.name}=${c.value}`).join("; ");
  }

  beforeAll(async () => {
    portal = await startTestPortal(which, "2025-10-17T10:00:00+05:30");
    serviceId = (
      await portal.app.inject({ url: "/api/v1/services?q=pages%20sought%20%3E15" })
    ).json().items[0].id; // 7 working days
    tehsil = (
      await rows<{ code: number }>(
        portal.database.db,
        sql`select code from tehsils where district_code = 36 order by code limit 1`,
      )
    )[0]?.code as number;
    const page = await portal.app.inject({ url: "/track" });
    csrf = {
      token: /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1] as string,
      cookie: page.cookies.map((c) => `${c.name}=${c.value}`).join("; "),
    };
  });
  afterAll(async () => portal?.close());

  it("takes a delayed application through the first appeal, a hearing, an order, late delivery, the second appeal and a penalty", async () => {
    const { db } = portal.database;
    const filed = await file("9855555555");
    expect(filed.dueDate).toBe("2025-10-30"); // 7 working days; Diwali (20 Oct) and Vishwakarma Day (22 Oct) skipped
    const citizen = await citizenFor(filed.reference, "9855555555");

    // On the due date the applicant may not appeal yet.
    portal.clock.set("2025-10-30T12:00:00+05:30");
    expect(
      (
        await portal.app.inject({
          url: `/track/${filed.reference}/appeal`,
          headers: { cookie: citizen },
        })
      ).body,
    ).toContain("not delivered by its due date");
    expect(
      (await form(`/track/${filed.reference}/appeal`, { grounds: "Late" }, citizen)).statusCode,
    ).toBe(400); // with an error summary

    // The next day the window is open (until 29 Nov 2025, 30 days after the due date).
    portal.clock.set("2025-10-31T10:00:00+05:30");
    const appealPage = await portal.app.inject({
      url: `/track/${filed.reference}/appeal`,
      headers: { cookie: citizen },
    });
    expect(appealPage.body).toContain("29 Nov 2025");
    expect(
      (
        await form(
          `/track/${filed.reference}/appeal`,
          { grounds: "The demarcation was not done in 7 working days." },
          citizen,
        )
      ).statusCode,
    ).toBe(303);

    const faa = await staff("adc.ludhiana", "first_appellate_authority", 36);
    const faaElsewhere = await staff("adc.patiala", "first_appellate_authority", 41);
    const inbox = await portal.app.inject({ url: "/appeals", headers: { cookie: faa } });
    expect(inbox.statusCode).toBe(200);
    expect(inbox.body).toContain(filed.reference);
    expect(inbox.body).toContain("30 Nov 2025"); // decides within 30 days of filing
    const [appeal] = await rows<{ id: number }>(
      db,
      sql`select p.id from appeals p join applications a on a.id = p.application_id where a.reference = ${filed.reference}`,
    );
    const id = Number(appeal?.id);
    expect(
      (await portal.app.inject({ url: `/appeals/${id}`, headers: { cookie: faaElsewhere } }))
        .statusCode,
    ).toBe(404);
    expect(
      (
        await portal.app.inject({
          url: "/appeals",
          headers: { cookie: await staff("clerk.two", "dealing_clerk", 36) },
        })
      ).statusCode,
    ).toBe(404);

    expect(
      (
        await form(
          `/appeals/${id}/hearing`,
          {
            "hearing-day": "10",
            "hearing-month": "11",
            "hearing-year": "2025",
            hearingTime: "11:30",
            notice: "Attend the ADC office, Ludhiana, with the jamabandi.",
            version: "1",
          },
          faa,
        )
      ).statusCode,
    ).toBe(303);
    // A stale form (version 1 again) is refused.
    expect(
      (
        await form(
          `/appeals/${id}/order`,
          { outcome: "deliver", days: "5", reasons: "x", version: "1" },
          faa,
        )
      ).statusCode,
    ).toBe(409);

    // Wed 12 Nov: order to deliver within 5 working days → 13, 14, 17, 18, 19 Nov.
    portal.clock.set("2025-11-12T15:00:00+05:30");
    expect(
      (
        await form(
          `/appeals/${id}/order`,
          { outcome: "deliver", days: "5", reasons: "The delay is not explained.", version: "2" },
          faa,
        )
      ).statusCode,
    ).toBe(303);
    let row = await applications.findApplicationByReference(db, filed.reference);
    expect(row).toMatchObject({
      dueDate: "2025-11-19",
      orderedDueDate: "2025-11-19",
      overdueSince: null,
    });
    const orders = await rows<{ filename: string; kind: string }>(
      db,
      sql`select filename, kind from documents where application_id = ${row?.id} and kind = 'order'`,
    );
    expect(orders).toHaveLength(1);
    expect(orders[0]?.filename).toMatch(/^order-AA-LDH-2025-\d+\.pdf$/);

    // The designated officer delivers late, on Tue 25 Nov.
    portal.clock.set("2025-11-25T16:00:00+05:30");
    const officer = await actorFor(db, "do.ludhiana", "2025-11-25");
    await applications.decide(
      db,
      officer,
      filed.reference,
      { action: "approve", remark: "Demarcation done.", version: row?.version as number },
      portal.clock.now(),
    );

    // Second appeal, heard by the Commission (level 2), which imposes the penalty:
    // delay from the notified due date (30 Oct) to delivery (25 Nov) is 26 days → ₹6,500, capped at ₹5,000.
    portal.clock.set("2025-11-26T10:00:00+05:30");
    expect(
      (
        await form(
          `/track/${filed.reference}/appeal`,
          { grounds: "Delivered only after the order, 26 days late." },
          citizen,
        )
      ).statusCode,
    ).toBe(303);
    const commission = await staff("commission.member", "second_appellate_authority", 36);
    const [second] = await rows<{ id: number }>(
      db,
      sql`select p.id from appeals p join applications a on a.id = p.application_id where a.reference = ${filed.reference} and p.level = 2`,
    );
    portal.clock.set("2025-12-15T12:00:00+05:30");
    const ordered = await form(
      `/appeals/${second?.id}/order`,
      {
        outcome: "dismiss",
        reasons: "Service now delivered; penalty for the delay.",
        penalty: "yes",
        penaltyOfficer: "Harpreet Kaur, Tehsildar",
        compensation: "500",
        version: "1",
      },
      commission,
    );
    expect(ordered.statusCode).toBe(303);

    const register = await portal.app.inject({
      url: "/appeals/penalties",
      headers: { cookie: commission },
    });
    expect(register.body).toContain("Harpreet Kaur, Tehsildar");
    expect(register.body).toContain("₹5,000");
    expect(register.body).toContain("₹500");
    const [penalty] = await rows<{ id: number; amount: number; days: number }>(
      db,
      sql`select id, amount_paise::int as amount, days_late as days from penalties`,
    );
    expect(penalty).toMatchObject({ amount: 500_000, days: 26 });
    expect(
      (
        await form(
          `/appeals/penalties/${penalty?.id}/status`,
          { status: "recovered", note: "Recovered from salary, Dec 2025" },
          commission,
        )
      ).statusCode,
    ).toBe(303);
    expect(
      (await portal.app.inject({ url: "/appeals/penalties", headers: { cookie: commission } }))
        .body,
    ).toContain("Recovered from salary");
    // The first appellate authority may not impose penalties (no such power at level 1).
    expect(
      (await portal.app.inject({ url: "/appeals/penalties", headers: { cookie: faa } })).statusCode,
    ).toBe(404);

    const track = await portal.app.inject({
      url: `/api/v1/applications/${filed.reference}?mobile=9855555555`,
    });
    expect(track.json().timeline.map((e: { action: string }) => e.action)).toEqual([
      "submitted",
      "appeal_filed",
      "hearing_scheduled",
      "appeal_ordered",
      "approved",
      "second_appeal_filed",
      "appeal_dismissed",
      "penalty_imposed",
    ]);
    row = await applications.findApplicationByReference(db, filed.reference);
    expect(
      await rows(
        db,
        sql`select 1 from documents where application_id = ${row?.id} and kind = 'order'`,
      ),
    ).toHaveLength(2);
    expect(await verifyAudit(db)).toMatchObject({ ok: true });
  });

  it("files first appeals automatically on breaches when auto-appeal is on, once each", async () => {
    const { db } = portal.database;
    portal.clock.set("2025-12-01T10:00:00+05:30");
    const a = await file("9866666666");
    await db.execute(
      sql`update applications set overdue_since = now() where reference = ${a.reference}`,
    );
    portal.clock.set("2025-12-11T10:00:00+05:30");
    expect(await autoAppealBreaches(db, CHAIN_2018, portal.clock.now())).toBe(1);
    expect(await autoAppealBreaches(db, CHAIN_2018, portal.clock.now())).toBe(0);
    const [appeal] = await rows<{ filed_by: string; level: number }>(
      db,
      sql`select p.filed_by, p.level from appeals p join applications x on x.id = p.application_id where x.reference = ${a.reference}`,
    );
    expect(appeal).toEqual({ filed_by: "system", level: 1 });
  });
});
