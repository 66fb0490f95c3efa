import { Ajv } from "ajv";
import fc from "fast-check";
import i18next from "i18next";
import { Temporal } from "temporal-polyfill";
import { describe, expect, it } from "vitest";
import {
  type FieldError,
  formFieldId,
  formToGenericInput,
  GENERIC_FORM_FIELD_ORDER,
  GenericApplicationSchema,
  type GenericFormBody,
  messageKey,
  messageParams,
  validateGenericApplication,
  validateGenericForm,
} from "./generic-form.ts";
import en from "./locales/en.json" with { type: "json" };
import hi from "./locales/hi.json" with { type: "json" };
import pa from "./locales/pa.json" with { type: "json" };

/* Test geography (not LGD data): district 38 has tehsils 201, 202; district 41 has 301. */
const ctx = {
  tehsilsByDistrict: new Map([
    [38, new Set([201, 202])],
    [41, new Set([301])],
  ]),
  today: "2026-04-06",
};

const valid = () => ({
  serviceId: 12,
  applicant: {
    name: "Gurpreet Kaur",
    relativeName: "Harjit Singh",
    gender: "female",
    dateOfBirth: "1990-03-27",
    mobile: "9876543210",
    email: "gurpreet@example.com",
  },
  address: {
    line1: "House 12, Model Town",
    line2: "Near Gurdwara",
    districtCode: 38,
    tehsilCode: 202,
    pincode: "141002",
  },
  purpose: "Caste certificate for admission",
  declaration: true,
});

const formBody = (): GenericFormBody => ({
  name: "ਗੁਰਪ੍ਰੀਤ ਕੌਰ",
  relativeName: "ਹਰਜੀਤ ਸਿੰਘ",
  gender: "female",
  "dob-day": "27",
  "dob-month": "3",
  "dob-year": "1990",
  mobile: "੯੮੭੬੫ ੪੩੨੧੦",
  email: "",
  line1: "ਮਕਾਨ ੧੨, ਮਾਡਲ ਟਾਊਨ",
  line2: "",
  districtCode: "38",
  tehsilCode: "202",
  pincode: "੧੪੧੦੦੨",
  purpose: "ਦਾਖ਼ਲੇ ਲਈ",
  declaration: "yes",
  _csrf: "token",
});

function errorsOf(input: unknown, context = ctx): FieldError[] {
  const result = validateGenericApplication(input, context);
  return result.ok ? [] : result.errors;
}

/* ------------------------------------------------------------------ schema */

describe("GenericApplicationSchema", () => {
  it("is plain JSON Schema with additionalProperties: false at every level", () => {
    const json = JSON.parse(JSON.stringify(GenericApplicationSchema));
    const standard = new Set([
      "type",
      "properties",
      "required",
      "additionalProperties",
      "minLength",
      "maxLength",
      "minimum",
      "enum",
      "const",
    ]);
    const walk = (node: Record<string, unknown>) => {
      for (const key of Object.keys(node)) expect(standard).toContain(key);
      if (node.type === "object") {
        expect(node.additionalProperties).toBe(false);
        for (const child of Object.values(node.properties as Record<string, never>)) walk(child);
      }
    };
    walk(json);
    // A strict Ajv without plugins (as Fastify's) compiles it.
    expect(() => new Ajv({ strict: true }).compile(json)).not.toThrow();
  });

  it("states the maximum lengths of the contract", () => {
    const s = GenericApplicationSchema.properties;
    expect(s.applicant.properties.name.maxLength).toBe(100);
    expect(s.applicant.properties.relativeName.maxLength).toBe(100);
    expect(s.applicant.properties.email.maxLength).toBe(254);
    expect(s.address.properties.line1.maxLength).toBe(120);
    expect(s.address.properties.line2.maxLength).toBe(120);
    expect(s.purpose.maxLength).toBe(1000);
    expect(s.applicant.properties.gender.enum).toEqual(["female", "male", "transgender"]);
    expect(GenericApplicationSchema.required).toEqual([
      "serviceId",
      "applicant",
      "address",
      "purpose",
      "declaration",
    ]);
  });
});

/* ------------------------------------------------------------- validation */

