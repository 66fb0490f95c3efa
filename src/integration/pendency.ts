/**
 * The Commission's pendency feed (issue 10):
 * `GET /api/v1/feeds/pendency?date=YYYY-MM-DD[&format=csv|json]` (or
 * `Accept: text/csv`), one row per district × department × service with the
 * counts **as at the end of that day** (IST), so that the Punjab Transparency
 * and Accountability Commission and each district's ADC (General) can collect
 * it without signing in to the pages.
 *
 * Measures: the definitions of the monitoring issue (src/monitoring/measures.ts,
 * docs/metrics.md), applied to the cumulative cohort received up to the end of
 * `date`, in each application's status at the end of `date` (its last timeline
 * entry by then, src/applications/service.ts, which also carries the due date
 * then in force): received (and receivedOnDate), disposedWithin (approved or
 * rejected on or before the due date, IST), disposedLate, rejected, sentBack,
 * pendingWithin (with the department, due on or after `date` or no due date),
 * pendingBeyond (due before `date`), and pendencyPercent (monitoring's
 * `pendencyPercent`: pendingBeyond ÷ received × 100). Monitoring's own
 * breakdowns group by one level and count the status now, so the feed runs its
 * own query, as at the day.
 *
 * Access: `Authorization: Bearer <feed key>`, keys from env `SEWA_FEED_KEYS`
 * (`name:key` pairs, comma-separated; `name:key@36` limits the key to district
 * LGD 36, for an ADC General). No key configured: the feed answers 404.
 *
 * Signature: the header `X-JWS-Signature` holds a detached JWS (RFC 7515
 * Appendix F: `<protected header>..<signature>`), EdDSA with Sewa's signing key
 * (the certificate keys, published at `/.well-known/sewa-keys.json`), over the
 * exact response body bytes; its protected header names the `kid`, the feed's
 * `date` and the content type (`cty`).
 */
import { timingSafeEqual } from "node:crypto";
import { Type } from "@sinclair/typebox";
import { sql } from "drizzle-orm";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { CompactSign, importJWK } from "jose";
import { Temporal } from "temporal-polyfill";
import { certificateContext } from "../certificates/service.ts";
import { toCsv } from "../common/csv-export.ts";
import { DomainError } from "../common/errors.ts";
import { type Queryable, rows } from "../db/client.ts";
import { pendencyPercent } from "../monitoring/measures.ts";
import { istDateOf, startOfIstDay } from "../sla/clock.ts";

/** One row of the feed. */
export type PendencyRow = {
  districtCode: number;
  district: string;
  departmentCode: string;
  department: string;
  serviceCode: string;
  service: string;
  received: number;
  receivedOnDate: number;
  disposedWithin: number;
  disposedLate: number;
  rejected: number;
  sentBack: number;
  pendingWithin: number;
  pendingBeyond: number;
  pendencyPercent: number | null;
};

/** The feed's columns, in CSV order. */
export const FEED_COLUMNS: ReadonlyArray<keyof PendencyRow> = [
  "districtCode",
  "district",
  "departmentCode",
  "department",
  "serviceCode",
  "service",
  "received",
  "receivedOnDate",
  "disposedWithin",
  "disposedLate",
  "rejected",
  "sentBack",
  "pendingWithin",
  "pendingBeyond",
  "pendencyPercent",
];

/** A feed key: who it is for and the district it is limited to (null: every district). */
export type FeedKey = { name: string; key: string; districtCode: number | null };

/** Parses `SEWA_FEED_KEYS` (`name:key[@district]`, comma-separated). @throws Error on a malformed entry. */
export function parseFeedKeys(value: string | undefined): FeedKey[] {
  if (!value) return [];
  return value
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)
    .map((entry) => {
      const m = /^([A-Za-z0-9._-]+):([\x21-\x3f\x41-\x7e]{16,})(?:@(\d+))?$/.exec(entry);
      if (!m)
        throw new Error("SEWA_FEED_KEYS entries are name:key[@district], keys of 16+ characters");
      return {
        name: m[1] as string,
        key: m[2] as string,
        districtCode: m[3] ? Number(m[3]) : null,
      };
    });
}

/**
 * The feed rows as at the end of `date` (module comment), for `districtCode`
 * only when given, ordered by district, department and service.
 */
