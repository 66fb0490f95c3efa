/**
 * One-time codes for citizen sign-in by mobile number (OWASP ASVS 2.7):
 * - 6 digits, from a CSPRNG, valid {@link OTP_VALID_MINUTES} minutes;
 * - stored only as an HMAC-SHA256 under the server secret;
 * - a new code at most every {@link OTP_RESEND_SECONDS} seconds, at most
 *   {@link OTP_MAX_PER_DAY} a day (IST) per number;
 * - at most {@link OTP_MAX_ATTEMPTS} attempts per code, then it is spent;
 * - a code works once, for its purpose and subject only: a sign-in code
 *   (`sign_in`), a consent code for one assisted application (`consent`,
 *   subject: the draft) or a handover code for one output (`handover`,
 *   subject: the application reference) cannot stand in for another.
 * Per-IP request limits are applied by the routes (src/web/limits.ts).
 */
import { createHmac, randomInt, timingSafeEqual } from "node:crypto";
import { and, desc, eq, gte, isNull, sql } from "drizzle-orm";
import { Temporal } from "temporal-polyfill";
import { DomainError } from "../common/errors.ts";
import { instantOf } from "../common/time.ts";
import type { Queryable } from "../db/client.ts";
import { otpCodes } from "../db/schema.ts";
import { istDateOf, startOfIstDay } from "../sla/clock.ts";

export const OTP_VALID_MINUTES = 10;
export const OTP_RESEND_SECONDS = 30;
export const OTP_MAX_PER_DAY = 10;
export const OTP_MAX_ATTEMPTS = 5;

/** What a code is for (`otp_codes.purpose`). */
export type OtpPurpose = "sign_in" | "consent" | "handover";

/** A code's purpose and, except for sign-in, what it is bound to (a draft id, a reference). */
export type OtpScope = { purpose: OtpPurpose; subject?: string };

const SIGN_IN: OtpScope = { purpose: "sign_in" };

const hmac = (key: string, mobile: string, code: string, scope: OtpScope) =>
  createHmac("sha256", key)
    .update(
      scope.purpose === "sign_in"
        ? `otp:${mobile}:${code}`
        : `otp:${scope.purpose}:${scope.subject ?? ""}:${mobile}:${code}`,
    )
    .digest("hex");

const scopeMatches = (scope: OtpScope) =>
  and(
    eq(otpCodes.purpose, scope.purpose),
    scope.subject === undefined ? isNull(otpCodes.subject) : eq(otpCodes.subject, scope.subject),
  );

/**
 * Issues a new code for `mobile` (10 digits) and `scope` (default: sign-in)
 * and returns it for sending. The daily limit counts every purpose.
 * @throws DomainError conflict ("wait") within 30 s of the previous code, or unprocessable ("daily limit") after 10 today.
 */
export async function issueOtp(
  q: Queryable,
  key: string,
  mobile: string,
  now: Temporal.Instant,
  scope: OtpScope = SIGN_IN,
): Promise<string> {
  const dayStart = startOfIstDay(istDateOf(now)).toString();
  const today = await q
    .select({ createdAt: otpCodes.createdAt })
    .from(otpCodes)
    .where(and(eq(otpCodes.mobile, mobile), gte(otpCodes.createdAt, dayStart)))
    .orderBy(desc(otpCodes.createdAt));
  if (today.length >= OTP_MAX_PER_DAY) {
    throw new DomainError("unprocessable", "Too many codes today", [
      { field: "mobile", code: "otp.daily_limit", params: { max: OTP_MAX_PER_DAY } },
    ]);
  }
  const [last] = await q
    .select({ createdAt: otpCodes.createdAt })
    .from(otpCodes)
    .where(and(eq(otpCodes.mobile, mobile), gte(otpCodes.createdAt, dayStart), scopeMatches(scope)))
    .orderBy(desc(otpCodes.createdAt))
    .limit(1);
  if (
    last &&
    Temporal.Instant.compare(now, instantOf(last.createdAt).add({ seconds: OTP_RESEND_SECONDS })) <
      0
  ) {
    throw new DomainError("conflict", "Wait before asking for another code", [
      { field: "mobile", code: "otp.wait", params: { seconds: OTP_RESEND_SECONDS } },
    ]);
  }
  const code = String(randomInt(0, 1_000_000)).padStart(6, "0");
  await q.insert(otpCodes).values({
    mobile,
    codeHash: hmac(key, mobile, code, scope),
    purpose: scope.purpose,
    subject: scope.subject ?? null,
    createdAt: now.toString(),
    expiresAt: now.add({ minutes: OTP_VALID_MINUTES }).toString(),
  });
  return code;
}

/**
 * Checks a code against the latest live code of `mobile` for `scope` (default:
 * sign-in), counting the attempt.
 * Returns true once per code; false for a wrong, expired, spent or exhausted code.
 */
export async function verifyOtp(
  q: Queryable,
  key: string,
  mobile: string,
  code: string,
  now: Temporal.Instant,
  scope: OtpScope = SIGN_IN,
): Promise<boolean> {
  const [live] = await q
    .select()
    .from(otpCodes)
    .where(
      and(
        eq(otpCodes.mobile, mobile),
        scopeMatches(scope),
        isNull(otpCodes.consumedAt),
        gte(otpCodes.expiresAt, now.toString()),
      ),
    )
    .orderBy(desc(otpCodes.createdAt))
    .limit(1);
  if (!live || live.attempts >= OTP_MAX_ATTEMPTS) return false;
  const [counted] = await q
    .update(otpCodes)
    .set({ attempts: sql`${otpCodes.attempts} + 1` })
    .where(
      and(
        eq(otpCodes.id, live.id),
        sql`${otpCodes.attempts} < ${OTP_MAX_ATTEMPTS}`,
        isNull(otpCodes.consumedAt),
      ),
    )
    .returning({ attempts: otpCodes.attempts });
  if (!counted) return false;
  const expected = Buffer.from(live.codeHash, "hex");
  const given = Buffer.from(hmac(key, mobile, /^\d{6}$/.test(code) ? code : "x", scope), "hex");
  if (!timingSafeEqual(expected, given)) return false;
  const [consumed] = await q
    .update(otpCodes)
    .set({ consumedAt: now.toString() })
    .where(and(eq(otpCodes.id, live.id), isNull(otpCodes.consumedAt)))
    .returning({ id: otpCodes.id });
  return consumed !== undefined;
}
