/**
 * SQL for applications, drafts, documents and the timeline.
 */
import { and, asc, desc, eq, inArray, isNull, or, sql } from "drizzle-orm";
import { type Queryable, rows } from "../db/client.ts";
import {
  applicationEvents,
  applications,
  districts,
  documents,
  drafts,
  idempotencyKeys,
} from "../db/schema.ts";

export type ApplicationRow = typeof applications.$inferSelect;
export type DraftRow = typeof drafts.$inferSelect;
export type DocumentRow = typeof documents.$inferSelect;
export type EventRow = typeof applicationEvents.$inferSelect;

/** Creates a draft that expires after `ttlDays` calendar days. */
export async function insertDraft(
  q: Queryable,
  d: {
    serviceId: number;
    data: Record<string, unknown>;
    channel: string;
    now: string;
    expiresAt: string;
    definitionId?: number;
  },
): Promise<DraftRow> {
  const [row] = await q
    .insert(drafts)
    .values({
      serviceId: d.serviceId,
      data: d.data,
      channel: d.channel,
      createdAt: d.now,
      updatedAt: d.now,
      expiresAt: d.expiresAt,
      definitionId: d.definitionId ?? null,
    })
    .returning();
  if (!row) throw new Error("insert returned no row");
  return row;
}

/** Replaces a draft's answers. */
export async function updateDraftData(
  q: Queryable,
  id: string,
  data: Record<string, unknown>,
  now: string,
  lastPage?: string,
): Promise<void> {
  await q
    .update(drafts)
    .set({ data, updatedAt: now, ...(lastPage ? { lastPage } : {}) })
    .where(eq(drafts.id, id));
}

/** A draft by id that has not expired at `now` (submitted drafts are returned too). */
export async function findDraft(
  q: Queryable,
  id: string,
  now: string,
): Promise<DraftRow | undefined> {
  if (!isUuid(id)) return undefined;
  const [row] = await q
    .select()
    .from(drafts)
    .where(and(eq(drafts.id, id), sql`${drafts.expiresAt} > ${now}`));
  return row;
}

/** Marks a draft as submitted. */
export async function markDraftSubmitted(
  q: Queryable,
  id: string,
  applicationId: number,
): Promise<void> {
  await q.update(drafts).set({ applicationId }).where(eq(drafts.id, id));
}

/** Records an uploaded document against a draft or an application. */
export async function insertDocument(
  q: Queryable,
  d: typeof documents.$inferInsert,
): Promise<DocumentRow> {
  const [row] = await q.insert(documents).values(d).returning();
  if (!row) throw new Error("insert returned no row");
  return row;
}

/** Documents of a draft not yet attached to an application, oldest first. */
export function draftDocuments(q: Queryable, draftId: string): Promise<DocumentRow[]> {
  return q
    .select()
    .from(documents)
    .where(and(eq(documents.draftId, draftId), isNull(documents.applicationId)))
    .orderBy(asc(documents.seq));
}

/** Removes a document from a draft (only while unattached). */
export async function deleteDraftDocument(
  q: Queryable,
  draftId: string,
  documentId: string,
): Promise<void> {
  if (!isUuid(documentId)) return;
  await q
    .delete(documents)
    .where(
      and(
        eq(documents.id, documentId),
        eq(documents.draftId, draftId),
        isNull(documents.applicationId),
      ),
    );
}

/** Documents among `ids` attached to neither a draft nor an application. */
export function unattachedDocuments(q: Queryable, ids: string[]): Promise<DocumentRow[]> {
  const valid = ids.filter(isUuid);
  if (valid.length === 0) return Promise.resolve([]);
  return q
    .select()
    .from(documents)
    .where(
      and(inArray(documents.id, valid), isNull(documents.applicationId), isNull(documents.draftId)),
    )
    .orderBy(asc(documents.seq));
}

/** Attaches documents to an application. */
export async function attachDocuments(
  q: Queryable,
  ids: string[],
  applicationId: number,
): Promise<void> {
  if (ids.length === 0) return;
  await q.update(documents).set({ applicationId }).where(inArray(documents.id, ids));
}

/** Documents of an application, oldest first. */
export function applicationDocuments(q: Queryable, applicationId: number): Promise<DocumentRow[]> {
  return q
    .select()
    .from(documents)
    .where(eq(documents.applicationId, applicationId))
    .orderBy(asc(documents.seq));
}

/** Draws the next number from the reference sequence. */
export async function nextReferenceNumber(q: Queryable): Promise<number> {
  const [row] = await rows<{ n: string | number }>(
    q,
    sql`select nextval('application_reference_seq') as n`,
  );
  return Number(row?.n);
}

/** The district's 3-letter reference code. */
export async function districtAbbreviation(
  q: Queryable,
  districtCode: number,
): Promise<string | undefined> {
  const [row] = await q
    .select({ a: districts.abbreviation })
    .from(districts)
    .where(eq(districts.code, districtCode));
  return row?.a ?? undefined;
}

