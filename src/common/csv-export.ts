/**
 * CSV exports that open correctly in spreadsheet programs:
 * - UTF-8 with a byte-order mark, so Gurmukhi and Devanagari names show
 *   correctly in Excel (case C-15);
 * - cells that a spreadsheet would run as a formula (starting with =, +, -, @,
 *   tab or carriage return) are prefixed with an apostrophe (OWASP "CSV
 *   Injection"); numbers stay numbers.
 */
import { stringify } from "csv-stringify/sync";

/** The UTF-8 byte-order mark. */
export const BOM = "\uFEFF";

/** Makes one cell safe from formula injection. */
export function safeCell(value: unknown): string | number {
  if (value === null || value === undefined) return "";
  if (typeof value === "number" && Number.isFinite(value)) return value;
  const s = typeof value === "string" ? value : JSON.stringify(value);
  return /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
}

/** A CSV document (with BOM and header row) for `rows`, in the order of `columns`. */
export function toCsv(
  columns: Array<{ key: string; header: string }>,
  rows: Array<Record<string, unknown>>,
): string {
  const body = stringify(
    rows.map((r) => columns.map((c) => safeCell(r[c.key]))),
    { header: true, columns: columns.map((c) => c.header), record_delimiter: "\r\n" },
  );
  return BOM + body;
}
