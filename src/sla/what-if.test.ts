import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { makeCalendar } from "./calendar.ts";
import { calendarFromFile, whatIfDueDate, whatIfWorkingDays } from "./what-if.ts";

const cases = makeCalendar({ holidays: ["2026-03-31", "2026-04-14"] });

describe("what-if questions", () => {
  it("C-01 and C-02 through the what-if functions", () => {
    expect(whatIfDueDate(cases, "2026-03-28T10:00+05:30", 3)).toBe("2026-04-02");
    expect(whatIfDueDate(cases, "2026-03-27T23:30+05:30", 7)).toBe("2026-04-08");
    expect(whatIfDueDate(cases, "2026-03-27T23:30+05:30", 7, "calendar")).toBe("2026-04-03");
    expect(whatIfWorkingDays(cases, "2026-04-13", "2026-04-17")).toBe(3);
  });

  it("the sewa CLI answers due-date and working-days from a calendar CSV", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sewa-cal-"));
    const file = path.join(dir, "calendar.csv");
    fs.writeFileSync(file, "date,name\n2026-03-31,Test holiday\n2026-04-14,Test holiday 2\n");
    expect(calendarFromFile(file).isWorkingDay("2026-03-31")).toBe(false);
    const run = (...args: string[]) =>
      spawnSync(process.execPath, ["src/cli.ts", ...args], { encoding: "utf8" });
    const due = run(
      "due-date",
      "--received",
      "2026-03-28T10:00+05:30",
      "--days",
      "3",
      "--calendar",
      file,
    );
    expect(due.stdout.trim()).toBe("2026-04-02");
    const days = run(
      "working-days",
      "--from",
      "2026-04-13",
      "--to",
      "2026-04-18",
      "--calendar",
      file,
    );
    expect(days.stdout.trim()).toBe("3");
    const bad = run(
      "due-date",
      "--received",
      "2026-03-28T10:00",
      "--days",
      "3",
      "--calendar",
      file,
    );
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/offset/);
  });
});
