import { describe, expect, it } from "vitest";
import { recomputeReason, recomputeScopeOf } from "./service.ts";

describe("recomputeScopeOf: which due dates a holiday change can move", () => {
  it("a state-wide holiday on a weekday: every district, from its date", () => {
    // Tue 2026-11-24 is a working day on the weekend-only calendar.
    expect(
      recomputeScopeOf("added", {
        name: "Guru Nanak Jayanti",
        date: "2026-11-24",
        districtCode: null,
        kind: "gazetted",
      }),
    ).toEqual({
      districtCode: null,
      from: "2026-11-24",
      reason: "Holiday added: Guru Nanak Jayanti (2026-11-24)",
    });
  });

  it("a local holiday: that district only, and the reason says it is local", () => {
    expect(
      recomputeScopeOf("retired", {
        name: "Flood closure",
        date: "2025-11-10", // a Monday
        districtCode: 36,
        kind: "local",
      }),
    ).toEqual({
      districtCode: 36,
      from: "2025-11-10",
      reason: "Local holiday retired: Flood closure (2025-11-10)",
    });
  });

  it("nothing can move for a weekend date or a restricted holiday", () => {
    // Sat 2025-11-15 and Sun 2025-11-16 were never working days.
    for (const date of ["2025-11-15", "2025-11-16"])
      expect(
        recomputeScopeOf("added", { name: "X", date, districtCode: null, kind: "gazetted" }),
      ).toBeNull();
    // Restricted holidays are optional leave: offices stay open (calendar.ts).
    expect(
      recomputeScopeOf("retired", {
        name: "Karva Chauth",
        date: "2025-10-10",
        districtCode: null,
        kind: "restricted",
      }),
    ).toBeNull();
  });

  it("recomputeReason names the holiday and its date", () => {
    expect(
      recomputeReason("added", { name: "Diwali", date: "2025-10-20", districtCode: null }),
    ).toBe("Holiday added: Diwali (2025-10-20)");
  });
});
