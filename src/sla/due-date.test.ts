import { describe, expect, it } from "vitest";
import { makeCalendar } from "./calendar.ts";
import { parseInstant } from "./clock.ts";
import {
  addWorkingDays,
  type CustodyEvent,
  computeDueDate,
  daysOverdue,
  isOverdue,
  workingDaysBetween,
  workingDaysElapsed,
} from "./due-date.ts";
import { casesCalendar, punjabCalendar } from "./test-data.ts";

const at = parseInstant;
const sentBack = (iso: string): CustodyEvent => ({ at: at(iso), holder: "applicant" });
const resubmitted = (iso: string): CustodyEvent => ({ at: at(iso), holder: "department" });

function due(receivedAt: string, timeLimit: number, custody: CustodyEvent[] = []) {
  return computeDueDate({
    receivedAt: at(receivedAt),
    timeLimit,
    basis: "working",
    calendar: casesCalendar,
    custody,
  });
}

describe("failure cases (test calendar: Sat/Sun off, holidays 2026-03-31 and 2026-04-14)", () => {
  it("C-01: received Sat 2026-03-28, 3 working days → due 2026-04-02 (a weekend start skips no extra day)", () => {
    expect(due("2026-03-28T11:00+05:30", 3).dueDate).toBe("2026-04-02");
    expect(addWorkingDays(casesCalendar, "2026-03-28", 3)).toBe("2026-04-02");
  });

  it("C-02: received Fri 2026-03-27 23:30, 7 working days → due 2026-04-08", () => {
    expect(due("2026-03-27T23:30+05:30", 7).dueDate).toBe("2026-04-08");
  });

  it("C-03: received 2026-03-27T00:30+05:30 (still the 26th in UTC), 1 working day → due Mon 2026-03-30", () => {
    expect(due("2026-03-27T00:30+05:30", 1).dueDate).toBe("2026-03-30");
    // The same instant written in UTC gives the same answer.
    expect(due("2026-03-26T19:00Z", 1).dueDate).toBe("2026-03-30");
  });

  it("C-04: received Mon 2026-04-13: 0 working days elapsed on Tue 04-14 (holiday), 3 on Sat 04-18", () => {
    expect(workingDaysElapsed(casesCalendar, "2026-04-13", "2026-04-14")).toBe(0);
    expect(workingDaysElapsed(casesCalendar, "2026-04-13", "2026-04-18")).toBe(3);
    expect(workingDaysElapsed(casesCalendar, "2026-04-13", at("2026-04-18T09:00+05:30"))).toBe(3);
    // Forward 3 from receipt is Fri 04-17; measured after it ends (Sat 04-18), back gives 3.
    expect(addWorkingDays(casesCalendar, "2026-04-13", 3)).toBe("2026-04-17");
    expect(workingDaysElapsed(casesCalendar, "2026-04-13", "2026-04-17")).toBe(2);
    // computeDueDate's own count agrees.
    const asOf = at("2026-04-18T09:00+05:30");
    const result = computeDueDate({
      receivedAt: at("2026-04-13T10:00+05:30"),
      timeLimit: 10,
      basis: "working",
      calendar: casesCalendar,
      asOf,
    });
    expect(result.countedDays).toBe(3);
  });

  it("C-05: send-back 04-08, resubmission 04-13, limit changed to 7 on 04-15 → due Tue 2026-04-21; the pause is kept", () => {
    const receivedAt = at("2026-04-06T10:00+05:30");
    const custody = [sentBack("2026-04-08T15:00+05:30"), resubmitted("2026-04-13T11:00+05:30")];
    const limitChangedAt = at("2026-04-15T12:00+05:30");
    const base = { receivedAt, basis: "working" as const, calendar: casesCalendar, custody };

    // While with the applicant, the due date is unknown; 04-07 has been counted.
    const paused = computeDueDate({ ...base, timeLimit: 5, asOf: at("2026-04-10T12:00+05:30") });
    expect(paused).toEqual({
      dueDate: null,
      countedDays: 1,
      paused: true,
      yearsWithoutHolidays: [],
    });

    // Under the first service version (5 days here): 04-07, 04-13, 04-15, 04-16, 04-17.
    expect(computeDueDate({ ...base, timeLimit: 5, asOf: limitChangedAt }).dueDate).toBe(
      "2026-04-17",
    );

    // The officer moves it to a 7-day version: 04-07, 04-13, 04-15, 04-16, 04-17, 04-20, 04-21.
    const moved = computeDueDate({ ...base, timeLimit: 7, asOf: limitChangedAt });
    expect(moved).toEqual({
      dueDate: "2026-04-21",
      countedDays: 2, // 04-07 and 04-13 had ended by 04-15 12:00; 04-14 is a holiday
      paused: false,
      yearsWithoutHolidays: [],
    });
    // Recomputing from receipt without the pause would wrongly give 04-16.
    expect(addWorkingDays(casesCalendar, "2026-04-06", 7)).toBe("2026-04-16");
  });
});

