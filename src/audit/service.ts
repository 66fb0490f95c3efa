/**
 * The append-only, hash-chained audit log (ARCHITECTURE.md §4).
 *
 * Chained per stream (e.g. `application:123`, `official:7`) so writes in
 * different streams never wait on each other; within a stream an advisory
 * transaction lock orders appends. Call {@link appendAudit} inside the same
 * transaction as the state change it records.
 */
import { and, asc, desc, eq, gte, lt, sql } from "drizzle-orm";
import { Temporal } from "temporal-polyfill";
import { isoOf } from "../common/time.ts";
import { type Queryable, rows } from "../db/client.ts";
import { auditAnchors, auditLog } from "../db/schema.ts";
import { startOfIstDay } from "../sla/clock.ts";
import { chainHash, GENESIS_HASH } from "./chain.ts";
import { merkleRoot } from "./merkle.ts";

/** One audit entry to append. `at` is an ISO instant; `data` must hold no Aadhaar or secrets. */
export type AuditEntry = {
  stream: string;
  actor: string;
  action: string;
  data?: Record<string, unknown>;
  at: string;
};

/** Appends an entry to its stream's chain. Must run inside a transaction. */
export async function appendAudit(tx: Queryable, e: AuditEntry): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${e.stream}, 0))`);
  const last = await rows<{ seq: number; hash: string }>(
    tx,
    sql`select seq, hash from audit_log where stream = ${e.stream} order by seq desc limit 1`,
  );
  const seq = (last[0]?.seq ?? 0) + 1;
  const prevHash = last[0]?.hash ?? GENESIS_HASH;
  const at = isoOf(e.at);
  const data = e.data ?? {};
  const hash = chainHash(prevHash, {
    stream: e.stream,
    seq,
    at,
    actor: e.actor,
    action: e.action,
    data,
  });
  await tx
    .insert(auditLog)
    .values({ stream: e.stream, seq, at, actor: e.actor, action: e.action, data, prevHash, hash });
}

/** The result of walking the chains: ok, or the first broken record. */
export type VerifyResult =
  | { ok: true; records: number }
  | { ok: false; records: number; stream: string; seq: number; reason: string };

/** Walks every stream's chain in order and reports the first broken link. */
export async function verifyAudit(q: Queryable): Promise<VerifyResult> {
  const all = await q.select().from(auditLog).orderBy(asc(auditLog.stream), asc(auditLog.seq));
  let stream = "";
  let prev = GENESIS_HASH;
  let expectedSeq = 1;
  for (const r of all) {
    if (r.stream !== stream) {
      stream = r.stream;
      prev = GENESIS_HASH;
      expectedSeq = 1;
    }
    const fail = (reason: string): VerifyResult => ({
      ok: false,
      records: all.length,
      stream: r.stream,
      seq: r.seq,
      reason,
    });
    if (r.seq !== expectedSeq) return fail(`sequence gap: expected ${expectedSeq}`);
    if (r.prevHash !== prev) return fail("previous-hash link does not match");
    const hash = chainHash(prev, {
      stream: r.stream,
      seq: r.seq,
      at: r.at,
      actor: r.actor,
      action: r.action,
      data: r.data,
    });
    if (hash !== r.hash) return fail("record content does not match its hash");
    prev = r.hash;
    expectedSeq++;
  }
  return { ok: true, records: all.length };
}

/** The stream heads among records with id ≤ `upToId`, as Merkle leaves `stream:seq:hash`, sorted. */
async function headsUpTo(
  q: Queryable,
  upToId: number,
): Promise<{ leaves: string[]; records: number }> {
  const heads = await rows<{ stream: string; seq: number; hash: string }>(
    q,
    sql`select distinct on (stream) stream, seq, hash from audit_log where id <= ${upToId} order by stream, seq desc`,
  );
  const [count] = await rows<{ n: number }>(
    q,
    sql`select count(*)::int as n from audit_log where id <= ${upToId}`,
  );
  return {
    leaves: heads.map((h) => `${h.stream}:${h.seq}:${h.hash}`).sort(),
    records: count?.n ?? 0,
  };
}

/**
 * Anchors a day: the Merkle root of every stream's head over all records
 * written so far. Run it once a day (a job does, after midnight IST) and
 * publish the root. Idempotent: an existing anchor for the day is kept.
 */
export async function anchorDay(
  q: Queryable,
  day: string,
): Promise<{ day: string; root: string; streams: number; records: number }> {
  const [max] = await rows<{ id: string | number | null }>(
    q,
    sql`select max(id) as id from audit_log`,
  );
  const upToId = Number(max?.id ?? 0);
  const { leaves, records } = await headsUpTo(q, upToId);
  await q
    .insert(auditAnchors)
    .values({ day, upToId, root: merkleRoot(leaves), streams: leaves.length, records })
    .onConflictDoNothing();
  const [stored] = await q.select().from(auditAnchors).where(eq(auditAnchors.day, day));
  if (!stored) throw new Error("anchor not stored");
  return { day, root: stored.root, streams: stored.streams, records: stored.records };
}

/** Recomputes every anchor; returns the first day whose root no longer matches, or undefined. */
export async function verifyAnchors(
  q: Queryable,
): Promise<{ day: string; reason: string } | undefined> {
  for (const a of await q.select().from(auditAnchors).orderBy(asc(auditAnchors.day))) {
    const { leaves } = await headsUpTo(q, a.upToId);
    if (merkleRoot(leaves) !== a.root)
      return { day: a.day, reason: "the day's Merkle root no longer matches the audit log" };
  }
  return undefined;
}

/** A search of the audit trail (all filters optional). Dates are IST, inclusive. */
export type AuditQuery = {
  stream?: string;
  actor?: string;
  from?: string;
  to?: string;
  limit?: number;
};

/** Audit records matching the query, newest first. */
export async function searchAudit(q: Queryable, f: AuditQuery) {
  const conditions = [];
  if (f.stream) conditions.push(eq(auditLog.stream, f.stream));
  if (f.actor) conditions.push(eq(auditLog.actor, f.actor));
  if (f.from) conditions.push(gte(auditLog.at, startOfIstDay(f.from).toString()));
  if (f.to)
    conditions.push(
      lt(auditLog.at, startOfIstDay(Temporal.PlainDate.from(f.to).add({ days: 1 })).toString()),
    );
  return q
    .select()
    .from(auditLog)
    .where(conditions.length ? and(...conditions) : undefined)
    .orderBy(desc(auditLog.at), desc(auditLog.id))
    .limit(f.limit ?? 500);
}
