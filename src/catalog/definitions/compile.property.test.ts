/**
 * Issue 3, "done when": a property test generates random valid definitions
 * and answers; the compiled schema accepts exactly the valid answers.
 *
 * "Valid" is decided by an oracle written here from the rules in compile.ts's
 * documentation, independently of the schema: it walks the form in order,
 * works out which questions are shown (a page's and a question's conditions,
 * evaluated on the earlier answers), and checks each shown answer against its
 * type's rules, then the cross-field rules. The test checks two things on
 * every generated case:
 * 1. the raw compiled schema (Ajv with Sewa's keywords) accepts the answers
 *    exactly when the oracle does, answers to hidden questions included
 *    (they make the answers invalid);
 * 2. validate() (which drops hidden answers first) says ok exactly when the
 *    oracle accepts the answers without the hidden ones, and then returns
 *    them with Aadhaar numbers masked.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { verhoeffCheckDigit, verhoeffValid } from "./aadhaar.ts";
import { compileForm, createFormAjv } from "./compile.ts";
import { RULE_OPERATORS } from "./schema.ts";
import { minimalDefinition, text } from "./test-fixtures.ts";
import type { ChildField, Condition, Field, FormRule, Page, ServiceDefinition } from "./types.ts";

const TODAY = "2026-11-30";
const LGD = new Map<number, Set<number>>([
  [35, new Set([1, 2])],
  [36, new Set([3])],
]);
const CTX = { today: TODAY, tehsilsByDistrict: LGD };

type AnyField = Field | ChildField;
type Answers = Record<string, unknown>;

/* ------------------------------------------------------------- oracle */

const isObject = (v: unknown): v is Answers =>
  typeof v === "object" && v !== null && !Array.isArray(v);
const has = (o: Answers, k: string) => Object.hasOwn(o, k) && o[k] !== undefined;

function testHolds(t: Record<string, unknown>, facts: Answers): boolean {
  const present = has(facts, t.field as string);
  const v = facts[t.field as string];
  if ("equals" in t) return present && v === t.equals;
  if ("notEquals" in t) return !(present && v === t.notEquals);
  if ("in" in t) return present && (t.in as unknown[]).some((x) => x === v);
  if ("notIn" in t) return !(present && (t.notIn as unknown[]).some((x) => x === v));
  if ("includes" in t) return present && Array.isArray(v) && v.some((x) => x === t.includes);
  return present === t.answered;
}

function holds(c: Condition | undefined, facts: Answers): boolean {
  if (c === undefined) return true;
  if ("all" in c) return c.all.every((t) => testHolds(t, facts));
  if ("any" in c) return c.any.some((t) => testHolds(t, facts));
  return testHolds(c, facts);
}

function realDate(v: unknown): v is string {
  if (typeof v !== "string") return false;
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(v);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (y < 1000 || mo < 1 || mo > 12 || d < 1) return false;
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  return d <= ([31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][mo - 1] as number);
}

const codePoints = (s: string) => [...s].length;
const strIn = (v: unknown, lo: number, hi: number): v is string =>
  typeof v === "string" && codePoints(v) >= lo && codePoints(v) <= hi;
const bound = (b: string | undefined) => (b === "today" ? TODAY : b);

