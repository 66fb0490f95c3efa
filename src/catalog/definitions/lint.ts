/**
 * The service definition linter: everything about a definition that the JSON
 * Schema cannot check because it looks at two places at once. Pure (no I/O);
 * `lint-path.ts` reads files and adds line numbers.
 *
 * Each finding is a {@link LintIssue} with the file, the path inside the
 * definition, a stable code and a message that says what to do. Errors block
 * publishing; warnings do not. Codes (issue 3 "done when" items first):
 *
 * | code | severity | finding |
 * |---|---|---|
 * | `workflow.unreachable` | error | a state no chain of actions reaches from `initial` |
 * | `workflow.dead_end` | error | a state that is not terminal and that no action leaves |
 * | `workflow.trap` | error | a state that actions leave, but from which no terminal state can be reached |
 * | `workflow.action_no_role` | error | an action nobody may take |
 * | `condition.unknown_field` | error | a condition naming a field that does not exist |
 * | `translation.missing` | error | a text without `pa` or `hi` (or blank) |
 * | `file.over_cap` | error | a file limit above an enabled channel's cap (`caps.ts`) |
 * | `file.name` | error | the file is not `<department>/<code>.yaml` |
 * | `id.duplicate`, `field.reserved_id` | error | ids must be unique; `channel` is a fee fact; a `copies` question must be a top-level whole number ≥ 1 |
 * | `condition.forward_reference`, `condition.scope`, `condition.field_type`, `condition.value` | error | a condition must name an earlier field in scope, of a type it can test, with values it can take |
 * | `field.range`, `field.pattern`, `field.options` | error | impossible lengths, ranges or options; a pattern that does not compile |
 * | `field.pattern_message` | error | a pattern without its own error message (GOV.UK: say what the format is) |
 * | `field.pattern_anchor`, `field.error_unused` | warning | a pattern not anchored with ^…$; a message for an error the field cannot give |
 * | `form.tasks` | error | the task list must hold every page exactly once |
 * | `rule.unknown_field`, `rule.type` | error | cross-field rules on unknown or incomparable fields |
 * | `document.unknown`, `document.group` | error | any-one-of groups that name unknown documents, overlap or set `required` |
 * | `channel.none` | error | no channel enabled |
 * | `fee.slabs`, `fee.unknown_fact`, `fee.unknown_rule`, `fee.copies` | error | slabs out of order or not open-ended; unknown facts or rules; a copies question allowing more copies than a per-copy rule |
 * | `role.unknown`, `role.reserved`, `role.staff_role` | error | roles must be declared, not `applicant`, and map to a platform role |
 * | `workflow.initial`, `workflow.unknown_state`, `workflow.outcome`, `workflow.terminal_exit`, `workflow.remarks`, `workflow.share` | error | workflow consistency; remarks required on rejection and send-back (issue 3); stage shares within the time limit |
 * | `workflow.no_delivery` | warning | no reachable state delivers the service |
 * | `translation.placeholders` | error | `{{placeholders}}` differ between languages |
 * | `translation.script`, `translation.review` | warning | a pa/hi text with no Gurmukhi/Devanagari letters; translations not yet reviewed |
 * | `source.unknown`, `unverified.path` | error | a source id or unverified path that does not exist |
 * | `source.missing`, `source.unused` | warning | a legal fact with no source and not marked unverified; a source nobody cites |
 */
import { STAFF_ROLES } from "../../identity/roles.ts";
import {
  CHANNEL_FILE_CAPS,
  CHANNELS,
  describeBytes,
  TEXT_MAX_LENGTH,
  TEXTAREA_MAX_LENGTH,
} from "./caps.ts";
import { conditionTests, testOperator } from "./conditions.ts";
import { COPIES_FIELD, DEFAULT_MAX_COPIES, RESERVED_FACTS } from "./fees.ts";
import { placeholders } from "./messages.ts";
import { LANGS } from "./schema.ts";
import type { ChildField, Condition, Field, LintIssue, Path, ServiceDefinition } from "./types.ts";
import { formatPath } from "./types.ts";

/** The built-in role of the applicant (for resubmission after a deficiency). */
export const APPLICANT_ROLE = "applicant";

type AnyField = Field | ChildField;
type Severity = LintIssue["severity"];

/** Error codes each field type can produce that a definition may give a message for. */
const APPLICABLE_ERRORS: Record<AnyField["type"], readonly string[]> = {
  text: ["required", "too_short", "too_long", "pattern"],
  textarea: ["required", "too_short", "too_long", "pattern"],
  number: ["required", "too_small", "too_large", "not_integer"],
  date: ["required", "invalid", "too_early", "too_late"],
  select: ["required", "invalid_option"],
  radios: ["required", "invalid_option"],
  checkboxes: ["required", "invalid_option", "too_few", "too_many"],
  yesno: ["required"],
  mobile: ["required", "invalid"],
  email: ["required", "invalid", "too_long"],
  pincode: ["required", "invalid"],
  address: ["required"],
  aadhaar: ["required", "invalid", "checksum"],
  file: ["required", "too_many", "invalid"],
  group: ["required", "too_few", "too_many"],
};

