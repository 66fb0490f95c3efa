/**
 * Services as configuration, end to end over HTTP (issue 3): a citizen fills
 * the income certificate's multi-page form, uploads its documents, checks
 * and sends it; officials then move it through the definition's own stages
 * (clerk → patwari → tehsildar). Publishing a new version never changes an
 * application already filed, and a published version cannot be edited.
 */

import { execFileSync } from "node:child_process";
import fs from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  publishDefinition,
  saveDefinitionDraft,
  versionsOf,
} from "../catalog/definitions/versions.ts";
import { rows } from "../db/client.ts";
import { testDatabases } from "../db/testing.ts";
import { actorFor, findOfficialByUsername, startSession } from "../identity/service.ts";
import { istDateOf } from "../sla/clock.ts";
import { addWorkingDays } from "../sla/due-date.ts";
import { loadCalendar } from "../sla/service.ts";
import { startTestPortal, type TestPortal } from "../web/testing.ts";
import { decideByDefinition } from "./definition-decisions.ts";
import * as svc from "./service.ts";
import { fileStore } from "./storage.ts";

const PDF = Buffer.from("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n");

describe.each(testDatabases())("definition services on $name", (which) => {
  let portal: TestPortal;
  let cookie = "";
  let token = "";
  beforeAll(async () => {
    portal = await startTestPortal(which, "2025-10-17T10:00:00+05:30");
  });
  afterAll(async () => portal?.close());

  const keep = (res: { cookies: Array<{ name: string; value: string }> }) => {
    const jar = new Map(
      cookie ? cookie.split("; ").map((c) => c.split("=") as [string, string]) : [],
    );
    for (const c of res.cookies) jar.set(c.name, c.value);
    cookie = [...jar].map(([k, v]) => `${k}=${v}`).join("; ");
  };
  const get = async (url: string) => {
    const res = await portal.app.inject({ url, headers: { cookie } });
    keep(res);
    const t =
      /name="_csrf" value="([^"]+)"/.exec(res.body)?.[1] ?? /_csrf=([^"&]+)/.exec(res.body)?.[1];
    if (t) token = decodeURIComponent(t);
    return res;
  };
  const post = async (url: string, form: Record<string, string | string[]>) => {
    const body = new URLSearchParams();
    for (const [k, v] of Object.entries(form)) for (const x of [v].flat()) body.append(k, x);
    body.append("_csrf", token);
    const res = await portal.app.inject({
      method: "POST",
      url,
      payload: body.toString(),
      headers: { cookie, "content-type": "application/x-www-form-urlencoded" },
    });
    keep(res);
    return res;
  };
  const upload = async (url: string, files: Record<string, Buffer>) => {
    const boundary = "----sewa-def-test";
    const parts: Buffer[] = [];
    for (const [name, bytes] of Object.entries(files)) {
      parts.push(
        Buffer.from(
          `--${boundary}\r\nContent-Disposition: form-data; name="${name}"; filename="${name}.pdf"\r\nContent-Type: application/pdf\r\n\r\n`,
        ),
        bytes,
        Buffer.from("\r\n"),
      );
    }
    parts.push(Buffer.from(`--${boundary}--\r\n`));
    const res = await portal.app.inject({
      method: "POST",
      url: `${url}?_csrf=${encodeURIComponent(token)}`,
      payload: Buffer.concat(parts),
      headers: { cookie, "content-type": `multipart/form-data; boundary=${boundary}` },
    });
    keep(res);
    return res;
  };

  async function incomeService() {
    const [s] = await rows<{ id: number; form: string }>(
      portal.database.db,
      sql`select id, form from services where code = 'income-certificate'`,
    );
    return s as { id: number; form: string };
  }

  let reference = "";

  it("publishes every definition in data/services at seed, immutable and linked to the catalog", async () => {
    const published = await rows<{ code: string; version: number }>(
      portal.database.db,
      sql`select code, version from service_definitions where status = 'published' order by code`,
    );
    expect(published.length).toBeGreaterThanOrEqual(12);
    const income = await incomeService();
    expect(income.form).toBe("definition");
    const page = await portal.app.inject({ url: `/services/${income.id}` });
    expect(page.body).toContain("A form made for this service (service definition, version 1)");
    expect(page.body).toContain("Proof of income from all sources");
    const [generic] = await rows<{ id: number }>(
      portal.database.db,
      sql`select id from services where form = 'generic' limit 1`,
    );
    const genericPage = await portal.app.inject({ url: `/services/${generic?.id}` });
    expect(genericPage.body).toContain("The general application form");
    const refused = await portal.database.db
      .execute(
        sql`update service_definitions set source = 'x' where code = 'income-certificate' and status = 'published'`,
      )
      .then(
        () => "updated",
        (e: Error & { cause?: Error }) => `${e.message} ${e.cause?.message ?? ""}`,
      );
    expect(refused).toMatch(/cannot be changed/);
  });

  it("walks the multi-page form: errors per page, task list, check answers, submit once", async () => {
    const service = await incomeService();
    const start = await get(`/services/${service.id}/apply`);
    expect(start.statusCode).toBe(200);
    expect(start.body).toContain("Start now");
    const refused = await post(`/services/${service.id}/start`, {});
    expect(refused.statusCode).toBe(400);
    const started = await post(`/services/${service.id}/start`, { privacyConsent: "yes" });
    expect(started.statusCode).toBe(303);
    const tasks = started.headers.location as string;
    const draft = tasks.split("/")[2] as string;
    expect((await get(tasks)).body).toContain("Not yet started");

    // A page with a missing answer shows the error summary and keeps what was typed.
    await get(`/drafts/${draft}/pages/name`);
    const bad = await post(`/drafts/${draft}/pages/name`, { fullName: "Asha Rani" });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain("govuk-error-summary");
    expect(bad.body).toContain("Enter your father");
    expect(bad.body).toContain('value="Asha Rani"');

    // The name in Gurmukhi (issue 7): a suggested spelling without JavaScript, then checked as Gurmukhi.
    const suggested = await post(`/drafts/${draft}/pages/name`, {
      fullName: "Harjit Kaur",
      applicantNamePa: "",
      _suggestGurmukhi: "yes",
    });
    expect(suggested.statusCode).toBe(200);
    expect(suggested.body).not.toContain("govuk-error-summary");
    expect(suggested.body).toContain('value="ਹਰਜੀਤ ਕੌਰ"');
    expect(suggested.body).toContain('value="Harjit Kaur"');
    const latin = await post(`/drafts/${draft}/pages/name`, {
      fullName: "Asha Rani",
      relativeName: "Gurmeet Singh",
      applicantNamePa: "Asha",
    });
    expect(latin.statusCode).toBe(400);
    expect(latin.body).toContain('href="#applicantNamePa"');
    expect(latin.body).toContain("Enter the name in Gurmukhi letters only");

    const [tehsil] = await rows<{ code: number }>(
      portal.database.db,
      sql`select code from tehsils where district_code = 36 order by code limit 1`,
    );
    const pages: Array<[string, Record<string, string | string[]>]> = [
      [
        "name",
        { fullName: "Asha Rani", relativeName: "Gurmeet Singh", applicantNamePa: "ਆਸ਼ਾ ਰਾਣੀ" },
      ],
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
          "homeAddress.line1": "House 7, Model Town",
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
    for (const [page, form] of pages) {
      await get(`/drafts/${draft}/pages/${page}`);
      const res = await post(`/drafts/${draft}/pages/${page}`, form);
      expect(
        res.statusCode,
        `${page}: ${res.body.match(/govuk-error-message[^<]*<[^>]*>[^<]*<\/span>([^<]*)/)?.[1]}`,
      ).toBe(303);
    }
    // Not ready: documents are missing.
    expect((await get(`/drafts/${draft}/review`)).headers.location).toBe(`/drafts/${draft}/tasks`);
    await get(`/drafts/${draft}/documents`);
    const missing = await upload(`/drafts/${draft}/documents`, {});
    expect(missing.statusCode).toBe(400);
    expect(missing.body).toContain("Upload");
    const done = await upload(`/drafts/${draft}/documents`, {
      "doc-aadhaarCard": PDF,
      "doc-selfDeclaration": PDF,
      "doc-verificationReport": PDF,
      "doc-incomeProof": PDF,
    });
    expect(done.statusCode).toBe(303);

    const review = await get(`/drafts/${draft}/review`);
    expect(review.statusCode).toBe(200);
    expect(review.body).toContain("Asha Rani");
    expect(review.body).toContain("Name in Gurmukhi (optional)");
    expect(review.body.normalize("NFC")).toContain("ਆਸ਼ਾ ਰਾਣੀ".normalize("NFC"));
    expect(review.body).toContain("₹150"); // 2 copies × ₹75
    expect(review.body).toContain(`/drafts/${draft}/pages/name?return=check`);
    const sent = await post(`/drafts/${draft}/review`, {});
    expect(sent.headers.location).toBe(`/drafts/${draft}/confirmation`);
    // The confirmation names the service in the reader's language.
    const pa = await get(`/drafts/${draft}/confirmation?lang=pa`);
    expect(pa.body).toContain("ਆਮਦਨ ਸਰਟੀਫਿਕੇਟ");
    const again = await post(`/drafts/${draft}/review`, {});
    expect(again.headers.location).toBe(`/drafts/${draft}/confirmation`);
    const [app] = await rows<{
      reference: string;
      stage: string;
      status: string;
      time_limit_days: number;
      definition_id: number;
      form_data: { answers: Record<string, unknown> };
      fee_paise: number | string;
    }>(
      portal.database.db,
      sql`select reference, stage, status, time_limit_days, definition_id, form_data, fee_paise from applications where draft_id = ${draft}`,
    );
    expect(app?.stage).toBe("submitted");
    expect(app?.status).toBe("submitted");
    expect(app?.time_limit_days).toBe(15);
    expect(Number(app?.fee_paise)).toBe(15000); // 2 copies × ₹75, fixed at filing
    expect(app?.form_data.answers.mobile).toBe("9876543210");
    expect(app?.form_data.answers.applicantNamePa).toBe("ਆਸ਼ਾ ਰਾਣੀ".normalize("NFC"));
    const [{ n }] = (await rows<{ n: number }>(
      portal.database.db,
      sql`select count(*)::int as n from applications where draft_id = ${draft}`,
    )) as [{ n: number }];
    expect(n).toBe(1);
    reference = app?.reference as string;
  });

  it("moves through the definition's own stages, each by its own role, with remarks where required", async () => {
    const db = portal.database.db;
    const today = "2025-10-17";
    const clerk = await actorFor(db, "clerk.ludhiana", today);
    const officer = await actorFor(db, "do.ludhiana", today);
    const now = portal.clock.now();
    let row = await svc.findApplicationByReference(db, reference);
    // The clerk's desk page offers the clerk's actions and shows the stages' due dates.
    const clerkOfficial = await findOfficialByUsername(db, "clerk.ludhiana");
    const desk = await portal.app.inject({
      url: `/desk/applications/${reference}`,
      headers: {
        cookie: `sewa_staff=${await startSession(db, clerkOfficial?.id ?? null, new Date(), { mfa: true })}`,
      },
    });
    expect(desk.statusCode).toBe(200);
    expect(desk.body).toContain("Send to the patwari for verification");
    expect(desk.body).not.toContain("Approve and issue the certificate");
    expect(desk.body).toContain("Stage due dates");
    expect(desk.body).toContain("Asha Rani");
    // The officer cannot take the clerk's action; the clerk cannot approve.
    await expect(
      decideByDefinition(
        db,
        officer,
        reference,
        { action: "send_for_verification", remark: "", version: row?.version ?? 0 },
        now,
      ),
    ).rejects.toThrow(/not open to you/);
    await expect(
      decideByDefinition(
        db,
        clerk,
        reference,
        { action: "approve", remark: "ok", version: row?.version ?? 0 },
        now,
      ),
    ).rejects.toThrow(/not open to you/);
    await decideByDefinition(
      db,
      clerk,
      reference,
      { action: "send_for_verification", remark: "", version: row?.version ?? 0 },
      now,
    );
    row = await svc.findApplicationByReference(db, reference);
    expect(row?.stage).toBe("verification");
    await expect(
      decideByDefinition(
        db,
        clerk,
        reference,
        { action: "submit_report", remark: " ", version: row?.version ?? 0 },
        now,
      ),
    ).rejects.toThrow(/remark/);
    await decideByDefinition(
      db,
      clerk,
      reference,
      {
        action: "submit_report",
        remark: "Income verified from the jamabandi",
        version: row?.version ?? 0,
      },
      now,
    );
    row = await svc.findApplicationByReference(db, reference);
    // Through the desk page, as the tehsildar sees it.
    const view = await decideByDefinition(
      db,
      officer,
      reference,
      { action: "approve", remark: "", version: row?.version ?? 0 },
      now,
    );
    expect(view.status).toBe("approved");
    row = await svc.findApplicationByReference(db, reference);
    expect(row?.stage).toBe("approved");
    const events = await rows<{
      action: string;
      stage: string | null;
      definition_action: string | null;
    }>(
      db,
      sql`select action, stage, definition_action from application_events where application_id = ${row?.id} order by id`,
    );
    expect(events.map((e) => [e.action, e.stage])).toEqual([
      ["submitted", "submitted"],
      ["stage_changed", "verification"],
      ["stage_changed", "decision"],
      ["approved", "approved"],
    ]);
    const [cert] = await rows<{ n: number }>(
      db,
      sql`select count(*)::int as n from certificates where application_id = ${row?.id}`,
    );
    expect(cert?.n).toBe(1);
    // The certificate carries the definition's facts: the address answer and the validity of its output.
    const [doc] = await rows<{ sha256: string }>(
      db,
      sql`select d.sha256 from documents d join certificates c on c.document_id = d.id where c.application_id = ${row?.id}`,
    );
    const pdf = await fileStore(portal.storeDir).get(doc?.sha256 as string);
    const file = path.join(portal.storeDir, "income-certificate.pdf");
    fs.writeFileSync(file, pdf);
    const text = execFileSync("pdftotext", ["-enc", "UTF-8", file, "-"], { encoding: "utf8" });
    expect(text).toContain("House 7, Model Town");
    expect(text).toContain("Gurmeet Singh");
    expect(text).toContain("One year (the current financial year)");
  });

  it("a new version never changes an application already filed", async () => {
    const db = portal.database.db;
    const before = await svc.findApplicationByReference(db, reference);
    const source = await readFile("data/services/revenue/income-certificate.yaml", "utf8");
    const changed = source.replace(/timeLimit:\n {2}days: 15/, "timeLimit:\n  days: 20");
    expect(changed).not.toBe(source);
    const { draft } = await saveDefinitionDraft(db, {
      source: changed,
      by: "pmu.test",
      now: portal.clock.now(),
    });
    const published = await publishDefinition(db, draft.id, "pmu.test", portal.clock.now());
    expect(published.version).toBe(2);
    const versions = await versionsOf(db, "income-certificate");
    expect(versions.map((v) => v.status)).toEqual(["published", "superseded"]);
    const after = await svc.findApplicationByReference(db, reference);
    expect(after?.definitionId).toBe(before?.definitionId);
    expect(after?.timeLimitDays).toBe(15);
    expect(after?.formData).toEqual(before?.formData);
    const [s] = await rows<{ time_limit_days: number }>(
      db,
      sql`select time_limit_days from services where code = 'income-certificate'`,
    );
    expect(s?.time_limit_days).toBe(20);
  });

  it("files through the API with the definition's answers and checklist documents, idempotently", async () => {
    const service = await incomeService();
    const [tehsil] = await rows<{ code: number }>(
      portal.database.db,
      sql`select code from tehsils where district_code = 36 order by code limit 1`,
    );
    const answers = {
      fullName: "Api Applicant",
      relativeName: "Parent Name",
      dateOfBirth: "1985-02-03",
      gender: "male",
      mobile: "9812345678",
      homeAddress: {
        line1: "Ward 4",
        districtCode: 36,
        tehsilCode: tehsil?.code,
        pincode: "141001",
      },
      purpose: "loan",
      earningMembers: [
        {
          memberName: "Api Applicant",
          relation: "self",
          incomeSource: "salary",
          annualIncome: 300000,
        },
      ],
      ownsLand: false,
      totalAnnualIncome: 300000,
      copies: 1,
      declaration: ["agree"],
    };
    const generic = await portal.app.inject({
      method: "POST",
      url: "/api/v1/applications",
      payload: { serviceId: service.id, applicant: { name: "X" } },
    });
    expect(generic.statusCode).toBe(400);
    expect(generic.headers["content-type"]).toContain("application/problem+json");
    const noDocs = await portal.app.inject({
      method: "POST",
      url: "/api/v1/applications",
      payload: { serviceId: service.id, answers },
    });
    expect(noDocs.statusCode).toBe(400);
    const fields = noDocs.json().errors.map((e: { field: string }) => e.field);
    expect(fields).toContain("documents.incomeProof");
    expect(fields).toContain("documents.idProof");
    const boundary = "----api-def";
    const part = (name: string, body: string | Buffer, file?: string) =>
      Buffer.concat([
        Buffer.from(
          `--${boundary}\r\nContent-Disposition: form-data; name="${name}"${file ? `; filename="${file}"\r\nContent-Type: application/pdf` : ""}\r\n\r\n`,
        ),
        Buffer.isBuffer(body) ? body : Buffer.from(body),
        Buffer.from("\r\n"),
      ]);
    const payload = Buffer.concat([
      part("application", JSON.stringify({ serviceId: service.id, answers })),
      ...["aadhaarCard", "selfDeclaration", "verificationReport", "incomeProof"].map((d) =>
        part(`doc-${d}`, PDF, `${d}.pdf`),
      ),
      Buffer.from(`--${boundary}--\r\n`),
    ]);
    const send = () =>
      portal.app.inject({
        method: "POST",
        url: "/api/v1/applications",
        payload,
        headers: {
          "content-type": `multipart/form-data; boundary=${boundary}`,
          "idempotency-key": "def-api-1",
        },
      });
    const first = await send();
    expect(first.statusCode).toBe(201);
    const again = await send();
    expect(again.json().reference).toBe(first.json().reference);
    expect(again.headers["idempotent-replayed"]).toBe("true");
    const row = await svc.findApplicationByReference(portal.database.db, first.json().reference);
    expect(row?.stage).toBe("submitted");
    const docs =
      (row?.formData as { documents: Record<string, string[]> } | undefined)?.documents ?? {};
    const stored = await svc.applicationDocuments(portal.database.db, row?.id as number);
    expect(stored).toHaveLength(4);
    expect(docs.incomeProof?.[0]).toBe(stored.find((d) => d.filename === "incomeProof.pdf")?.id);
  });

  it("starts the time limit after a statutory notice period the definition declares", async () => {
    const db = portal.database.db;
    const source = await readFile("data/services/revenue/income-certificate.yaml", "utf8");
    const withNotice = source.replace(
      /timeLimit:\n {2}days: 15/,
      "timeLimit:\n  days: 15\n  noticePeriodDays: 30",
    );
    const { draft } = await saveDefinitionDraft(db, {
      source: withNotice,
      by: "pmu.test",
      now: portal.clock.now(),
    });
    const published = await publishDefinition(db, draft.id, "pmu.test", portal.clock.now());
    const now = portal.clock.now();
    const [tehsil] = await rows<{ code: number }>(
      db,
      sql`select code from tehsils where district_code = 36 limit 1`,
    );
    const filed = await svc.submitApplication(db, {
      application: {
        kind: "definition",
        serviceId: published.serviceId as number,
        definitionId: published.id,
        initialStage: "submitted",
        timeLimitDays: 15,
        basis: "working",
        noticePeriodDays: 30,
        feePaise: 0,
        applicant: {
          name: "Notice Test",
          mobile: "9876500000",
          districtCode: 36,
          tehsilCode: tehsil?.code as number,
        },
        answers: {},
        documents: {},
      },
      documentIds: [],
      channel: "online",
      now,
    });
    const calendar = await loadCalendar(db, 36);
    const start = istDateOf(now.toZonedDateTimeISO("Asia/Kolkata").add({ days: 30 }).toInstant());
    expect(filed.dueDate).toBe(addWorkingDays(calendar, start, 15));
  });

  it("does not take online applications for a service its definition keeps offline", async () => {
    const db = portal.database.db;
    const source = await readFile("data/services/personnel/residence-certificate.yaml", "utf8");
    const offline = source.replace(
      /channels:\n {2}online:\n {4}enabled: true/,
      "channels:\n  online:\n    enabled: false",
    );
    expect(offline).not.toBe(source);
    const { draft } = await saveDefinitionDraft(db, {
      source: offline,
      by: "pmu.test",
      now: portal.clock.now(),
    });
    const published = await publishDefinition(db, draft.id, "pmu.test", portal.clock.now());
    const start = await get(`/services/${published.serviceId}/apply?lang=en`);
    expect(start.body).toContain("This service is not offered online");
    expect(start.body).not.toContain("Start now");
    const refused = await post(`/services/${published.serviceId}/start`, { privacyConsent: "yes" });
    expect(refused.headers.location).toBe(`/services/${published.serviceId}/apply`);
    const api = await portal.app.inject({
      method: "POST",
      url: "/api/v1/applications",
      payload: { serviceId: published.serviceId, answers: {} },
    });
    expect(api.statusCode).toBe(422);
  });
});
