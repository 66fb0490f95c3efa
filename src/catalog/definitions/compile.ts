/**
 * Service forms: compile a definition's `form` to JSON Schema, validate
 * answers with Ajv and say which questions are shown (issue 3; ARCHITECTURE.md
 * §2 "service forms compile to JSON Schema; errors are localised").
 *
 * ## The answers contract
 * Answers are one JSON object keyed by field id (pages and tasks are
 * presentation only). Values by field type:
 * - `text`, `textarea`, `select`, `radios`, `email`: a string; `number`: a
 *   JSON number; `date`: `YYYY-MM-DD`; `yesno`: a boolean;
 * - `checkboxes`: an array of option values, no repeats;
 * - `mobile`: 10 digits; `pincode`: 6 digits; `aadhaar`: 12 digits;
 * - `address`: `{ line1, line2?, districtCode, tehsilCode, pincode }` with
 *   LGD integer codes;
 * - `file`: an array of upload ids (the bytes are checked by the upload route
 *   with the field's `accept` and `maxBytes`);
 * - `group`: an array of objects, each keyed by the group's child field ids.
 * An unanswered question is absent (never `""`, `[]` or `null`).
 *
 * ## The schema
 * {@link CompiledForm.schema} is JSON Schema draft-07 and states the whole
 * contract: types, required questions, lengths, ranges, patterns, options,
 * `additionalProperties: false`, and conditional questions as `if`/`then`/
 * `else` (a shown required question must be answered; a hidden question must
 * be absent). What JSON Schema cannot say is stated with four keywords that
 * the Ajv instance of {@link createFormAjv} implements and other tools
 * ignore: `x-sewa-date` (a real calendar date within min/max, where `today`
 * is the injected date), `x-sewa-verhoeff` (Aadhaar check digit),
 * `x-sewa-lgd` (the tehsil is in the district, when the LGD map is given) and
 * `x-sewa-rules` (cross-field rules such as "date of marriage after date of
 * birth"). The schema accepts exactly the valid answers (property-tested).
 *
 * ## validate()
 * 1. Normalise what people and pages send: NFC and trimmed text; digits of
 *    any script made ASCII in numbers, dates, mobile, PIN code, Aadhaar and
 *    LGD codes (C-14); `"yes"`/`"no"` to booleans; a single checkbox or
 *    upload id to a one-element array; blank answers removed.
 * 2. Drop answers to questions that are not shown (GOV.UK: when an earlier
 *    answer changes, the questions it hid are discarded).
 * 3. Validate with Ajv against the schema; map each error to the field, a
 *    stable code and a message in the asked language (the field's own
 *    `errors` text, else the default in `messages.ts`); one error per field,
 *    in form order.
 * 4. On success, return the normalised answers with every Aadhaar number
 *    replaced by `{ masked, hash? }` (`aadhaar.ts`): the clear number is
 *    never returned or put in an error.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import { Temporal } from "temporal-polyfill";
import {
  nfc,
  nfcMultiline,
  normaliseMobile,
  normalisePincode,
  parseIsoDate,
  toAsciiDigits,
} from "../../common/text.ts";
import { canonicalAadhaarInput, checkAadhaar, protectAadhaar } from "./aadhaar.ts";
import { TEXT_MAX_LENGTH, TEXTAREA_MAX_LENGTH } from "./caps.ts";
import { conditionToJsonSchema, evaluate } from "./conditions.ts";
import { lintDefinition } from "./lint.ts";
import { defaultMessage, interpolate } from "./messages.ts";
import type {
  ChildField,
  Condition,
  Field,
  FormRule,
  Lang,
  LocalisedText,
  ServiceDefinition,
} from "./types.ts";

/* --------------------------------------------------------------- limits */

export { TEXT_MAX_LENGTH, TEXTAREA_MAX_LENGTH } from "./caps.ts";

/** Maximum length of an address line (same as the generic form). */
export const ADDRESS_LINE_MAX_LENGTH = 120;
/** Maximum length of an email address (RFC 5321 §4.5.3.1.3 path limit less the angle brackets). */
export const EMAIL_MAX_LENGTH = 254;
/** Upload ids as the upload route issues them. */
export const UPLOAD_ID_PATTERN = "^[A-Za-z0-9_-]{1,64}$";
/** Indian mobile numbers: 10 digits starting 6-9 (National Numbering Plan 2003, DoT). */
export const MOBILE_PATTERN = "^[6-9][0-9]{9}$";
/** Indian PIN codes: 6 digits, the first a postal zone 1-9 (India Post). */
export const PINCODE_PATTERN = "^[1-9][0-9]{5}$";
/** Aadhaar numbers: 12 digits, not starting 0 or 1 (the check digit is `x-sewa-verhoeff`). */
export const AADHAAR_PATTERN = "^[2-9][0-9]{11}$";
/** A deliberately loose email check, as in the generic form. */
export const EMAIL_PATTERN = "^[^\\s@]+@[^\\s@.]+(\\.[^\\s@.]+)+$";