describe("validateGenericApplication", () => {
  it("accepts a valid application and returns it unchanged when already normal", () => {
    expect(validateGenericApplication(valid(), ctx)).toEqual({ ok: true, value: valid() });
  });

  it("C-07: a date of birth of 2026-04-01 stays the plain date 2026-04-01", () => {
    const input = valid();
    input.applicant.dateOfBirth = "2026-04-01";
    const result = validateGenericApplication(input, { ...ctx, today: "2026-04-01" });
    expect(result.ok && result.value.applicant.dateOfBirth).toBe("2026-04-01");
    expect(result.ok && JSON.parse(JSON.stringify(result.value)).applicant.dateOfBirth).toBe(
      "2026-04-01",
    );
  });

  it("C-14: mobile and PIN code in Gurmukhi or Devanagari digits are normalised", () => {
    const input = valid();
    input.applicant.mobile = "੯੮੭੬੫੪੩੨੧੦";
    input.address.pincode = "१४१००२";
    const result = validateGenericApplication(input, ctx);
    expect(result.ok && result.value.applicant.mobile).toBe("9876543210");
    expect(result.ok && result.value.address.pincode).toBe("141002");
    input.applicant.mobile = "९८७६५४३२१०";
    const again = validateGenericApplication(input, ctx);
    expect(again.ok && again.value.applicant.mobile).toBe("9876543210");
  });

  it("normalises strings to NFC, trims, collapses spaces, keeps case and paragraphs", () => {
    const input = valid();
    input.applicant.name = "  Jose\u0301   KUMAR ";
    input.applicant.relativeName = "ਹਰਜੀਤ\u00a0 ਸਿੰਘ";
    input.applicant.email = "  ";
    input.address.line2 = "";
    input.purpose = "Line one\r\n\r\nLine  two ";
    const result = validateGenericApplication(input, ctx);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.applicant.name).toBe("José KUMAR");
    expect(result.value.applicant.relativeName).toBe("ਹਰਜੀਤ ਸਿੰਘ");
    expect(result.value.applicant).not.toHaveProperty("email");
    expect(result.value.address).not.toHaveProperty("line2");
    expect(result.value.purpose).toBe("Line one\n\nLine two");
  });

  it("reports an unknown field with its path", () => {
    const input: Record<string, unknown> = valid();
    input.extra = 1;
    (input.applicant as Record<string, unknown>).aadhaar = "1234";
    expect(errorsOf(input)).toEqual([
      { field: "applicant.aadhaar", code: "unknown_field", params: { field: "applicant.aadhaar" } },
      { field: "extra", code: "unknown_field", params: { field: "extra" } },
    ]);
  });

  it("reports wrong types, missing and blank fields", () => {
    const input: Record<string, unknown> = valid();
    input.serviceId = "12";
    const applicant = input.applicant as Record<string, unknown>;
    delete applicant.name;
    applicant.relativeName = "   ";
    applicant.mobile = "";
    const address = input.address as Record<string, unknown>;
    address.districtCode = 38.5;
    delete input.purpose;
    expect(errorsOf(input)).toEqual([
      { field: "serviceId", code: "type", params: { expected: "integer" } },
      { field: "applicant.name", code: "required" },
      { field: "applicant.relativeName", code: "required" },
      { field: "applicant.mobile", code: "required" },
      { field: "address.districtCode", code: "type", params: { expected: "integer" } },
      { field: "purpose", code: "required" },
    ]);
  });

  it("reports a missing object once, not each of its fields", () => {
    const input: Record<string, unknown> = valid();
    delete input.address;
    expect(errorsOf(input)).toEqual([{ field: "address", code: "required" }]);
    expect(errorsOf(null)).toEqual([{ field: "", code: "type", params: { expected: "object" } }]);
  });

  it("checks lengths, also after normalisation", () => {
    const input = valid();
    input.applicant.name = "ਕ".repeat(101);
    input.purpose = "x".repeat(1001);
    expect(errorsOf(input)).toEqual([
      { field: "applicant.name", code: "too_long", params: { max: 100 } },
      { field: "purpose", code: "too_long", params: { max: 1000 } },
    ]);
    // U+0A33 (ਲ਼) is excluded from composition: NFC turns each into ਲ + nukta.
    const grows = valid();
    grows.applicant.name = "\u0a33".repeat(60);
    expect(errorsOf(grows)).toEqual([
      { field: "applicant.name", code: "too_long", params: { max: 100 } },
    ]);
    const fits = valid();
    fits.applicant.name = "ਕ".repeat(100);
    expect(errorsOf(fits)).toEqual([]);
  });

  it("checks the gender enum and the declaration", () => {
    const input: Record<string, unknown> = valid();
    (input.applicant as Record<string, unknown>).gender = "Female";
    input.declaration = false;
    expect(errorsOf(input)).toEqual([
      { field: "applicant.gender", code: "invalid" },
      { field: "declaration", code: "required" },
    ]);
    input.declaration = "yes";
    expect(errorsOf(input)).toContainEqual({ field: "declaration", code: "required" });
    for (const gender of ["male", "transgender"]) {
      const ok = valid();
      ok.applicant.gender = gender;
      expect(errorsOf(ok)).toEqual([]);
    }
  });

  it("checks mobile, PIN code and email formats", () => {
    const input = valid();
    input.applicant.mobile = "5876543210";
    input.applicant.email = "gurpreet at example";
    input.address.pincode = "14100";
    expect(errorsOf(input)).toEqual([
      { field: "applicant.mobile", code: "mobile.invalid_start" },
      { field: "applicant.email", code: "email.invalid" },
      { field: "address.pincode", code: "pincode.wrong_length" },
    ]);
  });

  it("checks that the district exists and the tehsil belongs to it", () => {
    const input = valid();
    input.address.districtCode = 99;
    expect(errorsOf(input)).toEqual([{ field: "address.districtCode", code: "district.unknown" }]);
    input.address.districtCode = 41;
    input.address.tehsilCode = 202; // a tehsil of district 38
    expect(errorsOf(input)).toEqual([
      { field: "address.tehsilCode", code: "tehsil.not_in_district" },
    ]);
  });

  it("C-08: an API date of birth 2026-02-29 is refused, naming the day", () => {
    const input = valid();
    input.applicant.dateOfBirth = "2026-02-29";
    expect(errorsOf(input)).toEqual([
      {
        field: "applicant.dateOfBirth",
        code: "date.day_not_in_month",
        params: { part: "day", maxDay: 28, month: "02", year: "2026" },
      },
    ]);
  });

  it("C-08: 29/02/2028 is accepted as a leap day", () => {
    const input = valid();
    input.applicant.dateOfBirth = "2028-02-29";
    const result = validateGenericApplication(input, { ...ctx, today: "2028-03-01" });
    expect(result.ok && result.value.applicant.dateOfBirth).toBe("2028-02-29");
  });

  it.each([
    ["2026-04-07", "date.in_future", { part: "all" }],
    ["1899-12-31", "date.too_early", { part: "year", min: "1900-01-01" }],
    ["27/03/1990", "date.format", { part: "all" }],
    ["", "required", undefined],
  ])("date of birth %j → %s", (dateOfBirth, code, params) => {
    const input = valid();
    input.applicant.dateOfBirth = dateOfBirth;
    const expected = params
      ? { field: "applicant.dateOfBirth", code, params }
      : {
          field: "applicant.dateOfBirth",
          code,
        };
    expect(errorsOf(input)).toEqual([expected]);
  });

  it("accepts a date of birth of today and of 1900-01-01", () => {
    for (const dateOfBirth of ["2026-04-06", "1900-01-01", "२०२६-०४-०६"]) {
      const input = valid();
      input.applicant.dateOfBirth = dateOfBirth;
      expect(errorsOf(input)).toEqual([]);
    }
  });

  it("refuses a context without a real today", () => {
    expect(() => validateGenericApplication(valid(), { ...ctx, today: "2026-02-30" })).toThrow(
      TypeError,
    );
    expect(() => validateGenericApplication(valid(), { ...ctx, today: "6/4/2026" })).toThrow(
      TypeError,
    );
  });

  it("property: any valid application validates, and validating the result changes nothing", () => {
    const text = (max: number) =>
      fc
        .string({ unit: "grapheme", minLength: 1, maxLength: max })
        .filter((s) => s.normalize("NFC").trim() !== "" && [...s.normalize("NFC")].length <= max);
    const first = Temporal.PlainDate.from("1900-01-01");
    const span = first.until(ctx.today).days;
    const date = fc.integer({ min: 0, max: span }).map((n) => first.add({ days: n }).toString());
    fc.assert(
      fc.property(
        fc.record({
          name: text(100),
          relativeName: text(100),
          line1: text(120),
          purpose: text(1000),
          dateOfBirth: date,
          mobile: fc.stringMatching(/^[6-9][0-9]{9}$/),
          gender: fc.constantFrom("female", "male", "transgender"),
        }),
        (r) => {
          const input = valid();
          Object.assign(input.applicant, {
            name: r.name,
            relativeName: r.relativeName,
            dateOfBirth: r.dateOfBirth,
            mobile: r.mobile,
            gender: r.gender,
          });
          input.address.line1 = r.line1;
          input.purpose = r.purpose;
          const first = validateGenericApplication(input, ctx);
          expect(first.ok).toBe(true);
          if (!first.ok) return;
          expect(first.value.applicant.dateOfBirth).toBe(r.dateOfBirth);
          expect(validateGenericApplication(first.value, ctx)).toEqual(first);
        },
      ),
      { numRuns: 200 },
    );
  });
});