/** Field types a condition may test with operators other than `answered` (no personal data, no structures). */
const TESTABLE_TYPES = new Set([
  "text",
  "number",
  "date",
  "select",
  "radios",
  "checkboxes",
  "yesno",
]);

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * Lint one parsed definition (one that matches the JSON Schema; see
 * `load.ts`).
 *
 * @param def the definition.
 * @param file the file it came from, as it should appear in messages; when it
 *   ends in `.yaml`/`.yml`, its last two segments must be
 *   `<department>/<code>.yaml`.
 * @param lineOf optional: the 1-based line of a path in the file (from the
 *   loader), to put on each issue.
 * @returns the issues, errors and warnings mixed, in the order found.
 */
export function lintDefinition(
  def: ServiceDefinition,
  file: string,
  lineOf?: (path: Path) => number | undefined,
): LintIssue[] {
  const issues: LintIssue[] = [];
  const add = (path: Path, code: string, message: string, severity: Severity = "error") => {
    const issue: LintIssue = { file, path: formatPath(path), code, message, severity };
    const line = lineOf?.(path);
    if (line !== undefined) issue.line = line;
    issues.push(issue);
  };

  checkFileName(def, file, add);
  const fields = checkIds(def, add);
  checkRoles(def, add);
  checkForm(def, fields, add);
  checkCaps(def, add);
  checkDocuments(def, fields, add);
  checkFees(def, fields, add);
  checkWorkflow(def, add);
  checkTranslations(def, add);
  checkSources(def, add);
  return issues;
}

type Add = (path: Path, code: string, message: string, severity?: Severity) => void;

/** Where each field is: its definition, its path, its position, its group. */
type FieldInfo = {
  field: AnyField;
  path: Path;
  /** Position among top-level fields in form order, or the index inside its group. */
  order: number;
  /** Id of the group for a child field. */
  group?: string;
  /** Index of the page for a top-level field. */
  page?: number;
};

/* ----------------------------------------------------------- file, ids */

function checkFileName(def: ServiceDefinition, file: string, add: Add) {
  if (!/\.ya?ml$/i.test(file)) return;
  const parts = file.split(/[\\/]/);
  const name = (parts.at(-1) ?? "").replace(/\.ya?ml$/i, "");
  const dir = parts.at(-2);
  if (name !== def.code || dir !== def.department) {
    add(
      [],
      "file.name",
      `the file must be data/services/${def.department}/${def.code}.yaml (department/code), not …/${dir ?? ""}/${parts.at(-1)}`,
    );
  }
}

function checkIds(def: ServiceDefinition, add: Add): Map<string, FieldInfo> {
  const unique = (kind: string, items: { id: string; path: Path }[]) => {
    const seen = new Map<string, Path>();
    for (const { id, path } of items) {
      const first = seen.get(id);
      if (first) {
        add(
          [...path, "id"],
          "id.duplicate",
          `${kind} id “${id}” is already used at ${formatPath(first)}`,
        );
      } else seen.set(id, path);
    }
  };
  const fields = new Map<string, FieldInfo>();
  const fieldList: { id: string; path: Path }[] = [];
  let order = 0;
  def.form.pages.forEach((page, p) => {
    page.fields.forEach((field, i) => {
      const path = ["form", "pages", p, "fields", i];
      fieldList.push({ id: field.id, path });
      if (!fields.has(field.id)) fields.set(field.id, { field, path, order, page: p });
      order += 1;
      if (field.type === "group") {
        field.fields.forEach((child, j) => {
          const childPath = [...path, "fields", j];
          fieldList.push({ id: child.id, path: childPath });
          if (!fields.has(child.id)) {
            fields.set(child.id, { field: child, path: childPath, order: j, group: field.id });
          }
        });
      }
    });
  });
  for (const { id, path } of fieldList) {
    if ((RESERVED_FACTS as readonly string[]).includes(id)) {
      add([...path, "id"], "field.reserved_id", `“${id}” is a fee fact; choose another field id`);
    }
  }
  const copies = fields.get(COPIES_FIELD);
  if (copies) {
    const f = copies.field;
    const ok =
      copies.group === undefined &&
      f.type === "number" &&
      f.integer !== false &&
      f.min !== undefined &&
      f.min >= 1;
    if (!ok) {
      add(
        [...copies.path, "id"],
        "field.reserved_id",
        "the “copies” question gives the number of copies: make it a top-level number question with min: 1 (whole numbers)",
      );
    }
  }
  const list = <T extends { id: string }>(items: readonly T[] | undefined, base: Path) =>
    (items ?? []).map((item, i) => ({ id: item.id, path: [...base, i] }));
  unique("field", fieldList);
  unique("page", list(def.form.pages, ["form", "pages"]));
  unique("task", list(def.form.tasks, ["form", "tasks"]));
  unique("rule", list(def.form.rules, ["form", "rules"]));
  unique("document", [
    ...list(def.documents.items, ["documents", "items"]),
    ...list(def.documents.groups, ["documents", "groups"]),
  ]);
  unique("fee rule", list(def.fees.rules, ["fees", "rules"]));
  unique("exemption", list(def.fees.exemptions, ["fees", "exemptions"]));
  unique("state", list(def.workflow.states, ["workflow", "states"]));
  unique("action", list(def.workflow.actions, ["workflow", "actions"]));
  unique("role", list(def.roles, ["roles"]));
  unique("source", list(def.sources, ["sources"]));
  return fields;
}

