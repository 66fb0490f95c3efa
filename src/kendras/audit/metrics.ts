/**
 * The metrics of the Sewa Kendra performance and impact audit (issue 9): one
 * SQL query per family of metrics, over a period [from, to] of IST calendar
 * dates and a scope (a centre, a district by LGD code, or the state), grouped
 * per centre, per district or for the scope as a whole. docs/kendra-audit.md
 * gives every formula; {@link METRICS} is the list the page, the PDF and the
 * XLSX print, and their "How each metric is computed" section is generated
 * from it (names and formulas in the locale catalogs, `kaudit.metric.<key>`
 * and `kaudit.def.<key>`; source tables here).
 *
 * Which rows count (all IST):
 * - tokens: `service_date` in the period; footfall = tokens with `issued_at`
 *   (a booked token that never checked in is not footfall);
 * - applications filed at a centre: `channel = 'kendra'`, `kendra_code` of
 *   the centre, IST date of `received_at` in the period;
 * - cash closes: `business_date` in the period (any status);
 * - feedback: IST date of `sent_at` in the period;
 * - outputs handed over at a counter: IST date of `handed_over_at` in the period;
 * - doorstep visits: `visit_date` in the period; doorstep applications:
 *   `channel = 'doorstep'`, IST date of `received_at` in the period.
 *
 * Only active centres (`kendras.active = 1`) make up a district or the state;
 * a centre chosen by code is reported whether active or not.
 *
 * @module
 */
import { type SQL, sql } from "drizzle-orm";
import { type Queryable, rows } from "../../db/client.ts";
import { startOfIstDay } from "../../sla/clock.ts";
import {
  type AuditPeriod,
  type AuditScope,
  dateOfDay,
  epochDay,
  openDays,
  openMinutes,
  percent,
  REPEATED_MISMATCHES,
} from "./rules.ts";

/** The unit a metric is shown in. */
export type Unit = "count" | "minutes" | "percent" | "paise" | "score" | "ratio";

/** The figures of one centre, one district or the whole scope. Null: not defined (nothing to divide by, or not configured). */
export type Figures = {
  footfall: number;
  walkIn: number;
  booked: number;
  noShow: number;
  called: number;
  waitMedianMinutes: number | null;
  waitP90Minutes: number | null;
  withinTarget: number;
  withinTargetPercent: number | null;
  filed: number;
  disposed: number;
  disposedWithin: number;
  disposedWithinPercent: number | null;
  rejected: number;
  rejectionPercent: number | null;
  sentBack: number;
  sendBackPercent: number | null;
  closes: number;
  mismatches: number;
  absDifferencePaise: number;
  netDifferencePaise: number;
  repeatedMismatchCentres: number;
  feedbackSent: number;
  responses: number;
  meanScore: number | null;
  counters: number;
  /** Σ counters × scheduled open days of the centres. */
  counterDays: number;
  footfallPerCounterDay: number | null;
  busyMinutes: number;
  capacityMinutes: number;
  utilisationPercent: number | null;
  handedOver: number;
  transactions: number;
  operatorPaymentPaise: number | null;
  costPerApplicationPaise: number | null;
  costPerCitizenPaise: number | null;
};

/** Doorstep delivery in the scope's area (the state, the district, or the centre's tehsil). */
export type DoorstepFigures = {
  visits: number;
  completed: number;
  cancelled: number;
  open: number;
  rescheduled: number;
  doorstepFiled: number;
  doorstepDisposed: number;
  doorstepWithin: number;
  doorstepOnTimePercent: number | null;
};

/** A metric as documented: its key, unit and the tables it reads. */
export type MetricDefinition = {
  key: keyof Figures | keyof DoorstepFigures;
  unit: Unit;
  sources: readonly string[];
};

const T = ["tokens", "kendras"] as const;
const A = ["applications", "kendras"] as const;
const AE = ["applications", "application_events", "kendras"] as const;
const C = ["cash_closes", "kendras"] as const;
const F = ["feedback", "kendras"] as const;
const K = ["kendras"] as const;
const H = [
  "applications",
  "handovers",
  "kendras",
  "SEWA_KENDRA_PAYMENT_PER_TRANSACTION_PAISE",
] as const;
const D = ["doorstep_visits", "kendras"] as const;

