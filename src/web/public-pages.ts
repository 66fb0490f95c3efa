/**
 * Public information pages (issue 7): the accessibility statement
 * (`GET /accessibility`, in the GIGW and WCAG 2.2 AA style: conformance
 * status, known limitations, how to report a problem, the enforcement
 * procedure) and "Contact and help" (`GET /help`): the helpline 1076, its
 * hours, and the Sewa Kendras of a district chosen with a plain GET form
 * (`?district=<LGD code>`, no JavaScript), read from the `kendras` table.
 *
 * Also the digits setting (`GET /settings/digits?digits=native|latin`): Punjabi
 * and Hindi pages may show Gurmukhi or Devanagari digits; the choice is kept
 * in the `digits` cookie (read in src/web/app.ts).
 */
import { and, asc, eq } from "drizzle-orm";
import type { FastifyInstance } from "fastify";
import { toAsciiDigits } from "../common/text.ts";
import { kendras } from "../db/schema.ts";
import { localPlaces, placeName } from "../geography/local-names.ts";
import { listDistricts, listTehsils } from "../geography/service.ts";

/** A Sewa Kendra as the help page lists it (names in the page language). */
export type KendraListing = {
  name: string;
  tehsil: string | undefined;
  address: string;
  opensAt: string;
  closesAt: string;
  weeklyOff: string | undefined;
};

/** A weekday (ISO 1 = Monday … 7 = Sunday) named in `locale`. */
export function weekdayName(isoDay: number, locale: string): string {
  // 2024-01-01 was a Monday.
  return new Intl.DateTimeFormat(locale, { weekday: "long", timeZone: "UTC" }).format(
    Date.UTC(2024, 0, isoDay),
  );
}

/** Registers `/accessibility`, `/help` and `/settings/digits`. */
export async function publicPages(app: FastifyInstance): Promise<void> {
  const { db } = app.deps.database;

  app.get("/accessibility", { schema: { hide: true } }, async (_request, reply) =>
    reply.view("accessibility.njk", {}),
  );

  app.get("/help", { schema: { hide: true } }, async (request, reply) => {
    const lang = request.lang;
    const raw = (request.query as { district?: unknown }).district;
    const wanted = typeof raw === "string" ? Number(toAsciiDigits(raw.trim())) : Number.NaN;
    const districts = localPlaces("district", await listDistricts(db), lang);
    const district = districts.find((d) => d.code === wanted);
    let centres: KendraListing[] | undefined;
    if (district) {
      const [rows, tehsils] = await Promise.all([
        db
          .select()
          .from(kendras)
          .where(and(eq(kendras.districtCode, district.code), eq(kendras.active, 1)))
          .orderBy(asc(kendras.code)),
        listTehsils(db, district.code),
      ]);
      const locale = lang === "pa" ? "pa-IN" : lang === "hi" ? "hi-IN" : "en-IN";
      centres = rows.map((k) => {
        const tehsil = tehsils.find((t) => t.code === k.tehsilCode);
        return {
          name: (lang === "pa" && k.namePa) || (lang === "hi" && k.nameHi) || k.nameEn,
          tehsil: tehsil && placeName("tehsil", tehsil.code, lang, tehsil.name),
          address: k.address,
          opensAt: k.opensAt,
          closesAt: k.closesAt,
          weeklyOff: k.weeklyOff ? weekdayName(k.weeklyOff, locale) : undefined,
        };
      });
    }
    return reply.view("help.njk", {
      districts,
      district,
      centres,
      districtAsked: raw !== undefined && raw !== "",
    });
  });

  app.get("/settings/digits", { schema: { hide: true } }, async (request, reply) => {
    const { digits, back } = request.query as { digits?: unknown; back?: unknown };
    const value = digits === "native" ? "native" : "latin";
    reply.setCookie("digits", value, {
      path: "/",
      httpOnly: true,
      sameSite: "lax",
      maxAge: 365 * 86400,
      secure: app.deps.config.secureCookies,
    });
    // Only a local path: never an open redirect.
    const to = typeof back === "string" && /^\/(?!\/)[^\s\\]*$/.test(back) ? back : "/";
    return reply.redirect(to, 303);
  });
}
