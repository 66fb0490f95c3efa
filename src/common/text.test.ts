import fc from "fast-check";
import { Temporal } from "temporal-polyfill";
import { describe, expect, it } from "vitest";
import {
  codePointLength,
  daysInMonth,
  nfc,
  nfcMultiline,
  normaliseMobile,
  normalisePincode,
  parseDateParts,
  parseDmy,
  parseIsoDate,
  toAsciiDigits,
} from "./text.ts";

describe("toAsciiDigits", () => {
  it("C-14: converts Gurmukhi and Devanagari digits", () => {
    expect(toAsciiDigits("੦੧੨੩੪੫੬੭੮੯")).toBe("0123456789");
    expect(toAsciiDigits("०१२३४५६७८९")).toBe("0123456789");
  });

  it("converts other Unicode decimal digits and leaves the rest alone", () => {
    expect(toAsciiDigits("٠١٢٣٤٥٦٧٨٩")).toBe("0123456789"); // Arabic-Indic
    expect(toAsciiDigits("０１２３４５６７８９")).toBe("0123456789"); // full width
    expect(toAsciiDigits("০১২৩৪৫৬৭৮৯")).toBe("0123456789"); // Bengali
    expect(toAsciiDigits("𝟎𝟏𝟐𝟗𝟬𝟵")).toBe("012909"); // mathematical bold and monospace runs
    expect(toAsciiDigits("ਪਿੰਡ ੧੨ ward-7 ²½")).toBe("ਪਿੰਡ 12 ward-7 ²½");
  });

  it("property: every digit of every decimal script maps to its value", () => {
    const zeros = [0x30, 0x660, 0x966, 0x9e6, 0xa66, 0xae6, 0xb66, 0xbe6, 0xc66, 0xff10, 0x1d7ce];
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom(...zeros), fc.integer({ min: 0, max: 9 })), {
          minLength: 1,
        }),
        (pairs) => {
          const typed = pairs.map(([z, v]) => String.fromCodePoint(z + v)).join("");
          expect(toAsciiDigits(typed)).toBe(pairs.map(([, v]) => String(v)).join(""));
        },
      ),
    );
  });
});

describe("nfc", () => {
  it("normalises to NFC, trims and collapses whitespace, never case-folds", () => {
    // "ਸ਼" typed as ਸ + nukta stays composed per NFC rules; Latin é composed.
    expect(nfc("  Jose\u0301   Kumar \t\n Singh ")).toBe("José Kumar Singh");
    expect(nfc("GURPREET kaur")).toBe("GURPREET kaur");
    expect(nfc("ਗੁਰਪ੍ਰੀਤ\u00a0\u00a0ਕੌਰ")).toBe("ਗੁਰਪ੍ਰੀਤ ਕੌਰ");
    expect(nfc("a\u0000b\u007fc")).toBe("abc");
  });

  it("keeps ZWJ and ZWNJ, which change how Indic text renders", () => {
    expect(nfc("क्\u200dष")).toBe("क्\u200dष");
    expect(nfc("क्\u200cष")).toBe("क्\u200cष");
  });

  it("is idempotent (property)", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme" }), (s) => {
        expect(nfc(nfc(s))).toBe(nfc(s));
      }),
    );
  });

  it("nfcMultiline keeps paragraphs", () => {
    expect(nfcMultiline("  First  line\r\nsecond\r\n\r\n\r\n\r\nthird  \n\n")).toBe(
      "First line\nsecond\n\nthird",
    );
  });

  it("codePointLength counts code points, not UTF-16 units", () => {
    expect(codePointLength("𝟎a")).toBe(2);
    expect(codePointLength("ਕੌਰ")).toBe(3);
  });
});