/* -------------------------------------------------------------------- form */

describe("formToGenericInput and validateGenericForm", () => {
  it("maps the flat form to the JSON shape without altering what was typed", () => {
    const { input, preErrors } = formToGenericInput(formBody(), 12);
    expect(preErrors).toEqual([]);
    expect(input).toEqual({
      serviceId: 12,
      applicant: {
        name: "ਗੁਰਪ੍ਰੀਤ ਕੌਰ",
        relativeName: "ਹਰਜੀਤ ਸਿੰਘ",
        gender: "female",
        dateOfBirth: "1990-03-27",
        mobile: "੯੮੭੬੫ ੪੩੨੧੦",
      },
      address: {
        line1: "ਮਕਾਨ ੧੨, ਮਾਡਲ ਟਾਊਨ",
        districtCode: 38,
        tehsilCode: 202,
        pincode: "੧੪੧੦੦੨",
      },
      purpose: "ਦਾਖ਼ਲੇ ਲਈ",
      declaration: true,
    });
  });

  it("C-14: the whole form in Gurmukhi digits validates to ASCII numbers", () => {
    const body = { ...formBody(), districtCode: "੩੮", tehsilCode: "੨੦੨", "dob-year": "੧੯੯੦" };
    const result = validateGenericForm(body, 12, ctx);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.applicant.mobile).toBe("9876543210");
    expect(result.value.address).toEqual({
      line1: "ਮਕਾਨ ੧੨, ਮਾਡਲ ਟਾਊਨ", // text keeps its digits as typed
      districtCode: 38,
      tehsilCode: 202,
      pincode: "141002",
    });
    expect(result.value.applicant.dateOfBirth).toBe("1990-03-27");
  });

  it("C-07: date boxes 1 / 4 / 2026 give the plain date 2026-04-01", () => {
    const body = { ...formBody(), "dob-day": "1", "dob-month": "4", "dob-year": "2026" };
    const result = validateGenericForm(body, 12, ctx);
    expect(result.ok && result.value.applicant.dateOfBirth).toBe("2026-04-01");
  });

  it.each([
    ["30", "02", "2026", "date.day_not_in_month", "day", "dob-day"],
    ["29", "02", "2026", "date.day_not_in_month", "day", "dob-day"],
    ["00", "00", "0000", "required", "all", "dob-day"],
    ["32", "03", "2026", "date.day_invalid", "day", "dob-day"],
    ["1", "13", "2026", "date.month_invalid", "month", "dob-month"],
    ["1", "3", "26", "date.year_invalid", "year", "dob-year"],
    ["1", "", "2026", "date.month_missing", "month", "dob-month"],
  ])("C-08: %s/%s/%s is refused with %s on the %s box", (day, month, year, code, part, id) => {
    const body = { ...formBody(), "dob-day": day, "dob-month": month, "dob-year": year };
    const result = validateGenericForm(body, 12, ctx);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    // Exactly one error for the date: the box error replaces the schema's "required".
    expect(result.errors).toHaveLength(1);
    const [error] = result.errors as [FieldError];
    expect(error.field).toBe("applicant.dateOfBirth");
    expect(error.code).toBe(code);
    expect(error.params?.part).toBe(part);
    expect(formFieldId(error)).toBe(id);
  });

  it("C-08: 29/02/2028 is accepted from the boxes", () => {
    const body = { ...formBody(), "dob-day": "29", "dob-month": "02", "dob-year": "2028" };
    const result = validateGenericForm(body, 12, { ...ctx, today: "2028-03-01" });
    expect(result.ok && result.value.applicant.dateOfBirth).toBe("2028-02-29");
  });

  it("reports every problem of an empty form once, in page order", () => {
    const result = validateGenericForm({}, 12, ctx);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.map((e) => e.field)).toEqual([
      "applicant.name",
      "applicant.relativeName",
      "applicant.gender",
      "applicant.dateOfBirth",
      "applicant.mobile",
      "address.line1",
      "address.districtCode",
      "address.tehsilCode",
      "address.pincode",
      "purpose",
      "declaration",
    ]);
    expect(result.errors.every((e) => e.code === "required")).toBe(true);
  });

  it("keeps a non-numeric district as typed so it fails as a type error", () => {
    const { input } = formToGenericInput({ ...formBody(), districtCode: "Ludhiana" }, 12);
    expect((input.address as Record<string, unknown>).districtCode).toBe("Ludhiana");
    const result = validateGenericForm({ ...formBody(), districtCode: "Ludhiana" }, 12, ctx);
    expect(result.ok ? [] : result.errors).toEqual([
      { field: "address.districtCode", code: "type", params: { expected: "integer" } },
    ]);
  });

  it("takes the first of repeated values, and a ticked declaration from any of them", () => {
    const body = { ...formBody(), name: ["First", "Second"], declaration: ["", "yes"] };
    const { input } = formToGenericInput(body, 12);
    expect((input.applicant as Record<string, unknown>).name).toBe("First");
    expect(input.declaration).toBe(true);
    const unticked = formToGenericInput({ ...formBody(), declaration: undefined }, 12);
    expect(unticked.input.declaration).toBe(false);
  });
});

