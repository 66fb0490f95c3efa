import { generate } from "otplib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyAudit } from "../audit/service.ts";
import { testDatabases } from "../db/testing.ts";
import { DEMO_PASSWORD, DEMO_TOTP_SECRET } from "../setup.ts";
import { startTestPortal, type TestPortal } from "../web/testing.ts";
import {
  actorFor,
  addPosting,
  checkPasswordPolicy,
  createOfficial,
  endPosting,
  findOfficialByUsername,
  LOCK_AFTER_FAILURES,
  postingsOf,
  startSession,
  unlockOfficial,
} from "./service.ts";

describe.each(testDatabases())("identity on $name", (which) => {
  let portal: TestPortal;
  let csrf: { token: string; cookie: string };
  beforeAll(async () => {
    portal = await startTestPortal(which);
    const page = await portal.app.inject({ url: "/staff/login" });
    csrf = {
      token: /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1] as string,
      cookie: page.cookies.map((c) => `${c.name}=${c.value}`).join("; "),
    };
  });
  afterAll(async () => portal?.close());

  const post = (url: string, form: Record<string, string>, cookie = "", ip = "198.51.100.1") =>
    portal.app.inject({
      method: "POST",
      url,
      payload: new URLSearchParams({ ...form, _csrf: csrf.token }).toString(),
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        cookie: [csrf.cookie, cookie].filter(Boolean).join("; "),
        "x-forwarded-for": ip,
      },
    });
  const cookieOf = (res: { cookies: Array<{ name: string; value: string }> }) =>
    res.cookies
      .filter((c) => c.name === "sewa_staff")
      .map((c) => `${c.name}=${c.value}`)
      .join("; ");

  it("signs in with password then TOTP; the password alone opens nothing", async () => {
    const first = await post("/staff/login", {
      username: "do.ludhiana",
      password: DEMO_PASSWORD,
      next: "/desk",
    });
    expect(first.statusCode).toBe(303);
    expect(first.headers.location).toBe("/staff/totp?next=%2Fdesk");
    const staff = cookieOf(first);
    const early = await portal.app.inject({ url: "/desk", headers: { cookie: staff } });
    expect(early.statusCode).toBe(303);
    const wrong = await post("/staff/totp", { code: "000000", next: "/desk" }, staff);
    expect(wrong.statusCode).toBe(400);
    expect(wrong.body).toContain("The code is not right");
    const ok = await post(
      "/staff/totp",
      { code: await generate({ secret: DEMO_TOTP_SECRET }), next: "/desk" },
      staff,
    );
    expect(ok.statusCode).toBe(303);
    expect(ok.headers.location).toBe("/desk");
    expect((await portal.app.inject({ url: "/desk", headers: { cookie: staff } })).statusCode).toBe(
      200,
    );
  });

  it("enrols a new official's authenticator on first sign-in", async () => {
    await portal.database.db.transaction((tx) =>
      createOfficial(tx, {
        username: "new.officer",
        name: "New",
        designation: "DO",
        password: "a-fresh-password-77",
        posting: {
          role: "designated_officer",
          level: "district",
          districtCode: 36,
          validFrom: "2020-01-01",
        },
      }),
    );
    const first = await post(
      "/staff/login",
      { username: "new.officer", password: "a-fresh-password-77" },
      "",
      "198.51.100.2",
    );
    const staff = cookieOf(first);
    const setup = await portal.app.inject({ url: "/staff/totp", headers: { cookie: staff } });
    expect(setup.body).toContain("data:image/png;base64,");
    const secret = (/id="totp-secret">([A-Z2-7 ]+)</.exec(setup.body)?.[1] ?? "").replace(/ /g, "");
    expect(secret).toMatch(/^[A-Z2-7]{16,}$/);
    const ok = await post(
      "/staff/totp",
      { code: await generate({ secret }) },
      staff,
      "198.51.100.2",
    );
    expect(ok.statusCode).toBe(303);
    expect(
      (await findOfficialByUsername(portal.database.db, "new.officer"))?.totpEnabledAt,
    ).not.toBeNull();
  });

  it(`locks an account after ${LOCK_AFTER_FAILURES} failed passwords until an administrator unlocks it`, async () => {
    for (let i = 0; i < LOCK_AFTER_FAILURES; i++) {
      expect(
        (
          await post(
            "/staff/login",
            { username: "do.patiala", password: "not-the-password" },
            "",
            "198.51.100.3",
          )
        ).statusCode,
      ).toBe(400);
    }
    const locked = await post(
      "/staff/login",
      { username: "do.patiala", password: DEMO_PASSWORD },
      "",
      "198.51.100.4",
    );
    expect(locked.statusCode).toBe(400);
    expect(locked.body).toContain("locked");
    await portal.database.db.transaction((tx) => unlockOfficial(tx, "do.patiala", "test"));
    expect(
      (
        await post(
          "/staff/login",
          { username: "do.patiala", password: DEMO_PASSWORD },
          "",
          "198.51.100.4",
        )
      ).statusCode,
    ).toBe(303);
  });

  it("refuses short and breached passwords", () => {
    expect(() => checkPasswordPolicy("short")).toThrow(/at least 12/);
    expect(() => checkPasswordPolicy("password1234")).toThrow(/breached/);
    expect(() => checkPasswordPolicy("qwertyuiop2024!")).toThrow(/breached/);
    expect(() => checkPasswordPolicy("iloveyou12345")).toThrow(/breached/);
    expect(() => checkPasswordPolicy("correct horse battery staple")).not.toThrow();
  });

  it("grants access only while a posting is in force, and audits posting changes", async () => {
    const { db } = portal.database;
    const o = await db.transaction((tx) =>
      createOfficial(tx, {
        username: "temp.officer",
        name: "Temp",
        designation: "DO",
        password: "temp-password-9876",
      }),
    );
    expect((await actorFor(db, "temp.officer", "2026-01-10")).principal.postings).toEqual([]);
    const p = await db.transaction((tx) =>
      addPosting(
        tx,
        o.id,
        {
          role: "designated_officer",
          level: "tehsil",
          districtCode: 36,
          tehsilCode: 266,
          validFrom: "2026-01-01",
        },
        "test",
      ),
    );
    expect((await actorFor(db, "temp.officer", "2025-12-31")).principal.postings).toEqual([]);
    expect((await actorFor(db, "temp.officer", "2026-01-10")).principal.postings).toHaveLength(1);
    await db.transaction((tx) => endPosting(tx, p.id, "2026-01-31", "test"));
    expect((await actorFor(db, "temp.officer", "2026-01-31")).principal.postings).toHaveLength(1);
    expect((await actorFor(db, "temp.officer", "2026-02-01")).principal.postings).toEqual([]);
    await expect(
      db.transaction((tx) =>
        addPosting(
          tx,
          o.id,
          {
            role: "designated_officer",
            level: "tehsil",
            districtCode: 36,
            validFrom: "2026-01-01",
          },
          "test",
        ),
      ),
    ).rejects.toMatchObject({ kind: "validation" });
    await expect(
      db.transaction((tx) =>
        addPosting(tx, o.id, { role: "emperor", level: "state", validFrom: "2026-01-01" }, "test"),
      ),
    ).rejects.toMatchObject({ kind: "validation" });
    expect(await verifyAudit(db)).toMatchObject({ ok: true });
  });

  it("lets the system administrator add a user with a posting, end the posting and unlock, through the pages", async () => {
    const { db } = portal.database;
    const admin = await findOfficialByUsername(db, "admin");
    const cookie = `sewa_staff=${await startSession(db, admin?.id as number, new Date(), { mfa: true })}`;
    const page = await portal.app.inject({ url: "/admin/users", headers: { cookie } });
    expect(page.statusCode).toBe(200);
    const weak = await post(
      "/admin/users",
      {
        username: "do.moga",
        name: "Moga DO",
        designation: "Tehsildar",
        password: "password1234",
        role: "designated_officer",
        districtCode: "38",
      },
      cookie,
    );
    expect(weak.statusCode).toBe(400);
    expect(weak.body).toContain("common breached passwords");
    const made = await post(
      "/admin/users",
      {
        username: "do.moga",
        name: "Moga DO",
        designation: "Tehsildar",
        password: "moga-strong-pass-2026",
        role: "designated_officer",
        districtCode: "38",
        validFrom: "2020-01-01",
      },
      cookie,
    );
    expect(made.statusCode).toBe(303);
    const moga = await findOfficialByUsername(db, "do.moga");
    const [posting] = await postingsOf(db, moga?.id as number);
    expect(posting).toMatchObject({
      role: "designated_officer",
      level: "district",
      districtCode: 38,
      validTo: null,
    });
    expect((await post(`/admin/postings/${posting?.id}/end`, {}, cookie)).statusCode).toBe(303);
    expect((await postingsOf(db, moga?.id as number))[0]?.validTo).not.toBeNull();
    const officer = `sewa_staff=${await startSession(db, moga?.id as number, new Date(), { mfa: true })}`;
    expect(
      (await portal.app.inject({ url: "/admin/users", headers: { cookie: officer } })).statusCode,
    ).toBe(404);
    expect((await post("/admin/users/do.moga/unlock", {}, officer)).statusCode).toBe(404);
  });
});
