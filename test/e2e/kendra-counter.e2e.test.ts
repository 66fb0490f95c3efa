/**
 * Browser journey (issue 9, flow 1): a walk-in at a Sewa Kendra, from token
 * to the manager's approval of the counter's day close.
 *
 * 1. The citizen takes a walk-in token at the kiosk of the demo centre.
 * 2. The demo operator (`operator.ludhiana`, password + TOTP) takes counter 1
 *    at `/counter`, calls the token, starts serving and follows "Apply for a
 *    service for this citizen".
 * 3. The operator fills the income certificate on the citizen's own pages and
 *    uploads the scanned documents; the check page offers the consent step
 *    instead of the citizen's submit button.
 * 4. The consent code goes to the applicant's mobile (read here from the SMS
 *    the portal captured); a wrong code is refused; the right one files it.
 * 5. The operator takes the fee in cash at `/counter/payments` (receipt).
 * 6. At the end of the day the operator closes the counter with a deliberate
 *    shortfall and a remark; the manager (`manager.ludhiana`) approves it.
 * Every counter page is checked with axe (WCAG 2.2 AA tags): zero violations.
 */
import { sql } from "drizzle-orm";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rows } from "../../src/db/client.ts";
import type { capturingSms } from "../../src/notifications/sms.ts";
import { DEMO_KENDRA_CODE } from "../../src/setup.ts";
import { tinyPdf } from "./files.ts";
import {
  axeViolations,
  controllableClock,
  launchBrowser,
  navigate,
  type Portal,
  screenshot,
  signInStaff,
  startPortal,
} from "./harness.ts";

const MOBILE = "9815012345";

let portal: Portal;
let browser: Browser;
let sms: ReturnType<typeof capturingSms>;
const problems: string[] = [];

beforeAll(async () => {
  portal = await startPortal(controllableClock("2026-03-02T10:00:00+05:30"));
  sms = portal.app.deps.sms as ReturnType<typeof capturingSms>;
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await portal?.close();
});

async function axe(page: Page, label: string) {
  problems.push(...(await axeViolations(page, label)));
}

async function signIn(username: string): Promise<Page> {
  const context = await browser.newContext({ baseURL: portal.url });
  const page = await context.newPage();
  await signInStaff(page, username);
  return page;
}

/** Sets a form control by its name: text boxes are filled, selects chosen, radios and checkboxes ticked. */
async function set(page: Page, name: string, value: string) {
  const el = page.locator(`[name="${name}"]`).first();
  const kind = await el.evaluate(
    (e) => `${e.tagName}:${(e as unknown as { type?: string }).type ?? ""}`,
  );
  if (kind.startsWith("SELECT")) await el.selectOption(value);
  else if (kind.endsWith(":radio") || kind.endsWith(":checkbox"))
    await page.locator(`[name="${name}"][value="${value}"]`).check();
  else await el.fill(value);
}

