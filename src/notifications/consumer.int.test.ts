import http from "node:http";
import type { AddressInfo } from "node:net";
import { sql } from "drizzle-orm";
import { simpleParser } from "mailparser";
import { SMTPServer } from "smtp-server";
import { Temporal } from "temporal-polyfill";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import * as svc from "../applications/service.ts";
import { rows } from "../db/client.ts";
import { testDatabases } from "../db/testing.ts";
import { actorFor, findOfficialByUsername, startSession } from "../identity/service.ts";
import { QUEUES, startJobs } from "../jobs/queue.ts";
import { sweepBreaches } from "../sla/sweep.ts";
import { startTestPortal, type TestPortal } from "../web/testing.ts";
import {
  listMessages,
  MAX_ATTEMPTS,
  processOutbox,
  recordDeliveryReport,
  retryFailed,
} from "./consumer.ts";
import { smtpEmail } from "./email.ts";
import { capturingSms, httpSms, SendError, type Sms, type SmsSender } from "./sms.ts";

const T0 = Temporal.Instant.from("2025-10-17T10:00:00+05:30");

describe.each(testDatabases())("notifications on $name", (which) => {
  let portal: TestPortal;
  let serviceId: number;
  let tehsil: number;
  beforeAll(async () => {
    portal = await startTestPortal(which, "2025-10-17T10:00:00+05:30");
    serviceId = (
      await portal.app.inject({ url: "/api/v1/services?q=pages%20sought%20%3E15" })
    ).json().items[0].id; // 7 working days
    const [t] = await rows<{ code: number }>(
      portal.database.db,
      sql`select code from tehsils where district_code = 36 order by code limit 1`,
    );
    tehsil = t?.code as number;
  });
  afterAll(async () => portal?.close());
  // Each test sees only the events it causes.
  beforeEach(async () => {
    await portal.database.db.execute(
      sql`update outbox_events set processed_at = now() where processed_at is null`,
    );
  });

  const file = async (mobile: string, email?: string) =>
    svc.submitApplication(portal.database.db, {
      application: {
        serviceId,
        applicant: {
          name: "Test Applicant",
          relativeName: "Parent",
          gender: "male",
          dateOfBirth: "1980-01-01",
          mobile,
          ...(email ? { email } : {}),
        },
        address: { line1: "1 Mall Road", districtCode: 36, tehsilCode: tehsil, pincode: "141001" },
        purpose: "Test",
        declaration: true,
      },
      documentIds: [],
      channel: "online",
      now: T0,
    });

  const citizen = (mobile: string, lang: string) =>
    portal.database.db.execute(
      sql`insert into citizens (mobile, lang) values (${mobile}, ${lang}) on conflict (mobile) do update set lang = ${lang}`,
    );

  const approve = async (reference: string) => {
    const { db } = portal.database;
    const officer = await actorFor(db, "do.ludhiana", "2025-10-20");
    const row = await svc.findApplicationByReference(db, reference);
    await svc.decide(
      db,
      officer,
      reference,
      { action: "approve", remark: "Approved.", version: row?.version as number },
      Temporal.Instant.from("2025-10-20T10:00:00+05:30"),
    );
  };

  it("C-21: the same event processed twice, re-delivered, or by two concurrent consumers calls the SMS provider once", async () => {
    const { db } = portal.database;
    const sms = capturingSms();
    const a = await file("9876500101");
    expect(await processOutbox(db, { sms }, T0)).toEqual({ events: 1, sent: 1, failed: 0 });
    expect(await processOutbox(db, { sms }, T0)).toEqual({ events: 0, sent: 0, failed: 0 });
    // Redelivery: the event is handed to the consumer again (processed_at lost).
    await db.execute(
      sql`update outbox_events set processed_at = null where payload->>'reference' = ${a.reference}`,
    );
    expect(await processOutbox(db, { sms }, T0)).toEqual({ events: 1, sent: 0, failed: 0 });
    expect(sms.sent.filter((s) => s.to === "9876500101")).toHaveLength(1);

    // Two workers race over the same events, with small batches.
    const slow = capturingSms();
    const slowSender: SmsSender = {
      async send(m) {
        await new Promise((r) => setTimeout(r, 5));
        return slow.send(m);
      },
    };
    for (let i = 0; i < 6; i++) await file(`98765002${String(i).padStart(2, "0")}`);
    const results = await Promise.all([
      processOutbox(db, { sms: slowSender }, T0, 2),
      processOutbox(db, { sms: slowSender }, T0, 3),
    ]);
    expect(results.reduce((n, r) => n + r.sent, 0)).toBe(6);
    expect(slow.sent).toHaveLength(6);
    expect(new Set(slow.sent.map((s) => s.to)).size).toBe(6);
    // Once more, everything re-delivered: nothing is sent again.
    await db.execute(
      sql`update outbox_events set processed_at = null where topic = 'application.submitted'`,
    );
    await Promise.all([
      processOutbox(db, { sms: slowSender }, T0),
      processOutbox(db, { sms: slowSender }, T0),
    ]);
    expect(slow.sent).toHaveLength(6);
  });

  it("sends in the citizen's language, Punjabi by default, with the DLT template id and the billed size", async () => {
    const { db } = portal.database;
    const sms = capturingSms();
    await citizen("9876500301", "hi");
    await citizen("9876500302", "en");
    const hi = await file("9876500301");
    await file("9876500302");
    await file("9876500303"); // no citizen account
    await processOutbox(db, { sms }, T0);
    const to = (m: string) => sms.sent.find((s) => s.to === m) as Sms;
    expect(to("9876500301").text).toBe(
      `सेवा पंजाब: आवेदन ${hi.reference} प्राप्त हुआ। सेवा 30-10-2025 तक। पोर्टल पर देखें।`,
    );
    expect(to("9876500301").templateId).toBe("SEWA-DLT-SUBMITTED-HI");
    expect(to("9876500302").text).toMatch(
      /^Sewa Punjab: application .* received\. Service due by 30-10-2025\./,
    );
    expect(to("9876500303").templateId).toBe("SEWA-DLT-SUBMITTED-PA");
    expect(to("9876500303").text).toContain("ਪ੍ਰਾਪਤ ਹੋਈ");
    const logged = (await listMessages(db)).filter((m) => m.recipient === "9876500302");
    expect(logged[0]).toMatchObject({
      status: "sent",
      channel: "sms",
      encoding: "GSM-7",
      parts: 1,
      lang: "en",
    });
    const pa = (await listMessages(db)).find((m) => m.recipient === "9876500303");
    expect(pa).toMatchObject({ encoding: "UCS-2", parts: 2 });
  });

  it("emails the submitted and approved messages in the applicant's language through a real SMTP server", async () => {
    const received: { to: string; subject: string; text: string; lang?: string }[] = [];
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ["STARTTLS"],
      onData(stream, session, callback) {
        simpleParser(stream)
          .then((mail) => {
            received.push({
              to: session.envelope.rcptTo.map((r) => r.address).join(","),
              subject: mail.subject ?? "",
              text: mail.text ?? "",
              lang: mail.headers.get("content-language") as string | undefined,
            });
            callback();
          })
          .catch(callback);
      },
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = (server.server.address() as AddressInfo).port;
    const email = smtpEmail(`smtp://127.0.0.1:${port}`, "Sewa Punjab <noreply@sewa.test>");
    try {
      const { db } = portal.database;
      await citizen("9876500401", "hi");
      const a = await file("9876500401", "asha@example.in");
      const b = await file("9876500402", "balwant@example.in"); // Punjabi by default
      await processOutbox(db, { sms: capturingSms(), email }, T0);
      await approve(a.reference);
      await processOutbox(db, { sms: capturingSms(), email }, T0);
      const toA = received.filter((m) => m.to === "asha@example.in");
      expect(toA.map((m) => m.subject)).toEqual([
        `आवेदन ${a.reference} प्राप्त हुआ`,
        `आवेदन ${a.reference} स्वीकृत हुआ`,
      ]);
      expect(toA[0]?.text).toContain("सेवा 30-10-2025 तक दी जानी है।");
      expect(toA[0]?.lang).toBe("hi");
      const toB = received.filter((m) => m.to === "balwant@example.in");
      expect(toB.map((m) => m.subject)).toEqual([`ਅਰਜ਼ੀ ${b.reference} ਪ੍ਰਾਪਤ ਹੋਈ`]);
      expect(
        (await listMessages(db)).filter((m) => m.channel === "email" && m.status === "sent"),
      ).toHaveLength(3);
    } finally {
      email.close();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  it("sends through the HTTP gateway with the DLT template id, retries a 500 after back-off, records the delivery report", async () => {
    const { db } = portal.database;
    const requests: { auth?: string; body: Record<string, unknown> }[] = [];
    let status = 500;
    const server = http.createServer((req, res) => {
      let body = "";
      req.on("data", (c) => {
        body += c;
      });
      req.on("end", () => {
        requests.push({ auth: req.headers.authorization, body: JSON.parse(body) });
        res.writeHead(status, { "content-type": "application/json" });
        res.end(status === 200 ? JSON.stringify({ id: "gw-1" }) : "{}");
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/send`;
    try {
      const sms = httpSms({ url, apiKey: "k-123", senderId: "PBSEWA" });
      const a = await file("9876500501");
      expect(await processOutbox(db, { sms }, T0)).toEqual({ events: 1, sent: 0, failed: 1 });
      const [failed] = (await listMessages(db)).filter((m) => m.recipient === "9876500501");
      expect(failed).toMatchObject({
        status: "failed",
        attempts: 1,
        last_error: "SMS gateway HTTP 500",
      });
      // Not due yet 30 s later; due after 60 s (first back-off).
      status = 200;
      expect(await retryFailed(db, { sms }, T0.add({ seconds: 30 }))).toEqual({
        sent: 0,
        failed: 0,
      });
      expect(await retryFailed(db, { sms }, T0.add({ seconds: 60 }))).toEqual({
        sent: 1,
        failed: 0,
      });
      expect(requests).toHaveLength(2);
      expect(requests[1]).toEqual({
        auth: "Bearer k-123",
        body: {
          sender: "PBSEWA",
          to: "919876500501",
          text: expect.stringContaining(a.reference),
          dltTemplateId: "SEWA-DLT-SUBMITTED-PA",
        },
      });
      expect(
        await recordDeliveryReport(db, { providerMessageId: "gw-1", status: "delivered" }, T0),
      ).toBe(true);
      const [done] = (await listMessages(db)).filter((m) => m.recipient === "9876500501");
      expect(done).toMatchObject({ status: "delivered", attempts: 2 });

      // A 400 is a permanent refusal: failed at once, no retry.
      status = 400;
      await file("9876500502");
      await processOutbox(db, { sms }, T0);
      const [refused] = (await listMessages(db)).filter((m) => m.recipient === "9876500502");
      expect(refused).toMatchObject({ status: "failed", attempts: 1, next_attempt_at: null });
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  it("backs off 1, 2, 4, 8 minutes and fails permanently after the last attempt, listed first for admins", async () => {
    const { db } = portal.database;
    let calls = 0;
    const down: SmsSender = {
      async send() {
        calls++;
        throw new SendError("gateway timeout", false);
      },
    };
    await file("9876500601");
    await processOutbox(db, { sms: down }, T0);
    let at = T0;
    for (const minutes of [1, 2, 4, 8]) {
      expect(await retryFailed(db, { sms: down }, at.add({ seconds: minutes * 60 - 1 }))).toEqual({
        sent: 0,
        failed: 0,
      });
      at = at.add({ minutes });
      expect(await retryFailed(db, { sms: down }, at)).toEqual({ sent: 0, failed: 1 });
    }
    expect(calls).toBe(MAX_ATTEMPTS);
    const [first] = await listMessages(db);
    expect(first).toMatchObject({
      recipient: "9876500601",
      status: "failed",
      attempts: 5,
      next_attempt_at: null,
    });
    expect(await retryFailed(db, { sms: down }, at.add({ hours: 24 }))).toEqual({
      sent: 0,
      failed: 0,
    });
  });

  it("writes breach notifications for officers to the log (officials have no contact details yet)", async () => {
    const { db } = portal.database;
    await file("9876500701");
    await db.execute(sql`update outbox_events set processed_at = now() where processed_at is null`);
    await sweepBreaches(db, Temporal.Instant.from("2025-10-31T00:00:00+05:30"));
    const lines: string[] = [];
    const sms = capturingSms();
    await processOutbox(db, { sms, console: (l) => lines.push(l) }, T0);
    expect(sms.sent).toHaveLength(0);
    expect(
      lines.some((l) =>
        l.startsWith("[notify designated_officer+first_appellate_authority@district:36]"),
      ),
    ).toBe(true);
    expect(lines.some((l) => l.includes("passed its due date 30-10-2025"))).toBe(true);
  });

  it("runs as the pg-boss notify job on this database", async () => {
    const sms = capturingSms();
    await file("9876500801");
    const jobs = await startJobs(
      portal.database,
      { now: () => T0 },
      { schedule: false, notify: { sms } },
    );
    try {
      await jobs.boss.send(QUEUES.notify, {});
      for (let i = 0; i < 100 && sms.sent.length === 0; i++)
        await new Promise((r) => setTimeout(r, 200));
      expect(sms.sent.map((s) => s.to)).toEqual(["9876500801"]);
    } finally {
      await jobs.stop();
    }
  });

  it("shows admins the delivery log, permanent failures first, with encoding and billed parts; takes delivery reports", async () => {
    const { db } = portal.database;
    const sms = capturingSms();
    await file("9876500901");
    await processOutbox(db, { sms }, T0);
    const cookieOf = async (username: string) => {
      const official = await findOfficialByUsername(db, username);
      return `sewa_staff=${await startSession(db, official?.id as number, new Date(), { mfa: true })}`;
    };
    const anonymous = await portal.app.inject({ url: "/admin/messages" });
    expect(anonymous.statusCode).toBe(303);
    expect(anonymous.headers.location).toBe("/staff/login?next=%2Fadmin%2Fmessages");
    const officer = await portal.app.inject({
      url: "/admin/messages",
      headers: { cookie: await cookieOf("do.ludhiana") },
    });
    expect(officer.statusCode).toBe(404);
    const res = await portal.app.inject({
      url: "/admin/messages?lang=en",
      headers: { cookie: await cookieOf("ho.punjab") },
    });
    expect(res.statusCode).toBe(200);
    const body = res.body;
    expect(body).toContain("Messages sent");
    expect(body).not.toContain("9876500901"); // recipients are masked
    const permanent = body.indexOf("XXXXXX0601");
    const sent = body.indexOf("XXXXXX0901");
    expect(permanent).toBeGreaterThan(0);
    expect(sent).toBeGreaterThan(permanent);
    expect(body).toContain("Failed permanently: no more retries");
    expect(body).toContain("UCS-2");

    // Delivery reports: only with the gateway key.
    const [row] = (await listMessages(db)).filter((m) => m.recipient === "9876500901");
    await db.execute(sql`update messages set provider_message_id = 'gw-901' where id = ${row?.id}`);
    const report = (auth?: string, id = "gw-901") =>
      portal.app.inject({
        method: "POST",
        url: "/api/v1/notifications/delivery-reports",
        payload: { id, status: "delivered" },
        headers: auth ? { authorization: auth } : {},
      });
    expect((await report("Bearer k-1")).statusCode).toBe(404); // no gateway configured
    portal.app.deps.config.sms.apiKey = "k-1";
    try {
      expect((await report("Bearer wrong")).statusCode).toBe(401);
      expect((await report("Bearer k-1", "gw-unknown")).statusCode).toBe(404);
      expect((await report("Bearer k-1")).statusCode).toBe(204);
      const [after] = (await listMessages(db)).filter((m) => m.recipient === "9876500901");
      expect(after?.status).toBe("delivered");
    } finally {
      portal.app.deps.config.sms.apiKey = undefined;
    }
  });
});
