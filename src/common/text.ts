/**
 * Text and numeric input normalisation shared by every form and API route.
 *
 * Rules (ARCHITECTURE.md §4 "Text"): every stored or searched human string is
 * NFC-normalised; Gurmukhi, Devanagari and any other Unicode decimal digits
 * typed into numeric input are converted to ASCII (case C-14); names are kept
 * as typed, never case-folded. Calendar dates are plain `YYYY-MM-DD` strings and
 * never pass through a JS `Date` (case C-07), so no time zone can shift them.
 *
 * Every function here is pure and total: bad input gives an `{ ok: false, code }`
 * result, never an exception. Error codes are stable strings with a message in
 * `src/applications/locales/*.json` (`validation.generic.<code>`).
 */

/* ------------------------------------------------------------------ digits */

const DECIMAL_DIGIT = /\p{Nd}/u;
const ANY_DECIMAL_DIGIT = /\p{Nd}/gu;
const digitValueCache = new Map<string, string>();

/**
 * Value (0-9) of one Unicode decimal digit (general category Nd).
 *
 * Unicode guarantees (stability policy) that Nd characters come in contiguous
 * runs of ten, each starting at the digit zero, so the value is the distance to
 * the start of the run modulo 10. Runs such as the mathematical digits
 * (U+1D7CE..U+1D7FF, five runs back to back) still work, because each run is a
 * whole multiple of ten long.
 */
function digitValue(ch: string): string {
  const cached = digitValueCache.get(ch);
  if (cached !== undefined) return cached;
  let cp = ch.codePointAt(0) ?? 0;
  let steps = 0;
  while (cp > 0 && DECIMAL_DIGIT.test(String.fromCodePoint(cp - 1))) {
    cp -= 1;
    steps += 1;
  }
  const value = String(steps % 10);
  digitValueCache.set(ch, value);
  return value;
}

/**
 * Convert every Unicode decimal digit in `s` to its ASCII digit and leave all
 * other characters alone: Gurmukhi `੦-੯` (U+0A66..U+0A6F), Devanagari `०-९`
 * (U+0966..U+096F), Arabic-Indic, full-width and the rest of category Nd.
 *
 * Source: ARCHITECTURE.md §4 ("Accept Gurmukhi and Devanagari digits in
 * numeric input and convert them"), case C-14. Superscripts and vulgar
 * fractions (category No) are not decimal digits and are not converted.
 */
export function toAsciiDigits(s: string): string {
  return s.replace(ANY_DECIMAL_DIGIT, (ch) => (ch >= "0" && ch <= "9" ? ch : digitValue(ch)));
}

/* -------------------------------------------------------------------- text */

/**
 * C0 and C1 control characters other than whitespace. They are never typed on
 * purpose, and PostgreSQL refuses U+0000 in `text`. Format characters (Cf)
 * such as ZWJ/ZWNJ are kept: they change how Gurmukhi and Devanagari render.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point
const CONTROL_NOT_SPACE = /[\u0000-\u0008\u000E-\u001F\u007F-\u0084\u0086-\u009F]/g;

/**
 * Normalise one line of human text for storage and search: Unicode NFC, control
 * characters removed, leading and trailing whitespace trimmed, and each internal
 * run of whitespace (any Unicode space, tab or line break) collapsed to one
 * ASCII space. Case is never changed (Indic scripts have no case, and names are
 * kept as typed).
 *
 * Source: ARCHITECTURE.md §4 "Text"; Unicode Standard Annex #15 (NFC).
 */
export function nfc(s: string): string {
  return s.normalize("NFC").replace(CONTROL_NOT_SPACE, "").replace(/\s+/g, " ").trim();
}

/**
 * Like {@link nfc}, for multi-line text (a "purpose" or "remarks" box): line
 * breaks are kept so the paragraphs the user typed survive. CRLF and CR become
 * LF, each line is normalised with {@link nfc}, and more than one blank line in
 * a row becomes a single blank line. Leading and trailing blank lines are removed.
 */
export function nfcMultiline(s: string): string {
  return s
    .normalize("NFC")
    .replace(/\r\n?/g, "\n")
    .split(/[\n\u2028\u2029]/)
    .map(nfc)
    .join("\n")
    .replace(/\n{3,}/g, "\n\n")
    .replace(/^\n+|\n+$/g, "");
}

/** Number of Unicode code points in `s` (the unit JSON Schema `maxLength` counts). */
export function codePointLength(s: string): number {
  let n = 0;
  for (const _ of s) n += 1;
  return n;
}

/* -------------------------------------------------------- mobile, pincode */

/** Result of a numeric-field normaliser: the canonical ASCII value, or a stable error code. */
export type NormaliseResult<C extends string> =
  | { ok: true; value: string }
  | { ok: false; code: C };

/** Error codes of {@link normaliseMobile}. */
export type MobileErrorCode =
  | "mobile.required"
  | "mobile.invalid_format"
  | "mobile.wrong_length"
  | "mobile.invalid_start";

