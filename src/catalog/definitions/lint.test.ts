import { describe, expect, it } from "vitest";
import { lintDefinition, resolvePath } from "./lint.ts";
import { minimalDefinition, text } from "./test-fixtures.ts";
import type { LintIssue, ServiceDefinition } from "./types.ts";

const FILE = "data/services/testing/test-service.yaml";

function lint(change: (d: ServiceDefinition) => void): LintIssue[] {
  const d = minimalDefinition();
  change(d);
  return lintDefinition(d, FILE);
}

const errors = (issues: LintIssue[]) => issues.filter((i) => i.severity === "error");

describe("lintDefinition: the fixture", () => {
  it("is clean", () => {
    expect(lintDefinition(minimalDefinition(), FILE)).toEqual([]);
  });
});

describe("lintDefinition: the issue 3 catches, each with file, path and a clear message", () => {
  it("a workflow state that cannot be reached", () => {
    const issues = lint((d) => {
      d.workflow.states.push({ id: "orphan", name: text("Orphan"), holder: "department" });
      d.workflow.actions.push({
        id: "leave",
        name: text("Leave"),
        from: ["orphan"],
        to: "approved",
        roles: ["officer"],
      });
    });
    expect(errors(issues)).toEqual([
      {
        file: FILE,
        path: "workflow.states[5]",
        code: "workflow.unreachable",
        message: "state “orphan” cannot be reached from “submitted”",
        severity: "error",
      },
    ]);
  });

  it("a state with no way out that is not terminal", () => {
    const issues = lint((d) => {
      d.workflow.states.push({ id: "limbo", name: text("Limbo"), holder: "department" });
      d.workflow.actions.push({
        id: "park",
        name: text("Park"),
        from: ["decision"],
        to: "limbo",
        roles: ["officer"],
      });
    });
    expect(errors(issues)).toEqual([
      {
        file: FILE,
        path: "workflow.states[5]",
        code: "workflow.dead_end",
        message:
          "state “limbo” is not terminal but no action leaves it: add an action or make it terminal",
        severity: "error",
      },
    ]);
  });

  it("states that actions leave but that can never reach a terminal state (a loop with no exit)", () => {
    const issues = lint((d) => {
      d.workflow.states.push(
        { id: "loopA", name: text("Loop A"), holder: "department" },
        { id: "loopB", name: text("Loop B"), holder: "department" },
      );
      d.workflow.actions.push(
        {
          id: "toA",
          name: text("To A"),
          from: ["decision", "loopB"],
          to: "loopA",
          roles: ["officer"],
        },
        { id: "toB", name: text("To B"), from: ["loopA"], to: "loopB", roles: ["officer"] },
      );
    });
    expect(errors(issues).map((i) => [i.code, i.path, i.message])).toEqual([
      [
        "workflow.trap",
        "workflow.states[5]",
        "from state “loopA” no terminal state can be reached: there is no way out",
      ],
      [
        "workflow.trap",
        "workflow.states[6]",
        "from state “loopB” no terminal state can be reached: there is no way out",
      ],
    ]);
  });

  it("an action with no role", () => {
    const issues = lint((d) => {
      (d.workflow.actions[1] as { roles: string[] }).roles = [];
    });
    expect(errors(issues)).toEqual([
      {
        file: FILE,
        path: "workflow.actions[1].roles",
        code: "workflow.action_no_role",
        message: "action “approve” has no role: name who may take it",
        severity: "error",
      },
    ]);
  });

  it("a condition that refers to an unknown field", () => {
    const issues = lint((d) => {
      const field = d.form.pages[1]?.fields[1];
      if (field) field.when = { field: "maried", equals: true };
    });
    expect(errors(issues)).toEqual([
      {
        file: FILE,
        path: "form.pages[1].fields[1].when.field",
        code: "condition.unknown_field",
        message: "the condition refers to unknown field “maried”",
        severity: "error",
      },
    ]);
  });

  it("a missing translation (absent or blank)", () => {
    const issues = lint((d) => {
      d.name = { en: "Test service", pa: "ਟੈਸਟ ਸੇਵਾ" };
      const label = d.form.pages[0]?.fields[0]?.label;
      if (label) label.pa = "  ";
    });
    expect(errors(issues)).toEqual([
      {
        file: FILE,
        path: "name.hi",
        code: "translation.missing",
        message: "missing the hi text (Devanagari) of “Test service”",
        severity: "error",
      },
      {
        file: FILE,
        path: "form.pages[0].fields[0].label.pa",
        code: "translation.missing",
        message: "missing the pa text (Gurmukhi) of “Full name”",
        severity: "error",
      },
    ]);
  });

  it("a file limit above the channel's cap (2 MiB = 2,097,152 bytes online)", () => {
    const issues = lint((d) => {
      const doc = d.documents.items[0];
      if (doc) doc.maxBytes = 2_097_153;
    });
    expect(errors(issues)).toEqual([
      {
        file: FILE,
        path: "documents.items[0].maxBytes",
        code: "file.over_cap",
        message: "2,097,153 bytes is above the online channel's cap of 2,097,152 bytes (2 MiB)",
        severity: "error",
      },
    ]);
  });

  it("a file question above a cap the definition lowered for one channel", () => {
    const issues = lint((d) => {
      d.channels.sewaKendra.maxFileBytes = 1_048_576;
    });
    expect(errors(issues).map((i) => [i.path, i.message])).toEqual([
      [
        "form.pages[3].fields[1].maxBytes",
        "2,097,152 bytes (2 MiB) is above the sewaKendra channel's cap of 1,048,576 bytes (1 MiB)",
      ],
      ...["0", "1", "2", "3"].map((i) => [
        `documents.items[${i}].maxBytes`,
        "2,097,152 bytes (2 MiB) is above the sewaKendra channel's cap of 1,048,576 bytes (1 MiB)",
      ]),
    ]);
  });
});

