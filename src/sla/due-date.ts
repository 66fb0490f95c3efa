/**
 * Due dates, elapsed days and overdue checks for applications.
 *
 * **The counting rule** (General Clauses Act, 1897, s.9: in a period of days "from"
 * an event, the first day is excluded; applied to the time limits notified under the
 * Punjab Transparency and Accountability in Delivery of Public Service Act, 2018):
 *
 * - A day counts toward the time limit when it is a working day (or any day, on the
 *   calendar basis) **and** the application is with the department at the end of that
 *   day, IST.
 * - The day of receipt never counts.
 * - The due date is the date of the Nth counted day; the application is overdue from
 *   00:00 IST on the next day.
 * - While the application is with the applicant (sent back for a deficiency), days do
 *   not count and the due date is unknown; after resubmission the count resumes where
 *   it stopped. The day of resubmission counts (the application is with the
 *   department at its end).
 *
 * "At the end of a day" means after every custody event of that IST day: an event at
 * 23:59 counts for that day, an event at 00:00 IST belongs to the next day.
 *
 * All days in this module are working days unless named otherwise; dates are plain
 * `YYYY-MM-DD` strings in IST; instants are `Temporal.Instant`s.
 *
 * Every walk is bounded by the time limit plus the non-counting days it crosses (time
 * with the applicant is skipped in one step), so a limit of 365 days is computed in
 * well under a millisecond.
 *
 * @module
 */
import { Temporal } from "temporal-polyfill";
import {
  type DateLike,
  dateOfEpochDay,
  epochDayOf,
  isoWeekdayOfEpochDay,
  toPlainDate,
  type WorkingCalendar,
} from "./calendar.ts";
import { istDateOf, startOfIstDay } from "./clock.ts";

/** Who holds the application: the department (the clock runs) or the applicant (paused). */
export type Holder = "department" | "applicant";

/**
 * A change of custody after receipt: a send-back for a deficiency moves the
 * application to the applicant, a resubmission moves it back to the department.
 */
export type CustodyEvent = { at: Temporal.Instant; holder: Holder };

/** `working`: only working days count. `calendar`: every day counts (receipt day still excluded). */
export type Basis = "working" | "calendar";

/** Input of {@link computeDueDate}. */
export type DueDateInput = {
  /** When the department received the application (the day of receipt, in IST, never counts). */
  receivedAt: Temporal.Instant;
  /**
   * The time limit in days of `basis`: a non-negative integer. 0 means "immediate": due
   * on the IST date of receipt (a send-back hides the date while it lasts, but does not
   * move it: the 0th counted day is already past, as with any limit once it is reached).
   */
  timeLimit: number;
  /** How days are counted. */
  basis: Basis;
  /** The working-day calendar (used on the working basis and for the holiday-list warning). */
  calendar: WorkingCalendar;
  /**
   * Custody events after receipt, in time order (equal instants keep their order). The
   * holder before the first event is the department. Events after `asOf` are ignored.
   */
  custody?: readonly CustodyEvent[];
  /**
   * The moment of the computation ("now"). Defaults to the latest of `receivedAt` and the
   * last custody event. Decides whether the application is paused and which days have
   * been counted so far.
   */
  asOf?: Temporal.Instant;
};

/** Result of {@link computeDueDate}. */
export type DueDateResult = {
  /**
   * The due date (`YYYY-MM-DD`, IST), projected on the assumption that the department
   * keeps the application from `asOf` on; `null` while the application is with the
   * applicant (the clock is paused and the date is not known until resubmission).
   */
  dueDate: string | null;
  /**
   * Days counted toward the limit on days that had ended by `asOf` (at most `timeLimit`).
   */
  countedDays: number;
  /** True when the application is with the applicant at `asOf`. */
  paused: boolean;
  /**
   * Years between the date of receipt and the due date (or `asOf`, when paused) that have
   * no holiday list loaded; on the working basis only weekends were skipped in them, and
   * the portal must say so. Empty on the calendar basis.
   */
  yearsWithoutHolidays: number[];
};

/**
 * Computes the due date of an application under the counting rule of this module,
 * including pauses while the application is with the applicant. A change of time limit
 * (e.g. the officer moves the application to another service version) is handled by
 * calling this again with the new limit over the same custody history: pauses already
 * taken are kept (case C-05).
 *
 * @throws RangeError when `timeLimit` is not a non-negative safe integer, `basis` is
 *   unknown, a custody event has an unknown holder, is before `receivedAt` or out of
 *   time order, or `asOf` is before `receivedAt`.
 */
