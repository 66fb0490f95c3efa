import { describe, expect, it } from "vitest";
import { compileForm, createFormAjv } from "./compile.ts";
import { computeFee, formatRupees } from "./fees.ts";
import { loadDefinition } from "./load.ts";
import { minimalAnswers, minimalDefinition, text } from "./test-fixtures.ts";
import type { ServiceDefinition } from "./types.ts";

const TODAY = "2026-11-30";
const form = compileForm(minimalDefinition());
const ctx = { today: TODAY };

describe("compileForm: valid answers", () => {
  it("accepts valid answers and returns them unchanged", () => {
    expect(form.validate(minimalAnswers(), "en", ctx)).toEqual({
      ok: true,
      value: minimalAnswers(),
    });
  });

  it("normalises what pages send: Indic digits, yes/no, spacing, single checkbox or upload (C-14)", () => {
    const r = form.validate(
      {
        ...minimalAnswers(),
        fullName: "  Gurpreet   Kaur ",
        mobile: "੯੮੭੬੫ ੪੩੨੧੦",
        dateOfBirth: "१९९०-०३-२७",
        married: "yes",
        copies: "੨",
        photo: "upload_1",
      },
      "en",
      ctx,
    );
    expect(r).toEqual({ ok: true, value: minimalAnswers() });
  });

  it("drops answers to questions that are not shown, and says which are shown", () => {
    const answers = { ...minimalAnswers(), married: false };
    const r = form.validate(answers, "en", ctx);
    expect(r.ok && r.value.dateOfMarriage).toBe(undefined);
    expect(form.visibleFields(answers)).not.toContain("dateOfMarriage");
    expect(form.visibleFields(minimalAnswers())).toContain("dateOfMarriage");
    expect(form.visiblePages({})).toEqual(["p1", "p2", "p3", "p4"]);
  });

  it("stores Aadhaar only masked (and hashed with a key), never in clear", () => {
    const answers = {
      ...minimalAnswers(),
      family: [{ memberName: "Harjit", memberAadhaar: "2345 6789 0124" }],
    };
    const r = form.validate(answers, "en", { ...ctx, aadhaarKey: "k".repeat(32) });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.family).toEqual([
      {
        memberName: "Harjit",
        memberAadhaar: { masked: "XXXX XXXX 0124", hash: expect.stringMatching(/^[0-9a-f]{64}$/) },
      },
    ]);
    expect(JSON.stringify(r.value)).not.toContain("23456789");
  });
});

