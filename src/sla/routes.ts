/**
 * The admin pages for the calendar.
 *
 * - `/admin` (`admin.view`): the holiday list status per year, with a visible
 *   warning for a year that has no list (only weekends are skipped then) or an
 *   incomplete one.
 * - `/admin/holidays?year=Y` (`admin.view` to see, `holidays.manage` to change): the
 *   holidays of a year, state-wide and per district (local holidays declared by a
 *   Deputy Commissioner), a form to add one and a button to retire one. Every change
 *   is audited by the SLA service; after it commits, the due dates of open
 *   applications it can move are recomputed (queued as a job when this process runs
 *   the job system, inline otherwise: recompute.ts).
 *
 * GOV.UK Design System patterns: error summary and inline errors that keep what was
 * typed, date input as three boxes (digits of any script accepted), notification
 * banner after a change (post/redirect/get). Anyone without `admin.view` gets 404.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { DomainError, type FieldProblem } from "../common/errors.ts";
import { type DateResult, nfc, parseDateParts, toAsciiDigits } from "../common/text.ts";
import { isoOf } from "../common/time.ts";
import { listDistricts } from "../geography/service.ts";
import { can } from "../identity/authorization.ts";
import { type Staff, staffOrRedirect } from "../identity/session.ts";
import { staffNav } from "../workflow/routes.ts";
import { istDateOf } from "./clock.ts";
import { type RecomputeOutcome, scheduleRecompute } from "./recompute.ts";
import {
  addHoliday,
  type HolidayChange,
  type HolidayKind,
  holidayListStatus,
  listHolidays,
  retireHoliday,
} from "./service.ts";

/** Where the error summary links for each field (the first box of the date). */
const FIELD_HREF: Record<string, string> = {
  date: "#date-day",
  name: "#name",
  kind: "#kind",
  districtCode: "#districtCode",
  sourceUrl: "#sourceUrl",
  notes: "#notes",
  id: "#holidays",
};

const str = (v: unknown, max = 2000) => (typeof v === "string" ? v.slice(0, max) : "");

/** A year from the query (`YYYY`, digits of any script), else `fallback`. */
function yearFrom(v: unknown, fallback: number): number {
  const s = toAsciiDigits(str(v, 8)).trim();
  return /^\d{4}$/.test(s) && Number(s) >= 1900 ? Number(s) : fallback;
}

/** The translation key of a field problem: `holidays.errors.<field>_<code>`. */
function errorKey(p: FieldProblem, dateParts: DateResult | undefined): string {
  if (p.field === "date" && dateParts && !dateParts.ok) {
    if (dateParts.code === "date.required") return "date_required";
    if (dateParts.code === "date.incomplete" || dateParts.code.endsWith("_missing"))
      return "date_incomplete";
    return "date_invalid";
  }
  return `${p.field}_${p.code}`;
}

/** The redirect after a change: the year's page with a banner saying what happened to due dates. */
function doneUrl(year: string, done: "added" | "retired", outcome: RecomputeOutcome | null) {
  const recompute = !outcome ? "none" : outcome.queued ? "queued" : String(outcome.changed);
  return `/admin/holidays?year=${year.slice(0, 4)}&done=${done}&recompute=${recompute}`;
}

