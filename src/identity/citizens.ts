/**
 * Citizens: sign-in by mobile OTP, the profile that prefills later
 * applications (only with consent), and Aadhaar kept masked with a keyed hash.
 *
 * Sources: DPDP Act 2023 s.6 (consent for a specified purpose, withdrawable);
 * Aadhaar (Data Security) Regulations 2016 and UIDAI circulars (no storage of
 * the full number outside an Aadhaar Data Vault; display masked).
 */
import { createHash } from "node:crypto";
import { eq, sql } from "drizzle-orm";
import type { Temporal } from "temporal-polyfill";
import { appendAudit } from "../audit/service.ts";
import { aadhaarHash, checkAadhaar, maskAadhaar } from "../catalog/definitions/aadhaar.ts";
import { DomainError } from "../common/errors.ts";
import type { Db, Queryable } from "../db/client.ts";
import { applications, citizens, drafts } from "../db/schema.ts";
import type { SmsSender } from "../notifications/sms.ts";
import { type NotifyLang, render } from "../notifications/templates.ts";
import { issueOtp, OTP_VALID_MINUTES, verifyOtp } from "./otp.ts";

export type Citizen = typeof citizens.$inferSelect;

/** Keys derived from the server secret, one per purpose. */
export function derivedKey(secret: string, purpose: "otp" | "aadhaar"): string {
  return createHash("sha256").update(`sewa:${purpose}:${secret}`).digest("hex");
}

/**
 * Sends a sign-in code to `mobile` (10 digits) by SMS, in `lang` (the page's
 * language; template `sign_in_code` of notifications/templates, whose DLT
 * template ids are placeholders to replace with the operator's; TRAI TCCCPR
 * 2018: an OTP is a "service implicit" template).
 * @throws DomainError from the OTP rules (resend wait, daily limit).
 */
export async function sendSignInCode(
  db: Db,
  sms: SmsSender,
  secret: string,
  mobile: string,
  now: Temporal.Instant,
  lang: NotifyLang = "en",
): Promise<void> {
  const code = await db.transaction((tx) => issueOtp(tx, derivedKey(secret, "otp"), mobile, now));
  const message = render("otp.sign_in", lang, { code, minutes: OTP_VALID_MINUTES });
  if (!message) throw new Error("sign_in_code template missing");
  await sms.send({ to: mobile, text: message.sms.text, templateId: message.sms.templateId });
}

/** Checks a sign-in code; on success returns the citizen (created on first sign-in). */
export async function signInWithCode(
  db: Db,
  secret: string,
  mobile: string,
  code: string,
  now: Temporal.Instant,
): Promise<Citizen | undefined> {
  return db.transaction(async (tx) => {
    if (!(await verifyOtp(tx, derivedKey(secret, "otp"), mobile, code, now))) return undefined;
    await tx.insert(citizens).values({ mobile }).onConflictDoNothing();
    const [citizen] = await tx.select().from(citizens).where(eq(citizens.mobile, mobile));
    if (!citizen) throw new Error("citizen row missing");
    await appendAudit(tx, {
      stream: `citizen:${citizen.id}`,
      actor: `citizen:${citizen.id}`,
      action: "citizen.login",
      at: now.toString(),
    });
    return citizen;
  });
}

/** A citizen by id. */
export async function findCitizen(q: Queryable, id: number): Promise<Citizen | undefined> {
  const [row] = await q.select().from(citizens).where(eq(citizens.id, id));
  return row;
}

/** The profile fields a citizen may save for prefilling (the generic form's own names). */
export const PROFILE_FIELDS = [
  "name",
  "relativeName",
  "gender",
  "dob-day",
  "dob-month",
  "dob-year",
  "email",
  "line1",
  "line2",
  "districtCode",
  "tehsilCode",
  "pincode",
] as const;

