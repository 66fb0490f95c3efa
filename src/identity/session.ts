/**
 * Staff session handling for routes: the `sewa_staff` cookie and a guard that
 * sends anonymous users to the login page (pages) or answers 401 (API).
 */
import type { FastifyReply, FastifyRequest } from "fastify";
import { DomainError } from "../common/errors.ts";
import { endSession, type Official, resumeSession, startSession } from "./service.ts";

export const STAFF_COOKIE = "sewa_staff";

/** The logged-in official, or undefined. */
export async function currentOfficial(request: FastifyRequest): Promise<Official | undefined> {
  const token = request.cookies[STAFF_COOKIE];
  if (!token) return undefined;
  const live = await resumeSession(request.server.deps.database.db, token);
  return live?.official ?? undefined;
}

/**
 * The logged-in official, optionally required to hold one of `roles`.
 * @throws DomainError unauthorized (no session) or not_found (wrong role: the page does not exist for them).
 */
export async function requireOfficial(
  request: FastifyRequest,
  roles?: readonly string[],
): Promise<Official> {
  const official = await currentOfficial(request);
  if (!official) throw new DomainError("unauthorized", "Sign in to continue");
  if (roles && !roles.includes(official.role)) throw new DomainError("not_found", "No such page");
  return official;
}

/** Starts a staff session and sets its cookie. */
export async function signIn(
  request: FastifyRequest,
  reply: FastifyReply,
  official: Official,
): Promise<void> {
  const token = await startSession(request.server.deps.database.db, official.id);
  reply.setCookie(STAFF_COOKIE, token, {
    path: "/",
    httpOnly: true,
    sameSite: "lax",
    secure: request.server.deps.config.secureCookies,
  });
}

/** Ends the staff session and clears its cookie. */
export async function signOut(request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const token = request.cookies[STAFF_COOKIE];
  if (token) await endSession(request.server.deps.database.db, token);
  reply.clearCookie(STAFF_COOKIE, { path: "/" });
}
