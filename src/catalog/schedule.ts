/**
 * The PMU's notified-services schedule: parsing and row validation (pure).
 *
 * The file format is that of `data/punjab-notified-services.csv`, documented in
 * docs/services-schedule.md. A row's legal identity is (service_list, serial):
 * the notification and its serial number. Bad rows are reported with their line
 * number, column and reason; good rows are returned for import.
 */
import { createHash } from "node:crypto";
import { parseCsv } from "../common/csv.ts";
import { slugify } from "../common/slug.ts";
import { nfc, toAsciiDigits } from "../common/text.ts";

/** Columns a schedule must have, in the order of the shipped sample. */
export const SCHEDULE_COLUMNS = [
  "serial",
  "department",
  "service_name",
  "time_limit_days",
  "time_limit_basis",
  "designated_officer",
  "first_appellate_authority",
  "second_appellate_authority",
  "fee_inr",
  "source_url",
  "act",
  "service_list",
  "notes",
] as const;

/** The longest time limit the importer accepts, in days (one year). */
export const MAX_TIME_LIMIT_DAYS = 365;

/** A valid schedule row, normalised. `timeLimitDays` null = "Immediate". `feePaise` null = no fee given. */
export type ScheduleRow = {
  line: number;
  code: string;
  serial: string;
  department: string;
  departmentCode: string;
  name: string;
  timeLimitDays: number | null;
  timeLimitBasis: "working" | "calendar";
  designatedOfficer: string;
  firstAppellateAuthority: string;
  secondAppellateAuthority: string;
  feePaise: number | null;
  sourceUrl: string;
  act: string;
  serviceList: string;
  notes: string;
};

/** Why a row (or the whole file, line 0) was rejected. */
export type ScheduleError = { line: number; column: string; reason: string };

/**
 * Parses and validates a schedule.
 * Never throws on bad content: a file-level problem (malformed CSV, missing
 * columns) is one error on line 0 or the line csv-parse names, and no rows.
 */
export function parseSchedule(text: string): { rows: ScheduleRow[]; errors: ScheduleError[] } {
  let records: ReturnType<typeof parseCsv>;
  try {
    records = parseCsv(text, { lenient: true });
  } catch (e) {
    const err = e as { message: string; lines?: number };
    return {
      rows: [],
      errors: [{ line: err.lines ?? 0, column: "", reason: `not valid CSV: ${err.message}` }],
    };
  }
  const header = records[0] ? Object.keys(records[0].values) : headerOf(text);
  const missing = SCHEDULE_COLUMNS.filter((c) => !header.includes(c));
  if (missing.length > 0) {
    return {
      rows: [],
      errors: [
        { line: 1, column: missing.join(", "), reason: "required column missing from the header" },
      ],
    };
  }
  const rows: ScheduleRow[] = [];
  const errors: ScheduleError[] = [];
  const seen = new Map<string, number>();
  for (const { line, values, columnCountError } of records) {
    if (columnCountError) {
      errors.push({
        line,
        column: "",
        reason: `has a different number of columns from the header (${SCHEDULE_COLUMNS.length} expected)`,
      });
      continue;
    }
    const result = validateRow(line, values);
    if ("errors" in result) {
      errors.push(...result.errors);
      continue;
    }
    const key = `${result.row.serviceList}\u0000${result.row.serial}`;
    const first = seen.get(key);
    if (first !== undefined) {
      errors.push({
        line,
        column: "serial",
        reason: `duplicate of line ${first}: same service_list and serial`,
      });
      continue;
    }
    seen.set(key, line);
    rows.push(result.row);
  }
  return { rows, errors };
}

function headerOf(text: string): string[] {
  const first = text.replace(/^\uFEFF/, "").split(/\r?\n/, 1)[0] ?? "";
  return first.split(",").map((h) => h.trim());
}

function validateRow(
  line: number,
  v: Record<string, string>,
): { row: ScheduleRow } | { errors: ScheduleError[] } {
  const errors: ScheduleError[] = [];
  const get = (c: string) => nfc(v[c] ?? "");
  const required = (c: string, max: number) => {
    const s = get(c);
    if (!s) errors.push({ line, column: c, reason: "is empty" });
    else if (s.length > max)
      errors.push({ line, column: c, reason: `is longer than ${max} characters` });
    return s;
  };
  const optional = (c: string, max: number) => {
    const s = get(c);
    if (s.length > max)
      errors.push({ line, column: c, reason: `is longer than ${max} characters` });
    return s;
  };
  const serial = required("serial", 20);
  const department = required("department", 200);
  const name = required("service_name", 500);
  const act = required("act", 300);
  const serviceList = required("service_list", 500);

  let timeLimitDays: number | null = null;
  const limitText = toAsciiDigits(get("time_limit_days"));
  if (limitText && !/^immediate$/i.test(limitText)) {
    if (!/^\d+$/.test(limitText))
      errors.push({
        line,
        column: "time_limit_days",
        reason: `must be a whole number of days or blank for "Immediate", got "${limitText}"`,
      });
    else if (Number(limitText) > MAX_TIME_LIMIT_DAYS)
      errors.push({
        line,
        column: "time_limit_days",
        reason: `must be at most ${MAX_TIME_LIMIT_DAYS}`,
      });
    else timeLimitDays = Number(limitText);
  }
  const basisText = get("time_limit_basis").toLowerCase() || "working";
  if (basisText !== "working" && basisText !== "calendar") {
    errors.push({
      line,
      column: "time_limit_basis",
      reason: `must be "working" or "calendar", got "${basisText}"`,
    });
  }
  let feePaise: number | null = null;
  const feeText = toAsciiDigits(get("fee_inr")).replace(/,/g, "");
  if (feeText) {
    const m = /^(\d{1,7})(?:\.(\d{1,2}))?$/.exec(feeText);
    if (!m)
      errors.push({
        line,
        column: "fee_inr",
        reason: `must be an amount in rupees like 100 or 12.50, got "${feeText}"`,
      });
    else feePaise = Number(m[1]) * 100 + Number((m[2] ?? "").padEnd(2, "0"));
  }
  const sourceUrl = optional("source_url", 2000);
  if (sourceUrl && !/^https?:\/\/\S+$/.test(sourceUrl)) {
    errors.push({ line, column: "source_url", reason: "must be an http(s) URL" });
  }
  const row: ScheduleRow = {
    line,
    code: serviceCode(name, serviceList, serial),
    serial,
    department,
    departmentCode: slugify(department) || `department-${shortHash(department)}`,
    name,
    timeLimitDays,
    timeLimitBasis: basisText === "calendar" ? "calendar" : "working",
    designatedOfficer: optional("designated_officer", 500),
    firstAppellateAuthority: optional("first_appellate_authority", 500),
    secondAppellateAuthority: optional("second_appellate_authority", 500),
    feePaise,
    sourceUrl,
    act,
    serviceList,
    notes: optional("notes", 4000),
  };
  return errors.length > 0 ? { errors } : { row };
}

/**
 * A stable, readable service code: the name's slug plus a short hash of the
 * row's legal identity (service_list, serial), e.g. `demarcation-of-land-3fa9c1`.
 */
export function serviceCode(name: string, serviceList: string, serial: string): string {
  const base = slugify(name, 50) || "service";
  return `${base}-${shortHash(`${serviceList}\u0000${serial}`)}`;
}

function shortHash(s: string): string {
  return createHash("sha256").update(s).digest("hex").slice(0, 6);
}
