import { describe, expect, it } from "vitest";
import { smsParts } from "./sms-parts.ts";

describe("smsParts", () => {
  it("counts ASCII as GSM-7: 160 in one part, 161 in two", () => {
    expect(smsParts("a".repeat(160))).toEqual({ encoding: "GSM-7", units: 160, parts: 1 });
    expect(smsParts("a".repeat(161))).toEqual({ encoding: "GSM-7", units: 161, parts: 2 });
    expect(smsParts("a".repeat(306))).toEqual({ encoding: "GSM-7", units: 306, parts: 2 });
    expect(smsParts("a".repeat(307))).toEqual({ encoding: "GSM-7", units: 307, parts: 3 });
  });

  it("counts extension characters as 2 units", () => {
    expect(smsParts("€")).toEqual({ encoding: "GSM-7", units: 2, parts: 1 });
    expect(smsParts(`${"a".repeat(158)}[`)).toEqual({ encoding: "GSM-7", units: 160, parts: 1 });
    expect(smsParts(`${"a".repeat(159)}{`)).toEqual({ encoding: "GSM-7", units: 161, parts: 2 });
  });

  it("does not split an escape pair across parts", () => {
    // 152 letters then "€": 154 units; part 1 holds 152, part 2 the escape pair.
    expect(smsParts(`${"a".repeat(152)}€${"a".repeat(10)}`).parts).toBe(2);
    // 152 + 2 + 152 = 306 units, but the pair starts part 2: 152 | 2+151 | 1.
    expect(smsParts(`${"a".repeat(152)}€${"a".repeat(152)}`)).toEqual({
      encoding: "GSM-7",
      units: 306,
      parts: 3,
    });
  });

  it("uses UCS-2 for Gurmukhi: 70 in one part, 71 in two, 67 per part", () => {
    expect(smsParts("ਸ".repeat(70))).toEqual({ encoding: "UCS-2", units: 70, parts: 1 });
    expect(smsParts("ਸ".repeat(71))).toEqual({ encoding: "UCS-2", units: 71, parts: 2 });
    expect(smsParts("ਸ".repeat(134))).toEqual({ encoding: "UCS-2", units: 134, parts: 2 });
    expect(smsParts("ਸ".repeat(135))).toEqual({ encoding: "UCS-2", units: 135, parts: 3 });
  });

  it("switches the whole message to UCS-2 for one non-GSM character", () => {
    expect(smsParts(`${"a".repeat(69)}₹`)).toEqual({ encoding: "UCS-2", units: 70, parts: 1 });
    expect(smsParts("नमस्ते").encoding).toBe("UCS-2");
  });

  it("counts an empty message as zero parts", () => {
    expect(smsParts("")).toEqual({ encoding: "GSM-7", units: 0, parts: 0 });
  });
});
