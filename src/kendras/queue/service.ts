/**
 * The Sewa Kendra token queue (issue 9).
 *
 * Tokens (table `tokens`): a citizen takes a **walk-in** token at the
 * centre's kiosk, or **books** one for a date and 30-minute slot (web page or
 * API, e.g. a WhatsApp bot) and checks it in at the kiosk on the day. An
 * operator at a counter **calls** the next token, then marks it a **no-show**
 * or **starts serving** it, and **closes** it. Every step stores its instant:
 * `bookedAt`, `issuedAt` (walk-in: taken; booked: checked in), `calledAt`,
 * `servedAt`, `closedAt`.
 *
 * Guarantees:
 * - Token numbers are per centre per IST day, 1, 2, 3…, from the row of
 *   `kendra_token_counters` (`insert … on conflict do update set last = last + 1
 *   returning last`), never `max() + 1`: concurrent kiosks never share a number.
 *   Booked tokens take their number from the same day's sequence when booked.
 * - Call next is one statement (`update … where id = (select … for update
 *   skip locked limit 1)`): two counters calling at once get different tokens.
 * - Queue order: checked-in booked tokens whose slot has begun come first
 *   (by slot), then everyone else by the time they were issued.
 * - Slot capacity (counters × 2) is checked after the day's counter row is
 *   locked, so two bookings for the last place cannot both succeed.
 *
 * Staff actions append to the audit log (stream `token:<id>`); every change
 * is one transaction.
 */
import { and, eq, inArray, sql } from "drizzle-orm";
import type { Temporal } from "temporal-polyfill";
import { appendAudit } from "../../audit/service.ts";
import { DomainError } from "../../common/errors.ts";
import { normaliseMobile } from "../../common/text.ts";
import { instantOf } from "../../common/time.ts";
import { type Db, type Queryable, rows } from "../../db/client.ts";
import { kendraTokenCounters, services, tokens } from "../../db/schema.ts";
import { istDateOf, toIst } from "../../sla/clock.ts";
import { loadCalendar } from "../../sla/service.ts";
import { askForFeedback } from "../feedback/service.ts";
import { getKendra, type Kendra } from "../registry/service.ts";
import { dateProblem, slotCapacity, slotProblem, slotsOf } from "./rules.ts";

/** A token row. */
export type Token = typeof tokens.$inferSelect;

/** Token statuses (schema doc of `tokens`). */
export type TokenStatus =
  | "booked"
  | "waiting"
  | "called"
  | "serving"
  | "closed"
  | "no_show"
  | "cancelled";

/** IST wall-clock `HH:MM` of an instant. */
export function istTimeOf(instant: Temporal.Instant): string {
  return toIst(instant).toPlainTime().toString().slice(0, 5);
}

/** IST wall-clock `HH:MM` of a stored instant (PostgreSQL text form), or "". */
export function istTimeOfStored(value: string | null): string {
  return value ? istTimeOf(instantOf(value)) : "";
}

/**
 * An active centre by code.
 * @throws DomainError not_found for an unknown or inactive centre.
 */
export async function activeKendra(q: Queryable, code: string): Promise<Kendra> {
  const k = await getKendra(q, code);
  if (k === undefined || k.active !== 1) throw new DomainError("not_found", "No such Sewa Kendra");
  return k;
}

/** The next token number of a centre's day (locks the day's counter row until the transaction ends). */
export async function nextTokenNumber(
  tx: Queryable,
  kendraCode: string,
  serviceDate: string,
): Promise<number> {
  const [row] = await tx
    .insert(kendraTokenCounters)
    .values({ kendraCode, serviceDate, last: 1 })
    .onConflictDoUpdate({
      target: [kendraTokenCounters.kendraCode, kendraTokenCounters.serviceDate],
      set: { last: sql`${kendraTokenCounters.last} + 1` },
    })
    .returning({ last: kendraTokenCounters.last });
  if (!row) throw new Error("token counter upsert returned no row");
  return row.last;
}

