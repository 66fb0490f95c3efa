/**
 * Assisted application at a Sewa Kendra counter (issue 9): the operator
 * fills the citizen's own pages for a walk-in token, uploads the scanned
 * documents, and files only with the applicant's consent code; a wrong code
 * files nothing; the application records the channel, centre, counter,
 * operator and consent time and gets the centre's +2 days; filing again
 * changes nothing; nobody else can open the draft.
 */
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as applications from "../../applications/service.ts";
import { rows } from "../../db/client.ts";
import { testDatabases } from "../../db/testing.ts";
import { startTestPortal, type TestPortal } from "../../web/testing.ts";
import { fileWithConsent, startAssistedDraft } from "./service.ts";
import {
  seedKendraOfficial,
  seedTestKendra,
  staffBrowser,
  TEST_PDF,
  type TestBrowser,
} from "./testing.ts";

const KENDRA = "ZZ-LDH-01";
const OTHER = "ZZ-PTA-01";

describe.each(testDatabases())("assisted application on $name", (which) => {
  let portal: TestPortal;
  let operatorId = 0;
  let operator: TestBrowser;
  let tehsil = 0;
  let incomeId = 0;
  beforeAll(async () => {
    portal = await startTestPortal(which, "2026-03-02T10:00:00+05:30");
    const db = portal.database;
    await seedTestKendra(db, { code: KENDRA, name: "Sewa Kendra Test Ludhiana", districtCode: 36 });
    await seedTestKendra(db, { code: OTHER, name: "Sewa Kendra Test Patiala", districtCode: 41 });
    operatorId = await seedKendraOfficial(db, {
      username: `op.assist.${which.name}`,
      role: "kendra_operator",
      districtCode: 36,
      kendraCode: KENDRA,
    });
    operator = await staffBrowser(portal, operatorId, { kendraCode: KENDRA, counter: 2 });
    const [t] = await rows<{ code: number }>(
      db.db,
      sql`select code from tehsils where district_code = 36 order by code limit 1`,
    );
    tehsil = t?.code as number;
    const [s] = await rows<{ id: number }>(
      db.db,
      sql`select id from services where code = 'income-certificate'`,
    );
    incomeId = s?.id as number;
  });
  afterAll(async () => portal?.close());

  const count = async (q: ReturnType<typeof sql>) =>
    ((await rows<{ n: number }>(portal.database.db, q))[0] as { n: number }).n;

  /** Fills the income certificate's pages and documents as `b`; returns the draft id. */
  async function fillIncome(b: TestBrowser, draft: string, mobile: string) {
    const pages: Array<[string, Record<string, string>]> = [
      ["name", { fullName: "Kulwant Kaur", relativeName: "Harbans Singh" }],
      [
        "birth",
        {
          "dateOfBirth-day": "1",
          "dateOfBirth-month": "2",
          "dateOfBirth-year": "1975",
          gender: "female",
        },
      ],
      ["contact", { mobile }],
      ["aadhaarPage", { aadhaar: "" }],
      [
        "address",
        {
          "homeAddress.line1": "Village Gill",
          "homeAddress.districtCode": "36",
          "homeAddress.tehsilCode": String(tehsil),
          "homeAddress.pincode": "141116",
        },
      ],
      ["purposePage", { purpose: "scholarship" }],
      [
        "earners",
        {
          "earningMembers.0.memberName": "Harbans Singh",
          "earningMembers.0.relation": "father",
          "earningMembers.0.incomeSource": "agriculture",
          "earningMembers.0.annualIncome": "90000",
        },
      ],
      ["land", { ownsLand: "no" }],
      ["total", { totalAnnualIncome: "90000" }],
      ["copiesPage", { copies: "1" }],
      ["declarationPage", { declaration: "agree" }],
    ];
    for (const [page, form] of pages) {
      await b.get(`/drafts/${draft}/pages/${page}`);
      const res = await b.post(`/drafts/${draft}/pages/${page}`, form);
      expect(res.statusCode, page).toBe(303);
    }
    await b.get(`/drafts/${draft}/documents`);
    const done = await b.upload(`/drafts/${draft}/documents`, {
      "doc-aadhaarCard": TEST_PDF,
      "doc-selfDeclaration": TEST_PDF,
      "doc-verificationReport": TEST_PDF,
      "doc-incomeProof": TEST_PDF,
    });
    expect(done.statusCode).toBe(303);
  }

  it("needs a counter seat, lists the services and starts a draft linked to the token", async () => {
    const noSeat = await staffBrowser(portal, operatorId);
    const page = await noSeat.get("/counter/apply");
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain("Take a counter first");
    // An official without application.assist (a designated officer) gets 404.
    const [doId] = await rows<{ id: number }>(
      portal.database.db,
      sql`select id from officials where username = 'do.ludhiana'`,
    );
    const officer = await staffBrowser(portal, doId?.id as number);
    expect((await officer.get("/counter/apply")).statusCode).toBe(404);

    const list = await operator.get("/counter/apply?q=income");
    expect(list.statusCode).toBe(200);
    expect(list.body).toContain("Sewa Kendra Test Ludhiana, counter 2");
    expect(list.body).toContain(`/counter/apply?service=${incomeId}`);
    // Another centre's token is not this counter's: 404.
    await portal.database.db.execute(
      sql`insert into tokens (kendra_code, service_date, number, kind, status, counter, issued_at)
          values (${OTHER}, '2026-03-02', 1, 'walk_in', 'called', 1, now()),
                 (${KENDRA}, '2026-03-02', 1, 'walk_in', 'called', 2, now())`,
    );
    const [theirs] = await rows<{ id: number }>(
      portal.database.db,
      sql`select id from tokens where kendra_code = ${OTHER}`,
    );
    const [ours] = await rows<{ id: number }>(
      portal.database.db,
      sql`select id from tokens where kendra_code = ${KENDRA}`,
    );
    expect((await operator.get(`/counter/apply?token=${theirs?.id}`)).statusCode).toBe(404);
    const start = await operator.get(`/counter/apply?service=${incomeId}&token=${ours?.id}`);
    expect(start.body).toContain("Documents to scan");
    const refused = await operator.post("/counter/apply", {
      serviceId: String(incomeId),
      token: String(ours?.id),
    });
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toContain("Confirm that the applicant has been told");
  });

  it("files with the applicant's consent code: wrong code refused, right code files once with the centre, counter and +2 days", async () => {
    const db = portal.database.db;
    const [token] = await rows<{ id: number }>(
      db,
      sql`select id from tokens where kendra_code = ${KENDRA}`,
    );
    const started = await operator.post("/counter/apply", {
      serviceId: String(incomeId),
      token: String(token?.id),
      privacyConsent: "yes",
    });
    expect(started.statusCode).toBe(303);
    const tasks = started.headers.location as string;
    expect(tasks).toMatch(/^\/drafts\/[0-9a-f-]+\/tasks$/);
    const draft = tasks.split("/")[2] as string;
    const [stored] = await rows<{ channel: string; assisted: Record<string, unknown> }>(
      db,
      sql`select channel, assisted from drafts where id = ${draft}`,
    );
    expect(stored?.channel).toBe("kendra");
    expect(stored?.assisted).toMatchObject({
      officialId: operatorId,
      kendraCode: KENDRA,
      counter: 2,
      tokenId: Number(token?.id),
    });

    // Nobody else opens it: anonymous, a citizen, staff of another centre.
    const anonymous = await staffBrowser(portal, null);
    expect((await anonymous.get(tasks)).statusCode).toBe(404);
    expect((await anonymous.get(`/drafts/${draft}/pages/name`)).statusCode).toBe(404);
    expect((await anonymous.get(`/drafts/${draft}/consent`)).statusCode).toBe(404);
    const otherId = await seedKendraOfficial(portal.database, {
      username: `op.patiala.${which.name}`,
      role: "kendra_operator",
      districtCode: 41,
      kendraCode: OTHER,
    });
    const stranger = await staffBrowser(portal, otherId, { kendraCode: OTHER, counter: 1 });
    expect((await stranger.get(tasks)).statusCode).toBe(404);
    expect((await stranger.get(`/drafts/${draft}/documents`)).statusCode).toBe(404);

    await fillIncome(operator, draft, "98140 11223");
    // The citizen's submit button is replaced by the consent step.
    const review = await operator.get(`/drafts/${draft}/review`);
    expect(review.statusCode).toBe(200);
    expect(review.body).toContain("Continue to the applicant");
    expect(review.body).not.toContain(`action="/drafts/${draft}/review"`);
    const sneaky = await operator.post(`/drafts/${draft}/review`);
    expect(sneaky.headers.location).toBe(`/drafts/${draft}/consent`);
    expect(
      await count(sql`select count(*)::int as n from applications where draft_id = ${draft}`),
    ).toBe(0);

    const consent = await operator.get(`/drafts/${draft}/consent`);
    expect(consent.statusCode).toBe(200);
    expect(consent.body).toContain("Kulwant Kaur");
    expect(consent.body).toContain("9814011223");
    const smsBefore = portal.sms.sent.length;
    const sent = await operator.post(`/drafts/${draft}/consent/send`);
    expect(sent.headers.location).toBe(`/drafts/${draft}/consent?sent=1`);
    const sms = portal.sms.sent.slice(smsBefore);
    expect(sms).toHaveLength(1);
    expect(sms[0]?.to).toBe("9814011223");
    // The applicant's language is not known: the code comes in Punjabi.
    expect(sms[0]?.templateId).toBe("SEWA-DLT-CONSENT-CODE-PA");
    expect(sms[0]?.text).toContain("ਸਹਿਮਤੀ ਕੋਡ");
    expect(sms[0]?.text).toContain("Sewa Kendra Test Ludhiana (ਪੰਜਾਬੀ), ਕਾਊਂਟਰ 2");
    const code = /^(\d{6}) /.exec(sms[0]?.text ?? "")?.[1] as string;
    expect(code).toMatch(/^\d{6}$/);

    // A wrong code: a field error, what was typed kept, nothing filed.
    const wrong = code === "000000" ? "111111" : "000000";
    await operator.get(`/drafts/${draft}/consent`);
    const refused = await operator.post(`/drafts/${draft}/consent`, { code: wrong });
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toContain("govuk-error-summary");
    expect(refused.body).toContain("The code is not right");
    expect(refused.body).toContain(`value="${wrong}"`);
    const malformed = await operator.post(`/drafts/${draft}/consent`, { code: "12" });
    expect(malformed.body).toContain("Enter the 6-digit code");
    expect(
      await count(sql`select count(*)::int as n from applications where draft_id = ${draft}`),
    ).toBe(0);

    // The right code files it.
    const filed = await operator.post(`/drafts/${draft}/consent`, { code });
    expect(filed.headers.location).toBe(`/drafts/${draft}/filed`);
    const [app] = await rows<{
      id: number;
      reference: string;
      channel: string;
      kendra_code: string;
      counter: number;
      assisted_by: number;
      consent_at: string | Date;
      time_limit_days: number;
      due_date: string;
      mobile: string;
    }>(db, sql`select * from applications where draft_id = ${draft}`);
    expect(app).toMatchObject({
      channel: "kendra",
      kendra_code: KENDRA,
      counter: 2,
      assisted_by: operatorId,
      time_limit_days: 17, // 15 + 2 for the Sewa Kendra
      mobile: "9814011223",
    });
    expect(new Date(app?.consent_at as string).toISOString()).toBe("2026-03-02T04:30:00.000Z");
    // The same application filed online at the same moment is due 2 working days earlier.
    const online = await applications.submitApplication(db, {
      application: {
        kind: "definition",
        serviceId: incomeId,
        definitionId: Number(
          (
            await rows<{ id: number }>(
              db,
              sql`select id from service_definitions where code = 'income-certificate' and status = 'published'`,
            )
          )[0]?.id,
        ),
        initialStage: "submitted",
        timeLimitDays: 15,
        basis: "working",
        noticePeriodDays: 0,
        feePaise: 7500,
        applicant: { name: "Online", mobile: "9814099999", districtCode: 36, tehsilCode: tehsil },
        answers: {},
        documents: {},
      },
      documentIds: [],
      channel: "online",
      now: portal.clock.now(),
    });
    // 2026-03-02 is a Monday: 15 working days → 2026-03-23 online, 17 → 2026-03-25 at the centre (no holiday in between).
    const holidays = await count(
      sql`select count(*)::int as n from holidays where date between '2026-03-02' and '2026-03-31'`,
    ).catch(() => 0);
    expect(online.dueDate && app?.due_date && online.dueDate < app.due_date).toBe(true);
    if (holidays === 0) {
      expect(online.dueDate).toBe("2026-03-23");
      expect(app?.due_date).toBe("2026-03-25");
    }
    // The documents scanned at the counter are the application's; the token is linked; the SMS is queued.
    expect(
      await count(sql`select count(*)::int as n from documents where application_id = ${app?.id}`),
    ).toBe(4);
    expect(
      await count(
        sql`select count(*)::int as n from tokens where id = ${token?.id} and application_id = ${app?.id}`,
      ),
    ).toBe(1);
    expect(
      await count(
        sql`select count(*)::int as n from outbox_events where topic = 'application.submitted' and payload->>'reference' = ${app?.reference}`,
      ),
    ).toBe(1);
    expect(
      await count(
        sql`select count(*)::int as n from audit_log where action = 'application.submitted' and actor = ${`official:${operatorId}`}`,
      ),
    ).toBe(1);

    // Filing again (a repeated post, or the service call) gives the same application.
    const again = await operator.post(`/drafts/${draft}/consent`, { code: "123456" });
    expect(again.headers.location).toBe(`/drafts/${draft}/filed`);
    const replay = await fileWithConsent(db, "unused", {
      draftId: draft,
      code: "",
      officialId: operatorId,
      now: portal.clock.now(),
    });
    expect(replay).toMatchObject({ reference: app?.reference, created: false });
    expect(
      await count(sql`select count(*)::int as n from applications where draft_id = ${draft}`),
    ).toBe(1);

    // The staff confirmation: reference, due date, fee, take the fee, back to the queue.
    const confirmation = await operator.get(`/drafts/${draft}/confirmation`);
    expect(confirmation.headers.location).toBe(`/drafts/${draft}/filed`);
    const page = await operator.get(`/drafts/${draft}/filed`);
    expect(page.body).toContain(app?.reference);
    expect(page.body).toContain("₹75");
    expect(page.body).toContain(
      `href="/counter/payments?reference=${encodeURIComponent(app?.reference as string)}"`,
    );
    expect(page.body).toContain('href="/counter"');
    expect((await anonymous.get(`/drafts/${draft}/filed`)).statusCode).toBe(404);

    // The applicant tracks it as usual; the timeline says where and how it was filed.
    const citizen = await staffBrowser(portal, null);
    await citizen.get("/track");
    const tracked = await citizen.post("/track", {
      reference: app?.reference as string,
      mobile: "9814011223",
    });
    expect(tracked.headers.location).toBe(`/track/${app?.reference}`);
    const track = await citizen.get(`/track/${app?.reference}`);
    expect(track.body).toContain(
      "Filed at Sewa Kendra Test Ludhiana, counter 2, with the applicant",
    );
    const trackPa = await citizen.get(`/track/${app?.reference}?lang=pa`);
    expect(trackPa.body).toContain("ਕਾਊਂਟਰ 2");
  });

  it("a facilitator files at their own doorstep visit: channel doorstep, the visit linked, no centre days", async () => {
    const db = portal.database.db;
    const facilitatorId = await seedKendraOfficial(portal.database, {
      username: `sahayak.${which.name}`,
      role: "facilitator",
      districtCode: 36,
      kendraCode: null,
    });
    const otherFacilitator = await seedKendraOfficial(portal.database, {
      username: `sahayak.other.${which.name}`,
      role: "facilitator",
      districtCode: 36,
      kendraCode: null,
    });
    const [visit] = await rows<{ id: number }>(
      db,
      sql`insert into doorstep_visits (number, mobile, citizen_name, address, district_code, tehsil_code, service_id, visit_date, slot, facilitator_id, booked_at)
          values (${`DV-TEST-${which.name}`}, '9814033445', 'Baljit Kaur', 'Village Lalton', 36, ${tehsil}, ${incomeId}, '2026-03-02', '10:00', ${facilitatorId}, now())
          returning id`,
    );
    const sahayak = await staffBrowser(portal, facilitatorId);
    const intruder = await staffBrowser(portal, otherFacilitator);
    expect((await intruder.get(`/counter/apply?visit=${visit?.id}`)).statusCode).toBe(404);
    // A facilitator has no counter: without a visit there is nothing to apply for.
    expect((await sahayak.get("/counter/apply")).statusCode).toBe(404);
    const start = await sahayak.get(`/counter/apply?visit=${visit?.id}`);
    expect(start.statusCode).toBe(200);
    expect(start.body).toContain("Doorstep visit");
    const started = await sahayak.post("/counter/apply", {
      serviceId: String(incomeId),
      visit: String(visit?.id),
      privacyConsent: "yes",
    });
    const draft = (started.headers.location as string).split("/")[2] as string;
    const [stored] = await rows<{ channel: string; data: { answers: Record<string, unknown> } }>(
      db,
      sql`select channel, data from drafts where id = ${draft}`,
    );
    expect(stored?.channel).toBe("doorstep");
    // The booking's name and mobile are filled in for the facilitator to check.
    expect(stored?.data.answers).toMatchObject({ fullName: "Baljit Kaur", mobile: "9814033445" });
    expect((await intruder.get(`/drafts/${draft}/tasks`)).statusCode).toBe(404);
    await fillIncome(sahayak, draft, "9814033445");
    // This applicant chose English on the portal: the code comes in English.
    await portal.database.db.execute(
      sql`insert into citizens (mobile, lang) values ('9814033445', 'en') on conflict (mobile) do update set lang = 'en'`,
    );
    await sahayak.get(`/drafts/${draft}/consent`);
    const before = portal.sms.sent.length;
    await sahayak.post(`/drafts/${draft}/consent/send`);
    const sms = portal.sms.sent.slice(before)[0];
    expect(sms?.text).toContain("Income certificate");
    expect(sms?.text).toContain("by the Sewa Sahayak at your door");
    expect(sms?.templateId).toBe("SEWA-DLT-CONSENT-CODE-DOORSTEP-EN");
    const code = /^(\d{6}) /.exec(sms?.text ?? "")?.[1] as string;
    const filed = await sahayak.post(`/drafts/${draft}/consent`, { code });
    expect(filed.headers.location).toBe(`/drafts/${draft}/filed`);
    const [app] = await rows<{
      id: number;
      channel: string;
      kendra_code: string | null;
      visit_id: number | string;
      assisted_by: number;
      time_limit_days: number;
    }>(db, sql`select * from applications where draft_id = ${draft}`);
    expect(app).toMatchObject({
      channel: "doorstep",
      kendra_code: null,
      assisted_by: facilitatorId,
      time_limit_days: 15,
    });
    expect(Number(app?.visit_id)).toBe(Number(visit?.id)); // bigint: a string on PostgreSQL
    expect(
      await count(
        sql`select count(*)::int as n from doorstep_visits where id = ${visit?.id} and application_id = ${app?.id}`,
      ),
    ).toBe(1);
    const page = await sahayak.get(`/drafts/${draft}/filed`);
    expect(page.body).toContain(`href="/visits/${visit?.id}"`);
    expect(page.body).toContain('href="/visits"');
  });

  it("generic-form services use the same form; excluded services are refused with a reason", async () => {
    const db = portal.database.db;
    const [generic] = await rows<{ id: number }>(
      db,
      sql`select id from services where form = 'generic' order by id limit 1`,
    );
    const started = await operator.post("/counter/apply", {
      serviceId: String(generic?.id),
      privacyConsent: "yes",
    });
    const edit = started.headers.location as string;
    expect(edit).toMatch(/^\/drafts\/[0-9a-f-]+\/edit$/);
    const draft = edit.split("/")[2] as string;
    expect((await operator.get(edit)).statusCode).toBe(200);
    expect((await staffBrowser(portal, null).then((b) => b.get(edit))).statusCode).toBe(404);
    const res = await operator.upload(
      edit,
      {},
      {
        name: "Jaspal Singh",
        relativeName: "Kartar Singh",
        gender: "male",
        "dob-day": "3",
        "dob-month": "4",
        "dob-year": "1980",
        mobile: "9814022334",
        line1: "Ward 4",
        districtCode: "36",
        tehsilCode: String(tehsil),
        pincode: "141001",
        purpose: "Needed for a bank loan",
        declaration: "yes",
        privacyConsent: "yes",
      },
    );
    expect(res.headers.location).toBe(`/drafts/${draft}/check`);
    const check = await operator.get(`/drafts/${draft}/check`);
    expect(check.body).toContain(`/drafts/${draft}/consent`);
    expect(check.body).not.toContain(`action="/drafts/${draft}/submit"`);
    expect((await operator.post(`/drafts/${draft}/submit`)).headers.location).toBe(
      `/drafts/${draft}/consent`,
    );
    expect((await operator.get(`/drafts/${draft}/consent`)).body).toContain("Jaspal Singh");

    // The police clearance certificate is not offered at the doorstep.
    const [saanjh] = await rows<{ id: number }>(
      db,
      sql`select id from services where code = 'saanjh-police-clearance-certificate'`,
    );
    await expect(
      startAssistedDraft(db, {
        serviceId: saanjh?.id as number,
        channel: "doorstep",
        officialId: operatorId,
        now: portal.clock.now(),
      }),
    ).rejects.toMatchObject({
      kind: "unprocessable",
      fields: [{ field: "serviceId", code: "assisted.channel_closed" }],
    });
  });
});
