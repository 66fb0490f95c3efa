/**
 * Workflows from service definitions (issue 3): the definition's named states
 * and actions, run on the same applications, time limits and timeline as the
 * generic workflow (`generic.ts`). Pure.
 *
 * An application filed under a definition keeps two things:
 * - `stage`: the definition's own state (`verification`, `decision`, …);
 * - `status`: the generic phase that everything else measures on (inbox,
 *   breach sweep, monitoring, appeals): a department-held state is
 *   `submitted` (or `resubmitted` once the applicant has answered a
 *   deficiency), an applicant-held state is `sent_back` (the clock pauses),
 *   a terminal state is `approved` (outcome `delivered`) or `rejected`
 *   (outcomes `rejected` and `withdrawn`).
 *
 * Who may act: an action lists definition roles; each role names a platform
 * `staffRole`. An official may take the action when one of their postings
 * that covers the application holds such a staff role. The built-in role
 * `applicant` is the citizen (resubmission after a deficiency).
 */
import type { ServiceDefinition, Workflow } from "../catalog/definitions/types.ts";
import type { Status } from "./generic.ts";

/** The built-in definition role of the citizen. */
export const APPLICANT = "applicant";

/** A state of a definition workflow. */
export type DefinitionState = Workflow["states"][number];
/** An action of a definition workflow. */
export type DefinitionAction = Workflow["actions"][number];

/**
 * One planned move: the action, the stage and generic status it leads to,
 * the timeline event's name (generic names for custody changes and
 * disposals, so that pauses and outcomes are read the same way for every
 * service; `stage_changed` for a move between department stages) and
 * whether a remark is required.
 */
export type DefinitionStep = {
  action: DefinitionAction;
  fromStage: string;
  toStage: string;
  toStatus: Status;
  event: "sent_back" | "resubmitted" | "approved" | "rejected" | "stage_changed";
  remarkRequired: boolean;
};

/** The state `id` of a workflow. @throws Error when the definition has no such state (a published definition always has it). */
export function stateOf(wf: Workflow, id: string): DefinitionState {
  const state = wf.states.find((s) => s.id === id);
  if (!state) throw new Error(`workflow has no state ${id}`);
  return state;
}

/** The generic status of a stage, given the status the application had before (see module docs). */
export function statusOfStage(wf: Workflow, stage: string, before: Status | null): Status {
  const state = stateOf(wf, stage);
  if (state.terminal) return state.outcome === "delivered" ? "approved" : "rejected";
  if (state.holder === APPLICANT) return "sent_back";
  return before === "sent_back" || before === "resubmitted" ? "resubmitted" : "submitted";
}

/** The staff roles (`identity/roles.ts`) that may take `action`. */
export function staffRolesOf(def: ServiceDefinition, action: DefinitionAction): Set<string> {
  const out = new Set<string>();
  for (const r of action.roles) {
    const role = def.roles.find((x) => x.id === r);
    if (role) out.add(role.staffRole);
  }
  return out;
}

/** The actions an official holding `staffRoles` (on this application) may take from `stage`, in definition order. */
export function officialActions(
  def: ServiceDefinition,
  stage: string,
  staffRoles: ReadonlySet<string>,
): DefinitionAction[] {
  return def.workflow.actions.filter(
    (a) =>
      a.from.includes(stage) &&
      !a.roles.includes(APPLICANT) &&
      [...staffRolesOf(def, a)].some((r) => staffRoles.has(r)),
  );
}

/** The applicant's action from `stage` (resubmission after a deficiency), if any. */
export function applicantAction(
  def: ServiceDefinition,
  stage: string,
): DefinitionAction | undefined {
  return def.workflow.actions.find((a) => a.from.includes(stage) && a.roles.includes(APPLICANT));
}

/**
 * Plans `actionId` from `stage`.
 * @returns the step, or undefined when the workflow has no such action from this stage.
 */
export function planStep(
  def: ServiceDefinition,
  stage: string,
  status: Status,
  actionId: string,
): DefinitionStep | undefined {
  const wf = def.workflow;
  const action = wf.actions.find((a) => a.id === actionId && a.from.includes(stage));
  if (!action) return undefined;
  const from = stateOf(wf, stage);
  const to = stateOf(wf, action.to);
  const toStatus = statusOfStage(wf, to.id, status);
  const event = to.terminal
    ? toStatus === "approved"
      ? "approved"
      : "rejected"
    : to.holder === APPLICANT && from.holder !== APPLICANT
      ? "sent_back"
      : from.holder === APPLICANT && to.holder !== APPLICANT
        ? "resubmitted"
        : "stage_changed";
  return {
    action,
    fromStage: from.id,
    toStage: to.id,
    toStatus,
    event,
    remarkRequired: action.remarks === "required",
  };
}