function valueValid(f: AnyField, v: unknown): boolean {
  switch (f.type) {
    case "text":
    case "textarea":
      return (
        strIn(v, Math.max(1, f.minLength ?? 1), f.maxLength ?? (f.type === "text" ? 100 : 1000)) &&
        (f.pattern === undefined || new RegExp(f.pattern, "u").test(v))
      );
    case "number":
      return (
        typeof v === "number" &&
        Number.isFinite(v) &&
        (f.integer === false || Number.isInteger(v)) &&
        (f.min === undefined || v >= f.min) &&
        (f.max === undefined || v <= f.max)
      );
    case "date": {
      const min = bound(f.min);
      const max = bound(f.max);
      return realDate(v) && (min === undefined || v >= min) && (max === undefined || v <= max);
    }
    case "select":
    case "radios":
      return f.options.some((o) => o.value === v);
    case "checkboxes":
      return (
        Array.isArray(v) &&
        v.length >= Math.max(1, f.min ?? 1) &&
        (f.max === undefined || v.length <= f.max) &&
        new Set(v).size === v.length &&
        v.every((x) => f.options.some((o) => o.value === x))
      );
    case "yesno":
      return typeof v === "boolean";
    case "mobile":
      return typeof v === "string" && /^[6-9]\d{9}$/.test(v);
    case "pincode":
      return typeof v === "string" && /^[1-9]\d{5}$/.test(v);
    case "email":
      return strIn(v, 1, 254) && /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/.test(v);
    case "aadhaar":
      return typeof v === "string" && /^[2-9]\d{11}$/.test(v) && verhoeffValid(v);
    case "address": {
      if (!isObject(v)) return false;
      const keys = ["line1", "line2", "districtCode", "tehsilCode", "pincode"];
      if (!Object.keys(v).every((k) => keys.includes(k))) return false;
      const code = (x: unknown) => typeof x === "number" && Number.isInteger(x) && x >= 1;
      if (!strIn(v.line1, 1, 120) || (has(v, "line2") && !strIn(v.line2, 1, 120))) return false;
      if (!code(v.districtCode) || !code(v.tehsilCode)) return false;
      if (typeof v.pincode !== "string" || !/^[1-9]\d{5}$/.test(v.pincode)) return false;
      const tehsils = LGD.get(v.districtCode as number);
      return tehsils?.has(v.tehsilCode as number) === true;
    }
    case "file":
      return (
        Array.isArray(v) &&
        v.length >= 1 &&
        v.length <= (f.maxFiles ?? 1) &&
        new Set(v).size === v.length &&
        v.every((x) => typeof x === "string" && /^[A-Za-z0-9_-]{1,64}$/.test(x))
      );
    case "group":
      return (
        Array.isArray(v) &&
        v.length >= Math.max(1, f.min ?? 1) &&
        v.length <= f.max &&
        v.every((item) =>
          objectValid(
            f.fields.map((c) => ({ field: c, conds: [c.when] })),
            item,
            rulesOf(f.id),
          ),
        )
      );
  }
}

let currentRules: FormRule[] = [];
const rulesOf = (group: string | undefined) => currentRules.filter((r) => r.group === group);

function ruleHolds(r: FormRule, kindOf: (id: string) => AnyField | undefined, o: Answers): boolean {
  const a = o[r.field];
  const b = o[r.other];
  const t = kindOf(r.field)?.type;
  const ok = (x: unknown) =>
    t === "date"
      ? realDate(x)
      : t === "number"
        ? typeof x === "number" && Number.isFinite(x)
        : ["string", "number", "boolean"].includes(typeof x);
  if (!ok(a) || !ok(b)) return true;
  const [x, y] = [a as number | string, b as number | string];
  switch (r.op) {
    case "before":
    case "lessThan":
      return x < y;
    case "onOrBefore":
    case "atMost":
      return x <= y;
    case "after":
    case "greaterThan":
      return x > y;
    case "onOrAfter":
    case "atLeast":
      return x >= y;
    case "equals":
      return a === b;
    case "notEquals":
      return a !== b;
  }
}

/** Strict validity: hidden questions must be unanswered. */
function objectValid(
  entries: { field: AnyField; conds: (Condition | undefined)[] }[],
  o: unknown,
  rules: FormRule[],
): boolean {
  if (!isObject(o)) return false;
  const ids = entries.map((e) => e.field.id);
  if (!Object.keys(o).every((k) => ids.includes(k))) return false;
  for (const { field, conds } of entries) {
    const shown = conds.every((c) => holds(c, o));
    if (!shown) {
      if (has(o, field.id)) return false;
      continue;
    }
    if (!has(o, field.id)) {
      if (field.required !== false) return false;
      continue;
    }
    if (!valueValid(field, o[field.id])) return false;
  }
  const byId = new Map(entries.map((e) => [e.field.id, e.field]));
  return rules.every((r) => ruleHolds(r, (id) => byId.get(id), o));
}

