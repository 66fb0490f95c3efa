/**
 * Pendency monitoring in a real browser (headless Chromium, English, issue 6):
 * head office signs in, opens the dashboard on a simulated dataset and clicks
 * from the state down to a designated officer (department → district →
 * office → service → officer), checking at every level that the figures on
 * the page equal the naive GROUP BY over the seeded rows; then downloads the
 * CSV and XLSX exports of the officer level and checks them too, and opens
 * the public transparency page without signing in.
 */
import fs from "node:fs";
import ExcelJS from "exceljs";
import { generate } from "otplib";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createOfficial } from "../../src/identity/service.ts";
import { cutoffs } from "../../src/monitoring/measures.ts";
import { type Filters, naiveBreakdown } from "../../src/monitoring/repository.ts";
import { simulate } from "../../src/monitoring/simulate.ts";
import { DEMO_PASSWORD, DEMO_TOTP_SECRET } from "../../src/setup.ts";
import { loadCalendar } from "../../src/sla/service.ts";
import {
  type ControllableClock,
  controllableClock,
  launchBrowser,
  type Portal,
  screenshot,
  startPortal,
} from "./harness.ts";

const TODAY = "2026-11-27";
let portal: Portal;
let clock: ControllableClock;
let browser: Browser;
let context: BrowserContext;

async function navigate(page: Page, action: () => Promise<unknown>): Promise<void> {
  const committed = page.waitForEvent("framenavigated", (f) => f === page.mainFrame());
  await action();
  await committed;
  await page.waitForLoadState("load");
}

beforeAll(async () => {
  clock = controllableClock(`${TODAY}T11:00+05:30`);
  [portal, browser] = await Promise.all([startPortal(clock), launchBrowser()]);
  await simulate(portal.database, { applications: 1200, days: 240, seed: 11, today: TODAY });
  await portal.database.db.transaction((tx) =>
    createOfficial(tx, {
      username: "ho.monitor",
      name: "Head Office Monitor",
      designation: "Head office",
      password: DEMO_PASSWORD,
      totpSecret: DEMO_TOTP_SECRET,
      posting: { role: "head_office", level: "state", districtCode: null, validFrom: "2020-01-01" },
    }),
  );
  context = await browser.newContext({
    baseURL: portal.url,
    locale: "en-IN",
    timezoneId: "Asia/Kolkata",
    viewport: { width: 1280, height: 900 },
    acceptDownloads: true,
  });
}, 240_000);

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await portal?.close();
});

/** The naive counts of the filtered set (the page's total row), for the period the page shows. */
async function expected(filters: Filters) {
  const calendar = await loadCalendar(portal.database.db, null);
  const [total] = await naiveBreakdown(portal.database.db, {
    group: null,
    filters,
    scope: "state",
    period: { from: "2025-12", to: "2026-11" },
    cut: cutoffs(calendar, TODAY),
  });
  return total.counts;
}

function filtersOf(url: string): Filters {
  const q = new URL(url).searchParams;
  const out: Filters = {};
  for (const d of ["department", "district", "office", "service", "officer"] as const) {
    const v = q.get(d);
    if (v !== null) out[d] = Number(v);
  }
  return out;
}

async function cell(page: Page, measure: string): Promise<string> {
  return (await page.locator(`tfoot [data-measure="${measure}"]`).innerText())
    .replace(/,/g, "")
    .trim();
}

describe("pendency monitoring in the browser", () => {
  it("drills from state to officer with the seeded numbers, and downloads both exports", async () => {
    const page = await context.newPage();
    await navigate(page, () => page.goto("/staff/login"));
    await page.getByLabel("Username").fill("ho.monitor");
    await page.getByLabel("Password").fill(DEMO_PASSWORD);
    await navigate(page, () => page.getByRole("button", { name: "Sign in" }).click());
    await page.getByLabel("6-digit code").fill(await generate({ secret: DEMO_TOTP_SECRET }));
    await navigate(page, () => page.getByRole("button", { name: "Continue" }).click());

    await navigate(page, () => page.getByRole("link", { name: "Pendency" }).first().click());
    await expect.poll(() => page.locator("h1").innerText()).toBe("Pendency monitoring");
    expect(await page.locator("#simulated-banner").count()).toBe(1);

    const levels = ["department", "district", "office", "service", "officer"];
    for (const [i, level] of levels.entries()) {
      expect(await page.locator("table.sewa-monitoring").getAttribute("data-level")).toBe(level);
      const want = await expected(filtersOf(page.url()));
      expect(await cell(page, "received")).toBe(String(want.received));
      expect(await cell(page, "pendingBeyond")).toBe(String(want.pendingBeyond));
      expect(await cell(page, "disposedWithin")).toBe(String(want.disposedWithin));
      if (i === 0) await screenshot(page, "monitoring-01-state");
      if (level === "officer") break;
      // The first row (sorted by pending beyond the limit, most first) opens the next level.
      await navigate(page, () => page.locator("table.sewa-monitoring tbody th a").first().click());
    }
    // The officer rows add up to the service's total.
    const officerRows = await page.locator("table.sewa-monitoring tbody tr").count();
    expect(officerRows).toBeGreaterThan(0);

    // Sorting by name keeps the figures.
    const before = await cell(page, "received");
    await navigate(page, () =>
      page.locator("table.sewa-monitoring thead th").first().getByRole("link").click(),
    );
    expect(await cell(page, "received")).toBe(before);

    // Both exports, with the same filters as the page.
    const want = await expected(filtersOf(page.url()));
    const [csvDownload] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("link", { name: "Download CSV" }).click(),
    ]);
    const csv = fs.readFileSync((await csvDownload.path()) as string, "utf8");
    expect(csv.startsWith("\uFEFF")).toBe(true);
    const totalLine = csv.trim().split("\r\n").at(-1) as string;
    expect(totalLine.split(",")[0]).toBe("Total");
    expect(totalLine.split(",")[1]).toBe(String(want.received));
    const [xlsxDownload] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("link", { name: "Download Excel (XLSX)" }).click(),
    ]);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile((await xlsxDownload.path()) as string);
    const sheet = workbook.worksheets[0];
    expect(sheet.getRow(sheet.rowCount).getCell(1).value).toBe("Total");
    expect(sheet.getRow(sheet.rowCount).getCell(2).value).toBe(want.received);
    await page.close();
  }, 180_000);

  it("shows the public transparency page without signing in", async () => {
    const page = await browser.newPage({ baseURL: portal.url });
    await navigate(page, () => page.goto("/transparency?lang=pa"));
    expect(await page.locator("#district-table tbody tr").count()).toBeGreaterThan(5);
    const want = await expected({});
    expect(
      (await page.locator('#state-summary [data-measure="received"]').innerText()).length,
    ).toBeGreaterThan(0);
    await navigate(page, () => page.goto("/transparency?lang=en"));
    expect(
      (await page.locator('#state-summary [data-measure="received"]').innerText()).replace(
        /,/g,
        "",
      ),
    ).toBe(String(want.received));
    await screenshot(page, "monitoring-02-transparency");
    await page.close();
  }, 60_000);
});
