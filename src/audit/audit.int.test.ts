import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testDatabases } from "../db/testing.ts";
import { createOfficial, startSession } from "../identity/service.ts";
import { startTestPortal, type TestPortal } from "../web/testing.ts";
import { anchorDay, verifyAnchors, verifyAudit } from "./service.ts";

describe.each(testDatabases())("audit trail on $name", (which) => {
  let portal: TestPortal;
  let ref: string;
  const cookieFor = async (role: string, username: string) => {
    const { db } = portal.database;
    const o = await db.transaction((tx) =>
      createOfficial(tx, {
        username,
        name: username,
        designation: role,
        password: "audit-test-password-1",
        posting: { role, level: "state", validFrom: "2020-01-01" },
      }),
    );
    return `sewa_staff=${await startSession(db, o.id, new Date(), { mfa: true })}`;
  };

  beforeAll(async () => {
    portal = await startTestPortal(which);
    const service = (await portal.app.inject({ url: "/api/v1/services?q=demarcation" })).json()
      .items[0].id;
    const tehsil = (await portal.database.db.execute(
      sql`select code from tehsils where district_code = 36 limit 1`,
    )) as unknown as { rows: Array<{ code: number }> };
    const res = await portal.app.inject({
      method: "POST",
      url: "/api/v1/applications",
      payload: {
        serviceId: service,
        applicant: {
          name: "ਗੁਰਪ੍ਰੀਤ ਕੌਰ",
          relativeName: '=HYPERLINK("http://evil")',
          gender: "female",
          dateOfBirth: "1990-01-01",
          mobile: "9876543210",
        },
        address: {
          line1: "x",
          districtCode: 36,
          tehsilCode: tehsil.rows[0]?.code,
          pincode: "141001",
        },
        purpose: "p",
        declaration: true,
      },
    });
    ref = res.json().reference;
  });
  afterAll(async () => portal?.close());

  it("lets an auditor search by application and export CSV with a byte-order mark (C-15); others get 404", async () => {
    const auditor = await cookieFor("auditor", "auditor.two");
    const page = await portal.app.inject({
      url: `/audit?reference=${ref}`,
      headers: { cookie: auditor },
    });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain("application.submitted");
    expect(page.body).toContain("Intact");
    const csv = await portal.app.inject({
      url: `/audit/export.csv?reference=${ref}`,
      headers: { cookie: auditor },
    });
    expect(csv.headers["content-type"]).toContain("text/csv");
    expect([...csv.rawPayload.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(csv.body).toContain("application.submitted");
    const officer = await cookieFor("designated_officer", "do.state");
    expect(
      (await portal.app.inject({ url: "/audit", headers: { cookie: officer } })).statusCode,
    ).toBe(404);
    const byUser = await portal.app.inject({
      url: "/audit?username=auditor.two",
      headers: { cookie: auditor },
    });
    expect(byUser.body).toContain("audit.searched");
  });

  it("a daily anchor catches the removal of a stream's latest record, which the chain alone cannot", async () => {
    const { db } = portal.database;
    await db.transaction((tx) => anchorDay(tx, "2025-10-17"));
    expect(await verifyAnchors(db)).toBeUndefined();
    // The table refuses changes; an attacker with owner rights disables the guard first.
    const refused = (q: ReturnType<typeof sql>) =>
      db.execute(q).then(
        () => "allowed",
        (e: Error & { cause?: Error }) => e.cause?.message ?? e.message,
      );
    expect(await refused(sql`delete from audit_log where id = 1`)).toMatch(/append-only/);
    expect(await refused(sql`update audit_log set actor = 'x' where id = 1`)).toMatch(
      /append-only/,
    );
    await db.execute(sql`alter table audit_log disable trigger audit_log_append_only`);
    await db.execute(
      sql`delete from audit_log where id = (select max(id) from audit_log where stream like 'application:%')`,
    );
    expect(await verifyAudit(db)).toMatchObject({ ok: true }); // the chain is still consistent
    expect(await verifyAnchors(db)).toMatchObject({ day: "2025-10-17" });
  });
});