function checkRoles(def: ServiceDefinition, add: Add) {
  const declared = new Set(def.roles.map((r) => r.id));
  def.roles.forEach((role, i) => {
    if (role.id === APPLICANT_ROLE) {
      add(["roles", i, "id"], "role.reserved", "“applicant” is built in; do not declare it");
    }
    if (!(STAFF_ROLES as readonly string[]).includes(role.staffRole)) {
      add(
        ["roles", i, "staffRole"],
        "role.staff_role",
        `staffRole “${role.staffRole}” is not a platform role; use one of: ${STAFF_ROLES.join(", ")}`,
      );
    }
  });
  for (const key of [
    "designatedOfficer",
    "firstAppellateAuthority",
    "secondAppellateAuthority",
  ] as const) {
    const role = def[key];
    if (role !== undefined && !declared.has(role)) {
      add([key], "role.unknown", `role “${role}” is not declared in roles`);
    }
  }
}

/* ---------------------------------------------------------------- form */

/** The scope a condition is checked in. */
type Scope =
  | { kind: "page"; page: number }
  | { kind: "field"; info: FieldInfo }
  | { kind: "anywhere" } // documents: any top-level field
  | { kind: "facts" }; // fees: any top-level field, and channel

function checkCondition(
  condition: Condition,
  path: Path,
  scope: Scope,
  fields: Map<string, FieldInfo>,
  add: Add,
) {
  const tests = conditionTests(condition);
  const nested = "all" in condition ? "all" : "any" in condition ? "any" : undefined;
  tests.forEach((test, i) => {
    const testPath = nested ? [...path, nested, i] : path;
    const op = testOperator(test);
    const name = test.field;
    if (scope.kind === "facts" && name === "channel") {
      const values = [test.equals, test.notEquals, ...(test.in ?? []), ...(test.notIn ?? [])];
      const bad = values.filter((v) => v !== undefined && !(CHANNELS as unknown[]).includes(v));
      if (op === "includes" || bad.length > 0) {
        add(
          [...testPath, op],
          "condition.value",
          `the fact channel is one of: ${CHANNELS.join(", ")}`,
        );
      }
      return;
    }
    const target = fields.get(name);
    if (!target) {
      add(
        [...testPath, "field"],
        "condition.unknown_field",
        `the condition refers to unknown field “${name}”`,
      );
      return;
    }
    const here = scope.kind === "field" ? scope.info : undefined;
    if (here?.group !== undefined) {
      if (target.group !== here.group) {
        add(
          [...testPath, "field"],
          "condition.scope",
          `a question in group “${here.group}” can only depend on earlier questions of the same group, not “${name}”`,
        );
        return;
      }
      if (target.order >= here.order) {
        add(
          [...testPath, "field"],
          "condition.forward_reference",
          `the condition refers to “${name}”, which is not an earlier question of the group`,
        );
        return;
      }
    } else {
      if (target.group !== undefined) {
        add(
          [...testPath, "field"],
          "condition.scope",
          `“${name}” is inside group “${target.group}”: only that group's own questions can depend on it`,
        );
        return;
      }
      if (scope.kind === "page" && (target.page ?? 0) >= scope.page) {
        add(
          [...testPath, "field"],
          "condition.forward_reference",
          `a page can only depend on questions of earlier pages, not “${name}”`,
        );
        return;
      }
      if (here && target.order >= here.order) {
        add(
          [...testPath, "field"],
          "condition.forward_reference",
          `the condition refers to “${name}”, which is not an earlier question`,
        );
        return;
      }
    }
    checkTestValue(test, op, target.field, testPath, add);
  });
}

