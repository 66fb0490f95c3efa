import { describe, expect, it } from "vitest";
import { instantOf, isoOf } from "./time.ts";

describe("instants from the database", () => {
  it("reads PostgreSQL's text form with microseconds and a short offset", () => {
    expect(instantOf("2026-04-06 04:30:00.123456+00").toString()).toBe(
      "2026-04-06T04:30:00.123456Z",
    );
    expect(isoOf("2026-04-06 10:00:00+05:30")).toBe("2026-04-06T04:30:00.000Z");
    expect(isoOf("2026-04-06T04:30:00Z")).toBe("2026-04-06T04:30:00.000Z");
  });
  it("refuses a timestamp without an offset", () => {
    expect(() => instantOf("2026-04-06 04:30:00")).toThrow(RangeError);
  });
});
