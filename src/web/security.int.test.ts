import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testDatabases } from "../db/testing.ts";
import { LOGIN_LIMIT } from "./limits.ts";
import { startTestPortal, type TestPortal } from "./testing.ts";

/** Cookie header and CSRF token from a page that has a form. */
async function formSession(portal: TestPortal, url: string) {
  const page = await portal.app.inject({ url });
  const token =
    /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1] ?? /_csrf=([^"&]+)/.exec(page.body)?.[1];
  const cookies = page.cookies.map((c) => `${c.name}=${c.value}`).join("; ");
  return { token: decodeURIComponent(token ?? ""), cookie: cookies };
}

describe.each(testDatabases())("security baseline on $name", (which) => {
  let portal: TestPortal;
  beforeAll(async () => {
    portal = await startTestPortal(which);
  });
  afterAll(async () => portal?.close());

  it("refuses a form post without a valid CSRF token (403) and accepts one with it", async () => {
    const form = "reference=LDH-2222-2222&mobile=9876543210";
    const headers = { "content-type": "application/x-www-form-urlencoded" };
    const bare = await portal.app.inject({ method: "POST", url: "/track", payload: form, headers });
    expect(bare.statusCode).toBe(403);
    expect(bare.headers["content-type"]).toContain("text/html");
    const { token, cookie } = await formSession(portal, "/track");
    expect(token).not.toBe("");
    const forged = await portal.app.inject({
      method: "POST",
      url: "/track",
      payload: `${form}&_csrf=forged`,
      headers: { ...headers, cookie },
    });
    expect(forged.statusCode).toBe(403);
    const ok = await portal.app.inject({
      method: "POST",
      url: "/track",
      payload: `${form}&_csrf=${encodeURIComponent(token)}`,
      headers: { ...headers, cookie },
    });
    expect(ok.statusCode).toBe(400); // the look-up itself fails: no such application
    expect(ok.body).toContain("No application matches");
  });

  it("limits sign-in attempts per client (429 after the limit)", async () => {
    const { token, cookie } = await formSession(portal, "/staff/login");
    const attempt = () =>
      portal.app.inject({
        method: "POST",
        url: "/staff/login",
        payload: `username=do.ludhiana&password=wrong-password-123&_csrf=${encodeURIComponent(token)}`,
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          cookie,
          "x-forwarded-for": "203.0.113.7",
        },
      });
    for (let i = 0; i < LOGIN_LIMIT.max; i++) expect((await attempt()).statusCode).toBe(400);
    const blocked = await attempt();
    expect(blocked.statusCode).toBe(429);
    expect(blocked.headers["retry-after"]).toBeDefined();
  });

  it("sends a strict content security policy and no inline script", async () => {
    const home = await portal.app.inject({ url: "/" });
    const csp = String(home.headers["content-security-policy"]);
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain("unsafe-inline");
    expect(home.headers["x-content-type-options"]).toBe("nosniff");
    expect(home.body).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
  });
});
