/**
 * SQL for the holiday calendar.
 */
import { and, asc, eq, gte, inArray, isNull, lte, or, sql } from "drizzle-orm";
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

/** One new holiday row. Returns the row, or undefined when a live one with the same date, name and district exists. */
export async function insertHoliday(
  q: Queryable,
  row: typeof holidays.$inferInsert,
): Promise<Holiday | undefined> {
  const [inserted] = await q.insert(holidays).values(row).onConflictDoNothing().returning();
  return inserted;
}

/** Live (not retired) holidays on a date, of every kind and district. */
export function liveHolidaysOn(q: Queryable, date: string): Promise<Holiday[]> {
  return q
    .select()
    .from(holidays)
    .where(and(eq(holidays.date, date), isNull(holidays.retiredAt)))
    .orderBy(asc(holidays.id));
}

/** A holiday by id, live or retired. */
export async function findHoliday(q: Queryable, id: number): Promise<Holiday | undefined> {
  const [row] = await q.select().from(holidays).where(eq(holidays.id, id));
  return row;
}

/** Marks a live holiday retired at `at`; returns the row, or undefined when it was not live. */
export async function retireHolidayRow(
  q: Queryable,
  id: number,
  at: string,
): Promise<Holiday | undefined> {
  const [row] = await q
    .update(holidays)
    .set({ retiredAt: at })
    .where(and(eq(holidays.id, id), isNull(holidays.retiredAt)))
    .returning();
  return row;
}

/**
 * Holidays dated in `year`, by date, then state-wide before local, then name.
 * `districtCode`: undefined = every district's local holidays too; null = state-wide
 * only; a code = state-wide plus that district's.
 */
export function holidaysOfYear(
  q: Queryable,
  f: { year: number; districtCode?: number | null; includeRetired?: boolean },
): Promise<Holiday[]> {
  const scope =
    f.districtCode === undefined
      ? undefined
      : f.districtCode === null
        ? isNull(holidays.districtCode)
        : or(isNull(holidays.districtCode), eq(holidays.districtCode, f.districtCode));
  return q
    .select()
    .from(holidays)
    .where(
      and(
        gte(holidays.date, `${String(f.year).padStart(4, "0")}-01-01`),
        lte(holidays.date, `${String(f.year).padStart(4, "0")}-12-31`),
        f.includeRetired ? undefined : isNull(holidays.retiredAt),
        scope,
      ),
    )
    .orderBy(
      asc(holidays.date),
      sql`${holidays.districtCode} asc nulls first`,
      asc(holidays.name),
      asc(holidays.id),
    );
}
