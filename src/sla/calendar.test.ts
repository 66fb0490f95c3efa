import fc from "fast-check";
import { Temporal } from "temporal-polyfill";
import { describe, expect, it } from "vitest";
import {
  dateOfEpochDay,
  epochDayOf,
  isoWeekdayOfEpochDay,
  makeCalendar,
  parseCalendarCsv,
  parseIsoDate,
} from "./calendar.ts";
import { readPunjabHolidayCsv } from "./test-data.ts";

const PUNJAB_CSV = readPunjabHolidayCsv();

/** The test calendar of /work/shared/cases/README.md. */
const testCalendar = makeCalendar({ holidays: ["2026-03-31", "2026-04-14"] });

describe("makeCalendar", () => {
  it("treats Saturday, Sunday and holidays as non-working days by default", () => {
    expect(testCalendar.weekendDays).toEqual([6, 7]);
    expect(testCalendar.isWorkingDay("2026-03-30")).toBe(true); // Mon
    expect(testCalendar.isWorkingDay("2026-03-31")).toBe(false); // Tue holiday
    expect(testCalendar.isHoliday("2026-03-31")).toBe(true);
    expect(testCalendar.isWorkingDay("2026-03-28")).toBe(false); // Sat
    expect(testCalendar.isWorkingDay("2026-03-29")).toBe(false); // Sun
    expect(testCalendar.isHoliday("2026-03-28")).toBe(false);
    expect(testCalendar.isWeekend("2026-03-28")).toBe(true);
    expect(testCalendar.isWorkingDay("2026-04-14")).toBe(false);
  });

  it("accepts other weekly off days", () => {
    const sundayOnly = makeCalendar({ holidays: [], weekendDays: [7] });
    expect(sundayOnly.isWorkingDay("2026-03-28")).toBe(true); // Sat
    expect(sundayOnly.isWorkingDay("2026-03-29")).toBe(false); // Sun
    expect(makeCalendar({ holidays: [], weekendDays: [7, 6, 6] }).weekendDays).toEqual([6, 7]);
  });

  it("rejects bad weekend days and bad holiday dates", () => {
    expect(() => makeCalendar({ holidays: [], weekendDays: [0] })).toThrow(RangeError);
    expect(() => makeCalendar({ holidays: [], weekendDays: [1.5] })).toThrow(RangeError);
    expect(() => makeCalendar({ holidays: [], weekendDays: [1, 2, 3, 4, 5, 6, 7] })).toThrow(
      /all seven/,
    );
    expect(() => makeCalendar({ holidays: ["2026-02-30"] })).toThrow(/2026-02-30/);
    expect(() => makeCalendar({ holidays: ["31/03/2026"] })).toThrow(/31\/03\/2026/);
    expect(() => testCalendar.isWorkingDay("20260331")).toThrow(RangeError);
  });

  it("lists the holidays and the years that have (and lack) a holiday list", () => {
    const calendar = makeCalendar({ holidays: ["2026-04-14", "2025-10-20", "2026-04-14"] });
    expect(calendar.holidays()).toEqual(["2025-10-20", "2026-04-14"]);
    expect([...calendar.holidayYears()].sort()).toEqual([2025, 2026]);
    expect(calendar.yearsWithoutHolidays("2024-12-01", "2027-01-10")).toEqual([2024, 2027]);
    expect(calendar.yearsWithoutHolidays("2025-01-01", "2026-12-31")).toEqual([]);
    expect(() => calendar.yearsWithoutHolidays("2026-01-02", "2026-01-01")).toThrow(/backwards/);
    // A copy: changing it does not change the calendar.
    calendar.holidayYears().add(2030);
    expect(calendar.holidayYears().has(2030)).toBe(false);
  });

  it("parseIsoDate accepts only YYYY-MM-DD dates that exist", () => {
    expect(parseIsoDate("2028-02-29").toString()).toBe("2028-02-29");
    for (const bad of ["2026-02-29", "2026-13-01", "2026-1-01", "2026-03-31T00:00", ""]) {
      expect(() => parseIsoDate(bad)).toThrow(RangeError);
    }
  });
});

