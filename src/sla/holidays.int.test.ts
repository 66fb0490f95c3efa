import { sql } from "drizzle-orm";
import { Temporal } from "temporal-polyfill";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as svc from "../applications/service.ts";
import { verifyAudit } from "../audit/service.ts";
import { DomainError } from "../common/errors.ts";
import { rows } from "../db/client.ts";
import { testDatabases } from "../db/testing.ts";
import { actorFor, findOfficialByUsername, startSession } from "../identity/service.ts";
import { startJobs } from "../jobs/queue.ts";
import { startTestPortal, type TestPortal } from "../web/testing.ts";
import { addHoliday, listHolidays, loadCalendar, retireHoliday } from "./service.ts";
import { sweepBreaches } from "./sweep.ts";

const LUDHIANA = 36;
const PATIALA = 41;
const MOBILE = "9876500001";
const FORM = { "content-type": "application/x-www-form-urlencoded" };

describe.each(testDatabases())("holiday administration on $name", (which) => {
  let portal: TestPortal;
  let serviceId: number;
  const tehsil = new Map<number, number>();
  const sessions = new Map<string, string>();

  beforeAll(async () => {
    // Mon 3 Nov 2025, 10:00 IST.
    portal = await startTestPortal(which, "2025-11-03T10:00:00+05:30");
    serviceId = (
      await portal.app.inject({ url: "/api/v1/services?q=pages%20sought%20%3E15" })
    ).json().items[0].id; // 7 working days
    for (const d of [LUDHIANA, PATIALA]) {
      const [t] = await rows<{ code: number }>(
        portal.database.db,
        sql`select code from tehsils where district_code = ${d} order by code limit 1`,
      );
      tehsil.set(d, t?.code as number);
    }
    for (const username of ["admin", "do.ludhiana", "ho.punjab"]) {
      const official = await findOfficialByUsername(portal.database.db, username);
      const token = await startSession(portal.database.db, official?.id as number, new Date(), {
        mfa: true,
      });
      sessions.set(username, `sewa_staff=${token}`);
    }
  });
  afterAll(async () => portal?.close());

  const file = async (districtCode: number, receivedAt = "2025-11-03T10:00:00+05:30") =>
    (
      await svc.submitApplication(portal.database.db, {
        application: {
          serviceId,
          applicant: {
            name: "Test Applicant",
            relativeName: "Parent",
            gender: "female",
            dateOfBirth: "1980-01-01",
            mobile: MOBILE,
          },
          address: {
            line1: "1 Mall Road",
            districtCode,
            tehsilCode: tehsil.get(districtCode) as number,
            pincode: "141001",
          },
          purpose: "Test",
          declaration: true,
        },
        documentIds: [],
        channel: "online",
        now: Temporal.Instant.from(receivedAt),
      })
    ).reference;
  const row = async (reference: string) =>
    svc.findApplicationByReference(portal.database.db, reference).then((r) => {
      if (!r) throw new Error(`no ${reference}`);
      return r;
    });
  /** The timeline as tracking shows it (the page and the API read the same view). */
  const timeline = async (reference: string) =>
    (await svc.trackView(portal.database.db, await row(reference), portal.clock.now())).timeline;
  const decide = async (reference: string, action: "approve" | "send_back", at: string) => {
    const db = portal.database.db;
    const officer = await actorFor(db, "do.ludhiana", at.slice(0, 10));
    await svc.decide(
      db,
      officer,
      reference,
      { action, remark: "Checked", version: (await row(reference)).version },
      Temporal.Instant.from(at),
    );
  };

  /** A page with a form, as `who` sees it: status, body, and the cookie + CSRF token to post with. */
  const page = async (url: string, who?: string) => {
    const res = await portal.app.inject({
      url,
      headers: who ? { cookie: sessions.get(who) as string } : {},
    });
    const token = /name="_csrf" value="([^"]+)"/.exec(res.body)?.[1] ?? "";
    const cookie = [
      ...(who ? [sessions.get(who) as string] : []),
      ...res.cookies.map((c) => `${c.name}=${c.value}`),
    ].join("; ");
    return { res, token, cookie };
  };
  const post = async (url: string, form: Record<string, string>, who = "admin") => {
    const { token, cookie } = await page("/track", who); // any page with a form gives a token
    return portal.app.inject({
      method: "POST",
      url,
      payload: new URLSearchParams({ ...form, _csrf: token }).toString(),
      headers: { ...FORM, cookie },
    });
  };
  const holidayId = async (name: string) =>
    (
      await rows<{ id: number }>(
        portal.database.db,
        sql`select id from holidays where name = ${name} and retired_at is null`,
      )
    )[0]?.id as number;

  it("loadCalendar merges a district's local holidays into that district's calendar only", async () => {
    const { db } = portal.database;
    await db.transaction((tx) =>
      addHoliday(
        tx,
        { date: "2025-12-01", name: "Calendar check", kind: "local", districtCode: PATIALA },
        "test",
        portal.clock.now(),
      ),
    );
    expect((await loadCalendar(db, PATIALA)).isHoliday("2025-12-01")).toBe(true);
    expect((await loadCalendar(db, LUDHIANA)).isHoliday("2025-12-01")).toBe(false);
    expect((await loadCalendar(db, null)).isHoliday("2025-12-01")).toBe(false);
    // The state-wide gazetted list applies to every district: Wed 5 Nov 2025, Guru Nanak Dev Ji.
    expect((await loadCalendar(db, LUDHIANA)).isHoliday("2025-11-05")).toBe(true);
    const names = async (districtCode?: number | null) =>
      (await listHolidays(db, { year: 2025, districtCode })).map((h) => h.name);
    expect(await names(PATIALA)).toContain("Calendar check");
    expect(await names(LUDHIANA)).not.toContain("Calendar check");
    expect(await names(null)).not.toContain("Calendar check");
    expect(await names()).toContain("Calendar check");
    const id = await holidayId("Calendar check");
    await db.transaction((tx) => retireHoliday(tx, id, "test", portal.clock.now()));
    expect((await loadCalendar(db, PATIALA)).isHoliday("2025-12-01")).toBe(false);
  });

  it("a local holiday moves open applications of its district by one working day, and retiring it moves them back", async () => {
    const { db } = portal.database;
    // All received Mon 3 Nov 2025 10:00 IST, 7 working days. Wed 5 Nov is a gazetted holiday.
    // Counted: Tue 4, Thu 6, Fri 7, Mon 10, Tue 11, Wed 12, Thu 13 → due Thu 13 Nov 2025.
    const open = await file(LUDHIANA);
    const elsewhere = await file(PATIALA);
    const decided = await file(LUDHIANA);
    const paused = await file(LUDHIANA);
    expect((await row(open)).dueDate).toBe("2025-11-13");
    expect((await row(elsewhere)).dueDate).toBe("2025-11-13");
    await decide(decided, "approve", "2025-11-04T11:00:00+05:30");
    await decide(paused, "send_back", "2025-11-04T11:00:00+05:30");
    expect((await row(paused)).dueDate).toBeNull();
    const versions = { open: (await row(open)).version, paused: (await row(paused)).version };

    // Ludhiana's Deputy Commissioner closes offices on Mon 10 Nov 2025.
    portal.clock.set("2025-11-04T15:00:00+05:30");
    const added = await post("/admin/holidays", {
      day: "10",
      month: "11",
      year: "2025",
      name: "Local holiday (test)",
      kind: "local",
      districtCode: String(LUDHIANA),
      sourceUrl: "https://ludhiana.nic.in/notice/test",
    });
    expect(added.statusCode).toBe(303);
    // No job system in this process: the recompute ran inline; one due date moved.
    expect(added.headers.location).toBe("/admin/holidays?year=2025&done=added&recompute=1");

    // Ludhiana: Tue 4, Thu 6, Fri 7, (Mon 10 closed), Tue 11, Wed 12, Thu 13, Fri 14 → due Fri 14 Nov.
    expect((await row(open)).dueDate).toBe("2025-11-14");
    expect((await row(open)).version).toBe(versions.open); // officers' version untouched
    expect((await row(elsewhere)).dueDate).toBe("2025-11-13"); // Patiala: not its holiday
    expect((await row(decided)).status).toBe("approved");
    expect((await row(decided)).dueDate).toBe("2025-11-13");
    expect((await row(paused)).status).toBe("sent_back");
    expect((await row(paused)).dueDate).toBeNull();
    expect((await row(paused)).version).toBe(versions.paused);
    expect((await timeline(open)).at(-1)).toMatchObject({
      action: "due_date_changed",
      remark: "Local holiday added: Local holiday (test) (2025-11-10)",
      dueDate: "2025-11-14",
    });
    for (const ref of [elsewhere, decided, paused])
      expect((await timeline(ref)).map((e) => e.action)).not.toContain("due_date_changed");

    const listed = await page("/admin/holidays?year=2025&done=added&recompute=1", "admin");
    expect(listed.res.statusCode).toBe(200);
    expect(listed.res.body).toContain("Holiday added. Due dates moved: 1.");
    expect(listed.res.body).toContain("Local holiday (test)");
    expect(listed.res.body).toContain("Ludhiana");

    // Retire it: the due date moves back to Thu 13 Nov.
    const id = await holidayId("Local holiday (test)");
    const retired = await post(`/admin/holidays/${id}/retire`, { year: "2025" });
    expect(retired.statusCode).toBe(303);
    expect(retired.headers.location).toBe("/admin/holidays?year=2025&done=retired&recompute=1");
    expect((await row(open)).dueDate).toBe("2025-11-13");
    expect((await timeline(open)).at(-1)).toMatchObject({
      action: "due_date_changed",
      remark: "Local holiday retired: Local holiday (test) (2025-11-10)",
      dueDate: "2025-11-13",
    });
    expect((await row(elsewhere)).dueDate).toBe("2025-11-13");
    expect((await row(paused)).dueDate).toBeNull();

    // The applicant's tracking page says why, in their language.
    const form = await page("/track?lang=pa");
    const tracked = await portal.app.inject({
      method: "POST",
      url: "/track?lang=pa",
      payload: new URLSearchParams({
        reference: open,
        mobile: MOBILE,
        _csrf: form.token,
      }).toString(),
      headers: { ...FORM, cookie: form.cookie },
    });
    expect(tracked.statusCode).toBe(303);
    const shown = await portal.app.inject({
      url: `${tracked.headers.location}?lang=pa`,
      headers: { cookie: tracked.cookies.map((c) => `${c.name}=${c.value}`).join("; ") },
    });
    expect(shown.body).toContain("ਨਿਰਧਾਰਤ ਮਿਤੀ ਬਦਲੀ ਗਈ");
    expect(shown.body).toContain("Local holiday retired: Local holiday (test) (2025-11-10)");

    // Every change is audited, and the chains still verify.
    const calendar = await rows<{ action: string; actor: string }>(
      db,
      sql`select action, actor from audit_log where stream = 'calendar' and action like 'holiday.%' order by seq`,
    );
    const adminId = (await findOfficialByUsername(db, "admin"))?.id;
    expect(calendar.slice(-2)).toEqual([
      { action: "holiday.added", actor: `official:${adminId}` },
      { action: "holiday.retired", actor: `official:${adminId}` },
    ]);
    const moved = await rows<{ data: { from: string; to: string } }>(
      db,
      sql`select data from audit_log where stream = ${`application:${(await row(open)).id}`}
          and action = 'application.due_date_changed' order by seq`,
    );
    expect(moved.map((m) => [m.data.from, m.data.to])).toEqual([
      ["2025-11-13", "2025-11-14"],
      ["2025-11-14", "2025-11-13"],
    ]);
    const outbox = await rows<{ n: number }>(
      db,
      sql`select count(*)::int as n from outbox_events where topic = 'application.due_date_changed'
          and payload->>'reference' = ${open}`,
    );
    expect(outbox[0]?.n).toBe(2);
    expect(await verifyAudit(db)).toMatchObject({ ok: true });
  });

  it("a holiday entered after a breach clears it when the new due date is later, so the sweep records the later breach once", async () => {
    const { db } = portal.database;
    // Received Mon 3 Nov 2025: due Thu 13 Nov (as above).
    const late = await file(LUDHIANA);
    expect((await row(late)).dueDate).toBe("2025-11-13");
    await sweepBreaches(db, Temporal.Instant.from("2025-11-14T00:00:00+05:30"));
    expect((await row(late)).overdueSince).not.toBeNull();

    // On Fri 14 Nov the Deputy Commissioner's order closing offices on Wed 12 Nov is entered.
    // Counted: Tue 4, Thu 6, Fri 7, Mon 10, Tue 11, (Wed 12 closed), Thu 13, Fri 14 → due Fri 14 Nov:
    // not overdue on the 14th any more.
    portal.clock.set("2025-11-14T10:00:00+05:30");
    const added = await post("/admin/holidays", {
      day: "12",
      month: "11",
      year: "2025",
      name: "Flood closure (test)",
      kind: "local",
      districtCode: String(LUDHIANA),
    });
    expect(added.statusCode).toBe(303);
    expect((await row(late)).dueDate).toBe("2025-11-14");
    expect((await row(late)).overdueSince).toBeNull();
    // Overdue again from 00:00 IST on Sat 15 Nov: recorded once more, once.
    await sweepBreaches(db, Temporal.Instant.from("2025-11-15T00:00:00+05:30"));
    await sweepBreaches(db, Temporal.Instant.from("2025-11-15T01:00:00+05:30"));
    expect((await timeline(late)).map((e) => e.action)).toEqual([
      "submitted",
      "overdue",
      "due_date_changed",
      "overdue",
    ]);
  });

  it("queues the recompute as a pg-boss job when this process runs the job system", async () => {
    const { db } = portal.database;
    portal.clock.set("2025-11-17T10:00:00+05:30");
    // Received Mon 17 Nov 2025: Tue 18, Wed 19, Thu 20, Fri 21, Mon 24, (Tue 25 Guru Tegh Bahadur Ji
    // martyrdom, gazetted), Wed 26, Thu 27 → due Thu 27 Nov 2025.
    const ref = await file(PATIALA, "2025-11-17T10:00:00+05:30");
    expect((await row(ref)).dueDate).toBe("2025-11-27");
    const jobs = await startJobs(portal.database, portal.clock, { schedule: false });
    try {
      const added = await post("/admin/holidays", {
        day: "20",
        month: "11",
        year: "2025",
        name: "Queued closure (test)",
        kind: "local",
        districtCode: String(PATIALA),
      });
      expect(added.headers.location).toBe("/admin/holidays?year=2025&done=added&recompute=queued");
      // Thu 20 closed: Tue 18, Wed 19, Fri 21, Mon 24, Wed 26, Thu 27, Fri 28 → due Fri 28 Nov.
      for (let i = 0; i < 100 && (await row(ref)).dueDate !== "2025-11-28"; i++)
        await new Promise((r) => setTimeout(r, 200));
      expect((await row(ref)).dueDate).toBe("2025-11-28");
    } finally {
      await jobs.stop();
    }
    expect(await verifyAudit(db)).toMatchObject({ ok: true });
  });

  it("recomputes across batches, and a second run changes nothing", async () => {
    const { db } = portal.database;
    portal.clock.set("2025-12-01T12:00:00+05:30");
    // Received Mon 1 Dec 2025: Tue 2, Wed 3, Thu 4, Fri 5, Mon 8, Tue 9, Wed 10 → due Wed 10 Dec.
    const refs: string[] = [];
    for (let i = 0; i < 5; i++) refs.push(await file(PATIALA, "2025-12-01T10:00:00+05:30"));
    for (const r of refs) expect((await row(r)).dueDate).toBe("2025-12-10");
    const { recompute } = await db.transaction((tx) =>
      addHoliday(
        tx,
        { date: "2025-12-09", name: "Batch closure (test)", kind: "local", districtCode: PATIALA },
        "test",
        portal.clock.now(),
      ),
    );
    expect(recompute).toEqual({
      districtCode: PATIALA,
      from: "2025-12-09",
      reason: "Local holiday added: Batch closure (test) (2025-12-09)",
    });
    const scope = { ...(recompute as NonNullable<typeof recompute>), now: portal.clock.now() };
    // Only these five Patiala applications are due on or after 9 Dec; batches of 2 → 3 batches.
    expect(await svc.recomputeDueDates(db, scope, 2)).toEqual({ examined: 5, changed: 5 });
    // Tue 9 closed: Tue 2, Wed 3, Thu 4, Fri 5, Mon 8, Wed 10, Thu 11 → due Thu 11 Dec.
    for (const r of refs) expect((await row(r)).dueDate).toBe("2025-12-11");
    expect(await svc.recomputeDueDates(db, scope, 2)).toEqual({ examined: 5, changed: 0 });
    expect(await verifyAudit(db)).toMatchObject({ ok: true });
  });

  it("validates a new holiday and shows an error summary, keeping what was typed", async () => {
    const bad = await post("/admin/holidays", {
      day: "31",
      month: "2",
      year: "2026",
      name: "",
      kind: "local",
      districtCode: "",
      sourceUrl: "javascript:alert(1)",
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain("There is a problem");
    expect(bad.body).toContain("The date of the holiday must be a real date");
    expect(bad.body).toContain('href="#date-day"');
    expect(bad.body).toContain("Enter the name of the holiday");
    expect(bad.body).toContain("Select the district of the local holiday");
    expect(bad.body).toContain("Enter the link as a web address starting with https://");
    expect(bad.body).toMatch(/id="date-day" name="day" type="text"[^>]*value="31"/);

    const empty = await post("/admin/holidays", { day: "", month: "", year: "", name: "X" });
    expect(empty.statusCode).toBe(400);
    expect(empty.body).toContain("Enter the date of the holiday");
    expect(empty.body).toContain("Select whether the holiday is state-wide or local");

    // Wed 5 Nov 2025 is already a gazetted holiday.
    const dup = await post("/admin/holidays", {
      day: "5",
      month: "11",
      year: "2025",
      name: "Another name",
      kind: "gazetted",
    });
    expect(dup.statusCode).toBe(400);
    expect(dup.body).toContain(
      "That date is already a holiday for these offices: Parkash Purab of Guru Nanak Dev Ji",
    );

    // Gurmukhi digits are accepted in the date boxes: ੨੯/੧੨/੨੦੨੫ = Mon 29 Dec 2025.
    const gurmukhi = await post("/admin/holidays", {
      day: "੨੯",
      month: "੧੨",
      year: "੨੦੨੫",
      name: "Gurmukhi digits (test)",
      kind: "gazetted",
    });
    expect(gurmukhi.statusCode).toBe(303);
    expect((await listHolidays(portal.database.db, { year: 2025 })).map((h) => h.date)).toContain(
      "2025-12-29",
    );

    const id = await holidayId("Gurmukhi digits (test)");
    expect((await post(`/admin/holidays/${id}/retire`, { year: "2025" })).statusCode).toBe(303);
    const again = await post(`/admin/holidays/${id}/retire`, { year: "2025" });
    expect(again.statusCode).toBe(400);
    expect(again.body).toContain("That holiday has already been retired");
    expect((await post("/admin/holidays/999999/retire", {})).statusCode).toBe(404);
    expect((await post("/admin/holidays/abc/retire", {})).statusCode).toBe(404);
  });

  it("the service refuses what the page cannot send", async () => {
    const { db } = portal.database;
    const now = portal.clock.now();
    const problems = async (input: Parameters<typeof addHoliday>[1]) => {
      try {
        await db.transaction((tx) => addHoliday(tx, input, "test", now));
      } catch (e) {
        if (e instanceof DomainError) return e.fields.map((f) => `${f.field}:${f.code}`);
        throw e;
      }
      return [];
    };
    expect(
      await problems({ date: "2026-02-30", name: "X", kind: "gazetted", districtCode: 36 }),
    ).toEqual(["date:invalid", "districtCode:not_allowed"]);
    expect(
      await problems({ date: "2026-03-02", name: "X", kind: "local", districtCode: 9999 }),
    ).toEqual(["districtCode:unknown"]);
    expect(
      await problems({
        date: "2026-03-02",
        name: "x".repeat(201),
        kind: "local",
        districtCode: 36,
      }),
    ).toEqual(["name:too_long"]);
    // A weekend date is accepted but moves nothing: Sat 7 Mar 2026.
    const weekend = await db.transaction((tx) =>
      addHoliday(
        tx,
        { date: "2026-03-07", name: "Weekend (test)", kind: "local", districtCode: 36 },
        "test",
        now,
      ),
    );
    expect(weekend.recompute).toBeNull();
    await expect(db.transaction((tx) => retireHoliday(tx, 999999, "test", now))).rejects.toThrow(
      "No such holiday",
    );
  });

  it("lets only holders of admin.view see the page and only holidays.manage change it", async () => {
    const anonymous = await portal.app.inject({ url: "/admin/holidays" });
    expect(anonymous.statusCode).toBe(303);
    expect(anonymous.headers.location).toBe("/staff/login?next=%2Fadmin%2Fholidays");
    expect((await page("/admin/holidays", "do.ludhiana")).res.statusCode).toBe(404);
    const form = { day: "1", month: "12", year: "2025", name: "Nope", kind: "gazetted" };
    const { token, cookie } = await page("/track", "do.ludhiana");
    const officer = await portal.app.inject({
      method: "POST",
      url: "/admin/holidays",
      payload: new URLSearchParams({ ...form, _csrf: token }).toString(),
      headers: { ...FORM, cookie },
    });
    expect(officer.statusCode).toBe(404);
    // Head office may see the calendar but not change it.
    const headOffice = await page("/admin/holidays?year=2025", "ho.punjab");
    expect(headOffice.res.statusCode).toBe(200);
    expect(headOffice.res.body).toContain("Parkash Purab of Guru Nanak Dev Ji");
    expect(headOffice.res.body).not.toContain('action="/admin/holidays"');
    expect(headOffice.res.body).not.toContain("/retire");
    const hoForm = await page("/track", "ho.punjab");
    const ho = await portal.app.inject({
      method: "POST",
      url: "/admin/holidays",
      payload: new URLSearchParams({ ...form, _csrf: hoForm.token }).toString(),
      headers: { ...FORM, cookie: hoForm.cookie },
    });
    expect(ho.statusCode).toBe(404);
    // Without a CSRF token, nothing happens.
    const forged = await portal.app.inject({
      method: "POST",
      url: "/admin/holidays",
      payload: new URLSearchParams(form).toString(),
      headers: { ...FORM, cookie: sessions.get("admin") as string },
    });
    expect(forged.statusCode).toBe(403);
    expect(await holidayId("Nope")).toBeUndefined();

    const punjabi = await page("/admin/holidays?year=2025&lang=pa", "admin");
    expect(punjabi.res.body).toContain("2025 ਦੀਆਂ ਛੁੱਟੀਆਂ");
    expect(punjabi.res.body).toContain("ਛੁੱਟੀ ਜੋੜੋ");
    const admin = await page("/admin", "admin");
    expect(admin.res.body).toContain('href="/admin/holidays"');
    // A year with no list keeps its visible warning.
    const empty = await page("/admin/holidays?year=2031", "admin");
    expect(empty.res.body).toContain("No holiday list is loaded for 2031");
  });
});
