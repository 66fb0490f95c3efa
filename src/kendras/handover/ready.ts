/**
 * Outputs become ready for handover in person when their certificate is
 * issued (issue 9). Kept apart from service.ts so that the certificate module
 * can call it without importing the handover rules (no import cycle).
 *
 * Rule: an application filed at a Sewa Kendra (`channel` `kendra`) or at the
 * doorstep (`doorstep`) is handed over in person against the applicant's OTP;
 * an online application is not (the applicant downloads the certificate).
 */
import { eq } from "drizzle-orm";
import type { Temporal } from "temporal-polyfill";
import type { Queryable } from "../../db/client.ts";
import { handovers, kendras } from "../../db/schema.ts";

/** The filing channels whose outputs are handed over in person. */
export const HANDOVER_CHANNELS: readonly string[] = ["kendra", "doorstep"];

/**
 * Writes the `handovers` row (status `ready`, `readyAt` = `now`, `kendraCode`
 * = the filing centre; null for a doorstep filing) of an application whose
 * certificate was just issued, inside the caller's transaction (the
 * approval's: src/certificates/service.ts `issueCertificate`). Does nothing
 * for an online application, and nothing when the row exists already (a
 * reissued certificate keeps the row and its status).
 * @returns whether a row was written.
 */
export async function markReadyForHandover(
  tx: Queryable,
  app: {
    id: number;
    channel: string;
    kendraCode: string | null;
  },
  now: Temporal.Instant,
): Promise<boolean> {
  if (!HANDOVER_CHANNELS.includes(app.channel)) return false;
  const written = await tx
    .insert(handovers)
    .values({
      applicationId: app.id,
      status: "ready",
      readyAt: now.toString(),
      kendraCode: app.kendraCode,
    })
    .onConflictDoNothing()
    .returning({ id: handovers.applicationId });
  return written.length > 0;
}

/** Where an output was handed over at a counter: the centre's names in en/pa/hi and the counter. */
export type HandoverPlace = {
  kendra?: { en: string; pa: string; hi: string };
  counter: number | null;
};

/**
 * Where the output of application `applicationId` was handed over at a Sewa
 * Kendra counter, for the public timeline (src/applications/service.ts
 * `trackView`, shown in the reader's language), or undefined when it was not
 * handed over at a counter (not yet, or at the doorstep).
 */
export async function handoverPlaceOf(
  q: Queryable,
  applicationId: number,
): Promise<HandoverPlace | undefined> {
  const [h] = await q
    .select({
      status: handovers.status,
      counter: handovers.counter,
      visitId: handovers.visitId,
      en: kendras.nameEn,
      pa: kendras.namePa,
      hi: kendras.nameHi,
    })
    .from(handovers)
    .leftJoin(kendras, eq(kendras.code, handovers.kendraCode))
    .where(eq(handovers.applicationId, applicationId));
  if (!h || h.status !== "handed_over" || h.visitId !== null) return undefined;
  return {
    ...(h.en ? { kendra: { en: h.en, pa: h.pa ?? h.en, hi: h.hi ?? h.en } } : {}),
    counter: h.counter,
  };
}
