/**
 * Every published service definition, in a real browser (headless Chromium,
 * English): a citizen applies through the definition's own multi-page form
 * (start page, task list, one page of questions at a time, documents, check
 * answers, send), then the demo officials of Ludhiana move the application
 * through the definition's own workflow, stage by stage, to a delivered
 * outcome; the citizen's track page shows each stage.
 *
 * Nothing here is written per service: the filler reads each definition
 * (`loadDefinition`) to know a question's type, pattern, bounds, options and
 * the cross-field rules, and picks valid answers; the officers' path is a
 * breadth-first search over the workflow's actions from `initial` to a
 * terminal state whose outcome is `delivered`.
 *
 * Last, axe (WCAG 2.2 AA) on the start page, a question page, the documents
 * page and the check page of the income certificate, in English and Punjabi.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { AxeBuilder } from "@axe-core/playwright";
import { sql } from "drizzle-orm";
import { generate } from "otplib";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { Temporal } from "temporal-polyfill";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AADHAAR_STAND_IN } from "../../src/applications/definition-form.ts";
import { loadDefinition } from "../../src/catalog/definitions/load.ts";
import type {
  ChildField,
  Field,
  ServiceDefinition,
  Workflow,
} from "../../src/catalog/definitions/types.ts";
import { rows } from "../../src/db/client.ts";
import { DEMO_PASSWORD, DEMO_TOTP_SECRET } from "../../src/setup.ts";
import { tinyPdf, tinyPng, writeFile } from "./files.ts";
import {
  type ControllableClock,
  controllableClock,
  launchBrowser,
  type Portal,
  REPO_ROOT,
  screenshot,
  startPortal,
} from "./harness.ts";

/** The test clock: a Monday. Every date answer is on or before it. */
const NOW = "2025-11-03T10:00+05:30";
const TODAY = "2025-11-03";
const MOBILE = "98765 43210";
const LUDHIANA = 36;
/** The demo official of Ludhiana for each staff role a definition role maps to. */
const OFFICIAL_BY_STAFF_ROLE: Record<string, string> = {
  dealing_clerk: "clerk.ludhiana",
  designated_officer: "do.ludhiana",
};
/** Yes/no questions answered "no" (a "yes" would make the applicant ineligible); all others "yes", to open the follow-up questions. */
const ANSWER_NO = new Set([
  "hasCase",
  "remarried",
  "inReservedCategory",
  "otherPension",
  "spouseGetsPension",
]);

let portal: Portal;
let clock: ControllableClock;
let browser: Browser;
let citizen: BrowserContext;
const officials = new Map<string, Page>();
let tehsilCode = 0;
const definitions: ServiceDefinition[] = [];
const serviceIds = new Map<string, number>();
let filesDir = "";

async function navigate(page: Page, action: () => Promise<unknown>): Promise<void> {
  const committed = page.waitForEvent("framenavigated", (f) => f === page.mainFrame());
  await action();
  await committed;
  await page.waitForLoadState("load");
}

const pathOf = (page: Page) => new URL(page.url()).pathname;

/** Signs a staff user in with password and TOTP (as the appeals journey does). */
async function signIn(page: Page, username: string): Promise<void> {
  await navigate(page, () => page.goto("/staff/login"));
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password").fill(DEMO_PASSWORD);
  await navigate(page, () => page.getByRole("button", { name: "Sign in" }).click());
  await page.getByLabel("6-digit code").fill(await generate({ secret: DEMO_TOTP_SECRET }));
  await navigate(page, () => page.getByRole("button", { name: "Continue" }).click());
  expect(pathOf(page)).toBe("/desk");
}

async function officialPage(username: string): Promise<Page> {
  const open = officials.get(username);
  if (open) return open;
  const context = await browser.newContext({ baseURL: portal.url, locale: "en-IN" });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  await signIn(page, username);
  officials.set(username, page);
  return page;
}

