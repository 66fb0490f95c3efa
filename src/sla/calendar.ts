/**
 * The working-day calendar: which dates are weekends, which are gazetted holidays,
 * and for which years no holiday list has been loaded.
 *
 * Time limits under the Punjab Transparency and Accountability in Delivery of Public
 * Service Act, 2018 are notified in days, counted as working days of the office unless
 * the notification says otherwise. A working day is a date that is neither a weekly
 * off day (Saturday and Sunday for Punjab Government offices) nor a gazetted holiday
 * notified by the Department of Personnel. Restricted holidays are optional leave for
 * the employee; offices stay open, so they are **not** holidays here.
 *
 * The calendar never guesses: a year without a loaded holiday list counts weekends
 * only, and {@link WorkingCalendar.yearsWithoutHolidays} tells the portal which years
 * those are so that it can warn.
 *
 * Dates are plain `YYYY-MM-DD` strings (or `Temporal.PlainDate`s); weekdays are ISO
 * numbers, 1 = Monday … 7 = Sunday.
 *
 * @module
 */
import { parse } from "csv-parse/sync";
import { Temporal } from "temporal-polyfill";

/** A date given either as a `YYYY-MM-DD` string or as a `Temporal.PlainDate`. */
export type DateLike = string | Temporal.PlainDate;

/** A working-day calendar built by {@link makeCalendar}. It is immutable. */
export type WorkingCalendar = {
  /** ISO weekdays (1 = Mon … 7 = Sun) that are weekly off days, ascending. */
  readonly weekendDays: readonly number[];
  /** The loaded holidays as day numbers ({@link epochDayOf}), ascending, without duplicates. */
  readonly holidayEpochDays: readonly number[];
  /** True when the date is neither a weekly off day nor a holiday. */
  isWorkingDay(date: DateLike): boolean;
  /** True when the date is a loaded holiday (whatever its weekday). */
  isHoliday(date: DateLike): boolean;
  /** True when the date falls on a weekly off day. */
  isWeekend(date: DateLike): boolean;
  /**
   * {@link WorkingCalendar.isWorkingDay} for a day number (days since 1970-01-01, see
   * {@link epochDayOf}): the fast path of the due-date walks.
   */
  isWorkingEpochDay(day: number): boolean;
  /** The loaded holidays, ascending, without duplicates. */
  holidays(): string[];
  /** The years that have at least one holiday loaded (a fresh copy each call). */
  holidayYears(): Set<number>;
  /**
   * The years touched by the date range `from`..`to` (inclusive) that have **no**
   * holiday loaded, ascending. The portal warns about these: in those years only
   * weekends are skipped.
   *
   * @throws RangeError when a date is malformed or `from` is after `to`.
   */
  yearsWithoutHolidays(from: DateLike, to: DateLike): number[];
};

/** Options for {@link makeCalendar}. */
export type CalendarOptions = {
  /** Holiday dates, `YYYY-MM-DD`. Duplicates are ignored. */
  holidays: Iterable<string>;
  /**
   * ISO weekdays that are weekly off days (1 = Mon … 7 = Sun). Default `[6, 7]`
   * (Saturday and Sunday, the five-day week of Punjab Government offices).
   */
  weekendDays?: readonly number[];
};

const DATE_SHAPE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Parses a strict `YYYY-MM-DD` calendar date. Other ISO forms that Temporal would
 * accept (`20260331`, `2026-03-31T10:00`, `+002026-03-31`) are refused, and so are
 * impossible dates such as `2026-02-30`.
 *
 * @throws RangeError naming the value when it is not a valid `YYYY-MM-DD` date.
 */
export function parseIsoDate(date: string): Temporal.PlainDate {
  if (typeof date !== "string" || !DATE_SHAPE.test(date)) {
    throw new RangeError(`Not a YYYY-MM-DD date: ${JSON.stringify(date)}`);
  }
  try {
    return Temporal.PlainDate.from(date, { overflow: "reject" });
  } catch (cause) {
    throw new RangeError(`Not a valid calendar date: ${JSON.stringify(date)}`, { cause });
  }
}

