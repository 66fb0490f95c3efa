/**
 * The Sewa Kendra registry (issue 9): centres with a code, names in English,
 * Punjabi and Hindi, district and tehsil (LGD codes), type (I district
 * administrative complex, II urban, III rural), counters, opening hours,
 * weekly off day, coordinates when known, address and the row's source.
 *
 * The registry is imported from CSV (`sewa import kendras [FILE]`, format in
 * docs/kendras.md). The importer validates every row first and reports each
 * problem with its line and column; on any problem it writes nothing. A valid
 * file is upserted by `code` in one transaction, so importing the same file
 * twice changes nothing.
 */
import { and, asc, eq, sql } from "drizzle-orm";
import { parseCsv } from "../../common/csv.ts";
import { nfc, toAsciiDigits } from "../../common/text.ts";
import type { Db, Queryable } from "../../db/client.ts";
import { districts, kendras, tehsils } from "../../db/schema.ts";

/** A registry row as stored. */
export type Kendra = typeof kendras.$inferSelect;

/** The centre types: I (district administrative complex), II (urban), III (rural). */
export const KENDRA_TYPES = ["I", "II", "III"] as const;
export type KendraType = (typeof KENDRA_TYPES)[number];

/** The CSV header, in order (docs/kendras.md describes each column). */
export const KENDRA_CSV_COLUMNS = [
  "code",
  "name_en",
  "name_pa",
  "name_hi",
  "district_code",
  "tehsil_code",
  "type",
  "counters",
  "opens_at",
  "closes_at",
  "weekly_off",
  "latitude",
  "longitude",
  "address",
  "active",
  "source",
] as const;

/** Most counters a centre may have (the largest Type I centres have a few dozen). */
export const MAX_COUNTERS = 99;

/**
 * A problem in an imported file: the 1-based line (header = line 1), the
 * column (empty for a whole-row or whole-file problem), a stable code and an
 * English message for the console.
 */
export type ImportProblem = { line: number; column: string; code: string; message: string };

/** The outcome of an import: counts, or the problems (and then nothing was written). */
export type ImportSummary = {
  read: number;
  inserted: number;
  updated: number;
  unchanged: number;
  errors: ImportProblem[];
};

/** A validated row, ready to upsert. */
export type KendraRow = Omit<Kendra, "createdAt" | "updatedAt">;

const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/;
const CODE = /^[A-Z0-9][A-Z0-9-]{1,31}$/;
const GURMUKHI = /[\u0A00-\u0A7F]/;
const DEVANAGARI = /[\u0900-\u097F]/;
/** Punjab's bounding box (WGS 84), generously rounded: a coordinate outside it is a typo. */
const PUNJAB_BOX = { minLat: 29.4, maxLat: 32.6, minLon: 73.8, maxLon: 77.0 };

/** Minutes since midnight of a `HH:MM` wall-clock time. */
export function minutesOf(hhmm: string): number {
  const [h, m] = hhmm.split(":").map(Number);
  return (h as number) * 60 + (m as number);
}

/**
 * Parses and validates registry CSV text against the known districts and
 * tehsils (`geography`: district LGD code → its tehsil codes). Pure: no
 * database. Digits in Gurmukhi or Devanagari are accepted in numeric columns.
 * @returns the valid rows and every problem found (rows with problems are left out).
 */