function checkTestValue(
  test: ReturnType<typeof conditionTests>[number],
  op: string,
  field: AnyField,
  path: Path,
  add: Add,
) {
  if (op === "answered") return;
  if (!TESTABLE_TYPES.has(field.type)) {
    add(
      [...path, op],
      "condition.field_type",
      `a ${field.type} answer can only be tested with “answered”`,
    );
    return;
  }
  if (op === "includes") {
    if (field.type !== "checkboxes") {
      add([...path, op], "condition.value", "“includes” is only for checkboxes; use equals or in");
    } else if (!field.options.some((o) => o.value === test.includes)) {
      add([...path, op], "condition.value", `“${test.includes}” is not an option of “${field.id}”`);
    }
    return;
  }
  if (field.type === "checkboxes") {
    add([...path, op], "condition.value", `use “includes” to test the checkboxes “${field.id}”`);
    return;
  }
  const values = [test.equals, test.notEquals, ...(test.in ?? []), ...(test.notIn ?? [])].filter(
    (v) => v !== undefined,
  );
  for (const v of values) {
    let problem: string | undefined;
    if (field.type === "yesno" && typeof v !== "boolean") problem = "must be true or false";
    if (field.type === "number" && typeof v !== "number") problem = "must be a number";
    if ((field.type === "text" || field.type === "date") && typeof v !== "string") {
      problem = "must be text";
    }
    if (
      (field.type === "select" || field.type === "radios") &&
      !field.options.some((o) => o.value === v)
    ) {
      problem = `must be one of the options of “${field.id}”`;
    }
    if (problem) add([...path, op], "condition.value", `${JSON.stringify(v)} ${problem}`);
  }
}

function checkField(field: AnyField, path: Path, add: Add) {
  const range = (code: string, message: string) => add(path, code, message);
  switch (field.type) {
    case "text":
    case "textarea": {
      const max =
        field.maxLength ?? (field.type === "text" ? TEXT_MAX_LENGTH : TEXTAREA_MAX_LENGTH);
      if ((field.minLength ?? 1) > max) range("field.range", "minLength is above maxLength");
      if (field.pattern !== undefined) {
        try {
          new RegExp(field.pattern, "u");
        } catch (e) {
          add(
            [...path, "pattern"],
            "field.pattern",
            `the pattern does not compile: ${(e as Error).message}`,
          );
        }
        if (!field.pattern.startsWith("^") || !field.pattern.endsWith("$")) {
          add(
            [...path, "pattern"],
            "field.pattern_anchor",
            "the pattern should match the whole answer: start it with ^ and end it with $",
            "warning",
          );
        }
        if (field.errors?.pattern === undefined) {
          add(
            [...path, "pattern"],
            "field.pattern_message",
            "a pattern needs its own message in errors.pattern that says what the format is",
          );
        }
      }
      break;
    }
    case "number":
      if (field.min !== undefined && field.max !== undefined && field.min > field.max) {
        range("field.range", "min is above max");
      }
      break;
    case "date": {
      for (const key of ["min", "max"] as const) {
        const v = field[key];
        if (v !== undefined && v !== "today" && !isRealIsoDate(v)) {
          add([...path, key], "field.range", `${key} “${v}” is not a real date`);
        }
      }
      if (
        field.min !== undefined &&
        field.max !== undefined &&
        field.min !== "today" &&
        field.max !== "today" &&
        field.min > field.max
      ) {
        range("field.range", "min is after max");
      }
      break;
    }
    case "select":
    case "radios":
    case "checkboxes": {
      const seen = new Set<string>();
      field.options.forEach((o, i) => {
        if (seen.has(o.value)) {
          add(
            [...path, "options", i, "value"],
            "field.options",
            `option value “${o.value}” is repeated`,
          );
        }
        seen.add(o.value);
      });
      if (field.type === "checkboxes") {
        if (field.min !== undefined && field.max !== undefined && field.min > field.max) {
          range("field.range", "min is above max");
        }
        if ((field.min ?? 1) > field.options.length) {
          range("field.range", "min is above the number of options");
        }
      }
      break;
    }
    case "group":
      if ((field.min ?? 1) > field.max) range("field.range", "min is above max");
      break;
    default:
      break;
  }
  const applicable = APPLICABLE_ERRORS[field.type];
  for (const code of Object.keys(field.errors ?? {})) {
    if (!applicable.includes(code)) {
      add(
        [...path, "errors", code],
        "field.error_unused",
        `a ${field.type} question never gives the error “${code}”; it can give: ${applicable.join(", ")}`,
        "warning",
      );
    }
  }
}

function isRealIsoDate(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (mo < 1 || mo > 12 || d < 1) return false;
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][mo - 1] as number;
  return d <= days;
}