describe("Sewa Kendra counter: token to day close", () => {
  it("files an assisted application with the applicant's consent, takes the fee and closes the day", async () => {
    const { db } = portal.database;
    const [tehsil] = await rows<{ code: number }>(
      db,
      sql`select code from tehsils where district_code = 36 order by code limit 1`,
    );

    // 1. A walk-in token at the kiosk.
    const kioskContext = await browser.newContext({ baseURL: portal.url });
    const kiosk = await kioskContext.newPage();
    await kiosk.goto(`/kendras/${DEMO_KENDRA_CODE}/kiosk?lang=en`);
    await kiosk.getByLabel("Mobile number", { exact: true }).fill(MOBILE);
    await navigate(kiosk, () => kiosk.getByRole("button", { name: "Take a token" }).click());
    const number = (await kiosk.locator("#token-number").textContent())?.trim();
    expect(number).toMatch(/^\d+$/);

    // 2. The operator takes counter 1, calls the token and serves it.
    const operator = await signIn("operator.ludhiana");
    await navigate(operator, () => operator.goto("/counter?lang=en"));
    await operator.getByLabel("Counter number").fill("1");
    await navigate(operator, () =>
      operator.getByRole("button", { name: "Work at this counter" }).click(),
    );
    await navigate(operator, () => operator.getByRole("button", { name: "Call next" }).click());
    expect((await operator.locator("#current-token").textContent())?.trim()).toBe(number);
    await navigate(operator, () => operator.getByRole("button", { name: "Start serving" }).click());
    await axe(operator, "counter");
    await navigate(operator, () =>
      operator.getByRole("link", { name: "Apply for a service for this citizen" }).click(),
    );
    expect(new URL(operator.url()).pathname).toBe("/counter/apply");
    await axe(operator, "counter/apply");
    await screenshot(operator, "kendra-counter-apply");

    // 3. The income certificate, on the citizen's own pages.
    await navigate(operator, () =>
      operator.getByRole("link", { name: "Income certificate", exact: true }).click(),
    );
    await axe(operator, "counter/apply start");
    await operator.getByLabel("The applicant has been told and agrees").check();
    await navigate(operator, () =>
      operator.getByRole("button", { name: "Start the application" }).click(),
    );
    const draft = new URL(operator.url()).pathname.split("/")[2] as string;
    expect(new URL(operator.url()).pathname).toBe(`/drafts/${draft}/tasks`);
    const pages: Array<[string, Record<string, string>]> = [
      ["name", { fullName: "Paramjit Kaur", relativeName: "Sukhdev Singh" }],
      [
        "birth",
        {
          "dateOfBirth-day": "14",
          "dateOfBirth-month": "8",
          "dateOfBirth-year": "1982",
          gender: "female",
        },
      ],
      ["contact", { mobile: MOBILE }],
      [
        "address",
        {
          "homeAddress.line1": "House 12, Sarabha Nagar",
          "homeAddress.districtCode": "36",
          "homeAddress.tehsilCode": String(tehsil?.code),
          "homeAddress.pincode": "141001",
        },
      ],
      ["purposePage", { purpose: "scholarship" }],
      [
        "earners",
        {
          "earningMembers.0.memberName": "Sukhdev Singh",
          "earningMembers.0.relation": "father",
          "earningMembers.0.incomeSource": "agriculture",
          "earningMembers.0.annualIncome": "96000",
        },
      ],
      ["land", { ownsLand: "no" }],
      ["total", { totalAnnualIncome: "96000" }],
      ["copiesPage", { copies: "1" }],
      ["declarationPage", { declaration: "agree" }],
    ];
    for (const [pageId, answers] of pages) {
      await navigate(operator, () => operator.goto(`/drafts/${draft}/pages/${pageId}?lang=en`));
      for (const [name, value] of Object.entries(answers)) await set(operator, name, value);
      await navigate(operator, () =>
        operator.getByRole("button", { name: "Save and continue", exact: true }).click(),
      );
      expect(await operator.locator(".govuk-error-summary").count(), pageId).toBe(0);
    }
    // The scanned documents, through the same document step.
    await navigate(operator, () => operator.goto(`/drafts/${draft}/documents?lang=en`));
    for (const id of ["aadhaarCard", "selfDeclaration", "verificationReport", "incomeProof"])
      await operator.locator(`input[name="doc-${id}"]`).setInputFiles({
        name: `${id}.pdf`,
        mimeType: "application/pdf",
        buffer: tinyPdf(`Scanned at the counter: ${id}`),
      });
    await navigate(operator, () =>
      operator.getByRole("button", { name: "Save and continue", exact: true }).click(),
    );
    await navigate(operator, () => operator.goto(`/drafts/${draft}/review?lang=en`));
    expect(await operator.getByRole("button", { name: "Accept and send" }).count()).toBe(0);
    await navigate(operator, () =>
      operator.getByRole("button", { name: "Continue to the applicant's consent" }).click(),
    );

    // 4. The consent code from the applicant's SMS; a wrong code first.
    expect(new URL(operator.url()).pathname).toBe(`/drafts/${draft}/consent`);
    expect((await operator.locator("#consent-mobile").textContent())?.trim()).toBe(MOBILE);
    await axe(operator, "consent");
    const before = sms.sent.length;
    await navigate(operator, () => operator.getByRole("button", { name: "Send the code" }).click());
    const message = sms.sent.slice(before).find((m) => m.to === MOBILE);
    const code = /^(\d{6}) /.exec(message?.text ?? "")?.[1] as string;
    expect(code).toMatch(/^\d{6}$/);
    await operator
      .getByLabel("Code the applicant reads out")
      .fill(code === "999999" ? "999998" : "999999");
    await navigate(operator, () =>
      operator.getByRole("button", { name: "File the application" }).click(),
    );
    expect(await operator.locator(".govuk-error-summary").textContent()).toContain(
      "The code is not right",
    );
    await axe(operator, "consent error");
    await operator.getByLabel("Code the applicant reads out").fill(code);
    await navigate(operator, () =>
      operator.getByRole("button", { name: "File the application" }).click(),
    );
    expect(new URL(operator.url()).pathname).toBe(`/drafts/${draft}/filed`);
    const reference = (await operator.locator("#reference").textContent())?.trim() as string;
    expect(reference).toMatch(/^[A-Z]/);
    expect((await operator.locator("#due-date").textContent())?.trim()).not.toBe("");
    await axe(operator, "filed");
    await screenshot(operator, "kendra-counter-filed");
    const [filed] = await rows<{ channel: string; kendra_code: string; counter: number }>(
      db,
      sql`select channel, kendra_code, counter from applications where reference = ${reference}`,
    );
    expect(filed).toMatchObject({ channel: "kendra", kendra_code: DEMO_KENDRA_CODE, counter: 1 });

    // The applicant tracks it as usual; the timeline says where it was filed and with their consent.
    const citizen = await kioskContext.newPage();
    await citizen.goto("/track?lang=en");
    await citizen.getByLabel("Reference number").fill(reference);
    await citizen.getByLabel("Mobile number").fill(MOBILE);
    await navigate(citizen, () => citizen.getByRole("button", { name: "Track" }).click());
    expect(await citizen.textContent("main")).toContain(
      "Filed at Sewa Kendra, District Administrative Complex, Ludhiana, counter 1, with the applicant's consent",
    );

    // 5. The fee in cash at the counter.
    await navigate(operator, () => operator.getByRole("button", { name: "Take the fee" }).click());
    await operator.getByLabel("Cash").check();
    await navigate(operator, () =>
      operator.getByRole("button", { name: "Record the payment and print the receipt" }).click(),
    );
    expect(await operator.locator(".govuk-notification-banner").textContent()).toContain("RCPT-");
    await axe(operator, "counter/payments");

    // 6. End of the day: close counter 1 with ₹5 short and a remark.
    portal.clock.set("2026-03-02T17:30:00+05:30");
    await navigate(operator, () => operator.goto("/counter/close?lang=en"));
    expect(await operator.locator("#expected").textContent()).toContain("₹75");
    expect(await operator.locator("#cash-receipts").textContent()).toContain(reference);
    await axe(operator, "counter/close");
    await operator.getByLabel("Rupees").fill("70");
    await navigate(operator, () =>
      operator.getByRole("button", { name: "Submit the day close" }).click(),
    );
    expect(await operator.locator(".govuk-error-summary").textContent()).toContain(
      "Explain the difference",
    );
    await axe(operator, "counter/close error");
    await operator.getByLabel("Remark").fill("₹5 given back as change by mistake");
    await navigate(operator, () =>
      operator.getByRole("button", { name: "Submit the day close" }).click(),
    );
    expect((await operator.locator("#close-difference").textContent())?.trim()).toBe("−₹5");
    await screenshot(operator, "kendra-counter-close");

    // The manager approves it.
    const manager = await signIn("manager.ludhiana");
    await navigate(manager, () => manager.goto("/kendra?lang=en"));
    await axe(manager, "kendra");
    await navigate(manager, () =>
      manager.getByRole("link", { name: "Day closes waiting for approval" }).click(),
    );
    expect(await manager.locator("main").textContent()).toContain("−₹5");
    await axe(manager, "kendra/closes");
    await screenshot(manager, "kendra-closes");
    await navigate(manager, () => manager.getByRole("button", { name: "Approve" }).click());
    const [close] = await rows<{ status: string; difference_paise: string | number }>(
      db,
      sql`select status, difference_paise from cash_closes where kendra_code = ${DEMO_KENDRA_CODE} and counter = 1`,
    );
    expect(close?.status).toBe("approved");
    expect(Number(close?.difference_paise)).toBe(-500);
    await navigate(operator, () => operator.goto("/counter/close?lang=en"));
    expect((await operator.locator("#close-status").textContent())?.trim()).toBe("Approved");

    expect(problems).toEqual([]);
  }, 600_000);
});
