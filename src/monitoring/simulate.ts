/**
 * The simulator behind `sewa simulate`: a deterministic, realistic history of
 * applications across the real districts, tehsils and services, for the
 * dashboards, the exactness test and the benchmark (issue 6).
 *
 * The model (all draws from one seeded PRNG, so a seed and a `today` give the
 * same rows every time):
 * - **where**: districts weighted by their number of tehsils, a documented
 *   proxy for population (the shipped data has no census population), then a
 *   tehsil of the district uniformly;
 * - **what**: services by a Zipf law (exponent 1.1) over a seeded shuffle of
 *   the services, so a few services carry most of the volume, as in practice;
 * - **when**: receipt uniformly over the last `days` calendar days up to
 *   `today`, 09:00–17:00 IST, with 90 % of receipts moved to a working day;
 * - **deficiency**: 12 % are sent back; half of those are still with the
 *   applicant, the other half were resubmitted 1–10 working days later (the
 *   clock paused meanwhile, so their due date moves by the same days);
 * - **disposal time**: 88 % within the time limit (uniform between 30 % and
 *   100 % of it), 12 % late by 1 + an exponential tail (mean 12 working days);
 *   anything whose decision would fall after today is still pending;
 * - **outcome**: 88 % approved, 12 % rejected;
 * - **appeals**: 25 % of breaches (disposed late, or pending and overdue)
 *   get a first appeal filed 3 working days after the due date (if that is
 *   not after today), and 20 % of those end in a penalty on the officer;
 * - **officers**: two simulated designated officers per district and
 *   department (odd and even tehsil codes), created with unusable passwords.
 *
 * Rows are written with multi-row `INSERT … SELECT FROM unnest(…)` in batches
 * (a few parameters per batch whatever its size), with the monitoring
 * triggers off for the batch (`session_replication_role = replica`, in the
 * batch's transaction); the rollup is rebuilt from the raw rows at the end
 * (`monitoring_rebuild()`) and a `simulation_runs` row marks the data as
 * simulated, which every page then says.
 *
 * @module
 */
import { sql } from "drizzle-orm";
import { formatReference } from "../applications/reference.ts";
import { type Database, type Queryable, rows } from "../db/client.ts";
import { dateOfEpochDay, epochDayOf, type WorkingCalendar } from "../sla/calendar.ts";
import { addWorkingDays } from "../sla/due-date.ts";
import { loadCalendar } from "../sla/service.ts";
import { rebuild } from "./repository.ts";

/** Options of {@link simulate}. */
export type SimulateOptions = {
  /** Number of applications to create (a positive integer). */
  applications: number;
  /** Length of the history in calendar days, ending on `today` (a positive integer). */
  days: number;
  /** PRNG seed (default 1). */
  seed?: number;
  /** The last day of the history, `YYYY-MM-DD` IST. */
  today: string;
  /** Rows per INSERT batch (default 5000). */
  batch?: number;
  /** Called after each batch with the applications written so far. */
  onProgress?: (done: number) => void;
  /** Called once before the rollup is rebuilt (it can take a while). */
  onRebuild?: () => void;
};

/** What {@link simulate} wrote. */
export type SimulateResult = {
  applications: number;
  events: number;
  appeals: number;
  penalties: number;
  officials: number;
};

/** mulberry32: a small, fast, seedable PRNG with values in [0, 1). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Picks an index from cumulative weights (ascending, last = total) with `u` in [0, 1). */
function pick(cumulative: readonly number[], u: number): number {
  const target = u * cumulative[cumulative.length - 1];
  let low = 0;
  let high = cumulative.length - 1;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (cumulative[mid] > target) high = mid;
    else low = mid + 1;
  }
  return low;
}

function cumulate(weights: readonly number[]): number[] {
  let s = 0;
  return weights.map((w) => {
    s += w;
    return s;
  });
}

