/**
 * Handover and feedback pages (issue 9):
 *
 * - `GET /counter/handover[?reference=]`: a Sewa Kendra operator (or manager)
 *   at their counter (`output.handover` and a counter seat,
 *   src/kendras/counter-seat.ts) sees their centre's outputs waiting, and
 *   finds one by reference number. Scope: the centre's own outputs are
 *   listed; a search by reference reaches any output within the jurisdiction
 *   of the operator's `output.handover` posting (their district or tehsil),
 *   so a citizen who applied at another centre of the district can collect
 *   here. Anything else answers 404. Opening an output is audit-logged.
 * - `POST /counter/handover/code`: sends the applicant the handover code.
 * - `POST /counter/handover`: checks the code and hands the output over at
 *   the seat's centre and counter, then shows the confirmation
 *   (`GET /counter/handover/done?reference=`).
 * - `GET /counter/handover/:reference/certificate`: the certificate PDF as
 *   issued (the stored document), to print at the counter.
 * - `GET /kendra/uncollected[?kendra=][&format=csv]`: the manager's list of
 *   outputs not collected (`kendra.manage`, their own centre), oldest first.
 *   The CSV export is audit-logged.
 * - `GET /kendra/feedback[?kendra=]`: the centre's feedback (feedback/routes.ts).
 * - `GET|POST /f/:token`: the citizen's one-question feedback (feedback/routes.ts).
 */

import { sql } from "drizzle-orm";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { sendDocument } from "../../applications/routes.ts";
import { appendAudit } from "../../audit/service.ts";
import { toCsv } from "../../common/csv-export.ts";
import { DomainError } from "../../common/errors.ts";
import { rows } from "../../db/client.ts";
import { can, scopesFor } from "../../identity/authorization.ts";
import { type Staff, staffOrRedirect } from "../../identity/session.ts";
import { staffNav } from "../../workflow/routes.ts";
import { counterSeatOf } from "../counter-seat.ts";
import { feedbackRoutes } from "../feedback/routes.ts";
import { kendraNames } from "../feedback/service.ts";
import {
  findHandover,
  type HandoverDetails,
  handOver,
  listUncollected,
  sendHandoverCode,
} from "./service.ts";

/** The Sewa Kendras a manager manages (`kendra.manage` postings with a centre), sorted. */
export function managedKendras(staff: Staff): string[] {
  const codes = scopesFor(staff.principal, "kendra.manage")
    .map((p) => p.kendraCode)
    .filter((c): c is string => typeof c === "string" && c !== "");
  return [...new Set(codes)].sort();
}

/** A localised name from `{en, pa, hi}`. */
function inLang(names: { en: string; pa: string; hi: string } | undefined, lang: string): string {
  if (!names) return "";
  return (lang === "pa" ? names.pa : lang === "hi" ? names.hi : names.en) || names.en;
}

