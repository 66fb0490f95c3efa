/**
 * Certificates issued on approval of an application: the PDF, its serial
 * number, the signed verification token in its QR code, revocation and
 * reissue, and the public verification register.
 *
 * - Issue: {@link issueCertificate} runs inside the approval's transaction
 *   (src/applications/service.ts `decide`), so an approved application always
 *   has its certificate, and a failed issue rolls the approval back
 *   (ARCHITECTURE.md §4: one transaction per state change).
 * - Content: a generic "Certificate of service delivery" in English and
 *   Punjabi (and Hindi when the applicant's account language is Hindi): the
 *   applicant's details as submitted, the service, the order number and date,
 *   and the issuing officer. Punjabi is the State's official language (Punjab
 *   Official Language Act, 1967). Shaped with the full Noto fonts (C-16).
 * - Signature: Ed25519 over the key facts ({@link signToken}); the QR holds an
 *   ASCII URL `<base>/verify?t=<token>` (C-17).
 * - Revocation and reissue: by an official who may decide the application
 *   (`application.decide` over its district), with a reason; each is a
 *   timeline entry and an audit record.
 */
import { randomInt } from "node:crypto";
import { desc, eq, max } from "drizzle-orm";
import { Temporal } from "temporal-polyfill";
import { APPLICANT_NAME_PA, applicantFields } from "../applications/definition-form.ts";
import type { Actor } from "../applications/service.ts";
import type { DocumentStore } from "../applications/storage.ts";
import { appendAudit } from "../audit/service.ts";
import { definitionOf } from "../catalog/definitions/versions.ts";
import { getService } from "../catalog/service.ts";
import { DomainError } from "../common/errors.ts";
import { nfcMultiline } from "../common/text.ts";
import { isoOf } from "../common/time.ts";
import type { Db, Queryable } from "../db/client.ts";
import {
  applicationEvents,
  applications,
  certificates,
  citizens,
  documents,
  officials,
} from "../db/schema.ts";
import { type DocumentLanguage, formatPlainDate, renderDocument } from "../documents/pdf.ts";
import { listDistricts, listTehsils } from "../geography/service.ts";
import { can } from "../identity/authorization.ts";
import { markReadyForHandover } from "../kendras/handover/ready.ts";
import { istDateOf } from "../sla/clock.ts";
import { type CertificateClaims, type SigningKeys, signToken } from "./keys.ts";

/** What issuing needs besides the database: the keys, the document store, the public base URL. */
export type CertificateContext = {
  keys: SigningKeys;
  store: DocumentStore;
  /** Printable-ASCII origin of the portal, no trailing slash, e.g. `https://sewa.example.in`. */
  baseUrl: string;
};

/** A certificate row. */
export type CertificateRow = typeof certificates.$inferSelect;

/** Whether a certificate stands: `valid`, `revoked` (with a reason) or `replaced` (reissued). */
export type CertificateStatus = "valid" | "revoked" | "replaced";

/** What the verification register says about a serial number (no mobile number, no address). */
export type Verification = {
  serial: string;
  status: CertificateStatus;
  reference: string;
  applicantName: string;
  service: string;
  department: string;
  issuedOn: string;
  issueNumber: number;
  issuedBy: string | null;
  revokedAt: string | null;
  revokeReason: string | null;
  replacedBy: string | null;
};

/** The longest revoke or reissue reason, in characters. */
export const MAX_REASON_LENGTH = 500;

// ------------------------------------------------------------------ context

const contexts = new WeakMap<object, CertificateContext>();

/**
 * Registers the certificate context for a database handle (done once by the
 * web app in src/certificates/routes.ts). Approvals made through `db` then
 * issue certificates; without a context (e.g. the seeding CLI) they do not.
 */
export function configureCertificates(db: Db, ctx: CertificateContext): void {
  if (!/^https?:\/\/[\x21-\x7e]+$/.test(ctx.baseUrl))
    throw new RangeError(`certificate base URL must be an ASCII http(s) URL: ${ctx.baseUrl}`);
  contexts.set(db, { ...ctx, baseUrl: ctx.baseUrl.replace(/\/+$/, "") });
}

