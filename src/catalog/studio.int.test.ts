/**
 * The PMU studio over HTTP (issue 3): the onboarding board, upload with
 * precise lint findings, publish refused until clean, preview in Punjabi,
 * the diff between versions, retire; and only the PMU may use it.
 */
import { readFile } from "node:fs/promises";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rows } from "../db/client.ts";
import { testDatabases } from "../db/testing.ts";
import { findOfficialByUsername, startSession } from "../identity/service.ts";
import { startTestPortal, type TestPortal } from "../web/testing.ts";

describe.each(testDatabases())("PMU studio on $name", (which) => {
  let portal: TestPortal;
  let pmu = "";
  let officer = "";
  let csrf = { token: "", cookie: "" };
  beforeAll(async () => {
    portal = await startTestPortal(which);
    const { db } = portal.database;
    const session = async (username: string) => {
      const o = await findOfficialByUsername(db, username);
      return `sewa_staff=${await startSession(db, o?.id ?? null, new Date(), { mfa: true })}`;
    };
    pmu = await session("pmu");
    officer = await session("do.ludhiana");
    const page = await portal.app.inject({ url: "/studio/new", headers: { cookie: pmu } });
    csrf = {
      token: decodeURIComponent(/_csrf=([^"&]+)/.exec(page.body)?.[1] ?? ""),
      cookie: page.cookies.map((c) => `${c.name}=${c.value}`).join("; "),
    };
  });
  afterAll(async () => portal?.close());

  const cookie = () => [csrf.cookie, pmu].filter(Boolean).join("; ");
  const upload = (source: string) => {
    const boundary = "----studio-test";
    const payload = Buffer.concat([
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="source"\r\n\r\n${source}\r\n--${boundary}--\r\n`,
      ),
    ]);
    return portal.app.inject({
      method: "POST",
      url: `/studio/definitions?_csrf=${encodeURIComponent(csrf.token)}`,
      payload,
      headers: { cookie: cookie(), "content-type": `multipart/form-data; boundary=${boundary}` },
    });
  };
  const action = (code: string, name: string, version: number) =>
    portal.app.inject({
      method: "POST",
      url: `/studio/definitions/${code}/${name}`,
      payload: new URLSearchParams({ version: String(version), _csrf: csrf.token }).toString(),
      headers: { cookie: cookie(), "content-type": "application/x-www-form-urlencoded" },
    });

  it("is for the PMU only", async () => {
    expect(
      (await portal.app.inject({ url: "/studio", headers: { cookie: officer } })).statusCode,
    ).toBe(404);
    expect((await portal.app.inject({ url: "/studio" })).statusCode).toBe(303);
  });

  it("shows every notified service on the onboarding board with its stage", async () => {
    const board = await portal.app.inject({ url: "/studio", headers: { cookie: pmu } });
    expect(board.statusCode).toBe(200);
    expect(board.body).toContain("Published (live)");
    expect(board.body).toContain("Demarcation of land"); // a notified service, still on the generic form
    const offline = await portal.app.inject({
      url: "/studio?stage=offline",
      headers: { cookie: pmu },
    });
    expect(offline.body).toContain("Demarcation of land");
    expect(offline.body).not.toContain(">Income certificate<");
  });

  it("lints an upload precisely, refuses to publish until clean, previews, diffs and retires", async () => {
    const original = await readFile("data/services/personnel/residence-certificate.yaml", "utf8");
    // Break it: an action with no role (a lint error, with its line).
    const broken = original.replace(
      /(\n\s+- id: \w+\n(?:\s+\w+:.*\n|\s+ {2,}.*\n)*?\s+roles: )\[[^\]]*\]/,
      "$1[]",
    );
    expect(broken).not.toBe(original);
    const saved = await upload(broken);
    expect(saved.statusCode).toBe(303);
    const page = await portal.app.inject({
      url: saved.headers.location as string,
      headers: { cookie: pmu },
    });
    expect(page.body).toContain("workflow.action_no_role");
    expect(page.body).toContain("v2");
    expect(page.body).not.toContain("/residence-certificate/publish");
    const refused = await action("residence-certificate", "publish", 2);
    expect(refused.headers.location).toContain("refused=publish");

    // Not YAML at all: nothing is saved and the editor says why.
    const bad = await upload("code: [unclosed");
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain("govuk-error-summary");

    // Fixed: same draft version, now with a changed time limit; review and publish.
    const fixed = original.replace(/timeLimit:\n(\s+)days: (\d+)/, "timeLimit:\n$1days: 30");
    expect((await upload(fixed)).statusCode).toBe(303);
    expect((await action("residence-certificate", "review", 2)).headers.location).toContain(
      "done=review",
    );
    expect((await action("residence-certificate", "publish", 2)).headers.location).toContain(
      "done=publish",
    );
    const versions = await rows<{ version: number; status: string }>(
      portal.database.db,
      sql`select version, status from service_definitions where code = 'residence-certificate' order by version`,
    );
    expect(versions).toEqual([
      { version: 1, status: "superseded" },
      { version: 2, status: "published" },
    ]);

    const preview = await portal.app.inject({
      url: "/studio/definitions/residence-certificate/versions/2/preview?lang=pa",
      headers: { cookie: pmu },
    });
    expect(preview.statusCode).toBe(200);
    expect(preview.body).toContain('lang="pa"');
    expect(preview.body).toMatch(/[\u0A00-\u0A7F]{3,}/);

    const diff = await portal.app.inject({
      url: "/studio/definitions/residence-certificate/diff?from=1&to=2",
      headers: { cookie: pmu },
    });
    expect(diff.body).toContain("<ins>+   days: 30</ins>");
    expect(diff.body).toMatch(/<del>- {3}days: \d+<\/del>/);

    expect((await action("residence-certificate", "retire", 2)).headers.location).toContain(
      "done=retire",
    );
    const [service] = await rows<{ form: string }>(
      portal.database.db,
      sql`select form from services where code = 'residence-certificate'`,
    );
    expect(service?.form).toBe("generic");
    const [audit] = await rows<{ n: number }>(
      portal.database.db,
      sql`select count(*)::int as n from audit_log where stream = 'definition:residence-certificate'`,
    );
    expect(audit?.n).toBeGreaterThanOrEqual(5);
  });
});
