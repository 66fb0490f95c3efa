/**
 * Applications: drafts, submission, tracking, officers' decisions and
 * resubmission after a deficiency.
 *
 * Every state change is one transaction: the change, its timeline entry and
 * its audit record commit together or not at all (ARCHITECTURE.md §4).
 * Submission is idempotent per draft and per `Idempotency-Key` (C-09).
 * Officers' actions carry the version they saw; a stale one is refused (409).
 */
import { eq, sql } from "drizzle-orm";
import type { Temporal } from "temporal-polyfill";
import { appendAudit } from "../audit/service.ts";
import type { LocalisedText } from "../catalog/definitions/types.ts";
import { definitionOf } from "../catalog/definitions/versions.ts";
import { getService, type ServiceWithDepartment } from "../catalog/service.ts";
import { certificateContext, issueCertificate } from "../certificates/service.ts";
import { DomainError } from "../common/errors.ts";
import { nfcMultiline } from "../common/text.ts";
import { instantOf, isoOf } from "../common/time.ts";
import { type Db, type Queryable, rows } from "../db/client.ts";
import { kendras } from "../db/schema.ts";
import { can, type Permission, type Principal, scopesFor } from "../identity/authorization.ts";
import { type HandoverPlace, handoverPlaceOf } from "../kendras/handover/ready.ts";
import { emit } from "../notifications/outbox.ts";
import type { Basis, CustodyEvent } from "../sla/due-date.ts";
import { isOverdue } from "../sla/due-date.ts";
import { breachWindow, calendarCache, dueDateOf } from "../sla/service.ts";
import { clockStartAfterNotice } from "../sla/stages.ts";
import type { DefinitionStep } from "../workflow/definition.ts";
import {
  ACTION_ACTOR,
  type Action,
  FINAL_STATUSES,
  isAction,
  isStatus,
  nextStatus,
  type Status,
} from "../workflow/generic.ts";
import type { GenericApplication } from "./generic-form.ts";
import { formatReference, parseReference } from "./reference.ts";
import * as repo from "./repository.ts";

export type { ApplicationRow, DocumentRow, DraftRow, EventRow } from "./repository.ts";
export { applicationDocuments, draftDocuments, findDraft } from "./repository.ts";
/** A filed application's stored answers (the generic form's JSON contract). */
export type StoredApplication = GenericApplication;
/** Normalises a typed reference number; undefined when it cannot be one. */
export const normaliseReference = parseReference;

/**
 * Extra days on the time limit for an application made at a Sewa Kendra
 * (formerly Suwidha Centre), as the notification notes say (rtspunjab.gov.in, FAQ).
 */
export const KENDRA_EXTRA_DAYS = 2;

/** Drafts are kept this many calendar days after their last change. */
export const DRAFT_TTL_DAYS = 30;
/** The longest remark an official may write, in characters. */
export const MAX_REMARK_LENGTH = 2000;

/** What the citizen is told after submitting. */
export type SubmissionResult = {
  reference: string;
  dueDate: string | null;
  status: Status;
  created: boolean;
};

/** One line of the public timeline. No official's personal data. */
export type TimelineEntry = {
  at: string;
  action: string;
  status: string;
  /** The definition stage the event led to, in en/pa/hi (definition applications only). */
  stageName?: LocalisedText | undefined;
  remark?: string;
  dueDate?: string | null;
  /**
   * On the `submitted` entry of an assisted filing (issue 9): where it was
   * filed for the applicant with their consent: a Sewa Kendra (its names in
   * en/pa/hi and the counter) or a doorstep visit.
   */
  assisted?: { channel: string; kendra?: LocalisedText; counter?: number | null };
  /** On the `handed_over` entry (issue 9): the Sewa Kendra (names in en/pa/hi) and counter it was handed over at. */
  handover?: HandoverPlace;
};

/** What tracking shows: status, due date, the office that holds it, and the timeline. */
export type TrackView = {
  reference: string;
  /** Names in English, and in Punjabi and Hindi where translated (empty otherwise). */
  service: {
    id: number;
    name: string;
    namePa: string;
    nameHi: string;
    department: string;
    departmentPa: string;
    departmentHi: string;
  };
  status: Status;
  dueDate: string | null;
  overdue: boolean;
  office: string;
  receivedAt: string;
  version: number;
  timeline: TimelineEntry[];
};

const iso = (i: Temporal.Instant) => i.toString();
const addDays = (i: Temporal.Instant, days: number) => i.add({ hours: 24 * days });

// ------------------------------------------------------------------ drafts

