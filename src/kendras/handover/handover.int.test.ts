/**
 * Handover of outputs in person, uncollected reminders and feedback (issue 9),
 * end to end on both databases: approval writes the handover row in its own
 * transaction; the counter hands over against the applicant's OTP (wrong code
 * refused, second handover refused, other district 404); the reminder goes
 * once after 30 calendar days; the feedback link is answered once.
 */
import { sql } from "drizzle-orm";
import { Temporal } from "temporal-polyfill";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decideByDefinition } from "../../applications/definition-decisions.ts";
import * as applications from "../../applications/service.ts";
import { rows } from "../../db/client.ts";
import { testDatabases } from "../../db/testing.ts";
import { actorFor, createOfficial, startSession } from "../../identity/service.ts";
import { processOutbox } from "../../notifications/consumer.ts";
import { startTestPortal, type TestPortal } from "../../web/testing.ts";
import { askForFeedback } from "../feedback/service.ts";
import { handOver, remindUncollected, sendHandoverCode } from "./service.ts";

const K1 = "HO-TEST-LDH";
const K2 = "HO-TEST-PTA";

describe.each(testDatabases())("handover and feedback on $name", (which) => {
  let portal: TestPortal;
  let tehsil36 = 0;
  let tehsil41 = 0;
  const cookies: Record<string, string> = {};
  let csrf = { token: "", cookie: "" };

  const db = () => portal.database.db;
  const count = async (q: ReturnType<typeof sql>) =>
    Number((await rows<{ n: number }>(db(), q))[0]?.n);

  async function official(username: string, role: string, district: number, kendra: string) {
    const o = await db().transaction((tx) =>
      createOfficial(tx, {
        username,
        name: `Test ${username}`,
        designation: role,
        password: "handover-test-password-9",
        posting: { role, level: "district", districtCode: district, validFrom: "2020-01-01" },
      }),
    );
    await db().execute(
      sql`update postings set kendra_code = ${kendra} where official_id = ${o.id} and role = ${role}`,
    );
    return o;
  }

  beforeAll(async () => {
    portal = await startTestPortal(which, "2026-03-02T10:00:00+05:30");
    const t = async (d: number) =>
      (
        await rows<{ code: number }>(
          db(),
          sql`select code from tehsils where district_code = ${d} order by code limit 1`,
        )
      )[0]?.code as number;
    tehsil36 = await t(36);
    tehsil41 = await t(41);
    await db().execute(
      sql`insert into kendras (code, name_en, name_pa, name_hi, district_code, tehsil_code, type, counters)
          values (${K1}, 'Suvidha Test Ludhiana', 'ਸੁਵਿਧਾ ਟੈਸਟ ਲੁਧਿਆਣਾ', 'सुविधा टेस्ट लुधियाना', 36, ${tehsil36}, 'I', 4),
                 (${K2}, 'Suvidha Test Patiala', 'ਸੁਵਿਧਾ ਟੈਸਟ ਪਟਿਆਲਾ', 'सुविधा टेस्ट पटियाला', 41, ${tehsil41}, 'I', 2)
          on conflict do nothing`,
    );
    const op1 = await official(`op1.${which.name}`, "kendra_operator", 36, K1);
    const op2 = await official(`op2.${which.name}`, "kendra_operator", 41, K2);
    const mgr = await official(`mgr1.${which.name}`, "kendra_manager", 36, K1);
    cookies.op1 = `sewa_staff=${await startSession(db(), op1.id, new Date(), { mfa: true, counter: { kendraCode: K1, counter: 2 } })}`;
    cookies.op2 = `sewa_staff=${await startSession(db(), op2.id, new Date(), { mfa: true, counter: { kendraCode: K2, counter: 1 } })}`;
    cookies.mgr = `sewa_staff=${await startSession(db(), mgr.id, new Date(), { mfa: true })}`;
    const page = await portal.app.inject({ url: "/track" });
    csrf = {
      token: /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1] as string,
      cookie: page.cookies.map((c) => `${c.name}=${c.value}`).join("; "),
    };
  });
  afterAll(async () => portal?.close());

  /** Files an income certificate application through the service layer (channel and centre as given). */
  async function file(mobile: string, channel: "online" | "kendra") {
    const [def] = await rows<{ id: number; service_id: number }>(
      db(),
      sql`select id, service_id from service_definitions where code = 'income-certificate' and status = 'published'`,
    );
    const filed = await applications.submitApplication(db(), {
      application: {
        kind: "definition",
        serviceId: def?.service_id as number,
        definitionId: def?.id as number,
        initialStage: "submitted",
        timeLimitDays: 15,
        basis: "working",
        noticePeriodDays: 0,
        feePaise: 0,
        applicant: { name: "Handover Applicant", mobile, districtCode: 36, tehsilCode: tehsil36 },
        answers: { copies: 1 },
        documents: {},
      },
      documentIds: [],
      channel,
      now: portal.clock.now(),
    });
    if (channel === "kendra")
      await db().execute(
        sql`update applications set kendra_code = ${K1}, counter = 1 where reference = ${filed.reference}`,
      );
    return filed.reference;
  }

  /** Takes the application through verification to approval (the certificate is issued). */
  async function approve(reference: string) {
    const day = portal.clock.now().toString().slice(0, 10);
    const officer = await actorFor(db(), "do.ludhiana", day);
    const clerk = await actorFor(db(), "clerk.ludhiana", day);
    const step = async (actor: typeof officer, action: string, remark = "") => {
      const row = await applications.findApplicationByReference(db(), reference);
      await decideByDefinition(
        db(),
        actor,
        reference,
        { action, remark, version: row?.version ?? 0 },
        portal.clock.now(),
      );
    };
    await step(clerk, "send_for_verification");
    await step(clerk, "submit_report", "Income verified");
    await step(officer, "approve", "Approved");
  }

  const get = (url: string, who: string) =>
    portal.app.inject({ url, headers: { cookie: [csrf.cookie, cookies[who]].join("; ") } });
  const post = (url: string, who: string, form: Record<string, string>) =>
    portal.app.inject({
      method: "POST",
      url,
      payload: new URLSearchParams({ ...form, _csrf: csrf.token }).toString(),
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        cookie: [csrf.cookie, cookies[who]].join("; "),
      },
    });
  const handoverOf = async (reference: string) =>
    (
      await rows<{
        status: string;
        ready_at: string;
        kendra_code: string | null;
        counter: number | null;
      }>(
        db(),
        sql`select h.status, h.ready_at::text as ready_at, h.kendra_code, h.counter from handovers h
            join applications a on a.id = h.application_id where a.reference = ${reference}`,
      )
    )[0];

  let handedRef = "";

  it("approval of a Sewa Kendra application writes the handover row in its own transaction; an online one does not", async () => {
    const online = await file("9811100001", "online");
    await approve(online);
    expect(await handoverOf(online)).toBeUndefined();

    const kendra = await file("9811100002", "kendra");
    await approve(kendra);
    const h = await handoverOf(kendra);
    expect(h).toMatchObject({ status: "ready", kendra_code: K1, counter: null });
    const [app] = await rows<{ decided_at: string; issued_at: string }>(
      db(),
      sql`select a.decided_at::text as decided_at, c.issued_at::text as issued_at
          from applications a join certificates c on c.application_id = a.id where a.reference = ${kendra}`,
    );
    expect(h?.ready_at).toBe(app?.decided_at);
    expect(h?.ready_at).toBe(app?.issued_at);

    // If the handover row cannot be written, the approval (and the certificate) roll back with it.
    const failing = await file("9811100003", "kendra");
    await db().execute(sql`create or replace function handover_test_refuse() returns trigger language plpgsql as $$
      begin raise exception 'refused by test'; end $$`);
    await db().execute(
      sql`create trigger handover_test_refuse before insert on handovers for each row execute function handover_test_refuse()`,
    );
    await expect(approve(failing)).rejects.toThrow();
    await db().execute(sql`drop trigger handover_test_refuse on handovers`);
    const after = await applications.findApplicationByReference(db(), failing);
    expect(after?.status).not.toBe("approved");
    expect(
      await count(
        sql`select count(*)::int as n from certificates where application_id = ${after?.id}`,
      ),
    ).toBe(0);
    handedRef = kendra;
  });

  it("hands over at the counter against the applicant's code; a wrong code and a second handover change nothing; another district gets 404", async () => {
    const reference = handedRef;
    const appId = (await applications.findApplicationByReference(db(), reference))?.id;
    const page = await get(`/counter/handover?reference=${reference}`, "op1");
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain("XXXXXX0002");
    expect(page.body).not.toContain("9811100002");
    expect(page.body).toMatch(/PB-2026-[0-9A-Z]{4}-[0-9A-Z]{4}/);
    expect(page.body).toContain(`/counter/handover/${reference}/certificate`);
    const pdf = await get(`/counter/handover/${reference}/certificate`, "op1");
    expect(pdf.headers["content-type"]).toBe("application/pdf");

    // The Patiala operator cannot see or act on a Ludhiana output.
    expect((await get(`/counter/handover?reference=${reference}`, "op2")).statusCode).toBe(404);
    expect((await post("/counter/handover/code", "op2", { reference })).statusCode).toBe(404);
    expect((await post("/counter/handover", "op2", { reference, code: "123456" })).statusCode).toBe(
      404,
    );

    const before = portal.sms.sent.length;
    const sent = await post("/counter/handover/code", "op1", { reference });
    expect(sent.statusCode).toBe(200);
    expect(sent.body).toContain("XXXXXX0002");
    const sms = portal.sms.sent.slice(before);
    expect(sms).toHaveLength(1);
    expect(sms[0]?.to).toBe("9811100002");
    expect(sms[0]?.templateId).toBe("SEWA-DLT-HANDOVER-CODE-PA");
    expect(sms[0]?.text).toContain(reference);
    const code = /(\d{6})/.exec(sms[0]?.text ?? "")?.[1] as string;
    expect(code).toMatch(/^\d{6}$/);

    const events = () =>
      count(sql`select count(*)::int as n from application_events where application_id = ${appId}`);
    const eventsBefore = await events();
    const wrong = await post("/counter/handover", "op1", {
      reference,
      code: code === "000000" ? "111111" : "000000",
    });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.body).toContain("govuk-error-summary");
    expect(wrong.body).toContain('href="#code"');
    expect((await handoverOf(reference))?.status).toBe("ready");
    expect(await events()).toBe(eventsBefore);
    expect(
      await count(sql`select count(*)::int as n from feedback where application_id = ${appId}`),
    ).toBe(0);

    const right = await post("/counter/handover", "op1", { reference, code });
    expect(right.statusCode).toBe(303);
    expect(right.headers.location).toBe(`/counter/handover/done?reference=${reference}`);
    expect((await get(right.headers.location as string, "op1")).body).toContain(reference);
    expect(await handoverOf(reference)).toMatchObject({
      status: "handed_over",
      kendra_code: K1,
      counter: 2,
    });
    expect(await events()).toBe(eventsBefore + 1);
    const track = await applications.trackView(
      db(),
      (await applications.findApplicationByReference(db(), reference)) as NonNullable<
        Awaited<ReturnType<typeof applications.findApplicationByReference>>
      >,
      portal.clock.now(),
    );
    expect(track.timeline.at(-1)).toMatchObject({
      action: "handed_over",
      handover: { counter: 2, kendra: { en: "Suvidha Test Ludhiana", pa: "ਸੁਵਿਧਾ ਟੈਸਟ ਲੁਧਿਆਣਾ" } },
    });
    // The timeline says where, in the reader's language.
    const doId = (
      await rows<{ id: number }>(db(), sql`select id from officials where username = 'do.ludhiana'`)
    )[0]?.id;
    cookies.do = `sewa_staff=${await startSession(db(), doId as number, new Date(), { mfa: true })}`;
    const desk = await get(`/desk/applications/${reference}?lang=pa`, "do");
    expect(desk.body).toContain("ਸਰਟੀਫਿਕੇਟ ਸੇਵਾ ਕੇਂਦਰ ਦੇ ਕਾਊਂਟਰ ਤੇ ਸੌਂਪਿਆ ਗਿਆ");
    expect(desk.body).toContain("ਸੁਵਿਧਾ ਟੈਸਟ ਲੁਧਿਆਣਾ, ਕਾਊਂਟਰ 2 ਤੇ");
    expect(
      await count(
        sql`select count(*)::int as n from audit_log where stream = ${`application:${appId}`} and action = 'output.handed_over'`,
      ),
    ).toBe(1);
    expect(
      await count(sql`select count(*)::int as n from feedback where application_id = ${appId}`),
    ).toBe(1);

    // A second handover is refused, with the page saying so, and nothing changes.
    portal.clock.advance(0.1);
    const again = await post("/counter/handover", "op1", { reference, code });
    expect(again.statusCode).toBe(409);
    expect(again.body).toContain("already been handed over");
    const twice = await handOver(db(), {
      secret: portal.app.deps.config.secretKey,
      reference,
      code,
      officialId: 1,
      kendraCode: K1,
      counter: 3,
      now: portal.clock.now(),
    }).then(
      () => "handed over twice",
      (e: { kind?: string }) => e.kind,
    );
    expect(twice).toBe("invalid_transition");
    await expect(
      sendHandoverCode(
        db(),
        portal.sms,
        portal.app.deps.config.secretKey,
        reference,
        portal.clock.now(),
      ),
    ).rejects.toMatchObject({ kind: "invalid_transition" });
    expect(await handoverOf(reference)).toMatchObject({ status: "handed_over", counter: 2 });
    expect(await events()).toBe(eventsBefore + 1);
    expect(
      await count(sql`select count(*)::int as n from feedback where application_id = ${appId}`),
    ).toBe(1);

    // The one feedback SMS goes out once, with the link.
    await processOutbox(db(), { sms: portal.sms }, portal.clock.now());
    await processOutbox(db(), { sms: portal.sms }, portal.clock.now());
    const links = portal.sms.sent.filter((m) => m.to === "9811100002" && m.text.includes("/f/"));
    expect(links).toHaveLength(1);
    expect(links[0]?.text).toContain("ਸੁਵਿਧਾ ਟੈਸਟ ਲੁਧਿਆਣਾ");
  });

  it("feedback: answered once with field errors for a bad rating; unknown 404; expired link a clear page; the manager sees it per counter", async () => {
    const [f] = await rows<{ token: string }>(
      db(),
      sql`select token from feedback where kendra_code = ${K1} order by id limit 1`,
    );
    const token = f?.token as string;
    expect(token).toMatch(/^[A-Za-z0-9_-]{22}$/);
    const page = await portal.app.inject({ url: `/f/${token}?lang=pa` });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain("ਸੁਵਿਧਾ ਟੈਸਟ ਲੁਧਿਆਣਾ");
    const cookie = [csrf.cookie, ...page.cookies.map((c) => `${c.name}=${c.value}`)].join("; ");
    const answer = (form: Record<string, string>) =>
      portal.app.inject({
        method: "POST",
        url: `/f/${token}`,
        payload: new URLSearchParams({ ...form, _csrf: csrf.token }).toString(),
        headers: { "content-type": "application/x-www-form-urlencoded", cookie },
      });
    const none = await answer({ comment: "ਚੰਗਾ" });
    expect(none.statusCode).toBe(400);
    expect(none.body).toContain('href="#rating"');
    expect(none.body).toContain("ਚੰਗਾ"); // what was typed is kept
    expect((await answer({ rating: "7" })).statusCode).toBe(400);
    const long = await answer({ rating: "4", comment: "ੳ".repeat(501) });
    expect(long.statusCode).toBe(400);
    expect(long.body).toContain('href="#comment"');
    expect(
      await count(
        sql`select count(*)::int as n from feedback where token = ${token} and rating is not null`,
      ),
    ).toBe(0);

    const ok = await answer({ rating: "੪", comment: "ਸਟਾਫ਼ ਨੇ ਚੰਗੀ ਮਦਦ ਕੀਤੀ" });
    expect(ok.statusCode).toBe(303);
    expect(
      (await portal.app.inject({ url: ok.headers.location as string, headers: { cookie } })).body,
    ).toContain("ਧੰਨਵਾਦ");
    const second = await answer({ rating: "1", comment: "changed my mind" });
    expect(second.statusCode).toBe(200);
    expect(second.body).toContain("ਪਹਿਲਾ ਜਵਾਬ");
    const [stored] = await rows<{ rating: number; comment: string }>(
      db(),
      sql`select rating, comment from feedback where token = ${token}`,
    );
    expect(stored).toEqual({ rating: 4, comment: "ਸਟਾਫ਼ ਨੇ ਚੰਗੀ ਮਦਦ ਕੀਤੀ" });

    expect((await portal.app.inject({ url: "/f/AAAAAAAAAAAAAAAAAAAAAA" })).statusCode).toBe(404);

    const old = await db().transaction((tx) =>
      askForFeedback(tx, {
        mobile: "9811100009",
        tokenId: null,
        visitId: 990001,
        now: portal.clock.now().subtract({ hours: 24 * 31 }),
      }),
    );
    const again = await db().transaction((tx) =>
      askForFeedback(tx, { mobile: "9811100009", visitId: 990001, now: portal.clock.now() }),
    );
    expect(again).toEqual({ token: old.token, created: false });
    const expired = await portal.app.inject({ url: `/f/${old.token}?lang=en` });
    expect(expired.statusCode).toBe(410);
    expect(expired.body).toContain("expired");

    const mgr = await get("/kendra/feedback", "mgr");
    expect(mgr.statusCode).toBe(200);
    expect(mgr.body).toContain("ਸਟਾਫ਼ ਨੇ ਚੰਗੀ ਮਦਦ ਕੀਤੀ");
    expect(mgr.body).toContain("4.0 / 5");
    expect(mgr.body).toContain("Counter 2");
    expect((await get(`/kendra/feedback?kendra=${K2}`, "mgr")).statusCode).toBe(404);
    expect((await get("/kendra/feedback", "op1")).statusCode).toBe(404);
  });

  it("reminds each uncollected output once after 30 calendar days, none before; the manager's list and CSV", async () => {
    const reference = await file("9811100004", "kendra");
    await approve(reference);
    const readyAt = portal.clock.now();
    const mine = () =>
      portal.sms.sent.filter(
        (m) => m.to === "9811100004" && m.templateId === "SEWA-DLT-HANDOVER-REMINDER-PA",
      ).length;
    const smsBefore = mine();

    // 29 calendar days later (IST), late in the evening: not yet.
    const day29 = Temporal.Instant.from(
      `${Temporal.PlainDate.from(readyAt.toZonedDateTimeISO("Asia/Kolkata").toPlainDate()).add({ days: 29 })}T23:59:00+05:30`,
    );
    portal.clock.set(day29.toString());
    const early = await remindUncollected(db(), portal.clock.now());
    expect(early.reminded).toBe(0);
    const list29 = await get("/kendra/uncollected", "mgr");
    expect(list29.statusCode).toBe(200);
    expect(list29.body).toContain(reference);

    // The 30th calendar day, early morning: once, however often it runs.
    portal.clock.set(day29.add({ minutes: 2 }).toString());
    expect((await remindUncollected(db(), portal.clock.now())).reminded).toBe(1);
    expect((await remindUncollected(db(), portal.clock.now())).reminded).toBe(0);
    await processOutbox(db(), { sms: portal.sms }, portal.clock.now());
    await processOutbox(db(), { sms: portal.sms }, portal.clock.now());
    expect(mine() - smsBefore).toBe(1);
    const reminder = portal.sms.sent.filter((m) => m.to === "9811100004").at(-1);
    expect(reminder?.templateId).toBe("SEWA-DLT-HANDOVER-REMINDER-PA");
    expect(reminder?.text).toContain(reference);
    expect(reminder?.text).toContain("ਸੁਵਿਧਾ ਟੈਸਟ ਲੁਧਿਆਣਾ");
    portal.clock.advance(24 * 5);
    expect((await remindUncollected(db(), portal.clock.now())).reminded).toBe(0);

    const list = await get("/kendra/uncollected?lang=en", "mgr");
    expect(list.body).toContain(reference);
    expect(list.body).toContain(">35<");
    expect(list.body).not.toContain(handedRef);
    const csv = await get(`/kendra/uncollected?kendra=${K1}&format=csv`, "mgr");
    expect(csv.headers["content-type"]).toContain("text/csv");
    expect(csv.body.startsWith("\uFEFF")).toBe(true);
    expect(csv.body).toContain(`${reference},Handover Applicant,XXXXXX0004`);
    expect((await get(`/kendra/uncollected?kendra=${K2}`, "mgr")).statusCode).toBe(404);
    expect((await get("/kendra/uncollected", "op1")).statusCode).toBe(404);
  });
});
