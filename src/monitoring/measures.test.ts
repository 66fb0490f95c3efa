import { describe, expect, it } from "vitest";
import { makeCalendar } from "../sla/calendar.ts";
import {
  ageing,
  ageingBucket,
  cutoffs,
  emptyCounts,
  monthEnd,
  monthsBefore,
  parsePeriod,
  pendencyPercent,
  suppress,
} from "./measures.ts";
import { prng } from "./simulate.ts";

const calendar = makeCalendar({ holidays: ["2026-11-05"] });

describe("pendency measures", () => {
  it("computes pendency % to 2 decimals, null without receipts", () => {
    expect(pendencyPercent(1, 3)).toBe(33.33);
    expect(pendencyPercent(0, 10)).toBe(0);
    expect(pendencyPercent(0, 0)).toBeNull();
  });

  it("puts at risk what is due today or on the next working day", () => {
    // Friday 2026-11-27: the next working day is Monday 30 Nov.
    expect(cutoffs(calendar, "2026-11-27").riskTo).toBe("2026-11-30");
    // Wednesday 4 Nov: Thursday 5 Nov is a holiday, so Friday 6 Nov.
    expect(cutoffs(calendar, "2026-11-04").riskTo).toBe("2026-11-06");
  });

  it("buckets overdue applications by working days late", () => {
    expect(ageingBucket(0)).toBe("1-7");
    expect(ageingBucket(7)).toBe("1-7");
    expect(ageingBucket(8)).toBe("8-15");
    expect(ageingBucket(60)).toBe("31-60");
    expect(ageingBucket(61)).toBe("60+");
    // Due Mon 2 Nov, seen Fri 13 Nov: 3,4,6,9,10,11,12,13 = 8 working days late (5 Nov a holiday).
    const day = (d: string) => Date.parse(`${d}T00:00:00Z`) / 86_400_000;
    expect(ageing(calendar, "2026-11-13", [{ dueDay: day("2026-11-02"), n: 4 }])).toEqual({
      "1-7": 0,
      "8-15": 4,
      "16-30": 0,
      "31-60": 0,
      "60+": 0,
    });
  });

  it("reads periods as whole months, defaulting to the last 12", () => {
    expect(parsePeriod(undefined, undefined, "2026-11-27")).toEqual({
      from: "2025-12",
      to: "2026-11",
    });
    expect(parsePeriod("2026-03-15", "2026-01", "2026-11-27")).toEqual({
      from: "2026-01",
      to: "2026-03",
    });
    expect(parsePeriod("junk", "2026-13", "2026-11-27")).toEqual({
      from: "2025-12",
      to: "2026-11",
    });
    expect(monthEnd("2028-02")).toBe("2028-02-29");
    expect(monthsBefore("2026-01", 1)).toBe("2025-12");
  });

  it("suppresses public cells below 5", () => {
    const small = { ...emptyCounts(), received: 4, pendingBeyond: 1, pendencyPercent: 25 };
    expect(Object.values(suppress(small)).every((v) => v === null)).toBe(true);
    const c = {
      ...emptyCounts(),
      received: 40,
      disposedWithin: 30,
      disposedLate: 3,
      pendingBeyond: 2,
      sentBack: 5,
      pendencyPercent: 5,
      medianDays: 4,
      p90Days: 9,
    };
    const s = suppress(c);
    expect(s.received).toBe(40);
    expect(s.disposedLate).toBeNull();
    expect(s.pendingBeyond).toBeNull();
    expect(s.pendencyPercent).toBeNull();
    expect(s.sentBack).toBe(5);
    expect(s.appeals).toBe(0);
    expect(s.medianDays).toBe(4);
  });

  it("draws the same simulation from the same seed", () => {
    const a = prng(42);
    const b = prng(42);
    const xs = Array.from({ length: 5 }, () => a());
    expect(xs).toEqual(Array.from({ length: 5 }, () => b()));
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
  });
});
