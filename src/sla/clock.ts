/**
 * Time for the SLA rules: an injectable clock and the few helpers that turn an
 * instant into the Indian Standard Time date used for counting time limits.
 *
 * Conventions (ARCHITECTURE.md §4 "Time"): instants are UTC `Temporal.Instant`s,
 * calendar dates are plain `YYYY-MM-DD` strings, and the zone for counting and
 * display is Asia/Kolkata (IST, UTC+05:30). A JS `Date` is never used.
 *
 * Code that needs "now" takes a {@link Clock} so that tests can fix it; tests never
 * read the wall clock.
 *
 * @module
 */
import { Temporal } from "temporal-polyfill";

/** The IANA zone in which days are counted and times are shown: Indian Standard Time. */
export const IST = "Asia/Kolkata";

/** A source of the current instant. Inject it; never call `Temporal.Now` in rules. */
export type Clock = { now(): Temporal.Instant };

/** The real clock (the system's wall clock). Use only at the edges (main, workers). */
export const systemClock: Clock = { now: () => Temporal.Now.instant() };

/**
 * A clock stopped at one instant, for tests and simulations.
 *
 * @param at an instant, or an ISO 8601 string **with** an offset or `Z`
 *   (e.g. `"2026-04-06T10:00+05:30"`).
 * @throws RangeError when the string has no offset or is not a valid instant
 *   (see {@link parseInstant}).
 */
export function fixedClock(at: string | Temporal.Instant): Clock {
  const instant = typeof at === "string" ? parseInstant(at) : at;
  return { now: () => instant };
}

/**
 * Parses an ISO 8601 instant. The string must carry an offset or `Z`: a bare local
 * time such as `"2026-04-06T10:00"` is ambiguous (is it IST or UTC?) and is rejected.
 *
 * @throws RangeError when the string is not an instant with an offset.
 */
export function parseInstant(iso: string): Temporal.Instant {
  try {
    return Temporal.Instant.from(iso);
  } catch (cause) {
    throw new RangeError(
      `Not an instant with an offset (expected e.g. "2026-04-06T10:00+05:30"): ${JSON.stringify(iso)}`,
      { cause },
    );
  }
}

/** The instant seen on the wall clock in IST (a zoned date-time in Asia/Kolkata). */
export function toIst(instant: Temporal.Instant): Temporal.ZonedDateTime {
  return instant.toZonedDateTimeISO(IST);
}

/**
 * The calendar date (`YYYY-MM-DD`) of an instant in IST. This, not the UTC date, is the
 * date of receipt and the date used for every count (case C-03:
 * `2026-03-27T00:30+05:30` is still 26 March in UTC but is 27 March here).
 */
export function istDateOf(instant: Temporal.Instant): string {
  return toIst(instant).toPlainDate().toString();
}

/**
 * The instant at which an IST calendar day begins (00:00 IST).
 *
 * @param date a `YYYY-MM-DD` date.
 * @throws RangeError when `date` is not a valid ISO calendar date.
 */
export function startOfIstDay(date: string | Temporal.PlainDate): Temporal.Instant {
  const plain = typeof date === "string" ? Temporal.PlainDate.from(date) : date;
  return plain.toZonedDateTime({ timeZone: IST }).toInstant();
}

/**
 * An instant a whole or fractional number of hours after (or, when negative, before)
 * another. The arithmetic is on the timeline, so zones play no part: a reminder
 * "2 hours later" created at 10:00 IST fires at 12:00 IST = 06:30Z (case C-06).
 *
 * @param hours hours to add; may be negative or fractional (the fraction is rounded
 *   to the nearest nanosecond).
 * @throws RangeError when `hours` is not a finite number.
 */
export function addHours(instant: Temporal.Instant, hours: number): Temporal.Instant {
  if (!Number.isFinite(hours)) throw new RangeError(`hours must be finite, got ${hours}`);
  // Whole hours and the fraction separately: a double cannot hold large nanosecond
  // counts exactly. Math.trunc keeps both parts of the same sign, as a Duration needs.
  const whole = Math.trunc(hours);
  const nanoseconds = Math.round((hours - whole) * 3_600_000_000_000);
  return instant.add({ hours: whole, nanoseconds });
}

/**
 * An instant a number of minutes later (or earlier, when negative). See {@link addHours}.
 *
 * @throws RangeError when `minutes` is not a finite number.
 */
export function addMinutes(instant: Temporal.Instant, minutes: number): Temporal.Instant {
  return addHours(instant, minutes / 60);
}