function walk(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) =>
      e.isDirectory()
        ? walk(path.join(dir, e.name))
        : e.name.endsWith(".yaml")
          ? [path.join(dir, e.name)]
          : [],
    )
    .sort();
}

/* ------------------------------------------------------------------ answers */

type Answer = string | string[] | { day: string; month: string; year: string };

const NAMES = [
  "Harpreet Kaur",
  "Gurmeet Singh",
  "Manjit Kaur",
  "Balwinder Singh",
  "Jasleen Kaur",
  "Kuldeep Singh",
  "Simranjit Kaur",
  "Amarjit Singh",
  "Navdeep Kaur",
  "Rajinder Singh",
  "Paramjit Kaur",
  "Sukhwinder Singh",
];
const PLACES = ["Ludhiana", "Khanna", "Samrala", "Jagraon", "Raikot", "Payal", "Doraha"];
/** Candidate answers for questions with a pattern: the first that matches is used. */
const PATTERNED = ["P1234567", "SBIN0001234", "123456789012", "LDH/2010/00123", "AB12345"];

/** Every question of a definition, with its key (`id`, or `group.child` inside a repeating group). */
function questions(def: ServiceDefinition): Array<{ key: string; field: Field | ChildField }> {
  const out: Array<{ key: string; field: Field | ChildField }> = [];
  for (const page of def.form.pages)
    for (const f of page.fields) {
      out.push({ key: f.id, field: f });
      if (f.type === "group")
        for (const c of f.fields) out.push({ key: `${f.id}.${c.id}`, field: c });
    }
  return out;
}

/**
 * Orders the date (or number) questions so that every cross-field rule
 * holds: `field after other` → rank(field) > rank(other), and so on. Dates
 * of birth start lowest; the rest follow in form order.
 */
function ranks(
  def: ServiceDefinition,
  keys: string[],
  initial: (key: string, i: number) => number,
): Map<string, number> {
  const rank = new Map(keys.map((k, i) => [k, initial(k, i)]));
  const rules = (def.form.rules ?? []).map((r) => ({
    field: r.group ? `${r.group}.${r.field}` : r.field,
    other: r.group ? `${r.group}.${r.other}` : r.other,
    op: r.op,
  }));
  for (let round = 0; round < 50; round++) {
    let changed = false;
    for (const r of rules) {
      const a = rank.get(r.field);
      const b = rank.get(r.other);
      if (a === undefined || b === undefined) continue;
      if (["after", "onOrAfter", "greaterThan", "atLeast"].includes(r.op) && a <= b) {
        rank.set(r.field, b + 1);
        changed = true;
      }
      if (["before", "onOrBefore", "lessThan", "atMost"].includes(r.op) && a >= b) {
        rank.set(r.other, a + 1);
        changed = true;
      }
    }
    if (!changed) break;
  }
  return rank;
}

const isBirth = (key: string) => /birth|dob/i.test(key) && !/place|proof/i.test(key);

