/**
 * Doorstep delivery through helpline 1076 (issue 9): the visit fee with the
 * date it takes effect, facilitators (Sewa Sahayaks) and their capacity per
 * slot, and the life of a doorstep visit: booked → completed | cancelled,
 * rescheduled any number of times before, each step a
 * `doorstep_visit_events` entry and an audit record in the same transaction.
 *
 * Capacity: the visits a tehsil can take in a slot are the sum of its active
 * facilitators' `capacityPerSlot`; a booking (or a reschedule) locks the
 * tehsil's facilitator rows (`select … for update`, in `official_id` order),
 * counts their booked visits in that slot and gives the visit to the least
 * loaded facilitator with room (ties: the lowest official id). Two bookings
 * for the same tehsil therefore run one after the other, and a slot can
 * never take more visits than its capacity, on PGlite or PostgreSQL.
 *
 * Visit numbers are `DV-<YYYY>-<seq>` from the `doorstep_visit_seq` sequence
 * (YYYY: the IST year of booking). A booking is idempotent on its
 * `idempotencyKey` (the form's one-time token or the API's Idempotency-Key).
 */
import fs from "node:fs";
import { sql } from "drizzle-orm";
import { Temporal } from "temporal-polyfill";
import { appendAudit } from "../audit/service.ts";
import { computeFee, type FeeResult } from "../catalog/definitions/fees.ts";
import type { ServiceDefinition } from "../catalog/definitions/types.ts";
import { parseCsv } from "../common/csv.ts";
import { DomainError, type FieldProblem } from "../common/errors.ts";
import { nfc, normaliseMobile } from "../common/text.ts";
import { type Db, type Queryable, rows } from "../db/client.ts";
import { doorstepFees, doorstepVisitEvents, doorstepVisits, facilitators } from "../db/schema.ts";
import { askForFeedback } from "../kendras/feedback/service.ts";
import { istDateOf } from "../sla/clock.ts";
import { serviceWithChannels } from "./channels.ts";

export {
  channelsOf,
  SERVICE_CHANNELS,
  type ServiceChannel,
  servicesByChannel,
} from "./channels.ts";

import { dateProblem, formatVisitNumber, isSlot, VISIT_SLOTS } from "./slots.ts";

/** A doorstep visit row. */
export type Visit = typeof doorstepVisits.$inferSelect;
/** A visit history entry. */
export type VisitEvent = typeof doorstepVisitEvents.$inferSelect;
/** Who asked for a cancellation or a reschedule. */
export type VisitActorKind = "citizen" | "facilitator";

// ---------------------------------------------------------------- visit fee

/** The visit fee row in effect. */
export type VisitFee = { effectiveFrom: string; visitFeePaise: number; source: string };

/**
 * The doorstep visit fee in effect on `date` (IST `YYYY-MM-DD`): the row with
 * the latest `effectiveFrom` on or before it.
 * @returns undefined before the first row (the scheme did not exist yet).
 */
export async function visitFeeOn(q: Queryable, date: string): Promise<VisitFee | undefined> {
  const [r] = await rows<{
    effective_from: string;
    visit_fee_paise: string | number;
    source: string;
  }>(
    q,
    sql`select effective_from::text as effective_from, visit_fee_paise, source from doorstep_fees
        where effective_from <= ${date}::date order by effective_from desc limit 1`,
  );
  return r
    ? {
        effectiveFrom: r.effective_from,
        visitFeePaise: Number(r.visit_fee_paise),
        source: r.source,
      }
    : undefined;
}

/** Every visit fee row, newest first. */
export async function visitFees(q: Queryable): Promise<VisitFee[]> {
  const list = await q.select().from(doorstepFees).orderBy(sql`${doorstepFees.effectiveFrom} desc`);
  return list.map((r) => ({
    effectiveFrom: r.effectiveFrom,
    visitFeePaise: r.visitFeePaise,
    source: r.source,
  }));
}

/**
 * Adds the visit fee from `effectiveFrom` (or corrects a row not yet in
 * effect), audited. A fee already in effect is history and cannot change.
 * @throws DomainError validation: `from.invalid`, `from.past` (before today,
 *   IST), `rupees.invalid` (not a whole number of paise 0–₹10,000), `source.required`.
 */
