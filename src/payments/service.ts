/**
 * Fee payments (issue 8): the fee due on an application is fixed at filing
 * (`applications.fee_paise`: the definition's fee rules, else the catalog
 * fee). It is paid online through the gateway adapter, or in cash/card/UPI
 * at a Sewa Kendra counter or the doorstep. Every state change is one
 * transaction with its timeline entry, outbox event (`payment.received`,
 * the receipt SMS) and audit record.
 *
 * Exactly-once rules:
 * - C-19: the gateway's webhook and the browser's return may arrive in any
 *   order, any number of times. The order row is locked and its status
 *   checked, and the gateway payment id is unique: one payment, one
 *   receipt, one SMS, one timeline entry.
 * - C-20: two counters marking the same fee paid at once → the partial
 *   unique index (one paid payment per application) lets one insert win;
 *   the other gets DomainError conflict (409) and the balance is ₹0.
 *
 * Receipts are numbered `RCPT-<financial year>-<7 digits>` from one sequence.
 */
import { sql } from "drizzle-orm";
import { Temporal } from "temporal-polyfill";
import { appendAudit } from "../audit/service.ts";
import { DomainError } from "../common/errors.ts";
import { type Db, type Queryable, rows } from "../db/client.ts";
import { payments } from "../db/schema.ts";
import { emit } from "../notifications/outbox.ts";
import type { GatewayResult, PaymentGateway } from "./gateway.ts";

/** A payment row. */
export type Payment = typeof payments.$inferSelect;

/** Counter methods (C-20). */
export const COUNTER_METHODS = ["cash", "card", "upi"] as const;
export type CounterMethod = (typeof COUNTER_METHODS)[number];

type AppFacts = { id: number; reference: string; mobile: string; feePaise: number; status: string };

async function appByReference(q: Queryable, reference: string, lock = false): Promise<AppFacts> {
  const [row] = await rows<{
    id: string | number;
    reference: string;
    mobile: string;
    fee_paise: string | number;
    status: string;
  }>(
    q,
    lock
      ? sql`select id, reference, mobile, fee_paise, status from applications where reference = ${reference} for update`
      : sql`select id, reference, mobile, fee_paise, status from applications where reference = ${reference}`,
  );
  if (!row) throw new DomainError("not_found", "No such application");
  return {
    id: Number(row.id),
    reference: row.reference,
    mobile: row.mobile,
    feePaise: Number(row.fee_paise),
    status: row.status,
  };
}

/** The fee position of an application: due, paid (paid payments, net of refunds), balance, and every attempt. */
export async function feeStatus(q: Queryable, reference: string) {
  const app = await appByReference(q, reference);
  const list = await q
    .select()
    .from(payments)
    .where(sql`${payments.applicationId} = ${app.id}`)
    .orderBy(payments.id);
  // A doorstep payment also carries the visit fee (`visitFeePaise`), which is not part of the application's fee.
  const paidPaise = list
    .filter((p) => p.status === "paid")
    .reduce((sum, p) => sum + p.amountPaise - p.visitFeePaise, 0);
  return {
    feePaise: app.feePaise,
    paidPaise,
    balancePaise: Math.max(0, app.feePaise - paidPaise),
    payments: list,
  };
}

/** `RCPT-2025-26-0000042`: the Indian financial year (April–March) of `date` and the sequence number. */
export function formatReceiptNumber(date: string, seq: number): string {
  const d = Temporal.PlainDate.from(date);
  const start = d.month >= 4 ? d.year : d.year - 1;
  return `RCPT-${start}-${String((start + 1) % 100).padStart(2, "0")}-${String(seq).padStart(7, "0")}`;
}

async function nextReceipt(q: Queryable, now: Temporal.Instant): Promise<string> {
  const [r] = await rows<{ n: string | number }>(
    q,
    sql`select nextval('payment_receipt_seq') as n`,
  );
  const date = now.toZonedDateTimeISO("Asia/Kolkata").toPlainDate().toString();
  return formatReceiptNumber(date, Number(r?.n));
}

