/**
 * SQL for the pendency measures of measures.ts, twice:
 *
 * - the **fast path** reads the rollup `monitoring_cells` (plus the deltas not
 *   yet compacted) at the coarsest grain that holds every dimension the
 *   question needs; its size depends on months × districts × departments, not
 *   on the number of applications;
 * - the **naive path** groups the raw `applications` rows: the slow, obvious
 *   query, kept as the reference of the exactness test and of the benchmark.
 *
 * Both return the same {@link BreakdownRow}s for the same question.
 *
 * @module
 */
import { type SQL, sql } from "drizzle-orm";
import { type Queryable, rows } from "../db/client.ts";
import { type Counts, type Cutoffs, monthEnd, monthStart, type Period } from "./measures.ts";

/** A dimension of the drill-down (the rollup's columns). */
export type Dim = "department" | "district" | "office" | "service" | "officer";

/** Group key of a breakdown: a dimension, the month of receipt (`period`), or nothing (one total row). */
export type GroupKey = Dim | "period" | null;

const CELL_COLUMN: Record<Dim, string> = {
  department: "department_id",
  district: "district_code",
  office: "tehsil_code",
  service: "service_id",
  officer: "officer_id",
};

/** Filters on the dimensions (each an id or LGD code; officer 0 = not yet acted on by an official). */
export type Filters = Partial<Record<Dim, number>>;

/**
 * Where a user may look: `"state"` (everything), or a union of rules, each
 * a district and/or tehsil (LGD) and/or department (null = any). An empty
 * list sees nothing.
 */
export type Scope =
  | "state"
  | Array<{ districtCode: number | null; tehsilCode: number | null; departmentId: number | null }>;

/** One row of a breakdown: the group's key (a number, a `YYYY-MM-01` date, or 0 for the total). */
export type BreakdownRow = { key: number | string; counts: Counts };

/** A question to the measures: group, filters, scope, period of receipt, and today's cutoffs. */
export type Question = {
  group: GroupKey;
  filters: Filters;
  scope: Scope;
  period: Period;
  cut: Cutoffs;
};

const GRAINS: Array<{ grain: number; dims: Dim[] }> = [
  { grain: 4, dims: [] },
  { grain: 3, dims: ["department"] },
  { grain: 2, dims: ["district"] },
  { grain: 1, dims: ["district", "department"] },
  { grain: 0, dims: ["district", "department", "office", "service", "officer"] },
];

/** The dimensions a question needs from the rollup. */
export function neededDims(question: Pick<Question, "group" | "filters" | "scope">): Set<Dim> {
  const need = new Set<Dim>();
  if (question.group && question.group !== "period") need.add(question.group);
  for (const k of Object.keys(question.filters) as Dim[]) {
    if (question.filters[k] !== undefined) need.add(k);
  }
  if (question.scope !== "state") {
    for (const r of question.scope) {
      if (r.districtCode !== null) need.add("district");
      if (r.tehsilCode !== null) need.add("office");
      if (r.departmentId !== null) need.add("department");
    }
  }
  return need;
}

/** The coarsest grain of `monitoring_cells` that holds every needed dimension. */
export function grainFor(need: ReadonlySet<Dim>): number {
  for (const g of GRAINS) if ([...need].every((d) => g.dims.includes(d))) return g.grain;
  return 0;
}

function scopeCondition(scope: Scope, col: (d: Dim) => SQL): SQL {
  if (scope === "state") return sql`true`;
  if (scope.length === 0) return sql`false`;
  const parts = scope.map((r) => {
    const c: SQL[] = [sql`true`];
    if (r.districtCode !== null) c.push(sql`${col("district")} = ${r.districtCode}`);
    if (r.tehsilCode !== null) c.push(sql`${col("office")} = ${r.tehsilCode}`);
    if (r.departmentId !== null) c.push(sql`${col("department")} = ${r.departmentId}`);
    return sql`(${sql.join(c, sql` and `)})`;
  });
  return sql`(${sql.join(parts, sql` or `)})`;
}

function filterCondition(filters: Filters, col: (d: Dim) => SQL): SQL {
  const c: SQL[] = [sql`true`];
  for (const [k, v] of Object.entries(filters) as Array<[Dim, number | undefined]>) {
    if (v !== undefined) c.push(sql`${col(k)} = ${v}`);
  }
  return sql.join(c, sql` and `);
}

