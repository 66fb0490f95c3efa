/**
 * The counter's day close (issue 9): at the end of a business day each Sewa
 * Kendra counter reconciles the cash it took. The expected amount is the sum
 * of that counter's cash receipts of the IST day (`payments`: method `cash`,
 * status `paid`, the centre and counter of the operator's seat, `paidAt`
 * within 00:00–24:00 IST); card and UPI receipts are listed apart and do not
 * count, since no cash changes hands. The operator enters the amount counted;
 * the difference is counted − expected (paise; negative = short). A remark is
 * required when they differ. One close per counter per day
 * (`cash_closes_once_per_counter_day`); a close the manager returned may be
 * submitted again (same row). The Sewa Kendra manager approves or returns it
 * (a remark is required to return). Every step is one transaction with its
 * audit record (stream `kendra:<code>`).
 */
import { and, desc, eq, gte, inArray, lt, sql } from "drizzle-orm";
import { Temporal } from "temporal-polyfill";
import { appendAudit } from "../../audit/service.ts";
import { DomainError } from "../../common/errors.ts";
import { nfcMultiline, toAsciiDigits } from "../../common/text.ts";
import type { Db, Queryable } from "../../db/client.ts";
import { applications, cashCloses, payments } from "../../db/schema.ts";
import { startOfIstDay } from "../../sla/clock.ts";

/** A day close row. */
export type CashClose = typeof cashCloses.$inferSelect;

/** The longest remark on a close or a decision, in characters. */
export const MAX_CLOSE_REMARK = 500;

/** A counter on a business day (IST `YYYY-MM-DD`). */
export type CounterDay = { kendraCode: string; counter: number; businessDate: string };

/** One receipt of the day. */
export type DayReceipt = {
  receiptNumber: string;
  reference: string;
  method: string;
  amountPaise: number;
  paidAt: string;
};

/** The day's receipts of a counter: cash (which the close expects) and card/UPI (listed apart). */
export type DayReceipts = { cash: DayReceipt[]; other: DayReceipt[]; expectedPaise: number };

/** True for an IST calendar date `YYYY-MM-DD` that exists. */
export function isBusinessDate(s: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
  try {
    return Temporal.PlainDate.from(s, { overflow: "reject" }).toString() === s;
  } catch {
    return false;
  }
}

/**
 * The counter's paid receipts of the IST day, oldest first, and the expected
 * cash: the sum of the cash receipts, in paise.
 */
export async function dayReceipts(q: Queryable, d: CounterDay): Promise<DayReceipts> {
  const from = startOfIstDay(d.businessDate);
  const to = startOfIstDay(Temporal.PlainDate.from(d.businessDate).add({ days: 1 }));
  const list = await q
    .select({
      receiptNumber: payments.receiptNumber,
      reference: applications.reference,
      method: payments.method,
      amountPaise: payments.amountPaise,
      paidAt: payments.paidAt,
    })
    .from(payments)
    .innerJoin(applications, eq(applications.id, payments.applicationId))
    .where(
      and(
        eq(payments.kendraCode, d.kendraCode),
        eq(payments.counter, d.counter),
        eq(payments.status, "paid"),
        gte(payments.paidAt, from.toString()),
        lt(payments.paidAt, to.toString()),
      ),
    )
    .orderBy(payments.paidAt, payments.id);
  const all = list.map((r) => ({
    receiptNumber: r.receiptNumber ?? "",
    reference: r.reference,
    method: r.method,
    amountPaise: Number(r.amountPaise),
    paidAt: String(r.paidAt),
  }));
  const cash = all.filter((r) => r.method === "cash");
  return {
    cash,
    other: all.filter((r) => r.method !== "cash"),
    expectedPaise: cash.reduce((sum, r) => sum + r.amountPaise, 0),
  };
}

/** The close of a counter's day, if submitted. */
export async function closeOf(q: Queryable, d: CounterDay): Promise<CashClose | undefined> {
  const [row] = await q
    .select()
    .from(cashCloses)
    .where(
      and(
        eq(cashCloses.kendraCode, d.kendraCode),
        eq(cashCloses.counter, d.counter),
        eq(cashCloses.businessDate, d.businessDate),
      ),
    );
  return row;
}

