/**
 * Service definition versions in the database (issue 3 "Versioning"): a PMU
 * analyst saves a definition as a draft, marks it reviewed, publishes it
 * (an immutable version: a database trigger refuses any later change to its
 * text) and retires it. Publishing links the definition to its catalog
 * service (created when the schedule does not list it yet) and switches that
 * service to the definition's form; applications keep the version they were
 * filed under (`applications.definition_id`).
 *
 * Statuses: `draft` (editable) → `published` (live; at most one per code) →
 * `superseded` (a later version was published) or `retired` (withdrawn; the
 * service falls back to the generic form). Every change is audited in the
 * stream `definition:<code>`.
 */
import { createHash } from "node:crypto";
import { and, desc, eq, sql } from "drizzle-orm";
import type { Temporal } from "temporal-polyfill";
import { appendAudit } from "../../audit/service.ts";
import { DomainError } from "../../common/errors.ts";
import { type Db, type Queryable, rows } from "../../db/client.ts";
import { departments, serviceDefinitions, services } from "../../db/schema.ts";
import { computeFee } from "./fees.ts";
import { lintDefinition } from "./lint.ts";
import { parseDefinition } from "./load.ts";
import type { LintIssue, ServiceDefinition } from "./types.ts";

/** A stored version. */
export type DefinitionVersion = typeof serviceDefinitions.$inferSelect;

/** A stored version with its definition typed. */
export type LiveDefinition = { id: number; version: number; definition: ServiceDefinition };

/** The service list name given to catalog rows created for definitions the schedule does not list. */
export const DEFINITIONS_SERVICE_LIST = "Service definitions (data/services)";

/** The file name a definition must have, used as the `file` of its lint issues. */
export function canonicalFile(def: Pick<ServiceDefinition, "department" | "code">): string {
  return `data/services/${def.department}/${def.code}.yaml`;
}

/**
 * Parses and lints definition text. Pure.
 * @param file the name to report (an upload's name; the canonical name when absent).
 * @returns the definition (when it parses) and every issue, errors first.
 */
export function checkDefinitionText(
  source: string,
  file?: string,
): { definition?: ServiceDefinition; issues: LintIssue[] } {
  const loaded = parseDefinition(source, file ?? "definition.yaml");
  if (!loaded.ok) return { issues: loaded.errors };
  const name = file ?? canonicalFile(loaded.definition);
  const issues = lintDefinition(loaded.definition, name, loaded.lineOf);
  issues.sort((a, b) => (a.severity === b.severity ? 0 : a.severity === "error" ? -1 : 1));
  return { definition: loaded.definition, issues };
}

const hasErrors = (issues: LintIssue[]) => issues.some((i) => i.severity === "error");
const iso = (i: Temporal.Instant) => i.toString();
const sha256 = (s: string) => createHash("sha256").update(s, "utf8").digest("hex");

/**
 * Saves definition text as a draft: updates the code's open draft, or starts
 * the next version when the latest is not a draft. Drafts may have lint
 * errors (publishing refuses them); text that does not parse is refused.
 * @returns the draft and the lint issues.
 * @throws DomainError validation (with the issues as `fields`) when the text does not parse or fit the schema.
 */
