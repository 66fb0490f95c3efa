/**
 * Tracking grants: after a citizen proves reference number + mobile number,
 * the application is added to a server-side session (cookie `sewa_citizen`),
 * so the track page and its documents can be reached without sending the
 * mobile number in URLs. Sessions expire as identity/service.ts says.
 */
import type { FastifyReply, FastifyRequest } from "fastify";
import { resumeSession, saveSessionData, startSession } from "../identity/service.ts";

const COOKIE = "sewa_citizen";
/** At most this many applications are remembered per browser session. */
const MAX_GRANTS = 20;

/** Applications this browser may view. */
export async function citizenGrants(request: FastifyRequest): Promise<number[]> {
  const token = request.cookies[COOKIE];
  if (!token) return [];
  const live = await resumeSession(request.server.deps.database.db, token);
  if (!live || live.official) return [];
  const tracked = live.session.data.tracked;
  return Array.isArray(tracked) ? tracked.filter((x): x is number => typeof x === "number") : [];
}

/** Adds an application to this browser's grants, starting a session when needed. */
export async function startCitizenGrant(
  request: FastifyRequest,
  reply: FastifyReply,
  applicationId: number,
): Promise<void> {
  const { db } = request.server.deps.database;
  let token = request.cookies[COOKIE];
  const live = token ? await resumeSession(db, token) : undefined;
  if (!token || !live || live.official) {
    token = await startSession(db, null);
    reply.setCookie(COOKIE, token, {
      path: "/",
      httpOnly: true,
      sameSite: "lax",
      secure: request.server.deps.config.secureCookies,
    });
  }
  const previous =
    live && !live.official && Array.isArray(live.session.data.tracked)
      ? (live.session.data.tracked as number[])
      : [];
  const tracked = [applicationId, ...previous.filter((id) => id !== applicationId)].slice(
    0,
    MAX_GRANTS,
  );
  await saveSessionData(db, token, { tracked });
}
