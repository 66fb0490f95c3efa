/**
 * Stage deadlines and statutory notice periods (pure), as service definitions
 * declare them (src/catalog/definitions: `workflow.states[].shareDays`,
 * `timeLimit.noticePeriodDays`).
 *
 * - A stage's share is part of the time limit, in the limit's days: the stages'
 *   due dates are cumulative from receipt, e.g. verification by the patwari
 *   within 3 of 7 working days, the decision by the 7th (DIGIT counts per-stage
 *   SLAs in wall-clock time; we count them like the limit itself).
 * - Where a notification fixes a notice period (e.g. for objections), "the time
 *   limit starts after any statutory notice period" (rtspunjab.gov.in, notes on
 *   notified services): the notice period runs in calendar days from receipt and
 *   the time limit is counted from its last day, excluded like a day of receipt.
 */
import { Temporal } from "temporal-polyfill";
import type { WorkingCalendar } from "./calendar.ts";
import { addWorkingDays, type Basis } from "./due-date.ts";

/** A stage and its share of the time limit. */
export type StageShare = { id: string; shareDays: number };

/**
 * The due date of each stage: receipt plus the running sum of shares, on the
 * time limit's basis.
 * @throws RangeError when the shares add up to more than `timeLimit` or one is not a positive integer.
 */
export function stageDueDates(
  calendar: WorkingCalendar,
  receivedDate: string,
  timeLimit: number,
  basis: Basis,
  stages: readonly StageShare[],
): Array<{ id: string; dueDate: string }> {
  let sum = 0;
  return stages.map((s) => {
    if (!Number.isInteger(s.shareDays) || s.shareDays < 1)
      throw new RangeError(`stage ${s.id}: share must be a positive whole number of days`);
    sum += s.shareDays;
    if (sum > timeLimit)
      throw new RangeError(`the stages' shares (${sum}) exceed the time limit (${timeLimit})`);
    const dueDate =
      basis === "working"
        ? addWorkingDays(calendar, receivedDate, sum)
        : addCalendarDays(receivedDate, sum);
    return { id: s.id, dueDate };
  });
}

/**
 * When the time limit starts counting for an application received at
 * `receivedAt` with a statutory notice period of `noticeDays` calendar days:
 * the same wall-clock time on the notice period's last day. Use it as the
 * `receivedAt` of the due-date rules. 0 days: `receivedAt` itself.
 * @throws RangeError for a negative or fractional period.
 */
export function clockStartAfterNotice(
  receivedAt: Temporal.Instant,
  noticeDays: number,
): Temporal.Instant {
  if (!Number.isInteger(noticeDays) || noticeDays < 0)
    throw new RangeError(`notice period must be a whole number of days, got ${noticeDays}`);
  return receivedAt.toZonedDateTimeISO("Asia/Kolkata").add({ days: noticeDays }).toInstant();
}

function addCalendarDays(date: string, days: number): string {
  return Temporal.PlainDate.from(date).add({ days }).toString();
}