/* ---------------------------------------------------------------- types */

/** Answers by field id (see the module docs for the value of each type). */
export type Answers = Record<string, unknown>;

/** What validation needs from outside: the clock, the LGD map and the Aadhaar key. */
export type ValidateContext = {
  /** Today in Asia/Kolkata, `YYYY-MM-DD`. Required when a date field has `min` or `max` `today`. */
  today?: string;
  /** LGD district code → its tehsils' LGD codes (from `geography/`). Without it, address codes are checked for shape only. */
  tehsilsByDistrict?: ReadonlyMap<number, ReadonlySet<number>>;
  /** Secret key (≥ 32 bytes) for the Aadhaar hash. Without it, only the masked number is returned. */
  aadhaarKey?: string | Uint8Array;
};

/**
 * One validation error.
 * - `field`: path of the answer, dotted: `dateOfBirth`, `address.pincode`,
 *   `family.1.name` (group items counted from 0), `""` for the whole object;
 * - `code`: `required`, `type`, `unknown_field`, `not_applicable`,
 *   `too_short`, `too_long`, `pattern`, `too_small`, `too_large`,
 *   `not_integer`, `invalid_option`, `too_few`, `too_many`, `invalid`,
 *   `checksum`, `too_early`, `too_late`, `district_unknown`,
 *   `tehsil_not_in_district`, `rule`;
 * - `message`: plain text in the asked language (the view escapes it);
 * - `params`: `min`, `max` (numbers, or dates as `YYYY-MM-DD`), `rule` (a
 *   rule's id), `field` (an unknown field's name).
 */
export type FormError = {
  field: string;
  code: string;
  message: string;
  params?: Record<string, string | number>;
};

/** Result of {@link CompiledForm.validate}. */
export type FormValidation = { ok: true; value: Answers } | { ok: false; errors: FormError[] };

/** A compiled form. */
export type CompiledForm = {
  /** JSON Schema (draft-07 plus the `x-sewa-*` keywords) of the answers. */
  schema: Record<string, unknown>;
  /**
   * Normalise, drop hidden answers, validate; see the module docs.
   * @param lang language of the messages (default `en`).
   * @throws TypeError when `ctx.today` is needed but missing or not a date.
   */
  validate(answers: unknown, lang?: Lang, ctx?: ValidateContext): FormValidation;
  /** Ids of the top-level questions shown for these answers, in form order (answered or not). */
  visibleFields(answers: unknown): string[];
  /** Ids of the pages shown for these answers, in form order. */
  visiblePages(answers: unknown): string[];
};

/* ------------------------------------------------------------------ Ajv */

type JsonSchema = Record<string, unknown>;
type Keyword = ((
  this: unknown,
  schema: never,
  data: unknown,
  parentSchema: unknown,
  dataCxt: { instancePath: string },
) => boolean) & { errors?: Partial<ErrorObject>[] };
type KeywordContext = {
  today?: string;
  tehsilsByDistrict?: ReadonlyMap<number, ReadonlySet<number>>;
};

const ctxOf = (self: unknown): KeywordContext =>
  typeof self === "object" && self !== null ? (self as KeywordContext) : {};

