/**
 * Test helpers for the assisted-filing and day-close suites (not used by the
 * portal): a test Sewa Kendra, officials posted at it, and a browser-like
 * client for `inject` that keeps cookies and the page's CSRF token.
 */
import { sql } from "drizzle-orm";
import type { Database } from "../../db/client.ts";
import { createOfficial, startSession } from "../../identity/service.ts";
import type { TestPortal } from "../../web/testing.ts";

/** Inserts a Sewa Kendra (idempotent) with `counters` counters. */
export async function seedTestKendra(
  database: Database,
  k: { code: string; name: string; districtCode: number; counters?: number },
): Promise<void> {
  await database.db.execute(
    sql`insert into kendras (code, name_en, name_pa, name_hi, district_code, type, counters)
        values (${k.code}, ${k.name}, ${`${k.name} (ਪੰਜਾਬੀ)`}, ${`${k.name} (हिंदी)`}, ${k.districtCode}, 'II', ${k.counters ?? 3})
        on conflict (code) do nothing`,
  );
}

/**
 * Creates an official with a `role` posting (district level) at Sewa Kendra
 * `kendraCode` and returns their id.
 */
export async function seedKendraOfficial(
  database: Database,
  o: { username: string; role: string; districtCode: number; kendraCode: string | null },
): Promise<number> {
  const official = await database.db.transaction((tx) =>
    createOfficial(tx, {
      username: o.username,
      name: `Test ${o.role}`,
      designation: o.role,
      password: "kendra-test-password-9",
      posting: {
        role: o.role,
        level: "district",
        districtCode: o.districtCode,
        validFrom: "2020-01-01",
      },
    }),
  );
  await database.db.execute(
    sql`update postings set kendra_code = ${o.kendraCode} where official_id = ${official.id}`,
  );
  return official.id;
}

/** A browser for `portal.app.inject`: cookies kept, the last page's CSRF token sent with posts. */
export type TestBrowser = {
  get(url: string): Promise<{ statusCode: number; body: string; headers: Record<string, unknown> }>;
  post(
    url: string,
    form?: Record<string, string | string[]>,
  ): Promise<{ statusCode: number; body: string; headers: Record<string, unknown> }>;
  upload(
    url: string,
    files: Record<string, Buffer>,
    fields?: Record<string, string>,
  ): Promise<{ statusCode: number; body: string; headers: Record<string, unknown> }>;
  cookie(): string;
};

/** A browser signed in as `officialId` (TOTP passed), with the counter seat `seat` when given. */
export async function staffBrowser(
  portal: TestPortal,
  officialId: number | null,
  seat?: { kendraCode: string; counter: number },
): Promise<TestBrowser> {
  const jar = new Map<string, string>();
  if (officialId !== null)
    jar.set(
      "sewa_staff",
      await startSession(portal.database.db, officialId, new Date(), {
        mfa: true,
        ...(seat ? { counter: seat } : {}),
      }),
    );
  let token = "";
  const cookie = () => [...jar].map(([k, v]) => `${k}=${v}`).join("; ");
  const keep = <R extends { cookies: Array<{ name: string; value: string }>; body: string }>(
    res: R,
  ): R => {
    for (const c of res.cookies) jar.set(c.name, c.value);
    const t = /name="_csrf" value="([^"]+)"/.exec(res.body)?.[1];
    if (t) token = t;
    return res;
  };
  const browser: TestBrowser = {
    cookie,
    async get(url) {
      return keep(await portal.app.inject({ url, headers: { cookie: cookie() } }));
    },
    async post(url, form = {}) {
      if (!token) await browser.get("/track");
      const body = new URLSearchParams();
      for (const [k, v] of Object.entries(form)) for (const x of [v].flat()) body.append(k, x);
      body.append("_csrf", token);
      return keep(
        await portal.app.inject({
          method: "POST",
          url,
          payload: body.toString(),
          headers: { cookie: cookie(), "content-type": "application/x-www-form-urlencoded" },
        }),
      );
    },
    async upload(url, files, fields = {}) {
      if (!token) await browser.get("/track");
      const boundary = "----sewa-kendra-test";
      const parts: Buffer[] = [];
      for (const [name, value] of Object.entries(fields))
        parts.push(
          Buffer.from(
            `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`,
          ),
        );
      for (const [name, bytes] of Object.entries(files))
        parts.push(
          Buffer.from(
            `--${boundary}\r\nContent-Disposition: form-data; name="${name}"; filename="${name}.pdf"\r\nContent-Type: application/pdf\r\n\r\n`,
          ),
          bytes,
          Buffer.from("\r\n"),
        );
      parts.push(Buffer.from(`--${boundary}--\r\n`));
      return keep(
        await portal.app.inject({
          method: "POST",
          url: `${url}?_csrf=${encodeURIComponent(token)}`,
          payload: Buffer.concat(parts),
          headers: {
            cookie: cookie(),
            "content-type": `multipart/form-data; boundary=${boundary}`,
          },
        }),
      );
    },
  };
  return browser;
}

/** A tiny valid PDF for upload tests. */
export const TEST_PDF = Buffer.from("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n");
