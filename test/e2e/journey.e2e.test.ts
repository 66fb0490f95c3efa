/**
 * The citizen-to-officer journey in a real browser (headless Chromium, JavaScript
 * on, English): search a service, apply with a deliberate mistake and then
 * correctly with two attachments (one named in Gurmukhi), check answers, submit,
 * track, be sent back for a deficiency, correct and resubmit, and be approved.
 *
 * The portal runs in-process on a clock the test moves, so every due date is
 * known in advance. The expected dates are counted by hand below under the rule
 * of /work/shared/cases/README.md (General Clauses Act, 1897, s.9): working days
 * only (Saturday, Sunday and the 2025 gazetted holidays of
 * data/punjab-gazetted-holidays.csv are not), the day of receipt never counts,
 * a day counts only when the application is with the department at its end
 * (IST), and the day of resubmission counts.
 *
 * Service: "Demarcation of land", Revenue, 45 working days (351-service list).
 * 2025 gazetted holidays on weekdays after receipt: Mon 20 Oct (Diwali),
 * Wed 22 Oct (Vishwakarma Day), Wed 5 Nov (Guru Nanak Dev Ji), Tue 25 Nov
 * (Guru Tegh Bahadur Ji), Thu 25 Dec (Christmas); Sat 27 Dec is a holiday and a
 * weekend day anyway.
 *
 * Received Fri 17 Oct 2025, 10:00 IST (the day of receipt does not count):
 *   Oct 21(1) 23(2) 24(3) 27-31(4-8)
 *   Nov 3-4(9-10) 6-7(11-12) 10-14(13-17) 17-21(18-22) 24(23) 26-28(24-26)
 *   Dec 1-5(27-31) 8-12(32-36) 15-19(37-41) 22-24(42-44) 26(45)
 *   → due at submission **Fri 26 Dec 2025**.
 * Sent back Thu 23 Oct 2025, 16:00 IST: at the end of 23 Oct the applicant holds
 * it, so only 21 Oct (1) has counted; the due date is unknown while paused.
 * Resubmitted Mon 27 Oct 2025, 10:00 IST: 27 Oct counts as day 2 (it was day 4
 * before), so the count runs two working days later than before: the 45th day is
 * the old 47th, Fri 26 Dec(45) → Mon 29 Dec(46) → **Tue 30 Dec 2025**.
 * Approved Wed 12 Nov 2025, 14:00 IST: in time; the due date stays 30 Dec 2025.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { generate } from "otplib";
import type { Browser, BrowserContext, Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_PASSWORD, DEMO_TOTP_SECRET } from "../../src/setup.ts";
import { tinyPdf, tinyPng, writeFile } from "./files.ts";
import {
  type ControllableClock,
  controllableClock,
  launchBrowser,
  type Portal,
  screenshot,
  startPortal,
} from "./harness.ts";

// The moments of the journey (IST).
const RECEIVED = "2025-10-17T10:00+05:30"; // Fri
const TRACKED = "2025-10-17T10:20+05:30";
const SENT_BACK = "2025-10-23T16:00+05:30"; // Thu
const RESUBMITTED = "2025-10-27T10:00+05:30"; // Mon
const APPROVED = "2025-11-12T14:00+05:30"; // Wed
const FINAL_TRACK = "2025-11-12T18:00+05:30";

// Hand-computed (see the module comment).
const DUE_AT_SUBMISSION = "26 Dec 2025";
const DUE_AFTER_RESUBMISSION = "30 Dec 2025";

const APPLICANT = {
  name: "ਗੁਰਪ੍ਰੀਤ ਕੌਰ",
  relativeName: "Harjit Singh",
  mobile: "9876543210",
  // The same number in Gurmukhi digits (case C-14), used for the second look-up.
  mobileGurmukhi: "੯੮੭੬੫੪੩੨੧੦",
  email: "gurpreet@example.in",
  line1: "House 12, Gali 3, Model Town",
  line2: "Ludhiana",
  pincode: "141002",
  purpose: "Demarcation of my agricultural land, khasra number 45//12, before fencing it.",
};

const GURMUKHI_PDF = "ਜਮ੍ਹਾਂਬੰਦੀ.pdf";
const SITE_PLAN_PNG = "site-plan.png";
const EXTRA_PDF = "jamabandi-2024-25.pdf";
/** The two files sent with the application, in the order they were sent (the portal keeps it). */
const FIRST_BATCH = [GURMUKHI_PDF, SITE_PLAN_PNG];
const SEND_BACK_REMARK =
  "Attach the jamabandi for 2024-25; the copy sent is for 2019-20 and is out of date.";
