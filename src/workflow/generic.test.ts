import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  ACTIONS,
  allowedActions,
  FINAL_STATUSES,
  isWithDepartment,
  nextStatus,
  STATUSES,
  type Status,
} from "./generic.ts";

describe("generic workflow", () => {
  it("officials decide only what is with the department", () => {
    expect(nextStatus("submitted", "approve")).toBe("approved");
    expect(nextStatus("submitted", "send_back")).toBe("sent_back");
    expect(nextStatus("sent_back", "approve")).toBeUndefined();
    expect(nextStatus("sent_back", "resubmit")).toBe("resubmitted");
    expect(nextStatus("resubmitted", "reject")).toBe("rejected");
  });

  it("disposals are final", () => {
    for (const s of FINAL_STATUSES) expect(allowedActions(s)).toEqual([]);
  });

  it("no sequence of actions leaves the defined statuses or revives a disposal (property)", () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...ACTIONS), { maxLength: 40 }), (actions) => {
        let s: Status = "submitted";
        let disposed = false;
        for (const a of actions) {
          const next = nextStatus(s, a);
          if (next === undefined) continue;
          expect(disposed).toBe(false);
          expect(STATUSES).toContain(next);
          s = next;
          if (FINAL_STATUSES.has(s)) disposed = true;
        }
        expect(isWithDepartment(s) || s === "sent_back" || FINAL_STATUSES.has(s)).toBe(true);
      }),
    );
  });
});