function checkForm(def: ServiceDefinition, fields: Map<string, FieldInfo>, add: Add) {
  def.form.pages.forEach((page, p) => {
    const pagePath = ["form", "pages", p];
    if (page.when)
      checkCondition(page.when, [...pagePath, "when"], { kind: "page", page: p }, fields, add);
    page.fields.forEach((field, i) => {
      const path = [...pagePath, "fields", i];
      checkField(field, path, add);
      const info = fields.get(field.id);
      if (field.when && info && info.field === field) {
        checkCondition(field.when, [...path, "when"], { kind: "field", info }, fields, add);
      }
      if (field.type === "group") {
        field.fields.forEach((child, j) => {
          const childPath = [...path, "fields", j];
          checkField(child, childPath, add);
          const childInfo = fields.get(child.id);
          if (child.when && childInfo && childInfo.field === child) {
            checkCondition(
              child.when,
              [...childPath, "when"],
              { kind: "field", info: childInfo },
              fields,
              add,
            );
          }
        });
      }
    });
  });

  if (def.form.tasks) {
    const pageIds = def.form.pages.map((p) => p.id);
    const placed = new Map<string, number>();
    def.form.tasks.forEach((task, t) => {
      task.pages.forEach((id, i) => {
        if (!pageIds.includes(id)) {
          add(
            ["form", "tasks", t, "pages", i],
            "form.tasks",
            `task “${task.id}” lists unknown page “${id}”`,
          );
        } else if (placed.has(id)) {
          add(
            ["form", "tasks", t, "pages", i],
            "form.tasks",
            `page “${id}” is already in another task`,
          );
        } else placed.set(id, t);
      });
    });
    for (const id of pageIds) {
      if (!placed.has(id)) {
        add(
          ["form", "tasks"],
          "form.tasks",
          `page “${id}” is in no task: with a task list, every page belongs to one task`,
        );
      }
    }
  }

  (def.form.rules ?? []).forEach((rule, r) => {
    const path = ["form", "rules", r];
    const inScope = (id: string): AnyField | undefined => {
      const info = fields.get(id);
      if (!info) return undefined;
      return info.group === rule.group ? info.field : undefined;
    };
    if (rule.group !== undefined && fields.get(rule.group)?.field.type !== "group") {
      add([...path, "group"], "rule.unknown_field", `“${rule.group}” is not a repeating group`);
      return;
    }
    const a = inScope(rule.field);
    const b = inScope(rule.other);
    const where = rule.group ? ` in group “${rule.group}”` : " at the top level of the form";
    if (!a) add([...path, "field"], "rule.unknown_field", `no field “${rule.field}”${where}`);
    if (!b) add([...path, "other"], "rule.unknown_field", `no field “${rule.other}”${where}`);
    if (!a || !b) return;
    if (rule.field === rule.other) {
      add([...path, "other"], "rule.type", "a rule compares two different fields");
      return;
    }
    const dateOps = ["before", "onOrBefore", "after", "onOrAfter"];
    const numberOps = ["lessThan", "atMost", "greaterThan", "atLeast"];
    const scalar = new Set(["text", "number", "date", "select", "radios", "yesno", "pincode"]);
    if (dateOps.includes(rule.op) && (a.type !== "date" || b.type !== "date")) {
      add([...path, "op"], "rule.type", `“${rule.op}” compares two date fields`);
    } else if (numberOps.includes(rule.op) && (a.type !== "number" || b.type !== "number")) {
      add([...path, "op"], "rule.type", `“${rule.op}” compares two number fields`);
    } else if (
      (rule.op === "equals" || rule.op === "notEquals") &&
      (a.type !== b.type || !scalar.has(a.type))
    ) {
      add([...path, "op"], "rule.type", `“${rule.op}” compares two fields of the same simple type`);
    }
  });
}

/* ----------------------------------------------------- caps, documents */

function checkCaps(def: ServiceDefinition, add: Add) {
  const enabled = CHANNELS.filter((c) => def.channels[c].enabled);
  if (enabled.length === 0) add(["channels"], "channel.none", "enable at least one channel");
  for (const c of CHANNELS) {
    const own = def.channels[c].maxFileBytes;
    if (own !== undefined && own > CHANNEL_FILE_CAPS[c]) {
      add(
        ["channels", c, "maxFileBytes"],
        "file.over_cap",
        `${describeBytes(own)} is above the platform cap for ${c} of ${describeBytes(CHANNEL_FILE_CAPS[c])}`,
      );
    }
  }
  const limits: { path: Path; bytes: number }[] = [];
  def.form.pages.forEach((page, p) => {
    page.fields.forEach((f, i) => {
      if (f.type === "file")
        limits.push({ path: ["form", "pages", p, "fields", i, "maxBytes"], bytes: f.maxBytes });
      if (f.type === "group") {
        f.fields.forEach((c, j) => {
          if (c.type === "file") {
            limits.push({
              path: ["form", "pages", p, "fields", i, "fields", j, "maxBytes"],
              bytes: c.maxBytes,
            });
          }
        });
      }
    });
  });
  def.documents.items.forEach((d, i) => {
    limits.push({ path: ["documents", "items", i, "maxBytes"], bytes: d.maxBytes });
  });
  for (const { path, bytes } of limits) {
    for (const c of enabled) {
      const cap = Math.min(
        CHANNEL_FILE_CAPS[c],
        def.channels[c].maxFileBytes ?? Number.POSITIVE_INFINITY,
      );
      if (bytes > cap) {
        add(
          path,
          "file.over_cap",
          `${describeBytes(bytes)} is above the ${c} channel's cap of ${describeBytes(cap)}`,
        );
        break;
      }
    }
  }
}

