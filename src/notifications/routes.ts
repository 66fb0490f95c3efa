/**
 * Notification routes.
 *
 * - `/admin/messages` (`admin.view`, else sign-in or 404 as for the other admin
 *   pages): the delivery log, the 200 most recent messages with status,
 *   attempts, SMS encoding and billed parts (src/notifications/sms-parts.ts),
 *   failures first (permanent ones at the very top), and counts per status.
 *   Recipients are shown masked (mobile `XXXXXX1234`, email `a***@domain`):
 *   the page is for delivery problems, not for reading who got what (DPDP Act 2023, data minimisation).
 * - `POST /api/v1/notifications/delivery-reports`: the SMS gateway's delivery
 *   callback, `{ id, status: "delivered" | "failed", error? }`, authenticated
 *   by `Authorization: Bearer <SEWA_SMS_API_KEY>` (404 when no gateway is
 *   configured, 401 on a wrong key, 404 for an unknown message id, else 204).
 */
import { timingSafeEqual } from "node:crypto";
import type { FastifyInstance } from "fastify";
import { isoOf } from "../common/time.ts";
import { staffOrRedirect } from "../identity/session.ts";
import { staffNav } from "../workflow/routes.ts";
import { listMessages, recordDeliveryReport } from "./consumer.ts";

/** Masks a recipient for display: the last 4 digits of a mobile, the first letter and domain of an email. */
export function maskRecipient(channel: string, recipient: string): string {
  if (channel === "sms") return recipient.replace(/\d(?=\d{4})/g, "X");
  if (channel === "email") {
    const [local = "", domain = ""] = recipient.split("@");
    return `${local.slice(0, 1)}***@${domain}`;
  }
  return recipient;
}

const STATUSES = ["failed", "queued", "sent", "delivered"] as const;

/** Registers `/admin/messages` and the delivery-report callback. */
export async function notificationRoutes(app: FastifyInstance): Promise<void> {
  const { db } = app.deps.database;

  app.get("/admin/messages", { schema: { hide: true } }, async (request, reply) => {
    const staff = await staffOrRedirect(request, reply, "admin.view");
    if (!staff) return reply;
    const list = await listMessages(db, 200);
    const counts = STATUSES.map((status) => ({
      status,
      count: list.filter((m) => m.status === status).length,
    }));
    return reply.view("notifications/views/messages.njk", {
      official: staff.official,
      navItems: staffNav(request, staff),
      counts,
      messages: list.map((m) => ({
        id: m.id,
        topic: m.topic,
        channel: m.channel,
        recipient: maskRecipient(m.channel, m.recipient),
        lang: m.lang,
        status: m.status,
        permanent: m.status === "failed" && m.next_attempt_at === null,
        attempts: m.attempts,
        nextAttemptAt: m.next_attempt_at ? isoOf(m.next_attempt_at) : null,
        lastError: m.last_error,
        encoding: m.encoding,
        parts: m.parts,
        templateId: m.template_id,
        createdAt: isoOf(m.created_at),
      })),
    });
  });

  app.post<{ Body: { id: string; status: "delivered" | "failed"; error?: string } }>(
    "/api/v1/notifications/delivery-reports",
    {
      schema: {
        hide: true,
        body: {
          type: "object",
          required: ["id", "status"],
          additionalProperties: true,
          properties: {
            id: { type: "string", minLength: 1, maxLength: 200 },
            status: { type: "string", enum: ["delivered", "failed"] },
            error: { type: "string", maxLength: 500 },
          },
        },
      },
    },
    async (request, reply) => {
      const key = app.deps.config.sms?.apiKey;
      if (!key) return reply.code(404).send();
      const given = Buffer.from(String(request.headers.authorization ?? ""));
      const wanted = Buffer.from(`Bearer ${key}`);
      if (given.length !== wanted.length || !timingSafeEqual(given, wanted))
        return reply.code(401).send();
      const found = await recordDeliveryReport(
        db,
        {
          providerMessageId: request.body.id,
          status: request.body.status,
          error: request.body.error,
        },
        app.deps.clock.now(),
      );
      return reply.code(found ? 204 : 404).send();
    },
  );
}
