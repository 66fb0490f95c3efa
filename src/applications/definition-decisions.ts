/**
 * Officials' actions and the applicant's resubmission on applications filed
 * under a service definition: the definition version the application was
 * filed under decides which actions exist from its stage and which staff
 * roles may take them (workflow/definition.ts). Same transaction, time
 * limits, timeline, outbox and audit as the generic workflow (service.ts
 * `transition`).
 */
import type { Temporal } from "temporal-polyfill";
import type { ServiceDefinition } from "../catalog/definitions/types.ts";
import { definitionOf } from "../catalog/definitions/versions.ts";
import { certificateContext, issueCertificate } from "../certificates/service.ts";
import { DomainError } from "../common/errors.ts";
import { nfcMultiline } from "../common/text.ts";
import type { Db, Queryable } from "../db/client.ts";
import { covers } from "../identity/authorization.ts";
import { istDateOf } from "../sla/clock.ts";
import { loadCalendar } from "../sla/service.ts";
import { stageDueDates } from "../sla/stages.ts";
import { applicantAction, officialActions, planStep, stateOf } from "../workflow/definition.ts";
import type { Status } from "../workflow/generic.ts";
import { parseReference } from "./reference.ts";
import * as repo from "./repository.ts";
import {
  type Actor,
  clockStartOf,
  MAX_REMARK_LENGTH,
  mayOn,
  type TrackView,
  transition,
} from "./service.ts";

/** The definition an application was filed under, or undefined for the generic workflow. */
export async function definitionOfApplication(
  q: Queryable,
  row: Pick<repo.ApplicationRow, "definitionId">,
): Promise<ServiceDefinition | undefined> {
  return row.definitionId === null ? undefined : definitionOf(q, row.definitionId);
}

/** The staff roles the actor holds over this application (postings that cover it). */
export function rolesOver(actor: Actor, row: repo.ApplicationRow): Set<string> {
  const record = {
    districtCode: row.districtCode,
    tehsilCode: row.tehsilCode,
    departmentId: row.departmentId,
  };
  return new Set(actor.principal.postings.filter((p) => covers(p, record)).map((p) => p.role));
}

/** The definition actions the actor may take on the application now (none when it is not a definition application). */
export async function actionsFor(q: Queryable, actor: Actor, row: repo.ApplicationRow) {
  const def = await definitionOfApplication(q, row);
  if (!def || row.stage === null) return [];
  return officialActions(def, row.stage, rolesOver(actor, row));
}

function checkRemark(raw: string, required: boolean): string {
  const remark = nfcMultiline(raw ?? "");
  if (required && !remark)
    throw new DomainError("validation", "Enter a remark", [{ field: "remark", code: "required" }]);
  if (remark.length > MAX_REMARK_LENGTH)
    throw new DomainError("validation", "The remark is too long", [
      { field: "remark", code: "too_long", params: { max: MAX_REMARK_LENGTH } },
    ]);
  return remark;
}

/**
 * Takes a definition workflow action as an official, in one transaction. On
 * a move to a `delivered` state of a definition whose output is a
 * certificate, the certificate is issued in the same transaction.
 * @throws DomainError not_found (unknown, outside the official's postings, or not a definition application),
 *   invalid_transition (no such action from the stage, or not for the official's role),
 *   validation (remark required or too long), stale (409).
 */
export async function decideByDefinition(
  db: Db,
  actor: Actor,
  reference: string,
  d: { action: string; remark: string; version: number },
  now: Temporal.Instant,
): Promise<TrackView> {
  return db.transaction(async (tx) => {
    const ref = parseReference(reference);
    const row = ref ? await repo.findApplicationBy(tx, { reference: ref }) : undefined;
    if (!row || !mayOn(actor, "application.view", row) || row.stage === null)
      throw new DomainError("not_found", "No such application");
    const def = await definitionOfApplication(tx, row);
    if (!def) throw new DomainError("not_found", "No such application");
    const allowed = officialActions(def, row.stage, rolesOver(actor, row));
    const step = planStep(def, row.stage, row.status as Status, d.action);
    if (!step || !allowed.some((a) => a.id === d.action))
      throw new DomainError(
        "invalid_transition",
        `The action ${d.action} is not open to you at the stage ${row.stage}`,
        [{ field: "action", code: "not_allowed" }],
      );
    const remark = checkRemark(d.remark, step.remarkRequired);
    const view = await transition(
      tx,
      row,
      { ...d, remark },
      `official:${actor.officialId}`,
      now,
      {},
      step,
    );
    const certificates = certificateContext(db);
    if (step.event === "approved" && def.output.kind === "certificate" && certificates)
      await issueCertificate(tx, certificates, {
        applicationId: row.id,
        officialId: actor.officialId,
        now,
      });
    return view;
  });
}

/**
 * The applicant answers a deficiency: new documents (already uploaded) and a
 * reply, then the definition's applicant action (e.g. `resubmit`) returns
 * the application to the department and restarts the clock.
 * @throws DomainError invalid_transition (not with the applicant), validation (remark too long), stale.
 */
export async function resubmitByDefinition(
  db: Db,
  row: repo.ApplicationRow,
  r: { documentIds: string[]; remark: string; version: number; now: Temporal.Instant },
): Promise<TrackView> {
  return db.transaction(async (tx) => {
    const def = await definitionOfApplication(tx, row);
    const action = def && row.stage !== null ? applicantAction(def, row.stage) : undefined;
    const step =
      def && action && row.stage !== null
        ? planStep(def, row.stage, row.status as Status, action.id)
        : undefined;
    if (!step)
      throw new DomainError("invalid_transition", "This application is not waiting for you");
    const remark = checkRemark(r.remark, false);
    await repo.attachDocuments(tx, r.documentIds, row.id);
    return transition(
      tx,
      row,
      { action: step.action.id, remark, version: r.version },
      "applicant",
      r.now,
      {},
      step,
    );
  });
}

/** One stage with a share of the time limit, as the desk shows it. */
export type StagePlanRow = {
  id: string;
  name: ServiceDefinition["workflow"]["states"][number]["name"];
  dueDate: string;
  current: boolean;
  /** The application is in this stage and its stage due date has passed. */
  late: boolean;
};

/**
 * The stage due dates of a definition application: each department stage
 * with a `shareDays` gets the running sum of shares from the start of the
 * time limit (sla/stages.ts `stageDueDates`, on the district's calendar).
 * Empty for generic applications or definitions without shares.
 */
export async function stagePlan(
  q: Queryable,
  row: repo.ApplicationRow,
  now: Temporal.Instant,
): Promise<StagePlanRow[]> {
  const def = await definitionOfApplication(q, row);
  if (!def) return [];
  const shares = def.workflow.states
    .filter((st) => st.shareDays !== undefined && !st.terminal)
    .map((st) => ({ id: st.id, shareDays: st.shareDays as number }));
  if (shares.length === 0) return [];
  const start = istDateOf(await clockStartOf(q, row));
  const basis = row.timeLimitBasis === "calendar" ? "calendar" : "working";
  const dues = stageDueDates(
    await loadCalendar(q, row.districtCode),
    start,
    row.timeLimitDays,
    basis,
    shares,
  );
  const today = istDateOf(now);
  return dues.map((d) => ({
    id: d.id,
    name: stateOf(def.workflow, d.id).name,
    dueDate: d.dueDate,
    current: row.stage === d.id,
    late: row.stage === d.id && today > d.dueDate,
  }));
}