function topEntries(def: ServiceDefinition) {
  return def.form.pages.flatMap((p) =>
    p.fields.map((field) => ({ field: field as AnyField, conds: [p.when, field.when] })),
  );
}

function oracle(def: ServiceDefinition, answers: unknown): boolean {
  currentRules = def.form.rules ?? [];
  return objectValid(topEntries(def), answers, rulesOf(undefined));
}

/** Drop hidden answers, in form order (what validate() does before checking). */
function pruneHidden(def: ServiceDefinition, answers: Answers): Answers {
  const out: Answers = { ...answers };
  for (const { field, conds } of topEntries(def)) {
    if (!conds.every((c) => holds(c, out))) {
      delete out[field.id];
      continue;
    }
    if (field.type === "group" && Array.isArray(out[field.id])) {
      out[field.id] = (out[field.id] as unknown[]).map((item) => {
        if (!isObject(item)) return item;
        const kept = { ...item };
        for (const c of field.fields) if (!holds(c.when, kept)) delete kept[c.id];
        return kept;
      });
    }
  }
  return out;
}

/* ---------------------------------------------------------- generators */

const LEAF_TYPES = [
  "text",
  "textarea",
  "number",
  "date",
  "select",
  "radios",
  "checkboxes",
  "yesno",
  "mobile",
  "email",
  "pincode",
  "address",
  "aadhaar",
  "file",
] as const;
type LeafType = (typeof LEAF_TYPES)[number];
const TESTABLE = new Set(["yesno", "select", "radios", "checkboxes", "number"]);
const OPTIONS = ["o0", "o1", "o2"];

type Seed = {
  type: LeafType | "group";
  required: boolean;
  conditional: boolean;
  newPage: boolean;
  n: number[]; // random numbers the builder reads in turn
  children: { type: LeafType; required: boolean; conditional: boolean; n: number[] }[];
};

const nums = fc.array(fc.nat(1000), { minLength: 8, maxLength: 8 });
const seed: fc.Arbitrary<Seed> = fc.record({
  type: fc.constantFrom(...LEAF_TYPES, "group" as const),
  required: fc.boolean(),
  conditional: fc.boolean(),
  newPage: fc.boolean(),
  n: nums,
  children: fc.array(
    fc.record({
      type: fc.constantFrom(...LEAF_TYPES),
      required: fc.boolean(),
      conditional: fc.boolean(),
      n: nums,
    }),
    { minLength: 1, maxLength: 3 },
  ),
});

/** A condition on one of `earlier` (testable fields), chosen by the numbers. */
function conditionOn(earlier: AnyField[], n: number[]): Condition | undefined {
  const candidates = earlier.filter((f) => TESTABLE.has(f.type));
  if (candidates.length === 0) return undefined;
  const one = (k: number): Condition => {
    const f = candidates[(n[k] ?? 0) % candidates.length] as AnyField;
    const pick = (n[k + 1] ?? 0) % 4;
    if (pick === 3) return { field: f.id, answered: (n[k + 2] ?? 0) % 2 === 0 };
    switch (f.type) {
      case "yesno":
        return pick === 0
          ? { field: f.id, equals: true }
          : pick === 1
            ? { field: f.id, equals: false }
            : { field: f.id, notEquals: true };
      case "number":
        return pick === 0 ? { field: f.id, equals: 1 } : { field: f.id, in: [1, 2] };
      case "checkboxes":
        return { field: f.id, includes: OPTIONS[pick % 2] as string };
      default:
        return pick === 0
          ? { field: f.id, equals: "o0" }
          : pick === 1
            ? { field: f.id, in: ["o0", "o1"] }
            : { field: f.id, notIn: ["o1"] };
    }
  };
  const shape = (n[0] ?? 0) % 5;
  if (shape === 3) return { all: [one(1), one(4)] as never };
  if (shape === 4) return { any: [one(1), one(4)] as never };
  return one(1);
}