/** Every per-centre metric, in display order, grouped as the page shows them. */
export const METRIC_GROUPS: ReadonlyArray<{ group: string; metrics: readonly MetricDefinition[] }> =
  [
    {
      group: "footfall",
      metrics: [
        { key: "footfall", unit: "count", sources: T },
        { key: "walkIn", unit: "count", sources: T },
        { key: "booked", unit: "count", sources: T },
        { key: "noShow", unit: "count", sources: T },
        { key: "footfallPerCounterDay", unit: "ratio", sources: T },
      ],
    },
    {
      group: "waiting",
      metrics: [
        { key: "called", unit: "count", sources: T },
        { key: "waitMedianMinutes", unit: "minutes", sources: T },
        { key: "waitP90Minutes", unit: "minutes", sources: T },
        { key: "withinTarget", unit: "count", sources: T },
        { key: "withinTargetPercent", unit: "percent", sources: T },
      ],
    },
    {
      group: "applications",
      metrics: [
        { key: "filed", unit: "count", sources: A },
        { key: "disposed", unit: "count", sources: A },
        { key: "disposedWithin", unit: "count", sources: A },
        { key: "disposedWithinPercent", unit: "percent", sources: A },
        { key: "rejected", unit: "count", sources: A },
        { key: "rejectionPercent", unit: "percent", sources: A },
        { key: "sentBack", unit: "count", sources: AE },
        { key: "sendBackPercent", unit: "percent", sources: AE },
      ],
    },
    {
      group: "cash",
      metrics: [
        { key: "closes", unit: "count", sources: C },
        { key: "mismatches", unit: "count", sources: C },
        { key: "absDifferencePaise", unit: "paise", sources: C },
        { key: "netDifferencePaise", unit: "paise", sources: C },
        { key: "repeatedMismatchCentres", unit: "count", sources: C },
      ],
    },
    {
      group: "feedback",
      metrics: [
        { key: "feedbackSent", unit: "count", sources: F },
        { key: "responses", unit: "count", sources: F },
        { key: "meanScore", unit: "score", sources: F },
      ],
    },
    {
      group: "utilisation",
      metrics: [
        { key: "counters", unit: "count", sources: K },
        { key: "counterDays", unit: "count", sources: K },
        { key: "busyMinutes", unit: "count", sources: T },
        { key: "capacityMinutes", unit: "count", sources: K },
        { key: "utilisationPercent", unit: "percent", sources: T },
      ],
    },
    {
      group: "cost",
      metrics: [
        { key: "handedOver", unit: "count", sources: H },
        { key: "transactions", unit: "count", sources: H },
        { key: "operatorPaymentPaise", unit: "paise", sources: H },
        { key: "costPerApplicationPaise", unit: "paise", sources: H },
        { key: "costPerCitizenPaise", unit: "paise", sources: H },
      ],
    },
  ];

/** The doorstep metrics (for the scope as a whole). */
export const DOORSTEP_METRICS: readonly MetricDefinition[] = [
  { key: "visits", unit: "count", sources: D },
  { key: "completed", unit: "count", sources: D },
  { key: "cancelled", unit: "count", sources: D },
  { key: "open", unit: "count", sources: D },
  { key: "rescheduled", unit: "count", sources: ["doorstep_visit_events", ...D] },
  { key: "doorstepFiled", unit: "count", sources: A },
  { key: "doorstepDisposed", unit: "count", sources: A },
  { key: "doorstepWithin", unit: "count", sources: A },
  { key: "doorstepOnTimePercent", unit: "percent", sources: A },
];

/** Every metric, per-centre ones first, then doorstep. */
export const METRICS: readonly MetricDefinition[] = [
  ...METRIC_GROUPS.flatMap((g) => g.metrics),
  ...DOORSTEP_METRICS,
];

/** What every query needs: the scope, the period, and the settings. */
export type MetricQuery = {
  scope: AuditScope;
  period: AuditPeriod;
  /** The state's target wait in minutes (`SEWA_TOKEN_TARGET_MINUTES`, default 20). */
  targetMinutes: number;
  /** The operator's payment per transaction in paise (`SEWA_KENDRA_PAYMENT_PER_TRANSACTION_PAISE`); null = not configured. */
  paymentPerTransactionPaise: number | null;
};

/** How rows are grouped: per centre, per district, or one row for the scope (key `total`). */
export type Grouping = "kendra" | "district" | "total";

/** A centre of the registry, as the audit needs it. */
export type Centre = {
  code: string;
  nameEn: string;
  namePa: string;
  nameHi: string;
  districtCode: number;
  districtName: string;
  tehsilCode: number | null;
  type: string;
  counters: number;
  opensAt: string;
  closesAt: string;
  weeklyOff: number | null;
};

