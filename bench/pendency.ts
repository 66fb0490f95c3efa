/**
 * Pendency benchmark (issue 6): loads simulated applications into a dedicated
 * PostgreSQL database, starts the real app against it, and measures with
 * autocannon:
 * - the head-office dashboard: the state view (`/monitoring`, by department),
 *   the district level (`/monitoring?department=…`, districts of the busiest
 *   department) and an ADC General's district view;
 * - the API's district breakdown (`/api/v1/pendency?by=district`);
 * - the district breakdown alone through the fast path and through the naive
 *   GROUP BY over raw rows (bench-only routes of bench/pendency-server.ts),
 *   as the reference.
 * Latency percentiles (p50, p95, p99) are computed from every response time;
 * requests per second = responses ÷ measured seconds. EXPLAIN ANALYZE of the
 * fast and naive queries is recorded too.
 *
 * Writes bench/results/pendency.json and the table between the markers in
 * bench/README.md.
 *
 * Usage: `node bench/pendency.ts [--applications 5000000] [--days 1095]
 *   [--seed 1] [--today 2026-11-27] [--duration 15] [--connections 8]
 *   [--database sewa_bench] [--admin-url postgres://postgres@127.0.0.1:5432/postgres]
 *   [--naive-requests 3]`
 * An existing database that already holds the same simulation is reused.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import autocannon from "autocannon";
import { sql } from "drizzle-orm";
import pg from "pg";
import { migrate, openDatabase, rows } from "../src/db/client.ts";
import { createOfficial, startSession } from "../src/identity/service.ts";
import { cutoffs, parsePeriod } from "../src/monitoring/measures.ts";
import { simulate } from "../src/monitoring/simulate.ts";
import { seedDemoOfficials, seedReferenceData } from "../src/setup.ts";
import { loadCalendar } from "../src/sla/service.ts";

const here = path.dirname(fileURLToPath(import.meta.url));
const { values: args } = parseArgs({
  options: {
    applications: { type: "string", default: "5000000" },
    days: { type: "string", default: "1095" },
    seed: { type: "string", default: "1" },
    today: { type: "string", default: "2026-11-27" },
    duration: { type: "string", default: "15" },
    connections: { type: "string", default: "8" },
    database: { type: "string", default: "sewa_bench" },
    "admin-url": { type: "string", default: "postgres://postgres@127.0.0.1:5432/postgres" },
    port: { type: "string", default: "3900" },
    "naive-requests": { type: "string", default: "3" },
  },
});
const N = Number(args.applications);
const DAYS = Number(args.days);
const SEED = Number(args.seed);
const TODAY = args.today as string;
const DURATION = Number(args.duration);
const CONNECTIONS = Number(args.connections);
const PORT = Number(args.port);
const NAIVE_REQUESTS = Number(args["naive-requests"]);
if (!/^[a-z_][a-z0-9_]*$/.test(args.database as string))
  throw new Error("--database: a plain name");

const adminUrl = args["admin-url"] as string;
const url = new URL(adminUrl);
url.pathname = `/${args.database}`;
const dbUrl = url.toString();

function log(msg: string) {
  console.log(`[${new Date().toISOString().slice(11, 19)}] ${msg}`);
}

// ---------------------------------------------------------------- load
const admin = new pg.Client({ connectionString: adminUrl });
await admin.connect();
const exists = await admin.query("select 1 from pg_database where datname = $1", [args.database]);
if (exists.rowCount === 0) await admin.query(`create database ${args.database}`);
await admin.end();

const database = await openDatabase({ url: dbUrl });
await migrate(database);
const { db } = database;
const [{ n: districtCount }] = await rows<{ n: string }>(
  db,
  sql`select count(*) as n from districts`,
);
if (Number(districtCount) === 0) await seedReferenceData(database);
await seedDemoOfficials(database);
const [run] = await rows<{ id: number }>(
  db,
  sql`select id from simulation_runs where applications = ${N} and days = ${DAYS} and seed = ${SEED}`,
);
const [{ n: existing }] = await rows<{ n: string }>(
  db,
  sql`select count(*) as n from applications`,
);
let loadSeconds: number | null = null;
if (!run) {
  if (Number(existing) > 0)
    throw new Error(`${args.database} holds other applications: drop it or pass --database`);
  log(`loading ${N} simulated applications over ${DAYS} days (seed ${SEED})…`);
  const started = Date.now();
  let last = 0;
  await simulate(database, {
    applications: N,
    days: DAYS,
    seed: SEED,
    today: TODAY,
    batch: 10_000,
    onProgress: (done) => {
      if (done - last >= 250_000 || done === N) {
        last = done;
        log(`  ${done} / ${N}`);
      }
    },
    onRebuild: () => log("  rebuilding the rollup…"),
  });
  loadSeconds = Math.round((Date.now() - started) / 1000);
} else {
  log(`reusing ${existing} simulated applications in ${args.database}`);
}
log("vacuum analyze…");
await db.execute(sql`vacuum analyze applications`);
await db.execute(sql`vacuum analyze application_events`);
await db.execute(sql`vacuum analyze monitoring_cells`);
await db.execute(sql`select monitoring_compact()`);

const sizes = await rows<{ rel: string; rows: string; bytes: string }>(
  db,
  sql`select c.relname as rel, c.reltuples::bigint as rows, pg_total_relation_size(c.oid) as bytes
      from pg_class c where c.relname in ('applications', 'application_events', 'monitoring_cells', 'monitoring_counted', 'appeals')`,
);
const cellsByGrain = await rows<{ grain: number; n: string }>(
  db,
  sql`select grain, count(*) as n from monitoring_cells group by grain order by grain`,
);
const [busiest] = await rows<{ id: number }>(
  db,
  sql`select department_id as id from monitoring_cells where grain = 3 and measure not like 'week%'
      group by 1 order by sum(n) desc limit 1`,
);
const [bigDistrict] = await rows<{ code: number }>(
  db,
  sql`select district_code as code from monitoring_cells where grain = 2 and measure not like 'week%'
      group by 1 order by sum(n) desc limit 1`,
);

// ---------------------------------------------------------------- EXPLAIN ANALYZE
const calendar = await loadCalendar(db, null);
const period = parsePeriod(undefined, undefined, TODAY);
const cut = cutoffs(calendar, TODAY);
async function explain(
  label: string,
  query: string,
): Promise<{ label: string; ms: number; plan: string[] }> {
  const client = new pg.Client({ connectionString: dbUrl });
  await client.connect();
  const r = await client.query(`explain (analyze, buffers) ${query}`);
  await client.end();
  const plan = r.rows.map((x: Record<string, string>) => x["QUERY PLAN"]);
  const ms = Number(/Execution Time: ([\d.]+)/.exec(plan.at(-1) ?? "")?.[1] ?? Number.NaN);
  return { label, ms, plan: plan.slice(0, 12) };
}
const from = `${period.from}-01`;
const to = `${period.to}-01`;
const explains = [
  await explain(
    "rollup: state by department (grain 3)",
    `select department_id, measure, day_key, sum(n) from monitoring_cells where grain = 3 and period >= '${from}' and period <= '${to}' and measure not like 'week%' group by 1, 2, 3`,
  ),
  await explain(
    "rollup: districts of one department (grain 1, monitoring_cells_department_idx)",
    `select district_code, measure, day_key, sum(n) from monitoring_cells where grain = 1 and department_id = ${busiest.id} and period >= '${from}' and period <= '${to}' and measure not like 'week%' group by 1, 2, 3`,
  ),
  await explain(
    "raw rows: districts, plain GROUP BY (counts only)",
    `select district_code, count(*) filter (where status in ('submitted', 'resubmitted') and due_date < '${cut.today}') from applications where received_at >= '${from}T00:00:00+05:30' group by 1`,
  ),
  await explain(
    "longest overdue (monitoring_pending_due_idx)",
    `select reference from applications where status in ('submitted', 'resubmitted') and due_date < '${cut.today}' and received_at >= '${from}T00:00:00+05:30' order by due_date, reference limit 20`,
  ),
];
for (const e of explains) log(`EXPLAIN ${e.label}: ${e.ms} ms`);

// ---------------------------------------------------------------- server and load
const official = await db.transaction((tx) =>
  createOfficial(tx, {
    username: `bench.ho.${Date.now()}`,
    name: "Bench head office",
    designation: "Head office",
    password: "bench-password-not-secret-7",
    posting: { role: "head_office", level: "state", districtCode: null, validFrom: "2020-01-01" },
  }),
);
const adcOfficial = await db.transaction((tx) =>
  createOfficial(tx, {
    username: `bench.adc.${Date.now()}`,
    name: "Bench ADC",
    designation: "ADC (General)",
    password: "bench-password-not-secret-7",
    posting: {
      role: "adc_general",
      level: "district",
      districtCode: bigDistrict.code,
      validFrom: "2020-01-01",
    },
  }),
);
const cookie = `sewa_staff=${await startSession(db, official.id, new Date(), { mfa: true })}`;
const adcCookie = `sewa_staff=${await startSession(db, adcOfficial.id, new Date(), { mfa: true })}`;

const server = spawn(process.execPath, [path.join(here, "pendency-server.ts")], {
  env: { ...process.env, DATABASE_URL: dbUrl, PORT: String(PORT), TODAY, SEWA_WORKERS: "0" },
  stdio: ["ignore", "pipe", "inherit"],
});
await new Promise<void>((resolve, reject) => {
  server.stdout?.on("data", (b: Buffer) => {
    if (b.toString().includes("ready")) resolve();
  });
  server.on("exit", (code) => reject(new Error(`server exited ${code}`)));
});
log(`server up on ${PORT}`);

type Measured = {
  target: string;
  path: string;
  connections: number;
  seconds: number;
  requests: number;
  errors: number;
  non2xx: number;
  p50: number;
  p95: number;
  p99: number;
  mean: number;
  reqPerSec: number;
};

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return Math.round(sorted[Math.max(0, i)] * 10) / 10;
}

async function measure(
  target: string,
  urlPath: string,
  opts: { cookie?: string; connections?: number; duration?: number; amount?: number },
): Promise<Measured> {
  const headers = opts.cookie ? { cookie: opts.cookie } : undefined;
  // Warm-up: two requests (plans cached, pages compiled); not for the slow naive reference.
  if (!opts.amount)
    for (let i = 0; i < 2; i++) await fetch(`http://127.0.0.1:${PORT}${urlPath}`, { headers });
  const times: number[] = [];
  const started = Date.now();
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: `http://127.0.0.1:${PORT}${urlPath}`,
        connections: opts.connections ?? CONNECTIONS,
        ...(opts.amount ? { amount: opts.amount } : { duration: opts.duration ?? DURATION }),
        timeout: 900,
        headers,
      },
      (err, r) => (err ? reject(err) : resolve(r)),
    );
    instance.on("response", (_client, _status, _bytes, responseTime) => times.push(responseTime));
  });
  const seconds = (Date.now() - started) / 1000;
  times.sort((a, b) => a - b);
  const m: Measured = {
    target,
    path: urlPath,
    connections: opts.connections ?? CONNECTIONS,
    seconds: Math.round(seconds * 10) / 10,
    requests: times.length,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
    p50: percentile(times, 50),
    p95: percentile(times, 95),
    p99: percentile(times, 99),
    mean: Math.round((times.reduce((a, b) => a + b, 0) / Math.max(1, times.length)) * 10) / 10,
    reqPerSec: Math.round((times.length / seconds) * 10) / 10,
  };
  log(
    `${target}: p50 ${m.p50} ms, p95 ${m.p95} ms, p99 ${m.p99} ms, ${m.reqPerSec} req/s (${m.requests} requests, ${m.non2xx} non-2xx)`,
  );
  return m;
}

const loadAtStart = (await import("node:os")).loadavg();
const results: Measured[] = [];
try {
  results.push(await measure("dashboard: state view (by department)", "/monitoring", { cookie }));
  results.push(
    await measure(
      "dashboard: district level (busiest department)",
      `/monitoring?department=${busiest.id}`,
      {
        cookie,
      },
    ),
  );
  results.push(
    await measure("dashboard: ADC General's district view", "/monitoring", { cookie: adcCookie }),
  );
  results.push(
    await measure("API: /api/v1/pendency?by=district", "/api/v1/pendency?by=district", { cookie }),
  );
  results.push(await measure("district breakdown, fast path only", "/bench/fast/district", {}));
  results.push(
    await measure("district breakdown, naive GROUP BY over raw rows", "/bench/naive/district", {
      connections: 1,
      amount: NAIVE_REQUESTS,
    }),
  );
} finally {
  server.kill("SIGTERM");
  await database.close();
}

const fast = results.find((r) => r.target.startsWith("district breakdown, fast")) as Measured;
const naive = results.find((r) => r.target.startsWith("district breakdown, naive")) as Measured;
const speedup = Math.round(naive.p50 / fast.p50);
const out = {
  generatedAt: new Date().toISOString(),
  machine: {
    cpus: (await import("node:os")).cpus().length,
    node: process.version,
    // 1, 5 and 15-minute load averages: other work on the machine shares its 2 cores.
    loadavgAtStart: loadAtStart.map((x) => Math.round(x * 10) / 10),
    loadavgAtEnd: (await import("node:os")).loadavg().map((x) => Math.round(x * 10) / 10),
  },
  database: { server: "PostgreSQL 127.0.0.1:5432", name: args.database },
  data: {
    applications: Number(existing) || N,
    days: DAYS,
    seed: SEED,
    today: TODAY,
    loadSeconds,
    relations: sizes.map((s) => ({
      relation: s.rel,
      rows: Number(s.rows),
      megabytes: Math.round(Number(s.bytes) / 1048576),
    })),
    rollupCellsByGrain: cellsByGrain.map((g) => ({ grain: g.grain, cells: Number(g.n) })),
  },
  load: { connections: CONNECTIONS, seconds: DURATION },
  results,
  speedupP50: speedup,
  target: { p95Ms: 100, speedup: 50 },
  explain: explains,
};
fs.mkdirSync(path.join(here, "results"), { recursive: true });
fs.writeFileSync(path.join(here, "results", "pendency.json"), `${JSON.stringify(out, null, 2)}\n`);

const table = [
  `Run ${out.generatedAt.slice(0, 10)}: ${out.data.applications.toLocaleString("en-IN")} simulated applications over ${DAYS} days (seed ${SEED}), PostgreSQL on this ${out.machine.cpus}-core machine, app and autocannon in separate processes, ${CONNECTIONS} connections × ${DURATION} s per row (naive: 1 connection, ${NAIVE_REQUESTS} requests); load average at start ${out.machine.loadavgAtStart.join(" / ")} (1/5/15 min: other work shared the machine).`,
  "",
  "| target | p50 ms | p95 ms | p99 ms | req/s | requests | non-2xx |",
  "|---|---|---|---|---|---|---|",
  ...results.map(
    (r) =>
      `| ${r.target} | ${r.p50} | ${r.p95} | ${r.p99} | ${r.reqPerSec} | ${r.requests} | ${r.non2xx} |`,
  ),
  "",
  `Fast path vs naive GROUP BY (same district breakdown, p50): **${speedup}×** (target ≥ 50×). Dashboard target: p95 ≤ 100 ms.`,
].join("\n");
const readme = path.join(here, "README.md");
const text = fs.readFileSync(readme, "utf8");
const begin = "<!-- pendency:begin -->";
const end = "<!-- pendency:end -->";
const block = `${begin}\n${table}\n${end}`;
fs.writeFileSync(
  readme,
  text.includes(begin)
    ? text.replace(new RegExp(`${begin}[\\s\\S]*?${end}`), block)
    : `${text.trimEnd()}\n\n${block}\n`,
);
log("wrote bench/results/pendency.json and bench/README.md");
