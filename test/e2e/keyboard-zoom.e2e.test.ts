/**
 * Keyboard, focus, narrow screens and zoom (issue 7, WCAG 2.2 AA), in
 * headless Chromium:
 *
 * - a keyboard-only journey (Tab, Enter, Space and typing; no clicks) from
 *   the home page: search for a service, open it, start the application,
 *   reach the first question page, send it empty, and find the focus on the
 *   error summary (SC 2.1.1, 3.3.1);
 * - visible focus (SC 2.4.7): every element reached by Tab on three pages
 *   shows GOV.UK's focus style, a yellow outline or a box-shadow (on a
 *   checkbox or radio, the box drawn by its label's `::before`);
 * - reflow (SC 1.4.10, 1.4.4): no horizontal scrolling at 320 CSS px, nor at
 *   200 % zoom of a 1280-px window (a 640-CSS-px viewport), on the main
 *   citizen pages in Punjabi and English.
 */
import { sql } from "drizzle-orm";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rows } from "../../src/db/client.ts";
import { tinyPdf } from "./files.ts";
import { controllableClock, launchBrowser, type Portal, startPortal } from "./harness.ts";

let portal: Portal;
let browser: Browser;
let incomeId = 0;
let tehsil = 0;

beforeAll(async () => {
  [portal, browser] = await Promise.all([
    startPortal(controllableClock("2025-11-03T10:00+05:30")),
    launchBrowser(),
  ]);
  const { db } = portal.database;
  incomeId =
    (
      await rows<{ id: number }>(db, sql`select id from services where code = 'income-certificate'`)
    )[0]?.id ?? 0;
  tehsil =
    (
      await rows<{ code: number }>(
        db,
        sql`select code from tehsils where district_code = 36 order by code limit 1`,
      )
    )[0]?.code ?? 0;
});
afterAll(async () => {
  await browser?.close();
  await portal?.close();
});

/** A short description of the focused element (tag, id, href, text). */
const FOCUSED = `(() => {
  const e = document.activeElement;
  if (!e) return "";
  return [e.tagName.toLowerCase(), e.id ? "#" + e.id : "", e.getAttribute("href") ?? "", e.getAttribute("type") ?? "", (e.textContent ?? "").trim().slice(0, 30)].join(" ");
})()`;

/**
 * Presses Tab until `predicate` (a JS expression over `e`, the focused
 * element) holds.
 * @throws Error listing what was focused when `max` presses are not enough.
 */
async function tabTo(page: Page, predicate: string, max = 120): Promise<void> {
  const trail: string[] = [];
  for (let i = 0; i < max; i++) {
    await page.keyboard.press("Tab");
    const ok = await page.evaluate(
      `(() => { const e = document.activeElement; return !!e && (${predicate}); })()`,
    );
    if (ok) return;
    trail.push((await page.evaluate(FOCUSED)) as string);
  }
  throw new Error(
    `no focusable element matched ${predicate} after ${max} Tabs: ${trail.join(" | ")}`,
  );
}

/** Runs a key press that navigates, and waits for the new page to load. */
async function navigating(page: Page, press: () => Promise<unknown>): Promise<void> {
  await Promise.all([page.waitForEvent("framenavigated"), press()]);
  await page.waitForLoadState("load");
}

const pathOf = (page: Page) => new URL(page.url()).pathname;

const errorSummaryFocused = (page: Page) =>
  page.evaluate(
    `document.activeElement?.classList.contains("govuk-error-summary") === true`,
  ) as Promise<boolean>;

