/**
 * What-if questions about time limits, for the `sewa due-date` and
 * `sewa working-days` commands: the same rules as the portal, on a calendar
 * read from a CSV file (`date,name[,kind]`; only `gazetted` rows close offices
 * when a `kind` column is present). Defaults to the shipped Punjab list.
 */
import fs from "node:fs";
import { makeCalendar, parseCalendarCsv, type WorkingCalendar } from "./calendar.ts";
import { parseInstant } from "./clock.ts";
import { type Basis, computeDueDate, workingDaysBetween } from "./due-date.ts";

/** Reads a holiday calendar CSV into a working calendar (weekends Saturday and Sunday). @throws Error naming the bad line. */
export function calendarFromFile(file: string): WorkingCalendar {
  return makeCalendar({ holidays: parseCalendarCsv(fs.readFileSync(file, "utf8")) });
}

/**
 * The due date (`YYYY-MM-DD`) of an application received at `received` (an ISO
 * instant with an offset) with a time limit of `days` on `basis`.
 * @throws RangeError for an instant without offset or a negative/non-integer `days`.
 */
export function whatIfDueDate(
  calendar: WorkingCalendar,
  received: string,
  days: number,
  basis: Basis = "working",
): string {
  const result = computeDueDate({
    receivedAt: parseInstant(received),
    timeLimit: days,
    basis,
    calendar,
  });
  return result.dueDate as string;
}

/** Working days after `from` up to and including `to` (0 when `to` is not after `from`). */
export function whatIfWorkingDays(calendar: WorkingCalendar, from: string, to: string): number {
  return workingDaysBetween(calendar, from, to);
}