/** Creates a draft for a service with the answers given so far. @throws DomainError not_found for an unknown service. */
export async function createDraft(
  db: Db,
  serviceId: number,
  data: Record<string, unknown>,
  now: Temporal.Instant,
  channel = "online",
  definitionId?: number,
): Promise<repo.DraftRow> {
  const service = await getService(db, serviceId);
  if (!service) throw new DomainError("not_found", "No such service");
  return repo.insertDraft(db, {
    serviceId,
    data,
    channel,
    ...(definitionId === undefined ? {} : { definitionId }),
    now: iso(now),
    expiresAt: iso(addDays(now, DRAFT_TTL_DAYS)),
  });
}

/** Saves a draft's answers (and, for definition forms, the page last saved, to resume there). */
export async function saveDraft(
  db: Db,
  draftId: string,
  data: Record<string, unknown>,
  now: Temporal.Instant,
  lastPage?: string,
): Promise<void> {
  await repo.updateDraftData(db, draftId, data, iso(now), lastPage);
}

/** Records a stored upload against a draft. */
export function addDraftDocument(
  db: Db,
  draftId: string,
  doc: { filename: string; mime: string; size: number; sha256: string },
  now: Temporal.Instant,
): Promise<repo.DocumentRow> {
  return repo.insertDocument(db, { ...doc, draftId, uploadedAt: iso(now) });
}

/** Removes an upload from a draft. */
export function removeDraftDocument(db: Db, draftId: string, documentId: string): Promise<void> {
  return repo.deleteDraftDocument(db, draftId, documentId);
}

// ------------------------------------------------------------------ submission

/** What a submission needs: validated answers and the ids of documents already stored. */
/**
 * An application filed under a service definition (definition-routes.ts):
 * who applies and where (read from the answers), the validated answers with
 * Aadhaar numbers only masked, and the checklist uploads by document id. The
 * time limit, its basis and the first stage come from the definition version.
 */
export type DefinitionFiling = {
  kind: "definition";
  serviceId: number;
  definitionId: number;
  initialStage: string;
  timeLimitDays: number;
  basis: "working" | "calendar";
  /** Calendar days of a statutory notice period before the time limit starts (0: none). */
  noticePeriodDays: number;
  /** The fee due in paise, from the definition's fee rules for these answers and channel. */
  feePaise: number;
  applicant: { name: string; mobile: string; districtCode: number; tehsilCode: number };
  answers: Record<string, unknown>;
  documents: Record<string, string[]>;
};

export type Submission = {
  application: GenericApplication | DefinitionFiling;
  /** Uploads already recorded (against the draft). */
  documentIds: string[];
  /** Uploads already in the document store but not yet recorded (API). */
  newDocuments?: Array<{ filename: string; mime: string; size: number; sha256: string }>;
  channel: string;
  draftId?: string;
  idempotencyKey?: string;
  /** SHA-256 of the request, so a reused key with another body is refused. */
  requestHash?: string;
  /**
   * An assisted filing (issue 9, src/kendras/assisted/): the Sewa Kendra and
   * counter, or the doorstep visit, it is filed at; the operator or
   * facilitator (official id) who filed it; when the applicant's consent OTP
   * was checked. Written to the application's columns of the same names.
   */
  assisted?: {
    kendraCode?: string | null;
    counter?: number | null;
    visitId?: number | null;
    assistedBy: number;
    consentAt: Temporal.Instant;
  };
  now: Temporal.Instant;
};

/**
 * Files an application. Idempotent: a second call with the same draft id or
 * idempotency key returns the first application (created: false).
 * @throws DomainError not_found for an unknown service; unprocessable when the district has no reference code.
 */
