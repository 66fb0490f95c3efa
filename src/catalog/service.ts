/**
 * The catalog: departments and the notified services under the Punjab
 * Transparency and Accountability in Delivery of Public Services Act, 2018 (and
 * the earlier Right to Service Act, 2011 notifications), imported from the
 * PMU's schedule (docs/services-schedule.md).
 */
import { readCsvFile } from "../common/csv.ts";
import { nfc } from "../common/text.ts";
import type { Db } from "../db/client.ts";
import * as repo from "./repository.ts";
import { parseSchedule, type ScheduleError } from "./schedule.ts";

export type { Department, ServiceWithDepartment } from "./repository.ts";
export { getService, listDepartments, searchServices } from "./repository.ts";
export type { ScheduleError } from "./schedule.ts";

/** What an import did. Counts are rows of the file. */
export type ImportSummary = {
  inserted: number;
  updated: number;
  unchanged: number;
  rejected: number;
  errors: ScheduleError[];
};

/**
 * Imports a schedule (CSV text). Bad rows are reported and skipped; good rows
 * are upserted by (service_list, serial) in one transaction, so re-importing
 * the same file changes nothing and never duplicates.
 * @param onProgress called after each row with (done, total), for a progress bar.
 */
export async function importServices(
  db: Db,
  csvText: string,
  onProgress?: (done: number, total: number) => void,
): Promise<ImportSummary> {
  const { rows, errors } = parseSchedule(csvText);
  const summary: ImportSummary = { inserted: 0, updated: 0, unchanged: 0, rejected: 0, errors };
  const rejectedLines = new Set(errors.map((e) => e.line));
  summary.rejected = rejectedLines.size;
  await db.transaction(async (tx) => {
    const unique = new Map(rows.map((r) => [r.department, r.departmentCode]));
    const departmentIds = await repo.ensureDepartments(
      tx,
      [...unique].map(([name, code]) => ({ name, code })),
    );
    let done = 0;
    for (const row of rows) {
      const id = departmentIds.get(row.department);
      if (id === undefined) throw new Error(`department not created: ${row.department}`);
      summary[await repo.upsertService(tx, row, id)]++;
      onProgress?.(++done, rows.length);
    }
  });
  return summary;
}

/**
 * Imports Punjabi and Hindi names for services and departments from
 * `data/catalog-translations.csv` (columns kind, service_list, serial, name_en,
 * name_pa, name_hi): services by (service_list, serial), departments by English
 * name. Idempotent. Rows that match nothing are counted, not errors.
 */
export async function importCatalogTranslations(
  db: Db,
  file: string,
): Promise<{ matched: number; unmatched: number }> {
  let matched = 0;
  let unmatched = 0;
  await db.transaction(async (tx) => {
    for (const { values: r } of readCsvFile(file)) {
      const ok =
        r.kind === "department"
          ? await repo.setDepartmentNames(
              tx,
              r.name_en ?? "",
              nfc(r.name_pa ?? ""),
              nfc(r.name_hi ?? ""),
            )
          : await repo.setServiceNames(
              tx,
              r.service_list ?? "",
              r.serial ?? "",
              nfc(r.name_pa ?? ""),
              nfc(r.name_hi ?? ""),
            );
      if (ok) matched++;
      else unmatched++;
    }
  });
  return { matched, unmatched };
}
