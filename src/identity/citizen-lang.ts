/**
 * The signed-in citizen's language (issue 7: "the choice is remembered in a
 * cookie and in the citizen's profile"). `citizens.lang` holds `pa`, `hi` or
 * `en`, or null when the citizen never chose; the notification consumer
 * (src/notifications/consumer.ts) sends SMS and email in it (Punjabi when null).
 *
 * Rules: an explicit switch (`?lang=`) by a signed-in citizen is saved; at
 * sign-in an explicit cookie choice is saved, else a saved language is
 * adopted; a signed-in visitor without a cookie sees their saved language
 * before `Accept-Language`.
 */
import { eq, sql } from "drizzle-orm";
import type { FastifyRequest } from "fastify";
import { CITIZEN_COOKIE, citizenSession } from "../applications/grants.ts";
import { type Queryable, rows } from "../db/client.ts";
import { citizens } from "../db/schema.ts";

const LANGS = new Set(["pa", "hi", "en"]);

/** Saves `lang` as citizen `citizenId`'s language. */
export async function saveCitizenLang(
  q: Queryable,
  citizenId: number,
  lang: string,
): Promise<void> {
  if (!LANGS.has(lang)) return;
  await q.update(citizens).set({ lang }).where(eq(citizens.id, citizenId));
}

/** The saved language of citizen `citizenId`, or undefined. */
export async function citizenLang(q: Queryable, citizenId: number): Promise<string | undefined> {
  const [row] = await rows<{ lang: string | null }>(
    q,
    sql`select lang from citizens where id = ${citizenId}`,
  );
  return row?.lang && LANGS.has(row.lang) ? row.lang : undefined;
}

/** The id of the citizen signed in on this request (by the citizen session cookie), or undefined. */
export async function signedInCitizenId(request: FastifyRequest): Promise<number | undefined> {
  if (!request.cookies[CITIZEN_COOKIE]) return undefined;
  const s = await citizenSession(request);
  return s?.citizenId ?? undefined;
}
