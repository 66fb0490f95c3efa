/**
 * The token queue on both databases: kiosk tokens and slips, numbers under
 * concurrent issue, booking rules and capacity, the booking API and its
 * idempotency, check-in, the operator console (two operators calling at
 * once, another centre's operator), the TV display and the queue figures.
 */
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rows } from "../../db/client.ts";
import { testDatabases } from "../../db/testing.ts";
import { createOfficial, findOfficialByUsername, startSession } from "../../identity/service.ts";
import { startTestPortal, type TestPortal } from "../../web/testing.ts";
import {
  bookToken,
  callNext,
  checkIn,
  closeToken,
  issueWalkIn,
  markNoShow,
  queueFigures,
  startServing,
} from "./service.ts";

const LUDHIANA = "SK-36-001"; // 12 counters
const SMALL = "SK-36-004"; // Type III, 2 counters: 4 bookings a slot
const form = { "content-type": "application/x-www-form-urlencoded" };

describe.each(testDatabases())("token queue on $name", (which) => {
  let portal: TestPortal;
  beforeAll(async () => {
    // Tuesday 20 January 2026, 10:00 IST; Sunday 25 is the weekly off day, Monday 26 Republic Day.
    portal = await startTestPortal(which, "2026-01-20T10:00:00+05:30");
  });
  afterAll(async () => portal?.close());
  const db = () => portal.database.db;
  const now = () => portal.clock.now();

  /** A browser: GET keeps the cookies and the CSRF token, POST sends them. */
  function browser(extraCookie = "") {
    let cookie = extraCookie;
    let csrf = "";
    const remember = (res: { cookies: Array<{ name: string; value: string }>; body: string }) => {
      for (const c of res.cookies) cookie = `${cookie ? `${cookie}; ` : ""}${c.name}=${c.value}`;
      csrf = /name="_csrf" value="([^"]+)"/.exec(res.body)?.[1] ?? csrf;
    };
    return {
      async get(url: string) {
        const res = await portal.app.inject({ url, headers: { cookie } });
        remember(res);
        return res;
      },
      async post(url: string, fields: Record<string, string> = {}) {
        const res = await portal.app.inject({
          method: "POST",
          url,
          payload: new URLSearchParams({ _csrf: csrf, ...fields }).toString(),
          headers: { ...form, cookie },
        });
        remember(res);
        return res;
      },
    };
  }
  async function staffBrowser(username: string) {
    const o = await findOfficialByUsername(db(), username);
    const token = await startSession(db(), o?.id ?? null, new Date(), { mfa: true });
    return browser(`sewa_staff=${token}`);
  }

  it("kiosk: a walk-in token with a printable slip; a repeated submit gives the same token", async () => {
    const b = browser();
    const page = await b.get(`/kendras/${LUDHIANA}/kiosk?lang=pa`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain("ਟੋਕਨ ਲਓ");
    const key = /name="requestKey" value="([^"]+)"/.exec(page.body)?.[1] as string;
    const res = await b.post(`/kendras/${LUDHIANA}/kiosk`, {
      action: "walk_in",
      requestKey: key,
      mobile: "੯੮੭੬੫੪੩੨੧੦",
    });
    expect(res.statusCode).toBe(303);
    const again = await b.post(`/kendras/${LUDHIANA}/kiosk`, {
      action: "walk_in",
      requestKey: key,
    });
    expect(again.headers.location).toBe(res.headers.location);
    const slip = await b.get(res.headers.location as string);
    expect(slip.statusCode).toBe(200);
    expect(slip.body).toMatch(/id="token-number">1</);
    expect(slip.body).toContain('id="people-ahead">0<');
    const [t] = await rows<{ n: number; mobile: string }>(
      db(),
      sql`select count(*)::int as n, max(mobile) as mobile from tokens where kendra_code = ${LUDHIANA}`,
    );
    expect(t).toEqual({ n: 1, mobile: "9876543210" });
    const bad = await b.post(`/kendras/${LUDHIANA}/kiosk`, { action: "walk_in", mobile: "12345" });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain("govuk-error-summary");
    expect(bad.body).toContain('value="12345"');
    expect((await b.get("/kendras/NOPE-1/kiosk")).statusCode).toBe(404);
  });

  it("20 tokens issued in parallel get the numbers 1..20, each once", async () => {
    const issued = await Promise.all(
      Array.from({ length: 20 }, () => issueWalkIn(db(), { kendraCode: "SK-41-001", now: now() })),
    );
    expect(issued.map((i) => i.token.number).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 20 }, (_, i) => i + 1),
    );
    const [counter] = await rows<{ last: number }>(
      db(),
      sql`select last from kendra_token_counters where kendra_code = 'SK-41-001' and service_date = '2026-01-20'`,
    );
    expect(counter?.last).toBe(20);
  });

  it("two operators calling at once get different tokens, in queue order", async () => {
    const officialId = (await findOfficialByUsername(db(), "operator.ludhiana"))?.id as number;
    const code = "SK-41-002";
    const a = await issueWalkIn(db(), { kendraCode: code, now: now() });
    portal.clock.advance(0.01);
    const b = await issueWalkIn(db(), { kendraCode: code, now: now() });
    portal.clock.advance(0.01);
    await issueWalkIn(db(), { kendraCode: code, now: now() });
    const [one, two] = await Promise.all([
      callNext(db(), { kendraCode: code, counter: 1, officialId, now: now() }),
      callNext(db(), { kendraCode: code, counter: 2, officialId, now: now() }),
    ]);
    expect(new Set([one?.id, two?.id])).toEqual(new Set([a.token.id, b.token.id]));
    expect(one?.counter).not.toBe(two?.counter);
    // The same counter cannot call again before its token moves on.
    await expect(
      callNext(db(), { kendraCode: code, counter: 1, officialId, now: now() }),
    ).rejects.toMatchObject({ kind: "conflict" });
  });

  it("booking: field errors, the weekly off day and a holiday are refused, capacity is counters × 2", async () => {
    const b = browser();
    const page = await b.get(`/kendras/${SMALL}/book?date=2026-01-21`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('value="09:00"');
    const key = () => /name="requestKey" value="([^"]+)"/.exec(page.body)?.[1] as string;
    const empty = await b.post(`/kendras/${SMALL}/book`, { requestKey: key(), date: "2026-01-21" });
    expect(empty.statusCode).toBe(400);
    expect(empty.body).toContain("Choose a time");
    expect(empty.body).toContain("Enter a mobile number");
    const sunday = await b.post(`/kendras/${SMALL}/book`, {
      requestKey: key(),
      date: "2026-01-25",
      slot: "10:00",
      mobile: "9876500001",
    });
    expect(sunday.statusCode).toBe(400);
    expect(sunday.body).toContain("closed on this day of the week");
    const holiday = await b.post(`/kendras/${SMALL}/book`, {
      requestKey: key(),
      date: "2026-01-26",
      slot: "10:00",
      mobile: "9876500001",
    });
    expect(holiday.body).toContain("closed on this day (holiday)");
    const holidayPage = await b.get(`/kendras/${SMALL}/book?date=2026-01-26`);
    expect(holidayPage.body).toContain("closed on this day (holiday)");
    for (let i = 0; i < 4; i++)
      await bookToken(db(), {
        kendraCode: SMALL,
        date: "2026-01-22",
        slot: "11:00",
        mobile: `98765000${10 + i}`,
        via: "online",
        now: now(),
      });
    const full = await b.post(`/kendras/${SMALL}/book`, {
      requestKey: key(),
      date: "2026-01-22",
      slot: "11:00",
      mobile: "9876500099",
    });
    expect(full.statusCode).toBe(409);
    expect(full.body).toContain("This time is full");
    const fullPage = await b.get(`/kendras/${SMALL}/book?date=2026-01-22`);
    expect(fullPage.body).toMatch(/value="11:00"[^>]*disabled/);
    const sent = portal.sms.sent.length;
    const ok = await b.post(`/kendras/${SMALL}/book?lang=pa`, {
      requestKey: key(),
      date: "2026-01-22",
      slot: "11:30",
      mobile: "98765 00099",
    });
    expect(ok.statusCode).toBe(303);
    const done = await b.get(ok.headers.location as string);
    expect(done.body).toContain("XXXXXX0099");
    expect(portal.sms.sent.length).toBe(sent + 1);
    expect(portal.sms.sent.at(-1)).toMatchObject({ to: "9876500099" });
    expect(portal.sms.sent.at(-1)?.text).toContain("ਟੋਕਨ");
    // A booked token carries the next number of that day's sequence (4 booked before it).
    expect(done.body).toMatch(/id="token-number">5</);
  });

  it("API: the same Idempotency-Key returns the same token; another booking with it is refused; slots show what is left", async () => {
    const post = (key: string, body: Record<string, unknown>) =>
      portal.app.inject({
        method: "POST",
        url: `/api/v1/kendras/${SMALL}/tokens`,
        payload: body,
        headers: { "idempotency-key": key },
      });
    const body = { date: "2026-01-23", slot: "09:30", mobile: "9876500123", lang: "hi" };
    const first = await post("whatsapp-1", body);
    expect(first.statusCode).toBe(201);
    const again = await post("whatsapp-1", body);
    expect(again.statusCode).toBe(201);
    expect(again.headers["idempotent-replayed"]).toBe("true");
    expect(again.json()).toEqual(first.json());
    const [n] = await rows<{ n: number }>(
      db(),
      sql`select count(*)::int as n from tokens where kendra_code = ${SMALL} and service_date = '2026-01-23'`,
    );
    expect(n?.n).toBe(1);
    const other = await post("whatsapp-1", { ...body, slot: "10:00" });
    expect(other.statusCode).toBe(422);
    expect(other.headers["content-type"]).toContain("application/problem+json");
    const holiday = await post("whatsapp-2", { ...body, date: "2026-01-26" });
    expect(holiday.statusCode).toBe(400);
    expect(holiday.json().errors).toEqual([
      expect.objectContaining({ field: "date", code: "date.holiday" }),
    ]);
    const slots = await portal.app.inject({
      url: `/api/v1/kendras/${SMALL}/slots?date=2026-01-23`,
    });
    expect(slots.statusCode).toBe(200);
    const s930 = slots.json().slots.find((s: { slot: string }) => s.slot === "09:30");
    expect(s930).toEqual({ slot: "09:30", capacity: 4, booked: 1, remaining: 3 });
    const closed = await portal.app.inject({
      url: `/api/v1/kendras/${SMALL}/slots?date=2026-01-25`,
    });
    expect(closed.statusCode).toBe(422);
    expect(closed.json().errors[0].code).toBe("date.weekly_off");
    expect(
      (await portal.app.inject({ url: "/api/v1/kendras/NOPE-1/slots?date=2026-01-23" })).statusCode,
    ).toBe(404);
  });

  it("a booked token checks in at the kiosk by number and mobile: waiting from then, and called first once its slot is due", async () => {
    const code = "SK-41-003";
    const walkIn = await issueWalkIn(db(), { kendraCode: code, now: now() });
    const booked = await bookToken(db(), {
      kendraCode: code,
      date: "2026-01-20",
      slot: "10:30",
      mobile: "9876500444",
      via: "online",
      now: now(),
    });
    expect(booked.token.status).toBe("booked");
    const b = browser();
    await b.get(`/kendras/${code}/kiosk`);
    const wrong = await b.post(`/kendras/${code}/kiosk`, {
      action: "check_in",
      number: String(booked.token.number),
      checkInMobile: "9876500445",
    });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.body).toContain("No token booked for today has this number");
    portal.clock.set("2026-01-20T10:31:00+05:30");
    const ok = await b.post(`/kendras/${code}/kiosk`, {
      action: "check_in",
      number: String(booked.token.number),
      checkInMobile: "9876500444",
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.body).toContain(`id="token-number">${booked.token.number}<`);
    const [row] = await rows<{ status: string; issued_at: string | null }>(
      db(),
      sql`select status, issued_at from tokens where id = ${booked.token.id}`,
    );
    expect(row?.status).toBe("waiting");
    expect(row?.issued_at).not.toBeNull();
    const officialId = (await findOfficialByUsername(db(), "operator.ludhiana"))?.id as number;
    const first = await callNext(db(), { kendraCode: code, counter: 1, officialId, now: now() });
    expect(first?.id).toBe(booked.token.id);
    const second = await callNext(db(), { kendraCode: code, counter: 2, officialId, now: now() });
    expect(second?.id).toBe(walkIn.token.id);
    portal.clock.set("2026-01-20T10:00:00+05:30");
  });

  it("operator console: choose a counter, call next, start serving, close; the display shows the token at the counter in Punjabi and English", async () => {
    const op = await staffBrowser("operator.ludhiana");
    const seatPage = await op.get("/counter");
    expect(seatPage.body).toContain("Choose your counter");
    const outOfRange = await op.post("/counter/seat", { kendraCode: LUDHIANA, counter: "13" });
    expect(outOfRange.statusCode).toBe(422);
    expect(
      (await op.post("/counter/seat", { kendraCode: LUDHIANA, counter: "3" })).headers.location,
    ).toBe("/counter");
    const console = await op.get("/counter");
    expect(console.body).toContain("Counter 3");
    expect(console.body).toContain("XXXXXX3210"); // token 1's mobile, masked
    expect(console.body).not.toContain("9876543210");
    await op.post("/counter/call");
    const called = await op.get("/counter");
    const id = /\/counter\/tokens\/(\d+)\/serve/.exec(called.body)?.[1] as string;
    expect(called.body).toContain('id="current-token">1<');
    const display = await portal.app.inject({ url: `/kendras/${LUDHIANA}/display` });
    expect(display.statusCode).toBe(200);
    expect(display.body).toContain('<meta http-equiv="refresh" content="10">');
    expect(display.body).not.toContain("<script");
    expect(display.body).toContain('<html lang="pa"');
    expect(display.body).toContain("ਕਾਊਂਟਰ");
    expect(display.body).toContain('lang="en">Counter');
    expect(display.body).toMatch(
      /data-counter="3">\s*<th[^>]*>3<\/th>\s*<td[^>]*data-token="1">1</,
    );
    await op.post(`/counter/tokens/${id}/serve`);
    const serving = await op.get("/counter");
    expect(serving.body).toContain(`/counter/apply?token=${id}`);
    expect(serving.body).toContain("Apply for a service for this citizen");
    await op.post(`/counter/tokens/${id}/close`, { outcome: "Enquiry answered" });
    const [t] = await rows<{
      status: string;
      outcome: string;
      served_at: string;
      closed_at: string;
    }>(
      db(),
      sql`select status, outcome, served_at, closed_at from tokens where id = ${Number(id)}`,
    );
    expect(t).toMatchObject({ status: "closed", outcome: "Enquiry answered" });
    expect(t?.closed_at).not.toBeNull();
    // The citizen (token 1 had a mobile number) is asked for feedback on this centre and counter, once.
    const feedback = await rows<{ kendra_code: string; counter: number; mobile: string }>(
      db(),
      sql`select kendra_code, counter, mobile from feedback where token_id = ${Number(id)}`,
    );
    expect(feedback).toEqual([{ kendra_code: LUDHIANA, counter: 3, mobile: "9876543210" }]);
    // Closing again changes nothing and says so.
    const twice = await op.post(`/counter/tokens/${id}/close`);
    expect(twice.statusCode).toBe(409);
    const [audit] = await rows<{ n: number }>(
      db(),
      sql`select count(*)::int as n from audit_log where stream = ${`token:${id}`}`,
    );
    expect(audit?.n).toBe(3);
  });

  it("an operator of another centre gets 404 for this centre's tokens and counters", async () => {
    await db().transaction((tx) =>
      createOfficial(tx, {
        username: `operator.khanna.${which.name}`,
        name: "Khanna Operator",
        designation: "Sewa Kendra Operator",
        password: "khanna-counter-password-2026",
        posting: {
          role: "kendra_operator",
          level: "district",
          districtCode: 36,
          kendraCode: "SK-36-002",
          validFrom: "2020-01-01",
        },
      }),
    );
    const other = await staffBrowser(`operator.khanna.${which.name}`);
    await other.get("/counter");
    expect(
      (await other.post("/counter/seat", { kendraCode: LUDHIANA, counter: "1" })).statusCode,
    ).toBe(404);
    await other.post("/counter/seat", { kendraCode: "SK-36-002", counter: "1" });
    const t = await issueWalkIn(db(), { kendraCode: LUDHIANA, now: now() });
    const officialId = (await findOfficialByUsername(db(), "operator.ludhiana"))?.id as number;
    await callNext(db(), { kendraCode: LUDHIANA, counter: 5, officialId, now: now() });
    for (const action of ["serve", "no-show", "recall", "close"])
      expect((await other.post(`/counter/tokens/${t.token.id}/${action}`)).statusCode, action).toBe(
        404,
      );
    const clerk = await staffBrowser("clerk.ludhiana");
    expect((await clerk.get("/counter")).statusCode).toBe(404);
  });

  it("queue figures: median and p90 of calledAt − issuedAt, share within the target and misses, for a centre and a district", async () => {
    const code = "SK-36-005";
    const officialId = (await findOfficialByUsername(db(), "manager.ludhiana"))?.id as number;
    portal.clock.set("2026-01-21T09:00:00+05:30");
    // Waits of 5, 10, 15, 30 and 45 minutes: one token at a time, each called after its wait.
    const waits = [5, 10, 15, 30, 45];
    for (const [i, w] of waits.entries()) {
      const start = portal.clock.now();
      await issueWalkIn(db(), { kendraCode: code, now: start });
      portal.clock.set(start.add({ minutes: w }).toString());
      const t = await callNext(db(), { kendraCode: code, counter: 1, officialId, now: now() });
      if (i === 4)
        await markNoShow(
          db(),
          { kendraCode: code, counter: 1, officialId, now: now() },
          t?.id as number,
        );
      else {
        await startServing(
          db(),
          { kendraCode: code, counter: 1, officialId, now: now() },
          t?.id as number,
        );
        await closeToken(
          db(),
          { kendraCode: code, counter: 1, officialId, now: now() },
          t?.id as number,
        );
      }
    }
    await issueWalkIn(db(), { kendraCode: code, now: now() }); // still waiting: issued, not a miss yet
    const f = await queueFigures(
      db(),
      { kendraCode: code },
      { from: "2026-01-21", to: "2026-01-21" },
      20,
    );
    expect(f).toEqual({
      issued: 6,
      called: 5,
      served: 4,
      noShows: 1,
      medianWaitMinutes: 15,
      p90WaitMinutes: 39, // percentile_cont(0.9) of 5,10,15,30,45 = 30 + 0.6 × 15
      withinTarget: 3,
      shareWithinTarget: 0.6,
      misses: 2,
      targetMinutes: 20,
    });
    const district = await queueFigures(
      db(),
      { districtCode: 36 },
      { from: "2026-01-21", to: "2026-01-21" },
      20,
    );
    expect(district.issued).toBe(6);
    const manager = await staffBrowser("manager.ludhiana");
    await manager.get("/counter");
    await manager.post("/counter/seat", { kendraCode: "SK-36-001", counter: "1" });
    const page = await manager.get("/counter");
    expect(page.body).toContain("Queue figures of this Sewa Kendra");
    const op = await staffBrowser("operator.ludhiana");
    await op.get("/counter");
    await op.post("/counter/seat", { kendraCode: "SK-36-001", counter: "2" });
    expect((await op.get("/counter")).body).not.toContain("Queue figures");
    portal.clock.set("2026-01-20T10:00:00+05:30");
  });

  it("checkIn refuses a token of another day", async () => {
    const t = await bookToken(db(), {
      kendraCode: SMALL,
      date: "2026-01-27",
      slot: "09:00",
      mobile: "9876500777",
      via: "online",
      now: now(),
    });
    await expect(
      checkIn(db(), {
        kendraCode: SMALL,
        number: t.token.number,
        mobile: "9876500777",
        now: now(),
      }),
    ).rejects.toMatchObject({ kind: "not_found" });
  });
});
