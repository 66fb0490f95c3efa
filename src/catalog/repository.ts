/**
 * SQL for the catalog: departments and notified services.
 */
import { type AnyColumn, and, asc, eq, ilike, or, sql } from "drizzle-orm";
import type { Queryable } from "../db/client.ts";
import { departments, services } from "../db/schema.ts";
import type { ScheduleRow } from "./schedule.ts";

export type Department = typeof departments.$inferSelect;
export type ServiceRecord = typeof services.$inferSelect;
/** A service with its department's name and code. */
export type ServiceWithDepartment = ServiceRecord & {
  departmentName: string;
  /** Punjabi and Hindi names of the department; empty until translated. */
  departmentNamePa: string;
  departmentNameHi: string;
  departmentCode: string;
};

/** Inserts missing departments; returns a map of department name to id. */
export async function ensureDepartments(
  q: Queryable,
  list: Array<{ code: string; name: string }>,
): Promise<Map<string, number>> {
  if (list.length > 0) {
    await q.insert(departments).values(list).onConflictDoNothing();
  }
  const all = await q.select().from(departments);
  return new Map(all.map((d) => [d.name, d.id]));
}

/**
 * Upserts one schedule row by (service_list, serial).
 * @returns "inserted", "updated", or "unchanged" (no column differed).
 */
export async function upsertService(
  q: Queryable,
  row: ScheduleRow,
  departmentId: number,
): Promise<"inserted" | "updated" | "unchanged"> {
  const values = {
    code: row.code,
    departmentId,
    serviceList: row.serviceList,
    serial: row.serial,
    act: row.act,
    name: row.name,
    timeLimitDays: row.timeLimitDays,
    timeLimitBasis: row.timeLimitBasis,
    designatedOfficer: row.designatedOfficer,
    firstAppellateAuthority: row.firstAppellateAuthority,
    secondAppellateAuthority: row.secondAppellateAuthority,
    feePaise: row.feePaise,
    sourceUrl: row.sourceUrl,
    notes: row.notes,
  };
  const changed = sql`(${services.code}, ${services.departmentId}, ${services.act}, ${services.name}, ${services.timeLimitDays}, ${services.timeLimitBasis}, ${services.designatedOfficer}, ${services.firstAppellateAuthority}, ${services.secondAppellateAuthority}, ${services.feePaise}, ${services.sourceUrl}, ${services.notes})
    is distinct from (excluded.code, excluded.department_id, excluded.act, excluded.name, excluded.time_limit_days, excluded.time_limit_basis, excluded.designated_officer, excluded.first_appellate_authority, excluded.second_appellate_authority, excluded.fee_paise, excluded.source_url, excluded.notes)`;
  const result = await q
    .insert(services)
    .values(values)
    .onConflictDoUpdate({
      target: [services.serviceList, services.serial],
      set: {
        code: sql`excluded.code`,
        departmentId: sql`excluded.department_id`,
        act: sql`excluded.act`,
        name: sql`excluded.name`,
        timeLimitDays: sql`excluded.time_limit_days`,
        timeLimitBasis: sql`excluded.time_limit_basis`,
        designatedOfficer: sql`excluded.designated_officer`,
        firstAppellateAuthority: sql`excluded.first_appellate_authority`,
        secondAppellateAuthority: sql`excluded.second_appellate_authority`,
        feePaise: sql`excluded.fee_paise`,
        sourceUrl: sql`excluded.source_url`,
        notes: sql`excluded.notes`,
        updatedAt: sql`now()`,
      },
      setWhere: changed,
    })
    .returning({ inserted: sql<boolean>`(xmax = 0)` });
  const first = result[0];
  if (!first) return "unchanged";
  return first.inserted ? "inserted" : "updated";
}

