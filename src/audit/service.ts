/**
 * The append-only, hash-chained audit log (ARCHITECTURE.md §4).
 *
 * Chained per stream (e.g. `application:123`, `official:7`) so writes in
 * different streams never wait on each other; within a stream an advisory
 * transaction lock orders appends. Call {@link appendAudit} inside the same
 * transaction as the state change it records.
 */
import { asc, sql } from "drizzle-orm";
import { isoOf } from "../common/time.ts";
import { type Queryable, rows } from "../db/client.ts";
import { auditLog } from "../db/schema.ts";
import { chainHash, GENESIS_HASH } from "./chain.ts";

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