/** SQL ordering of the waiting queue at IST wall-clock `now` (`HH:MM`). */
function queueOrder(now: string) {
  const due = sql`(${tokens.kind} = 'booked' and ${tokens.slot} <= ${now})`;
  return sql`case when ${due} then 0 else 1 end, case when ${due} then ${tokens.slot} end, ${tokens.issuedAt}, ${tokens.id}`;
}

/** The waiting tokens of a centre today, in the order they will be called. */
export function waitingQueue(
  q: Queryable,
  kendraCode: string,
  now: Temporal.Instant,
): Promise<Token[]> {
  return q
    .select()
    .from(tokens)
    .where(
      and(
        eq(tokens.kendraCode, kendraCode),
        eq(tokens.serviceDate, istDateOf(now)),
        eq(tokens.status, "waiting"),
      ),
    )
    .orderBy(queueOrder(istTimeOf(now)));
}

/** How many waiting tokens will be called before `tokenId` (0 when it is next or not waiting). */
export async function peopleAhead(
  q: Queryable,
  kendraCode: string,
  tokenId: number,
  now: Temporal.Instant,
): Promise<number> {
  const queue = await waitingQueue(q, kendraCode, now);
  const i = queue.findIndex((t) => t.id === tokenId);
  return Math.max(i, 0);
}

/** Checks an optional service id: undefined/null when none; the id when it exists. */
async function checkedService(q: Queryable, serviceId: number | null | undefined) {
  if (serviceId === null || serviceId === undefined) return null;
  const [s] = await q.select({ id: services.id }).from(services).where(eq(services.id, serviceId));
  if (!s)
    throw new DomainError("validation", "No such service", [
      { field: "serviceId", code: "service.unknown" },
    ]);
  return s.id;
}

/** Normalises an optional mobile number; "" = none. @throws DomainError validation (field `mobile`). */
function optionalMobile(mobile: string | undefined): string | null {
  if (!mobile || mobile.trim() === "") return null;
  const m = normaliseMobile(mobile);
  if (!m.ok)
    throw new DomainError("validation", "Mobile number is not valid", [
      { field: "mobile", code: m.code },
    ]);
  return m.value;
}

/** A token just issued or checked in, with how many are ahead of it. */
export type IssuedToken = { token: Token; ahead: number };

/**
 * Issues a walk-in token at the kiosk: the next number of the centre's day,
 * status `waiting`, `issuedAt` = now.
 * @param o.mobile optional, any script's digits (C-14); @param o.serviceId optional.
 * @throws DomainError not_found (no such active centre); validation (fields `mobile`, `serviceId`).
 */
export async function issueWalkIn(
  db: Db,
  o: {
    kendraCode: string;
    serviceId?: number | null;
    mobile?: string;
    now: Temporal.Instant;
    /** The kiosk form's one-time key: a repeated submit returns the same token. */
    idempotencyKey?: string;
  },
): Promise<IssuedToken> {
  const mobile = optionalMobile(o.mobile);
  const replay = async () => {
    if (!o.idempotencyKey) return undefined;
    const [t] = await db.select().from(tokens).where(eq(tokens.idempotencyKey, o.idempotencyKey));
    return t ? { token: t, ahead: await peopleAhead(db, t.kendraCode, t.id, o.now) } : undefined;
  };
  const first = await replay();
  if (first) return first;
  try {
    return await issue();
  } catch (e) {
    const again = await replay();
    if (again) return again;
    throw e;
  }
  function issue() {
    return db.transaction(async (tx) => {
      const kendra = await activeKendra(tx, o.kendraCode);
      const serviceId = await checkedService(tx, o.serviceId);
      const serviceDate = istDateOf(o.now);
      const number = await nextTokenNumber(tx, kendra.code, serviceDate);
      const [token] = await tx
        .insert(tokens)
        .values({
          kendraCode: kendra.code,
          serviceDate,
          number,
          kind: "walk_in",
          bookedVia: "kiosk",
          serviceId,
          mobile,
          status: "waiting",
          issuedAt: o.now.toString(),
          idempotencyKey: o.idempotencyKey ?? null,
        })
        .returning();
      if (!token) throw new Error("token insert returned no row");
      return { token, ahead: await peopleAhead(tx, kendra.code, token.id, o.now) };
    });
  }
}

