/**
 * Monitoring pages and API (issue 6):
 * - `/monitoring`: the head-office dashboard (permission `monitoring.view`,
 *   scoped by the user's postings), drill-down state → department → district →
 *   office → service → officer, sortable; period filter (months of receipt);
 *   ageing buckets, weekly trend and monthly pendency % (SVG charts with data
 *   tables), district ranking, longest-overdue list;
 * - `/monitoring/export.csv`, `/monitoring/export.xlsx`: the breakdown on screen;
 * - `/transparency` (public): aggregates with small cells suppressed;
 *   `/transparency/data` (data dictionary) and
 *   `/transparency/data/pendency-by-{state,department,district,month}.{csv,json}` (open data);
 * - `GET /api/v1/pendency`: the breakdowns as JSON (docs/api.md).
 *
 * @module
 */
import { Type } from "@sinclair/typebox";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { DomainError } from "../common/errors.ts";
import { can } from "../identity/authorization.ts";
import { currentStaff, staffOrRedirect } from "../identity/session.ts";
import { istDateOf } from "../sla/clock.ts";
import { holidayListStatus } from "../sla/service.ts";
import { staffNav } from "../workflow/routes.ts";
import { ageingChart, monthlyChart, weeklyChart } from "./charts.ts";
import { breakdownCsv, breakdownXlsx, type ExportHeaders } from "./exports.ts";
import {
  AGEING_BUCKETS,
  type Counts,
  MEASURES,
  type Measure,
  type PublicCounts,
  parsePeriod,
  SUPPRESS_BELOW,
  suppress,
} from "./measures.ts";
import * as svc from "./service.ts";

type Query = Record<string, unknown>;
type Lang = svc.Lang;

const SORTABLE = new Set<string>(["name", ...MEASURES]);

function langOf(request: FastifyRequest): Lang {
  const l = request.lang as string;
  return l === "pa" || l === "hi" ? l : "en";
}

/** The headers of exports and tables, in the request's language. */
function headersOf(request: FastifyRequest, level: string): ExportHeaders {
  const t = request.t;
  return {
    name: t(`monitoring.level.${level}`),
    measures: Object.fromEntries(
      MEASURES.map((m) => [m, t(`monitoring.measure.${m}`)]),
    ) as ExportHeaders["measures"],
  };
}

function sortRows<T extends { name: string; counts: Counts | PublicCounts }>(
  list: T[],
  sort: string,
  dir: "asc" | "desc",
): T[] {
  const sign = dir === "asc" ? 1 : -1;
  return [...list].sort((a, b) => {
    if (sort === "name") return sign * a.name.localeCompare(b.name);
    const x = a.counts[sort as Measure] ?? -1;
    const y = b.counts[sort as Measure] ?? -1;
    return sign * (x - y) || a.name.localeCompare(b.name);
  });
}

