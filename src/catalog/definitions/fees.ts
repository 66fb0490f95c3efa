/**
 * Fees of a service definition: one pure function, {@link computeFee}, that
 * turns the `fees` section and the facts of an application into the amount
 * due, line by line.
 *
 * Money is integer **paise** everywhere (100 paise = ₹1); rupees appear only
 * when shown ({@link formatRupees}). Every amount is a safe non-negative
 * integer, so no rounding ever happens (issue 3: "never returns a negative or
 * fractional-paise amount"; property-tested).
 *
 * Facts: the application's answers by field id, plus the reserved fact
 * `channel` (`online`, `sewaKendra` or `doorstep`), so no field may be called
 * `channel` (lint). The number of copies is the answer to the form's number
 * question `copies` (a whole number ≥ 1; 1 when the form does not ask).
 *
 * Rule kinds (in the order they are listed, each applying only when its
 * `when` holds):
 * - `fixed`: the amount once;
 * - `per_copy`: the amount × `copies` (at most `maxCopies`, default 10);
 * - `slab`, read on a whole-number answer (a top-level number question):
 *   `flat` charges the amount of the first slab whose `upTo` (inclusive) is
 *   ≥ the number; `per_unit` charges each unit at its own slab's amount, as a
 *   tariff does (e.g. slabs upTo 5 at ₹2 and open at ₹1: 7 units cost
 *   5×2 + 2×1 = ₹12).
 * Exemptions (e.g. SC/BC applicants, BPL families) waive some or all rules
 * when their `when` holds; the first exemption that applies to a rule is
 * recorded on its line.
 */
import { evaluate } from "./conditions.ts";
import type { FeeRule, Fees, LocalisedText } from "./types.ts";

/** Facts that are not answers: reserved names, not usable as field ids. */
export const RESERVED_FACTS = ["channel"] as const;

/** The number question whose answer is the number of copies (lint: a whole number ≥ 1). */
export const COPIES_FIELD = "copies";

/** Default `maxCopies` of a per-copy rule. */
export const DEFAULT_MAX_COPIES = 10;

/** Largest number a slab rule accepts (the schema's largest `upTo`), so every product stays a safe integer. */
export const MAX_SLAB_QUANTITY = 1_000_000;

/** Facts of an application: answers by field id (including `copies`), plus `channel`. */
export type FeeFacts = Readonly<Record<string, unknown>>;

/** One line of the fee: the rule, what it would cost, what is due after any exemption. */
export type FeeLine = {
  /** Id of the fee rule. */
  rule: string;
  label: LocalisedText;
  /** Copies for `per_copy`, the number read for `slab`, 1 for `fixed`. */
  quantity: number;
  /** Amount before exemption, paise. */
  grossPaise: number;
  /** Amount due, paise (0 when exempted). */
  paise: number;
  /** Id of the exemption that waived this line. */
  exemption?: string;
};

/** The fee due: total paise and the lines it is made of (rules that apply, in order). */
export type FeeResult = { paise: number; lines: FeeLine[] };

function wholeNumber(value: unknown, name: string, min: number, max: number): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new RangeError(`fee fact ${name} must be a whole number from ${min} to ${max}`);
  }
  return value;
}

function slabAmount(
  rule: Extract<FeeRule, { kind: "slab" }>,
  facts: FeeFacts,
): { quantity: number; paise: number } {
  const raw = rule.fact === COPIES_FIELD ? (facts.copies ?? 1) : facts[rule.fact];
  const quantity = wholeNumber(raw, rule.fact, 0, MAX_SLAB_QUANTITY);
  if (rule.mode === "flat") {
    const slab = rule.slabs.find((s) => s.upTo === undefined || quantity <= s.upTo);
    if (slab === undefined) {
      throw new RangeError(`fee rule ${rule.id}: ${quantity} is above the last slab`);
    }
    return { quantity, paise: slab.amountPaise };
  }
  let paise = 0;
  let lower = 0;
  for (const slab of rule.slabs) {
    const upper = slab.upTo === undefined ? quantity : Math.min(quantity, slab.upTo);
    if (upper > lower) paise += (upper - lower) * slab.amountPaise;
    if (slab.upTo === undefined || quantity <= slab.upTo) return { quantity, paise };
    lower = Math.max(lower, slab.upTo);
  }
  throw new RangeError(`fee rule ${rule.id}: ${quantity} is above the last slab`);
}

/**
 * The fee due for an application.
 *
 * @param fees the definition's `fees` section (lint-clean: slabs in
 *   increasing `upTo` order, the last one open).
 * @param facts answers by field id (`copies` defaults to 1) plus `channel`.
 * @returns total paise and lines; the total is the sum of the lines' `paise`
 *   and is always a safe integer ≥ 0. No rules, or none applying: 0.
 * @throws RangeError when `copies` is not a whole number from 1 to the
 *   rule's `maxCopies`, when a slab rule's number is missing, not a whole
 *   number, above {@link MAX_SLAB_QUANTITY} or above a closed last slab, or
 *   when the total would not be a safe integer. It never returns a wrong
 *   amount instead.
 */
export function computeFee(fees: Fees, facts: FeeFacts): FeeResult {
  const lines: FeeLine[] = [];
  for (const rule of fees.rules) {
    if (!evaluate(rule.when, facts)) continue;
    let quantity: number;
    let gross: number;
    switch (rule.kind) {
      case "fixed":
        quantity = 1;
        gross = rule.amountPaise;
        break;
      case "per_copy":
        quantity = wholeNumber(
          facts.copies ?? 1,
          "copies",
          1,
          rule.maxCopies ?? DEFAULT_MAX_COPIES,
        );
        gross = rule.amountPaise * quantity;
        break;
      case "slab":
        ({ quantity, paise: gross } = slabAmount(rule, facts));
        break;
    }
    const exemption = (fees.exemptions ?? []).find(
      (e) => (e.rules === undefined || e.rules.includes(rule.id)) && evaluate(e.when, facts),
    );
    const line: FeeLine = {
      rule: rule.id,
      label: rule.label,
      quantity,
      grossPaise: gross,
      paise: exemption ? 0 : gross,
    };
    if (exemption) line.exemption = exemption.id;
    lines.push(line);
  }
  const paise = lines.reduce((sum, l) => sum + l.paise, 0);
  if (!Number.isSafeInteger(paise) || paise < 0) {
    throw new RangeError("fee total is out of range");
  }
  return { paise, lines };
}

const RUPEES = new Intl.NumberFormat("en-IN", { maximumFractionDigits: 0 });

/**
 * Paise shown as rupees, the way GOV.UK shows money: `₹75` for whole rupees,
 * `₹75.50` otherwise, with Indian digit grouping (`₹1,25,000`; ARCHITECTURE.md
 * §2: `Intl` with `en-IN` grouping). Pure integer arithmetic, so ₹0.10 is
 * never shown as ₹0.1. Throws a RangeError for anything but a safe integer
 * ≥ 0.
 */
export function formatRupees(paise: number): string {
  if (!Number.isSafeInteger(paise) || paise < 0) {
    throw new RangeError("formatRupees: paise must be a safe integer >= 0");
  }
  const rupees = Math.floor(paise / 100);
  const rest = paise % 100;
  const whole = `₹${RUPEES.format(rupees)}`;
  return rest === 0 ? whole : `${whole}.${String(rest).padStart(2, "0")}`;
}