/** A valid answer for every question of `def`, keyed as {@link questions}. */
function plan(def: ServiceDefinition): Map<string, Answer> {
  const qs = questions(def);
  const out = new Map<string, Answer>();
  const today = Temporal.PlainDate.from(TODAY);
  const dateKeys = qs.filter((q) => q.field.type === "date").map((q) => q.key);
  let later = 0;
  const dateRank = ranks(def, dateKeys, (k) => (isBirth(k) ? 0 : ++later));
  const numberKeys = qs.filter((q) => q.field.type === "number").map((q) => q.key);
  const numberRank = ranks(def, numberKeys, (_k, i) => i);
  let names = 0;
  let places = 0;
  qs.forEach(({ key, field: f }, index) => {
    switch (f.type) {
      case "text": {
        if (f.pattern) {
          const re = new RegExp(f.pattern, "u");
          const value = PATTERNED.find((c) => re.test(c));
          if (!value) throw new Error(`${def.code}: no sample answer matches ${key} ${f.pattern}`);
          out.set(key, value);
        } else if (
          /place|village|town|office|school|institution|panchayat|block|country|bank|caste/i.test(
            key,
          )
        )
          out.set(
            key,
            `${PLACES[places++ % PLACES.length]}${places > PLACES.length ? " East" : ""}`,
          );
        else out.set(key, NAMES[names++ % NAMES.length] as string);
        break;
      }
      case "textarea":
        out.set(key, `House ${10 + index}, Model Town, Ludhiana`);
        break;
      case "email":
        out.set(key, "applicant@example.in");
        break;
      case "mobile":
        out.set(key, MOBILE);
        break;
      case "pincode":
        out.set(key, "141002");
        break;
      case "aadhaar":
        out.set(key, AADHAAR_STAND_IN);
        break;
      case "number": {
        const r = numberRank.get(key) ?? 0;
        const min = f.min ?? 0;
        const max = f.max ?? 1e9;
        let n: number;
        if (min >= 1900) n = 2000 + r;
        else if (/copies/i.test(key)) n = 2;
        else if (/income/i.test(key)) n = 120000;
        else if (/acres/i.test(key)) n = f.integer === false ? 2.5 : 2;
        else n = 12;
        out.set(key, String(Math.min(max, Math.max(min, n))));
        break;
      }
      case "date": {
        const r = dateRank.get(key) ?? 0;
        let d =
          r === 0
            ? Temporal.PlainDate.from("1960-03-15").add({ days: index })
            : Temporal.PlainDate.from("1985-01-10").add({ years: 4 * (r - 1), days: index });
        const min = f.min === undefined ? undefined : f.min === "today" ? today : f.min;
        const max = f.max === undefined ? today : f.max === "today" ? today : f.max;
        if (min && Temporal.PlainDate.compare(d, min) < 0)
          d = Temporal.PlainDate.from(min).add({ days: index });
        if (Temporal.PlainDate.compare(d, max) > 0)
          d = Temporal.PlainDate.from(max).subtract({ days: index });
        out.set(key, { day: String(d.day), month: String(d.month), year: String(d.year) });
        break;
      }
      case "select":
      case "radios":
        out.set(key, f.options[0]?.value as string);
        break;
      case "checkboxes": {
        const all = f.options.map((o) => o.value);
        out.set(
          key,
          /declaration/i.test(key) || (f.min ?? 1) >= all.length ? all : all.slice(0, f.min ?? 1),
        );
        break;
      }
      case "yesno":
        out.set(key, ANSWER_NO.has(key) ? "no" : "yes");
        break;
      default:
        break;
    }
  });
  // `x notEquals y` between two choices: take the next option for x.
  for (const r of def.form.rules ?? []) {
    if (r.op !== "notEquals" || r.group) continue;
    const f = qs.find((q) => q.key === r.field)?.field;
    if (f && (f.type === "radios" || f.type === "select") && out.get(r.field) === out.get(r.other))
      out.set(r.field, f.options[1]?.value as string);
  }
  return out;
}

/* ------------------------------------------------------------------ the filler */

async function present(page: Page, selector: string): Promise<boolean> {
  return (await page.locator(selector).count()) > 0;
}

