import fs from "node:fs";
import { describe, expect, it } from "vitest";
import { FLAGS } from "./exports.ts";
import { METRICS } from "./metrics.ts";

const catalog = (lang: string) =>
  JSON.parse(fs.readFileSync(new URL(`./locales/${lang}.json`, import.meta.url), "utf8")).kaudit;

describe("the audit's metric definitions", () => {
  it("name and define every metric and outlier rule in English, Punjabi and Hindi", () => {
    expect(new Set(METRICS.map((m) => m.key)).size).toBe(METRICS.length);
    for (const lang of ["en", "pa", "hi"]) {
      const c = catalog(lang);
      for (const m of METRICS) {
        expect(c.metric[m.key], `${lang} metric ${m.key}`).toBeTruthy();
        expect(c.def[m.key], `${lang} def ${m.key}`).toBeTruthy();
        expect(c.unit[m.unit], `${lang} unit ${m.unit}`).toBeTruthy();
      }
      for (const f of FLAGS) expect(c.flag[f] && c.rule[f], `${lang} ${f}`).toBeTruthy();
      expect(Object.keys(c.metric).sort()).toEqual(METRICS.map((m) => m.key).sort());
    }
  });

  it("are written in the page's script (not English copies)", () => {
    const pa = catalog("pa");
    const hi = catalog("hi");
    for (const m of METRICS) {
      expect(pa.def[m.key]).toMatch(/\p{Script=Gurmukhi}/u);
      expect(hi.def[m.key]).toMatch(/\p{Script=Devanagari}/u);
    }
  });
});