type RawRow = {
  key: number | string;
  received: string | number | null;
  disposed_within: string | number | null;
  disposed_late: string | number | null;
  rejected: string | number | null;
  sent_back: string | number | null;
  pending_within: string | number | null;
  pending_beyond: string | number | null;
  at_risk: string | number | null;
  appeals: string | number | null;
  penalties: string | number | null;
  median: string | number | null;
  p90: string | number | null;
};

function toRow(r: RawRow): BreakdownRow {
  const n = (v: string | number | null) => (v === null ? 0 : Number(v));
  const received = n(r.received);
  const pendingBeyond = n(r.pending_beyond);
  return {
    key: typeof r.key === "string" && /^-?\d+$/.test(r.key) ? Number(r.key) : r.key,
    counts: {
      received,
      disposedWithin: n(r.disposed_within),
      disposedLate: n(r.disposed_late),
      rejected: n(r.rejected),
      sentBack: n(r.sent_back),
      pendingWithin: n(r.pending_within),
      pendingBeyond,
      atRisk: n(r.at_risk),
      appeals: n(r.appeals),
      penalties: n(r.penalties),
      pendencyPercent: received > 0 ? Math.round((pendingBeyond * 10000) / received) / 100 : null,
      medianDays: r.median === null ? null : Number(r.median),
      p90Days: r.p90 === null ? null : Number(r.p90),
    },
  };
}

