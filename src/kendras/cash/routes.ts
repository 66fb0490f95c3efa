/**
 * Day-close pages (issue 9; service.ts has the rules):
 * - `GET /counter/close?date=YYYY-MM-DD` — the operator's counter (seat
 *   required; `kendra.counter`): the day's cash receipts and the expected
 *   total, card/UPI apart, the close if submitted; `POST /counter/close`
 *   (`date`, `rupees`, `paise`, `remark`) submits it;
 * - `GET /kendra/closes` — the Sewa Kendra manager (`kendra.manage`, their
 *   centres only): closes with differences marked; `POST /kendra/closes/:id`
 *   (`decision` = `approve` | `return`, `remark`) decides one;
 * - `GET /kendra` — the manager's landing page (links to the centre's pages).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { formatRupees } from "../../catalog/definitions/fees.ts";
import type { Lang } from "../../catalog/definitions/types.ts";
import { DomainError } from "../../common/errors.ts";
import { scopesFor } from "../../identity/authorization.ts";
import { type Staff, staffOrRedirect } from "../../identity/session.ts";
import { istDateOf } from "../../sla/clock.ts";
import { staffNav } from "../../workflow/routes.ts";
import { kendraNames } from "../assisted/service.ts";
import { counterSeatOf } from "../counter-seat.ts";
import {
  type CashClose,
  closeOf,
  closesOf,
  countedPaiseOf,
  dayReceipts,
  decideClose,
  isBusinessDate,
  submitClose,
} from "./service.ts";

/** Paise as signed rupees: `₹12.50`, `−₹12.50`. */
export function signedRupees(paise: number): string {
  return paise < 0 ? `−${formatRupees(-paise)}` : formatRupees(paise);
}

/** The Sewa Kendra codes the official manages (`kendra.manage` postings). */
function managedKendras(staff: Staff): string[] {
  const codes = scopesFor(staff.principal, "kendra.manage")
    .map((p) => p.kendraCode)
    .filter((c): c is string => typeof c === "string" && c !== "");
  return [...new Set(codes)].sort();
}

