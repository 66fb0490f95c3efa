/**
 * The Sewa Kendra performance and impact audit (issue 9): who may see which
 * scope, and the report model that the page, the PDF and the XLSX all print
 * (metrics.ts computes the figures; rules.ts holds the outlier rules).
 *
 * Jurisdiction: a `kendra.audit` posting (auditor, head office) at state
 * level sees the state, every district and every centre; a district posting
 * sees its district and the centres in it; a tehsil posting sees the centres
 * of its tehsil. A posting's department restriction does not narrow the
 * audit: a centre serves every department. Anything else is "not found".
 *
 * @module
 */
import { sql } from "drizzle-orm";
import { type Queryable, rows } from "../../db/client.ts";
import { type Principal, scopesFor } from "../../identity/authorization.ts";
import { isSimulated } from "../../monitoring/service.ts";
import {
  applicationTotals,
  byService,
  type Centre,
  type Comment,
  centresOf,
  type Distribution,
  type DoorstepFigures,
  doorstep,
  emptyFigures,
  type Figures,
  figures,
  latestComments,
  type MetricQuery,
  type ServiceRow,
  waitDistribution,
} from "./metrics.ts";
import {
  type AuditPeriod,
  type AuditScope,
  median,
  type OutlierFlag,
  outlierFlags,
  percent,
  scopeParam,
} from "./rules.ts";

/** A language of names. */
export type Lang = "en" | "pa" | "hi";

/** What a user's `kendra.audit` postings let them see. */
export type AuditAccess = { state: boolean; districts: Set<number>; tehsils: Set<number> };

/** The audit jurisdiction of a principal (empty when they hold no `kendra.audit` posting). */
export function accessOf(principal: Principal): AuditAccess {
  const out: AuditAccess = { state: false, districts: new Set(), tehsils: new Set() };
  for (const p of scopesFor(principal, "kendra.audit")) {
    if (p.level === "state") out.state = true;
    else if (p.level === "district" && p.districtCode !== null) out.districts.add(p.districtCode);
    else if (p.level === "tehsil" && p.tehsilCode !== null) out.tehsils.add(p.tehsilCode);
  }
  return out;
}

/** Whether `access` covers `scope` (`centre`: the registry row of a centre scope, undefined when unknown). */
export function mayView(access: AuditAccess, scope: AuditScope, centre?: Centre): boolean {
  if (access.state) return scope.level !== "kendra" || centre !== undefined;
  if (scope.level === "state") return false;
  if (scope.level === "district") return access.districts.has(scope.districtCode);
  if (!centre) return false;
  return (
    access.districts.has(centre.districtCode) ||
    (centre.tehsilCode !== null && access.tehsils.has(centre.tehsilCode))
  );
}

/** The widest scope a user may see: the state, else their first district, else the first centre of their tehsils. */
export async function defaultScope(
  q: Queryable,
  access: AuditAccess,
): Promise<AuditScope | undefined> {
  if (access.state) return { level: "state" };
  const [district] = [...access.districts].sort((a, b) => a - b);
  if (district !== undefined) return { level: "district", districtCode: district };
  const tehsils = [...access.tehsils];
  if (tehsils.length === 0) return undefined;
  const [first] = await rows<{ code: string }>(
    q,
    sql`select code from kendras where tehsil_code = any(${sql.param(tehsils)}::int[]) order by code limit 1`,
  );
  return first ? { level: "kendra", kendraCode: first.code } : undefined;
}

/** The registry row of one centre (active or not), or undefined. */
export async function centreByCode(q: Queryable, code: string): Promise<Centre | undefined> {
  const [c] = await centresOf(q, { level: "kendra", kendraCode: code });
  return c;
}

/** Whether a district exists (LGD code). */
export async function districtName(q: Queryable, code: number): Promise<string | undefined> {
  const [d] = await rows<{ name: string }>(q, sql`select name from districts where code = ${code}`);
  return d?.name;
}

