/**
 * Administration of department systems (issue 10), for the system
 * administrator (`users.manage`; others are sent to sign in or get 404 as on
 * the other admin pages):
 *
 * - `GET /admin/integration`: every API client with its department, number of
 *   services, status, last use and webhook health, and a form to register one;
 * - `POST /admin/integration/clients`: registers a client; its secret is shown
 *   once, on the answer page (Sewa keeps only a hash);
 * - `POST /admin/integration/clients/:id/rotate`: issues a new secret (the old
 *   one stays valid for 24 hours), shown once;
 * - `POST /admin/integration/clients/:id/status` (`status` = `disabled` | `active`):
 *   disables a client (no token, its tokens stop working, no webhooks) or enables it again;
 * - `GET /admin/integration/deliveries[?client=ID]`: the webhook delivery log,
 *   failures first, with each attempt;
 * - `POST /admin/integration/deliveries/:id/resend`: sends a delivery again.
 *
 * Every change is audited (src/integration/clients.ts, webhooks.ts).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { DomainError } from "../common/errors.ts";
import { isoOf } from "../common/time.ts";
import { type Staff, staffOrRedirect } from "../identity/session.ts";
import { staffNav } from "../workflow/routes.ts";
import {
  createClient,
  type IssuedSecret,
  listClients,
  rotateSecret,
  setClientStatus,
} from "./clients.ts";
import { attemptsOf, listDeliveries, resend } from "./webhooks.ts";

/** Registers the admin pages. */
export async function integrationAdminRoutes(app: FastifyInstance): Promise<void> {
  const { db } = app.deps.database;
  const { clock, config } = app.deps;
  const hide = { schema: { hide: true } };

  async function page(
    request: FastifyRequest,
    reply: FastifyReply,
    staff: Staff,
    extra: { issued?: IssuedSecret; values?: Record<string, string>; error?: string } = {},
  ) {
    const clients = await listClients(db);
    return reply.code(extra.error ? 400 : 200).view("integration/views/clients.njk", {
      official: staff.official,
      navItems: staffNav(request, staff),
      clients: clients.map((c) => ({
        ...c,
        createdAt: isoOf(c.created_at),
        lastUsedAt: c.last_used_at ? isoOf(c.last_used_at) : null,
      })),
      issued: extra.issued
        ? {
            clientId: extra.issued.client.clientId,
            secret: extra.issued.secret,
            webhookKey: extra.issued.webhookKey,
          }
        : undefined,
      values: extra.values ?? {},
      errors: extra.error ? [{ text: extra.error, href: "#name" }] : undefined,
    });
  }

  app.get("/admin/integration", hide, async (request, reply) => {
    const staff = await staffOrRedirect(request, reply, "users.manage");
    if (!staff) return reply;
    return page(request, reply, staff);
  });

  app.post("/admin/integration/clients", hide, async (request, reply) => {
    const staff = await staffOrRedirect(request, reply, "users.manage");
    if (!staff) return reply;
    const body = (request.body ?? {}) as Record<string, unknown>;
    const values = Object.fromEntries(
      ["name", "department", "services", "webhookUrl"].map((k) => [
        k,
        String(body[k] ?? "").slice(0, 2000),
      ]),
    ) as Record<string, string>;
    try {
      const issued = await createClient(
        db,
        {
          name: values.name ?? "",
          departmentCode: (values.department ?? "").trim(),
          serviceCodes: (values.services ?? "")
            .split(/[\s,]+/)
            .map((s) => s.trim())
            .filter(Boolean),
          webhookUrl: values.webhookUrl?.trim() || null,
        },
        {
          actor: `official:${staff.official.id}`,
          now: clock.now(),
          serverSecret: config.secretKey,
        },
      );
      return page(request, reply, staff, { issued });
    } catch (e) {
      if (!(e instanceof DomainError) || e.kind !== "validation") throw e;
      return page(request, reply, staff, {
        values,
        error: request.t("integration.errors.invalid", { detail: e.message }),
      });
    }
  });

  app.post("/admin/integration/clients/:id/rotate", hide, async (request, reply) => {
    const staff = await staffOrRedirect(request, reply, "users.manage");
    if (!staff) return reply;
    const id = Number((request.params as { id: string }).id);
    if (!Number.isInteger(id)) throw new DomainError("not_found", "No such client");
    const issued = await rotateSecret(db, id, {
      actor: `official:${staff.official.id}`,
      now: clock.now(),
      serverSecret: config.secretKey,
    });
    return page(request, reply, staff, { issued });
  });

  app.post("/admin/integration/clients/:id/status", hide, async (request, reply) => {
    const staff = await staffOrRedirect(request, reply, "users.manage");
    if (!staff) return reply;
    const id = Number((request.params as { id: string }).id);
    const status = (request.body as Record<string, unknown> | undefined)?.status;
    if (!Number.isInteger(id) || (status !== "active" && status !== "disabled"))
      throw new DomainError("not_found", "No such client");
    await setClientStatus(db, id, status, {
      actor: `official:${staff.official.id}`,
      now: clock.now(),
    });
    return reply.redirect("/admin/integration", 303);
  });

  app.get("/admin/integration/deliveries", hide, async (request, reply) => {
    const staff = await staffOrRedirect(request, reply, "users.manage");
    if (!staff) return reply;
    const q = request.query as { client?: string };
    const clientId = q.client && /^\d{1,9}$/.test(q.client) ? Number(q.client) : undefined;
    const list = await listDeliveries(db, { clientId, limit: 200 });
    const deliveries = [];
    for (const d of list)
      deliveries.push({
        ...d,
        createdAt: isoOf(d.created_at),
        nextAttemptAt: d.next_attempt_at ? isoOf(d.next_attempt_at) : null,
        attemptList: (await attemptsOf(db, d.id)).map((a) => ({ ...a, at: isoOf(a.at) })),
      });
    return reply.view("integration/views/deliveries.njk", {
      official: staff.official,
      navItems: staffNav(request, staff),
      deliveries,
      clientId,
    });
  });

  app.post("/admin/integration/deliveries/:id/resend", hide, async (request, reply) => {
    const staff = await staffOrRedirect(request, reply, "users.manage");
    if (!staff) return reply;
    const id = Number((request.params as { id: string }).id);
    if (!Number.isInteger(id)) throw new DomainError("not_found", "No such delivery");
    await resend(db, id, { actor: `official:${staff.official.id}`, now: clock.now() });
    return reply.redirect("/admin/integration/deliveries?resent=1", 303);
  });
}
