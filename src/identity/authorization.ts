/**
 * Authorization: role × jurisdiction × department, from an official's postings
 * (pure rules; OWASP ASVS 4.0 V4.1 "deny by default", V4.2 object-level access).
 *
 * A posting grants its role's permissions over its jurisdiction: the whole
 * state, one district or one tehsil (LGD codes), for one department or all
 * (`departmentId` null), between `validFrom` and `validTo` inclusive (IST dates).
 * Anything not granted is denied. Routes answer 404 for records outside every
 * posting, so their existence is not revealed.
 */
import type { StaffRole } from "./roles.ts";

/** What can be granted. */
export type Permission =
  | "application.view"
  | "application.decide"
  | "admin.view"
  | "users.manage"
  | "holidays.manage"
  | "audit.view"
  | "appeal.decide.level1"
  | "appeal.decide.level2"
  | "penalty.manage"
  /** The pendency dashboard and its exports (src/monitoring/), within the posting's jurisdiction. */
  | "monitoring.view"
  /** The PMU studio: upload, lint, preview, publish and retire service definitions (src/catalog/studio-routes.ts). */
  | "definitions.manage"
  /** Taking a fee in cash, card or UPI at a Sewa Kendra counter or the doorstep (src/payments/). */
  | "payment.collect"
  /** Reconciling online payments with the gateway's settlement report (`/admin/payments`). */
  | "payments.reconcile"
  /** Working a Sewa Kendra counter: calling tokens, submitting the counter's day close (src/kendras/; posting's `kendraCode`). */
  | "kendra.counter"
  /** Managing a Sewa Kendra: approving or returning day closes, the centre's queue figures. */
  | "kendra.manage"
  /** Filing an application on a citizen's behalf with their consent OTP (counter or doorstep). */
  | "application.assist"
  /** Handing an output (a certificate) over against the applicant's OTP (counter or doorstep). */
  | "output.handover"
  /** Helpline 1076: looking citizens up by mobile, booking, rescheduling and cancelling doorstep visits. */
  | "doorstep.book"
  /** A facilitator's own doorstep visits: the day's list, the visit, cancellation with a reason. */
  | "doorstep.visit"
  /** The performance and impact audit of Sewa Kendras and its reports (src/kendras/audit/). */
  | "kendra.audit";

/** Each role's permissions (least privilege; ARCHITECTURE.md §6 roles). */
export const ROLE_PERMISSIONS: Record<StaffRole, readonly Permission[]> = {
  kendra_operator: ["payment.collect", "kendra.counter", "application.assist", "output.handover"],
  kendra_manager: [
    "payment.collect",
    "kendra.counter",
    "kendra.manage",
    "application.assist",
    "output.handover",
  ],
  helpline_agent: ["doorstep.book"],
  facilitator: ["payment.collect", "doorstep.visit", "application.assist", "output.handover"],
  dealing_clerk: ["application.view"],
  designated_officer: ["application.view", "application.decide"],
  first_appellate_authority: ["application.view", "appeal.decide.level1"],
  second_appellate_authority: ["application.view", "appeal.decide.level2", "penalty.manage"],
  head_office: [
    "application.view",
    "admin.view",
    "penalty.manage",
    "monitoring.view",
    "payments.reconcile",
    "kendra.audit",
  ],
  adc_general: ["monitoring.view"],
  pmu_admin: ["admin.view", "monitoring.view", "definitions.manage"],
  accounts: ["payments.reconcile"],
  auditor: ["audit.view", "kendra.audit"],
  system_admin: ["admin.view", "users.manage", "holidays.manage", "payments.reconcile"],
};

/** A posting as the rules need it. */
export type PostingScope = {
  role: string;
  level: "state" | "district" | "tehsil";
  districtCode: number | null;
  tehsilCode: number | null;
  departmentId: number | null;
  /** The Sewa Kendra of a `kendra_operator` or `kendra_manager` posting (src/kendras/). */
  kendraCode?: string | null;
  validFrom: string;
  validTo: string | null;
};

/** Where a record sits: its district, tehsil and department. */
export type RecordScope = { districtCode: number; tehsilCode: number; departmentId: number };

/** An official with the postings that are active today. */
export type Principal = { officialId: number; postings: PostingScope[] };

/** Postings active on `today` (YYYY-MM-DD, IST). */
export function activeOn<P extends PostingScope>(postings: readonly P[], today: string): P[] {
  return postings.filter((p) => p.validFrom <= today && (p.validTo === null || today <= p.validTo));
}

/** Whether a posting's jurisdiction and department cover a record. */
export function covers(p: PostingScope, r: RecordScope): boolean {
  if (p.departmentId !== null && p.departmentId !== r.departmentId) return false;
  if (p.level === "state") return true;
  if (p.level === "district") return p.districtCode === r.districtCode;
  return p.tehsilCode === r.tehsilCode;
}

function grants(p: PostingScope, permission: Permission): boolean {
  return (ROLE_PERMISSIONS[p.role as StaffRole] ?? []).includes(permission);
}

/**
 * Whether the principal may do `permission`, on `record` when given (otherwise
 * anywhere: for pages that list only what is in scope).
 */
export function can(principal: Principal, permission: Permission, record?: RecordScope): boolean {
  return principal.postings.some(
    (p) => grants(p, permission) && (record === undefined || covers(p, record)),
  );
}

/** The postings that grant `permission`: the scopes a list must be filtered to. */
export function scopesFor(principal: Principal, permission: Permission): PostingScope[] {
  return principal.postings.filter((p) => grants(p, permission));
}
