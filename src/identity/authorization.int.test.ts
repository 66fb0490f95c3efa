import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rows } from "../db/client.ts";
import { testDatabases } from "../db/testing.ts";
import { startTestPortal, type TestPortal } from "../web/testing.ts";
import { type Permission, ROLE_PERMISSIONS } from "./authorization.ts";
import { STAFF_ROLES, type StaffRole } from "./roles.ts";
import { createOfficial, startSession } from "./service.ts";

const LUDHIANA = 36;
const PATIALA = 41;
const XSS = [
  `<script>alert("x")</script>`,
  `"><img src=x onerror=alert(1)>`,
  `{{ 7*7 }}<svg onload=alert(1)>`,
];

/** A session cookie for a fresh official holding one posting (no password or TOTP needed). */
async function sessionFor(
  portal: TestPortal,
  role: StaffRole,
  districtCode: number,
  tag: string,
): Promise<string> {
  const { db } = portal.database;
  const official = await db.transaction((tx) =>
    createOfficial(tx, {
      username: `${role.replace(/_/g, "-")}.${tag}`,
      name: `Test ${role}`,
      designation: role,
      password: "matrix-test-password-42",
      posting: { role, level: "district", districtCode, validFrom: "2020-01-01" },
    }),
  );
  const token = await startSession(db, official.id, new Date(), { mfa: true });
  return `sewa_staff=${token}`;
}

