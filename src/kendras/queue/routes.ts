/**
 * Sewa Kendra token queue pages and API (issue 9):
 * - kiosk `GET/POST /kendras/:code/kiosk` (no login): take a walk-in token
 *   (optional service and mobile) or check a booked token in by number and
 *   mobile; the printable slip `GET /kendras/:code/kiosk/slip/:key`;
 * - booking `GET/POST /kendras/:code/book` (no login): a date in the next 14
 *   days and a 30-minute slot, mobile required; confirmation
 *   `GET /kendras/:code/book/done/:key` and an SMS;
 * - API `POST /api/v1/kendras/{code}/tokens` (`Idempotency-Key`) and
 *   `GET /api/v1/kendras/{code}/slots?date=` for WhatsApp bots and the like;
 * - operator console `GET /counter` (`kendra.counter`): choose a counter,
 *   see the queue, call next, recall, no-show, start serving, close; a
 *   manager (`kendra.manage`) also sees the centre's queue figures;
 * - TV display `GET /kendras/:code/display` (no login, no JavaScript,
 *   meta refresh every 10 s), in Punjabi and English.
 *
 * Kiosk and booking forms carry a one-time request key (hidden field): a
 * repeated submit returns the same token instead of a second one.
 */
import { randomBytes } from "node:crypto";
import { Type } from "@sinclair/typebox";
import { and, eq, sql } from "drizzle-orm";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { Problem } from "../../applications/api.ts";
import { searchServices } from "../../catalog/service.ts";
import { DomainError } from "../../common/errors.ts";
import { normaliseMobile, toAsciiDigits } from "../../common/text.ts";
import { instantOf, isoOf } from "../../common/time.ts";
import { rows } from "../../db/client.ts";
import { tokens } from "../../db/schema.ts";
import { can } from "../../identity/authorization.ts";
import { resumeSession, saveSessionData } from "../../identity/service.ts";
import { STAFF_COOKIE, type Staff, staffOrRedirect } from "../../identity/session.ts";
import { istDateOf } from "../../sla/clock.ts";
import { loadCalendar } from "../../sla/service.ts";
import { staffNav } from "../../workflow/routes.ts";
import { counterKendrasOf, counterSeatOf, countersOf, takeCounterSeat } from "../counter-seat.ts";
import { getKendra, type Kendra, kendraName } from "../registry/service.ts";
import { bookableDates, dateProblem, maskMobile } from "./rules.ts";
import {
  activeKendra,
  bookToken,
  callNext,
  checkIn,
  closeToken,
  displayBoard,
  issueWalkIn,
  istTimeOfStored,
  markNoShow,
  peopleAhead,
  queueFigures,
  recallToken,
  slotAvailability,
  startServing,
  type Token,
  tokenAtCounter,
  waitingQueue,
} from "./service.ts";

const INTL = { en: "en-IN", pa: "pa-IN", hi: "hi-IN" } as const;
type Lang = keyof typeof INTL;

/** A fresh one-time request key for a form (128 bits, base64url). */
function requestKey(): string {
  return randomBytes(16).toString("base64url");
}
const KEY = /^[A-Za-z0-9_-]{16,64}$/;

/** Error summary items and per-field messages for a DomainError's field problems. */
function fieldErrors(request: FastifyRequest, e: DomainError) {
  const byField: Record<string, string> = {};
  for (const f of e.fields)
    byField[f.field] ??= request.t(`queue.errors.${f.code}`, f.params ?? {});
  return {
    errors: Object.entries(byField).map(([field, text]) => ({ text, href: `#${field}` })),
    byField,
  };
}