/** The SQL condition on `kendras k` for a scope. */
function scopeSql(scope: AuditScope): SQL {
  if (scope.level === "state") return sql`k.active = 1`;
  if (scope.level === "district")
    return sql`k.active = 1 and k.district_code = ${scope.districtCode}`;
  return sql`k.code = ${scope.kendraCode}`;
}

function groupSql(group: Grouping): SQL {
  if (group === "kendra") return sql`k.code`;
  if (group === "district") return sql`k.district_code::text`;
  return sql`'total'`;
}

/** The instants that bound the period: [start of `from`, start of the day after `to`) in IST. */
export function instantBounds(period: AuditPeriod): { start: string; end: string } {
  return {
    start: startOfIstDay(period.from).toString(),
    end: startOfIstDay(dateOfDay((epochDay(period.to) as number) + 1)).toString(),
  };
}

const n = (v: unknown) => (v === null || v === undefined ? 0 : Number(v));
const nOrNull = (v: unknown) => (v === null || v === undefined ? null : Number(v));
const round1 = (x: number) => Math.round(x * 10) / 10;

/** The centres of a scope (active ones, or the one chosen), by district then code. */
export async function centresOf(q: Queryable, scope: AuditScope): Promise<Centre[]> {
  const list = await rows<Record<string, unknown>>(
    q,
    sql`select k.code, k.name_en, k.name_pa, k.name_hi, k.district_code, d.name as district_name,
          k.tehsil_code, k.type, k.counters, k.opens_at, k.closes_at, k.weekly_off
        from kendras k join districts d on d.code = k.district_code
        where ${scopeSql(scope)} order by k.district_code, k.code`,
  );
  return list.map((r) => ({
    code: String(r.code),
    nameEn: String(r.name_en),
    namePa: String(r.name_pa),
    nameHi: String(r.name_hi),
    districtCode: Number(r.district_code),
    districtName: String(r.district_name),
    tehsilCode: nOrNull(r.tehsil_code),
    type: String(r.type),
    counters: Number(r.counters),
    opensAt: String(r.opens_at),
    closesAt: String(r.closes_at),
    weeklyOff: nOrNull(r.weekly_off),
  }));
}

type Partial = Record<string, unknown>;
async function keyed(q: Queryable, query: SQL): Promise<Map<string, Partial>> {
  const out = new Map<string, Partial>();
  for (const r of await rows<Partial>(q, query)) out.set(String(r.key), r);
  return out;
}

/**
 * Tokens: footfall (issued), by kind, no-shows, called, wait median and p90
 * (`percentile_disc` of `called_at − issued_at` over called tokens, in
 * minutes to 1 decimal), called within the target, and busy seconds
 * (Σ `closed_at − served_at` of closed tokens).
 */
function tokensSql(m: MetricQuery, group: Grouping): SQL {
  const wait = sql`extract(epoch from (t.called_at - t.issued_at))`;
  const called = sql`t.issued_at is not null and t.called_at is not null`;
  return sql`select ${groupSql(group)} as key,
      count(*) filter (where t.issued_at is not null) as footfall,
      count(*) filter (where t.issued_at is not null and t.kind = 'walk_in') as walk_in,
      count(*) filter (where t.issued_at is not null and t.kind = 'booked') as booked,
      count(*) filter (where t.status = 'no_show') as no_show,
      count(*) filter (where ${called}) as called,
      count(*) filter (where ${called} and ${wait} <= ${m.targetMinutes}::int * 60) as within_target,
      percentile_disc(0.5) within group (order by ${wait}) filter (where ${called}) as wait_median,
      percentile_disc(0.9) within group (order by ${wait}) filter (where ${called}) as wait_p90,
      coalesce(sum(extract(epoch from (t.closed_at - t.served_at)))
        filter (where t.served_at is not null and t.closed_at is not null), 0) as busy_seconds
    from tokens t join kendras k on k.code = t.kendra_code
    where ${scopeSql(m.scope)}
      and t.service_date between ${m.period.from}::date and ${m.period.to}::date
    group by 1`;
}

/**
 * Applications filed at the centres: filed; disposed (approved or rejected);
 * disposed within the time limit (IST date of `decided_at` ≤ `due_date`, or
 * no due date); rejected; sent back at least once (an `application_events`
 * row with `to_status = 'sent_back'`).
 */
