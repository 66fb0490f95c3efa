/**
 * Pendency monitoring (issue 6): the head-office dashboard's model, the
 * public transparency figures and the API's breakdowns, all from the fast
 * path of repository.ts and the measures of measures.ts.
 *
 * Scope comes from the user's postings that grant `monitoring.view`
 * (src/identity/authorization.ts): a state posting sees everything, a
 * district posting (the ADC General's) only its district, a department
 * restriction only that department. Scope is applied in SQL, server-side.
 *
 * @module
 */
import { sql } from "drizzle-orm";
import { type Queryable, rows } from "../db/client.ts";
import { type Principal, scopesFor } from "../identity/authorization.ts";
import type { WorkingCalendar } from "../sla/calendar.ts";
import { loadCalendar } from "../sla/service.ts";
import {
  type AgeingBucket,
  ageing,
  type Counts,
  type Cutoffs,
  cutoffs,
  emptyCounts,
  type Level,
  type Period,
  workingDaysLate,
} from "./measures.ts";
import * as repo from "./repository.ts";

export type { Filters, Scope } from "./repository.ts";

/** The drill-down order of dimensions under the state. */
export const DRILL: readonly repo.Dim[] = [
  "department",
  "district",
  "office",
  "service",
  "officer",
];

/** The scope of a signed-in official: their `monitoring.view` postings as SQL rules; "state" when one is state-wide for all departments. */
export function scopeOf(principal: Principal): repo.Scope {
  const postings = scopesFor(principal, "monitoring.view");
  if (postings.some((p) => p.level === "state" && p.departmentId === null)) return "state";
  return postings.map((p) => ({
    districtCode: p.level === "state" ? null : p.districtCode,
    tehsilCode: p.level === "tehsil" ? p.tehsilCode : null,
    departmentId: p.departmentId,
  }));
}

/** The level a set of filters opens: the first drill dimension not yet chosen ("officer" when all are). */
export function levelOf(filters: repo.Filters): Exclude<Level, "state"> {
  for (const d of DRILL) if (filters[d] === undefined) return d;
  return "officer";
}

/** Reads the drill filters from query parameters: non-negative integers only, in drill order (a gap ends them). */
export function parseFilters(query: Record<string, unknown>): repo.Filters {
  const out: repo.Filters = {};
  for (const d of DRILL) {
    const v = query[d];
    if (typeof v !== "string" || !/^\d{1,9}$/.test(v)) break;
    out[d] = Number(v);
  }
  return out;
}

/** Today's cutoffs and the state calendar. */
export async function today(
  q: Queryable,
  date: string,
): Promise<{ calendar: WorkingCalendar; cut: Cutoffs }> {
  const calendar = await loadCalendar(q, null);
  return { calendar, cut: cutoffs(calendar, date) };
}

/** A named row of a breakdown. */
export type NamedRow = { key: number; name: string; counts: Counts };

/** Languages of names. */
export type Lang = "en" | "pa" | "hi";

/** Names the keys of a breakdown at `dim` in `lang` (officer 0 = `notActed`). */
export function nameOf(
  names: repo.Names,
  dim: repo.Dim,
  key: number,
  lang: Lang,
  notActed: string,
): string {
  switch (dim) {
    case "department":
      return names.department.get(key)?.[lang] ?? String(key);
    case "service":
      return names.service.get(key)?.[lang] ?? String(key);
    case "district":
      return names.district.get(key) ?? String(key);
    case "office":
      return names.office.get(key) ?? String(key);
    case "officer":
      return key === 0 ? notActed : (names.officer.get(key) ?? String(key));
  }
}

