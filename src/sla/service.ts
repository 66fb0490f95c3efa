/**
 * The SLA service: the working-day calendar as stored in the database, the
 * administration of holidays (add, retire, list), and the due date of an
 * application from its custody history.
 *
 * The rules themselves are the pure functions of calendar.ts and due-date.ts;
 * this module only loads their inputs. Due dates come from here alone
 * (ARCHITECTURE.md §4).
 *
 * Holidays: state-wide gazetted holidays are notified by the Department of
 * Personnel, Punjab (annual notification; data/punjab-gazetted-holidays.csv);
 * a local holiday is declared by a district's Deputy Commissioner and closes
 * the offices of that district only. Every change is audited in the stream
 * `calendar`. A change that can move due dates returns a {@link RecomputeScope};
 * the caller schedules the recompute after the change commits (see
 * recompute.ts), so the admin's request never waits on thousands of
 * applications.
 */

import type { Temporal } from "temporal-polyfill";
import { appendAudit } from "../audit/service.ts";
import { readCsvFile } from "../common/csv.ts";
import { DomainError, type FieldProblem } from "../common/errors.ts";
import { nfc, nfcMultiline } from "../common/text.ts";
import type { Queryable } from "../db/client.ts";
import { listDistricts } from "../geography/service.ts";
import { makeCalendar, parseIsoDate, type WorkingCalendar } from "./calendar.ts";
import { istDateOf } from "./clock.ts";
import {
  addWorkingDays,
  type CustodyEvent,
  computeDueDate,
  type DueDateResult,
} from "./due-date.ts";
import * as repo from "./repository.ts";

export type { Holiday } from "./repository.ts";

/**
 * A year whose gazetted list has fewer entries than this is reported as
 * probably incomplete (Punjab notifies about 30 gazetted holidays a year).
 */
export const INCOMPLETE_HOLIDAY_LIST_BELOW = 10;

/**
 * Imports a holidays CSV (`date,name,kind,year,source_url,notes`, as
 * data/punjab-gazetted-holidays.csv). Rows already present are skipped; new
 * rows are audited (stream `calendar`). Call inside a transaction.
 * @returns rows read and rows newly inserted.
 * @throws Error when a row's date or kind is invalid (nothing is inserted).
 */
export async function importHolidays(
  q: Queryable,
  file: string,
  actor = "system",
): Promise<{ read: number; inserted: number }> {
  const records = readCsvFile(file);
  const rows = records.map(({ line, values: r }) => {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(r.date ?? ""))
      throw new Error(`${file} line ${line}: date must be YYYY-MM-DD`);
    const kind = r.kind || "gazetted";
    if (!["gazetted", "restricted"].includes(kind))
      throw new Error(`${file} line ${line}: unknown kind ${kind}`);
    return {
      date: r.date as string,
      name: r.name ?? "",
      kind,
      sourceUrl: r.source_url ?? "",
      notes: r.notes ?? "",
    };
  });
  const inserted = await repo.insertHolidays(q, rows);
  if (inserted > 0) {
    await appendAudit(q, {
      stream: "calendar",
      actor,
      action: "holidays.imported",
      data: { file: file.split("/").at(-1), read: rows.length, inserted },
      at: new Date().toISOString(),
    });
  }
  return { read: rows.length, inserted };
}

/** The working calendar of a district (state holidays plus its local holidays); null = state-wide only. */
export async function loadCalendar(
  q: Queryable,
  districtCode: number | null,
): Promise<WorkingCalendar> {
  return makeCalendar({ holidays: await repo.closingDates(q, districtCode) });
}

/** How complete the holiday list of each year in a range is, for the admin page's warning. */
export type HolidayYearStatus = {
  year: number;
  gazetted: number;
  status: "missing" | "incomplete" | "loaded";
};

/** Status of the holiday lists for `fromYear`..`toYear` inclusive. */
export async function holidayListStatus(
  q: Queryable,
  fromYear: number,
  toYear: number,
): Promise<HolidayYearStatus[]> {
  const counts = await repo.gazettedCountByYear(q);
  const out: HolidayYearStatus[] = [];
  for (let year = fromYear; year <= toYear; year++) {
    const gazetted = counts.get(year) ?? 0;
    const status =
      gazetted === 0
        ? "missing"
        : gazetted < INCOMPLETE_HOLIDAY_LIST_BELOW
          ? "incomplete"
          : "loaded";
    out.push({ year, gazetted, status });
  }
  return out;
}

/** What the due date of an application depends on. */
export type SlaFacts = {
  receivedAt: Temporal.Instant;
  timeLimitDays: number;
  basis: "working" | "calendar";
  districtCode: number;
  custody: CustodyEvent[];
  asOf: Temporal.Instant;
  /**
   * The district's calendar when the caller already has it ({@link calendarCache}, for
   * batches); otherwise it is loaded. It must be the calendar of `districtCode`.
   */
  calendar?: WorkingCalendar;
};

