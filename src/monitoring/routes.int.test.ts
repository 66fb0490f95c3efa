/**
 * The monitoring pages, exports, public transparency page, open data and API
 * (issue 6), on a small simulated dataset: scope by postings, numbers equal
 * to the naive query, suppression on public outputs, export safety.
 */
import ExcelJS from "exceljs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testDatabases } from "../db/testing.ts";
import { createOfficial, startSession } from "../identity/service.ts";
import { loadCalendar } from "../sla/service.ts";
import { startTestPortal, type TestPortal } from "../web/testing.ts";
import { cutoffs } from "./measures.ts";
import { naiveBreakdown } from "./repository.ts";
import { simulate } from "./simulate.ts";

const TODAY = "2026-11-27";

describe.each(testDatabases())("monitoring pages on $name", (which) => {
  let portal: TestPortal;
  let head: string;
  let adc: string;
  let clerk: string;

  async function staff(
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
        password: "monitoring-test-password-7",
        posting: { role, level, districtCode, validFrom: "2020-01-01" },
      }),
    );
    return `sewa_staff=${await startSession(db, o.id, new Date(), { mfa: true })}`;
  }

  beforeAll(async () => {
    portal = await startTestPortal(which, `${TODAY}T11:00:00+05:30`);
    await simulate(portal.database, { applications: 1500, days: 300, seed: 3, today: TODAY });
    head = await staff("mon.head", "head_office", "state", null);
    adc = await staff("mon.adc", "adc_general", "district", 41);
    clerk = await staff("mon.clerk", "dealing_clerk", "district", 41);
  }, 240_000);
  afterAll(async () => portal?.close());

  const get = (url: string, cookie?: string) =>
    portal.app.inject({ url, headers: cookie ? { cookie } : {} });

  async function naive(group: "district" | "department" | null, scope: "state" | number) {
    const calendar = await loadCalendar(portal.database.db, null);
    return naiveBreakdown(portal.database.db, {
      group,
      filters: {},
      scope:
        scope === "state"
          ? "state"
          : [{ districtCode: scope, tehsilCode: null, departmentId: null }],
      period: { from: "2025-12", to: "2026-11" },
      cut: cutoffs(calendar, TODAY),
    });
  }

  it("shows head office the state by department, with charts, ranking and the simulated banner", async () => {
    const res = await get("/monitoring?from=2025-12&to=2026-11", head);
    expect(res.statusCode).toBe(200);
    const html = res.body;
    expect(html).toContain('id="simulated-banner"');
    expect(html).toContain('data-level="department"');
    expect(html).toContain("data:image/svg+xml;base64,");
    expect(html).toContain('id="ranking-table"');
    const [total] = await naive(null, "state");
    const received = html.match(
      /data-key="total">[\s\S]*?data-measure="received"><strong>([^<]+)</,
    )?.[1];
    expect(received?.replace(/,/g, "")).toBe(String(total.counts.received));
  });

  it("limits the ADC General to their district, and refuses staff without the permission", async () => {
    const res = await get("/monitoring?from=2025-12&to=2026-11", adc);
    expect(res.statusCode).toBe(200);
    const [total] = await naive(null, 41);
    const received = res.body.match(
      /data-key="total">[\s\S]*?data-measure="received"><strong>([^<]+)</,
    )?.[1];
    expect(received?.replace(/,/g, "")).toBe(String(total.counts.received));
    expect((await get("/monitoring", clerk)).statusCode).toBe(404);
    expect((await get("/monitoring")).statusCode).toBe(303);
    // The API by district for the ADC holds only district 41.
    const api = await get("/api/v1/pendency?by=district&from=2025-12&to=2026-11", adc);
    expect(api.statusCode).toBe(200);
    const body = api.json() as { rows: Array<{ key: number; received: number }> };
    expect(body.rows.map((r) => r.key)).toEqual([41]);
    expect(body.rows[0].received).toBe(total.counts.received);
  });

  it("exports CSV (BOM, same numbers) and XLSX with the same filters", async () => {
    const csv = await get("/monitoring/export.csv?from=2025-12&to=2026-11", head);
    expect(csv.statusCode).toBe(200);
    expect(csv.headers["content-type"]).toContain("text/csv");
    expect(csv.body.startsWith("\uFEFF")).toBe(true);
    const lines = csv.body.trim().split("\r\n");
    const [total] = await naive(null, "state");
    expect(lines.at(-1)?.split(",")[1]).toBe(String(total.counts.received));
    const xlsx = await get("/monitoring/export.xlsx?from=2025-12&to=2026-11", head);
    expect(xlsx.statusCode).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer);
    const ws = wb.worksheets[0];
    expect(ws.getRow(ws.rowCount).getCell(2).value).toBe(total.counts.received);
  });

  it("answers the API: state is public and suppressed, other levels need a staff session", async () => {
    const pub = await get("/api/v1/pendency?by=state&from=2025-12&to=2026-11");
    expect(pub.statusCode).toBe(200);
    const [total] = await naive(null, "state");
    const body = pub.json() as {
      suppressedBelow: number;
      rows: Array<Record<string, number | null>>;
    };
    expect(body.suppressedBelow).toBe(5);
    expect(body.rows[0].received).toBe(total.counts.received);
    expect((await get("/api/v1/pendency?by=district")).statusCode).toBe(401);
    expect((await get("/api/v1/pendency?by=district", clerk)).statusCode).toBe(403);
    const byDistrict = await get("/api/v1/pendency?by=district&from=2025-12&to=2026-11", head);
    const rows = (
      byDistrict.json() as { rows: Array<{ key: number; received: number; pendingBeyond: number }> }
    ).rows;
    const naiveRows = await naive("district", "state");
    expect(rows.map((r) => [r.key, r.received, r.pendingBeyond])).toEqual(
      naiveRows.map((r) => [r.key, r.counts.received, r.counts.pendingBeyond]),
    );
    const docs = await get("/api/docs/json");
    expect(docs.body).toContain("/api/v1/pendency");
  });

  it("publishes /transparency and open data without login, with no cell below 5", async () => {
    for (const lang of ["en", "pa", "hi"]) {
      const page = await get(`/transparency?lang=${lang}&from=2025-12&to=2026-11`);
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain('id="district-table"');
    }
    const json = await get("/transparency/data/pendency-by-district.json?from=2025-12&to=2026-11");
    expect(json.statusCode).toBe(200);
    const data = json.json() as { rows: Array<Record<string, unknown>> };
    expect(data.rows.length).toBeGreaterThan(5);
    for (const r of data.rows)
      for (const [k, v] of Object.entries(r))
        if (
          typeof v === "number" &&
          !["key", "pendencyPercent", "medianDays", "p90Days"].includes(k)
        )
          expect(v === 0 || v >= 5, `${k}=${v}`).toBe(true);
    const csv = await get("/transparency/data/pendency-by-department.csv");
    expect(csv.body.startsWith("\uFEFF")).toBe(true);
    const dict = await get("/transparency/data/dictionary.json");
    expect((dict.json() as { fields: unknown[] }).fields.length).toBeGreaterThan(10);
    expect((await get("/transparency/data")).statusCode).toBe(200);
    expect((await get("/transparency/data/pendency-by-nothing.csv")).statusCode).toBe(404);
  });

  it("drills from state to officer along the links", async () => {
    let url = "/monitoring?from=2025-12&to=2026-11";
    for (const level of ["department", "district", "office", "service", "officer"]) {
      const res = await get(url, head);
      expect(res.statusCode, url).toBe(200);
      expect(res.body).toContain(`data-level="${level}"`);
      const next = res.body.match(
        /<th scope="row" class="govuk-table__header"><a class="govuk-link" href="([^"]+)"/,
      )?.[1];
      if (level === "officer") break;
      expect(next, level).toBeTruthy();
      url = (next as string).replace(/&amp;/g, "&");
    }
  });
});
