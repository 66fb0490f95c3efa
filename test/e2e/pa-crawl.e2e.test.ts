/**
 * "A Punjabi reader could use the whole citizen side without meeting English"
 * (issue 7, done when): this test walks every citizen page in Punjabi in
 * headless Chromium — the catalog, search, a service page, the generic form
 * (with its errors), check answers, confirmation and acknowledgement; a
 * service definition's start page, task list, every question page, documents,
 * check answers and confirmation; tracking, a send-back and the resubmission
 * form; sign-in, "your applications" and the profile; the privacy notice,
 * accessibility statement, contact and help, verification and error pages —
 * and fails on any run of two or more Latin letters in what a reader sees or
 * hears: visible text, visually hidden text, `<title>`, and the `alt`,
 * `aria-label`, `title` and `placeholder` attributes.
 *
 * Not counted:
 * - text inside an element whose language is marked as not Punjabi
 *   (`lang="en"`: a name notified only in English, an address, the language
 *   switch's "English" and "हिन्दी");
 * - {@link ALLOWED}: reference numbers, e-mail addresses, URLs, the names of
 *   files the user uploaded, what the user typed in Latin letters (their name
 *   as it is spelt in English), and a short list of codes that are written in
 *   Latin letters in Punjabi too (file types, "UPI", "API", "QR").
 */
import fs from "node:fs";
import path from "node:path";
import { sql } from "drizzle-orm";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as svc from "../../src/applications/service.ts";
import { rows } from "../../src/db/client.ts";
import { actorFor, findOfficialByUsername, startSession } from "../../src/identity/service.ts";
import type { capturingSms } from "../../src/notifications/sms.ts";
import { tinyPdf, writeFile } from "./files.ts";
import {
  controllableClock,
  launchBrowser,
  type Portal,
  REPO_ROOT,
  screenshot,
  startPortal,
} from "./harness.ts";

/** Codes written in Latin letters in Punjabi text as well (each says why). */
const CODES = [
  "PDF", // file type, as printed on the user's own files
  "JPEG",
  "JPG",
  "PNG",
  "UPI", // the payment system's name (NPCI); no Punjabi name exists
  "API", // footer link for departments' systems
  "QR", // "QR ਕੋਡ" on certificates
  "MiB", // the IEC unit symbol of the upload limit (C-10), followed by the bytes in words
];

/** What may appear in Latin letters: see the module comment. */
const ALLOWED: RegExp[] = [
  /\b[A-Z]{3}-[A-Z0-9]{4}-[A-Z0-9]{4}\b/g, // reference numbers (ADR 0001)
  /\bPB-\d{4}-[A-Z0-9]{4}-[A-Z0-9]{4}\b/g, // certificate serial numbers
  /\bX{4} X{4}\b|\bX{6}(?=\d{4})/g, // masked Aadhaar and mobile numbers (XXXX XXXX 1234, XXXXXX2312)
  /(^|\s)\/\.well-known\/\S+/g, // the published keys' URL path
  /[\w.+-]+@[\w-]+(\.[\w-]+)+/g, // e-mail addresses
  /\bhttps?:\/\/\S+/g, // URLs
  /[\w.-]+\.(pdf|jpe?g|png)\b/gi, // the names of files the user uploaded
  new RegExp(`\\b(${CODES.join("|")})\\b`, "g"),
];

/** Strings the user typed in Latin letters in this test (echoed back to them). */
const TYPED = ["Simran Kaur", "Balwinder Singh", "Model Town", "Asha Rani", "Gurmeet Singh"];

/** In the page: every string a reader meets, with where it is (skipping non-Punjabi `lang` fragments). */
const COLLECT = `(() => {
  const out = [];
  const langOf = (el) => { const l = el.closest("[lang]"); return l ? l.getAttribute("lang") : ""; };
  const where = (el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + (el.className && typeof el.className === "string" ? "." + el.className.trim().split(/\\s+/)[0] : "");
  const hidden = (el) => { for (let e = el; e; e = e.parentElement) { const s = getComputedStyle(e); if (s.display === "none" && e.tagName !== "OPTION" && e.tagName !== "SELECT") return true; } return false; };
  out.push({ where: "title", text: document.title, lang: "pa" });
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement;
    if (!el || ["SCRIPT", "STYLE", "NOSCRIPT", "TEMPLATE"].includes(el.tagName)) continue;
    const text = n.textContent.trim();
    if (!text || hidden(el)) continue;
    out.push({ where: where(el), text, lang: langOf(el) });
  }
  for (const el of document.querySelectorAll("[alt],[aria-label],[title],[placeholder]")) {
    for (const a of ["alt", "aria-label", "title", "placeholder"]) {
      const v = el.getAttribute(a);
      if (v) out.push({ where: where(el) + "@" + a, text: v, lang: langOf(el) });
    }
  }
  return out;
})()`;