function checkDocuments(def: ServiceDefinition, fields: Map<string, FieldInfo>, add: Add) {
  const items = new Map(def.documents.items.map((d, i) => [d.id, i]));
  const grouped = new Map<string, string>();
  (def.documents.groups ?? []).forEach((group, g) => {
    group.documents.forEach((id, i) => {
      const path = ["documents", "groups", g, "documents", i];
      const index = items.get(id);
      if (index === undefined) {
        add(path, "document.unknown", `group “${group.id}” lists unknown document “${id}”`);
        return;
      }
      const other = grouped.get(id);
      if (other !== undefined) {
        add(path, "document.group", `document “${id}” is already in group “${other}”`);
      }
      grouped.set(id, group.id);
      if (def.documents.items[index]?.required !== undefined) {
        add(
          ["documents", "items", index, "required"],
          "document.group",
          `document “${id}” is in group “${group.id}”, which decides whether it is needed: remove required`,
        );
      }
    });
    if ((group.min ?? 1) > group.documents.length) {
      add(
        ["documents", "groups", g, "min"],
        "document.group",
        "min is above the number of documents in the group",
      );
    }
  });
  def.documents.items.forEach((d, i) => {
    if (d.when) {
      checkCondition(d.when, ["documents", "items", i, "when"], { kind: "anywhere" }, fields, add);
    }
  });
  (def.documents.groups ?? []).forEach((g, i) => {
    if (g.when) {
      checkCondition(g.when, ["documents", "groups", i, "when"], { kind: "anywhere" }, fields, add);
    }
  });
}

/* ---------------------------------------------------------------- fees */

function checkFees(def: ServiceDefinition, fields: Map<string, FieldInfo>, add: Add) {
  const ruleIds = new Set(def.fees.rules.map((r) => r.id));
  def.fees.rules.forEach((rule, r) => {
    const path = ["fees", "rules", r];
    if (rule.when) checkCondition(rule.when, [...path, "when"], { kind: "facts" }, fields, add);
    const copies = fields.get(COPIES_FIELD)?.field;
    if (rule.kind === "per_copy" && copies?.type === "number") {
      const allowed = rule.maxCopies ?? DEFAULT_MAX_COPIES;
      if (copies.max === undefined || copies.max > allowed) {
        add(
          [...path, "maxCopies"],
          "fee.copies",
          `the copies question must not allow more than ${allowed} copies (this rule's maxCopies): give it max: ${allowed} or less`,
        );
      }
    }
    if (rule.kind !== "slab") return;
    const fact = fields.get(rule.fact);
    if (fact?.field.type !== "number" || fact.group !== undefined) {
      add(
        [...path, "fact"],
        "fee.unknown_fact",
        `slabs are read on a top-level number question, not “${rule.fact}”`,
      );
    }
    let previous = -1;
    rule.slabs.forEach((slab, s) => {
      const last = s === rule.slabs.length - 1;
      if (slab.upTo === undefined && !last) {
        add([...path, "slabs", s], "fee.slabs", "only the last slab may leave out upTo");
      } else if (slab.upTo !== undefined && last) {
        add(
          [...path, "slabs", s, "upTo"],
          "fee.slabs",
          "the last slab must leave out upTo, so every number has a slab",
        );
      }
      if (slab.upTo !== undefined) {
        if (slab.upTo <= previous) {
          add([...path, "slabs", s, "upTo"], "fee.slabs", "upTo must increase from slab to slab");
        }
        previous = slab.upTo;
      }
    });
  });
  (def.fees.exemptions ?? []).forEach((e, i) => {
    const path = ["fees", "exemptions", i];
    checkCondition(e.when, [...path, "when"], { kind: "facts" }, fields, add);
    (e.rules ?? []).forEach((id, j) => {
      if (!ruleIds.has(id)) add([...path, "rules", j], "fee.unknown_rule", `no fee rule “${id}”`);
    });
  });
}

/* ------------------------------------------------------------ workflow */