export async function pendencyAsAt(
  q: Queryable,
  date: string,
  districtCode: number | null,
): Promise<PendencyRow[]> {
  const start = startOfIstDay(date).toString();
  const end = startOfIstDay(Temporal.PlainDate.from(date).add({ days: 1 })).toString();
  const district = districtCode === null ? sql`` : sql`and a.district_code = ${districtCode}`;
  const list = await rows<{
    district_code: number;
    district: string;
    department_code: string;
    department: string;
    service_code: string;
    service: string;
    received: number;
    received_on_date: number;
    disposed_within: number;
    disposed_late: number;
    rejected: number;
    sent_back: number;
    pending_within: number;
    pending_beyond: number;
  }>(
    q,
    sql`with last as (
          select distinct on (e.application_id) e.application_id, e.to_status as status, e.due_date
          from application_events e where e.at < ${end}
          order by e.application_id, e.id desc
        ), decided as (
          select e.application_id, max(e.at) as at from application_events e
          where e.at < ${end} and e.to_status in ('approved', 'rejected')
            and e.from_status is distinct from e.to_status
          group by e.application_id
        )
        select a.district_code, g.name as district, d.code as department_code, d.name as department,
          s.code as service_code, s.name as service,
          count(*)::int as received,
          (count(*) filter (where a.received_at >= ${start}))::int as received_on_date,
          (count(*) filter (where l.status in ('approved', 'rejected')
            and (l.due_date is null or (x.at at time zone 'Asia/Kolkata')::date <= l.due_date)))::int as disposed_within,
          (count(*) filter (where l.status in ('approved', 'rejected')
            and l.due_date is not null and (x.at at time zone 'Asia/Kolkata')::date > l.due_date))::int as disposed_late,
          (count(*) filter (where l.status = 'rejected'))::int as rejected,
          (count(*) filter (where l.status = 'sent_back'))::int as sent_back,
          (count(*) filter (where l.status in ('submitted', 'resubmitted')
            and (l.due_date is null or l.due_date >= ${date}::date)))::int as pending_within,
          (count(*) filter (where l.status in ('submitted', 'resubmitted')
            and l.due_date < ${date}::date))::int as pending_beyond
        from applications a
          join last l on l.application_id = a.id
          left join decided x on x.application_id = a.id
          join districts g on g.code = a.district_code
          join departments d on d.id = a.department_id
          join services s on s.id = a.service_id
        where a.received_at < ${end} ${district}
        group by a.district_code, g.name, d.code, d.name, s.code, s.name, s.id
        order by a.district_code, d.code, s.id`,
  );
  return list.map((r) => ({
    districtCode: r.district_code,
    district: r.district,
    departmentCode: r.department_code,
    department: r.department,
    serviceCode: r.service_code,
    service: r.service,
    received: r.received,
    receivedOnDate: r.received_on_date,
    disposedWithin: r.disposed_within,
    disposedLate: r.disposed_late,
    rejected: r.rejected,
    sentBack: r.sent_back,
    pendingWithin: r.pending_within,
    pendingBeyond: r.pending_beyond,
    pendencyPercent: pendencyPercent(r.pending_beyond, r.received),
  }));
}

function feedKeyOf(request: FastifyRequest, keys: FeedKey[]): FeedKey | undefined {
  const m = /^Bearer (.+)$/.exec(request.headers.authorization ?? "");
  if (!m?.[1]) return undefined;
  const given = Buffer.from(m[1]);
  return keys.find((k) => {
    const wanted = Buffer.from(k.key);
    return wanted.length === given.length && timingSafeEqual(wanted, given);
  });
}

/** Registers `GET /api/v1/feeds/pendency`. */
export async function registerPendencyFeed(app: FastifyInstance): Promise<void> {
  const { db } = app.deps.database;
  const keys = parseFeedKeys(process.env.SEWA_FEED_KEYS);

  app.get(
    "/api/v1/feeds/pendency",
    {
      schema: {
        tags: ["integration"],
        summary: "The Commission's daily pendency feed (CSV or JSON, signed)",
        description:
          "Counts per district, department and service as at the end of `date` (IST). `Authorization: Bearer <feed key>` (env SEWA_FEED_KEYS). `format=csv` or `Accept: text/csv` for CSV. The header `X-JWS-Signature` is a detached JWS (EdDSA, keys at /.well-known/sewa-keys.json) over the body.",
        querystring: Type.Object({
          date: Type.String({ pattern: "^\\d{4}-\\d{2}-\\d{2}$" }),
          format: Type.Optional(Type.Union([Type.Literal("csv"), Type.Literal("json")])),
        }),
      },
    },
    async (request, reply) => {
      if (keys.length === 0) throw new DomainError("not_found", "No pendency feed is configured");
      const key = feedKeyOf(request, keys);
      if (!key) {
        reply.header("WWW-Authenticate", 'Bearer realm="sewa-feeds"');
        throw new DomainError("unauthorized", "Send a feed key");
      }
      const q = request.query as { date: string; format?: "csv" | "json" };
      let date: string;
      try {
        date = Temporal.PlainDate.from(q.date, { overflow: "reject" }).toString();
      } catch {
        throw new DomainError("validation", "date must be a real YYYY-MM-DD date", [
          { field: "date", code: "invalid" },
        ]);
      }
      if (date > istDateOf(app.deps.clock.now()))
        throw new DomainError("validation", "date is in the future", [
          { field: "date", code: "future" },
        ]);
      const csv =
        q.format === "csv" || (!q.format && /text\/csv/.test(request.headers.accept ?? ""));
      const list = await pendencyAsAt(db, date, key.districtCode);
      const body = csv
        ? toCsv(
            FEED_COLUMNS.map((c) => ({ key: c, header: c })),
            list as unknown as Array<Record<string, unknown>>,
          )
        : JSON.stringify({
            date,
            generatedAt: app.deps.clock.now().toString(),
            districtCode: key.districtCode,
            rows: list,
          });
      const type = csv ? "text/csv; charset=utf-8" : "application/json; charset=utf-8";
      const signing = certificateContext(db)?.keys.keys[0];
      if (signing) {
        const jws = await new CompactSign(new TextEncoder().encode(body))
          .setProtectedHeader({
            alg: "EdDSA",
            kid: signing.kid,
            typ: "sewa-feed+jws",
            cty: csv ? "text/csv" : "application/json",
            date,
          })
          .sign(await importJWK(signing.privateJwk, "EdDSA"));
        const [header, , signature] = jws.split(".");
        reply.header("X-JWS-Signature", `${header}..${signature}`);
      }
      reply.header("Cache-Control", "no-store");
      return reply.type(type).send(body);
    },
  );
}