export async function submitApplication(db: Db, s: Submission): Promise<SubmissionResult> {
  const existing = await findExisting(db, s);
  if (existing) return replayOf(db, existing, s);
  return db.transaction(async (tx) => {
    const service = await getService(tx, s.application.serviceId);
    if (!service)
      throw new DomainError("not_found", "No such service", [
        { field: "serviceId", code: "unknown_service" },
      ]);
    const filed = filedFacts(s.application, service);
    const district = filed.districtCode;
    const abbreviation = await repo.districtAbbreviation(tx, district);
    if (!abbreviation)
      throw new DomainError("unprocessable", `District ${district} has no reference code`);
    const reference = formatReference(abbreviation, await repo.nextReferenceNumber(tx));
    // Applications made through a Sewa Kendra get extra days (rtspunjab.gov.in FAQ: "2 extra days" for a Suwidha Centre).
    const timeLimitDays = filed.timeLimitDays + (s.channel === "kendra" ? KENDRA_EXTRA_DAYS : 0);
    const basis = filed.basis;
    const sla = await dueDateOf(tx, {
      receivedAt: clockStartAfterNotice(s.now, filed.noticePeriodDays),
      timeLimitDays,
      basis,
      districtCode: district,
      custody: [],
      asOf: s.now,
    });
    const row = await repo.insertApplicationOnce(tx, {
      reference,
      serviceId: service.id,
      departmentId: service.departmentId,
      districtCode: district,
      tehsilCode: filed.tehsilCode,
      applicantName: filed.name,
      mobile: filed.mobile,
      formData: filed.formData,
      status: "submitted",
      definitionId: filed.definitionId,
      stage: filed.stage,
      feePaise: filed.feePaise,
      channel: s.channel,
      timeLimitDays,
      timeLimitBasis: basis,
      receivedAt: iso(s.now),
      dueDate: sla.dueDate,
      draftId: s.draftId ?? null,
      idempotencyKey: s.idempotencyKey ?? null,
      ...(s.assisted
        ? {
            kendraCode: s.assisted.kendraCode ?? null,
            counter: s.assisted.counter ?? null,
            visitId: s.assisted.visitId ?? null,
            assistedBy: s.assisted.assistedBy,
            consentAt: iso(s.assisted.consentAt),
          }
        : {}),
      createdAt: iso(s.now),
      updatedAt: iso(s.now),
    });
    if (!row) {
      // A concurrent request with the same draft or key committed first.
      const winner = await findExisting(tx, s);
      if (!winner)
        throw new DomainError("conflict", "The application could not be filed; try again");
      return replayOf(tx, winner, s);
    }
    await repo.attachDocuments(tx, s.documentIds, row.id);
    const newIds: string[] = [];
    for (const doc of s.newDocuments ?? []) {
      const stored = await repo.insertDocument(tx, {
        ...doc,
        applicationId: row.id,
        uploadedAt: iso(s.now),
      });
      newIds.push(stored.id);
    }
    // A definition filing through the API names its new uploads `new:<index>` in the checklist.
    const checklist = (filed.formData as { documents?: Record<string, string[]> }).documents;
    if (filed.definitionId !== null && checklist && newIds.length > 0)
      await repo.setFormData(tx, row.id, {
        ...filed.formData,
        documents: Object.fromEntries(
          Object.entries(checklist).map(([item, ids]) => [
            item,
            ids.map((id) => (id.startsWith("new:") ? (newIds[Number(id.slice(4))] ?? id) : id)),
          ]),
        ),
      });
    if (s.idempotencyKey) {
      await repo.insertIdempotencyKey(tx, {
        key: `applications:${s.idempotencyKey}`,
        requestHash: s.requestHash ?? "",
        statusCode: 201,
        response: { reference, dueDate: sla.dueDate, status: "submitted" },
        createdAt: iso(s.now),
      });
    }
    if (s.draftId) await repo.markDraftSubmitted(tx, s.draftId, row.id);
    await repo.insertEvent(tx, {
      applicationId: row.id,
      at: iso(s.now),
      action: "submitted",
      fromStatus: null,
      toStatus: "submitted",
      stage: filed.stage,
      actorKind: "applicant",
      dueDate: sla.dueDate,
    });
    await emit(
      tx,
      "application.submitted",
      {
        applicationId: row.id,
        reference,
        mobile: row.mobile,
        dueDate: sla.dueDate,
        channel: s.channel,
      },
      iso(s.now),
    );
    await appendAudit(tx, {
      stream: `application:${row.id}`,
      actor: s.assisted ? `official:${s.assisted.assistedBy}` : "applicant",
      action: "application.submitted",
      data: {
        reference,
        serviceId: service.id,
        channel: s.channel,
        documents: s.documentIds.length + (s.newDocuments?.length ?? 0),
        ...(s.assisted
          ? {
              kendraCode: s.assisted.kendraCode ?? null,
              counter: s.assisted.counter ?? null,
              visitId: s.assisted.visitId ?? null,
              consentAt: iso(s.assisted.consentAt),
            }
          : {}),
      },
      at: iso(s.now),
    });
    return resultOf(row, true);
  });
}

/** The columns an application takes from what was filed: the generic form, or a definition's answers. */
function filedFacts(a: Submission["application"], service: ServiceWithDepartment) {
  if ("kind" in a && a.kind === "definition")
    return {
      ...a.applicant,
      timeLimitDays: a.timeLimitDays,
      noticePeriodDays: a.noticePeriodDays,
      feePaise: a.feePaise,
      basis: a.basis,
      formData: { answers: a.answers, documents: a.documents } as Record<string, unknown>,
      definitionId: a.definitionId as number | null,
      stage: a.initialStage as string | null,
    };
  const g = a as GenericApplication;
  return {
    name: g.applicant.name,
    mobile: g.applicant.mobile,
    districtCode: g.address.districtCode,
    tehsilCode: g.address.tehsilCode,
    timeLimitDays: service.timeLimitDays ?? 0,
    noticePeriodDays: 0,
    feePaise: service.feePaise ?? 0,
    basis: (service.timeLimitBasis === "calendar" ? "calendar" : "working") as Basis,
    formData: g as unknown as Record<string, unknown>,
    definitionId: null,
    stage: null,
  };
}