/** True for an ASCII `YYYY-MM-DD` that is a real Gregorian date. */
function isRealDate(s: unknown): s is string {
  if (typeof s !== "string" || !/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
  const r = parseIsoDate(s);
  return r.ok && r.date === s;
}

function resolveBound(bound: string, ctx: KeywordContext): string {
  if (bound !== "today") return bound;
  if (ctx.today === undefined) throw new TypeError("validate: ctx.today is needed for this form");
  return ctx.today;
}

const dateKeyword: Keyword = function (this: unknown, schema, data, _p, cxt) {
  const s = schema as { min?: string; max?: string };
  const fail = (params: Record<string, string>) => {
    dateKeyword.errors = [
      { keyword: "x-sewa-date", instancePath: cxt.instancePath, message: params.code, params },
    ];
    return false;
  };
  if (!isRealDate(data)) return fail({ code: "invalid" });
  const ctx = ctxOf(this);
  if (s.min !== undefined) {
    const min = resolveBound(s.min, ctx);
    if (data < min)
      return fail({ code: "too_early", min, ...(s.min === "today" ? { bound: "today" } : {}) });
  }
  if (s.max !== undefined) {
    const max = resolveBound(s.max, ctx);
    if (data > max)
      return fail({ code: "too_late", max, ...(s.max === "today" ? { bound: "today" } : {}) });
  }
  return true;
};

const verhoeffKeyword: Keyword = (_schema, data, _p, cxt) => {
  // Only the check digit: the pattern next to this keyword reports the rest.
  if (typeof data !== "string" || !new RegExp(AADHAAR_PATTERN).test(data)) return true;
  if (checkAadhaar(data).ok) return true;
  verhoeffKeyword.errors = [
    {
      keyword: "x-sewa-verhoeff",
      instancePath: cxt.instancePath,
      message: "checksum",
      params: { code: "checksum" },
    },
  ];
  return false;
};

const lgdKeyword: Keyword = function (this: unknown, _schema, data, _p, cxt) {
  const map = ctxOf(this).tehsilsByDistrict;
  if (map === undefined || typeof data !== "object" || data === null) return true;
  const { districtCode, tehsilCode } = data as Record<string, unknown>;
  if (typeof districtCode !== "number") return true;
  const tehsils = map.get(districtCode);
  const error = (part: string, code: string) => {
    lgdKeyword.errors = [
      {
        keyword: "x-sewa-lgd",
        instancePath: `${cxt.instancePath}/${part}`,
        message: code,
        params: { code },
      },
    ];
    return false;
  };
  if (tehsils === undefined) return error("districtCode", "district_unknown");
  if (typeof tehsilCode === "number" && !tehsils.has(tehsilCode)) {
    return error("tehsilCode", "tehsil_not_in_district");
  }
  return true;
};

type CompiledRule = {
  id: string;
  field: string;
  op: FormRule["op"];
  other: string;
  kind: "date" | "number" | "scalar";
};

/** Whether `a op b` holds. Dates compare as ISO strings (same order as the dates). */
function compare(op: FormRule["op"], a: string | number | boolean, b: string | number | boolean) {
  switch (op) {
    case "before":
    case "lessThan":
      return a < b;
    case "onOrBefore":
    case "atMost":
      return a <= b;
    case "after":
    case "greaterThan":
      return a > b;
    case "onOrAfter":
    case "atLeast":
      return a >= b;
    case "equals":
      return a === b;
    case "notEquals":
      return a !== b;
  }
}

/** Whether a value can take part in a rule of this kind (otherwise its own field error stands alone). */
function comparable(kind: CompiledRule["kind"], v: unknown): v is string | number | boolean {
  if (kind === "date") return isRealDate(v);
  if (kind === "number") return typeof v === "number" && Number.isFinite(v);
  return typeof v === "string" || typeof v === "number" || typeof v === "boolean";
}

/** Whether a cross-field rule is broken by these answers (both answered and comparable, and the comparison fails). */
function ruleBroken(rule: CompiledRule, data: Record<string, unknown>): boolean {
  const a = data[rule.field];
  const b = data[rule.other];
  if (!comparable(rule.kind, a) || !comparable(rule.kind, b)) return false;
  return !compare(rule.op, a, b);
}

const rulesKeyword: Keyword = (schema, data, _p, cxt) => {
  if (typeof data !== "object" || data === null || Array.isArray(data)) return true;
  const errors: Partial<ErrorObject>[] = [];
  for (const rule of schema as CompiledRule[]) {
    if (ruleBroken(rule, data as Record<string, unknown>)) {
      errors.push({
        keyword: "x-sewa-rules",
        instancePath: `${cxt.instancePath}/${rule.field}`,
        message: "rule",
        params: { code: "rule", rule: rule.id },
      });
    }
  }
  rulesKeyword.errors = errors;
  return errors.length === 0;
};

/**
 * A new Ajv instance that understands compiled form schemas: draft-07,
 * all errors, strict (except `strictRequired`, since conditional clauses
 * name properties defined elsewhere), `passContext` so the `x-sewa-*`
 * keywords see the {@link ValidateContext} given with
 * `validateFn.call(ctx, answers)`.
 */
export function createFormAjv(): Ajv {
  const ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false, passContext: true });
  ajv.addKeyword({
    keyword: "x-sewa-date",
    type: "string",
    schemaType: "object",
    errors: true,
    validate: dateKeyword as never,
  });
  ajv.addKeyword({
    keyword: "x-sewa-verhoeff",
    type: "string",
    schemaType: "boolean",
    errors: true,
    validate: verhoeffKeyword as never,
  });
  ajv.addKeyword({
    keyword: "x-sewa-lgd",
    type: "object",
    schemaType: "boolean",
    errors: true,
    validate: lgdKeyword as never,
  });
  ajv.addKeyword({
    keyword: "x-sewa-rules",
    type: "object",
    schemaType: "array",
    errors: true,
    validate: rulesKeyword as never,
  });
  return ajv;
}