/** One slot of a day with its capacity and what is left. */
export type SlotAvailability = {
  slot: string;
  capacity: number;
  booked: number;
  remaining: number;
};

/**
 * Whether a date can be booked at a centre, and each bookable slot's
 * remaining capacity (slots already started today are left out).
 * @returns `problem` (a `date.*` code of rules.ts) when the date cannot be booked, else the slots.
 */
export async function slotAvailability(
  q: Queryable,
  kendra: Kendra,
  date: string,
  now: Temporal.Instant,
): Promise<{ problem?: string; slots: SlotAvailability[] }> {
  const today = istDateOf(now);
  const calendar = await loadCalendar(q, kendra.districtCode);
  const problem = dateProblem(date, today, kendra, (d) => calendar.isHoliday(d));
  if (problem) return { problem, slots: [] };
  const counts = await rows<{ slot: string; n: number }>(
    q,
    sql`select slot, count(*)::int as n from tokens
        where kendra_code = ${kendra.code} and service_date = ${date} and kind = 'booked'
          and status <> 'cancelled'
        group by slot`,
  );
  const booked = new Map(counts.map((c) => [c.slot, c.n]));
  const capacity = slotCapacity(kendra.counters);
  const time = istTimeOf(now);
  return {
    slots: slotsOf(kendra)
      .filter((s) => !slotProblem(s, date, today, time, kendra))
      .map((slot) => {
        const n = booked.get(slot) ?? 0;
        return { slot, capacity, booked: n, remaining: Math.max(0, capacity - n) };
      }),
  };
}

/** A booking request (web page or API). */
export type BookingRequest = {
  kendraCode: string;
  date: string;
  slot: string;
  mobile: string;
  serviceId?: number | null;
  via: "online" | "api";
  /** The API's `Idempotency-Key`: the same key returns the same token. */
  idempotencyKey?: string;
  now: Temporal.Instant;
};

/**
 * Books a token for a date and slot: the next number of that day's sequence,
 * status `booked`, `bookedAt` = now.
 * @returns the token and whether this call created it (false: an earlier call with the same idempotency key).
 * @throws DomainError not_found (no such active centre); validation with every field problem
 *   (`date.*`, `slot.*`, `mobile.*`, `service.unknown`); conflict (field `slot`, `slot.full`) when the slot is full.
 */