/** Registers `/admin` and `/admin/holidays`. */
export async function adminRoutes(app: FastifyInstance): Promise<void> {
  const { db } = app.deps.database;
  const thisYear = () => Number(istDateOf(app.deps.clock.now()).slice(0, 4));

  app.get("/admin", { schema: { hide: true } }, async (request, reply) => {
    const staff = await staffOrRedirect(request, reply, "admin.view");
    if (!staff) return reply;
    const { official } = staff;
    const year = thisYear();
    const years = await holidayListStatus(db, year - 1, year + 1);
    return reply.view("sla/views/admin.njk", {
      official,
      years,
      navItems: staffNav(request, staff),
    });
  });

  async function render(
    request: FastifyRequest,
    reply: FastifyReply,
    staff: Staff,
    year: number,
    extra: Record<string, unknown> = {},
    status = 200,
  ) {
    const [holidays, districts, [yearStatus]] = await Promise.all([
      listHolidays(db, { year, includeRetired: true }),
      listDistricts(db),
      holidayListStatus(db, year, year),
    ]);
    const districtName = new Map(districts.map((d) => [d.code, d.name]));
    const live = holidays.filter((h) => h.retiredAt === null);
    const localGroups = districts
      .map((d) => ({
        code: d.code,
        name: d.name,
        holidays: live.filter((h) => h.districtCode === d.code),
      }))
      .filter((g) => g.holidays.length > 0);
    return reply.code(status).view("sla/views/holidays.njk", {
      official: staff.official,
      navItems: staffNav(request, staff),
      year,
      yearStatus,
      stateHolidays: live.filter((h) => h.districtCode === null),
      localGroups,
      retired: holidays
        .filter((h) => h.retiredAt !== null)
        .map((h) => ({
          ...h,
          retiredAt: isoOf(h.retiredAt as string),
          districtName: h.districtCode === null ? null : districtName.get(h.districtCode),
        })),
      districts,
      canManage: can(staff.principal, "holidays.manage"),
      values: {},
      fieldErrors: {},
      ...extra,
    });
  }

  /** Re-renders the page with an error summary for a DomainError of validation or conflict. */
  function invalid(
    request: FastifyRequest,
    reply: FastifyReply,
    staff: Staff,
    year: number,
    e: DomainError,
    values: Record<string, unknown>,
    dateParts?: DateResult,
  ) {
    const fieldErrors: Record<string, string> = {};
    const errors = e.fields.map((p) => {
      const text = request.t(`holidays.errors.${errorKey(p, dateParts)}`, {
        ...(p.params ?? {}),
      });
      fieldErrors[p.field] ??= text;
      return { text, href: FIELD_HREF[p.field] ?? "#holidays" };
    });
    return render(request, reply, staff, year, { errors, fieldErrors, values }, 400);
  }

  app.get("/admin/holidays", { schema: { hide: true } }, async (request, reply) => {
    const staff = await staffOrRedirect(request, reply, "admin.view");
    if (!staff) return reply;
    const q = (request.query ?? {}) as Record<string, unknown>;
    const done = q.done === "added" || q.done === "retired" ? q.done : undefined;
    const recompute = str(q.recompute, 12);
    return render(request, reply, staff, yearFrom(q.year, thisYear()), {
      done,
      recompute: /^(queued|none|\d{1,9})$/.test(recompute) ? recompute : undefined,
    });
  });

  app.post("/admin/holidays", { schema: { hide: true } }, async (request, reply) => {
    const staff = await staffOrRedirect(request, reply, "holidays.manage");
    if (!staff) return reply;
    const body = (request.body ?? {}) as Record<string, unknown>;
    const values = {
      day: str(body.day, 10),
      month: str(body.month, 10),
      year: str(body.year, 10),
      name: str(body.name, 400),
      kind: str(body.kind, 20),
      districtCode: str(body.districtCode, 10),
      sourceUrl: str(body.sourceUrl, 1000),
      notes: str(body.notes, 4000),
    };
    const dateParts = parseDateParts(values);
    const district = toAsciiDigits(nfc(values.districtCode));
    const now = app.deps.clock.now();
    const pageYear = dateParts.ok ? Number(dateParts.date.slice(0, 4)) : thisYear();
    let change: HolidayChange;
    try {
      change = await db.transaction((tx) =>
        addHoliday(
          tx,
          {
            // When the boxes do not make a date, the service reports it and errorKey names the box.
            date: dateParts.ok ? dateParts.date : "",
            name: values.name,
            kind: values.kind as HolidayKind,
            // The district box only applies to a local holiday (the radios reveal it).
            districtCode:
              values.kind === "local" && /^\d{1,9}$/.test(district) ? Number(district) : null,
            sourceUrl: values.sourceUrl,
            notes: values.notes,
          },
          `official:${staff.official.id}`,
          now,
        ),
      );
    } catch (e) {
      if (e instanceof DomainError && (e.kind === "validation" || e.kind === "conflict"))
        return invalid(request, reply, staff, pageYear, e, values, dateParts);
      throw e;
    }
    const outcome = change.recompute ? await scheduleRecompute(db, change.recompute, now) : null;
    return reply.redirect(doneUrl(change.holiday.date, "added", outcome), 303);
  });

  app.post("/admin/holidays/:id/retire", { schema: { hide: true } }, async (request, reply) => {
    const staff = await staffOrRedirect(request, reply, "holidays.manage");
    if (!staff) return reply;
    const raw = (request.params as { id: string }).id;
    if (!/^\d{1,9}$/.test(raw)) throw new DomainError("not_found", "No such holiday");
    const now = app.deps.clock.now();
    let change: HolidayChange;
    try {
      change = await db.transaction((tx) =>
        retireHoliday(tx, Number(raw), `official:${staff.official.id}`, now),
      );
    } catch (e) {
      if (e instanceof DomainError && e.kind === "conflict") {
        const year = yearFrom(
          (request.body as Record<string, unknown> | undefined)?.year,
          thisYear(),
        );
        return invalid(request, reply, staff, year, e, {});
      }
      throw e;
    }
    const outcome = change.recompute ? await scheduleRecompute(db, change.recompute, now) : null;
    return reply.redirect(doneUrl(change.holiday.date, "retired", outcome), 303);
  });
}
