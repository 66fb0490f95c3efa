/**
 * The officer desk: inbox of applications in the official's jurisdiction,
 * the application view (with attachments), and decisions (approve, reject,
 * send back for deficiency), each with a required remark and the version the
 * officer saw (a stale action gets 409).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import {
  actionsFor,
  decideByDefinition,
  definitionOfApplication,
  stagePlan,
} from "../applications/definition-decisions.ts";
import { definitionSummary } from "../applications/definition-routes.ts";
import { inLang } from "../applications/definition-summary.ts";
import { sendDocument } from "../applications/routes.ts";
import * as applications from "../applications/service.ts";
import type { Lang } from "../catalog/definitions/types.ts";
import { certificatesOf } from "../certificates/service.ts";
import { DomainError } from "../common/errors.ts";
import { listDistricts, listTehsils } from "../geography/service.ts";
import { can } from "../identity/authorization.ts";
import { type Staff, staffOrRedirect } from "../identity/session.ts";
import { feeStatus } from "../payments/service.ts";
import { isOverdue } from "../sla/due-date.ts";
import { stateOf } from "./definition.ts";
import { delegateCharge } from "./delegation.ts";
import { allowedActions, isAction, isStatus } from "./generic.ts";

/** Registers `/desk` routes. Anonymous users are sent to sign in. */
export async function deskRoutes(app: FastifyInstance): Promise<void> {
  const { db } = app.deps.database;
  const { clock, store } = app.deps;

  /** The signed-in staff member who may view applications somewhere (others: 404; anonymous: sign in). */
  const guard = (request: FastifyRequest, reply: FastifyReply) =>
    staffOrRedirect(request, reply, "application.view");
  const actorOf = (staff: Staff) => ({ officialId: staff.official.id, principal: staff.principal });

  app.get("/desk", { schema: { hide: true } }, async (request, reply) => {
    const staff = await guard(request, reply);
    if (!staff) return reply;
    const { official } = staff;
    const now = clock.now();
    const rows = await applications.officerInbox(db, actorOf(staff));
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
      jurisdiction: jurisdictionText(staff, districts),
      navItems: staffNav(request, staff),
    });
  });

  async function renderApplication(
    request: FastifyRequest,
    reply: FastifyReply,
    reference: string,
    extra: Record<string, unknown> = {},
    status = 200,
  ) {
    const staff = await guard(request, reply);
    if (!staff) return reply;
    const { official } = staff;
    const opened = await applications.openForOfficial(db, actorOf(staff), reference, clock.now());
    const answers = opened.row.formData as unknown as applications.StoredApplication;
    const [districts, tehsils] = await Promise.all([
      listDistricts(db),
      listTehsils(db, opened.row.districtCode),
    ]);
    const canDecide = applications.mayOn(actorOf(staff), "application.decide", opened.row);
    // An application filed under a service definition follows that definition's workflow.
    const definition = opened.row.definitionId !== null;
    const lang = request.lang as Lang;
    const definitionActions = (await actionsFor(db, actorOf(staff), opened.row)).map((a) => ({
      value: a.id,
      text: inLang(a.name, lang),
      remarkRequired: a.remarks === "required",
    }));
    const sections = await definitionSummary(db, opened.row, request);
    const fee = await feeStatus(db, opened.row.reference);
    const refundable =
      canDecide && opened.row.status === "rejected"
        ? fee.payments.filter((p) => p.status === "paid").map((p) => p.receiptNumber)
        : [];
    const refundNotice = (request.query as { refund?: string }).refund;
    const stages = (await stagePlan(db, opened.row, clock.now())).map((st) => ({
      ...st,
      name: inLang(st.name, lang),
    }));
    const def = await definitionOfApplication(db, opened.row);
    const stageName =
      def && opened.row.stage
        ? inLang(stateOf(def.workflow, opened.row.stage).name, lang)
        : undefined;
    return reply.code(status).view("workflow/views/application.njk", {
      official,
      app: opened.view,
      row: opened.row,
      answers,
      documents: opened.documents,
      districtName: districts.find((d) => d.code === opened.row.districtCode)?.name,
      tehsilName: tehsils.find((t) => t.code === opened.row.tehsilCode)?.name,
      definitionActions,
      sections,
      stages,
      fee,
      refundable,
      refundNotice: ["done", "refused", "reason"].includes(refundNotice ?? "")
        ? refundNotice
        : undefined,
      stageName,
      actions:
        !definition && canDecide && isStatus(opened.row.status)
          ? allowedActions(opened.row.status).filter((a) => a !== "resubmit")
          : [],
      values: {},
      navItems: staffNav(request, staff),
      certificates: await certificatesOf(db, opened.row.id),
      canDecide,
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
      // Who may take which action is checked by decide / decideByDefinition (role × jurisdiction × workflow).
      const staff = await staffOrRedirect(request, reply, "application.view");
      if (!staff) return reply;
      const { reference } = request.params as { reference: string };
      const body = (request.body ?? {}) as Record<string, unknown>;
      const action = typeof body.action === "string" ? body.action : "";
      const remark = typeof body.remark === "string" ? body.remark : "";
      const version = Number(body.version);
      if (body.definition === "1")
        return definitionDecision(request, reply, staff, reference, { action, remark, version });
      // The generic workflow's decisions are the designated officer's (application.decide).
      if (!can(staff.principal, "application.decide"))
        throw new DomainError("not_found", "No such application");
      const errors: Array<{ text: string; href: string }> = [];
      if (!isAction(action) || action === "resubmit")
        errors.push({ text: request.t("desk.errors.actionRequired"), href: "#action" });
      if (!remark.trim())
        errors.push({ text: request.t("desk.errors.remarkRequired"), href: "#remark" });
      if (!Number.isInteger(version))
        errors.push({ text: request.t("desk.errors.stale"), href: "#action" });
      const duplicateOf = typeof body.duplicateOf === "string" ? body.duplicateOf.slice(0, 40) : "";
      const values = { action, remark, duplicateOf };
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
          actorOf(staff),
          reference,
          { action: action as "approve", remark, version, duplicateOf },
          clock.now(),
        );
      } catch (e) {
        if (
          e instanceof DomainError &&
          (e.kind === "stale" || e.kind === "invalid_transition" || e.kind === "validation")
        ) {
          const duplicate = e.fields[0]?.field === "duplicateOf";
          const text =
            e.kind === "stale"
              ? request.t("desk.errors.stale")
              : e.kind === "invalid_transition"
                ? request.t("desk.errors.notAllowed")
                : duplicate
                  ? request.t("desk.errors.duplicateOf")
                  : request.t("desk.errors.remarkTooLong");
          const href = duplicate ? "#duplicateOf" : "#action";
          return renderApplication(
            request,
            reply,
            reference,
            {
              errors: [{ text, href }],
              values,
              fieldErrors: duplicate ? { duplicateOf: text } : {},
            },
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

  /** A decision under a service definition's workflow; errors go back to the page like the generic ones. */
  async function definitionDecision(
    request: FastifyRequest,
    reply: FastifyReply,
    staff: Staff,
    reference: string,
    d: { action: string; remark: string; version: number },
  ) {
    const values = { action: d.action, remark: d.remark };
    const fail = (text: string, href: string, status: number) =>
      renderApplication(
        request,
        reply,
        reference,
        { errors: [{ text, href }], values, fieldErrors: { [href.slice(1)]: text } },
        status,
      );
    if (!d.action) return fail(request.t("desk.errors.actionRequired"), "#action", 400);
    try {
      await decideByDefinition(db, actorOf(staff), reference, d, clock.now());
    } catch (e) {
      if (!(e instanceof DomainError)) throw e;
      if (e.kind === "stale") return fail(request.t("desk.errors.stale"), "#action", 409);
      if (e.kind === "invalid_transition")
        return fail(request.t("desk.errors.notAllowed"), "#action", 409);
      if (e.kind === "validation")
        return e.fields[0]?.code === "required"
          ? fail(request.t("desk.errors.remarkRequired"), "#remark", 400)
          : fail(request.t("desk.errors.remarkTooLong"), "#remark", 400);
      throw e;
    }
    return reply.redirect(`/desk/applications/${encodeURIComponent(reference)}?done=1`, 303);
  }

  app.get("/desk/delegate", { schema: { hide: true } }, async (request, reply) => {
    const staff = await staffOrRedirect(request, reply, "application.decide");
    if (!staff) return reply;
    return reply.view("workflow/views/delegate.njk", {
      official: staff.official,
      values: {},
      navItems: staffNav(request, staff),
    });
  });

  app.post("/desk/delegate", { schema: { hide: true } }, async (request, reply) => {
    const staff = await staffOrRedirect(request, reply, "application.decide");
    if (!staff) return reply;
    const body = (request.body ?? {}) as Record<string, string>;
    const values = {
      delegate: String(body.delegate ?? "").slice(0, 64),
      from: String(body.from ?? "").slice(0, 10),
      to: String(body.to ?? "").slice(0, 10),
      reason: String(body.reason ?? "").slice(0, 500),
    };
    try {
      const count = await delegateCharge(
        db,
        { ...actorOf(staff), username: staff.official.username, name: staff.official.name },
        {
          delegateUsername: values.delegate,
          from: values.from,
          to: values.to,
          reason: values.reason,
        },
        clock.now(),
      );
      return reply.view("workflow/views/delegate.njk", {
        official: staff.official,
        values: {},
        done: count,
        navItems: staffNav(request, staff),
      });
    } catch (e) {
      if (!(e instanceof DomainError) || e.kind !== "validation") throw e;
      const field = e.fields[0]?.field ?? "delegate";
      const errors = [{ text: request.t(`delegate.errors.${field}`), href: `#${field}` }];
      return reply.code(400).view("workflow/views/delegate.njk", {
        official: staff.official,
        values,
        errors,
        fieldErrors: { [field]: errors[0]?.text },
        navItems: staffNav(request, staff),
      });
    }
  });

  app.get(
    "/desk/applications/:reference/documents/:documentId",
    { schema: { hide: true } },
    async (request, reply) => {
      const staff = await guard(request, reply);
      if (!staff) return reply;
      const { reference, documentId } = request.params as { reference: string; documentId: string };
      const opened = await applications.openForOfficial(db, actorOf(staff), reference, clock.now());
      const doc = opened.documents.find((d) => d.id === documentId);
      if (!doc) throw new DomainError("not_found", "No such document");
      return sendDocument(reply, doc, await store.get(doc.sha256));
    },
  );
}

/** The staff navigation: the administration page only for those who may see it. */
export function staffNav(request: FastifyRequest, staff: Staff) {
  return [
    ...(can(staff.principal, "application.view")
      ? [{ href: "/desk", text: request.t("nav.inbox") }]
      : []),
    ...(can(staff.principal, "admin.view")
      ? [
          { href: "/admin", text: request.t("nav.admin") },
          { href: "/admin/messages", text: request.t("nav.messages") },
        ]
      : []),
    ...(can(staff.principal, "audit.view")
      ? [{ href: "/audit", text: request.t("nav.audit") }]
      : []),
    ...(can(staff.principal, "appeal.decide.level1") || can(staff.principal, "appeal.decide.level2")
      ? [{ href: "/appeals", text: request.t("nav.appeals") }]
      : []),
    ...(can(staff.principal, "penalty.manage")
      ? [{ href: "/appeals/penalties", text: request.t("nav.penalties") }]
      : []),
    ...(can(staff.principal, "users.manage")
      ? [{ href: "/admin/users", text: request.t("nav.users") }]
      : []),
    ...(can(staff.principal, "users.manage")
      ? [{ href: "/admin/integration", text: request.t("nav.integration") }]
      : []),
    ...(can(staff.principal, "monitoring.view")
      ? [{ href: "/monitoring", text: request.t("nav.monitoring") }]
      : []),
    ...(can(staff.principal, "definitions.manage")
      ? [{ href: "/studio", text: request.t("nav.studio") }]
      : []),
    ...(can(staff.principal, "kendra.counter")
      ? [
          { href: "/counter", text: request.t("nav.counter") },
          { href: "/counter/close", text: request.t("cash.nav.close") },
          { href: "/counter/handover", text: request.t("nav.handover") },
        ]
      : []),
    ...(can(staff.principal, "kendra.manage")
      ? [{ href: "/kendra", text: request.t("nav.kendra") }]
      : []),
    ...(can(staff.principal, "doorstep.book")
      ? [{ href: "/helpline", text: request.t("nav.helpline") }]
      : []),
    ...(can(staff.principal, "doorstep.visit")
      ? [{ href: "/visits", text: request.t("nav.visits") }]
      : []),
    ...(can(staff.principal, "kendra.audit")
      ? [{ href: "/kendra-audit", text: request.t("nav.kendraAudit") }]
      : []),
    ...(can(staff.principal, "payment.collect")
      ? [{ href: "/counter/payments", text: request.t("nav.counterPayments") }]
      : []),
    ...(can(staff.principal, "payments.reconcile")
      ? [{ href: "/admin/payments", text: request.t("nav.payments") }]
      : []),
    { href: "/", text: request.t("nav.services") },
  ];
}

/** A short description of where an official is posted, e.g. "Ludhiana" or "Punjab". */
function jurisdictionText(staff: Staff, districts: Map<number, string>): string {
  const names = staff.principal.postings.map((p) =>
    p.level === "state" ? "Punjab" : (districts.get(p.districtCode ?? 0) ?? String(p.districtCode)),
  );
  return [...new Set(names)].join(", ");
}