/** Registers the queue routes. */
export async function kendraQueueRoutes(app: FastifyInstance): Promise<void> {
  const { db } = app.deps.database;
  const { clock, sms, config } = app.deps;

  async function serviceItems(request: FastifyRequest, selected?: string) {
    const lang = request.lang as Lang;
    const all = await searchServices(db, {});
    const collator = new Intl.Collator(INTL[lang]);
    const named = all
      .map((s) => ({
        value: String(s.id),
        text: (lang === "pa" ? s.namePa : lang === "hi" ? s.nameHi : "") || s.name,
        selected: selected === String(s.id),
      }))
      .sort((a, b) => collator.compare(a.text, b.text));
    return [{ value: "", text: request.t("queue.kiosk.anyService") }, ...named];
  }

  const parseService = (v: unknown) =>
    typeof v === "string" && /^\d{1,9}$/.test(v.trim()) ? Number(v) : null;

  async function centreOf(request: FastifyRequest): Promise<Kendra> {
    const { code } = request.params as { code: string };
    return activeKendra(db, code);
  }

  /** The slip of a token: number, centre, time issued, people ahead. */
  async function slipView(
    request: FastifyRequest,
    reply: FastifyReply,
    kendra: Kendra,
    token: Token,
  ) {
    const ahead = await peopleAhead(db, kendra.code, token.id, clock.now());
    return reply.view("kendras/queue/views/slip.njk", {
      kendra,
      centreName: kendraName(kendra, request.lang),
      token,
      issuedAt: token.issuedAt ? isoOf(token.issuedAt) : "",
      issuedTime: istTimeOfStored(token.issuedAt),
      ahead,
    });
  }

  // ---------------------------------------------------------------- kiosk

  async function renderKiosk(
    request: FastifyRequest,
    reply: FastifyReply,
    kendra: Kendra,
    extra: Record<string, unknown> = {},
    status = 200,
  ) {
    const values = (extra.values ?? {}) as Record<string, string>;
    return reply.code(status).view("kendras/queue/views/kiosk.njk", {
      kendra,
      centreName: kendraName(kendra, request.lang),
      services: await serviceItems(request, values.serviceId),
      requestKey: requestKey(),
      values,
      errors: [],
      byField: {},
      ...extra,
    });
  }

  app.get("/kendras/:code/kiosk", { schema: { hide: true } }, async (request, reply) =>
    renderKiosk(request, reply, await centreOf(request)),
  );

  app.post("/kendras/:code/kiosk", { schema: { hide: true } }, async (request, reply) => {
    const kendra = await centreOf(request);
    const body = (request.body ?? {}) as Record<string, string>;
    try {
      if (body.action === "check_in") {
        const number = Number(toAsciiDigits(body.number ?? "").trim());
        const fields = [];
        if (!Number.isInteger(number) || number < 1)
          fields.push({ field: "number", code: "number.invalid" });
        if (!(body.checkInMobile ?? "").trim())
          fields.push({ field: "checkInMobile", code: "mobile.required" });
        if (fields.length) throw new DomainError("validation", "Check-in is not valid", fields);
        try {
          const { token } = await checkIn(db, {
            kendraCode: kendra.code,
            number,
            mobile: body.checkInMobile ?? "",
            now: clock.now(),
          });
          return slipView(request, reply, kendra, token);
        } catch (e) {
          if (
            e instanceof DomainError &&
            e.kind === "not_found" &&
            e.message.startsWith("No booked")
          )
            throw new DomainError("validation", e.message, [
              { field: "number", code: "checkin.not_found" },
            ]);
          throw e;
        }
      }
      const key = KEY.test(body.requestKey ?? "") ? `kiosk:${body.requestKey}` : undefined;
      if (key) {
        const [again] = await db.select().from(tokens).where(eq(tokens.idempotencyKey, key));
        if (again)
          return reply.redirect(`/kendras/${kendra.code}/kiosk/slip/${body.requestKey}`, 303);
      }
      const { token } = await issueWalkIn(db, {
        kendraCode: kendra.code,
        serviceId: parseService(body.serviceId),
        mobile: body.mobile,
        now: clock.now(),
        idempotencyKey: key,
      });
      return key
        ? reply.redirect(`/kendras/${kendra.code}/kiosk/slip/${body.requestKey}`, 303)
        : slipView(request, reply, kendra, token);
    } catch (e) {
      if (!(e instanceof DomainError) || !e.fields.length) throw e;
      const { errors, byField } = fieldErrors(request, e);
      return renderKiosk(request, reply, kendra, { errors, byField, values: body }, 400);
    }
  });

  app.get("/kendras/:code/kiosk/slip/:key", { schema: { hide: true } }, async (request, reply) => {
    const kendra = await centreOf(request);
    const { key } = request.params as { key: string };
    const [token] = KEY.test(key)
      ? await db
          .select()
          .from(tokens)
          .where(and(eq(tokens.idempotencyKey, `kiosk:${key}`), eq(tokens.kendraCode, kendra.code)))
      : [];
    if (!token) throw new DomainError("not_found", "No such token");
    return slipView(request, reply, kendra, token);
  });

  // ---------------------------------------------------------------- booking

  async function renderBooking(
    request: FastifyRequest,
    reply: FastifyReply,
    kendra: Kendra,
    values: Record<string, string>,
    extra: Record<string, unknown> = {},
    status = 200,
  ) {
    const lang = request.lang as Lang;
    const now = clock.now();
    const today = istDateOf(now);
    const calendar = await loadCalendar(db, kendra.districtCode);
    const dayFmt = new Intl.DateTimeFormat(INTL[lang], {
      weekday: "long",
      day: "numeric",
      month: "long",
      timeZone: "UTC",
    });
    const dates = bookableDates(today).map((d) => {
      const [y, m, dd] = d.split("-").map(Number);
      const closed = dateProblem(d, today, kendra, (x) => calendar.isHoliday(x));
      return {
        value: d,
        text: `${dayFmt.format(Date.UTC(y as number, (m as number) - 1, dd as number))}${closed ? ` (${request.t("queue.book.closed")})` : ""}`,
        selected: values.date === d,
      };
    });
    const date = values.date ?? "";
    const availability = date ? await slotAvailability(db, kendra, date, now) : { slots: [] };
    const byField = { ...((extra.byField as Record<string, string>) ?? {}) };
    if (date && availability.problem && !byField.date)
      byField.date = request.t(`queue.errors.${availability.problem}`);
    return reply.code(status).view("kendras/queue/views/book.njk", {
      kendra,
      centreName: kendraName(kendra, lang),
      dates: [{ value: "", text: request.t("queue.book.chooseDate") }, ...dates],
      date,
      slots: availability.slots.map((s) => ({
        value: s.slot,
        text: s.slot,
        hint: {
          text: s.remaining
            ? request.t("queue.book.placesLeft", { n: request.fmt.number(s.remaining) })
            : request.t("queue.book.full"),
        },
        disabled: s.remaining === 0,
        checked: values.slot === s.slot,
      })),
      services: await serviceItems(request, values.serviceId),
      requestKey: requestKey(),
      values,
      errors: [],
      ...extra,
      byField,
    });
  }

  app.get("/kendras/:code/book", { schema: { hide: true } }, async (request, reply) => {
    const kendra = await centreOf(request);
    const q = request.query as { date?: string };
    return renderBooking(request, reply, kendra, { date: q.date ?? "" });
  });

  app.post("/kendras/:code/book", { schema: { hide: true } }, async (request, reply) => {
    const kendra = await centreOf(request);
    const body = (request.body ?? {}) as Record<string, string>;
    const key = KEY.test(body.requestKey ?? "") ? body.requestKey : requestKey();
    try {
      const { token, created } = await bookToken(db, {
        kendraCode: kendra.code,
        date: body.date ?? "",
        slot: body.slot ?? "",
        mobile: body.mobile ?? "",
        serviceId: parseService(body.serviceId),
        via: "online",
        idempotencyKey: `web:${key}`,
        now: clock.now(),
      });
      if (created) await sendBookingSms(request, request.lang as Lang, kendra, token);
      return reply.redirect(`/kendras/${kendra.code}/book/done/${key}`, 303);
    } catch (e) {
      if (!(e instanceof DomainError) || !e.fields.length) throw e;
      const { errors, byField } = fieldErrors(request, e);
      return renderBooking(request, reply, kendra, body, { errors, byField }, e.status);
    }
  });

  app.get("/kendras/:code/book/done/:key", { schema: { hide: true } }, async (request, reply) => {
    const kendra = await centreOf(request);
    const { key } = request.params as { key: string };
    const [token] = KEY.test(key)
      ? await db
          .select()
          .from(tokens)
          .where(and(eq(tokens.idempotencyKey, `web:${key}`), eq(tokens.kendraCode, kendra.code)))
      : [];
    if (!token) throw new DomainError("not_found", "No such booking");
    return reply.view("kendras/queue/views/booked.njk", {
      kendra,
      centreName: kendraName(kendra, request.lang),
      token,
      mobile: maskMobile(token.mobile),
    });
  });

  /** The booking SMS in `lang`: number, centre, date, slot, how to check in. */
  async function sendBookingSms(request: FastifyRequest, lang: Lang, kendra: Kendra, token: Token) {
    if (!token.mobile) return;
    const [y, m, d] = token.serviceDate.split("-").map(Number);
    const date = new Intl.DateTimeFormat(INTL[lang], {
      day: "numeric",
      month: "short",
      year: "numeric",
      timeZone: "UTC",
    }).format(Date.UTC(y as number, (m as number) - 1, d as number));
    await sms.send({
      to: token.mobile,
      text: request.t("queue.sms.booked", {
        lng: lang,
        number: token.number,
        centre: kendraName(kendra, lang),
        date,
        slot: token.slot ?? "",
        interpolation: { escapeValue: false },
      }),
    });
  }

  // ---------------------------------------------------------------- API

  const TokenJson = Type.Object({
    kendraCode: Type.String(),
    date: Type.String({ format: "date" }),
    number: Type.Integer(),
    slot: Type.Union([Type.String(), Type.Null()]),
    status: Type.String(),
    bookedAt: Type.Union([Type.String(), Type.Null()]),
  });
  const tokenJson = (t: Token) => ({
    kendraCode: t.kendraCode,
    date: t.serviceDate,
    number: t.number,
    slot: t.slot,
    status: t.status,
    bookedAt: t.bookedAt ? isoOf(t.bookedAt) : null,
  });
  const CodeParams = Type.Object({ code: Type.String({ pattern: "^[A-Za-z0-9-]{2,32}$" }) });

  app.post(
    "/api/v1/kendras/:code/tokens",
    {
      schema: {
        tags: ["kendras"],
        summary: "Book a token at a Sewa Kendra for a date and slot",
        description:
          "For booking channels such as a WhatsApp bot (docs/kendras.md). The date is today or within the next 14 days, not the centre's weekly off day nor a gazetted or local holiday; the slot is `HH:MM` on the hour or half hour within opening hours; each slot takes counters × 2 bookings. Send `Idempotency-Key`: a retry with the same key returns the same token (header `Idempotent-Replayed: true`); the same key with another booking is refused (422). The citizen gets an SMS with the token number. On the day, the citizen checks in at the centre's kiosk with the number and mobile number.",
        params: CodeParams,
        headers: Type.Object({ "idempotency-key": Type.Optional(Type.String({ maxLength: 200 })) }),
        body: Type.Object(
          {
            date: Type.String({ description: "YYYY-MM-DD (IST)" }),
            slot: Type.String({ description: "HH:MM, the slot's start (IST)" }),
            mobile: Type.String({ description: "the citizen's 10-digit mobile number" }),
            serviceId: Type.Optional(Type.Integer({ description: "the service (optional)" })),
            lang: Type.Optional(
              Type.Union([Type.Literal("en"), Type.Literal("pa"), Type.Literal("hi")], {
                description: "language of the confirmation SMS (default en)",
              }),
            ),
          },
          { additionalProperties: false },
        ),
        response: { 201: TokenJson, 400: Problem, 404: Problem, 409: Problem, 422: Problem },
      },
    },
    async (request, reply) => {
      const { code } = request.params as { code: string };
      const body = request.body as {
        date: string;
        slot: string;
        mobile: string;
        serviceId?: number;
        lang?: Lang;
      };
      const raw = request.headers["idempotency-key"];
      const key = Array.isArray(raw) ? raw[0] : raw;
      if (key !== undefined && (!key || !/^[\x21-\x7e]{1,200}$/.test(key)))
        throw new DomainError(
          "validation",
          "Idempotency-Key must be 1-200 visible ASCII characters",
          [{ field: "Idempotency-Key", code: "invalid" }],
        );
      const kendra = await activeKendra(db, code);
      const { token, created } = await bookToken(db, {
        kendraCode: kendra.code,
        date: body.date,
        slot: body.slot,
        mobile: body.mobile,
        serviceId: body.serviceId ?? null,
        via: "api",
        idempotencyKey: key ? `api:${key}` : undefined,
        now: clock.now(),
      });
      if (!created) {
        const m = normaliseMobile(body.mobile);
        if (
          token.kendraCode !== kendra.code ||
          token.serviceDate !== body.date ||
          token.slot !== body.slot ||
          !m.ok ||
          token.mobile !== m.value
        )
          throw new DomainError(
            "unprocessable",
            "This Idempotency-Key was used for another booking",
            [{ field: "Idempotency-Key", code: "reused" }],
          );
        reply.header("Idempotent-Replayed", "true");
      } else await sendBookingSms(request, body.lang ?? "en", kendra, token);
      return reply.code(201).send(tokenJson(token));
    },
  );

  app.get(
    "/api/v1/kendras/:code/slots",
    {
      schema: {
        tags: ["kendras"],
        summary: "A Sewa Kendra's bookable slots on a date, with the remaining capacity",
        description:
          "Slots already started today are left out. A date that cannot be booked (past, more than 14 days ahead, the weekly off day, a holiday) answers 422 with the reason in `errors[0].code` (`date.past`, `date.too_far`, `date.weekly_off`, `date.holiday`, `date.invalid`).",
        params: CodeParams,
        querystring: Type.Object({ date: Type.String({ description: "YYYY-MM-DD" }) }),
        response: {
          200: Type.Object({
            kendraCode: Type.String(),
            date: Type.String(),
            slots: Type.Array(
              Type.Object({
                slot: Type.String(),
                capacity: Type.Integer(),
                booked: Type.Integer(),
                remaining: Type.Integer(),
              }),
            ),
          }),
          400: Problem,
          404: Problem,
          422: Problem,
        },
      },
    },
    async (request) => {
      const { code } = request.params as { code: string };
      const { date } = request.query as { date: string };
      const kendra = await activeKendra(db, code);
      const a = await slotAvailability(db, kendra, date, clock.now());
      if (a.problem)
        throw new DomainError("unprocessable", "This date cannot be booked", [
          { field: "date", code: a.problem },
        ]);
      return { kendraCode: kendra.code, date, slots: a.slots };
    },
  );

  // ---------------------------------------------------------------- TV display

  app.get("/kendras/:code/display", { schema: { hide: true } }, async (request, reply) => {
    const kendra = await centreOf(request);
    const board = await displayBoard(db, kendra, clock.now());
    reply.header("cache-control", "no-store");
    return reply.view("kendras/queue/views/display.njk", {
      kendra,
      board,
      updated: istTimeOfStored(clock.now().toString()),
    });
  });

  // ---------------------------------------------------------------- operator console

  async function renderCounter(
    request: FastifyRequest,
    reply: FastifyReply,
    staff: Staff,
    extra: Record<string, unknown> = {},
    status = 200,
  ) {
    const seat = await counterSeatOf(request, staff);
    const now = clock.now();
    const base = { navItems: staffNav(request, staff), errors: [], official: staff.official };
    if (!seat) {
      const centres = [];
      for (const code of counterKendrasOf(staff)) {
        const k = await getKendra(db, code);
        if (k) centres.push({ code, name: kendraName(k, request.lang), counters: k.counters });
      }
      return reply.code(status).view("kendras/queue/views/counter-seat.njk", {
        ...base,
        centres,
        ...extra,
      });
    }
    const kendra = (await getKendra(db, seat.kendraCode)) as Kendra;
    const current = await tokenAtCounter(db, seat.kendraCode, seat.counter, now);
    const queue = await waitingQueue(db, seat.kendraCode, now);
    const serviceNames = new Map(
      (await searchServices(db, {})).map((s) => [
        s.id,
        (request.lang === "pa" ? s.namePa : request.lang === "hi" ? s.nameHi : "") || s.name,
      ]),
    );
    const nowMs = now.epochMilliseconds;
    const waitMinutes = (t: Token) =>
      t.issuedAt
        ? Math.max(0, Math.floor((nowMs - instantOf(t.issuedAt).epochMilliseconds) / 60_000))
        : 0;
    let reference: string | undefined;
    if (current?.applicationId) {
      const [a] = await rows<{ reference: string }>(
        db,
        sql`select reference from applications where id = ${current.applicationId}`,
      );
      reference = a?.reference;
    }
    const today = istDateOf(now);
    const manager = can(staff.principal, "kendra.manage");
    const weekAgo = istDateOf(now.subtract({ hours: 24 * 6 }));
    const figures = manager
      ? {
          today: await queueFigures(
            db,
            { kendraCode: kendra.code },
            { from: today, to: today },
            config.tokenTargetMinutes,
          ),
          week: await queueFigures(
            db,
            { kendraCode: kendra.code },
            { from: weekAgo, to: today },
            config.tokenTargetMinutes,
          ),
        }
      : undefined;
    return reply.code(status).view("kendras/queue/views/counter.njk", {
      ...base,
      kendra,
      centreName: kendraName(kendra, request.lang),
      seat,
      current: current
        ? {
            ...current,
            service: current.serviceId ? serviceNames.get(current.serviceId) : undefined,
            mobile: maskMobile(current.mobile),
            calledTime: istTimeOfStored(current.calledAt),
            wait:
              current.calledAt && current.issuedAt
                ? Math.floor(
                    (instantOf(current.calledAt).epochMilliseconds -
                      instantOf(current.issuedAt).epochMilliseconds) /
                      60_000,
                  )
                : 0,
          }
        : undefined,
      reference,
      queue: queue.map((t) => ({
        id: t.id,
        number: t.number,
        kind: t.kind,
        slot: t.slot,
        service: t.serviceId ? serviceNames.get(t.serviceId) : undefined,
        mobile: maskMobile(t.mobile),
        issuedTime: istTimeOfStored(t.issuedAt),
        wait: waitMinutes(t),
        late: waitMinutes(t) > config.tokenTargetMinutes,
      })),
      target: config.tokenTargetMinutes,
      figures,
      ...extra,
    });
  }

  /** Runs a counter action; a refused step re-renders the console with its message. */
  async function counterAction(
    request: FastifyRequest,
    reply: FastifyReply,
    fn: (staff: Staff, seat: { kendraCode: string; counter: number }) => Promise<unknown>,
    after: (result: unknown) => string = () => "/counter",
  ) {
    const staff = await staffOrRedirect(request, reply, "kendra.counter");
    if (!staff) return reply;
    const seat = await counterSeatOf(request, staff);
    if (!seat) return reply.redirect("/counter", 303);
    let result: unknown;
    try {
      result = await fn(staff, seat);
    } catch (e) {
      if (!(e instanceof DomainError) || !["conflict", "invalid_transition"].includes(e.kind))
        throw e;
      const code = e.fields[0]?.code ?? "token.moved_on";
      return renderCounter(
        request,
        reply,
        staff,
        { errors: [{ text: request.t(`queue.errors.${code}`), href: "#current" }] },
        e.status,
      );
    }
    return reply.redirect(after(result), 303);
  }

  app.get("/counter", { schema: { hide: true } }, async (request, reply) => {
    const staff = await staffOrRedirect(request, reply, "kendra.counter");
    if (!staff) return reply;
    return renderCounter(request, reply, staff, {
      empty: (request.query as { empty?: string }).empty === "1",
    });
  });

  app.post("/counter/seat", { schema: { hide: true } }, async (request, reply) => {
    const staff = await staffOrRedirect(request, reply, "kendra.counter");
    if (!staff) return reply;
    const body = (request.body ?? {}) as Record<string, string>;
    const kendraCode = body.kendraCode ?? "";
    const counter = Number(toAsciiDigits(body.counter ?? ""));
    try {
      await takeCounterSeat(request, staff, { kendraCode, counter });
    } catch (e) {
      if (!(e instanceof DomainError) || e.kind !== "unprocessable") throw e;
      const max = await countersOf(db, kendraCode);
      return renderCounter(
        request,
        reply,
        staff,
        {
          errors: [
            { text: request.t("queue.errors.counter.out_of_range", { max }), href: "#counter" },
          ],
          values: body,
        },
        422,
      );
    }
    return reply.redirect("/counter", 303);
  });

  app.post("/counter/seat/leave", { schema: { hide: true } }, async (request, reply) => {
    const staff = await staffOrRedirect(request, reply, "kendra.counter");
    if (!staff) return reply;
    const cookie = request.cookies[STAFF_COOKIE] as string;
    const live = await resumeSession(db, cookie);
    if (live) {
      const { counter: _seat, ...rest } = live.session.data as Record<string, unknown>;
      await saveSessionData(db, cookie, rest);
    }
    return reply.redirect("/counter", 303);
  });

  app.post("/counter/call", { schema: { hide: true } }, async (request, reply) =>
    counterAction(
      request,
      reply,
      (staff, seat) => callNext(db, { ...seat, officialId: staff.official.id, now: clock.now() }),
      (called) => (called ? "/counter" : "/counter?empty=1"),
    ),
  );

  const tokenId = (request: FastifyRequest) => {
    const { id } = request.params as { id: string };
    if (!/^\d{1,15}$/.test(id)) throw new DomainError("not_found", "No such token");
    return Number(id);
  };
  const actions: Record<
    string,
    (
      staff: Staff,
      seat: { kendraCode: string; counter: number },
      id: number,
      body: Record<string, string>,
    ) => Promise<unknown>
  > = {
    recall: (staff, seat, id) =>
      recallToken(db, { ...seat, officialId: staff.official.id, now: clock.now() }, id),
    "no-show": (staff, seat, id) =>
      markNoShow(db, { ...seat, officialId: staff.official.id, now: clock.now() }, id),
    serve: (staff, seat, id) =>
      startServing(db, { ...seat, officialId: staff.official.id, now: clock.now() }, id),
    close: (staff, seat, id, body) =>
      closeToken(
        db,
        { ...seat, officialId: staff.official.id, now: clock.now() },
        id,
        body.outcome,
      ),
  };
  for (const [name, fn] of Object.entries(actions)) {
    app.post(`/counter/tokens/:id/${name}`, { schema: { hide: true } }, async (request, reply) =>
      counterAction(request, reply, (staff, seat) =>
        fn(staff, seat, tokenId(request), (request.body ?? {}) as Record<string, string>),
      ),
    );
  }
}