/** The timeline entry, outbox event and audit record of a received fee (same transaction). */
async function recordReceived(
  tx: Queryable,
  app: AppFacts,
  p: Payment,
  actor: string,
  now: Temporal.Instant,
) {
  const at = now.toString();
  await tx.execute(
    sql`insert into application_events (application_id, at, action, from_status, to_status, remark, actor_kind, actor_id)
        values (${app.id}, ${at}, 'fee_paid', ${app.status}, ${app.status}, ${`Receipt ${p.receiptNumber}: Rs ${(p.amountPaise / 100).toFixed(2)} (${p.method})`}, ${actor === "gateway" ? "system" : "official"}, ${actor})`,
  );
  await emit(
    tx,
    "payment.received",
    {
      applicationId: app.id,
      reference: app.reference,
      mobile: app.mobile,
      amountPaise: p.amountPaise,
      receiptNumber: p.receiptNumber,
    },
    at,
  );
  await appendAudit(tx, {
    stream: `application:${app.id}`,
    actor,
    action: "payment.received",
    data: {
      receiptNumber: p.receiptNumber,
      amountPaise: p.amountPaise,
      method: p.method,
      gatewayPaymentId: p.gatewayPaymentId,
    },
    at,
  });
}

/**
 * Starts an online payment of the balance: creates the gateway order (before
 * the transaction: a network call) and records the attempt.
 * @returns where to send the citizen.
 * @throws DomainError not_found, conflict (nothing to pay), unprocessable (the gateway refused or is down).
 */
export async function startOnlinePayment(
  db: Db,
  gateway: PaymentGateway,
  o: { reference: string; returnUrl: string; webhookUrl: string; now: Temporal.Instant },
): Promise<string> {
  const status = await feeStatus(db, o.reference);
  if (status.balancePaise <= 0) throw new DomainError("conflict", "The fee is already paid");
  let order: Awaited<ReturnType<PaymentGateway["createOrder"]>>;
  try {
    order = await gateway.createOrder({
      amountPaise: status.balancePaise,
      receipt: o.reference,
      returnUrl: o.returnUrl,
      webhookUrl: o.webhookUrl,
    });
  } catch (e) {
    throw new DomainError(
      "unprocessable",
      `The payment gateway is not available: ${(e as Error).message}`,
    );
  }
  const app = await appByReference(db, o.reference);
  await db.insert(payments).values({
    applicationId: app.id,
    method: "online",
    status: "created",
    amountPaise: status.balancePaise,
    gatewayOrderId: order.orderId,
    createdAt: o.now.toString(),
  });
  return order.redirectUrl;
}

/**
 * Applies what the gateway says about an order (signed return or webhook;
 * the caller has verified the signature). Idempotent (C-19).
 * @returns the application reference and whether this call changed anything.
 * @throws DomainError not_found (unknown order), unprocessable (amount differs from the order).
 */
export async function applyGatewayResult(
  db: Db,
  r: GatewayResult,
  now: Temporal.Instant,
): Promise<{ reference: string; changed: boolean; status: string }> {
  return db.transaction(async (tx) => {
    const [p] = await tx
      .select()
      .from(payments)
      .where(sql`${payments.gatewayOrderId} = ${r.orderId}`)
      .for("update");
    if (!p) throw new DomainError("not_found", "No such payment order");
    const [appRow] = await rows<{ reference: string }>(
      tx,
      sql`select reference from applications where id = ${p.applicationId}`,
    );
    const reference = appRow?.reference as string;
    if (
      p.status === "paid" ||
      p.status === "refunded" ||
      r.status === "pending" ||
      r.status === "created"
    )
      return { reference, changed: false, status: p.status };
    if (r.status === "failed") {
      if (p.status !== "created") return { reference, changed: false, status: p.status };
      await tx
        .update(payments)
        .set({ status: "failed", failureReason: "declined at the gateway" })
        .where(sql`${payments.id} = ${p.id}`);
      return { reference, changed: true, status: "failed" };
    }
    if (r.amountPaise !== p.amountPaise)
      throw new DomainError(
        "unprocessable",
        `The gateway reports ${r.amountPaise} paise for an order of ${p.amountPaise}`,
      );
    const app = await appByReference(tx, reference, true);
    const already = await tx
      .select({ id: payments.id })
      .from(payments)
      .where(sql`${payments.applicationId} = ${app.id} and ${payments.status} = 'paid'`);
    if (already.length > 0) {
      // Paid twice (e.g. at a counter meanwhile): keep the money traceable for a refund.
      await tx
        .update(payments)
        .set({
          status: "duplicate",
          gatewayPaymentId: r.paymentId,
          paidAt: now.toString(),
          failureReason: "fee already paid; refund due",
        })
        .where(sql`${payments.id} = ${p.id}`);
      return { reference, changed: true, status: "duplicate" };
    }
    const [paid] = await tx
      .update(payments)
      .set({
        status: "paid",
        gatewayPaymentId: r.paymentId,
        paidAt: now.toString(),
        receiptNumber: await nextReceipt(tx, now),
      })
      .where(sql`${payments.id} = ${p.id}`)
      .returning();
    await recordReceived(tx, app, paid as Payment, "gateway", now);
    return { reference, changed: true, status: "paid" };
  });
}