export async function bookToken(
  db: Db,
  b: BookingRequest,
): Promise<{ token: Token; created: boolean }> {
  if (b.idempotencyKey) {
    const [again] = await db
      .select()
      .from(tokens)
      .where(eq(tokens.idempotencyKey, b.idempotencyKey));
    if (again) return { token: again, created: false };
  }
  try {
    return await db.transaction(async (tx) => {
      const kendra = await activeKendra(tx, b.kendraCode);
      const today = istDateOf(b.now);
      const calendar = await loadCalendar(tx, kendra.districtCode);
      const fields: Array<{ field: string; code: string }> = [];
      const dp = dateProblem(b.date, today, kendra, (d) => calendar.isHoliday(d));
      if (dp) fields.push({ field: "date", code: dp });
      const sp = dp
        ? b.slot
          ? undefined
          : "slot.required"
        : slotProblem(b.slot, b.date, today, istTimeOf(b.now), kendra);
      if (sp) fields.push({ field: "slot", code: sp });
      const m = normaliseMobile(b.mobile ?? "");
      if (!m.ok) fields.push({ field: "mobile", code: m.code });
      let serviceId: number | null = null;
      try {
        serviceId = await checkedService(tx, b.serviceId);
      } catch (e) {
        if (!(e instanceof DomainError)) throw e;
        fields.push(...e.fields);
      }
      if (fields.length) throw new DomainError("validation", "The booking is not valid", fields);
      // The number locks the day's counter row: capacity is then counted without a race.
      const number = await nextTokenNumber(tx, kendra.code, b.date);
      const [taken] = await rows<{ n: number }>(
        tx,
        sql`select count(*)::int as n from tokens where kendra_code = ${kendra.code}
            and service_date = ${b.date} and kind = 'booked' and slot = ${b.slot} and status <> 'cancelled'`,
      );
      if ((taken?.n ?? 0) >= slotCapacity(kendra.counters))
        throw new DomainError("conflict", "This slot is full", [
          { field: "slot", code: "slot.full" },
        ]);
      const [token] = await tx
        .insert(tokens)
        .values({
          kendraCode: kendra.code,
          serviceDate: b.date,
          number,
          kind: "booked",
          bookedVia: b.via,
          slot: b.slot,
          serviceId,
          mobile: m.ok ? m.value : null,
          status: "booked",
          bookedAt: b.now.toString(),
          idempotencyKey: b.idempotencyKey ?? null,
        })
        .returning();
      if (!token) throw new Error("token insert returned no row");
      return { token, created: true };
    });
  } catch (e) {
    // Two requests with the same key at once: the loser of the unique index returns the winner's token.
    if (b.idempotencyKey && /idempotency_key|unique/i.test(String((e as Error)?.message ?? e))) {
      const [again] = await db
        .select()
        .from(tokens)
        .where(eq(tokens.idempotencyKey, b.idempotencyKey));
      if (again) return { token: again, created: false };
    }
    throw e;
  }
}

/**
 * Checks a booked token in at the kiosk on its day, by number and mobile:
 * status `booked` → `waiting`, `issuedAt` = now (the wait is measured from here).
 * Checking in again returns the same token.
 * @throws DomainError not_found when no booked token of today has that number and mobile.
 */
export async function checkIn(
  db: Db,
  o: { kendraCode: string; number: number; mobile: string; now: Temporal.Instant },
): Promise<IssuedToken> {
  const m = normaliseMobile(o.mobile);
  return db.transaction(async (tx) => {
    const kendra = await activeKendra(tx, o.kendraCode);
    const where = and(
      eq(tokens.kendraCode, kendra.code),
      eq(tokens.serviceDate, istDateOf(o.now)),
      eq(tokens.number, o.number),
      eq(tokens.kind, "booked"),
      eq(tokens.mobile, m.ok ? m.value : "-"),
    );
    const [updated] = await tx
      .update(tokens)
      .set({ status: "waiting", issuedAt: o.now.toString() })
      .where(and(where, eq(tokens.status, "booked")))
      .returning();
    const token =
      updated ??
      (
        await tx
          .select()
          .from(tokens)
          .where(and(where, eq(tokens.status, "waiting")))
      )[0];
    if (!token)
      throw new DomainError(
        "not_found",
        "No booked token with this number and mobile number today",
      );
    return { token, ahead: await peopleAhead(tx, kendra.code, token.id, o.now) };
  });
}

/** Who acts at which counter. */
export type CounterActor = {
  kendraCode: string;
  counter: number;
  officialId: number;
  now: Temporal.Instant;
};

/** The token a counter is calling or serving today, if any. */
export async function tokenAtCounter(
  q: Queryable,
  kendraCode: string,
  counter: number,
  now: Temporal.Instant,
): Promise<Token | undefined> {
  const [t] = await q
    .select()
    .from(tokens)
    .where(
      and(
        eq(tokens.kendraCode, kendraCode),
        eq(tokens.serviceDate, istDateOf(now)),
        eq(tokens.counter, counter),
        inArray(tokens.status, ["called", "serving"]),
      ),
    )
    .orderBy(sql`${tokens.calledAt} desc`)
    .limit(1);
  return t;
}

