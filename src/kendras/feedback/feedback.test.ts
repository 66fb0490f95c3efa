import { describe, expect, it } from "vitest";
import { smsParts } from "../../notifications/sms-parts.ts";
import { NOTIFY_LANGS, render } from "../../notifications/templates.ts";
import { checkAnswer, newFeedbackToken } from "./service.ts";

const kendra = {
  en: "Sewa Kendra, District Administrative Complex, Ludhiana",
  pa: "ਸੇਵਾ ਕੇਂਦਰ, ਜ਼ਿਲ੍ਹਾ ਪ੍ਰਬੰਧਕੀ ਕੰਪਲੈਕਸ, ਲੁਧਿਆਣਾ",
  hi: "सेवा केंद्र, जिला प्रशासनिक परिसर, लुधियाना",
};
const service = { en: "Income certificate", pa: "ਆਮਦਨ ਸਰਟੀਫਿਕੇਟ", hi: "आय प्रमाणपत्र" };

describe("feedback answers", () => {
  it("accepts 1 to 5 in ASCII, Gurmukhi or Devanagari digits and an NFC comment", () => {
    expect(checkAnswer({ rating: "4", comment: "  ਵਧੀਆ  " })).toEqual({
      rating: 4,
      comment: "ਵਧੀਆ",
    });
    expect(checkAnswer({ rating: "੫", comment: "" })).toEqual({ rating: 5, comment: null });
    expect(checkAnswer({ rating: "१", comment: undefined })).toEqual({ rating: 1, comment: null });
    // NFC: a decomposed letter is stored composed (Gurmukhi nukta letters stay decomposed: composition exclusions).
    expect(checkAnswer({ rating: "3", comment: "Cafe\u0301" }).comment).toBe("Caf\u00e9");
    expect(checkAnswer({ rating: "3", comment: "\u0A36" }).comment).toBe("\u0A38\u0A3C");
  });

  it("refuses a missing or out-of-range rating and a comment over 500 characters, field by field", () => {
    const fields = (a: { rating: unknown; comment: unknown }) => {
      try {
        checkAnswer(a);
        return [];
      } catch (e) {
        return (e as { fields: Array<{ field: string; code: string }> }).fields;
      }
    };
    expect(fields({ rating: "", comment: "" })).toEqual([{ field: "rating", code: "required" }]);
    expect(fields({ rating: "6", comment: "" })).toEqual([{ field: "rating", code: "invalid" }]);
    expect(fields({ rating: "4.5", comment: "" })).toEqual([{ field: "rating", code: "invalid" }]);
    expect(fields({ rating: ["4", "5"], comment: "" })).toEqual([
      { field: "rating", code: "required" },
    ]);
    expect(fields({ rating: "4", comment: "ੳ".repeat(500) })).toEqual([]);
    expect(fields({ rating: "0", comment: "ੳ".repeat(501) })).toEqual([
      { field: "rating", code: "invalid" },
      { field: "comment", code: "too_long", params: { max: 500 } },
    ]);
  });

  it("makes unguessable URL-safe tokens (16 random bytes)", () => {
    const tokens = new Set(Array.from({ length: 200 }, () => newFeedbackToken()));
    expect(tokens.size).toBe(200);
    for (const t of tokens) expect(t).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });
});

describe("handover and feedback SMS", () => {
  it("name the service and the centre in the citizen's language, with an ASCII link, within 3 parts", () => {
    for (const lang of NOTIFY_LANGS) {
      const code = render("handover.code", lang, {
        reference: "LDH-K7M3-PQ7X",
        service,
        code: "123456",
      });
      expect(code?.sms.text).toContain("123456");
      expect(code?.sms.text).toContain(service[lang]);
      const remind = render("handover.reminder", lang, {
        reference: "LDH-K7M3-PQ7X",
        service,
        kendra,
        readyOn: "2026-03-02",
      });
      expect(remind?.sms.text).toContain("02-03-2026");
      expect(remind?.sms.text).toContain(kendra[lang]);
      const ask = render("feedback.requested", lang, {
        kendra,
        feedbackToken: "AbC_-12345678901234567",
      });
      expect(ask?.key).toBe("feedback_request");
      expect(ask?.sms.text).toMatch(/https?:\/\/[\x21-\x7e]+\/f\/AbC_-12345678901234567$/);
      const door = render("feedback.requested", lang, { feedbackToken: "x".repeat(22) });
      expect(door?.key).toBe("feedback_request_doorstep");
      for (const r of [code, remind, ask, door])
        expect(smsParts(r?.sms.text ?? "").parts, `${r?.key} ${lang}`).toBeLessThanOrEqual(3);
    }
  });
});
