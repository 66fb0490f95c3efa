/**
 * Catalog routes: the home page (search and browse by department), the service
 * page, and `GET /api/v1/services[/{id}]`.
 */
import { Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import { inLang } from "../applications/definition-summary.ts";
import { DomainError } from "../common/errors.ts";
import { nfc, toAsciiDigits } from "../common/text.ts";
import { SERVICE_CHANNELS, type ServiceChannel, servicesByChannel } from "../doorstep/service.ts";
import type { Lang } from "./definitions/types.ts";
import { liveDefinitionOf } from "./definitions/versions.ts";
import {
  getService,
  listDepartments,
  type ServiceWithDepartment,
  searchServices,
} from "./service.ts";

/** The public JSON shape of a service. */
export const ServiceJson = Type.Object({
  id: Type.Integer(),
  code: Type.String(),
  name: Type.String(),
  names: Type.Object(
    { en: Type.String(), pa: Type.String(), hi: Type.String() },
    { description: "The name in each language; empty where not yet translated" },
  ),
  department: Type.Object({ code: Type.String(), name: Type.String() }),
  timeLimit: Type.Object({
    days: Type.Union([Type.Integer(), Type.Null()], { description: "null means Immediate" }),
    basis: Type.Union([Type.Literal("working"), Type.Literal("calendar")]),
  }),
  designatedOfficer: Type.String(),
  firstAppellateAuthority: Type.String(),
  secondAppellateAuthority: Type.String(),
  fee: Type.Union([Type.Object({ paise: Type.Integer(), rupees: Type.String() }), Type.Null()]),
  form: Type.String(),
  act: Type.String(),
  notification: Type.String(),
  serial: Type.String(),
  source: Type.String(),
  notes: Type.String(),
});

/** Converts a catalog row to its public JSON. */
export function serviceJson(s: ServiceWithDepartment) {
  return {
    id: s.id,
    code: s.code,
    name: s.name,
    names: { en: s.name, pa: s.namePa, hi: s.nameHi },
    department: { code: s.departmentCode, name: s.departmentName },
    timeLimit: { days: s.timeLimitDays, basis: s.timeLimitBasis as "working" | "calendar" },
    designatedOfficer: s.designatedOfficer,
    firstAppellateAuthority: s.firstAppellateAuthority,
    secondAppellateAuthority: s.secondAppellateAuthority,
    fee: s.feePaise === null ? null : { paise: s.feePaise, rupees: (s.feePaise / 100).toFixed(2) },
    form: s.form,
    act: s.act,
    notification: s.serviceList,
    serial: s.serial,
    source: s.sourceUrl,
    notes: s.notes,
  };
}

const ListQuery = Type.Object(
  {
    q: Type.Optional(Type.String({ maxLength: 200 })),
    department: Type.Optional(Type.String({ maxLength: 100 })),
    channel: Type.Optional(
      Type.Union(
        SERVICE_CHANNELS.map((c) => Type.Literal(c)),
        {
          description:
            "Only the services offered on this channel: `online`, `kendra` (Sewa Kendra counters) or `doorstep` (helpline 1076 visits; docs/doorstep.md)",
        },
      ),
    ),
    lang: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);

/** A department's name in the page's language (English when not translated). */
function localDepartmentName(
  d: { name: string; namePa: string; nameHi: string } | undefined,
  lang: string,
): string | undefined {
  if (!d) return undefined;
  return (lang === "pa" && d.namePa) || (lang === "hi" && d.nameHi) || d.name;
}

/** Parses a positive integer id from a path segment (any-script digits). */
export function parseId(raw: string): number | undefined {
  const s = toAsciiDigits(raw);
  if (!/^\d{1,9}$/.test(s)) return undefined;
  return Number(s);
}

/** Registers the catalog's pages and API. */
export async function catalogRoutes(app: FastifyInstance): Promise<void> {
  const { db } = app.deps.database;

  app.get("/", { schema: { hide: true } }, async (request, reply) => {
    const query = request.query as { q?: string; department?: string };
    const text = typeof query.q === "string" ? nfc(query.q).slice(0, 200) : "";
    const department = typeof query.department === "string" ? query.department.slice(0, 100) : "";
    const [departments, results] = await Promise.all([
      listDepartments(db),
      text || department
        ? searchServices(db, { text, departmentCode: department || undefined })
        : Promise.resolve([]),
    ]);
    return reply.view("catalog/views/home.njk", {
      q: text,
      department,
      departmentName: localDepartmentName(
        departments.find((d) => d.code === department),
        request.lang,
      ),
      departments,
      results,
      searched: Boolean(text || department),
    });
  });

  app.get("/services/:id", { schema: { hide: true } }, async (request, reply) => {
    const id = parseId((request.params as { id: string }).id);
    const service = id === undefined ? undefined : await getService(db, id);
    if (!service) throw new DomainError("not_found", "No such service");
    // A service with a published definition lists its own documents; the others use the generic form.
    const live = service.form === "definition" ? await liveDefinitionOf(db, service.id) : undefined;
    const lang = request.lang as Lang;
    const definition = live && {
      version: live.version,
      documents: live.definition.documents.items.map((d) => ({
        name: inLang(d.name, lang),
        optional: d.required === false || Boolean(d.when),
      })),
      groups: (live.definition.documents.groups ?? []).map((g) => inLang(g.name, lang)),
    };
    return reply.view("catalog/views/service.njk", { service, definition });
  });

  app.get(
    "/api/v1/services",
    {
      schema: {
        tags: ["catalog"],
        summary: "List or search notified services",
        querystring: ListQuery,
        response: { 200: Type.Object({ items: Type.Array(ServiceJson), count: Type.Integer() }) },
      },
    },
    async (request) => {
      const { q, department, channel } = request.query as {
        q?: string;
        department?: string;
        channel?: ServiceChannel;
      };
      const filter = { text: q ? nfc(q) : undefined, departmentCode: department };
      const items = channel
        ? await servicesByChannel(db, channel, filter)
        : await searchServices(db, filter);
      return { items: items.map(serviceJson), count: items.length };
    },
  );

  app.get(
    "/api/v1/services/:id",
    {
      schema: {
        tags: ["catalog"],
        summary: "One notified service",
        params: Type.Object({ id: Type.String({ pattern: "^[0-9]{1,9}$" }) }),
        response: { 200: ServiceJson },
      },
    },
    async (request) => {
      const id = parseId((request.params as { id: string }).id);
      const service = id === undefined ? undefined : await getService(db, id);
      if (!service) throw new DomainError("not_found", "No such service");
      return serviceJson(service);
    },
  );
}