/** The context registered for `db`, if any. */
export function certificateContext(db: Db): CertificateContext | undefined {
  return contexts.get(db);
}

// ------------------------------------------------------------------ serials

/** Crockford base32 (no I, L, O, U): easy to read aloud and type. */
const CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/**
 * A new serial number `PB-<year>-XXXX-XXXX`: the year of issue (Asia/Kolkata)
 * and 40 random bits in Crockford base32, so that serials cannot be guessed
 * in order (the register shows names: DPDP Act 2023 s.8(5), reasonable
 * safeguards). Uniqueness is enforced by the database.
 */
export function newSerial(now: Temporal.Instant): string {
  const year = istDateOf(now).slice(0, 4);
  let s = "";
  for (let i = 0; i < 8; i++) s += CROCKFORD[randomInt(32)];
  return `PB-${year}-${s.slice(0, 4)}-${s.slice(4)}`;
}

/**
 * Normalises a typed serial number: case, spaces and dashes are ignored, and
 * Crockford's look-alikes are read as digits (O → 0, I and L → 1).
 * @returns the canonical `PB-YYYY-XXXX-XXXX`, or undefined when it cannot be one.
 */
export function parseSerial(input: string): string | undefined {
  const compact = input
    .toUpperCase()
    .replace(/[\s-]/g, "")
    .replace(/^PB/, "")
    .replace(/O/g, "0")
    .replace(/[IL]/g, "1");
  const m = /^(\d{4})([0-9A-HJKMNP-TV-Z]{4})([0-9A-HJKMNP-TV-Z]{4})$/.exec(compact);
  return m ? `PB-${m[1]}-${m[2]}-${m[3]}` : undefined;
}

/** The verification URL printed in the QR code: ASCII only (C-17). */
export function verifyUrl(baseUrl: string, token: string): string {
  return `${baseUrl}/verify?t=${token}`;
}

// ------------------------------------------------------------------ issue

/** The order number of the approval behind a certificate: `<reference>/<issue number>`. */
export function orderNumberOf(reference: string, issueNumber: number): string {
  return `${reference}/${issueNumber}`;
}

type Applicant = {
  applicant?: { name?: string; nameGurmukhi?: string; relativeName?: string };
  address?: { line1?: string; line2?: string; pincode?: string };
};

/**
 * Issues a certificate for an approved application, inside the caller's
 * transaction `tx`: draws a serial, signs the token, renders the PDF, stores it
 * (document store + `documents` row of kind `certificate`), inserts the
 * `certificates` row and appends `certificate.issued` to the audit trail.
 * On a reissue, `previous` names the replaced serial and the reason, printed
 * on the new certificate.
 * @throws Error when the application or the officer is missing (a programming error).
 */
