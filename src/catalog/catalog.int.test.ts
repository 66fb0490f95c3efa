import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../db/client.ts";
import { testDatabases } from "../db/testing.ts";
import { countGeography, importGeography, tehsilsByDistrict } from "../geography/service.ts";
import { DATA_DIR } from "../setup.ts";
import { holidayListStatus, importHolidays, loadCalendar } from "../sla/service.ts";
import {
  importCatalogTranslations,
  importServices,
  listDepartments,
  searchServices,
} from "./service.ts";

const schedule = fs.readFileSync(path.join(DATA_DIR, "punjab-notified-services.csv"), "utf8");
const header = schedule.split(/\r?\n/)[0];

describe.each(testDatabases())("reference data on $name", (which) => {
  let database: Database;
  beforeAll(async () => {
    database = await which.open();
    await database.db.transaction((tx) => importGeography(tx, DATA_DIR));
  });
  afterAll(async () => database?.close());

  it("imports the LGD geography: 23 districts, 93 tehsils, 169 urban local bodies, idempotently", async () => {
    await database.db.transaction((tx) => importGeography(tx, DATA_DIR));
    expect(await countGeography(database.db)).toEqual({
      districts: 23,
      tehsils: 93,
      urbanLocalBodies: 169,
    });
    const map = await tehsilsByDistrict(database.db);
    expect(map.get(27)?.has(255)).toBe(true); // Ajnala is in Amritsar
    expect(map.get(36)?.has(255)).toBe(false);
  });

  it("imports the notified-services schedule once; a re-import changes nothing", async () => {
    const first = await importServices(database.db, schedule);
    expect(first).toMatchObject({ inserted: 17, updated: 0, unchanged: 0, rejected: 0 });
    const again = await importServices(database.db, schedule);
    expect(again).toMatchObject({ inserted: 0, updated: 0, unchanged: 17, rejected: 0 });
    expect((await listDepartments(database.db)).map((d) => [d.name, d.serviceCount])).toEqual([
      ["Health", 4],
      ["Home Affairs (Police)", 2],
      ["Revenue", 11],
    ]);
    const immediate = await searchServices(database.db, { text: "Acknowledgement of complaint" });
    expect(immediate[0]).toMatchObject({
      timeLimitDays: null,
      feePaise: 0,
      departmentCode: "home-affairs-police",
    });
    const arms = await searchServices(database.db, { text: "retainer" });
    expect(arms[0]).toMatchObject({
      timeLimitDays: 30,
      feePaise: 10000,
      firstAppellateAuthority: "Commissioner of Police",
    });
  });

  it("updates a changed row and reports bad rows by line and column while good rows import", async () => {
    const changed = schedule.replace("Demarcation of land,45,", "Demarcation of land,40,");
    expect(changed).not.toBe(schedule);
    expect(await importServices(database.db, changed)).toMatchObject({
      inserted: 0,
      updated: 1,
      unchanged: 16,
    });
    const bad = [
      header,
      "90,Revenue,Good new service,5,working,Tehsildar,SDM,DC,12.50,https://example.org,Punjab Right to Service Act 2011,Test list,",
      "91,Revenue,Bad limit,five,working,,,,,,Punjab Right to Service Act 2011,Test list,",
      "92,,No department,5,working,,,,,,Punjab Right to Service Act 2011,Test list,",
      "90,Revenue,Duplicate serial,5,working,,,,,,Punjab Right to Service Act 2011,Test list,",
    ].join("\n");
    const summary = await importServices(database.db, bad);
    expect(summary).toMatchObject({ inserted: 1, rejected: 3 });
    expect(summary.errors.map((e) => [e.line, e.column])).toEqual([
      [3, "time_limit_days"],
      [4, "department"],
      [5, "serial"],
    ]);
    const good = await searchServices(database.db, { text: "Good new service" });
    expect(good[0]).toMatchObject({ feePaise: 1250, timeLimitDays: 5 });
  });

  it("imports Punjabi and Hindi names, and finds services by them", async () => {
    const { matched, unmatched } = await importCatalogTranslations(
      database.db,
      path.join(DATA_DIR, "catalog-translations.csv"),
    );
    expect(matched).toBeGreaterThanOrEqual(19);
    // 5 departments exist only once a service definition names them (seed publishes them after this import).
    expect(unmatched).toBeLessThanOrEqual(6);
    const found = await searchServices(database.db, { text: "ਨਿਸ਼ਾਨਦੇਹੀ" });
    expect(found.map((s) => s.name)).toContain("Demarcation of land");
    expect(found[0]).toMatchObject({
      namePa: "ਜ਼ਮੀਨ ਦੀ ਨਿਸ਼ਾਨਦੇਹੀ",
      nameHi: "भूमि की निशानदेही",
      departmentNamePa: "ਮਾਲ",
    });
    expect((await searchServices(database.db, { text: "निशानदेही" })).length).toBeGreaterThan(0);
  });

  it("rejects a schedule without the required columns as a whole", async () => {
    const summary = await importServices(database.db, "name,days\nX,5\n");
    expect(summary.inserted).toBe(0);
    expect(summary.errors[0]).toMatchObject({
      line: 1,
      reason: "required column missing from the header",
    });
  });

  it("loads the 2025 gazetted holidays (restricted ones are working days) and flags missing years", async () => {
    await database.db.transaction((tx) =>
      importHolidays(tx, path.join(DATA_DIR, "punjab-gazetted-holidays.csv")),
    );
    const again = await database.db.transaction((tx) =>
      importHolidays(tx, path.join(DATA_DIR, "punjab-gazetted-holidays.csv")),
    );
    expect(again.inserted).toBe(0);
    const calendar = await loadCalendar(database.db, 36);
    expect(calendar.isWorkingDay("2025-10-20")).toBe(false); // Diwali, gazetted
    expect(calendar.isWorkingDay("2025-10-10")).toBe(true); // Karva Chauth, restricted
    expect(await holidayListStatus(database.db, 2025, 2027)).toEqual([
      { year: 2025, gazetted: 30, status: "loaded" },
      { year: 2026, gazetted: 3, status: "incomplete" },
      { year: 2027, gazetted: 0, status: "missing" },
    ]);
  });
});
