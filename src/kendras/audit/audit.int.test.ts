/**
 * The Sewa Kendra performance and impact audit (issue 9) on a small
 * deterministic simulated dataset, on both databases:
 * - every metric of the report (state, district and centre scopes, the
 *   total and every row, doorstep delivery, services, waiting-time buckets)
 *   equals the same figure computed here in JavaScript from the raw rows
 *   ("numbers match a direct query"), with an independent reading of each
 *   definition of docs/kendra-audit.md;
 * - the XLSX carries those figures, the PDF is a PDF, the page shows them;
 * - authorization: a district head office sees its district and its centres
 *   only (others 404), an operator none; every view is audit-logged;
 * - a malformed period keeps what was typed and shows the error summary.
 */

import { sql } from "drizzle-orm";
import ExcelJS from "exceljs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rows } from "../../db/client.ts";
import { testDatabases } from "../../db/testing.ts";
import { createOfficial, startSession } from "../../identity/service.ts";
import { simulate } from "../../monitoring/simulate.ts";
import { startTestPortal, type TestPortal } from "../../web/testing.ts";
import { type DoorstepFigures, type Figures, WAIT_BUCKETS } from "./metrics.ts";
import type { AuditScope } from "./rules.ts";
import { buildReport } from "./service.ts";
import { simulateKendras } from "./simulate.ts";

const TODAY = "2026-11-27";
const PERIOD = { from: "2026-10-01", to: "2026-10-31" };
const RATE = 1500;

type Raw = Record<string, unknown>;
const istDate = (v: unknown) =>
  new Date(new Date(v as string).getTime() + 5.5 * 3_600_000).toISOString().slice(0, 10);
const inPeriod = (d: string) => d >= PERIOD.from && d <= PERIOD.to;
const dateText = (v: unknown) =>
  typeof v === "string" ? v.slice(0, 10) : (v as Date).toISOString().slice(0, 10);
const pct = (a: number, b: number) => (b > 0 ? Math.round((a * 1000) / b) / 10 : null);
/** percentile_disc: the first value whose cumulative share reaches p. */
const disc = (sorted: number[], p: number) =>
  sorted.length === 0 ? null : sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)];

