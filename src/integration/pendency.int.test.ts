import { sql } from "drizzle-orm";
import { createLocalJWKSet, flattenedVerify } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as apps from "../applications/service.ts";
import { rows } from "../db/client.ts";
import { testDatabases } from "../db/testing.ts";
import { actorFor } from "../identity/service.ts";
import { startTestPortal, type TestPortal } from "../web/testing.ts";
import { parseFeedKeys } from "./pendency.ts";

const COMMISSION = "commission-feed-key-0123456789";
const ADC_PATIALA = "adc-patiala-feed-key-0123456789";

describe.each(testDatabases())("pendency feed on $name", (which) => {
  let portal: TestPortal;
  let serviceId: number;
  let days: number;
  const tehsils: Record<number, number> = {};

  async function file(district: number): Promise<string> {
    const r = await apps.submitApplication(portal.database.db, {
      application: {
        serviceId,
        applicant: {
          name: "Gurpreet Kaur",
          relativeName: "Harjit Singh",
          gender: "female",
          dateOfBirth: "1990-04-01",
          mobile: "9876543210",
        },
        address: {
          line1: "House 12",
          districtCode: district,
          tehsilCode: tehsils[district] as number,
          pincode: "141002",
        },
        purpose: "Feed test",
        declaration: true,
      } as never,
      documentIds: [],
      channel: "api",
      now: portal.clock.now(),
    });
    return r.reference;
  }
  const feed = (query: string, key = COMMISSION) =>
    portal.app.inject({
      url: `/api/v1/feeds/pendency?${query}`,
      headers: { authorization: `Bearer ${key}` },
    });

  beforeAll(async () => {
    process.env.SEWA_FEED_KEYS = `commission:${COMMISSION},adc-41:${ADC_PATIALA}@41`;
    portal = await startTestPortal(which, "2025-10-06T10:00:00+05:30");
    const db = portal.database.db;
    const [s] = await rows<{ id: number; days: number }>(
      db,
      sql`select id, time_limit_days as days from services where time_limit_days between 2 and 5
          and time_limit_basis = 'working' order by id limit 1`,
    );
    serviceId = s?.id as number;
    days = s?.days as number;
    for (const d of [36, 41]) {
      const [t] = await rows<{ code: number }>(
        db,
        sql`select code from tehsils where district_code = ${d} order by code limit 1`,
      );
      tehsils[d] = t?.code as number;
    }
  });
  afterAll(async () => {
    delete process.env.SEWA_FEED_KEYS;
    await portal?.close();
  });

  it("parses feed keys", () => {
    expect(parseFeedKeys("a:0123456789abcdef@36, b:0123456789abcdefg")).toEqual([
      { name: "a", key: "0123456789abcdef", districtCode: 36 },
      { name: "b", key: "0123456789abcdefg", districtCode: null },
    ]);
    expect(() => parseFeedKeys("nokey")).toThrow();
  });

  it("counts per district, department and service as at each day, signed", async () => {
    const db = portal.database.db;
    const officer = await actorFor(db, "do.ludhiana", "2025-10-06");
    const a1 = await file(36);
    const a2 = await file(36);
    await file(36);
    await file(41);
    portal.clock.set("2025-10-07T11:00:00+05:30");
    const row1 = await apps.findApplicationByReference(db, a1);
    await apps.decide(
      db,
      officer,
      a1,
      { action: "approve", remark: "ok", version: row1?.version as number },
      portal.clock.now(),
    );
    const row2 = await apps.findApplicationByReference(db, a2);
    await apps.decide(
      db,
      officer,
      a2,
      { action: "send_back", remark: "fix", version: row2?.version as number },
      portal.clock.now(),
    );
    portal.clock.set("2025-11-20T11:00:00+05:30");

    const day1 = await feed("date=2025-10-06");
    expect(day1.statusCode).toBe(200);
    const ludhiana1 = day1.json().rows.find((r: { districtCode: number }) => r.districtCode === 36);
    expect(ludhiana1).toMatchObject({
      received: 3,
      receivedOnDate: 3,
      disposedWithin: 0,
      sentBack: 0,
      pendingWithin: 3,
      pendingBeyond: 0,
      pendencyPercent: 0,
    });
    const day2 = (await feed("date=2025-10-07")).json();
    expect(day2.rows.find((r: { districtCode: number }) => r.districtCode === 36)).toMatchObject({
      received: 3,
      receivedOnDate: 0,
      disposedWithin: 1,
      sentBack: 1,
      pendingWithin: 1,
    });
    // Weeks later the third is past its due date.
    const late = (await feed("date=2025-11-19")).json();
    expect(late.rows.find((r: { districtCode: number }) => r.districtCode === 36)).toMatchObject({
      pendingWithin: 0,
      pendingBeyond: 1,
      pendencyPercent: 33.33,
    });
    expect(days).toBeGreaterThan(0);

    // The detached JWS verifies with the published keys, over the exact body.
    const jwks = (await portal.app.inject({ url: "/.well-known/sewa-keys.json" })).json();
    const raw = await feed("date=2025-10-07");
    const [h, empty, sig] = (raw.headers["x-jws-signature"] as string).split(".");
    expect(empty).toBe("");
    const verified = await flattenedVerify(
      {
        protected: h as string,
        payload: raw.rawPayload.toString("base64url"),
        signature: sig as string,
      },
      createLocalJWKSet(jwks),
    );
    expect(verified.protectedHeader).toMatchObject({ alg: "EdDSA", date: "2025-10-07" });
    await expect(
      flattenedVerify(
        {
          protected: h as string,
          payload: Buffer.from(raw.body.replace('"received":3', '"received":4')).toString(
            "base64url",
          ),
          signature: sig as string,
        },
        createLocalJWKSet(jwks),
      ),
    ).rejects.toThrow();
  });

  it("serves CSV, limits a district key to its district, and refuses others", async () => {
    const csv = await feed("date=2025-10-07&format=csv");
    expect(csv.headers["content-type"]).toContain("text/csv");
    const lines = csv.body
      .replace(/^\uFEFF/, "")
      .trim()
      .split("\r\n");
    expect(lines[0]).toBe(
      "districtCode,district,departmentCode,department,serviceCode,service,received,receivedOnDate,disposedWithin,disposedLate,rejected,sentBack,pendingWithin,pendingBeyond,pendencyPercent",
    );
    expect(lines).toHaveLength(3);
    expect(csv.headers["x-jws-signature"]).toMatch(/^[\w-]+\.\.[\w-]+$/);
    const adc = (await feed("date=2025-10-07", ADC_PATIALA)).json();
    expect(adc.rows.map((r: { districtCode: number }) => r.districtCode)).toEqual([41]);
    expect((await feed("date=2025-10-07", "wrong-key-0123456789abcdef")).statusCode).toBe(401);
    expect(
      (await portal.app.inject({ url: "/api/v1/feeds/pendency?date=2025-10-07" })).statusCode,
    ).toBe(401);
    expect((await feed("date=2025-02-30")).statusCode).toBe(400);
    expect((await feed("date=2030-01-01")).statusCode).toBe(400);
  });
});