function findExisting(q: Queryable, s: Pick<Submission, "draftId" | "idempotencyKey">) {
  if (s.draftId) return repo.findApplicationBy(q, { draftId: s.draftId });
  if (s.idempotencyKey) return repo.findApplicationBy(q, { idempotencyKey: s.idempotencyKey });
  return Promise.resolve(undefined);
}

/** The first result again, after checking that a reused idempotency key carries the same request. */
async function replayOf(
  q: Queryable,
  row: repo.ApplicationRow,
  s: Submission,
): Promise<SubmissionResult> {
  if (s.idempotencyKey && s.requestHash !== undefined) {
    const stored = await repo.findIdempotencyKey(q, `applications:${s.idempotencyKey}`);
    if (stored && stored.requestHash !== s.requestHash) {
      throw new DomainError(
        "unprocessable",
        "This Idempotency-Key was used with a different request",
        [{ field: "Idempotency-Key", code: "reused" }],
      );
    }
  }
  return resultOf(row, false);
}

function resultOf(row: repo.ApplicationRow, created: boolean): SubmissionResult {
  return { reference: row.reference, dueDate: row.dueDate, status: row.status as Status, created };
}

// ------------------------------------------------------------------ look-ups

/** An application by its internal id. */
export function findApplicationById(
  q: Queryable,
  id: number,
): Promise<repo.ApplicationRow | undefined> {
  return repo.findApplicationBy(q, { id });
}

/** An application by its (normalised) reference number. */
export function findApplicationByReference(
  q: Queryable,
  reference: string,
): Promise<repo.ApplicationRow | undefined> {
  return repo.findApplicationBy(q, { reference });
}

/**
 * Records an upload made by the applicant outside a draft (resubmission):
 * it stays unattached until the resubmission commits.
 */
export function addApplicantDocument(
  db: Db,
  doc: { filename: string; mime: string; size: number; sha256: string },
  now: Temporal.Instant,
): Promise<repo.DocumentRow> {
  return repo.insertDocument(db, { ...doc, uploadedAt: iso(now) });
}

/** Unattached uploads among `ids` (pending a resubmission), in upload order. */
export function pendingDocuments(q: Queryable, ids: string[]): Promise<repo.DocumentRow[]> {
  return repo.unattachedDocuments(q, ids);
}

// ------------------------------------------------------------------ tracking

/**
 * Finds an application by reference number and the applicant's mobile number.
 * Both must match; otherwise undefined (the caller must not say which was wrong).
 */
export async function findForApplicant(
  q: Queryable,
  reference: string,
  mobile: string,
): Promise<repo.ApplicationRow | undefined> {
  const ref = parseReference(reference);
  if (!ref) return undefined;
  const row = await repo.findApplicationBy(q, { reference: ref });
  return row && row.mobile === mobile ? row : undefined;
}

/** The tracking view of an application. */
export async function trackView(
  q: Queryable,
  row: repo.ApplicationRow,
  now: Temporal.Instant,
): Promise<TrackView> {
  const service = (await getService(q, row.serviceId)) as ServiceWithDepartment;
  // A definition application's timeline names each stage in the reader's language.
  const states =
    row.definitionId === null ? [] : (await definitionOf(q, row.definitionId)).workflow.states;
  const assisted = await assistedPlaceOf(q, row);
  const events = await repo.events(q, row.id);
  const handover = events.some((e) => e.action === "handed_over")
    ? await handoverPlaceOf(q, row.id)
    : undefined;
  const timeline = events.map((e) => ({
    at: isoOf(e.at),
    action: e.action,
    status: e.toStatus,
    ...(e.stage ? { stageName: states.find((st) => st.id === e.stage)?.name } : {}),
    ...(e.remark ? { remark: e.remark } : {}),
    dueDate: e.dueDate,
    ...(assisted && e.action === "submitted" ? { assisted } : {}),
    ...(handover && e.action === "handed_over" ? { handover } : {}),
  }));
  const status = row.status as Status;
  return {
    reference: row.reference,
    service: {
      id: service.id,
      name: service.name,
      namePa: service.namePa,
      nameHi: service.nameHi,
      department: service.departmentName,
      departmentPa: service.departmentNamePa,
      departmentHi: service.departmentNameHi,
    },
    status,
    dueDate: row.dueDate,
    overdue: !FINAL_STATUSES.has(status) && isOverdue(row.dueDate, now),
    office: officeOf(service),
    receivedAt: isoOf(row.receivedAt),
    version: row.version,
    timeline,
  };
}

/** Where an assisted application was filed (the timeline's `assisted`), or undefined for the applicant's own. */
async function assistedPlaceOf(
  q: Queryable,
  row: repo.ApplicationRow,
): Promise<TimelineEntry["assisted"]> {
  if (row.assistedBy === null || row.consentAt === null) return undefined;
  if (!row.kendraCode) return { channel: row.channel };
  const [k] = await q
    .select({ en: kendras.nameEn, pa: kendras.namePa, hi: kendras.nameHi })
    .from(kendras)
    .where(eq(kendras.code, row.kendraCode));
  return { channel: row.channel, ...(k ? { kendra: k } : {}), counter: row.counter };
}

