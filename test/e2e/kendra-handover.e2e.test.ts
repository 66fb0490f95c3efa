/**
 * Browser journey (issue 9): delivery of a certificate at a Sewa Kendra
 * counter against the applicant's OTP, then the one-question feedback.
 *
 * 1. An income certificate application filed at the demo centre (channel
 *    `kendra`) is approved through the services (its certificate is issued,
 *    so it is ready for handover).
 * 2. The demo operator signs in (password + TOTP), works counter 1, finds the
 *    application at `/counter/handover`, sends the code, reads it from the
 *    SMS the portal captured, and hands the certificate over.
 * 3. The applicant opens the feedback link from the SMS (in Punjabi), rates
 *    the service 4 with a comment in Punjabi.
 * 4. The manager sees the rating and the comment on `/kendra/feedback`.
 * Every page is checked with axe (WCAG 2.2 AA tags): zero violations.
 */
import { sql } from "drizzle-orm";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decideByDefinition } from "../../src/applications/definition-decisions.ts";
import * as applications from "../../src/applications/service.ts";
import { rows } from "../../src/db/client.ts";
import { actorFor, resumeSession, saveSessionData } from "../../src/identity/service.ts";
import { processOutbox } from "../../src/notifications/consumer.ts";
import type { capturingSms } from "../../src/notifications/sms.ts";
import { DEMO_KENDRA_CODE } from "../../src/setup.ts";
import {
  axeViolations,
  controllableClock,
  launchBrowser,
  type Portal,
  screenshot,
  signInStaff,
  startPortal,
} from "./harness.ts";

const MOBILE = "9812345670";
const COMMENT = "ਕਾਊਂਟਰ ਤੇ ਬਹੁਤ ਵਧੀਆ ਸੇਵਾ ਮਿਲੀ, ਧੰਨਵਾਦ";

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

/** Files an income certificate application at the demo centre and approves it (certificate issued). */
async function approvedAtKendra(): Promise<string> {
  const { db } = portal.database;
  const now = portal.clock.now();
  const [def] = await rows<{ id: number; service_id: number }>(
    db,
    sql`select id, service_id from service_definitions where code = 'income-certificate' and status = 'published'`,
  );
  const [tehsil] = await rows<{ code: number }>(
    db,
    sql`select code from tehsils where district_code = 36 order by code limit 1`,
  );
  const { reference } = await applications.submitApplication(db, {
    application: {
      kind: "definition",
      serviceId: def?.service_id as number,
      definitionId: def?.id as number,
      initialStage: "submitted",
      timeLimitDays: 15,
      basis: "working",
      noticePeriodDays: 0,
      feePaise: 0,
      applicant: {
        name: "ਗੁਰਪ੍ਰੀਤ ਕੌਰ",
        mobile: MOBILE,
        districtCode: 36,
        tehsilCode: tehsil?.code as number,
      },
      answers: { copies: 1 },
      documents: {},
    },
    documentIds: [],
    channel: "kendra",
    now,
  });
  await db.execute(
    sql`update applications set kendra_code = ${DEMO_KENDRA_CODE}, counter = 1 where reference = ${reference}`,
  );
  const day = now.toString().slice(0, 10);
  const clerk = await actorFor(db, "clerk.ludhiana", day);
  const officer = await actorFor(db, "do.ludhiana", day);
  for (const [actor, action, remark] of [
    [clerk, "send_for_verification", ""],
    [clerk, "submit_report", "Income verified"],
    [officer, "approve", "Approved"],
  ] as const) {
    const row = await applications.findApplicationByReference(db, reference);
    await decideByDefinition(
      db,
      actor,
      reference,
      { action, remark, version: row?.version ?? 0 },
      now,
    );
  }
  return reference;
}

