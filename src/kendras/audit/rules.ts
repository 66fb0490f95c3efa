/**
 * Pure rules of the Sewa Kendra performance and impact audit (issue 9): the
 * period and scope a report covers, the scheduled open days of a centre, and
 * the outlier rules (docs/kendra-audit.md). No database, no HTTP.
 *
 * @module
 */

/** A report period: IST calendar dates `YYYY-MM-DD`, both inclusive. */
export type AuditPeriod = { from: string; to: string };

/**
 * What a report covers: the whole state, one district (LGD code) or one Sewa
 * Kendra (its state code).
 */
export type AuditScope =
  | { level: "state" }
  | { level: "district"; districtCode: number }
  | { level: "kendra"; kendraCode: string };

/** The longest period a report may cover, in calendar days (two years and a day). */
export const MAX_PERIOD_DAYS = 731;

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Days since 1970-01-01 of a valid `YYYY-MM-DD`, or undefined for anything else (2026-02-30 included). */
export function epochDay(date: string): number | undefined {
  const m = DATE.exec(date);
  if (!m) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const ms = Date.UTC(y, mo - 1, d);
  const back = new Date(ms);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d)
    return undefined;
  return ms / 86_400_000;
}

/** The `YYYY-MM-DD` of a day number since 1970-01-01. */
export function dateOfDay(day: number): string {
  return new Date(day * 86_400_000).toISOString().slice(0, 10);
}

/** ISO weekday (1 = Monday … 7 = Sunday) of a day number since 1970-01-01 (a Thursday). */
export function isoWeekday(day: number): number {
  return ((((day + 3) % 7) + 7) % 7) + 1;
}

/**
 * The default period: the last full calendar month before `today` (IST
 * `YYYY-MM-DD`), e.g. 2026-11-27 → 2026-10-01 … 2026-10-31.
 */
export function lastFullMonth(today: string): AuditPeriod {
  const [y, m] = today.split("-").map(Number);
  const first = new Date(Date.UTC(y, m - 2, 1));
  const last = new Date(Date.UTC(y, m - 1, 0));
  return { from: first.toISOString().slice(0, 10), to: last.toISOString().slice(0, 10) };
}

/** A problem with a period field, for the error summary (`field` is `from` or `to`). */
export type PeriodProblem = {
  field: "from" | "to";
  code: "invalid" | "order" | "too_long" | "future";
};

/**
 * Reads a period from query parameters `from` and `to` (`YYYY-MM-DD`, IST).
 * Both absent (or empty): the last full month before `today`, no problem.
 * Otherwise each must be a real date; `from` ≤ `to`; `from` not after
 * `today`; at most {@link MAX_PERIOD_DAYS} days. On any problem the default
 * period is returned with the problems, so the page can show the error
 * summary and still keep what was typed.
 */
export function parseAuditPeriod(
  from: unknown,
  to: unknown,
  today: string,
): { period: AuditPeriod; problems: PeriodProblem[] } {
  const text = (v: unknown) => (typeof v === "string" ? v.trim() : "");
  const f = text(from);
  const t = text(to);
  const fallback = lastFullMonth(today);
  if (f === "" && t === "") return { period: fallback, problems: [] };
  const problems: PeriodProblem[] = [];
  const fd = epochDay(f);
  const td = epochDay(t);
  if (fd === undefined) problems.push({ field: "from", code: "invalid" });
  if (td === undefined) problems.push({ field: "to", code: "invalid" });
  if (fd !== undefined && td !== undefined) {
    if (fd > td) problems.push({ field: "from", code: "order" });
    else if (td - fd + 1 > MAX_PERIOD_DAYS) problems.push({ field: "to", code: "too_long" });
    else if (fd > (epochDay(today) as number)) problems.push({ field: "from", code: "future" });
  }
  return problems.length > 0
    ? { period: fallback, problems }
    : { period: { from: f, to: t }, problems };
}

/**
 * Reads a scope from the `scope` query parameter: `state`,
 * `district:<LGD code>` or `kendra:<centre code>` (letters, digits, `-`, `_`,
 * `/`, up to 40). Anything else, or absent, gives undefined (the caller picks
 * the user's default scope).
 */
export function parseScope(value: unknown): AuditScope | undefined {
  if (typeof value !== "string") return undefined;
  const v = value.trim();
  if (v === "state") return { level: "state" };
  const d = /^district:(\d{1,6})$/.exec(v);
  if (d) return { level: "district", districtCode: Number(d[1]) };
  const k = /^kendra:([A-Za-z0-9_/-]{1,40})$/.exec(v);
  if (k) return { level: "kendra", kendraCode: k[1] };
  return undefined;
}

