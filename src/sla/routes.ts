/**
 * The admin page for the calendar: the holiday list per year, with a visible
 * warning for a year that has no list (only weekends are skipped then) or an
 * incomplete one. (Adding and retiring holidays arrives with the time-limits issue.)
 */
import type { FastifyInstance } from "fastify";
import { DomainError } from "../common/errors.ts";
import { requireOfficial } from "../identity/session.ts";
import { ADMIN_ROLES, staffNav } from "../workflow/routes.ts";
import { istDateOf } from "./clock.ts";
import { holidayListStatus } from "./service.ts";

/** Registers `/admin`. */
export async function adminRoutes(app: FastifyInstance): Promise<void> {
  const { db } = app.deps.database;
  app.get("/admin", { schema: { hide: true } }, async (request, reply) => {
    const official = await requireOfficial(request).catch(() => undefined);
    if (!official) return reply.redirect(`/staff/login?next=${encodeURIComponent("/admin")}`, 303);
    if (!(ADMIN_ROLES as readonly string[]).includes(official.role))
      throw new DomainError("not_found", "No such page");
    const year = Number(istDateOf(app.deps.clock.now()).slice(0, 4));
    const years = await holidayListStatus(db, year - 1, year + 1);
    return reply.view("sla/views/admin.njk", {
      official,
      years,
      navItems: staffNav(request, official),
    });
  });
}