function checkWorkflow(def: ServiceDefinition, add: Add) {
  const wf = def.workflow;
  const states = new Map(wf.states.map((s, i) => [s.id, { state: s, index: i }]));
  const roles = new Set([...def.roles.map((r) => r.id), APPLICANT_ROLE]);
  const next = new Map<string, Set<string>>(wf.states.map((s) => [s.id, new Set()]));

  const initial = states.get(wf.initial);
  if (!initial) {
    add(
      ["workflow", "initial"],
      "workflow.initial",
      `initial state “${wf.initial}” is not a state`,
    );
  } else if (initial.state.terminal) {
    add(["workflow", "initial"], "workflow.initial", "the initial state cannot be terminal");
  }

  wf.actions.forEach((action, a) => {
    const path = ["workflow", "actions", a];
    if (action.roles.length === 0) {
      add(
        [...path, "roles"],
        "workflow.action_no_role",
        `action “${action.id}” has no role: name who may take it`,
      );
    }
    action.roles.forEach((role, r) => {
      if (!roles.has(role))
        add([...path, "roles", r], "role.unknown", `role “${role}” is not declared in roles`);
    });
    const target = states.get(action.to);
    if (!target) add([...path, "to"], "workflow.unknown_state", `no state “${action.to}”`);
    action.from.forEach((from, f) => {
      if (!states.has(from))
        add([...path, "from", f], "workflow.unknown_state", `no state “${from}”`);
      else if (target) next.get(from)?.add(action.to);
    });
    if (target) {
      const rejects = target.state.outcome === "rejected";
      const sendsBack = target.state.holder === "applicant" && !target.state.terminal;
      if ((rejects || sendsBack) && action.remarks !== "required") {
        add(
          [...path, "remarks"],
          "workflow.remarks",
          `action “${action.id}” ${rejects ? "rejects" : "sends the application back"}: set remarks: required so the applicant is told why`,
        );
      }
    }
  });

  let shares = 0;
  wf.states.forEach((s, i) => {
    const path = ["workflow", "states", i];
    const terminal = s.terminal === true;
    if (terminal && s.outcome === undefined) {
      add(
        [...path, "outcome"],
        "workflow.outcome",
        `terminal state “${s.id}” needs an outcome (delivered, rejected or withdrawn)`,
      );
    }
    if (!terminal && s.outcome !== undefined) {
      add(
        [...path, "outcome"],
        "workflow.outcome",
        `only a terminal state has an outcome; “${s.id}” is not terminal`,
      );
    }
    if (terminal && (next.get(s.id)?.size ?? 0) > 0) {
      add(path, "workflow.terminal_exit", `terminal state “${s.id}” has actions leaving it`);
    }
    if (!terminal && (next.get(s.id)?.size ?? 0) === 0) {
      add(
        path,
        "workflow.dead_end",
        `state “${s.id}” is not terminal but no action leaves it: add an action or make it terminal`,
      );
    }
    if (s.shareDays !== undefined) {
      if (s.holder !== "department" || terminal) {
        add(
          [...path, "shareDays"],
          "workflow.share",
          "only a stage with the department takes a share of the time limit",
        );
      } else shares += s.shareDays;
    }
  });
  if (shares > def.timeLimit.days) {
    add(
      ["workflow", "states"],
      "workflow.share",
      `the stages' shares add up to ${shares} days, more than the time limit of ${def.timeLimit.days}`,
    );
  }

  if (!initial) return;
  const reached = walk([wf.initial], next);
  wf.states.forEach((s, i) => {
    if (!reached.has(s.id)) {
      add(
        ["workflow", "states", i],
        "workflow.unreachable",
        `state “${s.id}” cannot be reached from “${wf.initial}”`,
      );
    }
  });
  const terminals = wf.states.filter((s) => s.terminal).map((s) => s.id);
  const reverse = new Map<string, Set<string>>(wf.states.map((s) => [s.id, new Set()]));
  for (const [from, tos] of next) for (const to of tos) reverse.get(to)?.add(from);
  const canFinish = walk(terminals, reverse);
  wf.states.forEach((s, i) => {
    if (s.terminal || !reached.has(s.id) || (next.get(s.id)?.size ?? 0) === 0) return;
    if (!canFinish.has(s.id)) {
      add(
        ["workflow", "states", i],
        "workflow.trap",
        `from state “${s.id}” no terminal state can be reached: there is no way out`,
      );
    }
  });
  const delivers = wf.states.some((s) => s.outcome === "delivered" && reached.has(s.id));
  if (!delivers) {
    add(
      ["workflow", "states"],
      "workflow.no_delivery",
      "no reachable state delivers the service",
      "warning",
    );
  }
}

function walk(start: string[], edges: Map<string, Set<string>>): Set<string> {
  const seen = new Set(start);
  const queue = [...start];
  for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
    for (const n of edges.get(id) ?? []) {
      if (!seen.has(n)) {
        seen.add(n);
        queue.push(n);
      }
    }
  }
  return seen;
}

/* -------------------------------------------------------- translations */

const SCRIPT: Record<string, RegExp> = { pa: /[\u0A00-\u0A7F]/u, hi: /[\u0900-\u097F]/u };
const SCRIPT_NAME: Record<string, string> = { pa: "Gurmukhi", hi: "Devanagari" };

/** A `{en, pa?, hi?}` object (the only objects with exactly these keys). */
function isLocalised(v: unknown): v is Record<string, string> {
  return (
    isRecord(v) &&
    typeof v.en === "string" &&
    Object.keys(v).every((k) => (LANGS as readonly string[]).includes(k))
  );
}