/**
 * Turns a {@link DateLike} into a `Temporal.PlainDate`, validating strings with
 * {@link parseIsoDate}.
 *
 * @throws RangeError when a string is not a valid `YYYY-MM-DD` date.
 */
export function toPlainDate(date: DateLike): Temporal.PlainDate {
  return typeof date === "string" ? parseIsoDate(date) : date;
}

/**
 * The day number of a date: days since 1970-01-01 (proleptic Gregorian), negative
 * before it. Day numbers make day-by-day walks cheap.
 *
 * @throws RangeError when a string is not a valid `YYYY-MM-DD` date.
 */
export function epochDayOf(date: DateLike): number {
  const { year, month, day } = toPlainDate(date);
  // Days from civil (H. Hinnant, "chrono-Compatible Low-Level Date Algorithms").
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const dayOfEra =
    yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146097 + dayOfEra - 719468;
}

/**
 * The `YYYY-MM-DD` date of a day number (the inverse of {@link epochDayOf}), for years
 * 0000 to 9999.
 *
 * @throws RangeError when `day` is not an integer or the year is outside 0000..9999.
 */
export function dateOfEpochDay(day: number): string {
  if (!Number.isSafeInteger(day)) throw new RangeError(`day number must be an integer, got ${day}`);
  // Civil from days (H. Hinnant).
  const z = day + 719468;
  const era = Math.floor(z / 146097);
  const dayOfEra = z - era * 146097;
  const yearOfEra = Math.floor(
    (dayOfEra -
      Math.floor(dayOfEra / 1460) +
      Math.floor(dayOfEra / 36524) -
      Math.floor(dayOfEra / 146096)) /
      365,
  );
  const dayOfYear =
    dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const mp = Math.floor((5 * dayOfYear + 2) / 153);
  const dayOfMonth = dayOfYear - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  if (year < 0 || year > 9999) throw new RangeError(`year ${year} is outside 0000..9999`);
  return `${String(year).padStart(4, "0")}-${String(month).padStart(2, "0")}-${String(dayOfMonth).padStart(2, "0")}`;
}

/** The ISO weekday (1 = Monday … 7 = Sunday) of a day number; 1970-01-01 was a Thursday. */
export function isoWeekdayOfEpochDay(day: number): number {
  return ((((day + 3) % 7) + 7) % 7) + 1;
}

/**
 * Builds a working-day calendar.
 *
 * @throws RangeError when a holiday is not a valid `YYYY-MM-DD` date, or when
 *   `weekendDays` holds anything but integers 1..7 or names all seven days (a
 *   calendar without a single working weekday could never reach a due date).
 */
export function makeCalendar(options: CalendarOptions): WorkingCalendar {
  const weekendInput = options.weekendDays ?? [6, 7];
  for (const day of weekendInput) {
    if (!Number.isInteger(day) || day < 1 || day > 7) {
      throw new RangeError(`weekendDays must be ISO weekdays 1..7, got ${JSON.stringify(day)}`);
    }
  }
  const weekend = new Set(weekendInput);
  if (weekend.size === 7) {
    throw new RangeError("weekendDays cannot name all seven days: no day would be a working day");
  }
  const weekendDays = Object.freeze([...weekend].sort((a, b) => a - b));

  const holidayDays = new Set<number>();
  const years = new Set<number>();
  for (const holiday of options.holidays) {
    const plain = parseIsoDate(holiday);
    holidayDays.add(epochDayOf(plain));
    years.add(plain.year);
  }
  const holidayEpochDays = Object.freeze([...holidayDays].sort((a, b) => a - b));
  const sortedHolidays = holidayEpochDays.map(dateOfEpochDay);

  const isWorkingEpochDay = (day: number): boolean =>
    !weekend.has(isoWeekdayOfEpochDay(day)) && !holidayDays.has(day);

  return Object.freeze({
    weekendDays,
    holidayEpochDays,
    isHoliday: (date: DateLike): boolean => holidayDays.has(epochDayOf(date)),
    isWeekend: (date: DateLike): boolean => weekend.has(toPlainDate(date).dayOfWeek),
    isWorkingDay: (date: DateLike): boolean => isWorkingEpochDay(epochDayOf(date)),
    isWorkingEpochDay,
    holidays: () => [...sortedHolidays],
    holidayYears: () => new Set(years),
    yearsWithoutHolidays(from: DateLike, to: DateLike): number[] {
      const start = toPlainDate(from);
      const end = toPlainDate(to);
      if (Temporal.PlainDate.compare(start, end) > 0) {
        throw new RangeError(`Range is backwards: ${start.toString()} is after ${end.toString()}`);
      }
      const missing: number[] = [];
      for (let year = start.year; year <= end.year; year++) {
        if (!years.has(year)) missing.push(year);
      }
      return missing;
    },
  });
}

