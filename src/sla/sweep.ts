/**
 * The breach sweep: marks applications whose due date has passed (overdue)
 * and those due within 1 working day (at risk), exactly once each.
 *
 * Idempotent and safe with any number of workers: candidates are claimed with
 * `FOR UPDATE SKIP LOCKED` and guarded by `overdue_since IS NULL` /
 * `at_risk_since IS NULL`, in one transaction per batch with the timeline
 * entry, the audit record and the outbox event (which notifies the designated
 * officer and the first appellate authority). A partial index on the due date
 * of open, unbreached applications keeps each run to the rows that changed.
 *
 * Rule: overdue from 00:00 IST on the day after the due date (shared/cases
 * README, "The counting rule"); at risk = due on or before the next working day
 * ({@link breachWindow}, which the due-date recompute after a holiday change also
 * uses to clear a breach that a later due date undoes).
 */
import { sql } from "drizzle-orm";
import type { Temporal } from "temporal-polyfill";
import { appendAudit } from "../audit/service.ts";
import { type Db, rows } from "../db/client.ts";
import { applicationEvents } from "../db/schema.ts";
import { emit } from "../notifications/outbox.ts";
import { breachWindow } from "./service.ts";

/** Applications claimed per transaction. */
export const SWEEP_BATCH = 500;

type Candidate = {
  id: number;
  reference: string;
  district_code: number;
  department_id: number;
  due_date: string;
  status: string;
};

/**
 * Runs one sweep at `now`.
 * @returns how many applications became overdue and how many at risk in this run.
 */
export async function sweepBreaches(
  db: Db,
  now: Temporal.Instant,
  batch = SWEEP_BATCH,
): Promise<{ overdue: number; atRisk: number }> {
  const { today, atRiskThrough: riskThrough } = await breachWindow(db, now);
  const at = now.toString();
  let overdue = 0;
  let atRisk = 0;
  for (;;) {
    const n = await db.transaction(async (tx) => {
      const claimed = await rows<Candidate>(
        tx,
        sql`select id, reference, district_code, department_id, due_date::text as due_date, status from applications
            where status in ('submitted', 'resubmitted') and overdue_since is null and due_date < ${today}
            order by due_date, id limit ${batch} for update skip locked`,
      );
      for (const c of claimed) {
        await tx.execute(
          sql`update applications set overdue_since = ${at} where id = ${c.id} and overdue_since is null`,
        );
        await tx.insert(applicationEvents).values({
          applicationId: c.id,
          at,
          action: "overdue",
          fromStatus: c.status,
          toStatus: c.status,
          actorKind: "system",
          dueDate: c.due_date,
        });
        await appendAudit(tx, {
          stream: `application:${c.id}`,
          actor: "system:sweep",
          action: "application.overdue",
          data: { reference: c.reference, dueDate: c.due_date },
          at,
        });
        await emit(
          tx,
          "application.overdue",
          {
            applicationId: c.id,
            reference: c.reference,
            districtCode: c.district_code,
            departmentId: c.department_id,
            dueDate: c.due_date,
            notify: ["designated_officer", "first_appellate_authority"],
          },
          at,
        );
      }
      return claimed.length;
    });
    overdue += n;
    if (n < batch) break;
  }
  for (;;) {
    const n = await db.transaction(async (tx) => {
      const claimed = await rows<Candidate>(
        tx,
        sql`select id, reference, district_code, department_id, due_date::text as due_date, status from applications
            where status in ('submitted', 'resubmitted') and overdue_since is null and at_risk_since is null
              and due_date >= ${today} and due_date <= ${riskThrough}
            order by due_date, id limit ${batch} for update skip locked`,
      );
      for (const c of claimed) {
        await tx.execute(
          sql`update applications set at_risk_since = ${at} where id = ${c.id} and at_risk_since is null`,
        );
        await emit(
          tx,
          "application.at_risk",
          {
            applicationId: c.id,
            reference: c.reference,
            districtCode: c.district_code,
            departmentId: c.department_id,
            dueDate: c.due_date,
            notify: ["designated_officer"],
          },
          at,
        );
      }
      return claimed.length;
    });
    atRisk += n;
    if (n < batch) break;
  }
  return { overdue, atRisk };
}