/**
 * Inserts an application unless one with the same draft id or idempotency key
 * exists; returns the new row, or undefined when it already existed.
 */
export async function insertApplicationOnce(
  q: Queryable,
  a: typeof applications.$inferInsert,
): Promise<ApplicationRow | undefined> {
  const [row] = await q.insert(applications).values(a).onConflictDoNothing().returning();
  return row;
}

/** The application created from a draft or with an idempotency key. */
export async function findApplicationBy(
  q: Queryable,
  by: { id?: number; draftId?: string; idempotencyKey?: string; reference?: string },
): Promise<ApplicationRow | undefined> {
  const where =
    by.id !== undefined
      ? eq(applications.id, by.id)
      : by.draftId
        ? eq(applications.draftId, by.draftId)
        : by.idempotencyKey
          ? eq(applications.idempotencyKey, by.idempotencyKey)
          : by.reference
            ? eq(applications.reference, by.reference)
            : undefined;
  if (!where) return undefined;
  const [row] = await q.select().from(applications).where(where);
  return row;
}

/**
 * Updates status, due date and data only if the version is still `expectedVersion`
 * (optimistic concurrency); returns the new row, or undefined when stale.
 */
export async function updateApplicationIfVersion(
  q: Queryable,
  id: number,
  expectedVersion: number,
  set: Partial<
    Pick<
      ApplicationRow,
      | "orderedDueDate"
      | "overdueSince"
      | "atRiskSince"
      | "status"
      | "dueDate"
      | "decidedAt"
      | "formData"
      | "applicantName"
      | "mobile"
      | "updatedAt"
      | "stage"
    >
  >,
): Promise<ApplicationRow | undefined> {
  const [row] = await q
    .update(applications)
    .set({ ...set, version: sql`${applications.version} + 1` })
    .where(and(eq(applications.id, id), eq(applications.version, expectedVersion)))
    .returning();
  return row;
}

/** Appends a timeline event. */
export async function insertEvent(
  q: Queryable,
  e: typeof applicationEvents.$inferInsert,
): Promise<void> {
  await q.insert(applicationEvents).values(e);
}

/** The timeline of an application, in order. */
export function events(q: Queryable, applicationId: number): Promise<EventRow[]> {
  return q
    .select()
    .from(applicationEvents)
    .where(eq(applicationEvents.applicationId, applicationId))
    .orderBy(asc(applicationEvents.at), asc(applicationEvents.id));
}

/**
 * Applications with the given statuses inside any of `scopes` (a posting's
 * state, district or tehsil, and department), by due date (paused ones last),
 * then age. No scope: nothing.
 */
export async function inbox(
  q: Queryable,
  filter: {
    scopes: Array<{
      level: string;
      districtCode: number | null;
      tehsilCode: number | null;
      departmentId: number | null;
    }>;
    statuses: string[];
    limit: number;
  },
): Promise<ApplicationRow[]> {
  const scopeConditions = filter.scopes.map((p) =>
    and(
      p.level === "district" && p.districtCode !== null
        ? eq(applications.districtCode, p.districtCode)
        : undefined,
      p.level === "tehsil" && p.tehsilCode !== null
        ? eq(applications.tehsilCode, p.tehsilCode)
        : undefined,
      p.departmentId !== null ? eq(applications.departmentId, p.departmentId) : undefined,
      sql`true`,
    ),
  );
  if (scopeConditions.length === 0) return [];
  return q
    .select()
    .from(applications)
    .where(and(inArray(applications.status, filter.statuses), or(...scopeConditions)))
    .orderBy(sql`${applications.dueDate} asc nulls last`, asc(applications.receivedAt))
    .limit(filter.limit);
}

/** Most recent applications (for demo seeding summaries). */
export function recentApplications(q: Queryable, limit: number): Promise<ApplicationRow[]> {
  return q.select().from(applications).orderBy(desc(applications.id)).limit(limit);
}

function isUuid(s: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s);
}

/** Records the result of a write made with an `Idempotency-Key`. */
export async function insertIdempotencyKey(
  q: Queryable,
  k: typeof idempotencyKeys.$inferInsert,
): Promise<void> {
  await q.insert(idempotencyKeys).values(k).onConflictDoNothing();
}

/** The stored result of a write made with this key. */
export async function findIdempotencyKey(q: Queryable, key: string) {
  const [row] = await q.select().from(idempotencyKeys).where(eq(idempotencyKeys.key, key));
  return row;
}

/** Replaces an application's stored answers (same transaction as its filing only). */
export async function setFormData(
  q: Queryable,
  id: number,
  formData: Record<string, unknown>,
): Promise<void> {
  await q.update(applications).set({ formData }).where(eq(applications.id, id));
}