describe("normaliseMobile", () => {
  it("C-14: Gurmukhi and Devanagari digits give 9876543210", () => {
    expect(normaliseMobile("੯੮੭੬੫੪੩੨੧੦")).toEqual({ ok: true, value: "9876543210" });
    expect(normaliseMobile("९८७६५४३२१०")).toEqual({ ok: true, value: "9876543210" });
  });

  it.each([
    "9876543210",
    "98765 43210",
    "98765-43210",
    " +91 98765 43210 ",
    "+91-9876543210",
    "919876543210",
    "09876543210",
    "+੯੧ ੯੮੭੬੫ ੪੩੨੧੦",
  ])("accepts %s", (typed) => {
    expect(normaliseMobile(typed)).toEqual({ ok: true, value: "9876543210" });
  });

  it("keeps a 10-digit number that starts with 91", () => {
    expect(normaliseMobile("9198765432")).toEqual({ ok: true, value: "9198765432" });
  });

  it.each([
    ["", "mobile.required"],
    ["   ", "mobile.required"],
    ["98765abcde", "mobile.invalid_format"],
    ["+44 7911 123456", "mobile.invalid_format"],
    ["98765.43210", "mobile.invalid_format"],
    ["987654321", "mobile.wrong_length"],
    ["98765432101", "mobile.wrong_length"],
    ["+91 98765", "mobile.wrong_length"],
    ["5876543210", "mobile.invalid_start"],
    ["0123456789", "mobile.invalid_start"],
  ])("rejects %j with %s", (typed, code) => {
    expect(normaliseMobile(typed)).toEqual({ ok: false, code });
  });
});

describe("normalisePincode", () => {
  it.each(["160017", " 160 017 ", "੧੬੦੦੧੭", "१६००१७"])("accepts %j", (typed) => {
    expect(normalisePincode(typed)).toEqual({ ok: true, value: "160017" });
  });

  it.each([
    ["", "pincode.required"],
    ["16001A", "pincode.invalid_format"],
    ["16001", "pincode.wrong_length"],
    ["1600177", "pincode.wrong_length"],
    ["060017", "pincode.invalid_start"],
  ])("rejects %j with %s", (typed, code) => {
    expect(normalisePincode(typed)).toEqual({ ok: false, code });
  });
});

