import { describe, expect, it } from "vitest";
import { checkGurmukhiName, suggestGurmukhi, toItrans } from "./gurmukhi-name.ts";

describe("suggestGurmukhi", () => {
  it.each([
    ["Gurpreet Singh", "ਗੁਰਪ੍ਰੀਤ ਸਿੰਘ"],
    ["Harjit Kaur", "ਹਰਜੀਤ ਕੌਰ"],
    ["Amandeep", "ਅਮਨਦੀਪ"],
    ["Simranjeet", "ਸਿਮਰਨਜੀਤ"],
    ["Sukhwinder Singh Gill", "ਸੁਖਵਿੰਦਰ ਸਿੰਘ ਗਿੱਲ"],
    ["Jaswant Sandhu", "ਜਸਵੰਤ ਸੰਧੂ"],
    ["REKHA", "ਰੇਖਾ"],
    ["  navjot   kaur ", "ਨਵਜੋਤ ਕੌਰ"],
  ])("%s → %s", (english, gurmukhi) => {
    expect(suggestGurmukhi(english)).toBe(gurmukhi);
  });

  it("keeps words already in Gurmukhi and drops what has no letters", () => {
    expect(suggestGurmukhi("ਗੁਰਪ੍ਰੀਤ Singh")).toBe("ਗੁਰਪ੍ਰੀਤ ਸਿੰਘ");
    expect(suggestGurmukhi("")).toBe("");
  });

  it("always returns valid Gurmukhi for a Latin name", () => {
    for (const n of ["Balwinder Singh", "Kuldeep Dhillon", "Preeti Rani", "Xavier"])
      expect(checkGurmukhiName(suggestGurmukhi(n))).toMatchObject({ ok: true });
  });

  it("rewrites common spellings into ITRANS", () => {
    expect(toItrans("Gurpreet")).toBe("gurprIt");
    expect(toItrans("Singh")).toBe("si.ngh");
    expect(toItrans("Harjit")).toBe("harjIt");
  });
});

describe("checkGurmukhiName", () => {
  it("accepts Gurmukhi with spaces and dots, NFC, spaces collapsed", () => {
    expect(checkGurmukhiName(" ਹਰਜੀਤ   ਕੌਰ ")).toEqual({ ok: true, value: "ਹਰਜੀਤ ਕੌਰ" });
    expect(checkGurmukhiName("ਜੀ. ਐੱਸ. ਗਿੱਲ")).toMatchObject({ ok: true });
    expect(checkGurmukhiName("")).toEqual({ ok: true, value: undefined });
    expect(checkGurmukhiName(undefined)).toEqual({ ok: true, value: undefined });
  });

  it("gives one form for composed and decomposed nukta letters", () => {
    const composed = checkGurmukhiName("ਸ਼ਾਮ"); // U+0A36
    const decomposed = checkGurmukhiName("\u0A38\u0A3C\u0A3E\u0A2E");
    expect(composed).toEqual(decomposed);
    expect(composed).toMatchObject({ ok: true });
  });

  it("refuses Latin, Devanagari, digits and a name of dots", () => {
    for (const bad of ["Harjit", "हरजीत", "ਹਰਜੀਤ 2", "ਹਰਜੀਤ-ਕੌਰ", ". ."])
      expect(checkGurmukhiName(bad), bad).toEqual({ ok: false, code: "gurmukhi.invalid" });
    expect(checkGurmukhiName("ਕ".repeat(101))).toEqual({
      ok: false,
      code: "too_long",
      params: { max: 100 },
    });
  });
});