function checkTranslations(def: ServiceDefinition, add: Add) {
  const visit = (node: unknown, path: Path) => {
    if (isLocalised(node)) {
      const wanted = placeholders(node.en ?? "");
      for (const lang of LANGS) {
        if (lang === "en") continue;
        const text = node[lang];
        if (text === undefined || text.trim() === "") {
          add(
            [...path, lang],
            "translation.missing",
            `missing the ${lang} text (${SCRIPT_NAME[lang]}) of “${node.en}”`,
          );
          continue;
        }
        if (placeholders(text).join() !== wanted.join()) {
          add(
            [...path, lang],
            "translation.placeholders",
            `the ${lang} text must use the same placeholders as en: ${wanted.map((p) => `{{${p}}}`).join(", ") || "none"}`,
          );
        }
        if (/[A-Za-z]/.test(node.en ?? "") && !(SCRIPT[lang] as RegExp).test(text)) {
          add(
            [...path, lang],
            "translation.script",
            `the ${lang} text has no ${SCRIPT_NAME[lang]} letters`,
            "warning",
          );
        }
      }
      return;
    }
    if (Array.isArray(node)) {
      node.forEach((item, i) => {
        visit(item, [...path, i]);
      });
    } else if (isRecord(node)) for (const [k, v] of Object.entries(node)) visit(v, [...path, k]);
  };
  visit(def, []);
  if (def.meta.translation.machineAssisted && !def.meta.translation.reviewed) {
    add(
      ["meta", "translation"],
      "translation.review",
      "the pa and hi texts are machine-assisted and not yet reviewed by a native speaker",
      "warning",
    );
  }
}

/* -------------------------------------------------------------- sources */

/** Resolve a dotted path (`timeLimit.days`, `documents.items[2].name`) in a value. */
export function resolvePath(root: unknown, dotted: string): { found: boolean; value?: unknown } {
  const segments = dotted.match(/[^.[\]]+|\[\d+\]/g) ?? [];
  let node: unknown = root;
  for (const seg of segments) {
    if (seg.startsWith("[")) {
      const i = Number(seg.slice(1, -1));
      if (!Array.isArray(node) || i >= node.length) return { found: false };
      node = node[i];
    } else {
      if (!isRecord(node) || !Object.hasOwn(node, seg)) return { found: false };
      node = node[seg];
    }
  }
  return { found: segments.length > 0, value: node };
}

function checkSources(def: ServiceDefinition, add: Add) {
  const declared = new Set(def.sources.map((s) => s.id));
  const used = new Set<string>();
  const visit = (node: unknown, path: Path) => {
    if (Array.isArray(node)) {
      node.forEach((item, i) => {
        visit(item, [...path, i]);
      });
    } else if (isRecord(node)) {
      for (const [k, v] of Object.entries(node)) {
        const isRefs = (k === "sources" || k === "officerSources") && Array.isArray(v);
        if (!isRefs) {
          visit(v, [...path, k]);
          continue;
        }
        v.forEach((id, i) => {
          if (typeof id !== "string") return;
          used.add(id);
          if (!declared.has(id))
            add([...path, k, i], "source.unknown", `no source “${id}” in sources`);
        });
      }
    }
  };
  // Everything but the top-level `sources`, which declares the sources rather than citing them.
  const { sources: _declarations, ...citing } = def;
  visit(citing, []);
  def.sources.forEach((s, i) => {
    if (!used.has(s.id))
      add(["sources", i], "source.unused", `source “${s.id}” is not cited by any fact`, "warning");
  });

  const unverified = (def.unverified ?? []).map((u) => u.path);
  (def.unverified ?? []).forEach((u, i) => {
    if (!resolvePath(def, u.path).found) {
      add(
        ["unverified", i, "path"],
        "unverified.path",
        `“${u.path}” is not a path in this definition`,
      );
    }
  });
  const covered = (dotted: string) =>
    unverified.some(
      (u) => u === dotted || dotted.startsWith(`${u}.`) || u.startsWith(`${dotted}.`),
    );
  const need = (has: boolean, path: Path, what: string) => {
    const dotted = formatPath(path);
    if (!has && !covered(dotted)) {
      add(
        path,
        "source.missing",
        `${what} has no source: add sources, or list it under unverified with a note`,
        "warning",
      );
    }
  };
  need(def.timeLimit.sources !== undefined, ["timeLimit"], "the time limit");
  need(def.notification.sources !== undefined, ["notification"], "the notification");
  need(def.officerSources !== undefined, ["designatedOfficer"], "the designated officer");
  def.eligibility.forEach((e, i) => {
    need(e.sources !== undefined, ["eligibility", i], "this eligibility rule");
  });
  def.fees.rules.forEach((r, i) => {
    need(r.sources !== undefined, ["fees", "rules", i], `fee rule “${r.id}”`);
  });
  const groupOf = new Map<string, boolean>();
  for (const g of def.documents.groups ?? []) {
    for (const id of g.documents) groupOf.set(id, g.sources !== undefined);
  }
  def.documents.items.forEach((d, i) => {
    need(
      d.sources !== undefined || groupOf.get(d.id) === true,
      ["documents", "items", i],
      `document “${d.id}”`,
    );
  });
}
