import { describe, expect, it } from "vitest";
import { loadDefinition } from "../catalog/definitions/load.ts";
import type { ServiceDefinition } from "../catalog/definitions/types.ts";
import { applicantAction, officialActions, planStep, statusOfStage } from "./definition.ts";

async function income(): Promise<ServiceDefinition> {
  const loaded = await loadDefinition("data/services/revenue/income-certificate.yaml");
  if (!loaded.ok) throw new Error("income certificate definition does not load");
  return loaded.definition;
}

describe("definition workflows", () => {
  it("offers each official only the actions of their staff role from the current stage", async () => {
    const def = await income();
    const clerk = officialActions(def, "submitted", new Set(["dealing_clerk"])).map((a) => a.id);
    expect(clerk).toEqual(["send_for_verification", "return_for_deficiency"]);
    expect(officialActions(def, "submitted", new Set(["designated_officer"]))).toEqual([]);
    const officer = officialActions(def, "decision", new Set(["designated_officer"])).map(
      (a) => a.id,
    );
    expect(officer).toContain("approve");
    expect(officer).toContain("reject");
    expect(officialActions(def, "approved", new Set(["designated_officer"]))).toEqual([]);
  });

  it("maps stages to the generic phases the clock and monitoring use", async () => {
    const def = await income();
    expect(statusOfStage(def.workflow, "verification", "submitted")).toBe("submitted");
    expect(statusOfStage(def.workflow, "verification", "sent_back")).toBe("resubmitted");
    expect(statusOfStage(def.workflow, "sent_back", "submitted")).toBe("sent_back");
    expect(statusOfStage(def.workflow, "approved", "submitted")).toBe("approved");
    expect(statusOfStage(def.workflow, "rejected", "resubmitted")).toBe("rejected");
  });

  it("names custody changes and disposals with the generic event names", async () => {
    const def = await income();
    expect(planStep(def, "submitted", "submitted", "send_for_verification")).toMatchObject({
      toStage: "verification",
      toStatus: "submitted",
      event: "stage_changed",
      remarkRequired: false,
    });
    expect(planStep(def, "submitted", "submitted", "return_for_deficiency")).toMatchObject({
      toStatus: "sent_back",
      event: "sent_back",
      remarkRequired: true,
    });
    const resubmit = applicantAction(def, "sent_back");
    expect(resubmit?.id).toBeDefined();
    expect(planStep(def, "sent_back", "sent_back", resubmit?.id ?? "")).toMatchObject({
      toStatus: "resubmitted",
      event: "resubmitted",
    });
    expect(planStep(def, "decision", "submitted", "approve")).toMatchObject({
      toStatus: "approved",
      event: "approved",
    });
    expect(planStep(def, "decision", "submitted", "reject")?.remarkRequired).toBe(true);
  });

  it("refuses an action the workflow does not allow from the stage", async () => {
    const def = await income();
    expect(planStep(def, "submitted", "submitted", "approve")).toBeUndefined();
    expect(planStep(def, "submitted", "submitted", "no_such_action")).toBeUndefined();
  });
});