export function computeDueDate(input: DueDateInput): DueDateResult {
  const { receivedAt, timeLimit, basis, calendar } = input;
  const custody = input.custody ?? [];
  assertTimeLimit(timeLimit);
  if (basis !== "working" && basis !== "calendar") {
    throw new RangeError(`basis must be "working" or "calendar", got ${JSON.stringify(basis)}`);
  }
  let previous = receivedAt;
  for (const [index, event] of custody.entries()) {
    if (event.holder !== "department" && event.holder !== "applicant") {
      throw new RangeError(`custody[${index}].holder is unknown: ${JSON.stringify(event.holder)}`);
    }
    if (Temporal.Instant.compare(event.at, previous) < 0) {
      throw new RangeError(
        `custody[${index}] at ${event.at.toString()} is before ${index === 0 ? "receipt" : "the previous event"} (${previous.toString()})`,
      );
    }
    previous = event.at;
  }
  const asOf = input.asOf ?? previous;
  if (Temporal.Instant.compare(asOf, receivedAt) < 0) {
    throw new RangeError(`asOf ${asOf.toString()} is before receipt ${receivedAt.toString()}`);
  }

  // Events known at asOf, each with its IST day number: an event applies to the end of its day.
  const events = custody
    .filter((event) => Temporal.Instant.compare(event.at, asOf) <= 0)
    .map((event) => ({ day: istEpochDayOf(event.at), holder: event.holder }));

  const receivedDay = istEpochDayOf(receivedAt);
  const asOfDay = istEpochDayOf(asOf);
  const holderAtAsOf: Holder = events.length > 0 ? events[events.length - 1].holder : "department";
  const paused = holderAtAsOf === "applicant";
  const counts =
    basis === "calendar" ? () => true : (day: number) => calendar.isWorkingEpochDay(day);
  const warnYears = (to: number): number[] =>
    basis === "working"
      ? calendar.yearsWithoutHolidays(dateOfEpochDay(receivedDay), dateOfEpochDay(to))
      : [];

  if (timeLimit === 0) {
    // Immediate: the 0th counted day is the day of receipt. A later pause hides the date
    // while it lasts but does not move it, as for any limit whose due date has passed.
    return {
      dueDate: paused ? null : dateOfEpochDay(receivedDay),
      countedDays: 0,
      paused,
      yearsWithoutHolidays: warnYears(paused ? asOfDay : receivedDay),
    };
  }

  let day = receivedDay;
  let holder: Holder = "department";
  let next = 0; // index of the first event not yet applied
  let counted = 0;
  let countedByAsOf = 0;
  let dueDay: number | null = null;
  for (;;) {
    day++;
    // When paused, no day from asOf's date on can count: stop there.
    if (paused && day >= asOfDay) break;
    while (next < events.length && events[next].day <= day) {
      holder = events[next].holder;
      next++;
    }
    if (holder === "applicant") {
      // Skip to the day of the next event; without one, nothing more can count.
      if (next >= events.length) break;
      day = events[next].day - 1;
      continue;
    }
    if (!counts(day)) continue;
    counted++;
    if (day < asOfDay) countedByAsOf++;
    if (counted === timeLimit) {
      dueDay = day;
      break;
    }
  }
  const known = !paused && dueDay !== null;
  return {
    dueDate: known ? dateOfEpochDay(dueDay as number) : null,
    countedDays: countedByAsOf,
    paused,
    yearsWithoutHolidays: warnYears(known ? (dueDay as number) : asOfDay),
  };
}

/**
 * The date of the `days`th working day after `from` (the first day excluded, General
 * Clauses Act, 1897, s.9). With no pauses this is the due date of an application
 * received on `from` with a time limit of `days` working days; `days` = 0 gives `from`.
 *
 * @param from a `YYYY-MM-DD` date (the date of receipt, IST).
 * @param days a non-negative safe integer.
 * @throws RangeError when `from` is malformed or `days` is not a non-negative safe integer.
 */
export function addWorkingDays(calendar: WorkingCalendar, from: DateLike, days: number): string {
  assertTimeLimit(days);
  let day = epochDayOf(from);
  for (let counted = 0; counted < days; ) {
    day++;
    if (calendar.isWorkingEpochDay(day)) counted++;
  }
  return dateOfEpochDay(day);
}