/** The office that holds an application: the designated officer's, as notified. */
export function officeOf(service: ServiceWithDepartment): string {
  return service.designatedOfficer
    ? `${service.designatedOfficer}, ${service.departmentName}`
    : service.departmentName;
}

// ------------------------------------------------------------------ officers

/** An official with the postings active now (see identity/authorization.ts). */
export type Actor = { officialId: number; principal: Principal };

/** Whether the actor may do `permission` on an application (role × jurisdiction × department). */
export function mayOn(
  actor: Actor,
  permission: Permission,
  app: Pick<repo.ApplicationRow, "districtCode" | "tehsilCode" | "departmentId">,
): boolean {
  return can(actor.principal, permission, {
    districtCode: app.districtCode,
    tehsilCode: app.tehsilCode,
    departmentId: app.departmentId,
  });
}

/** Pending applications the actor may view, by due date (paused ones last). */
export async function officerInbox(
  q: Queryable,
  actor: Actor,
  limit = 200,
): Promise<repo.ApplicationRow[]> {
  return repo.inbox(q, {
    scopes: scopesFor(actor.principal, "application.view"),
    statuses: ["submitted", "resubmitted", "sent_back"],
    limit,
  });
}

/**
 * Opens an application for an official: the row, its documents and timeline.
 * Logs the view in the audit trail (who saw whose record, when).
 * @throws DomainError not_found when unknown or outside every posting of the official (404, not 403).
 */
export async function openForOfficial(
  db: Db,
  actor: Actor,
  reference: string,
  now: Temporal.Instant,
) {
  const ref = parseReference(reference);
  const row = ref ? await repo.findApplicationBy(db, { reference: ref }) : undefined;
  if (!row || !mayOn(actor, "application.view", row))
    throw new DomainError("not_found", "No such application");
  await db.transaction(async (tx) => {
    await appendAudit(tx, {
      stream: `application:${row.id}`,
      actor: `official:${actor.officialId}`,
      action: "application.viewed",
      data: { reference: row.reference },
      at: iso(now),
    });
  });
  return {
    row,
    documents: await repo.applicationDocuments(db, row.id),
    view: await trackView(db, row, now),
  };
}

/** An official's decision on an application; `duplicateOf` is the reference it duplicates (for `mark_duplicate`). */
export type Decision = { action: Action; remark: string; version: number; duplicateOf?: string };

/**
 * Applies an official's action (approve, reject, send back) in one transaction.
 * @throws DomainError not_found (unknown, or no posting that may decide it), validation (remark missing or too long),
 *   invalid_transition (the workflow does not allow it now), stale (the version moved on: 409).
 */
export async function decide(
  db: Db,
  actor: Actor,
  reference: string,
  d: Decision,
  now: Temporal.Instant,
): Promise<TrackView> {
  const remark = nfcMultiline(d.remark ?? "");
  if (!remark)
    throw new DomainError("validation", "Enter a remark", [{ field: "remark", code: "required" }]);
  if (remark.length > MAX_REMARK_LENGTH) {
    throw new DomainError("validation", "The remark is too long", [
      { field: "remark", code: "too_long", params: { max: MAX_REMARK_LENGTH } },
    ]);
  }
  if (ACTION_ACTOR[d.action] !== "official") {
    throw new DomainError("validation", "Not an officer's action", [
      { field: "action", code: "invalid" },
    ]);
  }
  return db.transaction(async (tx) => {
    const ref = parseReference(reference);
    const row = ref ? await repo.findApplicationBy(tx, { reference: ref }) : undefined;
    if (!row || !mayOn(actor, "application.decide", row))
      throw new DomainError("not_found", "No such application");
    let finalRemark = remark;
    if (d.action === "mark_duplicate") {
      // Case C-18: the other application must exist and be another one; nothing changes otherwise.
      const other = parseReference(d.duplicateOf ?? "");
      const original = other ? await repo.findApplicationBy(tx, { reference: other }) : undefined;
      const code = !d.duplicateOf?.trim()
        ? "required"
        : !original
          ? "unknown"
          : original.id === row.id
            ? "self"
            : undefined;
      if (code)
        throw new DomainError("validation", "Enter the reference number of the other application", [
          { field: "duplicateOf", code },
        ]);
      finalRemark = `Duplicate of ${original?.reference}. ${remark}`;
    }
    const view = await transition(
      tx,
      row,
      { ...d, remark: finalRemark },
      `official:${actor.officialId}`,
      now,
    );
    // The certificate is issued in the approval's own transaction (src/certificates/service.ts).
    const certificates = certificateContext(db);
    if (d.action === "approve" && certificates)
      await issueCertificate(tx, certificates, {
        applicationId: row.id,
        officialId: actor.officialId,
        now,
      });
    return view;
  });
}