function leaf(type: LeafType, id: string, required: boolean, n: number[]): AnyField {
  const base = { id, label: text(`Question ${id}`), ...(required ? {} : { required: false }) };
  const options = OPTIONS.slice(0, 2 + ((n[5] ?? 0) % 2)).map((value) => ({
    value,
    label: text(value),
  }));
  switch (type) {
    case "text":
    case "textarea": {
      const withPattern = (n[5] ?? 0) % 3 === 0;
      return {
        ...base,
        type,
        ...((n[6] ?? 0) % 2 === 0 ? { maxLength: 3 + ((n[6] ?? 0) % 10) } : {}),
        ...((n[7] ?? 0) % 3 === 0 ? { minLength: 2 } : {}),
        ...(withPattern
          ? { pattern: "^[a-z ]+$", errors: { pattern: text("Use small letters") } }
          : {}),
      } as AnyField;
    }
    case "number": {
      const lo = ((n[5] ?? 0) % 6) - 2;
      return {
        ...base,
        type,
        ...((n[6] ?? 0) % 2 === 0 ? { integer: false } : {}),
        ...((n[7] ?? 0) % 2 === 0 ? { min: lo, max: lo + 8 } : {}),
      } as AnyField;
    }
    case "date":
      return {
        ...base,
        type,
        ...((n[5] ?? 0) % 2 === 0 ? { min: "2000-01-01" } : {}),
        ...((n[6] ?? 0) % 3 === 0
          ? { max: "today" }
          : (n[6] ?? 0) % 3 === 1
            ? { max: "2030-12-31" }
            : {}),
      } as AnyField;
    case "select":
    case "radios":
      return { ...base, type, options } as AnyField;
    case "checkboxes":
      return { ...base, type, options, ...((n[6] ?? 0) % 2 === 0 ? { max: 2 } : {}) } as AnyField;
    case "file":
      return {
        ...base,
        type,
        accept: ["pdf"],
        maxBytes: 1000,
        maxFiles: 1 + ((n[5] ?? 0) % 3),
      } as AnyField;
    default:
      return { ...base, type } as AnyField;
  }
}

function buildDefinition(seeds: Seed[], ruleSeed: number): ServiceDefinition {
  const pages: Page[] = [];
  const earlier: AnyField[] = [];
  seeds.forEach((s, i) => {
    const id = `f${i}`;
    if (pages.length === 0 || (s.newPage && (pages.at(-1)?.fields.length ?? 0) > 0)) {
      const page: Page = { id: `p${pages.length}`, title: text("Page"), fields: [] };
      const when = (s.n[7] ?? 0) % 3 === 0 ? conditionOn(earlier, s.n) : undefined;
      if (when) page.when = when;
      pages.push(page);
    }
    let field: AnyField;
    if (s.type === "group") {
      const children: ChildField[] = [];
      s.children.forEach((c, j) => {
        const child = leaf(c.type, `g${i}c${j}`, c.required, c.n) as ChildField;
        const when = c.conditional ? conditionOn(children, c.n) : undefined;
        if (when) child.when = when;
        children.push(child);
      });
      const max = 1 + ((s.n[5] ?? 0) % 3);
      field = {
        id,
        type: "group",
        label: text("Group"),
        itemLabel: text("Item"),
        max,
        ...((s.n[6] ?? 0) % 2 === 0 ? { min: 1 + ((s.n[6] ?? 0) % max) } : {}),
        ...(s.required ? {} : { required: false }),
        fields: children,
      } as AnyField;
    } else {
      field = leaf(s.type, id, s.required, s.n);
    }
    const when = s.conditional ? conditionOn(earlier, s.n) : undefined;
    if (when) field.when = when;
    pages.at(-1)?.fields.push(field as Field);
    earlier.push(field);
  });

  const rules: FormRule[] = [];
  for (const kind of ["date", "number"] as const) {
    const [a, b] = earlier.filter((f) => f.type === kind);
    if (a && b) {
      const ops = RULE_OPERATORS.filter((o) =>
        kind === "date"
          ? !["lessThan", "atMost", "greaterThan", "atLeast"].includes(o)
          : !["before", "onOrBefore", "after", "onOrAfter"].includes(o),
      );
      rules.push({
        id: `r${kind}`,
        field: b.id,
        op: ops[ruleSeed % ops.length] as FormRule["op"],
        other: a.id,
        message: text("Rule broken"),
      });
    }
  }
  const def = minimalDefinition();
  def.form = { pages, ...(rules.length > 0 ? { rules } : {}) };
  def.documents = { items: [] };
  def.fees = { rules: [] };
  return def;
}

