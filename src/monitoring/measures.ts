/**
 * The pendency measures (issue 6): one definition of each, used by the
 * dashboard, the exports, the public transparency page and the API.
 * docs/metrics.md gives the exact SQL meaning of every measure.
 *
 * Every measure counts the **cohort** of applications received (IST date of
 * `received_at`) in the chosen months, in their status **now** (`status`, the
 * generic phase; never `stage`):
 *
 * | measure | applications of the cohort that… |
 * |---|---|
 * | received | all of them |
 * | disposedWithin | are `approved` or `rejected`, decided (IST date of `decided_at`) on or before `due_date` (or with no due date) |
 * | disposedLate | are `approved` or `rejected`, decided after `due_date` |
 * | rejected | are `rejected` (within or late) |
 * | sentBack | are `sent_back` (deficiency: with the applicant, clock paused) |
 * | pendingWithin | are `submitted`/`resubmitted` and not overdue: `due_date` ≥ today, or null |
 * | pendingBeyond | are `submitted`/`resubmitted` with `due_date` < today (overdue, src/sla/due-date.ts isOverdue) |
 * | atRisk | are pending within and due by the next working day: today ≤ `due_date` ≤ addWorkingDays(today, 1) |
 * | appeals | appeals rows of these applications (any level, any status) |
 * | penalties | penalty rows of these applications (imposed, later recovered or waived) |
 * | pendencyPercent | pendingBeyond ÷ received × 100, to 2 decimals; null when received is 0 |
 * | medianDays, p90Days | percentile_disc(0.5 / 0.9) of the disposal time of the disposed ones, in working days |
 *
 * Disposal time = working days in (IST date of receipt, IST date of decision]
 * on the state calendar (Monday–Friday minus state-wide gazetted and local
 * holidays; SQL `monitoring_working_days`, the same count as
 * src/sla/due-date.ts workingDaysBetween). `due_date` already holds an
 * appellate order's deadline when one was set (src/applications/service.ts).
 *
 * Identity: received = disposedWithin + disposedLate + sentBack + pendingWithin
 * + pendingBeyond (+ applications in a status this module does not know, none today).
 *
 * @module
 */
import type { WorkingCalendar } from "../sla/calendar.ts";
import { dateOfEpochDay, epochDayOf } from "../sla/calendar.ts";
import { addWorkingDays, workingDaysBetween } from "../sla/due-date.ts";

/** The counts of one cell (a row of a breakdown). Counts are applications unless named. */
export type Counts = {
  received: number;
  disposedWithin: number;
  disposedLate: number;
  rejected: number;
  sentBack: number;
  pendingWithin: number;
  pendingBeyond: number;
  atRisk: number;
  appeals: number;
  penalties: number;
  /** pendingBeyond ÷ received × 100, rounded to 2 decimals; null when received is 0. */
  pendencyPercent: number | null;
  /** Median disposal time in working days (percentile_disc 0.5); null when none was disposed. */
  medianDays: number | null;
  /** 90th-percentile disposal time in working days (percentile_disc 0.9); null when none was disposed. */
  p90Days: number | null;
};

/** The count measures, in display order (the keys of {@link Counts} that are plain counts). */
export const COUNT_MEASURES = [
  "received",
  "disposedWithin",
  "disposedLate",
  "rejected",
  "sentBack",
  "pendingWithin",
  "pendingBeyond",
  "atRisk",
  "appeals",
  "penalties",
] as const;

/** Every measure of {@link Counts}, in display order. */
export const MEASURES = [...COUNT_MEASURES, "pendencyPercent", "medianDays", "p90Days"] as const;
export type Measure = (typeof MEASURES)[number];

/** Drill-down levels, from the top: state → department → district → office → service → officer. */
export const LEVELS = ["state", "department", "district", "office", "service", "officer"] as const;
export type Level = (typeof LEVELS)[number];

/** The cell statuses of the rollup (`monitoring_facts.measure`) that make up `received`. */
export const COHORT_CELLS = [
  "pending",
  "sent_back",
  "approved_within",
  "approved_late",
  "rejected_within",
  "rejected_late",
  "other",
] as const;

/** pendingBeyond ÷ received × 100 to 2 decimals, or null when nothing was received. */
export function pendencyPercent(pendingBeyond: number, received: number): number | null {
  if (received <= 0) return null;
  return Math.round((pendingBeyond * 10000) / received) / 100;
}

/**
 * The dates that split pending applications: `today` (IST, YYYY-MM-DD; due
 * before it = overdue) and `riskTo` (the next working day after today on the
 * state calendar: due on or before it and not overdue = at risk), also as
 * days since 1970-01-01 (the rollup's `day_key` for pending cells).
 */
export type Cutoffs = { today: string; riskTo: string; todayDay: number; riskToDay: number };

/** The cutoffs for `today` (IST date) on the state calendar. */
export function cutoffs(calendar: WorkingCalendar, today: string): Cutoffs {
  const riskTo = addWorkingDays(calendar, today, 1);
  return { today, riskTo, todayDay: epochDayOf(today), riskToDay: epochDayOf(riskTo) };
}