/** Fills one question (if it is on the page) with its planned answer. */
async function fillField(
  page: Page,
  f: Field | ChildField,
  name: string,
  key: string,
  answers: Map<string, Answer>,
): Promise<void> {
  const value = answers.get(key);
  const at = (n: string) => `[name="${n}"]`;
  switch (f.type) {
    case "text":
    case "textarea":
    case "email":
    case "mobile":
    case "pincode":
    case "aadhaar":
    case "number":
      if (await present(page, at(name))) await page.locator(at(name)).fill(value as string);
      return;
    case "date": {
      if (!(await present(page, at(`${name}-day`)))) return;
      const d = value as { day: string; month: string; year: string };
      await page.locator(at(`${name}-day`)).fill(d.day);
      await page.locator(at(`${name}-month`)).fill(d.month);
      await page.locator(at(`${name}-year`)).fill(d.year);
      return;
    }
    case "select":
      if (await present(page, at(name))) await page.locator(at(name)).selectOption(value as string);
      return;
    case "radios":
    case "yesno":
      if (await present(page, at(name)))
        await page.locator(`${at(name)}[value="${value as string}"]`).check();
      return;
    case "checkboxes":
      if (await present(page, at(name)))
        for (const v of value as string[]) await page.locator(`${at(name)}[value="${v}"]`).check();
      return;
    case "address":
      if (!(await present(page, at(`${name}.line1`)))) return;
      await page.locator(at(`${name}.line1`)).fill("House 7, Model Town");
      await page.locator(at(`${name}.line2`)).fill("Near the gurdwara");
      await page.locator(at(`${name}.districtCode`)).selectOption(String(LUDHIANA));
      await page.locator(at(`${name}.tehsilCode`)).selectOption(String(tehsilCode));
      await page.locator(at(`${name}.pincode`)).fill("141002");
      return;
    case "group": {
      if (!(await present(page, `[name^="${name}."]`))) return;
      const items = Number(answers.get(`${f.id}#items`) ?? f.min ?? 1);
      for (let i = 0; i < items; i++) {
        if (!(await present(page, `[name^="${name}.${i}."]`)))
          await navigate(page, () => page.locator(`button[name="_add"][value="${name}"]`).click());
        for (const c of f.fields)
          await fillField(page, c, `${name}.${i}.${c.id}`, `${f.id}.${c.id}`, answers);
      }
      return;
    }
    default:
      return;
  }
}

async function errorSummary(page: Page): Promise<string> {
  const summary = page.locator(".govuk-error-summary");
  return (await summary.count()) ? ((await summary.textContent()) ?? "").replace(/\s+/g, " ") : "";
}

/**
 * Answers the question page the browser is on, and sends it. A question
 * shown only once an answer on the same page is given (the form works
 * without JavaScript) appears when the page comes back with an error; it is
 * filled then.
 */
async function answerPage(
  page: Page,
  def: ServiceDefinition,
  answers: Map<string, Answer>,
  shots = false,
) {
  const pageId = pathOf(page).split("/").pop() as string;
  const spec = def.form.pages.find((p) => p.id === pageId);
  if (!spec) throw new Error(`${def.code}: unknown page ${pageId}`);
  for (let attempt = 0; attempt < 3; attempt++) {
    for (const f of spec.fields) await fillField(page, f, f.id, f.id, answers);
    if (shots && attempt === 0 && spec.fields.some((f) => f.type === "group"))
      await screenshot(page, "definitions-02-question-page");
    await navigate(page, () =>
      page.getByRole("button", { name: "Save and continue", exact: true }).click(),
    );
    if (pathOf(page).split("/").pop() !== pageId) return;
    const errors = await errorSummary(page);
    if (!errors) return; // the same page again, without error: it is the next one of its task
  }
  throw new Error(`${def.code}: page ${pageId} still refused: ${await errorSummary(page)}`);
}

/** The task list's rows: title, link (if any) and status text. */
async function taskRows(page: Page) {
  return page.locator(".govuk-task-list__item").evaluateAll((items) =>
    items.map((li) => {
      const el = li as unknown as {
        querySelector(s: string): { textContent: string; getAttribute(a: string): string } | null;
      };
      return {
        title: el.querySelector(".govuk-task-list__name-and-hint")?.textContent?.trim() ?? "",
        href: el.querySelector("a")?.getAttribute("href") ?? null,
        status: el.querySelector(".govuk-task-list__status")?.textContent?.trim() ?? "",
      };
    }),
  );
}

