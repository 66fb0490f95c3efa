import { describe, expect, it } from "vitest";
import { DEFAULT_MESSAGES, defaultMessage, interpolate, placeholders } from "./messages.ts";

describe("default messages", () => {
  it("have the same keys and placeholders in en, pa and hi, in the right script", () => {
    const keys = Object.keys(DEFAULT_MESSAGES.en).sort();
    for (const lang of ["pa", "hi"] as const) {
      expect(Object.keys(DEFAULT_MESSAGES[lang]).sort()).toEqual(keys);
      const script = lang === "pa" ? /[\u0A00-\u0A7F]/u : /[\u0900-\u097F]/u;
      for (const key of keys) {
        const en = DEFAULT_MESSAGES.en[key as keyof typeof DEFAULT_MESSAGES.en];
        const text = DEFAULT_MESSAGES[lang][key as keyof typeof DEFAULT_MESSAGES.en];
        expect(placeholders(text), `${lang}.${key}`).toEqual(placeholders(en));
        expect(script.test(text), `${lang}.${key}`).toBe(true);
      }
    }
  });

  it("are looked up from the most specific key", () => {
    expect(defaultMessage("en", "required", ["choice"])).toBe("Select an answer for “{{label}}”");
    expect(defaultMessage("en", "required", ["address.line1"])).toMatch(/^Enter address line 1/);
    expect(defaultMessage("en", "too_late", ["today", "date"])).toBe(
      "“{{label}}” must be today or in the past",
    );
    expect(defaultMessage("hi", "invalid", ["mobile"])).toBe(
      "मोबाइल नंबर सही प्रारूप में दर्ज करें, जैसे 98765 43210",
    );
    expect(defaultMessage("pa", "no_such_code", [])).toBe(DEFAULT_MESSAGES.pa.invalid);
  });
});

describe("interpolate", () => {
  it("fills known placeholders and leaves others", () => {
    expect(interpolate("{{label}} up to {{ max }} {{other}}", { label: "Name", max: 5 })).toBe(
      "Name up to 5 {{other}}",
    );
  });
});
