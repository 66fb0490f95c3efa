import { Temporal } from "temporal-polyfill";
import { describe, expect, it } from "vitest";
import {
  addHours,
  addMinutes,
  fixedClock,
  istDateOf,
  parseInstant,
  startOfIstDay,
  systemClock,
  toIst,
} from "./clock.ts";

describe("clock", () => {
  it("C-06: a reminder 2 hours after 2026-04-06 10:00 IST fires at 12:00 IST = 06:30Z", () => {
    const created = parseInstant("2026-04-06T10:00+05:30");
    const fires = addHours(created, 2);
    expect(fires.toString()).toBe("2026-04-06T06:30:00Z");
    expect(toIst(fires).toPlainTime().toString()).toBe("12:00:00");
    expect(istDateOf(fires)).toBe("2026-04-06");
  });

  it("adds fractional and negative hours on the timeline", () => {
    const at = parseInstant("2026-04-06T10:00+05:30");
    expect(addHours(at, 1.5).toString()).toBe("2026-04-06T06:00:00Z");
    expect(addHours(at, -0.5).toString()).toBe("2026-04-06T04:00:00Z");
    expect(addHours(at, 24 * 400).toString()).toBe("2027-05-11T04:30:00Z");
    expect(addMinutes(at, 90).toString()).toBe("2026-04-06T06:00:00Z");
    expect(() => addHours(at, Number.NaN)).toThrow(RangeError);
  });

  it("C-03: the IST date is the date of receipt, not the UTC date", () => {
    const received = parseInstant("2026-03-27T00:30+05:30");
    expect(received.toString()).toBe("2026-03-26T19:00:00Z");
    expect(istDateOf(received)).toBe("2026-03-27");
  });

  it("finds the start of an IST day", () => {
    expect(startOfIstDay("2026-04-07").toString()).toBe("2026-04-06T18:30:00Z");
    expect(istDateOf(startOfIstDay("2026-04-07"))).toBe("2026-04-07");
    expect(istDateOf(startOfIstDay("2026-04-07").subtract({ nanoseconds: 1 }))).toBe("2026-04-06");
  });

  it("fixedClock always answers the same instant; parseInstant needs an offset", () => {
    const clock = fixedClock("2026-04-06T10:00+05:30");
    expect(clock.now().toString()).toBe("2026-04-06T04:30:00Z");
    expect(clock.now().equals(clock.now())).toBe(true);
    const instant = Temporal.Instant.from("2026-01-01T00:00Z");
    expect(fixedClock(instant).now()).toBe(instant);
    expect(() => parseInstant("2026-04-06T10:00")).toThrow(RangeError);
    expect(() => fixedClock("yesterday")).toThrow(RangeError);
  });

  it("systemClock returns an instant", () => {
    expect(systemClock.now()).toBeInstanceOf(Temporal.Instant);
  });
});
