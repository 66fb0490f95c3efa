/**
 * The citizen's browser session (cookie `sewa_citizen`): which applications
 * this browser may see after proving reference number + mobile number
 * (tracking grants), and which citizen is signed in by mobile OTP. Sessions are
 * server-side and expire as identity/service.ts says.
 */
import { sql } from "drizzle-orm";
import type { FastifyReply, FastifyRequest } from "fastify";
import { rows } from "../db/client.ts";
import { resumeSession, saveSessionData, startSession } from "../identity/service.ts";

export const CITIZEN_COOKIE = "sewa_citizen";
/** At most this many applications are remembered per browser session. */
const MAX_GRANTS = 20;

/** The live citizen session: its token, data and signed-in citizen id (or null). */
export async function citizenSession(request: FastifyRequest) {
  const token = request.cookies[CITIZEN_COOKIE];
  if (!token) return undefined;
  const live = await resumeSession(request.server.deps.database.db, token);
  if (!live || live.official) return undefined;
  return { token, data: live.session.data, citizenId: live.session.citizenId };
}

/**
 * Applications this browser may view: those looked up by reference and
 * mobile in this session, and, for a citizen signed in by mobile OTP, every
 * application made with that (verified) mobile number.
 */
export async function citizenGrants(request: FastifyRequest): Promise<number[]> {
  const session = await citizenSession(request);
  const tracked = session?.data.tracked;
  const ids = Array.isArray(tracked)
    ? tracked.filter((x): x is number => typeof x === "number")
    : [];
  if (session?.citizenId) {
    const own = await rows<{ id: string | number }>(
      request.server.deps.database.db,
      sql`select a.id from applications a join citizens c on c.mobile = a.mobile where c.id = ${session.citizenId}`,
    );
    ids.push(...own.map((r) => Number(r.id)));
  }
  return ids;
}

/**
 * Starts a new citizen session (a new token: ASVS 3.2.1), keeping the grants
 * of the old one, optionally signed in as `citizenId`.
 */
export async function rotateCitizenSession(
  request: FastifyRequest,
  reply: FastifyReply,
  data: Record<string, unknown>,
  citizenId: number | null,
): Promise<string> {
  const token = await startSession(
    request.server.deps.database.db,
    null,
    new Date(),
    data,
    citizenId,
  );
  reply.setCookie(CITIZEN_COOKIE, token, {
    path: "/",
    httpOnly: true,
    sameSite: "lax",
    secure: request.server.deps.config.secureCookies,
  });
  return token;
}

/** Merges `patch` into the citizen session's data, starting an anonymous session when there is none. */
export async function updateCitizenSession(
  request: FastifyRequest,
  reply: FastifyReply,
  patch: (data: Record<string, unknown>) => Record<string, unknown>,
): Promise<void> {
  const live = await citizenSession(request);
  if (!live) {
    await rotateCitizenSession(request, reply, patch({}), null);
    return;
  }
  await saveSessionData(request.server.deps.database.db, live.token, patch(live.data));
}

/** Adds an application to this browser's grants. */
export async function startCitizenGrant(
  request: FastifyRequest,
  reply: FastifyReply,
  applicationId: number,
): Promise<void> {
  await updateCitizenSession(request, reply, (data) => {
    const previous = Array.isArray(data.tracked) ? (data.tracked as number[]) : [];
    return {
      ...data,
      tracked: [applicationId, ...previous.filter((id) => id !== applicationId)].slice(
        0,
        MAX_GRANTS,
      ),
    };
  });
}
