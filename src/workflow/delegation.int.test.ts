import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as applications from "../applications/service.ts";
import { verifyAudit } from "../audit/service.ts";
import { rows } from "../db/client.ts";
import { testDatabases } from "../db/testing.ts";
import { actorFor, createOfficial, findOfficialByUsername } from "../identity/service.ts";
import { startTestPortal, type TestPortal } from "../web/testing.ts";
import { delegateCharge } from "./delegation.ts";

describe.each(testDatabases())("delegation on $name", (which) => {
  let portal: TestPortal;
  beforeAll(async () => {
    portal = await startTestPortal(which, "2025-11-03T10:00:00+05:30");
  });
  afterAll(async () => portal?.close());

  it("moves an officer's charge to a delegate for the leave, and every open application records it", async () => {
    const { db } = portal.database;
    const serviceId = (await portal.app.inject({ url: "/api/v1/services?q=demarcation" })).json()
      .items[0].id;
    const tehsil = (
      await rows<{ code: number }>(
        db,
        sql`select code from tehsils where district_code = 36 limit 1`,
      )
    )[0]?.code;
    const filed = await portal.app.inject({
      method: "POST",
      url: "/api/v1/applications",
      payload: {
        serviceId,
        applicant: {
          name: "A",
          relativeName: "B",
          gender: "female",
          dateOfBirth: "1990-01-01",
          mobile: "9877777777",
        },
        address: { line1: "x", districtCode: 36, tehsilCode: tehsil, pincode: "141001" },
        purpose: "p",
        declaration: true,
      },
    });
    const ref: string = filed.json().reference;
    const dueBefore: string = filed.json().dueDate;
    await db.transaction((tx) =>
      createOfficial(tx, {
        username: "tehsildar.east",
        name: "Simran Gill",
        designation: "Tehsildar",
        password: "delegate-password-55",
      }),
    );

    const officer = await actorFor(db, "do.ludhiana", "2025-11-03");
    const me = await findOfficialByUsername(db, "do.ludhiana");
    const by = { ...officer, username: "do.ludhiana", name: me?.name ?? "" };
    await expect(
      delegateCharge(
        db,
        by,
        {
          delegateUsername: "tehsildar.east",
          from: "2025-11-01",
          to: "2025-11-07",
          reason: "Earned leave",
        },
        portal.clock.now(),
      ),
    ).rejects.toMatchObject({ kind: "validation" });
    await expect(
      delegateCharge(
        db,
        by,
        {
          delegateUsername: "nobody",
          from: "2025-11-04",
          to: "2025-11-07",
          reason: "Earned leave",
        },
        portal.clock.now(),
      ),
    ).rejects.toMatchObject({ kind: "validation" });
    const count = await delegateCharge(
      db,
      by,
      {
        delegateUsername: "tehsildar.east",
        from: "2025-11-04",
        to: "2025-11-07",
        reason: "Earned leave",
      },
      portal.clock.now(),
    );
    expect(count).toBeGreaterThanOrEqual(1);

    // Before and after the leave the delegate holds nothing; during it, the charge.
    expect((await actorFor(db, "tehsildar.east", "2025-11-03")).principal.postings).toEqual([]);
    expect((await actorFor(db, "tehsildar.east", "2025-11-08")).principal.postings).toEqual([]);
    const delegate = await actorFor(db, "tehsildar.east", "2025-11-05");
    expect(delegate.principal.postings).toMatchObject([
      { role: "designated_officer", level: "district", districtCode: 36 },
    ]);
    const row = await applications.findApplicationByReference(db, ref);
    const decided = await applications.decide(
      db,
      delegate,
      ref,
      { action: "approve", remark: "Approved in charge.", version: row?.version as number },
      portal.clock.now(),
    );
    expect(decided.status).toBe("approved");
    expect(decided.dueDate).toBe(dueBefore);
    expect(decided.timeline.map((e) => e.action)).toEqual(["submitted", "delegated", "approved"]);
    expect(decided.timeline[1]?.remark).toContain(
      "Simran Gill (Tehsildar) from 2025-11-04 to 2025-11-07",
    );
    expect(await verifyAudit(db)).toMatchObject({ ok: true });
  });
});
