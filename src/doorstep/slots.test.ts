import { Temporal } from "temporal-polyfill";
import { describe, expect, it } from "vitest";
import {
  dateProblem,
  formatVisitNumber,
  isSlot,
  isSunday,
  maskMobile,
  slotEnd,
  slotWindow,
} from "./slots.ts";

const at = (iso: string) => Temporal.Instant.from(iso);

describe("doorstep slots", () => {
  it("are two-hour windows from the configured starts", () => {
    expect(slotEnd("09:00")).toBe("11:00");
    expect(slotEnd("16:00")).toBe("18:00");
    expect(slotWindow("14:00")).toBe("14:00–16:00");
    expect(isSlot("11:00")).toBe(true);
    expect(isSlot("12:00")).toBe(false);
  });

  it("refuse Sundays, the past, started windows and dates beyond the horizon", () => {
    const now = at("2026-12-01T10:30:00+05:30"); // a Tuesday
    expect(isSunday("2026-12-06")).toBe(true);
    expect(dateProblem("2026-12-06", "09:00", now)).toBe("sunday");
    expect(dateProblem("2026-11-30", "09:00", now)).toBe("past");
    expect(dateProblem("2026-12-01", "09:00", now)).toBe("slot_started");
    expect(dateProblem("2026-12-01", "11:00", now)).toBeUndefined();
    expect(dateProblem("2026-12-31", "11:00", now)).toBeUndefined();
    expect(dateProblem("2027-01-01", "11:00", now)).toBe("too_far");
  });

  it("uses the IST date, not UTC (23:00 UTC is the next day in India)", () => {
    const now = at("2026-12-01T19:00:00Z"); // 2 Dec 00:30 IST
    expect(dateProblem("2026-12-01", "16:00", now)).toBe("past");
    expect(dateProblem("2026-12-02", "09:00", now)).toBeUndefined();
  });

  it("masks mobiles and numbers visits", () => {
    expect(maskMobile("9876543210")).toBe("98XXXXXX10");
    expect(formatVisitNumber(2026, 42)).toBe("DV-2026-000042");
  });
});