describe("computeDueDate", () => {
  it("limit 0 (immediate) is due on the IST date of receipt, hidden while with the applicant", () => {
    expect(due("2026-03-28T11:00+05:30", 0)).toEqual({
      dueDate: "2026-03-28",
      countedDays: 0,
      paused: false,
      yearsWithoutHolidays: [],
    });
    expect(due("2026-03-27T00:30+05:30", 0).dueDate).toBe("2026-03-27");
    expect(
      due("2026-04-06T10:00+05:30", 0, [
        sentBack("2026-04-06T12:00+05:30"),
        resubmitted("2026-04-09T10:00+05:30"),
      ]).dueDate,
    ).toBe("2026-04-06");
    const waiting = due("2026-04-06T10:00+05:30", 0, [sentBack("2026-04-06T12:00+05:30")]);
    expect(waiting.dueDate).toBeNull();
    expect(waiting.paused).toBe(true);
  });

  it("counts a day by custody at its end: 23:59 belongs to the day, 00:00 IST to the next", () => {
    // Received Mon 04-06, 2 days: Tue 07, Wed 08 without pauses.
    expect(due("2026-04-06T10:00+05:30", 2).dueDate).toBe("2026-04-08");
    // Sent back and resubmitted the same Tuesday: with the department at the end of it.
    expect(
      due("2026-04-06T10:00+05:30", 2, [
        sentBack("2026-04-07T10:00+05:30"),
        resubmitted("2026-04-07T16:00+05:30"),
      ]).dueDate,
    ).toBe("2026-04-08");
    // Sent back Mon 23:59, resubmitted Tue 00:00: Tuesday still counts.
    expect(
      due("2026-04-06T10:00+05:30", 2, [
        sentBack("2026-04-06T23:59+05:30"),
        resubmitted("2026-04-07T00:00+05:30"),
      ]).dueDate,
    ).toBe("2026-04-08");
    // Sent back Tue 00:00 IST (Mon 18:30Z), resubmitted Wed 09:00: Tuesday does not count.
    expect(
      due("2026-04-06T10:00+05:30", 2, [
        sentBack("2026-04-06T18:30Z"),
        resubmitted("2026-04-08T09:00+05:30"),
      ]).dueDate,
    ).toBe("2026-04-09");
  });

  it("ignores custody events after asOf and accepts repeated holders", () => {
    const custody = [sentBack("2026-04-08T15:00+05:30"), resubmitted("2026-04-13T11:00+05:30")];
    const before = computeDueDate({
      receivedAt: at("2026-04-06T10:00+05:30"),
      timeLimit: 3,
      basis: "working",
      calendar: casesCalendar,
      custody,
      asOf: at("2026-04-07T12:00+05:30"),
    });
    expect(before).toMatchObject({ dueDate: "2026-04-09", countedDays: 0, paused: false });
    expect(
      due("2026-04-06T10:00+05:30", 3, [
        sentBack("2026-04-07T10:00+05:30"),
        sentBack("2026-04-08T10:00+05:30"),
        resubmitted("2026-04-09T10:00+05:30"),
        resubmitted("2026-04-09T11:00+05:30"),
      ]).dueDate,
    ).toBe("2026-04-13"); // 09, 10, 13
  });

  it("a send-back after the due date has passed leaves the due date unknown, then keeps it", () => {
    const receivedAt = "2026-04-06T10:00+05:30";
    expect(due(receivedAt, 2).dueDate).toBe("2026-04-08");
    const late = [sentBack("2026-04-10T10:00+05:30")];
    expect(due(receivedAt, 2, late)).toMatchObject({ dueDate: null, countedDays: 2, paused: true });
    expect(due(receivedAt, 2, [...late, resubmitted("2026-04-20T10:00+05:30")]).dueDate).toBe(
      "2026-04-08",
    );
  });

  it("counts every day on the calendar basis, still excluding the day of receipt, with pauses", () => {
    const calendarBasis = (custody: CustodyEvent[] = []) =>
      computeDueDate({
        receivedAt: at("2026-03-28T11:00+05:30"),
        timeLimit: 3,
        basis: "calendar",
        calendar: casesCalendar,
        custody,
      });
    expect(calendarBasis().dueDate).toBe("2026-03-31"); // Sun 29, Mon 30, Tue 31 (holiday counts)
    expect(calendarBasis().yearsWithoutHolidays).toEqual([]);
    expect(
      calendarBasis([sentBack("2026-03-29T10:00+05:30"), resubmitted("2026-04-01T10:00+05:30")])
        .dueDate,
    ).toBe("2026-04-03"); // with the applicant at the end of 29, 30 and 31; then Apr 1, 2, 3
  });

  it("reports years without a holiday list on the working basis", () => {
    const result = computeDueDate({
      receivedAt: at("2026-12-28T10:00+05:30"),
      timeLimit: 5,
      basis: "working",
      calendar: casesCalendar,
    });
    expect(result.dueDate).toBe("2027-01-04"); // 29, 30, 31 Dec, 1 and 4 Jan
    expect(result.yearsWithoutHolidays).toEqual([2027]);
  });

  it("rejects bad input", () => {
    const receivedAt = at("2026-04-06T10:00+05:30");
    const base = { receivedAt, basis: "working" as const, calendar: casesCalendar };
    expect(() => computeDueDate({ ...base, timeLimit: -1 })).toThrow(RangeError);
    expect(() => computeDueDate({ ...base, timeLimit: 1.5 })).toThrow(RangeError);
    expect(() => computeDueDate({ ...base, timeLimit: Number.NaN })).toThrow(RangeError);
    expect(() =>
      computeDueDate({ ...base, timeLimit: 1, basis: "weekly" as unknown as "working" }),
    ).toThrow(/basis/);
    expect(() =>
      computeDueDate({ ...base, timeLimit: 1, custody: [sentBack("2026-04-06T09:00+05:30")] }),
    ).toThrow(/before receipt/);
    expect(() =>
      computeDueDate({
        ...base,
        timeLimit: 1,
        custody: [sentBack("2026-04-08T09:00+05:30"), resubmitted("2026-04-07T09:00+05:30")],
      }),
    ).toThrow(/previous event/);
    expect(() =>
      computeDueDate({
        ...base,
        timeLimit: 1,
        custody: [{ at: receivedAt, holder: "clerk" as unknown as "applicant" }],
      }),
    ).toThrow(/holder/);
    expect(() =>
      computeDueDate({ ...base, timeLimit: 1, asOf: at("2026-04-06T09:00+05:30") }),
    ).toThrow(/asOf/);
  });
});