/**
 * Reads a holiday list CSV and returns its holiday dates, ascending, without
 * duplicates.
 *
 * The CSV (RFC 4180, UTF-8, a byte-order mark is allowed) has a header row with at
 * least the columns `date` and `name`, in any order; other columns (`year`,
 * `source_url`, `notes`, …) are ignored. When a `kind` column is present, only rows
 * of kind `gazetted` are holidays; `restricted` holidays are optional leave and the
 * offices stay open (Punjab Department of Personnel, annual holiday notification).
 * Blank lines are skipped.
 *
 * @throws Error when the header lacks `date` or `name`, or when a row has a malformed
 *   date, an empty name or a `kind` other than `gazetted` or `restricted`; the
 *   message names the line number (1 = the header). Errors of CSV syntax (e.g. a
 *   row with the wrong number of fields) come from csv-parse and also name the line.
 */
export function parseCalendarCsv(text: string): string[] {
  const rows = parse(text, {
    bom: true,
    skip_empty_lines: true,
    info: true,
  }) as unknown as { record: string[]; info: { lines: number } }[];
  if (rows.length === 0) throw new Error("Holiday CSV is empty: expected a header row date,name");

  const header = rows[0].record.map((column) => column.trim().toLowerCase());
  const dateColumn = header.indexOf("date");
  const nameColumn = header.indexOf("name");
  const kindColumn = header.indexOf("kind");
  if (dateColumn < 0 || nameColumn < 0) {
    throw new Error(
      `Holiday CSV line ${rows[0].info.lines}: header must have the columns "date" and "name", got ${JSON.stringify(rows[0].record.join(","))}`,
    );
  }

  const dates = new Set<string>();
  for (const { record, info } of rows.slice(1)) {
    const line = info.lines;
    const date = (record[dateColumn] ?? "").trim();
    if (!DATE_SHAPE.test(date)) {
      throw new Error(
        `Holiday CSV line ${line}: date must be YYYY-MM-DD, got ${JSON.stringify(date)}`,
      );
    }
    try {
      parseIsoDate(date);
    } catch (cause) {
      throw new Error(`Holiday CSV line ${line}: ${JSON.stringify(date)} is not a calendar date`, {
        cause,
      });
    }
    if ((record[nameColumn] ?? "").trim() === "") {
      throw new Error(`Holiday CSV line ${line}: the holiday on ${date} has no name`);
    }
    if (kindColumn >= 0) {
      const kind = (record[kindColumn] ?? "").trim().toLowerCase();
      if (kind === "restricted") continue;
      if (kind !== "gazetted") {
        throw new Error(
          `Holiday CSV line ${line}: kind must be "gazetted" or "restricted", got ${JSON.stringify(kind)}`,
        );
      }
    }
    dates.add(date);
  }
  return [...dates].sort();
}
