/**
 * Conditions (`when`): the one small language that decides whether a page or
 * question is shown, a document is needed, or a fee or exemption applies.
 *
 * A condition is a test `{ field, <operator>: value }`, or `{ all: [tests] }`
 * or `{ any: [tests] }`. Operators:
 * - `equals: v` / `notEquals: v`: the answer is (is not) exactly `v`;
 * - `in: [..]` / `notIn: [..]`: the answer is (is not) one of the values;
 * - `includes: v`: a checkboxes answer has option `v` ticked;
 * - `answered: true|false`: there is (is not) an answer.
 *
 * An absent answer (not given, or its question hidden) makes `equals`, `in`
 * and `includes` false, and `notEquals` and `notIn` true. Comparison is
 * strict JSON equality (`true` is not `"true"`, `1` is not `"1"`).
 *
 * The same semantics exist twice, and tests hold them equal: {@link evaluate}
 * (plain JS, for pruning hidden answers and for fees) and
 * {@link conditionToJsonSchema} (for the compiled form schema).
 */
import type { ConditionTest } from "./schema.ts";
import type { Condition } from "./types.ts";

type Scalar = string | number | boolean;

/** The operator of a test (the key other than `field`). */
export function testOperator(test: ConditionTest): keyof Omit<ConditionTest, "field"> {
  for (const key of Object.keys(test)) {
    if (key !== "field") return key as keyof Omit<ConditionTest, "field">;
  }
  throw new TypeError(`condition test on ${JSON.stringify(test.field)} has no operator`);
}

/** The tests of a condition, flattened (one for a test; the list for `all`/`any`). */
export function conditionTests(condition: Condition): ConditionTest[] {
  if ("all" in condition) return condition.all;
  if ("any" in condition) return condition.any;
  return [condition];
}

const isPresent = (facts: Record<string, unknown>, key: string): boolean =>
  Object.hasOwn(facts, key) && facts[key] !== undefined;

function evaluateTest(test: ConditionTest, facts: Record<string, unknown>): boolean {
  const present = isPresent(facts, test.field);
  const value = present ? facts[test.field] : undefined;
  if (test.equals !== undefined) return present && value === test.equals;
  if (test.notEquals !== undefined) return !(present && value === test.notEquals);
  if (test.in !== undefined) return present && (test.in as Scalar[]).includes(value as Scalar);
  if (test.notIn !== undefined)
    return !(present && (test.notIn as Scalar[]).includes(value as Scalar));
  if (test.includes !== undefined) {
    return present && Array.isArray(value) && value.includes(test.includes);
  }
  if (test.answered !== undefined) return present === test.answered;
  throw new TypeError(`condition test on ${JSON.stringify(test.field)} has no operator`);
}

/**
 * Whether `condition` holds for `facts` (answers by field id, and for fees the
 * facts `copies` and `channel`). An undefined condition holds. Pure; never
 * throws for a condition that matches the schema.
 */
export function evaluate(
  condition: Condition | undefined,
  facts: Record<string, unknown>,
): boolean {
  if (condition === undefined) return true;
  if ("all" in condition) return condition.all.every((t) => evaluateTest(t, facts));
  if ("any" in condition) return condition.any.some((t) => evaluateTest(t, facts));
  return evaluateTest(condition, facts);
}

/* ------------------------------------------------------------ JSON Schema */

type JsonSchema = Record<string, unknown>;

function testSchema(test: ConditionTest): JsonSchema {
  const has = (value: JsonSchema): JsonSchema => ({
    type: "object",
    required: [test.field],
    properties: { [test.field]: value },
  });
  if (test.equals !== undefined) return has({ const: test.equals });
  if (test.notEquals !== undefined) return { not: has({ const: test.notEquals }) };
  // JSON Schema forbids repeats in enum; the definition schema does too, but be safe.
  if (test.in !== undefined) return has({ enum: [...new Set(test.in)] });
  if (test.notIn !== undefined) return { not: has({ enum: [...new Set(test.notIn)] }) };
  if (test.includes !== undefined) {
    return has({ type: "array", contains: { const: test.includes } });
  }
  if (test.answered !== undefined) {
    const answered = { type: "object", required: [test.field] };
    return test.answered ? answered : { not: answered };
  }
  throw new TypeError(`condition test on ${JSON.stringify(test.field)} has no operator`);
}

/**
 * The JSON Schema (draft-07) that an object of answers matches exactly when
 * {@link evaluate} says the condition holds, for use as an `if`. An undefined
 * condition gives `true` (the schema that matches everything).
 */
export function conditionToJsonSchema(condition: Condition | undefined): JsonSchema | true {
  if (condition === undefined) return true;
  if ("all" in condition) return { allOf: condition.all.map(testSchema) };
  if ("any" in condition) return { anyOf: condition.any.map(testSchema) };
  return testSchema(condition);
}
