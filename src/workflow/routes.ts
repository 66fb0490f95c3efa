/**
 * The officer desk: inbox of applications in the official's jurisdiction,
 * the application view (with attachments), and decisions (approve, reject,
 * send back for deficiency), each with a required remark and the version the
 * officer saw (a stale action gets 409).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { sendDocument } from "../applications/routes.ts";
import * as applications from "../applications/service.ts";
import { DomainError } from "../common/errors.ts";
import { listDistricts, listTehsils } from "../geography/service.ts";
import { DECIDING_ROLES } from "../identity/roles.ts";
import { requireOfficial } from "../identity/session.ts";
import { isOverdue } from "../sla/due-date.ts";
import { allowedActions, isAction, isStatus } from "./generic.ts";

/** Registers `/desk` routes. Anonymous users are sent to sign in. */
export async function deskRoutes(app: FastifyInstance): Promise<void> {
  const { db } = app.deps.database;
  const { clock, store } = app.deps;

  const guard = async (request: FastifyRequest, reply: FastifyReply) => {
    try {
      return await requireOfficial(request);
    } catch (e) {
      if (e instanceof DomainError && e.kind === "unauthorized") {
        reply.redirect(`/staff/login?next=${encodeURIComponent(request.url)}`, 303);
        return undefined;
      }
      throw e;
    }
  };

  app.get("/desk", { schema: { hide: true } }, async (request, reply) => {
    const official = await guard(request, reply);
    if (!official) return reply;
    const now = clock.now();
    const rows = await applications.officerInbox(db, official);
    const districts = new Map((await listDistricts(db)).map((d) => [d.code, d.name]));
    const items = rows.map((r) => ({
      reference: r.reference,
      applicantName: r.applicantName,
      status: r.status,
      dueDate: r.dueDate,
      overdue: isStatus(r.status) && r.status !== "sent_back" && isOverdue(r.dueDate, now),
      district: districts.get(r.districtCode) ?? String(r.districtCode),
      receivedAt: r.receivedAt,
    }));
    return reply.view("workflow/views/inbox.njk", {
      official,
      items,
      overdueCount: items.filter((i) => i.overdue).length,
      jurisdiction: official.districtCode === null ? null : districts.get(official.districtCode),
      navItems: staffNav(request, official),
    });
  });

  async function renderApplication(
    request: FastifyRequest,
    reply: FastifyReply,
    reference: string,
    extra: Record<string, unknown> = {},
    status = 200,
  ) {
    const official = await guard(request, reply);
    if (!official) return reply;
    const opened = await applications.openForOfficial(db, official, reference, clock.now());
    const answers = opened.row.formData as unknown as applications.StoredApplication;
    const [districts, tehsils] = await Promise.all([
      listDistricts(db),
      listTehsils(db, opened.row.districtCode),
    ]);
    const canDecide = DECIDING_ROLES.has(official.role);
    return reply.code(status).view("workflow/views/application.njk", {
      official,
      app: opened.view,
      row: opened.row,
      answers,
      documents: opened.documents,
      districtName: districts.find((d) => d.code === opened.row.districtCode)?.name,
      tehsilName: tehsils.find((t) => t.code === opened.row.tehsilCode)?.name,
      actions:
        canDecide && isStatus(opened.row.status)
          ? allowedActions(opened.row.status).filter((a) => a !== "resubmit")
          : [],
      values: {},
      navItems: staffNav(request, official),
      ...extra,
    });
  }

  app.get("/desk/applications/:reference", { schema: { hide: true } }, async (request, reply) => {
    return renderApplication(request, reply, (request.params as { reference: string }).reference);
  });

  app.post(
    "/desk/applications/:reference/decision",
    { schema: { hide: true } },
    async (request, reply) => {
      const official = await guard(request, reply);
      if (!official) return reply;
      if (!DECIDING_ROLES.has(official.role)) throw new DomainError("not_found", "No such page");
      const { reference } = request.params as { reference: string };
      const body = (request.body ?? {}) as Record<string, unknown>;
      const action = typeof body.action === "string" ? body.action : "";
      const remark = typeof body.remark === "string" ? body.remark : "";
      const version = Number(body.version);
      const errors: Array<{ text: string; href: string }> = [];
      if (!isAction(action) || action === "resubmit")
        errors.push({ text: request.t("desk.errors.actionRequired"), href: "#action" });
      if (!remark.trim())
        errors.push({ text: request.t("desk.errors.remarkRequired"), href: "#remark" });
      if (!Number.isInteger(version))
        errors.push({ text: request.t("desk.errors.stale"), href: "#action" });
      const values = { action, remark };
      if (errors.length > 0) {
        return renderApplication(
          request,
          reply,
          reference,
          {
            errors,
            values,
            fieldErrors: Object.fromEntries(errors.map((e) => [e.href.slice(1), e.text])),
          },
          400,
        );
      }
      try {
        await applications.decide(
          db,
          official,
          reference,
          { action: action as "approve", remark, version },
          clock.now(),
        );
      } catch (e) {
        if (
          e instanceof DomainError &&
          (e.kind === "stale" || e.kind === "invalid_transition" || e.kind === "validation")
        ) {
          const text =
            e.kind === "stale"
              ? request.t("desk.errors.stale")
              : e.kind === "invalid_transition"
                ? request.t("desk.errors.notAllowed")
                : request.t("desk.errors.remarkTooLong");
          return renderApplication(
            request,
            reply,
            reference,
            { errors: [{ text, href: "#action" }], values },
            e.status,
          );
        }
        throw e;
      }
      return reply.redirect(
        `/desk/applications/${encodeURIComponent(reference)}?done=${action}`,
        303,
      );
    },
  );

  app.get(
    "/desk/applications/:reference/documents/:documentId",
    { schema: { hide: true } },
    async (request, reply) => {
      const official = await guard(request, reply);
      if (!official) return reply;
      const { reference, documentId } = request.params as { reference: string; documentId: string };
      const opened = await applications.openForOfficial(db, official, reference, clock.now());
      const doc = opened.documents.find((d) => d.id === documentId);
      if (!doc) throw new DomainError("not_found", "No such document");
      return sendDocument(reply, doc, await store.get(doc.sha256));
    },
  );
}

/** Roles that see the administration page. */
export const ADMIN_ROLES = ["system_admin", "pmu_admin", "head_office"] as const;

/** The staff navigation for an official's role. */
export function staffNav(request: FastifyRequest, official: { role: string }) {
  return [
    { href: "/desk", text: request.t("nav.inbox") },
    ...((ADMIN_ROLES as readonly string[]).includes(official.role)
      ? [{ href: "/admin", text: request.t("nav.admin") }]
      : []),
    { href: "/", text: request.t("nav.services") },
  ];
}
