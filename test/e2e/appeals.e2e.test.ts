/**
 * The appeal path in a real browser (headless Chromium, English): an
 * application goes past its due date; the citizen files a first appeal from the
 * track page; the first appellate authority schedules a hearing and orders
 * delivery within 5 working days; the designated officer delivers (late); the
 * citizen files a second appeal; the second appellate authority dismisses it
 * with a penalty on the designated officer, which shows in the penalty register.
 *
 * Hand-computed dates (2025 gazetted holidays, weekends off):
 * - received Fri 17 Oct, 7 working days → due Thu 30 Oct (20 and 22 Oct are holidays);
 * - order on Wed 12 Nov to deliver within 5 working days → 13, 14, 17, 18, 19 Nov;
 * - delivered Tue 25 Nov: 26 days after 30 Oct → 26 × ₹250 = ₹6,500, capped at ₹5,000.
 */
import { sql } from "drizzle-orm";
import { generate } from "otplib";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rows } from "../../src/db/client.ts";
import { createOfficial } from "../../src/identity/service.ts";
import { DEMO_PASSWORD, DEMO_TOTP_SECRET } from "../../src/setup.ts";
import {
  type ControllableClock,
  controllableClock,
  launchBrowser,
  type Portal,
  screenshot,
  startPortal,
} from "./harness.ts";

const MOBILE = "9844444444";
let portal: Portal;
let clock: ControllableClock;
let browser: Browser;
const contexts: BrowserContext[] = [];

async function navigate(page: Page, action: () => Promise<unknown>): Promise<void> {
  const committed = page.waitForEvent("framenavigated", (f) => f === page.mainFrame());
  await action();
  await committed;
  await page.waitForLoadState("load");
}

async function newPage(): Promise<Page> {
  const context = await browser.newContext({
    baseURL: portal.url,
    locale: "en-IN",
    timezoneId: "Asia/Kolkata",
    viewport: { width: 1024, height: 768 },
  });
  contexts.push(context);
  return context.newPage();
}

/** Signs a staff user in with password and TOTP. */
async function signIn(page: Page, username: string, password: string): Promise<void> {
  await navigate(page, () => page.goto("/staff/login"));
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password").fill(password);
  await navigate(page, () => page.getByRole("button", { name: "Sign in" }).click());
  await page.getByLabel("6-digit code").fill(await generate({ secret: DEMO_TOTP_SECRET }));
  await navigate(page, () => page.getByRole("button", { name: "Continue" }).click());
}

beforeAll(async () => {
  clock = controllableClock("2025-10-17T10:00+05:30");
  [portal, browser] = await Promise.all([startPortal(clock), launchBrowser()]);
  const { db } = portal.database;
  for (const [username, role, name] of [
    ["adc.ludhiana", "first_appellate_authority", "Rajdeep Sandhu"],
    ["commission.member", "second_appellate_authority", "Justice (retd.) A. Grewal"],
  ] as const) {
    await db.transaction((tx) =>
      createOfficial(tx, {
        username,
        name,
        designation: "Appellate authority",
        password: DEMO_PASSWORD,
        totpSecret: DEMO_TOTP_SECRET,
        posting: { role, level: "district", districtCode: 36, validFrom: "2020-01-01" },
      }),
    );
  }
});

afterAll(async () => {
  for (const c of contexts) await c.close();
  await browser?.close();
  await portal?.close();
});

