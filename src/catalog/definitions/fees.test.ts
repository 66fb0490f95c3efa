import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { computeFee, formatRupees, MAX_SLAB_QUANTITY } from "./fees.ts";
import { text } from "./test-fixtures.ts";
import type { FeeRule, Fees } from "./types.ts";

const label = text("Fee");

describe("computeFee", () => {
  it("charges a fixed amount and a per-copy amount", () => {
    const fees: Fees = {
      rules: [
        { kind: "fixed", id: "application", label, amountPaise: 1000 },
        { kind: "per_copy", id: "perCopy", label, amountPaise: 7500 },
      ],
    };
    expect(computeFee(fees, {}).paise).toBe(8500); // ₹10 + 1 copy × ₹75
    const three = computeFee(fees, { copies: 3 });
    expect(three.paise).toBe(23500); // ₹10 + 3 × ₹75
    expect(three.lines.map((l) => [l.rule, l.quantity, l.paise])).toEqual([
      ["application", 1, 1000],
      ["perCopy", 3, 22500],
    ]);
  });

  it("applies a rule only when its condition holds (doorstep visit fee)", () => {
    const fees: Fees = {
      rules: [
        {
          kind: "fixed",
          id: "visit",
          label,
          amountPaise: 12000,
          when: { field: "channel", equals: "doorstep" },
        },
      ],
    };
    expect(computeFee(fees, { channel: "online" })).toEqual({ paise: 0, lines: [] });
    expect(computeFee(fees, { channel: "doorstep" }).paise).toBe(12000);
  });

  it("exempts SC/BC applicants and BPL families from the rules named", () => {
    const fees: Fees = {
      rules: [
        { kind: "per_copy", id: "perCopy", label, amountPaise: 5000 },
        { kind: "fixed", id: "visit", label, amountPaise: 12000 },
      ],
      exemptions: [
        { id: "scBc", label, when: { field: "category", in: ["sc", "bc"] } },
        { id: "bpl", label, when: { field: "bpl", equals: true }, rules: ["perCopy"] },
      ],
    };
    const sc = computeFee(fees, { category: "sc", copies: 2 });
    expect(sc.paise).toBe(0);
    expect(sc.lines.map((l) => [l.exemption, l.grossPaise])).toEqual([
      ["scBc", 10000],
      ["scBc", 12000],
    ]);
    const bpl = computeFee(fees, { category: "general", bpl: true, copies: 2 });
    expect(bpl.paise).toBe(12000); // the visit is not waived for BPL
    expect(computeFee(fees, { category: "general", copies: 2 }).paise).toBe(22000);
  });

  it("reads flat slabs: the slab the number falls in (RTS copies of records: <5, 6-14, >15 pages)", () => {
    const fees: Fees = {
      rules: [
        {
          kind: "slab",
          id: "pages",
          label,
          fact: "pages",
          mode: "flat",
          slabs: [
            { upTo: 5, amountPaise: 2000 },
            { upTo: 14, amountPaise: 5000 },
            { amountPaise: 10000 },
          ],
        },
      ],
    };
    expect(computeFee(fees, { pages: 0 }).paise).toBe(2000);
    expect(computeFee(fees, { pages: 5 }).paise).toBe(2000);
    expect(computeFee(fees, { pages: 6 }).paise).toBe(5000);
    expect(computeFee(fees, { pages: 14 }).paise).toBe(5000);
    expect(computeFee(fees, { pages: 15 }).paise).toBe(10000);
  });

  it("reads per-unit slabs like a tariff", () => {
    const fees: Fees = {
      rules: [
        {
          kind: "slab",
          id: "units",
          label,
          fact: "units",
          mode: "per_unit",
          slabs: [
            { upTo: 5, amountPaise: 200 },
            { upTo: 10, amountPaise: 150 },
            { amountPaise: 100 },
          ],
        },
      ],
    };
    expect(computeFee(fees, { units: 0 }).paise).toBe(0);
    expect(computeFee(fees, { units: 3 }).paise).toBe(600); // 3×2
    expect(computeFee(fees, { units: 7 }).paise).toBe(1300); // 5×2 + 2×1.50
    expect(computeFee(fees, { units: 12 }).paise).toBe(1950); // 5×2 + 5×1.50 + 2×1
  });

  it("refuses bad copies and slab numbers instead of guessing", () => {
    const perCopy: Fees = {
      rules: [{ kind: "per_copy", id: "c", label, amountPaise: 100, maxCopies: 3 }],
    };
    for (const copies of [0, -1, 1.5, 4, Number.NaN, "2"]) {
      expect(() => computeFee(perCopy, { copies })).toThrow(RangeError);
    }
    const slab: Fees = {
      rules: [
        {
          kind: "slab",
          id: "s",
          label,
          fact: "n",
          mode: "flat",
          slabs: [{ upTo: 2, amountPaise: 1 }],
        },
      ],
    };
    expect(() => computeFee(slab, {})).toThrow(RangeError);
    expect(() => computeFee(slab, { n: 3 })).toThrow(/above the last slab/);
    expect(() => computeFee(slab, { n: MAX_SLAB_QUANTITY + 1 })).toThrow(RangeError);
  });

  it("is free with no rules", () => {
    expect(computeFee({ rules: [] }, { copies: 5 })).toEqual({ paise: 0, lines: [] });
  });
});

