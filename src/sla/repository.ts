/**
 * SQL for the holiday calendar.
 */
import { and, eq, inArray, isNull, or, sql } from "drizzle-orm";
import type { Queryable } from "../db/client.ts";
import { holidays } from "../db/schema.ts";

export type Holiday = typeof holidays.$inferSelect;

/** Inserts holidays that are not already live (same date, name and district). Returns how many were new. */
export async function insertHolidays(
  q: Queryable,
  rows: Array<typeof holidays.$inferInsert>,
): Promise<number> {
  if (rows.length === 0) return 0;
  const inserted = await q
    .insert(holidays)
    .values(rows)
    .onConflictDoNothing()
    .returning({ id: holidays.id });
  return inserted.length;
}

/** Dates that close offices in a district: state gazetted holidays plus that district's local ones. */
export async function closingDates(q: Queryable, districtCode: number | null): Promise<string[]> {
  const scope =
    districtCode === null
      ? isNull(holidays.districtCode)
      : or(isNull(holidays.districtCode), eq(holidays.districtCode, districtCode));
  const result = await q
    .selectDistinct({ date: holidays.date })
    .from(holidays)
    .where(and(isNull(holidays.retiredAt), inArray(holidays.kind, ["gazetted", "local"]), scope));
  return result.map((r) => r.date);
}

/** Number of live state-wide gazetted holidays per year. */
export async function gazettedCountByYear(q: Queryable): Promise<Map<number, number>> {
  const result = await q
    .select({
      year: sql<number>`extract(year from ${holidays.date})::int`,
      n: sql<number>`count(*)::int`,
    })
    .from(holidays)
    .where(
      and(isNull(holidays.retiredAt), eq(holidays.kind, "gazetted"), isNull(holidays.districtCode)),
    )
    .groupBy(sql`1`);
  return new Map(result.map((r) => [r.year, r.n]));
}