export async function issueCertificate(
  tx: Queryable,
  ctx: CertificateContext,
  input: {
    applicationId: number;
    officialId: number;
    now: Temporal.Instant;
    previous?: { serial: string; reason: string };
  },
): Promise<CertificateRow> {
  const { now } = input;
  const [app] = await tx
    .select()
    .from(applications)
    .where(eq(applications.id, input.applicationId));
  if (!app) throw new Error(`application ${input.applicationId} missing`);
  const [officer] = await tx
    .select({ name: officials.name, designation: officials.designation })
    .from(officials)
    .where(eq(officials.id, input.officialId));
  if (!officer) throw new Error(`official ${input.officialId} missing`);
  const service = await getService(tx, app.serviceId);
  if (!service) throw new Error(`service ${app.serviceId} missing`);
  const [last] = await tx
    .select({ n: max(certificates.issueNumber) })
    .from(certificates)
    .where(eq(certificates.applicationId, app.id));
  const issueNumber = (last?.n ?? 0) + 1;
  const serial = newSerial(now);
  const today = istDateOf(now);
  const orderNumber = orderNumberOf(app.reference, issueNumber);
  const claims: CertificateClaims = {
    sn: serial,
    ref: app.reference,
    n: app.applicantName,
    d: today,
    no: issueNumber,
  };
  const { token, kid } = await signToken(claims, ctx.keys, new Date(Number(now.epochMilliseconds)));

  // A definition application keeps its answers under `answers`; its address question is the one that says where (definition-form.ts).
  const def = app.definitionId === null ? undefined : await definitionOf(tx, app.definitionId);
  const answers = (app.formData as { answers?: Record<string, unknown> }).answers ?? {};
  const addressField = def ? applicantFields(def).address : undefined;
  const form = (
    def
      ? {
          address: addressField ? answers[addressField] : undefined,
          applicant: {
            relativeName: typeof answers.relativeName === "string" ? answers.relativeName : "",
            ...(typeof answers[APPLICANT_NAME_PA] === "string"
              ? { nameGurmukhi: answers[APPLICANT_NAME_PA] }
              : {}),
          },
        }
      : app.formData
  ) as Applicant;
  const [districts, tehsils, citizen] = await Promise.all([
    listDistricts(tx),
    listTehsils(tx, app.districtCode),
    tx.select({ lang: citizens.lang }).from(citizens).where(eq(citizens.mobile, app.mobile)),
  ]);
  const address = [
    form.address?.line1,
    form.address?.line2,
    tehsils.find((t) => t.code === app.tehsilCode)?.name,
    districts.find((d) => d.code === app.districtCode)?.name,
    form.address?.pincode,
  ]
    .filter((x) => x && String(x).trim())
    .join(", ");
  const languages: DocumentLanguage[] =
    citizen[0]?.lang === "hi" ? ["en", "pa", "hi"] : ["en", "pa"];
  const pdf = await renderCertificatePdf({
    serial,
    languages,
    applicantName: app.applicantName,
    ...(form.applicant?.nameGurmukhi ? { applicantNamePa: form.applicant.nameGurmukhi } : {}),
    relativeName: form.applicant?.relativeName ?? "",
    address,
    service: service.namePa ? `${service.name} / ${service.namePa}` : service.name,
    department: service.departmentName,
    ...(def?.output.kind === "certificate" && def.output.validity
      ? { validity: `${def.output.validity.en} / ${def.output.validity.pa ?? ""}` }
      : {}),
    reference: app.reference,
    receivedOn: istDateOf(Temporal.Instant.from(isoOf(app.receivedAt))),
    orderNumber,
    orderDate: today,
    officer,
    verifyUrl: verifyUrl(ctx.baseUrl, token),
    kid,
    previous: input.previous,
    createdAt: now,
  });
  const sha256 = await ctx.store.put(pdf);
  const [doc] = await tx
    .insert(documents)
    .values({
      applicationId: app.id,
      filename: `certificate-${serial}.pdf`,
      mime: "application/pdf",
      size: pdf.length,
      sha256,
      uploadedAt: now.toString(),
      uploadedBy: "system",
      kind: "certificate",
    })
    .returning();
  const [row] = await tx
    .insert(certificates)
    .values({
      serial,
      applicationId: app.id,
      issueNumber,
      token,
      kid,
      documentId: doc?.id ?? null,
      issuedAt: now.toString(),
      issuedBy: input.officialId,
    })
    .returning();
  if (!row) throw new Error("certificate insert returned nothing");
  // Filed at a Sewa Kendra or the doorstep: ready for handover in person, in this same transaction.
  await markReadyForHandover(tx, app, now);
  await appendAudit(tx, {
    stream: `application:${app.id}`,
    actor: `official:${input.officialId}`,
    action: "certificate.issued",
    data: {
      reference: app.reference,
      serial,
      issueNumber,
      kid,
      sha256,
      ...(input.previous ? { replaces: input.previous.serial } : {}),
    },
    at: now.toString(),
  });
  return row;
}

/** The facts printed on a certificate. Dates are `YYYY-MM-DD`. */
export type CertificateContent = {
  serial: string;
  languages: DocumentLanguage[];
  applicantName: string;
  /** The applicant's name in Gurmukhi, when given (printed beside the English name; issue 7). */
  applicantNamePa?: string;
  relativeName: string;
  address: string;
  service: string;
  department: string;
  reference: string;
  receivedOn: string;
  orderNumber: string;
  orderDate: string;
  officer: { name: string; designation: string };
  verifyUrl: string;
  kid: string;
  previous?: { serial: string; reason: string };
  /** How long the certificate is valid, from the service definition's output (en / pa). */
  validity?: string;
  createdAt?: Temporal.Instant;
};