async function audit(
  tx: Queryable,
  token: Token,
  a: CounterActor,
  action: string,
  data: Record<string, unknown> = {},
) {
  await appendAudit(tx, {
    stream: `token:${token.id}`,
    actor: `official:${a.officialId}`,
    action,
    data: { kendraCode: token.kendraCode, counter: a.counter, number: token.number, ...data },
    at: a.now.toString(),
  });
}

/**
 * Calls the next waiting token of the centre to this counter, atomically
 * (`for update skip locked`): status `called`, `counter`, `calledBy`, `calledAt`.
 * @returns the token, or undefined when nobody is waiting.
 * @throws DomainError conflict (`counter.busy`) when this counter still has a called or serving token.
 */
export async function callNext(db: Db, a: CounterActor): Promise<Token | undefined> {
  return db.transaction(async (tx) => {
    if (await tokenAtCounter(tx, a.kendraCode, a.counter, a.now))
      throw new DomainError("conflict", "Close the current token first", [
        { field: "token", code: "counter.busy" },
      ]);
    const today = istDateOf(a.now);
    const next = sql`(select ${tokens.id} from ${tokens}
      where ${tokens.kendraCode} = ${a.kendraCode} and ${tokens.serviceDate} = ${today} and ${tokens.status} = 'waiting'
      order by ${queueOrder(istTimeOf(a.now))}
      limit 1 for update skip locked)`;
    const [token] = await tx
      .update(tokens)
      .set({
        status: "called",
        counter: a.counter,
        calledBy: a.officialId,
        calledAt: a.now.toString(),
      })
      .where(and(sql`${tokens.id} = ${next}`, eq(tokens.status, "waiting")))
      .returning();
    if (token) await audit(tx, token, a, "token.called");
    return token;
  });
}

/**
 * Moves this counter's token from one status to the next.
 * @throws DomainError not_found when the token is not at this counter of this centre today;
 *   invalid_transition when it is not in status `from`.
 */
async function step(
  db: Db,
  a: CounterActor,
  tokenId: number,
  from: TokenStatus,
  set: Partial<Token>,
  action: string,
  data: Record<string, unknown> = {},
  after?: (tx: Queryable, token: Token) => Promise<unknown>,
): Promise<Token> {
  return db.transaction(async (tx) => {
    const mine = and(
      eq(tokens.id, tokenId),
      eq(tokens.kendraCode, a.kendraCode),
      eq(tokens.counter, a.counter),
      eq(tokens.serviceDate, istDateOf(a.now)),
    );
    const [token] = await tx
      .update(tokens)
      .set(set)
      .where(and(mine, eq(tokens.status, from)))
      .returning();
    if (!token) {
      const [exists] = await tx.select({ status: tokens.status }).from(tokens).where(mine);
      if (!exists) throw new DomainError("not_found", "No such token at this counter");
      throw new DomainError("invalid_transition", `The token is ${exists.status}, not ${from}`);
    }
    await audit(tx, token, a, action, data);
    await after?.(tx, token);
    return token;
  });
}

/** Calls the same token again (the display shows it; nothing else changes). @throws as {@link step}. */
export function recallToken(db: Db, a: CounterActor, tokenId: number): Promise<Token> {
  return step(db, a, tokenId, "called", { status: "called" }, "token.recalled");
}

/** The citizen did not come: `called` → `no_show`, `closedAt` = now. @throws as {@link step}. */
export function markNoShow(db: Db, a: CounterActor, tokenId: number): Promise<Token> {
  return step(
    db,
    a,
    tokenId,
    "called",
    { status: "no_show", closedAt: a.now.toString() },
    "token.no_show",
  );
}

