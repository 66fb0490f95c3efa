/**
 * SQL for officials and sessions.
 */
import { and, eq, gt, lt, sql } from "drizzle-orm";
import type { Queryable } from "../db/client.ts";
import { officials, sessions } from "../db/schema.ts";

export type Official = typeof officials.$inferSelect;
export type Session = typeof sessions.$inferSelect;

/** Inserts an official; on an existing username, updates everything but the id. */
export async function upsertOfficial(
  q: Queryable,
  o: Omit<typeof officials.$inferInsert, "id">,
): Promise<Official> {
  const [row] = await q
    .insert(officials)
    .values(o)
    .onConflictDoUpdate({
      target: officials.username,
      set: {
        passwordHash: sql`excluded.password_hash`,
        name: sql`excluded.name`,
        designation: sql`excluded.designation`,
        role: sql`excluded.role`,
        districtCode: sql`excluded.district_code`,
        departmentId: sql`excluded.department_id`,
      },
    })
    .returning();
  if (!row) throw new Error("upsert returned no row");
  return row;
}

/** The official with this username, or undefined. */
export async function findOfficialByUsername(
  q: Queryable,
  username: string,
): Promise<Official | undefined> {
  const [row] = await q.select().from(officials).where(eq(officials.username, username));
  return row;
}

/** Creates a session row. */
export async function insertSession(q: Queryable, s: typeof sessions.$inferInsert): Promise<void> {
  await q.insert(sessions).values(s);
}

/** A live session (not expired at `now`) with its official, touching `lastSeenAt`. */
export async function touchSession(
  q: Queryable,
  idHash: string,
  now: string,
  idleLimit: string,
): Promise<{ session: Session; official: Official | null } | undefined> {
  const [session] = await q
    .update(sessions)
    .set({ lastSeenAt: now })
    .where(
      and(
        eq(sessions.idHash, idHash),
        gt(sessions.expiresAt, now),
        gt(sessions.lastSeenAt, idleLimit),
      ),
    )
    .returning();
  if (!session) return undefined;
  if (session.officialId === null) return { session, official: null };
  const [official] = await q.select().from(officials).where(eq(officials.id, session.officialId));
  return { session, official: official ?? null };
}

/** Replaces a session's data. */
export async function setSessionData(
  q: Queryable,
  idHash: string,
  data: Record<string, unknown>,
): Promise<void> {
  await q.update(sessions).set({ data }).where(eq(sessions.idHash, idHash));
}

/** Deletes a session (logout). */
export async function deleteSession(q: Queryable, idHash: string): Promise<void> {
  await q.delete(sessions).where(eq(sessions.idHash, idHash));
}

/** Deletes sessions past their absolute expiry. */
export async function deleteExpiredSessions(q: Queryable, now: string): Promise<void> {
  await q.delete(sessions).where(lt(sessions.expiresAt, now));
}
