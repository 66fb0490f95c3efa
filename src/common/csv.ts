/**
 * CSV reading for reference data and schedules: RFC 4180, UTF-8, header row.
 * A leading byte-order mark is ignored.
 */
import fs from "node:fs";
import { parse } from "csv-parse/sync";

/** One CSV record keyed by header, with its 1-based line number in the file (header = line 1). */
export type CsvRecord = { line: number; values: Record<string, string> };

/**
 * Parses CSV text into records.
 * @throws Error (from csv-parse) on malformed quoting or a row with the wrong column count.
 */
export function parseCsv(text: string): CsvRecord[] {
  const records = parse(text, {
    bom: true,
    columns: true,
    skip_empty_lines: true,
    relax_column_count: false,
    info: true,
  }) as Array<{ record: Record<string, string>; info: { lines: number } }>;
  return records.map((r) => ({ line: r.info.lines, values: r.record }));
}

/** Reads and parses a CSV file. */
export function readCsvFile(file: string): CsvRecord[] {
  return parseCsv(fs.readFileSync(file, "utf8"));
}
