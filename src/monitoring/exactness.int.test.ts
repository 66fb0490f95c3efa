/**
 * Exactness (issue 6): every count computed from the raw rows (the naive
 * GROUP BY) and through the fast path (the trigger-maintained rollup) must be
 * equal, on a simulated dataset, on PGlite and on PostgreSQL; after a bulk
 * load and rebuild, after changes made through the triggers, and after
 * compaction.
 */
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../db/client.ts";
import { rows } from "../db/client.ts";
import { testDatabases } from "../db/testing.ts";
import { seedDemoOfficials, seedReferenceData } from "../setup.ts";
import { epochDayOf } from "../sla/calendar.ts";
import { workingDaysBetween } from "../sla/due-date.ts";
import { loadCalendar } from "../sla/service.ts";
import { cutoffs, type Period } from "./measures.ts";
import {
  compact,
  type Filters,
  fastBreakdown,
  fastOverdueByDueDay,
  fastWeekly,
  type GroupKey,
  naiveBreakdown,
  naiveOverdueByDueDay,
  naiveWeekly,
  type Question,
  type Scope,
} from "./repository.ts";
import { simulate } from "./simulate.ts";

const TODAY = "2026-11-27";

describe.each(testDatabases())("monitoring exactness on $name", (which) => {
  let database: Database;
  let district = 0;
  let department = 0;
  let office = 0;
  let service = 0;

  beforeAll(async () => {
    database = await which.open();
    await seedReferenceData(database);
    await seedDemoOfficials(database);
    await simulate(database, { applications: 3000, days: 400, seed: 7, today: TODAY, batch: 700 });
    const [busy] = await rows<{ d: number; p: number; t: number; s: number }>(
      database.db,
      sql`select district_code as d, department_id as p, tehsil_code as t, service_id as s
          from applications group by 1, 2, 3, 4 order by count(*) desc limit 1`,
    );
    district = Number(busy.d);
    department = Number(busy.p);
    office = Number(busy.t);
    service = Number(busy.s);
  }, 240_000);
  afterAll(async () => database?.close());

  async function questions(): Promise<Question[]> {
    const calendar = await loadCalendar(database.db, null);
    const out: Question[] = [];
    const periods: Period[] = [
      { from: "2025-01", to: "2026-11" },
      { from: "2026-03", to: "2026-08" },
    ];
    const days = [TODAY, "2026-10-05"];
    const scopes: Scope[] = [
      "state",
      [{ districtCode: district, tehsilCode: null, departmentId: null }],
      [{ districtCode: null, tehsilCode: office, departmentId: department }],
    ];
    const drill: Array<{ group: GroupKey; filters: Filters }> = [
      { group: null, filters: {} },
      { group: "department", filters: {} },
      { group: "district", filters: {} },
      { group: "district", filters: { department } },
      { group: "office", filters: { department, district } },
      { group: "service", filters: { department, district, office } },
      { group: "officer", filters: { department, district, office, service } },
      { group: "period", filters: {} },
      { group: "period", filters: { district } },
    ];
    for (const period of periods)
      for (const day of days)
        for (const scope of scopes)
          for (const d of drill) out.push({ ...d, scope, period, cut: cutoffs(calendar, day) });
    return out;
  }

  async function expectEqual(): Promise<number> {
    let compared = 0;
    for (const question of await questions()) {
      const naive = await naiveBreakdown(database.db, question);
      const fast = await fastBreakdown(database.db, question);
      expect(fast, JSON.stringify(question)).toEqual(naive);
      compared += naive.length;
      const { group: _g, ...rest } = question;
      expect(await fastOverdueByDueDay(database.db, rest)).toEqual(
        await naiveOverdueByDueDay(database.db, rest),
      );
      if (question.cut.today === TODAY) {
        expect(await fastWeekly(database.db, rest)).toEqual(await naiveWeekly(database.db, rest));
      }
    }
    return compared;
  }

  it("the rollup rebuilt after the bulk load equals the raw counts", async () => {
    const [{ n }] = await rows<{ n: string }>(
      database.db,
      sql`select count(*) as n from applications`,
    );
    expect(Number(n)).toBe(3000);
    const compared = await expectEqual();
    expect(compared).toBeGreaterThan(100);
    // The identity of measures.ts holds on the state total.
    const calendar = await loadCalendar(database.db, null);
    const [total] = await fastBreakdown(database.db, {
      group: null,
      filters: {},
      scope: "state",
      period: { from: "2025-01", to: "2026-11" },
      cut: cutoffs(calendar, TODAY),
    });
    const c = total.counts;
    expect(c.received).toBe(3000);
    expect(c.disposedWithin + c.disposedLate + c.sentBack + c.pendingWithin + c.pendingBeyond).toBe(
      c.received,
    );
    expect(c.pendingBeyond).toBeGreaterThan(0);
    expect(c.sentBack).toBeGreaterThan(0);
    expect(c.appeals).toBeGreaterThan(0);
    expect(c.medianDays).not.toBeNull();
  }, 240_000);

  it("stays exact through changes made by the triggers, and after compaction", async () => {
    const db = database.db;
    // Decide some pending ones (late and on time), send some back, resubmit, appeal, move, delete.
    const pending = await rows<{ id: string; due_date: string | null }>(
      db,
      sql`select id, due_date from applications where status in ('submitted', 'resubmitted') order by id limit 40`,
    );
    const [official] = await rows<{ id: number }>(
      db,
      sql`select id from officials order by id limit 1`,
    );
    for (const [i, p] of pending.entries()) {
      await db.transaction(async (tx) => {
        if (i % 4 === 0) {
          await tx.execute(
            sql`update applications set status = 'approved', decided_at = '2026-11-26T12:00:00+05:30', version = version + 1 where id = ${p.id}`,
          );
          await tx.execute(sql`insert into application_events (application_id, at, action, from_status, to_status, actor_kind, actor_id)
            values (${p.id}, '2026-11-26T12:00:00+05:30', 'approved', 'submitted', 'approved', 'official', ${`official:${official.id}`})`);
        } else if (i % 4 === 1) {
          await tx.execute(
            sql`update applications set status = 'sent_back', due_date = null where id = ${p.id}`,
          );
          await tx.execute(sql`insert into application_events (application_id, at, action, from_status, to_status, actor_kind, actor_id)
            values (${p.id}, '2026-11-26T12:00:00+05:30', 'sent_back', 'submitted', 'sent_back', 'official', ${`official:${official.id}`})`);
        } else if (i % 4 === 2) {
          await tx.execute(sql`insert into appeals (application_id, level, status, cause, grounds, filed_by, filed_at, decision_due)
            values (${p.id}, 2, 'filed', 'delay', 'test', 'applicant', now(), '2026-12-31')`);
          await tx.execute(sql`update applications set due_date = '2026-11-28' where id = ${p.id}`);
        } else {
          await tx.execute(
            sql`update applications set district_code = ${district}, tehsil_code = ${office} where id = ${p.id}`,
          );
        }
      });
    }
    const [deltas] = await rows<{ n: string }>(
      db,
      sql`select count(*) as n from monitoring_cell_deltas`,
    );
    expect(Number(deltas.n)).toBeGreaterThan(0);
    await expectEqual();
    await compact(db);
    const [after] = await rows<{ n: string }>(
      db,
      sql`select count(*) as n from monitoring_cell_deltas`,
    );
    expect(Number(after.n)).toBe(0);
    await expectEqual();
    // A deleted application (and its children) leaves the rollup too.
    const [gone] = await rows<{ id: string }>(
      db,
      sql`select a.id from applications a where not exists (select 1 from appeals p where p.application_id = a.id) order by a.id desc limit 1`,
    );
    await db.transaction(async (tx) => {
      await tx.execute(sql`delete from application_events where application_id = ${gone.id}`);
      await tx.execute(sql`delete from applications where id = ${gone.id}`);
    });
    await expectEqual();
  }, 240_000);

  it("counts disposal time in working days as the SLA calendar does", async () => {
    const calendar = await loadCalendar(database.db, null);
    const pairs: Array<[string, string]> = [
      ["2026-01-01", "2026-01-31"],
      ["2025-12-24", "2026-01-02"],
      ["2026-08-14", "2026-08-17"],
      ["2026-10-15", "2026-11-27"],
      ["2026-03-07", "2026-03-08"],
      ["2026-03-08", "2026-03-07"],
    ];
    for (const [a, b] of pairs) {
      const [r] = await rows<{ n: number }>(
        database.db,
        sql`select monitoring_working_days(${a}::date, ${b}::date) as n`,
      );
      expect(Number(r.n), `${a}..${b}`).toBe(workingDaysBetween(calendar, a, b));
    }
    expect(epochDayOf("1970-01-05")).toBe(4);
  });
});
