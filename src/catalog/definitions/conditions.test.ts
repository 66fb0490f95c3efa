import { Ajv } from "ajv";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { conditionTests, conditionToJsonSchema, evaluate, testOperator } from "./conditions.ts";
import type { Condition } from "./types.ts";

describe("evaluate", () => {
  const facts = { married: true, category: "sc", tick: ["a", "b"], count: 2 };

  it("treats an absent answer as not equal, not in, not included", () => {
    expect(evaluate({ field: "missing", equals: "x" }, facts)).toBe(false);
    expect(evaluate({ field: "missing", notEquals: "x" }, facts)).toBe(true);
    expect(evaluate({ field: "missing", in: ["x"] }, facts)).toBe(false);
    expect(evaluate({ field: "missing", notIn: ["x"] }, facts)).toBe(true);
    expect(evaluate({ field: "missing", includes: "x" }, facts)).toBe(false);
    expect(evaluate({ field: "missing", answered: false }, facts)).toBe(true);
  });

  it("compares strictly, without type conversion", () => {
    expect(evaluate({ field: "married", equals: true }, facts)).toBe(true);
    expect(evaluate({ field: "married", equals: "true" }, facts)).toBe(false);
    expect(evaluate({ field: "count", equals: "2" }, facts)).toBe(false);
    expect(evaluate({ field: "category", in: ["sc", "bc"] }, facts)).toBe(true);
    expect(evaluate({ field: "tick", includes: "b" }, facts)).toBe(true);
    expect(evaluate({ field: "category", includes: "s" }, facts)).toBe(false);
  });

  it("combines tests with all and any; no condition holds", () => {
    const all: Condition = {
      all: [
        { field: "married", equals: true },
        { field: "count", equals: 3 },
      ],
    };
    const any: Condition = {
      any: [
        { field: "married", equals: true },
        { field: "count", equals: 3 },
      ],
    };
    expect(evaluate(all, facts)).toBe(false);
    expect(evaluate(any, facts)).toBe(true);
    expect(evaluate(undefined, facts)).toBe(true);
    expect(conditionTests(all)).toHaveLength(2);
    expect(testOperator({ field: "x", answered: true })).toBe("answered");
  });
});

describe("conditionToJsonSchema agrees with evaluate (property)", () => {
  const ajv = new Ajv({ strict: true, strictRequired: false });
  const names = ["a", "b", "c"] as const;
  const scalar = fc.oneof(fc.constantFrom("x", "y", "1"), fc.constantFrom(0, 1, 2.5), fc.boolean());
  const test = fc.oneof(
    fc.record({ field: fc.constantFrom(...names), equals: scalar }),
    fc.record({ field: fc.constantFrom(...names), notEquals: scalar }),
    fc.record({
      field: fc.constantFrom(...names),
      in: fc.array(scalar, { minLength: 1, maxLength: 3 }),
    }),
    fc.record({
      field: fc.constantFrom(...names),
      notIn: fc.array(scalar, { minLength: 1, maxLength: 3 }),
    }),
    fc.record({ field: fc.constantFrom(...names), includes: fc.constantFrom("x", "y") }),
    fc.record({ field: fc.constantFrom(...names), answered: fc.boolean() }),
  );
  const condition: fc.Arbitrary<Condition> = fc.oneof(
    test,
    fc.array(test, { minLength: 1, maxLength: 3 }).map((all) => ({ all })),
    fc.array(test, { minLength: 1, maxLength: 3 }).map((any) => ({ any })),
  );
  const value = fc.oneof(scalar, fc.array(fc.constantFrom("x", "y", "z"), { maxLength: 3 }));
  const facts = fc.dictionary(fc.constantFrom(...names), value);

  it("matches exactly the answers for which the condition holds", () => {
    fc.assert(
      fc.property(condition, facts, (c, f) => {
        const schema = conditionToJsonSchema(c);
        expect(ajv.validate(schema, f)).toBe(evaluate(c, f));
      }),
      { numRuns: 1000 },
    );
  });
});