function applicationsSql(m: MetricQuery, group: Grouping): SQL {
  const { start, end } = instantBounds(m.period);
  return sql`select ${groupSql(group)} as key,
      count(*) as filed,
      count(*) filter (where a.status in ('approved', 'rejected')) as disposed,
      count(*) filter (where a.status in ('approved', 'rejected')
        and (a.due_date is null or (a.decided_at at time zone 'Asia/Kolkata')::date <= a.due_date)) as disposed_within,
      count(*) filter (where a.status = 'rejected') as rejected,
      count(*) filter (where exists (select 1 from application_events e
        where e.application_id = a.id and e.to_status = 'sent_back')) as sent_back
    from applications a join kendras k on k.code = a.kendra_code
    where ${scopeSql(m.scope)} and a.channel = 'kendra'
      and a.received_at >= ${start}::timestamptz and a.received_at < ${end}::timestamptz
    group by 1`;
}

/** The application counts of the whole scope (for the state's rates that the outlier rules compare with). */
export async function applicationTotals(
  q: Queryable,
  m: MetricQuery,
): Promise<{ filed: number; disposed: number; rejected: number; sentBack: number }> {
  const [a] = await rows<Partial>(q, applicationsSql(m, "total"));
  return {
    filed: n(a?.filed),
    disposed: n(a?.disposed),
    rejected: n(a?.rejected),
    sentBack: n(a?.sent_back),
  };
}

/** Cash closes: how many, how many with a difference, Σ |difference| and Σ difference, in paise. */
function cashSql(m: MetricQuery, group: Grouping): SQL {
  return sql`select ${groupSql(group)} as key,
      count(*) as closes,
      count(*) filter (where c.difference_paise <> 0) as mismatches,
      coalesce(sum(abs(c.difference_paise)), 0) as abs_difference,
      coalesce(sum(c.difference_paise), 0) as net_difference
    from cash_closes c join kendras k on k.code = c.kendra_code
    where ${scopeSql(m.scope)}
      and c.business_date between ${m.period.from}::date and ${m.period.to}::date
    group by 1`;
}

/** Feedback asked in the period: sent, answered (a rating), the mean rating and its distribution. */
function feedbackSql(m: MetricQuery, group: Grouping): SQL {
  const { start, end } = instantBounds(m.period);
  return sql`select ${groupSql(group)} as key,
      count(*) as sent,
      count(f.rating) as responses,
      avg(f.rating) as mean,
      count(*) filter (where f.rating = 1) as r1,
      count(*) filter (where f.rating = 2) as r2,
      count(*) filter (where f.rating = 3) as r3,
      count(*) filter (where f.rating = 4) as r4,
      count(*) filter (where f.rating = 5) as r5
    from feedback f join kendras k on k.code = f.kendra_code
    where ${scopeSql(m.scope)}
      and f.sent_at >= ${start}::timestamptz and f.sent_at < ${end}::timestamptz
    group by 1`;
}

/** Outputs handed over at a counter of the centres in the period. */
function handoversSql(m: MetricQuery, group: Grouping): SQL {
  const { start, end } = instantBounds(m.period);
  return sql`select ${groupSql(group)} as key, count(*) as handed_over
    from handovers h join kendras k on k.code = h.kendra_code
    where ${scopeSql(m.scope)} and h.status = 'handed_over'
      and h.handed_over_at >= ${start}::timestamptz and h.handed_over_at < ${end}::timestamptz
    group by 1`;
}

/** An empty set of figures (counts 0, rates null). */
export function emptyFigures(): Figures {
  return {
    footfall: 0,
    walkIn: 0,
    booked: 0,
    noShow: 0,
    called: 0,
    waitMedianMinutes: null,
    waitP90Minutes: null,
    withinTarget: 0,
    withinTargetPercent: null,
    filed: 0,
    disposed: 0,
    disposedWithin: 0,
    disposedWithinPercent: null,
    rejected: 0,
    rejectionPercent: null,
    sentBack: 0,
    sendBackPercent: null,
    closes: 0,
    mismatches: 0,
    absDifferencePaise: 0,
    netDifferencePaise: 0,
    repeatedMismatchCentres: 0,
    feedbackSent: 0,
    responses: 0,
    meanScore: null,
    counters: 0,
    counterDays: 0,
    footfallPerCounterDay: null,
    busyMinutes: 0,
    capacityMinutes: 0,
    utilisationPercent: null,
    handedOver: 0,
    transactions: 0,
    operatorPaymentPaise: null,
    costPerApplicationPaise: null,
    costPerCitizenPaise: null,
  };
}