describe("computeFee property: never negative, never fractional paise", () => {
  const amount = fc.integer({ min: 0, max: 1_000_000_000 });
  const when = fc.option(
    fc.oneof(
      fc.constant({ field: "channel", equals: "doorstep" as const }),
      fc.constant({ field: "bpl", equals: true }),
    ),
    { nil: undefined },
  );
  const rule: fc.Arbitrary<FeeRule> = fc
    .oneof(
      fc.record({ kind: fc.constant("fixed" as const), amountPaise: amount, when }),
      fc.record({
        kind: fc.constant("per_copy" as const),
        amountPaise: amount,
        maxCopies: fc.integer({ min: 1, max: 1000 }),
        when,
      }),
      fc
        .record({
          mode: fc.constantFrom("flat" as const, "per_unit" as const),
          bounds: fc.uniqueArray(fc.integer({ min: 0, max: 1_000_000 }), { maxLength: 4 }),
          amounts: fc.array(amount, { minLength: 5, maxLength: 5 }),
          when,
        })
        .map(({ mode, bounds, amounts, when }) => ({
          kind: "slab" as const,
          fact: "n",
          mode,
          when,
          slabs: [
            ...[...bounds]
              .sort((a, b) => a - b)
              .map((upTo, i) => ({ upTo, amountPaise: amounts[i] as number })),
            { amountPaise: amounts[4] as number },
          ],
        })),
    )
    .map((r) => {
      const { when: w, ...rest } = r as FeeRule & { when?: FeeRule["when"] };
      return (w === undefined ? rest : { ...rest, when: w }) as FeeRule;
    });

  const fees: fc.Arbitrary<Fees> = fc
    .record({ rules: fc.array(rule, { maxLength: 4 }), exempt: fc.boolean() })
    .map(({ rules, exempt }) => ({
      rules: rules.map((r, i) => ({ ...r, id: `r${i}`, label })),
      ...(exempt
        ? { exemptions: [{ id: "bpl", label, when: { field: "bpl", equals: true } }] }
        : {}),
    }));

  const facts = fc.record({
    copies: fc.oneof(fc.integer({ min: -2, max: 1200 }), fc.double(), fc.constant(undefined)),
    n: fc.oneof(fc.integer({ min: -5, max: 2_000_000 }), fc.double({ min: 0, max: 10 })),
    channel: fc.constantFrom("online", "sewaKendra", "doorstep"),
    bpl: fc.boolean(),
  });

  it("returns a safe integer ≥ 0 equal to the sum of its lines, or throws RangeError", () => {
    fc.assert(
      fc.property(fees, facts, (f, x) => {
        let result: ReturnType<typeof computeFee>;
        try {
          result = computeFee(f, x);
        } catch (e) {
          expect(e).toBeInstanceOf(RangeError);
          return;
        }
        expect(Number.isSafeInteger(result.paise)).toBe(true);
        expect(result.paise).toBeGreaterThanOrEqual(0);
        expect(result.paise).toBe(result.lines.reduce((s, l) => s + l.paise, 0));
        for (const line of result.lines) {
          expect(Number.isSafeInteger(line.paise) && line.paise >= 0).toBe(true);
          expect(Number.isSafeInteger(line.grossPaise) && line.grossPaise >= 0).toBe(true);
          expect(line.paise).toBe(line.exemption ? 0 : line.grossPaise);
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe("formatRupees", () => {
  it("shows whole rupees without paise and paise with two digits, Indian grouping", () => {
    expect(formatRupees(0)).toBe("₹0");
    expect(formatRupees(7500)).toBe("₹75");
    expect(formatRupees(7550)).toBe("₹75.50");
    expect(formatRupees(10)).toBe("₹0.10");
    expect(formatRupees(12_500_000)).toBe("₹1,25,000");
    expect(formatRupees(100_000_000_01)).toBe("₹10,00,00,000.01");
  });

  it("refuses negative or fractional paise", () => {
    expect(() => formatRupees(-1)).toThrow(RangeError);
    expect(() => formatRupees(1.5)).toThrow(RangeError);
  });
});