/**
 * Applies a resubmission by the applicant after a deficiency: the corrected
 * answers and any new documents, in one transaction.
 * @throws DomainError invalid_transition when the application is not sent back; stale on a concurrent change.
 */
export async function resubmit(
  db: Db,
  row: repo.ApplicationRow,
  r: {
    application: GenericApplication;
    documentIds: string[];
    remark?: string;
    version: number;
    now: Temporal.Instant;
  },
): Promise<TrackView> {
  return db.transaction(async (tx) => {
    await repo.attachDocuments(tx, r.documentIds, row.id);
    return transition(
      tx,
      row,
      { action: "resubmit", remark: nfcMultiline(r.remark ?? ""), version: r.version },
      "applicant",
      r.now,
      {
        formData: r.application as unknown as Record<string, unknown>,
        applicantName: r.application.applicant.name,
      },
    );
  });
}

/**
 * The due date under the notified time limit alone (custody pauses counted,
 * appellate deadlines ignored): the date from which delay is measured for
 * penalties. Null while paused.
 */
export async function statutoryDueDate(
  q: Queryable,
  row: repo.ApplicationRow,
  now: Temporal.Instant,
): Promise<string | null> {
  const sla = await dueDateOf(q, {
    receivedAt: await clockStartOf(q, row),
    timeLimitDays: row.timeLimitDays,
    basis: row.timeLimitBasis === "calendar" ? "calendar" : "working",
    districtCode: row.districtCode,
    custody: await custodyOf(q, row.id),
    asOf: now,
  });
  return sla.dueDate;
}

/**
 * Applies an appellate order to deliver within a deadline (appeals domain): a
 * rejected application is reopened (status `submitted`), the deadline replaces
 * the due date, and a recorded breach is cleared so a new one is caught once.
 * Runs inside the caller's transaction; the caller writes the timeline entry.
 * @throws DomainError stale when the application changed meanwhile.
 */
export async function applyAppellateOrder(
  tx: Queryable,
  row: repo.ApplicationRow,
  deadline: string,
  now: Temporal.Instant,
): Promise<repo.ApplicationRow> {
  const reopen = row.status === "rejected";
  const updated = await repo.updateApplicationIfVersion(tx, row.id, row.version, {
    status: reopen ? "submitted" : row.status,
    dueDate: row.status === "sent_back" ? null : deadline,
    orderedDueDate: deadline,
    decidedAt: reopen ? null : row.decidedAt,
    overdueSince: null,
    atRiskSince: null,
    updatedAt: iso(now),
  });
  if (!updated)
    throw new DomainError(
      "stale",
      "Someone else changed this application. Reload it and try again.",
    );
  return updated;
}

/** An application's timeline entry written by another domain (appeals), in its transaction. */
export async function recordEvent(
  tx: Queryable,
  e: {
    applicationId: number;
    at: Temporal.Instant;
    action: string;
    status: string;
    remark?: string;
    actor: string;
    dueDate?: string | null;
  },
): Promise<void> {
  await repo.insertEvent(tx, {
    applicationId: e.applicationId,
    at: iso(e.at),
    action: e.action,
    fromStatus: e.status,
    toStatus: e.status,
    remark: e.remark ?? null,
    actorKind: e.actor.startsWith("official:")
      ? "official"
      : e.actor === "applicant"
        ? "applicant"
        : "system",
    actorId: e.actor.startsWith("official:") ? e.actor : null,
    dueDate: e.dueDate ?? null,
  });
}

/** Records a generated document (an order) against an application. */
export function addOrderDocument(
  tx: Queryable,
  applicationId: number,
  doc: { filename: string; size: number; sha256: string },
  now: Temporal.Instant,
): Promise<repo.DocumentRow> {
  return repo.insertDocument(tx, {
    ...doc,
    mime: "application/pdf",
    applicationId,
    kind: "order",
    uploadedBy: "system",
    uploadedAt: iso(now),
  });
}

/**
 * Moves an application by one workflow action, in the caller's transaction:
 * the generic workflow's `d.action`, or a definition workflow's `step`
 * (workflow/definition.ts), which then gives the status, the stage and the
 * timeline event. Recomputes the due date over the custody history.
 * @throws DomainError stale (version moved on), invalid_transition (generic action not allowed now).
 */