const sharedAjv = createFormAjv();

/* --------------------------------------------------------------- schema */

type AnyField = Field | ChildField;

const isRequired = (f: AnyField): boolean => f.required !== false;

/** JSON Schema of one answer. */
function answerSchema(f: AnyField, rulesByGroup: Map<string, CompiledRule[]>): JsonSchema {
  switch (f.type) {
    case "text":
    case "textarea": {
      const s: JsonSchema = {
        type: "string",
        minLength: Math.max(1, f.minLength ?? 1),
        maxLength: f.maxLength ?? (f.type === "text" ? TEXT_MAX_LENGTH : TEXTAREA_MAX_LENGTH),
      };
      if (f.pattern !== undefined) s.pattern = f.pattern;
      return s;
    }
    case "number": {
      const s: JsonSchema = { type: f.integer === false ? "number" : "integer" };
      if (f.min !== undefined) s.minimum = f.min;
      if (f.max !== undefined) s.maximum = f.max;
      return s;
    }
    case "date": {
      const bounds: JsonSchema = {};
      if (f.min !== undefined) bounds.min = f.min;
      if (f.max !== undefined) bounds.max = f.max;
      return { type: "string", "x-sewa-date": bounds };
    }
    case "select":
    case "radios":
      return { type: "string", enum: f.options.map((o) => o.value) };
    case "checkboxes": {
      const s: JsonSchema = {
        type: "array",
        items: { type: "string", enum: f.options.map((o) => o.value) },
        uniqueItems: true,
        minItems: Math.max(1, f.min ?? 1),
      };
      if (f.max !== undefined) s.maxItems = f.max;
      return s;
    }
    case "yesno":
      return { type: "boolean" };
    case "mobile":
      return { type: "string", pattern: MOBILE_PATTERN };
    case "email":
      return { type: "string", maxLength: EMAIL_MAX_LENGTH, pattern: EMAIL_PATTERN };
    case "pincode":
      return { type: "string", pattern: PINCODE_PATTERN };
    case "aadhaar":
      return { type: "string", pattern: AADHAAR_PATTERN, "x-sewa-verhoeff": true };
    case "address":
      return {
        type: "object",
        additionalProperties: false,
        required: ["line1", "districtCode", "tehsilCode", "pincode"],
        properties: {
          line1: { type: "string", minLength: 1, maxLength: ADDRESS_LINE_MAX_LENGTH },
          line2: { type: "string", minLength: 1, maxLength: ADDRESS_LINE_MAX_LENGTH },
          districtCode: { type: "integer", minimum: 1 },
          tehsilCode: { type: "integer", minimum: 1 },
          pincode: { type: "string", pattern: PINCODE_PATTERN },
        },
        "x-sewa-lgd": true,
      };
    case "file":
      return {
        type: "array",
        items: { type: "string", pattern: UPLOAD_ID_PATTERN },
        uniqueItems: true,
        minItems: 1,
        maxItems: f.maxFiles ?? 1,
      };
    case "group":
      return {
        type: "array",
        minItems: Math.max(1, f.min ?? 1),
        maxItems: f.max,
        items: objectSchema(
          f.fields.map((c) => ({ field: c, conditions: c.when ? [c.when] : [] })),
          rulesByGroup.get(f.id) ?? [],
          rulesByGroup,
        ),
      };
  }
}

/** The `if` schema for a list of conditions that must all hold. */
function conditionsSchema(conditions: Condition[]): JsonSchema | true {
  if (conditions.length === 1) return conditionToJsonSchema(conditions[0]);
  return { allOf: conditions.map((c) => conditionToJsonSchema(c)) };
}

/** Schema of an object of answers: properties, required, conditional clauses, rules. */
function objectSchema(
  entries: { field: AnyField; conditions: Condition[] }[],
  rules: CompiledRule[],
  rulesByGroup: Map<string, CompiledRule[]>,
): JsonSchema {
  const properties: JsonSchema = {};
  const required: string[] = [];
  const clauses: JsonSchema[] = [];
  for (const { field, conditions } of entries) {
    properties[field.id] = answerSchema(field, rulesByGroup);
    if (conditions.length === 0) {
      if (isRequired(field)) required.push(field.id);
      continue;
    }
    const clause: JsonSchema = {
      if: conditionsSchema(conditions),
      else: { properties: { [field.id]: false } },
    };
    // biome-ignore lint/suspicious/noThenProperty: JSON Schema keyword
    if (isRequired(field)) clause.then = { required: [field.id] };
    clauses.push(clause);
  }
  const s: JsonSchema = { type: "object", additionalProperties: false, properties };
  if (required.length > 0) s.required = required;
  if (clauses.length > 0) s.allOf = clauses;
  if (rules.length > 0) s["x-sewa-rules"] = rules;
  return s;
}

