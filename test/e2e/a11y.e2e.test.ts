/**
 * Accessibility: axe-core (WCAG 2.2 A and AA rules) on the public pages, in
 * Punjabi, Hindi and English, in headless Chromium. Zero violations allowed.
 */
import { AxeBuilder } from "@axe-core/playwright";
import { sql } from "drizzle-orm";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rows } from "../../src/db/client.ts";
import { findOfficialByUsername, startSession } from "../../src/identity/service.ts";
import { controllableClock, launchBrowser, type Portal, startPortal } from "./harness.ts";

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
  "/no-such-page",
];

describe("accessibility (axe, WCAG 2.2 AA)", () => {
  for (const lang of ["pa", "hi", "en"] as const) {
    it(`public pages in ${lang} have no violations`, async () => {
      const context = await browser.newContext({ baseURL: portal.url });
      const page = await context.newPage();
      const problems: string[] = [];
      for (const path of PAGES) {
        await page.goto(`${path}${path.includes("?") ? "&" : "?"}lang=${lang}`);
        const result = await new AxeBuilder({ page })
          .withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"])
          .analyze();
        for (const v of result.violations)
          problems.push(
            `${path}: ${v.id} (${v.impact}) ${v.nodes
              .map((n) => n.target.join(" "))
              .slice(0, 3)
              .join(", ")}`,
          );
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
    const problems: string[] = [];
    for (const [username, paths] of [
      ["do.ludhiana", ["/desk", `/desk/applications/${ref}`, "/desk/delegate"]],
      ["admin", ["/admin", "/admin/users"]],
      ["auditor", ["/audit", `/audit?reference=${ref}`]],
      ["ho.punjab", ["/appeals/penalties"]],
    ] as const) {
      const official = await findOfficialByUsername(db, username);
      const token = await startSession(db, official?.id as number, new Date(), { mfa: true });
      for (const lang of ["pa", "en"]) {
        const context = await browser.newContext({ baseURL: portal.url });
        await context.addCookies([{ name: "sewa_staff", value: token, url: portal.url }]);
        const page = await context.newPage();
        for (const path of paths) {
          const res = await page.goto(`${path}${path.includes("?") ? "&" : "?"}lang=${lang}`);
          expect(res?.status(), path).toBe(200);
          const result = await new AxeBuilder({ page })
            .withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"])
            .analyze();
          for (const v of result.violations)
            problems.push(
              `${lang} ${path}: ${v.id} (${v.impact}) ${v.nodes
                .map((n) => n.target.join(" "))
                .slice(0, 3)
                .join(", ")}`,
            );
        }
        await context.close();
      }
    }
    expect(problems).toEqual([]);
  });
});
