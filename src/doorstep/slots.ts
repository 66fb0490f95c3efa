/**
 * Doorstep visit slots (pure rules, no database).
 *
 * A facilitator (Sewa Sahayak) visits citizens in fixed two-hour time windows
 * (IST): 09:00–11:00, 11:00–13:00, 14:00–16:00 and 16:00–18:00 (a lunch hour
 * between the second and third). This is Sewa's configuration, not a
 * published government rule: the scheme's sources say only that the citizen
 * "books a convenient appointment" through helpline 1076 (data/README.md §6).
 * Change {@link VISIT_SLOTS} to change the windows; a slot is stored as its
 * start `HH:MM` (`doorstep_visits.slot`).
 *
 * No visits on Sundays or on holidays that close offices (the `holidays`
 * table's `gazetted` rows, and `local` rows of the visit's district; checked
 * in service.ts). Visits are booked from today up to {@link BOOKING_HORIZON_DAYS}
 * calendar days ahead; a slot of today whose window has already started
 * cannot be booked.
 */
import { Temporal } from "temporal-polyfill";

/** The start of each visit window, `HH:MM` IST, in the order of the day. */
export const VISIT_SLOTS = ["09:00", "11:00", "14:00", "16:00"] as const;
/** A slot start. */
export type VisitSlot = (typeof VISIT_SLOTS)[number];
/** Length of every window, in hours. */
export const SLOT_HOURS = 2;
/** How far ahead a visit may be booked, in calendar days from today (IST). */
export const BOOKING_HORIZON_DAYS = 30;

/** Whether `s` is one of the configured slot starts. */
export function isSlot(s: unknown): s is VisitSlot {
  return typeof s === "string" && (VISIT_SLOTS as readonly string[]).includes(s);
}

/** The end `HH:MM` of the window starting at `slot` (`"09:00"` → `"11:00"`). */
export function slotEnd(slot: string): string {
  const t = Temporal.PlainTime.from(slot).add({ hours: SLOT_HOURS });
  return t.toString({ smallestUnit: "minute" });
}

/** The window as shown to people: `"09:00–11:00"`. */
export function slotWindow(slot: string): string {
  return `${slot}–${slotEnd(slot)}`;
}

/** Whether an IST date `YYYY-MM-DD` is a Sunday. */
export function isSunday(date: string): boolean {
  return Temporal.PlainDate.from(date).dayOfWeek === 7;
}

/** Why a date or slot cannot take a visit (before holidays are looked up). */
export type DateProblem = "past" | "too_far" | "sunday" | "slot_started";

/**
 * Checks a visit date and slot against `now` (IST): not in the past, at most
 * {@link BOOKING_HORIZON_DAYS} ahead, not a Sunday, and (today) a window that
 * has not started yet.
 * @returns the first problem, or undefined when the date and slot may be booked (holidays aside).
 */
export function dateProblem(
  date: string,
  slot: string,
  now: Temporal.Instant,
): DateProblem | undefined {
  const here = now.toZonedDateTimeISO("Asia/Kolkata");
  const today = here.toPlainDate();
  const d = Temporal.PlainDate.from(date);
  if (Temporal.PlainDate.compare(d, today) < 0) return "past";
  if (Temporal.PlainDate.compare(d, today.add({ days: BOOKING_HORIZON_DAYS })) > 0)
    return "too_far";
  if (isSunday(date)) return "sunday";
  if (
    Temporal.PlainDate.compare(d, today) === 0 &&
    Temporal.PlainTime.compare(Temporal.PlainTime.from(slot), here.toPlainTime()) <= 0
  )
    return "slot_started";
  return undefined;
}

/** Masks a 10-digit mobile number for lists: `98XXXXXX10`. */
export function maskMobile(mobile: string): string {
  return mobile.length === 10 ? `${mobile.slice(0, 2)}XXXXXX${mobile.slice(8)}` : "XXXXXXXXXX";
}

/** Formats a visit number `DV-<YYYY>-<seq>` (seq zero-padded to 6 digits). */
export function formatVisitNumber(year: number, seq: number): string {
  return `DV-${year}-${String(seq).padStart(6, "0")}`;
}
