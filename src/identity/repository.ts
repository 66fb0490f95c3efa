/**
 * SQL for officials and sessions.
 */
import { and, eq, gt, lt, sql } from "drizzle-orm";
import type { Queryable } from "../db/client.ts";
import { kendras, officials, postings, sessions } from "../db/schema.ts";

export type Official = typeof officials.$inferSelect;
export type Posting = typeof postings.$inferSelect;
export type Session = typeof sessions.$inferSelect;

/** Inserts an official; on an existing username, updates everything but the id. */
export async function upsertOfficial(
  q: Queryable,
  o: Pick<typeof officials.$inferInsert, "username" | "passwordHash" | "name" | "designation">,
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

/** All postings of an official (past, present and future), oldest first. */
export function postingsOf(q: Queryable, officialId: number): Promise<Posting[]> {
  return q.select().from(postings).where(eq(postings.officialId, officialId)).orderBy(postings.id);
}

/** The district (LGD code) of a Sewa Kendra, or undefined for an unknown code. */
export async function kendraDistrictOf(q: Queryable, code: string): Promise<number | undefined> {
  const [row] = await q
    .select({ districtCode: kendras.districtCode })
    .from(kendras)
    .where(eq(kendras.code, code));
  return row?.districtCode;
}

/** Adds a posting. */
export async function insertPosting(
  q: Queryable,
  p: typeof postings.$inferInsert,
): Promise<Posting> {
  const [row] = await q.insert(postings).values(p).returning();
  if (!row) throw new Error("insert returned no row");
  return row;
}

/** Ends a posting on a date (inclusive); returns it, or undefined when unknown. */
export async function endPosting(
  q: Queryable,
  id: number,
  validTo: string,
): Promise<Posting | undefined> {
  const [row] = await q.update(postings).set({ validTo }).where(eq(postings.id, id)).returning();
  return row;
}

/** Records a failed sign-in; locks the account at `lockAt` failures. Returns the new count. */
export async function recordFailedLogin(
  q: Queryable,
  id: number,
  lockAt: number,
  now: string,
): Promise<number> {
  const [row] = await q
    .update(officials)
    .set({
      failedLogins: sql`${officials.failedLogins} + 1`,
      lockedAt: sql`case when ${officials.failedLogins} + 1 >= ${lockAt} and ${officials.lockedAt} is null then ${now}::timestamptz else ${officials.lockedAt} end`,
    })
    .where(eq(officials.id, id))
    .returning({ n: officials.failedLogins });
  return row?.n ?? 0;
}

/** Clears failed sign-ins (after a success) or a lock (admin unlock). */
export async function resetLogin(q: Queryable, id: number, unlock: boolean): Promise<void> {
  await q
    .update(officials)
    .set(unlock ? { failedLogins: 0, lockedAt: null } : { failedLogins: 0 })
    .where(eq(officials.id, id));
}

/** Stores a TOTP secret and, when `enabledAt` is given, marks enrolment complete. */
export async function setTotp(
  q: Queryable,
  id: number,
  secret: string | null,
  enabledAt: string | null,
): Promise<void> {
  await q
    .update(officials)
    .set({ totpSecret: secret, totpEnabledAt: enabledAt })
    .where(eq(officials.id, id));
}

/** An official by id. */
export async function findOfficialById(q: Queryable, id: number): Promise<Official | undefined> {
  const [row] = await q.select().from(officials).where(eq(officials.id, id));
  return row;
}

/** All officials, by username. */
export function listOfficials(q: Queryable): Promise<Official[]> {
  return q.select().from(officials).orderBy(officials.username);
}
