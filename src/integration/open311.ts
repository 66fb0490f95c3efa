/**
 * Open311 GeoReport v2 (https://wiki.open311.org/GeoReport_v2/) over the
 * catalog and applications (issue 10). Every endpoint answers JSON or XML by
 * its extension (`.json`, `.xml`); errors are GeoReport errors
 * (`[{ "code", "description" }]`, `<errors><error>…`) with the HTTP status.
 *
 * - `GET /open311/discovery.{fmt}`: service discovery (the v2 endpoint, both formats).
 * - `GET /open311/v2/services.{fmt}`: every notified service. `service_code`
 *   is the catalog code, `group` the department, `type` `batch` (decided
 *   within a time limit, not at once), `metadata` true (the form has attributes).
 * - `GET /open311/v2/services/{code}.{fmt}`: the service definition: the
 *   generic application form's fields that GeoReport's standard arguments do
 *   not carry, as attributes (relative name, gender, date of birth, district,
 *   tehsil, PIN code, declaration). Services with their own published
 *   definition (issue 3) are still described by the generic form here.
 * - `POST /open311/v2/requests.{fmt}` (form-urlencoded, with `api_key`): files
 *   an application (channel `open311`). `first_name` + `last_name` = the
 *   applicant's name, `phone` = mobile, `email`, `address_string` = address
 *   line, `description` = purpose, `attribute[code]` = the attributes above.
 *   The `api_key` is an API client's secret (src/integration/clients.ts); the
 *   client may file for its own services only.
 * - `GET /open311/v2/requests.{fmt}` and `GET /open311/v2/requests/{id}.{fmt}`
 *   (with `api_key`): requests of the client's services, by reference number
 *   (`service_request_id`), or filtered by `service_request_id` (comma
 *   separated), `service_code`, `start_date`, `end_date`, `status`; at most
 *   1000, newest first (the spec's default window is 90 days).
 *   Applications hold personal data, so unlike a public 311 list these need the
 *   key, and `description`, `address` (the district only) and `zipcode` are left out.
 *
 * Status: `open` while with the department or the applicant (submitted,
 * resubmitted, sent back), `closed` once disposed of (approved, rejected);
 * `status_notes` carries the detailed status. Datetimes are ISO 8601 in
 * Asia/Kolkata (`+05:30`); `expected_datetime` is the end of the due date.
 */
import { sql } from "drizzle-orm";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { Temporal } from "temporal-polyfill";
import { validateGenericApplication } from "../applications/generic-form.ts";
import * as apps from "../applications/service.ts";
import { DomainError } from "../common/errors.ts";
import { type Queryable, rows } from "../db/client.ts";
import { listDistricts, tehsilsByDistrict } from "../geography/service.ts";
import { istDateOf } from "../sla/clock.ts";
import { type ApiClient, clientBySecret, touchClient } from "./clients.ts";
import { inScope } from "./service.ts";

/** An instant (ISO string) in Asia/Kolkata with its offset, to the second: `2025-10-17T10:00:00+05:30`. */
export function ist(iso: string): string {
  return Temporal.Instant.from(iso)
    .toZonedDateTimeISO("Asia/Kolkata")
    .toString({ timeZoneName: "never", smallestUnit: "second" });
}

/** A GeoReport value: text, number, boolean, or nested lists/objects. */
type Value = string | number | boolean | null | undefined | Value[] | { [k: string]: Value };