describe("keyboard only", () => {
  it("finds a service, starts the application and meets the error summary with focus", async () => {
    const context = await browser.newContext({ baseURL: portal.url });
    const page = await context.newPage();
    page.setDefaultTimeout(20_000);
    await page.goto("/?lang=en");

    // Search: Tab to the search box, type, Enter.
    await tabTo(page, `e.id === "q"`);
    await page.keyboard.type("income certificate");
    await navigating(page, () => page.keyboard.press("Enter"));
    expect(new URL(page.url()).searchParams.get("q")).toBe("income certificate");

    // The result, then the service page's start button (a link: Enter follows it).
    await tabTo(page, `e.getAttribute("href") === "/services/${incomeId}"`);
    await navigating(page, () => page.keyboard.press("Enter"));
    expect(pathOf(page)).toBe(`/services/${incomeId}`);
    await tabTo(page, `e.getAttribute("href") === "/services/${incomeId}/apply"`);
    await navigating(page, () => page.keyboard.press("Enter"));
    expect(pathOf(page)).toBe(`/services/${incomeId}/apply`);

    // The privacy consent: Space ticks the box; Enter on the start button sends the form.
    await tabTo(page, `e.id === "privacyConsent"`);
    await page.keyboard.press("Space");
    expect(await page.locator("#privacyConsent").isChecked()).toBe(true);
    await tabTo(page, `e.tagName === "BUTTON"`);
    await navigating(page, () => page.keyboard.press("Enter"));
    expect(pathOf(page)).toMatch(/^\/drafts\/[^/]+\/tasks$/);

    // The task list's first task, then an empty send.
    await tabTo(page, `/\\/pages\\/[^/]+$/.test(e.getAttribute("href") ?? "")`);
    await navigating(page, () => page.keyboard.press("Enter"));
    expect(pathOf(page)).toMatch(/^\/drafts\/[^/]+\/pages\/[^/]+$/);
    const question = pathOf(page);
    // Enter in a text box clicks the form's default button, its first submit button in tree
    // order (HTML implicit submission): "Save and continue", never "Suggest Gurmukhi spelling".
    expect(
      await page.evaluate(
        `[...document.querySelector("main form[method=post]").elements].find((e) => e.type === "submit").name`,
      ),
    ).not.toBe("_suggestGurmukhi");
    // Past "Suggest Gurmukhi spelling" (on the name page) to "Save and continue".
    await tabTo(
      page,
      `e.tagName === "BUTTON" && e.closest("main form") !== null && e.name !== "_suggestGurmukhi"`,
    );
    await navigating(page, () => page.keyboard.press("Enter"));
    expect(pathOf(page)).toBe(question);
    expect(await page.locator(".govuk-error-summary").count()).toBe(1);
    expect(await errorSummaryFocused(page)).toBe(true);

    // From the summary, Tab reaches its first link, and Enter moves to the field.
    await page.keyboard.press("Tab");
    const target = (await page.evaluate(`document.activeElement.getAttribute("href")`)) as string;
    expect(target).toMatch(/^#/);
    await page.keyboard.press("Enter");
    expect(await page.evaluate(`"#" + document.activeElement.id`)).toBe(target);
    await context.close();
  });
});

/**
 * In the page: whether the focused element shows a focus indicator. GOV.UK's
 * style is a yellow (#ffdd00) outline or background with a box-shadow; a
 * checkbox or radio input is invisible and its label's `::before` box takes
 * the shadow.
 */
const FOCUS_VISIBLE = `(() => {
  const e = document.activeElement;
  if (!e || e === document.body) return { what: "body", ok: false };
  if (e.hasAttribute("data-focus-seen")) return { what: "again", ok: true };
  e.setAttribute("data-focus-seen", "");
  const visibleOutline = (s) => s.outlineStyle !== "none" && parseFloat(s.outlineWidth) > 0 && !/rgba\\(0, 0, 0, 0\\)|transparent/.test(s.outlineColor);
  const shadow = (s) => s.boxShadow && s.boxShadow !== "none";
  let s = getComputedStyle(e);
  if (e.matches(".govuk-checkboxes__input, .govuk-radios__input")) {
    const label = e.parentElement.querySelector("label");
    s = getComputedStyle(label, "::before");
    return { what: "label::before of " + e.id, ok: shadow(s) };
  }
  const what = e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") + " " + (e.getAttribute("href") ?? "");
  return { what, ok: visibleOutline(s) || shadow(s) };
})()`;

describe("visible focus", () => {
  it("every element reached by Tab on three pages shows a focus indicator", async () => {
    const context = await browser.newContext({ baseURL: portal.url });
    const page = await context.newPage();
    const problems: string[] = [];
    let checked = 0;
    for (const url of ["/?lang=pa", `/services/${incomeId}/apply`, "/track"]) {
      await page.goto(url);
      for (let i = 0; i < 40; i++) {
        await page.keyboard.press("Tab");
        const r = (await page.evaluate(FOCUS_VISIBLE)) as { what: string; ok: boolean };
        if (r.what === "body" || r.what === "again") break;
        checked++;
        if (!r.ok) problems.push(`${url}: ${r.what}`);
      }
    }
    await context.close();
    expect(checked).toBeGreaterThan(30);
    expect(problems).toEqual([]);
  });
});

/** The answers to the income certificate's question pages (as in the pa crawl). */
function incomeAnswers(): Array<[string, Record<string, string>]> {
  return [
    ["name", { fullName: "Asha Rani", relativeName: "Gurmeet Singh" }],
    [
      "birth",
      {
        "dateOfBirth-day": "5",
        "dateOfBirth-month": "6",
        "dateOfBirth-year": "1990",
        gender: "female",
      },
    ],
    ["contact", { mobile: "98765 43210" }],
    ["aadhaarPage", { aadhaar: "" }],
    [
      "address",
      {
        "homeAddress.line1": "7 Model Town",
        "homeAddress.districtCode": "36",
        "homeAddress.tehsilCode": String(tehsil),
        "homeAddress.pincode": "141002",
      },
    ],
    ["purposePage", { purpose: "scholarship" }],
    [
      "earners",
      {
        "earningMembers.0.memberName": "Gurmeet Singh",
        "earningMembers.0.relation": "father",
        "earningMembers.0.incomeSource": "agriculture",
        "earningMembers.0.annualIncome": "120000",
      },
    ],
    ["land", { ownsLand: "no" }],
    ["total", { totalAnnualIncome: "120000" }],
    ["copiesPage", { copies: "2" }],
    ["declarationPage", { declaration: "agree" }],
  ];
}

/** Starts an income-certificate draft in `context` and answers every page; returns the draft's id. */
async function completeDraft(context: BrowserContext, page: Page): Promise<string> {
  await page.goto(`/services/${incomeId}/apply?lang=en`);
  await page.locator("#privacyConsent").check();
  await Promise.all([page.waitForURL(/\/drafts\//), page.locator("main form button").click()]);
  const draft = pathOf(page).split("/")[2] as string;
  for (const [pageId, form] of incomeAnswers()) {
    await page.goto(`/drafts/${draft}/pages/${pageId}`);
    const csrf = await page.locator('input[name="_csrf"]').first().inputValue();
    const res = await context.request.post(`/drafts/${draft}/pages/${pageId}`, {
      form: { ...form, _csrf: csrf },
      maxRedirects: 0,
    });
    expect(res.status(), pageId).toBe(303);
  }
  await page.goto(`/drafts/${draft}/documents`);
  const action = await page
    .locator('main form[enctype="multipart/form-data"]')
    .first()
    .getAttribute("action");
  const upload = await context.request.post(action ?? "", {
    multipart: Object.fromEntries(
      ["doc-aadhaarCard", "doc-selfDeclaration", "doc-verificationReport", "doc-incomeProof"].map(
        (k) => [k, { name: `${k.slice(4)}.pdf`, mimeType: "application/pdf", buffer: tinyPdf(k) }],
      ),
    ),
    maxRedirects: 0,
  });
  expect(upload.status()).toBe(303);
  return draft;
}

describe("no horizontal scrolling at 320 px and at 200 % zoom", () => {
  it("the main citizen pages fit 320 and 640 CSS px in Punjabi and English", async () => {
    const context = await browser.newContext({ baseURL: portal.url });
    const page = await context.newPage();
    page.setDefaultTimeout(20_000);
    const draft = await completeDraft(context, page);
    // A filed application to track: send a second draft and keep the first at check answers.
    const filedDraft = await completeDraft(context, page);
    await page.goto(`/drafts/${filedDraft}/review`);
    await navigating(page, () => page.locator("main form button").last().click());
    const reference = ((await page.locator("#reference").textContent()) ?? "").trim();
    expect(reference).toMatch(/^[A-Z]{3}-/);
    await page.goto("/track");
    await page.locator("#reference").fill(reference);
    await page.locator("#mobile").fill("9876543210");
    await Promise.all([
      page.waitForURL(new RegExp(`/track/${reference}$`)),
      page.locator("main form button").last().click(),
    ]);

    const pages = [
      "/",
      `/?q=${encodeURIComponent("income")}`,
      `/services/${incomeId}`,
      `/services/${incomeId}/apply`,
      `/drafts/${draft}/tasks`,
      `/drafts/${draft}/pages/address`,
      `/drafts/${draft}/pages/earners`,
      `/drafts/${draft}/documents`,
      `/drafts/${draft}/review`,
      `/track/${reference}`,
      "/help?district=36",
      "/accessibility",
    ];
    const overflows: string[] = [];
    let measured = 0;
    for (const [width, height] of [
      [320, 640],
      [640, 800],
    ] as const) {
      await page.setViewportSize({ width, height });
      for (const lang of ["pa", "en"]) {
        await page.goto(`/?lang=${lang}`);
        for (const url of pages) {
          const res = await page.goto(url);
          expect(res?.status(), url).toBe(200);
          expect(pathOf(page), url).toBe(url.split("?")[0]);
          const m = (await page.evaluate(`(() => {
            const wide = [];
            for (const el of document.querySelectorAll("body *")) {
              const r = el.getBoundingClientRect();
              if (r.width > 0 && r.right > window.innerWidth + 1) wide.push(el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + (typeof el.className === "string" && el.className ? "." + el.className.trim().split(/\\s+/).join(".") : "") + " right=" + Math.round(r.right));
            }
            return { scroll: document.documentElement.scrollWidth, inner: window.innerWidth, wide: wide.slice(0, 5) };
          })()`)) as { scroll: number; inner: number; wide: string[] };
          measured++;
          if (m.scroll > m.inner)
            overflows.push(
              `${width}px ${lang} ${url}: ${m.scroll} > ${m.inner}: ${m.wide.join(", ")}`,
            );
        }
      }
    }
    await context.close();
    expect(measured).toBe(pages.length * 4);
    expect(overflows).toEqual([]);
  });
});
