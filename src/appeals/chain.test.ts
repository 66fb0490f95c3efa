import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { appealFiguresFrom } from "../config.ts";
import {
  CHAIN_2011,
  CHAIN_2018,
  configuredChain,
  daysOfDelay,
  decisionDue,
  nextAppeal,
  penaltyPaise,
} from "./chain.ts";

const facts = (over: Partial<Parameters<typeof nextAppeal>[1]>) => ({
  status: "submitted",
  dueDate: "2025-10-30",
  decidedOn: null,
  appeals: [],
  ...over,
});

describe("appeal chain rules", () => {
  it("a first appeal against delay opens the day after the due date and closes 30 days after it (last day included)", () => {
    expect(nextAppeal(CHAIN_2018, facts({}), "2025-10-30")).toEqual({
      eligible: false,
      reason: "not_yet",
    });
    expect(nextAppeal(CHAIN_2018, facts({}), "2025-10-31")).toEqual({
      eligible: true,
      level: 1,
      cause: "delay",
      causeDate: "2025-10-30",
      lastDay: "2025-11-29",
    });
    expect(nextAppeal(CHAIN_2018, facts({}), "2025-11-29")).toMatchObject({ eligible: true });
    expect(nextAppeal(CHAIN_2018, facts({}), "2025-11-30")).toEqual({
      eligible: false,
      reason: "window_closed",
    });
  });

  it("a first appeal against rejection runs 30 days from the rejection", () => {
    const rejected = facts({ status: "rejected", decidedOn: "2025-10-20" });
    expect(nextAppeal(CHAIN_2011, rejected, "2025-11-19")).toMatchObject({
      eligible: true,
      cause: "rejected",
      lastDay: "2025-11-19",
    });
    expect(nextAppeal(CHAIN_2011, rejected, "2025-11-20")).toMatchObject({
      eligible: false,
      reason: "window_closed",
    });
  });

  it("late delivery may be appealed; delivery on time may not", () => {
    expect(
      nextAppeal(CHAIN_2018, facts({ status: "approved", decidedOn: "2025-11-03" }), "2025-11-05"),
    ).toMatchObject({ eligible: true, cause: "delay" });
    expect(
      nextAppeal(CHAIN_2018, facts({ status: "approved", decidedOn: "2025-10-29" }), "2025-11-05"),
    ).toMatchObject({ eligible: false });
  });

  it("a second appeal follows the first's decision (60 days) or its lapse", () => {
    const decided = facts({
      appeals: [{ level: 1, decidedOn: "2025-12-01", decisionDue: "2025-12-20" }],
    });
    expect(nextAppeal(CHAIN_2018, decided, "2026-01-30")).toMatchObject({
      eligible: true,
      level: 2,
      cause: "level1_decided",
      lastDay: "2026-01-30",
    });
    expect(nextAppeal(CHAIN_2018, decided, "2026-01-31")).toMatchObject({
      eligible: false,
      reason: "window_closed",
    });
    const lapsed = facts({ appeals: [{ level: 1, decidedOn: null, decisionDue: "2025-12-20" }] });
    expect(nextAppeal(CHAIN_2018, lapsed, "2025-12-20")).toMatchObject({
      eligible: false,
      reason: "not_yet",
    });
    expect(nextAppeal(CHAIN_2018, lapsed, "2025-12-21")).toMatchObject({
      eligible: true,
      level: 2,
      cause: "level1_late",
    });
    expect(
      nextAppeal(
        CHAIN_2018,
        facts({
          appeals: [
            { level: 1, decidedOn: "2025-12-01", decisionDue: "x" },
            { level: 2, decidedOn: null, decisionDue: "y" },
          ],
        }),
        "2025-12-02",
      ),
    ).toMatchObject({ reason: "chain_complete" });
  });

  it("authorities decide within 30 and 60 days of filing", () => {
    expect(decisionDue(CHAIN_2018, 1, "2025-11-03")).toBe("2025-12-03");
    expect(decisionDue(CHAIN_2018, 2, "2025-12-10")).toBe("2026-02-08");
  });

  it("the penalty is ₹250 a day of delay, at most ₹5,000", () => {
    expect(daysOfDelay("2025-10-30", "2025-10-30")).toBe(0);
    expect(daysOfDelay("2025-10-30", "2025-11-04")).toBe(5);
    expect(penaltyPaise(CHAIN_2018, 5)).toBe(125_000);
    expect(penaltyPaise(CHAIN_2018, 20)).toBe(500_000);
    expect(penaltyPaise(CHAIN_2018, 21)).toBe(500_000);
    expect(() => penaltyPaise(CHAIN_2018, -1)).toThrow(RangeError);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000 }), (d) => {
        const p = penaltyPaise(CHAIN_2011, d);
        expect(Number.isInteger(p) && p >= 0 && p <= 500_000).toBe(true);
      }),
    );
  });
});

describe("configured appeal figures", () => {
  it("override the profile's penalty and periods, and keep the rest", () => {
    const chain = configuredChain(
      "2011",
      appealFiguresFrom({
        SEWA_PENALTY_PER_DAY_RUPEES: "500",
        SEWA_PENALTY_CAP_RUPEES: "10000",
        SEWA_FIRST_APPEAL_DAYS: "45",
      }),
    );
    expect(penaltyPaise(chain, 3)).toBe(150_000); // 3 days × ₹500
    expect(penaltyPaise(chain, 40)).toBe(1_000_000); // capped at ₹10,000
    expect(chain.levels[0].filingWindowDays).toBe(45);
    expect(chain.levels[0].decisionDays).toBe(30);
    expect(chain.levels[1].filingWindowDays).toBe(60);
    expect(penaltyPaise(configuredChain("2011"), 3)).toBe(75_000); // the default ₹250 a day
  });

  it("refuses a figure that is not a positive whole number", () => {
    expect(() => appealFiguresFrom({ SEWA_PENALTY_PER_DAY_RUPEES: "2.5" })).toThrow(
      /positive whole number/,
    );
    expect(() => appealFiguresFrom({ SEWA_FIRST_APPEAL_DAYS: "0" })).toThrow(
      /positive whole number/,
    );
  });
});