describe("Sewa Kendra handover and feedback", () => {
  it("hands a certificate over against the applicant's OTP; the applicant rates it; the manager sees it", async () => {
    const reference = await approvedAtKendra();

    // The operator signs in and works counter 1 of the demo centre (as chosen on /counter).
    const operator = await signIn("operator.ludhiana");
    const token = (await operator.context().cookies()).find((c) => c.name === "sewa_staff")
      ?.value as string;
    const live = await resumeSession(portal.database.db, token);
    await saveSessionData(portal.database.db, token, {
      ...(live?.session.data ?? {}),
      counter: { kendraCode: DEMO_KENDRA_CODE, counter: 1 },
    });

    await operator.goto("/counter/handover?lang=en");
    await axe(operator, "counter (empty)");
    await operator.getByLabel("Reference number").fill(reference.toLowerCase());
    await operator.getByRole("button", { name: "Find" }).click();
    await expect
      .poll(() => operator.locator("h2", { hasText: "Certificate to hand over" }).count())
      .toBe(1);
    expect(await operator.textContent("main")).toContain("XXXXXX5670");
    await axe(operator, "counter (found)");

    const before = sms.sent.length;
    await operator.getByRole("button", { name: "Send code to applicant" }).click();
    await expect
      .poll(() => operator.locator(".govuk-notification-banner--success").count())
      .toBe(1);
    const codeSms = sms.sent.slice(before).find((m) => m.to === MOBILE);
    const code = /\b(\d{6})\b/.exec(codeSms?.text ?? "")?.[1] as string;
    expect(code).toMatch(/^\d{6}$/);
    await axe(operator, "counter (code sent)");
    await screenshot(operator, "kendra-handover-counter");

    await operator.getByLabel("Code from the applicant's SMS").fill(code);
    await operator.getByRole("button", { name: "Hand over" }).click();
    await expect
      .poll(() => operator.locator(".govuk-panel__title").textContent())
      .toContain("Certificate handed over");
    expect(operator.url()).toContain("/counter/handover/done");
    await axe(operator, "handover done");

    // The feedback SMS goes out through the outbox; the applicant opens its link.
    await processOutbox(portal.database.db, { sms }, portal.clock.now());
    const ask = sms.sent.find((m) => m.to === MOBILE && m.text.includes("/f/"));
    expect(ask?.text).toContain("ਸੇਵਾ ਕੇਂਦਰ");
    const link = /\/f\/[A-Za-z0-9_-]{22}/.exec(ask?.text ?? "")?.[0] as string;
    const citizen = await (await browser.newContext({ baseURL: portal.url })).newPage();
    await citizen.goto(`${link}?lang=pa`);
    await axe(citizen, "feedback question (pa)");
    await citizen.getByRole("button", { name: "ਰਾਏ ਭੇਜੋ" }).click();
    await expect.poll(() => citizen.locator(".govuk-error-summary").count()).toBe(1);
    await axe(citizen, "feedback errors (pa)");
    await citizen.getByLabel("4 – ਵਧੀਆ").check();
    await citizen.getByLabel("ਤੁਸੀਂ ਜੋ ਵੀ ਦੱਸਣਾ ਚਾਹੋ (ਚੋਣਵਾਂ)").fill(COMMENT);
    await screenshot(citizen, "kendra-feedback-pa");
    await citizen.getByRole("button", { name: "ਰਾਏ ਭੇਜੋ" }).click();
    await expect
      .poll(() => citizen.locator(".govuk-panel__title").textContent())
      .toContain("ਧੰਨਵਾਦ");
    await axe(citizen, "feedback thanks (pa)");

    // The manager sees the rating and the comment, and the uncollected list.
    const manager = await signIn("manager.ludhiana");
    await manager.goto("/kendra/feedback?lang=en");
    const text = (await manager.textContent("main")) ?? "";
    expect(text).toContain(COMMENT);
    expect(text).toContain("4.0 / 5");
    expect(text).toContain("Counter 1");
    await axe(manager, "manager feedback");
    await manager.goto("/kendra/uncollected?lang=pa");
    expect(await manager.textContent("main")).not.toContain(reference);
    await axe(manager, "manager uncollected (pa)");

    expect(problems).toEqual([]);
  });
});