export function parseKendrasCsv(
  text: string,
  geography: Map<number, Set<number>>,
): { rows: KendraRow[]; errors: ImportProblem[]; read: number } {
  const errors: ImportProblem[] = [];
  const problem = (line: number, column: string, code: string, message: string) =>
    errors.push({ line, column, code, message });
  let records: ReturnType<typeof parseCsv>;
  try {
    records = parseCsv(text, { lenient: true });
  } catch (e) {
    problem(0, "", "csv.malformed", `the file is not valid CSV: ${(e as Error).message}`);
    return { rows: [], errors, read: 0 };
  }
  const header = Object.keys(records[0]?.values ?? {});
  const missing = KENDRA_CSV_COLUMNS.filter(
    (c) => !header.includes(c) && c !== "latitude" && c !== "longitude" && c !== "active",
  );
  for (const c of missing) problem(1, c, "column.missing", `the column ${c} is missing`);
  for (const c of header)
    if (!(KENDRA_CSV_COLUMNS as readonly string[]).includes(c))
      problem(1, c, "column.unknown", `unknown column ${c}`);
  if (records.length === 0) problem(1, "", "file.empty", "the file has no rows");
  if (errors.length) return { rows: [], errors, read: records.length };

  const rows: KendraRow[] = [];
  const seen = new Map<string, number>();
  for (const { line, values, columnCountError } of records) {
    const before = errors.length;
    if (columnCountError) {
      problem(line, "", "row.column_count", "this row has a different number of columns");
      continue;
    }
    const v = (c: string) => nfc(values[c] ?? "").trim();
    const num = (c: string) => toAsciiDigits(v(c));
    const int = (c: string, min: number, max: number, required: boolean): number | null => {
      const s = num(c);
      if (s === "") {
        if (required) problem(line, c, "required", `${c} is required`);
        return null;
      }
      const n = Number(s);
      if (!/^\d+$/.test(s) || n < min || n > max) {
        problem(
          line,
          c,
          "invalid",
          `${c} must be a whole number from ${min} to ${max}, got "${s}"`,
        );
        return null;
      }
      return n;
    };
    const code = v("code").toUpperCase();
    if (!code) problem(line, "code", "required", "code is required");
    else if (!CODE.test(code))
      problem(
        line,
        "code",
        "invalid",
        `code must be 2-32 letters, digits or hyphens, got "${code}"`,
      );
    else if (seen.has(code))
      problem(line, "code", "duplicate", `code ${code} is also on line ${seen.get(code)}`);
    else seen.set(code, line);
    const nameEn = v("name_en");
    const namePa = v("name_pa");
    const nameHi = v("name_hi");
    if (!nameEn) problem(line, "name_en", "required", "name_en is required");
    if (!namePa) problem(line, "name_pa", "required", "name_pa is required");
    else if (!GURMUKHI.test(namePa))
      problem(line, "name_pa", "wrong_script", "name_pa must be written in Gurmukhi");
    if (!nameHi) problem(line, "name_hi", "required", "name_hi is required");
    else if (!DEVANAGARI.test(nameHi))
      problem(line, "name_hi", "wrong_script", "name_hi must be written in Devanagari");
    const districtCode = int("district_code", 1, 999_999, true);
    if (districtCode !== null && !geography.has(districtCode))
      problem(line, "district_code", "unknown", `no district with LGD code ${districtCode}`);
    const tehsilCode = int("tehsil_code", 1, 999_999, false);
    if (
      tehsilCode !== null &&
      districtCode !== null &&
      geography.has(districtCode) &&
      !geography.get(districtCode)?.has(tehsilCode)
    )
      problem(
        line,
        "tehsil_code",
        "not_in_district",
        `tehsil ${tehsilCode} is not in district ${districtCode}`,
      );
    const type = v("type").toUpperCase();
    if (!(KENDRA_TYPES as readonly string[]).includes(type))
      problem(line, "type", "invalid", `type must be I, II or III, got "${v("type")}"`);
    const counters = int("counters", 1, MAX_COUNTERS, true);
    const opensAt = num("opens_at") || "09:00";
    const closesAt = num("closes_at") || "17:00";
    if (!HHMM.test(opensAt))
      problem(line, "opens_at", "invalid", `opens_at must be HH:MM (24-hour), got "${opensAt}"`);
    if (!HHMM.test(closesAt))
      problem(line, "closes_at", "invalid", `closes_at must be HH:MM (24-hour), got "${closesAt}"`);
    else if (HHMM.test(opensAt) && minutesOf(closesAt) <= minutesOf(opensAt))
      problem(line, "closes_at", "before_opening", "closes_at must be after opens_at");
    const weeklyOff = int("weekly_off", 1, 7, false);
    const lat = num("latitude");
    const lon = num("longitude");
    let latitude: string | null = null;
    let longitude: string | null = null;
    if (lat || lon) {
      const la = Number(lat);
      const lo = Number(lon);
      const decimal = /^-?\d{1,3}(\.\d{1,8})?$/;
      if (!lat || !decimal.test(lat) || la < PUNJAB_BOX.minLat || la > PUNJAB_BOX.maxLat)
        problem(line, "latitude", "invalid", `latitude must be a decimal degree within Punjab`);
      else latitude = lat;
      if (!lon || !decimal.test(lon) || lo < PUNJAB_BOX.minLon || lo > PUNJAB_BOX.maxLon)
        problem(line, "longitude", "invalid", `longitude must be a decimal degree within Punjab`);
      else longitude = lon;
    }
    const activeText = v("active").toLowerCase();
    const active = ["", "1", "yes", "true"].includes(activeText)
      ? 1
      : ["0", "no", "false"].includes(activeText)
        ? 0
        : null;
    if (active === null) problem(line, "active", "invalid", "active must be 1 or 0");
    const source = v("source");
    if (!source) problem(line, "source", "required", "source is required (e.g. illustrative)");
    if (errors.length > before) continue;
    rows.push({
      code,
      nameEn,
      namePa,
      nameHi,
      districtCode: districtCode as number,
      tehsilCode,
      type,
      counters: counters as number,
      opensAt,
      closesAt,
      weeklyOff,
      latitude,
      longitude,
      address: v("address"),
      active: active as number,
      source,
    });
  }
  return { rows, errors, read: records.length };
}