/** Registers the monitoring pages, exports, transparency pages, open data and API. */
export async function monitoringRoutes(app: FastifyInstance): Promise<void> {
  const { db } = app.deps.database;
  const { clock } = app.deps;

  async function questionOf(request: FastifyRequest, scope: svc.Scope) {
    const q = request.query as Query;
    const date = istDateOf(clock.now());
    const { calendar, cut } = await svc.today(db, date);
    const period = parsePeriod(q.from, q.to, date);
    const filters = svc.parseFilters(q);
    return { calendar, cut, period, filters, scope, lang: langOf(request) };
  }

  function linkQuery(
    period: { from: string; to: string },
    filters: svc.Filters,
    extra: Record<string, string> = {},
  ) {
    const p = new URLSearchParams({ from: period.from, to: period.to });
    for (const d of svc.DRILL) if (filters[d] !== undefined) p.set(d, String(filters[d]));
    for (const [k, v] of Object.entries(extra)) p.set(k, v);
    return p.toString();
  }

  app.get("/monitoring", { schema: { hide: true } }, async (request, reply) => {
    const staff = await staffOrRedirect(request, reply, "monitoring.view");
    if (!staff) return reply;
    const t = request.t;
    const q = request.query as Query;
    const qn = await questionOf(request, svc.scopeOf(staff.principal));
    const notActed = t("monitoring.notActed");
    const sort = typeof q.sort === "string" && SORTABLE.has(q.sort) ? q.sort : "pendingBeyond";
    const dir = q.dir === "asc" ? "asc" : "desc";
    const base = { scope: qn.scope, filters: qn.filters, period: qn.period, cut: qn.cut };
    const drill = await svc.breakdown(db, { ...base, lang: qn.lang, notActed });
    const [ranking, months, weeks, ageing] = await Promise.all([
      svc.breakdown(db, {
        ...base,
        filters: {},
        lang: qn.lang,
        notActed,
        level: "district",
        withTotal: false,
        names: drill.names,
        percentiles: false,
      }),
      svc.monthly(db, base),
      svc.weekly(db, base),
      svc.ageingBuckets(db, qn.calendar, base),
    ]);
    const overdue = await svc.longestOverdue(
      db,
      qn.calendar,
      { ...base, lang: qn.lang },
      drill.names,
    );
    const levelIndex = svc.DRILL.indexOf(drill.level);
    const deepest = qn.filters.officer !== undefined;
    const rows = sortRows(drill.rows, sort, dir).map((r) => ({
      ...r,
      href: deepest
        ? null
        : `/monitoring?${linkQuery(qn.period, qn.filters, { [drill.level]: String(r.key) })}`,
    }));
    // Breadcrumbs: state, then each chosen filter.
    const crumbs = [
      { text: t("monitoring.level.state"), href: `/monitoring?${linkQuery(qn.period, {})}` },
    ];
    const upTo: svc.Filters = {};
    for (const d of svc.DRILL.slice(0, deepest ? svc.DRILL.length : levelIndex)) {
      const key = qn.filters[d] as number;
      upTo[d] = key;
      crumbs.push({
        text: svc.nameOf(drill.names, d, key, qn.lang, notActed),
        href: `/monitoring?${linkQuery(qn.period, upTo)}`,
      });
    }
    const sortLinks = Object.fromEntries(
      ["name", ...MEASURES].map((m) => [
        m,
        `/monitoring?${linkQuery(qn.period, qn.filters, { sort: m, dir: sort === m && dir === "desc" ? "asc" : "desc" })}`,
      ]),
    );
    const ageingLabels = AGEING_BUCKETS.map((b) => t(`monitoring.ageing.${b.key}`));
    return reply
      .header("Cache-Control", "private, no-store")
      .view("monitoring/views/dashboard.njk", {
        official: staff.official,
        navItems: staffNav(request, staff),
        // Issue 4: a year with no (or an incomplete) holiday list makes every due date suspect.
        holidayYears: (
          await holidayListStatus(
            db,
            Number(qn.cut.today.slice(0, 4)),
            Number(qn.cut.today.slice(0, 4)) + 1,
          )
        ).filter((y) => y.status !== "loaded"),
        period: qn.period,
        today: qn.cut.today,
        filters: qn.filters,
        level: drill.level,
        crumbs,
        rows,
        total: drill.total,
        measures: MEASURES,
        sort,
        dir,
        sortLinks,
        exportQuery: linkQuery(qn.period, qn.filters, { sort, dir }),
        hidden: Object.entries(qn.filters).map(([k, v]) => ({ name: k, value: String(v) })),
        ranking: sortRows(ranking.rows, "pendencyPercent", "desc").map((r, i) => ({
          ...r,
          rank: i + 1,
          href: `/monitoring?${linkQuery(qn.period, {})}`,
        })),
        months,
        weeks,
        ageing: AGEING_BUCKETS.map((b, i) => ({ label: ageingLabels[i], n: ageing[b.key] })),
        overdue,
        charts: {
          weekly: weeklyChart(
            weeks.map((w) => w.week),
            weeks.map((w) => w.received),
            weeks.map((w) => w.disposed),
            { received: t("monitoring.measure.received"), disposed: t("monitoring.disposed") },
          ),
          monthly: monthlyChart(
            months.map((m) => m.month),
            months.map((m) => m.pendencyPercent),
          ),
          ageing: ageingChart(
            ageingLabels,
            AGEING_BUCKETS.map((b) => ageing[b.key]),
          ),
        },
      });
  });

  async function exportRows(request: FastifyRequest, reply: FastifyReply) {
    const staff = await staffOrRedirect(request, reply, "monitoring.view");
    if (!staff) return undefined;
    const q = request.query as Query;
    const qn = await questionOf(request, svc.scopeOf(staff.principal));
    const drill = await svc.breakdown(db, {
      scope: qn.scope,
      filters: qn.filters,
      period: qn.period,
      cut: qn.cut,
      lang: qn.lang,
      notActed: request.t("monitoring.notActed"),
    });
    const sort = typeof q.sort === "string" && SORTABLE.has(q.sort) ? q.sort : "pendingBeyond";
    const rows = [
      ...sortRows(drill.rows, sort, q.dir === "asc" ? "asc" : "desc"),
      { key: -1, name: request.t("monitoring.total"), counts: drill.total },
    ];
    const name = `sewa-pendency-${drill.level}-${qn.period.from}-${qn.period.to}`;
    return { rows, headers: headersOf(request, drill.level), name, level: drill.level };
  }

  app.get("/monitoring/export.csv", { schema: { hide: true } }, async (request, reply) => {
    const e = await exportRows(request, reply);
    if (!e) return reply;
    return reply
      .header("Content-Type", "text/csv; charset=utf-8")
      .header("Content-Disposition", `attachment; filename="${e.name}.csv"`)
      .header("Cache-Control", "private, no-store")
      .send(breakdownCsv(e.headers, e.rows));
  });

  app.get("/monitoring/export.xlsx", { schema: { hide: true } }, async (request, reply) => {
    const e = await exportRows(request, reply);
    if (!e) return reply;
    return reply
      .header("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
      .header("Content-Disposition", `attachment; filename="${e.name}.xlsx"`)
      .header("Cache-Control", "private, no-store")
      .send(await breakdownXlsx(e.headers, e.rows, e.name.slice(14)));
  });

  // ------------------------------------------------------------ public

  type PublicRow = { key: number | string; name: string; counts: PublicCounts };

  async function publicTables(request: FastifyRequest) {
    const qn = await questionOf(request, "state");
    const base = { scope: "state" as const, filters: {}, period: qn.period, cut: qn.cut };
    const notActed = "";
    const state = await svc.breakdown(db, {
      ...base,
      lang: qn.lang,
      notActed,
      level: "department",
    });
    const [districts, months, weeks] = await Promise.all([
      svc.breakdown(db, {
        ...base,
        lang: qn.lang,
        notActed,
        level: "district",
        withTotal: false,
        names: state.names,
      }),
      svc.monthly(db, base),
      svc.weekly(db, base),
    ]);
    const pub = (rows: svc.NamedRow[]): PublicRow[] =>
      rows.map((r) => ({ key: r.key, name: r.name, counts: suppress(r.counts) }));
    return {
      qn,
      state: { key: 0, name: request.t("monitoring.level.state"), counts: suppress(state.total) },
      districts: pub(districts.rows),
      departments: pub(state.rows),
      months: months.map((m) => {
        const received = m.received;
        const hidden = received < SUPPRESS_BELOW;
        const beyondHidden = m.pendingBeyond > 0 && m.pendingBeyond < SUPPRESS_BELOW;
        return {
          month: m.month,
          received: hidden ? null : received,
          pendingBeyond: hidden || beyondHidden ? null : m.pendingBeyond,
          pendencyPercent: hidden || beyondHidden ? null : m.pendencyPercent,
        };
      }),
      weeks: weeks.map((w) => ({
        week: w.week,
        received: w.received > 0 && w.received < SUPPRESS_BELOW ? null : w.received,
        disposed: w.disposed > 0 && w.disposed < SUPPRESS_BELOW ? null : w.disposed,
      })),
    };
  }

  app.get("/transparency", { schema: { hide: true } }, async (request, reply) => {
    const t = request.t;
    const data = await publicTables(request);
    const within = (c: PublicCounts) => {
      const disposed = (c.disposedWithin ?? 0) + (c.disposedLate ?? 0);
      return c.disposedWithin === null || c.disposedLate === null || disposed === 0
        ? null
        : Math.round((c.disposedWithin * 1000) / disposed) / 10;
    };
    return reply
      .header("Cache-Control", "public, max-age=300")
      .view("monitoring/views/transparency.njk", {
        period: data.qn.period,
        today: data.qn.cut.today,
        state: data.state,
        districts: sortRows(data.districts, "pendencyPercent", "desc"),
        departments: data.departments.map((d) => ({ ...d, withinPercent: within(d.counts) })),
        months: data.months,
        weeks: data.weeks,
        suppressBelow: SUPPRESS_BELOW,
        charts: {
          monthly: monthlyChart(
            data.months.map((m) => m.month),
            data.months.map((m) => m.pendencyPercent),
          ),
          weekly: weeklyChart(
            data.weeks.map((w) => w.week),
            data.weeks.map((w) => w.received ?? 0),
            data.weeks.map((w) => w.disposed ?? 0),
            { received: t("monitoring.measure.received"), disposed: t("monitoring.disposed") },
          ),
        },
      });
  });

  app.get("/transparency/data", { schema: { hide: true } }, async (_request, reply) =>
    reply.view("monitoring/views/dictionary.njk", {
      measures: MEASURES,
      suppressBelow: SUPPRESS_BELOW,
    }),
  );

  const DATASETS = ["state", "department", "district", "month"] as const;

  app.get(
    "/transparency/data/dictionary.json",
    { schema: { hide: true } },
    async (request, reply) => {
      const t = request.t;
      return reply.header("Cache-Control", "public, max-age=3600").send({
        datasets: DATASETS.map((d) => ({
          name: `pendency-by-${d}`,
          csv: `/transparency/data/pendency-by-${d}.csv`,
          json: `/transparency/data/pendency-by-${d}.json`,
        })),
        parameters: { from: t("monitoring.dictionary.from"), to: t("monitoring.dictionary.to") },
        suppression: t("monitoring.dictionary.suppression", { n: SUPPRESS_BELOW }),
        fields: [
          { name: "key", description: t("monitoring.dictionary.key") },
          { name: "name", description: t("monitoring.dictionary.name") },
          ...MEASURES.map((m) => ({ name: m, description: t(`monitoring.definition.${m}`) })),
        ],
      });
    },
  );

  app.get<{ Params: { dataset: string; format: string } }>(
    "/transparency/data/pendency-by-:dataset.:format",
    { schema: { hide: true } },
    async (request, reply) => {
      const { dataset, format } = request.params;
      if (!(DATASETS as readonly string[]).includes(dataset) || !["csv", "json"].includes(format))
        throw new DomainError("not_found", "No such dataset");
      const data = await publicTables(request);
      const rows: PublicRow[] =
        dataset === "state"
          ? [data.state]
          : dataset === "department"
            ? data.departments
            : dataset === "district"
              ? data.districts
              : data.months.map((m) => ({
                  key: m.month,
                  name: m.month,
                  counts: {
                    received: m.received,
                    pendingBeyond: m.pendingBeyond,
                    pendencyPercent: m.pendencyPercent,
                  } as PublicCounts,
                }));
      reply.header("Cache-Control", "public, max-age=300");
      const fields =
        dataset === "month"
          ? (["received", "pendingBeyond", "pendencyPercent"] as const)
          : MEASURES;
      const flat = rows.map((r) => ({
        key: r.key,
        name: r.name,
        ...Object.fromEntries(fields.map((f) => [f, r.counts[f] ?? null])),
      }));
      if (format === "json") {
        return reply.send({
          dataset: `pendency-by-${dataset}`,
          period: data.qn.period,
          asOf: data.qn.cut.today,
          suppressedBelow: SUPPRESS_BELOW,
          dictionary: "/transparency/data/dictionary.json",
          rows: flat,
        });
      }
      const { toCsv } = await import("../common/csv-export.ts");
      return reply
        .header("Content-Type", "text/csv; charset=utf-8")
        .header("Content-Disposition", `inline; filename="pendency-by-${dataset}.csv"`)
        .send(
          toCsv(
            ["key", "name", ...fields].map((k) => ({ key: k, header: k })),
            flat,
          ),
        );
    },
  );

  // ------------------------------------------------------------ API

  const CountsJson = Type.Object({
    received: Type.Union([Type.Integer(), Type.Null()]),
    disposedWithin: Type.Union([Type.Integer(), Type.Null()]),
    disposedLate: Type.Union([Type.Integer(), Type.Null()]),
    rejected: Type.Union([Type.Integer(), Type.Null()]),
    sentBack: Type.Union([Type.Integer(), Type.Null()]),
    pendingWithin: Type.Union([Type.Integer(), Type.Null()]),
    pendingBeyond: Type.Union([Type.Integer(), Type.Null()]),
    atRisk: Type.Union([Type.Integer(), Type.Null()]),
    appeals: Type.Union([Type.Integer(), Type.Null()]),
    penalties: Type.Union([Type.Integer(), Type.Null()]),
    pendencyPercent: Type.Union([Type.Number(), Type.Null()]),
    medianDays: Type.Union([Type.Integer(), Type.Null()]),
    p90Days: Type.Union([Type.Integer(), Type.Null()]),
  });
  const PendencyJson = Type.Object({
    by: Type.String(),
    period: Type.Object({ from: Type.String(), to: Type.String() }),
    asOf: Type.String({ format: "date" }),
    scope: Type.String(),
    suppressedBelow: Type.Union([Type.Integer(), Type.Null()]),
    rows: Type.Array(
      Type.Intersect([Type.Object({ key: Type.Integer(), name: Type.String() }), CountsJson]),
    ),
  });
  const Problem = Type.Object({
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.Optional(Type.String()),
  });
  const BY = ["state", "department", "district", "office", "service", "officer"] as const;

  app.get(
    "/api/v1/pendency",
    {
      schema: {
        tags: ["monitoring"],
        summary: "Pendency counts, broken down",
        description:
          "The pendency measures (docs/metrics.md) for applications received in the months `from`..`to` (YYYY-MM, IST; default the last 12 months), grouped `by` a level. `by=state` is public (cells below 5 suppressed as null); other levels need a staff session with the monitoring permission and are limited to the caller's postings. Disposal times are in working days.",
        querystring: Type.Object({
          by: Type.Optional(Type.Union(BY.map((b) => Type.Literal(b)))),
          from: Type.Optional(Type.String({ pattern: "^\\d{4}-\\d{2}(-\\d{2})?$" })),
          to: Type.Optional(Type.String({ pattern: "^\\d{4}-\\d{2}(-\\d{2})?$" })),
          department: Type.Optional(Type.Integer({ minimum: 0 })),
          district: Type.Optional(Type.Integer({ minimum: 0 })),
          office: Type.Optional(Type.Integer({ minimum: 0 })),
          service: Type.Optional(Type.Integer({ minimum: 0 })),
        }),
        response: { 200: PendencyJson, 400: Problem, 401: Problem, 403: Problem },
      },
    },
    async (request, reply) => {
      const q = request.query as {
        by?: (typeof BY)[number];
        from?: string;
        to?: string;
        department?: number;
        district?: number;
        office?: number;
        service?: number;
      };
      const by = q.by ?? "state";
      const staff = await currentStaff(request);
      const allowed = staff !== undefined && can(staff.principal, "monitoring.view");
      if (by !== "state" && !allowed) {
        if (!staff) throw new DomainError("unauthorized", "Sign in as staff to see this level");
        throw new DomainError("forbidden", "Your postings do not include monitoring");
      }
      const scope: svc.Scope = allowed && staff ? svc.scopeOf(staff.principal) : "state";
      const date = istDateOf(clock.now());
      const { cut } = await svc.today(db, date);
      const period = parsePeriod(q.from, q.to, date);
      const filters: svc.Filters = {};
      if (q.department !== undefined) filters.department = q.department;
      if (q.district !== undefined) filters.district = q.district;
      if (q.office !== undefined) filters.office = q.office;
      if (q.service !== undefined) filters.service = q.service;
      const publicView = !allowed;
      const lang = langOf(request);
      let out: Array<{ key: number; name: string; counts: Counts | PublicCounts }>;
      if (by === "state") {
        const r = await svc.breakdown(db, {
          scope: publicView ? "state" : scope,
          filters: publicView ? {} : filters,
          period,
          cut,
          lang,
          notActed: "",
          level: "department",
        });
        out = [{ key: 0, name: request.t("monitoring.level.state"), counts: r.total }];
      } else {
        const r = await svc.breakdown(db, {
          scope,
          filters,
          period,
          cut,
          lang,
          notActed: request.t("monitoring.notActed"),
          level: by,
        });
        out = r.rows;
      }
      if (publicView) out = out.map((r) => ({ ...r, counts: suppress(r.counts as Counts) }));
      return reply
        .header("Cache-Control", publicView ? "public, max-age=300" : "private, no-store")
        .send({
          by,
          period,
          asOf: cut.today,
          scope: scope === "state" ? "state" : "postings",
          suppressedBelow: publicView ? SUPPRESS_BELOW : null,
          rows: out.map((r) => ({ key: r.key, name: r.name, ...r.counts })),
        });
    },
  );
}