export async function setVisitFee(
  db: Db,
  o: {
    effectiveFrom: string;
    visitFeePaise: number;
    source: string;
    actor: string;
    now: Temporal.Instant;
  },
): Promise<void> {
  const problems: FieldProblem[] = [];
  let from: Temporal.PlainDate | undefined;
  try {
    from = Temporal.PlainDate.from(o.effectiveFrom, { overflow: "reject" });
  } catch {
    problems.push({ field: "from", code: "invalid" });
  }
  const today = Temporal.PlainDate.from(istDateOf(o.now));
  if (from && Temporal.PlainDate.compare(from, today) < 0)
    problems.push({ field: "from", code: "past" });
  if (!Number.isSafeInteger(o.visitFeePaise) || o.visitFeePaise < 0 || o.visitFeePaise > 1_000_000)
    problems.push({ field: "rupees", code: "invalid" });
  const source = nfc(o.source).trim().slice(0, 1000);
  if (!source) problems.push({ field: "source", code: "required" });
  if (problems.length > 0 || !from)
    throw new DomainError("validation", "Check the visit fee", problems);
  const effectiveFrom = from.toString();
  await db.transaction(async (tx) => {
    await tx
      .insert(doorstepFees)
      .values({ effectiveFrom, visitFeePaise: o.visitFeePaise, source })
      .onConflictDoUpdate({
        target: doorstepFees.effectiveFrom,
        set: { visitFeePaise: o.visitFeePaise, source },
      });
    await appendAudit(tx, {
      stream: "doorstep:fees",
      actor: o.actor,
      action: "doorstep.fee_set",
      data: { effectiveFrom, visitFeePaise: o.visitFeePaise, source },
      at: o.now.toString(),
    });
  });
}

/**
 * Seeds the sourced visit fees of `data/doorstep-fees.csv` (columns
 * `effective_from`, `visit_fee_rupees`, `source_url`, `source`); rows already
 * present are left as they are (an admin may have corrected them). Idempotent.
 * @returns the number of rows inserted.
 */
export async function seedDoorstepFees(q: Queryable, file: string): Promise<number> {
  let inserted = 0;
  for (const { line, values: v } of parseCsv(fs.readFileSync(file, "utf8"))) {
    const rupees = Number(v.visit_fee_rupees);
    if (!v.effective_from || !Number.isFinite(rupees))
      throw new Error(`${file} line ${line}: effective_from and visit_fee_rupees are required`);
    const done = await q
      .insert(doorstepFees)
      .values({
        effectiveFrom: v.effective_from,
        visitFeePaise: Math.round(rupees * 100),
        source: `${v.source ?? ""} ${v.source_url ?? ""}`.trim(),
      })
      .onConflictDoNothing()
      .returning({ d: doorstepFees.effectiveFrom });
    inserted += done.length;
  }
  return inserted;
}

/**
 * The fee rules of a definition that apply only on the doorstep channel
 * (`when: {field: channel, equals: doorstep}`: the definitions' fixed
 * `doorstepVisit` rule, ₹120 as sourced at launch).
 */
function doorstepOnlyRules(definition: ServiceDefinition): Set<string> {
  return new Set(
    definition.fees.rules
      .filter((r) => {
        const w = r.when as { field?: string; equals?: unknown } | undefined;
        return w?.field === "channel" && w.equals === "doorstep";
      })
      .map((r) => r.id),
  );
}

/**
 * A computed fee without the definition's doorstep-only lines: at the
 * doorstep the visit fee comes from `doorstep_fees`, dated, and is taken at
 * the visit (a counter payment with `visitFeePaise`), so it is never charged
 * twice nor at a superseded amount. Used wherever a doorstep application's
 * fee is fixed or shown (src/kendras/assisted, the check-answers page).
 */
export function withoutDoorstepVisitLines(
  definition: ServiceDefinition,
  fee: FeeResult,
): FeeResult {
  const drop = doorstepOnlyRules(definition);
  const lines = fee.lines.filter((l) => !drop.has(l.rule));
  return { ...fee, lines, paise: lines.reduce((s, l) => s + l.paise, 0) };
}

/**
 * The service's own fee at the doorstep, in paise: the definition's fee
 * rules on channel `doorstep` without its doorstep-only lines
 * ({@link withoutDoorstepVisitLines}). `answers` are the application's
 * answers (1 copy when not known).
 * @returns the fee in paise; the catalog fee (or null, unknown) for a service without a definition.
 */
