import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { DATA_DIR } from "../../setup.ts";
import { KENDRA_CSV_COLUMNS, parseKendrasCsv } from "./service.ts";

const geography = new Map<number, Set<number>>([
  [36, new Set([224, 225, 228])],
  [41, new Set([253])],
]);
const header = KENDRA_CSV_COLUMNS.join(",");
const good =
  'SK-36-001,"Sewa Kendra, DAC, Ludhiana","ਸੇਵਾ ਕੇਂਦਰ, ਲੁਧਿਆਣਾ","सेवा केंद्र, लुधियाना",36,228,I,12,09:00,17:00,7,,,"DAC, Ludhiana",1,illustrative';

describe("parseKendrasCsv", () => {
  it("reads a valid row, with blank coordinates left null and defaults for blank hours", () => {
    const { rows, errors } = parseKendrasCsv(
      `${header}\n${good}\nsk-41-001,Patiala,ਪਟਿਆਲਾ,पटियाला,੪੧,,ii,4,,,,30.34,76.38,,,state`,
      geography,
    );
    expect(errors).toEqual([]);
    expect(rows[0]).toMatchObject({
      code: "SK-36-001",
      latitude: null,
      longitude: null,
      weeklyOff: 7,
    });
    expect(rows[1]).toMatchObject({
      code: "SK-41-001",
      districtCode: 41,
      type: "II",
      opensAt: "09:00",
      closesAt: "17:00",
      weeklyOff: null,
      latitude: "30.34",
      active: 1,
    });
  });

  it("reports each problem with its line and column", () => {
    const bad = [
      good,
      good, // duplicate code, line 3
      'SK-36-009,X,Latin only,सेवा,36,253,IV,0,18:00,09:00,8,31.5,,"",maybe,',
      "SK-99-001,Y,ਯ,य,99,,I,2,09:00,17:00,,,,,1,illustrative",
    ].join("\n");
    const { rows, errors } = parseKendrasCsv(`${header}\n${bad}`, geography);
    expect(rows).toHaveLength(1);
    const at = (line: number) =>
      errors.filter((e) => e.line === line).map((e) => `${e.column}:${e.code}`);
    expect(at(3)).toEqual(["code:duplicate"]);
    expect(at(4)).toEqual([
      "name_pa:wrong_script",
      "tehsil_code:not_in_district",
      "type:invalid",
      "counters:invalid",
      "closes_at:before_opening",
      "weekly_off:invalid",
      "longitude:invalid",
      "active:invalid",
      "source:required",
    ]);
    expect(at(5)).toEqual(["district_code:unknown"]);
  });

  it("refuses a file with a missing or unknown column", () => {
    const { errors } = parseKendrasCsv("code,name_en,colour\nA1,B,red", geography);
    expect(errors.map((e) => `${e.line}:${e.column}:${e.code}`)).toContain(
      "1:name_pa:column.missing",
    );
    expect(errors.map((e) => `${e.line}:${e.column}:${e.code}`)).toContain(
      "1:colour:column.unknown",
    );
  });

  it("the shipped sample is valid: 23 districts with one Type I centre each, all illustrative, no invented coordinates", () => {
    const text = fs.readFileSync(path.join(DATA_DIR, "kendras-sample.csv"), "utf8");
    const lgd = fs.readFileSync(path.join(DATA_DIR, "lgd-punjab-subdistricts.csv"), "utf8");
    const geo = new Map<number, Set<number>>();
    for (const line of lgd.split("\n").slice(1).filter(Boolean)) {
      const [, d, , t] = line.split(",");
      if (!geo.has(Number(d))) geo.set(Number(d), new Set());
      geo.get(Number(d))?.add(Number(t));
    }
    const { rows, errors } = parseKendrasCsv(text, geo);
    expect(errors).toEqual([]);
    const typeI = rows.filter((r) => r.type === "I");
    expect(new Set(typeI.map((r) => r.districtCode)).size).toBe(23);
    expect(typeI).toHaveLength(23);
    expect(rows.every((r) => r.source === "illustrative" && r.latitude === null)).toBe(true);
    expect(rows.filter((r) => r.districtCode === 36 && r.type !== "I").length).toBeGreaterThan(0);
    expect(rows.filter((r) => r.districtCode === 41 && r.type !== "I").length).toBeGreaterThan(0);
  });
});