describe.each(testDatabases())("Sewa Kendra audit on $name", (which) => {
  let portal: TestPortal;
  let raw: {
    kendras: Raw[];
    tokens: Raw[];
    apps: Raw[];
    sentBack: Set<number>;
    closes: Raw[];
    feedback: Raw[];
    handovers: Raw[];
    visits: Raw[];
    rescheduled: Set<number>;
    services: Map<number, string>;
  };

  async function staffCookie(
    username: string,
    role: string,
    level: "state" | "district",
    districtCode: number | null,
  ) {
    const { db } = portal.database;
    const o = await db.transaction((tx) =>
      createOfficial(tx, {
        username,
        name: `Officer ${username}`,
        designation: "Test",
        password: "kendra-audit-test-password-7",
        posting: { role, level, districtCode, validFrom: "2020-01-01" },
      }),
    );
    return `sewa_staff=${await startSession(db, o.id, new Date(), { mfa: true })}`;
  }

  beforeAll(async () => {
    portal = await startTestPortal(which, `${TODAY}T11:00:00+05:30`);
    const { db } = portal.database;
    const [{ n }] = await rows<{ n: string }>(db, sql`select count(*) as n from kendras`);
    if (Number(n) === 0) {
      // The registry sample is seeded by src/setup.ts; a few of our own otherwise.
      for (const [code, d, t, type, c] of [
        ["T-36-1", 36, 266, "I", 8],
        ["T-36-2", 36, 266, "II", 4],
        ["T-36-3", 36, null, "III", 2],
        ["T-41-1", 41, null, "I", 6],
      ] as const)
        await db.execute(sql`insert into kendras (code, name_en, name_pa, name_hi, district_code, tehsil_code, type, counters, weekly_off)
          values (${code}, ${`Kendra ${code}`}, ${`ਕੇਂਦਰ ${code}`}, ${`केंद्र ${code}`}, ${d}, ${t}, ${type}, ${c}, 7)`);
    }
    await simulate(portal.database, { applications: 1500, days: 90, seed: 5, today: TODAY });
    await simulateKendras(portal.database, { days: 75, today: TODAY, seed: 5, scale: 0.06 });
    // Edge cases the simulation may not give: three mismatches at one Ludhiana centre.
    const [centre] = await rows<{ code: string; counters: number }>(
      db,
      sql`select code, counters from kendras where district_code = 36 and active = 1 order by code limit 1`,
    );
    const [op] = await rows<{ id: number }>(db, sql`select id from officials order by id limit 1`);
    await db.execute(sql`delete from cash_closes where kendra_code = ${centre.code}
      and business_date in ('2026-10-05', '2026-10-06', '2026-10-07') and counter = 1`);
    for (const [day, diff] of [
      ["2026-10-05", -5000],
      ["2026-10-06", 2000],
      ["2026-10-07", -100],
    ] as const)
      await db.execute(sql`insert into cash_closes (kendra_code, counter, business_date, official_id, receipts,
          expected_paise, counted_paise, difference_paise, status, submitted_at)
        values (${centre.code}, 1, ${day}, ${op.id}, 3, 30000, ${30000 + diff}, ${diff}, 'submitted', ${`${day}T17:10:00+05:30`})`);
    (
      portal.app.deps.config as { kendraPaymentPerTransactionPaise?: number }
    ).kendraPaymentPerTransactionPaise = RATE;

    raw = {
      kendras: await rows<Raw>(db, sql`select * from kendras`),
      tokens: await rows<Raw>(db, sql`select * from tokens`),
      apps: await rows<Raw>(
        db,
        sql`select id, channel, kendra_code, district_code, tehsil_code, service_id, status, due_date, decided_at, received_at from applications`,
      ),
      sentBack: new Set(
        (
          await rows<{ application_id: string }>(
            db,
            sql`select application_id from application_events where to_status = 'sent_back'`,
          )
        ).map((r) => Number(r.application_id)),
      ),
      closes: await rows<Raw>(db, sql`select * from cash_closes`),
      feedback: await rows<Raw>(db, sql`select * from feedback`),
      handovers: await rows<Raw>(db, sql`select * from handovers`),
      visits: await rows<Raw>(db, sql`select * from doorstep_visits`),
      rescheduled: new Set(
        (
          await rows<{ visit_id: string }>(
            db,
            sql`select visit_id from doorstep_visit_events where action = 'rescheduled'`,
          )
        ).map((r) => Number(r.visit_id)),
      ),
      services: new Map(
        (await rows<{ id: number; name: string }>(db, sql`select id, name from services`)).map(
          (s) => [Number(s.id), s.name],
        ),
      ),
    };
  }, 600_000);
  afterAll(async () => portal?.close());

  /** The centres a scope covers, read from the raw registry rows. */
  function centresIn(scope: AuditScope): Raw[] {
    return raw.kendras.filter((k) =>
      scope.level === "kendra"
        ? k.code === scope.kendraCode
        : Number(k.active) === 1 &&
          (scope.level === "state" || Number(k.district_code) === scope.districtCode),
    );
  }

  /** Every per-centre figure of a set of centres, computed from the raw rows. */
  function expected(codes: Set<string>, all: Raw[]): Figures {
    const tokens = raw.tokens.filter(
      (t) => codes.has(String(t.kendra_code)) && inPeriod(dateText(t.service_date)),
    );
    const issued = tokens.filter((t) => t.issued_at !== null);
    const called = issued.filter((t) => t.called_at !== null);
    const waits = called
      .map((t) => (Date.parse(t.called_at as string) - Date.parse(t.issued_at as string)) / 1000)
      .sort((a, b) => a - b);
    const busy = tokens
      .filter((t) => t.served_at !== null && t.closed_at !== null)
      .reduce(
        (s, t) =>
          s + (Date.parse(t.closed_at as string) - Date.parse(t.served_at as string)) / 1000,
        0,
      );
    const apps = raw.apps.filter(
      (a) =>
        a.channel === "kendra" &&
        codes.has(String(a.kendra_code)) &&
        inPeriod(istDate(a.received_at)),
    );
    const disposed = apps.filter((a) => a.status === "approved" || a.status === "rejected");
    const within = disposed.filter(
      (a) => a.due_date === null || istDate(a.decided_at) <= dateText(a.due_date),
    );
    const rejected = apps.filter((a) => a.status === "rejected").length;
    const sentBack = apps.filter((a) => raw.sentBack.has(Number(a.id))).length;
    const closes = raw.closes.filter(
      (c) => codes.has(String(c.kendra_code)) && inPeriod(dateText(c.business_date)),
    );
    const mismatchesOf = (code: string) =>
      closes.filter((c) => c.kendra_code === code && Number(c.difference_paise) !== 0).length;
    const fb = raw.feedback.filter(
      (f) => codes.has(String(f.kendra_code)) && inPeriod(istDate(f.sent_at)),
    );
    const rated = fb.filter((f) => f.rating !== null).map((f) => Number(f.rating));
    let counterDays = 0;
    let capacity = 0;
    let counters = 0;
    for (const k of all) {
      let days = 0;
      for (
        let d = new Date(`${PERIOD.from}T00:00:00Z`);
        d <= new Date(`${PERIOD.to}T00:00:00Z`);
        d.setUTCDate(d.getUTCDate() + 1)
      ) {
        const iso = d.getUTCDay() === 0 ? 7 : d.getUTCDay();
        if (k.weekly_off === null || Number(k.weekly_off) !== iso) days++;
      }
      const [oh, om] = String(k.opens_at).split(":").map(Number);
      const [ch, cm] = String(k.closes_at).split(":").map(Number);
      counters += Number(k.counters);
      counterDays += Number(k.counters) * days;
      capacity += Number(k.counters) * days * (ch * 60 + cm - oh * 60 - om);
    }
    const handedOver = raw.handovers.filter(
      (h) =>
        codes.has(String(h.kendra_code)) &&
        h.status === "handed_over" &&
        inPeriod(istDate(h.handed_over_at)),
    ).length;
    const transactions = apps.length + handedOver;
    const payment = RATE * transactions;
    return {
      footfall: issued.length,
      walkIn: issued.filter((t) => t.kind === "walk_in").length,
      booked: issued.filter((t) => t.kind === "booked").length,
      noShow: tokens.filter((t) => t.status === "no_show").length,
      called: called.length,
      waitMedianMinutes: waits.length
        ? Math.round(((disc(waits, 0.5) as number) / 60) * 10) / 10
        : null,
      waitP90Minutes: waits.length
        ? Math.round(((disc(waits, 0.9) as number) / 60) * 10) / 10
        : null,
      withinTarget: waits.filter((w) => w <= 20 * 60).length,
      withinTargetPercent: pct(waits.filter((w) => w <= 20 * 60).length, waits.length),
      filed: apps.length,
      disposed: disposed.length,
      disposedWithin: within.length,
      disposedWithinPercent: pct(within.length, disposed.length),
      rejected,
      rejectionPercent: pct(rejected, disposed.length),
      sentBack,
      sendBackPercent: pct(sentBack, apps.length),
      closes: closes.length,
      mismatches: closes.filter((c) => Number(c.difference_paise) !== 0).length,
      absDifferencePaise: closes.reduce((s, c) => s + Math.abs(Number(c.difference_paise)), 0),
      netDifferencePaise: closes.reduce((s, c) => s + Number(c.difference_paise), 0),
      repeatedMismatchCentres: all.filter((k) => mismatchesOf(String(k.code)) >= 3).length,
      feedbackSent: fb.length,
      responses: rated.length,
      meanScore: rated.length
        ? Math.round((rated.reduce((a, b) => a + b, 0) / rated.length) * 100) / 100
        : null,
      counters,
      counterDays,
      footfallPerCounterDay:
        counterDays > 0 ? Math.round((issued.length / counterDays) * 100) / 100 : null,
      busyMinutes: Math.round(busy / 60),
      capacityMinutes: capacity,
      utilisationPercent: capacity > 0 ? Math.round((busy / 60 / capacity) * 1000) / 10 : null,
      handedOver,
      transactions,
      operatorPaymentPaise: payment,
      costPerApplicationPaise: apps.length > 0 ? Math.round(payment / apps.length) : null,
      costPerCitizenPaise: called.length > 0 ? Math.round(payment / called.length) : null,
    };
  }

  function expectedDoorstep(scope: AuditScope): DoorstepFigures {
    const centre = scope.level === "kendra" ? centresIn(scope)[0] : undefined;
    const inArea = (r: Raw) =>
      scope.level === "state" ||
      (scope.level === "district" && Number(r.district_code) === scope.districtCode) ||
      (centre !== undefined &&
        (centre.tehsil_code !== null
          ? Number(r.tehsil_code) === Number(centre.tehsil_code)
          : Number(r.district_code) === Number(centre.district_code)));
    const visits = raw.visits.filter((v) => inArea(v) && inPeriod(dateText(v.visit_date)));
    const apps = raw.apps.filter(
      (a) => a.channel === "doorstep" && inArea(a) && inPeriod(istDate(a.received_at)),
    );
    const disposed = apps.filter((a) => a.status === "approved" || a.status === "rejected");
    const within = disposed.filter(
      (a) => a.due_date === null || istDate(a.decided_at) <= dateText(a.due_date),
    );
    return {
      visits: visits.length,
      completed: visits.filter((v) => v.status === "completed").length,
      cancelled: visits.filter((v) => v.status === "cancelled").length,
      open: visits.filter((v) => v.status === "booked").length,
      rescheduled: visits.filter((v) => raw.rescheduled.has(Number(v.id))).length,
      doorstepFiled: apps.length,
      doorstepDisposed: disposed.length,
      doorstepWithin: within.length,
      doorstepOnTimePercent: pct(within.length, disposed.length),
    };
  }

  async function report(scope: AuditScope) {
    return buildReport(
      portal.database.db,
      { scope, period: PERIOD, targetMinutes: 20, paymentPerTransactionPaise: RATE },
      "en",
      `${TODAY}T06:00:00Z`,
    );
  }

  it("has enough simulated activity to test against", () => {
    const codes = new Set(
      centresIn({ level: "district", districtCode: 36 }).map((k) => String(k.code)),
    );
    const f = expected(codes, centresIn({ level: "district", districtCode: 36 }));
    expect(f.footfall).toBeGreaterThan(100);
    expect(f.filed).toBeGreaterThan(3);
    expect(f.mismatches).toBeGreaterThanOrEqual(3);
    expect(f.responses).toBeGreaterThan(10);
    expect(expectedDoorstep({ level: "district", districtCode: 36 }).visits).toBeGreaterThan(5);
  });

  const ludhianaCentre = () =>
    String(
      centresIn({ level: "district", districtCode: 36 }).sort((a, b) =>
        String(a.code).localeCompare(String(b.code)),
      )[0].code,
    );

  for (const [name, scopeOf] of [
    ["the state", (): AuditScope => ({ level: "state" })],
    ["Ludhiana (36)", (): AuditScope => ({ level: "district", districtCode: 36 })],
    ["a Ludhiana centre", (): AuditScope => ({ level: "kendra", kendraCode: ludhianaCentre() })],
  ] as const) {
    it(`every metric of the report for ${name} equals the raw rows' figure`, async () => {
      const scope = scopeOf();
      const r = await report(scope);
      const all = centresIn(scope);
      expect(r.total).toEqual(expected(new Set(all.map((k) => String(k.code))), all));
      expect(r.doorstep).toEqual(expectedDoorstep(scope));
      // Every row: a district (state scope) or a centre.
      expect(r.rows.length).toBeGreaterThan(0);
      for (const row of r.rows) {
        const members =
          r.rowLevel === "district"
            ? all.filter((k) => String(k.district_code) === row.key)
            : all.filter((k) => k.code === row.key);
        expect(row.figures, row.key).toEqual(
          expected(new Set(members.map((k) => String(k.code))), members),
        );
      }
      // Waiting-time buckets and the rating distribution.
      const codes = new Set(all.map((k) => String(k.code)));
      const waits = raw.tokens
        .filter(
          (t) =>
            codes.has(String(t.kendra_code)) &&
            inPeriod(dateText(t.service_date)) &&
            t.issued_at &&
            t.called_at,
        )
        .map(
          (t) => (Date.parse(t.called_at as string) - Date.parse(t.issued_at as string)) / 60_000,
        );
      expect(r.waitBuckets).toEqual(
        WAIT_BUCKETS.map(
          (b) => waits.filter((w) => w >= b.min && (b.max === null || w < b.max)).length,
        ),
      );
      const ratings = raw.feedback.filter(
        (f) => codes.has(String(f.kendra_code)) && inPeriod(istDate(f.sent_at)),
      );
      expect(r.ratings).toEqual(
        [1, 2, 3, 4, 5].map((n) => ratings.filter((f) => Number(f.rating) === n).length),
      );
      // Applications by service.
      const filed = raw.apps.filter(
        (a) =>
          a.channel === "kendra" &&
          codes.has(String(a.kendra_code)) &&
          inPeriod(istDate(a.received_at)),
      );
      const perService = new Map<number, number>();
      for (const a of filed)
        perService.set(Number(a.service_id), (perService.get(Number(a.service_id)) ?? 0) + 1);
      expect(new Map(r.services.map((s) => [s.serviceId, s.filed]))).toEqual(perService);
      expect(r.services.reduce((s, x) => s + x.sentBack, 0)).toBe(r.total.sentBack);
    }, 120_000);
  }

  it("ranks the district's centres and flags the repeated mismatches", async () => {
    const r = await report({ level: "district", districtCode: 36 });
    const code = ludhianaCentre();
    expect(r.ranking.map((c) => c.rank)).toEqual(r.ranking.map((_, i) => i + 1));
    const per = r.ranking.map((c) => c.footfallPerCounterDay ?? -1);
    expect(per).toEqual([...per].sort((a, b) => b - a));
    expect(r.ranking.find((c) => c.code === code)?.flags).toContain("repeatedMismatch");
    expect(r.outliers.map((o) => o.code)).toContain(code);
    const values = r.ranking
      .map((c) => c.footfallPerCounterDay)
      .filter((v): v is number => v !== null)
      .sort((a, b) => a - b);
    const mid = values.length >> 1;
    const median = values.length % 2 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
    expect(r.peerMedian).toBe(median);
    for (const c of r.ranking)
      expect(c.flags.includes("lowFootfall")).toBe(
        c.footfallPerCounterDay !== null && c.footfallPerCounterDay < 0.25 * median,
      );
  });

  it("shows the page, downloads the XLSX and PDF with the same figures, and audit-logs each", async () => {
    const cookie = await staffCookie("ka.head", "head_office", "state", null);
    const q = `scope=district:36&from=${PERIOD.from}&to=${PERIOD.to}`;
    const page = await portal.app.inject({ url: `/kendra-audit?${q}`, headers: { cookie } });
    expect(page.statusCode).toBe(200);
    const all = centresIn({ level: "district", districtCode: 36 });
    const want = expected(new Set(all.map((k) => String(k.code))), all);
    const figure = (key: string) =>
      new RegExp(`data-metric="${key}">([^<]*)<`).exec(page.body)?.[1]?.replace(/,/g, "");
    expect(figure("footfall")).toBe(String(want.footfall));
    expect(figure("filed")).toBe(String(want.filed));
    expect(figure("mismatches")).toBe(String(want.mismatches));
    expect(page.body).toContain('id="simulated-banner"');
    expect(page.body).toContain("data:image/svg+xml;base64,");

    const xlsx = await portal.app.inject({
      url: `/kendra-audit/report.xlsx?${q}`,
      headers: { cookie },
    });
    expect(xlsx.statusCode).toBe(200);
    expect(xlsx.headers["content-disposition"]).toContain(".xlsx");
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer);
    const sheet = wb.getWorksheet("Report");
    const cells = new Map<string, unknown>();
    sheet?.eachRow((row) => cells.set(String(row.getCell(2).value), row.getCell(4).value));
    expect(cells.get("footfall")).toBe(want.footfall);
    expect(cells.get("waitMedianMinutes")).toBe(want.waitMedianMinutes);
    expect(cells.get("absDifferencePaise")).toBe(want.absDifferencePaise / 100);
    expect(cells.get("operatorPaymentPaise")).toBe((want.operatorPaymentPaise as number) / 100);
    expect(String(sheet?.getRow(2).getCell(1).value)).toContain("SIMULATED");
    expect(wb.getWorksheet("How computed")?.rowCount).toBeGreaterThan(40);

    const pdf = await portal.app.inject({
      url: `/kendra-audit/report.pdf?${q}&lang=pa`,
      headers: { cookie },
    });
    expect(pdf.statusCode).toBe(200);
    expect(pdf.rawPayload.subarray(0, 5).toString()).toBe("%PDF-");

    const logged = await rows<{ action: string; data: Record<string, unknown> }>(
      portal.database.db,
      sql`select action, data from audit_log where actor = (select 'official:' || id from officials where username = 'ka.head') order by seq`,
    );
    expect(logged.map((l) => l.action)).toEqual([
      "kendra_audit.viewed",
      "kendra_audit.downloaded",
      "kendra_audit.downloaded",
    ]);
    expect(logged[1].data).toMatchObject({
      scope: "district:36",
      format: "xlsx",
      from: PERIOD.from,
    });
  }, 120_000);

  it("keeps a district head office to its district (others 404) and refuses other roles", async () => {
    const ludhiana = await staffCookie("ka.ho36", "head_office", "district", 36);
    const operator = await staffCookie("ka.dc", "dealing_clerk", "state", null);
    const patiala = String(centresIn({ level: "district", districtCode: 41 })[0].code);
    const get = (url: string, cookie?: string) =>
      portal.app.inject({
        url,
        headers: cookie ? { cookie, accept: "text/html" } : { accept: "text/html" },
      });
    const home = await get("/kendra-audit", ludhiana);
    expect(home.statusCode).toBe(200);
    expect(home.body).toContain("Ludhiana");
    expect((await get(`/kendra-audit?scope=kendra:${ludhianaCentre()}`, ludhiana)).statusCode).toBe(
      200,
    );
    for (const url of [
      "/kendra-audit?scope=state",
      "/kendra-audit?scope=district:41",
      `/kendra-audit?scope=kendra:${patiala}`,
      `/kendra-audit/report.pdf?scope=kendra:${patiala}`,
      "/kendra-audit/report.xlsx?scope=district:41",
      "/kendra-audit?scope=kendra:NO-SUCH",
      "/kendra-audit?scope=bogus",
    ])
      expect((await get(url, ludhiana)).statusCode, url).toBe(404);
    expect((await get("/kendra-audit", operator)).statusCode).toBe(404);
    const anonymous = await get("/kendra-audit");
    expect(anonymous.statusCode).toBe(303);
    expect(anonymous.headers.location).toContain("/staff/login");
  });

  it("keeps a malformed period as typed with the error summary; the report refuses it", async () => {
    const cookie = await staffCookie("ka.auditor", "auditor", "state", null);
    const page = await portal.app.inject({
      url: "/kendra-audit?scope=state&from=2026-02-30&to=2026-03-31",
      headers: { cookie },
    });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain("govuk-error-summary");
    expect(page.body).toContain('value="2026-02-30"');
    expect(page.body).toContain("#from");
    const bad = await portal.app.inject({
      url: "/kendra-audit/report.xlsx?scope=state&from=2026-10-31&to=2026-10-01",
      headers: { cookie },
    });
    expect(bad.statusCode).toBe(400);
    // Without a rate, cost is "not configured".
    const r = await buildReport(
      portal.database.db,
      {
        scope: { level: "state" },
        period: PERIOD,
        targetMinutes: 20,
        paymentPerTransactionPaise: null,
      },
      "en",
      `${TODAY}T06:00:00Z`,
    );
    expect(r.total.operatorPaymentPaise).toBeNull();
    expect(r.total.transactions).toBeGreaterThan(0);
  });
});
