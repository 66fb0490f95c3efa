/**
 * The Sewa Kendra part of `sewa simulate` (issue 9): a deterministic,
 * realistic history of tokens, waits, assisted applications, day closes,
 * feedback and doorstep visits at the registered Sewa Kendras, so that the
 * performance and impact audit (`/kendra-audit`) has data to show. It runs
 * after the applications simulator (src/monitoring/simulate.ts) and links a
 * share of its simulated applications to centres and doorstep visits.
 *
 * The model (all draws from one seeded PRNG, mulberry32 of `seed` xor
 * 0x5eda: a seed, a `today` and the same registry and applications give the
 * same rows every time):
 * - **days**: the `days` calendar days before `today` (today itself is left
 *   out, so no time is in the future); a centre opens every day except its
 *   registry `weekly_off`;
 * - **footfall**: per centre and open day, about 20 tokens per counter
 *   (× `scale`), × 1.3 for a Type I centre, × 0.6 for a Type III, × a
 *   per-centre factor e^N(0, 0.35), × a weekday factor (Monday 1.2,
 *   Saturday 0.8, Sunday 0.5), × U(0.8, 1.2); every 7th centre (by code) is
 *   "quiet" (× 0.15): a candidate for merger in the audit;
 * - **tokens**: 15 % booked in advance (online or via the API), 8 % of those
 *   never check in (no-show, never issued); 4 % of issued tokens leave before
 *   being called (no-show); issue times uniform over the opening hours less
 *   the last hour; **wait** (called − issued) log-normal with a median of
 *   7 minutes × a per-centre factor e^N(0, 0.25) and σ = 0.75 (about 90 %
 *   within 20 minutes); service starts 0–2 minutes after the call and lasts
 *   log-normal(median 9 min, σ 0.5); counter uniform over the centre's;
 * - **assisted applications**: 55 % of the simulated applications (applicant
 *   "Simulated applicant", channel `online`) received on a simulated day in
 *   a district with a centre become `channel = 'kendra'` at a centre of that
 *   district (weighted by counters), linked to a served token of that centre
 *   and day when there is one (same counter), with `assisted_by` the
 *   centre's simulated operator and consent at receipt; 8 % of the others in
 *   those districts become `channel = 'doorstep'` with a completed visit
 *   that day. Their due dates are left as simulated (no +2 days). An
 *   approved assisted application's output is handed over at its counter
 *   1–15 days after the decision for 8 in 10 (when that day is before
 *   `today`; chosen by the application id, not the PRNG), else it waits
 *   `ready` (uncollected);
 * - **day closes**: one per counter that served a token that day; about half
 *   the served tokens paid in cash (₹10–₹200); the count matches except
 *   0.3 % of closes (a short or excess of ₹10–₹500), and 8 % at "sloppy"
 *   centres (every 14th centre, from the 3rd: repeated mismatches); 10 % of the
 *   mismatches are returned by the manager, the rest approved;
 * - **feedback**: asked of 60 % of served tokens (5 minutes after closing),
 *   answered by 35 %: ratings 5/4/3/2/1 with 45/28/12/7/8 % (quiet centres
 *   shifted one star down, at least 1); 15 % of answers carry a short
 *   comment in Punjabi, Hindi or English;
 * - **doorstep visits**: one simulated facilitator per tehsil of the
 *   districts with centres; besides the visits of doorstep applications,
 *   about 1.2 visits per tehsil per working day × `scale`: 15 % to deliver
 *   an output; 78 % completed, 14 % cancelled (by the citizen or the
 *   facilitator, with a reason), 8 % still booked; 10 % rescheduled once.
 *
 * Simulated officials (`sim.op.<code>`, `sim.mgr.<code>`, `sim.fac.<tehsil>`)
 * have unusable passwords. Rows are written per day in multi-row
 * `INSERT … SELECT FROM unnest(…)` statements, one transaction per batch of
 * days; a `simulation_runs` row marks the data as simulated.
 *
 * @module
 */
import { sql } from "drizzle-orm";
import { type Database, type Queryable, rows } from "../../db/client.ts";
import { prng } from "../../monitoring/simulate.ts";
import { dateOfDay, epochDay, isoWeekday } from "./rules.ts";