/**
 * Renders the generic certificate of service delivery (no service-specific
 * template exists yet): bilingual labels, the certifying paragraph in English
 * and Punjabi (and Hindi when listed in `languages`), the officer as
 * signatory, the serial in the header band and the verification QR code.
 * @returns the PDF bytes (`%PDF-…`).
 * @throws RangeError when `verifyUrl` is not printable ASCII (C-17).
 */
export function renderCertificatePdf(c: CertificateContent): Promise<Buffer> {
  const date = formatPlainDate(c.orderDate);
  const received = formatPlainDate(c.receivedOn);
  const hindi = c.languages.includes("hi");
  const paragraphs = [
    `This is to certify that ${c.applicantName} applied on ${received} for the service "${c.service}" (application ${c.reference}) and has been granted the service by order No. ${c.orderNumber} dated ${date}.`,
    `ਪ੍ਰਮਾਣਿਤ ਕੀਤਾ ਜਾਂਦਾ ਹੈ ਕਿ ${c.applicantNamePa ?? c.applicantName} ਨੇ ${received} ਨੂੰ ਸੇਵਾ "${c.service}" ਲਈ ਅਰਜ਼ੀ (ਹਵਾਲਾ ਨੰਬਰ ${c.reference}) ਦਿੱਤੀ ਸੀ, ਅਤੇ ਹੁਕਮ ਨੰਬਰ ${c.orderNumber} ਮਿਤੀ ${date} ਰਾਹੀਂ ਇਹ ਸੇਵਾ ਪ੍ਰਦਾਨ ਕੀਤੀ ਗਈ ਹੈ।`,
    ...(hindi
      ? [
          `प्रमाणित किया जाता है कि ${c.applicantName} ने ${received} को सेवा "${c.service}" के लिए आवेदन (संदर्भ संख्या ${c.reference}) किया था, और आदेश संख्या ${c.orderNumber} दिनांक ${date} द्वारा यह सेवा प्रदान की गई है।`,
        ]
      : []),
    ...(c.previous
      ? [
          `This certificate replaces certificate ${c.previous.serial}, which is no longer valid (${c.previous.reason}). / ਇਹ ਪ੍ਰਮਾਣ ਪੱਤਰ ${c.previous.serial} ਦੀ ਥਾਂ ਜਾਰੀ ਕੀਤਾ ਗਿਆ ਹੈ, ਜੋ ਹੁਣ ਵੈਧ ਨਹੀਂ ਹੈ।`,
        ]
      : []),
  ];
  return renderDocument({
    languages: c.languages,
    title: `Certificate of service delivery — ${c.serial}`,
    heading: `ਸੇਵਾ ਪ੍ਰਦਾਨ ਕਰਨ ਦਾ ਪ੍ਰਮਾਣ ਪੱਤਰ${hindi ? " / सेवा प्रदान करने का प्रमाण पत्र" : ""}`,
    subheading: "Certificate of service delivery",
    facts: [
      { label: "Serial No. / ਲੜੀ ਨੰਬਰ", value: c.serial },
      {
        label: "Name / ਨਾਮ",
        value: c.applicantNamePa ? `${c.applicantName} / ${c.applicantNamePa}` : c.applicantName,
      },
      ...(c.relativeName
        ? [
            {
              label: "Father's, mother's or spouse's name / ਪਿਤਾ, ਮਾਤਾ ਜਾਂ ਜੀਵਨ ਸਾਥੀ ਦਾ ਨਾਮ",
              value: c.relativeName,
            },
          ]
        : []),
      ...(c.address ? [{ label: "Address / ਪਤਾ", value: c.address }] : []),
      { label: "Service / ਸੇਵਾ", value: c.service },
      { label: "Department / ਵਿਭਾਗ", value: c.department },
      { label: "Application reference / ਹਵਾਲਾ ਨੰਬਰ", value: c.reference },
      { label: "Order No. and date / ਹੁਕਮ ਨੰਬਰ ਅਤੇ ਮਿਤੀ", value: `${c.orderNumber}, ${date}` },
      ...(c.validity ? [{ label: "Valid for / ਵੈਧਤਾ", value: c.validity }] : []),
    ],
    paragraphs,
    signatory: c.officer,
    footer: `Certificate ${c.serial} · application ${c.reference} · signed with Ed25519 key ${c.kid}`,
    qrPayload: c.verifyUrl,
    serial: c.serial,
    createdAt: c.createdAt,
  });
}

