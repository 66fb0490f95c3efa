/**
 * The transactional outbox (ARCHITECTURE.md §4): an event is written in the
 * same transaction as the state change it reports, so it exists if and only
 * if the change committed. Consumers (notifications, webhooks) process each
 * event once, keyed by its id.
 */
import type { Queryable } from "../db/client.ts";
import { outboxEvents } from "../db/schema.ts";

/** Event topics written today. */
export type OutboxTopic =
  | "application.submitted"
  | "application.sent_back"
  | "application.resubmitted"
  | "application.approved"
  | "application.rejected"
  | "application.overdue"
  | "application.at_risk"
  | "application.due_date_changed"
  | "appeal.filed"
  | "appeal.hearing"
  | "appeal.decided"
  | "payment.received"
  /** An output uncollected for 30 calendar days (src/kendras/handover/service.ts). */
  | "handover.reminder"
  /** The one-question feedback SMS after a service (src/kendras/feedback/service.ts). */
  | "feedback.requested";

/** Writes an event; call inside the transaction of the change. `at` is an ISO instant. */
export async function emit(
  tx: Queryable,
  topic: OutboxTopic,
  payload: Record<string, unknown>,
  at: string,
): Promise<void> {
  await tx.insert(outboxEvents).values({ topic, payload, createdAt: at });
}
