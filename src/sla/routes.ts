/**
 * The admin page for the calendar: the holiday list per year, with a visible
 * warning for a year that has no list (only weekends are skipped then) or an
 * incomplete one. (Adding and retiring holidays arrives with the time-limits issue.)
 */
import type { FastifyInstance } from "fastify";
import { staffOrRedirect } from "../identity/session.ts";
import { staffNav } from "../workflow/routes.ts";
import { istDateOf } from "./clock.ts";
import { holidayListStatus } from "./service.ts";

/** Registers `/admin`. */
export async function adminRoutes(app: FastifyInstance): Promise<void> {
  const { db } = app.deps.database;
  app.get("/admin", { schema: { hide: true } }, async (request, reply) => {
    const staff = await staffOrRedirect(request, reply, "admin.view");
    if (!staff) return reply;
    const { official } = staff;
    const year = Number(istDateOf(app.deps.clock.now()).slice(0, 4));
    const years = await holidayListStatus(db, year - 1, year + 1);
    return reply.view("sla/views/admin.njk", {
      official,
      years,
      navItems: staffNav(request, staff),
    });
  });
}