const escapeXml = (s: string) =>
  s.replace(
    /[<>&'"]/g,
    (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", "'": "&apos;", '"': "&quot;" })[c] as string,
  );

/** Serialises `value` as the element `name` (arrays repeat `item` inside it). */
function toXml(name: string, value: Value, item: Record<string, string>): string {
  if (value === null || value === undefined) return `<${name}/>`;
  if (Array.isArray(value)) {
    const child = item[name] ?? "item";
    return `<${name}>${value.map((v) => toXml(child, v, item)).join("")}</${name}>`;
  }
  if (typeof value === "object")
    return `<${name}>${Object.entries(value)
      .map(([k, v]) => toXml(k, v, item))
      .join("")}</${name}>`;
  return `<${name}>${escapeXml(String(value))}</${name}>`;
}

/** The element names of list items in GeoReport v2 XML. */
const XML_ITEMS: Record<string, string> = {
  services: "service",
  attributes: "attribute",
  values: "value",
  service_requests: "request",
  errors: "error",
  endpoints: "endpoint",
  formats: "format",
};

function send(reply: FastifyReply, format: string, root: string, value: Value, status = 200) {
  if (format === "xml")
    return reply
      .code(status)
      .type("text/xml; charset=utf-8")
      .send(`<?xml version="1.0" encoding="utf-8"?>${toXml(root, value, XML_ITEMS)}`);
  return reply.code(status).type("application/json; charset=utf-8").send(JSON.stringify(value));
}

function sendError(reply: FastifyReply, format: string, status: number, description: string) {
  return send(reply, format, "errors", [{ code: status, description }], status);
}

/** Splits `name.ext`; undefined when the extension is not json or xml. */
function split(file: string): { name: string; format: "json" | "xml" } | undefined {
  const dot = file.lastIndexOf(".");
  const format = file.slice(dot + 1);
  if (dot <= 0 || (format !== "json" && format !== "xml")) return undefined;
  return { name: decodeURIComponent(file.slice(0, dot)), format };
}

type ServiceRow = {
  id: number;
  code: string;
  name: string;
  department: string;
  department_id: number;
  time_limit_days: number | null;
  time_limit_basis: string;
};

function servicesQuery(where = sql``) {
  return sql`select s.id, s.code, s.name, d.name as department, d.id as department_id, s.time_limit_days, s.time_limit_basis
             from services s join departments d on d.id = s.department_id ${where} order by s.id`;
}

function serviceJson(s: ServiceRow) {
  return {
    service_code: s.code,
    service_name: s.name,
    description: `${s.name} (${s.department}). Time limit: ${
      s.time_limit_days === null ? "immediate" : `${s.time_limit_days} ${s.time_limit_basis} days`
    }.`,
    metadata: true,
    type: "batch",
    keywords: null,
    group: s.department,
  };
}

/** The generic form's fields beyond GeoReport's standard arguments, as GeoReport attributes. */
async function attributesOf(q: Queryable) {
  const districts = await listDistricts(q);
  return [
    {
      variable: true,
      code: "relative_name",
      datatype: "string",
      required: true,
      datatype_description: "Up to 100 characters",
      order: 1,
      description: "Father's, mother's or husband's name",
    },
    {
      variable: true,
      code: "gender",
      datatype: "singlevaluelist",
      required: true,
      datatype_description: null,
      order: 2,
      description: "Gender",
      values: [
        { key: "female", name: "Female" },
        { key: "male", name: "Male" },
        { key: "transgender", name: "Transgender" },
      ],
    },
    {
      variable: true,
      code: "date_of_birth",
      datatype: "string",
      required: true,
      datatype_description: "A calendar date, YYYY-MM-DD",
      order: 3,
      description: "Date of birth",
    },
    {
      variable: true,
      code: "district_code",
      datatype: "singlevaluelist",
      required: true,
      datatype_description: "LGD district code",
      order: 4,
      description: "District",
      values: districts.map((d) => ({ key: String(d.code), name: d.name })),
    },
    {
      variable: true,
      code: "tehsil_code",
      datatype: "number",
      required: true,
      datatype_description: "LGD sub-district (tehsil) code, in the district",
      order: 5,
      description: "Tehsil",
    },
    {
      variable: true,
      code: "pincode",
      datatype: "string",
      required: true,
      datatype_description: "6 digits, not starting with 0",
      order: 6,
      description: "PIN code",
    },
    {
      variable: true,
      code: "declaration",
      datatype: "singlevaluelist",
      required: true,
      datatype_description: null,
      order: 7,
      description: "I declare that the information given is true",
      values: [{ key: "true", name: "I agree" }],
    },
  ];
}

/** A form value by name, whether the body parser nested `attribute[x]` or kept it flat. */
function field(body: Record<string, unknown>, name: string): string | undefined {
  const v = body[name];
  if (typeof v === "string") return v;
  if (Array.isArray(v) && typeof v[0] === "string") return v[0];
  const m = /^attribute\[(.+)\]$/.exec(name);
  const nested = m
    ? (body.attribute as Record<string, unknown> | undefined)?.[m[1] as string]
    : undefined;
  return typeof nested === "string" ? nested : undefined;
}

type RequestRow = {
  reference: string;
  status: string;
  service_code: string;
  service_name: string;
  department: string;
  district: string;
  received_at: string;
  updated_at: string;
  due_date: string | null;
};

const STATUS_NOTES: Record<string, string> = {
  submitted: "Submitted; with the department",
  resubmitted: "Resubmitted after a deficiency; with the department",
  sent_back: "Sent back to the applicant for a deficiency; the time limit is paused",
  approved: "Approved (delivered)",
  rejected: "Rejected",
};

function requestJson(r: RequestRow) {
  const closed = r.status === "approved" || r.status === "rejected";
  return {
    service_request_id: r.reference,
    status: closed ? "closed" : "open",
    status_notes: STATUS_NOTES[r.status] ?? r.status,
    service_name: r.service_name,
    service_code: r.service_code,
    agency_responsible: r.department,
    service_notice: null,
    requested_datetime: ist(r.received_at),
    updated_datetime: ist(r.updated_at),
    expected_datetime: r.due_date ? `${r.due_date}T23:59:59+05:30` : null,
    address: r.district,
  };
}

/** Registers the Open311 routes. */
export async function registerOpen311(app: FastifyInstance): Promise<void> {
  const { db } = app.deps.database;
  const { clock } = app.deps;
  const hide = { schema: { hide: true } };

  async function keyed(request: FastifyRequest): Promise<ApiClient | undefined> {
    const body = (request.body ?? {}) as Record<string, unknown>;
    const query = (request.query ?? {}) as Record<string, unknown>;
    const key = field(body, "api_key") ?? field(query, "api_key");
    if (!key) return undefined;
    const client = await clientBySecret(db, key, clock.now());
    if (client) await touchClient(db, client.id, clock.now());
    return client;
  }

  app.get("/open311/:file", hide, async (request, reply) => {
    const f = split((request.params as { file: string }).file);
    if (f?.name !== "discovery")
      return sendError(reply, f?.format ?? "json", 404, "No such resource");
    const base = (
      process.env.SEWA_PUBLIC_URL || `http://localhost:${app.deps.config.port}`
    ).replace(/\/+$/, "");
    return send(reply, f.format, "discovery", {
      changeset: "2026-11-30T00:00:00+05:30",
      contact: "Sewa PMU, Government of Punjab",
      key_service: `${base}/admin/integration`,
      endpoints: [
        {
          specification: "http://wiki.open311.org/GeoReport_v2",
          url: `${base}/open311/v2`,
          changeset: "2026-11-30T00:00:00+05:30",
          type: "production",
          formats: ["application/json", "text/xml"],
        },
      ],
    });
  });

  app.get("/open311/v2/:file", hide, async (request, reply) => {
    const f = split((request.params as { file: string }).file);
    if (!f) return sendError(reply, "json", 404, "Use .json or .xml");
    if (f.name === "services")
      return send(
        reply,
        f.format,
        "services",
        (await rows<ServiceRow>(db, servicesQuery())).map(serviceJson),
      );
    if (f.name !== "requests") return sendError(reply, f.format, 404, "No such resource");
    const client = await keyed(request);
    if (!client) return sendError(reply, f.format, 403, "A valid api_key is required");
    const q = request.query as Record<string, string | undefined>;
    const conditions = [sql`a.department_id = ${client.departmentId}`];
    conditions.push(
      client.serviceIds.length
        ? sql`a.service_id in (${sql.join(
            client.serviceIds.map((s) => sql`${s}`),
            sql`, `,
          )})`
        : sql`false`,
    );
    if (q.service_request_id)
      conditions.push(
        sql`a.reference in (${sql.join(
          q.service_request_id
            .split(",")
            .slice(0, 100)
            .map((r) => sql`${apps.normaliseReference(r) ?? ""}`),
          sql`, `,
        )})`,
      );
    if (q.service_code) conditions.push(sql`s.code = ${q.service_code}`);
    if (q.status === "open")
      conditions.push(sql`a.status in ('submitted', 'resubmitted', 'sent_back')`);
    if (q.status === "closed") conditions.push(sql`a.status in ('approved', 'rejected')`);
    for (const [name, op] of [
      ["start_date", sql`>=`],
      ["end_date", sql`<=`],
    ] as const) {
      const v = q[name];
      if (!v) continue;
      let at: string;
      try {
        at = Temporal.Instant.from(v).toString();
      } catch {
        return sendError(
          reply,
          f.format,
          400,
          `${name} must be an ISO 8601 datetime with an offset`,
        );
      }
      conditions.push(sql`a.received_at ${op} ${at}`);
    }
    if (!q.service_request_id && !q.start_date && !q.end_date)
      conditions.push(
        sql`a.received_at >= ${clock
          .now()
          .subtract({ hours: 24 * 90 })
          .toString()}`,
      );
    const list = await requestRows(db, sql`where ${sql.join(conditions, sql` and `)}`);
    return send(reply, f.format, "service_requests", list.map(requestJson));
  });

  app.get("/open311/v2/services/:file", hide, async (request, reply) => {
    const f = split((request.params as { file: string }).file);
    if (!f) return sendError(reply, "json", 404, "Use .json or .xml");
    const [s] = await rows<ServiceRow>(db, servicesQuery(sql`where s.code = ${f.name}`));
    if (!s) return sendError(reply, f.format, 404, "No such service_code");
    return send(reply, f.format, "service_definition", {
      service_code: s.code,
      attributes: await attributesOf(db),
    });
  });

  app.get("/open311/v2/requests/:file", hide, async (request, reply) => {
    const f = split((request.params as { file: string }).file);
    if (!f) return sendError(reply, "json", 404, "Use .json or .xml");
    const client = await keyed(request);
    if (!client) return sendError(reply, f.format, 403, "A valid api_key is required");
    const ref = apps.normaliseReference(f.name);
    const row = ref ? await apps.findApplicationByReference(db, ref) : undefined;
    if (!row || !inScope(client, row))
      return sendError(reply, f.format, 404, "No such service_request_id");
    const list = await requestRows(db, sql`where a.id = ${row.id}`);
    return send(reply, f.format, "service_requests", list.map(requestJson));
  });

  app.post("/open311/v2/:file", hide, async (request, reply) => {
    const f = split((request.params as { file: string }).file);
    if (f?.name !== "requests")
      return sendError(reply, f?.format ?? "json", 404, "No such resource");
    const client = await keyed(request);
    if (!client) return sendError(reply, f.format, 403, "A valid api_key is required");
    const body = (request.body ?? {}) as Record<string, unknown>;
    const code = field(body, "service_code");
    if (!code) return sendError(reply, f.format, 400, "service_code is required");
    const [s] = await rows<ServiceRow>(db, servicesQuery(sql`where s.code = ${code}`));
    if (!s) return sendError(reply, f.format, 404, "No such service_code");
    if (!inScope(client, { serviceId: s.id, departmentId: s.department_id }))
      return sendError(reply, f.format, 403, "This api_key may not file requests for this service");
    const attr = (name: string) => field(body, `attribute[${name}]`);
    const name = [field(body, "first_name"), field(body, "last_name")].filter(Boolean).join(" ");
    const input = {
      serviceId: s.id,
      applicant: {
        name,
        relativeName: attr("relative_name") ?? "",
        gender: attr("gender") ?? "",
        dateOfBirth: attr("date_of_birth") ?? "",
        mobile: field(body, "phone") ?? "",
        ...(field(body, "email") ? { email: field(body, "email") } : {}),
      },
      address: {
        line1: field(body, "address_string") ?? "",
        districtCode: Number(attr("district_code")),
        tehsilCode: Number(attr("tehsil_code")),
        pincode: attr("pincode") ?? "",
      },
      purpose: field(body, "description") ?? "",
      declaration: attr("declaration") === "true",
    };
    const result = validateGenericApplication(input, {
      tehsilsByDistrict: await tehsilsByDistrict(db),
      today: istDateOf(clock.now()),
    });
    if (!result.ok)
      return sendError(
        reply,
        f.format,
        400,
        `Invalid fields: ${result.errors.map((e) => `${e.field} (${e.code})`).join(", ")}`,
      );
    try {
      const outcome = await apps.submitApplication(db, {
        application: result.value,
        documentIds: [],
        channel: "open311",
        now: clock.now(),
      });
      return send(
        reply,
        f.format,
        "service_requests",
        [
          {
            service_request_id: outcome.reference,
            service_notice: outcome.dueDate ? `Due by ${outcome.dueDate}` : null,
            account_id: null,
          },
        ],
        201,
      );
    } catch (e) {
      if (e instanceof DomainError) return sendError(reply, f.format, e.status, e.message);
      throw e;
    }
  });
}

function requestRows(q: Queryable, where: ReturnType<typeof sql>): Promise<RequestRow[]> {
  return rows<RequestRow>(
    q,
    sql`select a.reference, a.status, s.code as service_code, s.name as service_name, d.name as department,
          g.name as district, a.received_at::text as received_at, a.updated_at::text as updated_at, a.due_date
        from applications a join services s on s.id = a.service_id join departments d on d.id = a.department_id
          join districts g on g.code = a.district_code
        ${where} order by a.id desc limit 1000`,
  );
}
