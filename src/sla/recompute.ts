/**
 * Scheduling the due-date recompute after a holiday change.
 *
 * Adding or retiring a holiday (service.ts) returns a {@link RecomputeScope}: the
 * district (or the whole state) and the first date whose status changed. After the
 * change commits, the caller hands the scope to {@link scheduleRecompute}:
 *
 * - when this process runs the job system for the same database (src/jobs/queue.ts
 *   registers a sender with {@link registerRecomputeQueue} at start), the scope is
 *   queued as a `recompute-due-dates` job, so the admin's request returns at once and
 *   any worker node does the work;
 * - otherwise (a web node started with `SEWA_WORKERS=0`, the CLI, tests without jobs)
 *   the recompute runs inline with `recomputeDueDates` (src/applications/service.ts).
 *
 * Either way the work is the same idempotent function, so a job retried after a
 * failure, or a recompute that runs twice, changes nothing more. The registry is per
 * process and keyed by database handle; it holds no state that nodes must share
 * (ARCHITECTURE.md §1).
 *
 * Known limit: the job is sent after the holiday change commits, not in its
 * transaction. If the process dies in between, due dates stay as they were until the
 * next officer action on each application recomputes it (applications/service.ts
 * `transition`) or until another change to that district's calendar.
 */
import type { Temporal } from "temporal-polyfill";
import { recomputeDueDates } from "../applications/service.ts";
import type { Db } from "../db/client.ts";
import type { RecomputeScope } from "./service.ts";

/** Queues a recompute (the job system's `send`). */
export type RecomputeSender = (scope: RecomputeScope) => Promise<unknown>;

/** What {@link scheduleRecompute} did. */
export type RecomputeOutcome =
  | { queued: true }
  | { queued: false; examined: number; changed: number };

const senders = new WeakMap<Db, RecomputeSender>();

/**
 * Makes {@link scheduleRecompute} queue recomputes for `db` through `send` (called by
 * the job system when it starts). @returns a function that undoes the registration.
 */
export function registerRecomputeQueue(db: Db, send: RecomputeSender): () => void {
  senders.set(db, send);
  return () => {
    if (senders.get(db) === send) senders.delete(db);
  };
}

/**
 * Queues the recompute of `scope` when a job system runs in this process for `db`,
 * otherwise runs it inline at `now`. Call after the holiday change has committed.
 */
export async function scheduleRecompute(
  db: Db,
  scope: RecomputeScope,
  now: Temporal.Instant,
): Promise<RecomputeOutcome> {
  const send = senders.get(db);
  if (send) {
    await send(scope);
    return { queued: true };
  }
  return { queued: false, ...(await recomputeDueDates(db, { ...scope, now })) };
}
