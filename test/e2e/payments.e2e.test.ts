/**
 * The last mile in a real browser (issue 8, "Done when"; headless Chromium,
 * English): a citizen applies for the income certificate (2 copies × ₹75,
 * Ludhiana) through its multi-page form and pays online through the payment
 * gateway simulator, run as its own process (`sewa gateway-simulator`) and
 * reached over HTTP like a real gateway:
 *
 * 1. the first attempt is failed at the gateway, and the track page says so;
 * 2. the retry succeeds;
 * 3. the simulator replays the signed webhook three times (C-19): one paid
 *    payment, one receipt link, one "Fee paid" timeline entry, one
 *    `payment.received` outbox event; the receipt PDF downloads;
 * 4. the clerk and the tehsildar take the application through the
 *    definition's stages; the citizen downloads the certificate from the
 *    track page;
 * 5. the QR code, scanned from the PDF rendered to PNG (pdftoppm + jsQR),
 *    holds an ASCII URL of this portal that verifies as genuine on `/verify`;
 * 6. after the tehsildar revokes the certificate, the same URL says revoked;
 * 7. a tampered token is not genuine.
 *
 * Screenshots: `docs/screenshots/payments-*.png`.
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import jsqr from "jsqr";
import { generate } from "otplib";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { PNG } from "pngjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rows } from "../../src/db/client.ts";
import { hmacHex } from "../../src/payments/gateway.ts";
import { DEMO_PASSWORD, DEMO_TOTP_SECRET } from "../../src/setup.ts";
import { tinyPdf, writeFile } from "./files.ts";
import {
  type ControllableClock,
  controllableClock,
  freePort,
  type GatewaySimulatorProcess,
  launchBrowser,
  type Portal,
  SCREENSHOT_DIR,
  screenshot,
  startGatewaySimulatorProcess,
  startPortal,
} from "./harness.ts";

type DecodeQr = typeof jsqr.default;
const jsQR: DecodeQr = typeof jsqr === "function" ? (jsqr as unknown as DecodeQr) : jsqr.default;

const MOBILE = "98140 12345";
const LUDHIANA = 36;
const KEY_ID = "sewa-e2e";
const SECRET = "e2e-gateway-secret-not-for-production";

let portal: Portal;
let clock: ControllableClock;
let browser: Browser;
let simulator: GatewaySimulatorProcess;
let workDir = "";
/** The status of every webhook the portal answered (seen on its HTTP server, not through the app). */
const webhooks: number[] = [];
const contexts: BrowserContext[] = [];
const timings: string[] = [];
let lap = Date.now();

function timing(step: string): void {
  const now = Date.now();
  timings.push(`${step}: ${((now - lap) / 1000).toFixed(1)} s`);
  lap = now;
}

async function navigate(page: Page, action: () => Promise<unknown>): Promise<void> {
  const committed = page.waitForEvent("framenavigated", (f) => f === page.mainFrame());
  await action();
  await committed;
  await page.waitForLoadState("load");
}

const pathOf = (page: Page) => new URL(page.url()).pathname;
const mainText = async (page: Page) =>
  ((await page.locator("main").textContent()) ?? "").replace(/\s+/g, " ");

async function newPage(): Promise<Page> {
  const context = await browser.newContext({
    baseURL: portal.url,
    locale: "en-IN",
    timezoneId: "Asia/Kolkata",
    viewport: { width: 1024, height: 768 },
  });
  contexts.push(context);
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  return page;
}

/** Signs a demo official in with password and TOTP. */
async function signIn(username: string): Promise<Page> {
  const page = await newPage();
  await navigate(page, () => page.goto("/staff/login"));
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password").fill(DEMO_PASSWORD);
  await navigate(page, () => page.getByRole("button", { name: "Sign in" }).click());
  await page.getByLabel("6-digit code").fill(await generate({ secret: DEMO_TOTP_SECRET }));
  await navigate(page, () => page.getByRole("button", { name: "Continue" }).click());
  expect(pathOf(page)).toBe("/desk");
  return page;
}

