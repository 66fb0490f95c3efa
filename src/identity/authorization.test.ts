import { describe, expect, it } from "vitest";
import { activeOn, can, covers, type PostingScope } from "./authorization.ts";

const posting = (over: Partial<PostingScope>): PostingScope => ({
  role: "designated_officer",
  level: "district",
  districtCode: 36,
  tehsilCode: null,
  departmentId: null,
  validFrom: "2026-01-01",
  validTo: null,
  ...over,
});
const record = { districtCode: 36, tehsilCode: 266, departmentId: 3 };

describe("authorization rules", () => {
  it("a posting covers its state, district or tehsil, and its department", () => {
    expect(covers(posting({ level: "state", districtCode: null }), record)).toBe(true);
    expect(covers(posting({}), record)).toBe(true);
    expect(covers(posting({ districtCode: 41 }), record)).toBe(false);
    expect(covers(posting({ level: "tehsil", tehsilCode: 266 }), record)).toBe(true);
    expect(covers(posting({ level: "tehsil", tehsilCode: 267 }), record)).toBe(false);
    expect(covers(posting({ departmentId: 3 }), record)).toBe(true);
    expect(covers(posting({ departmentId: 4 }), record)).toBe(false);
  });

  it("postings count only between their first and last day, inclusive", () => {
    const p = posting({ validFrom: "2026-01-01", validTo: "2026-01-31" });
    expect(activeOn([p], "2025-12-31")).toEqual([]);
    expect(activeOn([p], "2026-01-01")).toEqual([p]);
    expect(activeOn([p], "2026-01-31")).toEqual([p]);
    expect(activeOn([p], "2026-02-01")).toEqual([]);
  });

  it("denies by default: a role grants only its permissions, only in its scope", () => {
    const clerk = { officialId: 1, postings: [posting({ role: "dealing_clerk" })] };
    expect(can(clerk, "application.view", record)).toBe(true);
    expect(can(clerk, "application.decide", record)).toBe(false);
    const officer = { officialId: 2, postings: [posting({})] };
    expect(can(officer, "application.decide", record)).toBe(true);
    expect(can(officer, "application.decide", { ...record, districtCode: 41 })).toBe(false);
    expect(can(officer, "admin.view")).toBe(false);
    expect(
      can({ officialId: 3, postings: [posting({ role: "no_such_role" })] }, "application.view"),
    ).toBe(false);
    expect(can({ officialId: 4, postings: [] }, "application.view")).toBe(false);
  });
});
