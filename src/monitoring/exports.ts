/**
 * Exports of a breakdown (the rows on screen plus the total), in CSV and
 * XLSX, with the same filters and scope as the page that links to them.
 * CSV: UTF-8 with BOM and formula-injection guard (src/common/csv-export.ts,
 * case C-15). XLSX (exceljs): text cells pass through the same guard; numbers
 * stay numbers.
 *
 * @module
 */
import ExcelJS from "exceljs";
import { safeCell, toCsv } from "../common/csv-export.ts";
import { type Counts, MEASURES } from "./measures.ts";

/** A row to export: a name and its counts. */
export type ExportRow = { name: string; counts: Counts };

/** Column headers: the first for the name, then one per measure (in MEASURES order). */
export type ExportHeaders = { name: string; measures: Record<(typeof MEASURES)[number], string> };

function flat(rows: ExportRow[]): Array<Record<string, unknown>> {
  return rows.map((r) => ({ name: r.name, ...r.counts }));
}

/** The CSV document (BOM, header row, CRLF). */
export function breakdownCsv(headers: ExportHeaders, rows: ExportRow[]): string {
  const columns = [
    { key: "name", header: headers.name },
    ...MEASURES.map((m) => ({ key: m, header: headers.measures[m] })),
  ];
  return toCsv(columns, flat(rows));
}

/** The XLSX workbook (one sheet named `sheet`) as bytes. */
export async function breakdownXlsx(
  headers: ExportHeaders,
  rows: ExportRow[],
  sheet: string,
): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = "Sewa";
  const ws = workbook.addWorksheet(sheet.slice(0, 31).replace(/[*?:\\/[\]]/g, " "));
  ws.addRow([headers.name, ...MEASURES.map((m) => headers.measures[m])].map(safeCell));
  ws.getRow(1).font = { bold: true };
  for (const r of flat(rows)) {
    ws.addRow(["name", ...MEASURES].map((k) => safeCell(r[k])));
  }
  ws.columns.forEach((c, i) => {
    c.width = i === 0 ? 40 : 14;
  });
  return Buffer.from(await workbook.xlsx.writeBuffer());
}