/**
 * Records a fee taken at a counter or the doorstep (cash, card or UPI) for the
 * whole balance. At a doorstep visit (`visitId`), the amount is the balance
 * plus the visit fee in effect (`visitFeePaise`, src/doorstep/), recorded on
 * the payment. At a Sewa Kendra, `kendraCode` and `counter` (the operator's
 * counter seat) say where it was taken, for the counter's day close
 * (src/kendras/cash/). C-20: the second of two simultaneous calls gets conflict.
 * @throws DomainError not_found, validation (amount is not the balance plus the visit fee), conflict (already paid).
 */
export async function recordCounterPayment(
  db: Db,
  o: {
    reference: string;
    method: CounterMethod;
    amountPaise: number;
    officialId: number;
    collectedAt: string;
    /** The doorstep visit where it was taken, and the visit fee (paise) included in `amountPaise`. */
    visitId?: number;
    visitFeePaise?: number;
    /** The Sewa Kendra and counter where it was taken (null or omitted elsewhere). */
    kendraCode?: string | null;
    counter?: number | null;
    now: Temporal.Instant;
  },
): Promise<Payment> {
  const visitFeePaise = o.visitId ? (o.visitFeePaise ?? 0) : 0;
  if (!(COUNTER_METHODS as readonly string[]).includes(o.method))
    throw new DomainError("validation", "Choose cash, card or UPI", [
      { field: "method", code: "invalid" },
    ]);
  try {
    return await db.transaction(async (tx) => {
      const app = await appByReference(tx, o.reference, true);
      const status = await feeStatus(tx, o.reference);
      if (status.balancePaise === 0 && visitFeePaise === 0)
        throw new DomainError("conflict", "The fee is already paid");
      if (
        !Number.isSafeInteger(o.amountPaise) ||
        o.amountPaise !== status.balancePaise + visitFeePaise
      )
        throw new DomainError("validation", "The amount must be the fee due", [
          { field: "amount", code: "not_balance", params: { balancePaise: status.balancePaise } },
        ]);
      const [p] = await tx
        .insert(payments)
        .values({
          applicationId: app.id,
          method: o.method,
          status: "paid",
          amountPaise: o.amountPaise,
          collectedAt: o.collectedAt,
          ...(o.visitId ? { visitId: o.visitId, visitFeePaise } : {}),
          kendraCode: o.kendraCode ?? null,
          counter: o.counter ?? null,
          collectedBy: o.officialId,
          receiptNumber: await nextReceipt(tx, o.now),
          createdAt: o.now.toString(),
          paidAt: o.now.toString(),
        })
        .returning();
      await recordReceived(tx, app, p as Payment, `official:${o.officialId}`, o.now);
      return p as Payment;
    });
  } catch (e) {
    const code =
      (e as { code?: string; cause?: { code?: string } }).cause?.code ??
      (e as { code?: string }).code;
    if (code === "23505") throw new DomainError("conflict", "The fee is already paid");
    throw e;
  }
}

/**
 * Refunds a paid fee of a rejected application (online: through the gateway).
 * @throws DomainError not_found, invalid_transition (not paid, or the application is not rejected), unprocessable (gateway refused).
 */