/** A centre's name in a language (English when no translation). */
export function centreName(c: Centre, lang: Lang): string {
  return (lang === "pa" ? c.namePa : lang === "hi" ? c.nameHi : c.nameEn) || c.nameEn;
}

/** A row of the breakdown table: a district (state scope) or a centre. */
export type ReportRow = {
  key: string;
  name: string;
  /** The scope it opens (`district:36`, `kendra:CODE`). */
  scope: string;
  figures: Figures;
  ratings: Distribution;
  flags: OutlierFlag[];
};

/** A centre in the ranking: by footfall per counter per open day, most first. */
export type RankedCentre = {
  rank: number;
  code: string;
  name: string;
  districtName: string;
  footfallPerCounterDay: number | null;
  waitMedianMinutes: number | null;
  meanScore: number | null;
  rejectionPercent: number | null;
  sendBackPercent: number | null;
  mismatches: number;
  flags: OutlierFlag[];
};

/** Everything a report shows. */
export type AuditReport = {
  scope: AuditScope;
  scopeParam: string;
  scopeName: string;
  period: AuditPeriod;
  generatedAt: string;
  simulated: boolean;
  targetMinutes: number;
  paymentPerTransactionPaise: number | null;
  total: Figures;
  ratings: Distribution;
  rowLevel: "district" | "kendra";
  rows: ReportRow[];
  /** The centres compared for rankings and outliers (the scope's; a centre's district for a centre). */
  peerName: string;
  peerMedian: number | null;
  ranking: RankedCentre[];
  outliers: RankedCentre[];
  stateRates: { rejectionPercent: number | null; sendBackPercent: number | null };
  services: ServiceRow[];
  waitBuckets: number[];
  comments: Comment[];
  doorstep: DoorstepFigures;
};

/** The state-wide rejection and send-back rates of applications filed at active centres in the period. */
async function stateRates(q: Queryable, m: MetricQuery) {
  const a = await applicationTotals(q, { ...m, scope: { level: "state" } });
  return {
    rejection: a.disposed > 0 ? a.rejected / a.disposed : 0,
    sendBack: a.filed > 0 ? a.sentBack / a.filed : 0,
    rejectionPercent: percent(a.rejected, a.disposed),
    sendBackPercent: percent(a.sentBack, a.filed),
  };
}

/**
 * Builds the report of `m.scope` over `m.period`: the scope's total, one row
 * per district (state scope) or per centre, rankings and outliers among the
 * peer centres, applications by service, the waiting-time distribution, the
 * latest comments and doorstep delivery.
 * @param now the generation instant (ISO), printed on the report.
 * @throws Error when a centre scope names no centre (callers check first).
 */
