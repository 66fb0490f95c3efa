/**
 * The generic workflow: the state machine every service uses until its
 * service definition brings its own (the service-definitions issue).
 *
 * States: `submitted` and `resubmitted` are with the department; `sent_back`
 * is with the applicant (deficiency; the time-limit clock pauses);
 * `approved` (delivered) and `rejected` are disposals and final.
 * Remarks are required for every official action (issue 2).
 */

/** Application statuses of the generic workflow. */
export const STATUSES = ["submitted", "sent_back", "resubmitted", "approved", "rejected"] as const;
export type Status = (typeof STATUSES)[number];

/**
 * Actions: officials take approve/reject/send_back/mark_duplicate (a rejection
 * naming the application it duplicates); the applicant takes resubmit.
 */
export const ACTIONS = ["approve", "reject", "send_back", "mark_duplicate", "resubmit"] as const;
export type Action = (typeof ACTIONS)[number];

/** Who may take an action. */
export const ACTION_ACTOR: Record<Action, "official" | "applicant"> = {
  approve: "official",
  reject: "official",
  send_back: "official",
  mark_duplicate: "official",
  resubmit: "applicant",
};

const TRANSITIONS: Record<Status, Partial<Record<Action, Status>>> = {
  submitted: {
    approve: "approved",
    reject: "rejected",
    send_back: "sent_back",
    mark_duplicate: "rejected",
  },
  resubmitted: {
    approve: "approved",
    reject: "rejected",
    send_back: "sent_back",
    mark_duplicate: "rejected",
  },
  sent_back: { resubmit: "resubmitted" },
  approved: {},
  rejected: {},
};

/** Statuses after which nothing more happens (disposal). */
export const FINAL_STATUSES: ReadonlySet<Status> = new Set(["approved", "rejected"]);

/** True while the application is with the department (the clock runs). */
export function isWithDepartment(status: Status): boolean {
  return status === "submitted" || status === "resubmitted";
}

/** The status an action leads to from `status`, or undefined when the workflow does not allow it. */
export function nextStatus(status: Status, action: Action): Status | undefined {
  return TRANSITIONS[status]?.[action];
}

/** The actions allowed from `status`. */
export function allowedActions(status: Status): Action[] {
  return Object.keys(TRANSITIONS[status] ?? {}) as Action[];
}

/** Type guard for a status read from storage. */
export function isStatus(s: string): s is Status {
  return (STATUSES as readonly string[]).includes(s);
}

/** Type guard for an action read from a request. */
export function isAction(s: string): s is Action {
  return (ACTIONS as readonly string[]).includes(s);
}
