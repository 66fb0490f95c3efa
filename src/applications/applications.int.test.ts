import { createHash } from "node:crypto";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyAudit } from "../audit/service.ts";
import { rows } from "../db/client.ts";
import { testDatabases } from "../db/testing.ts";
import { actorFor } from "../identity/service.ts";
import { startTestPortal, type TestPortal } from "../web/testing.ts";
import * as svc from "./service.ts";

const MiB2 = 2 * 1024 * 1024;

/** A minimal valid PDF padded to exactly `size` bytes. */
function pdfOfSize(size: number): Buffer {
  const head = Buffer.from("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n");
  return Buffer.concat([head, Buffer.alloc(Math.max(0, size - head.length), 0x20)]);
}

function multipartBody(
  parts: Array<{ name: string; value?: string; filename?: string; type?: string; bytes?: Buffer }>,
) {
  const boundary = "----sewa-test-boundary";
  const chunks: Buffer[] = [];
  for (const p of parts) {
    const disposition = p.filename
      ? `form-data; name="${p.name}"; filename="${p.filename}"`
      : `form-data; name="${p.name}"`;
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: ${disposition}\r\n`, "utf8"));
    if (p.filename)
      chunks.push(Buffer.from(`Content-Type: ${p.type ?? "application/octet-stream"}\r\n`));
    chunks.push(Buffer.from("\r\n"));
    chunks.push(p.bytes ?? Buffer.from(p.value ?? "", "utf8"));
    chunks.push(Buffer.from("\r\n"));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return {
    payload: Buffer.concat(chunks),
    headers: { "content-type": `multipart/form-data; boundary=${boundary}` },
  };
}

describe.each(testDatabases())("applications on $name", (which) => {
  let portal: TestPortal;
  let serviceId: number; // 351-list serial 4: 7 working days
  const application = (overrides: Record<string, unknown> = {}) => ({
    serviceId,
    applicant: {
      name: "ਗੁਰਪ੍ਰੀਤ ਕੌਰ",
      relativeName: "Harjit Singh",
      gender: "female",
      dateOfBirth: "1990-04-01",
      mobile: "9876543210",
    },
    address: {
      line1: "House 12, Model Town",
      districtCode: 36,
      tehsilCode: tehsilOfLudhiana,
      pincode: "141002",
    },
    purpose: "Copy of land records for a bank loan",
    declaration: true,
    ...overrides,
  });
  let tehsilOfLudhiana: number;

  beforeAll(async () => {
    portal = await startTestPortal(which);
    const list = await portal.app.inject({ url: "/api/v1/services?q=pages%20sought%20%3E15" });
    serviceId = list.json().items[0].id;
    const [t] = await rows<{ code: number }>(
      portal.database.db,
      sql`select code from tehsils where district_code = 36 order by code limit 1`,
    );
    tehsilOfLudhiana = t?.code as number;
  });
  afterAll(async () => portal?.close());

  it("lists and finds services (GET /api/v1/services)", async () => {
    const res = await portal.app.inject({ url: "/api/v1/services?q=demarcation" });
    expect(res.statusCode).toBe(200);
    const names = res.json().items.map((s: { name: string }) => s.name);
    expect(names).toEqual(["Demarcation of land", "Demarcation of land"]);
    const byDept = await portal.app.inject({ url: "/api/v1/services?department=health" });
    // The schedule's 4 Health rows, plus the birth certificate correction published from data/services.
    expect(byDept.json().count).toBe(5);
    const one = await portal.app.inject({ url: `/api/v1/services/${serviceId}` });
    expect(one.json()).toMatchObject({
      timeLimit: { days: 7, basis: "working" },
      department: { name: "Revenue" },
    });
    const missing = await portal.app.inject({ url: "/api/v1/services/999999" });
    expect(missing.statusCode).toBe(404);
    expect(missing.headers["content-type"]).toContain("application/problem+json");
    expect(missing.json()).toMatchObject({
      status: 404,
      type: "https://sewa.punjab.gov.in/problems/not_found",
    });
  });

  it("files an application and computes the due date on the real 2025 calendar", async () => {
    // Received Fri 2025-10-17 10:00 IST, 7 working days. Mon 20 (Diwali) and Wed 22
    // (Vishwakarma Day) are gazetted holidays: Tue 21, Thu 23, Fri 24, Mon 27, Tue 28, Wed 29, Thu 30.
    const res = await portal.app.inject({
      method: "POST",
      url: "/api/v1/applications",
      payload: application(),
    });
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body).toEqual({
      reference: expect.stringMatching(/^LDH-[2-9A-HJ-NP-TV-Z]{4}-[2-9A-HJ-NP-TV-Z]{4}$/),
      dueDate: "2025-10-30",
      status: "submitted",
    });
    const track = await portal.app.inject({
      url: `/api/v1/applications/${body.reference}?mobile=9876543210`,
    });
    expect(track.statusCode).toBe(200);
    expect(track.json()).toMatchObject({
      reference: body.reference,
      status: "submitted",
      dueDate: "2025-10-30",
      service: { id: serviceId },
      timeline: [{ action: "submitted", status: "submitted", at: "2025-10-17T04:30:00.000Z" }],
    });
    expect(JSON.stringify(track.json())).not.toContain("ਗੁਰਪ੍ਰੀਤ");
  });

  it("C-14: tracking accepts Gurmukhi and Devanagari digits and a lower-case reference", async () => {
    const res = await portal.app.inject({
      method: "POST",
      url: "/api/v1/applications",
      payload: application({ applicant: { ...application().applicant, mobile: "੯੮੭੬੫੪੩੨੧੦" } }),
    });
    expect(res.statusCode).toBe(201);
    const ref: string = res.json().reference;
    const track = await portal.app.inject({
      url: `/api/v1/applications/${encodeURIComponent(ref.toLowerCase())}?mobile=${encodeURIComponent("९८७६५४३२१०")}`,
    });
    expect(track.statusCode).toBe(200);
    const wrong = await portal.app.inject({ url: `/api/v1/applications/${ref}?mobile=9876543211` });
    expect(wrong.statusCode).toBe(404);
  });

  it("C-07: a date of birth is stored and returned as the same plain date", async () => {
    const res = await portal.app.inject({
      method: "POST",
      url: "/api/v1/applications",
      payload: application({
        applicant: { ...application().applicant, dateOfBirth: "2001-04-01" },
      }),
    });
    const [row] = await rows<{ dob: string }>(
      portal.database.db,
      sql`select form_data->'applicant'->>'dateOfBirth' as dob from applications where reference = ${res.json().reference}`,
    );
    expect(row?.dob).toBe("2001-04-01");
  });

  it("honours Idempotency-Key: a replay returns the first result, another body is refused", async () => {
    const headers = { "idempotency-key": "test-key-1" };
    const first = await portal.app.inject({
      method: "POST",
      url: "/api/v1/applications",
      payload: application(),
      headers,
    });
    const again = await portal.app.inject({
      method: "POST",
      url: "/api/v1/applications",
      payload: application(),
      headers,
    });
    expect(again.statusCode).toBe(201);
    expect(again.json()).toEqual(first.json());
    expect(again.headers["idempotent-replayed"]).toBe("true");
    const other = await portal.app.inject({
      method: "POST",
      url: "/api/v1/applications",
      payload: application({ purpose: "Something else" }),
      headers,
    });
    expect(other.statusCode).toBe(422);
    const [count] = await rows<{ n: number }>(
      portal.database.db,
      sql`select count(*)::int as n from applications where idempotency_key = 'test-key-1'`,
    );
    expect(count?.n).toBe(1);
  });

  it("an application made at a Sewa Kendra gets 2 extra working days", async () => {
    // 7 + 2 = 9 working days from Fri 17 Oct 2025: 21, 23, 24, 27, 28, 29, 30, 31 Oct and 3 Nov.
    portal.clock.set("2025-10-17T10:00:00+05:30");
    const res = await svc.submitApplication(portal.database.db, {
      application: application() as unknown as svc.StoredApplication,
      documentIds: [],
      channel: "kendra",
      idempotencyKey: "kendra-test",
      now: portal.clock.now(),
    });
    expect(res.dueDate).toBe("2025-11-03");
  });

  it("the generic form suggests a Gurmukhi spelling of the name without JavaScript and checks it (issue 7)", async () => {
    const page = await portal.app.inject({ url: `/services/${serviceId}/apply` });
    expect(page.body).toContain('id="nameGurmukhi"');
    const action = (/<form method="post" action="([^"]+)"/.exec(page.body)?.[1] ?? "").replaceAll(
      "&amp;",
      "&",
    );
    const cookie = page.cookies.map((c) => `${c.name}=${c.value}`).join("; ");
    const send = (fields: Record<string, string>) => {
      const { payload, headers } = multipartBody(
        Object.entries(fields).map(([name, value]) => ({ name, value })),
      );
      return portal.app.inject({
        method: "POST",
        url: action,
        payload,
        headers: { ...headers, cookie },
      });
    };
    const suggested = await send({
      privacyConsent: "yes",
      name: "Gurpreet Singh",
      nameGurmukhi: "",
      suggestGurmukhi: "yes",
    });
    expect(suggested.statusCode).toBe(200);
    expect(suggested.body).not.toContain("govuk-error-summary");
    expect(suggested.body).toContain('value="ਗੁਰਪ੍ਰੀਤ ਸਿੰਘ"');
    expect(suggested.body).toContain('value="Gurpreet Singh"');
    const wrong = await send({
      privacyConsent: "yes",
      name: "Gurpreet Singh",
      nameGurmukhi: "गुरप्रीत",
    });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.body).toContain('href="#nameGurmukhi"');
    expect(wrong.body).toContain("Enter the name in Gurmukhi letters only");
  });

  it("C-09: two identical submits of the same draft give one application and one reference", async () => {
    const draft = await svc.createDraft(portal.database.db, serviceId, {}, portal.clock.now());
    const value = application() as unknown as svc.StoredApplication;
    const submit = () =>
      svc.submitApplication(portal.database.db, {
        application: value,
        documentIds: [],
        channel: "online",
        draftId: draft.id,
        now: portal.clock.now(),
      });
    const [a, b] = await Promise.all([submit(), submit()]);
    expect(a.reference).toBe(b.reference);
    expect([a.created, b.created].sort()).toEqual([false, true]);
    const third = await submit();
    expect(third.reference).toBe(a.reference);
    const [count] = await rows<{ n: number }>(
      portal.database.db,
      sql`select count(*)::int as n from applications where draft_id = ${draft.id}`,
    );
    expect(count?.n).toBe(1);
    const [events] = await rows<{ n: number }>(
      portal.database.db,
      sql`select count(*)::int as n from application_events e join applications a on a.id = e.application_id where a.draft_id = ${draft.id}`,
    );
    expect(events?.n).toBe(1);
  });

  describe("attachments through multipart on the same path", () => {
    const post = (files: Array<{ filename: string; type?: string; bytes: Buffer }>) => {
      const { payload, headers } = multipartBody([
        { name: "application", value: JSON.stringify(application()) },
        ...files.map((f) => ({ name: "documents", ...f })),
      ]);
      return portal.app.inject({ method: "POST", url: "/api/v1/applications", payload, headers });
    };

    it("C-10, C-11, C-12: the limit is inclusive, names are kept, bytes are stored exactly", async () => {
      const exact = pdfOfSize(MiB2);
      const below = pdfOfSize(MiB2 - 1);
      const res = await post([
        { filename: "ਆਧਾਰ_ਕਾਰਡ.pdf", type: "application/pdf", bytes: exact },
        { filename: "आधार.pdf", type: "application/pdf", bytes: below },
      ]);
      expect(res.statusCode).toBe(201);
      const docs = await rows<{ filename: string; size: number; sha256: string }>(
        portal.database.db,
        sql`select d.filename, d.size, d.sha256 from documents d join applications a on a.id = d.application_id where a.reference = ${res.json().reference} order by d.size desc`,
      );
      expect(docs.map((d) => [d.filename, d.size])).toEqual([
        ["ਆਧਾਰ_ਕਾਰਡ.pdf", MiB2],
        ["आधार.pdf", MiB2 - 1],
      ]);
      expect(docs[0]?.sha256).toBe(createHash("sha256").update(exact).digest("hex"));
    });

    it("C-10, C-11: one byte over the limit is refused with 413 and nothing is stored", async () => {
      const before = await rows<{ n: number }>(
        portal.database.db,
        sql`select count(*)::int as n from applications`,
      );
      const res = await post([
        { filename: "big.pdf", type: "application/pdf", bytes: pdfOfSize(MiB2 + 1) },
      ]);
      expect(res.statusCode).toBe(413);
      expect(res.headers["content-type"]).toContain("application/problem+json");
      const after = await rows<{ n: number }>(
        portal.database.db,
        sql`select count(*)::int as n from applications`,
      );
      expect(after[0]?.n).toBe(before[0]?.n);
    });

    it("C-13: a file named .pdf whose bytes are HTML is refused", async () => {
      const res = await post([
        {
          filename: "affidavit.pdf",
          type: "application/pdf",
          bytes: Buffer.from("<html><script>alert(1)</script></html>"),
        },
      ]);
      expect(res.statusCode).toBe(400);
      expect(res.json().errors[0]).toMatchObject({
        field: "documents[0]",
        code: expect.stringMatching(/^file\./),
      });
    });
  });

  describe("bad input never gives a 500", () => {
    const cases: Array<
      [
        string,
        {
          method: "GET" | "POST";
          url: string;
          payload?: string | Buffer | object;
          headers?: Record<string, string>;
        },
        number,
      ]
    > = [
      [
        "malformed JSON",
        {
          method: "POST",
          url: "/api/v1/applications",
          payload: '{"serviceId": 1,',
          headers: { "content-type": "application/json" },
        },
        400,
      ],
      [
        "empty JSON body",
        {
          method: "POST",
          url: "/api/v1/applications",
          payload: "",
          headers: { "content-type": "application/json" },
        },
        400,
      ],
      [
        "JSON null",
        {
          method: "POST",
          url: "/api/v1/applications",
          payload: "null",
          headers: { "content-type": "application/json" },
        },
        400,
      ],
      [
        "JSON array",
        {
          method: "POST",
          url: "/api/v1/applications",
          payload: "[]",
          headers: { "content-type": "application/json" },
        },
        400,
      ],
      [
        "wrong types",
        {
          method: "POST",
          url: "/api/v1/applications",
          payload: { serviceId: "one", applicant: 5, address: [], purpose: 7, declaration: "yes" },
        },
        400,
      ],
      [
        "unknown fields",
        { method: "POST", url: "/api/v1/applications", payload: { extra: 1 } },
        400,
      ],
      [
        "oversize body",
        {
          method: "POST",
          url: "/api/v1/applications",
          payload: `{"purpose":"${"x".repeat(1_100_000)}"}`,
          headers: { "content-type": "application/json" },
        },
        413,
      ],
      [
        "unsupported media type",
        {
          method: "POST",
          url: "/api/v1/applications",
          payload: "<xml/>",
          headers: { "content-type": "application/xml" },
        },
        415,
      ],
      [
        "form-encoded body",
        {
          method: "POST",
          url: "/api/v1/applications",
          payload: "a=b",
          headers: { "content-type": "application/x-www-form-urlencoded" },
        },
        400,
      ],
      [
        "broken multipart",
        {
          method: "POST",
          url: "/api/v1/applications",
          payload: "--x\r\nnot multipart",
          headers: { "content-type": "multipart/form-data; boundary=x" },
        },
        400,
      ],
      [
        "bad Idempotency-Key",
        {
          method: "POST",
          url: "/api/v1/applications",
          payload: {},
          headers: { "idempotency-key": "" },
        },
        400,
      ],
      ["track without mobile", { method: "GET", url: "/api/v1/applications/LDH-2222-2222" }, 400],
      [
        "track with garbage",
        {
          method: "GET",
          url: `/api/v1/applications/${encodeURIComponent("'; drop table x;--")}?mobile=abc`,
        },
        400,
      ],
      [
        "track unknown",
        { method: "GET", url: "/api/v1/applications/LDH-2222-2222?mobile=9876543210" },
        404,
      ],
      ["service id not a number", { method: "GET", url: "/api/v1/services/abc" }, 400],
      ["service id huge", { method: "GET", url: "/api/v1/services/99999999999999999999" }, 400],
      ["services with unknown query", { method: "GET", url: "/api/v1/services?nope=1" }, 400],
      [
        "services with long query",
        { method: "GET", url: `/api/v1/services?q=${"a".repeat(500)}` },
        400,
      ],
      ["unknown API path", { method: "GET", url: "/api/v1/nothing" }, 404],
    ];
    it.each(cases)("%s", async (_name, req, status) => {
      const res = await portal.app.inject(req as never);
      expect(res.statusCode).toBe(status);
      expect(res.headers["content-type"]).toContain("application/problem+json");
      expect(res.json()).toMatchObject({
        status,
        type: expect.stringContaining("/problems/"),
        title: expect.any(String),
      });
    });

    it("pages answer bad posts with a 4xx page", async () => {
      for (const req of [
        {
          method: "POST" as const,
          url: "/track",
          payload: "reference=&mobile=",
          headers: { "content-type": "application/x-www-form-urlencoded" },
        },
        {
          method: "POST" as const,
          url: `/services/${serviceId}/apply`,
          payload: "name=x",
          headers: { "content-type": "application/x-www-form-urlencoded" },
        },
        { method: "GET" as const, url: "/drafts/not-a-uuid/check" },
        { method: "GET" as const, url: "/services/%E0%A8%85" },
        {
          method: "POST" as const,
          url: "/staff/login",
          payload: "{",
          headers: { "content-type": "application/json" },
        },
      ]) {
        const res = await portal.app.inject(req);
        expect(res.statusCode, req.url).toBeGreaterThanOrEqual(400);
        expect(res.statusCode, req.url).toBeLessThan(500);
        expect(res.headers["content-type"]).toContain("text/html");
      }
    });
  });

  it("an officer sends back, the applicant resubmits, the officer approves; the pause moves the due date", async () => {
    portal.clock.set("2025-10-17T10:00:00+05:30");
    const filed = await portal.app.inject({
      method: "POST",
      url: "/api/v1/applications",
      payload: application(),
    });
    const ref: string = filed.json().reference;
    const officer = await actorFor(portal.database.db, "do.ludhiana", "2025-10-17");
    const other = await actorFor(portal.database.db, "do.patiala", "2025-10-17");
    const { db } = portal.database;
    await expect(svc.openForOfficial(db, other, ref, portal.clock.now())).rejects.toMatchObject({
      kind: "not_found",
    });

    // Sent back Tue 2025-10-21 11:00 (day 1 counted: none yet, since 21 is not over) → paused.
    portal.clock.set("2025-10-21T11:00:00+05:30");
    let row = await svc.findApplicationByReference(db, ref);
    const sentBack = await svc.decide(
      db,
      officer,
      ref,
      {
        action: "send_back",
        remark: "Attach the jamabandi copy.",
        version: row?.version as number,
      },
      portal.clock.now(),
    );
    expect(sentBack).toMatchObject({ status: "sent_back", dueDate: null });

    // A stale decision (the version before the send-back) is refused.
    await expect(
      svc.decide(
        db,
        officer,
        ref,
        { action: "approve", remark: "ok", version: row?.version as number },
        portal.clock.now(),
      ),
    ).rejects.toMatchObject({ kind: "stale" });

    // Resubmitted Mon 2025-10-27 09:00. Counted: 27, 28, 29, 30, 31 Oct, 3, 4 Nov → due Tue 2025-11-04.
    portal.clock.set("2025-10-27T09:00:00+05:30");
    row = await svc.findApplicationByReference(db, ref);
    if (!row) throw new Error("missing");
    const again = await svc.resubmit(db, row, {
      application: row.formData as never,
      documentIds: [],
      version: row.version,
      now: portal.clock.now(),
    });
    expect(again).toMatchObject({ status: "resubmitted", dueDate: "2025-11-04" });

    portal.clock.set("2025-10-29T15:00:00+05:30");
    row = await svc.findApplicationByReference(db, ref);
    await expect(
      svc.decide(
        db,
        officer,
        ref,
        { action: "approve", remark: "   ", version: row?.version as number },
        portal.clock.now(),
      ),
    ).rejects.toMatchObject({ kind: "validation" });
    const approved = await svc.decide(
      db,
      officer,
      ref,
      { action: "approve", remark: "Demarcation report issued.", version: row?.version as number },
      portal.clock.now(),
    );
    expect(approved.status).toBe("approved");
    expect(approved.timeline.map((e) => e.action)).toEqual([
      "submitted",
      "sent_back",
      "resubmitted",
      "approved",
    ]);
    await expect(
      svc.decide(
        db,
        officer,
        ref,
        { action: "reject", remark: "no", version: (row?.version as number) + 3 },
        portal.clock.now(),
      ),
    ).rejects.toMatchObject({ kind: "stale" });

    const track = await portal.app.inject({ url: `/api/v1/applications/${ref}?mobile=9876543210` });
    expect(
      track.json().timeline.map((e: { action: string; remark?: string }) => [e.action, e.remark]),
    ).toEqual([
      ["submitted", undefined],
      ["sent_back", "Attach the jamabandi copy."],
      ["resubmitted", undefined],
      ["approved", "Demarcation report issued."],
    ]);
    expect(await verifyAudit(db)).toMatchObject({ ok: true });
  });

  it("C-18: marking a duplicate needs the valid reference of another application; otherwise nothing changes", async () => {
    portal.clock.set("2025-10-20T10:00:00+05:30");
    const first = (
      await portal.app.inject({
        method: "POST",
        url: "/api/v1/applications",
        payload: application(),
      })
    ).json().reference as string;
    const second = (
      await portal.app.inject({
        method: "POST",
        url: "/api/v1/applications",
        payload: application(),
      })
    ).json().reference as string;
    const officer = await actorFor(portal.database.db, "do.ludhiana", "2025-10-20");
    const { db } = portal.database;
    const version = (await svc.findApplicationByReference(db, second))?.version as number;
    for (const [duplicateOf, code] of [
      ["", "required"],
      [second, "self"],
      ["LDH-2222-2222", "unknown"],
      ["not a reference", "unknown"],
    ] as const) {
      await expect(
        svc.decide(
          db,
          officer,
          second,
          { action: "mark_duplicate", remark: "Same request filed twice", version, duplicateOf },
          portal.clock.now(),
        ),
      ).rejects.toMatchObject({ kind: "validation", fields: [{ field: "duplicateOf", code }] });
      expect((await svc.findApplicationByReference(db, second))?.status).toBe("submitted");
    }
    const closed = await svc.decide(
      db,
      officer,
      second,
      {
        action: "mark_duplicate",
        remark: "Same request filed twice",
        version,
        duplicateOf: first.toLowerCase(),
      },
      portal.clock.now(),
    );
    expect(closed.status).toBe("rejected");
    expect(closed.timeline.at(-1)).toMatchObject({
      action: "marked_duplicate",
      remark: `Duplicate of ${first}. Same request filed twice`,
    });
    expect((await svc.findApplicationByReference(db, first))?.status).toBe("submitted");
  });

  it("the audit chain reports a tampered record", async () => {
    const { db } = portal.database;
    expect(await verifyAudit(db)).toMatchObject({ ok: true });
    await db.execute(sql`alter table audit_log disable trigger audit_log_append_only`);
    await db.execute(
      sql`update audit_log set data = jsonb_set(data, '{reference}', '"FORGED"') where id = (select min(id) from audit_log where action = 'application.submitted')`,
    );
    const result = await verifyAudit(db);
    expect(result).toMatchObject({ ok: false, reason: "record content does not match its hash" });
  });
});
