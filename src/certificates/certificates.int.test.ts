/**
 * Certificates end to end, on PGlite and (with TEST_DATABASE_URL) PostgreSQL:
 * issue on approval, the PDF and its QR code (C-16, C-17), public verification
 * by token and by serial (page and API), offline verification with the JWKS,
 * revocation, reissue, the track page, and who may revoke or reissue.
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { sql } from "drizzle-orm";
import jsqr from "jsqr";
import { PNG } from "pngjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as applications from "../applications/service.ts";
import { fileStore } from "../applications/storage.ts";
import { verifyAudit } from "../audit/service.ts";
import { rows } from "../db/client.ts";
import { testDatabases } from "../db/testing.ts";
import { actorFor, createOfficial, startSession } from "../identity/service.ts";
import { startTestPortal, type TestPortal } from "../web/testing.ts";
import { verifyToken } from "./keys.ts";
import { certificateContext, configureCertificates } from "./service.ts";

type DecodeQr = typeof jsqr.default;
const jsQR: DecodeQr = typeof jsqr === "function" ? (jsqr as unknown as DecodeQr) : jsqr.default;

function hasPoppler(): boolean {
  try {
    execFileSync("pdftoppm", ["-v"], { stdio: "ignore" });
    execFileSync("pdftotext", ["-v"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}
const POPPLER = hasPoppler();
if (!POPPLER)
  console.warn(
    "src/certificates/certificates.int.test.ts: poppler-utils missing; the QR scan and text checks are SKIPPED.",
  );

/** Changes one character in the middle of part `i` of a compact JWS. */
function tamper(token: string, i: number): string {
  const parts = token.split(".");
  const part = parts[i] as string;
  const pos = Math.floor(part.length / 2);
  parts[i] = part.slice(0, pos) + (part[pos] === "A" ? "B" : "A") + part.slice(pos + 1);
  return parts.join(".");
}