describe("appeals in the browser", () => {
  it("first appeal → hearing → order → late delivery → second appeal → penalty in the register", async () => {
    const { db } = portal.database;
    const serviceId = (
      await portal.app.inject({ url: "/api/v1/services?q=pages%20sought%20%3E15" })
    ).json().items[0].id;
    const tehsil = (
      await rows<{ code: number }>(
        db,
        sql`select code from tehsils where district_code = 36 order by code limit 1`,
      )
    )[0]?.code;
    const filed = await portal.app.inject({
      method: "POST",
      url: "/api/v1/applications",
      payload: {
        serviceId,
        applicant: {
          name: "Kuldeep Singh",
          relativeName: "Bachan Singh",
          gender: "male",
          dateOfBirth: "1970-05-05",
          mobile: MOBILE,
        },
        address: { line1: "Village Gill", districtCode: 36, tehsilCode: tehsil, pincode: "141116" },
        purpose: "Copies of land records",
        declaration: true,
      },
    });
    const reference: string = filed.json().reference;
    expect(filed.json().dueDate).toBe("2025-10-30");

    // The citizen, the day after the due date.
    clock.set("2025-10-31T10:00+05:30");
    const citizen = await newPage();
    await navigate(citizen, () => citizen.goto("/track"));
    await citizen.getByLabel("Reference number").fill(reference);
    await citizen.getByLabel("Mobile number").fill(MOBILE);
    await navigate(citizen, () => citizen.getByRole("button", { name: "Track" }).click());
    await expect.poll(() => citizen.locator("main").innerText()).toContain("Overdue");
    await navigate(citizen, () =>
      citizen.getByRole("link", { name: "Appeal against a rejection or a delay" }).click(),
    );
    expect(await citizen.locator("main").innerText()).toContain("You can appeal until 29 Nov 2025");
    await citizen
      .getByLabel("Why are you appealing?")
      .fill("The records were not given within 7 working days.");
    await screenshot(citizen, "appeal-01-citizen-files-first-appeal");
    await navigate(citizen, () => citizen.getByRole("button", { name: "File the appeal" }).click());
    expect(await citizen.locator("main").innerText()).toContain("30 Nov 2025");

    // The first appellate authority: hearing, then order.
    const faa = await newPage();
    await signIn(faa, "adc.ludhiana", DEMO_PASSWORD);
    await navigate(faa, () => faa.goto("/appeals"));
    await navigate(faa, () => faa.getByRole("link", { name: reference }).click());
    await faa.getByLabel("Day", { exact: true }).fill("10");
    await faa.getByLabel("Month", { exact: true }).fill("11");
    await faa.getByLabel("Year", { exact: true }).fill("2025");
    await faa.getByLabel("Time (IST)").fill("11:30");
    await faa
      .getByLabel("Notice of hearing")
      .fill("Attend the office of the ADC (General), Ludhiana, with your papers.");
    await navigate(faa, () => faa.getByRole("button", { name: "Schedule the hearing" }).click());
    expect(await faa.locator("main").innerText()).toContain("10 Nov 2025");
    clock.set("2025-11-12T15:00+05:30");
    await navigate(faa, () => faa.reload());
    await faa.getByLabel("Deliver the service within a deadline").check();
    await faa.getByLabel("Working days to deliver").fill("5");
    await faa.getByLabel("Reasons").fill("No reason was recorded for the delay.");
    await navigate(faa, () => faa.getByRole("button", { name: "Pass the order" }).click());
    const afterOrder = await faa.locator("main").innerText();
    expect(afterOrder).toContain("by 2025-11-19");
    expect(afterOrder).toMatch(/order-AA-LDH-2025-\d+\.pdf/);
    await screenshot(faa, "appeal-02-first-appellate-order");

    // The designated officer delivers, late, on 25 Nov.
    clock.set("2025-11-25T16:00+05:30");
    const officer = await newPage();
    await signIn(officer, "do.ludhiana", DEMO_PASSWORD);
    await navigate(officer, () => officer.goto(`/desk/applications/${reference}`));
    await officer.getByLabel("Approve (deliver the service)").check();
    await officer.getByLabel("Remark").fill("Copies issued.");
    await navigate(officer, () => officer.getByRole("button", { name: "Record decision" }).click());

    // The second appeal, the next day.
    clock.set("2025-11-26T10:00+05:30");
    await navigate(citizen, () => citizen.goto(`/track/${reference}/appeal`));
    await citizen
      .getByLabel("Why are you appealing?")
      .fill("Delivered 26 days late; I ask for the penalty under the Act.");
    await navigate(citizen, () => citizen.getByRole("button", { name: "File the appeal" }).click());

    // The second appellate authority imposes the penalty.
    clock.set("2025-12-15T12:00+05:30");
    const commission = await newPage();
    await signIn(commission, "commission.member", DEMO_PASSWORD);
    await navigate(commission, () => commission.goto("/appeals"));
    await navigate(commission, () =>
      commission.getByRole("link", { name: reference }).last().click(),
    );
    await commission.getByLabel("Dismiss the appeal").check();
    await commission
      .getByLabel("Reasons")
      .fill("The service is delivered; the delay is penalised.");
    await commission
      .getByLabel("Impose the penalty for the delay on the designated officer")
      .check();
    await commission
      .getByLabel("Name and designation of the designated officer")
      .fill("Harpreet Kaur, Tehsildar");
    await commission.getByLabel("Compensation to the applicant (rupees)").fill("500");
    await navigate(commission, () =>
      commission.getByRole("button", { name: "Pass the order" }).click(),
    );
    await navigate(commission, () =>
      commission.getByRole("link", { name: "Penalty register" }).click(),
    );
    const register = await commission.locator("main").innerText();
    expect(register).toContain("Harpreet Kaur, Tehsildar");
    expect(register).toContain("₹5,000");
    expect(register).toContain("26");
    await screenshot(commission, "appeal-03-penalty-register");

    // The citizen sees the whole story on the track page.
    await navigate(citizen, () => citizen.goto(`/track/${reference}`));
    const story = await citizen.locator(".sewa-timeline").innerText();
    for (const line of [
      "First appeal filed",
      "Hearing scheduled",
      "Appellate order: deliver the service",
      "Approved and delivered",
      "Second appeal filed",
      "Appeal dismissed",
      "Penalty imposed on the designated officer",
    ]) {
      expect(story).toContain(line);
    }
  });
});