/** The due date of an application at `asOf`, on its district's calendar. */
export async function dueDateOf(q: Queryable, f: SlaFacts): Promise<DueDateResult> {
  // During a statutory notice period (receivedAt is then the clock's start, still ahead),
  // the due date is the one counted from that start.
  const asOf =
    f.asOf && f.asOf.epochNanoseconds < f.receivedAt.epochNanoseconds ? f.receivedAt : f.asOf;
  return computeDueDate({
    receivedAt: f.receivedAt,
    timeLimit: f.timeLimitDays,
    basis: f.basis,
    calendar: f.calendar ?? (await loadCalendar(q, f.districtCode)),
    custody: f.custody,
    asOf,
  });
}

// ------------------------------------------------------------------ holiday administration

/** Kinds of holiday an administrator may add. Restricted holidays come only from the imported list. */
export type HolidayKind = "gazetted" | "local";

/** The longest holiday name accepted, in characters. */
export const MAX_HOLIDAY_NAME = 200;
/** The longest note accepted, in characters. */
export const MAX_HOLIDAY_NOTES = 2000;

/** A holiday to add. */
export type NewHoliday = {
  /** `YYYY-MM-DD` (IST calendar date). */
  date: string;
  name: string;
  /** `gazetted`: state-wide (Department of Personnel); `local`: one district (Deputy Commissioner). */
  kind: HolidayKind;
  /** LGD district code: required for `local`, absent or null for `gazetted`. */
  districtCode?: number | null;
  /** Where the notification was published (http or https URL). */
  sourceUrl?: string;
  notes?: string;
};

/**
 * Which open applications a holiday change can move, and the reason their timeline
 * will show. `districtCode` null = every district (a state-wide holiday);
 * `from` = the first date whose status changed (due dates before it cannot move).
 */
export type RecomputeScope = { districtCode: number | null; from: string; reason: string };

/** The outcome of adding or retiring a holiday: the row and the recompute it calls for (null: none). */
export type HolidayChange = { holiday: repo.Holiday; recompute: RecomputeScope | null };

/**
 * The text the timeline of a moved application shows, e.g.
 * `Holiday added: Guru Nanak Jayanti (2026-11-24)` or
 * `Local holiday retired: Flood closure (2025-11-10)`.
 */
export function recomputeReason(
  change: "added" | "retired",
  h: Pick<repo.Holiday, "name" | "date" | "districtCode">,
): string {
  return `${h.districtCode === null ? "Holiday" : "Local holiday"} ${change}: ${h.name} (${h.date})`;
}

/**
 * The recompute a holiday change calls for, or null when no due date can move: a
 * restricted holiday never closed offices, and a date on a weekly off day was not a
 * working day either way (calendar.ts). Only due dates on or after the holiday's
 * date can move: a due date is reached by walking working days from receipt, and a
 * walk that ended before the date never crossed it.
 */
export function recomputeScopeOf(
  change: "added" | "retired",
  h: Pick<repo.Holiday, "name" | "date" | "districtCode" | "kind">,
): RecomputeScope | null {
  if (h.kind !== "gazetted" && h.kind !== "local") return null;
  if (WEEKENDS_ONLY.isWeekend(h.date)) return null;
  return { districtCode: h.districtCode, from: h.date, reason: recomputeReason(change, h) };
}

const WEEKENDS_ONLY = makeCalendar({ holidays: [] });

/**
 * Adds a holiday (call inside a transaction) and audits it (stream `calendar`,
 * action `holiday.added`). Text is NFC-normalised.
 *
 * Rules: the date is a real `YYYY-MM-DD` date; a name is required; a gazetted holiday
 * is state-wide (no district); a local holiday names a district that exists (LGD);
 * a date already closed for the same offices is refused: a live state-wide gazetted
 * holiday on that date refuses both kinds, a live local holiday of the same district
 * refuses a local one (a state-wide holiday may still be added over a district's
 * local one: it closes the other districts too).
 *
 * @returns the new row and the recompute to schedule after commit (null on a weekend).
 * @throws DomainError validation (fields `date`, `name`, `kind`, `districtCode`,
 *   `sourceUrl`, `notes`; codes `required`, `invalid`, `too_long`, `unknown`,
 *   `not_allowed`) or conflict (field `date`, code `duplicate`, params `name`).
 */
