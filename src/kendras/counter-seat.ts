/**
 * The counter seat: which Sewa Kendra counter an operator works at in this
 * staff session. An operator picks a counter of a centre their
 * `kendra_operator` or `kendra_manager` posting names (`postings.kendraCode`);
 * the choice is kept in the server-side session (`sessions.data.counter`), so
 * tokens called, applications filed, fees taken and the day close are all
 * attributed to that centre and counter.
 */
import { eq } from "drizzle-orm";
import type { FastifyRequest } from "fastify";
import { DomainError } from "../common/errors.ts";
import type { Queryable } from "../db/client.ts";
import { kendras } from "../db/schema.ts";
import { scopesFor } from "../identity/authorization.ts";
import { resumeSession, saveSessionData } from "../identity/service.ts";
import { STAFF_COOKIE, type Staff } from "../identity/session.ts";

/** A centre code and a counter number (1..the centre's `counters`). */
export type CounterSeat = { kendraCode: string; counter: number };

/** The Sewa Kendra codes the official may work a counter at today (`kendra.counter` postings). */
export function counterKendrasOf(staff: Staff): string[] {
  const codes = scopesFor(staff.principal, "kendra.counter")
    .map((p) => p.kendraCode)
    .filter((c): c is string => typeof c === "string" && c !== "");
  return [...new Set(codes)].sort();
}

/**
 * The seat taken in this session, if it is still allowed by today's postings.
 * Returns undefined when none was taken or the posting no longer covers it.
 */
export async function counterSeatOf(
  request: FastifyRequest,
  staff: Staff,
): Promise<CounterSeat | undefined> {
  const token = request.cookies[STAFF_COOKIE];
  if (!token) return undefined;
  const live = await resumeSession(request.server.deps.database.db, token);
  const seat = live?.session.data.counter as CounterSeat | undefined;
  if (!seat || !counterKendrasOf(staff).includes(seat.kendraCode)) return undefined;
  return seat;
}

/**
 * Takes counter `counter` of centre `kendraCode` for this session.
 * @throws DomainError not_found when the official has no counter posting at that centre;
 *   unprocessable (field `counter`, code `counter.out_of_range`) when the centre has no such counter.
 */
export async function takeCounterSeat(
  request: FastifyRequest,
  staff: Staff,
  seat: CounterSeat,
): Promise<void> {
  if (!counterKendrasOf(staff).includes(seat.kendraCode))
    throw new DomainError("not_found", "No such Sewa Kendra");
  const db = request.server.deps.database.db;
  const counters = await countersOf(db, seat.kendraCode);
  if (!Number.isInteger(seat.counter) || seat.counter < 1 || seat.counter > counters)
    throw new DomainError("unprocessable", "No such counter", [
      { field: "counter", code: "counter.out_of_range", params: { max: counters } },
    ]);
  const token = request.cookies[STAFF_COOKIE] as string;
  const live = await resumeSession(db, token);
  await saveSessionData(db, token, { ...(live?.session.data ?? {}), counter: seat });
}

/** The number of counters of a centre (0 for an unknown code). */
export async function countersOf(q: Queryable, kendraCode: string): Promise<number> {
  const [row] = await q
    .select({ counters: kendras.counters })
    .from(kendras)
    .where(eq(kendras.code, kendraCode));
  return row?.counters ?? 0;
}