describe.each(testDatabases())("authorization on $name", (which) => {
  let portal: TestPortal;
  let ref: string;
  let docId: string;
  let appealId: number;
  let csrf: { token: string; cookie: string };
  const sessions = new Map<string, string>();

  beforeAll(async () => {
    portal = await startTestPortal(which);
    const service = (await portal.app.inject({ url: "/api/v1/services?q=demarcation" })).json()
      .items[0].id;
    const [t] = await rows<{ code: number }>(
      portal.database.db,
      sql`select code from tehsils where district_code = ${LUDHIANA} order by code limit 1`,
    );
    const boundary = "----matrix";
    const application = {
      serviceId: service,
      applicant: {
        name: XSS[0],
        relativeName: XSS[1],
        gender: "female",
        dateOfBirth: "1990-01-01",
        mobile: "9876543210",
        email: "x@example.org",
      },
      address: {
        line1: XSS[2],
        line2: XSS[1],
        districtCode: LUDHIANA,
        tehsilCode: t?.code,
        pincode: "141001",
      },
      purpose: XSS.join(" "),
      declaration: true,
    };
    const pdf = Buffer.from("%PDF-1.4\n%%EOF\n");
    const payload = Buffer.concat([
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="application"\r\n\r\n${JSON.stringify(application)}\r\n`,
      ),
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="documents"; filename="proof.pdf"\r\nContent-Type: application/pdf\r\n\r\n`,
      ),
      pdf,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    const res = await portal.app.inject({
      method: "POST",
      url: "/api/v1/applications",
      payload,
      headers: { "content-type": `multipart/form-data; boundary=${boundary}` },
    });
    expect(res.statusCode).toBe(201);
    ref = res.json().reference;
    const [doc] = await rows<{ id: string }>(
      portal.database.db,
      sql`select d.id from documents d join applications a on a.id = d.application_id where a.reference = ${ref}`,
    );
    docId = doc?.id as string;
    const [appealRow] = await rows<{ id: number }>(
      portal.database.db,
      sql`insert into appeals (application_id, level, status, cause, grounds, filed_by, filed_at, decision_due)
          select id, 1, 'filed', 'delay', 'Late', 'applicant', now(), '2026-01-01' from applications where reference = ${ref} returning id`,
    );
    appealId = Number(appealRow?.id);
    const page = await portal.app.inject({ url: "/track" });
    csrf = {
      token: /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1] as string,
      cookie: page.cookies.map((c) => `${c.name}=${c.value}`).join("; "),
    };
    for (const role of STAFF_ROLES) {
      sessions.set(`${role}/in`, await sessionFor(portal, role, LUDHIANA, "in"));
      sessions.set(`${role}/out`, await sessionFor(portal, role, PATIALA, "out"));
    }
  });
  afterAll(async () => portal?.close());

  const has = (role: StaffRole, p: Permission) => ROLE_PERMISSIONS[role].includes(p);
  const get = (url: string, cookie?: string) =>
    portal.app.inject({ url, headers: cookie ? { cookie } : {} });
  const decide = (cookie: string | undefined) =>
    portal.app.inject({
      method: "POST",
      url: `/desk/applications/${ref}/decision`,
      payload: `_csrf=${encodeURIComponent(csrf.token)}&action=approve&remark=&version=1`,
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        cookie: [csrf.cookie, cookie].filter(Boolean).join("; "),
      },
    });

  const cells: Array<[StaffRole, "in" | "out"]> = STAFF_ROLES.flatMap(
    (r) =>
      [
        [r, "in"],
        [r, "out"],
      ] as Array<[StaffRole, "in" | "out"]>,
  );

  it.each(cells)(
    "%s posted %s of the application's district gets exactly what the role allows",
    async (role, where) => {
      const cookie = sessions.get(`${role}/${where}`);
      const inScope = where === "in";
      const view = has(role, "application.view");
      expect((await get("/desk", cookie)).statusCode).toBe(view ? 200 : 404);
      const page = await get(`/desk/applications/${ref}`, cookie);
      expect(page.statusCode).toBe(view && inScope ? 200 : 404);
      expect((await get(`/desk/applications/${ref}/documents/${docId}`, cookie)).statusCode).toBe(
        view && inScope ? 200 : 404,
      );
      // An empty remark: 400 (validation) when the decision is allowed, 404 when it is not.
      expect((await decide(cookie)).statusCode).toBe(
        has(role, "application.decide") && inScope ? 400 : 404,
      );
      expect((await get("/admin", cookie)).statusCode).toBe(has(role, "admin.view") ? 200 : 404);
      expect((await get("/admin/holidays", cookie)).statusCode).toBe(
        has(role, "admin.view") ? 200 : 404,
      );
      expect((await get("/admin/messages", cookie)).statusCode).toBe(
        has(role, "admin.view") ? 200 : 404,
      );
      const addHoliday = await portal.app.inject({
        method: "POST",
        url: "/admin/holidays",
        payload: `_csrf=${encodeURIComponent(csrf.token)}`,
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          cookie: [csrf.cookie, cookie].join("; "),
        },
      });
      expect(addHoliday.statusCode).toBe(has(role, "holidays.manage") ? 400 : 404);
      expect((await get("/admin/payments", cookie)).statusCode).toBe(
        has(role, "payments.reconcile") ? 200 : 404,
      );
      expect((await get("/counter/payments", cookie)).statusCode).toBe(
        has(role, "payment.collect") ? 200 : 404,
      );
      expect((await get("/studio", cookie)).statusCode).toBe(
        has(role, "definitions.manage") ? 200 : 404,
      );
      expect((await get("/audit", cookie)).statusCode).toBe(has(role, "audit.view") ? 200 : 404);
      expect((await get("/audit/export.csv", cookie)).statusCode).toBe(
        has(role, "audit.view") ? 200 : 404,
      );
      expect((await get("/admin/users", cookie)).statusCode).toBe(
        has(role, "users.manage") ? 200 : 404,
      );
      const hears = has(role, "appeal.decide.level1") || has(role, "appeal.decide.level2");
      expect((await get("/appeals", cookie)).statusCode).toBe(hears ? 200 : 404);
      expect((await get(`/appeals/${appealId}`, cookie)).statusCode).toBe(
        has(role, "appeal.decide.level1") && inScope ? 200 : 404,
      );
      expect((await get("/appeals/penalties", cookie)).statusCode).toBe(
        has(role, "penalty.manage") ? 200 : 404,
      );
      expect((await get("/monitoring", cookie)).statusCode).toBe(
        has(role, "monitoring.view") ? 200 : 404,
      );
      expect((await get("/monitoring/export.csv", cookie)).statusCode).toBe(
        has(role, "monitoring.view") ? 200 : 404,
      );
      expect((await get("/desk/delegate", cookie)).statusCode).toBe(
        has(role, "application.decide") ? 200 : 404,
      );
      const unlock = await portal.app.inject({
        method: "POST",
        url: "/admin/users/do.ludhiana/unlock",
        payload: `_csrf=${encodeURIComponent(csrf.token)}`,
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          cookie: [csrf.cookie, cookie].join("; "),
        },
      });
      expect(unlock.statusCode).toBe(has(role, "users.manage") ? 303 : 404);
      const inbox = await get("/desk", cookie);
      if (view) expect(inbox.body.includes(ref)).toBe(inScope);
    },
  );

  it("sends anonymous visitors to sign in and reveals nothing", async () => {
    for (const url of [
      "/desk",
      `/desk/applications/${ref}`,
      `/desk/applications/${ref}/documents/${docId}`,
      "/admin",
      "/admin/holidays",
      "/admin/messages",
      "/audit",
      "/audit/export.csv",
      "/admin/users",
      "/appeals",
      "/appeals/penalties",
      "/desk/delegate",
      "/my",
      "/my/profile",
    ]) {
      const res = await get(url);
      expect(res.statusCode, url).toBe(303);
      expect(res.headers.location).toMatch(/^\/(staff\/)?login/);
    }
    expect((await decide(undefined)).statusCode).toBe(303);
  });

  it("a signed-in citizen is no official: staff pages send them to the staff sign-in", async () => {
    const sent = await portal.app.inject({
      method: "POST",
      url: "/login",
      payload: `_csrf=${encodeURIComponent(csrf.token)}&mobile=9876543210`,
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        cookie: csrf.cookie,
        "x-forwarded-for": "203.0.113.50",
      },
    });
    const jar = [csrf.cookie, ...sent.cookies.map((c) => `${c.name}=${c.value}`)].join("; ");
    const code = /^(\d{6})/.exec(portal.sms.sent.at(-1)?.text ?? "")?.[1] ?? "";
    const signedIn = await portal.app.inject({
      method: "POST",
      url: "/login/code",
      payload: `_csrf=${encodeURIComponent(csrf.token)}&code=${code}`,
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        cookie: jar,
        "x-forwarded-for": "203.0.113.50",
      },
    });
    expect(signedIn.headers.location).toBe("/my");
    const citizen = [csrf.cookie, ...signedIn.cookies.map((c) => `${c.name}=${c.value}`)].join(
      "; ",
    );
    expect((await get("/my", citizen)).body).toContain(ref);
    for (const url of [
      "/desk",
      `/desk/applications/${ref}`,
      `/desk/applications/${ref}/documents/${docId}`,
      "/admin",
      "/audit",
      "/admin/users",
    ]) {
      const res = await get(url, citizen);
      expect(res.statusCode, url).toBe(303);
      expect(res.headers.location, url).toMatch(/^\/staff\/login/);
    }
  });

  it("IDOR: walking references and document ids as another citizen gets nothing", async () => {
    // Citizen B proves their own application only.
    const other = await portal.app.inject({
      method: "POST",
      url: "/api/v1/applications",
      payload: {
        serviceId: (await portal.app.inject({ url: "/api/v1/services?q=demarcation" })).json()
          .items[0].id,
        applicant: {
          name: "B",
          relativeName: "C",
          gender: "male",
          dateOfBirth: "1980-01-01",
          mobile: "9812345678",
        },
        address: {
          line1: "x",
          districtCode: LUDHIANA,
          tehsilCode: (
            await rows<{ code: number }>(
              portal.database.db,
              sql`select code from tehsils where district_code = ${LUDHIANA} limit 1`,
            )
          )[0]?.code,
          pincode: "141001",
        },
        purpose: "p",
        declaration: true,
      },
    });
    const refB: string = other.json().reference;
    const track = await portal.app.inject({
      method: "POST",
      url: "/track",
      payload: `_csrf=${encodeURIComponent(csrf.token)}&reference=${refB}&mobile=9812345678`,
      headers: { "content-type": "application/x-www-form-urlencoded", cookie: csrf.cookie },
    });
    expect(track.statusCode).toBe(303);
    const citizenB = [csrf.cookie, ...track.cookies.map((c) => `${c.name}=${c.value}`)].join("; ");
    expect((await get(`/track/${refB}`, citizenB)).statusCode).toBe(200);
    for (const url of [
      `/track/${ref}`,
      `/track/${ref}/resubmit`,
      `/track/${ref}/documents/${docId}`,
      `/track/${refB}/documents/${docId}`,
    ]) {
      const res = await get(url, citizenB);
      expect([303, 404], url).toContain(res.statusCode);
      expect(res.body, url).not.toContain("proof.pdf");
      expect(res.body, url).not.toContain("%PDF");
    }
    // The API needs the mobile number of each application.
    expect((await get(`/api/v1/applications/${ref}?mobile=9812345678`)).statusCode).toBe(404);
    // Drafts are unguessable capabilities: a made-up id is simply not found.
    expect((await get("/drafts/00000000-0000-4000-8000-000000000000/check")).statusCode).toBe(404);
  });

  it("renders XSS payloads inert on citizen and officer pages", async () => {
    const officer = sessions.get("designated_officer/in");
    const pages = [await get(`/desk/applications/${ref}`, officer), await get("/desk", officer)];
    const track = await portal.app.inject({
      method: "POST",
      url: "/track",
      payload: `_csrf=${encodeURIComponent(csrf.token)}&reference=${ref}&mobile=9876543210`,
      headers: { "content-type": "application/x-www-form-urlencoded", cookie: csrf.cookie },
    });
    const citizen = [csrf.cookie, ...track.cookies.map((c) => `${c.name}=${c.value}`)].join("; ");
    pages.push(await get(`/track/${ref}`, citizen));
    for (const page of pages) {
      expect(page.statusCode).toBe(200);
      expect(page.body).not.toContain("<script>alert");
      expect(page.body).not.toContain("<img src=x");
      expect(page.body).not.toContain("<svg onload");
      expect(page.body).not.toContain("49<svg");
    }
    expect(pages[0]?.body).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;");
  });
});