/** Uploads a small PDF (a PNG where only images are accepted) for each required document and for each any-one-of group (as many as it needs). */
async function uploadDocuments(page: Page, def: ServiceDefinition) {
  const shown = new Set(
    (await page
      .locator('input[type="file"][name^="doc-"]')
      .evaluateAll((els) => els.map((e) => (e as unknown as { name: string }).name))) as string[],
  );
  const groups = def.documents.groups ?? [];
  const grouped = new Set(groups.flatMap((g) => g.documents));
  const wanted: string[] = [];
  for (const item of def.documents.items)
    if (!grouped.has(item.id) && item.required !== false && shown.has(`doc-${item.id}`))
      wanted.push(item.id);
  for (const g of groups)
    wanted.push(...g.documents.filter((d) => shown.has(`doc-${d}`)).slice(0, g.min ?? 1));
  for (const id of wanted) {
    // A PDF, or a PNG where only images are accepted (photographs).
    const pdf = def.documents.items.find((i) => i.id === id)?.accept.includes("pdf");
    const file = pdf
      ? writeFile(filesDir, `${id}.pdf`, tinyPdf(`${def.code}: ${id}`))
      : writeFile(filesDir, `${id}.png`, tinyPng(120, 160, [200, 180, 160]));
    await page.locator(`input[name="doc-${id}"]`).setInputFiles(file);
  }
  await navigate(page, () =>
    page.getByRole("button", { name: "Save and continue", exact: true }).click(),
  );
  if (!pathOf(page).endsWith("/tasks"))
    throw new Error(`${def.code}: documents refused: ${await errorSummary(page)}`);
  return wanted;
}

/**
 * Applies for `def` as a citizen, up to the check page (not sent).
 * @returns the page, on the check page, and the draft id.
 */
async function applyUpToCheck(page: Page, def: ServiceDefinition, shots = false) {
  const answers = plan(def);
  // Groups show their minimum number of items; one more is added with "Add another".
  if (def.code === "income-certificate") answers.set("earningMembers#items", "2");
  const serviceId = serviceIds.get(def.code);
  expect(serviceId, `${def.code} is published and linked to a catalog service`).toBeDefined();
  await navigate(page, () => page.goto(`/services/${serviceId}/apply?lang=en`));
  await page.locator('input[name="privacyConsent"][value="yes"]').check();
  await navigate(page, () => page.getByRole("button", { name: "Start now" }).click());
  expect(pathOf(page)).toMatch(/^\/drafts\/[^/]+\/tasks$/);
  const draftId = pathOf(page).split("/")[2] as string;
  if (shots) await screenshot(page, "definitions-01-task-list");
  const visits = new Map<string, number>();
  for (;;) {
    const open = (await taskRows(page)).find(
      (t) => t.status !== "Completed" && t.href?.includes("/pages/"),
    );
    if (!open?.href) break;
    const n = (visits.get(open.title) ?? 0) + 1;
    visits.set(open.title, n);
    if (n > 3) throw new Error(`${def.code}: task "${open.title}" is never completed`);
    await navigate(page, () => page.goto(open.href as string));
    for (let guard = 0; pathOf(page).includes("/pages/"); guard++) {
      if (guard > 60) throw new Error(`${def.code}: the pages of "${open.title}" never end`);
      await answerPage(page, def, answers, shots);
    }
    expect(pathOf(page)).toBe(`/drafts/${draftId}/tasks`);
  }
  await navigate(page, () => page.getByRole("link", { name: "Upload your documents" }).click());
  const uploaded = await uploadDocuments(page, def);
  const rowsNow = await taskRows(page);
  expect(
    rowsNow.filter((t) => t.status !== "Completed" && !t.title.startsWith("Check")),
    `${def.code}: every task is completed`,
  ).toEqual([]);
  await navigate(page, () =>
    page.getByRole("link", { name: "Check your answers and send the application" }).click(),
  );
  expect(pathOf(page)).toBe(`/drafts/${draftId}/review`);
  return { draftId, uploaded, answers };
}

/* ------------------------------------------------------------------ the workflow */