export async function addHoliday(
  tx: Queryable,
  input: NewHoliday,
  actor: string,
  now: Temporal.Instant,
): Promise<HolidayChange> {
  const problems: FieldProblem[] = [];
  const date = typeof input.date === "string" ? input.date.trim() : "";
  try {
    parseIsoDate(date);
  } catch {
    problems.push({ field: "date", code: date === "" ? "required" : "invalid" });
  }
  const name = nfc(typeof input.name === "string" ? input.name : "");
  if (!name) problems.push({ field: "name", code: "required" });
  else if ([...name].length > MAX_HOLIDAY_NAME)
    problems.push({ field: "name", code: "too_long", params: { max: MAX_HOLIDAY_NAME } });
  const kind = input.kind;
  const districtCode = input.districtCode ?? null;
  if (kind !== "gazetted" && kind !== "local") problems.push({ field: "kind", code: "invalid" });
  else if (kind === "gazetted" && districtCode !== null)
    problems.push({ field: "districtCode", code: "not_allowed" });
  else if (kind === "local") {
    if (districtCode === null) problems.push({ field: "districtCode", code: "required" });
    else if (!(await listDistricts(tx)).some((d) => d.code === districtCode))
      problems.push({ field: "districtCode", code: "unknown" });
  }
  const sourceUrl = nfc(input.sourceUrl ?? "");
  if (sourceUrl && !/^https?:\/\/[^\s]+$/i.test(sourceUrl))
    problems.push({ field: "sourceUrl", code: "invalid" });
  const notes = nfcMultiline(input.notes ?? "");
  if ([...notes].length > MAX_HOLIDAY_NOTES)
    problems.push({ field: "notes", code: "too_long", params: { max: MAX_HOLIDAY_NOTES } });
  if (problems.length > 0) throw new DomainError("validation", "Check the holiday", problems);

  const clash = (await repo.liveHolidaysOn(tx, date)).find(
    (h) =>
      (h.kind === "gazetted" && h.districtCode === null) ||
      (h.kind === "local" && kind === "local" && h.districtCode === districtCode),
  );
  if (clash) throw duplicate(clash);
  const holiday = await repo.insertHoliday(tx, {
    date,
    name,
    kind,
    districtCode,
    sourceUrl,
    notes,
  });
  // Same date, name and district inserted concurrently: the partial unique index refused it.
  if (!holiday) throw duplicate({ name });
  await appendAudit(tx, {
    stream: "calendar",
    actor,
    action: "holiday.added",
    data: { id: holiday.id, date, name, kind, districtCode, sourceUrl },
    at: now.toString(),
  });
  return { holiday, recompute: recomputeScopeOf("added", holiday) };
}

function duplicate(clash: { name: string }): DomainError {
  return new DomainError("conflict", `That date is already a holiday: ${clash.name}`, [
    { field: "date", code: "duplicate", params: { name: clash.name } },
  ]);
}

/**
 * Retires a live holiday (call inside a transaction): it no longer closes offices
 * from now on, and the row is kept for the record. Audited (stream `calendar`,
 * action `holiday.retired`).
 *
 * @returns the retired row and the recompute to schedule after commit (null for a
 *   restricted holiday or a weekend date).
 * @throws DomainError not_found (no such holiday) or conflict (code `retired`: already retired).
 */
export async function retireHoliday(
  tx: Queryable,
  id: number,
  actor: string,
  now: Temporal.Instant,
): Promise<HolidayChange> {
  const existing = Number.isSafeInteger(id) && id > 0 ? await repo.findHoliday(tx, id) : undefined;
  if (!existing) throw new DomainError("not_found", "No such holiday");
  const holiday = await repo.retireHolidayRow(tx, id, now.toString());
  if (!holiday)
    throw new DomainError("conflict", "That holiday is already retired", [
      { field: "id", code: "retired" },
    ]);
  await appendAudit(tx, {
    stream: "calendar",
    actor,
    action: "holiday.retired",
    data: {
      id,
      date: holiday.date,
      name: holiday.name,
      kind: holiday.kind,
      districtCode: holiday.districtCode,
    },
    at: now.toString(),
  });
  return { holiday, recompute: recomputeScopeOf("retired", holiday) };
}

/**
 * The holidays of a year, by date (state-wide before local on a date, then name).
 * `districtCode`: undefined = state-wide and every district's local ones; null =
 * state-wide only; a code = state-wide plus that district's. Retired rows only with
 * `includeRetired`. Restricted holidays are listed too (they do not close offices).
 */
export function listHolidays(
  q: Queryable,
  f: { year: number; districtCode?: number | null; includeRetired?: boolean },
): Promise<repo.Holiday[]> {
  return repo.holidaysOfYear(q, f);
}

/**
 * A loader of district calendars that reads each district's holidays once (for a
 * batch inside one transaction; do not keep it longer, or it misses later changes).
 */
export function calendarCache(
  q: Queryable,
): (districtCode: number | null) => Promise<WorkingCalendar> {
  const cache = new Map<number | null, Promise<WorkingCalendar>>();
  return (districtCode) => {
    let c = cache.get(districtCode);
    if (!c) {
      c = loadCalendar(q, districtCode);
      cache.set(districtCode, c);
    }
    return c;
  };
}

/**
 * The breach window at `now`, as the sweep (sweep.ts) applies it: an open application
 * is overdue when its due date is before `today` (the IST date of `now`: overdue from
 * 00:00 IST on the day after the due date), and at risk when it is due on or before
 * `atRiskThrough` (the next state-wide working day after today).
 */
export async function breachWindow(
  q: Queryable,
  now: Temporal.Instant,
): Promise<{ today: string; atRiskThrough: string }> {
  const today = istDateOf(now);
  return { today, atRiskThrough: addWorkingDays(await loadCalendar(q, null), today, 1) };
}