/* ---------------------------------------------------------------- messages */

type Catalog = Record<string, unknown>;
const catalogs: Record<"en" | "pa" | "hi", Catalog> = { en, pa, hi };

function leaves(node: unknown, prefix: string[] = []): Map<string, string> {
  const out = new Map<string, string>();
  if (typeof node === "string") out.set(prefix.join("."), node);
  else if (node && typeof node === "object") {
    for (const [k, v] of Object.entries(node)) {
      for (const [kk, vv] of leaves(v, [...prefix, k])) out.set(kk, vv);
    }
  }
  return out;
}

/** Every (field, code) pair the validators can produce. */
const PRODUCIBLE: FieldError[] = [
  ...["serviceId", "applicant", "address", ...GENERIC_FORM_FIELD_ORDER].flatMap((field) =>
    ["required", "type", "invalid", "too_long"].map((code) => ({ field, code })),
  ),
  { field: "extra", code: "unknown_field", params: { field: "extra" } },
  ...[
    "date.day_missing",
    "date.month_missing",
    "date.year_missing",
    "date.incomplete",
    "date.day_invalid",
    "date.day_not_in_month",
    "date.month_invalid",
    "date.year_invalid",
    "date.not_real",
    "date.format",
    "date.in_future",
    "date.too_early",
  ].map((code) => ({ field: "applicant.dateOfBirth", code })),
  ...["mobile.invalid_format", "mobile.wrong_length", "mobile.invalid_start"].map((code) => ({
    field: "applicant.mobile",
    code,
  })),
  { field: "applicant.email", code: "email.invalid" },
  ...["pincode.invalid_format", "pincode.wrong_length", "pincode.invalid_start"].map((code) => ({
    field: "address.pincode",
    code,
  })),
  { field: "address.districtCode", code: "district.unknown" },
  { field: "address.tehsilCode", code: "tehsil.not_in_district" },
  // Codes of common/text.ts and uploads.ts used on other fields fall back to generic messages.
  ...[
    "date.required",
    "mobile.required",
    "pincode.required",
    "file.empty",
    "file.too_large",
    "file.type_not_allowed",
    "file.type_mismatch",
    "file.too_many",
  ].map((code) => ({ field: "documents", code })),
];

