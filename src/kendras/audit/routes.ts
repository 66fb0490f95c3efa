/**
 * The performance and impact audit of Sewa Kendras (issue 9), for the
 * `kendra.audit` permission (auditor, head office), within the user's
 * posting jurisdiction (service.ts `accessOf`); other scopes answer 404:
 * - `GET /kendra-audit?scope=state|district:<LGD>|kendra:<code>&from=YYYY-MM-DD&to=YYYY-MM-DD`:
 *   the audit view (default: the user's widest scope, the last full month),
 *   drill-down state → district → centre, the metrics (metrics.ts), rankings
 *   and outliers, server-side SVG charts with data tables;
 * - `GET /kendra-audit/report.pdf` and `/kendra-audit/report.xlsx` (same
 *   parameters): the audit report (exports.ts). A malformed period answers
 *   400 there.
 * Every view and download is written to the audit log (stream
 * `official:<id>`, actions `kendra_audit.viewed`, `kendra_audit.downloaded`).
 *
 * Settings: `SEWA_TOKEN_TARGET_MINUTES` (config `tokenTargetMinutes`, default
 * 20) and `SEWA_KENDRA_PAYMENT_PER_TRANSACTION_PAISE` (config
 * `kendraPaymentPerTransactionPaise`; unset = cost "not configured").
 *
 * @module
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { appendAudit } from "../../audit/service.ts";
import { DomainError } from "../../common/errors.ts";
import type { Config } from "../../config.ts";
import { staffOrRedirect } from "../../identity/session.ts";
import { istDateOf } from "../../sla/clock.ts";
import { staffNav } from "../../workflow/routes.ts";
import { feedbackChart, footfallChart, waitChart } from "./charts.ts";
import { FLAGS, formatValue, reportPdf, reportXlsx, ruleTexts, type Translate } from "./exports.ts";
import { DOORSTEP_METRICS, type Figures, METRIC_GROUPS, WAIT_BUCKETS } from "./metrics.ts";
import { type AuditScope, parseAuditPeriod, parseScope } from "./rules.ts";
import {
  type AuditReport,
  accessOf,
  buildReport,
  centreByCode,
  centreName,
  defaultScope,
  districtName,
  type Lang,
  mayView,
} from "./service.ts";

type Query = Record<string, unknown>;

/**
 * The audit settings from the configuration (src/config.ts): the target wait
 * in minutes (`SEWA_TOKEN_TARGET_MINUTES`, default 20) and the operator's
 * payment per transaction in paise (`SEWA_KENDRA_PAYMENT_PER_TRANSACTION_PAISE`,
 * null when unset). Read on every request, so a test may change them.
 */
export function auditSettings(config: Config): {
  targetMinutes: number;
  paymentPerTransactionPaise: number | null;
} {
  return {
    targetMinutes: config.tokenTargetMinutes,
    paymentPerTransactionPaise: config.kendraPaymentPerTransactionPaise ?? null,
  };
}

function langOf(request: FastifyRequest): Lang {
  const l = request.lang as string;
  return l === "pa" || l === "hi" ? l : "en";
}

