import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { loadDefinition, parseDefinition } from "./load.ts";
import { minimalDefinition } from "./test-fixtures.ts";

const FILE = "data/services/testing/test-service.yaml";

describe("parseDefinition", () => {
  it("loads a valid definition and locates paths by line", () => {
    const yaml = stringify(minimalDefinition());
    const r = parseDefinition(yaml, FILE);
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    expect(r.definition).toEqual(minimalDefinition());
    const lines = yaml.split("\n");
    const at = (n: number | undefined) => lines[(n ?? 0) - 1] ?? "";
    expect(at(r.lineOf(["code"]))).toBe("code: test-service");
    expect(at(r.lineOf(["workflow", "initial"]))).toContain("initial: submitted");
    expect(at(r.lineOf(["form", "pages", 1, "fields", 1]))).toContain("id: dateOfMarriage");
    // A missing key gives its nearest ancestor.
    expect(r.lineOf(["workflow", "nothing", 3])).toBe(r.lineOf(["workflow"]));
  });

  it("keeps YAML 1.2 scalars as written (no, dates and numbers stay what they look like)", () => {
    const d = minimalDefinition();
    const yaml = stringify(d).replace("accessed: 2026-11-30", "accessed: 2026-11-30 # a date");
    const r = parseDefinition(yaml, FILE);
    expect(r.ok && r.definition.sources[0]?.accessed).toBe("2026-11-30");
  });

  it("reports YAML syntax errors with a line", () => {
    const r = parseDefinition("code: x\n\tdepartment: y\n", FILE);
    expect(r).toEqual({
      ok: false,
      errors: [
        {
          file: FILE,
          line: 2,
          path: "(root)",
          code: "yaml.syntax",
          message: "Tabs are not allowed as indentation",
          severity: "error",
        },
      ],
    });
  });

  it("reports duplicate keys", () => {
    const r = parseDefinition("code: a\ncode: b\n", FILE);
    expect(!r.ok && r.errors[0]?.code).toBe("yaml.syntax");
  });

  it("reports schema errors with path, line and a message for the person editing", () => {
    const yaml = stringify(minimalDefinition())
      .replace("type: yesno", "type: yes-no")
      .replace("label:\n            en: Mobile number", "lable:\n            en: Mobile number");
    const r = parseDefinition(yaml, FILE);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const lines = yaml.split("\n");
    const byCode = Object.fromEntries(r.errors.map((e) => [e.code, e]));
    expect(byCode["schema.discriminator"]).toMatchObject({
      path: "form.pages[1].fields[0].type",
      message:
        "type must be one of: text, textarea, number, date, select, radios, checkboxes, yesno, mobile, email, pincode, address, aadhaar, file, group",
    });
    expect(lines[(byCode["schema.discriminator"]?.line ?? 0) - 1]).toContain("type: yes-no");
    expect(byCode["schema.additionalProperties"]).toMatchObject({
      path: "form.pages[0].fields[2].lable",
      message: "unknown key “lable” (did you mean “label”?)",
    });
    expect(byCode["schema.required"]).toMatchObject({
      path: "form.pages[0].fields[2]",
      message: "missing required key “label”",
    });
  });

  it("explains a condition with two operators and a bad identifier", () => {
    const d = minimalDefinition();
    const yaml = stringify(d)
      .replace(
        "field: married\n            equals: true",
        "field: married\n            equals: true\n            answered: true",
      )
      .replace("id: fullName", "id: Full-name");
    const r = parseDefinition(yaml, FILE);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors.map((e) => [e.path, e.message])).toEqual([
      [
        "form.pages[0].fields[0].id",
        '"Full-name" is not allowed here: Identifier: a lower-case letter, then letters, digits or _ (at most 40).',
      ],
      ["form.pages[1].fields[1].when", "A test on one answer: `field` and exactly one operator."],
    ]);
  });
});

describe("loadDefinition", () => {
  it("loads both shipped definitions", async () => {
    for (const file of [
      "data/services/revenue/income-certificate.yaml",
      "data/services/personnel/residence-certificate.yaml",
    ]) {
      const r = await loadDefinition(file);
      expect(r.ok, file).toBe(true);
    }
  });

  it("reports a missing file as file.read", async () => {
    const r = await loadDefinition("data/services/none/missing.yaml");
    expect(r).toEqual({
      ok: false,
      errors: [
        {
          file: "data/services/none/missing.yaml",
          path: "(root)",
          code: "file.read",
          message: "cannot read the file (ENOENT)",
          severity: "error",
        },
      ],
    });
  });
});