/** Options of {@link simulateKendras}. */
export type KendraSimulateOptions = {
  /** Calendar days of history before `today` (a positive integer). */
  days: number;
  /** `YYYY-MM-DD` IST: the history ends the day before. */
  today: string;
  /** PRNG seed (default 1). */
  seed?: number;
  /** Footfall and visit volume multiplier (default 1: about 20 tokens per counter per day). */
  scale?: number;
  /** Days written per transaction (default 7). */
  batchDays?: number;
  /** Called after each batch with the days written so far. */
  onProgress?: (done: number) => void;
};

/** What {@link simulateKendras} wrote. */
export type KendraSimulateResult = {
  kendras: number;
  tokens: number;
  assisted: number;
  doorstepApplications: number;
  closes: number;
  feedback: number;
  visits: number;
  handovers: number;
  officials: number;
};

type Kendra = {
  code: string;
  district: number;
  tehsil: number | null;
  type: string;
  counters: number;
  opens: number;
  closes: number;
  weeklyOff: number | null;
  factor: number;
  waitFactor: number;
  quiet: boolean;
  sloppy: boolean;
  operator: number;
  manager: number;
};

const COMMENTS: Record<"good" | "bad", string[]> = {
  good: [
    "ਬਹੁਤ ਵਧੀਆ ਸੇਵਾ, ਜਲਦੀ ਕੰਮ ਹੋ ਗਿਆ",
    "ਸਟਾਫ਼ ਨੇ ਚੰਗੀ ਤਰ੍ਹਾਂ ਸਮਝਾਇਆ",
    "Quick service, thank you",
    "Staff was helpful",
    "बहुत अच्छी सेवा",
  ],
  bad: [
    "ਬਹੁਤ ਲੰਮੀ ਕਤਾਰ ਸੀ",
    "ਦੁਬਾਰਾ ਦਸਤਾਵੇਜ਼ ਮੰਗੇ ਗਏ",
    "Long wait, only one counter open",
    "Asked for the same documents twice",
    "लाइन बहुत लंबी थी",
  ],
};
const CANCEL_REASONS = {
  citizen: ["Citizen not at home", "Citizen asked to cancel"],
  facilitator: ["Facilitator unwell", "Road closed"],
};
const SLOTS = ["10:00", "12:00", "14:00", "16:00"];

function arr(values: unknown[], type: string) {
  return sql`${sql.param(values)}::${sql.raw(type)}[]`;
}

/** `date` at `minutes` after IST midnight, as an ISO instant with +05:30. */
function at(date: string, minutes: number): string {
  const whole = Math.floor(minutes);
  const s = Math.floor((minutes - whole) * 60);
  const h = String(Math.floor(whole / 60)).padStart(2, "0");
  const m = String(whole % 60).padStart(2, "0");
  return `${date}T${h}:${m}:${String(s).padStart(2, "0")}+05:30`;
}

const hhmm = (s: string) => {
  const [h, m] = s.split(":").map(Number);
  return h * 60 + m;
};

/** A simulated official with an unusable password and one posting; reused when it exists. */
async function official(
  q: Queryable,
  username: string,
  name: string,
  designation: string,
  posting: {
    role: string;
    level: string;
    district: number;
    tehsil: number | null;
    kendra: string | null;
  },
  from: string,
): Promise<{ id: number; made: boolean }> {
  const [found] = await rows<{ id: number }>(
    q,
    sql`select id from officials where username = ${username}`,
  );
  if (found) return { id: Number(found.id), made: false };
  const [made] = await rows<{ id: number }>(
    q,
    sql`insert into officials (username, password_hash, name, designation)
        values (${username}, '!', ${name}, ${designation}) returning id`,
  );
  await q.execute(sql`insert into postings (official_id, role, office, level, district_code, tehsil_code, kendra_code, valid_from)
    values (${made.id}, ${posting.role}, 'Simulated', ${posting.level}, ${posting.district}, ${posting.tehsil}, ${posting.kendra}, ${from})`);
  return { id: Number(made.id), made: true };
}

