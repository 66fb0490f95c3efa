/**
 * Appeal pages: the applicant files an appeal from tracking; appellate
 * authorities see their inbox, hold hearings and pass orders; the penalty
 * register. Authorization: the level's permission over the application's
 * district (404 otherwise), like every staff page.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { Temporal } from "temporal-polyfill";
import { citizenGrants } from "../applications/grants.ts";
import * as applications from "../applications/service.ts";
import { DomainError } from "../common/errors.ts";
import { parseDateParts, toAsciiDigits } from "../common/text.ts";
import { can } from "../identity/authorization.ts";
import { type Staff, staffOrRedirect } from "../identity/session.ts";
import { istDateOf } from "../sla/clock.ts";
import { staffNav } from "../workflow/routes.ts";
import { configuredChain } from "./chain.ts";
import * as svc from "./service.ts";

type PageError = { text: string; href: string };
const str = (v: unknown, max = 4000) => (typeof v === "string" ? v.slice(0, max) : "");
const fieldErrors = (errors: PageError[]) =>
  Object.fromEntries(errors.map((e) => [e.href.slice(1), e.text]));

/** Registers the appeal pages. */
export async function appealRoutes(app: FastifyInstance): Promise<void> {
  const { db } = app.deps.database;
  const { clock, store } = app.deps;
  const chain = configuredChain(app.deps.config.appealChain, app.deps.config.appealFigures);
  const actorOf = (s: Staff) => ({
    officialId: s.official.id,
    principal: s.principal,
    name: s.official.name,
    designation: s.official.designation,
  });

  // ------------------------------------------------------------ applicant

  async function granted(request: FastifyRequest, reference: string) {
    const ref = applications.normaliseReference(reference);
    const row = ref ? await applications.findApplicationByReference(db, ref) : undefined;
    return row && (await citizenGrants(request)).includes(row.id) ? row : undefined;
  }

  async function renderApplicant(
    request: FastifyRequest,
    reply: FastifyReply,
    row: applications.ApplicationRow,
    extra: Record<string, unknown> = {},
    status = 200,
  ) {
    const existing = await svc.appealsOf(db, row.id);
    const eligibility = await svc.eligibility(db, chain, row, clock.now());
    return reply.code(status).view("appeals/views/applicant.njk", {
      reference: row.reference,
      appeals: existing.map((a) => ({
        ...a,
        levelName: chain.levels[a.level - 1]?.name[request.lang],
      })),
      eligibility,
      levelName: eligibility.eligible
        ? chain.levels[eligibility.level - 1]?.name[request.lang]
        : undefined,
      values: {},
      ...extra,
    });
  }

  app.get("/track/:reference/appeal", { schema: { hide: true } }, async (request, reply) => {
    const { reference } = request.params as { reference: string };
    const row = await granted(request, reference);
    if (!row)
      return reply.redirect(`/track?reference=${encodeURIComponent(reference.slice(0, 40))}`, 303);
    return renderApplicant(request, reply, row);
  });

  app.post("/track/:reference/appeal", { schema: { hide: true } }, async (request, reply) => {
    const { reference } = request.params as { reference: string };
    const row = await granted(request, reference);
    if (!row)
      return reply.redirect(`/track?reference=${encodeURIComponent(reference.slice(0, 40))}`, 303);
    const grounds = str((request.body as Record<string, unknown> | undefined)?.grounds);
    try {
      await svc.fileAppeal(db, chain, row, { grounds, filedBy: "applicant" }, clock.now());
    } catch (e) {
      if (!(e instanceof DomainError) || (e.kind !== "validation" && e.kind !== "unprocessable"))
        throw e;
      const errors = [
        {
          text:
            e.kind === "validation"
              ? request.t("appeals.errors.groundsRequired")
              : request.t("appeals.errors.notEligible"),
          href: "#grounds",
        },
      ];
      return renderApplicant(
        request,
        reply,
        row,
        { errors, fieldErrors: fieldErrors(errors), values: { grounds } },
        400,
      );
    }
    return reply.redirect(`/track/${row.reference}/appeal?filed=1`, 303);
  });

  // ------------------------------------------------------------ authorities

  const mayHear = (s: Staff) => chain.levels.some((l) => can(s.principal, l.permission));

  app.get("/appeals", { schema: { hide: true } }, async (request, reply) => {
    const staff = await staffOrRedirect(request, reply);
    if (!staff) return reply;
    if (!mayHear(staff)) throw new DomainError("not_found", "No such page");
    const items = (await svc.appealInbox(db, actorOf(staff), chain)).map((r) => ({
      ...r.appeal,
      reference: r.app.reference,
      applicantName: r.app.applicantName,
      levelName: chain.levels[r.appeal.level - 1]?.name[request.lang],
      late: !r.appeal.decidedAt && r.appeal.decisionDue < istDateOf(clock.now()),
    }));
    return reply.view("appeals/views/inbox.njk", {
      official: staff.official,
      items,
      navItems: staffNav(request, staff),
    });
  });

  async function renderAppeal(
    request: FastifyRequest,
    reply: FastifyReply,
    staff: Staff,
    id: number,
    extra: Record<string, unknown> = {},
    status = 200,
  ) {
    const { appeal, app: row } = await svc.appealForAuthority(db, actorOf(staff), id);
    const opened = await applications.openForOfficial(
      db,
      actorOf(staff),
      row.reference,
      clock.now(),
    );
    const level = chain.levels[appeal.level - 1];
    return reply.code(status).view("appeals/views/appeal.njk", {
      official: staff.official,
      appeal,
      levelName: level?.name[request.lang],
      powers: level?.powers,
      app: opened.view,
      row,
      documents: opened.documents,
      values: {},
      navItems: staffNav(request, staff),
      ...extra,
    });
  }

  const idOf = (request: FastifyRequest) =>
    Number(toAsciiDigits((request.params as { id: string }).id));

  app.get("/appeals/:id", { schema: { hide: true } }, async (request, reply) => {
    const staff = await staffOrRedirect(request, reply);
    if (!staff) return reply;
    return renderAppeal(request, reply, staff, idOf(request));
  });

  /** Runs an authority action; user errors re-render the appeal page with an error summary. */
  async function act(
    request: FastifyRequest,
    reply: FastifyReply,
    fn: (staff: Staff, body: Record<string, unknown>) => Promise<unknown>,
    href: string,
  ) {
    const staff = await staffOrRedirect(request, reply);
    if (!staff) return reply;
    const body = (request.body ?? {}) as Record<string, unknown>;
    try {
      await fn(staff, body);
    } catch (e) {
      if (!(e instanceof DomainError) || e.kind === "not_found") throw e;
      const text =
        e.kind === "stale"
          ? request.t("desk.errors.stale")
          : e.kind === "invalid_transition"
            ? request.t("appeals.errors.decided")
            : request.t("appeals.errors.invalid", { detail: e.message });
      const errors = [{ text, href }];
      return renderAppeal(
        request,
        reply,
        staff,
        idOf(request),
        { errors, fieldErrors: fieldErrors(errors), values: body },
        e.status,
      );
    }
    return reply.redirect(`/appeals/${idOf(request)}`, 303);
  }

  app.post("/appeals/:id/hearing", { schema: { hide: true } }, (request, reply) =>
    act(
      request,
      reply,
      async (staff, body) => {
        const date = parseDateParts({
          day: str(body["hearing-day"], 4),
          month: str(body["hearing-month"], 4),
          year: str(body["hearing-year"], 6),
        });
        const time = /^([01]?\d|2[0-3]):([0-5]\d)$/.exec(toAsciiDigits(str(body.hearingTime, 5)));
        if (!date.ok || !time)
          throw new DomainError(
            "validation",
            "Enter the hearing date and time, like 15 12 2025 and 11:30",
          );
        const at = Temporal.PlainDateTime.from(
          `${date.date}T${time[1]?.padStart(2, "0")}:${time[2]}`,
        )
          .toZonedDateTime("Asia/Kolkata")
          .toInstant();
        await svc.scheduleHearing(
          db,
          actorOf(staff),
          idOf(request),
          { at, notice: str(body.notice, 2000), version: Number(body.version) },
          clock.now(),
        );
      },
      "#hearing-day",
    ),
  );

  app.post("/appeals/:id/order", { schema: { hide: true } }, (request, reply) =>
    act(
      request,
      reply,
      async (staff, body) => {
        const outcome =
          body.outcome === "deliver"
            ? "deliver"
            : body.outcome === "dismiss"
              ? "dismiss"
              : undefined;
        if (!outcome) throw new DomainError("validation", "Choose the order");
        const rupees = toAsciiDigits(str(body.compensation, 12)).trim();
        if (rupees && !/^\d{1,7}$/.test(rupees))
          throw new DomainError("validation", "Compensation must be whole rupees");
        const officer = str(body.penaltyOfficer, 200).trim();
        await svc.decideAppeal(
          db,
          store,
          chain,
          actorOf(staff),
          idOf(request),
          {
            outcome,
            days: outcome === "deliver" ? Number(toAsciiDigits(str(body.days, 3))) : undefined,
            reasons: str(body.reasons),
            penaltyOn:
              body.penalty === "yes"
                ? { officerName: officer || "the designated officer" }
                : undefined,
            compensationPaise: rupees ? Number(rupees) * 100 : 0,
            version: Number(body.version),
          },
          clock.now(),
        );
      },
      "#outcome",
    ),
  );

  app.get("/appeals/penalties", { schema: { hide: true } }, async (request, reply) => {
    const staff = await staffOrRedirect(request, reply, "penalty.manage");
    if (!staff) return reply;
    const all = await svc.penaltyRegister(db);
    const visible = [];
    for (const p of all) {
      const row = await applications.findApplicationById(db, p.applicationId);
      if (row && applications.mayOn(actorOf(staff), "penalty.manage", row)) visible.push(p);
    }
    return reply.view("appeals/views/penalties.njk", {
      official: staff.official,
      items: visible,
      navItems: staffNav(request, staff),
    });
  });

  app.post("/appeals/penalties/:id/status", { schema: { hide: true } }, async (request, reply) => {
    const staff = await staffOrRedirect(request, reply, "penalty.manage");
    if (!staff) return reply;
    const body = (request.body ?? {}) as Record<string, unknown>;
    const status =
      body.status === "recovered" ? "recovered" : body.status === "waived" ? "waived" : undefined;
    if (!status) throw new DomainError("validation", "Choose recovered or waived");
    await svc.setPenaltyStatus(
      db,
      actorOf(staff),
      idOf(request),
      status,
      str(body.note, 1000) || (status === "recovered" ? "Recovered" : "Waived on revision"),
      clock.now(),
    );
    return reply.redirect("/appeals/penalties", 303);
  });
}