describe.each(testDatabases())("certificates on $name", (which) => {
  let portal: TestPortal;
  let csrf: { token: string; cookie: string };
  let serviceId: number;
  let tehsil: number;

  async function staff(username: string, role: string, districtCode: number) {
    const { db } = portal.database;
    const o = await db.transaction((tx) =>
      createOfficial(tx, {
        username,
        name: `Harpreet Kaur ${username}`,
        designation: "Tehsildar",
        password: "certificate-test-password-7",
        posting: { role, level: "district", districtCode, validFrom: "2020-01-01" },
      }),
    );
    return `sewa_staff=${await startSession(db, o.id, new Date(), { mfa: true })}`;
  }
  const form = (url: string, fields: Record<string, string>, cookie: string) =>
    portal.app.inject({
      method: "POST",
      url,
      payload: new URLSearchParams({ ...fields, _csrf: csrf.token }).toString(),
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        cookie: [csrf.cookie, cookie].filter(Boolean).join("; "),
      },
    });
  async function file(mobile: string, name = "ਗੁਰਪ੍ਰੀਤ ਕੌਰ") {
    const res = await portal.app.inject({
      method: "POST",
      url: "/api/v1/applications",
      payload: {
        serviceId,
        applicant: {
          name,
          relativeName: "Bachan Singh",
          gender: "female",
          dateOfBirth: "1980-05-05",
          mobile,
        },
        address: { line1: "Village Gill", districtCode: 36, tehsilCode: tehsil, pincode: "141116" },
        purpose: "Land records",
        declaration: true,
      },
    });
    expect(res.statusCode).toBe(201);
    return res.json() as { reference: string };
  }
  const certificatesOf = (reference: string) =>
    rows<{
      serial: string;
      token: string;
      kid: string;
      issue_number: number;
      document_id: string;
      replaced_by: string | null;
    }>(
      portal.database.db,
      sql`select c.serial, c.token, c.kid, c.issue_number, c.document_id, c.replaced_by
          from certificates c join applications a on a.id = c.application_id
          where a.reference = ${reference} order by c.issue_number`,
    );

  beforeAll(async () => {
    portal = await startTestPortal(which, "2025-10-17T10:00:00+05:30");
    serviceId = (
      await portal.app.inject({ url: "/api/v1/services?q=pages%20sought%20%3E15" })
    ).json().items[0].id;
    tehsil = (
      await rows<{ code: number }>(
        portal.database.db,
        sql`select code from tehsils where district_code = 36 order by code limit 1`,
      )
    )[0]?.code as number;
    const page = await portal.app.inject({ url: "/track" });
    csrf = {
      token: /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1] as string,
      cookie: page.cookies.map((c) => `${c.name}=${c.value}`).join("; "),
    };
  });
  afterAll(async () => portal?.close());

  it("issues a signed certificate on approval, verifiable online and offline, then revoked and reissued", async () => {
    const { db } = portal.database;
    const officer = await staff("do.cert36", "designated_officer", 36);
    const elsewhere = await staff("do.cert41", "designated_officer", 41);
    const clerk = await staff("clerk.cert36", "dealing_clerk", 36);
    const filed = await file("9855511111");

    portal.clock.set("2025-10-21T11:00:00+05:30");
    const approved = await form(
      `/desk/applications/${filed.reference}/decision`,
      { action: "approve", remark: "Records checked.", version: "1" },
      officer,
    );
    expect(approved.statusCode).toBe(303);

    // A certificate with a serial, a token, and its PDF in the store.
    const [cert] = await certificatesOf(filed.reference);
    expect(cert?.serial).toMatch(/^PB-2025-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
    expect(cert?.issue_number).toBe(1);
    const serial = cert?.serial as string;
    const token = cert?.token as string;
    const [doc] = await rows<{ sha256: string; kind: string; filename: string }>(
      db,
      sql`select sha256, kind, filename from documents where id = ${cert?.document_id}`,
    );
    expect(doc).toMatchObject({ kind: "certificate", filename: `certificate-${serial}.pdf` });
    const pdf = await fileStore(portal.storeDir).get(doc?.sha256 as string);
    expect(pdf.subarray(0, 5).toString("latin1")).toBe("%PDF-");

    // C-17: the QR payload is an ASCII URL holding the token, and scans back exactly.
    const url = `http://localhost:3000/verify?t=${token}`;
    expect(url).toMatch(/^[\x20-\x7e]+$/);
    if (POPPLER) {
      const dir = fs.mkdtempSync(path.join(portal.storeDir, "render-"));
      const file = path.join(dir, "cert.pdf");
      fs.writeFileSync(file, pdf);
      execFileSync("pdftoppm", ["-png", "-r", "300", file, path.join(dir, "page")]);
      const scans = fs
        .readdirSync(dir)
        .filter((f) => f.endsWith(".png"))
        .map((f) => {
          const png = PNG.sync.read(fs.readFileSync(path.join(dir, f)));
          return jsQR(new Uint8ClampedArray(png.data), png.width, png.height)?.data;
        });
      expect(scans).toContain(url);
      const text = execFileSync("pdftotext", ["-enc", "UTF-8", file, "-"], { encoding: "utf8" });
      expect(text).toContain(serial);
      expect(text).toContain("Certificate of service delivery");
      expect(text).toContain(filed.reference);
      expect(text).toContain("Harpreet Kaur do.cert36");
      expect(text).toContain(`${filed.reference}/1`); // the order number
    }

    // Public verification by the QR's token.
    const page = await portal.app.inject({ url: `/verify?t=${token}` });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain("Genuine certificate");
    expect(page.body).toContain(serial);
    expect(page.body).toContain("ਗੁਰਪ੍ਰੀਤ ਕੌਰ");
    expect(page.body).toContain(filed.reference);

    // Offline: only the published JWKS, no database.
    const jwks = (await portal.app.inject({ url: "/.well-known/sewa-keys.json" })).json();
    expect(JSON.stringify(jwks)).not.toContain('"d":');
    const offline = await verifyToken(token, jwks);
    expect(offline).toMatchObject({
      ok: true,
      kid: cert?.kid,
      claims: { sn: serial, ref: filed.reference, n: "ਗੁਰਪ੍ਰੀਤ ਕੌਰ", d: "2025-10-21", no: 1 },
    });
    for (const part of [1, 2]) {
      expect((await verifyToken(tamper(token, part), jwks)).ok).toBe(false);
      const bad = await portal.app.inject({ url: `/verify?t=${tamper(token, part)}` });
      expect(bad.body).toContain("Not a genuine certificate");
      expect(bad.body).not.toContain("Genuine certificate");
    }

    // The API and the serial look-up form.
    const api = await portal.app.inject({ url: `/api/v1/certificates/${serial}/verify` });
    expect(api.statusCode).toBe(200);
    expect(api.json()).toMatchObject({
      serial,
      status: "valid",
      genuine: true,
      reference: filed.reference,
      applicantName: "ਗੁਰਪ੍ਰੀਤ ਕੌਰ",
      issuedOn: "2025-10-21",
      revokeReason: null,
    });
    const typed = await portal.app.inject({
      url: `/verify?serial=${encodeURIComponent(serial.toLowerCase().replace(/-/g, " "))}`,
    });
    expect(typed.statusCode).toBe(200);
    expect(typed.body).toContain("Genuine certificate");
    const unknown = await portal.app.inject({ url: "/verify?serial=PB-2025-0000-0000" });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.body).toContain("No certificate has the serial number PB-2025-0000-0000");
    const unknownApi = await portal.app.inject({
      url: "/api/v1/certificates/PB-2025-0000-0000/verify",
    });
    expect(unknownApi.statusCode).toBe(404);
    expect(unknownApi.headers["content-type"]).toContain("application/problem+json");
    expect((await portal.app.inject({ url: "/verify?serial=hello" })).statusCode).toBe(400);

    // The applicant downloads it from the track page.
    const citizen = (
      await form("/track", { reference: filed.reference, mobile: "9855511111" }, "")
    ).cookies
      .map((c) => `${c.name}=${c.value}`)
      .join("; ");
    const track = await portal.app.inject({
      url: `/track/${filed.reference}`,
      headers: { cookie: citizen },
    });
    expect(track.body).toContain(`Download certificate ${serial} (PDF)`);
    const download = await portal.app.inject({
      url: `/track/${filed.reference}/documents/${cert?.document_id}`,
      headers: { cookie: citizen },
    });
    expect(download.statusCode).toBe(200);
    expect(download.headers["content-type"]).toBe("application/pdf");

    // Only officials who may decide the application (its district) revoke or reissue.
    for (const cookie of [elsewhere, clerk]) {
      for (const action of ["revoke", "reissue"]) {
        const res = await form(`/desk/certificates/${serial}/${action}`, { reason: "x" }, cookie);
        expect(res.statusCode).toBe(404);
      }
      expect(
        (await portal.app.inject({ url: `/desk/certificates/${serial}`, headers: { cookie } }))
          .statusCode,
      ).toBe(404);
    }
    const desk = await portal.app.inject({
      url: `/desk/applications/${filed.reference}`,
      headers: { cookie: officer },
    });
    expect(desk.body).toContain(`/desk/certificates/${serial}/revoke`);
    expect(desk.body).toContain(`/desk/certificates/${serial}/reissue`);
    const noReason = await form(`/desk/certificates/${serial}/revoke`, { reason: " " }, officer);
    expect(noReason.statusCode).toBe(400);
    expect(noReason.body).toContain("Enter a reason");
    expect((await certificatesOf(filed.reference)).length).toBe(1);

    // Revoke: verification then says revoked, with the reason.
    portal.clock.set("2025-10-22T12:00:00+05:30");
    const revoked = await form(
      `/desk/certificates/${serial}/revoke`,
      { reason: "Issued on a forged sale deed" },
      officer,
    );
    expect(revoked.statusCode).toBe(303);
    const afterRevoke = await portal.app.inject({ url: `/verify?t=${token}` });
    expect(afterRevoke.body).toContain("Revoked certificate");
    expect(afterRevoke.body).toContain("Issued on a forged sale deed");
    expect(
      (await portal.app.inject({ url: `/api/v1/certificates/${serial}/verify` })).json(),
    ).toMatchObject({ status: "revoked", revokeReason: "Issued on a forged sale deed" });
    // The signature alone still checks out offline: revocation lives in the register.
    expect((await verifyToken(token, jwks)).ok).toBe(true);
    expect(
      (await form(`/desk/certificates/${serial}/revoke`, { reason: "again" }, officer)).statusCode,
    ).toBe(409);

    // Reissue: a new serial; the old one says replaced.
    const reissued = await form(
      `/desk/certificates/${serial}/reissue`,
      { reason: "Name corrected after review" },
      officer,
    );
    expect(reissued.statusCode).toBe(303);
    const both = await certificatesOf(filed.reference);
    expect(both).toHaveLength(2);
    const fresh = both[1];
    expect(fresh?.serial).not.toBe(serial);
    expect(fresh?.issue_number).toBe(2);
    expect(both[0]?.replaced_by).toBe(fresh?.serial);
    expect(
      (await portal.app.inject({ url: `/api/v1/certificates/${serial}/verify` })).json(),
    ).toMatchObject({ status: "replaced", replacedBy: fresh?.serial });
    const old = await portal.app.inject({ url: `/verify?serial=${serial}` });
    expect(old.body).toContain("Replaced certificate");
    expect(old.body).toContain(fresh?.serial as string);
    const now = await portal.app.inject({ url: `/verify?t=${fresh?.token}` });
    expect(now.body).toContain("Genuine certificate");
    expect(
      (await portal.app.inject({ url: `/api/v1/certificates/${fresh?.serial}/verify` })).json(),
    ).toMatchObject({ status: "valid", issueNumber: 2 });

    const timeline = (
      await portal.app.inject({
        url: `/api/v1/applications/${filed.reference}?mobile=9855511111`,
      })
    )
      .json()
      .timeline.map((e: { action: string }) => e.action);
    expect(timeline).toEqual([
      "submitted",
      "approved",
      "certificate_revoked",
      "certificate_reissued",
    ]);
    expect(await verifyAudit(db)).toMatchObject({ ok: true });
  });

  it("prints the applicant's name in English and Gurmukhi when both were given (issue 7)", async () => {
    const { db } = portal.database;
    const apply = (nameGurmukhi: string, mobile: string) =>
      portal.app.inject({
        method: "POST",
        url: "/api/v1/applications",
        payload: {
          serviceId,
          applicant: {
            name: "Harjit Kaur",
            nameGurmukhi,
            relativeName: "Bachan Singh",
            gender: "female",
            dateOfBirth: "1980-05-05",
            mobile,
          },
          address: {
            line1: "Village Gill",
            districtCode: 36,
            tehsilCode: tehsil,
            pincode: "141116",
          },
          purpose: "Land records",
          declaration: true,
        },
      });
    const latin = await apply("Harjit Kaur", "9855533333");
    expect(latin.statusCode).toBe(400);
    expect(JSON.stringify(latin.json())).toContain("applicant.nameGurmukhi");
    const res = await apply("  ਹਰਜੀਤ   ਕੌਰ ", "9855533333");
    expect(res.statusCode).toBe(201);
    const { reference } = res.json() as { reference: string };
    const [stored] = await rows<{ name: string }>(
      db,
      sql`select form_data->'applicant'->>'nameGurmukhi' as name from applications where reference = ${reference}`,
    );
    expect(stored?.name).toBe("ਹਰਜੀਤ ਕੌਰ");
    const officer = await actorFor(db, "do.ludhiana", "2025-10-22");
    const row = await applications.findApplicationByReference(db, reference);
    await applications.decide(
      db,
      officer,
      reference,
      { action: "approve", remark: "OK", version: row?.version as number },
      portal.clock.now(),
    );
    const [cert] = await certificatesOf(reference);
    const [doc] = await rows<{ sha256: string }>(
      db,
      sql`select sha256 from documents where id = ${cert?.document_id}`,
    );
    const pdf = await fileStore(portal.storeDir).get(doc?.sha256 as string);
    if (POPPLER) {
      const dir = fs.mkdtempSync(path.join(portal.storeDir, "names-"));
      const file = path.join(dir, "cert.pdf");
      fs.writeFileSync(file, pdf);
      const text = execFileSync("pdftotext", ["-enc", "UTF-8", file, "-"], { encoding: "utf8" });
      expect(text).toContain("Harjit Kaur");
      expect(text.normalize("NFC")).toContain("ਹਰਜੀਤ ਕੌਰ");
    }
  });

  it("rolls the approval back when the certificate cannot be issued (one transaction)", async () => {
    const { db } = portal.database;
    const filed = await file("9855522222", "Gurpreet Kaur");
    const ctx = certificateContext(db);
    if (!ctx) throw new Error("certificates not configured");
    configureCertificates(db, {
      ...ctx,
      store: {
        put: async () => {
          throw new Error("disk full");
        },
        get: ctx.store.get,
      },
    });
    const officer = await actorFor(db, "do.ludhiana", "2025-10-22");
    try {
      await expect(
        applications.decide(
          db,
          officer,
          filed.reference,
          { action: "approve", remark: "OK", version: 1 },
          portal.clock.now(),
        ),
      ).rejects.toThrow("disk full");
    } finally {
      configureCertificates(db, ctx);
    }
    const row = await applications.findApplicationByReference(db, filed.reference);
    expect(row?.status).toBe("submitted");
    expect(await certificatesOf(filed.reference)).toHaveLength(0);
  });
});