export async function transition(
  tx: Queryable,
  row: repo.ApplicationRow,
  d: { action: string; remark: string; version: number },
  actor: string,
  now: Temporal.Instant,
  extra: Partial<Pick<repo.ApplicationRow, "formData" | "applicantName">> = {},
  step?: DefinitionStep,
): Promise<TrackView> {
  const from = row.status;
  if (!isStatus(from)) throw new Error(`application ${row.reference} has unknown status ${from}`);
  if (row.version !== d.version)
    throw new DomainError(
      "stale",
      "Someone else changed this application. Reload it and try again.",
    );
  const to = step ? step.toStatus : isAction(d.action) ? nextStatus(from, d.action) : undefined;
  if (!to)
    throw new DomainError(
      "invalid_transition",
      `You cannot ${d.action.replace("_", " ")} an application that is ${from.replace("_", " ")}`,
    );
  const custody = await custodyOf(tx, row.id);
  const custodyEvent = step ? step.event : d.action;
  if (custodyEvent === "send_back" || custodyEvent === "sent_back")
    custody.push({ at: now, holder: "applicant" });
  if (custodyEvent === "resubmit" || custodyEvent === "resubmitted")
    custody.push({ at: now, holder: "department" });
  const sla = await dueDateOf(tx, {
    receivedAt: await clockStartOf(tx, row),
    timeLimitDays: row.timeLimitDays,
    basis: row.timeLimitBasis === "calendar" ? "calendar" : "working",
    districtCode: row.districtCode,
    custody,
    asOf: now,
  });
  // A deadline set by an appellate order replaces the computed due date (the clock still pauses for a deficiency).
  const dueDate = FINAL_STATUSES.has(to)
    ? row.dueDate
    : sla.paused
      ? null
      : (row.orderedDueDate ?? sla.dueDate);
  const updated = await repo.updateApplicationIfVersion(tx, row.id, d.version, {
    status: to,
    dueDate,
    decidedAt: FINAL_STATUSES.has(to) ? iso(now) : null,
    updatedAt: iso(now),
    ...(step ? { stage: step.toStage } : {}),
    ...extra,
  });
  if (!updated)
    throw new DomainError(
      "stale",
      "Someone else changed this application. Reload it and try again.",
    );
  const action = step
    ? step.event
    : d.action === "resubmit"
      ? "resubmitted"
      : d.action === "send_back"
        ? "sent_back"
        : d.action === "approve"
          ? "approved"
          : d.action === "mark_duplicate"
            ? "marked_duplicate"
            : "rejected";
  await repo.insertEvent(tx, {
    applicationId: row.id,
    at: iso(now),
    action,
    fromStatus: from,
    toStatus: to,
    ...(step ? { definitionAction: step.action.id, stage: step.toStage } : {}),
    remark: d.remark || null,
    actorKind: actor === "applicant" ? "applicant" : "official",
    actorId: actor === "applicant" ? null : actor,
    dueDate,
  });
  // A move between department stages is on the timeline only; custody changes and disposals are sent.
  if (action !== "stage_changed")
    await emit(
      tx,
      // A duplicate is closed as a rejection (the remark names the other application).
      action === "marked_duplicate" ? "application.rejected" : `application.${action}`,
      {
        applicationId: row.id,
        reference: row.reference,
        mobile: row.mobile,
        dueDate,
        remark: d.remark || undefined,
      },
      iso(now),
    );
  await appendAudit(tx, {
    stream: `application:${row.id}`,
    actor,
    action: `application.${action}`,
    data: { reference: row.reference, from, to, version: updated.version, dueDate },
    at: iso(now),
  });
  return trackView(tx, updated, now);
}

/**
 * When an application's time limit starts: its receipt, or the end of the
 * statutory notice period its definition version declares
 * (`timeLimit.noticePeriodDays`; sla/stages.ts `clockStartAfterNotice`).
 */
export async function clockStartOf(
  q: Queryable,
  row: Pick<repo.ApplicationRow, "receivedAt" | "definitionId">,
): Promise<Temporal.Instant> {
  const received = instantOf(row.receivedAt);
  if (row.definitionId === null) return received;
  const def = await definitionOf(q, row.definitionId);
  return clockStartAfterNotice(received, def.timeLimit.noticePeriodDays ?? 0);
}

/** Custody changes so far, from the timeline: send-back gives it to the applicant, resubmission returns it. */
async function custodyOf(q: Queryable, applicationId: number): Promise<CustodyEvent[]> {
  const out: CustodyEvent[] = [];
  for (const e of await repo.events(q, applicationId)) {
    const at = instantOf(e.at);
    if (e.action === "sent_back") out.push({ at, holder: "applicant" });
    if (e.action === "resubmitted") out.push({ at, holder: "department" });
  }
  return out;
}

/** The service row of an application (for pages). */
export async function serviceOf(
  q: Queryable,
  row: repo.ApplicationRow,
): Promise<ServiceWithDepartment> {
  const s = await getService(q, row.serviceId);
  if (!s) throw new Error(`service ${row.serviceId} missing`);
  return s;
}

// ------------------------------------------------------------------ holiday changes

