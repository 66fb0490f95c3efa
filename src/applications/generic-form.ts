/**
 * The generic application form: the form every service uses until it has its
 * own service definition. Pure code (no HTTP, no database).
 *
 * Public JSON contract (API v1 and the page both produce it; keep it exactly):
 * ```
 * { "serviceId": <integer>,
 *   "applicant": { "name", "relativeName", "gender": "female|male|transgender",
 *                  "dateOfBirth": "YYYY-MM-DD", "mobile", "email"? },
 *   "address": { "line1", "line2"?, "districtCode": <LGD integer>,
 *                "tehsilCode": <LGD integer>, "pincode" },
 *   "purpose", "declaration": true }
 * ```
 *
 * Two layers:
 * 1. {@link GenericApplicationSchema}: plain JSON Schema (TypeBox), structural
 *    only: types, required fields, no unknown fields, maximum lengths. Fastify
 *    can use it as the route's body schema.
 * 2. {@link validateGenericApplication}: runs the same schema through Ajv and
 *    then the semantic rules that JSON Schema cannot state (NFC, digits of any
 *    script, real dates, LGD district/tehsil membership, the optional
 *    `nameGurmukhi` in Gurmukhi script: gurmukhi-name.ts). Every route must call
 *    it: the schema alone accepts `"mobile": "hello"`.
 *
 * The HTML page posts flat field names; {@link formToGenericInput} maps them to
 * the JSON shape and {@link validateGenericForm} does both steps.
 *
 * Error messages: each {@link FieldError} has a message in
 * `locales/{en,pa,hi}.json`, found with {@link messageKey}.
 */
import { type Static, Type } from "@sinclair/typebox";
import { Ajv, type ErrorObject } from "ajv";
import {
  codePointLength,
  type DatePart,
  nfc,
  nfcMultiline,
  normaliseMobile,
  normalisePincode,
  parseDateParts,
  parseIsoDate,
  toAsciiDigits,
} from "../common/text.ts";
import { checkGurmukhiName, GURMUKHI_NAME_MAX_LENGTH } from "./gurmukhi-name.ts";
import en from "./locales/en.json" with { type: "json" };

/* ------------------------------------------------------------------ schema */

/** Gender options of the generic form (Transgender Persons (Protection of Rights) Act, 2019 recognises transgender persons). */
export const GENDERS = ["female", "male", "transgender"] as const;
/** One of {@link GENDERS}. */
export type Gender = (typeof GENDERS)[number];

/** Maximum lengths, in Unicode code points (what JSON Schema `maxLength` counts), after NFC. */
export const GENERIC_FORM_MAX_LENGTHS = {
  "applicant.name": 100,
  "applicant.relativeName": 100,
  "applicant.email": 254, // RFC 5321 §4.5.3.1.3 path limit less the angle brackets
  "address.line1": 120,
  "address.line2": 120,
  purpose: 1000,
} as const;

/** Earliest date of birth the form accepts. */
export const MIN_DATE_OF_BIRTH = "1900-01-01";

/**
 * TypeBox / JSON Schema (draft 2020-12 compatible, no custom keywords or
 * formats) of the generic application. `additionalProperties: false` at every
 * level. `mobile`, `pincode` and `dateOfBirth` are plain bounded strings here
 * because Gurmukhi and Devanagari digits must be accepted (C-14); their format
 * is checked by {@link validateGenericApplication}. `declaration` must be the
 * JSON literal `true`.
 */
