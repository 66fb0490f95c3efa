import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rows } from "../db/client.ts";
import { testDatabases } from "../db/testing.ts";
import { findOfficialByUsername, startSession } from "../identity/service.ts";
import { startTestPortal, type TestPortal } from "../web/testing.ts";

describe.each(testDatabases())("department systems admin on $name", (which) => {
  let portal: TestPortal;
  beforeAll(async () => {
    portal = await startTestPortal(which);
  });
  afterAll(async () => portal?.close());

  const cookieOf = async (username: string) => {
    const official = await findOfficialByUsername(portal.database.db, username);
    return `sewa_staff=${await startSession(portal.database.db, official?.id as number, new Date(), { mfa: true })}`;
  };

  it("lets the system administrator register a client, see its last use, rotate it, and see deliveries", async () => {
    const db = portal.database.db;
    expect((await portal.app.inject({ url: "/admin/integration" })).statusCode).toBe(303);
    const officer = await portal.app.inject({
      url: "/admin/integration",
      headers: { cookie: await cookieOf("do.ludhiana") },
    });
    expect(officer.statusCode).toBe(404);

    const admin = await cookieOf("admin");
    const page = await portal.app.inject({
      url: "/admin/integration?lang=en",
      headers: { cookie: admin },
    });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain("Department systems");
    const csrfCookie = (page.headers["set-cookie"] as string[] | string)
      .toString()
      .match(/sewa_csrf=[^;]+/)?.[0];
    const token = page.body.match(/name="_csrf" value="([^"]+)"/)?.[1];
    const cookie = `${admin}; ${csrfCookie}`;
    const [svc] = await rows<{ code: string; department: string }>(
      db,
      sql`select s.code, d.code as department from services s join departments d on d.id = s.department_id order by s.id limit 1`,
    );
    const bad = await portal.app.inject({
      method: "POST",
      url: "/admin/integration/clients?lang=en",
      headers: { cookie, "content-type": "application/x-www-form-urlencoded" },
      payload: new URLSearchParams({
        _csrf: token as string,
        name: "X",
        department: "NOPE",
        services: "",
      }).toString(),
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain("could not be registered");
    const created = await portal.app.inject({
      method: "POST",
      url: "/admin/integration/clients?lang=en",
      headers: { cookie, "content-type": "application/x-www-form-urlencoded" },
      payload: new URLSearchParams({
        _csrf: token as string,
        name: "Transport back office",
        department: svc?.department as string,
        services: svc?.code as string,
        webhookUrl: "https://transport.example.in/sewa/webhooks",
      }).toString(),
    });
    expect(created.statusCode).toBe(200);
    const secret = created.body.match(/<code id="secret">([^<]+)<\/code>/)?.[1] as string;
    expect(secret).toMatch(/^sws_/);
    const [client] = await rows<{ id: number; client_id: string }>(
      db,
      sql`select id, client_id from api_clients where name = 'Transport back office'`,
    );
    expect(created.body).toContain("Never");
    // The client uses the API: its last use shows.
    const tokenRes = await portal.app.inject({
      method: "POST",
      url: "/api/v1/oauth/token",
      payload: {
        grant_type: "client_credentials",
        client_id: client?.client_id,
        client_secret: secret,
      },
    });
    expect(tokenRes.statusCode).toBe(200);
    const after = await portal.app.inject({
      url: "/admin/integration?lang=en",
      headers: { cookie: admin },
    });
    expect(after.body).not.toContain(">Never<");
    const rotated = await portal.app.inject({
      method: "POST",
      url: `/admin/integration/clients/${client?.id}/rotate?lang=en`,
      headers: { cookie, "content-type": "application/x-www-form-urlencoded" },
      payload: new URLSearchParams({ _csrf: token as string }).toString(),
    });
    expect(rotated.statusCode).toBe(200);
    expect(rotated.body.match(/<code id="secret">([^<]+)<\/code>/)?.[1]).not.toBe(secret);
    const disabled = await portal.app.inject({
      method: "POST",
      url: `/admin/integration/clients/${client?.id}/status`,
      headers: { cookie, "content-type": "application/x-www-form-urlencoded" },
      payload: new URLSearchParams({ _csrf: token as string, status: "disabled" }).toString(),
    });
    expect(disabled.statusCode).toBe(303);
    const listed = await portal.app.inject({
      url: "/admin/integration?lang=en",
      headers: { cookie: admin },
    });
    expect(listed.body).toMatch(/>\s*Enable\s*</);
    const refused = await portal.app.inject({
      method: "POST",
      url: "/api/v1/oauth/token",
      payload: {
        grant_type: "client_credentials",
        client_id: client?.client_id,
        client_secret: secret,
      },
    });
    expect(refused.statusCode).toBe(401);
    const deliveries = await portal.app.inject({
      url: "/admin/integration/deliveries?lang=en",
      headers: { cookie: admin },
    });
    expect(deliveries.statusCode).toBe(200);
    expect(deliveries.body).toContain("Webhook deliveries");
    for (const lang of ["pa", "hi"]) {
      const localised = await portal.app.inject({
        url: `/admin/integration?lang=${lang}`,
        headers: { cookie: admin },
      });
      expect(localised.statusCode).toBe(200);
    }
    const audit = await rows<{ action: string }>(
      db,
      sql`select action from audit_log where stream = ${`api_client:${client?.id}`} order by seq`,
    );
    expect(audit.map((a) => a.action)).toEqual([
      "api_client.created",
      "api_client.token_issued",
      "api_client.secret_rotated",
      "api_client.disabled",
    ]);
  });
});