describe("isOverdue and daysOverdue", () => {
  it("is overdue from 00:00 IST on the day after the due date", () => {
    expect(isOverdue("2026-04-02", at("2026-04-02T23:59:59.999999999+05:30"))).toBe(false);
    expect(isOverdue("2026-04-02", at("2026-04-03T00:00+05:30"))).toBe(true);
    expect(isOverdue("2026-04-02", at("2026-04-02T18:30Z"))).toBe(true); // = 04-03 00:00 IST
    expect(isOverdue(null, at("2030-01-01T00:00Z"))).toBe(false);
  });

  it("counts working days overdue, the day in progress included", () => {
    const calendar = casesCalendar;
    // Due Fri 2026-04-10. Sat/Sun: overdue, 0 working days. Mon 13: 1. Wed 15: 2 (14 is a holiday).
    expect(daysOverdue(calendar, "2026-04-10", at("2026-04-10T20:00+05:30"))).toBe(0);
    expect(daysOverdue(calendar, "2026-04-10", at("2026-04-11T10:00+05:30"))).toBe(0);
    expect(isOverdue("2026-04-10", at("2026-04-11T10:00+05:30"))).toBe(true);
    expect(daysOverdue(calendar, "2026-04-10", at("2026-04-13T00:00+05:30"))).toBe(1);
    expect(daysOverdue(calendar, "2026-04-10", at("2026-04-15T10:00+05:30"))).toBe(2);
    expect(daysOverdue(calendar, null, at("2026-04-15T10:00+05:30"))).toBe(0);
  });
});