const APPROVE_REMARK = "Demarcation done on 11 Nov 2025 by the Kanungo; report placed on file.";

let portal: Portal;
let clock: ControllableClock;
let browser: Browser;
let citizen: BrowserContext;
let officer: BrowserContext;
let filesDir: string;
const files: Record<string, { path: string; bytes: Buffer }> = {};

beforeAll(async () => {
  clock = controllableClock(RECEIVED);
  filesDir = fs.mkdtempSync(path.join(os.tmpdir(), "sewa-e2e-files-"));
  const make = (name: string, bytes: Buffer) => {
    files[name] = { path: writeFile(filesDir, name, bytes), bytes };
  };
  make(GURMUKHI_PDF, tinyPdf("Jamabandi 2019-20, khasra 45//12"));
  make(SITE_PLAN_PNG, tinyPng(40, 30, [11, 74, 111]));
  make(EXTRA_PDF, tinyPdf("Jamabandi 2024-25, khasra 45//12"));
  [portal, browser] = await Promise.all([startPortal(clock), launchBrowser()]);
  const options = {
    baseURL: portal.url,
    locale: "en-IN",
    timezoneId: "Asia/Kolkata",
    viewport: { width: 1024, height: 768 },
    acceptDownloads: true,
  };
  citizen = await browser.newContext(options);
  officer = await browser.newContext(options);
});

afterAll(async () => {
  await browser?.close();
  await portal?.close();
  if (filesDir) fs.rmSync(filesDir, { recursive: true, force: true });
});

/**
 * Runs `action` (a click that submits a form or follows a link) and waits until
 * the next document has loaded. Works when the URL does not change (a form that
 * comes back with errors is a new document at the same address).
 */
async function navigate(page: Page, action: () => Promise<unknown>): Promise<void> {
  const committed = page.waitForEvent("framenavigated", (f) => f === page.mainFrame());
  await action();
  await committed;
  await page.waitForLoadState("load");
}

/** The value cell of the summary-list row whose key is `key`. */
function summaryValue(page: Page, key: string): Locator {
  return page
    .locator(".govuk-summary-list__row")
    .filter({ has: page.locator(".govuk-summary-list__key", { hasText: key }) })
    .first()
    .locator(".govuk-summary-list__value");
}

/** Text with runs of white space collapsed (for comparing rendered text). */
async function text(locator: Locator): Promise<string> {
  return ((await locator.textContent()) ?? "").replace(/\s+/g, " ").trim();
}

/** Signs the officer in (the desk sends an anonymous visitor to the sign-in page). */
async function signInOfficer(page: Page): Promise<void> {
  await navigate(page, () => page.goto("/desk"));
  expect(new URL(page.url()).pathname).toBe("/staff/login");
  await page.getByLabel("Username").fill("do.ludhiana");
  await page.getByLabel("Password").fill(DEMO_PASSWORD);
  await screenshot(page, "08-staff-sign-in");
  await navigate(page, () => page.getByRole("button", { name: "Sign in" }).click());
  expect(new URL(page.url()).pathname).toBe("/staff/totp");
  // The second factor: the code an authenticator app would show for the demo secret now.
  await page.getByLabel("6-digit code").fill(await generate({ secret: DEMO_TOTP_SECRET }));
  await navigate(page, () => page.getByRole("button", { name: "Continue" }).click());
  expect(new URL(page.url()).pathname).toBe("/desk");
}

