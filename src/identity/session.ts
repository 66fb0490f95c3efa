/**
 * Staff sessions for routes: the `sewa_staff` cookie, the two sign-in stages
 * (password, then TOTP: the session counts only once `mfa` is true), and the
 * guards every staff route uses.
 */
import type { FastifyReply, FastifyRequest } from "fastify";
import { DomainError } from "../common/errors.ts";
import { istDateOf } from "../sla/clock.ts";
import { can, type Permission, type Principal, type RecordScope } from "./authorization.ts";
import {
  endSession,
  type Official,
  principalOf,
  resumeSession,
  saveSessionData,
  startSession,
} from "./service.ts";

export const STAFF_COOKIE = "sewa_staff";

/** A signed-in official with the postings active today. */
export type Staff = { official: Official; principal: Principal };

/** The live staff session, fully signed in or not. */
async function liveSession(request: FastifyRequest) {
  const token = request.cookies[STAFF_COOKIE];
  if (!token) return undefined;
  const live = await resumeSession(request.server.deps.database.db, token);
  if (!live?.official) return undefined;
  return { token, official: live.official, data: live.session.data };
}

/** The official whose password was accepted but who has not passed TOTP yet. */
export async function pendingOfficial(
  request: FastifyRequest,
): Promise<{ token: string; official: Official } | undefined> {
  const s = await liveSession(request);
  return s && s.data.mfa !== true ? { token: s.token, official: s.official } : undefined;
}

/** The fully signed-in official and their principal, or undefined. */
export async function currentStaff(request: FastifyRequest): Promise<Staff | undefined> {
  const s = await liveSession(request);
  if (!s || s.data.mfa !== true) return undefined;
  const today = istDateOf(request.server.deps.clock.now());
  return {
    official: s.official,
    principal: await principalOf(request.server.deps.database.db, s.official.id, today),
  };
}

/**
 * The signed-in staff member, optionally required to hold `permission` (on `record`).
 * @throws DomainError unauthorized (not signed in) or not_found (no such page or record for them: 404, not 403).
 */
export async function requireStaff(
  request: FastifyRequest,
  permission?: Permission,
  record?: RecordScope,
): Promise<Staff> {
  const staff = await currentStaff(request);
  if (!staff) throw new DomainError("unauthorized", "Sign in to continue");
  if (permission && !can(staff.principal, permission, record))
    throw new DomainError("not_found", "No such page");
  return staff;
}

/** Starts a staff session after the password (stage 1). */
export async function signInPassword(
  request: FastifyRequest,
  reply: FastifyReply,
  official: Official,
): Promise<void> {
  const token = await startSession(request.server.deps.database.db, official.id, new Date(), {
    mfa: false,
  });
  reply.setCookie(STAFF_COOKIE, token, {
    path: "/",
    httpOnly: true,
    sameSite: "lax",
    secure: request.server.deps.config.secureCookies,
  });
}

/** Marks the session as fully signed in after TOTP (stage 2). */
export async function completeSignIn(request: FastifyRequest, token: string): Promise<void> {
  await saveSessionData(request.server.deps.database.db, token, { mfa: true });
}

/** Ends the staff session and clears its cookie. */
export async function signOut(request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const token = request.cookies[STAFF_COOKIE];
  if (token) await endSession(request.server.deps.database.db, token);
  reply.clearCookie(STAFF_COOKIE, { path: "/" });
}

/** Sends an anonymous user to sign in (pages); returns undefined then, else the staff member. */
export async function staffOrRedirect(
  request: FastifyRequest,
  reply: FastifyReply,
  permission?: Permission,
): Promise<Staff | undefined> {
  try {
    return await requireStaff(request, permission);
  } catch (e) {
    if (e instanceof DomainError && e.kind === "unauthorized") {
      reply.redirect(`/staff/login?next=${encodeURIComponent(request.url)}`, 303);
      return undefined;
    }
    throw e;
  }
}
