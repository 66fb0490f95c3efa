/**
 * Payment pages and endpoints (issue 8):
 * - `POST /track/:reference/pay` — the citizen (with a tracking grant) pays
 *   the balance online: Sewa creates the gateway order and redirects there;
 * - `GET /payments/return` — the gateway sends the browser back with a
 *   signed result; `POST /api/v1/payments/webhook` — the gateway's signed
 *   webhook (raw body, `X-Gateway-Signature`). Both apply the result once (C-19);
 * - `GET /track/:reference/receipts/:receipt` — the receipt PDF;
 * - `/counter/payments` — a Sewa Kendra operator or facilitator records a
 *   fee taken in cash, card or UPI (`payment.collect`, within their posting; C-20);
 * - `/admin/payments` — reconciliation with the gateway's settlement report
 *   for a date (`payments.reconcile`: accounts, head office, system administrator).
 */
import type { FastifyInstance, FastifyRequest } from "fastify";
import { citizenGrants } from "../applications/grants.ts";
import { sendDocument } from "../applications/routes.ts";
import * as applications from "../applications/service.ts";
import { DomainError } from "../common/errors.ts";
import { can } from "../identity/authorization.ts";
import { staffOrRedirect } from "../identity/session.ts";
import { counterSeatOf } from "../kendras/counter-seat.ts";
import { istDateOf } from "../sla/clock.ts";
import { staffNav } from "../workflow/routes.ts";
import type { GatewayResult } from "./gateway.ts";
import { receiptPdf, rupees } from "./receipt.ts";
import {
  applyGatewayResult,
  COUNTER_METHODS,
  type CounterMethod,
  feeStatus,
  recentReconciliations,
  reconcile,
  recordCounterPayment,
  refundPayment,
  startOnlinePayment,
} from "./service.ts";

