/**
 * Pages of assisted application (issue 9; service.ts has the rules):
 * - `GET /counter/apply` — the operator (or, with `?visit=<id>`, the
 *   facilitator at a doorstep visit) picks the service: a search and the
 *   services with a published form (`application.assist`; operators need a
 *   counter seat). `?token=<id>` links the application to the queue token
 *   served; `?service=<id>` shows the service's start page;
 * - `POST /counter/apply` — starts the assisted draft and opens the citizen's
 *   own pages for it (`/drafts/:id/tasks` or `/drafts/:id/edit`);
 * - `GET /drafts/:draftId/consent`, `POST /drafts/:draftId/consent/send`,
 *   `POST /drafts/:draftId/consent` — the consent step: send the code to the
 *   applicant's mobile, type the code the applicant reads out, file;
 * - `GET /drafts/:draftId/filed` — the staff confirmation: reference number,
 *   due date, fee due, "Take the fee", "Back to the queue".
 * Assisted drafts open only for the official filling them or staff of the
 * same Sewa Kendra (access.ts); anyone else gets 404.
 */
import { eq } from "drizzle-orm";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import * as applications from "../../applications/service.ts";
import { formatRupees } from "../../catalog/definitions/fees.ts";
import type { Lang } from "../../catalog/definitions/types.ts";
import { liveDefinitionOf } from "../../catalog/definitions/versions.ts";
import { getService, searchServices } from "../../catalog/service.ts";
import { DomainError } from "../../common/errors.ts";
import { doorstepVisits, serviceDefinitions, tokens } from "../../db/schema.ts";
import { can } from "../../identity/authorization.ts";
import { type Staff, staffOrRedirect } from "../../identity/session.ts";
import { feeStatus } from "../../payments/service.ts";
import { staffNav } from "../../workflow/routes.ts";
import { counterSeatOf } from "../counter-seat.ts";
import {
  type AssistedContext,
  assistedDraftAccess,
  assistedFiling,
  fileWithConsent,
  kendraNames,
  sendConsentCode,
  startAssistedDraft,
} from "./service.ts";

type Where = {
  channel: "kendra" | "doorstep";
  kendraCode?: string;
  counter?: number;
  visitId?: number;
  tokenId?: number;
  serviceId?: number;
  applicant?: { name?: string; mobile?: string };
};

const positive = (v: unknown): number | undefined => {
  const n = typeof v === "string" && /^\d{1,15}$/.test(v) ? Number(v) : Number.NaN;
  return Number.isSafeInteger(n) && n > 0 ? n : undefined;
};

