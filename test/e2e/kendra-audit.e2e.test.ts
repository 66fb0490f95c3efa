/**
 * Issue 9, flow 3: the performance and impact audit of Sewa Kendras in a
 * real browser (headless Chromium). The demo auditor signs in, opens the
 * audit, follows Ludhiana (LGD 36) for October 2026 on simulated data,
 * checks the page with axe, downloads the report as PDF and XLSX
 * (playwright download events), and checks that the key figures of the
 * page, the XLSX (read with exceljs) and the PDF's text (pdftotext, from
 * poppler-utils) equal direct SQL queries on the simulated rows, written
 * here independently of src/kendras/audit/metrics.ts.
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import { AxeBuilder } from "@axe-core/playwright";
import { sql } from "drizzle-orm";
import ExcelJS from "exceljs";
import { generate } from "otplib";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rows } from "../../src/db/client.ts";
import { simulateKendras } from "../../src/kendras/audit/simulate.ts";
import { simulate } from "../../src/monitoring/simulate.ts";
import { DEMO_PASSWORD, DEMO_TOTP_SECRET } from "../../src/setup.ts";
import {
  type ControllableClock,
  controllableClock,
  launchBrowser,
  type Portal,
  screenshot,
  startPortal,
} from "./harness.ts";

const TODAY = "2026-11-27";
const FROM = "2026-10-01";
const TO = "2026-10-31";
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
  await simulate(portal.database, { applications: 800, days: 75, seed: 9, today: TODAY });
  await simulateKendras(portal.database, { days: 75, today: TODAY, seed: 9, scale: 0.05 });
  context = await browser.newContext({
    baseURL: portal.url,
    locale: "en-IN",
    timezoneId: "Asia/Kolkata",
    viewport: { width: 1280, height: 900 },
    acceptDownloads: true,
  });
}, 300_000);

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await portal?.close();
});

/** The figures of Ludhiana's active Sewa Kendras in October 2026, by direct SQL. */
async function direct() {
  const { db } = portal.database;
  const one = async (q: ReturnType<typeof sql>) =>
    (await rows<Record<string, unknown>>(db, q))[0] as Record<string, unknown>;
  const centres = sql`(select code from kendras where district_code = 36 and active = 1)`;
  const tokens = await one(sql`select count(issued_at) as footfall from tokens
    where kendra_code in ${centres} and service_date >= ${FROM}::date and service_date <= ${TO}::date`);
  const apps = await one(sql`select count(*) as filed from applications
    where channel = 'kendra' and kendra_code in ${centres}
      and to_char(received_at at time zone 'Asia/Kolkata', 'YYYY-MM') = '2026-10'`);
  const cash =
    await one(sql`select sum(case when counted_paise <> expected_paise then 1 else 0 end) as mismatches,
      count(*) as closes from cash_closes
    where kendra_code in ${centres} and to_char(business_date, 'YYYY-MM') = '2026-10'`);
  const fb = await one(sql`select sum(rating) as total, count(rating) as answers from feedback
    where kendra_code in ${centres} and to_char(sent_at at time zone 'Asia/Kolkata', 'YYYY-MM') = '2026-10'`);
  const answers = Number(fb.answers);
  return {
    footfall: Number(tokens.footfall),
    filed: Number(apps.filed),
    closes: Number(cash.closes),
    mismatches: Number(cash.mismatches ?? 0),
    responses: answers,
    meanScore: answers ? Math.round((Number(fb.total) / answers) * 100) / 100 : null,
  };
}