// ------------------------------------------------------------------ look-ups

/** A certificate by its canonical serial. */
export async function findCertificate(
  q: Queryable,
  serial: string,
): Promise<CertificateRow | undefined> {
  const [row] = await q.select().from(certificates).where(eq(certificates.serial, serial));
  return row;
}

/** The application a certificate belongs to. */
export async function applicationOf(
  q: Queryable,
  applicationId: number,
): Promise<typeof applications.$inferSelect | undefined> {
  const [row] = await q.select().from(applications).where(eq(applications.id, applicationId));
  return row;
}

/** The status of a certificate row: replaced wins over revoked. */
export function statusOf(row: Pick<CertificateRow, "revokedAt" | "replacedBy">): CertificateStatus {
  return row.replacedBy ? "replaced" : row.revokedAt ? "revoked" : "valid";
}

/** A certificate as listed on the track page and the desk: newest issue first. */
export type CertificateListItem = {
  serial: string;
  issueNumber: number;
  issuedAt: string;
  status: CertificateStatus;
  revokeReason: string | null;
  replacedBy: string | null;
  documentId: string | null;
};

/** The certificates of an application, newest issue first. */
export async function certificatesOf(
  q: Queryable,
  applicationId: number,
): Promise<CertificateListItem[]> {
  const list = await q
    .select()
    .from(certificates)
    .where(eq(certificates.applicationId, applicationId))
    .orderBy(desc(certificates.issueNumber));
  return list.map((c) => ({
    serial: c.serial,
    issueNumber: c.issueNumber,
    issuedAt: isoOf(c.issuedAt),
    status: statusOf(c),
    revokeReason: c.revokeReason,
    replacedBy: c.replacedBy,
    documentId: c.documentId,
  }));
}

/** What the public register says about `serial` (canonical); undefined when unknown. */
export async function verifySerial(
  q: Queryable,
  serial: string,
): Promise<Verification | undefined> {
  const [r] = await q
    .select({
      c: certificates,
      reference: applications.reference,
      applicantName: applications.applicantName,
      serviceId: applications.serviceId,
      officer: officials.name,
      designation: officials.designation,
    })
    .from(certificates)
    .innerJoin(applications, eq(applications.id, certificates.applicationId))
    .leftJoin(officials, eq(officials.id, certificates.issuedBy))
    .where(eq(certificates.serial, serial));
  if (!r) return undefined;
  const service = await getService(q, r.serviceId);
  return {
    serial: r.c.serial,
    status: statusOf(r.c),
    reference: r.reference,
    applicantName: r.applicantName,
    service: service?.name ?? "",
    department: service?.departmentName ?? "",
    issuedOn: istDateOf(Temporal.Instant.from(isoOf(r.c.issuedAt))),
    issueNumber: r.c.issueNumber,
    issuedBy: r.officer ? `${r.officer}, ${r.designation}` : null,
    revokedAt: r.c.revokedAt ? isoOf(r.c.revokedAt) : null,
    revokeReason: r.c.revokeReason,
    replacedBy: r.c.replacedBy,
  };
}

// ------------------------------------------------------------------ revoke and reissue

function cleanReason(reason: string): string {
  const text = nfcMultiline(reason ?? "").trim();
  if (!text)
    throw new DomainError("validation", "Enter a reason", [{ field: "reason", code: "required" }]);
  if (text.length > MAX_REASON_LENGTH)
    throw new DomainError("validation", "The reason is too long", [
      { field: "reason", code: "too_long", params: { max: MAX_REASON_LENGTH } },
    ]);
  return text;
}

