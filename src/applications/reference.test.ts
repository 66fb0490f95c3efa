import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  formatReference,
  parseReference,
  REFERENCE_ALPHABET,
  REFERENCE_CAPACITY,
} from "./reference.ts";

describe("reference numbers", () => {
  it("have the district code, 11 symbols, and none of 0, O, 1, I, U", () => {
    const ref = formatReference("LDH", 1);
    expect(ref).toMatch(/^LDH-[2-9A-HJ-NP-TV-Z]{4}-[2-9A-HJ-NP-TV-Z]{4}$/);
    expect(REFERENCE_ALPHABET).not.toMatch(/[01OIU]/);
    expect(REFERENCE_ALPHABET).toHaveLength(31);
  });

  it("are distinct for distinct sequence numbers and parse back", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: REFERENCE_CAPACITY - 1 }),
        fc.integer({ min: 1, max: REFERENCE_CAPACITY - 1 }),
        (a, b) => {
          fc.pre(a !== b);
          const ra = formatReference("PTA", a);
          expect(ra).not.toBe(formatReference("PTA", b));
          expect(parseReference(ra)).toBe(ra);
        },
      ),
    );
  });

  it("consecutive numbers do not look consecutive", () => {
    expect(formatReference("AMR", 1).slice(4, 8)).not.toBe(formatReference("AMR", 2).slice(4, 8));
  });

  it("look-ups accept lower case, spaces and any-script digits (C-14)", () => {
    const ref = formatReference("LDH", 12345);
    const typed = ref.toLowerCase().replace(/-/g, " ");
    expect(parseReference(typed)).toBe(ref);
    const withGurmukhiDigits = ref.replace(/[2-9]/g, (d) =>
      String.fromCharCode(0x0a66 + Number(d)),
    );
    expect(parseReference(withGurmukhiDigits)).toBe(ref);
  });

  it("catch a single mistyped character and a swap of neighbours", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: REFERENCE_CAPACITY - 1 }), (n) => {
        expectAllTyposCaught(formatReference("LDH", n).replace(/-/g, ""));
      }),
      { numRuns: 50 },
    );
  });

  it("refuse out-of-range input", () => {
    expect(() => formatReference("LDH", 0)).toThrow(RangeError);
    expect(() => formatReference("LDI", 5)).toThrow(RangeError);
    expect(parseReference("LDH-0000-0000")).toBeUndefined();
    expect(parseReference("")).toBeUndefined();
  });
});

function expectAllTyposCaught(ref: string): void {
  for (let i = 3; i < ref.length; i++) {
    for (const c of REFERENCE_ALPHABET) {
      if (c === ref[i]) continue;
      expect(parseReference(ref.slice(0, i) + c + ref.slice(i + 1))).toBeUndefined();
    }
  }
  for (let i = 3; i < ref.length - 1; i++) {
    if (ref[i] === ref[i + 1]) continue;
    const swapped = ref.slice(0, i) + ref[i + 1] + ref[i] + ref.slice(i + 2);
    expect(parseReference(swapped)).toBeUndefined();
  }
}