/** Registers the day-close and manager pages. */
export async function cashRoutes(app: FastifyInstance): Promise<void> {
  const { db } = app.deps.database;
  const { clock } = app.deps;

  async function nameOf(request: FastifyRequest, code: string) {
    const names = await kendraNames(db, code);
    return names ? (names[request.lang as Lang] ?? names.en) : code;
  }

  const view = (c: CashClose) => ({
    ...c,
    expected: signedRupees(Number(c.expectedPaise)),
    counted: signedRupees(Number(c.countedPaise)),
    difference: signedRupees(Number(c.differencePaise)),
    differs: Number(c.differencePaise) !== 0,
  });

  async function renderClose(
    request: FastifyRequest,
    reply: FastifyReply,
    staff: Staff,
    o: {
      date: string;
      errors?: { text: string; href: string }[];
      values?: Record<string, string>;
      status?: number;
      done?: boolean;
    },
  ) {
    const seat = await counterSeatOf(request, staff);
    if (!seat)
      return reply.view("kendras/cash/views/close.njk", {
        navItems: staffNav(request, staff),
        noSeat: true,
      });
    const day = { kendraCode: seat.kendraCode, counter: seat.counter, businessDate: o.date };
    const receipts = await dayReceipts(db, day);
    const close = await closeOf(db, day);
    const money = (r: { amountPaise: number }) => ({ ...r, amount: formatRupees(r.amountPaise) });
    const errors = o.errors ?? [];
    return reply.code(o.status ?? 200).view("kendras/cash/views/close.njk", {
      navItems: staffNav(request, staff),
      kendraName: await nameOf(request, seat.kendraCode),
      counter: seat.counter,
      date: o.date,
      today: istDateOf(clock.now()),
      cash: receipts.cash.map(money),
      other: receipts.other.map(money),
      expected: formatRupees(receipts.expectedPaise),
      close: close ? view(close) : undefined,
      canSubmit: !close || close.status === "returned",
      done: o.done,
      values: o.values ?? {},
      errors,
      fieldErrors: Object.fromEntries(errors.map((e) => [e.href.slice(1), e.text])),
    });
  }

  const dateOf = (raw: unknown) =>
    typeof raw === "string" && isBusinessDate(raw) ? raw : istDateOf(clock.now());

  app.get("/counter/close", { schema: { hide: true } }, async (request, reply) => {
    const staff = await staffOrRedirect(request, reply, "kendra.counter");
    if (!staff) return reply;
    const q = request.query as { date?: string; done?: string };
    return renderClose(request, reply, staff, { date: dateOf(q.date), done: q.done === "1" });
  });

  app.post("/counter/close", { schema: { hide: true } }, async (request, reply) => {
    const staff = await staffOrRedirect(request, reply, "kendra.counter");
    if (!staff) return reply;
    const seat = await counterSeatOf(request, staff);
    if (!seat) return reply.redirect("/counter/close", 303);
    const body = (request.body ?? {}) as Record<string, string>;
    const values = {
      rupees: String(body.rupees ?? "").slice(0, 20),
      paise: String(body.paise ?? "").slice(0, 5),
      remark: String(body.remark ?? "").slice(0, 1000),
    };
    const date = dateOf(body.date);
    const messages: Record<string, string> = {
      "cash.counted_required": request.t("cash.errors.countedRequired"),
      "cash.counted_invalid": request.t("cash.errors.countedInvalid"),
      "cash.paise_invalid": request.t("cash.errors.paiseInvalid"),
      "cash.remark_required": request.t("cash.errors.remarkRequired"),
      "cash.date_invalid": request.t("cash.errors.dateInvalid"),
      too_long: request.t("cash.errors.tooLong", { max: 500 }),
    };
    try {
      await submitClose(db, {
        kendraCode: seat.kendraCode,
        counter: seat.counter,
        businessDate: date,
        officialId: staff.official.id,
        countedPaise: countedPaiseOf(values.rupees, values.paise),
        remark: values.remark,
        today: istDateOf(clock.now()),
        now: clock.now(),
      });
    } catch (e) {
      if (!(e instanceof DomainError) || e.kind !== "validation") throw e;
      const errors = e.fields.map((f) => ({
        text: messages[f.code] ?? request.t("cash.errors.countedInvalid"),
        href: `#${f.field === "date" ? "rupees" : f.field}`,
      }));
      return renderClose(request, reply, staff, { date, errors, values, status: 400 });
    }
    return reply.redirect(`/counter/close?date=${date}&done=1`, 303);
  });

  // ---------------------------------------------------------------- manager

  app.get("/kendra", { schema: { hide: true } }, async (request, reply) => {
    const staff = await staffOrRedirect(request, reply, "kendra.manage");
    if (!staff) return reply;
    const codes = managedKendras(staff);
    const pending = await closesOf(db, codes, { status: "submitted" });
    const centres = [];
    for (const code of codes) centres.push({ code, name: await nameOf(request, code) });
    return reply.view("kendras/cash/views/kendra.njk", {
      navItems: staffNav(request, staff),
      centres,
      pending: pending.length,
    });
  });

  async function renderCloses(
    request: FastifyRequest,
    reply: FastifyReply,
    staff: Staff,
    o: {
      errors?: { text: string; href: string }[];
      status?: number;
      values?: Record<string, string>;
    } = {},
  ) {
    const codes = managedKendras(staff);
    const q = request.query as { status?: string };
    const status = ["submitted", "approved", "returned"].includes(q.status ?? "")
      ? q.status
      : undefined;
    const closes = await closesOf(db, codes, status ? { status } : {});
    const names = new Map<string, string>();
    for (const code of codes) names.set(code, await nameOf(request, code));
    return reply.code(o.status ?? 200).view("kendras/cash/views/closes.njk", {
      navItems: staffNav(request, staff),
      closes: closes.map((c) => ({ ...view(c), kendraName: names.get(c.kendraCode) })),
      status,
      errors: o.errors ?? [],
      values: o.values ?? {},
    });
  }

  app.get("/kendra/closes", { schema: { hide: true } }, async (request, reply) => {
    const staff = await staffOrRedirect(request, reply, "kendra.manage");
    if (!staff) return reply;
    return renderCloses(request, reply, staff);
  });

  app.post("/kendra/closes/:id", { schema: { hide: true } }, async (request, reply) => {
    const staff = await staffOrRedirect(request, reply, "kendra.manage");
    if (!staff) return reply;
    const { id } = request.params as { id: string };
    const closeId = /^\d{1,15}$/.test(id) ? Number(id) : 0;
    const body = (request.body ?? {}) as Record<string, string>;
    const decision =
      body.decision === "return" ? "return" : body.decision === "approve" ? "approve" : undefined;
    if (!decision) throw new DomainError("validation", "Choose approve or return");
    const remark = String(body.remark ?? "").slice(0, 1000);
    try {
      await decideClose(db, {
        closeId,
        decision,
        remark,
        officialId: staff.official.id,
        kendraCodes: managedKendras(staff),
        now: clock.now(),
      });
    } catch (e) {
      if (!(e instanceof DomainError) || !["validation", "invalid_transition"].includes(e.kind))
        throw e;
      const text =
        e.kind === "invalid_transition"
          ? request.t("cash.errors.decided")
          : e.fields[0]?.code === "too_long"
            ? request.t("cash.errors.tooLong", { max: 500 })
            : request.t("cash.errors.returnRemark");
      return renderCloses(request, reply, staff, {
        errors: [{ text, href: `#remark-${closeId}` }],
        status: e.status,
        values: { [`remark-${closeId}`]: remark },
      });
    }
    return reply.redirect(`/kendra/closes?decided=${closeId}`, 303);
  });
}
