import { sql } from "drizzle-orm";
import { Temporal } from "temporal-polyfill";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as svc from "../applications/service.ts";
import { rows } from "../db/client.ts";
import { testDatabases } from "../db/testing.ts";
import { actorFor } from "../identity/service.ts";
import { startJobs } from "../jobs/queue.ts";
import { startTestPortal, type TestPortal } from "../web/testing.ts";
import { sweepBreaches } from "./sweep.ts";

describe.each(testDatabases())("breach sweep on $name", (which) => {
  let portal: TestPortal;
  let serviceId: number;
  let tehsil: number;
  beforeAll(async () => {
    portal = await startTestPortal(which, "2025-10-17T10:00:00+05:30");
    serviceId = (
      await portal.app.inject({ url: "/api/v1/services?q=pages%20sought%20%3E15" })
    ).json().items[0].id; // 7 working days
    const [t] = await rows<{ code: number }>(
      portal.database.db,
      sql`select code from tehsils where district_code = 36 order by code limit 1`,
    );
    tehsil = t?.code as number;
  });
  afterAll(async () => portal?.close());

  const file = async (receivedAt: string) =>
    svc.submitApplication(portal.database.db, {
      application: {
        serviceId,
        applicant: {
          name: "Test Applicant",
          relativeName: "Parent",
          gender: "male",
          dateOfBirth: "1980-01-01",
          mobile: "9876500000",
        },
        address: { line1: "1 Mall Road", districtCode: 36, tehsilCode: tehsil, pincode: "141001" },
        purpose: "Test",
        declaration: true,
      },
      documentIds: [],
      channel: "online",
      now: Temporal.Instant.from(receivedAt),
    });

  const count = async (q: ReturnType<typeof sql>) =>
    (await rows<{ n: number }>(portal.database.db, q))[0]?.n;

  it("records each breach once, even with concurrent sweeps and repeated runs", async () => {
    const { db } = portal.database;
    // Received Fri 2025-10-17: due Thu 2025-10-30 (7 working days; Diwali and Vishwakarma Day are holidays).
    const refs = [];
    for (let i = 0; i < 12; i++) refs.push((await file("2025-10-17T10:00:00+05:30")).reference);
    expect((await file("2025-10-17T10:00:00+05:30")).dueDate).toBe("2025-10-30");

    // Wed 2025-10-29 10:00: due the next working day → at risk, not overdue.
    const early = await sweepBreaches(db, Temporal.Instant.from("2025-10-29T10:00:00+05:30"));
    expect(early).toEqual({ overdue: 0, atRisk: 13 });
    // Thu 30 Oct 23:59 IST: still the due date → not overdue.
    expect(await sweepBreaches(db, Temporal.Instant.from("2025-10-30T23:59:00+05:30"))).toEqual({
      overdue: 0,
      atRisk: 0,
    });

    // Fri 31 Oct 00:00 IST: overdue. Three sweeps race, with small batches.
    const at = Temporal.Instant.from("2025-10-31T00:00:00+05:30");
    const results = await Promise.all([
      sweepBreaches(db, at, 3),
      sweepBreaches(db, at, 3),
      sweepBreaches(db, at, 5),
    ]);
    expect(results.reduce((n, r) => n + r.overdue, 0)).toBe(13);
    expect(await sweepBreaches(db, at.add({ hours: 1 }))).toEqual({ overdue: 0, atRisk: 0 });

    expect(
      await count(sql`select count(*)::int as n from application_events where action = 'overdue'`),
    ).toBe(13);
    expect(
      await count(
        sql`select count(*)::int as n from outbox_events where topic = 'application.overdue'`,
      ),
    ).toBe(13);
    expect(
      await count(sql`select count(*)::int as n from applications where overdue_since is null`),
    ).toBe(0);
    const track = await portal.app.inject({
      url: `/api/v1/applications/${refs[0]}?mobile=9876500000`,
    });
    expect(track.json().timeline.map((e: { action: string }) => e.action)).toEqual([
      "submitted",
      "overdue",
    ]);
  });

  it("does not mark applications that are paused, decided or not yet due", async () => {
    const { db } = portal.database;
    const paused = await file("2025-11-03T10:00:00+05:30");
    const officer = await actorFor(db, "do.ludhiana", "2025-11-04");
    const row = await svc.findApplicationByReference(db, paused.reference);
    await svc.decide(
      db,
      officer,
      paused.reference,
      { action: "send_back", remark: "Missing document", version: row?.version as number },
      Temporal.Instant.from("2025-11-04T10:00:00+05:30"),
    );
    const fresh = await file("2025-12-01T10:00:00+05:30");
    expect(await sweepBreaches(db, Temporal.Instant.from("2025-12-02T10:00:00+05:30"))).toEqual({
      overdue: 0,
      atRisk: 0,
    });
    expect(fresh.dueDate).toBe("2025-12-10");
  });

  it("runs as a pg-boss job on this database", async () => {
    const { db } = portal.database;
    await file("2025-09-01T10:00:00+05:30");
    const clock = { now: () => Temporal.Instant.from("2025-12-31T10:00:00+05:30") };
    const jobs = await startJobs(portal.database, clock, { schedule: false });
    try {
      await jobs.boss.send("sla-sweep", {});
      for (let i = 0; i < 100; i++) {
        if (
          (await count(
            sql`select count(*)::int as n from applications where overdue_since is null and status in ('submitted','resubmitted')`,
          )) === 0
        )
          break;
        await new Promise((r) => setTimeout(r, 200));
      }
      expect(
        await count(
          sql`select count(*)::int as n from applications where overdue_since is null and status in ('submitted','resubmitted')`,
        ),
      ).toBe(0);
    } finally {
      await jobs.stop();
    }
    void db;
  });
});