/** A breakdown one level below `filters`, named, with the total of the filtered set. */
export async function breakdown(
  q: Queryable,
  args: {
    scope: repo.Scope;
    filters: repo.Filters;
    period: Period;
    cut: Cutoffs;
    lang: Lang;
    notActed: string;
    level?: repo.Dim;
    /** false: skip the total (returned as zeros). */
    withTotal?: boolean;
    /** Names already loaded (used except at the officer level). */
    names?: repo.Names;
    /** false: no disposal-time percentiles (null), which reads far fewer cells. */
    percentiles?: boolean;
  },
): Promise<{ level: repo.Dim; rows: NamedRow[]; total: Counts; names: repo.Names }> {
  const level = args.level ?? levelOf(args.filters);
  const base = { filters: args.filters, scope: args.scope, period: args.period, cut: args.cut };
  const [grouped, totals] = await Promise.all([
    repo.fastBreakdown(q, { ...base, group: level, percentiles: args.percentiles }),
    args.withTotal === false
      ? Promise.resolve([])
      : repo.fastBreakdown(q, { ...base, group: null }),
  ]);
  const names =
    args.names && level !== "officer"
      ? args.names
      : await repo.names(
          q,
          level === "officer" ? grouped.map((r) => Number(r.key)).filter((k) => k > 0) : [],
        );
  return {
    level,
    names,
    total: totals[0]?.counts ?? emptyCounts(),
    rows: grouped.map((r) => ({
      key: Number(r.key),
      name: nameOf(names, level, Number(r.key), args.lang, args.notActed),
      counts: r.counts,
    })),
  };
}

/** A month of the pendency trend. */
export type MonthRow = {
  month: string;
  received: number;
  pendingBeyond: number;
  pendencyPercent: number | null;
};

/** Pendency % per month of receipt. */
export async function monthly(
  q: Queryable,
  args: { scope: repo.Scope; filters: repo.Filters; period: Period; cut: Cutoffs },
): Promise<MonthRow[]> {
  const result = await repo.fastBreakdown(q, { ...args, group: "period" });
  return result.map((r) => ({
    month: String(r.key).slice(0, 7),
    received: r.counts.received,
    pendingBeyond: r.counts.pendingBeyond,
    pendencyPercent: r.counts.pendencyPercent,
  }));
}

/** Overdue pending applications by ageing bucket (working days late). */
export async function ageingBuckets(
  q: Queryable,
  calendar: WorkingCalendar,
  args: { scope: repo.Scope; filters: repo.Filters; period: Period; cut: Cutoffs },
): Promise<Record<AgeingBucket, number>> {
  return ageing(calendar, args.cut.today, await repo.fastOverdueByDueDay(q, args));
}

/** An application of the longest-overdue list, named. */
export type OverdueRow = repo.OverdueApplication & {
  daysLate: number;
  service: string;
  department: string;
  district: string;
  office: string;
};

/** The applications overdue longest within scope and filters (at most `limit`). */
export async function longestOverdue(
  q: Queryable,
  calendar: WorkingCalendar,
  args: { scope: repo.Scope; filters: repo.Filters; period: Period; cut: Cutoffs; lang: Lang },
  names: repo.Names,
  limit = 20,
): Promise<OverdueRow[]> {
  const list = await repo.longestOverdue(q, args, limit);
  return list.map((a) => ({
    ...a,
    daysLate: workingDaysLate(calendar, a.dueDate, args.cut.today),
    service: nameOf(names, "service", a.serviceId, args.lang, ""),
    department: nameOf(names, "department", a.departmentId, args.lang, ""),
    district: nameOf(names, "district", a.districtCode, args.lang, ""),
    office: nameOf(names, "office", a.tehsilCode, args.lang, ""),
  }));
}

/** Received and disposed per ISO week. */
export async function weekly(
  q: Queryable,
  args: { scope: repo.Scope; filters: repo.Filters; period: Period },
): Promise<repo.WeekRow[]> {
  return repo.fastWeekly(q, args);
}

/** Whether simulated data is present (the pages' banner). */
export async function isSimulated(q: Queryable): Promise<boolean> {
  return repo.isSimulated(q);
}

/** Folds the rollup's pending deltas in (for the periodic job). */
export async function compactRollup(q: Queryable): Promise<number> {
  return repo.compact(q);
}

/** The months that hold any received application (for the period picker), oldest first. */
export async function monthsWithData(q: Queryable): Promise<string[]> {
  const r = await rows<{ m: string }>(
    q,
    sql`select distinct to_char(period, 'YYYY-MM') as m from monitoring_cells
        where grain = 4 and measure not like 'week%' order by 1`,
  );
  return r.map((x) => x.m);
}