/** Registers the handover and feedback routes. */
export async function handoverRoutes(app: FastifyInstance): Promise<void> {
  const { db } = app.deps.database;
  const { clock, config, sms, store } = app.deps;

  /** The output for `reference` if the staff member may hand it over (their posting's jurisdiction). */
  async function outputFor(staff: Staff, reference: string): Promise<HandoverDetails | undefined> {
    const d = reference.trim() ? await findHandover(db, reference) : undefined;
    return d && can(staff.principal, "output.handover", d) ? d : undefined;
  }

  async function renderCounter(
    request: FastifyRequest,
    reply: FastifyReply,
    staff: Staff,
    extra: Record<string, unknown> = {},
    status = 200,
  ) {
    const seat = await counterSeatOf(request, staff);
    const base = { navItems: staffNav(request, staff), errors: [], fieldErrors: {} };
    if (!seat)
      return reply
        .code(status)
        .view("kendras/handover/views/counter.njk", { ...base, noSeat: true });
    const now = clock.now();
    const reference = String(
      extra.reference ?? (request.query as { reference?: string }).reference ?? "",
    );
    const found = reference ? await outputFor(staff, reference) : undefined;
    if (found) {
      // Every view of an applicant's record by an official is logged (ARCHITECTURE.md §4).
      await db.transaction((tx) =>
        appendAudit(tx, {
          stream: `application:${found.applicationId}`,
          actor: `official:${staff.official.id}`,
          action: "output.viewed",
          data: { reference: found.reference, kendraCode: seat.kendraCode, counter: seat.counter },
          at: now.toString(),
        }),
      );
    }
    const names = await kendraNames(db, seat.kendraCode);
    const waiting = await listUncollected(db, seat.kendraCode, now, 50);
    const notFound = Boolean(reference) && !found;
    return reply
      .code(notFound && status === 200 ? 404 : status)
      .view("kendras/handover/views/counter.njk", {
        ...base,
        seat,
        kendraName: inLang(names, request.lang),
        reference,
        found: found
          ? {
              ...found,
              serviceName: inLang(found.service, request.lang),
              placeName: found.kendraCode
                ? inLang(await kendraNames(db, found.kendraCode), request.lang)
                : "",
            }
          : undefined,
        notFound,
        waiting: waiting.map((w) => ({ ...w, serviceName: inLang(w.service, request.lang) })),
        ...extra,
      });
  }

  app.get("/counter/handover", { schema: { hide: true } }, async (request, reply) => {
    const staff = await staffOrRedirect(request, reply, "output.handover");
    if (!staff) return reply;
    return renderCounter(request, reply, staff);
  });

  /** The seat and the output a POST is about, or a 404 (out of scope) / the no-seat page. */
  async function postContext(request: FastifyRequest, reply: FastifyReply) {
    const staff = await staffOrRedirect(request, reply, "output.handover");
    if (!staff) return undefined;
    const seat = await counterSeatOf(request, staff);
    const body = (request.body ?? {}) as Record<string, unknown>;
    const reference = typeof body.reference === "string" ? body.reference : "";
    if (!seat) {
      await renderCounter(request, reply, staff, {}, 409);
      return undefined;
    }
    const found = await outputFor(staff, reference);
    if (!found)
      throw new DomainError("not_found", "No output to hand over for this reference number");
    return { staff, seat, found, body };
  }

  /** The page's message for a refused action. */
  function problemText(
    request: FastifyRequest,
    e: DomainError,
  ): { text: string; href: string; field: string } {
    const p = e.fields[0];
    const code = p?.code ?? e.kind;
    const text =
      code === "handover.already"
        ? request.t("handover.errors.already")
        : code === "handover.wrong_code"
          ? request.t("handover.errors.wrongCode")
          : code === "required" && p?.field === "code"
            ? request.t("handover.errors.codeRequired")
            : code === "otp.wait"
              ? request.t("handover.errors.wait", { seconds: p?.params?.seconds ?? 30 })
              : code === "otp.daily_limit"
                ? request.t("handover.errors.dailyLimit")
                : request.t("handover.errors.refused");
    const field = p?.field === "code" ? "code" : "send";
    return { text, href: `#${field}`, field };
  }

  app.post("/counter/handover/code", { schema: { hide: true } }, async (request, reply) => {
    const ctx = await postContext(request, reply);
    if (!ctx) return reply;
    try {
      const sent = await sendHandoverCode(
        db,
        sms,
        config.secretKey,
        ctx.found.reference,
        clock.now(),
      );
      return renderCounter(request, reply, ctx.staff, {
        reference: ctx.found.reference,
        codeSent: sent.mobileMasked,
      });
    } catch (e) {
      if (!(e instanceof DomainError) || e.kind === "not_found") throw e;
      const p = problemText(request, e);
      return renderCounter(
        request,
        reply,
        ctx.staff,
        { reference: ctx.found.reference, errors: [{ text: p.text, href: p.href }] },
        e.status,
      );
    }
  });

  app.post("/counter/handover", { schema: { hide: true } }, async (request, reply) => {
    const ctx = await postContext(request, reply);
    if (!ctx) return reply;
    const code = typeof ctx.body.code === "string" ? ctx.body.code : "";
    try {
      const done = await handOver(db, {
        secret: config.secretKey,
        reference: ctx.found.reference,
        code,
        officialId: ctx.staff.official.id,
        kendraCode: ctx.seat.kendraCode,
        counter: ctx.seat.counter,
        now: clock.now(),
      });
      return reply.redirect(
        `/counter/handover/done?reference=${encodeURIComponent(done.reference)}`,
        303,
      );
    } catch (e) {
      if (!(e instanceof DomainError) || e.kind === "not_found") throw e;
      const p = problemText(request, e);
      return renderCounter(
        request,
        reply,
        ctx.staff,
        {
          reference: ctx.found.reference,
          code,
          errors: [{ text: p.text, href: p.href }],
          fieldErrors: p.field === "code" ? { code: p.text } : {},
        },
        e.status,
      );
    }
  });

  app.get("/counter/handover/done", { schema: { hide: true } }, async (request, reply) => {
    const staff = await staffOrRedirect(request, reply, "output.handover");
    if (!staff) return reply;
    const found = await outputFor(staff, (request.query as { reference?: string }).reference ?? "");
    if (!found || found.status !== "handed_over")
      throw new DomainError("not_found", "No such handover");
    return reply.view("kendras/handover/views/done.njk", {
      navItems: staffNav(request, staff),
      found,
      placeName: found.kendraCode
        ? inLang(await kendraNames(db, found.kendraCode), request.lang)
        : "",
    });
  });

  app.get(
    "/counter/handover/:reference/certificate",
    { schema: { hide: true } },
    async (request, reply) => {
      const staff = await staffOrRedirect(request, reply, "output.handover");
      if (!staff) return reply;
      const found = await outputFor(staff, (request.params as { reference: string }).reference);
      const documentId = found?.certificate?.documentId;
      if (!found || !documentId) throw new DomainError("not_found", "No certificate to print");
      const [doc] = await rows<{ filename: string; mime: string; sha256: string }>(
        db,
        sql`select filename, mime, sha256 from documents where id = ${documentId}`,
      );
      if (!doc) throw new DomainError("not_found", "No certificate to print");
      await db.transaction((tx) =>
        appendAudit(tx, {
          stream: `application:${found.applicationId}`,
          actor: `official:${staff.official.id}`,
          action: "certificate.printed",
          data: { reference: found.reference, serial: found.certificate?.serial },
          at: clock.now().toString(),
        }),
      );
      return sendDocument(reply, doc, await store.get(doc.sha256));
    },
  );

  // ---------------------------------------------------------------- manager

  /** The manager's centre for this request (`?kendra=`, else their first), or 404 when not theirs. */
  async function managerKendra(request: FastifyRequest, reply: FastifyReply) {
    const staff = await staffOrRedirect(request, reply, "kendra.manage");
    if (!staff) return undefined;
    const mine = managedKendras(staff);
    const asked = (request.query as { kendra?: string }).kendra;
    const code = asked ?? mine[0];
    if (asked !== undefined && !mine.includes(asked))
      throw new DomainError("not_found", "No such Sewa Kendra");
    const centres = await Promise.all(
      mine.map(async (c) => ({ code: c, name: inLang(await kendraNames(db, c), request.lang) })),
    );
    return { staff, code, centres };
  }

  app.get("/kendra/uncollected", { schema: { hide: true } }, async (request, reply) => {
    const m = await managerKendra(request, reply);
    if (!m) return reply;
    const now = clock.now();
    const list = m.code ? await listUncollected(db, m.code, now) : [];
    if ((request.query as { format?: string }).format === "csv" && m.code) {
      const code = m.code;
      await db.transaction((tx) =>
        appendAudit(tx, {
          stream: `official:${m.staff.official.id}`,
          actor: `official:${m.staff.official.id}`,
          action: "kendra.uncollected_exported",
          data: { kendraCode: code, rows: list.length },
          at: now.toString(),
        }),
      );
      const csv = toCsv(
        [
          { key: "reference", header: "reference" },
          { key: "applicantName", header: "applicant" },
          { key: "mobileMasked", header: "mobile" },
          { key: "service", header: "service" },
          { key: "serial", header: "certificate_serial" },
          { key: "readyAt", header: "ready_at" },
          { key: "daysWaiting", header: "days_waiting" },
          { key: "remindedAt", header: "reminded_at" },
        ],
        list.map((r) => ({ ...r, service: r.service.en })),
      );
      return reply
        .header("Content-Type", "text/csv; charset=utf-8")
        .header("Content-Disposition", `attachment; filename="uncollected-${code}.csv"`)
        .header("Cache-Control", "private, no-store")
        .send(csv);
    }
    return reply.view("kendras/handover/views/uncollected.njk", {
      navItems: staffNav(request, m.staff),
      kendraCode: m.code,
      centres: m.centres,
      kendraName: m.centres.find((c) => c.code === m.code)?.name ?? "",
      list: list.map((r) => ({ ...r, serviceName: inLang(r.service, request.lang) })),
    });
  });

  await app.register(feedbackRoutes, { managerKendra });
}
