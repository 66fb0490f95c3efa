/**
 * Identity: officials (password login) and server-side sessions.
 *
 * Passwords: argon2id (OWASP ASVS 2.4.1). Sessions: a 256-bit random token in
 * an HttpOnly cookie; only its SHA-256 is stored (ASVS 3.x). Expiry: 30 minutes
 * idle and 12 hours absolute (ASVS 3.3.1, 3.3.2).
 */
import { createHash, randomBytes } from "node:crypto";
import { hash, verify } from "@node-rs/argon2";
import { appendAudit } from "../audit/service.ts";
import type { Queryable } from "../db/client.ts";
import * as repo from "./repository.ts";
import { isStaffRole } from "./roles.ts";

export type { Official, Session } from "./repository.ts";
export { findOfficialByUsername } from "./repository.ts";

/** Idle session limit, minutes. */
export const SESSION_IDLE_MINUTES = 30;
/** Absolute session limit, hours. */
export const SESSION_ABSOLUTE_HOURS = 12;

/** A valid argon2id hash of a random secret, used to spend equal time when the username is unknown. */
let dummyHash: Promise<string> | undefined;

/** Fields to create or update an official. */
export type NewOfficial = {
  username: string;
  password: string;
  name: string;
  designation: string;
  role: string;
  districtCode: number | null;
  departmentId?: number | null;
};

/**
 * Creates (or updates, by username) an official.
 * @throws Error when the role is unknown, the username is malformed, or the password is shorter than 12 characters.
 */
export async function createOfficial(
  q: Queryable,
  o: NewOfficial,
  actor = "system",
): Promise<repo.Official> {
  if (!isStaffRole(o.role)) throw new Error(`unknown role: ${o.role}`);
  if (!/^[a-z0-9][a-z0-9._-]{2,63}$/.test(o.username)) {
    throw new Error(
      "username must be 3-64 characters: lower-case letters, digits, dot, hyphen, underscore",
    );
  }
  if (o.password.length < 12) throw new Error("password must be at least 12 characters");
  const official = await repo.upsertOfficial(q, {
    username: o.username,
    passwordHash: await hash(o.password),
    name: o.name,
    designation: o.designation,
    role: o.role,
    districtCode: o.districtCode,
    departmentId: o.departmentId ?? null,
  });
  await appendAudit(q, {
    stream: `official:${official.id}`,
    actor,
    action: "official.saved",
    data: { username: o.username, role: o.role, districtCode: o.districtCode },
    at: new Date().toISOString(),
  });
  return official;
}

/** Checks a username and password. Returns the official, or undefined (same timing either way). */
export async function authenticate(
  q: Queryable,
  username: string,
  password: string,
): Promise<repo.Official | undefined> {
  const official = await repo.findOfficialByUsername(q, username.trim().toLowerCase());
  if (!official) {
    dummyHash ??= hash(randomBytes(16).toString("hex"));
    await verify(await dummyHash, password).catch(() => false);
    return undefined;
  }
  return (await verify(official.passwordHash, password).catch(() => false)) ? official : undefined;
}

const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");

/** Starts a session; returns the cookie token (only its hash is stored). */
export async function startSession(
  q: Queryable,
  officialId: number | null,
  now = new Date(),
): Promise<string> {
  const token = randomBytes(32).toString("base64url");
  await repo.insertSession(q, {
    idHash: sha256(token),
    officialId,
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