async function errorSummary(page: Page): Promise<string> {
  const summary = page.locator(".govuk-error-summary");
  return (await summary.count()) ? ((await summary.textContent()) ?? "").replace(/\s+/g, " ") : "";
}

/** Answers one question page of the draft and sends it ("Save and continue"). */
async function answer(page: Page, draft: string, id: string, fill: () => Promise<void>) {
  await navigate(page, () => page.goto(`/drafts/${draft}/pages/${id}`));
  await fill();
  await navigate(page, () =>
    page.getByRole("button", { name: "Save and continue", exact: true }).click(),
  );
  expect(await errorSummary(page), `page ${id}`).toBe("");
}

/** Takes one workflow action on the desk (radio `action`, textarea `remark`). */
async function decide(desk: Page, reference: string, action: string, remark?: string) {
  await navigate(desk, () => desk.goto(`/desk/applications/${reference}`));
  await desk.locator(`input[name="action"][value="${action}"]`).check();
  if (remark) await desk.getByLabel("Remark").fill(remark);
  await navigate(desk, () => desk.getByRole("button", { name: "Record decision" }).click());
  expect(await errorSummary(desk), action).toBe("");
}

const count = async (q: ReturnType<typeof sql>) =>
  Number((await rows<{ n: number }>(portal.database.db, q))[0]?.n);

/** Renders every page of a PDF to PNG (pdftoppm) and returns the PNG files. */
function renderPdf(pdf: Buffer, name: string, dpi: number): string[] {
  const dir = fs.mkdtempSync(path.join(workDir, `${name}-`));
  const file = path.join(dir, `${name}.pdf`);
  fs.writeFileSync(file, pdf);
  execFileSync("pdftoppm", ["-png", "-r", String(dpi), file, path.join(dir, "page")]);
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(".png"))
    .sort()
    .map((f) => path.join(dir, f));
}

/** Changes one character in the middle of part `i` of a compact JWS. */
function tamper(token: string, i: number): string {
  const parts = token.split(".");
  const part = parts[i] as string;
  const pos = Math.floor(part.length / 2);
  parts[i] = part.slice(0, pos) + (part[pos] === "A" ? "B" : "A") + part.slice(pos + 1);
  return parts.join(".");
}

beforeAll(async () => {
  clock = controllableClock("2025-10-17T10:00+05:30"); // a Friday
  for (const tool of ["pdftoppm", "pdftotext"])
    try {
      execFileSync(tool, ["-v"], { stdio: "ignore" });
    } catch {
      throw new Error(
        `${tool} not found: run \`apt-get install -y poppler-utils\` (as .ci/run does)`,
      );
    }
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), "sewa-e2e-payments-"));
  // The simulator's port is chosen first, so that the three start at once.
  const gatewayUrl = `http://127.0.0.1:${await freePort()}`;
  [simulator, browser, portal] = await Promise.all([
    startGatewaySimulatorProcess(KEY_ID, SECRET, Number(new URL(gatewayUrl).port)),
    launchBrowser(),
    startPortal(clock, { gateway: { url: gatewayUrl, keyId: KEY_ID, secret: SECRET } }),
  ]);
  expect(simulator.url).toBe(gatewayUrl);
  portal.app.server.on("request", (req, res) => {
    if (req.method === "POST" && req.url?.startsWith("/api/v1/payments/webhook"))
      res.on("finish", () => webhooks.push(res.statusCode));
  });
  timing("start the simulator process, the browser and the portal");
});

afterAll(async () => {
  for (const c of contexts) await c.close();
  await browser?.close();
  await portal?.close();
  await simulator?.close();
  if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
  console.log(`payments e2e timings:\n  ${timings.join("\n  ")}`);
});