describe("parseDateParts and parseDmy", () => {
  it("C-08: 30/02/2026 is rejected, naming the day (February 2026 has 28 days)", () => {
    const expected = {
      ok: false,
      code: "date.day_not_in_month",
      part: "day",
      params: { maxDay: 28, month: "02", year: "2026" },
    };
    expect(parseDmy("30/02/2026")).toEqual(expected);
    expect(parseDateParts({ day: "30", month: "2", year: "2026" })).toEqual(expected);
  });

  it("C-08: 29/02/2026 is rejected, naming the day (2026 is not a leap year)", () => {
    expect(parseDmy("29/02/2026")).toEqual({
      ok: false,
      code: "date.day_not_in_month",
      part: "day",
      params: { maxDay: 28, month: "02", year: "2026" },
    });
  });

  it("C-08: 00/00/0000 is rejected as a date not entered, on the whole date", () => {
    expect(parseDmy("00/00/0000")).toEqual({ ok: false, code: "date.required", part: "all" });
    expect(parseDateParts({ day: "00", month: "00", year: "0000" })).toEqual({
      ok: false,
      code: "date.required",
      part: "all",
    });
  });

  it("C-08: 32/03/2026 is rejected, naming the day", () => {
    expect(parseDmy("32/03/2026")).toEqual({
      ok: false,
      code: "date.day_invalid",
      part: "day",
      params: { maxDay: 31 },
    });
  });

  it("C-08: 29/02/2028 is accepted (leap year)", () => {
    expect(parseDmy("29/02/2028")).toEqual({ ok: true, date: "2028-02-29" });
    expect(parseDateParts({ day: "29", month: "02", year: "2028" })).toEqual({
      ok: true,
      date: "2028-02-29",
    });
  });

  it("C-07: a date of birth typed as 1 April 2026 stays the plain date 2026-04-01", () => {
    expect(parseDateParts({ day: "1", month: "4", year: "2026" })).toEqual({
      ok: true,
      date: "2026-04-01",
    });
    expect(parseIsoDate("2026-04-01")).toEqual({ ok: true, date: "2026-04-01" });
  });

  it("C-14: accepts Gurmukhi and Devanagari digits in the boxes", () => {
    expect(parseDateParts({ day: "੨੯", month: "੦੨", year: "੨੦੨੮" })).toEqual({
      ok: true,
      date: "2028-02-29",
    });
    expect(parseDmy("०१/०४/२०२६")).toEqual({ ok: true, date: "2026-04-01" });
  });

  it.each([
    [{ day: "", month: "", year: "" }, "date.required", "all"],
    [{}, "date.required", "all"],
    [{ day: "", month: "4", year: "2026" }, "date.day_missing", "day"],
    [{ day: "1", month: " ", year: "2026" }, "date.month_missing", "month"],
    [{ day: "1", month: "4", year: "" }, "date.year_missing", "year"],
    [{ day: "1", month: "", year: "" }, "date.incomplete", "all"],
    [{ day: "0", month: "4", year: "2026" }, "date.day_invalid", "day"],
    [{ day: "x", month: "4", year: "2026" }, "date.day_invalid", "day"],
    [{ day: "1", month: "13", year: "2026" }, "date.month_invalid", "month"],
    [{ day: "1", month: "00", year: "2026" }, "date.month_invalid", "month"],
    [{ day: "1", month: "4", year: "26" }, "date.year_invalid", "year"],
    [{ day: "1", month: "4", year: "20266" }, "date.year_invalid", "year"],
    [{ day: "1", month: "4", year: "0000" }, "date.year_invalid", "year"],
    [{ day: "31", month: "4", year: "2026" }, "date.day_not_in_month", "day"],
    [{ day: "32", month: "13", year: "2026" }, "date.not_real", "all"],
    [{ day: "00", month: "00", year: "2026" }, "date.not_real", "all"],
  ])("parts %j → %s on %s", (parts, code, part) => {
    const result = parseDateParts(parts);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.code).toBe(code);
      expect(result.part).toBe(part);
    }
  });

  it("parseDmy accepts other separators and rejects other shapes", () => {
    expect(parseDmy("1-4-2026")).toEqual({ ok: true, date: "2026-04-01" });
    expect(parseDmy("01.04.2026")).toEqual({ ok: true, date: "2026-04-01" });
    expect(parseDmy("01 04 2026")).toEqual({ ok: true, date: "2026-04-01" });
    expect(parseDmy("")).toEqual({ ok: false, code: "date.required", part: "all" });
    expect(parseDmy("01042026")).toEqual({ ok: false, code: "date.format", part: "all" });
    expect(parseDmy("01/04")).toEqual({ ok: false, code: "date.format", part: "all" });
  });

  it("parseIsoDate is strict about the shape", () => {
    expect(parseIsoDate("2026-4-1")).toEqual({ ok: false, code: "date.format", part: "all" });
    expect(parseIsoDate("2026-04-01T00:00:00Z")).toEqual({
      ok: false,
      code: "date.format",
      part: "all",
    });
    expect(parseIsoDate("2026-02-29")).toMatchObject({ ok: false, code: "date.day_not_in_month" });
    expect(parseIsoDate("२०२६-०४-०१")).toEqual({ ok: true, date: "2026-04-01" });
  });

  it("property: agrees with Temporal.PlainDate on every day, month and year", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1000, max: 9999 }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 31 }),
        (year, month, day) => {
          let expected: string | undefined;
          try {
            expected = Temporal.PlainDate.from({ year, month, day }, { overflow: "reject" })
              .toString()
              .slice(-10);
          } catch {
            expected = undefined;
          }
          const result = parseDateParts({
            day: String(day),
            month: String(month),
            year: String(year),
          });
          expect(result.ok ? result.date : undefined).toBe(expected);
          expect(daysInMonth(year, month)).toBe(
            Temporal.PlainYearMonth.from({ year, month }).daysInMonth,
          );
        },
      ),
    );
  });
});