/**
 * Simulates the Sewa Kendra history (see the module comment).
 * @throws RangeError on a non-positive or non-integer `days`, or a `scale` that is not a positive number.
 */
export async function simulateKendras(
  database: Database,
  opts: KendraSimulateOptions,
): Promise<KendraSimulateResult> {
  const { db } = database;
  if (!Number.isSafeInteger(opts.days) || opts.days < 1)
    throw new RangeError("days must be a positive integer");
  const scale = opts.scale ?? 1;
  if (!(scale > 0) || !Number.isFinite(scale))
    throw new RangeError("scale must be a positive number");
  const seed = opts.seed ?? 1;
  const random = prng((seed ^ 0x5eda) >>> 0);
  const normal = () => {
    const u = 1 - random();
    const v = random();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  };
  const todayDay = epochDay(opts.today);
  if (todayDay === undefined) throw new RangeError("today must be YYYY-MM-DD");
  const firstDay = todayDay - opts.days;
  const firstDate = dateOfDay(firstDay);
  const result: KendraSimulateResult = {
    kendras: 0,
    tokens: 0,
    assisted: 0,
    doorstepApplications: 0,
    closes: 0,
    feedback: 0,
    visits: 0,
    handovers: 0,
    officials: 0,
  };

  const registry = await rows<Record<string, unknown>>(
    db,
    sql`select code, district_code, tehsil_code, type, counters, opens_at, closes_at, weekly_off
        from kendras where active = 1 order by code`,
  );
  if (registry.length === 0) return result;
  const kendras: Kendra[] = [];
  for (const [i, r] of registry.entries()) {
    const code = String(r.code);
    const district = Number(r.district_code);
    const tehsil = r.tehsil_code === null ? null : Number(r.tehsil_code);
    const posting = { level: "district", district, tehsil: null, kendra: code };
    const op = await official(
      db,
      `sim.op.${code}`,
      `Simulated operator ${code}`,
      "Operator",
      { ...posting, role: "kendra_operator" },
      firstDate,
    );
    const mgr = await official(
      db,
      `sim.mgr.${code}`,
      `Simulated manager ${code}`,
      "Centre manager",
      { ...posting, role: "kendra_manager" },
      firstDate,
    );
    result.officials += Number(op.made) + Number(mgr.made);
    const type = String(r.type);
    const quiet = i % 7 === 6;
    kendras.push({
      code,
      district,
      tehsil,
      type,
      counters: Math.max(1, Number(r.counters)),
      opens: hhmm(String(r.opens_at)),
      closes: hhmm(String(r.closes_at)),
      weeklyOff: r.weekly_off === null ? null : Number(r.weekly_off),
      factor:
        (type === "I" ? 1.3 : type === "III" ? 0.6 : 1) *
        Math.exp(0.35 * normal()) *
        (quiet ? 0.15 : 1),
      waitFactor: Math.exp(0.25 * normal()),
      quiet,
      sloppy: i % 14 === 2,
      operator: op.id,
      manager: mgr.id,
    });
  }
  result.kendras = kendras.length;
  const byDistrict = new Map<number, Kendra[]>();
  for (const k of kendras) byDistrict.set(k.district, [...(byDistrict.get(k.district) ?? []), k]);

  // Facilitators: one per tehsil of the districts with centres.
  const tehsils = await rows<{ code: number; district_code: number }>(
    db,
    sql`select code, district_code from tehsils
        where district_code = any(${sql.param([...byDistrict.keys()])}::int[]) order by code`,
  );
  const facilitatorOf = new Map<number, number>();
  for (const t of tehsils) {
    const tehsil = Number(t.code);
    const district = Number(t.district_code);
    const f = await official(
      db,
      `sim.fac.${tehsil}`,
      `Simulated Sewa Sahayak ${tehsil}`,
      "Facilitator",
      { role: "facilitator", level: "tehsil", district, tehsil, kendra: null },
      firstDate,
    );
    if (f.made) {
      result.officials++;
      await db.execute(sql`insert into facilitators (official_id, district_code, tehsil_code)
        values (${f.id}, ${district}, ${tehsil}) on conflict do nothing`);
    }
    facilitatorOf.set(tehsil, f.id);
  }
  const services = (await rows<{ id: number }>(db, sql`select id from services order by id`)).map(
    (s) => Number(s.id),
  );

  // Simulated applications to link, by IST receipt day.
  const apps = await rows<{
    id: number;
    service_id: number;
    district_code: number;
    tehsil_code: number;
    day: string;
  }>(
    db,
    sql`select id, service_id, district_code, tehsil_code,
          ((received_at at time zone 'Asia/Kolkata')::date)::text as day
        from applications
        where applicant_name = 'Simulated applicant' and channel = 'online' and kendra_code is null
          and visit_id is null and district_code = any(${sql.param([...byDistrict.keys()])}::int[])
          and received_at >= ${`${firstDate}T00:00:00+05:30`}::timestamptz
          and received_at < ${`${opts.today}T00:00:00+05:30`}::timestamptz
        order by id`,
  );
  const appsOn = new Map<string, typeof apps>();
  for (const a of apps) appsOn.set(a.day, [...(appsOn.get(a.day) ?? []), a]);

  const batchDays = opts.batchDays ?? 7;
  for (let start = firstDay; start < todayDay; start += batchDays) {
    const end = Math.min(todayDay, start + batchDays);
    const tokens: Array<Record<string, unknown>> = [];
    const counters: Array<{ kendra: string; date: string; last: number }> = [];
    const closes: Array<Record<string, unknown>> = [];
    const feedback: Array<Record<string, unknown>> = [];
    const kendraApps: Array<{
      id: number;
      kendra: string;
      counter: number;
      operator: number;
    }> = [];
    const visits: Array<Record<string, unknown>> = [];
    const doorApps: Array<{ id: number; visit: Record<string, unknown> }> = [];
    for (let day = start; day < end; day++) {
      const date = dateOfDay(day);
      const weekday = isoWeekday(day);
      const weekdayFactor = weekday === 1 ? 1.2 : weekday === 6 ? 0.8 : weekday === 7 ? 0.5 : 1;
      const served = new Map<string, Array<{ token: Record<string, unknown>; counter: number }>>();
      for (const k of kendras) {
        if (k.weeklyOff === weekday) continue;
        const count = Math.round(
          20 * k.counters * k.factor * weekdayFactor * scale * (0.8 + 0.4 * random()),
        );
        if (count === 0) continue;
        const span = Math.max(30, k.closes - k.opens - 60);
        const issuedAt = Array.from({ length: count }, () => k.opens + random() * span).sort(
          (a, b) => a - b,
        );
        const perCounter = new Map<number, { receipts: number; expected: number }>();
        const list: Array<{ token: Record<string, unknown>; counter: number }> = [];
        for (let i = 0; i < count; i++) {
          const booked = random() < 0.15;
          const token: Record<string, unknown> = {
            id: 0,
            kendra: k.code,
            date,
            number: i + 1,
            kind: booked ? "booked" : "walk_in",
            via: booked ? (random() < 0.8 ? "online" : "api") : "kiosk",
            slot: booked ? `${String(Math.floor(issuedAt[i] / 60)).padStart(2, "0")}:00` : null,
            mobile: booked ? "9000000000" : null,
            status: "closed",
            counter: null,
            bookedAt: booked ? at(dateOfDay(day - 1 - Math.floor(random() * 3)), 600) : null,
            issuedAt: at(date, issuedAt[i]),
            calledAt: null,
            servedAt: null,
            closedAt: null,
          };
          tokens.push(token);
          if (booked && random() < 0.08) {
            token.status = "no_show";
            token.issuedAt = null;
            continue;
          }
          if (random() < 0.04) {
            token.status = "no_show";
            continue;
          }
          const wait = 7 * k.waitFactor * Math.exp(0.75 * normal());
          const counter = 1 + Math.floor(random() * k.counters);
          const called = issuedAt[i] + wait;
          const servedAt = called + random() * 2;
          const closedAt = servedAt + 9 * Math.exp(0.5 * normal());
          Object.assign(token, {
            counter,
            calledAt: at(date, called),
            servedAt: at(date, servedAt),
            closedAt: at(date, closedAt),
          });
          list.push({ token, counter });
          const c = perCounter.get(counter) ?? { receipts: 0, expected: 0 };
          if (random() < 0.5) {
            c.receipts++;
            c.expected += [1000, 2000, 5000, 10000, 20000][Math.floor(random() * 5)];
          }
          perCounter.set(counter, c);
          if (random() < 0.6) {
            const answered = random() < 0.35;
            let rating: number | null = null;
            let comment: string | null = null;
            if (answered) {
              const u = random();
              rating = u < 0.45 ? 5 : u < 0.73 ? 4 : u < 0.85 ? 3 : u < 0.92 ? 2 : 1;
              if (k.quiet) rating = Math.max(1, rating - 1);
              if (random() < 0.15) {
                const pool = rating >= 4 ? COMMENTS.good : COMMENTS.bad;
                comment = pool[Math.floor(random() * pool.length)];
              }
            }
            feedback.push({
              ref: token,
              kendra: k.code,
              counter,
              sentAt: at(date, closedAt + 5),
              answeredAt: answered ? at(date, Math.min(closedAt + 5 + 60 * random(), 1439)) : null,
              rating,
              comment,
            });
          }
        }
        counters.push({ kendra: k.code, date, last: count });
        served.set(k.code, list);
        for (const [counter, c] of [...perCounter.entries()].sort((a, b) => a[0] - b[0])) {
          const mismatch = random() < (k.sloppy ? 0.08 : 0.003);
          const difference = mismatch
            ? (random() < 0.7 ? -1 : 1) * (1000 + 100 * Math.floor(random() * 490))
            : 0;
          closes.push({
            kendra: k.code,
            counter,
            date,
            official: k.operator,
            receipts: c.receipts,
            expected: c.expected,
            counted: c.expected + difference,
            difference,
            remark: mismatch
              ? difference < 0
                ? "Short in cash count"
                : "Excess in cash count"
              : "",
            status: mismatch && random() < 0.1 ? "returned" : "approved",
            submittedAt: at(date, k.closes + 10),
            decidedBy: k.manager,
            decidedAt: at(date, k.closes + 40),
          });
        }
      }
      // Assisted and doorstep applications received this day.
      for (const a of appsOn.get(date) ?? []) {
        const local = (byDistrict.get(Number(a.district_code)) ?? []).filter(
          (k) => k.weeklyOff !== weekday,
        );
        if (local.length > 0 && random() < 0.55) {
          const total = local.reduce((s, k) => s + k.counters, 0);
          const pickAt = random() * total;
          let k = local[local.length - 1];
          for (let i = 0, sum = 0; i < local.length; i++) {
            sum += local[i].counters;
            if (pickAt < sum) {
              k = local[i];
              break;
            }
          }
          const list = served.get(k.code) ?? [];
          const token = list.length > 0 ? list[Math.floor(random() * list.length)] : undefined;
          kendraApps.push({
            id: Number(a.id),
            kendra: k.code,
            counter: token?.counter ?? 1 + Math.floor(random() * k.counters),
            operator: k.operator,
          });
          if (token) {
            token.token.applicationId = Number(a.id);
            token.token.serviceId = Number(a.service_id);
            list.splice(list.indexOf(token), 1);
          }
        } else if (random() < 0.08 && facilitatorOf.has(Number(a.tehsil_code))) {
          const visit: Record<string, unknown> = {
            id: 0,
            purpose: "application",
            district: Number(a.district_code),
            tehsil: Number(a.tehsil_code),
            service: Number(a.service_id),
            date,
            slot: SLOTS[Math.floor(random() * SLOTS.length)],
            facilitator: facilitatorOf.get(Number(a.tehsil_code)),
            status: "completed",
            bookedAt: at(dateOfDay(day - 1 - Math.floor(random() * 3)), 660),
            completedAt: at(date, 720 + Math.floor(random() * 300)),
            cancelledAt: null,
            cancelReason: null,
            cancelledBy: null,
            applicationId: Number(a.id),
            rescheduled: false,
          };
          visits.push(visit);
          doorApps.push({ id: Number(a.id), visit });
        }
      }
      // Other doorstep visits of the day (working days).
      if (weekday <= 5) {
        for (const t of tehsils) {
          const tehsil = Number(t.code);
          const expected = 1.2 * scale;
          const count = Math.floor(expected) + (random() < expected - Math.floor(expected) ? 1 : 0);
          for (let i = 0; i < count; i++) {
            const u = random();
            const status = u < 0.78 ? "completed" : u < 0.92 ? "cancelled" : "booked";
            const by = random() < 0.6 ? "citizen" : "facilitator";
            const reasons = CANCEL_REASONS[by];
            visits.push({
              id: 0,
              purpose: random() < 0.15 ? "delivery" : "application",
              district: Number(t.district_code),
              tehsil,
              service: services[Math.floor(random() * services.length)],
              date,
              slot: SLOTS[Math.floor(random() * SLOTS.length)],
              facilitator: facilitatorOf.get(tehsil),
              status,
              bookedAt: at(dateOfDay(day - 1 - Math.floor(random() * 3)), 660),
              completedAt:
                status === "completed" ? at(date, 720 + Math.floor(random() * 300)) : null,
              cancelledAt: status === "cancelled" ? at(date, 540) : null,
              cancelReason:
                status === "cancelled" ? reasons[Math.floor(random() * reasons.length)] : null,
              cancelledBy: status === "cancelled" ? by : null,
              applicationId: null,
              rescheduled: random() < 0.1,
            });
          }
        }
      }
    }
    // Ids from the sequences, one query each per batch (never max()+1).
    const tokenIds = await rows<{ id: string }>(
      db,
      sql`select nextval('tokens_id_seq') as id from generate_series(1, ${tokens.length})`,
    );
    tokens.forEach((t, i) => {
      t.id = Number(tokenIds[i].id);
    });
    for (const f of feedback) {
      const ref = f.ref as Record<string, unknown>;
      f.tokenId = ref.id;
      f.token = `sim-${seed}-${ref.id}`;
    }
    const visitIds = await rows<{ id: string; seq: string }>(
      db,
      sql`select nextval('doorstep_visits_id_seq') as id, nextval('doorstep_visit_seq') as seq
          from generate_series(1, ${visits.length})`,
    );
    visits.forEach((v, i) => {
      v.id = Number(visitIds[i].id);
      v.number = `DV-${String(v.date).slice(0, 4)}-${String(visitIds[i].seq).padStart(6, "0")}`;
    });
    await db.transaction(async (tx) => {
      await insertTokens(tx, tokens);
      await insertCounters(tx, counters);
      await insertCloses(tx, closes);
      await insertFeedback(tx, feedback);
      await insertVisits(tx, visits);
      if (kendraApps.length > 0)
        await tx.execute(sql`update applications a set channel = 'kendra', kendra_code = u.kendra,
            counter = u.counter, assisted_by = u.operator, consent_at = a.received_at
          from unnest(${arr(
            kendraApps.map((x) => x.id),
            "bigint",
          )}, ${arr(
            kendraApps.map((x) => x.kendra),
            "text",
          )},
            ${arr(
              kendraApps.map((x) => x.counter),
              "int",
            )}, ${arr(
              kendraApps.map((x) => x.operator),
              "int",
            )})
            as u(id, kendra, counter, operator)
          where a.id = u.id`);
      if (doorApps.length > 0)
        await tx.execute(sql`update applications a set channel = 'doorstep', visit_id = u.visit,
            assisted_by = (select facilitator_id from doorstep_visits v where v.id = u.visit),
            consent_at = a.received_at
          from unnest(${arr(
            doorApps.map((x) => x.id),
            "bigint",
          )}, ${arr(
            doorApps.map((x) => x.visit.id),
            "bigint",
          )})
            as u(id, visit)
          where a.id = u.id`);
    });
    result.tokens += tokens.length;
    result.closes += closes.length;
    result.feedback += feedback.length;
    result.visits += visits.length;
    result.assisted += kendraApps.length;
    result.doorstepApplications += doorApps.length;
    opts.onProgress?.(end - firstDay);
  }
  // Outputs of approved assisted applications: handed over at the counter, or still waiting.
  const handed = await rows<{ n: string }>(
    db,
    sql`with made as (
        insert into handovers (application_id, status, ready_at, handed_over_at, kendra_code, counter)
        select a.id,
          case when a.id % 10 < 8 and a.decided_at + (1 + a.id % 15) * interval '1 day'
            < ${`${opts.today}T00:00:00+05:30`}::timestamptz then 'handed_over' else 'ready' end,
          a.decided_at,
          case when a.id % 10 < 8 and a.decided_at + (1 + a.id % 15) * interval '1 day'
            < ${`${opts.today}T00:00:00+05:30`}::timestamptz
            then a.decided_at + (1 + a.id % 15) * interval '1 day' end,
          a.kendra_code, a.counter
        from applications a
        where a.channel = 'kendra' and a.status = 'approved' and a.decided_at is not null
          and a.applicant_name = 'Simulated applicant'
        on conflict (application_id) do nothing
        returning 1)
      select count(*) as n from made`,
  );
  result.handovers = Number(handed[0]?.n ?? 0);
  await db.execute(
    sql`insert into simulation_runs (seed, applications, days) values (${seed}, 0, ${opts.days})`,
  );
  return result;
}

