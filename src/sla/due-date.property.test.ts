import fc from "fast-check";
import { Temporal } from "temporal-polyfill";
import { describe, expect, it } from "vitest";
import { makeCalendar, type WorkingCalendar } from "./calendar.ts";
import { IST, istDateOf, startOfIstDay } from "./clock.ts";
import {
  addWorkingDays,
  type CustodyEvent,
  computeDueDate,
  isOverdue,
  workingDaysBetween,
  workingDaysElapsed,
} from "./due-date.ts";

const EPOCH = Temporal.PlainDate.from("2024-01-01");

/** A date between 2024-01-01 and about 2028-12-31. */
const dateArb = fc.integer({ min: 0, max: 5 * 366 }).map((n) => EPOCH.add({ days: n }));

/** A calendar with random holidays in 2024–2029 and random weekly off days (never all seven). */
const calendarArb: fc.Arbitrary<WorkingCalendar> = fc
  .record({
    holidays: fc.array(dateArb, { maxLength: 120 }),
    weekendDays: fc.oneof(
      fc.constant([6, 7]),
      fc.uniqueArray(fc.integer({ min: 1, max: 7 }), { maxLength: 6 }),
    ),
  })
  .map(({ holidays, weekendDays }) =>
    makeCalendar({ holidays: holidays.map((d) => d.toString()), weekendDays }),
  );

/** An instant of receipt: a date plus a time of day in IST. */
const receivedArb = fc
  .record({ date: dateArb, minute: fc.integer({ min: 0, max: 24 * 60 - 1 }) })
  .map(({ date, minute }) =>
    date
      .toZonedDateTime({
        timeZone: IST,
        plainTime: Temporal.PlainTime.from({ hour: Math.floor(minute / 60), minute: minute % 60 }),
      })
      .toInstant(),
  );

/**
 * A custody history: send-back and resubmission pairs at random gaps (in minutes) after
 * receipt, ending with the department.
 */
const pausesArb = fc.array(
  fc.tuple(fc.integer({ min: 0, max: 20 * 1440 }), fc.integer({ min: 0, max: 20 * 1440 })),
  { maxLength: 4 },
);
function custodyOf(receivedAt: Temporal.Instant, pauses: [number, number][]): CustodyEvent[] {
  const events: CustodyEvent[] = [];
  let t = receivedAt;
  for (const [before, during] of pauses) {
    t = t.add({ minutes: before });
    events.push({ at: t, holder: "applicant" });
    t = t.add({ minutes: during });
    events.push({ at: t, holder: "department" });
  }
  return events;
}

const limitArb = fc.integer({ min: 0, max: 365 });