export async function refundPayment(
  db: Db,
  gateway: PaymentGateway,
  o: { receiptNumber: string; reason: string; officialId: number; now: Temporal.Instant },
): Promise<void> {
  const [p] = await db
    .select()
    .from(payments)
    .where(sql`${payments.receiptNumber} = ${o.receiptNumber}`);
  if (!p) throw new DomainError("not_found", "No such receipt");
  const [app] = await rows<{ status: string }>(
    db,
    sql`select status from applications where id = ${p.applicationId}`,
  );
  if (p.status !== "paid" || app?.status !== "rejected")
    throw new DomainError(
      "invalid_transition",
      "Only the paid fee of a rejected application can be refunded",
    );
  if (p.method === "online" && p.gatewayPaymentId) {
    try {
      await gateway.refund(p.gatewayPaymentId, p.amountPaise);
    } catch (e) {
      throw new DomainError(
        "unprocessable",
        `The gateway refused the refund: ${(e as Error).message}`,
      );
    }
  }
  await db.transaction(async (tx) => {
    await tx
      .update(payments)
      .set({ status: "refunded", refundedAt: o.now.toString(), refundReason: o.reason })
      .where(sql`${payments.id} = ${p.id} and ${payments.status} = 'paid'`);
    await appendAudit(tx, {
      stream: `application:${p.applicationId}`,
      actor: `official:${o.officialId}`,
      action: "payment.refunded",
      data: { receiptNumber: p.receiptNumber, amountPaise: p.amountPaise, reason: o.reason },
      at: o.now.toString(),
    });
  });
}

/** One reconciliation finding. */
export type Mismatch = {
  kind: "missing_in_sewa" | "missing_at_gateway" | "amount_differs";
  gatewayPaymentId: string;
  orderId?: string;
  sewaPaise?: number;
  gatewayPaise?: number;
};

/**
 * Compares the online payments Sewa recorded as paid on `date` (IST) with the
 * gateway's settlement report for that date.
 * @returns the matched count and every mismatch.
 */
export async function reconcile(
  db: Db,
  gateway: PaymentGateway,
  date: string,
): Promise<{ date: string; matched: number; mismatches: Mismatch[] }> {
  const settled = await gateway.settlements(date);
  const ours = await rows<{
    gateway_payment_id: string;
    gateway_order_id: string;
    amount_paise: string | number;
  }>(
    db,
    sql`select gateway_payment_id, gateway_order_id, amount_paise from payments
        where method = 'online' and status in ('paid', 'refunded', 'duplicate')
          and (paid_at at time zone 'Asia/Kolkata')::date = ${date}::date`,
  );
  const byId = new Map(ours.map((p) => [p.gateway_payment_id, p]));
  const mismatches: Mismatch[] = [];
  let matched = 0;
  for (const s of settled) {
    const p = byId.get(s.paymentId);
    if (!p)
      mismatches.push({
        kind: "missing_in_sewa",
        gatewayPaymentId: s.paymentId,
        orderId: s.orderId,
        gatewayPaise: s.amountPaise,
      });
    else if (Number(p.amount_paise) !== s.amountPaise)
      mismatches.push({
        kind: "amount_differs",
        gatewayPaymentId: s.paymentId,
        orderId: s.orderId,
        sewaPaise: Number(p.amount_paise),
        gatewayPaise: s.amountPaise,
      });
    else matched++;
    byId.delete(s.paymentId);
  }
  for (const p of byId.values())
    mismatches.push({
      kind: "missing_at_gateway",
      gatewayPaymentId: p.gateway_payment_id,
      orderId: p.gateway_order_id,
      sewaPaise: Number(p.amount_paise),
    });
  return { date, matched, mismatches };
}

/** The audit stream that keeps each reconciliation run (the accounts' list of mismatches). */
export const RECONCILIATION_STREAM = "payments:reconciliation";

/**
 * Runs {@link reconcile} for `date` and records the result in the audit
 * trail (stream {@link RECONCILIATION_STREAM}), as the nightly job does.
 */
export async function recordReconciliation(
  db: Db,
  gateway: PaymentGateway,
  date: string,
  now: Temporal.Instant,
) {
  const result = await reconcile(db, gateway, date);
  await db.transaction((tx) =>
    appendAudit(tx, {
      stream: RECONCILIATION_STREAM,
      actor: "system",
      action: "payments.reconciled",
      data: result,
      at: now.toString(),
    }),
  );
  return result;
}

/** The latest recorded reconciliation runs, newest first. */
export async function recentReconciliations(q: Queryable, limit = 10) {
  return rows<{ at: string; data: { date: string; matched: number; mismatches: Mismatch[] } }>(
    q,
    sql`select at, data from audit_log where stream = ${RECONCILIATION_STREAM} order by seq desc limit ${limit}`,
  );
}