/** Spaces and the hyphen/dash family people type between digit groups. */
const SEPARATORS = /[\s\-\u2010-\u2015\u2212]/g;

/**
 * Normalise an Indian mobile number to its 10 ASCII digits.
 *
 * Accepts digits of any script (C-14: `੯੮੭੬੫੪੩੨੧੦` and `९८७६५४३२१०` give
 * `9876543210`), spaces and hyphens between digits, and one optional prefix:
 * `+91`, `91` (only when the whole number is 12 digits, so a 10-digit number
 * that happens to start with 91 is kept) or a trunk `0` (11 digits).
 * The result must be 10 digits starting with 6, 7, 8 or 9 (the mobile number
 * series of the National Numbering Plan 2003, DoT).
 *
 * Errors: `mobile.required` (nothing typed), `mobile.invalid_format` (letters,
 * other symbols, or a `+` country code other than 91), `mobile.wrong_length`,
 * `mobile.invalid_start`.
 */
export function normaliseMobile(input: string): NormaliseResult<MobileErrorCode> {
  const s = toAsciiDigits(nfc(input)).replace(SEPARATORS, "");
  if (s === "") return { ok: false, code: "mobile.required" };
  let digits: string;
  if (s.startsWith("+")) {
    if (!/^\+91\d*$/.test(s)) return { ok: false, code: "mobile.invalid_format" };
    digits = s.slice(3);
  } else {
    if (!/^\d+$/.test(s)) return { ok: false, code: "mobile.invalid_format" };
    if (s.length === 12 && s.startsWith("91")) digits = s.slice(2);
    else if (s.length === 11 && s.startsWith("0")) digits = s.slice(1);
    else digits = s;
  }
  if (digits.length !== 10) return { ok: false, code: "mobile.wrong_length" };
  if (!/^[6-9]/.test(digits)) return { ok: false, code: "mobile.invalid_start" };
  return { ok: true, value: digits };
}

/** Error codes of {@link normalisePincode}. */
export type PincodeErrorCode =
  | "pincode.required"
  | "pincode.invalid_format"
  | "pincode.wrong_length"
  | "pincode.invalid_start";

/**
 * Normalise an Indian PIN code to 6 ASCII digits. Digits of any script and
 * spaces (`160 017`) are accepted. The first digit is a postal zone, 1 to 9
 * (India Post), so a leading 0 is refused.
 *
 * Errors: `pincode.required`, `pincode.invalid_format` (anything but digits and
 * spaces), `pincode.wrong_length`, `pincode.invalid_start`.
 */
export function normalisePincode(input: string): NormaliseResult<PincodeErrorCode> {
  const s = toAsciiDigits(nfc(input)).replace(/\s/g, "");
  if (s === "") return { ok: false, code: "pincode.required" };
  if (!/^\d+$/.test(s)) return { ok: false, code: "pincode.invalid_format" };
  if (s.length !== 6) return { ok: false, code: "pincode.wrong_length" };
  if (s.startsWith("0")) return { ok: false, code: "pincode.invalid_start" };
  return { ok: true, value: s };
}

/* ------------------------------------------------------------------- dates */

/** Which box of a three-box date input is wrong; `all` highlights the whole date. */
export type DatePart = "day" | "month" | "year" | "all";

/**
 * Error codes of the date parsers. Each names the wrong part (case C-08):
 * - `date.required` (part `all`): nothing entered, or 00/00/0000;
 * - `date.day_missing` / `date.month_missing` / `date.year_missing`: one box empty;
 * - `date.incomplete` (part `all`): two boxes empty;
 * - `date.day_invalid` (params `maxDay`): not a number from 1 to 31;
 * - `date.day_not_in_month` (params `maxDay`, `month`, `year`): e.g. 30/02/2026, 29/02/2026;
 * - `date.month_invalid`: not a number from 1 to 12;
 * - `date.year_invalid`: not 4 digits from 1000 to 9999;
 * - `date.not_real` (part `all`): more than one part is wrong;
 * - `date.format` (part `all`): not `DD/MM/YYYY` ({@link parseDmy}) or `YYYY-MM-DD` ({@link parseIsoDate}).
 */
export type DateErrorCode =
  | "date.required"
  | "date.day_missing"
  | "date.month_missing"
  | "date.year_missing"
  | "date.incomplete"
  | "date.day_invalid"
  | "date.day_not_in_month"
  | "date.month_invalid"
  | "date.year_invalid"
  | "date.not_real"
  | "date.format";

/** Result of the date parsers: a plain ISO date, or the code and the part to highlight. */
export type DateResult =
  | { ok: true; date: string }
  | {
      ok: false;
      code: DateErrorCode;
      part: DatePart;
      params?: Record<string, string | number>;
    };