/** Searches services by name (case-insensitive substring) and department code, ordered by department then name. */
export async function searchServices(
  q: Queryable,
  filter: { text?: string; departmentCode?: string; limit?: number },
): Promise<ServiceWithDepartment[]> {
  const conditions = [];
  if (filter.text) {
    const words = filter.text.split(/\s+/).filter(Boolean).slice(0, 8);
    for (const w of words) {
      const pattern = `%${w.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      // Names are compared in NFC (the query is NFC too): a name stored with a composed nukta
      // letter (ਸ਼ U+0A36, as a definition's author may type it) matches the decomposed query.
      const like = (column: AnyColumn) => sql`normalize(${column}, NFC) ilike ${pattern}`;
      conditions.push(
        or(
          ilike(services.name, pattern),
          like(services.namePa),
          like(services.nameHi),
          ilike(departments.name, pattern),
          like(departments.namePa),
          like(departments.nameHi),
        ),
      );
    }
  }
  if (filter.departmentCode) conditions.push(eq(departments.code, filter.departmentCode));
  const rows = await q
    .select(servicesColumns())
    .from(services)
    .innerJoin(departments, eq(departments.id, services.departmentId))
    .where(conditions.length > 0 ? and(...conditions) : undefined)
    .orderBy(asc(departments.name), asc(services.name))
    .limit(filter.limit ?? 1000);
  return rows as ServiceWithDepartment[];
}

/** One service by numeric id, or undefined. */
export async function getService(
  q: Queryable,
  id: number,
): Promise<ServiceWithDepartment | undefined> {
  const rows = await q
    .select(servicesColumns())
    .from(services)
    .innerJoin(departments, eq(departments.id, services.departmentId))
    .where(eq(services.id, id));
  return rows[0] as ServiceWithDepartment | undefined;
}

/** Departments with the number of services each has, by name. */
export async function listDepartments(
  q: Queryable,
): Promise<Array<Department & { serviceCount: number }>> {
  return q
    .select({
      id: departments.id,
      code: departments.code,
      name: departments.name,
      namePa: departments.namePa,
      nameHi: departments.nameHi,
      serviceCount: sql<number>`count(${services.id})::int`,
    })
    .from(departments)
    .leftJoin(services, eq(services.departmentId, departments.id))
    .groupBy(departments.id)
    .orderBy(asc(departments.name));
}

function servicesColumns() {
  return {
    id: services.id,
    code: services.code,
    departmentId: services.departmentId,
    serviceList: services.serviceList,
    serial: services.serial,
    act: services.act,
    name: services.name,
    namePa: services.namePa,
    nameHi: services.nameHi,
    timeLimitDays: services.timeLimitDays,
    timeLimitBasis: services.timeLimitBasis,
    designatedOfficer: services.designatedOfficer,
    firstAppellateAuthority: services.firstAppellateAuthority,
    secondAppellateAuthority: services.secondAppellateAuthority,
    feePaise: services.feePaise,
    sourceUrl: services.sourceUrl,
    notes: services.notes,
    form: services.form,
    createdAt: services.createdAt,
    updatedAt: services.updatedAt,
    departmentName: departments.name,
    departmentNamePa: departments.namePa,
    departmentNameHi: departments.nameHi,
    departmentCode: departments.code,
  };
}

/** Sets the Punjabi and Hindi names of a service, by its schedule identity. Returns whether a row matched. */
export async function setServiceNames(
  q: Queryable,
  serviceList: string,
  serial: string,
  namePa: string,
  nameHi: string,
): Promise<boolean> {
  const rows = await q
    .update(services)
    .set({ namePa, nameHi })
    .where(and(eq(services.serviceList, serviceList), eq(services.serial, serial)))
    .returning({ id: services.id });
  return rows.length > 0;
}

/** Sets the Punjabi and Hindi names of a department, by its English name. Returns whether a row matched. */
export async function setDepartmentNames(
  q: Queryable,
  name: string,
  namePa: string,
  nameHi: string,
): Promise<boolean> {
  const rows = await q
    .update(departments)
    .set({ namePa, nameHi })
    .where(eq(departments.name, name))
    .returning({ id: departments.id });
  return rows.length > 0;
}