type Step = { action: Workflow["actions"][number]; from: string; to: string; official: string };

/**
 * The officers' shortest path from `initial` to a terminal state with outcome
 * `delivered`: breadth-first over the actions an official can take (not the
 * applicant's), each taken by a demo official whose staff role one of the
 * action's roles maps to.
 */
function pathToDelivery(def: ServiceDefinition): Step[] | undefined {
  const wf = def.workflow;
  const staffRoleOf = new Map(def.roles.map((r) => [r.id, r.staffRole]));
  const seen = new Map<string, Step[]>([[wf.initial, []]]);
  const queue = [wf.initial];
  while (queue.length) {
    const stage = queue.shift() as string;
    const steps = seen.get(stage) as Step[];
    const state = wf.states.find((s) => s.id === stage);
    if (state?.terminal) {
      if (state.outcome === "delivered") return steps;
      continue;
    }
    for (const action of wf.actions) {
      if (!action.from.includes(stage) || action.roles.includes("applicant")) continue;
      const official = action.roles
        .map((r) => OFFICIAL_BY_STAFF_ROLE[staffRoleOf.get(r) ?? ""])
        .find(Boolean);
      if (!official || seen.has(action.to)) continue;
      seen.set(action.to, [...steps, { action, from: stage, to: action.to, official }]);
      queue.push(action.to);
    }
  }
  return undefined;
}

/* ------------------------------------------------------------------ the run */

beforeAll(async () => {
  clock = controllableClock(NOW);
  [portal, browser] = await Promise.all([startPortal(clock), launchBrowser()]);
  filesDir = fs.mkdtempSync(path.join(os.tmpdir(), "sewa-e2e-definitions-"));
  const { db } = portal.database;
  tehsilCode = (
    await rows<{ code: number }>(
      db,
      sql`select code from tehsils where district_code = ${LUDHIANA} order by code limit 1`,
    )
  )[0]?.code as number;
  for (const s of await rows<{ id: number; code: string }>(
    db,
    sql`select id, code from services where form = 'definition'`,
  ))
    serviceIds.set(s.code, s.id);
  for (const file of walk(path.join(REPO_ROOT, "data/services"))) {
    const loaded = await loadDefinition(file);
    if (!loaded.ok) throw new Error(`${file}: ${loaded.errors[0]?.message}`);
    definitions.push(loaded.definition);
  }
  citizen = await browser.newContext({
    baseURL: portal.url,
    locale: "en-IN",
    timezoneId: "Asia/Kolkata",
    viewport: { width: 1024, height: 768 },
  });
});

afterAll(async () => {
  for (const p of officials.values()) await p.context().close();
  await citizen?.close();
  await browser?.close();
  await portal?.close();
  if (filesDir) fs.rmSync(filesDir, { recursive: true, force: true });
});

const CODES = walk(path.join(REPO_ROOT, "data/services")).map((f) => path.basename(f, ".yaml"));