/** Ageing buckets of overdue applications, in working days late (src/sla/due-date.ts daysOverdue). */
export const AGEING_BUCKETS = [
  { key: "1-7", min: 0, max: 7 },
  { key: "8-15", min: 8, max: 15 },
  { key: "16-30", min: 16, max: 30 },
  { key: "31-60", min: 31, max: 60 },
  { key: "60+", min: 61, max: Number.POSITIVE_INFINITY },
] as const;
export type AgeingBucket = (typeof AGEING_BUCKETS)[number]["key"];

/**
 * Working days an application due on `dueDate` is late on `today`: the working
 * days in (dueDate, today] (the day in progress counts; daysOverdue of
 * src/sla/due-date.ts at any instant of `today`). An overdue application seen
 * on a weekend right after its due date is 0 days late and falls in "1-7".
 */
export function workingDaysLate(calendar: WorkingCalendar, dueDate: string, today: string): number {
  return workingDaysBetween(calendar, dueDate, today);
}

/** The bucket of an overdue application by working days late. */
export function ageingBucket(daysLate: number): AgeingBucket {
  for (const b of AGEING_BUCKETS) if (daysLate <= b.max) return b.key;
  return "60+";
}

/**
 * Buckets overdue counts given per due date (`dueDay` = days since 1970-01-01,
 * all before `today`).
 */
export function ageing(
  calendar: WorkingCalendar,
  today: string,
  byDueDay: ReadonlyArray<{ dueDay: number; n: number }>,
): Record<AgeingBucket, number> {
  const out = Object.fromEntries(AGEING_BUCKETS.map((b) => [b.key, 0])) as Record<
    AgeingBucket,
    number
  >;
  for (const { dueDay, n } of byDueDay) {
    out[ageingBucket(workingDaysLate(calendar, dateOfEpochDay(dueDay), today))] += n;
  }
  return out;
}

/**
 * A period of receipt: whole IST calendar months, `from` and `to` as
 * `YYYY-MM` (inclusive). The rollups are monthly, which keeps them exact.
 */
export type Period = { from: string; to: string };

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;

/** True when `s` is a `YYYY-MM` month. */
export function isMonth(s: string): boolean {
  return MONTH.test(s);
}

/** The first day (YYYY-MM-DD) of a `YYYY-MM` month. */
export function monthStart(month: string): string {
  return `${month}-01`;
}

/** The last day (YYYY-MM-DD) of a `YYYY-MM` month. */
export function monthEnd(month: string): string {
  const [y, m] = month.split("-").map(Number);
  const last = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return `${month}-${String(last).padStart(2, "0")}`;
}

/** The month `n` months before the `YYYY-MM` month `month` (n may be negative: after). */
export function monthsBefore(month: string, n: number): string {
  const [y, m] = month.split("-").map(Number);
  const total = y * 12 + (m - 1) - n;
  return `${Math.floor(total / 12)}-${String((total % 12) + 1).padStart(2, "0")}`;
}

/**
 * Reads a period from query parameters (`from`, `to` as `YYYY-MM`, or
 * `YYYY-MM-DD` whose month is taken). Missing or malformed values give the
 * default: the 12 months ending with the month of `today`. `from` after `to`
 * is swapped.
 */
export function parsePeriod(from: unknown, to: unknown, today: string): Period {
  const month = (v: unknown) => {
    if (typeof v !== "string") return undefined;
    const s = v.trim().slice(0, 7);
    return isMonth(s) ? s : undefined;
  };
  const end = month(to) ?? today.slice(0, 7);
  const start = month(from) ?? monthsBefore(end, 11);
  return start <= end ? { from: start, to: end } : { from: end, to: start };
}

/** An empty cell. */
export function emptyCounts(): Counts {
  return {
    received: 0,
    disposedWithin: 0,
    disposedLate: 0,
    rejected: 0,
    sentBack: 0,
    pendingWithin: 0,
    pendingBeyond: 0,
    atRisk: 0,
    appeals: 0,
    penalties: 0,
    pendencyPercent: null,
    medianDays: null,
    p90Days: null,
  };
}

/** The smallest count the public may see (statistical disclosure control). */
export const SUPPRESS_BELOW = 5;

/** A public cell: counts 1–4 become null ("fewer than 5"); a row received below 5 is withheld whole. */
export type PublicCounts = { [K in keyof Counts]: number | null };

/**
 * Suppresses small cells for publication: when fewer than 5 applications were
 * received, every value is null; otherwise each count from 1 to 4 is null, the
 * pendency % is null when pending beyond is suppressed, and the disposal-time
 * percentiles are null when fewer than 5 were disposed.
 */
export function suppress(c: Counts): PublicCounts {
  const out = { ...c } as PublicCounts;
  if (c.received < SUPPRESS_BELOW) {
    for (const k of MEASURES) out[k] = null;
    return out;
  }
  for (const k of COUNT_MEASURES) {
    if (c[k] > 0 && c[k] < SUPPRESS_BELOW) out[k] = null;
  }
  if (out.pendingBeyond === null) out.pendencyPercent = null;
  if (c.disposedWithin + c.disposedLate < SUPPRESS_BELOW) {
    out.medianDays = null;
    out.p90Days = null;
  }
  return out;
}
