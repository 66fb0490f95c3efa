/**
 * Who may open an assisted draft (issue 9). A draft that a Sewa Kendra
 * operator or a facilitator (Sewa Sahayak) fills for a citizen carries its
 * assisted context in `drafts.assisted`; the citizen's pages
 * (src/applications/routes.ts and definition-routes.ts) call
 * {@link assistedDraftAccess} on every request, so only the official who
 * started it, or a staff user with `application.assist` at the same Sewa
 * Kendra, can open it. Anyone else (a citizen, an anonymous visitor with the
 * URL, staff elsewhere) gets 404, as for any record outside one's postings.
 */
import type { FastifyRequest } from "fastify";
import { DomainError } from "../../common/errors.ts";
import { can } from "../../identity/authorization.ts";
import { currentStaff, type Staff } from "../../identity/session.ts";
import { counterKendrasOf } from "../counter-seat.ts";

/**
 * The assisted context of a draft (`drafts.assisted`): the channel (`kendra`
 * or `doorstep`), the official who fills it, and where: the Sewa Kendra code
 * and counter, or the doorstep visit id; the queue token served, if any.
 */
export type AssistedContext = {
  channel: "kendra" | "doorstep";
  officialId: number;
  kendraCode?: string;
  counter?: number;
  visitId?: number;
  tokenId?: number;
};

/** The assisted context stored on a draft, or undefined for a citizen's own draft. */
export function assistedOf(draft: { assisted?: unknown }): AssistedContext | undefined {
  const a = draft.assisted as Partial<AssistedContext> | null | undefined;
  if (!a || typeof a.officialId !== "number") return undefined;
  return a as AssistedContext;
}

/** Whether `staff` may work on a draft assisted as `a`: its official, or `application.assist` at its centre. */
export function mayAssist(staff: Staff, a: AssistedContext): boolean {
  if (!can(staff.principal, "application.assist")) return false;
  if (staff.official.id === a.officialId) return true;
  return a.kendraCode !== undefined && counterKendrasOf(staff).includes(a.kendraCode);
}

/**
 * Checks the request may open `draft`. Returns undefined for a citizen's own
 * draft (no check here: its id is the capability), else the assisted context
 * and the staff user working on it.
 * @throws DomainError not_found when the draft is assisted and the request is
 *   not from a fully signed-in official allowed by {@link mayAssist}.
 */
export async function assistedDraftAccess(
  request: FastifyRequest,
  draft: { assisted?: unknown },
): Promise<{ assisted: AssistedContext; staff: Staff } | undefined> {
  const assisted = assistedOf(draft);
  if (!assisted) return undefined;
  const staff = await currentStaff(request);
  if (!staff || !mayAssist(staff, assisted))
    throw new DomainError("not_found", "This draft does not exist or has expired");
  return { assisted, staff };
}