/* --------------------------------------------------------- normalising */

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** A digit string of any script (with spaces or Indian grouping commas) → number; otherwise unchanged. */
function toNumber(v: unknown): unknown {
  if (typeof v !== "string") return v;
  const s = toAsciiDigits(nfc(v)).replace(/[\s,]/g, "");
  if (s === "") return undefined;
  return /^-?\d+(\.\d+)?$/.test(s) ? Number(s) : v;
}

function toArray(v: unknown): unknown {
  if (typeof v === "string") return v.trim() === "" ? undefined : [nfc(v)];
  if (Array.isArray(v)) {
    const items = v.map((x) => (typeof x === "string" ? nfc(x) : x));
    return items.length === 0 ? undefined : items;
  }
  return v;
}

function normaliseText(v: unknown, multiline = false): unknown {
  if (typeof v !== "string") return v;
  const s = multiline ? nfcMultiline(v) : nfc(v);
  return s === "" ? undefined : s;
}

function normaliseAnswer(f: AnyField, v: unknown): unknown {
  switch (f.type) {
    case "text":
    case "select":
    case "radios":
    case "email":
      return normaliseText(v);
    case "textarea":
      return normaliseText(v, true);
    case "number":
      return toNumber(v);
    case "date":
      return typeof v === "string" ? normaliseText(toAsciiDigits(v)) : v;
    case "yesno": {
      if (typeof v !== "string") return v;
      const s = nfc(v).toLowerCase();
      if (s === "") return undefined;
      if (s === "yes" || s === "true") return true;
      if (s === "no" || s === "false") return false;
      return v;
    }
    case "checkboxes":
    case "file":
      return toArray(v);
    case "mobile": {
      if (typeof v !== "string") return v;
      const r = normaliseMobile(v);
      if (r.ok) return r.value;
      return r.code === "mobile.required" ? undefined : toAsciiDigits(nfc(v));
    }
    case "pincode":
      return normalisePin(v);
    case "aadhaar": {
      if (typeof v !== "string") return v;
      const s = canonicalAadhaarInput(v);
      return s === "" ? undefined : s;
    }
    case "address": {
      if (!isRecord(v)) return v;
      const out: Record<string, unknown> = { ...v };
      const set = (key: string, value: unknown) => {
        if (value === undefined) delete out[key];
        else out[key] = value;
      };
      if ("line1" in v) set("line1", normaliseText(v.line1));
      if ("line2" in v) set("line2", normaliseText(v.line2));
      if ("districtCode" in v) set("districtCode", toNumber(v.districtCode));
      if ("tehsilCode" in v) set("tehsilCode", toNumber(v.tehsilCode));
      if ("pincode" in v) set("pincode", normalisePin(v.pincode));
      return Object.keys(out).length === 0 ? undefined : out;
    }
    case "group": {
      if (!Array.isArray(v)) return v;
      if (v.length === 0) return undefined;
      return v.map((item) => (isRecord(item) ? normaliseObject(f.fields, item) : item));
    }
  }
}

function normalisePin(v: unknown): unknown {
  if (typeof v !== "string") return v;
  const r = normalisePincode(v);
  if (r.ok) return r.value;
  return r.code === "pincode.required" ? undefined : toAsciiDigits(nfc(v));
}

function normaliseObject(fields: readonly AnyField[], input: Record<string, unknown>) {
  const out: Record<string, unknown> = { ...input };
  for (const f of fields) {
    if (!Object.hasOwn(input, f.id)) continue;
    const v = input[f.id] === null ? undefined : normaliseAnswer(f, input[f.id]);
    if (v === undefined) delete out[f.id];
    else out[f.id] = v;
  }
  return out;
}

/**
 * The answers as conditions see them: each one normalised as validation
 * normalises it (`"yes"` → true, digits → a number, …) and the answers to
 * hidden questions dropped. For testing `when` conditions outside the form
 * (documents, fees) on answers not yet validated, e.g. a draft's. Pure.
 */
export function conditionFacts(
  def: ServiceDefinition,
  answers: Record<string, unknown>,
): Record<string, unknown> {
  const fields = def.form.pages.flatMap((p) => p.fields);
  return prune(def, normaliseObject(fields, answers)).answers;
}