describe("the Sewa Kendra audit report for Ludhiana (issue 9, flow 3)", () => {
  it("signs in as the auditor, opens Ludhiana, downloads PDF and XLSX whose figures match SQL", async () => {
    const page = await context.newPage();
    await navigate(page, () => page.goto("/staff/login"));
    await page.getByLabel("Username").fill("auditor");
    await page.getByLabel("Password").fill(DEMO_PASSWORD);
    await navigate(page, () => page.getByRole("button", { name: "Sign in" }).click());
    await page.getByLabel("6-digit code").fill(await generate({ secret: DEMO_TOTP_SECRET }));
    await navigate(page, () => page.getByRole("button", { name: "Continue" }).click());

    await navigate(page, () => page.goto("/kendra-audit"));
    expect(await page.locator("#scope-name").innerText()).toContain("Punjab");
    expect(await page.locator("#simulated-banner").count()).toBe(1);
    // The state view lists districts; follow Ludhiana.
    await navigate(page, () =>
      page.locator("#rows-footfall tbody tr[data-key='36'] a").first().click(),
    );
    expect(await page.locator("#scope-name").innerText()).toBe("Ludhiana");
    // The period picker: October 2026 (the default, typed again).
    await page.getByLabel("From").fill(FROM);
    await page.getByLabel("To").fill(TO);
    await navigate(page, () => page.getByRole("button", { name: "Show this period" }).click());
    expect(new URL(page.url()).searchParams.get("scope")).toBe("district:36");

    const want = await direct();
    expect(want.footfall).toBeGreaterThan(50);
    const shown = async (metric: string) =>
      (await page.locator(`#summary [data-metric="${metric}"]`).innerText()).replace(/,/g, "");
    expect(await shown("footfall")).toBe(String(want.footfall));
    expect(await shown("filed")).toBe(String(want.filed));
    expect(await shown("closes")).toBe(String(want.closes));
    expect(await shown("mismatches")).toBe(String(want.mismatches));
    expect(await shown("responses")).toBe(String(want.responses));
    expect(await page.locator("#ranking tbody tr").count()).toBeGreaterThan(1);
    expect(await page.locator("img.sewa-chart").count()).toBe(3);

    const axe = await new AxeBuilder({ page })
      .withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"])
      .analyze();
    expect(
      axe.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`),
    ).toEqual([]);
    await screenshot(page, "kendra-audit-01-ludhiana");

    // The XLSX: one row per metric on the Report sheet (column B the metric's code, D its value).
    const [xlsxDownload] = await Promise.all([
      page.waitForEvent("download"),
      page.locator("#download-xlsx").click(),
    ]);
    expect(xlsxDownload.suggestedFilename()).toBe(
      `sewa-kendra-audit-district-36-${FROM}-${TO}.xlsx`,
    );
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile((await xlsxDownload.path()) as string);
    const sheet = workbook.getWorksheet("Report");
    const value = new Map<string, unknown>();
    sheet?.eachRow((row) => value.set(String(row.getCell(2).value), row.getCell(4).value));
    expect(value.get("footfall")).toBe(want.footfall);
    expect(value.get("filed")).toBe(want.filed);
    expect(value.get("closes")).toBe(want.closes);
    expect(value.get("mismatches")).toBe(want.mismatches);
    expect(value.get("responses")).toBe(want.responses);
    expect(value.get("meanScore")).toBe(want.meanScore);
    expect(value.get("operatorPaymentPaise")).toBe("not configured");
    expect(String(sheet?.getRow(2).getCell(1).value)).toContain("SIMULATED DATA");
    expect(workbook.getWorksheet("How computed")?.getRow(2).getCell(1).value).toBe("footfall");

    // The PDF: its text (pdftotext) holds the scope, the period, the banner and the figures.
    const [pdfDownload] = await Promise.all([
      page.waitForEvent("download"),
      page.locator("#download-pdf").click(),
    ]);
    const pdfPath = (await pdfDownload.path()) as string;
    expect(fs.readFileSync(pdfPath).subarray(0, 5).toString()).toBe("%PDF-");
    const text = execFileSync("pdftotext", ["-layout", pdfPath, "-"]).toString();
    expect(text).toContain("Ludhiana");
    expect(text).toContain(`${FROM} to ${TO}`);
    expect(text).toContain("SIMULATED DATA");
    expect(text).toContain("How each metric is computed");
    const summaryLine = (label: string) =>
      text
        .split("\n")
        .find((l) => l.includes(`· ${label}`))
        ?.trim()
        .split(/\s{2,}/)
        .at(-1)
        ?.replace(/,/g, "");
    expect(summaryLine("Footfall (tokens issued)")).toBe(String(want.footfall));
    expect(summaryLine("Applications filed")).toBe(String(want.filed));
    expect(summaryLine("Closes with a difference")).toBe(String(want.mismatches));
    expect(summaryLine("Feedback answers")).toBe(String(want.responses));
    await page.close();
  }, 240_000);
});