/** The rating distribution (ratings 1..5) of a group. */
export type Distribution = [number, number, number, number, number];

/** Figures per group key, with each group's rating distribution. */
export type Grouped = Map<string, { figures: Figures; ratings: Distribution }>;

/**
 * Computes every per-centre metric for the centres of `m.scope`, grouped by
 * `group` (a key per centre code, per district LGD code, or `total`). Groups
 * with centres but no activity get zero counts. `centres` must be
 * {@link centresOf} the same scope (their counters, hours and weekly offs
 * give the capacity; their count of repeated mismatches is per centre).
 */
export async function figures(
  q: Queryable,
  m: MetricQuery,
  group: Grouping,
  centres: readonly Centre[],
): Promise<Grouped> {
  const [tok, app, cash, fb, hand, cashPerCentre] = await Promise.all([
    keyed(q, tokensSql(m, group)),
    keyed(q, applicationsSql(m, group)),
    keyed(q, cashSql(m, group)),
    keyed(q, feedbackSql(m, group)),
    keyed(q, handoversSql(m, group)),
    group === "kendra" ? undefined : keyed(q, cashSql(m, "kendra")),
  ]);
  const keyOf = (c: Centre) =>
    group === "kendra" ? c.code : group === "district" ? String(c.districtCode) : "total";
  const out: Grouped = new Map();
  for (const c of centres) {
    const key = keyOf(c);
    const entry = out.get(key) ?? {
      figures: emptyFigures(),
      ratings: [0, 0, 0, 0, 0] as Distribution,
    };
    const days = openDays(m.period, c.weeklyOff);
    entry.figures.counters += c.counters;
    entry.figures.counterDays += c.counters * days;
    entry.figures.capacityMinutes += c.counters * days * openMinutes(c.opensAt, c.closesAt);
    const perCentreCash = cashPerCentre ? cashPerCentre.get(c.code) : cash.get(c.code);
    if (n(perCentreCash?.mismatches) >= REPEATED_MISMATCHES)
      entry.figures.repeatedMismatchCentres++;
    out.set(key, entry);
  }
  for (const [key, entry] of out) {
    const f = entry.figures;
    const t = tok.get(key);
    f.footfall = n(t?.footfall);
    f.walkIn = n(t?.walk_in);
    f.booked = n(t?.booked);
    f.noShow = n(t?.no_show);
    f.called = n(t?.called);
    f.withinTarget = n(t?.within_target);
    f.withinTargetPercent = percent(f.withinTarget, f.called);
    f.waitMedianMinutes = t?.wait_median == null ? null : round1(Number(t.wait_median) / 60);
    f.waitP90Minutes = t?.wait_p90 == null ? null : round1(Number(t.wait_p90) / 60);
    const busySeconds = n(t?.busy_seconds);
    f.busyMinutes = Math.round(busySeconds / 60);
    f.utilisationPercent =
      f.capacityMinutes > 0 ? round1((busySeconds / 60 / f.capacityMinutes) * 100) : null;
    f.footfallPerCounterDay =
      f.counterDays > 0 ? Math.round((f.footfall / f.counterDays) * 100) / 100 : null;
    const a = app.get(key);
    f.filed = n(a?.filed);
    f.disposed = n(a?.disposed);
    f.disposedWithin = n(a?.disposed_within);
    f.disposedWithinPercent = percent(f.disposedWithin, f.disposed);
    f.rejected = n(a?.rejected);
    f.rejectionPercent = percent(f.rejected, f.disposed);
    f.sentBack = n(a?.sent_back);
    f.sendBackPercent = percent(f.sentBack, f.filed);
    const c = cash.get(key);
    f.closes = n(c?.closes);
    f.mismatches = n(c?.mismatches);
    f.absDifferencePaise = n(c?.abs_difference);
    f.netDifferencePaise = n(c?.net_difference);
    const b = fb.get(key);
    f.feedbackSent = n(b?.sent);
    f.responses = n(b?.responses);
    f.meanScore = b?.mean == null ? null : Math.round(Number(b.mean) * 100) / 100;
    entry.ratings = [n(b?.r1), n(b?.r2), n(b?.r3), n(b?.r4), n(b?.r5)];
    f.handedOver = n(hand.get(key)?.handed_over);
    Object.assign(f, cost(f.filed, f.handedOver, f.called, m.paymentPerTransactionPaise));
  }
  return out;
}