/* ------------------------------------------------------------- pruning */

type Visibility = { answers: Record<string, unknown>; pages: string[]; fields: string[] };

function prune(def: ServiceDefinition, input: Record<string, unknown>): Visibility {
  const answers: Record<string, unknown> = { ...input };
  const pages: string[] = [];
  const fields: string[] = [];
  for (const page of def.form.pages) {
    const pageShown = evaluate(page.when, answers);
    if (pageShown) pages.push(page.id);
    for (const f of page.fields) {
      if (!pageShown || !evaluate(f.when, answers)) {
        delete answers[f.id];
        continue;
      }
      fields.push(f.id);
      const value = answers[f.id];
      if (f.type === "group" && Array.isArray(value)) {
        answers[f.id] = value.map((item) => {
          if (!isRecord(item)) return item;
          const kept = { ...item };
          for (const c of f.fields) if (!evaluate(c.when, kept)) delete kept[c.id];
          return kept;
        });
      }
    }
  }
  return { answers, pages, fields };
}

/* -------------------------------------------------------------- errors */

const localise = (t: LocalisedText | undefined, lang: Lang): string =>
  t === undefined ? "" : t[lang]?.trim() ? (t[lang] as string) : t.en;

const ADDRESS_PARTS = ["line1", "line2", "districtCode", "tehsilCode", "pincode"];

type Raw = { path: string[]; code: string; params: Record<string, string | number> };

function pointer(instancePath: string): string[] {
  if (instancePath === "") return [];
  return instancePath
    .slice(1)
    .split("/")
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));
}

function fromAjv(e: ErrorObject): Raw | null {
  const path = pointer(e.instancePath);
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case "if":
      return null;
    case "required":
      return { path: [...path, String(p.missingProperty)], code: "required", params: {} };
    case "additionalProperties": {
      const name = String(p.additionalProperty);
      return { path: [...path, name], code: "unknown_field", params: { field: name } };
    }
    case "false schema":
      return { path, code: "not_applicable", params: {} };
    case "type":
      return { path, code: "type", params: { expected: String(p.type) } };
    case "minLength":
      return Number(p.limit) <= 1
        ? { path, code: "required", params: {} }
        : { path, code: "too_short", params: { min: Number(p.limit) } };
    case "maxLength":
      return { path, code: "too_long", params: { max: Number(p.limit) } };
    case "pattern":
      return { path, code: "pattern", params: {} };
    case "minimum":
      return { path, code: "too_small", params: { min: Number(p.limit) } };
    case "maximum":
      return { path, code: "too_large", params: { max: Number(p.limit) } };
    case "enum":
    case "const":
    case "uniqueItems":
      return { path, code: "invalid_option", params: {} };
    case "minItems":
      return Number(p.limit) <= 1
        ? { path, code: "required", params: {} }
        : { path, code: "too_few", params: { min: Number(p.limit) } };
    case "maxItems":
      return { path, code: "too_many", params: { max: Number(p.limit) } };
    case "x-sewa-date":
    case "x-sewa-verhoeff":
    case "x-sewa-lgd":
    case "x-sewa-rules": {
      const { code, ...rest } = p as Record<string, string>;
      return { path, code: code ?? "invalid", params: rest };
    }
    default:
      return { path, code: "invalid", params: {} };
  }
}

/** The value at a path of answers (segments of an Ajv instance path). */
function valueAt(data: unknown, path: readonly string[]): unknown {
  let node = data;
  for (const seg of path) {
    if (Array.isArray(node)) node = node[Number(seg)];
    else if (isRecord(node)) node = node[seg];
    else return undefined;
  }
  return node;
}

function kindOf(f: AnyField): string {
  switch (f.type) {
    case "select":
    case "radios":
    case "checkboxes":
    case "yesno":
      return "choice";
    default:
      return f.type;
  }
}

function formatDate(iso: string, lang: Lang): string {
  if (!isRealDate(iso)) return iso;
  return Temporal.PlainDate.from(iso).toLocaleString(`${lang}-IN`, {
    day: "numeric",
    month: "long",
    year: "numeric",
  });
}

/* ------------------------------------------------------------- compile */