async function insertTokens(q: Queryable, list: Array<Record<string, unknown>>): Promise<void> {
  if (list.length === 0) return;
  const col = (k: string) => list.map((t) => t[k] ?? null);
  await q.execute(sql`insert into tokens (id, kendra_code, service_date, number, kind, booked_via, slot, mobile,
      status, counter, booked_at, issued_at, called_at, served_at, closed_at, application_id, service_id, created_at)
    select u.*, coalesce(u.issued_at, u.booked_at) from unnest(
      ${arr(col("id"), "bigint")}, ${arr(col("kendra"), "text")}, ${arr(col("date"), "date")},
      ${arr(col("number"), "int")}, ${arr(col("kind"), "text")}, ${arr(col("via"), "text")},
      ${arr(col("slot"), "text")}, ${arr(col("mobile"), "text")}, ${arr(col("status"), "text")},
      ${arr(col("counter"), "int")}, ${arr(col("bookedAt"), "timestamptz")}, ${arr(col("issuedAt"), "timestamptz")},
      ${arr(col("calledAt"), "timestamptz")}, ${arr(col("servedAt"), "timestamptz")},
      ${arr(col("closedAt"), "timestamptz")}, ${arr(col("applicationId"), "bigint")}, ${arr(col("serviceId"), "int")})
      as u(id, kendra_code, service_date, number, kind, booked_via, slot, mobile, status, counter,
        booked_at, issued_at, called_at, served_at, closed_at, application_id, service_id)`);
}