describe("the last mile in the browser", () => {
  it("pays (a failure, a retry, replayed webhooks), gets the certificate, verifies it, sees it revoked, refuses a forgery", async () => {
    const { db } = portal.database;
    const [service] = await rows<{ id: number }>(
      db,
      sql`select id from services where code = 'income-certificate'`,
    );
    const [tehsil] = await rows<{ code: number }>(
      db,
      sql`select code from tehsils where district_code = ${LUDHIANA} order by code limit 1`,
    );

    // ---- The citizen applies through the definition's multi-page form.
    const citizen = await newPage();
    await navigate(citizen, () => citizen.goto(`/services/${service?.id}/apply?lang=en`));
    await citizen.locator('input[name="privacyConsent"][value="yes"]').check();
    await navigate(citizen, () => citizen.getByRole("button", { name: "Start now" }).click());
    expect(pathOf(citizen)).toMatch(/^\/drafts\/[^/]+\/tasks$/);
    const draft = pathOf(citizen).split("/")[2] as string;
    const field = (name: string) => citizen.locator(`[name="${name}"]`);
    await answer(citizen, draft, "name", async () => {
      await field("fullName").fill("Harpreet Kaur");
      await field("relativeName").fill("Gurmeet Singh");
    });
    await answer(citizen, draft, "birth", async () => {
      await field("dateOfBirth-day").fill("5");
      await field("dateOfBirth-month").fill("6");
      await field("dateOfBirth-year").fill("1990");
      await citizen.locator('[name="gender"][value="female"]').check();
    });
    await answer(citizen, draft, "contact", () => field("mobile").fill(MOBILE));
    await answer(citizen, draft, "aadhaarPage", async () => {});
    await answer(citizen, draft, "address", async () => {
      await field("homeAddress.line1").fill("House 7, Model Town");
      await field("homeAddress.districtCode").selectOption(String(LUDHIANA));
      await field("homeAddress.tehsilCode").selectOption(String(tehsil?.code));
      await field("homeAddress.pincode").fill("141002");
    });
    await answer(citizen, draft, "purposePage", () =>
      citizen.locator('[name="purpose"][value="scholarship"]').check(),
    );
    await answer(citizen, draft, "earners", async () => {
      if ((await citizen.locator('[name^="earningMembers.0."]').count()) === 0)
        await navigate(citizen, () =>
          citizen.locator('button[name="_add"][value="earningMembers"]').click(),
        );
      await field("earningMembers.0.memberName").fill("Gurmeet Singh");
      await field("earningMembers.0.relation").selectOption("father");
      await field("earningMembers.0.incomeSource").selectOption("agriculture");
      await field("earningMembers.0.annualIncome").fill("120000");
    });
    await answer(citizen, draft, "land", () =>
      citizen.locator('[name="ownsLand"][value="no"]').check(),
    );
    await answer(citizen, draft, "total", () => field("totalAnnualIncome").fill("120000"));
    await answer(citizen, draft, "copiesPage", () => field("copies").fill("2"));
    await answer(citizen, draft, "declarationPage", () =>
      citizen.locator('[name="declaration"][value="agree"]').check(),
    );
    await navigate(citizen, () => citizen.goto(`/drafts/${draft}/documents`));
    for (const doc of ["aadhaarCard", "selfDeclaration", "verificationReport", "incomeProof"])
      await citizen
        .locator(`input[name="doc-${doc}"]`)
        .setInputFiles(writeFile(workDir, `${doc}.pdf`, tinyPdf(`income certificate: ${doc}`)));
    await navigate(citizen, () =>
      citizen.getByRole("button", { name: "Save and continue", exact: true }).click(),
    );
    expect(await errorSummary(citizen)).toBe("");
    expect(pathOf(citizen)).toBe(`/drafts/${draft}/tasks`);
    await navigate(citizen, () => citizen.goto(`/drafts/${draft}/review`));
    const check = await mainText(citizen);
    expect(check).toContain("Total to pay");
    expect(check).toContain("₹150"); // 2 copies × ₹75, shown before sending
    await navigate(citizen, () => citizen.getByRole("button", { name: "Accept and send" }).click());
    expect(pathOf(citizen)).toMatch(/\/confirmation$/);
    const reference = ((await citizen.locator("#reference").textContent()) ?? "").trim();
    expect(reference).toMatch(/^[A-Z]{3}-/);
    const [app] = await rows<{ id: number; fee_paise: number }>(
      db,
      sql`select id, fee_paise from applications where reference = ${reference}`,
    );
    expect(Number(app?.fee_paise)).toBe(15000);
    timing("apply through the multi-page form");

    // ---- (1) The citizen finds it on the track page and pays; the bank fails the payment.
    await navigate(citizen, () => citizen.goto("/track?lang=en"));
    await citizen.getByLabel("Reference number").fill(reference);
    await citizen.getByLabel("Mobile number").fill(MOBILE);
    await navigate(citizen, () => citizen.getByRole("button", { name: "Track" }).click());
    expect(pathOf(citizen)).toBe(`/track/${reference}`);
    expect(await mainText(citizen)).toContain("Fee: ₹150. Paid: ₹0. Still to pay: ₹150.");
    await screenshot(citizen, "payments-01-track-fee-due");
    const pay = citizen.getByRole("button", { name: "Pay ₹150 online" });
    await navigate(citizen, () => pay.click());
    expect(citizen.url()).toMatch(new RegExp(`^${simulator.url}/pay/order_[0-9a-f]+$`));
    const firstOrder = pathOf(citizen).split("/").pop() as string;
    expect(await mainText(citizen)).toContain(`Pay ₹150.00 for ${reference}`);
    await screenshot(citizen, "payments-02-gateway-simulator");
    await navigate(citizen, () =>
      citizen.getByRole("button", { name: "Fail the payment" }).click(),
    );
    expect(citizen.url()).toBe(`${portal.url}/track/${reference}?payment=failed`);
    const failed = await mainText(citizen);
    expect(failed).toContain(
      "The payment did not go through. No money was taken; you can try again.",
    );
    expect(failed).toContain("Still to pay: ₹150.");
    await screenshot(citizen, "payments-03-payment-failed");
    expect(webhooks, "the simulator's webhook for the failure reached the portal").toEqual([200]);
    timing("first attempt, failed at the gateway");

    // ---- (2) The retry succeeds (a new order at the gateway).
    await navigate(citizen, () => citizen.getByRole("button", { name: "Pay ₹150 online" }).click());
    const orderId = pathOf(citizen).split("/").pop() as string;
    expect(orderId).toMatch(/^order_[0-9a-f]+$/);
    expect(orderId).not.toBe(firstOrder);
    await navigate(citizen, () => citizen.getByRole("button", { name: "Pay (success)" }).click());
    expect(citizen.url()).toBe(`${portal.url}/track/${reference}?payment=paid`);
    expect(await mainText(citizen)).toContain("Payment received. Thank you.");
    expect(webhooks).toEqual([200, 200]); // the simulator sends it before the browser returns
    timing("retry, paid");

    // ---- (3) The gateway replays the signed webhook three times (C-19).
    const replay = await fetch(`${simulator.url}/v1/test/webhooks/${orderId}?times=3`, {
      method: "POST",
      headers: {
        authorization: `Basic ${Buffer.from(`${KEY_ID}:${SECRET}`).toString("base64")}`,
      },
    });
    expect(replay.status).toBe(200);
    expect(await replay.json()).toEqual({ sent: 3 });
    // The simulator answers once the portal has answered the three.
    expect(webhooks).toEqual([200, 200, 200, 200, 200]);
    // And the same signed body, posted three more times at once: received, nothing changed.
    const [{ paymentId }] = (await rows<{ paymentId: string }>(
      db,
      sql`select gateway_payment_id as "paymentId" from payments where gateway_order_id = ${orderId}`,
    )) as [{ paymentId: string }];
    expect(paymentId).toMatch(/^pay_/);
    const raw = JSON.stringify({
      event: "payment.paid",
      orderId,
      paymentId,
      status: "paid",
      amountPaise: 15000,
    });
    const answers = await Promise.all(
      [1, 2, 3].map(() =>
        fetch(`${portal.url}/api/v1/payments/webhook`, {
          method: "POST",
          headers: {
            "content-type": "application/json",
            "x-gateway-signature": hmacHex(SECRET, raw),
          },
          body: raw,
        }).then((r) => r.json()),
      ),
    );
    expect(answers).toEqual(Array(3).fill({ received: true, changed: false }));
    const status = await fetch(`${simulator.url}/v1/orders/${orderId}`, {
      headers: {
        authorization: `Basic ${Buffer.from(`${KEY_ID}:${SECRET}`).toString("base64")}`,
      },
    });
    expect(await status.json()).toMatchObject({ orderId, status: "paid", amountPaise: 15000 });
    const byStatus = await rows<{ status: string; n: number }>(
      db,
      sql`select status, count(*)::int as n from payments where application_id = ${app?.id} group by status order by status`,
    );
    expect(byStatus.map((r) => [r.status, Number(r.n)])).toEqual([
      ["failed", 1],
      ["paid", 1],
    ]);
    expect(
      await count(
        sql`select count(*)::int as n from payments where application_id = ${app?.id} and status = 'paid' and gateway_order_id = ${orderId} and amount_paise = 15000`,
      ),
    ).toBe(1);
    expect(
      await count(
        sql`select count(*)::int as n from application_events where application_id = ${app?.id} and action = 'fee_paid'`,
      ),
    ).toBe(1);
    expect(
      await count(
        sql`select count(*)::int as n from outbox_events where topic = 'payment.received' and payload->>'reference' = ${reference}`,
      ),
    ).toBe(1);
    await navigate(citizen, () => citizen.goto(`/track/${reference}`));
    const paid = await mainText(citizen);
    expect(paid).toContain("Fee: ₹150. Paid: ₹150. Still to pay: ₹0.");
    expect(await citizen.getByRole("button", { name: /online/ }).count()).toBe(0);
    const receipts = citizen.locator(`a[href^="/track/${reference}/receipts/"]`);
    expect(await receipts.count()).toBe(1);
    const receiptNumber = ((await receipts.textContent()) ?? "")
      .replace(/^\s*Receipt\s+/, "")
      .trim();
    expect(receiptNumber).toMatch(/^RCPT-2025-26-\d{7}$/);
    const timelineText = (await citizen.locator(".sewa-timeline").textContent()) ?? "";
    expect(timelineText.match(/Fee paid/g)).toHaveLength(1);
    await screenshot(citizen, "payments-04-track-paid-receipt");
    // The receipt PDF downloads (the browser's own cookies, the grant to track).
    const receipt = await citizen.request.get((await receipts.getAttribute("href")) as string);
    expect(receipt.status()).toBe(200);
    expect(receipt.headers()["content-type"]).toBe("application/pdf");
    const receiptPdf = await receipt.body();
    expect(receiptPdf.subarray(0, 5).toString("latin1")).toBe("%PDF-");
    const receiptText = execFileSync("pdftotext", ["-enc", "UTF-8", "-", "-"], {
      input: receiptPdf,
      encoding: "utf8",
    });
    expect(receiptText).toContain(receiptNumber);
    expect(receiptText).toContain(reference);
    expect(receiptText).toContain(paymentId);
    const [receiptPng] = renderPdf(receiptPdf, "receipt", 80);
    fs.copyFileSync(receiptPng as string, path.join(SCREENSHOT_DIR, "payments-05-receipt-pdf.png"));
    timing("replayed webhooks, one payment, receipt");

    // ---- (4) The officials take it through the stages; the tehsildar approves.
    clock.set("2025-10-20T11:00+05:30");
    const clerk = await signIn("clerk.ludhiana");
    await decide(clerk, reference, "send_for_verification");
    await decide(
      clerk,
      reference,
      "submit_report",
      "Income of ₹1,20,000 verified with the patwari.",
    );
    const tehsildar = await signIn("do.ludhiana");
    await decide(tehsildar, reference, "approve", "Certificate issued.");
    expect(await mainText(tehsildar)).toContain("Certificate issued");
    timing("clerk, patwari report, approval");

    // The citizen downloads the certificate from the track page.
    await navigate(citizen, () => citizen.goto(`/track/${reference}`));
    const download = citizen.getByRole("link", { name: /^Download certificate PB-2025-/ });
    expect(await download.count()).toBe(1);
    const serial = /PB-2025-[0-9A-Z]{4}-[0-9A-Z]{4}/.exec(
      (await download.textContent()) ?? "",
    )?.[0] as string;
    expect(serial).toBeDefined();
    const certificate = await citizen.request.get((await download.getAttribute("href")) as string);
    expect(certificate.status()).toBe(200);
    expect(certificate.headers()["content-type"]).toBe("application/pdf");
    const certificatePdf = await certificate.body();
    expect(certificatePdf.subarray(0, 5).toString("latin1")).toBe("%PDF-");
    timing("certificate downloaded");

    // ---- (5) The QR code, scanned from the rendered PDF, verifies as genuine.
    const scans = renderPdf(certificatePdf, "certificate", 300)
      .map((file) => {
        const png = PNG.sync.read(fs.readFileSync(file));
        return jsQR(new Uint8ClampedArray(png.data), png.width, png.height)?.data;
      })
      .filter((s): s is string => Boolean(s));
    expect(scans).toHaveLength(1);
    const qrUrl = scans[0] as string;
    expect(qrUrl).toMatch(/^[\x21-\x7e]+$/); // ASCII only (C-17)
    expect(qrUrl.startsWith(`${portal.url}/verify?t=`)).toBe(true);
    const token = new URL(qrUrl).searchParams.get("t") as string;
    const [stored] = await rows<{ token: string }>(
      db,
      sql`select token from certificates where serial = ${serial}`,
    );
    expect(token).toBe(stored?.token);
    const verifier = await newPage(); // anyone, no session: a phone scanning the QR
    await navigate(verifier, () => verifier.goto(qrUrl));
    const genuine = await mainText(verifier);
    expect(genuine).toContain("Genuine certificate");
    expect(genuine).toContain(serial);
    expect(genuine).toContain("Harpreet Kaur");
    expect(genuine).toContain(reference);
    expect(genuine).toContain("Digital signature checked");
    await screenshot(verifier, "payments-06-verify-genuine");
    const api = await verifier.request.get(`/api/v1/certificates/${serial}/verify`);
    expect(await api.json()).toMatchObject({ serial, status: "valid", genuine: true, reference });
    timing("QR scanned and verified");

    // ---- (6) The tehsildar revokes it; the same QR now says revoked.
    clock.set("2025-10-21T15:00+05:30");
    await navigate(tehsildar, () => tehsildar.goto(`/desk/applications/${reference}`));
    await tehsildar.locator("#reason-revoke").fill("Income proof found to be forged");
    await navigate(tehsildar, () =>
      tehsildar.getByRole("button", { name: "Revoke certificate" }).click(),
    );
    expect(await errorSummary(tehsildar)).toBe("");
    await navigate(verifier, () => verifier.goto(qrUrl));
    const revoked = await mainText(verifier);
    expect(revoked).toContain("Revoked certificate");
    expect(revoked).toContain("Income proof found to be forged");
    expect(revoked).not.toContain("Genuine certificate");
    await screenshot(verifier, "payments-07-verify-revoked");
    expect(
      await (await verifier.request.get(`/api/v1/certificates/${serial}/verify`)).json(),
    ).toMatchObject({ serial, status: "revoked", revokeReason: "Income proof found to be forged" });
    await navigate(citizen, () => citizen.goto(`/track/${reference}`));
    expect(await mainText(citizen)).toMatch(new RegExp(`${serial} \\(PDF\\) Revoked`));
    timing("revoked");

    // ---- (7) A tampered token (claims or signature) is not genuine.
    for (const part of [1, 2]) {
      const forged = `${portal.url}/verify?t=${tamper(token, part)}`;
      await navigate(verifier, () => verifier.goto(forged));
      const text = await mainText(verifier);
      expect(text).toContain("Not a genuine certificate");
      expect(text).not.toContain("Genuine certificate");
      expect(text).not.toContain(serial);
      if (part === 1) await screenshot(verifier, "payments-08-verify-tampered");
    }
    timing("tampered tokens refused");
  });
});
