/**
 * Accessibility: axe-core (WCAG 2.2 A and AA rules) on the public and staff
 * pages, in Punjabi, Hindi and English, in headless Chromium. Zero violations
 * allowed.
 */
import { sql } from "drizzle-orm";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rows } from "../../src/db/client.ts";
import { findOfficialByUsername, startSession } from "../../src/identity/service.ts";
import { DEMO_KENDRA_CODE } from "../../src/setup.ts";
import {
  axeViolations,
  controllableClock,
  launchBrowser,
  type Portal,
  startPortal,
} from "./harness.ts";

let portal: Portal;
let browser: Browser;

beforeAll(async () => {
  [portal, browser] = await Promise.all([
    startPortal(controllableClock("2025-10-17T10:00+05:30")),
    launchBrowser(),
  ]);
});
afterAll(async () => {
  await browser?.close();
  await portal?.close();
});

const PAGES = [
  "/",
  "/?q=demarcation",
  "/services/5",
  "/services/5/apply",
  "/track",
  "/login",
  "/staff/login",
  "/privacy",
  "/accessibility",
  "/help",
  "/help?district=36",
  "/verify",
  "/kendras?district=36",
  `/kendras/${DEMO_KENDRA_CODE}/kiosk`,
  `/kendras/${DEMO_KENDRA_CODE}/book`,
  "/no-such-page",
];

/**
 * Signs each official in (a session cookie) and runs axe on their pages in
 * Punjabi, Hindi and English; returns the violations, one line each.
 */
async function staffViolations(
  pages: ReadonlyArray<readonly [string, readonly string[]]>,
): Promise<string[]> {
  const { db } = portal.database;
  const problems: string[] = [];
  for (const [username, paths] of pages) {
    const official = await findOfficialByUsername(db, username);
    const token = await startSession(db, official?.id as number, new Date(), { mfa: true });
    for (const lang of ["pa", "hi", "en"]) {
      const context = await browser.newContext({ baseURL: portal.url });
      await context.addCookies([{ name: "sewa_staff", value: token, url: portal.url }]);
      const page = await context.newPage();
      for (const path of paths) {
        const res = await page.goto(`${path}${path.includes("?") ? "&" : "?"}lang=${lang}`);
        expect(res?.status(), `${username} ${path}`).toBe(200);
        problems.push(...(await axeViolations(page, `${lang} ${path}`)));
      }
      await context.close();
    }
  }
  return problems;
}

describe("accessibility (axe, WCAG 2.2 AA)", () => {
  for (const lang of ["pa", "hi", "en"] as const) {
    it(`public pages in ${lang} have no violations`, async () => {
      const context = await browser.newContext({ baseURL: portal.url });
      const page = await context.newPage();
      const problems: string[] = [];
      for (const path of PAGES) {
        await page.goto(`${path}${path.includes("?") ? "&" : "?"}lang=${lang}`);
        problems.push(...(await axeViolations(page, path)));
        expect(await page.locator("html").getAttribute("lang")).toBe(lang);
      }
      await context.close();
      expect(problems).toEqual([]);
    });
  }
});

describe("accessibility of staff pages", () => {
  it("the desk, administration, users, audit and appeals pages have no violations", async () => {
    const { db } = portal.database;
    const tehsil = (
      await rows<{ code: number }>(
        db,
        sql`select code from tehsils where district_code = 36 limit 1`,
      )
    )[0]?.code;
    const filed = await portal.app.inject({
      method: "POST",
      url: "/api/v1/applications",
      payload: {
        serviceId: 5,
        applicant: {
          name: "Gurpreet Kaur",
          relativeName: "Harjit Singh",
          gender: "female",
          dateOfBirth: "1990-01-01",
          mobile: "9876543210",
        },
        address: { line1: "x", districtCode: 36, tehsilCode: tehsil, pincode: "141001" },
        purpose: "p",
        declaration: true,
      },
    });
    const ref: string = filed.json().reference;
    expect(
      await staffViolations([
        ["do.ludhiana", ["/desk", `/desk/applications/${ref}`, "/desk/delegate"]],
        ["admin", ["/admin", "/admin/users"]],
        ["auditor", ["/audit", `/audit?reference=${ref}`]],
        ["ho.punjab", ["/appeals/penalties"]],
      ]),
    ).toEqual([]);
  });

  // The definition journey is checked in English and Punjabi by definitions.e2e.test.ts
  // and pa-crawl.e2e.test.ts; this covers Hindi: start, task list, every question
  // page (one with its error summary), documents and check answers.
  it("a multi-page definition (income certificate) has no violations in Hindi", async () => {
    const [service] = await rows<{ id: number }>(
      portal.database.db,
      sql`select id from services where code = 'income-certificate'`,
    );
    const context = await browser.newContext({ baseURL: portal.url });
    const page = await context.newPage();
    const problems: string[] = [];
    await page.goto(`/services/${service?.id}/apply?lang=hi`);
    problems.push(...(await axeViolations(page, "hi start")));
    await page.locator("#privacyConsent").check();
    await Promise.all([page.waitForURL(/\/drafts\//), page.locator("main form button").click()]);
    const draft = new URL(page.url()).pathname.split("/")[2] as string;
    problems.push(...(await axeViolations(page, "hi tasks")));
    const questionPages = ["name", "birth", "contact", "aadhaarPage", "address", "purposePage"];
    for (const id of [
      ...questionPages,
      "earners",
      "land",
      "total",
      "copiesPage",
      "declarationPage",
    ]) {
      await page.goto(`/drafts/${draft}/pages/${id}`);
      problems.push(...(await axeViolations(page, `hi page ${id}`)));
    }
    await page.goto(`/drafts/${draft}/pages/name`);
    await Promise.all([
      page.waitForLoadState("load"),
      page.locator('main form button[type="submit"]').last().click(),
    ]);
    expect(await page.locator(".govuk-error-summary").count()).toBe(1);
    problems.push(...(await axeViolations(page, "hi page name with errors")));
    for (const step of ["documents", "review"]) {
      await page.goto(`/drafts/${draft}/${step}`);
      problems.push(...(await axeViolations(page, `hi ${step}`)));
    }
    expect(await page.locator("html").getAttribute("lang")).toBe("hi");
    await context.close();
    expect(problems).toEqual([]);
  });

  it("the Sewa Kendra, helpline 1076, facilitator and Kendra audit pages have no violations", async () => {
    expect(
      await staffViolations([
        [
          "operator.ludhiana",
          ["/counter", "/counter/close", "/counter/handover", "/counter/apply"],
        ],
        [
          "manager.ludhiana",
          ["/kendra", "/kendra/closes", "/kendra/uncollected", "/kendra/feedback"],
        ],
        ["helpline", ["/helpline", "/helpline?mobile=9876543210"]],
        ["sahayak.ludhiana1", ["/visits"]],
        ["auditor", ["/kendra-audit"]],
      ]),
    ).toEqual([]);
  });
});