export const GenericApplicationSchema = Type.Object(
  {
    serviceId: Type.Integer({ minimum: 1 }),
    applicant: Type.Object(
      {
        name: Type.String({ minLength: 1, maxLength: 100 }),
        /** The name in Gurmukhi, as Punjab certificates print it beside the English name (optional). */
        nameGurmukhi: Type.Optional(Type.String({ maxLength: GURMUKHI_NAME_MAX_LENGTH })),
        relativeName: Type.String({ minLength: 1, maxLength: 100 }),
        gender: Type.Unsafe<Gender>({ type: "string", enum: [...GENDERS] }),
        dateOfBirth: Type.String({ minLength: 1, maxLength: 32 }),
        mobile: Type.String({ minLength: 1, maxLength: 32 }),
        email: Type.Optional(Type.String({ maxLength: 254 })),
      },
      { additionalProperties: false },
    ),
    address: Type.Object(
      {
        line1: Type.String({ minLength: 1, maxLength: 120 }),
        line2: Type.Optional(Type.String({ maxLength: 120 })),
        districtCode: Type.Integer({ minimum: 1 }),
        tehsilCode: Type.Integer({ minimum: 1 }),
        pincode: Type.String({ minLength: 1, maxLength: 16 }),
      },
      { additionalProperties: false },
    ),
    purpose: Type.String({ minLength: 1, maxLength: 1000 }),
    declaration: Type.Literal(true),
  },
  { additionalProperties: false },
);

/** A generic application as the schema describes it; after validation every string is NFC and `mobile`/`pincode` are ASCII digits. */
export type GenericApplication = Static<typeof GenericApplicationSchema>;

/* ------------------------------------------------------------------ errors */

/**
 * One validation error, tied to a field.
 * - `field`: dotted path in the JSON contract (`applicant.dateOfBirth`); for an
 *   unknown property, the path of that property;
 * - `code`: stable code (`required`, `type`, `unknown_field`, `too_long`,
 *   `invalid`, or a namespaced code such as `date.day_invalid`, `mobile.wrong_length`);
 * - `params`: values for the message (`{{max}}`, `{{maxDay}}`...). Date errors
 *   carry `part` (`day` | `month` | `year` | `all`) so the page highlights the
 *   right box.
 */
export type FieldError = {
  field: string;
  code: string;
  params?: Record<string, string | number>;
};

/** Result of validation: the normalised application, or every error found (in form order, one per field). */
export type ValidationResult =
  | { ok: true; value: GenericApplication }
  | { ok: false; errors: FieldError[] };

/** Context for the semantic rules. */
export type GenericValidationContext = {
  /** LGD district code → LGD codes of its tehsils (from `geography/`). */
  tehsilsByDistrict: Map<number, Set<number>>;
  /** Today's date in Asia/Kolkata, `YYYY-MM-DD` (injected clock). */
  today: string;
};

/** Order of fields on the page, used to order the error summary. */
export const GENERIC_FORM_FIELD_ORDER = [
  "serviceId",
  "applicant",
  "applicant.name",
  "applicant.nameGurmukhi",
  "applicant.relativeName",
  "applicant.gender",
  "applicant.dateOfBirth",
  "applicant.mobile",
  "applicant.email",
  "address",
  "address.line1",
  "address.line2",
  "address.districtCode",
  "address.tehsilCode",
  "address.pincode",
  "purpose",
  "declaration",
] as const;

function sortErrors(errors: FieldError[]): FieldError[] {
  const known = GENERIC_FORM_FIELD_ORDER as readonly string[];
  // A field not on the page (an unknown property) goes at the end of its object's fields.
  const order = (f: string): number => {
    const i = known.indexOf(f);
    if (i !== -1) return i;
    const parent = f.split(".").slice(0, -1).join(".");
    if (parent === "") return known.length;
    const last = known.findLastIndex((k) => k === parent || k.startsWith(`${parent}.`));
    return last === -1 ? known.length : last + 0.5;
  };
  const seen = new Set<string>();
  return errors
    .map((e, i) => ({ e, i }))
    .sort((a, b) => order(a.e.field) - order(b.e.field) || a.i - b.i)
    .map(({ e }) => e)
    .filter((e) => {
      if (seen.has(e.field)) return false;
      seen.add(e.field);
      return true;
    });
}

/* --------------------------------------------------------------------- ajv */