describe("compileForm: errors are per field, in form order, localised", () => {
  it("uses the field's own message, else the default, in en, pa and hi", () => {
    const { fullName: _n, mobile: _m, ...rest } = minimalAnswers();
    const en = form.validate(rest, "en", ctx);
    const pa = form.validate(rest, "pa", ctx);
    const hi = form.validate(rest, "hi", ctx);
    expect(en).toEqual({
      ok: false,
      errors: [
        { field: "fullName", code: "required", message: "Enter your full name" },
        { field: "mobile", code: "required", message: "Enter an answer for “Mobile number”" },
      ],
    });
    expect(!pa.ok && pa.errors.map((e) => e.message)).toEqual([
      "ਆਪਣਾ ਪੂਰਾ ਨਾਮ ਦਰਜ ਕਰੋ",
      "“ਪਾਠ” ਲਈ ਜਵਾਬ ਦਰਜ ਕਰੋ",
    ]);
    expect(!hi.ok && hi.errors.map((e) => e.message)).toEqual([
      "पाठ", // the fixture's Hindi for the custom message is the placeholder word
      "“पाठ” के लिए उत्तर दर्ज करें",
    ]);
  });

  it("checks the cross-field rule: date of marriage after date of birth", () => {
    const r = form.validate({ ...minimalAnswers(), dateOfMarriage: "1990-03-27" }, "pa", ctx);
    expect(r).toEqual({
      ok: false,
      errors: [
        {
          field: "dateOfMarriage",
          code: "rule",
          message: "ਵਿਆਹ ਦੀ ਮਿਤੀ ਜਨਮ ਮਿਤੀ ਤੋਂ ਬਾਅਦ ਦੀ ਹੋਣੀ ਚਾਹੀਦੀ ਹੈ",
          params: { rule: "marriageAfterBirth" },
        },
      ],
    });
  });

  it("checks real dates and the injected today (C-07, C-08)", () => {
    const bad = form.validate({ ...minimalAnswers(), dateOfBirth: "2026-02-30" }, "en", ctx);
    expect(!bad.ok && bad.errors[0]).toEqual({
      field: "dateOfBirth",
      code: "invalid",
      message: "“Date of birth” must be a real date",
    });
    const leap = form.validate({ ...minimalAnswers(), dateOfBirth: "2024-02-29" }, "en", ctx);
    expect(leap.ok).toBe(false); // valid date, but the marriage rule now fails
    const future = form.validate({ ...minimalAnswers(), dateOfBirth: "2026-12-01" }, "en", ctx);
    expect(!future.ok && future.errors[0]).toEqual({
      field: "dateOfBirth",
      code: "too_late",
      message: "“Date of birth” must be today or in the past",
      params: { max: TODAY },
    });
    expect(() => form.validate(minimalAnswers(), "en")).toThrow(/ctx.today/);
    expect(() => form.validate(minimalAnswers(), "en", { today: "30/11/2026" })).toThrow(TypeError);
  });

  it("shows date bounds as dates in the language of the page", () => {
    const d = minimalDefinition();
    const f = d.form.pages[0]?.fields[1];
    if (f?.type === "date") f.min = "2000-01-01";
    const r = compileForm(d).validate(
      { ...minimalAnswers(), dateOfMarriage: "2015-11-02" },
      "pa",
      ctx,
    );
    expect(!r.ok && r.errors[0]).toEqual({
      field: "dateOfBirth",
      code: "too_early",
      message: "“ਪਾਠ” 1 ਜਨਵਰੀ 2000 ਜਾਂ ਉਸ ਤੋਂ ਬਾਅਦ ਦੀ ਹੋਣੀ ਚਾਹੀਦੀ ਹੈ",
      params: { min: "2000-01-01" },
    });
  });

  it("names the item of a repeating group, and never echoes an Aadhaar number", () => {
    const bad = "234567890125";
    const r = form.validate(
      { ...minimalAnswers(), family: [{ memberName: "Harjit" }, { memberAadhaar: bad }] },
      "en",
      ctx,
    );
    expect(r).toEqual({
      ok: false,
      errors: [
        {
          field: "family.1.memberName",
          code: "required",
          message: "Family member 2: Enter an answer for “Name”",
        },
        {
          field: "family.1.memberAadhaar",
          code: "checksum",
          message: "Family member 2: Check the Aadhaar number: one or more digits are wrong",
        },
      ],
    });
    expect(JSON.stringify(r)).not.toContain("0125");
  });

  it("reports types, ranges, options, unknown fields and too many uploads", () => {
    const r = form.validate(
      {
        ...minimalAnswers(),
        married: "maybe",
        category: "st",
        copies: 2.5,
        photo: ["a", "b"],
        nickname: "Preeti",
      },
      "en",
      ctx,
    );
    expect(!r.ok && r.errors.map((e) => [e.field, e.code, e.message])).toEqual([
      ["married", "type", "Enter a valid answer for “Are you married?”"],
      ["category", "invalid_option", "Select one of the options for “Category”"],
      ["copies", "not_integer", "“Copies” must be a whole number"],
      ["photo", "too_many", "The number of files for “Photo” must be 1 or fewer"],
      ["nickname", "unknown_field", "“nickname” is not a question on this form"],
    ]);
    const word = form.validate({ ...minimalAnswers(), copies: "two" }, "en", ctx);
    expect(!word.ok && word.errors).toEqual([
      { field: "copies", code: "type", message: "“Copies” must be a number" },
    ]);
    const big = form.validate({ ...minimalAnswers(), copies: 9 }, "hi", ctx);
    expect(!big.ok && big.errors).toEqual([
      {
        field: "copies",
        code: "too_large",
        message: "“पाठ” 5 या उससे कम होना चाहिए",
        params: { max: 5 },
      },
    ]);
    expect(form.validate("not an object", "en", ctx)).toEqual({
      ok: false,
      errors: [{ field: "", code: "type", message: "Send the answers as one JSON object" }],
    });
  });

  it("checks addresses against the LGD map when given", () => {
    const d = minimalDefinition();
    d.form.pages[0]?.fields.push({ id: "home", type: "address", label: text("Address") });
    const f = compileForm(d);
    const answers = {
      ...minimalAnswers(),
      home: { line1: "House 1", districtCode: "੩੫", tehsilCode: 999, pincode: "160 017" },
    };
    const lgd = new Map([[35, new Set([1, 2])]]);
    expect(f.validate(answers, "en", ctx).ok).toBe(true); // shape only without the map
    const r = f.validate(answers, "en", { ...ctx, tehsilsByDistrict: lgd });
    expect(!r.ok && r.errors).toEqual([
      {
        field: "home.tehsilCode",
        code: "tehsil_not_in_district",
        message: "Select a tehsil in the district you chose",
      },
    ]);
    const noPin = f.validate(
      {
        ...answers,
        home: { line1: "House 1", districtCode: 35, tehsilCode: 1, pincode: "012345" },
      },
      "en",
      ctx,
    );
    expect(!noPin.ok && noPin.errors).toEqual([
      {
        field: "home.pincode",
        code: "invalid",
        message: "Enter a PIN code in the correct format, like 160017",
      },
    ]);
  });
});

