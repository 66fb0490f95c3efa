/**
 * Doorstep delivery pages and API (issue 9):
 * - `/helpline` — the helpline 1076 agent (`doorstep.book`): looks the
 *   citizen up by mobile (their applications and visits; the look-up is
 *   audited), picks a doorstep service (its documents and fees: the service
 *   fee plus the visit fee in effect), the address, district and tehsil, a
 *   date and a slot with the remaining capacity, and books
 *   (`POST /helpline/visits`); `/helpline/visits/:id` reschedules or cancels
 *   at the citizen's request (by = citizen, with a reason).
 * - `/visits` — the facilitator (`doorstep.visit`): the day's own visits in
 *   route order, mobile-first; `/visits/:id` one visit: start the assisted
 *   application (`/counter/apply?visit=<id>`, src/kendras/assisted), collect
 *   the fee plus the visit fee (a counter payment with `visitId`), mark it
 *   completed, cancel or reschedule with a reason (by = facilitator); at a
 *   delivery visit, send the handover code and deliver against it
 *   (src/kendras/handover), which completes the visit.
 * - `/admin/doorstep-fees` — the system administrator (`holidays.manage`:
 *   the same reference-settings role as the holiday calendar) adds a visit
 *   fee with the date it takes effect.
 * - `POST /api/v1/doorstep/visits` — the same booking as JSON for the
 *   helpline's own telephony screen (staff session with `doorstep.book`,
 *   `Idempotency-Key`); refusals are problem+json.
 * Visits outside the user's scope (another facilitator's) answer 404.
 */
import { randomUUID } from "node:crypto";
import { Type } from "@sinclair/typebox";
import { sql } from "drizzle-orm";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { Temporal } from "temporal-polyfill";
import { inLang } from "../applications/definition-summary.ts";
import { appendAudit } from "../audit/service.ts";
import type { Lang } from "../catalog/definitions/types.ts";
import { parseId } from "../catalog/routes.ts";
import { DomainError } from "../common/errors.ts";
import { nfc, normaliseMobile, toAsciiDigits } from "../common/text.ts";
import { rows } from "../db/client.ts";
import { listDistricts, listTehsils } from "../geography/service.ts";
import { can } from "../identity/authorization.ts";
import { applicationsOfCitizen } from "../identity/citizens.ts";
import { requireStaff, type Staff, staffOrRedirect } from "../identity/session.ts";
import { handOver, sendHandoverCode } from "../kendras/handover/service.ts";
import { rupees } from "../payments/receipt.ts";
import {
  COUNTER_METHODS,
  type CounterMethod,
  feeStatus,
  recordCounterPayment,
} from "../payments/service.ts";
import { istDateOf } from "../sla/clock.ts";
import { staffNav } from "../workflow/routes.ts";
import { type ServiceOnChannels, servicesByChannel, serviceWithChannels } from "./channels.ts";
import {
  type BookingInput,
  bookVisit,
  cancelVisit,
  completeVisit,
  rescheduleVisit,
  serviceFeeAtDoorstep,
  setVisitFee,
  slotCapacities,
  type Visit,
  type VisitRow,
  visitEvents,
  visitFeeOn,
  visitFees,
  visitRow,
  visitsOfFacilitator,
  visitsOfMobile,
} from "./service.ts";
import { maskMobile, slotWindow, VISIT_SLOTS } from "./slots.ts";
import { GENERIC_DOCUMENTS, smsLangOf, type VisitSmsKind, visitSms } from "./sms.ts";

type PageError = { text: string; href: string };
const str = (v: unknown, max = 500) => (typeof v === "string" ? v.slice(0, max) : "");
const fieldErrors = (errors: PageError[]) =>
  Object.fromEntries(errors.map((e) => [e.href.slice(1), e.text]));
const intOf = (v: unknown) => {
  const s = toAsciiDigits(str(v, 12)).trim();
  return /^\d{1,9}$/.test(s) ? Number(s) : undefined;
};