describe("due-date properties", () => {
  it("counting forward N working days and back gives N", () => {
    fc.assert(
      fc.property(calendarArb, dateArb, limitArb, (calendar, received, n) => {
        const dueDate = addWorkingDays(calendar, received, n);
        expect(workingDaysBetween(calendar, received, dueDate)).toBe(n);
        const dayAfter = Temporal.PlainDate.from(dueDate).add({ days: 1 });
        expect(workingDaysElapsed(calendar, received, dayAfter)).toBe(n);
      }),
    );
  });

  it("workingDaysBetween equals a day-by-day count", () => {
    fc.assert(
      fc.property(calendarArb, dateArb, dateArb, (calendar, from, to) => {
        let expected = 0;
        for (
          let day = from.add({ days: 1 });
          Temporal.PlainDate.compare(day, to) <= 0;
          day = day.add({ days: 1 })
        ) {
          if (calendar.isWorkingDay(day)) expected++;
        }
        expect(workingDaysBetween(calendar, from, to)).toBe(expected);
      }),
    );
  });

  it("without pauses, computeDueDate is addWorkingDays from the IST date of receipt", () => {
    fc.assert(
      fc.property(calendarArb, receivedArb, limitArb, (calendar, receivedAt, n) => {
        const result = computeDueDate({ receivedAt, timeLimit: n, basis: "working", calendar });
        expect(result.dueDate).toBe(addWorkingDays(calendar, istDateOf(receivedAt), n));
        expect(result.paused).toBe(false);
      }),
    );
  });

  it("a due date (N ≥ 1, working basis) never falls on a non-working day, with or without pauses", () => {
    fc.assert(
      fc.property(
        calendarArb,
        receivedArb,
        fc.integer({ min: 1, max: 365 }),
        pausesArb,
        (calendar, receivedAt, n, pauses) => {
          const custody = custodyOf(receivedAt, pauses);
          const { dueDate } = computeDueDate({
            receivedAt,
            timeLimit: n,
            basis: "working",
            calendar,
            custody,
          });
          expect(dueDate).not.toBeNull();
          expect(calendar.isWorkingDay(dueDate as string)).toBe(true);
        },
      ),
    );
  });

  it("the due date is monotonic in N (strictly, from N to N + 1)", () => {
    fc.assert(
      fc.property(
        calendarArb,
        receivedArb,
        fc.integer({ min: 0, max: 364 }),
        pausesArb,
        (calendar, receivedAt, n, pauses) => {
          const custody = custodyOf(receivedAt, pauses);
          const base = { receivedAt, basis: "working" as const, calendar, custody };
          const shorter = computeDueDate({ ...base, timeLimit: n }).dueDate as string;
          const longer = computeDueDate({ ...base, timeLimit: n + 1 }).dueDate as string;
          expect(longer > shorter).toBe(true);
        },
      ),
    );
  });

  it("a pause never makes the due date earlier (either basis)", () => {
    fc.assert(
      fc.property(
        calendarArb,
        receivedArb,
        limitArb,
        pausesArb,
        fc.constantFrom("working" as const, "calendar" as const),
        (calendar, receivedAt, n, pauses, basis) => {
          const base = { receivedAt, timeLimit: n, basis, calendar };
          const plain = computeDueDate(base).dueDate as string;
          const custody = custodyOf(receivedAt, pauses);
          const withPauses = computeDueDate({ ...base, custody }).dueDate as string;
          expect(withPauses >= plain).toBe(true);
          // One more pause, appended, never moves it earlier either.
          const more = custodyOf(receivedAt, [...pauses, [60, 3 * 1440]]);
          const withMore = computeDueDate({ ...base, custody: more }).dueDate as string;
          expect(withMore >= withPauses).toBe(true);
        },
      ),
    );
  });

  it("calendar basis without pauses = date of receipt + N calendar days", () => {
    fc.assert(
      fc.property(calendarArb, receivedArb, limitArb, (calendar, receivedAt, n) => {
        const { dueDate } = computeDueDate({
          receivedAt,
          timeLimit: n,
          basis: "calendar",
          calendar,
        });
        expect(dueDate).toBe(
          Temporal.PlainDate.from(istDateOf(receivedAt)).add({ days: n }).toString(),
        );
      }),
    );
  });

  it("countedDays never exceeds the limit and matches the elapsed count without pauses", () => {
    fc.assert(
      fc.property(
        calendarArb,
        receivedArb,
        limitArb,
        fc.integer({ min: 0, max: 400 * 1440 }),
        (calendar, receivedAt, n, minutesLater) => {
          const asOf = receivedAt.add({ minutes: minutesLater });
          const { countedDays } = computeDueDate({
            receivedAt,
            timeLimit: n,
            basis: "working",
            calendar,
            asOf,
          });
          const elapsed = workingDaysElapsed(calendar, istDateOf(receivedAt), asOf);
          expect(countedDays).toBe(Math.min(n, elapsed));
        },
      ),
    );
  });

  it("an application is overdue exactly from 00:00 IST after its due date", () => {
    fc.assert(
      fc.property(dateArb, (dueDate) => {
        const from = startOfIstDay(dueDate.add({ days: 1 }));
        expect(isOverdue(dueDate, from)).toBe(true);
        expect(isOverdue(dueDate, from.subtract({ nanoseconds: 1 }))).toBe(false);
      }),
    );
  });
});