function sortRows(out: BreakdownRow[]): BreakdownRow[] {
  return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

function nonEmpty(r: BreakdownRow): boolean {
  return r.counts.received > 0 || r.counts.appeals > 0 || r.counts.penalties > 0;
}

/**
 * The fast path: a breakdown from the rollup. Rows are sorted by key; empty
 * groups are left out. Counts come from the grain's count cells; the
 * disposal-time percentiles from its histogram grain (grain + 10), which
 * `percentiles: false` skips (medianDays and p90Days are then null).
 */
export async function fastBreakdown(
  q: Queryable,
  question: Question & { percentiles?: boolean },
): Promise<BreakdownRow[]> {
  const grain = grainFor(neededDims(question));
  const col = (d: Dim) => sql.raw(CELL_COLUMN[d]);
  const key =
    question.group === null
      ? sql`0`
      : question.group === "period"
        ? sql`period`
        : sql.raw(CELL_COLUMN[question.group]);
  const grains = question.percentiles === false ? sql`(${grain})` : sql`(${grain}, ${grain + 10})`;
  const where = sql`grain in ${grains}
    and period >= ${monthStart(question.period.from)}::date
    and period <= ${monthStart(question.period.to)}::date
    and measure not like 'week%'
    and ${filterCondition(question.filters, col)}
    and ${scopeCondition(question.scope, col)}`;
  const { todayDay, riskToDay } = question.cut;
  const result = await rows<RawRow>(
    q,
    sql`with src as (
      select ${key} as key, measure, day_key, n from monitoring_cells where ${where}
      union all
      select ${key} as key, measure, day_key, n from monitoring_cell_deltas where ${where}
    ), c as (
      select key, measure, day_key, sum(n) as n from src group by key, measure, day_key
    ), t as (
      select key,
        sum(n) filter (where measure in ('pending', 'sent_back', 'approved_within', 'approved_late', 'rejected_within', 'rejected_late', 'other')) as received,
        sum(n) filter (where measure in ('approved_within', 'rejected_within')) as disposed_within,
        sum(n) filter (where measure in ('approved_late', 'rejected_late')) as disposed_late,
        sum(n) filter (where measure in ('rejected_within', 'rejected_late')) as rejected,
        sum(n) filter (where measure = 'sent_back') as sent_back,
        sum(n) filter (where measure = 'pending' and day_key >= ${todayDay}) as pending_within,
        sum(n) filter (where measure = 'pending' and day_key < ${todayDay}) as pending_beyond,
        sum(n) filter (where measure = 'pending' and day_key >= ${todayDay} and day_key <= ${riskToDay}) as at_risk,
        sum(n) filter (where measure = 'appeals') as appeals,
        sum(n) filter (where measure = 'penalties') as penalties
      from c group by key
    ), cum as (
      select key, day_key,
        sum(n) over (partition by key order by day_key) as cum,
        sum(n) over (partition by key) as tot
      from c where measure = 'disposed_days' and n > 0
    ), p as (
      select key,
        min(day_key) filter (where cum * 2 >= tot) as median,
        min(day_key) filter (where cum * 10 >= tot * 9) as p90
      from cum group by key
    )
    select t.*, p.median, p.p90 from t left join p on p.key = t.key`,
  );
  return sortRows(result.map(toRow).filter(nonEmpty));
}

const RAW_COLUMN: Record<Dim, string> = {
  department: "a.department_id",
  district: "a.district_code",
  office: "a.tehsil_code",
  service: "a.service_id",
  officer: "o.officer_id",
};

/** The officer of an application (naive path): the official of its latest official event, else 0. */
const RAW_OFFICER = sql`left join lateral (
  select coalesce((
    select substring(e.actor_id from '^official:([0-9]+)$')::integer
    from application_events e
    where e.application_id = a.id and e.actor_kind = 'official' and e.actor_id ~ '^official:[0-9]+$'
    order by e.id desc limit 1), 0) as officer_id) o on true`;

function rawPeriod(period: Period): SQL {
  return sql`a.received_at >= (${monthStart(period.from)}::date)::timestamp at time zone 'Asia/Kolkata'
    and a.received_at < ((${monthEnd(period.to)}::date + 1)::timestamp at time zone 'Asia/Kolkata')`;
}

/**
 * The naive path: the same breakdown straight from the raw rows, one pass
 * of GROUP BY over `applications` (the reference for exactness and speed).
 */
export async function naiveBreakdown(q: Queryable, question: Question): Promise<BreakdownRow[]> {
  const col = (d: Dim) => sql.raw(RAW_COLUMN[d]);
  const key =
    question.group === null
      ? sql`0`
      : question.group === "period"
        ? sql`date_trunc('month', a.received_at at time zone 'Asia/Kolkata')::date`
        : sql.raw(RAW_COLUMN[question.group]);
  const { today, riskTo } = question.cut;
  const pending = sql`a.status in ('submitted', 'resubmitted')`;
  const disposed = sql`a.status in ('approved', 'rejected')`;
  const late = sql`(a.due_date is not null and (coalesce(a.decided_at, a.received_at) at time zone 'Asia/Kolkata')::date > a.due_date)`;
  const days = sql`monitoring_working_days((a.received_at at time zone 'Asia/Kolkata')::date, (coalesce(a.decided_at, a.received_at) at time zone 'Asia/Kolkata')::date)`;
  const result = await rows<RawRow>(
    q,
    sql`select ${key} as key,
      count(*) as received,
      count(*) filter (where ${disposed} and not ${late}) as disposed_within,
      count(*) filter (where ${disposed} and ${late}) as disposed_late,
      count(*) filter (where a.status = 'rejected') as rejected,
      count(*) filter (where a.status = 'sent_back') as sent_back,
      count(*) filter (where ${pending} and (a.due_date is null or a.due_date >= ${today}::date)) as pending_within,
      count(*) filter (where ${pending} and a.due_date < ${today}::date) as pending_beyond,
      count(*) filter (where ${pending} and a.due_date >= ${today}::date and a.due_date <= ${riskTo}::date) as at_risk,
      sum((select count(*) from appeals p where p.application_id = a.id)) as appeals,
      sum((select count(*) from penalties p where p.application_id = a.id)) as penalties,
      percentile_disc(0.5) within group (order by ${days}) filter (where ${disposed}) as median,
      percentile_disc(0.9) within group (order by ${days}) filter (where ${disposed}) as p90
    from applications a ${RAW_OFFICER}
    where ${rawPeriod(question.period)}
      and ${filterCondition(question.filters, col)}
      and ${scopeCondition(question.scope, col)}
    group by 1`,
  );
  return sortRows(result.map(toRow).filter(nonEmpty));
}

/** Overdue pending applications per due date (days since 1970-01-01), from the rollup. */
export async function fastOverdueByDueDay(
  q: Queryable,
  question: Omit<Question, "group">,
): Promise<Array<{ dueDay: number; n: number }>> {
  const grain = grainFor(neededDims({ ...question, group: null }));
  const col = (d: Dim) => sql.raw(CELL_COLUMN[d]);
  const where = sql`grain = ${grain}
    and period >= ${monthStart(question.period.from)}::date
    and period <= ${monthStart(question.period.to)}::date
    and measure = 'pending' and day_key < ${question.cut.todayDay}
    and ${filterCondition(question.filters, col)}
    and ${scopeCondition(question.scope, col)}`;
  const result = await rows<{ day_key: number; n: string }>(
    q,
    sql`select day_key, sum(n) as n from (
      select day_key, n from monitoring_cells where ${where}
      union all select day_key, n from monitoring_cell_deltas where ${where}) s
    group by day_key having sum(n) <> 0 order by day_key`,
  );
  return result.map((r) => ({ dueDay: Number(r.day_key), n: Number(r.n) }));
}

/** Overdue pending applications per due date, from the raw rows (naive path). */
export async function naiveOverdueByDueDay(
  q: Queryable,
  question: Omit<Question, "group">,
): Promise<Array<{ dueDay: number; n: number }>> {
  const col = (d: Dim) => sql.raw(RAW_COLUMN[d]);
  const result = await rows<{ day: number; n: string }>(
    q,
    sql`select a.due_date - date '1970-01-01' as day, count(*) as n
    from applications a ${RAW_OFFICER}
    where ${rawPeriod(question.period)} and a.status in ('submitted', 'resubmitted')
      and a.due_date < ${question.cut.today}::date
      and ${filterCondition(question.filters, col)}
      and ${scopeCondition(question.scope, col)}
    group by 1 order by 1`,
  );
  return result.map((r) => ({ dueDay: Number(r.day), n: Number(r.n) }));
}

/** One week of the trend: applications received and disposed in the ISO week starting `week` (IST). */
export type WeekRow = { week: string; received: number; disposed: number };

/**
 * Received and disposed per ISO week (IST), for weeks starting within the
 * period's months; from the rollup. Filters below district × department
 * (office, service, officer) are served from grain 0.
 */
export async function fastWeekly(
  q: Queryable,
  question: Omit<Question, "group" | "cut">,
): Promise<WeekRow[]> {
  const grain = grainFor(neededDims({ ...question, group: null }));
  const col = (d: Dim) => sql.raw(CELL_COLUMN[d]);
  const where = sql`grain = ${grain}
    and period >= ${monthStart(question.period.from)}::date
    and period <= ${monthEnd(question.period.to)}::date
    and measure in ('week_received', 'week_disposed')
    and ${filterCondition(question.filters, col)}
    and ${scopeCondition(question.scope, col)}`;
  const result = await rows<{ week: string; received: string | null; disposed: string | null }>(
    q,
    sql`select period::text as week,
      sum(n) filter (where measure = 'week_received') as received,
      sum(n) filter (where measure = 'week_disposed') as disposed
    from (select period, measure, n from monitoring_cells where ${where}
      union all select period, measure, n from monitoring_cell_deltas where ${where}) s
    group by period order by period`,
  );
  return result
    .map((r) => ({
      week: r.week,
      received: Number(r.received ?? 0),
      disposed: Number(r.disposed ?? 0),
    }))
    .filter((r) => r.received !== 0 || r.disposed !== 0);
}

/** The same weekly trend from the raw rows (naive path). */
export async function naiveWeekly(
  q: Queryable,
  question: Omit<Question, "group" | "cut">,
): Promise<WeekRow[]> {
  const col = (d: Dim) => sql.raw(RAW_COLUMN[d]);
  const from = monthStart(question.period.from);
  const to = monthEnd(question.period.to);
  const result = await rows<{ week: string; received: string | null; disposed: string | null }>(
    q,
    sql`with w as (
      select date_trunc('week', a.received_at at time zone 'Asia/Kolkata')::date as week, 'r' as kind
      from applications a ${RAW_OFFICER}
      where ${filterCondition(question.filters, col)} and ${scopeCondition(question.scope, col)}
      union all
      select date_trunc('week', coalesce(a.decided_at, a.received_at) at time zone 'Asia/Kolkata')::date, 'd'
      from applications a ${RAW_OFFICER}
      where a.status in ('approved', 'rejected')
        and ${filterCondition(question.filters, col)} and ${scopeCondition(question.scope, col)}
    )
    select week::text as week, count(*) filter (where kind = 'r') as received,
      count(*) filter (where kind = 'd') as disposed
    from w where week >= ${from}::date and week <= ${to}::date
    group by week order by week`,
  );
  return result.map((r) => ({
    week: r.week,
    received: Number(r.received ?? 0),
    disposed: Number(r.disposed ?? 0),
  }));
}

/** An overdue application in the longest-overdue list (no personal data). */
export type OverdueApplication = {
  reference: string;
  dueDate: string;
  receivedAt: string;
  serviceId: number;
  departmentId: number;
  districtCode: number;
  tehsilCode: number;
};

/**
 * The pending applications overdue longest (earliest due date first, then
 * reference), received in the period, within filters and scope. Uses the
 * partial index `monitoring_pending_due_idx`.
 */
export async function longestOverdue(
  q: Queryable,
  question: Omit<Question, "group">,
  limit: number,
): Promise<OverdueApplication[]> {
  const col = (d: Dim) => sql.raw(RAW_COLUMN[d]);
  const needsOfficer = question.filters.officer !== undefined;
  return rows<OverdueApplication>(
    q,
    sql`select a.reference, a.due_date as "dueDate", a.received_at as "receivedAt",
      a.service_id as "serviceId", a.department_id as "departmentId",
      a.district_code as "districtCode", a.tehsil_code as "tehsilCode"
    from applications a ${needsOfficer ? RAW_OFFICER : sql``}
    where a.status in ('submitted', 'resubmitted') and a.due_date < ${question.cut.today}::date
      and ${rawPeriod(question.period)}
      and ${filterCondition(question.filters, col)}
      and ${scopeCondition(question.scope, col)}
    order by a.due_date, a.reference limit ${limit}`,
  );
}

/** Folds pending deltas into the rollup (`monitoring_compact()`); returns the cells touched. */
export async function compact(q: Queryable): Promise<number> {
  const [r] = await rows<{ n: string }>(q, sql`select monitoring_compact() as n`);
  return Number(r?.n ?? 0);
}

/** Recomputes the whole rollup from the raw rows (`monitoring_rebuild()`). */
export async function rebuild(q: Queryable): Promise<void> {
  await q.execute(sql`select monitoring_rebuild()`);
}

/** Whether simulated data is present (any `simulation_runs` row). */
export async function isSimulated(q: Queryable): Promise<boolean> {
  const [r] = await rows<{ s: boolean }>(
    q,
    sql`select exists (select 1 from simulation_runs) as s`,
  );
  return Boolean(r?.s);
}

/** Names for the keys of a breakdown: departments, districts, tehsils, services and officials. */
export type Names = {
  department: Map<number, { en: string; pa: string; hi: string }>;
  district: Map<number, string>;
  office: Map<number, string>;
  service: Map<number, { en: string; pa: string; hi: string }>;
  officer: Map<number, string>;
};

/** Loads the names of every department, district, tehsil and service, and the officials in `officerIds`. */
export async function names(q: Queryable, officerIds: number[]): Promise<Names> {
  const deps = await rows<{ id: number; name: string; name_pa: string; name_hi: string }>(
    q,
    sql`select id, name, name_pa, name_hi from departments`,
  );
  const dists = await rows<{ code: number; name: string }>(
    q,
    sql`select code, name from districts`,
  );
  const tehs = await rows<{ code: number; name: string }>(q, sql`select code, name from tehsils`);
  const svcs = await rows<{ id: number; name: string; name_pa: string; name_hi: string }>(
    q,
    sql`select id, name, name_pa, name_hi from services`,
  );
  const offs =
    officerIds.length === 0
      ? []
      : await rows<{ id: number; name: string; designation: string }>(
          q,
          sql`select id, name, designation from officials where id in (${sql.join(
            officerIds.map((i) => sql`${i}`),
            sql`, `,
          )})`,
        );
  const tri = (r: { name: string; name_pa: string; name_hi: string }) => ({
    en: r.name,
    pa: r.name_pa || r.name,
    hi: r.name_hi || r.name,
  });
  return {
    department: new Map(deps.map((r) => [Number(r.id), tri(r)])),
    district: new Map(dists.map((r) => [Number(r.code), r.name])),
    office: new Map(tehs.map((r) => [Number(r.code), r.name])),
    service: new Map(svcs.map((r) => [Number(r.id), tri(r)])),
    officer: new Map(offs.map((r) => [Number(r.id), `${r.name} (${r.designation})`])),
  };
}
