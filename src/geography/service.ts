/**
 * Geography: Punjab's districts, tehsils and urban local bodies with LGD codes.
 *
 * Source: Local Government Directory (lgdirectory.gov.in) via the files in
 * `data/` (see data/README.md for provenance and licence, GODL-India).
 */
import path from "node:path";
import { readCsvFile } from "../common/csv.ts";
import type { Queryable } from "../db/client.ts";
import * as repo from "./repository.ts";

export type { District, Tehsil } from "./repository.ts";
export { countGeography, listDistricts, listTehsils } from "./repository.ts";

/**
 * Imports (upserts) the three LGD files and Sewa's district abbreviations from `dataDir`. Idempotent.
 * @returns the number of rows read from each file.
 * @throws Error when a file is missing or a code is not an integer.
 */
export async function importGeography(
  q: Queryable,
  dataDir: string,
): Promise<{ districts: number; tehsils: number; urbanLocalBodies: number }> {
  const int = (v: string | undefined, what: string, line: number): number => {
    const n = Number(v);
    if (!Number.isInteger(n)) throw new Error(`${what} is not an integer on line ${line}: ${v}`);
    return n;
  };
  const abbreviations = new Map(
    readCsvFile(path.join(dataDir, "district-abbreviations.csv")).map(({ line, values: r }) => [
      int(r.district_code, "district_code", line),
      r.abbreviation ?? "",
    ]),
  );
  const d = readCsvFile(path.join(dataDir, "lgd-punjab-districts.csv")).map(
    ({ line, values: r }) => ({
      code: int(r.district_code, "district_code", line),
      name: r.district_name_display ?? "",
      nameLgd: r.district_name_lgd ?? "",
      alternativeNames: r.alternative_names ?? "",
      census2001Code: r.census_2001_code ?? "",
      census2011Code: r.census_2011_code ?? "",
      abbreviation: abbreviations.get(Number(r.district_code)) || null,
    }),
  );
  const t = readCsvFile(path.join(dataDir, "lgd-punjab-subdistricts.csv")).map(
    ({ line, values: r }) => ({
      code: int(r.subdistrict_code, "subdistrict_code", line),
      districtCode: int(r.district_code, "district_code", line),
      version: int(r.subdistrict_version, "subdistrict_version", line),
      name: r.subdistrict_name_display ?? "",
      nameLgd: r.subdistrict_name_lgd ?? "",
      alternativeNames: r.alternative_names ?? "",
      census2001Code: r.census_2001_code ?? "",
      census2011Code: r.census_2011_code ?? "",
    }),
  );
  const u = readCsvFile(path.join(dataDir, "lgd-punjab-ulbs.csv")).map(({ line, values: r }) => ({
    code: int(r.localbody_code, "localbody_code", line),
    version: int(r.localbody_version, "localbody_version", line),
    name: r.localbody_name_lgd ?? "",
    nameLocal: r.localbody_name_local ?? "",
    typeCode: int(r.localbody_type_code, "localbody_type_code", line),
    typeName: r.localbody_type_lgd ?? "",
    census2011Code: r.census_2011_code ?? "",
    districtCode: int(r.district_code, "district_code", line),
  }));
  await repo.upsertDistricts(q, d);
  await repo.upsertTehsils(q, t);
  await repo.upsertUrbanLocalBodies(q, u);
  return { districts: d.length, tehsils: t.length, urbanLocalBodies: u.length };
}

/** Map of district LGD code to the set of its tehsil codes, for validating addresses. */
export async function tehsilsByDistrict(q: Queryable): Promise<Map<number, Set<number>>> {
  const map = new Map<number, Set<number>>();
  for (const d of await repo.listDistricts(q)) map.set(d.code, new Set());
  for (const t of await repo.listTehsils(q)) map.get(t.districtCode)?.add(t.code);
  return map;
}