/** The citizen is at the counter: `called` → `serving`, `servedAt` = now. @throws as {@link step}. */
export function startServing(db: Db, a: CounterActor, tokenId: number): Promise<Token> {
  return step(
    db,
    a,
    tokenId,
    "called",
    { status: "serving", servedAt: a.now.toString() },
    "token.serving",
  );
}

/**
 * The service is done: `serving` → `closed`, `closedAt` = now, with the
 * operator's optional outcome remark (at most 500 characters). When the
 * token has a mobile number, the citizen is asked for feedback on this
 * centre and counter in the same transaction (src/kendras/feedback: one SMS
 * with the rating link, once per token).
 * @throws as {@link step}.
 */
export function closeToken(
  db: Db,
  a: CounterActor,
  tokenId: number,
  outcome?: string,
): Promise<Token> {
  const remark = (outcome ?? "").normalize("NFC").trim().slice(0, 500) || null;
  return step(
    db,
    a,
    tokenId,
    "serving",
    { status: "closed", closedAt: a.now.toString(), outcome: remark },
    "token.closed",
    remark ? { outcome: remark } : {},
    async (tx, token) => {
      if (token.mobile)
        await askForFeedback(tx, {
          mobile: token.mobile,
          tokenId: token.id,
          applicationId: token.applicationId,
          kendraCode: token.kendraCode,
          counter: token.counter,
          now: a.now,
        });
    },
  );
}

/**
 * Links the assisted application filed while a token was served to that
 * token (`tokens.applicationId`), in the caller's transaction. For the
 * assisted-application module (`/counter/apply?token=<id>`). Idempotent: a
 * token already linked keeps its first application.
 * @returns whether the token was linked by this call.
 */
export async function attachApplicationToToken(
  tx: Queryable,
  tokenId: number,
  applicationId: number,
): Promise<boolean> {
  const updated = await tx
    .update(tokens)
    .set({ applicationId })
    .where(and(eq(tokens.id, tokenId), sql`${tokens.applicationId} is null`))
    .returning({ id: tokens.id });
  return updated.length > 0;
}

/** A token by id within a centre (undefined when it belongs to another centre). */
export async function tokenOfKendra(
  q: Queryable,
  kendraCode: string,
  tokenId: number,
): Promise<Token | undefined> {
  const [t] = await q
    .select()
    .from(tokens)
    .where(and(eq(tokens.id, tokenId), eq(tokens.kendraCode, kendraCode)));
  return t;
}

/** What the waiting-hall display shows: each counter's current token, and the last few called. */
export type DisplayBoard = {
  counters: Array<{ counter: number; number: number | null; status: string | null }>;
  recent: Array<{ number: number; counter: number }>;
  waiting: number;
};

/**
 * The display board of a centre today: for each counter 1..counters, the
 * token it is calling or serving (the latest called); the last `recentCount`
 * tokens called (any outcome since); and how many are waiting.
 */
export async function displayBoard(
  q: Queryable,
  kendra: Kendra,
  now: Temporal.Instant,
  recentCount = 5,
): Promise<DisplayBoard> {
  const today = istDateOf(now);
  const current = await rows<{ counter: number; number: number; status: string }>(
    q,
    sql`select distinct on (counter) counter, number, status from tokens
        where kendra_code = ${kendra.code} and service_date = ${today} and status in ('called', 'serving')
        order by counter, called_at desc`,
  );
  const recent = await rows<{ number: number; counter: number }>(
    q,
    sql`select number, counter from tokens
        where kendra_code = ${kendra.code} and service_date = ${today} and called_at is not null
        order by called_at desc, id desc limit ${recentCount}`,
  );
  const [waiting] = await rows<{ n: number }>(
    q,
    sql`select count(*)::int as n from tokens
        where kendra_code = ${kendra.code} and service_date = ${today} and status = 'waiting'`,
  );
  const byCounter = new Map(current.map((c) => [c.counter, c]));
  return {
    counters: Array.from({ length: kendra.counters }, (_, i) => {
      const c = byCounter.get(i + 1);
      return { counter: i + 1, number: c?.number ?? null, status: c?.status ?? null };
    }),
    recent,
    waiting: waiting?.n ?? 0,
  };
}