/** The runs of Latin letters left in `text` once the allowed parts are removed. */
function latinRuns(text: string): string[] {
  let rest = text;
  for (const t of TYPED) rest = rest.split(t).join(" ");
  for (const re of ALLOWED) rest = rest.replace(re, " ");
  return rest.match(/[A-Za-z]{2,}/g) ?? [];
}

let portal: Portal;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let filesDir = "";
const leaks: string[] = [];
const visited: string[] = [];

async function settle(action: () => Promise<unknown>) {
  await Promise.all([page.waitForLoadState("load"), action()]);
  await page.waitForLoadState("load");
}

/** Checks the page now shown; `label` names it in the failure list. */
async function check(label: string) {
  const at = new URL(page.url()).pathname;
  visited.push(`${label} ${at}`);
  expect(await page.locator("html").getAttribute("lang"), `${label}: html lang`).toBe("pa");
  const found = (await page.evaluate(COLLECT)) as Array<{
    where: string;
    text: string;
    lang: string;
  }>;
  for (const f of found) {
    if (f.lang && f.lang !== "pa") continue;
    const runs = latinRuns(f.text);
    if (runs.length)
      leaks.push(`${label} (${at}) ${f.where}: ${runs.join(" ")} ← "${f.text.slice(0, 120)}"`);
  }
}

async function visit(label: string, url: string) {
  await settle(() => page.goto(url));
  await check(label);
}

/**
 * Whether the focused element is the error summary: it takes focus through
 * the HTML `autofocus` attribute (layout.njk), as citizen pages load no
 * GOV.UK JavaScript.
 */
const focusedIsErrorSummary = () =>
  page.evaluate(
    `document.activeElement?.classList.contains("govuk-error-summary") === true`,
  ) as Promise<boolean>;

const csrf = () => page.locator('input[name="_csrf"]').first().inputValue();

beforeAll(async () => {
  [portal, browser] = await Promise.all([
    startPortal(controllableClock("2025-11-03T10:00+05:30")),
    launchBrowser(),
  ]);
  context = await browser.newContext({ baseURL: portal.url, locale: "pa-IN" });
  page = await context.newPage();
  page.setDefaultTimeout(20_000);
  filesDir = fs.mkdtempSync(path.join(REPO_ROOT, "node_modules", ".sewa-pa-crawl-"));
});
afterAll(async () => {
  await browser?.close();
  await portal?.close();
  if (filesDir) fs.rmSync(filesDir, { recursive: true, force: true });
});