describe("compileForm: the schema", () => {
  it("is strict: a hidden question must be absent, a shown required one present", () => {
    const check = createFormAjv().compile(form.schema);
    expect(check.call(ctx, minimalAnswers())).toBe(true);
    expect(check.call(ctx, { ...minimalAnswers(), married: false })).toBe(false);
    const { dateOfMarriage: _d, ...withoutDate } = minimalAnswers();
    expect(check.call(ctx, withoutDate)).toBe(false);
    expect(check.call(ctx, { ...withoutDate, married: false })).toBe(true);
  });

  it("refuses to compile a form with a broken condition", () => {
    const d: ServiceDefinition = minimalDefinition();
    const f = d.form.pages[0]?.fields[0];
    if (f) f.when = { field: "married", equals: true };
    expect(() => compileForm(d)).toThrow(/refers to “married”, which is not an earlier question/);
  });
});

describe("the shipped definitions", () => {
  it("income certificate: compiles, accepts a full application, and charges ₹75 a copy plus ₹120 at the doorstep", async () => {
    const loaded = await loadDefinition("data/services/revenue/income-certificate.yaml");
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
    const f = compileForm(loaded.definition);
    const answers = {
      fullName: "Gurpreet Kaur",
      relativeName: "Harjit Singh",
      dateOfBirth: "1990-03-27",
      gender: "female",
      mobile: "9876543210",
      homeAddress: {
        line1: "House 12, Village Ghudani",
        districtCode: 35,
        tehsilCode: 1,
        pincode: "141121",
      },
      purpose: "scholarship",
      earningMembers: [
        {
          memberName: "Harjit Singh",
          relation: "father",
          incomeSource: "agriculture",
          annualIncome: 180000,
        },
      ],
      ownsLand: true,
      landAcres: 2.5,
      totalAnnualIncome: 180000,
      copies: 2,
      declaration: ["agree"],
    };
    expect(f.validate(answers, "pa", ctx)).toEqual({ ok: true, value: answers });
    const fee = computeFee(loaded.definition.fees, { ...answers, channel: "doorstep" });
    expect(fee.paise).toBe(27000); // 2 × ₹75 + ₹120
    expect(formatRupees(fee.paise)).toBe("₹270");
    expect(computeFee(loaded.definition.fees, { ...answers, channel: "online" }).paise).toBe(15000);
  });

  it("residence certificate: the rule on the date of starting to live in Punjab", async () => {
    const loaded = await loadDefinition("data/services/personnel/residence-certificate.yaml");
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
    const f = compileForm(loaded.definition);
    const r = f.validate(
      {
        fullName: "Gurpreet Kaur",
        relativeName: "Harjit Singh",
        dateOfBirth: "1990-03-27",
        gender: "female",
        mobile: "9876543210",
        homeAddress: { line1: "House 12", districtCode: 35, tehsilCode: 1, pincode: "141121" },
        livingInPunjabSince: "1989-01-01",
        bornInPunjab: false,
        ownsProperty: false,
        otherStateCertificate: false,
        purpose: "job",
        declaration: ["agree"],
      },
      "hi",
      ctx,
    );
    expect(!r.ok && r.errors).toEqual([
      {
        field: "livingInPunjabSince",
        code: "rule",
        message: "पंजाब में रहना शुरू करने की तिथि आपकी जन्म तिथि वाली या उसके बाद की होनी चाहिए",
        params: { rule: "livedSinceBirth" },
      },
    ]);
    expect(computeFee(loaded.definition.fees, { channel: "sewaKendra" }).paise).toBe(8500);
  });
});