/**
 * Saves the profile. With `consent` false the saved answers are erased (consent
 * withdrawn). An Aadhaar number, when given, is checked (Verhoeff) and kept
 * only masked with a keyed hash.
 * @throws DomainError validation for an invalid Aadhaar number.
 */
export async function saveProfile(
  db: Db,
  secret: string,
  citizenId: number,
  input: { values: Record<string, string>; consent: boolean; aadhaar?: string },
  now: Temporal.Instant,
): Promise<void> {
  const profile = input.consent
    ? Object.fromEntries(
        PROFILE_FIELDS.filter((f) => input.values[f]).map((f) => [
          f,
          String(input.values[f]).slice(0, 200),
        ]),
      )
    : {};
  let aadhaar: { aadhaarMasked: string; aadhaarHash: string } | undefined;
  if (input.aadhaar?.trim()) {
    const checked = checkAadhaar(input.aadhaar);
    if (!checked.ok)
      throw new DomainError("validation", "Enter a valid Aadhaar number", [
        { field: "aadhaar", code: `aadhaar.${checked.code}` },
      ]);
    aadhaar = {
      aadhaarMasked: maskAadhaar(input.aadhaar),
      aadhaarHash: aadhaarHash(input.aadhaar, derivedKey(secret, "aadhaar")),
    };
  }
  await db.transaction(async (tx) => {
    await tx
      .update(citizens)
      .set({ profile, prefillConsentAt: input.consent ? now.toString() : null, ...(aadhaar ?? {}) })
      .where(eq(citizens.id, citizenId));
    await appendAudit(tx, {
      stream: `citizen:${citizenId}`,
      actor: `citizen:${citizenId}`,
      action: input.consent ? "citizen.profile_saved" : "citizen.consent_withdrawn",
      data: { fields: Object.keys(profile), aadhaar: aadhaar ? aadhaar.aadhaarMasked : undefined },
      at: now.toString(),
    });
  });
}

/** Other citizens with the same Aadhaar (by keyed hash), for duplicate detection. */
export async function citizensWithSameAadhaar(q: Queryable, citizen: Citizen): Promise<number[]> {
  if (!citizen.aadhaarHash) return [];
  const rows = await q
    .select({ id: citizens.id })
    .from(citizens)
    .where(
      sql`${citizens.aadhaarHash} = ${citizen.aadhaarHash} and ${citizens.id} <> ${citizen.id}`,
    );
  return rows.map((r) => r.id);
}

/** Every application filed with this mobile number, whatever the channel (online, Sewa Kendra, doorstep, API), newest first. */
export async function applicationsOfCitizen(q: Queryable, citizen: Citizen) {
  return q
    .select({
      reference: applications.reference,
      status: applications.status,
      dueDate: applications.dueDate,
      receivedAt: applications.receivedAt,
      channel: applications.channel,
      serviceId: applications.serviceId,
    })
    .from(applications)
    .where(eq(applications.mobile, citizen.mobile))
    .orderBy(sql`${applications.receivedAt} desc`)
    .limit(200);
}

/**
 * The citizen's unsent definition drafts ("save and come back later"): not
 * expired, not submitted, whose mobile answer is the citizen's (OTP-verified)
 * mobile. Newest first. Drafts a Sewa Kendra operator or facilitator fills
 * for the citizen (assisted, issue 9) are not listed: staff finish those.
 */
export async function draftsOfCitizen(q: Queryable, citizen: Citizen, now: string) {
  return q
    .select({
      id: drafts.id,
      serviceId: drafts.serviceId,
      updatedAt: drafts.updatedAt,
      expiresAt: drafts.expiresAt,
    })
    .from(drafts)
    .where(
      sql`${drafts.definitionId} is not null and ${drafts.applicationId} is null and ${drafts.assisted} is null and ${drafts.expiresAt} > ${now} and ${drafts.data}->>'mobile' = ${citizen.mobile}`,
    )
    .orderBy(sql`${drafts.updatedAt} desc`)
    .limit(50);
}
