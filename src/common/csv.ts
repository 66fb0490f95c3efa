/**
 * CSV reading for reference data and schedules: RFC 4180, UTF-8, header row.
 * A leading byte-order mark is ignored.
 */
import fs from "node:fs";
import { parse } from "csv-parse/sync";

/** One CSV record keyed by header, with its 1-based line number in the file (header = line 1). */
export type CsvRecord = {
  line: number;
  values: Record<string, string>;
  columnCountError?: boolean;
};

/**
 * Parses CSV text into records. With `lenient`, a row with the wrong number of
 * columns is returned with `columnCountError` set instead of failing the file,
 * so that an importer can reject that row alone.
 * @throws Error (from csv-parse) on malformed quoting, or on a wrong column count unless lenient.
 */
export function parseCsv(text: string, opts: { lenient?: boolean } = {}): CsvRecord[] {
  const records = parse(text, {
    bom: true,
    columns: true,
    skip_empty_lines: true,
    relax_column_count: opts.lenient ?? false,
    info: true,
  }) as Array<{
    record: Record<string, string>;
    info: { lines: number; invalid_field_length?: number };
  }>;
  // `invalid_field_length` counts the inconsistent rows so far: a row is wrong when it grows.
  let invalidSoFar = 0;
  return records.map((r) => {
    const invalid = (r.info.invalid_field_length ?? 0) > invalidSoFar;
    invalidSoFar = r.info.invalid_field_length ?? 0;
    return { line: r.info.lines, values: r.record, ...(invalid ? { columnCountError: true } : {}) };
  });
}

/** Reads and parses a CSV file. */
export function readCsvFile(file: string): CsvRecord[] {
  return parseCsv(fs.readFileSync(file, "utf8"));
}