describe("every published service definition, in the browser", () => {
  it("has 12 definitions, each published as a definition service", () => {
    expect(CODES).toHaveLength(12);
    expect([...serviceIds.keys()].sort()).toEqual([...CODES].sort());
  });

  for (const code of CODES) {
    it(`${code}: apply, then the officials deliver it stage by stage`, async () => {
      const started = Date.now();
      const def = definitions.find((d) => d.code === code) as ServiceDefinition;
      const shots = code === "income-certificate";
      const page = await citizen.newPage();
      page.setDefaultTimeout(15_000);
      try {
        // ---- The citizen applies.
        await applyUpToCheck(page, def, shots);
        const check = await page.locator("main").textContent();
        expect(check).toContain("Check your answers before sending your application");
        expect(check).toContain("Total to pay");
        if (shots) await screenshot(page, "definitions-03-check-answers");
        await navigate(page, () => page.getByRole("button", { name: "Accept and send" }).click());
        expect(pathOf(page)).toMatch(/\/confirmation$/);
        const reference = ((await page.locator("#reference").textContent()) ?? "").trim();
        expect(reference).toMatch(/^[A-Z]{3}-/);

        // ---- The officials take it through the workflow.
        const steps = pathToDelivery(def);
        expect(steps, `${code}: a path to delivery for the demo officials`).toBeDefined();
        for (const step of steps as Step[]) {
          const desk = await officialPage(step.official);
          await navigate(desk, () => desk.goto(`/desk/applications/${reference}`));
          const radio = desk.locator(`input[name="action"][value="${step.action.id}"]`);
          expect(
            await radio.count(),
            `${code}: ${step.official} is offered ${step.action.id} at ${step.from}`,
          ).toBe(1);
          await radio.check();
          if (step.action.remarks === "required")
            await desk.getByLabel("Remark").fill(`Checked at the stage ${step.from}.`);
          await navigate(desk, () => desk.getByRole("button", { name: "Record decision" }).click());
          expect(await errorSummary(desk), `${code}: ${step.action.id}`).toBe("");
          const to = def.workflow.states.find((s) => s.id === step.to);
          expect(await desk.locator("main").textContent()).toContain(to?.name.en);
        }
        const last = await officialPage((steps as Step[]).at(-1)?.official as string);
        const summary = await last.locator(".govuk-summary-list").first().textContent();
        expect(summary).toContain("Approved");
        if (shots) await screenshot(last, "definitions-04-desk-delivered");

        // ---- The citizen tracks it: every stage is on the timeline.
        await navigate(page, () => page.goto("/track?lang=en"));
        await page.getByLabel("Reference number").fill(reference);
        await page.getByLabel("Mobile number").fill(MOBILE);
        await navigate(page, () => page.getByRole("button", { name: "Track" }).click());
        expect(pathOf(page)).toBe(`/track/${reference}`);
        const main = await page.locator("main").textContent();
        expect(main).toContain("Approved");
        const timeline = await page.locator(".sewa-timeline").textContent();
        const stages = [def.workflow.initial, ...(steps as Step[]).map((s) => s.to)];
        for (const stage of stages) {
          const name = def.workflow.states.find((s) => s.id === stage)?.name.en as string;
          expect(timeline, `${code}: stage ${stage} on the timeline`).toContain(name);
        }
        console.log(`${code}: ${reference}, ${steps?.length} steps, ${Date.now() - started} ms`);
      } catch (e) {
        await page.screenshot({
          path: path.join(os.tmpdir(), `definitions-fail-${code}.png`),
          fullPage: true,
        });
        throw e;
      } finally {
        await page.close();
      }
    }, 180_000);
  }
});

describe("accessibility of a definition's pages (axe, WCAG 2.2 AA)", () => {
  it("start, question, documents and check pages of the income certificate, in English and Punjabi", async () => {
    const def = definitions.find((d) => d.code === "income-certificate") as ServiceDefinition;
    const page = await citizen.newPage();
    const { draftId } = await applyUpToCheck(page, def);
    const pages = [
      `/services/${serviceIds.get(def.code)}/apply`,
      `/drafts/${draftId}/pages/earners`,
      `/drafts/${draftId}/documents`,
      `/drafts/${draftId}/review`,
    ];
    const problems: string[] = [];
    for (const lang of ["en", "pa"] as const) {
      for (const url of pages) {
        await navigate(page, () => page.goto(`${url}?lang=${lang}`));
        expect(pathOf(page)).toBe(url);
        expect(await page.locator("html").getAttribute("lang")).toBe(lang);
        const result = await new AxeBuilder({ page })
          .withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"])
          .analyze();
        for (const v of result.violations)
          problems.push(
            `${lang} ${url}: ${v.id} (${v.impact}) ${v.nodes
              .map((n) => n.target.join(" "))
              .slice(0, 3)
              .join(", ")}`,
          );
      }
    }
    await page.close();
    expect(problems).toEqual([]);
  }, 180_000);
});