export async function buildReport(
  q: Queryable,
  m: MetricQuery,
  lang: Lang,
  now: string,
): Promise<AuditReport> {
  const scope = m.scope;
  const centres = await centresOf(q, scope);
  let centre: Centre | undefined;
  let scopeName = "Punjab";
  let peerScope: AuditScope = scope;
  if (scope.level === "kendra") {
    centre = centres[0];
    if (!centre) throw new Error(`no Sewa Kendra ${scope.kendraCode}`);
    scopeName = `${centreName(centre, lang)} (${centre.code})`;
    peerScope = { level: "district", districtCode: centre.districtCode };
  } else if (scope.level === "district") {
    scopeName = (await districtName(q, scope.districtCode)) ?? String(scope.districtCode);
  }
  const peers = scope.level === "kendra" ? await centresOf(q, peerScope) : centres;
  if (centre && !peers.some((p) => p.code === centre.code)) peers.push(centre);
  const [peerFigures, totals, districtRows, rates, services, waitBuckets, comments, door, sim] =
    await Promise.all([
      figures(q, { ...m, scope: peerScope }, "kendra", peers),
      figures(q, m, "total", centres),
      scope.level === "state" ? figures(q, m, "district", centres) : undefined,
      stateRates(q, m),
      byService(q, m),
      waitDistribution(q, m),
      latestComments(q, m),
      doorstep(q, m, centre),
      isSimulated(q),
    ]);
  const peerMedian = median(
    peers
      .map((c) => peerFigures.get(c.code)?.figures.footfallPerCounterDay ?? null)
      .filter((v): v is number => v !== null),
  );
  const flagsOf = new Map<string, OutlierFlag[]>();
  for (const c of peers) {
    const f = peerFigures.get(c.code)?.figures;
    if (!f) continue;
    flagsOf.set(
      c.code,
      outlierFlags(
        {
          footfallPerCounterDay: f.footfallPerCounterDay,
          disposed: f.disposed,
          rejected: f.rejected,
          filed: f.filed,
          sentBack: f.sentBack,
          mismatches: f.mismatches,
        },
        peerMedian,
        { rejectionRate: rates.rejection, sendBackRate: rates.sendBack },
      ),
    );
  }
  const ranking: RankedCentre[] = peers
    .map((c) => {
      const f = peerFigures.get(c.code)?.figures;
      return {
        rank: 0,
        code: c.code,
        name: centreName(c, lang),
        districtName: c.districtName,
        footfallPerCounterDay: f?.footfallPerCounterDay ?? null,
        waitMedianMinutes: f?.waitMedianMinutes ?? null,
        meanScore: f?.meanScore ?? null,
        rejectionPercent: f?.rejectionPercent ?? null,
        sendBackPercent: f?.sendBackPercent ?? null,
        mismatches: f?.mismatches ?? 0,
        flags: flagsOf.get(c.code) ?? [],
      };
    })
    .sort(
      (a, b) =>
        (b.footfallPerCounterDay ?? -1) - (a.footfallPerCounterDay ?? -1) ||
        a.code.localeCompare(b.code),
    )
    .map((r, i) => ({ ...r, rank: i + 1 }));
  const total = totals.get("total");
  let rowLevel: "district" | "kendra" = "kendra";
  let reportRows: ReportRow[];
  if (districtRows) {
    rowLevel = "district";
    const names = new Map(centres.map((c) => [String(c.districtCode), c.districtName]));
    reportRows = [...districtRows.entries()].map(([key, g]) => ({
      key,
      name: names.get(key) ?? key,
      scope: `district:${key}`,
      figures: g.figures,
      ratings: g.ratings,
      flags: [],
    }));
  } else {
    const shown = scope.level === "kendra" ? [centre as Centre] : centres;
    reportRows = shown.map((c) => {
      const g = peerFigures.get(c.code);
      return {
        key: c.code,
        name: centreName(c, lang),
        scope: scopeParam({ level: "kendra", kendraCode: c.code }),
        figures: g?.figures ?? (total?.figures as Figures),
        ratings: g?.ratings ?? [0, 0, 0, 0, 0],
        flags: flagsOf.get(c.code) ?? [],
      };
    });
  }
  const peerName =
    scope.level === "state"
      ? "Punjab"
      : ((await districtName(q, (peerScope as { districtCode: number }).districtCode)) ?? "");
  return {
    scope,
    scopeParam: scopeParam(scope),
    scopeName,
    period: m.period,
    generatedAt: now,
    simulated: sim,
    targetMinutes: m.targetMinutes,
    paymentPerTransactionPaise: m.paymentPerTransactionPaise,
    total: total?.figures ?? emptyFigures(),
    ratings: total?.ratings ?? [0, 0, 0, 0, 0],
    rowLevel,
    rows: reportRows,
    peerName,
    peerMedian,
    ranking,
    outliers: ranking.filter((r) => r.flags.length > 0),
    stateRates: {
      rejectionPercent: rates.rejectionPercent,
      sendBackPercent: rates.sendBackPercent,
    },
    services,
    waitBuckets,
    comments,
    doorstep: door,
  };
}