/** Registers the doorstep pages and API. */
export async function doorstepRoutes(app: FastifyInstance): Promise<void> {
  const { db } = app.deps.database;
  const { clock, sms, config } = app.deps;

  /** Page errors from a DomainError's fields, in the page's language. */
  function pageErrors(request: FastifyRequest, e: DomainError): PageError[] {
    const list = e.fields.length ? e.fields : [{ field: "form", code: "invalid" }];
    return list.map((f) => ({
      text: request.t(`doorstep.errors.${f.field}.${f.code}`, f.params ?? {}),
      href: `#${f.field === "date" ? "date" : f.field}`,
    }));
  }

  /** A service's documents (names in `lang`) and fees, as the helpline and the SMS show them. */
  async function serviceFacts(serviceId: number, lang: Lang, date: string) {
    const s = await serviceWithChannels(db, serviceId);
    if (!s) return undefined;
    const documents = s.definition
      ? s.definition.documents.items
          .filter((d) => d.required !== false && !d.when)
          .map((d) => inLang(d.name, lang))
      : [...GENERIC_DOCUMENTS[lang]];
    const groups = (s.definition?.documents.groups ?? []).map((g) => inLang(g.name, lang));
    const fee = await visitFeeOn(db, date);
    return {
      service: s,
      documents: [...documents, ...groups],
      serviceFeePaise: serviceFeeAtDoorstep(s.definition, s.feePaise),
      visitFeePaise: fee?.visitFeePaise ?? 0,
    };
  }

  const localServiceName = (s: { name: string; namePa: string; nameHi: string }, lang: string) =>
    (lang === "pa" && s.namePa) || (lang === "hi" && s.nameHi) || s.name;

  /** Sends a visit SMS in the citizen's language (after the change committed). */
  async function notify(kind: VisitSmsKind, visit: Visit) {
    const lang = await smsLangOf(db, visit.mobile);
    const facts =
      kind === "booked" ? await serviceFacts(visit.serviceId, lang, visit.visitDate) : undefined;
    const s = facts?.service ?? (await serviceWithChannels(db, visit.serviceId));
    await sms.send(
      visitSms(kind, lang, visit.mobile, {
        number: visit.number,
        visitDate: visit.visitDate,
        slot: visit.slot,
        serviceName: s ? localServiceName(s, lang) : "",
        purpose: visit.purpose,
        ...(facts
          ? {
              documents: facts.documents,
              serviceFeePaise: facts.serviceFeePaise,
              visitFeePaise: facts.visitFeePaise,
            }
          : {}),
      }),
    );
  }

  // ------------------------------------------------------------ helpline

  /** A visit the helpline agent may act on (in a posting's scope), else 404. */
  async function helplineVisit(staff: Staff, id: number | undefined): Promise<VisitRow> {
    const v = id === undefined ? undefined : await visitRow(db, id);
    const [svc] = v
      ? await rows<{ department_id: number }>(
          db,
          sql`select department_id from services where id = ${v.serviceId}`,
        )
      : [];
    if (
      !v ||
      !svc ||
      !can(staff.principal, "doorstep.book", {
        districtCode: v.districtCode,
        tehsilCode: v.tehsilCode,
        departmentId: Number(svc.department_id),
      })
    )
      throw new DomainError("not_found", "No such visit");
    return v;
  }

  async function renderHelpline(
    request: FastifyRequest,
    reply: FastifyReply,
    staff: Staff,
    input: Record<string, string>,
    extra: { errors?: PageError[]; status?: number } = {},
  ) {
    const lang = request.lang as Lang;
    const errors = [...(extra.errors ?? [])];
    const values = { ...input };
    let citizen: Record<string, unknown> | undefined;
    if (values.mobile) {
      const m = normaliseMobile(values.mobile);
      if (!m.ok) {
        if (!errors.some((e) => e.href === "#mobile"))
          errors.push({ text: request.t(`doorstep.errors.mobile.${m.code}`), href: "#mobile" });
      } else {
        values.mobile = m.value;
        const apps = await applicationsOfCitizen(db, { mobile: m.value } as never);
        const names = await rows<{ id: number; name: string; name_pa: string; name_hi: string }>(
          db,
          sql`select id, name, name_pa, name_hi from services where id in (select service_id from applications where mobile = ${m.value})`,
        );
        const nameOf = (id: number) => {
          const n = names.find((x) => Number(x.id) === id);
          return n
            ? localServiceName({ name: n.name, namePa: n.name_pa, nameHi: n.name_hi }, lang)
            : "";
        };
        citizen = {
          mobile: m.value,
          applications: apps.map((a) => ({ ...a, serviceName: nameOf(a.serviceId) })),
          visits: await visitsOfMobile(db, m.value),
        };
        // Showing a citizen's applications and visits is a view of personal data: audited.
        await db.transaction((tx) =>
          appendAudit(tx, {
            stream: `official:${staff.official.id}`,
            actor: `official:${staff.official.id}`,
            action: "doorstep.citizen_lookup",
            data: { mobile: m.value, applications: apps.length },
            at: clock.now().toString(),
          }),
        );
      }
    }
    const today = istDateOf(clock.now());
    const services = await servicesByChannel(db, "doorstep");
    const districts = await listDistricts(db);
    const districtCode = intOf(values.district);
    const tehsils = districtCode ? await listTehsils(db, districtCode) : [];
    const serviceId = intOf(values.service);
    const date = /^\d{4}-\d{2}-\d{2}$/.test(values.date ?? "") ? (values.date as string) : "";
    let facts: Awaited<ReturnType<typeof serviceFacts>>;
    if (serviceId) facts = await serviceFacts(serviceId, lang, date || today);
    const tehsilCode = intOf(values.tehsil);
    const slots =
      tehsilCode && date && tehsils.some((t) => t.code === tehsilCode)
        ? await slotCapacities(db, tehsilCode, date)
        : undefined;
    return reply
      .code(extra.status ?? (errors.length ? 400 : 200))
      .view("doorstep/views/helpline.njk", {
        navItems: staffNav(request, staff),
        values,
        errors,
        fieldErrors: fieldErrors(errors),
        citizen,
        services: services.map((s: ServiceOnChannels) => ({
          id: s.id,
          name: localServiceName(s, lang),
        })),
        districts,
        tehsils,
        facts: facts && {
          name: localServiceName(facts.service, lang),
          documents: facts.documents,
          serviceFee: facts.serviceFeePaise === null ? undefined : rupees(facts.serviceFeePaise),
          visitFee: rupees(facts.visitFeePaise),
          refusal: facts.service.channels.doorstep
            ? undefined
            : facts.service.channels.doorstepRefusal,
        },
        slots: slots?.map((s) => ({ ...s, window: slotWindow(s.slot) })),
        today,
        idem: randomUUID(),
      });
  }

  app.get("/helpline", { schema: { hide: true } }, async (request, reply) => {
    const staff = await staffOrRedirect(request, reply, "doorstep.book");
    if (!staff) return reply;
    const q = request.query as Record<string, unknown>;
    const input = Object.fromEntries(
      [
        "mobile",
        "name",
        "address",
        "service",
        "district",
        "tehsil",
        "date",
        "purpose",
        "reference",
      ].map((k) => [k, nfc(str(q[k]))]),
    );
    return renderHelpline(request, reply, staff, input);
  });

  function bookingOf(body: Record<string, string>, key: string): BookingInput {
    const purpose = body.purpose === "delivery" ? "delivery" : "application";
    return {
      purpose,
      mobile: str(body.mobile, 20),
      citizenName: str(body.name, 200),
      address: str(body.address, 1000),
      districtCode: intOf(body.district) ?? Number.NaN,
      tehsilCode: intOf(body.tehsil) ?? Number.NaN,
      ...(purpose === "delivery"
        ? { reference: str(body.reference, 40) }
        : { serviceId: intOf(body.service) }),
      visitDate: str(body.date, 10),
      slot: str(body.slot, 5),
      idempotencyKey: key,
    };
  }

  app.post("/helpline/visits", { schema: { hide: true } }, async (request, reply) => {
    const staff = await staffOrRedirect(request, reply, "doorstep.book");
    if (!staff) return reply;
    const body = (request.body ?? {}) as Record<string, string>;
    try {
      const { visit, created } = await bookVisit(
        db,
        bookingOf(body, `helpline:${staff.official.id}:${str(body.idem, 64)}`),
        { officialId: staff.official.id, label: `official:${staff.official.id}` },
        clock.now(),
      );
      if (created) await notify("booked", visit);
      return reply.redirect(`/helpline/visits/${visit.id}?booked=1`, 303);
    } catch (e) {
      if (!(e instanceof DomainError) || e.kind === "not_found") throw e;
      const input = Object.fromEntries(
        Object.entries(body).map(([k, v]) => [k, nfc(str(v, 1000))]),
      );
      return renderHelpline(request, reply, staff, input, {
        errors: pageErrors(request, e),
        status: e.status,
      });
    }
  });

  async function renderHelplineVisit(
    request: FastifyRequest,
    reply: FastifyReply,
    staff: Staff,
    v: VisitRow,
    extra: { errors?: PageError[]; values?: Record<string, string>; status?: number } = {},
  ) {
    const errors = extra.errors ?? [];
    return reply.code(extra.status ?? 200).view("doorstep/views/helpline-visit.njk", {
      navItems: staffNav(request, staff),
      visit: {
        ...v,
        window: slotWindow(v.slot),
        serviceLocal: localServiceName(
          { name: v.serviceName, namePa: v.serviceNamePa, nameHi: v.serviceNameHi },
          request.lang,
        ),
      },
      events: await visitEvents(db, v.id),
      slots: VISIT_SLOTS.map((s) => ({ value: s, text: slotWindow(s) })),
      booked: (request.query as { booked?: string }).booked === "1",
      errors,
      fieldErrors: fieldErrors(errors),
      values: extra.values ?? {},
    });
  }

  app.get("/helpline/visits/:id", { schema: { hide: true } }, async (request, reply) => {
    const staff = await staffOrRedirect(request, reply, "doorstep.book");
    if (!staff) return reply;
    const v = await helplineVisit(staff, parseId((request.params as { id: string }).id));
    return renderHelplineVisit(request, reply, staff, v);
  });

  /** Reschedule or cancel, by the helpline (for the citizen) or the facilitator. */
  async function change(
    request: FastifyRequest,
    reply: FastifyReply,
    staff: Staff,
    v: VisitRow,
    what: "reschedule" | "cancel",
    by: "citizen" | "facilitator",
  ) {
    const body = (request.body ?? {}) as Record<string, string>;
    const actor = { actorId: staff.official.id, actorLabel: `official:${staff.official.id}` };
    try {
      const { visit, changed } =
        what === "cancel"
          ? await cancelVisit(db, v.id, { by, reason: str(body.reason), ...actor }, clock.now())
          : await rescheduleVisit(
              db,
              v.id,
              {
                by,
                reason: str(body.reason),
                visitDate: str(body.date, 10),
                slot: str(body.slot, 5),
                ...actor,
              },
              clock.now(),
            );
      if (changed) await notify(what === "cancel" ? "cancelled" : "rescheduled", visit);
      return reply.redirect(
        `${by === "citizen" ? "/helpline/visits" : "/visits"}/${v.id}?done=${what}`,
        303,
      );
    } catch (e) {
      if (!(e instanceof DomainError) || e.kind === "not_found") throw e;
      const errors = (
        e.kind === "invalid_transition"
          ? [{ text: request.t("doorstep.errors.visit.not_booked"), href: "#reason" }]
          : pageErrors(request, e)
      ).map((x) =>
        what === "cancel" && x.href === "#reason" ? { ...x, href: "#cancel-reason" } : x,
      );
      const values = { ...body, form: what };
      return by === "citizen"
        ? renderHelplineVisit(request, reply, staff, v, { errors, values, status: e.status })
        : renderVisit(request, reply, staff, v, { errors, values, status: e.status });
    }
  }

  app.post("/helpline/visits/:id/:action", { schema: { hide: true } }, async (request, reply) => {
    const staff = await staffOrRedirect(request, reply, "doorstep.book");
    if (!staff) return reply;
    const { id, action } = request.params as { id: string; action: string };
    if (action !== "reschedule" && action !== "cancel")
      throw new DomainError("not_found", "No such page");
    const v = await helplineVisit(staff, parseId(id));
    return change(request, reply, staff, v, action, "citizen");
  });

  // ------------------------------------------------------------ facilitator

  /** One of the facilitator's own visits, else 404. */
  async function ownVisit(staff: Staff, id: number | undefined): Promise<VisitRow> {
    const v = id === undefined ? undefined : await visitRow(db, id);
    if (!v || v.facilitatorId !== staff.official.id || !can(staff.principal, "doorstep.visit"))
      throw new DomainError("not_found", "No such visit");
    return v;
  }

  app.get("/visits", { schema: { hide: true } }, async (request, reply) => {
    const staff = await staffOrRedirect(request, reply, "doorstep.visit");
    if (!staff) return reply;
    const q = request.query as { date?: string };
    const today = istDateOf(clock.now());
    let date = today;
    if (typeof q.date === "string" && /^\d{4}-\d{2}-\d{2}$/.test(q.date)) {
      try {
        date = Temporal.PlainDate.from(q.date, { overflow: "reject" }).toString();
      } catch {
        date = today;
      }
    }
    const d = Temporal.PlainDate.from(date);
    const list = await visitsOfFacilitator(db, staff.official.id, date);
    // The documents to keep ready, once per service of the day.
    const docs = new Map<number, string[]>();
    for (const v of list)
      if (!docs.has(v.serviceId))
        docs.set(
          v.serviceId,
          (await serviceFacts(v.serviceId, request.lang as Lang, date))?.documents ?? [],
        );
    return reply.view("doorstep/views/visits.njk", {
      navItems: staffNav(request, staff),
      date,
      today,
      prev: d.subtract({ days: 1 }).toString(),
      next: d.add({ days: 1 }).toString(),
      visits: list.map((v) => ({
        ...v,
        window: slotWindow(v.slot),
        masked: maskMobile(v.mobile),
        serviceLocal: localServiceName(
          { name: v.serviceName, namePa: v.serviceNamePa, nameHi: v.serviceNameHi },
          request.lang,
        ),
        documents: v.purpose === "application" ? (docs.get(v.serviceId) ?? []) : [],
      })),
    });
  });

  async function renderVisit(
    request: FastifyRequest,
    reply: FastifyReply,
    staff: Staff,
    v: VisitRow,
    extra: {
      errors?: PageError[];
      values?: Record<string, string>;
      status?: number;
      receipt?: string;
    } = {},
  ) {
    const lang = request.lang as Lang;
    const facts = await serviceFacts(v.serviceId, lang, v.visitDate);
    let payment: Record<string, unknown> | undefined;
    if (v.reference && v.purpose === "application") {
      const fee = await feeStatus(db, v.reference);
      const visitFee = fee.payments.some((p) => p.status === "paid" && p.visitId === v.id)
        ? 0
        : (facts?.visitFeePaise ?? 0);
      payment = {
        reference: v.reference,
        balancePaise: fee.balancePaise,
        visitFeePaise: visitFee,
        totalPaise: fee.balancePaise + visitFee,
        balance: rupees(fee.balancePaise),
        visitFee: rupees(visitFee),
        total: rupees(fee.balancePaise + visitFee),
        receipts: fee.payments.filter((p) => p.receiptNumber).map((p) => p.receiptNumber),
      };
    }
    const errors = extra.errors ?? [];
    const done = (request.query as { done?: string }).done;
    return reply.code(extra.status ?? 200).view("doorstep/views/visit.njk", {
      navItems: staffNav(request, staff),
      visit: {
        ...v,
        window: slotWindow(v.slot),
        masked: maskMobile(v.mobile),
        serviceLocal: localServiceName(
          { name: v.serviceName, namePa: v.serviceNamePa, nameHi: v.serviceNameHi },
          lang,
        ),
      },
      documents: facts?.documents ?? [],
      serviceFee:
        facts && facts.serviceFeePaise !== null ? rupees(facts.serviceFeePaise) : undefined,
      visitFeeInEffect: rupees(facts?.visitFeePaise ?? 0),
      payment,
      methods: COUNTER_METHODS,
      events: await visitEvents(db, v.id),
      slots: VISIT_SLOTS.map((s) => ({ value: s, text: slotWindow(s) })),
      errors,
      fieldErrors: fieldErrors(errors),
      values: extra.values ?? {},
      done: typeof done === "string" ? done.slice(0, 20) : undefined,
      receipt: extra.receipt ?? (request.query as { receipt?: string }).receipt,
      codeSent: (request.query as { code?: string }).code === "sent",
    });
  }

  app.get("/visits/:id", { schema: { hide: true } }, async (request, reply) => {
    const staff = await staffOrRedirect(request, reply, "doorstep.visit");
    if (!staff) return reply;
    const v = await ownVisit(staff, parseId((request.params as { id: string }).id));
    return renderVisit(request, reply, staff, v);
  });

  app.post("/visits/:id/:action", { schema: { hide: true } }, async (request, reply) => {
    const staff = await staffOrRedirect(request, reply, "doorstep.visit");
    if (!staff) return reply;
    const { id, action } = request.params as { id: string; action: string };
    const v = await ownVisit(staff, parseId(id));
    const body = (request.body ?? {}) as Record<string, string>;
    const now = clock.now();
    if (action === "reschedule" || action === "cancel")
      return change(request, reply, staff, v, action, "facilitator");
    if (action === "collect") {
      if (!v.reference || !v.applicationId)
        throw new DomainError("not_found", "No application for this visit");
      const fee = await visitFeeOn(db, v.visitDate);
      try {
        const p = await recordCounterPayment(db, {
          reference: v.reference,
          method: body.method as CounterMethod,
          amountPaise: Number(body.amountPaise),
          officialId: staff.official.id,
          collectedAt: `doorstep:${v.number}`,
          visitId: v.id,
          visitFeePaise: fee?.visitFeePaise ?? 0,
          now,
        });
        return reply.redirect(
          `/visits/${v.id}?receipt=${encodeURIComponent(p.receiptNumber ?? "")}`,
          303,
        );
      } catch (e) {
        if (!(e instanceof DomainError) || !["conflict", "validation"].includes(e.kind)) throw e;
        const text =
          e.kind === "conflict"
            ? request.t("doorstep.errors.method.paid")
            : request.t("doorstep.errors.method.required");
        return renderVisit(request, reply, staff, v, {
          errors: [{ text, href: "#method" }],
          status: e.status,
        });
      }
    }
    if (action === "deliver-code" || action === "deliver") {
      if (v.purpose !== "delivery" || !v.reference || v.status !== "booked")
        throw new DomainError("not_found", "No delivery for this visit");
      try {
        if (action === "deliver-code") {
          await sendHandoverCode(db, sms, config.secretKey, v.reference, now);
          return reply.redirect(`/visits/${v.id}?code=sent`, 303);
        }
        await handOver(db, {
          secret: config.secretKey,
          reference: v.reference,
          code: str(body.code, 20),
          officialId: staff.official.id,
          visitId: v.id,
          now,
        });
      } catch (e) {
        if (!(e instanceof DomainError) || e.kind === "not_found") throw e;
        // Handed over already (a repeated submit): the visit is completed below all the same.
        if (!(action === "deliver" && e.kind === "conflict")) {
          const text =
            e.kind === "validation" && e.fields[0]?.field === "code"
              ? request.t("doorstep.errors.code.wrong")
              : e.message;
          return renderVisit(request, reply, staff, v, {
            errors: [{ text, href: "#code" }],
            status: e.status,
          });
        }
      }
      await completeVisit(
        db,
        v.id,
        {
          actorId: staff.official.id,
          actorLabel: `official:${staff.official.id}`,
          action: "delivered",
        },
        now,
      );
      return reply.redirect(`/visits/${v.id}?done=deliver`, 303);
    }
    if (action === "complete") {
      try {
        await completeVisit(
          db,
          v.id,
          {
            actorId: staff.official.id,
            actorLabel: `official:${staff.official.id}`,
            applicationId: v.applicationId,
          },
          now,
        );
      } catch (e) {
        if (!(e instanceof DomainError) || e.kind !== "invalid_transition") throw e;
        return renderVisit(request, reply, staff, v, {
          errors: [{ text: request.t("doorstep.errors.visit.not_booked"), href: "#complete" }],
          status: e.status,
        });
      }
      return reply.redirect(`/visits/${v.id}?done=complete`, 303);
    }
    throw new DomainError("not_found", "No such page");
  });

  // ------------------------------------------------------------ visit fee (admin)

  async function renderFees(
    request: FastifyRequest,
    reply: FastifyReply,
    staff: Staff,
    extra: {
      errors?: PageError[];
      values?: Record<string, string>;
      status?: number;
      saved?: boolean;
    } = {},
  ) {
    const today = istDateOf(clock.now());
    const list = await visitFees(db);
    const inEffect = await visitFeeOn(db, today);
    const errors = extra.errors ?? [];
    return reply.code(extra.status ?? 200).view("doorstep/views/fees.njk", {
      navItems: staffNav(request, staff),
      fees: list.map((f) => ({
        ...f,
        rupees: rupees(f.visitFeePaise),
        current: f.effectiveFrom === inEffect?.effectiveFrom,
      })),
      errors,
      fieldErrors: fieldErrors(errors),
      values: extra.values ?? {},
      saved: extra.saved ?? (request.query as { saved?: string }).saved === "1",
    });
  }

  app.get("/admin/doorstep-fees", { schema: { hide: true } }, async (request, reply) => {
    const staff = await staffOrRedirect(request, reply, "holidays.manage");
    if (!staff) return reply;
    return renderFees(request, reply, staff);
  });

  app.post("/admin/doorstep-fees", { schema: { hide: true } }, async (request, reply) => {
    const staff = await staffOrRedirect(request, reply, "holidays.manage");
    if (!staff) return reply;
    const body = (request.body ?? {}) as Record<string, string>;
    const rupeesText = toAsciiDigits(str(body.rupees, 12)).trim();
    const paise = /^\d{1,5}(\.\d{1,2})?$/.test(rupeesText)
      ? Math.round(Number(rupeesText) * 100)
      : Number.NaN;
    try {
      await setVisitFee(db, {
        effectiveFrom: str(body.from, 10),
        visitFeePaise: paise,
        source: str(body.source, 1000),
        actor: `official:${staff.official.id}`,
        now: clock.now(),
      });
      return reply.redirect("/admin/doorstep-fees?saved=1", 303);
    } catch (e) {
      if (!(e instanceof DomainError) || e.kind !== "validation") throw e;
      return renderFees(request, reply, staff, {
        errors: pageErrors(request, e),
        values: body,
        status: 400,
      });
    }
  });

  // ------------------------------------------------------------ API

  const VisitBody = Type.Object(
    {
      purpose: Type.Optional(Type.Union([Type.Literal("application"), Type.Literal("delivery")])),
      mobile: Type.String({ maxLength: 20 }),
      name: Type.String({ maxLength: 200 }),
      address: Type.String({ maxLength: 1000 }),
      districtCode: Type.Integer(),
      tehsilCode: Type.Integer(),
      serviceId: Type.Optional(Type.Integer()),
      reference: Type.Optional(Type.String({ maxLength: 40 })),
      date: Type.String({ format: "date", description: "IST date YYYY-MM-DD" }),
      slot: Type.String({ description: `Window start: ${VISIT_SLOTS.join(", ")}` }),
    },
    { additionalProperties: false },
  );
  const VisitJson = Type.Object({
    id: Type.Integer(),
    number: Type.String(),
    purpose: Type.String(),
    status: Type.String(),
    date: Type.String(),
    slot: Type.String(),
    window: Type.String(),
    serviceId: Type.Integer(),
    tehsilCode: Type.Integer(),
  });

  app.post(
    "/api/v1/doorstep/visits",
    {
      schema: {
        tags: ["doorstep"],
        summary: "Book a doorstep visit (helpline 1076)",
        description:
          "For the helpline's own telephony screen: needs a signed-in staff session with the helpline role (`doorstep.book`) and an `Idempotency-Key` header. A service that is not offered at the doorstep is refused with 422 problem+json (field `service`, code `excluded.<reason>`: `e_stamp`, `aadhaar`, `arms_licence`, `not_doorstep`); a full slot with 409 (`slot.full`); Sundays and holidays with 400 (`date.sunday`, `date.holiday`).",
        body: VisitBody,
        headers: Type.Object({ "idempotency-key": Type.String({ minLength: 8, maxLength: 100 }) }),
        response: { 201: VisitJson, 200: VisitJson },
      },
    },
    async (request, reply) => {
      const staff = await requireStaff(request, "doorstep.book");
      const b = request.body as {
        purpose?: "application" | "delivery";
        mobile: string;
        name: string;
        address: string;
        districtCode: number;
        tehsilCode: number;
        serviceId?: number;
        reference?: string;
        date: string;
        slot: string;
      };
      const key = String(request.headers["idempotency-key"]);
      const { visit, created } = await bookVisit(
        db,
        {
          purpose: b.purpose ?? "application",
          mobile: b.mobile,
          citizenName: b.name,
          address: b.address,
          districtCode: b.districtCode,
          tehsilCode: b.tehsilCode,
          ...(b.serviceId !== undefined ? { serviceId: b.serviceId } : {}),
          ...(b.reference !== undefined ? { reference: b.reference } : {}),
          visitDate: b.date,
          slot: b.slot,
          idempotencyKey: `api:${staff.official.id}:${key}`,
        },
        { officialId: staff.official.id, label: `official:${staff.official.id}` },
        clock.now(),
      );
      if (created) await notify("booked", visit);
      return reply.code(created ? 201 : 200).send({
        id: visit.id,
        number: visit.number,
        purpose: visit.purpose,
        status: visit.status,
        date: visit.visitDate,
        slot: visit.slot,
        window: slotWindow(visit.slot),
        serviceId: visit.serviceId,
        tehsilCode: visit.tehsilCode,
      });
    },
  );
}