/** Registers the assisted application pages. */
export async function assistedRoutes(app: FastifyInstance): Promise<void> {
  const { db } = app.deps.database;
  const { clock, sms, config } = app.deps;

  /**
   * Where this official files: a doorstep visit of theirs (`visit`), else their
   * counter seat (undefined when they have not taken one), with the queue token.
   * @throws DomainError not_found for a visit or token that is not theirs.
   */
  async function whereOf(
    request: FastifyRequest,
    staff: Staff,
    q: { token?: string; visit?: string },
  ): Promise<Where | undefined> {
    const visitId = positive(q.visit);
    if (q.visit !== undefined && q.visit !== "") {
      const [visit] = visitId
        ? await db.select().from(doorstepVisits).where(eq(doorstepVisits.id, visitId))
        : [];
      if (
        !visit ||
        !can(staff.principal, "doorstep.visit") ||
        visit.facilitatorId !== staff.official.id ||
        visit.status === "cancelled"
      )
        throw new DomainError("not_found", "No such visit");
      return {
        channel: "doorstep",
        visitId: visit.id,
        serviceId: visit.serviceId,
        applicant: { name: visit.citizenName, mobile: visit.mobile },
      };
    }
    if (!can(staff.principal, "kendra.counter")) throw new DomainError("not_found", "No such page");
    const seat = await counterSeatOf(request, staff);
    if (!seat) return undefined;
    const where: Where = { channel: "kendra", kendraCode: seat.kendraCode, counter: seat.counter };
    if (q.token !== undefined && q.token !== "") {
      const tokenId = positive(q.token);
      const [token] = tokenId ? await db.select().from(tokens).where(eq(tokens.id, tokenId)) : [];
      if (!token || token.kendraCode !== seat.kendraCode)
        throw new DomainError("not_found", "No such token");
      where.tokenId = token.id;
      if (token.serviceId) where.serviceId = token.serviceId;
      if (token.mobile) where.applicant = { mobile: token.mobile };
    }
    return where;
  }

  /** The query string that carries the token or visit to the next page. */
  const carry = (w: Where) =>
    w.visitId ? `visit=${w.visitId}` : w.tokenId ? `token=${w.tokenId}` : "";

  async function placeName(request: FastifyRequest, a: Pick<Where, "kendraCode" | "counter">) {
    if (!a.kendraCode) return request.t("assisted.place.doorstep");
    const names = await kendraNames(db, a.kendraCode);
    const name = names ? (names[request.lang as Lang] ?? names.en) : a.kendraCode;
    return request.t("assisted.place.counter", { name, counter: a.counter ?? "" });
  }

  async function renderStart(
    request: FastifyRequest,
    reply: FastifyReply,
    staff: Staff,
    where: Where,
    serviceId: number,
    error?: { text: string; href: string },
  ) {
    const service = await getService(db, serviceId);
    if (!service) throw new DomainError("not_found", "No such service");
    const live = service.form === "definition" ? await liveDefinitionOf(db, service.id) : undefined;
    const lang = request.lang as Lang;
    const channelKey = where.channel === "kendra" ? "sewaKendra" : "doorstep";
    const open = !live || live.definition.channels[channelKey].enabled;
    return reply.code(error ? 400 : 200).view("kendras/assisted/views/start.njk", {
      navItems: staffNav(request, staff),
      service,
      open,
      channel: where.channel,
      place: await placeName(request, where),
      documents: live
        ? live.definition.documents.items.map((d) => d.name[lang] ?? d.name.en)
        : undefined,
      tokenId: where.tokenId,
      visitId: where.visitId,
      carry: carry(where),
      errors: error ? [error] : [],
      error: error?.text,
    });
  }

  app.get("/counter/apply", { schema: { hide: true } }, async (request, reply) => {
    const staff = await staffOrRedirect(request, reply, "application.assist");
    if (!staff) return reply;
    const q = request.query as { q?: string; service?: string; token?: string; visit?: string };
    const where = await whereOf(request, staff, q);
    if (!where)
      return reply.view("kendras/assisted/views/apply.njk", {
        navItems: staffNav(request, staff),
        noSeat: true,
      });
    const serviceId = positive(q.service) ?? where.serviceId;
    if (serviceId) return renderStart(request, reply, staff, where, serviceId);
    const text = typeof q.q === "string" ? q.q.trim().slice(0, 100) : "";
    const published = await db
      .selectDistinct({ serviceId: serviceDefinitions.serviceId })
      .from(serviceDefinitions)
      .where(eq(serviceDefinitions.status, "published"));
    const withForms = [];
    for (const p of published) {
      const s = p.serviceId === null ? undefined : await getService(db, p.serviceId);
      if (s) withForms.push(s);
    }
    withForms.sort((a, b) => a.name.localeCompare(b.name));
    return reply.view("kendras/assisted/views/apply.njk", {
      navItems: staffNav(request, staff),
      q: text,
      results: text ? await searchServices(db, { text, limit: 50 }) : undefined,
      withForms,
      place: await placeName(request, where),
      tokenId: where.tokenId,
      visitId: where.visitId,
      carry: carry(where),
    });
  });

  app.post("/counter/apply", { schema: { hide: true } }, async (request, reply) => {
    const staff = await staffOrRedirect(request, reply, "application.assist");
    if (!staff) return reply;
    const body = (request.body ?? {}) as Record<string, string>;
    const where = await whereOf(request, staff, { token: body.token, visit: body.visit });
    if (!where) return reply.redirect("/counter/apply", 303);
    const serviceId = positive(body.serviceId);
    if (!serviceId) throw new DomainError("not_found", "No such service");
    if (body.privacyConsent !== "yes")
      return renderStart(request, reply, staff, where, serviceId, {
        text: request.t("assisted.start.privacyRequired"),
        href: "#privacyConsent",
      });
    try {
      const started = await startAssistedDraft(db, {
        serviceId,
        channel: where.channel,
        officialId: staff.official.id,
        ...(where.kendraCode ? { kendraCode: where.kendraCode } : {}),
        ...(where.counter ? { counter: where.counter } : {}),
        ...(where.visitId ? { visitId: where.visitId } : {}),
        ...(where.tokenId ? { tokenId: where.tokenId } : {}),
        ...(where.applicant ? { applicant: where.applicant } : {}),
        now: clock.now(),
      });
      return reply.redirect(started.next, 303);
    } catch (e) {
      if (!(e instanceof DomainError) || e.kind !== "unprocessable") throw e;
      return renderStart(request, reply, staff, where, serviceId, {
        text: request.t("assisted.start.channelClosed"),
        href: "#privacyConsent",
      });
    }
  });

  // ---------------------------------------------------------------- consent

  /** The assisted draft of the URL for the staff working on it (404 for anyone else and for a citizen's draft). */
  async function assistedDraft(request: FastifyRequest) {
    const { draftId } = request.params as { draftId: string };
    const draft = await applications.findDraft(db, draftId, clock.now().toString());
    const access = draft ? await assistedDraftAccess(request, draft) : undefined;
    if (!draft || !access)
      throw new DomainError("not_found", "This draft does not exist or has expired");
    return { draft, ...access };
  }

  async function renderConsent(
    request: FastifyRequest,
    reply: FastifyReply,
    o: {
      staff: Staff;
      draftId: string;
      assisted: AssistedContext;
      errors?: { text: string; href: string }[];
      code?: string;
      status?: number;
    },
  ) {
    const filing = await assistedFiling(db, o.draftId, clock.now());
    if (!filing.ready) return reply.redirect(filing.back, 303);
    return reply.code(o.status ?? 200).view("kendras/assisted/views/consent.njk", {
      navItems: staffNav(request, o.staff),
      draftId: o.draftId,
      service: filing.service,
      applicant: filing.applicant,
      place: await placeName(request, o.assisted),
      fee: formatRupees(filing.feePaise),
      sent: (request.query as { sent?: string }).sent === "1",
      checkHref:
        filing.draft.definitionId === null
          ? `/drafts/${o.draftId}/check`
          : `/drafts/${o.draftId}/review`,
      code: o.code ?? "",
      errors: o.errors ?? [],
      codeError: o.errors?.find((e) => e.href === "#code")?.text,
    });
  }

  /** A page message for a consent error's field code. */
  function consentMessage(request: FastifyRequest, e: DomainError): string {
    const code = e.fields[0]?.code ?? "";
    const known: Record<string, string> = {
      "consent.wrong_code": request.t("assisted.consent.errors.wrongCode"),
      "consent.code_format": request.t("assisted.consent.errors.codeFormat"),
      "consent.not_ready": request.t("assisted.consent.errors.notReady"),
      "otp.wait": request.t("assisted.consent.errors.wait", { seconds: 30 }),
      "otp.daily_limit": request.t("assisted.consent.errors.dailyLimit"),
    };
    return known[code] ?? request.t("assisted.consent.errors.wrongCode");
  }

  app.get("/drafts/:draftId/consent", { schema: { hide: true } }, async (request, reply) => {
    const { draft, staff, assisted } = await assistedDraft(request);
    if (draft.applicationId) return reply.redirect(`/drafts/${draft.id}/filed`, 303);
    return renderConsent(request, reply, { staff, draftId: draft.id, assisted });
  });

  app.post("/drafts/:draftId/consent/send", { schema: { hide: true } }, async (request, reply) => {
    const { draft, staff, assisted } = await assistedDraft(request);
    if (draft.applicationId) return reply.redirect(`/drafts/${draft.id}/filed`, 303);
    try {
      await sendConsentCode(db, sms, config.secretKey, {
        draftId: draft.id,
        officialId: staff.official.id,
        now: clock.now(),
      });
    } catch (e) {
      if (!(e instanceof DomainError) || !["conflict", "unprocessable"].includes(e.kind)) throw e;
      return renderConsent(request, reply, {
        staff,
        draftId: draft.id,
        assisted,
        errors: [{ text: consentMessage(request, e), href: "#send" }],
        status: e.status,
      });
    }
    return reply.redirect(`/drafts/${draft.id}/consent?sent=1`, 303);
  });

  app.post("/drafts/:draftId/consent", { schema: { hide: true } }, async (request, reply) => {
    const { draft, staff, assisted } = await assistedDraft(request);
    const body = (request.body ?? {}) as Record<string, string>;
    const code = typeof body.code === "string" ? body.code.slice(0, 20) : "";
    try {
      await fileWithConsent(db, config.secretKey, {
        draftId: draft.id,
        code,
        officialId: staff.official.id,
        now: clock.now(),
      });
    } catch (e) {
      if (!(e instanceof DomainError) || !["validation", "unprocessable"].includes(e.kind)) throw e;
      return renderConsent(request, reply, {
        staff,
        draftId: draft.id,
        assisted,
        errors: [{ text: consentMessage(request, e), href: "#code" }],
        code,
        status: e.status,
      });
    }
    return reply.redirect(`/drafts/${draft.id}/filed`, 303);
  });

  // ---------------------------------------------------------------- filed

  app.get("/drafts/:draftId/filed", { schema: { hide: true } }, async (request, reply) => {
    const { draft, staff, assisted } = await assistedDraft(request);
    if (!draft.applicationId) return reply.redirect(`/drafts/${draft.id}/consent`, 303);
    const row = await applications.findApplicationById(db, draft.applicationId);
    if (!row) throw new DomainError("not_found", "No such application");
    const service = await applications.serviceOf(db, row);
    const fee = await feeStatus(db, row.reference);
    return reply.view("kendras/assisted/views/filed.njk", {
      navItems: staffNav(request, staff),
      draftId: draft.id,
      reference: row.reference,
      dueDate: row.dueDate,
      service,
      place: await placeName(request, assisted),
      fee: formatRupees(fee.feePaise),
      balance: formatRupees(fee.balancePaise),
      balancePaise: fee.balancePaise,
      // At a doorstep visit the fee and the visit fee are taken on the visit's page (src/doorstep/).
      payHref: assisted.visitId
        ? `/visits/${assisted.visitId}`
        : `/counter/payments?reference=${encodeURIComponent(row.reference)}`,
      backHref: assisted.channel === "doorstep" ? "/visits" : "/counter",
      channel: assisted.channel,
    });
  });
}
