/**
 * Simulation (issue 4): 10,000 applications across the real districts and
 * services run through 40 working weeks of random actions (approve, reject,
 * send back, resubmit), pauses and a holiday declared midway, with a fixed,
 * stepped clock and two breach sweeps racing every night. Invariants: every
 * breach is recorded exactly once; no application is lost, changes status
 * outside the workflow, or is escalated twice.
 */
import { sql } from "drizzle-orm";
import { Temporal } from "temporal-polyfill";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatReference } from "../applications/reference.ts";
import * as applications from "../applications/service.ts";
import { verifyAudit } from "../audit/service.ts";
import { type Database, rows } from "../db/client.ts";
import { applicationEvents, applications as applicationsTable } from "../db/schema.ts";
import { testDatabases } from "../db/testing.ts";
import { actorFor } from "../identity/service.ts";
import { seedDemoOfficials, seedReferenceData } from "../setup.ts";
import { addWorkingDays } from "../sla/due-date.ts";
import { loadCalendar } from "../sla/service.ts";
import { sweepBreaches } from "../sla/sweep.ts";
import { isStatus } from "./generic.ts";

const N = 10_000;
const DAYS = 60;

/** A small deterministic PRNG (mulberry32), so every run is the same. */
function random(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe.each(testDatabases())("simulation on $name", (which) => {
  let database: Database;
  beforeAll(async () => {
    database = await which.open();
    await seedReferenceData(database);
    await seedDemoOfficials(database);
  }, 300_000);
  afterAll(async () => database?.close());

  it(`${N} applications, ${DAYS} days of random actions, pauses and a holiday: each breach recorded once, none lost`, {
    timeout: 600_000,
  }, async () => {
    const { db } = database;
    const rand = random(20251017);
    const services = await rows<{ id: number; department_id: number; time_limit_days: number }>(
      db,
      sql`select id, department_id, time_limit_days from services where time_limit_days between 1 and 45`,
    );
    const places = await rows<{ district: number; tehsil: number; abbr: string }>(
      db,
      sql`select d.code as district, t.code as tehsil, d.abbreviation as abbr from districts d join tehsils t on t.district_code = d.code where d.code in (36, 41)`,
    );
    const start = Temporal.PlainDate.from("2025-09-01");
    const calendars = new Map<number, Awaited<ReturnType<typeof loadCalendar>>>();
    for (const d of [36, 41]) calendars.set(d, await loadCalendar(db, d));

    // Applications received over the first 20 days, inserted in bulk with their due dates.
    const values = [];
    for (let i = 1; i <= N; i++) {
      const s = services[Math.floor(rand() * services.length)] as (typeof services)[number];
      const p = places[Math.floor(rand() * places.length)] as (typeof places)[number];
      const received = start.add({ days: Math.floor(rand() * 20) });
      const at = received
        .toZonedDateTime({ timeZone: "Asia/Kolkata", plainTime: "11:00" })
        .toInstant()
        .toString();
      values.push({
        reference: formatReference(p.abbr, i),
        serviceId: s.id,
        departmentId: s.department_id,
        districtCode: p.district,
        tehsilCode: p.tehsil,
        applicantName: `Applicant ${i}`,
        mobile: `98${String(i).padStart(8, "0")}`,
        formData: {
          serviceId: s.id,
          applicant: {
            name: `Applicant ${i}`,
            relativeName: "Parent",
            gender: "female",
            dateOfBirth: "1990-01-01",
            mobile: `98${String(i).padStart(8, "0")}`,
          },
          address: {
            line1: "Simulated",
            districtCode: p.district,
            tehsilCode: p.tehsil,
            pincode: "141001",
          },
          purpose: "Simulated",
          declaration: true,
        },
        status: "submitted",
        channel: "online",
        timeLimitDays: s.time_limit_days,
        timeLimitBasis: "working",
        receivedAt: at,
        dueDate: addWorkingDays(
          calendars.get(p.district) as NonNullable<ReturnType<typeof calendars.get>>,
          received,
          s.time_limit_days,
        ),
        createdAt: at,
        updatedAt: at,
      });
    }
    for (let i = 0; i < values.length; i += 1000) {
      const inserted = await db
        .insert(applicationsTable)
        .values(values.slice(i, i + 1000))
        .returning({
          id: applicationsTable.id,
          receivedAt: applicationsTable.receivedAt,
          dueDate: applicationsTable.dueDate,
        });
      await db.insert(applicationEvents).values(
        inserted.map((r) => ({
          applicationId: r.id,
          at: r.receivedAt,
          action: "submitted",
          toStatus: "submitted",
          actorKind: "applicant",
          dueDate: r.dueDate,
        })),
      );
    }

    const officers = {
      36: await actorFor(db, "do.ludhiana", "2025-09-01"),
      41: await actorFor(db, "do.patiala", "2025-09-01"),
    };
    let actions = 0;
    for (let day = 0; day < DAYS; day++) {
      const date = start.add({ days: day });
      // Two sweeps race just after midnight IST.
      const night = date
        .toZonedDateTime({ timeZone: "Asia/Kolkata", plainTime: "00:30" })
        .toInstant();
      await Promise.all([sweepBreaches(db, night, 250), sweepBreaches(db, night, 400)]);
      if (day === 30) {
        // A local holiday declared by the Deputy Commissioner of Ludhiana, 10 days ahead.
        const holiday = date.add({ days: 10 }).toString();
        await db.execute(
          sql`insert into holidays (date, name, kind, district_code) values (${holiday}, 'Simulated local holiday', 'local', 36)`,
        );
        await applications.recomputeDueDates(db, {
          districtCode: 36,
          from: holiday,
          reason: `Holiday added: Simulated local holiday (${holiday})`,
          now: night,
        });
      }
      // During the day, officers act on a random handful of open applications, and applicants resubmit.
      const open = await rows<{
        reference: string;
        status: string;
        district_code: number;
        version: number;
      }>(
        db,
        sql`select reference, status, district_code, version from applications where status in ('submitted','resubmitted','sent_back') and received_at < ${night.toString()} order by random() limit 60`,
      );
      const noon = date
        .toZonedDateTime({ timeZone: "Asia/Kolkata", plainTime: "12:00" })
        .toInstant();
      for (const a of open) {
        const r = rand();
        if (r > 0.7) continue;
        const row = await applications.findApplicationByReference(db, a.reference);
        if (!row) throw new Error(`lost ${a.reference}`);
        if (row.status === "sent_back") {
          await applications.resubmit(db, row, {
            application: row.formData as never,
            documentIds: [],
            version: row.version,
            now: noon,
          });
        } else {
          const action = r < 0.35 ? "approve" : r < 0.5 ? "reject" : "send_back";
          await applications.decide(
            db,
            officers[a.district_code as 36 | 41],
            a.reference,
            { action, remark: `Simulated ${action}`, version: row.version },
            noon,
          );
        }
        actions++;
      }
    }
    const end = start
      .add({ days: DAYS })
      .toZonedDateTime({ timeZone: "Asia/Kolkata", plainTime: "00:30" })
      .toInstant();
    await sweepBreaches(db, end);
    await sweepBreaches(db, end);

    const [total] = await rows<{ n: number }>(db, sql`select count(*)::int as n from applications`);
    expect(total?.n).toBe(N);
    const statuses = await rows<{ status: string }>(
      db,
      sql`select distinct status from applications`,
    );
    for (const s of statuses) expect(isStatus(s.status)).toBe(true);
    expect(actions).toBeGreaterThan(1000);
    // No application breached twice.
    const doubled = await rows<{ n: number }>(
      db,
      sql`select count(*)::int as n from (select application_id from application_events where action = 'overdue' group by application_id having count(*) > 1) x`,
    );
    expect(doubled[0]?.n).toBe(0);
    // Every recorded breach has exactly one timeline entry, one outbox event and one audit record, and vice versa.
    const [marks] = await rows<{ n: number }>(
      db,
      sql`select count(*)::int as n from applications where overdue_since is not null`,
    );
    const [events] = await rows<{ n: number }>(
      db,
      sql`select count(*)::int as n from application_events where action = 'overdue'`,
    );
    const [outbox] = await rows<{ n: number }>(
      db,
      sql`select count(*)::int as n from outbox_events where topic = 'application.overdue'`,
    );
    const [audits] = await rows<{ n: number }>(
      db,
      sql`select count(*)::int as n from audit_log where action = 'application.overdue'`,
    );
    expect(marks?.n).toBeGreaterThan(1000);
    expect(events?.n).toBe(marks?.n);
    expect(outbox?.n).toBe(marks?.n);
    expect(audits?.n).toBe(marks?.n);
    // No breach was missed: every open application past its due date at the end is marked.
    const missed = await rows<{ n: number }>(
      db,
      sql`select count(*)::int as n from applications where status in ('submitted','resubmitted') and due_date < ${start.add({ days: DAYS }).toString()} and overdue_since is null`,
    );
    expect(missed[0]?.n).toBe(0);
    // Nothing decided before its due date was ever marked.
    const early = await rows<{ n: number }>(
      db,
      sql`select count(*)::int as n from applications a where a.overdue_since is not null and a.status in ('approved','rejected') and (a.decided_at at time zone 'Asia/Kolkata')::date <= a.due_date and not exists (select 1 from application_events e where e.application_id = a.id and e.action = 'sent_back')`,
    );
    expect(early[0]?.n).toBe(0);
    expect(await verifyAudit(db)).toMatchObject({ ok: true });
  });
});