const alpha = fc.stringMatching(/^[a-z]{1,6}( [a-z]{1,5})?$/);
const validAadhaar = fc
  .tuple(fc.integer({ min: 2, max: 9 }), fc.stringMatching(/^\d{10}$/))
  .map(([first, rest]) => `${first}${rest}${verhoeffCheckDigit(`${first}${rest}`)}`);
const isoDate = fc
  .tuple(
    fc.integer({ min: 1995, max: 2035 }),
    fc.integer({ min: 1, max: 12 }),
    fc.integer({ min: 1, max: 31 }),
  )
  .map(([y, m, d]) => `${y}-${String(m).padStart(2, "0")}-${String(d).padStart(2, "0")}`);

function valueArb(f: AnyField): fc.Arbitrary<unknown> {
  const wrong = fc.constantFrom<unknown>(7, "zz-top", true);
  switch (f.type) {
    case "text":
    case "textarea":
      return fc.oneof(
        { arbitrary: alpha, weight: 5 },
        fc.constant("Ab"),
        fc.constant("x".repeat(120)),
        wrong,
      );
    case "number":
      return fc.oneof(
        { arbitrary: fc.integer({ min: -3, max: 9 }), weight: 4 },
        fc.double({ min: -3, max: 9, noNaN: true }),
        fc.constant("abc"),
      );
    case "date":
      return fc.oneof(
        { arbitrary: isoDate, weight: 5 },
        fc.constantFrom("2026-02-30", "2026-13-01", "bad", "2026-12-01"),
        wrong,
      );
    case "select":
    case "radios":
      return fc.oneof({ arbitrary: fc.constantFrom(...OPTIONS), weight: 5 }, wrong);
    case "checkboxes":
      return fc.oneof(
        {
          arbitrary: fc.uniqueArray(fc.constantFrom(...OPTIONS), { minLength: 1, maxLength: 3 }),
          weight: 5,
        },
        fc.constant(["o0", "o0"]),
        fc.constant(["zz"]),
      );
    case "yesno":
      return fc.oneof({ arbitrary: fc.boolean(), weight: 5 }, fc.constant("maybe"));
    case "mobile":
      return fc.oneof(
        { arbitrary: fc.stringMatching(/^[6-9]\d{9}$/), weight: 5 },
        fc.constantFrom("12345", "5876543210"),
      );
    case "pincode":
      return fc.oneof(
        { arbitrary: fc.stringMatching(/^[1-9]\d{5}$/), weight: 5 },
        fc.constantFrom("012345", "12345"),
      );
    case "email":
      return fc.oneof(
        { arbitrary: fc.constantFrom("a@b.co", "name.x@mail.example.in"), weight: 5 },
        fc.constantFrom("nope", "a@b"),
      );
    case "aadhaar":
      return fc.oneof(
        { arbitrary: validAadhaar, weight: 5 },
        validAadhaar.map((v) => v.slice(0, 11) + ((Number(v[11]) + 1) % 10)),
        fc.constantFrom("123456789012", "2345"),
      );
    case "address":
      return fc.oneof(
        {
          weight: 6,
          arbitrary: fc.record(
            {
              line1: alpha,
              line2: alpha,
              districtCode: fc.constantFrom(35, 36, 99),
              tehsilCode: fc.constantFrom(1, 2, 3),
              pincode: fc.oneof(
                { arbitrary: fc.stringMatching(/^[1-9]\d{5}$/), weight: 5 },
                fc.constant("012345"),
              ),
            },
            { requiredKeys: ["line1", "districtCode", "tehsilCode", "pincode"] },
          ),
        },
        fc.constant({ line1: "a", districtCode: 35, tehsilCode: 1, pincode: "160017", extra: 1 }),
        wrong,
      );
    case "file":
      return fc.oneof(
        {
          arbitrary: fc.uniqueArray(fc.stringMatching(/^[a-z0-9]{1,8}$/), {
            minLength: 1,
            maxLength: 4,
          }),
          weight: 5,
        },
        fc.constant(["bad id!"]),
      );
    case "group":
      return fc.oneof(
        {
          weight: 6,
          arbitrary: fc.array(answersArb(f.fields), { minLength: 1, maxLength: 4 }),
        },
        fc.constant([{ unknown: 1 }]),
        wrong,
      );
  }
}

