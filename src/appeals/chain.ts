/**
 * The appeal chain as configuration (ARCHITECTURE.md §7), and its pure rules:
 * who may appeal when, by when an authority must decide, and the penalty.
 *
 * Two profiles ship:
 * - `2018` (default): Punjab Transparency and Accountability in Delivery of
 *   Public Services Act, 2018 — an appeal to the Appellate Authority (s.2, s.3),
 *   then revision before the Punjab Transparency and Accountability Commission (s.12).
 * - `2011`: Punjab Right to Service Act, 2011 — first and second appellate
 *   authorities, the Right to Service Commission above them.
 *
 * Figures: the 2011 Act's defaults are an appeal within 30 days, decisions
 * within 30 and 60 days, and a penalty of ₹250 per day of delay up to ₹5,000.
 * The 2018 profile uses the same figures **until they are verified against the
 * 2018 Act's text** (docs/time-limits.md says so). Periods here are calendar
 * days, counted by the General Clauses Act, 1897, s.9 (the first day excluded,
 * the last day included).
 */
import { Temporal } from "temporal-polyfill";
import type { Permission } from "../identity/authorization.ts";
import type { StaffRole } from "../identity/roles.ts";

/** Names in the portal's three languages. */
export type Names = { en: string; pa: string; hi: string };

/** One level of the chain. */
export type AppealLevel = {
  level: 1 | 2;
  name: Names;
  /** The staff role that hears this level, and the permission it needs. */
  role: StaffRole;
  permission: Permission;
  /** Calendar days to file, counted from the day the cause arose (excluded); the last day is included. */
  filingWindowDays: number;
  /** Calendar days the authority has to decide, from filing. */
  decisionDays: number;
  powers: { orderDelivery: boolean; penalty: boolean; compensation: boolean };
};

/** A chain profile. Money in paise. */
export type AppealChain = {
  id: "2018" | "2011";
  act: string;
  levels: [AppealLevel, AppealLevel];
  penalty: { perDayPaise: number; capPaise: number };
  /** Where the figures come from, and whether they are verified. */
  source: string;
};

const level1 = (name: Names): AppealLevel => ({
  level: 1,
  name,
  role: "first_appellate_authority",
  permission: "appeal.decide.level1",
  filingWindowDays: 30,
  decisionDays: 30,
  powers: { orderDelivery: true, penalty: false, compensation: false },
});
const level2 = (name: Names): AppealLevel => ({
  level: 2,
  name,
  role: "second_appellate_authority",
  permission: "appeal.decide.level2",
  filingWindowDays: 60,
  decisionDays: 60,
  powers: { orderDelivery: true, penalty: true, compensation: true },
});

/** The 2018 Act's chain: Appellate Authority, then revision before the Commission. */
export const CHAIN_2018: AppealChain = {
  id: "2018",
  act: "Punjab Transparency and Accountability in Delivery of Public Service Act, 2018",
  levels: [
    level1({ en: "Appellate Authority", pa: "ਅਪੀਲੀ ਅਥਾਰਟੀ", hi: "अपीलीय प्राधिकारी" }),
    level2({
      en: "Punjab Transparency and Accountability Commission (revision)",
      pa: "ਪੰਜਾਬ ਪਾਰਦਰਸ਼ਤਾ ਅਤੇ ਜਵਾਬਦੇਹੀ ਕਮਿਸ਼ਨ (ਰਿਵੀਜ਼ਨ)",
      hi: "पंजाब पारदर्शिता और जवाबदेही आयोग (पुनरीक्षण)",
    }),
  ],
  penalty: { perDayPaise: 25_000, capPaise: 500_000 },
  source:
    "Act 16 of 2018, ss.2, 3, 12; periods and penalty figures carried over from the 2011 Act, not yet verified against the 2018 text",
};

/** The 2011 Act's chain: first and second appellate authorities. */
export const CHAIN_2011: AppealChain = {
  id: "2011",
  act: "Punjab Right to Service Act, 2011",
  levels: [
    level1({
      en: "First Appellate Authority",
      pa: "ਪਹਿਲੀ ਅਪੀਲੀ ਅਥਾਰਟੀ",
      hi: "प्रथम अपीलीय प्राधिकारी",
    }),
    level2({
      en: "Second Appellate Authority",
      pa: "ਦੂਜੀ ਅਪੀਲੀ ਅਥਾਰਟੀ",
      hi: "द्वितीय अपीलीय प्राधिकारी",
    }),
  ],
  penalty: { perDayPaise: 25_000, capPaise: 500_000 },
  source:
    "Punjab Right to Service Act, 2011: appeal within 30 days; decisions within 30 and 60 days; ₹250 a day up to ₹5,000",
};

/** The chain profile by id (configuration `SEWA_APPEAL_CHAIN`; the default is 2018). */
export function chainById(id: "2018" | "2011"): AppealChain {
  return id === "2011" ? CHAIN_2011 : CHAIN_2018;
}