/**
 * Cost per transaction (docs/kendra-audit.md "Cost"): a transaction is an
 * application filed at a counter or an output handed over at a counter; the
 * operator's payment is the configured rate × transactions; the cost per
 * application filed is that payment ÷ applications filed, and per citizen
 * served that payment ÷ tokens called, in whole paise (rounded). With no rate
 * configured, every money figure is null ("not configured").
 */
export function cost(
  filed: number,
  handedOver: number,
  called: number,
  ratePaise: number | null,
): Pick<
  Figures,
  "transactions" | "operatorPaymentPaise" | "costPerApplicationPaise" | "costPerCitizenPaise"
> {
  const transactions = filed + handedOver;
  if (ratePaise === null)
    return {
      transactions,
      operatorPaymentPaise: null,
      costPerApplicationPaise: null,
      costPerCitizenPaise: null,
    };
  const payment = ratePaise * transactions;
  return {
    transactions,
    operatorPaymentPaise: payment,
    costPerApplicationPaise: filed > 0 ? Math.round(payment / filed) : null,
    costPerCitizenPaise: called > 0 ? Math.round(payment / called) : null,
  };
}

/** The area of doorstep delivery of a scope: all, a district, or the centre's tehsil (its district when the tehsil is unknown). */
function doorstepArea(scope: AuditScope, centre: Centre | undefined, alias: string): SQL {
  const col = (c: string) => sql.raw(`${alias}.${c}`);
  if (scope.level === "state") return sql`true`;
  if (scope.level === "district") return sql`${col("district_code")} = ${scope.districtCode}`;
  if (!centre) return sql`false`;
  return centre.tehsilCode !== null
    ? sql`${col("tehsil_code")} = ${centre.tehsilCode}`
    : sql`${col("district_code")} = ${centre.districtCode}`;
}

/**
 * Doorstep delivery in the scope's area: visits whose `visit_date` is in the
 * period (all, completed, cancelled, still booked, rescheduled at least
 * once), and applications filed at the doorstep (`channel = 'doorstep'`)
 * received in the period: filed, disposed, disposed within the time limit.
 */
export async function doorstep(
  q: Queryable,
  m: MetricQuery,
  centre: Centre | undefined,
): Promise<DoorstepFigures> {
  const { start, end } = instantBounds(m.period);
  const [[v], [a]] = await Promise.all([
    rows<Partial>(
      q,
      sql`select count(*) as visits,
          count(*) filter (where v.status = 'completed') as completed,
          count(*) filter (where v.status = 'cancelled') as cancelled,
          count(*) filter (where v.status = 'booked') as open,
          count(*) filter (where exists (select 1 from doorstep_visit_events e
            where e.visit_id = v.id and e.action = 'rescheduled')) as rescheduled
        from doorstep_visits v
        where ${doorstepArea(m.scope, centre, "v")}
          and v.visit_date between ${m.period.from}::date and ${m.period.to}::date`,
    ),
    rows<Partial>(
      q,
      sql`select count(*) as filed,
          count(*) filter (where a.status in ('approved', 'rejected')) as disposed,
          count(*) filter (where a.status in ('approved', 'rejected')
            and (a.due_date is null or (a.decided_at at time zone 'Asia/Kolkata')::date <= a.due_date)) as within
        from applications a
        where ${doorstepArea(m.scope, centre, "a")} and a.channel = 'doorstep'
          and a.received_at >= ${start}::timestamptz and a.received_at < ${end}::timestamptz`,
    ),
  ]);
  const disposed = n(a?.disposed);
  const within = n(a?.within);
  return {
    visits: n(v?.visits),
    completed: n(v?.completed),
    cancelled: n(v?.cancelled),
    open: n(v?.open),
    rescheduled: n(v?.rescheduled),
    doorstepFiled: n(a?.filed),
    doorstepDisposed: disposed,
    doorstepWithin: within,
    doorstepOnTimePercent: percent(within, disposed),
  };
}

/** Applications filed at the centres of the scope, by service: the same counts as {@link figures}. */
export type ServiceRow = {
  serviceId: number;
  name: { en: string; pa: string; hi: string };
  filed: number;
  disposed: number;
  disposedWithin: number;
  rejected: number;
  sentBack: number;
  sendBackPercent: number | null;
  rejectionPercent: number | null;
};

