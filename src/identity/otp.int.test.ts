import { Temporal } from "temporal-polyfill";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../db/client.ts";
import { testDatabases } from "../db/testing.ts";
import { issueOtp, verifyOtp } from "./otp.ts";

const KEY = "test-otp-key";
const MOBILE = "9876543210";

describe.each(testDatabases())("one-time codes by purpose on $name", (which) => {
  let database: Database;
  beforeAll(async () => {
    database = await which.open();
  });
  afterAll(async () => database?.close());

  it("binds a consent code to its draft: it neither signs in nor consents to another draft", async () => {
    const db = database.db;
    const now = Temporal.Instant.from("2026-11-30T05:00:00Z");
    const consent = { purpose: "consent", subject: "draft-a" } as const;
    const code = await issueOtp(db, KEY, MOBILE, now, consent);
    expect(await verifyOtp(db, KEY, MOBILE, code, now)).toBe(false);
    expect(
      await verifyOtp(db, KEY, MOBILE, code, now, { purpose: "consent", subject: "draft-b" }),
    ).toBe(false);
    expect(await verifyOtp(db, KEY, MOBILE, code, now, consent)).toBe(true);
    expect(await verifyOtp(db, KEY, MOBILE, code, now, consent)).toBe(false);
  });

  it("lets a handover code be sent while a sign-in code is within its resend wait", async () => {
    const db = database.db;
    const now = Temporal.Instant.from("2026-11-30T06:00:00Z");
    const signIn = await issueOtp(db, KEY, MOBILE, now);
    const handover = await issueOtp(db, KEY, MOBILE, now, {
      purpose: "handover",
      subject: "PB-TEST-1",
    });
    await expect(issueOtp(db, KEY, MOBILE, now)).rejects.toThrow(/Wait/);
    expect(await verifyOtp(db, KEY, MOBILE, signIn, now)).toBe(true);
    expect(
      await verifyOtp(db, KEY, MOBILE, handover, now, {
        purpose: "handover",
        subject: "PB-TEST-1",
      }),
    ).toBe(true);
  });
});