/** Registers the payment routes. */
export async function paymentRoutes(app: FastifyInstance): Promise<void> {
  const { db } = app.deps.database;
  const { clock, gateway, config } = app.deps;
  const base = config.publicUrl.replace(/\/$/, "");

  async function granted(request: FastifyRequest) {
    const { reference } = request.params as { reference: string };
    const ref = applications.normaliseReference(reference);
    const row = ref ? await applications.findApplicationByReference(db, ref) : undefined;
    if (!row || !(await citizenGrants(request)).includes(row.id))
      throw new DomainError("not_found", "No such application");
    return row;
  }

  app.post("/track/:reference/pay", { schema: { hide: true } }, async (request, reply) => {
    const row = await granted(request);
    if (!gateway) throw new DomainError("unprocessable", "Online payment is not available");
    const url = await startOnlinePayment(db, gateway, {
      reference: row.reference,
      returnUrl: `${base}/payments/return`,
      webhookUrl: `${base}/api/v1/payments/webhook`,
      now: clock.now(),
    });
    return reply.redirect(url, 303);
  });

  function resultFrom(q: Record<string, string | undefined>): GatewayResult | undefined {
    const status = q.status;
    if (status !== "paid" && status !== "failed" && status !== "pending" && status !== "created")
      return undefined;
    const amountPaise = Number(q.amountPaise);
    if (!q.orderId || !Number.isSafeInteger(amountPaise)) return undefined;
    return { orderId: q.orderId, paymentId: q.paymentId ?? "", status, amountPaise };
  }

  app.get("/payments/return", { schema: { hide: true } }, async (request, reply) => {
    const q = request.query as Record<string, string | undefined>;
    const r = resultFrom(q);
    if (!gateway || !r || !gateway.verifyReturn(r, q.signature ?? ""))
      throw new DomainError("validation", "This payment result is not signed by the gateway");
    const outcome = await applyGatewayResult(db, r, clock.now());
    const shown = outcome.status === "paid" || r.status === "paid" ? "paid" : r.status;
    return reply.redirect(`/track/${outcome.reference}?payment=${shown}`, 303);
  });

  // The webhook is verified over its exact bytes, so this scope reads JSON as text.
  app.addContentTypeParser("application/json", { parseAs: "string" }, (_req, body, done) =>
    done(null, body),
  );
  app.post(
    "/api/v1/payments/webhook",
    {
      schema: {
        tags: ["payments"],
        summary: "Payment gateway webhook (signed)",
        description:
          "The gateway's signed notification of a payment: JSON `{event, orderId, paymentId, status, amountPaise}`, header `X-Gateway-Signature` = hex HMAC-SHA256 of the raw body with the merchant secret. Idempotent: replays change nothing (case C-19).",
      },
    },
    async (request, reply) => {
      const raw = typeof request.body === "string" ? request.body : "";
      const signature = String(request.headers["x-gateway-signature"] ?? "");
      if (!gateway || !gateway.verifyWebhook(raw, signature))
        throw new DomainError("unauthorized", "The webhook signature is not valid");
      let body: Record<string, string | undefined>;
      try {
        body = JSON.parse(raw);
      } catch {
        throw new DomainError("validation", "The webhook body is not JSON");
      }
      const r = resultFrom({ ...body, amountPaise: String(body.amountPaise) });
      if (!r) throw new DomainError("validation", "The webhook does not describe a payment");
      const outcome = await applyGatewayResult(db, r, clock.now());
      return reply.send({ received: true, changed: outcome.changed });
    },
  );

  app.get(
    "/track/:reference/receipts/:receipt",
    { schema: { hide: true } },
    async (request, reply) => {
      const row = await granted(request);
      const { receipt } = request.params as { receipt: string };
      const pdf = await receiptPdf(db, row.id, receipt);
      return sendDocument(reply, { filename: `${receipt}.pdf`, mime: "application/pdf" }, pdf);
    },
  );

  // ---------------------------------------------------------------- counter

  async function renderCounter(
    request: FastifyRequest,
    reply: import("fastify").FastifyReply,
    staff: NonNullable<Awaited<ReturnType<typeof staffOrRedirect>>>,
    extra: Record<string, unknown> = {},
    status = 200,
  ) {
    const q = request.query as { reference?: string };
    const reference = (extra.reference as string | undefined) ?? q.reference;
    let found: Record<string, unknown> | undefined;
    if (reference) {
      const ref = applications.normaliseReference(reference);
      const row = ref ? await applications.findApplicationByReference(db, ref) : undefined;
      if (row && can(staff.principal, "payment.collect", row)) {
        const fee = await feeStatus(db, row.reference);
        found = {
          reference: row.reference,
          applicantName: row.applicantName,
          fee: rupees(fee.feePaise),
          balance: rupees(fee.balancePaise),
          balancePaise: fee.balancePaise,
          receipts: fee.payments.filter((p) => p.receiptNumber).map((p) => p.receiptNumber),
        };
      }
    }
    return reply.code(status).view("payments/views/counter.njk", {
      navItems: staffNav(request, staff),
      reference: reference ?? "",
      found,
      notFound: Boolean(reference) && !found,
      methods: COUNTER_METHODS,
      errors: [],
      ...extra,
    });
  }

  app.get("/counter/payments", { schema: { hide: true } }, async (request, reply) => {
    const staff = await staffOrRedirect(request, reply, "payment.collect");
    if (!staff) return reply;
    return renderCounter(request, reply, staff);
  });

  app.post("/counter/payments", { schema: { hide: true } }, async (request, reply) => {
    const staff = await staffOrRedirect(request, reply, "payment.collect");
    if (!staff) return reply;
    const body = (request.body ?? {}) as Record<string, string>;
    const ref = applications.normaliseReference(body.reference ?? "");
    const row = ref ? await applications.findApplicationByReference(db, ref) : undefined;
    if (!row || !can(staff.principal, "payment.collect", row))
      throw new DomainError("not_found", "No such application");
    // The operator's counter seat: the fee counts in that counter's day close (src/kendras/cash/).
    const seat = await counterSeatOf(request, staff);
    try {
      const payment = await recordCounterPayment(db, {
        reference: row.reference,
        method: body.method as CounterMethod,
        amountPaise: Number(body.amountPaise),
        officialId: staff.official.id,
        collectedAt: `counter:${staff.official.username}`,
        kendraCode: seat?.kendraCode ?? null,
        counter: seat?.counter ?? null,
        now: clock.now(),
      });
      return renderCounter(request, reply, staff, {
        reference: row.reference,
        done: payment.receiptNumber,
      });
    } catch (e) {
      if (!(e instanceof DomainError) || !["conflict", "validation"].includes(e.kind)) throw e;
      const text =
        e.kind === "conflict"
          ? request.t("payments.alreadyPaid")
          : request.t("payments.chooseMethod");
      return renderCounter(
        request,
        reply,
        staff,
        { reference: row.reference, errors: [{ text, href: "#method" }] },
        e.status,
      );
    }
  });

  // ---------------------------------------------------------------- refund

  // The designated officer refunds the paid fee of an application they rejected (in their posting).
  app.post(
    "/desk/applications/:reference/refund",
    { schema: { hide: true } },
    async (request, reply) => {
      const staff = await staffOrRedirect(request, reply, "application.decide");
      if (!staff) return reply;
      const { reference } = request.params as { reference: string };
      const body = (request.body ?? {}) as Record<string, string>;
      const ref = applications.normaliseReference(reference);
      const row = ref ? await applications.findApplicationByReference(db, ref) : undefined;
      const actor = { officialId: staff.official.id, principal: staff.principal };
      if (!row || !applications.mayOn(actor, "application.decide", row))
        throw new DomainError("not_found", "No such application");
      const reason = (body.reason ?? "").trim().slice(0, 500);
      if (!gateway || !reason)
        return reply.redirect(`/desk/applications/${row.reference}?refund=reason`, 303);
      try {
        await refundPayment(db, gateway, {
          receiptNumber: body.receipt ?? "",
          reason,
          officialId: staff.official.id,
          now: clock.now(),
        });
      } catch (e) {
        if (e instanceof DomainError && e.kind !== "not_found")
          return reply.redirect(`/desk/applications/${row.reference}?refund=refused`, 303);
        throw e;
      }
      return reply.redirect(`/desk/applications/${row.reference}?refund=done`, 303);
    },
  );

  // ---------------------------------------------------------------- reconciliation

  app.get("/admin/payments", { schema: { hide: true } }, async (request, reply) => {
    const staff = await staffOrRedirect(request, reply, "payments.reconcile");
    if (!staff) return reply;
    const q = request.query as { date?: string };
    const date = /^\d{4}-\d{2}-\d{2}$/.test(q.date ?? "")
      ? (q.date as string)
      : istDateOf(clock.now());
    let result: Awaited<ReturnType<typeof reconcile>> | undefined;
    let unavailable = false;
    if (gateway) {
      try {
        result = await reconcile(db, gateway, date);
      } catch {
        unavailable = true;
      }
    }
    return reply.view("payments/views/reconciliation.njk", {
      navItems: staffNav(request, staff),
      date,
      result,
      unavailable: unavailable || !gateway,
      nightly: (await recentReconciliations(db)).map((r) => ({
        date: r.data.date,
        matched: r.data.matched,
        mismatches: r.data.mismatches.length,
      })),
    });
  });
}