/** The query-string form of a scope (the inverse of {@link parseScope}). */
export function scopeParam(scope: AuditScope): string {
  if (scope.level === "state") return "state";
  if (scope.level === "district") return `district:${scope.districtCode}`;
  return `kendra:${scope.kendraCode}`;
}

/**
 * The days of `period` a centre is scheduled to open: every calendar day
 * except its weekly off (ISO weekday, null = open every day). Gazetted
 * holidays are not taken out: the registry does not say which centres close
 * on them (docs/kendra-audit.md, limitations).
 */
export function openDays(period: AuditPeriod, weeklyOff: number | null): number {
  const from = epochDay(period.from) as number;
  const to = epochDay(period.to) as number;
  let n = 0;
  for (let d = from; d <= to; d++) if (weeklyOff === null || isoWeekday(d) !== weeklyOff) n++;
  return n;
}

/** Minutes between two wall-clock times `HH:MM` (closing before opening gives 0). */
export function openMinutes(opensAt: string, closesAt: string): number {
  const m = (s: string) => {
    const [h, mi] = s.split(":").map(Number);
    return h * 60 + mi;
  };
  return Math.max(0, m(closesAt) - m(opensAt));
}

/** The median of the numbers (the mean of the two middle ones when even); null for none. */
export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** part ÷ whole × 100 to 1 decimal; null when whole is 0. */
export function percent(part: number, whole: number): number | null {
  if (whole <= 0) return null;
  return Math.round((part * 1000) / whole) / 10;
}

/** A low-footfall centre is below this share of its peers' median footfall per counter per open day. */
export const LOW_FOOTFALL_SHARE = 0.25;
/** A rate is unusual above this multiple of the state's rate. */
export const UNUSUAL_RATE_MULTIPLE = 2;
/** Fewest decisions (rejection rule) or applications filed (send-back rule) for a centre's rate to be judged. */
export const MIN_DECISIONS = 20;
/** Cash closes with a difference, in the period, from which a centre's mismatches are "repeated". */
export const REPEATED_MISMATCHES = 3;

/** The outlier flags of a centre. */
export type OutlierFlag =
  | "lowFootfall"
  | "unusualRejection"
  | "unusualSendBack"
  | "repeatedMismatch";

/** What the outlier rules read of a centre. */
export type OutlierInput = {
  /** Footfall ÷ (counters × scheduled open days); null when it has no counter or open day. */
  footfallPerCounterDay: number | null;
  disposed: number;
  rejected: number;
  filed: number;
  sentBack: number;
  mismatches: number;
};

/**
 * The outlier rules (docs/kendra-audit.md "Outliers"):
 * - `lowFootfall` (candidate for merger): footfall per counter per open day
 *   below 25 % of the median of its peers' (the centres compared, itself
 *   included; null values left out of the median and never flagged);
 * - `unusualRejection`: at least 20 decisions and a rejection rate above
 *   2 × the state's rate over the same period;
 * - `unusualSendBack` (possible redundant document demands): at least 20
 *   applications filed and a send-back rate above 2 × the state's;
 * - `repeatedMismatch`: 3 or more cash closes with a difference.
 * A state rate of 0 flags any centre with a rate above 0 (and enough cases).
 */
export function outlierFlags(
  centre: OutlierInput,
  peerMedian: number | null,
  state: { rejectionRate: number; sendBackRate: number },
): OutlierFlag[] {
  const flags: OutlierFlag[] = [];
  if (
    centre.footfallPerCounterDay !== null &&
    peerMedian !== null &&
    centre.footfallPerCounterDay < LOW_FOOTFALL_SHARE * peerMedian
  )
    flags.push("lowFootfall");
  if (
    centre.disposed >= MIN_DECISIONS &&
    centre.rejected / centre.disposed > UNUSUAL_RATE_MULTIPLE * state.rejectionRate
  )
    flags.push("unusualRejection");
  if (
    centre.filed >= MIN_DECISIONS &&
    centre.sentBack / centre.filed > UNUSUAL_RATE_MULTIPLE * state.sendBackRate
  )
    flags.push("unusualSendBack");
  if (centre.mismatches >= REPEATED_MISMATCHES) flags.push("repeatedMismatch");
  return flags;
}