/**
 * Recomputes the due dates of open applications after a change to the holiday
 * calendar (src/sla/service.ts `addHoliday` / `retireHoliday`; run by the job
 * `recompute-due-dates` or inline by the CLI). Idempotent: a second run changes nothing.
 *
 * Scope: applications that are submitted, resubmitted or sent back, in
 * `districtCode` (every district when null), whose due date is on or after `from`
 * (the holiday's date: a walk of working days that ended before it never crossed it)
 * or that are paused (sent back: no due date until resubmission). An application
 * whose deadline was set by an appellate order keeps it.
 *
 * Each due date is recomputed from receipt and the custody history (send-backs and
 * resubmissions) with `dueDateOf` on the district's calendar as it is now. When it
 * changed: `applications.due_date` is updated, the timeline gets `due_date_changed`
 * with `reason` as the remark, the application's audit stream gets
 * `application.due_date_changed`, and the outbox `application.due_date_changed`; in
 * one transaction per batch of `batch` applications, whose rows are locked first
 * (`FOR UPDATE`, in id order) and whose calendars are read after the lock, so a
 * concurrent recompute for a later change cannot leave an older calendar's result.
 * The optimistic-concurrency `version` is not bumped: it guards officers' decisions,
 * and a moved due date must not make an officer's open page stale.
 *
 * A recorded breach is cleared when the new due date is later and no longer within
 * the breach window (`breachWindow`): `overdue_since` when the application is no
 * longer overdue, `at_risk_since` when it is no longer due by the next working day,
 * so the sweep records the later breach exactly once.
 *
 * @param scope.from `YYYY-MM-DD`, the first date whose status changed.
 * @param scope.reason the timeline remark, e.g. "Holiday added: Guru Nanak Jayanti (2026-11-24)".
 * @returns how many applications were examined and how many due dates moved.
 */
export async function recomputeDueDates(
  db: Db,
  scope: { districtCode: number | null; from: string; reason: string; now: Temporal.Instant },
  batch = 200,
): Promise<{ examined: number; changed: number }> {
  const at = iso(scope.now);
  const district =
    scope.districtCode === null ? sql`` : sql`and district_code = ${scope.districtCode}`;
  let cursor = 0;
  let examined = 0;
  let changed = 0;
  for (;;) {
    const ids = await db.transaction(async (tx) => {
      const locked = await rows<{ id: string | number }>(
        tx,
        sql`select id from applications
            where id > ${cursor} and status in ('submitted', 'resubmitted', 'sent_back')
              and (due_date >= ${scope.from} or due_date is null) ${district}
            order by id limit ${batch} for update`,
      );
      const calendarOf = calendarCache(tx);
      const window = await breachWindow(tx, scope.now);
      for (const { id } of locked) {
        const row = await repo.findApplicationBy(tx, { id: Number(id) });
        if (!row) continue;
        if (row.orderedDueDate) continue; // an appellate order's deadline is not recounted
        const custody = await custodyOf(tx, row.id);
        const latest = custody.at(-1)?.at ?? instantOf(row.receivedAt);
        const sla = await dueDateOf(tx, {
          receivedAt: await clockStartOf(tx, row),
          timeLimitDays: row.timeLimitDays,
          basis: row.timeLimitBasis === "calendar" ? "calendar" : "working",
          districtCode: row.districtCode,
          custody,
          asOf: latest.epochNanoseconds > scope.now.epochNanoseconds ? latest : scope.now,
          calendar: await calendarOf(row.districtCode),
        });
        const before = row.dueDate;
        const after = sla.dueDate;
        if (after === before) continue;
        const later = before !== null && after !== null && after > before;
        const clearOverdue = later && row.overdueSince !== null && after >= window.today;
        const clearAtRisk = later && row.atRiskSince !== null && after > window.atRiskThrough;
        await tx.execute(
          sql`update applications set due_date = ${after}, updated_at = ${at}
              ${clearOverdue ? sql`, overdue_since = null` : sql``}
              ${clearAtRisk ? sql`, at_risk_since = null` : sql``}
              where id = ${row.id}`,
        );
        await repo.insertEvent(tx, {
          applicationId: row.id,
          at,
          action: "due_date_changed",
          fromStatus: row.status,
          toStatus: row.status,
          remark: scope.reason,
          actorKind: "system",
          dueDate: after,
        });
        await appendAudit(tx, {
          stream: `application:${row.id}`,
          actor: "system:calendar",
          action: "application.due_date_changed",
          data: { reference: row.reference, from: before, to: after, reason: scope.reason },
          at,
        });
        await emit(
          tx,
          "application.due_date_changed",
          {
            applicationId: row.id,
            reference: row.reference,
            mobile: row.mobile,
            dueDate: after,
            previousDueDate: before,
            reason: scope.reason,
          },
          at,
        );
        changed++;
      }
      return locked.map((r) => Number(r.id));
    });
    examined += ids.length;
    if (ids.length < batch) break;
    cursor = ids[ids.length - 1] as number;
  }
  return { examined, changed };
}