/** Queue figures of a centre or a district over IST service dates `from`..`to` (inclusive). */
export type QueueFigures = {
  /** Tokens issued (walk-ins taken and booked tokens checked in). */
  issued: number;
  /** Tokens called to a counter. */
  called: number;
  /** Tokens served (`servedAt` set). */
  served: number;
  /** Tokens called but marked no-show. */
  noShows: number;
  /** Median and 90th percentile of the wait (`calledAt − issuedAt`), minutes, 1 decimal; null without called tokens. */
  medianWaitMinutes: number | null;
  p90WaitMinutes: number | null;
  /** Called tokens whose wait was at most the target, and the share of called tokens (0..1; null without called tokens). */
  withinTarget: number;
  shareWithinTarget: number | null;
  /** Called tokens whose wait exceeded the target. */
  misses: number;
  /** The target used, minutes. */
  targetMinutes: number;
};

/**
 * The queue figures of a centre (`kendraCode`) or a district (`districtCode`)
 * for tokens whose service date is in `from`..`to` (IST, inclusive), computed
 * in SQL:
 * - wait = `calledAt − issuedAt` in minutes, for tokens with both set;
 * - median and p90 = `percentile_cont(0.5 | 0.9)` of the wait (continuous, interpolated);
 * - within target = wait ≤ `targetMinutes` (config `SEWA_TOKEN_TARGET_MINUTES`, default 20);
 *   misses = called tokens with wait > target; the share = within / called;
 * - issued = `issuedAt` set; served = `servedAt` set; no-shows = status `no_show`.
 * Tokens still waiting are not counted as misses until they are called.
 * (docs/kendras.md "The target and how the wait is measured".)
 */
export async function queueFigures(
  q: Queryable,
  scope: { kendraCode: string } | { districtCode: number },
  period: { from: string; to: string },
  targetMinutes: number,
): Promise<QueueFigures> {
  const where =
    "kendraCode" in scope
      ? sql`t.kendra_code = ${scope.kendraCode}`
      : sql`k.district_code = ${scope.districtCode}`;
  const wait = sql`extract(epoch from (t.called_at - t.issued_at)) / 60.0`;
  const [r] = await rows<{
    issued: number;
    called: number;
    served: number;
    no_shows: number;
    median: string | number | null;
    p90: string | number | null;
    within: number;
  }>(
    q,
    sql`select
          count(*) filter (where t.issued_at is not null)::int as issued,
          count(*) filter (where t.called_at is not null and t.issued_at is not null)::int as called,
          count(*) filter (where t.served_at is not null)::int as served,
          count(*) filter (where t.status = 'no_show')::int as no_shows,
          percentile_cont(0.5) within group (order by ${wait})
            filter (where t.called_at is not null and t.issued_at is not null) as median,
          percentile_cont(0.9) within group (order by ${wait})
            filter (where t.called_at is not null and t.issued_at is not null) as p90,
          count(*) filter (where t.called_at is not null and t.issued_at is not null
            and t.called_at - t.issued_at <= make_interval(mins => ${targetMinutes}))::int as within
        from tokens t join kendras k on k.code = t.kendra_code
        where ${where} and t.service_date between ${period.from} and ${period.to}`,
  );
  const round = (v: string | number | null | undefined) =>
    v === null || v === undefined ? null : Math.round(Number(v) * 10) / 10;
  const called = r?.called ?? 0;
  const within = r?.within ?? 0;
  return {
    issued: r?.issued ?? 0,
    called,
    served: r?.served ?? 0,
    noShows: r?.no_shows ?? 0,
    medianWaitMinutes: round(r?.median),
    p90WaitMinutes: round(r?.p90),
    withinTarget: within,
    shareWithinTarget: called ? within / called : null,
    misses: called - within,
    targetMinutes,
  };
}