async function insertCounters(
  q: Queryable,
  list: Array<{ kendra: string; date: string; last: number }>,
): Promise<void> {
  if (list.length === 0) return;
  await q.execute(sql`insert into kendra_token_counters (kendra_code, service_date, last)
    select * from unnest(${arr(
      list.map((c) => c.kendra),
      "text",
    )}, ${arr(
      list.map((c) => c.date),
      "date",
    )},
      ${arr(
        list.map((c) => c.last),
        "int",
      )})
    on conflict (kendra_code, service_date) do update
      set last = greatest(kendra_token_counters.last, excluded.last)`);
}

async function insertCloses(q: Queryable, list: Array<Record<string, unknown>>): Promise<void> {
  if (list.length === 0) return;
  const col = (k: string) => list.map((t) => t[k] ?? null);
  await q.execute(sql`insert into cash_closes (kendra_code, counter, business_date, official_id, receipts,
      expected_paise, counted_paise, difference_paise, remark, status, submitted_at, decided_by, decided_at)
    select * from unnest(${arr(col("kendra"), "text")}, ${arr(col("counter"), "int")}, ${arr(col("date"), "date")},
      ${arr(col("official"), "int")}, ${arr(col("receipts"), "int")}, ${arr(col("expected"), "bigint")},
      ${arr(col("counted"), "bigint")}, ${arr(col("difference"), "bigint")}, ${arr(col("remark"), "text")},
      ${arr(col("status"), "text")}, ${arr(col("submittedAt"), "timestamptz")}, ${arr(col("decidedBy"), "int")},
      ${arr(col("decidedAt"), "timestamptz")})
    on conflict do nothing`);
}

