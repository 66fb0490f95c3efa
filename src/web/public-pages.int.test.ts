/**
 * Issue 7 pages and settings: the accessibility statement, "Contact and help"
 * with the Sewa Kendras of a district, native digits, district names in the
 * page's language sorted by its collator, and the citizen's language kept in
 * their profile (and used for their SMS).
 */
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rows } from "../db/client.ts";
import { testDatabases } from "../db/testing.ts";
import { processOutbox } from "../notifications/consumer.ts";
import { capturingSms } from "../notifications/sms.ts";
import { startTestPortal, type TestPortal } from "./testing.ts";

describe.each(testDatabases())("public pages and language settings on $name", (which) => {
  let portal: TestPortal;
  beforeAll(async () => {
    portal = await startTestPortal(which, "2025-10-17T10:00:00+05:30");
  });
  afterAll(async () => portal?.close());

  /** A browser keeping its cookies. */
  function browser() {
    const jar = new Map<string, string>();
    const cookie = () => [...jar].map(([k, v]) => `${k}=${v}`).join("; ");
    const keep = <R extends { cookies: Array<{ name: string; value: string }> }>(res: R): R => {
      for (const c of res.cookies) jar.set(c.name, c.value);
      return res;
    };
    let csrf = "";
    return {
      jar,
      get: async (url: string, headers: Record<string, string> = {}) => {
        const res = keep(
          await portal.app.inject({ url, headers: { cookie: cookie(), ...headers } }),
        );
        csrf = /name="_csrf" value="([^"]+)"/.exec(res.body)?.[1] ?? csrf;
        return res;
      },
      post: async (url: string, form: Record<string, string>) =>
        keep(
          await portal.app.inject({
            method: "POST",
            url,
            payload: new URLSearchParams({ ...form, _csrf: csrf }).toString(),
            headers: { "content-type": "application/x-www-form-urlencoded", cookie: cookie() },
          }),
        ),
    };
  }

  it("the accessibility statement and the help page are in the three languages and linked from every page", async () => {
    for (const [lang, title, help] of [
      ["en", "Accessibility statement", "Contact and help"],
      ["pa", "ਪਹੁੰਚਯੋਗਤਾ ਬਿਆਨ", "ਸੰਪਰਕ ਅਤੇ ਮਦਦ"],
      ["hi", "सुगम्यता विवरण", "संपर्क और सहायता"],
    ] as const) {
      const statement = await portal.app.inject({ url: `/accessibility?lang=${lang}` });
      expect(statement.statusCode).toBe(200);
      expect(statement.body).toContain(`<h1 class="govuk-heading-l">${title}</h1>`);
      expect(statement.body).toContain('href="/help"');
      const page = await portal.app.inject({ url: `/help?lang=${lang}` });
      expect(page.body).toContain(`<h1 class="govuk-heading-l">${help}</h1>`);
      expect(page.body).toContain("1076");
      const home = await portal.app.inject({ url: `/?lang=${lang}` });
      expect(home.body).toContain(`href="/accessibility">${title}</a>`);
      expect(home.body).toContain(`href="/help">${help}</a>`);
    }
  });

  it("lists a district's Sewa Kendras from the registry, and says so politely when there are none", async () => {
    const { db } = portal.database;
    // The seeded sample may list centres already: Patiala's are closed (inactive) for this test.
    await db.execute(sql`update kendras set active = 0 where district_code = 41`);
    await db.execute(
      sql`insert into kendras (code, name_en, name_pa, name_hi, district_code, tehsil_code, type, counters, opens_at, closes_at, weekly_off, address)
          values ('T-36-1', 'Sewa Kendra, Test Complex, Ludhiana', 'ਸੇਵਾ ਕੇਂਦਰ, ਟੈਸਟ ਕੰਪਲੈਕਸ, ਲੁਧਿਆਣਾ', 'सेवा केंद्र, टेस्ट परिसर, लुधियाना', 36, 227, 'I', 4, '09:00', '17:00', 7, 'Ferozepur Road, Ludhiana')`,
    );
    const pa = await portal.app.inject({ url: "/help?district=36&lang=pa" });
    expect(pa.body).toContain("ਲੁਧਿਆਣਾ ਵਿੱਚ ਸੇਵਾ ਕੇਂਦਰ");
    expect(pa.body).toContain("ਸੇਵਾ ਕੇਂਦਰ, ਟੈਸਟ ਕੰਪਲੈਕਸ, ਲੁਧਿਆਣਾ");
    expect(pa.body).toContain("ਤਹਿਸੀਲ: ਲੁਧਿਆਣਾ (ਪੂਰਬੀ)");
    expect(pa.body).toContain('<span lang="en">Ferozepur Road, Ludhiana</span>');
    expect(pa.body).toContain("ਐਤਵਾਰ ਨੂੰ ਬੰਦ");
    const en = await portal.app.inject({ url: "/help?district=%E0%A9%AA%E0%A9%A7&lang=en" }); // ੪੧ in Gurmukhi digits
    expect(en.body).toContain("Sewa Kendras in Patiala");
    expect(en.body).toContain('id="no-kendras"');
    expect(en.body).toContain("Please call the helpline");
  });

  it("districts are named and sorted in the page's language", async () => {
    const page = await portal.app.inject({ url: "/help?lang=pa" });
    const names = [...page.body.matchAll(/<option value="(\d+)"[^>]*>([^<]+)<\/option>/g)].map(
      (m) => m[2] as string,
    );
    expect(names).toHaveLength(23);
    expect(names).toContain("ਲੁਧਿਆਣਾ");
    expect(names.some((n) => /[A-Za-z]/.test(n))).toBe(false);
    expect([...names].sort(new Intl.Collator("pa-IN").compare)).toEqual(names);
    // Gurmukhi order is not English order: ਅੰਮ੍ਰਿਤਸਰ (Amritsar) first, ਤਰਨ ਤਾਰਨ before ਪਟਿਆਲਾ.
    expect(names[0]).toBe("ਅੰਮ੍ਰਿਤਸਰ");
    expect(names.indexOf("ਤਰਨ ਤਾਰਨ")).toBeLessThan(names.indexOf("ਪਟਿਆਲਾ"));
  });

  it("native digits are optional for Punjabi and Hindi, kept in a cookie", async () => {
    const b = browser();
    await b.get("/help?lang=pa");
    expect((await b.get("/help")).body).toContain("08:00");
    const set = await b.get("/settings/digits?digits=native&back=%2Fhelp");
    expect(set.statusCode).toBe(303);
    expect(set.headers.location).toBe("/help");
    expect(b.jar.get("digits")).toBe("native");
    const native = await b.get("/help");
    expect(native.body).toContain("੦੮:੦੦");
    expect(native.body).toContain("੧੦੭੬");
    // English pages keep 123 digits; an outside address is never a target.
    expect((await b.get("/help?lang=en")).body).toContain("08:00");
    const away = await b.get("/settings/digits?digits=latin&back=https%3A%2F%2Fevil.example");
    expect(away.headers.location).toBe("/");
    expect(b.jar.get("digits")).toBe("latin");
  });

  it("a signed-in citizen's language switch is saved in their profile, comes back on a new device, and their SMS use it", async () => {
    const { db } = portal.database;
    const mobile = "9876512345";
    const b = browser();
    await b.get("/login?lang=pa");
    await b.post("/login", { mobile });
    // Asked for on a Punjabi page, the code comes in Punjabi.
    const code = /^(\d{6}) ਤੁਹਾਡਾ ਸੇਵਾ ਪੰਜਾਬ ਸਾਈਨ-ਇਨ ਕੋਡ/.exec(
      portal.sms.sent.filter((s) => s.to === mobile).at(-1)?.text ?? "",
    )?.[1] as string;
    const signedIn = await b.post("/login/code", { code });
    expect(signedIn.headers.location).toBe("/my");
    const langOf = async () =>
      (
        await rows<{ lang: string | null }>(
          db,
          sql`select lang from citizens where mobile = ${mobile}`,
        )
      )[0]?.lang;
    expect(await langOf()).toBe("pa");
    await b.get("/my?lang=hi");
    expect(await langOf()).toBe("hi");
    // Another browser without a language cookie: the profile's language wins over Accept-Language.
    const other = browser();
    other.jar.set("sewa_citizen", b.jar.get("sewa_citizen") as string);
    const page = await other.get("/my", { "accept-language": "en" });
    expect(page.body).toContain('<html lang="hi"');
    // The citizen's next SMS is in Hindi.
    const tehsil = (
      await rows<{ code: number }>(
        db,
        sql`select code from tehsils where district_code = 36 limit 1`,
      )
    )[0]?.code;
    const filed = await portal.app.inject({
      method: "POST",
      url: "/api/v1/applications",
      payload: {
        serviceId: (await portal.app.inject({ url: "/api/v1/services?q=demarcation" })).json()
          .items[0].id,
        applicant: {
          name: "Simran Kaur",
          relativeName: "Balwinder Singh",
          gender: "female",
          dateOfBirth: "1990-01-01",
          mobile,
        },
        address: { line1: "1 Mall Road", districtCode: 36, tehsilCode: tehsil, pincode: "141001" },
        purpose: "Test",
        declaration: true,
      },
    });
    expect(filed.statusCode).toBe(201);
    const sms = capturingSms();
    await processOutbox(db, { sms }, portal.clock.now());
    expect(sms.sent.find((s) => s.to === mobile)?.text).toContain("प्राप्त हुआ");
  });
});
