import { Temporal } from "temporal-polyfill";
import { describe, expect, it } from "vitest";
import { makeCalendar } from "./calendar.ts";
import { computeDueDate } from "./due-date.ts";
import { clockStartAfterNotice, stageDueDates } from "./stages.ts";

const cases = makeCalendar({ holidays: ["2026-03-31", "2026-04-14"] });

describe("stage shares and notice periods", () => {
  it("stage due dates are cumulative shares of the limit (verification within 3 of 7 working days)", () => {
    // Received Mon 2026-04-06: Tue 7, Wed 8, Thu 9 (3rd) … Fri 10, Mon 13, Wed 15 (14 is a holiday), Thu 16 (7th).
    expect(
      stageDueDates(cases, "2026-04-06", 7, "working", [
        { id: "verification", shareDays: 3 },
        { id: "decision", shareDays: 4 },
      ]),
    ).toEqual([
      { id: "verification", dueDate: "2026-04-09" },
      { id: "decision", dueDate: "2026-04-16" },
    ]);
    expect(stageDueDates(cases, "2026-04-06", 7, "calendar", [{ id: "v", shareDays: 3 }])).toEqual([
      { id: "v", dueDate: "2026-04-09" },
    ]);
    expect(() =>
      stageDueDates(cases, "2026-04-06", 7, "working", [
        { id: "a", shareDays: 5 },
        { id: "b", shareDays: 3 },
      ]),
    ).toThrow(RangeError);
    expect(() =>
      stageDueDates(cases, "2026-04-06", 7, "working", [{ id: "a", shareDays: 0 }]),
    ).toThrow(RangeError);
  });

  it("the time limit starts after a statutory notice period", () => {
    // Received Fri 2026-03-27 11:00 IST with a 7-day notice period: counting starts after Fri 3 April.
    const start = clockStartAfterNotice(Temporal.Instant.from("2026-03-27T11:00:00+05:30"), 7);
    expect(start.toString()).toBe("2026-04-03T05:30:00Z");
    // 3 working days after Fri 3 April: Mon 6, Tue 7, Wed 8.
    expect(
      computeDueDate({ receivedAt: start, timeLimit: 3, basis: "working", calendar: cases })
        .dueDate,
    ).toBe("2026-04-08");
    expect(
      clockStartAfterNotice(Temporal.Instant.from("2026-03-27T11:00:00+05:30"), 0).toString(),
    ).toBe("2026-03-27T05:30:00Z");
    expect(() =>
      clockStartAfterNotice(Temporal.Instant.from("2026-03-27T11:00:00+05:30"), -1),
    ).toThrow(RangeError);
  });
});