/** Gregorian leap year (proleptic), as ISO 8601 and Temporal's ISO calendar use. */
export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/** Days in `month` (1-12) of `year`, Gregorian calendar. */
export function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

const pad = (n: number, width: number): string => String(n).padStart(width, "0");

/**
 * Check a day, month and year already split into boxes (empty string = box left
 * empty). Digits of any script and surrounding spaces are accepted; day and
 * month take 1 or 2 digits, the year exactly 4.
 */
function checkParts(dayIn: string, monthIn: string, yearIn: string): DateResult {
  const clean = (s: string) => toAsciiDigits(nfc(s)).replace(/\s/g, "");
  const day = clean(dayIn);
  const month = clean(monthIn);
  const year = clean(yearIn);

  const missing = (["day", "month", "year"] as const).filter(
    (_, i) => [day, month, year][i] === "",
  );
  if (missing.length === 3) return { ok: false, code: "date.required", part: "all" };
  const allZero = [day, month, year].every((p) => /^0+$/.test(p));
  if (allZero) return { ok: false, code: "date.required", part: "all" };
  if (missing.length === 2) return { ok: false, code: "date.incomplete", part: "all" };
  if (missing.length === 1) {
    const part = missing[0] as "day" | "month" | "year";
    return { ok: false, code: `date.${part}_missing`, part };
  }

  const d = /^\d{1,2}$/.test(day) ? Number(day) : Number.NaN;
  const m = /^\d{1,2}$/.test(month) ? Number(month) : Number.NaN;
  const y = /^\d{4}$/.test(year) ? Number(year) : Number.NaN;
  const dayBad = !(d >= 1 && d <= 31);
  const monthBad = !(m >= 1 && m <= 12);
  const yearBad = !(y >= 1000 && y <= 9999);
  const badCount = Number(dayBad) + Number(monthBad) + Number(yearBad);
  if (badCount > 1) return { ok: false, code: "date.not_real", part: "all" };
  if (dayBad) return { ok: false, code: "date.day_invalid", part: "day", params: { maxDay: 31 } };
  if (monthBad) return { ok: false, code: "date.month_invalid", part: "month" };
  if (yearBad) return { ok: false, code: "date.year_invalid", part: "year" };

  const maxDay = daysInMonth(y, m);
  if (d > maxDay) {
    return {
      ok: false,
      code: "date.day_not_in_month",
      part: "day",
      params: { maxDay, month: pad(m, 2), year: pad(y, 4) },
    };
  }
  return { ok: true, date: `${pad(y, 4)}-${pad(m, 2)}-${pad(d, 2)}` };
}

/**
 * Parse the three boxes of a GOV.UK date input ("Day", "Month", "Year") into a
 * plain `YYYY-MM-DD` date, or say which box is wrong.
 *
 * Pattern: GOV.UK Design System, "Dates" and "Date input" (error messages name
 * the part: "Date of birth must include a month", "Year must include 4 numbers").
 * Case C-08: 30/02/2026 and 29/02/2026 → `date.day_not_in_month` (day);
 * 32/03/2026 → `date.day_invalid` (day); 00/00/0000 → `date.required` (all);
 * 29/02/2028 → `2028-02-29`. Missing boxes (`undefined`) count as empty.
 * No JS `Date` is involved (C-07): the result is exactly the digits typed.
 */
export function parseDateParts(parts: {
  day?: string | undefined;
  month?: string | undefined;
  year?: string | undefined;
}): DateResult {
  return checkParts(parts.day ?? "", parts.month ?? "", parts.year ?? "");
}

/**
 * Parse a date typed as `DD/MM/YYYY` (Indian order). `/`, `-`, `.` or spaces
 * separate the parts; digits of any script are accepted. Same errors as
 * {@link parseDateParts}, plus `date.format` (part `all`) when the text does not
 * split into three parts.
 */
export function parseDmy(text: string): DateResult {
  const s = toAsciiDigits(nfc(text));
  if (s === "") return { ok: false, code: "date.required", part: "all" };
  const parts = s.split(/\s*[/.\- ]\s*/);
  if (parts.length !== 3 || parts.some((p) => p === "")) {
    return { ok: false, code: "date.format", part: "all" };
  }
  const [day, month, year] = parts as [string, string, string];
  return checkParts(day, month, year);
}

/**
 * Parse an ISO 8601 calendar date `YYYY-MM-DD` (the API form of every date).
 * Digits of any script and surrounding spaces are accepted; anything else that
 * is not exactly `YYYY-MM-DD` is `date.format`. A well-formed but impossible
 * date gets the same part-naming codes as {@link parseDateParts}.
 */
export function parseIsoDate(text: string): DateResult {
  const s = toAsciiDigits(nfc(text));
  if (s === "") return { ok: false, code: "date.required", part: "all" };
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!match) return { ok: false, code: "date.format", part: "all" };
  const [, year, month, day] = match as unknown as [string, string, string, string];
  return checkParts(day, month, year);
}