describe("parseCalendarCsv", () => {
  it("reads the real Punjab list: gazetted rows only, restricted holidays are working days", () => {
    const holidays = parseCalendarCsv(PUNJAB_CSV);
    // 30 gazetted rows for 2025 and 3 for 2026, all on different dates.
    expect(holidays).toHaveLength(33);
    expect(holidays).toContain("2025-10-20"); // Diwali
    expect(holidays).toContain("2025-10-22"); // Vishwakarma Day (also a restricted Govardhan Puja)
    expect(holidays).toContain("2025-06-07"); // Bakrid (also a restricted Nirjala Ekadashi)
    expect(holidays).not.toContain("2025-10-23"); // restricted: Gurgaddi Diwas
    expect(holidays).not.toContain("2025-01-13"); // restricted: Lohri
    expect(holidays[0]).toBe("2025-01-06");
    expect(holidays.at(-1)).toBe("2026-02-15");
  });

  it("reads a date,name CSV without a kind column, with a BOM, quotes and blank lines", () => {
    const text = '\uFEFFdate,name\n2026-03-31,"Holiday, one"\n\n2026-04-14,Two\n2026-03-31,Again\n';
    expect(parseCalendarCsv(text)).toEqual(["2026-03-31", "2026-04-14"]);
  });

  it("names the line of a malformed date", () => {
    const text = "date,name,kind\n2026-03-31,One,gazetted\n2026-02-30,Two,gazetted\n";
    expect(() => parseCalendarCsv(text)).toThrow(/line 3/);
    expect(() => parseCalendarCsv("date,name\n2026-03-31,One\n\n31/03/2026,Two\n")).toThrow(
      /line 4.*31\/03\/2026/,
    );
    expect(() => parseCalendarCsv("date,name\n2026-3-31,One\n")).toThrow(/line 2/);
  });

  it("rejects a missing header, an empty name and an unknown kind", () => {
    expect(() => parseCalendarCsv("")).toThrow(/empty/);
    expect(() => parseCalendarCsv("day,title\n2026-03-31,One\n")).toThrow(/line 1.*"date"/);
    expect(() => parseCalendarCsv("date,name\n2026-03-31,\n")).toThrow(/line 2.*no name/);
    expect(() => parseCalendarCsv("date,name,kind\n2026-03-31,One,optional\n")).toThrow(
      /line 2.*optional/,
    );
    expect(() => parseCalendarCsv("date,name\n2026-03-31,One,extra\n")).toThrow();
  });
});

describe("day numbers", () => {
  it("agree with Temporal for every date from 0000 to 9999", () => {
    const epoch = Temporal.PlainDate.from("1970-01-01");
    fc.assert(
      fc.property(fc.integer({ min: -719528, max: 2932896 }), (n) => {
        const date = epoch.add({ days: n });
        expect(epochDayOf(date)).toBe(n);
        expect(epochDayOf(date.toString())).toBe(n);
        expect(dateOfEpochDay(n)).toBe(date.toString());
        expect(isoWeekdayOfEpochDay(n)).toBe(date.dayOfWeek);
      }),
    );
    expect(dateOfEpochDay(-719528)).toBe("0000-01-01");
    expect(dateOfEpochDay(2932896)).toBe("9999-12-31");
    expect(() => dateOfEpochDay(2932897)).toThrow(RangeError);
    expect(() => dateOfEpochDay(0.5)).toThrow(RangeError);
    expect(epochDayOf("2028-02-29") - epochDayOf("2028-02-28")).toBe(1);
    expect(isoWeekdayOfEpochDay(epochDayOf("2026-03-28"))).toBe(6);
  });
});
