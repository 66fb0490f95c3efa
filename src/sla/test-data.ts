/**
 * Test data for the SLA tests (imported by `*.test.ts` only, never by the rules).
 *
 * @module
 */
import { existsSync, readFileSync } from "node:fs";
import { makeCalendar, parseCalendarCsv, type WorkingCalendar } from "./calendar.ts";

/**
 * Where the real Punjab holiday list is looked for, in order: the copy shipped in the
 * repository (`data/`), then the shared reference data it was copied from.
 */
const PUNJAB_HOLIDAY_CSV = [
  new URL("../../data/punjab-gazetted-holidays.csv", import.meta.url),
  new URL("../../../shared/data/punjab-gazetted-holidays.csv", import.meta.url),
];

/**
 * The text of the real Punjab holiday list (Department of Personnel notifications, as
 * compiled in `data/punjab-gazetted-holidays.csv`).
 *
 * @throws Error when no copy of the file is found.
 */
export function readPunjabHolidayCsv(): string {
  const found = PUNJAB_HOLIDAY_CSV.find((url) => existsSync(url));
  if (!found) {
    throw new Error(`punjab-gazetted-holidays.csv not found in ${PUNJAB_HOLIDAY_CSV.join(" or ")}`);
  }
  return readFileSync(found, "utf8");
}

/** The real Punjab calendar: gazetted holidays of the list above, Saturday and Sunday off. */
export function punjabCalendar(): WorkingCalendar {
  return makeCalendar({ holidays: parseCalendarCsv(readPunjabHolidayCsv()) });
}

/**
 * The test calendar of the failure cases (/work/shared/cases/README.md): weekends Saturday
 * and Sunday, holidays Tue 2026-03-31 and Tue 2026-04-14. Test data, not the gazette.
 */
export const casesCalendar: WorkingCalendar = makeCalendar({
  holidays: ["2026-03-31", "2026-04-14"],
});
