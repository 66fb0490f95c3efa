/**
 * Pure rules of the Sewa Kendra token queue (no database): booking slots,
 * the booking window, and the wait target.
 *
 * - A slot is a 30-minute window starting on the hour or half hour
 *   ({@link SLOT_MINUTES}) that fits inside the centre's opening hours
 *   (IST wall clock, `opensAt` ≤ start and start + 30 min ≤ `closesAt`).
 * - A booking is for today or one of the next {@link BOOKING_DAYS_AHEAD}
 *   calendar days, not on the centre's weekly off day nor on a gazetted
 *   (or the district's local) holiday, and for a slot that has not started.
 * - Each slot takes {@link SLOT_CAPACITY_PER_COUNTER} bookings per counter.
 *
 * These are Sewa's own defaults (the state has published no booking rules);
 * change them here.
 */
import { Temporal } from "temporal-polyfill";

/** Length of a booking slot, minutes. */
export const SLOT_MINUTES = 30;
/** How many calendar days ahead a token may be booked (today + this many days). */
export const BOOKING_DAYS_AHEAD = 14;
/** Bookings per slot per counter: a slot's capacity is `counters × 2`. */
export const SLOT_CAPACITY_PER_COUNTER = 2;

/** The opening facts of a centre the rules need. */
export type CentreHours = { opensAt: string; closesAt: string; weeklyOff: number | null };

/** Minutes since midnight of `HH:MM`. */
function minutes(hhmm: string): number {
  const [h, m] = hhmm.split(":").map(Number);
  return (h as number) * 60 + (m as number);
}

/** `HH:MM` of minutes since midnight. */
function hhmm(total: number): string {
  return `${String(Math.floor(total / 60)).padStart(2, "0")}:${String(total % 60).padStart(2, "0")}`;
}

/**
 * Every slot start of a day at a centre, ascending: `HH:MM` on the hour or
 * half hour from the first at or after `opensAt`, while start + 30 ≤ `closesAt`.
 */
export function slotsOf(hours: Pick<CentreHours, "opensAt" | "closesAt">): string[] {
  const open = minutes(hours.opensAt);
  const close = minutes(hours.closesAt);
  const out: string[] = [];
  for (
    let t = Math.ceil(open / SLOT_MINUTES) * SLOT_MINUTES;
    t + SLOT_MINUTES <= close;
    t += SLOT_MINUTES
  )
    out.push(hhmm(t));
  return out;
}

/** A slot's capacity: counters × {@link SLOT_CAPACITY_PER_COUNTER}. */
export function slotCapacity(counters: number): number {
  return counters * SLOT_CAPACITY_PER_COUNTER;
}

/**
 * Why a date cannot be booked, or undefined when it can.
 * Codes: `date.required`, `date.invalid`, `date.past`, `date.too_far`
 * (after today + {@link BOOKING_DAYS_AHEAD}), `date.weekly_off`, `date.holiday`.
 * @param today the IST date today, `YYYY-MM-DD`.
 * @param isHoliday whether the date is a gazetted or local holiday of the centre's district.
 */
export function dateProblem(
  date: string,
  today: string,
  hours: CentreHours,
  isHoliday: (date: string) => boolean,
): string | undefined {
  if (!date) return "date.required";
  let d: Temporal.PlainDate;
  try {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) return "date.invalid";
    d = Temporal.PlainDate.from(date, { overflow: "reject" });
  } catch {
    return "date.invalid";
  }
  const t = Temporal.PlainDate.from(today);
  if (Temporal.PlainDate.compare(d, t) < 0) return "date.past";
  if (Temporal.PlainDate.compare(d, t.add({ days: BOOKING_DAYS_AHEAD })) > 0) return "date.too_far";
  if (hours.weeklyOff !== null && d.dayOfWeek === hours.weeklyOff) return "date.weekly_off";
  if (isHoliday(date)) return "date.holiday";
  return undefined;
}

/**
 * Why a slot cannot be booked on a (valid) date, or undefined when it can.
 * Codes: `slot.required`, `slot.invalid` (not `HH:MM` on the hour or half
 * hour), `slot.outside_hours`, `slot.past` (today, and the slot has started).
 * @param now the current IST wall-clock time `HH:MM`, used when `date` is `today`.
 */
export function slotProblem(
  slot: string,
  date: string,
  today: string,
  now: string,
  hours: CentreHours,
): string | undefined {
  if (!slot) return "slot.required";
  if (!/^([01]\d|2[0-3]):(00|30)$/.test(slot)) return "slot.invalid";
  if (!slotsOf(hours).includes(slot)) return "slot.outside_hours";
  if (date === today && minutes(slot) <= minutes(now)) return "slot.past";
  return undefined;
}

/** The next dates a booking may be for (today and {@link BOOKING_DAYS_AHEAD} days), for a date picker. */
export function bookableDates(today: string): string[] {
  const t = Temporal.PlainDate.from(today);
  return Array.from({ length: BOOKING_DAYS_AHEAD + 1 }, (_, i) => t.add({ days: i }).toString());
}

/**
 * Masks a mobile number for lists: only the last 4 digits show (`XXXXXX3210`).
 * Staff lists do not need the whole number.
 */
export function maskMobile(mobile: string | null): string {
  return mobile ? `${"X".repeat(Math.max(0, mobile.length - 4))}${mobile.slice(-4)}` : "";
}