describe("workingDaysBetween", () => {
  it("counts working days after the first date up to and including the second", () => {
    expect(workingDaysBetween(casesCalendar, "2026-03-27", "2026-04-08")).toBe(7);
    expect(workingDaysBetween(casesCalendar, "2026-04-08", "2026-03-27")).toBe(0);
    expect(workingDaysBetween(casesCalendar, "2026-04-08", "2026-04-08")).toBe(0);
    const noHolidays = makeCalendar({ holidays: [] });
    // 2026 has 261 weekdays; from 2025-12-31 to 2026-12-31 counts all of them.
    expect(workingDaysBetween(noHolidays, "2025-12-31", "2026-12-31")).toBe(261);
    expect(workingDaysBetween(casesCalendar, "2025-12-31", "2026-12-31")).toBe(259);
  });
});

describe("the real 2025 Punjab calendar (gazetted holidays only)", () => {
  const punjab = punjabCalendar();
  const dueOn = (receivedAt: string, timeLimit: number) =>
    computeDueDate({ receivedAt: at(receivedAt), timeLimit, basis: "working", calendar: punjab })
      .dueDate;

  it("Diwali week: received Fri 2025-10-17, 3 days → Tue 21, Thu 23, Fri 24 → due 2025-10-24", () => {
    // Mon 10-20 Diwali and Wed 10-22 Vishwakarma Day are gazetted; Thu 10-23 (Gurgaddi Diwas) is only restricted.
    expect(dueOn("2025-10-17T14:00+05:30", 3)).toBe("2025-10-24");
  });

  it("April 2025: received Thu 2025-04-10 (Mahavir Jayanti), 5 days → 11, 15, 16, 17, 21 → due 2025-04-21", () => {
    // Mon 04-14 Ambedkar Jayanti and Fri 04-18 Good Friday are holidays.
    expect(dueOn("2025-04-10T10:00+05:30", 5)).toBe("2025-04-21");
  });

  it("Gandhi Jayanti: received Wed 2025-10-01, 1 day → Thu 10-02 is a holiday → due Fri 2025-10-03", () => {
    expect(dueOn("2025-10-01T10:00+05:30", 1)).toBe("2025-10-03");
  });

  it("a restricted holiday is a working day: received Wed 2025-10-15, 1 day → due Thu 2025-10-16", () => {
    expect(dueOn("2025-10-15T10:00+05:30", 1)).toBe("2025-10-16");
  });

  it("Christmas into 2026: received Wed 2025-12-24, 5 days → 26, 29, 30, 31 Dec, 1 Jan → due 2026-01-01", () => {
    expect(dueOn("2025-12-24T10:00+05:30", 5)).toBe("2026-01-01");
    expect(workingDaysElapsed(punjab, "2025-12-24", "2026-01-02")).toBe(5);
  });

  it("a 30-day limit from 2025-11-03 crosses Guru Nanak Dev Ji, Guru Tegh Bahadur Ji and Christmas → due 2025-12-17", () => {
    // November 2025 after the 3rd: 19 weekdays minus 5 and 25 Nov = 17; then Dec 1..17 gives 13 weekdays: 17 + 13 = 30.
    expect(dueOn("2025-11-03T10:00+05:30", 30)).toBe("2025-12-17");
  });
});
