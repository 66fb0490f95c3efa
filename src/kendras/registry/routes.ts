/**
 * The public Sewa Kendra finder (issue 9):
 * - `GET /kendras?district=<LGD>` — the active centres of a district, in the
 *   page language, sorted with `Intl.Collator` of that language: type,
 *   address, opening hours and weekly off day, counters, and a map link only
 *   when the registry has coordinates;
 * - `GET /api/v1/kendras[?district=<LGD>]` — the same as JSON (all active
 *   centres without `district`), in the OpenAPI under `kendras`.
 */
import { Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import { Problem } from "../../applications/api.ts";
import { localPlaces } from "../../geography/local-names.ts";
import { listDistricts } from "../../geography/service.ts";
import { kendraQueueRoutes } from "../queue/routes.ts";
import { type Kendra, kendraName, listKendras } from "./service.ts";

const KendraJson = Type.Object({
  code: Type.String(),
  name: Type.Object({ en: Type.String(), pa: Type.String(), hi: Type.String() }),
  districtCode: Type.Integer(),
  tehsilCode: Type.Union([Type.Integer(), Type.Null()]),
  type: Type.Union([Type.Literal("I"), Type.Literal("II"), Type.Literal("III")]),
  counters: Type.Integer(),
  opensAt: Type.String({ description: "IST wall-clock HH:MM" }),
  closesAt: Type.String({ description: "IST wall-clock HH:MM" }),
  weeklyOff: Type.Union([Type.Integer({ minimum: 1, maximum: 7 }), Type.Null()], {
    description:
      "ISO weekday the centre is closed (1 = Monday … 7 = Sunday); null = open every day",
  }),
  latitude: Type.Union([Type.Number(), Type.Null()]),
  longitude: Type.Union([Type.Number(), Type.Null()]),
  address: Type.String(),
  source: Type.String({ description: "where the row comes from (`illustrative` for the sample)" }),
});

/** A centre as the API shows it. */
export function kendraJson(k: Kendra) {
  return {
    code: k.code,
    name: { en: k.nameEn, pa: k.namePa, hi: k.nameHi },
    districtCode: k.districtCode,
    tehsilCode: k.tehsilCode,
    type: k.type as "I" | "II" | "III",
    counters: k.counters,
    opensAt: k.opensAt,
    closesAt: k.closesAt,
    weeklyOff: k.weeklyOff,
    latitude: k.latitude === null ? null : Number(k.latitude),
    longitude: k.longitude === null ? null : Number(k.longitude),
    address: k.address,
    source: k.source,
  };
}

/** An ISO weekday (1 = Monday … 7 = Sunday) named in a locale (2024-01-01 was a Monday). */
export function weekdayName(isoWeekday: number, locale: string): string {
  return new Intl.DateTimeFormat(locale, { weekday: "long", timeZone: "UTC" }).format(
    Date.UTC(2024, 0, isoWeekday),
  );
}

const INTL = { en: "en-IN", pa: "pa-IN", hi: "hi-IN" } as const;

/**
 * Registers every Sewa Kendra route of the registry and the token queue
 * (the one plugin src/web/app.ts registers for them).
 */
export async function kendraRoutes(app: FastifyInstance): Promise<void> {
  await app.register(kendraRegistryRoutes);
  await app.register(kendraQueueRoutes);
}

/** Registers the finder page and the registry API. */
export async function kendraRegistryRoutes(app: FastifyInstance): Promise<void> {
  const { db } = app.deps.database;

  app.get("/kendras", { schema: { hide: true } }, async (request, reply) => {
    const q = request.query as { district?: string };
    const lang = request.lang as keyof typeof INTL;
    // District names in the page language, sorted for it (src/geography/local-names.ts).
    const districts = localPlaces("district", await listDistricts(db), lang);
    const chosen = /^\d{1,6}$/.test(q.district ?? "")
      ? districts.find((d) => d.code === Number(q.district))
      : undefined;
    const collator = new Intl.Collator(INTL[lang]);
    const centres = chosen
      ? (await listKendras(db, { districtCode: chosen.code, activeOnly: true }))
          .map((k) => ({
            code: k.code,
            name: kendraName(k, lang),
            type: k.type,
            address: k.address,
            // Registry addresses are mostly in English: marked so, on Punjabi and Hindi pages.
            addressLang:
              lang !== "en" && !/[\u0900-\u097F\u0A00-\u0A7F]/.test(k.address) ? "en" : lang,
            opensAt: k.opensAt,
            closesAt: k.closesAt,
            weeklyOff: k.weeklyOff === null ? null : weekdayName(k.weeklyOff, INTL[lang]),
            counters: k.counters,
            illustrative: k.source === "illustrative",
            map:
              k.latitude !== null && k.longitude !== null
                ? `https://www.openstreetmap.org/?mlat=${k.latitude}&mlon=${k.longitude}#map=17/${k.latitude}/${k.longitude}`
                : null,
          }))
          .sort((a, b) => collator.compare(a.name, b.name))
      : [];
    const errors =
      q.district && !chosen
        ? [{ text: request.t("kendraRegistry.finder.unknownDistrict"), href: "#district" }]
        : [];
    return reply.code(errors.length ? 400 : 200).view("kendras/registry/views/finder.njk", {
      districts,
      district: chosen,
      centres,
      illustrative: centres.some((c) => c.illustrative),
      errors,
    });
  });

  app.get(
    "/api/v1/kendras",
    {
      schema: {
        tags: ["kendras"],
        summary: "List the active Sewa Kendras (optionally of one district)",
        description:
          "The registry of Sewa Kendras (docs/kendras.md): names in English, Punjabi and Hindi, type, counters, opening hours (IST), weekly off day and coordinates when known. The shipped registry is illustrative (`source: illustrative`) until the state provides its list.",
        querystring: Type.Object({
          district: Type.Optional(
            Type.String({ pattern: "^[0-9]{1,6}$", description: "district LGD code" }),
          ),
        }),
        response: {
          200: Type.Object({ items: Type.Array(KendraJson), count: Type.Integer() }),
          400: Problem,
        },
      },
    },
    async (request) => {
      const { district } = request.query as { district?: string };
      const items = await listKendras(db, {
        activeOnly: true,
        ...(district ? { districtCode: Number(district) } : {}),
      });
      return { items: items.map(kendraJson), count: items.length };
    },
  );
}
