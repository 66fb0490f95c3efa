/**
 * Background work on a PostgreSQL-backed job queue (pg-boss), so any number of
 * app nodes can share one database (ARCHITECTURE.md §1). On the embedded
 * database pg-boss runs through its PGlite adapter.
 *
 * Jobs today: `sla-sweep` (every minute): the breach sweep of src/sla/sweep.ts,
 * then auto-appeal when it is on (src/appeals/service.ts);
 * `audit-anchor` (00:05 IST daily): the Merkle anchor of the previous day's audit log;
 * `recompute-due-dates` (on demand, after a holiday is added or retired): the due
 * dates of open applications that the change can move (src/sla/recompute.ts);
 * `notify` (every minute, when senders are given): drains the outbox into SMS,
 * email and log messages and retries the due failures (src/notifications/consumer.ts);
 * `remind-uncollected` (09:00 IST daily): one SMS reminder per output uncollected for 30
 * calendar days at a Sewa Kendra (src/kendras/handover/service.ts).
 * The sweep also folds the pendency rollup's deltas in (src/monitoring/, issue 6).
 */
import { fromPglite, PgBoss } from "pg-boss";
import { Temporal } from "temporal-polyfill";
import type { AppealChain } from "../appeals/chain.ts";
import { autoAppealBreaches } from "../appeals/service.ts";
import { recomputeDueDates } from "../applications/service.ts";
import { anchorDay } from "../audit/service.ts";
import type { Database } from "../db/client.ts";
import { remindUncollected } from "../kendras/handover/service.ts";
import { compactRollup } from "../monitoring/service.ts";
import { processOutbox, retryFailed, type Senders } from "../notifications/consumer.ts";
import type { PaymentGateway } from "../payments/gateway.ts";
import { recordReconciliation } from "../payments/service.ts";
import { type Clock, istDateOf } from "../sla/clock.ts";
import { registerRecomputeQueue } from "../sla/recompute.ts";
import type { RecomputeScope } from "../sla/service.ts";
import { sweepBreaches } from "../sla/sweep.ts";

/** Queue names. */
export const QUEUES = {
  slaSweep: "sla-sweep",
  auditAnchor: "audit-anchor",
  recomputeDueDates: "recompute-due-dates",
  notify: "notify",
  reconcilePayments: "reconcile-payments",
  remindUncollected: "remind-uncollected",
} as const;

/** A running job system and how to stop it. */
export type Jobs = { boss: PgBoss; stop(): Promise<void> };

/**
 * Starts pg-boss, creates the queues, schedules the sweep (cron, UTC) and
 * starts the workers. While it runs, holiday changes on this database are queued
 * as `recompute-due-dates` jobs instead of running inline (src/sla/recompute.ts).
 * @param opts.schedule false to create queues and workers without the cron schedule (tests).
 */
export async function startJobs(
  database: Database,
  clock: Clock,
  opts: {
    schedule?: boolean;
    log?: (msg: string, err?: unknown) => void;
    /** File first appeals automatically after each sweep (`SEWA_AUTO_APPEAL=1`), on this chain. */
    autoAppeal?: AppealChain;
    /** Send notifications from the outbox through these (the `notify` worker); absent: no worker. */
    notify?: Senders;
    /** Reconcile yesterday's online payments with this gateway's settlement report, nightly. */
    gateway?: PaymentGateway;
  } = {},
): Promise<Jobs> {
  const boss =
    database.kind === "pglite" && database.pglite
      ? new PgBoss({
          db: fromPglite(database.pglite),
          backend: "pglite",
          schema: "pgboss",
        } as ConstructorParameters<typeof PgBoss>[0])
      : new PgBoss({ connectionString: database.url as string, schema: "pgboss", max: 4 });
  boss.on("error", (e: unknown) => opts.log?.("job system error", e));
  await boss.start();
  await boss.createQueue(QUEUES.slaSweep);
  await boss.work(QUEUES.slaSweep, async () => {
    const now = clock.now();
    await sweepBreaches(database.db, now);
    if (opts.autoAppeal) await autoAppealBreaches(database.db, opts.autoAppeal, now);
    // Exact either way (readers add the deltas); this keeps the delta table small.
    await compactRollup(database.db);
  });
  await boss.createQueue(QUEUES.auditAnchor);
  await boss.work(QUEUES.auditAnchor, async () => {
    // Anchor the IST day that has just ended.
    const yesterday = Temporal.PlainDate.from(istDateOf(clock.now()))
      .subtract({ days: 1 })
      .toString();
    await database.db.transaction((tx) => anchorDay(tx, yesterday));
  });
  await boss.createQueue(QUEUES.recomputeDueDates);
  await boss.work<RecomputeScope>(QUEUES.recomputeDueDates, async (jobs) => {
    // Idempotent, so a retry after a failure is safe; `now` is when the job runs.
    for (const job of jobs) await recomputeDueDates(database.db, { ...job.data, now: clock.now() });
  });
  await boss.createQueue(QUEUES.notify);
  const senders = opts.notify;
  if (senders) {
    await boss.work(QUEUES.notify, async () => {
      // Idempotent per (event, recipient, channel): overlapping runs on several nodes are safe (C-21).
      await processOutbox(database.db, senders, clock.now());
      await retryFailed(database.db, senders, clock.now());
    });
  }
  await boss.createQueue(QUEUES.reconcilePayments);
  const gateway = opts.gateway;
  if (gateway) {
    await boss.work(QUEUES.reconcilePayments, async () => {
      const yesterday = Temporal.PlainDate.from(istDateOf(clock.now()))
        .subtract({ days: 1 })
        .toString();
      await recordReconciliation(database.db, gateway, yesterday, clock.now());
    });
  }
  await boss.createQueue(QUEUES.remindUncollected);
  // Idempotent (remindedAt is set with the outbox event): a rerun or a second node reminds no one twice.
  await boss.work(QUEUES.remindUncollected, async () => {
    await remindUncollected(database.db, clock.now());
  });
  const unregister = registerRecomputeQueue(database.db, (scope) =>
    boss.send(QUEUES.recomputeDueDates, scope),
  );
  if (opts.schedule !== false) {
    await boss.schedule(QUEUES.slaSweep, "* * * * *");
    await boss.schedule(QUEUES.auditAnchor, "5 0 * * *", null, { tz: "Asia/Kolkata" });
    await boss.schedule(QUEUES.remindUncollected, "0 9 * * *", null, { tz: "Asia/Kolkata" });
    if (senders) await boss.schedule(QUEUES.notify, "* * * * *");
    if (gateway)
      await boss.schedule(QUEUES.reconcilePayments, "30 2 * * *", null, { tz: "Asia/Kolkata" });
  }
  return {
    boss,
    async stop() {
      unregister();
      await boss.stop({ graceful: true, timeout: 5000 });
    },
  };
}
