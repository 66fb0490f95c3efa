import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  AADHAAR_KEY_MIN_BYTES,
  aadhaarHash,
  checkAadhaar,
  maskAadhaar,
  protectAadhaar,
  verhoeffCheckDigit,
  verhoeffValid,
} from "./aadhaar.ts";

// Valid test numbers (check digit computed by hand from the Verhoeff tables; not real people).
const VALID = "234567890124";
const VALID_2 = "987654321012";
const KEY = "k".repeat(AADHAAR_KEY_MIN_BYTES);

describe("Verhoeff check digit", () => {
  it("matches the published worked examples", () => {
    // Rosetta Code "Verhoeff algorithm" task: 236 → 3, 12345 → 1, 123456789012 → 0.
    expect(verhoeffCheckDigit("236")).toBe(3);
    expect(verhoeffCheckDigit("12345")).toBe(1);
    expect(verhoeffCheckDigit("123456789012")).toBe(0);
    expect(verhoeffValid("2363")).toBe(true);
    expect(verhoeffValid("2364")).toBe(false);
  });

  it("refuses anything but ASCII digits", () => {
    expect(() => verhoeffCheckDigit("12a")).toThrow(TypeError);
    expect(verhoeffValid("")).toBe(false);
  });

  it("detects every single-digit error and every adjacent transposition (property)", () => {
    const body = fc.string({ unit: fc.constantFrom(..."0123456789"), minLength: 2, maxLength: 15 });
    fc.assert(
      fc.property(body, fc.nat(), fc.integer({ min: 1, max: 9 }), (digits, at, delta) => {
        const full = digits + verhoeffCheckDigit(digits);
        expect(verhoeffValid(full)).toBe(true);
        const i = at % full.length;
        const changed = `${full.slice(0, i)}${(Number(full[i]) + delta) % 10}${full.slice(i + 1)}`;
        expect(verhoeffValid(changed)).toBe(false);
        const j = at % (full.length - 1);
        if (full[j] !== full[j + 1]) {
          const swapped = `${full.slice(0, j)}${full[j + 1]}${full[j]}${full.slice(j + 2)}`;
          expect(verhoeffValid(swapped)).toBe(false);
        }
      }),
    );
  });
});

describe("checkAadhaar", () => {
  it("accepts a valid number typed with spaces, hyphens or Indic digits (C-14)", () => {
    expect(checkAadhaar(VALID)).toEqual({ ok: true });
    expect(checkAadhaar("2345 6789 0124")).toEqual({ ok: true });
    expect(checkAadhaar("2345-6789-0124")).toEqual({ ok: true });
    expect(checkAadhaar("੨੩੪੫ ੬੭੮੯ ੦੧੨੪")).toEqual({ ok: true });
    expect(checkAadhaar("२३४५ ६७८९ ०१२४")).toEqual({ ok: true });
  });

  it("refuses a wrong length, letters, or a first digit 0 or 1 as invalid", () => {
    expect(checkAadhaar("23456789012")).toEqual({ ok: false, code: "invalid" });
    expect(checkAadhaar("2345678901245")).toEqual({ ok: false, code: "invalid" });
    expect(checkAadhaar("2345678901a4")).toEqual({ ok: false, code: "invalid" });
    // 0 and 1 first: valid check digits, still refused.
    const zero = `0${"1234567890"}`;
    const one = `1${"1234567890"}`;
    expect(checkAadhaar(zero + verhoeffCheckDigit(zero))).toEqual({ ok: false, code: "invalid" });
    expect(checkAadhaar(one + verhoeffCheckDigit(one))).toEqual({ ok: false, code: "invalid" });
  });

  it("refuses a wrong check digit as checksum", () => {
    expect(checkAadhaar("234567890125")).toEqual({ ok: false, code: "checksum" });
  });
});

describe("masking and hashing", () => {
  it("masks as XXXX XXXX 1234", () => {
    expect(maskAadhaar(VALID)).toBe("XXXX XXXX 0124");
    expect(maskAadhaar("੯੮੭੬ ੫੪੩੨ ੧੦੧੨")).toBe("XXXX XXXX 1012");
  });

  it("hashes the same number the same way whatever the typing, and differently per key", () => {
    const h = aadhaarHash(VALID, KEY);
    expect(h).toMatch(/^[0-9a-f]{64}$/);
    expect(aadhaarHash("2345 6789 0124", KEY)).toBe(h);
    expect(aadhaarHash("२३४५६७८९०१२४", Buffer.from(KEY))).toBe(h);
    expect(aadhaarHash(VALID_2, KEY)).not.toBe(h);
    expect(aadhaarHash(VALID, "x".repeat(AADHAAR_KEY_MIN_BYTES))).not.toBe(h);
    expect(h).not.toContain(VALID);
  });

  it("refuses a short key", () => {
    expect(() => aadhaarHash(VALID, "short")).toThrow(/at least 32 bytes/);
  });

  it("never puts the number in an error message", () => {
    const bad = "234567890125";
    for (const fn of [() => maskAadhaar(bad), () => aadhaarHash(bad, KEY)]) {
      try {
        fn();
        expect.unreachable();
      } catch (e) {
        expect((e as Error).message).not.toContain(bad);
        expect((e as Error).message).not.toContain("0125");
      }
    }
  });

  it("protectAadhaar returns only the masked form and the optional hash", () => {
    expect(protectAadhaar(VALID)).toEqual({ masked: "XXXX XXXX 0124" });
    const p = protectAadhaar(VALID, KEY);
    expect(Object.keys(p).sort()).toEqual(["hash", "masked"]);
    expect(JSON.stringify(p)).not.toContain("23456789");
  });
});
