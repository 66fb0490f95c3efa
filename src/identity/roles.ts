/**
 * Staff roles (ARCHITECTURE.md §6; the full matrix arrives with the identity issue).
 */

/** Roles a staff user can hold. */
export const STAFF_ROLES = [
  "kendra_operator",
  "kendra_manager",
  "helpline_agent",
  "facilitator",
  "dealing_clerk",
  "designated_officer",
  "first_appellate_authority",
  "second_appellate_authority",
  "head_office",
  /** The district nodal officer for pendency (the ADC General), posted at district level. */
  "adc_general",
  "pmu_admin",
  /** The accounts staff: fee reconciliation with the payment gateway (src/payments/). */
  "accounts",
  "auditor",
  "system_admin",
] as const;

export type StaffRole = (typeof STAFF_ROLES)[number];

/** Roles that may decide applications (approve, reject, send back). */
export const DECIDING_ROLES: ReadonlySet<string> = new Set(["designated_officer"]);

/** True when `s` names a staff role. */
export function isStaffRole(s: string): s is StaffRole {
  return (STAFF_ROLES as readonly string[]).includes(s);
}