describe("lintDefinition: other checks", () => {
  const codes = (issues: LintIssue[]) => errors(issues).map((i) => i.code);

  it("requires remarks on rejection and send-back", () => {
    const issues = lint((d) => {
      const reject = d.workflow.actions[2];
      const sendBack = d.workflow.actions[3];
      if (reject) reject.remarks = "optional";
      if (sendBack) delete sendBack.remarks;
    });
    expect(errors(issues).map((i) => [i.path, i.message])).toEqual([
      [
        "workflow.actions[2].remarks",
        "action “reject” rejects: set remarks: required so the applicant is told why",
      ],
      [
        "workflow.actions[3].remarks",
        "action “sendBack” sends the application back: set remarks: required so the applicant is told why",
      ],
    ]);
  });

  it("finds conditions on later fields, out of scope, or with impossible values", () => {
    const issues = lint((d) => {
      const p1 = d.form.pages[0];
      if (p1?.fields[0]) p1.fields[0].when = { field: "married", equals: true };
      const p2 = d.form.pages[1];
      if (p2) p2.when = { field: "married", answered: true };
      const doc = d.documents.items[3];
      if (doc) doc.when = { field: "memberName", answered: true };
      const rule = d.fees.exemptions?.[0];
      if (rule) rule.when = { field: "category", in: ["sc", "st"] };
    });
    expect(errors(issues).map((i) => [i.code, i.path])).toEqual([
      ["condition.forward_reference", "form.pages[0].fields[0].when.field"],
      ["condition.forward_reference", "form.pages[1].when.field"],
      ["condition.scope", "documents.items[3].when.field"],
      ["condition.value", "fees.exemptions[0].when.in"],
    ]);
  });

  it("checks the file name against department and code", () => {
    const issues = lintDefinition(minimalDefinition(), "data/services/revenue/other.yaml");
    expect(issues).toEqual([
      expect.objectContaining({
        code: "file.name",
        path: "(root)",
        message:
          "the file must be data/services/testing/test-service.yaml (department/code), not …/revenue/other.yaml",
      }),
    ]);
  });

  it("finds duplicate ids, a reserved field id and a bad copies question", () => {
    const issues = lint((d) => {
      const p = d.form.pages[0];
      p?.fields.push({ id: "mobile", type: "email", label: text("Email") });
      p?.fields.push({ id: "channel", type: "text", label: text("Channel") });
      const copies = d.form.pages[3]?.fields[0];
      if (copies?.type === "number") delete copies.min;
    });
    expect(codes(issues)).toEqual(["field.reserved_id", "field.reserved_id", "id.duplicate"]);
  });

  it("finds bad patterns, ranges and options", () => {
    const issues = lint((d) => {
      const p = d.form.pages[0];
      p?.fields.push(
        { id: "pin", type: "text", label: text("Pin"), pattern: "^[0-9]{6$" },
        { id: "age", type: "number", label: text("Age"), min: 10, max: 5 },
        {
          id: "colour",
          type: "select",
          label: text("Colour"),
          options: [
            { value: "red", label: text("Red") },
            { value: "red", label: text("Red") },
          ],
        },
      );
    });
    expect(codes(issues)).toEqual([
      "field.pattern",
      "field.pattern_message",
      "field.range",
      "field.options",
    ]);
  });

  it("finds unknown roles, slabs out of order and unknown source ids", () => {
    const issues = lint((d) => {
      d.designatedOfficer = "tehsildar";
      d.fees.rules.push({
        kind: "slab",
        id: "pages",
        label: text("Pages"),
        fact: "copies",
        mode: "flat",
        slabs: [
          { upTo: 5, amountPaise: 1 },
          { upTo: 3, amountPaise: 2 },
        ],
        sources: ["nowhere"],
      });
    });
    expect(codes(issues)).toEqual(["role.unknown", "fee.slabs", "fee.slabs", "source.unknown"]);
  });

  it("finds stage shares above the time limit", () => {
    const issues = lint((d) => {
      d.timeLimit.days = 5;
    });
    expect(errors(issues)).toEqual([
      expect.objectContaining({
        code: "workflow.share",
        path: "workflow.states",
        message: "the stages' shares add up to 6 days, more than the time limit of 5",
      }),
    ]);
  });

  it("finds placeholders that differ between languages", () => {
    const issues = lint((d) => {
      const f = d.form.pages[0]?.fields[0];
      if (f) f.errors = { too_long: text("At most {{max}}", "ਵੱਧ ਤੋਂ ਵੱਧ {{min}}", "अधिकतम {{max}}") };
    });
    expect(errors(issues)).toEqual([
      expect.objectContaining({
        code: "translation.placeholders",
        path: "form.pages[0].fields[0].errors.too_long.pa",
      }),
    ]);
  });

  it("warns about facts with no source that are not listed as unverified", () => {
    const d = minimalDefinition();
    delete d.timeLimit.sources;
    expect(lintDefinition(d, FILE)).toEqual([
      expect.objectContaining({ code: "source.missing", path: "timeLimit", severity: "warning" }),
    ]);
    d.unverified = [{ path: "timeLimit.days", note: "not found" }];
    expect(lintDefinition(d, FILE)).toEqual([]);
    d.unverified = [{ path: "timeLimit.weeks", note: "typo" }];
    expect(codes(lintDefinition(d, FILE))).toEqual(["unverified.path"]);
  });

  it("adds line numbers when given a locator", () => {
    const d = minimalDefinition();
    (d.workflow.actions[0] as { roles: string[] }).roles = [];
    const issues = lintDefinition(d, FILE, (path) => path.length * 10);
    expect(issues[0]?.line).toBe(40); // workflow.actions[0].roles: 4 segments
  });
});

describe("resolvePath", () => {
  it("follows keys and indexes", () => {
    const d = minimalDefinition();
    expect(resolvePath(d, "timeLimit.days")).toEqual({ found: true, value: 7 });
    expect(resolvePath(d, "documents.items[1].id")).toEqual({ found: true, value: "voterCard" });
    expect(resolvePath(d, "documents.items[9]").found).toBe(false);
    expect(resolvePath(d, "").found).toBe(false);
  });
});