const addDays = (date: string, days: number) =>
  Temporal.PlainDate.from(date).add({ days }).toString();

/** What an application looks like to the appeal rules. Dates are IST `YYYY-MM-DD`. */
export type AppealFacts = {
  status: string;
  dueDate: string | null;
  /** The IST date of disposal (approval or rejection), if disposed. */
  decidedOn: string | null;
  /** Appeals already filed: level, and for a decided one its IST decision date; `decisionDue` for each. */
  appeals: Array<{ level: number; decidedOn: string | null; decisionDue: string }>;
};

/** Whether a level may be appealed now, and why (or why not). */
export type Eligibility =
  | {
      eligible: true;
      level: 1 | 2;
      cause: "rejected" | "delay" | "level1_decided" | "level1_late";
      causeDate: string;
      lastDay: string;
    }
  | {
      eligible: false;
      reason: "not_yet" | "window_closed" | "already_appealed" | "chain_complete";
    };

/**
 * The next appeal an applicant may file on `today`.
 * Level 1: after a rejection, or once the time limit has passed without delivery
 * (or with late delivery); the window runs from the rejection date or the due date.
 * Level 2: after level 1 is decided, or once its own time limit has passed undecided.
 */
export function nextAppeal(chain: AppealChain, f: AppealFacts, today: string): Eligibility {
  const l1 = f.appeals.find((a) => a.level === 1);
  const l2 = f.appeals.find((a) => a.level === 2);
  if (l2) return { eligible: false, reason: "chain_complete" };
  const open = (
    level: 1 | 2,
    cause: Extract<Eligibility, { eligible: true }>["cause"],
    causeDate: string,
  ): Eligibility => {
    const lastDay = addDays(causeDate, chain.levels[level - 1]?.filingWindowDays ?? 0);
    if (today <= causeDate) return { eligible: false, reason: "not_yet" };
    if (today > lastDay) return { eligible: false, reason: "window_closed" };
    return { eligible: true, level, cause, causeDate, lastDay };
  };
  if (!l1) {
    if (f.status === "rejected" && f.decidedOn) return open(1, "rejected", f.decidedOn);
    if (f.dueDate) {
      const lateDelivery =
        f.status === "approved" && f.decidedOn !== null && f.decidedOn > f.dueDate;
      const stillPending = f.status !== "approved" && f.status !== "rejected";
      if (stillPending || lateDelivery) return open(1, "delay", f.dueDate);
    }
    return { eligible: false, reason: "not_yet" };
  }
  if (l1.decidedOn) return open(2, "level1_decided", l1.decidedOn);
  return open(2, "level1_late", l1.decisionDue);
}

/** The date by which an authority must decide an appeal filed on `filedOn`. */
export function decisionDue(chain: AppealChain, level: 1 | 2, filedOn: string): string {
  return addDays(filedOn, chain.levels[level - 1]?.decisionDays ?? 0);
}

/**
 * Days of delay: calendar days after the due date up to and including the day
 * of delivery, or of the order when not delivered. 0 when on time.
 */
export function daysOfDelay(dueDate: string, until: string): number {
  return Math.max(
    0,
    Temporal.PlainDate.from(dueDate).until(Temporal.PlainDate.from(until), { largestUnit: "days" })
      .days,
  );
}

/** The penalty in paise: per day of delay, capped. Never negative or fractional. */
export function penaltyPaise(chain: AppealChain, days: number): number {
  if (!Number.isInteger(days) || days < 0)
    throw new RangeError(`days of delay must be a non-negative integer, got ${days}`);
  return Math.min(days * chain.penalty.perDayPaise, chain.penalty.capPaise);
}

/** Figures a state may set by configuration (env, see config.ts); unset ones keep the profile's. Money in paise, periods in calendar days. */
export type AppealFigures = {
  penaltyPerDayPaise?: number;
  penaltyCapPaise?: number;
  firstWindowDays?: number;
  firstDecisionDays?: number;
  secondWindowDays?: number;
  secondDecisionDays?: number;
};

/**
 * The chain profile `id` with the configured figures applied (issue 4: the
 * penalty of ₹250 a day capped at ₹5,000 and the 30/60-day windows are
 * defaults, "all configurable").
 */
export function configuredChain(id: "2018" | "2011", f: AppealFigures = {}): AppealChain {
  const base = chainById(id);
  const [one, two] = base.levels;
  return {
    ...base,
    levels: [
      {
        ...one,
        filingWindowDays: f.firstWindowDays ?? one.filingWindowDays,
        decisionDays: f.firstDecisionDays ?? one.decisionDays,
      },
      {
        ...two,
        filingWindowDays: f.secondWindowDays ?? two.filingWindowDays,
        decisionDays: f.secondDecisionDays ?? two.decisionDays,
      },
    ],
    penalty: {
      perDayPaise: f.penaltyPerDayPaise ?? base.penalty.perDayPaise,
      capPaise: f.penaltyCapPaise ?? base.penalty.capPaise,
    },
  };
}
