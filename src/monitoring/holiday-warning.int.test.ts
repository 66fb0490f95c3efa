/**
 * Issue 4: a year with no holiday list raises a visible warning on the
 * head-office dashboard (as on the admin page), since due dates that year
 * skip weekends only.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testDatabases } from "../db/testing.ts";
import { findOfficialByUsername, startSession } from "../identity/service.ts";
import { startTestPortal, type TestPortal } from "../web/testing.ts";

describe.each(testDatabases())("holiday list warning on $name", (which) => {
  let portal: TestPortal;
  beforeAll(async () => {
    portal = await startTestPortal(which, "2025-12-20T10:00:00+05:30");
  });
  afterAll(async () => portal?.close());

  it("tells head office that next year's holiday list is incomplete (3 rows of 2026 in data/), and says nothing of this year's", async () => {
    const { db } = portal.database;
    const ho = await findOfficialByUsername(db, "ho.punjab");
    const cookie = `sewa_staff=${await startSession(db, ho?.id ?? null, new Date(), { mfa: true })}`;
    const page = await portal.app.inject({ url: "/monitoring", headers: { cookie } });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain("2026");
    const warnings = [...page.body.matchAll(/govuk-warning-text__text">([\s\S]*?)<\/strong>/g)].map(
      (m) => m[1] ?? "",
    );
    expect(warnings.some((w) => w.includes("2026") && /holiday/i.test(w))).toBe(true);
    expect(warnings.some((w) => w.includes("2025") && /holiday/i.test(w))).toBe(false);
  });
});
