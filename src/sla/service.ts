/**
 * The SLA service: the working-day calendar as stored in the database, and the
 * due date of an application from its custody history.
 *
 * The rules themselves are the pure functions of calendar.ts and due-date.ts;
 * this module only loads their inputs. Due dates come from here alone
 * (ARCHITECTURE.md §4).
 */

import type { Temporal } from "temporal-polyfill";
import { appendAudit } from "../audit/service.ts";
import { readCsvFile } from "../common/csv.ts";
import type { Queryable } from "../db/client.ts";
import { makeCalendar, type WorkingCalendar } from "./calendar.ts";
import { type CustodyEvent, computeDueDate, type DueDateResult } from "./due-date.ts";
import * as repo from "./repository.ts";

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
};

/** The due date of an application at `asOf`, on its district's calendar. */
export async function dueDateOf(q: Queryable, f: SlaFacts): Promise<DueDateResult> {
  return computeDueDate({
    receivedAt: f.receivedAt,
    timeLimit: f.timeLimitDays,
    basis: f.basis,
    calendar: await loadCalendar(q, f.districtCode),
    custody: f.custody,
    asOf: f.asOf,
  });
}