/** District LGD code → its tehsil codes, from the database. */
async function geographyOf(q: Queryable): Promise<Map<number, Set<number>>> {
  const map = new Map<number, Set<number>>();
  for (const d of await q.select({ code: districts.code }).from(districts))
    map.set(d.code, new Set());
  for (const t of await q
    .select({ code: tehsils.code, districtCode: tehsils.districtCode })
    .from(tehsils))
    map.get(t.districtCode)?.add(t.code);
  return map;
}

const COMPARED = [
  "nameEn",
  "namePa",
  "nameHi",
  "districtCode",
  "tehsilCode",
  "type",
  "counters",
  "opensAt",
  "closesAt",
  "weeklyOff",
  "latitude",
  "longitude",
  "address",
  "active",
  "source",
] as const;

/**
 * Imports registry CSV text: validates every row, then upserts all of them
 * by `code` in one transaction. Centres missing from the file are left as
 * they are (set `active` to 0 to close one).
 * @param now the instant recorded as `updatedAt` (ISO 8601).
 * @returns counts; when `errors` is not empty nothing was written.
 */
export async function importKendras(db: Db, text: string, now: string): Promise<ImportSummary> {
  return db.transaction(async (tx) => {
    const { rows, errors, read } = parseKendrasCsv(text, await geographyOf(tx));
    const summary: ImportSummary = {
      read,
      inserted: 0,
      updated: 0,
      unchanged: 0,
      errors,
    };
    if (errors.length) return summary;
    const existing = new Map((await tx.select().from(kendras)).map((k) => [k.code, k]));
    for (const row of rows) {
      const old = existing.get(row.code);
      if (!old) {
        await tx.insert(kendras).values({ ...row, createdAt: now, updatedAt: now });
        summary.inserted++;
      } else if (COMPARED.some((k) => old[k] !== row[k])) {
        await tx
          .update(kendras)
          .set({ ...row, updatedAt: now })
          .where(eq(kendras.code, row.code));
        summary.updated++;
      } else summary.unchanged++;
    }
    return summary;
  });
}

/** One centre by code (active or not), or undefined. */
export async function getKendra(q: Queryable, code: string): Promise<Kendra | undefined> {
  const [row] = await q.select().from(kendras).where(eq(kendras.code, code));
  return row;
}

/** Centres, optionally of one district and only active ones, ordered by district then code. */
export function listKendras(
  q: Queryable,
  opts: { districtCode?: number; activeOnly?: boolean } = {},
): Promise<Kendra[]> {
  const conditions = [
    ...(opts.districtCode !== undefined ? [eq(kendras.districtCode, opts.districtCode)] : []),
    ...(opts.activeOnly ? [eq(kendras.active, 1)] : []),
  ];
  return q
    .select()
    .from(kendras)
    .where(conditions.length ? and(...conditions) : sql`true`)
    .orderBy(asc(kendras.districtCode), asc(kendras.code));
}

/** A centre's name in a page language (`en`, `pa`, `hi`). */
export function kendraName(k: Pick<Kendra, "nameEn" | "namePa" | "nameHi">, lang: string): string {
  return lang === "pa" ? k.namePa : lang === "hi" ? k.nameHi : k.nameEn;
}