async function insertFeedback(q: Queryable, list: Array<Record<string, unknown>>): Promise<void> {
  if (list.length === 0) return;
  const col = (k: string) => list.map((t) => t[k] ?? null);
  await q.execute(sql`insert into feedback (token, token_id, kendra_code, counter, mobile, rating, comment,
      sent_at, answered_at)
    select u.token, u.token_id, u.kendra_code, u.counter, '9000000000', u.rating, u.comment, u.sent_at, u.answered_at
    from unnest(${arr(col("token"), "text")}, ${arr(col("tokenId"), "bigint")}, ${arr(col("kendra"), "text")},
      ${arr(col("counter"), "int")}, ${arr(col("rating"), "int")}, ${arr(col("comment"), "text")},
      ${arr(col("sentAt"), "timestamptz")}, ${arr(col("answeredAt"), "timestamptz")})
      as u(token, token_id, kendra_code, counter, rating, comment, sent_at, answered_at)
    on conflict (token) do nothing`);
}

async function insertVisits(q: Queryable, list: Array<Record<string, unknown>>): Promise<void> {
  if (list.length === 0) return;
  const col = (k: string) => list.map((t) => t[k] ?? null);
  await q.execute(sql`insert into doorstep_visits (id, number, purpose, mobile, citizen_name, address,
      district_code, tehsil_code, service_id, visit_date, slot, facilitator_id, status, booked_at,
      completed_at, cancelled_at, cancel_reason, application_id)
    select u.id, u.number, u.purpose, '9000000000', 'Simulated citizen', 'Simulated address',
      u.district_code, u.tehsil_code, u.service_id, u.visit_date, u.slot, u.facilitator_id, u.status,
      u.booked_at, u.completed_at, u.cancelled_at, u.cancel_reason, u.application_id
    from unnest(${arr(col("id"), "bigint")}, ${arr(col("number"), "text")}, ${arr(col("purpose"), "text")},
      ${arr(col("district"), "int")}, ${arr(col("tehsil"), "int")}, ${arr(col("service"), "int")},
      ${arr(col("date"), "date")}, ${arr(col("slot"), "text")}, ${arr(col("facilitator"), "int")},
      ${arr(col("status"), "text")}, ${arr(col("bookedAt"), "timestamptz")}, ${arr(col("completedAt"), "timestamptz")},
      ${arr(col("cancelledAt"), "timestamptz")}, ${arr(col("cancelReason"), "text")}, ${arr(col("applicationId"), "bigint")})
      as u(id, number, purpose, district_code, tehsil_code, service_id, visit_date, slot, facilitator_id,
        status, booked_at, completed_at, cancelled_at, cancel_reason, application_id)`);
  // The visits' histories: booked, then rescheduled, cancelled or completed.
  const events: Array<[number, string, string, string, string | null, string | null]> = [];
  for (const v of list) {
    const id = v.id as number;
    events.push([id, v.bookedAt as string, "booked", "helpline", null, null]);
    if (v.rescheduled)
      events.push([
        id,
        v.bookedAt as string,
        "rescheduled",
        "citizen",
        "Citizen asked for another day",
        v.date as string,
      ]);
    if (v.status === "cancelled")
      events.push([
        id,
        v.cancelledAt as string,
        "cancelled",
        v.cancelledBy as string,
        v.cancelReason as string,
        null,
      ]);
    if (v.status === "completed")
      events.push([id, v.completedAt as string, "completed", "facilitator", null, null]);
  }
  await q.execute(sql`insert into doorstep_visit_events (visit_id, at, action, by, reason, to_date)
    select * from unnest(${arr(
      events.map((e) => e[0]),
      "bigint",
    )}, ${arr(
      events.map((e) => e[1]),
      "timestamptz",
    )},
      ${arr(
        events.map((e) => e[2]),
        "text",
      )}, ${arr(
        events.map((e) => e[3]),
        "text",
      )},
      ${arr(
        events.map((e) => e[4]),
        "text",
      )}, ${arr(
        events.map((e) => e[5]),
        "date",
      )})`);
}