/**
 * The amount counted, from a rupees box and a paise box (the paise may be
 * blank; digits of any script; commas in the rupees allowed), in paise.
 * @throws DomainError validation: field `rupees` (`cash.counted_required`,
 *   `cash.counted_invalid`) or `paise` (`cash.paise_invalid`: not 0–99).
 */
export function countedPaiseOf(rupees: string, paise: string): number {
  const r = toAsciiDigits(rupees ?? "")
    .replace(/[,\s]/g, "")
    .replace(/^₹/, "");
  const p = toAsciiDigits(paise ?? "").trim();
  if (r === "" && p === "")
    throw new DomainError("validation", "Enter the amount counted", [
      { field: "rupees", code: "cash.counted_required" },
    ]);
  if (!/^\d{1,9}$/.test(r || "0"))
    throw new DomainError("validation", "Enter the rupees as a whole number", [
      { field: "rupees", code: "cash.counted_invalid" },
    ]);
  if (!/^\d{0,2}$/.test(p))
    throw new DomainError("validation", "Enter the paise as a number from 0 to 99", [
      { field: "paise", code: "cash.paise_invalid" },
    ]);
  return Number(r || "0") * 100 + Number(p || "0");
}

/**
 * Submits a counter's day close, in one transaction: the expected cash is
 * computed again inside it, the difference stored, the audit written. A
 * repeat submit returns the close already there (`created: false`), unless
 * the manager returned it: then the same row takes the new count and remark
 * and is `submitted` again.
 * @throws DomainError validation: `countedPaise` not a safe non-negative
 *   integer (field `rupees`, `cash.counted_invalid`); a difference without a
 *   remark (field `remark`, `cash.remark_required`); a remark over
 *   {@link MAX_CLOSE_REMARK} (`too_long`); a business date that is not a date
 *   or is after `today` (field `date`, `cash.date_invalid`).
 */
export async function submitClose(
  db: Db,
  c: CounterDay & {
    officialId: number;
    countedPaise: number;
    remark: string;
    today: string;
    now: Temporal.Instant;
  },
): Promise<{ close: CashClose; created: boolean }> {
  if (!isBusinessDate(c.businessDate) || c.businessDate > c.today)
    throw new DomainError("validation", "Choose a day up to today", [
      { field: "date", code: "cash.date_invalid" },
    ]);
  if (!Number.isSafeInteger(c.countedPaise) || c.countedPaise < 0)
    throw new DomainError("validation", "Enter the amount counted", [
      { field: "rupees", code: "cash.counted_invalid" },
    ]);
  const remark = nfcMultiline(c.remark ?? "");
  if (remark.length > MAX_CLOSE_REMARK)
    throw new DomainError("validation", "The remark is too long", [
      { field: "remark", code: "too_long", params: { max: MAX_CLOSE_REMARK } },
    ]);
  const at = c.now.toString();
  return db.transaction(async (tx) => {
    const day = { kendraCode: c.kendraCode, counter: c.counter, businessDate: c.businessDate };
    // One close per counter and day: lock the row if it exists (a concurrent insert meets the unique index).
    const [existing] = await tx
      .select()
      .from(cashCloses)
      .where(
        and(
          eq(cashCloses.kendraCode, c.kendraCode),
          eq(cashCloses.counter, c.counter),
          eq(cashCloses.businessDate, c.businessDate),
        ),
      )
      .for("update");
    if (existing && existing.status !== "returned") return { close: existing, created: false };
    const receipts = await dayReceipts(tx, day);
    const differencePaise = c.countedPaise - receipts.expectedPaise;
    if (differencePaise !== 0 && !remark)
      throw new DomainError("validation", "Explain the difference", [
        { field: "remark", code: "cash.remark_required", params: { differencePaise } },
      ]);
    const values = {
      officialId: c.officialId,
      receipts: receipts.cash.length,
      expectedPaise: receipts.expectedPaise,
      countedPaise: c.countedPaise,
      differencePaise,
      remark,
      status: "submitted",
      submittedAt: at,
      decidedBy: null,
      decidedAt: null,
    };
    let close: CashClose | undefined;
    if (existing) {
      [close] = await tx
        .update(cashCloses)
        .set(values)
        .where(eq(cashCloses.id, existing.id))
        .returning();
    } else {
      [close] = await tx
        .insert(cashCloses)
        .values({ ...day, ...values })
        .onConflictDoNothing()
        .returning();
      if (!close) {
        const winner = await closeOf(tx, day);
        if (!winner) throw new DomainError("conflict", "The close could not be saved; try again");
        return { close: winner, created: false };
      }
    }
    if (!close) throw new Error("close row missing");
    await appendAudit(tx, {
      stream: `kendra:${c.kendraCode}`,
      actor: `official:${c.officialId}`,
      action: existing ? "cash_close.resubmitted" : "cash_close.submitted",
      data: {
        closeId: close.id,
        counter: c.counter,
        businessDate: c.businessDate,
        receipts: receipts.cash.length,
        expectedPaise: receipts.expectedPaise,
        countedPaise: c.countedPaise,
        differencePaise,
      },
      at,
    });
    return { close, created: true };
  });
}