/** Registers the Kendra audit view and its report downloads. */
export async function kendraAuditRoutes(app: FastifyInstance): Promise<void> {
  const { db } = app.deps.database;
  const { clock } = app.deps;

  /** Parses and authorizes the request; undefined when redirected to sign in. @throws DomainError not_found outside the user's jurisdiction. */
  async function question(request: FastifyRequest, reply: FastifyReply) {
    const staff = await staffOrRedirect(request, reply, "kendra.audit");
    if (!staff) return undefined;
    const q = request.query as Query;
    const today = istDateOf(clock.now());
    const { period, problems } = parseAuditPeriod(q.from, q.to, today);
    const access = accessOf(staff.principal);
    const asked = q.scope === undefined || q.scope === "" ? undefined : parseScope(q.scope);
    if (q.scope !== undefined && q.scope !== "" && !asked)
      throw new DomainError("not_found", "No such scope");
    const scope: AuditScope | undefined = asked ?? (await defaultScope(db, access));
    if (!scope) throw new DomainError("not_found", "No Sewa Kendra in your postings");
    const centre = scope.level === "kendra" ? await centreByCode(db, scope.kendraCode) : undefined;
    if (scope.level === "district" && !(await districtName(db, scope.districtCode)))
      throw new DomainError("not_found", "No such district");
    if (!mayView(access, scope, centre)) throw new DomainError("not_found", "No such scope");
    return { staff, access, scope, centre, period, problems, today };
  }

  async function report(
    request: FastifyRequest,
    scope: AuditScope,
    period: { from: string; to: string },
  ) {
    const settings = auditSettings(app.deps.config);
    return buildReport(db, { scope, period, ...settings }, langOf(request), clock.now().toString());
  }

  async function audit(staffId: number, action: string, data: Record<string, unknown>) {
    await db.transaction((tx) =>
      appendAudit(tx, {
        stream: `official:${staffId}`,
        actor: `official:${staffId}`,
        action,
        data,
        at: clock.now().toString(),
      }),
    );
  }

  app.get("/kendra-audit", { schema: { hide: true } }, async (request, reply) => {
    const qn = await question(request, reply);
    if (!qn) return reply;
    const t = request.t as unknown as Translate;
    const lang = langOf(request);
    const q = request.query as Query;
    const r = await report(request, qn.scope, qn.period);
    await audit(qn.staff.official.id, "kendra_audit.viewed", {
      scope: r.scopeParam,
      from: r.period.from,
      to: r.period.to,
    });
    const link = (scope: string) =>
      `/kendra-audit?${new URLSearchParams({ scope, from: r.period.from, to: r.period.to })}`;
    const crumbs: Array<{ text: string; href: string }> = [];
    if (qn.access.state) crumbs.push({ text: t("kaudit.state"), href: link("state") });
    const districtCode =
      qn.scope.level === "district"
        ? qn.scope.districtCode
        : qn.scope.level === "kendra"
          ? qn.centre?.districtCode
          : undefined;
    if (districtCode !== undefined && mayView(qn.access, { level: "district", districtCode }))
      crumbs.push({
        text: (await districtName(db, districtCode)) ?? String(districtCode),
        href: link(`district:${districtCode}`),
      });
    if (qn.centre) crumbs.push({ text: centreName(qn.centre, lang), href: link(r.scopeParam) });
    const configured = r.paymentPerTransactionPaise !== null;
    const show = (key: string, unit: Parameters<typeof formatValue>[1], v: number | null) =>
      formatValue(key, unit, v, lang, t, configured);
    const summary = [...METRIC_GROUPS, { group: "doorstep", metrics: DOORSTEP_METRICS }].map(
      (g) => ({
        group: g.group,
        metrics: g.metrics.map((m) => ({
          key: m.key,
          value: show(
            m.key,
            m.unit,
            (m.key in r.total
              ? r.total[m.key as keyof Figures]
              : r.doorstep[m.key as keyof AuditReport["doorstep"]]) as number | null,
          ),
        })),
      }),
    );
    const tables = METRIC_GROUPS.map((g) => ({
      group: g.group,
      metrics: g.metrics.map((m) => m.key),
      rows: r.rows.map((row) => ({
        key: row.key,
        name: row.name,
        href: qn.scope.level === "kendra" ? null : link(row.scope),
        cells: g.metrics.map((m) =>
          show(m.key, m.unit, row.figures[m.key as keyof Figures] as number | null),
        ),
      })),
      total: g.metrics.map((m) =>
        show(m.key, m.unit, r.total[m.key as keyof Figures] as number | null),
      ),
    }));
    const topRows = [...r.rows]
      .sort((a, b) => b.figures.footfall - a.figures.footfall)
      .slice(0, 30);
    const bucketLabels = WAIT_BUCKETS.map((b) => b.key);
    const charts = {
      wait: waitChart(
        bucketLabels,
        r.waitBuckets,
        WAIT_BUCKETS.map((b) => b.max !== null && b.max <= r.targetMinutes),
        {
          title: t("kaudit.chart.wait"),
          desc: t("kaudit.chart.waitDesc", { target: r.targetMinutes }),
        },
      ),
      footfall: footfallChart(
        topRows.map((row) => row.name),
        topRows.map((row) => row.figures.footfall),
        { title: t("kaudit.chart.footfall"), desc: t("kaudit.chart.footfallDesc") },
      ),
      feedback: feedbackChart(r.ratings, {
        title: t("kaudit.chart.feedback"),
        desc: t("kaudit.chart.feedbackDesc"),
      }),
    };
    const errors = qn.problems.map((p) => ({
      text: t(`kaudit.error.${p.code}`),
      href: `#${p.field}`,
    }));
    const fieldError = (field: string) => {
      const p = qn.problems.find((x) => x.field === field);
      return p ? { text: t(`kaudit.error.${p.code}`) } : undefined;
    };
    const downloadQuery = new URLSearchParams({
      scope: r.scopeParam,
      from: r.period.from,
      to: r.period.to,
    }).toString();
    return reply
      .header("Cache-Control", "private, no-store")
      .view("kendras/audit/views/audit.njk", {
        official: qn.staff.official,
        navItems: staffNav(request, qn.staff),
        errors,
        fromError: fieldError("from"),
        toError: fieldError("to"),
        typed: {
          from: typeof q.from === "string" ? q.from : r.period.from,
          to: typeof q.to === "string" ? q.to : r.period.to,
        },
        report: r,
        crumbs,
        summary,
        tables,
        rowLevel: r.rowLevel,
        ranking: r.ranking.map((c) => ({
          ...c,
          href: link(`kendra:${c.code}`),
          footfall: show("", "ratio", c.footfallPerCounterDay),
          wait: show("", "minutes", c.waitMedianMinutes),
          score: show("", "score", c.meanScore),
          rejection: show("", "percent", c.rejectionPercent),
          sendBack: show("", "percent", c.sendBackPercent),
        })),
        outliers: r.outliers.map((c) => ({ ...c, href: link(`kendra:${c.code}`) })),
        peerMedian: r.peerMedian === null ? "—" : show("", "ratio", r.peerMedian),
        stateRejection: show("", "percent", r.stateRates.rejectionPercent),
        stateSendBack: show("", "percent", r.stateRates.sendBackPercent),
        flags: FLAGS,
        rules: ruleTexts(t),
        services: r.services.slice(0, 20).map((s) => ({
          name: s.name[lang],
          filed: show("", "count", s.filed),
          disposedWithin: show("", "count", s.disposedWithin),
          rejection: show("", "percent", s.rejectionPercent),
          sendBack: show("", "percent", s.sendBackPercent),
        })),
        waits: WAIT_BUCKETS.map((b, i) => ({ label: b.key, n: r.waitBuckets[i] })),
        ratings: r.ratings.map((n, i) => ({ rating: i + 1, n })),
        topRows: topRows.map((row) => ({ name: row.name, n: row.figures.footfall })),
        comments: r.comments,
        charts,
        downloadQuery,
        scopeParam: r.scopeParam,
      });
  });

  async function download(request: FastifyRequest, reply: FastifyReply, format: "pdf" | "xlsx") {
    const qn = await question(request, reply);
    if (!qn) return reply;
    if (qn.problems.length > 0)
      throw new DomainError(
        "validation",
        "The period is not valid",
        qn.problems.map((p) => ({ field: p.field, code: p.code })),
      );
    const t = request.t as unknown as Translate;
    const lang = langOf(request);
    const r = await report(request, qn.scope, qn.period);
    const body = format === "pdf" ? await reportPdf(r, t, lang) : await reportXlsx(r, t, lang);
    await audit(qn.staff.official.id, "kendra_audit.downloaded", {
      scope: r.scopeParam,
      from: r.period.from,
      to: r.period.to,
      format,
    });
    const name = `sewa-kendra-audit-${r.scopeParam.replace(/[^A-Za-z0-9-]/g, "-")}-${r.period.from}-${r.period.to}.${format}`;
    return reply
      .header(
        "Content-Type",
        format === "pdf"
          ? "application/pdf"
          : "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
      )
      .header("Content-Disposition", `attachment; filename="${name}"`)
      .header("Cache-Control", "private, no-store")
      .send(body);
  }

  app.get("/kendra-audit/report.pdf", { schema: { hide: true } }, (request, reply) =>
    download(request, reply, "pdf"),
  );
  app.get("/kendra-audit/report.xlsx", { schema: { hide: true } }, (request, reply) =>
    download(request, reply, "xlsx"),
  );
}
