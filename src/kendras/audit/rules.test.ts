import { describe, expect, it } from "vitest";
import {
  epochDay,
  isoWeekday,
  lastFullMonth,
  median,
  openDays,
  openMinutes,
  outlierFlags,
  parseAuditPeriod,
  parseScope,
  percent,
  scopeParam,
} from "./rules.ts";

const centre = {
  footfallPerCounterDay: 10,
  disposed: 0,
  rejected: 0,
  filed: 0,
  sentBack: 0,
  mismatches: 0,
};
const state = { rejectionRate: 0.1, sendBackRate: 0.1 };

describe("period", () => {
  it("defaults to the last full month, across a year end", () => {
    expect(lastFullMonth("2026-11-27")).toEqual({ from: "2026-10-01", to: "2026-10-31" });
    expect(lastFullMonth("2026-01-01")).toEqual({ from: "2025-12-01", to: "2025-12-31" });
    expect(lastFullMonth("2024-03-15")).toEqual({ from: "2024-02-01", to: "2024-02-29" });
    expect(parseAuditPeriod(undefined, "", "2026-11-27")).toEqual({
      period: { from: "2026-10-01", to: "2026-10-31" },
      problems: [],
    });
  });

  it("accepts a valid range and refuses impossible dates, reversed, too long or future ranges", () => {
    expect(parseAuditPeriod(" 2026-09-01 ", "2026-09-30", "2026-11-27").period).toEqual({
      from: "2026-09-01",
      to: "2026-09-30",
    });
    expect(parseAuditPeriod("2026-02-30", "2026-03-01", "2026-11-27").problems).toEqual([
      { field: "from", code: "invalid" },
    ]);
    expect(parseAuditPeriod("2026-09-30", "2026-09-01", "2026-11-27").problems).toEqual([
      { field: "from", code: "order" },
    ]);
    expect(parseAuditPeriod("2023-01-01", "2026-01-01", "2026-11-27").problems).toEqual([
      { field: "to", code: "too_long" },
    ]);
    expect(parseAuditPeriod("2026-12-01", "2026-12-31", "2026-11-27").problems).toEqual([
      { field: "from", code: "future" },
    ]);
    const bad = parseAuditPeriod("x", "", "2026-11-27");
    expect(bad.period).toEqual({ from: "2026-10-01", to: "2026-10-31" });
    expect(bad.problems.map((p) => p.field)).toEqual(["from", "to"]);
  });

  it("counts open days without the weekly off, and opening minutes", () => {
    // 2026-10-01 is a Thursday; October 2026 has 4 Sundays.
    expect(isoWeekday(epochDay("2026-10-01") as number)).toBe(4);
    expect(openDays({ from: "2026-10-01", to: "2026-10-31" }, 7)).toBe(27);
    expect(openDays({ from: "2026-10-01", to: "2026-10-31" }, null)).toBe(31);
    expect(openMinutes("09:00", "17:00")).toBe(480);
    expect(openMinutes("17:00", "09:00")).toBe(0);
  });
});

describe("scope", () => {
  it("parses state, district and centre scopes and round-trips them", () => {
    expect(parseScope("state")).toEqual({ level: "state" });
    expect(parseScope("district:36")).toEqual({ level: "district", districtCode: 36 });
    expect(parseScope("kendra:SK-36-001")).toEqual({ level: "kendra", kendraCode: "SK-36-001" });
    for (const s of ["state", "district:41", "kendra:SK-41-003"])
      expect(scopeParam(parseScope(s) as never)).toBe(s);
  });

  it("refuses anything else", () => {
    for (const s of [
      undefined,
      "",
      "district:",
      "district:abc",
      "kendra:",
      "kendra:a b",
      "kendra:x';--",
      36,
    ])
      expect(parseScope(s)).toBeUndefined();
  });
});

describe("outlier rules", () => {
  it("median and percent", () => {
    expect(median([])).toBeNull();
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(percent(1, 3)).toBe(33.3);
    expect(percent(1, 0)).toBeNull();
  });

  it("flags low footfall below a quarter of the peers' median only", () => {
    expect(outlierFlags({ ...centre, footfallPerCounterDay: 2.49 }, 10, state)).toEqual([
      "lowFootfall",
    ]);
    expect(outlierFlags({ ...centre, footfallPerCounterDay: 2.5 }, 10, state)).toEqual([]);
    expect(outlierFlags({ ...centre, footfallPerCounterDay: null }, 10, state)).toEqual([]);
    expect(outlierFlags({ ...centre, footfallPerCounterDay: 0 }, null, state)).toEqual([]);
  });

  it("flags a rejection rate above twice the state's with at least 20 decisions", () => {
    expect(outlierFlags({ ...centre, disposed: 20, rejected: 5 }, 10, state)).toEqual([
      "unusualRejection",
    ]);
    expect(outlierFlags({ ...centre, disposed: 20, rejected: 4 }, 10, state)).toEqual([]);
    expect(outlierFlags({ ...centre, disposed: 19, rejected: 19 }, 10, state)).toEqual([]);
    expect(
      outlierFlags({ ...centre, disposed: 20, rejected: 1 }, 10, { ...state, rejectionRate: 0 }),
    ).toEqual(["unusualRejection"]);
  });

  it("flags a send-back rate above twice the state's with at least 20 applications", () => {
    expect(outlierFlags({ ...centre, filed: 30, sentBack: 7 }, 10, state)).toEqual([
      "unusualSendBack",
    ]);
    expect(outlierFlags({ ...centre, filed: 30, sentBack: 6 }, 10, state)).toEqual([]);
  });

  it("flags 3 or more cash mismatches", () => {
    expect(outlierFlags({ ...centre, mismatches: 2 }, 10, state)).toEqual([]);
    expect(outlierFlags({ ...centre, mismatches: 3 }, 10, state)).toEqual(["repeatedMismatch"]);
  });
});