/** Closes of the given Sewa Kendras, newest business day first (at most `limit`). */
export function closesOf(
  q: Queryable,
  kendraCodes: string[],
  filter: { status?: string; limit?: number } = {},
): Promise<CashClose[]> {
  if (kendraCodes.length === 0) return Promise.resolve([]);
  return q
    .select()
    .from(cashCloses)
    .where(
      and(
        inArray(cashCloses.kendraCode, kendraCodes),
        filter.status ? eq(cashCloses.status, filter.status) : sql`true`,
      ),
    )
    .orderBy(desc(cashCloses.businessDate), cashCloses.kendraCode, cashCloses.counter)
    .limit(filter.limit ?? 200);
}

/**
 * The manager's decision on a submitted close: `approve`, or `return` it to
 * the counter (a remark is required), in one transaction with its audit record.
 * @throws DomainError not_found (unknown, or not a close of the manager's
 *   centres: 404), validation (field `remark`: `cash.return_remark_required`
 *   or `too_long`), invalid_transition (already decided, or returned and not
 *   resubmitted).
 */
export async function decideClose(
  db: Db,
  d: {
    closeId: number;
    decision: "approve" | "return";
    remark: string;
    officialId: number;
    kendraCodes: string[];
    now: Temporal.Instant;
  },
): Promise<CashClose> {
  const remark = nfcMultiline(d.remark ?? "");
  if (d.decision === "return" && !remark)
    throw new DomainError("validation", "Say why the close is returned", [
      { field: "remark", code: "cash.return_remark_required" },
    ]);
  if (remark.length > MAX_CLOSE_REMARK)
    throw new DomainError("validation", "The remark is too long", [
      { field: "remark", code: "too_long", params: { max: MAX_CLOSE_REMARK } },
    ]);
  return db.transaction(async (tx) => {
    const [close] = await tx
      .select()
      .from(cashCloses)
      .where(eq(cashCloses.id, d.closeId))
      .for("update");
    if (!close || !d.kendraCodes.includes(close.kendraCode))
      throw new DomainError("not_found", "No such day close");
    if (close.status !== "submitted")
      throw new DomainError("invalid_transition", "This day close has been decided already");
    const status = d.decision === "approve" ? "approved" : "returned";
    const at = d.now.toString();
    const [updated] = await tx
      .update(cashCloses)
      .set({ status, decidedBy: d.officialId, decidedAt: at, managerRemark: remark || null })
      .where(eq(cashCloses.id, close.id))
      .returning();
    await appendAudit(tx, {
      stream: `kendra:${close.kendraCode}`,
      actor: `official:${d.officialId}`,
      action: `cash_close.${status}`,
      data: {
        closeId: close.id,
        counter: close.counter,
        businessDate: close.businessDate,
        differencePaise: Number(close.differencePaise),
        remark,
      },
      at,
    });
    return updated as CashClose;
  });
}