/** Applications filed at the scope's centres in the period, per service, most filed first. */
export async function byService(q: Queryable, m: MetricQuery): Promise<ServiceRow[]> {
  const { start, end } = instantBounds(m.period);
  const list = await rows<Partial>(
    q,
    sql`select s.id, s.name, s.name_pa, s.name_hi,
        count(*) as filed,
        count(*) filter (where a.status in ('approved', 'rejected')) as disposed,
        count(*) filter (where a.status in ('approved', 'rejected')
          and (a.due_date is null or (a.decided_at at time zone 'Asia/Kolkata')::date <= a.due_date)) as disposed_within,
        count(*) filter (where a.status = 'rejected') as rejected,
        count(*) filter (where exists (select 1 from application_events e
          where e.application_id = a.id and e.to_status = 'sent_back')) as sent_back
      from applications a join kendras k on k.code = a.kendra_code join services s on s.id = a.service_id
      where ${scopeSql(m.scope)} and a.channel = 'kendra'
        and a.received_at >= ${start}::timestamptz and a.received_at < ${end}::timestamptz
      group by s.id, s.name, s.name_pa, s.name_hi
      order by count(*) desc, s.id`,
  );
  return list.map((r) => {
    const filed = n(r.filed);
    const disposed = n(r.disposed);
    return {
      serviceId: Number(r.id),
      name: {
        en: String(r.name),
        pa: String(r.name_pa || r.name),
        hi: String(r.name_hi || r.name),
      },
      filed,
      disposed,
      disposedWithin: n(r.disposed_within),
      rejected: n(r.rejected),
      sentBack: n(r.sent_back),
      sendBackPercent: percent(n(r.sent_back), filed),
      rejectionPercent: percent(n(r.rejected), disposed),
    };
  });
}

/** Waiting-time buckets in minutes: [lower, upper) with the last open-ended. */
export const WAIT_BUCKETS: ReadonlyArray<{ key: string; min: number; max: number | null }> = [
  { key: "0-5", min: 0, max: 5 },
  { key: "5-10", min: 5, max: 10 },
  { key: "10-15", min: 10, max: 15 },
  { key: "15-20", min: 15, max: 20 },
  { key: "20-30", min: 20, max: 30 },
  { key: "30-45", min: 30, max: 45 },
  { key: "45-60", min: 45, max: 60 },
  { key: "60+", min: 60, max: null },
];

/** Called tokens of the scope per waiting-time bucket (for the chart). */
export async function waitDistribution(q: Queryable, m: MetricQuery): Promise<number[]> {
  const list = await rows<Partial>(
    q,
    sql`select width_bucket(extract(epoch from (t.called_at - t.issued_at)) / 60,
          array[5, 10, 15, 20, 30, 45, 60]::numeric[]) as b, count(*) as n
      from tokens t join kendras k on k.code = t.kendra_code
      where ${scopeSql(m.scope)} and t.issued_at is not null and t.called_at is not null
        and t.service_date between ${m.period.from}::date and ${m.period.to}::date
      group by 1`,
  );
  const out = WAIT_BUCKETS.map(() => 0);
  for (const r of list) out[Math.min(Number(r.b), out.length - 1)] += n(r.n);
  return out;
}

/** A feedback comment (no mobile number: the audit does not need it). */
export type Comment = { kendraCode: string; rating: number | null; comment: string; at: string };

/** The latest non-empty feedback comments of the scope in the period, newest first. */
export async function latestComments(q: Queryable, m: MetricQuery, limit = 10): Promise<Comment[]> {
  const { start, end } = instantBounds(m.period);
  const list = await rows<Partial>(
    q,
    sql`select f.kendra_code, f.rating, f.comment, coalesce(f.answered_at, f.sent_at) as at
      from feedback f join kendras k on k.code = f.kendra_code
      where ${scopeSql(m.scope)} and f.comment is not null and btrim(f.comment) <> ''
        and f.sent_at >= ${start}::timestamptz and f.sent_at < ${end}::timestamptz
      order by coalesce(f.answered_at, f.sent_at) desc, f.id desc limit ${limit}`,
  );
  return list.map((r) => ({
    kendraCode: String(r.kendra_code),
    rating: nOrNull(r.rating),
    comment: String(r.comment),
    at: new Date(r.at as string).toISOString(),
  }));
}