/** Locks a certificate and its application for an official who may decide it; else not_found (404, not 403). */
async function lockForOfficial(tx: Queryable, actor: Actor, serial: string) {
  const canonical = parseSerial(serial);
  const [c] = canonical
    ? await tx.select().from(certificates).where(eq(certificates.serial, canonical)).for("update")
    : [];
  const [app] = c
    ? await tx.select().from(applications).where(eq(applications.id, c.applicationId))
    : [];
  if (
    !c ||
    !app ||
    !can(actor.principal, "application.decide", {
      districtCode: app.districtCode,
      tehsilCode: app.tehsilCode,
      departmentId: app.departmentId,
    })
  )
    throw new DomainError("not_found", "No such certificate");
  return { c, app };
}

async function timeline(
  tx: Queryable,
  app: typeof applications.$inferSelect,
  action: string,
  remark: string,
  actor: Actor,
  now: Temporal.Instant,
) {
  await tx.insert(applicationEvents).values({
    applicationId: app.id,
    at: now.toString(),
    action,
    fromStatus: app.status,
    toStatus: app.status,
    remark,
    actorKind: "official",
    actorId: `official:${actor.officialId}`,
    dueDate: app.dueDate,
  });
}

/**
 * Revokes a valid certificate, with a reason (shown by verification).
 * @throws DomainError not_found (unknown, or the official may not decide its
 *   application), validation (reason missing or over {@link MAX_REASON_LENGTH}),
 *   invalid_transition (already revoked or replaced: 409).
 */
export async function revokeCertificate(
  db: Db,
  actor: Actor,
  serial: string,
  reason: string,
  now: Temporal.Instant,
): Promise<CertificateRow> {
  const text = cleanReason(reason);
  return db.transaction(async (tx) => {
    const { c, app } = await lockForOfficial(tx, actor, serial);
    if (statusOf(c) !== "valid")
      throw new DomainError(
        "invalid_transition",
        "This certificate is already revoked or replaced",
      );
    const [row] = await tx
      .update(certificates)
      .set({ revokedAt: now.toString(), revokedBy: actor.officialId, revokeReason: text })
      .where(eq(certificates.id, c.id))
      .returning();
    await timeline(tx, app, "certificate_revoked", `${c.serial}: ${text}`, actor, now);
    await appendAudit(tx, {
      stream: `application:${app.id}`,
      actor: `official:${actor.officialId}`,
      action: "certificate.revoked",
      data: { reference: app.reference, serial: c.serial, reason: text },
      at: now.toString(),
    });
    return row as CertificateRow;
  });
}

/**
 * Reissues a certificate: a new certificate (next issue number, new serial,
 * new token and PDF) replaces the latest one, which is marked replaced (and
 * revoked, with the reason, unless it was revoked already). Allowed while the
 * application is approved and the certificate has not been replaced.
 * @throws DomainError not_found, validation (reason), invalid_transition
 *   (already replaced, or the application is no longer approved: 409).
 */
export async function reissueCertificate(
  db: Db,
  ctx: CertificateContext,
  actor: Actor,
  serial: string,
  reason: string,
  now: Temporal.Instant,
): Promise<CertificateRow> {
  const text = cleanReason(reason);
  return db.transaction(async (tx) => {
    const { c, app } = await lockForOfficial(tx, actor, serial);
    if (c.replacedBy || app.status !== "approved")
      throw new DomainError("invalid_transition", "This certificate cannot be reissued");
    const fresh = await issueCertificate(tx, ctx, {
      applicationId: app.id,
      officialId: actor.officialId,
      now,
      previous: { serial: c.serial, reason: text },
    });
    await tx
      .update(certificates)
      .set({
        replacedBy: fresh.serial,
        revokedAt: c.revokedAt ?? now.toString(),
        revokedBy: c.revokedBy ?? actor.officialId,
        revokeReason: c.revokeReason ?? text,
      })
      .where(eq(certificates.id, c.id));
    await timeline(
      tx,
      app,
      "certificate_reissued",
      `${c.serial} → ${fresh.serial}: ${text}`,
      actor,
      now,
    );
    await appendAudit(tx, {
      stream: `application:${app.id}`,
      actor: `official:${actor.officialId}`,
      action: "certificate.reissued",
      data: { reference: app.reference, serial: c.serial, replacedBy: fresh.serial, reason: text },
      at: now.toString(),
    });
    return fresh;
  });
}