const ajv = new Ajv({ allErrors: true, strict: true });
const checkSchema = ajv.compile(GenericApplicationSchema);

function pointerToPath(pointer: string): string[] {
  if (pointer === "") return [];
  return pointer
    .slice(1)
    .split("/")
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));
}

/** Map one Ajv error to a field error (see {@link FieldError} for codes). */
function fromAjv(e: ErrorObject): FieldError {
  const base = pointerToPath(e.instancePath);
  const params = e.params as Record<string, unknown>;
  if (e.keyword === "additionalProperties") {
    const field = [...base, String(params.additionalProperty)].join(".");
    return { field, code: "unknown_field", params: { field } };
  }
  if (e.keyword === "required") {
    return { field: [...base, String(params.missingProperty)].join("."), code: "required" };
  }
  const field = base.join(".");
  if (field === "declaration") return { field, code: "required" };
  switch (e.keyword) {
    case "type":
      return { field, code: "type", params: { expected: String(params.type) } };
    case "maxLength":
      return { field, code: "too_long", params: { max: Number(params.limit) } };
    case "minLength":
      return { field, code: "required" };
    default:
      return { field, code: "invalid" };
  }
}

/* ---------------------------------------------------------------- semantic */

const EMAIL = /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/u;

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * Validate a generic application (API body, or the output of
 * {@link formToGenericInput}) and return it normalised.
 *
 * Structural checks come from {@link GenericApplicationSchema} through Ajv:
 * unknown property → `unknown_field` (field = that property's path); wrong JSON
 * type → `type`; missing or empty → `required`; too long → `too_long` (`max`);
 * gender not in the enum → `invalid`; `declaration` not `true` → `required`.
 *
 * Semantic rules, on every field that passed the structural checks:
 * - strings are NFC-normalised, trimmed, internal whitespace collapsed
 *   (`purpose` keeps its line breaks); blank → `required`; lengths are checked
 *   again after normalisation (NFC can lengthen Gurmukhi text, e.g. U+0A33);
 * - `mobile`, `pincode`: digits of any script (C-14), see `normaliseMobile`,
 *   `normalisePincode` in `common/text.ts`;
 * - `email` (optional): a blank one is dropped; otherwise `local@domain.tld`
 *   (a deliberately loose check, `email.invalid`), case kept;
 * - `dateOfBirth`: a real ISO date (`date.*` codes with `part`), not after
 *   `ctx.today` (`date.in_future`), not before 1900-01-01 (`date.too_early`);
 *   the value stays the same plain string (C-07);
 * - `districtCode` must be a key of `ctx.tehsilsByDistrict`
 *   (`district.unknown`), and `tehsilCode` one of its tehsils
 *   (`tehsil.not_in_district`).
 *
 * At most one error per field, in page order. Throws a TypeError when
 * `ctx.today` is not a `YYYY-MM-DD` date (a programming error, not user input).
 */
export function validateGenericApplication(
  input: unknown,
  ctx: GenericValidationContext,
): ValidationResult {
  const todayCheck = parseIsoDate(ctx.today);
  if (!todayCheck.ok || todayCheck.date !== ctx.today) {
    throw new TypeError(`ctx.today must be a YYYY-MM-DD date, got ${JSON.stringify(ctx.today)}`);
  }

  const errors: FieldError[] = [];
  if (!checkSchema(input)) errors.push(...(checkSchema.errors ?? []).map(fromAjv));
  if (!isRecord(input)) return { ok: false, errors: sortErrors(errors) };

  const failed = (field: string) =>
    errors.some((e) => e.field === field || field.startsWith(`${e.field}.`));
  const add = (field: string, code: string, params?: Record<string, string | number>) =>
    errors.push(params ? { field, code, params } : { field, code });

  const applicant = isRecord(input.applicant) ? input.applicant : {};
  const address = isRecord(input.address) ? input.address : {};

  /** Normalise a text field; returns undefined when it failed or is blank-optional. */
  const text = (
    field: keyof typeof GENERIC_FORM_MAX_LENGTHS,
    raw: unknown,
    opts: { required: boolean; multiline?: boolean },
  ): string | undefined => {
    if (typeof raw !== "string" || failed(field)) return undefined;
    const value = opts.multiline ? nfcMultiline(raw) : nfc(raw);
    if (value === "") {
      if (opts.required) add(field, "required");
      return undefined;
    }
    const max = GENERIC_FORM_MAX_LENGTHS[field];
    if (codePointLength(value) > max) {
      add(field, "too_long", { max });
      return undefined;
    }
    return value;
  };

  const name = text("applicant.name", applicant.name, { required: true });
  let nameGurmukhi: string | undefined;
  if (typeof applicant.nameGurmukhi === "string" && !failed("applicant.nameGurmukhi")) {
    const r = checkGurmukhiName(applicant.nameGurmukhi);
    if (r.ok) nameGurmukhi = r.value;
    else add("applicant.nameGurmukhi", r.code, r.params);
  }
  const relativeName = text("applicant.relativeName", applicant.relativeName, { required: true });
  const email = text("applicant.email", applicant.email, { required: false });
  if (email !== undefined && !EMAIL.test(email)) add("applicant.email", "email.invalid");
  const line1 = text("address.line1", address.line1, { required: true });
  const line2 = text("address.line2", address.line2, { required: false });
  const purpose = text("purpose", input.purpose, { required: true, multiline: true });

  let mobile: string | undefined;
  if (typeof applicant.mobile === "string" && !failed("applicant.mobile")) {
    const r = normaliseMobile(applicant.mobile);
    if (r.ok) mobile = r.value;
    else add("applicant.mobile", r.code === "mobile.required" ? "required" : r.code);
  }

  let pincode: string | undefined;
  if (typeof address.pincode === "string" && !failed("address.pincode")) {
    const r = normalisePincode(address.pincode);
    if (r.ok) pincode = r.value;
    else add("address.pincode", r.code === "pincode.required" ? "required" : r.code);
  }

  let dateOfBirth: string | undefined;
  if (typeof applicant.dateOfBirth === "string" && !failed("applicant.dateOfBirth")) {
    const r = parseIsoDate(applicant.dateOfBirth);
    if (!r.ok) {
      add("applicant.dateOfBirth", r.code === "date.required" ? "required" : r.code, {
        part: r.part,
        ...r.params,
      });
    } else if (r.date > ctx.today) {
      // Both are validated `YYYY-MM-DD` with 4-digit years: string order is date order.
      add("applicant.dateOfBirth", "date.in_future", { part: "all" });
    } else if (r.date < MIN_DATE_OF_BIRTH) {
      add("applicant.dateOfBirth", "date.too_early", { part: "year", min: MIN_DATE_OF_BIRTH });
    } else {
      dateOfBirth = r.date;
    }
  }

  const districtCode = address.districtCode;
  const tehsilCode = address.tehsilCode;
  if (typeof districtCode === "number" && !failed("address.districtCode")) {
    const tehsils = ctx.tehsilsByDistrict.get(districtCode);
    if (!tehsils) add("address.districtCode", "district.unknown");
    else if (
      typeof tehsilCode === "number" &&
      !failed("address.tehsilCode") &&
      !tehsils.has(tehsilCode)
    ) {
      add("address.tehsilCode", "tehsil.not_in_district");
    }
  }

  if (errors.length > 0) return { ok: false, errors: sortErrors(errors) };

  // No errors: the schema and the rules above guarantee every field below.
  const value: GenericApplication = {
    serviceId: input.serviceId as number,
    applicant: {
      name: name as string,
      ...(nameGurmukhi !== undefined ? { nameGurmukhi } : {}),
      relativeName: relativeName as string,
      gender: applicant.gender as Gender,
      dateOfBirth: dateOfBirth as string,
      mobile: mobile as string,
      ...(email !== undefined ? { email } : {}),
    },
    address: {
      line1: line1 as string,
      ...(line2 !== undefined ? { line2 } : {}),
      districtCode: districtCode as number,
      tehsilCode: tehsilCode as number,
      pincode: pincode as string,
    },
    purpose: purpose as string,
    declaration: true,
  };
  return { ok: true, value };
}

/* -------------------------------------------------------------------- form */

/** Body of the HTML form as @fastify/formbody parses it (repeated names give arrays). */
export type GenericFormBody = Record<string, string | string[] | undefined>;

/** Output of {@link formToGenericInput}. */
export type GenericFormMapping = {
  /** The JSON-shaped input for {@link validateGenericApplication}: raw text as typed, not yet normalised. */
  input: Record<string, unknown>;
  /** Errors found while mapping (today only the date of birth boxes), already in {@link FieldError} form. */
  preErrors: FieldError[];
};

/**
 * Map the generic form's flat field names to the JSON contract.
 *
 * Fields: `name`, `nameGurmukhi`, `relativeName`, `gender`, `dob-day`, `dob-month`, `dob-year`,
 * `mobile`, `email`, `line1`, `line2`, `districtCode`, `tehsilCode`, `pincode`,
 * `purpose`, `declaration` (checkbox, value `yes`). Other names (CSRF token,
 * submit button) are ignored. When a name is repeated the first value is used,
 * except `declaration`, which is ticked when any value is `yes`.
 *
 * Nothing is normalised or dropped here apart from blank boxes (left out, so
 * that the schema reports `required`) and the LGD codes (digit strings of any
 * script become integers; anything else is passed on as typed and fails as
 * `type`). The three date boxes go through `parseDateParts`: a valid date
 * becomes `applicant.dateOfBirth`; otherwise `dateOfBirth` is left out and the
 * error is returned in `preErrors` with field `applicant.dateOfBirth` and
 * `params.part` naming the box. The page re-renders from the posted body, so
 * what the user typed is never lost. Use {@link validateGenericForm} to get
 * both steps with the errors merged.
 */
export function formToGenericInput(body: GenericFormBody, serviceId: number): GenericFormMapping {
  const first = (key: string): string | undefined => {
    const v = body[key];
    return Array.isArray(v) ? v[0] : v;
  };
  const typed = (key: string): string | undefined => {
    const v = first(key);
    return v === undefined || nfc(v) === "" ? undefined : v;
  };
  const code = (key: string): number | string | undefined => {
    const v = typed(key);
    if (v === undefined) return undefined;
    const digits = toAsciiDigits(v).trim();
    return /^\d{1,9}$/.test(digits) ? Number(digits) : v;
  };
  const omitUndefined = (o: Record<string, unknown>) =>
    Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

  const preErrors: FieldError[] = [];
  const dob = parseDateParts({
    day: first("dob-day"),
    month: first("dob-month"),
    year: first("dob-year"),
  });
  if (!dob.ok) {
    preErrors.push({
      field: "applicant.dateOfBirth",
      code: dob.code === "date.required" ? "required" : dob.code,
      params: { part: dob.part, ...dob.params },
    });
  }

  const declared = body.declaration;
  const declaration = Array.isArray(declared) ? declared.includes("yes") : declared === "yes";

  const input = {
    serviceId,
    applicant: omitUndefined({
      name: typed("name"),
      nameGurmukhi: typed("nameGurmukhi"),
      relativeName: typed("relativeName"),
      gender: typed("gender"),
      dateOfBirth: dob.ok ? dob.date : undefined,
      mobile: typed("mobile"),
      email: typed("email"),
    }),
    address: omitUndefined({
      line1: typed("line1"),
      line2: typed("line2"),
      districtCode: code("districtCode"),
      tehsilCode: code("tehsilCode"),
      pincode: typed("pincode"),
    }),
    purpose: typed("purpose"),
    declaration,
  };
  return { input: omitUndefined(input), preErrors };
}

/**
 * Both steps for the page: {@link formToGenericInput} then
 * {@link validateGenericApplication}, with the mapping's date errors taking
 * the place of the schema's `required` for the same field. Errors are in page
 * order, one per field.
 */
export function validateGenericForm(
  body: GenericFormBody,
  serviceId: number,
  ctx: GenericValidationContext,
): ValidationResult {
  const { input, preErrors } = formToGenericInput(body, serviceId);
  const result = validateGenericApplication(input, ctx);
  if (preErrors.length === 0) return result;
  const pre = new Set(preErrors.map((e) => e.field));
  const rest = result.ok ? [] : result.errors.filter((e) => !pre.has(e.field));
  return { ok: false, errors: sortErrors([...preErrors, ...rest]) };
}

/** HTML `id` of the form control an error should link to from the error summary (GOV.UK error summary pattern). */
export function formFieldId(error: FieldError): string {
  if (error.field === "applicant.dateOfBirth") {
    const part = error.params?.part as DatePart | undefined;
    return `dob-${part === "month" || part === "year" ? part : "day"}`;
  }
  const last = error.field.split(".").at(-1);
  return last === undefined || last === "" ? "main-content" : last;
}

/* ---------------------------------------------------------------- messages */

function hasKey(catalog: unknown, path: string[]): boolean {
  let node: unknown = catalog;
  for (const segment of path) {
    if (!isRecord(node) || !Object.hasOwn(node, segment)) return false;
    node = node[segment];
  }
  return typeof node === "string";
}

/**
 * The i18next key of an error's message.
 *
 * Catalog structure (`locales/{en,pa,hi}.json`, i18next JSON v4, default `.`
 * key separator, `{{param}}` interpolation):
 * ```
 * { "_meta": {...},
 *   "validation": {
 *     "<field path, as nested objects>": { "<code, as nested objects>": "message" },
 *     "generic": { "<code, as nested objects>": "message" } },
 *   "upload": { "hint": "..." } }
 * ```
 * e.g. field `applicant.dateOfBirth`, code `date.day_invalid` →
 * `validation.applicant.dateOfBirth.date.day_invalid` when the English catalog
 * has that message, otherwise the field-independent
 * `validation.generic.date.day_invalid`. Every code has a generic message, so
 * the key always resolves; the three catalogs have the same keys (tested).
 * Render with `t(messageKey(e), e.params)`; i18next escapes the params.
 */
export function messageKey(error: FieldError): string {
  const code = error.code.split(".");
  const specific = ["validation", ...error.field.split("."), ...code];
  if (hasKey(en, specific)) return specific.join(".");
  return ["validation", "generic", ...code].join(".");
}

const MONTH_LOCALE: Record<string, string> = { en: "en-IN", pa: "pa-IN", hi: "hi-IN" };

/**
 * An error's message parameters made readable in a language: a numeric
 * `month` (date errors carry `month` and `year`) becomes the month's name,
 * e.g. "02" → "February" in English, the local month name from `Intl` in pa and hi.
 * Render with `t(messageKey(e), messageParams(e, lang))`.
 */
export function messageParams(
  error: FieldError,
  lang: string,
): Record<string, string | number> | undefined {
  const params = error.params;
  if (!params || params.month === undefined) return params;
  const m = Number(params.month);
  if (!Number.isInteger(m) || m < 1 || m > 12) return params;
  const name = new Intl.DateTimeFormat(MONTH_LOCALE[lang] ?? "en-IN", {
    month: "long",
    timeZone: "UTC",
  }).format(Date.UTC(2000, m - 1, 1));
  return {
    ...params,
    month: name,
    ...(params.year !== undefined ? { year: Number(params.year) } : {}),
  };
}