function answersArb(fields: readonly AnyField[]): fc.Arbitrary<Answers> {
  const model: Record<string, fc.Arbitrary<unknown>> = {};
  for (const f of fields) model[f.id] = valueArb(f);
  return fc
    .tuple(fc.record(model, { requiredKeys: [] }), fc.integer({ min: 0, max: 19 }))
    .map(([o, extra]) => (extra === 0 ? { ...o, stray: "x" } : o));
}

const cases = fc
  .tuple(fc.array(seed, { minLength: 1, maxLength: 7 }), fc.nat())
  .map(([seeds, ruleSeed]) => buildDefinition(seeds, ruleSeed))
  .chain((def) =>
    fc.tuple(
      fc.constant(def),
      fc.array(answersArb(def.form.pages.flatMap((p) => p.fields)), { minLength: 4, maxLength: 4 }),
    ),
  );

/* ----------------------------------------------------------------- tests */

function maskAadhaar(def: ServiceDefinition, answers: Answers): Answers {
  const fields = def.form.pages.flatMap((p) => p.fields) as AnyField[];
  const walk = (list: readonly AnyField[], o: Answers): Answers => {
    const out = { ...o };
    for (const f of list) {
      const v = out[f.id];
      if (f.type === "aadhaar" && typeof v === "string")
        out[f.id] = { masked: `XXXX XXXX ${v.slice(8)}` };
      if (f.type === "group" && Array.isArray(v))
        out[f.id] = v.map((item) => walk(f.fields, item as Answers));
    }
    return out;
  };
  return walk(fields, answers);
}

describe("compiled form schema (property, issue 3)", () => {
  const ajv = createFormAjv();

  it("accepts exactly the valid answers, and validate() agrees once hidden answers are dropped", () => {
    let accepted = 0;
    let total = 0;
    fc.assert(
      fc.property(cases, ([def, answerSets]) => {
        const form = compileForm(def);
        const check = ajv.compile(form.schema);
        for (const answers of answerSets) {
          total += 1;
          const expected = oracle(def, answers);
          expect(check.call(CTX, answers), JSON.stringify({ answers, errors: check.errors })).toBe(
            expected,
          );
          const pruned = pruneHidden(def, answers);
          const result = form.validate(answers, "en", CTX);
          expect(result.ok, JSON.stringify({ answers, result })).toBe(oracle(def, pruned));
          if (result.ok) {
            accepted += 1;
            expect(result.value).toEqual(maskAadhaar(def, pruned));
          } else {
            // Every error names a field and has a message.
            for (const e of result.errors) expect(e.message.length).toBeGreaterThan(0);
          }
        }
      }),
      { numRuns: 250 },
    );
    // The generators must produce both verdicts often enough to mean something.
    expect(accepted / total).toBeGreaterThan(0.05);
    expect(accepted / total).toBeLessThan(0.95);
  });
});