export function serviceFeeAtDoorstep(
  definition: ServiceDefinition | undefined,
  catalogFeePaise: number | null,
  answers: Record<string, unknown> = {},
): number | null {
  if (!definition) return catalogFeePaise;
  try {
    const fee = computeFee(definition.fees, { copies: 1, ...answers, channel: "doorstep" });
    return withoutDoorstepVisitLines(definition, fee).paise;
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------- facilitators

/**
 * Records (or updates) an official as a facilitator of a tehsil with a
 * capacity per slot. Their login needs a `facilitator` posting too
 * (src/identity). Idempotent.
 * @throws DomainError validation when the capacity is not 1–20.
 */
export async function saveFacilitator(
  q: Queryable,
  f: {
    officialId: number;
    districtCode: number;
    tehsilCode: number;
    capacityPerSlot: number;
    active?: boolean;
  },
): Promise<void> {
  if (!Number.isInteger(f.capacityPerSlot) || f.capacityPerSlot < 1 || f.capacityPerSlot > 20)
    throw new DomainError("validation", "Capacity per slot must be 1 to 20", [
      { field: "capacity", code: "invalid" },
    ]);
  const values = {
    districtCode: f.districtCode,
    tehsilCode: f.tehsilCode,
    capacityPerSlot: f.capacityPerSlot,
    active: f.active === false ? 0 : 1,
  };
  await q
    .insert(facilitators)
    .values({ officialId: f.officialId, ...values })
    .onConflictDoUpdate({ target: facilitators.officialId, set: values });
}

// ---------------------------------------------------------------- days and capacity

/**
 * Why no visit can be made on `date` in `districtCode`: a Sunday, or a
 * holiday that closes offices (`gazetted` state-wide, or `local` for the
 * district), with its name.
 */
export async function dayClosed(
  q: Queryable,
  date: string,
  districtCode: number,
): Promise<{ reason: "sunday" } | { reason: "holiday"; name: string } | undefined> {
  if (Temporal.PlainDate.from(date).dayOfWeek === 7) return { reason: "sunday" };
  const [h] = await rows<{ name: string }>(
    q,
    sql`select name from holidays
        where date = ${date}::date and retired_at is null and kind in ('gazetted', 'local')
          and (district_code is null or district_code = ${districtCode})
        order by district_code nulls first limit 1`,
  );
  return h ? { reason: "holiday", name: h.name } : undefined;
}

/**
 * The facilitators who can take visits in a tehsil on a day: an active
 * `facilitators` row for the tehsil and a `facilitator` posting in force that
 * day (a posting that ended takes its facilitator out of the roster).
 */
function rosterOn(tehsilCode: number, date: string) {
  return sql`f.tehsil_code = ${tehsilCode} and f.active = 1 and exists (
    select 1 from postings p where p.official_id = f.official_id and p.role = 'facilitator'
      and p.valid_from <= ${date}::date and (p.valid_to is null or p.valid_to >= ${date}::date))`;
}

/** A slot's capacity in a tehsil on a day. */
export type SlotCapacity = { slot: string; capacity: number; booked: number; remaining: number };

/**
 * Each slot of `date` in a tehsil: capacity (the sum of its active
 * facilitators' capacity per slot), visits booked, and the remainder.
 */
export async function slotCapacities(
  q: Queryable,
  tehsilCode: number,
  date: string,
): Promise<SlotCapacity[]> {
  const [cap] = await rows<{ capacity: string | number | null }>(
    q,
    sql`select sum(f.capacity_per_slot) as capacity from facilitators f where ${rosterOn(tehsilCode, date)}`,
  );
  const booked = await rows<{ slot: string; n: string | number }>(
    q,
    sql`select v.slot, count(*) as n from doorstep_visits v
        join facilitators f on f.official_id = v.facilitator_id
        where ${rosterOn(tehsilCode, date)} and v.tehsil_code = ${tehsilCode} and v.visit_date = ${date}::date and v.status = 'booked'
        group by v.slot`,
  );
  const capacity = Number(cap?.capacity ?? 0);
  return VISIT_SLOTS.map((slot) => {
    const n = Number(booked.find((b) => b.slot === slot)?.n ?? 0);
    return { slot, capacity, booked: n, remaining: Math.max(0, capacity - n) };
  });
}

/**
 * Locks the tehsil's active facilitators and picks the least loaded one with
 * room in the slot (ties: lowest official id). Call inside the transaction.
 * `keep`: a facilitator to prefer when they have room (a reschedule keeps
 * its facilitator when it can); `moving`: the visit being rescheduled (not
 * counted as load).
 * @throws DomainError conflict (`slot.full`) when every facilitator is full or the tehsil has none.
 */
async function assignFacilitator(
  tx: Queryable,
  tehsilCode: number,
  date: string,
  slot: string,
  keep?: number,
  moving?: number,
): Promise<number> {
  const locked = await rows<{ official_id: number; capacity_per_slot: number }>(
    tx,
    sql`select f.official_id, f.capacity_per_slot from facilitators f
        where ${rosterOn(tehsilCode, date)} order by f.official_id for update of f`,
  );
  if (locked.length === 0) throw full();
  const load = await rows<{ facilitator_id: number; n: string | number }>(
    tx,
    sql`select facilitator_id, count(*) as n from doorstep_visits
        where tehsil_code = ${tehsilCode} and visit_date = ${date}::date and slot = ${slot} and status = 'booked'
          and id <> ${moving ?? 0}
        group by facilitator_id`,
  );
  const loadOf = (id: number) => Number(load.find((l) => Number(l.facilitator_id) === id)?.n ?? 0);
  const withRoom = locked
    .map((f) => ({
      id: Number(f.official_id),
      load: loadOf(Number(f.official_id)),
      cap: Number(f.capacity_per_slot),
    }))
    .filter((f) => f.load < f.cap);
  if (keep !== undefined && withRoom.some((f) => f.id === keep)) return keep;
  withRoom.sort((a, b) => a.load - b.load || a.id - b.id);
  const pick = withRoom[0];
  if (!pick) throw full();
  return pick.id;
}

function full(): DomainError {
  return new DomainError("conflict", "No facilitator is free in this slot: choose another", [
    { field: "slot", code: "full" },
  ]);
}

/**
 * Checks a date and slot for a visit in `districtCode` at `now`.
 * @throws DomainError validation with field `date` (`invalid`, `past`,
 *   `too_far`, `sunday`, `holiday` with the holiday's name) or `slot`
 *   (`invalid`, `slot_started`).
 */
export async function checkVisitDate(
  q: Queryable,
  date: string,
  slot: string,
  districtCode: number,
  now: Temporal.Instant,
): Promise<void> {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || !validDate(date))
    throw new DomainError("validation", "Enter a real date", [{ field: "date", code: "invalid" }]);
  if (!isSlot(slot))
    throw new DomainError("validation", "Choose a time window", [
      { field: "slot", code: "invalid" },
    ]);
  const p = dateProblem(date, slot, now);
  if (p)
    throw new DomainError("validation", `No visits: ${p}`, [
      { field: p === "slot_started" ? "slot" : "date", code: p },
    ]);
  const closed = await dayClosed(q, date, districtCode);
  if (closed)
    throw new DomainError(
      "validation",
      closed.reason === "holiday"
        ? `No visits on a holiday (${closed.name})`
        : "No visits on Sundays",
      [
        closed.reason === "holiday"
          ? { field: "date", code: "holiday", params: { name: closed.name } }
          : { field: "date", code: "sunday" },
      ],
    );
}

function validDate(date: string): boolean {
  try {
    Temporal.PlainDate.from(date, { overflow: "reject" });
    return true;
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------- booking

/** What the helpline (or an integration) books. */
export type BookingInput = {
  purpose?: "application" | "delivery";
  mobile: string;
  citizenName: string;
  address: string;
  districtCode: number;
  tehsilCode: number;
  /** The service to apply for (purpose `application`). */
  serviceId?: number;
  /** The approved application whose output is delivered (purpose `delivery`): its reference. */
  reference?: string;
  visitDate: string;
  slot: string;
  idempotencyKey: string;
};

/**
 * Validates the citizen's details, the place and the service of a booking.
 * @throws DomainError validation (fields `mobile`, `name`, `address`,
 *   `district`, `tehsil`, `service`, `reference`), or unprocessable with field
 *   `service` code `excluded.<reason>` when the service is not offered at the
 *   doorstep (e.g. `excluded.aadhaar`, `excluded.not_doorstep`).
 */
async function validateBooking(q: Queryable, input: BookingInput) {
  const problems: FieldProblem[] = [];
  const mobile = normaliseMobile(input.mobile ?? "");
  if (!mobile.ok) problems.push({ field: "mobile", code: mobile.code });
  const name = nfc(input.citizenName ?? "").trim();
  if (!name) problems.push({ field: "name", code: "required" });
  else if (name.length > 100) problems.push({ field: "name", code: "too_long" });
  const address = nfc(input.address ?? "").trim();
  if (!address) problems.push({ field: "address", code: "required" });
  else if (address.length > 500) problems.push({ field: "address", code: "too_long" });
  const [place] = Number.isInteger(input.tehsilCode)
    ? await rows<{ district_code: number }>(
        q,
        sql`select district_code from tehsils where code = ${input.tehsilCode}`,
      )
    : [];
  if (!Number.isInteger(input.districtCode)) problems.push({ field: "district", code: "required" });
  else if (!place) problems.push({ field: "tehsil", code: "required" });
  else if (Number(place.district_code) !== input.districtCode)
    problems.push({ field: "tehsil", code: "not_in_district" });
  let serviceId = input.serviceId;
  let applicationId: number | null = null;
  const purpose = input.purpose ?? "application";
  if (purpose === "delivery") {
    const [app] = await rows<{ id: number; service_id: number; status: string; channel: string }>(
      q,
      sql`select id, service_id, status, channel from applications where reference = ${(input.reference ?? "").trim().toUpperCase()}`,
    );
    if (!app) problems.push({ field: "reference", code: "not_found" });
    else if (app.status !== "approved") problems.push({ field: "reference", code: "not_approved" });
    else {
      applicationId = Number(app.id);
      serviceId = Number(app.service_id);
    }
  } else if (serviceId === undefined || !Number.isInteger(serviceId)) {
    problems.push({ field: "service", code: "required" });
  }
  if (problems.length > 0) throw new DomainError("validation", "Check the booking", problems);
  const service = await serviceWithChannels(q, serviceId as number);
  if (!service)
    throw new DomainError("validation", "Choose a service", [
      { field: "service", code: "required" },
    ]);
  if (purpose === "application" && !service.channels.doorstep)
    throw new DomainError(
      "unprocessable",
      service.channels.doorstepRefusal === "not_doorstep" || !service.channels.doorstepRefusal
        ? "This service is not offered at the doorstep: apply online or at a Sewa Kendra"
        : `This service is not offered at the doorstep (${service.channels.doorstepRefusal})`,
      [
        {
          field: "service",
          code: `excluded.${service.channels.doorstepRefusal ?? "not_doorstep"}`,
        },
      ],
    );
  return {
    purpose,
    mobile: (mobile as { value: string }).value,
    name,
    address,
    service,
    applicationId,
  };
}

/**
 * Books a doorstep visit: validates it, checks the date and slot, assigns a
 * facilitator with room (module comment), numbers it and logs `booked`, in
 * one transaction. A repeat with the same `idempotencyKey` returns the first
 * visit with `created: false`.
 * @throws DomainError from validateBooking and checkVisitDate; conflict (`slot.full`).
 */
export async function bookVisit(
  db: Db,
  input: BookingInput,
  actor: { officialId: number | null; label: string },
  now: Temporal.Instant,
): Promise<{ visit: Visit; created: boolean }> {
  const key = (input.idempotencyKey ?? "").slice(0, 200);
  if (key) {
    const [seen] = await db
      .select()
      .from(doorstepVisits)
      .where(sql`${doorstepVisits.idempotencyKey} = ${key}`);
    if (seen) return { visit: seen, created: false };
  }
  const v = await validateBooking(db, input);
  await checkVisitDate(db, input.visitDate, input.slot, input.districtCode, now);
  try {
    return await db.transaction(async (tx) => {
      const facilitatorId = await assignFacilitator(
        tx,
        input.tehsilCode,
        input.visitDate,
        input.slot,
      );
      if (key) {
        // A concurrent repeat of the same submit waited on the lock above: it finds the first.
        const [seen] = await tx
          .select()
          .from(doorstepVisits)
          .where(sql`${doorstepVisits.idempotencyKey} = ${key}`);
        if (seen) return { visit: seen, created: false };
      }
      const [n] = await rows<{ n: string | number }>(
        tx,
        sql`select nextval('doorstep_visit_seq') as n`,
      );
      const year = now.toZonedDateTimeISO("Asia/Kolkata").year;
      const [visit] = await tx
        .insert(doorstepVisits)
        .values({
          number: formatVisitNumber(year, Number(n?.n)),
          purpose: v.purpose,
          mobile: v.mobile,
          citizenName: v.name,
          address: v.address,
          districtCode: input.districtCode,
          tehsilCode: input.tehsilCode,
          serviceId: v.service.id,
          visitDate: input.visitDate,
          slot: input.slot,
          facilitatorId,
          status: "booked",
          bookedBy: actor.officialId,
          bookedAt: now.toString(),
          applicationId: v.applicationId,
          idempotencyKey: key || null,
        })
        .returning();
      const row = visit as Visit;
      await tx.insert(doorstepVisitEvents).values({
        visitId: row.id,
        at: now.toString(),
        action: "booked",
        by: "citizen",
        actorId: actor.officialId,
        toDate: input.visitDate,
        toSlot: input.slot,
      });
      await appendAudit(tx, {
        stream: `doorstep:${row.id}`,
        actor: actor.label,
        action: "doorstep.booked",
        data: {
          number: row.number,
          purpose: row.purpose,
          serviceId: row.serviceId,
          visitDate: row.visitDate,
          slot: row.slot,
          facilitatorId,
        },
        at: now.toString(),
      });
      return { visit: row, created: true };
    });
  } catch (e) {
    const code =
      (e as { code?: string; cause?: { code?: string } }).cause?.code ??
      (e as { code?: string }).code;
    if (code === "23505" && key) {
      const [seen] = await db
        .select()
        .from(doorstepVisits)
        .where(sql`${doorstepVisits.idempotencyKey} = ${key}`);
      if (seen) return { visit: seen, created: false };
    }
    throw e;
  }
}

/** A visit by id, or undefined. */
export async function findVisit(q: Queryable, id: number): Promise<Visit | undefined> {
  if (!Number.isSafeInteger(id)) return undefined;
  const [v] = await q.select().from(doorstepVisits).where(sql`${doorstepVisits.id} = ${id}`);
  return v;
}

/** A visit's history, oldest first. */
export async function visitEvents(q: Queryable, visitId: number): Promise<VisitEvent[]> {
  return q
    .select()
    .from(doorstepVisitEvents)
    .where(sql`${doorstepVisitEvents.visitId} = ${visitId}`)
    .orderBy(doorstepVisitEvents.id);
}

async function lockVisit(tx: Queryable, id: number): Promise<Visit> {
  const [v] = await rows<{ id: number }>(
    tx,
    sql`select id from doorstep_visits where id = ${id} for update`,
  );
  if (!v) throw new DomainError("not_found", "No such visit");
  return (await findVisit(tx, id)) as Visit;
}

function reasonOf(reason: string): string {
  const r = nfc(reason ?? "")
    .trim()
    .slice(0, 500);
  if (!r)
    throw new DomainError("validation", "Give a reason", [{ field: "reason", code: "required" }]);
  return r;
}

/**
 * Moves a booked visit to another date and slot (by the citizen through the
 * helpline, or the facilitator), with a reason. The visit keeps its
 * facilitator when they have room in the new slot, else goes to the least
 * loaded one with room. Repeating the same move changes nothing.
 * @throws DomainError not_found; invalid_transition (not booked); validation (reason, date, slot); conflict (`slot.full`).
 */
export async function rescheduleVisit(
  db: Db,
  visitId: number,
  o: {
    visitDate: string;
    slot: string;
    by: VisitActorKind;
    reason: string;
    actorId: number | null;
    actorLabel: string;
  },
  now: Temporal.Instant,
): Promise<{ visit: Visit; changed: boolean }> {
  const reason = reasonOf(o.reason);
  const current = await findVisit(db, visitId);
  if (!current) throw new DomainError("not_found", "No such visit");
  await checkVisitDate(db, o.visitDate, o.slot, current.districtCode, now);
  return db.transaction(async (tx) => {
    const before = await lockVisit(tx, visitId);
    if (before.status !== "booked")
      throw new DomainError("invalid_transition", "Only a booked visit can be rescheduled");
    if (before.visitDate === o.visitDate && before.slot === o.slot)
      return { visit: before, changed: false };
    const facilitatorId = await assignFacilitator(
      tx,
      before.tehsilCode,
      o.visitDate,
      o.slot,
      before.facilitatorId,
      visitId,
    );
    const [after] = await tx
      .update(doorstepVisits)
      .set({ visitDate: o.visitDate, slot: o.slot, facilitatorId })
      .where(sql`${doorstepVisits.id} = ${visitId}`)
      .returning();
    await tx.insert(doorstepVisitEvents).values({
      visitId,
      at: now.toString(),
      action: "rescheduled",
      by: o.by,
      actorId: o.actorId,
      reason,
      fromDate: before.visitDate,
      fromSlot: before.slot,
      toDate: o.visitDate,
      toSlot: o.slot,
    });
    await appendAudit(tx, {
      stream: `doorstep:${visitId}`,
      actor: o.actorLabel,
      action: "doorstep.rescheduled",
      data: {
        by: o.by,
        reason,
        from: [before.visitDate, before.slot],
        to: [o.visitDate, o.slot],
        facilitatorId,
      },
      at: now.toString(),
    });
    return { visit: after as Visit, changed: true };
  });
}

/**
 * Cancels a booked visit, with who asked and why. Cancelling a cancelled
 * visit again changes nothing.
 * @throws DomainError not_found; invalid_transition (completed); validation (reason).
 */
export async function cancelVisit(
  db: Db,
  visitId: number,
  o: { by: VisitActorKind; reason: string; actorId: number | null; actorLabel: string },
  now: Temporal.Instant,
): Promise<{ visit: Visit; changed: boolean }> {
  const reason = reasonOf(o.reason);
  return db.transaction(async (tx) => {
    const before = await lockVisit(tx, visitId);
    if (before.status === "cancelled") return { visit: before, changed: false };
    if (before.status !== "booked")
      throw new DomainError("invalid_transition", "Only a booked visit can be cancelled");
    const [after] = await tx
      .update(doorstepVisits)
      .set({ status: "cancelled", cancelledAt: now.toString(), cancelReason: reason })
      .where(sql`${doorstepVisits.id} = ${visitId}`)
      .returning();
    await tx.insert(doorstepVisitEvents).values({
      visitId,
      at: now.toString(),
      action: "cancelled",
      by: o.by,
      actorId: o.actorId,
      reason,
      fromDate: before.visitDate,
      fromSlot: before.slot,
    });
    await appendAudit(tx, {
      stream: `doorstep:${visitId}`,
      actor: o.actorLabel,
      action: "doorstep.cancelled",
      data: { by: o.by, reason },
      at: now.toString(),
    });
    return { visit: after as Visit, changed: true };
  });
}

/**
 * Marks a booked visit completed by its facilitator (`action` `completed`,
 * or `delivered` for a delivery visit), linking the application filed at it
 * when there is one, and asks the citizen for feedback (src/kendras/feedback:
 * one SMS link per visit), in one transaction. Repeating it changes nothing.
 * @throws DomainError not_found; invalid_transition (cancelled).
 */
export async function completeVisit(
  q: Db | Queryable,
  visitId: number,
  o: {
    actorId: number;
    actorLabel: string;
    applicationId?: number | null;
    action?: "completed" | "delivered";
  },
  now: Temporal.Instant,
): Promise<{ visit: Visit; changed: boolean }> {
  const run = async (tx: Queryable) => {
    const before = await lockVisit(tx, visitId);
    if (before.status === "completed") return { visit: before, changed: false };
    if (before.status !== "booked")
      throw new DomainError("invalid_transition", "Only a booked visit can be completed");
    const [after] = await tx
      .update(doorstepVisits)
      .set({
        status: "completed",
        completedAt: now.toString(),
        ...(o.applicationId ? { applicationId: o.applicationId } : {}),
      })
      .where(sql`${doorstepVisits.id} = ${visitId}`)
      .returning();
    const action = o.action ?? (before.purpose === "delivery" ? "delivered" : "completed");
    // After the service, the citizen is asked for a 1–5 rating by SMS (once per visit; a delivery's handover asks already).
    await askForFeedback(tx, {
      mobile: before.mobile,
      applicationId: after?.applicationId ?? null,
      visitId,
      now,
    });
    await tx.insert(doorstepVisitEvents).values({
      visitId,
      at: now.toString(),
      action,
      by: "facilitator",
      actorId: o.actorId,
    });
    await appendAudit(tx, {
      stream: `doorstep:${visitId}`,
      actor: o.actorLabel,
      action: `doorstep.${action}`,
      data: { applicationId: after?.applicationId ?? null },
      at: now.toString(),
    });
    return { visit: after as Visit, changed: true };
  };
  return "transaction" in q ? (q as Db).transaction(run) : run(q);
}

// ---------------------------------------------------------------- lists

/** A visit as lists show it, with its service's names and tehsil's name. */
export type VisitRow = Visit & {
  serviceName: string;
  serviceNamePa: string;
  serviceNameHi: string;
  tehsilName: string;
  reference: string | null;
};

const visitRowSql = sql`select v.*, s.name as service_name, s.name_pa as service_name_pa, s.name_hi as service_name_hi,
    t.name as tehsil_name, a.reference as reference
  from doorstep_visits v
  join services s on s.id = v.service_id
  join tehsils t on t.code = v.tehsil_code
  left join applications a on a.id = v.application_id`;

/** An instant column of a raw row (drivers give a Date or a string) as an ISO string. */
function iso(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  return v instanceof Date ? v.toISOString() : String(v);
}

function toVisitRow(r: Record<string, unknown>): VisitRow {
  return {
    id: Number(r.id),
    number: String(r.number),
    purpose: String(r.purpose),
    mobile: String(r.mobile),
    citizenName: String(r.citizen_name),
    address: String(r.address),
    districtCode: Number(r.district_code),
    tehsilCode: Number(r.tehsil_code),
    serviceId: Number(r.service_id),
    visitDate: String(r.visit_date).slice(0, 10),
    slot: String(r.slot),
    facilitatorId: Number(r.facilitator_id),
    status: String(r.status),
    bookedBy: r.booked_by === null ? null : Number(r.booked_by),
    bookedAt: iso(r.booked_at) ?? "",
    completedAt: iso(r.completed_at),
    cancelledAt: iso(r.cancelled_at),
    cancelReason: (r.cancel_reason as string | null) ?? null,
    applicationId: r.application_id === null ? null : Number(r.application_id),
    idempotencyKey: (r.idempotency_key as string | null) ?? null,
    serviceName: String(r.service_name),
    serviceNamePa: String(r.service_name_pa ?? ""),
    serviceNameHi: String(r.service_name_hi ?? ""),
    tehsilName: String(r.tehsil_name),
    reference: (r.reference as string | null) ?? null,
  };
}

/**
 * A facilitator's visits of one day in route order: by tehsil (name), then
 * address (the village or locality is written first), then slot, then visit
 * number. Cancelled visits are listed last.
 */
export async function visitsOfFacilitator(
  q: Queryable,
  officialId: number,
  date: string,
): Promise<VisitRow[]> {
  const list = await rows<Record<string, unknown>>(
    q,
    sql`${visitRowSql} where v.facilitator_id = ${officialId} and v.visit_date = ${date}::date
        order by (v.status = 'cancelled'), t.name, lower(v.address), v.slot, v.number`,
  );
  return list.map(toVisitRow);
}

/** One visit with its names, or undefined. */
export async function visitRow(q: Queryable, id: number): Promise<VisitRow | undefined> {
  if (!Number.isSafeInteger(id)) return undefined;
  const [r] = await rows<Record<string, unknown>>(q, sql`${visitRowSql} where v.id = ${id}`);
  return r ? toVisitRow(r) : undefined;
}

/** The visits booked for a mobile number, newest first (at most 50). */
export async function visitsOfMobile(q: Queryable, mobile: string): Promise<VisitRow[]> {
  const list = await rows<Record<string, unknown>>(
    q,
    sql`${visitRowSql} where v.mobile = ${mobile} order by v.visit_date desc, v.slot desc limit 50`,
  );
  return list.map(toVisitRow);
}