/**
 * Compile a definition's form.
 *
 * Precondition: the definition passes the loader and has none of the lint
 * errors in {@link FORM_BLOCKING} (duplicate ids, conditions on unknown,
 * later or out-of-scope questions, patterns that do not compile, rules on
 * unknown or incomparable fields): with those, the form has no sound
 * meaning. Other lint errors, missing translations among them, do not block
 * compiling, so the studio can preview a draft; messages fall back to
 * English.
 *
 * The compiled form is kept for as long as the definition object lives (a
 * published version is cached by `definitionOf`), so that each page of a
 * form does not compile its schema again (about 150 ms each on a 2-core
 * machine). A definition must not be changed in place once compiled.
 *
 * @throws Error listing the blocking lint errors when the precondition fails.
 */
export function compileForm(def: ServiceDefinition): CompiledForm {
  const hit = compiledForms.get(def);
  if (hit) return hit;
  const form = compileUncached(def);
  compiledForms.set(def, form);
  return form;
}

const compiledForms = new WeakMap<ServiceDefinition, CompiledForm>();

function compileUncached(def: ServiceDefinition): CompiledForm {
  const blocking = lintDefinition(def, "(compileForm)").filter(
    (i) => i.severity === "error" && FORM_BLOCKING.has(i.code),
  );
  if (blocking.length > 0) {
    throw new Error(
      `compileForm: ${def.code}: the form has errors: ${blocking.map((i) => `${i.path}: ${i.message}`).join("; ")}`,
    );
  }

  const topFields = new Map<string, Field>();
  const fieldOrder: string[] = [];
  const entries: { field: AnyField; conditions: Condition[] }[] = [];
  let usesToday = false;
  const noteToday = (f: AnyField) => {
    if (f.type === "date" && (f.min === "today" || f.max === "today")) usesToday = true;
  };
  for (const page of def.form.pages) {
    for (const f of page.fields) {
      topFields.set(f.id, f);
      fieldOrder.push(f.id);
      entries.push({ field: f, conditions: [page.when, f.when].filter((c) => c !== undefined) });
      noteToday(f);
      if (f.type === "group") f.fields.forEach(noteToday);
    }
  }

  const typeOf = (id: string, group?: string): AnyField | undefined => {
    if (group === undefined) return topFields.get(id);
    const g = topFields.get(group);
    return g?.type === "group" ? g.fields.find((c) => c.id === id) : undefined;
  };
  const rulesByGroup = new Map<string, CompiledRule[]>();
  const rootRules: CompiledRule[] = [];
  const ruleDefs = new Map<string, FormRule>();
  for (const r of def.form.rules ?? []) {
    ruleDefs.set(r.id, r);
    const t = typeOf(r.field, r.group)?.type;
    const compiled: CompiledRule = {
      id: r.id,
      field: r.field,
      op: r.op,
      other: r.other,
      kind: t === "date" ? "date" : t === "number" ? "number" : "scalar",
    };
    if (r.group === undefined) rootRules.push(compiled);
    else rulesByGroup.set(r.group, [...(rulesByGroup.get(r.group) ?? []), compiled]);
  }

  const schema: JsonSchema = {
    $schema: "http://json-schema.org/draft-07/schema#",
    title: `Answers to ${def.code}`,
    ...objectSchema(entries, rootRules, rulesByGroup),
  };
  const check: ValidateFunction = sharedAjv.compile(schema);

  const prepare = (answers: unknown): { value: unknown; visibility?: Visibility } => {
    if (!isRecord(answers)) return { value: answers };
    const normalised = normaliseObject([...topFields.values()], answers);
    const visibility = prune(def, normalised);
    return { value: visibility.answers, visibility };
  };

  /** The error for one Ajv error, resolved to its field and localised. */
  const toFormError = (
    raw: Raw,
    lang: Lang,
    data: unknown,
  ): { error: FormError; order: number[] } => {
    const [top, ...rest] = raw.path;
    let field: AnyField | undefined = top === undefined ? undefined : topFields.get(top);
    let path = raw.path;
    let depth = 1; // length of the path that names the question itself
    let label = top ?? "";
    let prefix = "";
    const order = [top === undefined ? -1 : fieldOrder.indexOf(top)];
    if (order[0] === -1 && top !== undefined) order[0] = fieldOrder.length; // unknown fields last

    if (field?.type === "group" && rest.length >= 2) {
      const index = Number(rest[0]);
      const child: ChildField | undefined = field.fields.find((c) => c.id === rest[1]);
      prefix = `${localise(field.itemLabel, lang)} ${index + 1}: `;
      order.push(index, child ? field.fields.indexOf(child) : field.fields.length);
      field = child;
      depth = 3;
      if (!child) label = rest[1] as string;
    }
    // An error on one ticked option or one upload is the question's error.
    if ((field?.type === "checkboxes" || field?.type === "file") && path.length > depth) {
      path = path.slice(0, depth);
    }

    let code = raw.code;
    const params = { ...raw.params };
    let refinements: string[] = top === undefined ? ["form"] : [];
    let custom: LocalisedText | undefined;
    if (field) {
      label = localise(field.label, lang);
      refinements = [kindOf(field)];
      if (field.type === "number" && code === "type" && typeof valueAt(data, path) === "number") {
        code = "not_integer"; // a number, but not whole
      }
      if (code === "type" && field.type === "date") code = "invalid";
      if (code === "pattern" && field.type !== "text" && field.type !== "textarea")
        code = "invalid";
      const part = field.type === "address" && path.length > depth ? path[depth] : undefined;
      if (part !== undefined && ADDRESS_PARTS.includes(part)) {
        refinements = [`address.${part}`];
        order.push(ADDRESS_PARTS.indexOf(part));
      } else {
        custom = field.errors?.[code as keyof NonNullable<typeof field.errors>];
      }
    }
    if (params.bound === "today") refinements = ["today", ...refinements];
    delete params.bound;
    delete params.expected;

    let message: string;
    if (code === "rule") {
      const rule = ruleDefs.get(String(params.rule));
      message = rule ? localise(rule.message, lang) : defaultMessage(lang, "invalid", []);
    } else {
      const template = custom ? localise(custom, lang) : defaultMessage(lang, code, refinements);
      const shown: Record<string, string | number> = { label, ...params };
      for (const k of ["min", "max"]) {
        const v = shown[k];
        if (typeof v === "string") shown[k] = formatDate(v, lang);
      }
      message = interpolate(template, shown);
    }
    const error: FormError = { field: path.join("."), code, message: prefix + message };
    if (Object.keys(params).length > 0) error.params = params;
    return { error, order };
  };

  const validate = (
    answers: unknown,
    lang: Lang = "en",
    ctx: ValidateContext = {},
  ): FormValidation => {
    if (ctx.today !== undefined && !isRealDate(ctx.today)) {
      throw new TypeError("validate: ctx.today must be a YYYY-MM-DD date");
    }
    if (usesToday && ctx.today === undefined) {
      throw new TypeError("validate: ctx.today is needed for this form");
    }
    const { value } = prepare(answers);
    const keywordCtx: KeywordContext = {};
    if (ctx.today !== undefined) keywordCtx.today = ctx.today;
    if (ctx.tehsilsByDistrict !== undefined) keywordCtx.tehsilsByDistrict = ctx.tehsilsByDistrict;
    if (check.call(keywordCtx, value)) {
      return {
        ok: true,
        value: protect(value as Answers, [...topFields.values()], ctx.aadhaarKey),
      };
    }
    const mapped = (check.errors ?? [])
      .map(fromAjv)
      .filter((r): r is Raw => r !== null)
      .map((r, i) => ({ ...toFormError(r, lang, value), i }));
    mapped.sort((a, b) => compareOrder(a.order, b.order) || a.i - b.i);
    const seen = new Set<string>();
    const errors: FormError[] = [];
    for (const { error } of mapped) {
      if (seen.has(error.field)) continue;
      seen.add(error.field);
      errors.push(error);
    }
    return { ok: false, errors };
  };

  return {
    schema,
    validate,
    visibleFields: (answers) =>
      prepare(answers).visibility?.fields ?? visibleWithoutAnswers(def).fields,
    visiblePages: (answers) =>
      prepare(answers).visibility?.pages ?? visibleWithoutAnswers(def).pages,
  };
}

/** Codes of lint errors that stop a form from compiling (see {@link compileForm}). */
export const FORM_BLOCKING: ReadonlySet<string> = new Set([
  "id.duplicate",
  "condition.unknown_field",
  "condition.forward_reference",
  "condition.scope",
  "field.pattern",
  "rule.unknown_field",
  "rule.type",
]);

function visibleWithoutAnswers(def: ServiceDefinition): Visibility {
  return prune(def, {});
}

function compareOrder(a: number[], b: number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? -1) - (b[i] ?? -1);
    if (d !== 0) return d;
  }
  return 0;
}

/** Replace each Aadhaar answer (top level and in groups) with its protected form. */
function protect(
  answers: Answers,
  fields: readonly AnyField[],
  key?: string | Uint8Array,
): Answers {
  const out: Answers = { ...answers };
  for (const f of fields) {
    const v = out[f.id];
    if (v === undefined) continue;
    if (f.type === "aadhaar" && typeof v === "string") out[f.id] = protectAadhaar(v, key);
    if (f.type === "group" && Array.isArray(v)) {
      out[f.id] = v.map((item) => protect(item as Answers, f.fields, key));
    }
  }
  return out;
}