describe("messages", () => {
  it("every producible error has a message in en, pa and hi", () => {
    for (const error of PRODUCIBLE) {
      const key = messageKey(error);
      for (const [lng, catalog] of Object.entries(catalogs)) {
        expect(leaves(catalog).has(key), `${lng}: ${key}`).toBe(true);
      }
    }
  });

  it("the three catalogs have the same keys and the same {{placeholders}}", () => {
    const enLeaves = leaves(en);
    const placeholders = (s: string) => [...s.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1]).sort();
    for (const catalog of [pa, hi]) {
      const other = leaves(catalog);
      expect([...other.keys()].sort()).toEqual([...enLeaves.keys()].sort());
      for (const [key, text] of enLeaves) {
        if (key.startsWith("_meta")) continue;
        expect(placeholders(other.get(key) ?? ""), key).toEqual(placeholders(text));
      }
    }
  });

  it("pa is in Gurmukhi and hi in Devanagari, not copies of English, and marked for review", () => {
    for (const [key, text] of leaves(pa)) {
      if (key.startsWith("_meta")) continue;
      expect(text, key).toMatch(/[\u0A00-\u0A7F]/);
      expect(text).not.toBe(leaves(en).get(key));
    }
    for (const [key, text] of leaves(hi)) {
      if (key.startsWith("_meta")) continue;
      expect(text, key).toMatch(/[\u0900-\u097F]/);
    }
    expect(pa._meta.review).toMatch(/HUMAN REVIEW/);
    expect(hi._meta.review).toMatch(/HUMAN REVIEW/);
  });

  it("messageKey prefers the field's message and falls back to the generic one", () => {
    expect(messageKey({ field: "applicant.dateOfBirth", code: "date.day_invalid" })).toBe(
      "validation.applicant.dateOfBirth.date.day_invalid",
    );
    expect(messageKey({ field: "applicant.mobile", code: "required" })).toBe(
      "validation.applicant.mobile.required",
    );
    expect(messageKey({ field: "applicant.nickname", code: "unknown_field" })).toBe(
      "validation.generic.unknown_field",
    );
    expect(messageKey({ field: "applicant.required", code: "unknown_field" })).toBe(
      "validation.generic.unknown_field",
    );
    expect(messageKey({ field: "documents", code: "file.too_large" })).toBe(
      "validation.generic.file.too_large",
    );
  });

  it("C-08: the messages name the wrong part, in each language", async () => {
    const body = { ...formBody(), "dob-day": "30", "dob-month": "02", "dob-year": "2026" };
    const result = validateGenericForm(body, 12, ctx);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const [error] = result.errors as [FieldError];
    const t = await translator();
    expect(t("en", messageKey(error), messageParams(error, "en"))).toBe(
      "Date of birth must be a real date: the day must be from 1 to 28 in February 2026",
    );
    expect(t("pa", messageKey(error), messageParams(error, "pa"))).toMatch(
      /^ਜਨਮ ਮਿਤੀ ਇੱਕ ਅਸਲ ਮਿਤੀ ਹੋਣੀ ਚਾਹੀਦੀ ਹੈ: ਸਾਲ 2026 ਦੇ ਮਹੀਨੇ \p{Script=Gurmukhi}+ ਵਿੱਚ ਦਿਨ 1 ਤੋਂ 28 ਤੱਕ ਹੀ ਹੋ ਸਕਦਾ ਹੈ$/u,
    );
    expect(t("hi", messageKey(error), messageParams(error, "hi"))).toMatch(
      /^जन्म तिथि एक वास्तविक तिथि होनी चाहिए: वर्ष 2026 के महीने \p{Script=Devanagari}+ में दिन 1 से 28 तक ही हो सकता है$/u,
    );
    expect(t("en", messageKey({ field: "applicant.mobile", code: "required" }))).toBe(
      "Enter a mobile number, like 98765 43210",
    );
  });
});

async function translator() {
  const instance = i18next.createInstance();
  await instance.init({
    lng: "en",
    resources: { en: { translation: en }, pa: { translation: pa }, hi: { translation: hi } },
  });
  return (lng: string, key: string, params?: Record<string, unknown>) =>
    instance.t(key, { ...params, lng });
}