type Service = { id: number; departmentId: number; limit: number; basis: string };
type App = {
  id: number;
  reference: string;
  serviceId: number;
  departmentId: number;
  districtCode: number;
  tehsilCode: number;
  status: string;
  limit: number;
  basis: string;
  receivedAt: string;
  dueDate: string | null;
  decidedAt: string | null;
};
type Ev = {
  applicationId: number;
  at: string;
  action: string;
  fromStatus: string | null;
  toStatus: string;
  actorKind: string;
  actorId: string | null;
  dueDate: string | null;
};

/** An IST instant string for a date and minutes after midnight. */
function istInstant(date: string, minutes: number): string {
  const h = String(Math.floor(minutes / 60)).padStart(2, "0");
  const m = String(minutes % 60).padStart(2, "0");
  return `${date}T${h}:${m}:00+05:30`;
}

function nextWorkingOnOrAfter(calendar: WorkingCalendar, day: number): number {
  let d = day;
  while (!calendar.isWorkingEpochDay(d)) d++;
  return d;
}

/**
 * Fills the database with a simulated history (see the module comment).
 * @throws RangeError on a non-positive or non-integer `applications` or `days`.
 * @throws Error when the reference data (districts, tehsils, services) is not loaded.
 */
export async function simulate(database: Database, opts: SimulateOptions): Promise<SimulateResult> {
  const { db } = database;
  if (!Number.isSafeInteger(opts.applications) || opts.applications < 1)
    throw new RangeError("applications must be a positive integer");
  if (!Number.isSafeInteger(opts.days) || opts.days < 1)
    throw new RangeError("days must be a positive integer");
  const seed = opts.seed ?? 1;
  const random = prng(seed);
  const batchSize = opts.batch ?? 5000;

  const districts = await rows<{ code: number; abbreviation: string | null }>(
    db,
    sql`select code, abbreviation from districts where abbreviation is not null order by code`,
  );
  const tehsils = await rows<{ code: number; district_code: number }>(
    db,
    sql`select code, district_code from tehsils order by code`,
  );
  const services = (
    await rows<{
      id: number;
      department_id: number;
      time_limit_days: number | null;
      time_limit_basis: string;
    }>(
      db,
      sql`select id, department_id, time_limit_days, time_limit_basis from services order by id`,
    )
  ).map((s) => ({
    id: Number(s.id),
    departmentId: Number(s.department_id),
    limit: s.time_limit_days ?? 0,
    basis: s.time_limit_basis === "calendar" ? "calendar" : "working",
  })) as Service[];
  const tehsilsOf = new Map<number, number[]>();
  for (const t of tehsils) {
    const list = tehsilsOf.get(Number(t.district_code)) ?? [];
    list.push(Number(t.code));
    tehsilsOf.set(Number(t.district_code), list);
  }
  const usable = districts.filter((d) => (tehsilsOf.get(Number(d.code)) ?? []).length > 0);
  if (usable.length === 0 || services.length === 0)
    throw new Error(
      "Load the reference data first (sewa setup): no districts, tehsils or services",
    );
  const districtCum = cumulate(usable.map((d) => (tehsilsOf.get(Number(d.code)) ?? []).length));
  // Zipf over a seeded shuffle of the services.
  const order = services.map((_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  const serviceCum = cumulate(order.map((_, rank) => 1 / (rank + 1) ** 1.1));

  const calendar = await loadCalendar(db, null);
  const todayDay = epochDayOf(opts.today);
  const firstDay = todayDay - opts.days + 1;
  const workingDayAfter = (day: number, n: number) =>
    epochDayOf(addWorkingDays(calendar, dateOfEpochDay(day), n));
  const dueAfter = (day: number, n: number, basis: string) =>
    basis === "calendar" ? day + n : workingDayAfter(day, n);

  // Simulated designated officers: two per district and department, made on demand.
  const officers = new Map<string, number>();
  let officialsCreated = 0;
  async function officerFor(districtCode: number, departmentId: number, tehsilCode: number) {
    const key = `${districtCode}:${departmentId}:${tehsilCode % 2}`;
    const known = officers.get(key);
    if (known !== undefined) return known;
    const username = `sim.do.${districtCode}.${departmentId}.${tehsilCode % 2}`;
    const [found] = await rows<{ id: number }>(
      db,
      sql`select id from officials where username = ${username}`,
    );
    let id = found ? Number(found.id) : 0;
    if (!found) {
      const [made] = await rows<{ id: number }>(
        db,
        sql`insert into officials (username, password_hash, name, designation)
            values (${username}, '!', ${`Simulated officer ${districtCode}-${departmentId}-${tehsilCode % 2 ? "A" : "B"}`}, 'Designated officer')
            returning id`,
      );
      id = Number(made.id);
      await db.execute(sql`insert into postings (official_id, role, office, level, district_code, department_id, valid_from)
        values (${id}, 'designated_officer', 'Simulated office', 'district', ${districtCode}, ${departmentId}, ${dateOfEpochDay(firstDay)})`);
      officialsCreated++;
    }
    officers.set(key, id);
    return id;
  }

  const result: SimulateResult = {
    applications: 0,
    events: 0,
    appeals: 0,
    penalties: 0,
    officials: 0,
  };
  for (let done = 0; done < opts.applications; ) {
    const size = Math.min(batchSize, opts.applications - done);
    const ids = await rows<{ id: string; ref: string }>(
      db,
      sql`select nextval('applications_id_seq') as id, nextval('application_reference_seq') as ref
          from generate_series(1, ${size})`,
    );
    const apps: App[] = [];
    const events: Ev[] = [];
    const appeals: Array<{
      applicationId: number;
      filedAt: string;
      decisionDue: string;
      officer: number;
      daysLate: number;
    }> = [];
    for (let i = 0; i < size; i++) {
      const district = usable[pick(districtCum, random())];
      const districtCode = Number(district.code);
      const tehs = tehsilsOf.get(districtCode) as number[];
      const tehsilCode = tehs[Math.floor(random() * tehs.length)];
      const service = services[order[pick(serviceCum, random())]];
      let receivedDay = firstDay + Math.floor(random() * opts.days);
      if (random() < 0.9) receivedDay = nextWorkingOnOrAfter(calendar, receivedDay);
      if (receivedDay > todayDay) receivedDay = todayDay;
      const receivedAt = istInstant(dateOfEpochDay(receivedDay), 540 + Math.floor(random() * 480));
      const id = Number(ids[i].id);
      const officer = await officerFor(districtCode, service.departmentId, tehsilCode);
      const app: App = {
        id,
        reference: formatReference(district.abbreviation as string, Number(ids[i].ref)),
        serviceId: service.id,
        departmentId: service.departmentId,
        districtCode,
        tehsilCode,
        status: "submitted",
        limit: service.limit,
        basis: service.basis,
        receivedAt,
        dueDate: null,
        decidedAt: null,
      };
      apps.push(app);
      events.push({
        applicationId: id,
        at: receivedAt,
        action: "submitted",
        fromStatus: null,
        toStatus: "submitted",
        actorKind: "applicant",
        actorId: null,
        dueDate: null,
      });
      // Deficiency: sent back after a few working days, maybe resubmitted.
      let pause = 0;
      let clockFrom = receivedDay;
      let status = "submitted";
      if (random() < 0.12) {
        const sentDay = workingDayAfter(
          receivedDay,
          1 + Math.floor(random() * Math.max(1, Math.min(service.limit, 5))),
        );
        if (sentDay <= todayDay) {
          events.push({
            applicationId: id,
            at: istInstant(dateOfEpochDay(sentDay), 660),
            action: "sent_back",
            fromStatus: "submitted",
            toStatus: "sent_back",
            actorKind: "official",
            actorId: `official:${officer}`,
            dueDate: null,
          });
          status = "sent_back";
          pause = 1 + Math.floor(random() * 10);
          const backDay = workingDayAfter(sentDay, pause);
          if (random() < 0.5 || backDay > todayDay) {
            app.status = "sent_back";
            continue;
          }
          events.push({
            applicationId: id,
            at: istInstant(dateOfEpochDay(backDay), 600),
            action: "resubmitted",
            fromStatus: "sent_back",
            toStatus: "resubmitted",
            actorKind: "applicant",
            actorId: null,
            dueDate: null,
          });
          status = "resubmitted";
          clockFrom = receivedDay;
        }
      }
      const dueDay = dueAfter(
        clockFrom,
        service.limit + (status === "resubmitted" ? pause + 1 : 0),
        service.basis,
      );
      app.dueDate = dateOfEpochDay(dueDay);
      app.status = status;
      const late = random() < 0.12;
      const takes = late
        ? service.limit + 1 + Math.floor(-Math.log(1 - random()) * 12)
        : Math.max(0, Math.round(service.limit * (0.3 + 0.7 * random())));
      const decisionDay = late
        ? workingDayAfter(dueDay, takes - service.limit)
        : Math.min(
            dueDay,
            workingDayAfter(receivedDay, takes + (status === "resubmitted" ? pause + 1 : 0)),
          );
      const breached = late && (decisionDay <= todayDay || dueDay < todayDay);
      if (decisionDay <= todayDay) {
        const to = random() < 0.88 ? "approved" : "rejected";
        app.decidedAt = istInstant(dateOfEpochDay(decisionDay), 900 + Math.floor(random() * 120));
        app.status = to;
        events.push({
          applicationId: id,
          at: app.decidedAt,
          action: to,
          fromStatus: status,
          toStatus: to,
          actorKind: "official",
          actorId: `official:${officer}`,
          dueDate: app.dueDate,
        });
      }
      if (breached && random() < 0.25) {
        const filedDay = workingDayAfter(dueDay, 3);
        if (filedDay <= todayDay) {
          appeals.push({
            applicationId: id,
            filedAt: istInstant(dateOfEpochDay(filedDay), 720),
            decisionDue: dateOfEpochDay(filedDay + 30),
            officer,
            daysLate: Math.max(1, Math.min(todayDay, decisionDay) - dueDay),
          });
        }
      }
    }
    await db.transaction(async (tx) => {
      await tx.execute(sql`set local session_replication_role = replica`);
      await insertApps(tx, apps);
      await insertEvents(tx, events);
      const penalties = await insertAppeals(tx, appeals, random);
      result.penalties += penalties;
    });
    done += size;
    result.applications += size;
    result.events += events.length;
    result.appeals += appeals.length;
    opts.onProgress?.(done);
  }
  result.officials = officialsCreated;
  opts.onRebuild?.();
  await db.execute(
    sql`insert into simulation_runs (seed, applications, days) values (${seed}, ${opts.applications}, ${opts.days})`,
  );
  await rebuild(db);
  return result;
}

function arr(values: unknown[], type: string) {
  return sql`${sql.param(values)}::${sql.raw(type)}[]`;
}

async function insertApps(q: Queryable, apps: App[]): Promise<void> {
  if (apps.length === 0) return;
  await q.execute(sql`insert into applications (id, reference, service_id, department_id, district_code,
      tehsil_code, applicant_name, mobile, form_data, status, time_limit_days, time_limit_basis,
      received_at, due_date, decided_at, channel)
    select u.id, u.reference, u.service_id, u.department_id, u.district_code, u.tehsil_code,
      'Simulated applicant', '9000000000', '{}'::jsonb, u.status, u.time_limit_days, u.basis,
      u.received_at, u.due_date, u.decided_at, 'online'
    from unnest(${arr(
      apps.map((a) => a.id),
      "bigint",
    )}, ${arr(
      apps.map((a) => a.reference),
      "text",
    )},
      ${arr(
        apps.map((a) => a.serviceId),
        "int",
      )}, ${arr(
        apps.map((a) => a.departmentId),
        "int",
      )},
      ${arr(
        apps.map((a) => a.districtCode),
        "int",
      )}, ${arr(
        apps.map((a) => a.tehsilCode),
        "int",
      )},
      ${arr(
        apps.map((a) => a.status),
        "text",
      )}, ${arr(
        apps.map((a) => a.limit),
        "int",
      )},
      ${arr(
        apps.map((a) => a.basis),
        "text",
      )}, ${arr(
        apps.map((a) => a.receivedAt),
        "timestamptz",
      )},
      ${arr(
        apps.map((a) => (a.status === "sent_back" ? null : a.dueDate)),
        "date",
      )},
      ${arr(
        apps.map((a) => a.decidedAt),
        "timestamptz",
      )})
      as u(id, reference, service_id, department_id, district_code, tehsil_code, status,
        time_limit_days, basis, received_at, due_date, decided_at)`);
}

async function insertEvents(q: Queryable, events: Ev[]): Promise<void> {
  if (events.length === 0) return;
  await q.execute(sql`insert into application_events (application_id, at, action, from_status, to_status,
      actor_kind, actor_id, due_date)
    select * from unnest(${arr(
      events.map((e) => e.applicationId),
      "bigint",
    )},
      ${arr(
        events.map((e) => e.at),
        "timestamptz",
      )}, ${arr(
        events.map((e) => e.action),
        "text",
      )},
      ${arr(
        events.map((e) => e.fromStatus),
        "text",
      )}, ${arr(
        events.map((e) => e.toStatus),
        "text",
      )},
      ${arr(
        events.map((e) => e.actorKind),
        "text",
      )}, ${arr(
        events.map((e) => e.actorId),
        "text",
      )},
      ${arr(
        events.map((e) => e.dueDate),
        "date",
      )})`);
}

async function insertAppeals(
  q: Queryable,
  appeals: Array<{
    applicationId: number;
    filedAt: string;
    decisionDue: string;
    officer: number;
    daysLate: number;
  }>,
  random: () => number,
): Promise<number> {
  if (appeals.length === 0) return 0;
  const made = await rows<{ id: string; application_id: string }>(
    q,
    sql`insert into appeals (application_id, level, status, cause, grounds, filed_by, filed_at, decision_due)
    select u.application_id, 1, 'filed', 'delay', 'Not delivered within the time limit (simulated)',
      'applicant', u.filed_at, u.decision_due
    from unnest(${arr(
      appeals.map((a) => a.applicationId),
      "bigint",
    )},
      ${arr(
        appeals.map((a) => a.filedAt),
        "timestamptz",
      )},
      ${arr(
        appeals.map((a) => a.decisionDue),
        "date",
      )}) as u(application_id, filed_at, decision_due)
    returning id, application_id`,
  );
  const byApp = new Map(appeals.map((a) => [a.applicationId, a]));
  const penalised = made.filter(() => random() < 0.2);
  if (penalised.length === 0) return 0;
  await q.execute(sql`insert into penalties (appeal_id, application_id, official_id, officer_name, days_late,
      amount_paise, status, created_at, updated_at)
    select u.appeal_id, u.application_id, u.official_id, 'Simulated officer', u.days_late,
      least(u.days_late * 25000, 500000), 'imposed', u.at, u.at
    from unnest(${arr(
      penalised.map((p) => Number(p.id)),
      "bigint",
    )},
      ${arr(
        penalised.map((p) => Number(p.application_id)),
        "bigint",
      )},
      ${arr(
        penalised.map((p) => byApp.get(Number(p.application_id))?.officer ?? null),
        "int",
      )},
      ${arr(
        penalised.map((p) => byApp.get(Number(p.application_id))?.daysLate ?? 1),
        "int",
      )},
      ${arr(
        penalised.map((p) => byApp.get(Number(p.application_id))?.filedAt ?? null),
        "timestamptz",
      )})
      as u(appeal_id, application_id, official_id, days_late, at)`);
  return penalised.length;
}