/** Looks the application up at /track with its reference and a mobile number. */
async function trackByReference(page: Page, reference: string, mobile: string): Promise<void> {
  await navigate(page, () => page.goto("/track"));
  await page.getByLabel("Reference number").fill(reference);
  await page.getByLabel("Mobile number").fill(mobile);
  await navigate(page, () => page.getByRole("button", { name: "Track" }).click());
  expect(new URL(page.url()).pathname).toBe(`/track/${reference}`);
}

describe("journey: apply, send back, resubmit, approve (Demarcation of land, Ludhiana)", () => {
  it("C-08, C-11, C-12, C-14: takes an application from search to approval, the due date paused for the deficiency", async () => {
    const page = await citizen.newPage();

    // ---- 1. Search on the home page.
    await navigate(page, () => page.goto("/"));
    await page.getByLabel("Search for a service").fill("Demarcation of land");
    await navigate(page, () => page.getByRole("button", { name: "Search", exact: true }).click());
    const rows = page.locator("ul[aria-labelledby=results] > li").filter({
      has: page.getByRole("link", { name: "Demarcation of land", exact: true }),
    });
    expect(await rows.count()).toBe(2);
    await screenshot(page, "01-home-search");
    const row45 = rows.filter({ hasText: "45 working days" });
    expect(await row45.count()).toBe(1);
    expect(await text(row45)).toContain("Revenue");

    // ---- 2. The service page: time limit, notification; Apply.
    await navigate(page, () => row45.getByRole("link", { name: "Demarcation of land" }).click());
    expect(await text(page.locator("h1"))).toBe("Demarcation of land");
    expect(await text(summaryValue(page, "Time limit"))).toBe("45 working days");
    expect(await text(summaryValue(page, "Notified under"))).toContain("351-service list");
    expect(await text(page.locator(".govuk-caption-l"))).toBe("Revenue");
    await screenshot(page, "02-service-demarcation-of-land");
    await navigate(page, () => page.getByRole("button", { name: "Apply now" }).click());
    expect(new URL(page.url()).pathname).toMatch(/^\/services\/\d+\/apply$/);
    expect(await text(page.locator("h1"))).toBe("Your application");

    // ---- 3. A first attempt with mistakes: 30 February and no PIN code.
    await page.getByLabel("Full name").fill(APPLICANT.name);
    await page.getByLabel("Father’s, mother’s or spouse’s name").fill(APPLICANT.relativeName);
    await page.getByRole("radio", { name: "Female" }).check();
    await page.locator("#dob-day").fill("30");
    await page.locator("#dob-month").fill("2");
    await page.locator("#dob-year").fill("1990");
    await page.getByLabel("Mobile number").fill(APPLICANT.mobile);
    await page.getByLabel("Email address (optional)").fill(APPLICANT.email);
    await page.getByLabel("House and street").fill(APPLICANT.line1);
    await page.getByLabel("Village, town or locality (optional)").fill(APPLICANT.line2);
    await page.getByLabel("District").selectOption({ label: "Ludhiana" });
    const ludhianaEast = page.locator('#tehsilCode optgroup[label="Ludhiana"] > option', {
      hasText: "Ludhiana (East)",
    });
    const tehsilCode = await ludhianaEast.getAttribute("value");
    expect(tehsilCode).toBe("227"); // LGD sub-district code of Ludhiana (East)
    await page.locator("#tehsilCode").selectOption(tehsilCode ?? "");
    await page.getByLabel("What do you need this service for?").fill(APPLICANT.purpose);
    await page.getByLabel(/I agree that my personal data is used/).check();
    await page.getByLabel(/I declare that the information/).check();
    await navigate(page, () => page.getByRole("button", { name: "Continue" }).click());

    const summary = page.locator(".govuk-error-summary");
    expect(await summary.isVisible()).toBe(true);
    expect(await text(summary.locator(".govuk-error-summary__title"))).toBe("There is a problem");
    expect(await page.title()).toMatch(/^Error: /);
    // The date error names the wrong part (the day) and the limit for that month (C-08).
    // The portal writes the month as typed or zero-padded ("2" or "02"); either is right.
    const dobMessage =
      /^Date of birth must be a real date: the day must be from 1 to 28 in February 1990$/;
    const pinMessage = "Enter a PIN code, like 160017";
    const summaryLinks = summary.locator(".govuk-error-summary__list a");
    const summaryTexts = (await summaryLinks.allTextContents()).map((s) => s.trim());
    expect(summaryTexts).toHaveLength(2);
    expect(summaryTexts[0]).toMatch(dobMessage);
    expect(summaryTexts[1]).toBe(pinMessage);
    // The summary links to the wrong part of the date (the day) and to the PIN code.
    expect(await summaryLinks.nth(0).getAttribute("href")).toBe("#dob-day");
    expect(await summaryLinks.nth(1).getAttribute("href")).toBe("#pincode");
    expect(await text(page.locator("#dob-error"))).toBe(`Error: ${summaryTexts[0]}`);
    expect(await text(page.locator("#pincode-error"))).toBe(`Error: ${pinMessage}`);
    // Only the wrong box is marked (GOV.UK date input pattern).
    const marked = async (id: string) =>
      ((await page.locator(id).getAttribute("class")) ?? "").includes("govuk-input--error");
    expect(await marked("#dob-day")).toBe(true);
    expect(await marked("#dob-month")).toBe(false);
    expect(await marked("#dob-year")).toBe(false);
    // Everything typed is kept.
    expect(await page.getByLabel("Full name").inputValue()).toBe(APPLICANT.name);
    expect(await page.getByLabel("Father’s, mother’s or spouse’s name").inputValue()).toBe(
      APPLICANT.relativeName,
    );
    expect(await page.getByRole("radio", { name: "Female" }).isChecked()).toBe(true);
    expect(await page.locator("#dob-day").inputValue()).toBe("30");
    expect(await page.locator("#dob-month").inputValue()).toBe("2");
    expect(await page.locator("#dob-year").inputValue()).toBe("1990");
    expect(await page.getByLabel("Mobile number").inputValue()).toBe(APPLICANT.mobile);
    expect(await page.getByLabel("Email address (optional)").inputValue()).toBe(APPLICANT.email);
    expect(await page.getByLabel("House and street").inputValue()).toBe(APPLICANT.line1);
    expect(await page.getByLabel("District").inputValue()).toBe("36");
    expect(await page.locator("#tehsilCode").inputValue()).toBe("227");
    expect(await page.getByLabel("PIN code").inputValue()).toBe("");
    expect(await page.getByLabel("What do you need this service for?").inputValue()).toBe(
      APPLICANT.purpose,
    );
    expect(await page.getByLabel(/I declare that the information/).isChecked()).toBe(true);
    expect(await page.getByLabel(/I agree that my personal data is used/).isChecked()).toBe(true);
    await screenshot(page, "03-apply-errors");

    // ---- 4. Fix the mistakes and attach two files.
    await page.locator("#dob-day").fill("28");
    await page.getByLabel("PIN code").fill(APPLICANT.pincode);
    await page
      .getByLabel("Upload documents")
      .setInputFiles([files[GURMUKHI_PDF]?.path ?? "", files[SITE_PLAN_PNG]?.path ?? ""]);
    await screenshot(page, "04-apply-corrected");
    await navigate(page, () => page.getByRole("button", { name: "Continue" }).click());
    expect(new URL(page.url()).pathname).toMatch(/^\/drafts\/[^/]+\/check$/);

    // ---- 5. Check answers.
    expect(await text(page.locator("h1"))).toBe(
      "Check your answers before sending your application",
    );
    expect(await text(summaryValue(page, "Full name"))).toBe(APPLICANT.name);
    expect(await text(summaryValue(page, "Date of birth"))).toBe("28 Feb 1990");
    expect(await text(summaryValue(page, "District"))).toBe("Ludhiana");
    expect(await text(summaryValue(page, "Tehsil"))).toBe("Ludhiana (East)");
    expect(await text(summaryValue(page, "PIN code"))).toBe(APPLICANT.pincode);
    // The Gurmukhi file name is shown exactly as sent (C-12).
    const listed = (await text(summaryValue(page, "Documents"))).split(", ");
    expect(listed).toEqual(FIRST_BATCH);
    await screenshot(page, "05-check-answers");
    await navigate(page, () => page.getByRole("button", { name: "Accept and send" }).click());

    // ---- 6. Confirmation: reference number and due date.
    expect(new URL(page.url()).pathname).toMatch(/^\/drafts\/[^/]+\/confirmation$/);
    expect(await text(page.locator(".govuk-panel__title"))).toBe("Application submitted");
    const reference = await text(page.locator("#reference"));
    expect(reference).toMatch(/^LDH-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
    expect(await text(page.locator("#due-date"))).toBe(
      `The office must decide by ${DUE_AT_SUBMISSION}.`,
    );
    await screenshot(page, "06-confirmation");

    // ---- 7. Track it: Submitted, due 26 Dec 2025.
    clock.set(TRACKED);
    await trackByReference(page, reference, APPLICANT.mobile);
    expect(await text(summaryValue(page, "Status"))).toBe("Submitted");
    expect(await text(summaryValue(page, "Due date"))).toBe(DUE_AT_SUBMISSION);
    expect(await text(summaryValue(page, "Received"))).toBe("17 Oct 2025, 10:00 am");
    const tracked = await page.locator("main ul.govuk-list > li").allTextContents();
    expect(tracked).toEqual(FIRST_BATCH);
    await screenshot(page, "07-track-submitted");

    // ---- 8. The designated officer signs in, finds it, reads the attachments, sends it back.
    clock.set(SENT_BACK);
    const desk = await officer.newPage();
    await signInOfficer(desk);
    const inboxRow = desk.locator("tbody tr").filter({ hasText: reference });
    expect(await inboxRow.count()).toBe(1);
    expect(await text(inboxRow)).toContain(APPLICANT.name);
    expect(await text(inboxRow)).toContain("Submitted");
    expect(await text(inboxRow)).toContain(DUE_AT_SUBMISSION);
    await screenshot(desk, "09-desk-inbox");
    await navigate(desk, () => inboxRow.getByRole("link", { name: reference }).click());
    expect(new URL(desk.url()).pathname).toBe(`/desk/applications/${reference}`);
    const attachmentLinks = desk.locator("main ul.govuk-list > li > a");
    expect(await attachmentLinks.allTextContents()).toEqual(FIRST_BATCH);
    await screenshot(desk, "10-desk-application");
    // Each attachment downloads under its own name, byte for byte (C-11, C-12).
    for (const name of [GURMUKHI_PDF, SITE_PLAN_PNG]) {
      const [download] = await Promise.all([
        desk.waitForEvent("download"),
        attachmentLinks.filter({ hasText: name }).click(),
      ]);
      expect(download.suggestedFilename()).toBe(name);
      const saved = fs.readFileSync(await download.path());
      expect(saved.equals(files[name]?.bytes ?? Buffer.alloc(0))).toBe(true);
    }
    await desk.getByRole("radio", { name: "Send back for a deficiency" }).check();
    await desk.getByLabel("Remark").fill(SEND_BACK_REMARK);
    await navigate(desk, () => desk.getByRole("button", { name: "Record decision" }).click());
    expect(await text(summaryValue(desk, "Status"))).toBe("Sent back");
    expect(await text(summaryValue(desk, "Due date"))).toBe("Clock paused: waiting for you");
    await screenshot(desk, "11-desk-sent-back");

    // ---- 9. The citizen tracks again (mobile typed in Gurmukhi digits), sees the remark.
    clock.set(RESUBMITTED);
    await trackByReference(page, reference, APPLICANT.mobileGurmukhi);
    expect(await text(summaryValue(page, "Status"))).toBe("Sent back");
    expect(await text(summaryValue(page, "Due date"))).toBe("Clock paused: waiting for you");
    const banner = page.locator(".govuk-notification-banner");
    expect(await text(banner)).toContain(
      "Your application was sent back. Add what is missing and resubmit it.",
    );
    expect(await text(banner)).toContain(SEND_BACK_REMARK);
    await screenshot(page, "12-track-sent-back");

    // ---- 10. Correct and resubmit with one more file.
    await navigate(page, () => page.getByRole("button", { name: "Correct and resubmit" }).click());
    expect(new URL(page.url()).pathname).toBe(`/track/${reference}/resubmit`);
    expect(await text(page.locator("h1"))).toBe("Correct and resubmit your application");
    expect(await text(page.locator(".govuk-inset-text"))).toContain(SEND_BACK_REMARK);
    // The answers given before are filled in.
    expect(await page.getByLabel("Full name").inputValue()).toBe(APPLICANT.name);
    expect(await page.locator("#dob-day").inputValue()).toBe("28");
    expect(await page.getByLabel("PIN code").inputValue()).toBe(APPLICANT.pincode);
    await page.getByLabel("Upload documents").setInputFiles(files[EXTRA_PDF]?.path ?? "");
    await screenshot(page, "13-resubmit-form");
    await navigate(page, () => page.getByRole("button", { name: "Resubmit application" }).click());
    expect(new URL(page.url()).pathname).toBe(`/track/${reference}`);
    expect(await text(summaryValue(page, "Status"))).toBe("Resubmitted");
    expect(await text(summaryValue(page, "Due date"))).toBe(DUE_AFTER_RESUBMISSION);
    const resubmitted = await page.locator("main ul.govuk-list > li").allTextContents();
    expect(resubmitted).toEqual([...FIRST_BATCH, EXTRA_PDF]);
    await screenshot(page, "14-track-resubmitted");

    // ---- 11. The officer approves it.
    clock.set(APPROVED);
    await navigate(desk, () => desk.goto("/desk"));
    const again = desk.locator("tbody tr").filter({ hasText: reference });
    expect(await text(again)).toContain("Resubmitted");
    expect(await text(again)).toContain(DUE_AFTER_RESUBMISSION);
    await navigate(desk, () => again.getByRole("link", { name: reference }).click());
    const allLinks = await desk.locator("main ul.govuk-list > li > a").allTextContents();
    expect(allLinks).toEqual([...FIRST_BATCH, EXTRA_PDF]);
    await desk.getByRole("radio", { name: "Approve (deliver the service)" }).check();
    await desk.getByLabel("Remark").fill(APPROVE_REMARK);
    await navigate(desk, () => desk.getByRole("button", { name: "Record decision" }).click());
    expect(await text(summaryValue(desk, "Status"))).toBe("Approved");
    expect(await desk.getByRole("button", { name: "Record decision" }).count()).toBe(0);
    await screenshot(desk, "15-desk-approved");

    // ---- 12. The citizen sees the whole history, each step with its date.
    clock.set(FINAL_TRACK);
    await navigate(page, () => page.goto(`/track/${reference}`));
    expect(await text(summaryValue(page, "Status"))).toBe("Approved");
    expect(await text(summaryValue(page, "Due date"))).toBe(DUE_AFTER_RESUBMISSION);
    expect(await page.getByRole("button", { name: "Correct and resubmit" }).count()).toBe(0);
    const timeline = (await page.locator(".sewa-timeline > li").allTextContents()).map((s) =>
      s.replace(/\s+/g, " ").trim(),
    );
    // Newest first.
    expect(timeline).toEqual([
      `Approved and delivered 12 Nov 2025, 2:00 pm · Due date: ${DUE_AFTER_RESUBMISSION} ${APPROVE_REMARK}`,
      `Resubmitted by the applicant 27 Oct 2025, 10:00 am · Due date: ${DUE_AFTER_RESUBMISSION}`,
      `Sent back for a deficiency 23 Oct 2025, 4:00 pm ${SEND_BACK_REMARK}`,
      `Application submitted 17 Oct 2025, 10:00 am · Due date: ${DUE_AT_SUBMISSION}`,
    ]);
    await screenshot(page, "16-track-approved");
  });
});