export async function saveDefinitionDraft(
  db: Db,
  s: { source: string; by: string; now: Temporal.Instant; file?: string },
): Promise<{ draft: DefinitionVersion; issues: LintIssue[] }> {
  const { definition, issues } = checkDefinitionText(s.source, s.file);
  if (!definition)
    throw new DomainError(
      "validation",
      "The definition could not be read",
      issues.map((i) => ({ field: i.path, code: i.code, params: { message: i.message } })),
    );
  const draft = await db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${definition.code}, 7))`);
    const latest = await latestVersion(tx, definition.code);
    const values = {
      source: s.source,
      definition: definition as unknown as Record<string, unknown>,
      sha256: sha256(s.source),
      updatedAt: iso(s.now),
      reviewedAt: null,
      reviewedBy: null,
    };
    const [row] =
      latest?.status === "draft"
        ? await tx
            .update(serviceDefinitions)
            .set(values)
            .where(eq(serviceDefinitions.id, latest.id))
            .returning()
        : await tx
            .insert(serviceDefinitions)
            .values({
              ...values,
              code: definition.code,
              version: (latest?.version ?? 0) + 1,
              status: "draft",
              createdBy: s.by,
              createdAt: iso(s.now),
            })
            .returning();
    if (!row) throw new Error("draft not saved");
    await appendAudit(tx, {
      stream: `definition:${definition.code}`,
      actor: s.by,
      action: "definition.draft_saved",
      data: { version: row.version, sha256: row.sha256, errors: issues.length },
      at: iso(s.now),
    });
    return row;
  });
  return { draft, issues };
}

/** The latest version of a code, any status. */
export async function latestVersion(q: Queryable, code: string) {
  const rows = await q
    .select()
    .from(serviceDefinitions)
    .where(eq(serviceDefinitions.code, code))
    .orderBy(desc(serviceDefinitions.version))
    .limit(1);
  return rows[0];
}

/** Every version of a code, newest first. */
export function versionsOf(q: Queryable, code: string): Promise<DefinitionVersion[]> {
  return q
    .select()
    .from(serviceDefinitions)
    .where(eq(serviceDefinitions.code, code))
    .orderBy(desc(serviceDefinitions.version));
}

/** One version by id. */
export async function findVersion(q: Queryable, id: number) {
  const rows = await q.select().from(serviceDefinitions).where(eq(serviceDefinitions.id, id));
  return rows[0];
}

/** Marks a draft reviewed (the onboarding board's "reviewed" stage). @throws DomainError not_found, invalid_transition (not a draft). */
export async function markReviewed(db: Db, id: number, by: string, now: Temporal.Instant) {
  return db.transaction(async (tx) => {
    const row = await draftOrThrow(tx, id);
    await tx
      .update(serviceDefinitions)
      .set({ reviewedAt: iso(now), reviewedBy: by })
      .where(eq(serviceDefinitions.id, id));
    await appendAudit(tx, {
      stream: `definition:${row.code}`,
      actor: by,
      action: "definition.reviewed",
      data: { version: row.version },
      at: iso(now),
    });
  });
}

async function draftOrThrow(tx: Queryable, id: number): Promise<DefinitionVersion> {
  const row = await findVersion(tx, id);
  if (!row) throw new DomainError("not_found", "No such definition version");
  if (row.status !== "draft")
    throw new DomainError(
      "invalid_transition",
      `Version ${row.version} of ${row.code} is ${row.status}; only a draft can change`,
    );
  return row;
}

/**
 * Publishes a draft: it becomes the live version of its code (the previous
 * live one is superseded), its catalog service is created or updated from
 * the definition (names, time limit, officers, the fee for one online copy)
 * and switched to the definition's form. One transaction.
 * @throws DomainError not_found, invalid_transition (not a draft), validation (lint errors, as `fields`).
 */
export async function publishDefinition(
  db: Db,
  id: number,
  by: string,
  now: Temporal.Instant,
): Promise<DefinitionVersion> {
  return db.transaction(async (tx) => {
    const row = await draftOrThrow(tx, id);
    const { definition, issues } = checkDefinitionText(row.source);
    if (!definition || hasErrors(issues))
      throw new DomainError(
        "validation",
        "Fix the lint errors before publishing",
        issues
          .filter((i) => i.severity === "error")
          .map((i) => ({ field: i.path, code: i.code, params: { message: i.message } })),
      );
    await tx
      .update(serviceDefinitions)
      .set({ status: "superseded", updatedAt: iso(now) })
      .where(
        and(eq(serviceDefinitions.code, row.code), eq(serviceDefinitions.status, "published")),
      );
    const serviceId = await upsertCatalogService(tx, definition);
    const [published] = await tx
      .update(serviceDefinitions)
      .set({
        status: "published",
        publishedAt: iso(now),
        publishedBy: by,
        serviceId,
        updatedAt: iso(now),
      })
      .where(eq(serviceDefinitions.id, id))
      .returning();
    if (!published) throw new Error("definition not published");
    await appendAudit(tx, {
      stream: `definition:${row.code}`,
      actor: by,
      action: "definition.published",
      data: { version: row.version, sha256: row.sha256, serviceId },
      at: iso(now),
    });
    return published;
  });
}

/**
 * Retires the live version: new applications use the generic form again;
 * applications already filed keep their version.
 * @throws DomainError not_found, invalid_transition (not published).
 */
export async function retireDefinition(db: Db, id: number, by: string, now: Temporal.Instant) {
  return db.transaction(async (tx) => {
    const row = await findVersion(tx, id);
    if (!row) throw new DomainError("not_found", "No such definition version");
    if (row.status !== "published")
      throw new DomainError("invalid_transition", "Only the published version can be retired");
    await tx
      .update(serviceDefinitions)
      .set({ status: "retired", retiredAt: iso(now), updatedAt: iso(now) })
      .where(eq(serviceDefinitions.id, id));
    if (row.serviceId !== null)
      await tx.update(services).set({ form: "generic" }).where(eq(services.id, row.serviceId));
    await appendAudit(tx, {
      stream: `definition:${row.code}`,
      actor: by,
      action: "definition.retired",
      data: { version: row.version },
      at: iso(now),
    });
  });
}

/** Creates or updates the catalog row of a definition; returns its id. */
async function upsertCatalogService(tx: Queryable, def: ServiceDefinition): Promise<number> {
  await tx
    .insert(departments)
    .values({ code: def.department, name: titleOf(def.department) })
    .onConflictDoNothing();
  const [dept] = await tx
    .select({ id: departments.id })
    .from(departments)
    .where(eq(departments.code, def.department));
  if (!dept) throw new Error(`department ${def.department} missing`);
  const roleName = (id: string | undefined) => def.roles.find((r) => r.id === id)?.name.en ?? "";
  let fee: number | null = null;
  try {
    fee = computeFee(def.fees, { channel: "online", copies: 1 }).paise;
  } catch {
    fee = null;
  }
  const values = {
    departmentId: dept.id,
    act: def.act,
    name: def.name.en,
    namePa: def.name.pa ?? "",
    nameHi: def.name.hi ?? "",
    timeLimitDays: def.timeLimit.days,
    timeLimitBasis: def.timeLimit.basis,
    designatedOfficer: roleName(def.designatedOfficer),
    firstAppellateAuthority: roleName(def.firstAppellateAuthority),
    secondAppellateAuthority: roleName(def.secondAppellateAuthority),
    feePaise: fee,
    form: "definition",
    updatedAt: sql`now()`,
  };
  const [row] = await tx
    .insert(services)
    .values({ ...values, code: def.code, serviceList: DEFINITIONS_SERVICE_LIST, serial: def.code })
    .onConflictDoUpdate({ target: services.code, set: values })
    .returning({ id: services.id });
  if (!row) throw new Error(`service ${def.code} not saved`);
  return row.id;
}

function titleOf(slug: string): string {
  const words = slug.split("-").join(" ");
  return words.charAt(0).toUpperCase() + words.slice(1);
}

const cache = new Map<number, ServiceDefinition>();

/**
 * The definition of a version that has left draft (immutable, so cached by id).
 * @throws DomainError not_found when the id is unknown.
 */
export async function definitionOf(q: Queryable, id: number): Promise<ServiceDefinition> {
  const hit = cache.get(id);
  if (hit) return hit;
  const row = await findVersion(q, id);
  if (!row) throw new DomainError("not_found", "No such definition version");
  const def = row.definition as unknown as ServiceDefinition;
  if (row.status !== "draft") cache.set(id, def);
  return def;
}

/** The live (published) definition of a catalog service, if it has one. */
export async function liveDefinitionOf(
  q: Queryable,
  serviceId: number,
): Promise<LiveDefinition | undefined> {
  const rows = await q
    .select({ id: serviceDefinitions.id, version: serviceDefinitions.version })
    .from(serviceDefinitions)
    .where(
      and(eq(serviceDefinitions.serviceId, serviceId), eq(serviceDefinitions.status, "published")),
    );
  const row = rows[0];
  if (!row) return undefined;
  return { ...row, definition: await definitionOf(q, row.id) };
}

/** Onboarding stages of the PMU board (issue 3), in order. */
export const ONBOARDING_STAGES = ["notified", "drafted", "reviewed", "published"] as const;
export type OnboardingStage = (typeof ONBOARDING_STAGES)[number];

/** One row of the onboarding board. */
export type BoardRow = {
  code: string;
  name: string;
  department: string;
  serviceId: number | null;
  stage: OnboardingStage;
  /** Live version, when published. */
  liveVersion: number | null;
  /** A draft newer than the live version is being prepared. */
  draftPending: boolean;
};

/**
 * The onboarding board: every notified service of the catalog, plus every
 * definition not yet in the catalog, with its stage: `published` (a live
 * version), else `reviewed` (the latest draft was marked reviewed), else
 * `drafted` (a draft exists), else `notified`. Sorted by department, name.
 */
export async function onboardingBoard(q: Queryable): Promise<BoardRow[]> {
  const list = await rows<Record<string, unknown>>(
    q,
    sql`
    with latest as (
      select distinct on (code) code, status, reviewed_at, service_id, definition->'name'->>'en' as name,
        definition->>'department' as department
      from service_definitions order by code, version desc
    ), live as (
      select code, version from service_definitions where status = 'published'
    )
    select coalesce(s.code, l.code) as code, coalesce(s.name, l.name) as name,
      coalesce(d.name, l.department) as department, s.id as service_id,
      l.status as latest_status, l.reviewed_at, lv.version as live_version
    from services s
    join departments d on d.id = s.department_id
    full outer join latest l on l.code = s.code
    left join live lv on lv.code = coalesce(s.code, l.code)
    order by 3, 2`,
  );
  return list.map((r) => {
    const live =
      r.live_version === null || r.live_version === undefined ? null : Number(r.live_version);
    const draft = r.latest_status === "draft";
    const stage: OnboardingStage =
      live !== null
        ? "published"
        : draft && r.reviewed_at
          ? "reviewed"
          : draft
            ? "drafted"
            : "notified";
    return {
      code: String(r.code),
      name: String(r.name ?? r.code),
      department: String(r.department ?? ""),
      serviceId: r.service_id === null || r.service_id === undefined ? null : Number(r.service_id),
      stage,
      liveVersion: live,
      draftPending: live !== null && draft,
    };
  });
}