/**
 * The number of working days in the range (`from`, `to`]: after `from`, up to and
 * including `to`. It is 0 when `to` is on or before `from`. The inverse of
 * {@link addWorkingDays}: `workingDaysBetween(c, d, addWorkingDays(c, d, n)) === n`.
 * Runs in time logarithmic in the number of holidays, whatever the length of the range.
 *
 * @throws RangeError when a date is malformed.
 */
export function workingDaysBetween(
  calendar: WorkingCalendar,
  from: DateLike,
  to: DateLike,
): number {
  const after = epochDayOf(from);
  const upTo = epochDayOf(to);
  const span = upTo - after;
  if (span <= 0) return 0;
  const weekend = calendar.weekendDays;
  // Whole weeks hold each weekday once; then the remaining (fewer than 7) days.
  const weeks = Math.floor(span / 7);
  let working = weeks * (7 - weekend.length);
  for (let day = after + weeks * 7 + 1; day <= upTo; day++) {
    if (!weekend.includes(isoWeekdayOfEpochDay(day))) working++;
  }
  // Holidays in the range that fall on a weekday were counted above: take them off.
  const holidays = calendar.holidayEpochDays;
  for (let i = firstAbove(holidays, after); i < holidays.length && holidays[i] <= upTo; i++) {
    if (!weekend.includes(isoWeekdayOfEpochDay(holidays[i]))) working--;
  }
  return working;
}

/**
 * Working days elapsed since receipt, measured on a date (or at an instant, taken at its
 * IST date): the working days after the date of receipt that had ended by the start of
 * the measuring day. Pauses are not considered here (use {@link computeDueDate}'s
 * `countedDays` for an application that was sent back).
 *
 * Case C-04: received Mon 2026-04-13, measured on Tue 04-14 (a holiday) → 0; on Sat
 * 04-18 → 3. It agrees with {@link addWorkingDays}: measured on the day after
 * `addWorkingDays(c, received, n)` it gives `n`.
 *
 * @param receivedDate the date of receipt, `YYYY-MM-DD` (IST).
 * @param asOf the measuring date, or an instant whose IST date is used.
 * @throws RangeError when a date is malformed.
 */
export function workingDaysElapsed(
  calendar: WorkingCalendar,
  receivedDate: DateLike,
  asOf: DateLike | Temporal.Instant,
): number {
  const measuredOn = asOf instanceof Temporal.Instant ? istDateOf(asOf) : asOf;
  return workingDaysBetween(calendar, receivedDate, dateOfEpochDay(epochDayOf(measuredOn) - 1));
}

/**
 * Whether an application with this due date is overdue at `now`: true from 00:00 IST on
 * the day after the due date. A `null` due date (paused) is never overdue.
 *
 * @throws RangeError when `dueDate` is malformed.
 */
export function isOverdue(dueDate: DateLike | null, now: Temporal.Instant): boolean {
  if (dueDate === null) return false;
  const overdueFrom = startOfIstDay(toPlainDate(dueDate).add({ days: 1 }));
  return Temporal.Instant.compare(now, overdueFrom) >= 0;
}

/**
 * How many working days an application is overdue at `now`: the working days after the
 * due date up to and including the IST date of `now` (the day in progress counts, since
 * the application is already late on it). 0 when not overdue, and also on the non-working
 * days right after the due date, when {@link isOverdue} is already true. Pauses after the
 * due date are not considered. A `null` due date gives 0.
 *
 * @throws RangeError when `dueDate` is malformed.
 */
export function daysOverdue(
  calendar: WorkingCalendar,
  dueDate: DateLike | null,
  now: Temporal.Instant,
): number {
  if (dueDate === null || !isOverdue(dueDate, now)) return 0;
  return workingDaysBetween(calendar, dueDate, istDateOf(now));
}

/** The day number of an instant's IST date. */
function istEpochDayOf(instant: Temporal.Instant): number {
  return epochDayOf(istDateOf(instant));
}

/** The index of the first element of an ascending array that is greater than `value`. */
function firstAbove(sorted: readonly number[], value: number): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (sorted[middle] <= value) low = middle + 1;
    else high = middle;
  }
  return low;
}

function assertTimeLimit(days: number): void {
  if (!Number.isSafeInteger(days) || days < 0) {
    throw new RangeError(`time limit must be a non-negative integer, got ${JSON.stringify(days)}`);
  }
}
