import { PassThrough } from "node:stream";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verhoeffCheckDigit } from "../catalog/definitions/aadhaar.ts";
import { rows } from "../db/client.ts";
import { testDatabases } from "../db/testing.ts";
import { startTestPortal, type TestPortal } from "../web/testing.ts";
import { OTP_MAX_ATTEMPTS } from "./otp.ts";

const base = "23456789012";
const AADHAAR = `${base}${verhoeffCheckDigit(base)}`;

describe.each(testDatabases())("citizen sign-in on $name", (which) => {
  let portal: TestPortal;
  let logs = "";
  let csrf: { token: string; cookie: string };
  beforeAll(async () => {
    const stream = new PassThrough();
    stream.on("data", (chunk) => {
      logs += chunk.toString();
    });
    portal = await startTestPortal(which, "2025-10-17T10:00:00+05:30", {
      logLevel: "info",
      logStream: stream,
    });
    const page = await portal.app.inject({ url: "/login" });
    csrf = {
      token: /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1] as string,
      cookie: page.cookies.map((c) => `${c.name}=${c.value}`).join("; "),
    };
  });
  afterAll(async () => portal?.close());

  /** A browser: keeps its cookies across requests. */
  function browser(ip: string) {
    const jar = new Map<string, string>(
      csrf.cookie.split("; ").map((c) => c.split("=") as [string, string]),
    );
    const cookie = () => [...jar].map(([k, v]) => `${k}=${v}`).join("; ");
    const keep = <R extends { cookies: Array<{ name: string; value: string }> }>(res: R): R => {
      for (const c of res.cookies) jar.set(c.name, c.value);
      return res;
    };
    return {
      get: async (url: string) =>
        keep(
          await portal.app.inject({ url, headers: { cookie: cookie(), "x-forwarded-for": ip } }),
        ),
      post: async (url: string, form: Record<string, string>) =>
        keep(
          await portal.app.inject({
            method: "POST",
            url,
            payload: new URLSearchParams({ ...form, _csrf: csrf.token }).toString(),
            headers: {
              "content-type": "application/x-www-form-urlencoded",
              cookie: cookie(),
              "x-forwarded-for": ip,
            },
          }),
        ),
    };
  }
  const lastCode = () =>
    /^(\d{6}) is your Sewa Punjab sign-in code/.exec(
      portal.sms.sent.at(-1)?.text ?? "",
    )?.[1] as string;

  it("signs in with a code sent by SMS (Gurmukhi digits accepted) and lists every application of that number", async () => {
    const filed = await portal.app.inject({
      method: "POST",
      url: "/api/v1/applications",
      payload: {
        serviceId: (await portal.app.inject({ url: "/api/v1/services?q=demarcation" })).json()
          .items[0].id,
        applicant: {
          name: "Jaspreet Kaur",
          relativeName: "X",
          gender: "female",
          dateOfBirth: "1990-01-01",
          mobile: "9811111111",
        },
        address: {
          line1: "x",
          districtCode: 36,
          tehsilCode: (
            await rows<{ code: number }>(
              portal.database.db,
              sql`select code from tehsils where district_code = 36 limit 1`,
            )
          )[0]?.code,
          pincode: "141001",
        },
        purpose: "p",
        declaration: true,
      },
    });
    await portal.database.db.execute(
      sql`update applications set channel = 'kendra' where reference = ${filed.json().reference}`,
    );
    const b = browser("192.0.2.10");
    const sent = await b.post("/login", { mobile: "੯੮੧੧੧੧੧੧੧੧" });
    expect(sent.statusCode).toBe(303);
    expect(portal.sms.sent.at(-1)?.to).toBe("9811111111");
    expect((await b.get("/my")).statusCode).toBe(303); // not signed in yet
    const ok = await b.post("/login/code", { code: lastCode() });
    expect(ok.headers.location).toBe("/my");
    const my = await b.get("/my");
    expect(my.statusCode).toBe(200);
    expect(my.body).toContain(filed.json().reference);
    expect(my.body).toContain("Sewa Kendra");
    // Signed in, the citizen opens their application (and its certificates) without looking it up again.
    const own = await b.get(`/track/${filed.json().reference}`);
    expect(own.statusCode).toBe(200);
    expect(own.body).toContain(filed.json().reference);
    // A code works once.
    expect((await browser("192.0.2.11").post("/login/code", { code: lastCode() })).statusCode).toBe(
      303,
    );
  });

  it("enforces the resend wait and stops brute force after 5 attempts per code", async () => {
    const b = browser("192.0.2.20");
    await b.post("/login", { mobile: "9822222222" });
    const tooSoon = await b.post("/login", { mobile: "9822222222" });
    expect(tooSoon.statusCode).toBe(400);
    expect(tooSoon.body).toContain("Wait 30 seconds");
    const code = lastCode();
    const wrong = code === "000000" ? "111111" : "000000";
    for (let i = 0; i < OTP_MAX_ATTEMPTS; i++)
      expect((await b.post("/login/code", { code: wrong })).statusCode).toBe(400);
    const right = await b.post("/login/code", { code });
    expect(right.statusCode).toBe(400); // the code is spent after 5 wrong tries
    portal.clock.advance(31 / 3600); // 31 s later a new code may be sent
    expect((await b.post("/login", { mobile: "9822222222" })).statusCode).toBe(303);
    expect((await b.post("/login/code", { code: lastCode() })).headers.location).toBe("/my");
  });

  it("sends the sign-in code in the page's language", async () => {
    const b = browser("192.0.2.40");
    await b.get("/login?lang=pa");
    await b.post("/login", { mobile: "9833333333" });
    const sent = portal.sms.sent.at(-1);
    expect(sent?.to).toBe("9833333333");
    expect(sent?.text).toMatch(/^\d{6} ਤੁਹਾਡਾ ਸੇਵਾ ਪੰਜਾਬ ਸਾਈਨ-ਇਨ ਕੋਡ ਹੈ। ਇਹ 10 ਮਿੰਟ/);
    expect(sent?.templateId).toBe("SEWA-DLT-SIGN-IN-CODE-PA");
  });

  it("limits code requests per client address (429)", async () => {
    const b = browser("192.0.2.30");
    let last = 0;
    for (let i = 0; i < 12; i++)
      last = (await b.post("/login/code", { code: "123456" })).statusCode;
    expect(last).toBe(429);
  });

  it("saves a profile with consent, prefills the form, erases it on withdrawal; Aadhaar is never stored or logged in clear", async () => {
    const b = browser("192.0.2.40");
    portal.clock.advance(1);
    await b.post("/login", { mobile: "9833333333" });
    await b.post("/login/code", { code: lastCode() });
    const bad = await b.post("/my/profile", {
      name: "Gurpreet Kaur",
      aadhaar: "123412341234",
      consent: "yes",
    });
    expect(bad.statusCode).toBe(400);
    const saved = await b.post("/my/profile", {
      name: "Gurpreet Kaur",
      line1: "12 Model Town",
      pincode: "141002",
      aadhaar: AADHAAR,
      consent: "yes",
    });
    expect(saved.statusCode).toBe(303);
    const profile = await b.get("/my/profile");
    expect(profile.body).toContain(`XXXX XXXX ${AADHAAR.slice(-4)}`);
    const form = await b.get(
      `/services/${(await portal.app.inject({ url: "/api/v1/services?q=demarcation" })).json().items[0].id}/apply`,
    );
    expect(form.body).toContain('value="Gurpreet Kaur"');
    expect(form.body).toContain('value="9833333333"');
    await b.post("/my/profile", { name: "Gurpreet Kaur" });
    const [row] = await rows<{ profile: Record<string, unknown>; consent: string | null }>(
      portal.database.db,
      sql`select profile, prefill_consent_at as consent from citizens where mobile = '9833333333'`,
    );
    expect(row).toEqual({ profile: {}, consent: null });

    // Grep the whole database and the logs for the full number.
    const tables = await rows<{ table_name: string }>(
      portal.database.db,
      sql`select table_name from information_schema.tables where table_schema = 'public'`,
    );
    let dump = "";
    for (const t of tables) {
      const all = await rows<{ j: string }>(
        portal.database.db,
        sql.raw(`select row_to_json(t)::text as j from "${t.table_name}" t`),
      );
      dump += all.map((r) => r.j).join("\n");
    }
    expect(dump.length).toBeGreaterThan(1000);
    expect(dump).toContain(`XXXX XXXX ${AADHAAR.slice(-4)}`);
    for (const needle of [
      AADHAAR,
      `${AADHAAR.slice(0, 4)} ${AADHAAR.slice(4, 8)} ${AADHAAR.slice(8)}`,
    ]) {
      expect(dump).not.toContain(needle);
      expect(logs).not.toContain(needle);
    }
    expect(logs).toContain('"url":"/my/profile"');
    expect(logs).not.toContain("9833333333");
  });
});