describe("a Punjabi reader meets no English", () => {
  it("the allowlist removes only what it names", () => {
    expect(latinRuns("ਹਵਾਲਾ ਨੰਬਰ LDH-K7M3-PQ7X, fard.pdf, ਪੀਡੀਐੱਫ਼ PDF")).toEqual([]);
    expect(latinRuns("ਅਰਜ਼ੀ Submitted")).toEqual(["Submitted"]);
    expect(latinRuns("ਤੁਹਾਡਾ ਨਾਂ Simran Kaur, District")).toEqual(["District"]);
  });

  it("crawls every citizen page in Punjabi", async () => {
    const { db } = portal.database;
    const [tehsil] = await rows<{ code: number }>(
      db,
      sql`select code from tehsils where district_code = 36 order by code limit 1`,
    );
    const [income] = await rows<{ id: number }>(
      db,
      sql`select id from services where code = 'income-certificate'`,
    );
    const [generic] = await rows<{ id: number }>(
      db,
      sql`select s.id from services s where s.form = 'generic' and s.name ilike '%demarcation%' limit 1`,
    );
    const [department] = await rows<{ code: string }>(
      db,
      sql`select code from departments order by code limit 1`,
    );

    // Finding a service.
    await visit("home", "/?lang=pa");
    await visit("search", `/?q=${encodeURIComponent("ਆਮਦਨ")}`);
    await screenshot(page, "pa-01-find-service");
    await visit("search, no result", `/?q=${encodeURIComponent("ਕੁਝਨਹੀਂ")}`);
    await visit("department", `/?department=${department?.code}`);
    await visit("service (generic form)", `/services/${generic?.id}`);
    await visit("service (definition)", `/services/${income?.id}`);

    // The generic form: errors, then check answers, confirmation, acknowledgement.
    await visit("generic form", `/services/${generic?.id}/apply`);
    await settle(() =>
      page.locator('main form button[type="submit"], main form .govuk-button').last().click(),
    );
    await check("generic form with errors");
    expect(await focusedIsErrorSummary(), "generic form: focus on the error summary").toBe(true);
    await page.locator("#privacyConsent").check();
    await page.locator("#name").fill("Simran Kaur");
    await page.locator("#relativeName").fill("Balwinder Singh");
    await page.locator('input[name="gender"]').first().check();
    await page.locator("#dob-day").fill("੫");
    await page.locator("#dob-month").fill("੬");
    await page.locator("#dob-year").fill("੧੯੯੨");
    await page.locator("#mobile").fill("੯੮੧੨੩੧੨੩੧੨");
    await page.locator("#line1").fill("12 Model Town");
    await page.locator("#districtCode").selectOption("36");
    await page.locator("#tehsilCode").selectOption(String(tehsil?.code));
    await page.locator("#pincode").fill("141001");
    await page.locator("#purpose").fill("ਜ਼ਮੀਨ ਦੀ ਨਿਸ਼ਾਨਦੇਹੀ");
    await page
      .locator("#documents")
      .setInputFiles(writeFile(filesDir, "fard.pdf", tinyPdf("Fard")));
    await page.locator('input[name="declaration"]').check();
    await settle(() =>
      page.locator('main form button[type="submit"], main form .govuk-button').last().click(),
    );
    expect(new URL(page.url()).pathname).toMatch(/\/check$/);
    await check("generic check answers");
    await settle(() =>
      page.locator('main form button[type="submit"], main form .govuk-button').last().click(),
    );
    await check("generic confirmation");
    const reference = ((await page.locator("#reference").textContent()) ?? "").trim();
    const ack = await page.locator('a[href*="/acknowledgement"]').first().getAttribute("href");
    if (ack) await visit("acknowledgement", ack);

    // A service definition: start, task list, each question page, documents, check answers, confirmation.
    await visit("definition start", `/services/${income?.id}/apply`);
    await page.locator('input[name="privacyConsent"]').check();
    await settle(() =>
      page.locator('main form button[type="submit"], main form .govuk-button').last().click(),
    );
    await check("definition task list");
    const draft = new URL(page.url()).pathname.split("/")[2] as string;
    const answers: Array<[string, Record<string, string>]> = [
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
          "homeAddress.tehsilCode": String(tehsil?.code),
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
    for (const [pageId, form] of answers) {
      await visit(`question page ${pageId}`, `/drafts/${draft}/pages/${pageId}`);
      if (pageId === "earners") await screenshot(page, "pa-02-question-page");
      if (pageId === "name") {
        // The last button: the first one on the name page suggests a Gurmukhi spelling.
        await settle(() => page.locator('main form button[type="submit"]').last().click());
        await check("question page with errors");
        expect(await focusedIsErrorSummary(), "question page: focus on the error summary").toBe(
          true,
        );
      }
      const res = await context.request.post(`/drafts/${draft}/pages/${pageId}`, {
        form: { ...form, _csrf: await csrf() },
        maxRedirects: 0,
      });
      expect(res.status(), pageId).toBe(303);
    }
    await visit("documents", `/drafts/${draft}/documents`);
    // A multipart form carries its CSRF token in its action's query string.
    const action = await page
      .locator('main form[enctype="multipart/form-data"]')
      .first()
      .getAttribute("action");
    const upload = await context.request.post(action ?? "", {
      multipart: Object.fromEntries(
        ["doc-aadhaarCard", "doc-selfDeclaration", "doc-verificationReport", "doc-incomeProof"].map(
          (k) => [
            k,
            { name: `${k.slice(4)}.pdf`, mimeType: "application/pdf", buffer: tinyPdf(k) },
          ],
        ),
      ),
      maxRedirects: 0,
    });
    expect(upload.status()).toBe(303);
    await visit("documents uploaded", `/drafts/${draft}/documents`);
    await screenshot(page, "pa-03-documents");
    await visit("definition check answers", `/drafts/${draft}/review`);
    await screenshot(page, "pa-04-check-answers");
    await settle(() => page.locator('main form button[type="submit"]').last().click());
    await check("definition confirmation");
    await screenshot(page, "pa-05-confirmation");
    const definitionReference = ((await page.locator("#reference").textContent()) ?? "").trim();

    // Tracking, a fee due, a send-back and the resubmission form.
    await visit("track", "/track");
    await page.locator("#reference").fill(reference);
    await page.locator("#mobile").fill("9812312312");
    await settle(() => page.locator('main form button[type="submit"]').last().click());
    await check("tracked application");
    await visit("tracked definition application (fee due)", `/track/${definitionReference}`);
    await screenshot(page, "pa-06-track");
    const officer = await actorFor(db, "do.ludhiana", "2025-11-03");
    const row = await svc.findApplicationByReference(db, reference);
    await svc.decide(
      db,
      officer,
      reference,
      { action: "send_back", remark: "ਫ਼ਰਦ ਦੀ ਸਾਫ਼ ਕਾਪੀ ਲਗਾਓ।", version: row?.version as number },
      portal.clock.now(),
    );
    await visit("sent back", `/track/${reference}`);
    await visit("resubmit form", `/track/${reference}/resubmit`);

    // Signing in, your applications, the profile.
    await visit("sign in", "/login");
    await page.locator("#mobile").fill("9812312312");
    await settle(() => page.locator('main form button[type="submit"]').last().click());
    await check("sign-in code");
    const sms = portal.app.deps.sms as ReturnType<typeof capturingSms>;
    const code = /(\d{6})/.exec(
      sms.sent.filter((s) => s.to === "9812312312").at(-1)?.text ?? "",
    )?.[1] as string;
    await page.locator("#code").fill(code);
    await settle(() => page.locator('main form button[type="submit"]').first().click());
    await check("your applications");
    await visit("profile", "/my/profile");

    // Information and error pages.
    await visit("privacy", "/privacy");
    await visit("accessibility statement", "/accessibility");
    await visit("contact and help", "/help");
    await visit("help for a district", "/help?district=36");
    await visit("verify", "/verify");
    await visit("not found (404)", "/no-such-page");
    await settle(() => page.goto("/track"));
    await settle(() => page.locator('main form button[type="submit"]').last().click());
    await check("track with errors (400)");

    // An officer's decision in Punjabi (staff side: screenshot only), then the citizen downloads the certificate.
    const filed = await portal.app.inject({
      method: "POST",
      url: "/api/v1/applications",
      payload: {
        serviceId: generic?.id,
        applicant: {
          name: "Simran Kaur",
          nameGurmukhi: "ਸਿਮਰਨ ਕੌਰ",
          relativeName: "Balwinder Singh",
          gender: "female",
          dateOfBirth: "1992-06-05",
          mobile: "9812312312",
        },
        address: {
          line1: "12 Model Town",
          districtCode: 36,
          tehsilCode: tehsil?.code,
          pincode: "141001",
        },
        purpose: "ਜ਼ਮੀਨ ਦੀ ਨਿਸ਼ਾਨਦੇਹੀ",
        declaration: true,
      },
    });
    expect(filed.statusCode).toBe(201);
    const approvedReference: string = filed.json().reference;
    const official = await findOfficialByUsername(db, "do.ludhiana");
    const staffContext = await browser.newContext({ baseURL: portal.url, locale: "pa-IN" });
    await staffContext.addCookies([
      {
        name: "sewa_staff",
        value: await startSession(db, official?.id as number, new Date(), { mfa: true }),
        url: portal.url,
      },
    ]);
    const desk = await staffContext.newPage();
    await desk.goto(`/desk/applications/${approvedReference}?lang=pa`);
    await desk.locator('input[name="action"][value="approve"]').check();
    await desk.locator("#remark").fill("ਰਿਕਾਰਡ ਦੀ ਜਾਂਚ ਕੀਤੀ।");
    await screenshot(desk, "pa-07-officer-decision");
    await Promise.all([
      desk.waitForEvent("framenavigated"),
      desk.locator('main form button[type="submit"]').last().click(),
    ]);
    await desk.waitForLoadState("load");
    expect(await desk.locator(".govuk-error-summary").count()).toBe(0);
    await staffContext.close();
    await visit("track", "/track");
    await page.locator("#reference").fill(approvedReference);
    await page.locator("#mobile").fill("9812312312");
    await settle(() => page.locator('main form button[type="submit"]').last().click());
    await check("tracked application with its certificate");
    const certificateLink = page.locator('main a[href*="/documents/"]').last();
    expect(await certificateLink.count()).toBe(1);
    await screenshot(page, "pa-08-download-outcome");
    const download = await context.request.get((await certificateLink.getAttribute("href")) ?? "");
    expect(download.status()).toBe(200);
    expect((await download.body()).subarray(0, 5).toString("latin1")).toBe("%PDF-");

    expect(visited.length).toBeGreaterThan(35);
    expect(leaks).toEqual([]);
  });
});
