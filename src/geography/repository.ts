/**
 * SQL for geography: districts, tehsils and urban local bodies (LGD codes).
 */
import { asc, eq, sql } from "drizzle-orm";
import type { Queryable } from "../db/client.ts";
import { districts, tehsils, urbanLocalBodies } from "../db/schema.ts";

export type District = typeof districts.$inferSelect;
export type Tehsil = typeof tehsils.$inferSelect;
export type UrbanLocalBody = typeof urbanLocalBodies.$inferSelect;

/** Inserts or updates districts by LGD code. */
export async function upsertDistricts(q: Queryable, rows: District[]): Promise<void> {
  if (rows.length === 0) return;
  await q
    .insert(districts)
    .values(rows)
    .onConflictDoUpdate({
      target: districts.code,
      set: {
        name: sql`excluded.name`,
        nameLgd: sql`excluded.name_lgd`,
        alternativeNames: sql`excluded.alternative_names`,
        census2001Code: sql`excluded.census_2001_code`,
        census2011Code: sql`excluded.census_2011_code`,
        abbreviation: sql`excluded.abbreviation`,
      },
    });
}

/** Inserts or updates tehsils by LGD code. */
export async function upsertTehsils(q: Queryable, rows: Tehsil[]): Promise<void> {
  if (rows.length === 0) return;
  await q
    .insert(tehsils)
    .values(rows)
    .onConflictDoUpdate({
      target: tehsils.code,
      set: {
        districtCode: sql`excluded.district_code`,
        version: sql`excluded.version`,
        name: sql`excluded.name`,
        nameLgd: sql`excluded.name_lgd`,
        alternativeNames: sql`excluded.alternative_names`,
        census2001Code: sql`excluded.census_2001_code`,
        census2011Code: sql`excluded.census_2011_code`,
      },
    });
}

/** Inserts or updates urban local bodies by LGD code. */
export async function upsertUrbanLocalBodies(q: Queryable, rows: UrbanLocalBody[]): Promise<void> {
  if (rows.length === 0) return;
  await q
    .insert(urbanLocalBodies)
    .values(rows)
    .onConflictDoUpdate({
      target: urbanLocalBodies.code,
      set: {
        version: sql`excluded.version`,
        name: sql`excluded.name`,
        nameLocal: sql`excluded.name_local`,
        typeCode: sql`excluded.type_code`,
        typeName: sql`excluded.type_name`,
        census2011Code: sql`excluded.census_2011_code`,
        districtCode: sql`excluded.district_code`,
      },
    });
}

/** All districts, by name. */
export function listDistricts(q: Queryable): Promise<District[]> {
  return q.select().from(districts).orderBy(asc(districts.name));
}

/** All tehsils (optionally of one district), by name. */
export function listTehsils(q: Queryable, districtCode?: number): Promise<Tehsil[]> {
  const base = q.select().from(tehsils);
  return (
    districtCode === undefined ? base : base.where(eq(tehsils.districtCode, districtCode))
  ).orderBy(asc(tehsils.name));
}

/** Counts of the reference rows, for health checks and the seed summary. */
export async function countGeography(
  q: Queryable,
): Promise<{ districts: number; tehsils: number; urbanLocalBodies: number }> {
  const [d] = await q.select({ n: sql<number>`count(*)::int` }).from(districts);
  const [t] = await q.select({ n: sql<number>`count(*)::int` }).from(tehsils);
  const [u] = await q.select({ n: sql<number>`count(*)::int` }).from(urbanLocalBodies);
  return { districts: d?.n ?? 0, tehsils: t?.n ?? 0, urbanLocalBodies: u?.n ?? 0 };
}
