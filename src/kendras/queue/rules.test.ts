import { describe, expect, it } from "vitest";
import {
  BOOKING_DAYS_AHEAD,
  bookableDates,
  dateProblem,
  maskMobile,
  slotCapacity,
  slotProblem,
  slotsOf,
} from "./rules.ts";

const centre = { opensAt: "09:00", closesAt: "17:00", weeklyOff: 7 };
const noHoliday = () => false;

describe("slot rules", () => {
  it("slots are the half hours that fit within opening hours", () => {
    const slots = slotsOf(centre);
    expect(slots[0]).toBe("09:00");
    expect(slots.at(-1)).toBe("16:30");
    expect(slots).toHaveLength(16);
    expect(slotsOf({ opensAt: "08:45", closesAt: "10:15" })).toEqual(["09:00", "09:30"]);
  });

  it("capacity is counters × 2", () => {
    expect(slotCapacity(12)).toBe(24);
  });

  it("a date is today to today + 14, not the weekly off day nor a holiday", () => {
    const today = "2026-01-20"; // a Tuesday
    expect(dateProblem("2026-01-20", today, centre, noHoliday)).toBeUndefined();
    expect(dateProblem("2026-02-03", today, centre, noHoliday)).toBeUndefined(); // today + 14
    expect(dateProblem("2026-02-04", today, centre, noHoliday)).toBe("date.too_far");
    expect(dateProblem("2026-01-19", today, centre, noHoliday)).toBe("date.past");
    expect(dateProblem("2026-01-25", today, centre, noHoliday)).toBe("date.weekly_off"); // Sunday
    expect(
      dateProblem("2026-01-25", today, { ...centre, weeklyOff: null }, noHoliday),
    ).toBeUndefined();
    expect(dateProblem("2026-01-26", today, centre, (d) => d === "2026-01-26")).toBe(
      "date.holiday",
    );
    expect(dateProblem("2026-02-30", today, centre, noHoliday)).toBe("date.invalid");
    expect(dateProblem("26-01-2026", today, centre, noHoliday)).toBe("date.invalid");
    expect(dateProblem("", today, centre, noHoliday)).toBe("date.required");
    expect(bookableDates(today)).toHaveLength(BOOKING_DAYS_AHEAD + 1);
  });

  it("a slot is on the hour or half hour, inside the hours, and not started when today", () => {
    expect(slotProblem("10:30", "2026-01-21", "2026-01-20", "10:00", centre)).toBeUndefined();
    expect(slotProblem("10:15", "2026-01-21", "2026-01-20", "10:00", centre)).toBe("slot.invalid");
    expect(slotProblem("1030", "2026-01-21", "2026-01-20", "10:00", centre)).toBe("slot.invalid");
    expect(slotProblem("08:30", "2026-01-21", "2026-01-20", "10:00", centre)).toBe(
      "slot.outside_hours",
    );
    expect(slotProblem("17:00", "2026-01-21", "2026-01-20", "10:00", centre)).toBe(
      "slot.outside_hours",
    );
    expect(slotProblem("10:00", "2026-01-20", "2026-01-20", "10:00", centre)).toBe("slot.past");
    expect(slotProblem("10:30", "2026-01-20", "2026-01-20", "10:00", centre)).toBeUndefined();
    expect(slotProblem("", "2026-01-21", "2026-01-20", "10:00", centre)).toBe("slot.required");
  });

  it("masks mobile numbers in lists", () => {
    expect(maskMobile("9876543210")).toBe("XXXXXX3210");
    expect(maskMobile(null)).toBe("");
  });
});
