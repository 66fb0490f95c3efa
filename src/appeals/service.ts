/**
 * Appeals: filing (by the applicant, or automatically on a breach when
 * auto-appeal is on), hearings, orders (deliver within N days, or dismiss),
 * penalties and compensation at level 2, and the penalty register.
 *
 * Every change is one transaction with its timeline entry, audit record and
 * outbox event. Orders are PDF documents on the application. Rules and
 * figures: src/appeals/chain.ts.
 */
import { and, asc, eq, inArray, isNull, sql } from "drizzle-orm";
import { Temporal } from "temporal-polyfill";
import {
  type Actor,
  type ApplicationRow,
  addOrderDocument,
  applyAppellateOrder,
  findApplicationById,
  mayOn,
  recordEvent,
  statutoryDueDate,
} from "../applications/service.ts";
import type { DocumentStore } from "../applications/storage.ts";
import { appendAudit } from "../audit/service.ts";
import { DomainError } from "../common/errors.ts";
import { nfcMultiline } from "../common/text.ts";
import { isoOf } from "../common/time.ts";
import { type Db, type Queryable, rows } from "../db/client.ts";
import { appeals, applications, penalties } from "../db/schema.ts";
import { renderOrderPdf } from "../documents/pdf.ts";
import { can } from "../identity/authorization.ts";
import { emit } from "../notifications/outbox.ts";
import { istDateOf } from "../sla/clock.ts";
import { addWorkingDays } from "../sla/due-date.ts";
import { loadCalendar } from "../sla/service.ts";
import { type AppealChain, daysOfDelay, decisionDue, nextAppeal, penaltyPaise } from "./chain.ts";

export type Appeal = typeof appeals.$inferSelect;
export type Penalty = typeof penalties.$inferSelect;

const dateOf = (instant: string | null) =>
  instant ? istDateOf(Temporal.Instant.from(isoOf(instant))) : null;

/** The appeals of an application, by level. */
export function appealsOf(q: Queryable, applicationId: number): Promise<Appeal[]> {
  return q
    .select()
    .from(appeals)
    .where(eq(appeals.applicationId, applicationId))
    .orderBy(asc(appeals.level));
}

/** What the applicant may file now (see chain.ts `nextAppeal`). */
export async function eligibility(
  q: Queryable,
  chain: AppealChain,
  app: ApplicationRow,
  now: Temporal.Instant,
) {
  const existing = await appealsOf(q, app.id);
  return nextAppeal(
    chain,
    {
      status: app.status,
      dueDate: app.orderedDueDate ?? app.dueDate,
      decidedOn: dateOf(app.decidedAt),
      appeals: existing.map((a) => ({
        level: a.level,
        decidedOn: dateOf(a.decidedAt),
        decisionDue: a.decisionDue,
      })),
    },
    istDateOf(now),
  );
}

/**
 * Files the next appeal for an application. Idempotent per level: a repeat
 * returns the appeal already filed.
 * @throws DomainError unprocessable (with the reason) when no appeal may be filed now; validation for missing grounds.
 */
export async function fileAppeal(
  db: Db,
  chain: AppealChain,
  app: ApplicationRow,
  input: { grounds: string; filedBy: "applicant" | "system" },
  now: Temporal.Instant,
): Promise<Appeal> {
  const grounds = nfcMultiline(input.grounds).slice(0, 4000);
  if (!grounds)
    throw new DomainError("validation", "Say why you are appealing", [
      { field: "grounds", code: "required" },
    ]);
  return db.transaction(async (tx) => {
    const e = await eligibility(tx, chain, app, now);
    if (!e.eligible) {
      const existing = (await appealsOf(tx, app.id)).at(-1);
      if (e.reason === "chain_complete" && existing && input.filedBy === "system") return existing;
      throw new DomainError("unprocessable", `No appeal can be filed now (${e.reason})`, [
        { field: "grounds", code: `appeal.${e.reason}` },
      ]);
    }
    const level = chain.levels[e.level - 1];
    if (!level) throw new Error("chain level missing");
    const [row] = await tx
      .insert(appeals)
      .values({
        applicationId: app.id,
        level: e.level,
        status: "filed",
        cause: e.cause,
        grounds,
        filedBy: input.filedBy,
        filedAt: now.toString(),
        decisionDue: decisionDue(chain, e.level, istDateOf(now)),
      })
      .onConflictDoNothing()
      .returning();
    if (!row) {
      const [existing] = await tx
        .select()
        .from(appeals)
        .where(and(eq(appeals.applicationId, app.id), eq(appeals.level, e.level)));
      if (!existing) throw new Error("appeal vanished");
      return existing;
    }
    const actor = input.filedBy === "system" ? "system:auto-appeal" : "applicant";
    await recordEvent(tx, {
      applicationId: app.id,
      at: now,
      action: e.level === 1 ? "appeal_filed" : "second_appeal_filed",
      status: app.status,
      remark: `${level.name.en}: ${grounds}`,
      actor,
      dueDate: app.dueDate,
    });
    await appendAudit(tx, {
      stream: `application:${app.id}`,
      actor,
      action: "appeal.filed",
      data: { appealId: row.id, level: e.level, cause: e.cause },
      at: now.toString(),
    });
    await emit(
      tx,
      "appeal.filed",
      {
        appealId: row.id,
        applicationId: app.id,
        reference: app.reference,
        level: e.level,
        mobile: app.mobile,
        notify: [level.role, "designated_officer"],
      },
      now.toString(),
    );
    return row;
  });
}

/** Appeals the actor may decide, open first, by decision due date. */
export async function appealInbox(q: Queryable, actor: Actor, chain: AppealChain) {
  const levels = chain.levels.filter((l) => can(actor.principal, l.permission)).map((l) => l.level);
  if (levels.length === 0) return [];
  const list = await q
    .select({ appeal: appeals, app: applications })
    .from(appeals)
    .innerJoin(applications, eq(applications.id, appeals.applicationId))
    .where(inArray(appeals.level, levels))
    .orderBy(sql`${appeals.decidedAt} is not null`, asc(appeals.decisionDue))
    .limit(500);
  return list.filter((r) =>
    mayOn(actor, r.appeal.level === 1 ? "appeal.decide.level1" : "appeal.decide.level2", r.app),
  );
}

/**
 * An appeal with its application, if the actor may decide it (else not_found).
 * @throws DomainError not_found.
 */
export async function appealForAuthority(
  q: Queryable,
  actor: Actor,
  appealId: number,
): Promise<{ appeal: Appeal; app: ApplicationRow }> {
  const [appeal] = Number.isSafeInteger(appealId)
    ? await q.select().from(appeals).where(eq(appeals.id, appealId))
    : [];
  const app = appeal ? await findApplicationById(q, appeal.applicationId) : undefined;
  if (
    !appeal ||
    !app ||
    !mayOn(actor, appeal.level === 1 ? "appeal.decide.level1" : "appeal.decide.level2", app)
  ) {
    throw new DomainError("not_found", "No such appeal");
  }
  return { appeal, app };
}

/**
 * Schedules (or moves) the hearing and records the notice to both sides.
 * @throws DomainError not_found, stale (version moved), invalid_transition (already decided), validation.
 */
export async function scheduleHearing(
  db: Db,
  actor: Actor,
  appealId: number,
  h: { at: Temporal.Instant; notice: string; version: number },
  now: Temporal.Instant,
): Promise<void> {
  const notice = nfcMultiline(h.notice).slice(0, 2000);
  if (!notice)
    throw new DomainError("validation", "Write the notice of hearing", [
      { field: "notice", code: "required" },
    ]);
  if (Temporal.Instant.compare(h.at, now) <= 0)
    throw new DomainError("validation", "The hearing must be in the future", [
      { field: "hearingDate", code: "past" },
    ]);
  await db.transaction(async (tx) => {
    const { appeal, app } = await appealForAuthority(tx, actor, appealId);
    if (appeal.decidedAt)
      throw new DomainError("invalid_transition", "This appeal is already decided");
    const [updated] = await tx
      .update(appeals)
      .set({
        status: "hearing_scheduled",
        hearingAt: h.at.toString(),
        hearingNotice: notice,
        version: sql`${appeals.version} + 1`,
      })
      .where(and(eq(appeals.id, appeal.id), eq(appeals.version, h.version)))
      .returning();
    if (!updated)
      throw new DomainError("stale", "Someone else changed this appeal. Reload it and try again.");
    const when = h.at
      .toZonedDateTimeISO("Asia/Kolkata")
      .toPlainDateTime()
      .toString()
      .slice(0, 16)
      .replace("T", " ");
    await recordEvent(tx, {
      applicationId: app.id,
      at: now,
      action: "hearing_scheduled",
      status: app.status,
      remark: `${when} IST. ${notice}`,
      actor: `official:${actor.officialId}`,
      dueDate: app.dueDate,
    });
    await appendAudit(tx, {
      stream: `application:${app.id}`,
      actor: `official:${actor.officialId}`,
      action: "appeal.hearing_scheduled",
      data: { appealId, at: h.at.toString() },
      at: now.toString(),
    });
    await emit(
      tx,
      "appeal.hearing",
      {
        appealId,
        applicationId: app.id,
        reference: app.reference,
        mobile: app.mobile,
        at: h.at.toString(),
        notify: ["applicant", "designated_officer"],
      },
      now.toString(),
    );
  });
}

/** An authority's order on an appeal. Money in paise. */
export type AppealOrder = {
  outcome: "deliver" | "dismiss";
  /** For `deliver`: working days the designated officer has to deliver. */
  days?: number;
  reasons: string;
  /** Level 2 with penalty powers: impose the penalty on this designated officer (name as on the order). */
  penaltyOn?: { officerName: string; officialId?: number | null };
  compensationPaise?: number;
  version: number;
};

/**
 * Decides an appeal: the order (a PDF on the application), its effect on the
 * application, and at level 2 any penalty and compensation entered in the register.
 * @throws DomainError not_found, stale, invalid_transition (already decided), validation (reasons, days, powers).
 */
export async function decideAppeal(
  db: Db,
  store: DocumentStore,
  chain: AppealChain,
  actor: Actor & { name: string; designation: string },
  appealId: number,
  order: AppealOrder,
  now: Temporal.Instant,
): Promise<Appeal> {
  const reasons = nfcMultiline(order.reasons).slice(0, 4000);
  if (!reasons)
    throw new DomainError("validation", "Give the reasons for the order", [
      { field: "reasons", code: "required" },
    ]);
  if (
    order.outcome === "deliver" &&
    (!Number.isInteger(order.days) || (order.days ?? 0) < 1 || (order.days ?? 0) > 90)
  ) {
    throw new DomainError("validation", "Give the working days to deliver, 1 to 90", [
      { field: "days", code: "range" },
    ]);
  }
  const compensation = order.compensationPaise ?? 0;
  if (!Number.isInteger(compensation) || compensation < 0)
    throw new DomainError("validation", "Compensation must be a whole amount", [
      { field: "compensation", code: "invalid" },
    ]);
  return db.transaction(async (tx) => {
    const { appeal, app } = await appealForAuthority(tx, actor, appealId);
    const level = chain.levels[appeal.level - 1];
    if (!level) throw new Error("chain level missing");
    if (appeal.decidedAt)
      throw new DomainError("invalid_transition", "This appeal is already decided");
    if (
      (order.penaltyOn && !level.powers.penalty) ||
      (compensation > 0 && !level.powers.compensation)
    ) {
      throw new DomainError(
        "validation",
        `${level.name.en} cannot impose a penalty or compensation`,
        [{ field: "penalty", code: "no_power" }],
      );
    }
    const today = istDateOf(now);
    const orderNumber = `${appeal.level === 1 ? "AA" : "RC"}/${app.reference.slice(0, 3)}/${today.slice(0, 4)}/${appeal.id}`;
    const [decided] = await tx
      .update(appeals)
      .set({
        status: "decided",
        outcome: order.outcome,
        orderText: reasons,
        orderNumber,
        deliverWithinDays: order.days ?? null,
        decidedAt: now.toString(),
        decidedBy: actor.officialId,
        version: sql`${appeals.version} + 1`,
      })
      .where(
        and(
          eq(appeals.id, appeal.id),
          eq(appeals.version, order.version),
          isNull(appeals.decidedAt),
        ),
      )
      .returning();
    if (!decided)
      throw new DomainError("stale", "Someone else changed this appeal. Reload it and try again.");

    let current = app;
    let deadline: string | undefined;
    if (order.outcome === "deliver") {
      deadline = addWorkingDays(
        await loadCalendar(tx, app.districtCode),
        today,
        order.days as number,
      );
      if (app.status !== "approved") current = await applyAppellateOrder(tx, app, deadline, now);
    }
    const lines = [reasons];
    if (deadline)
      lines.push(
        `The designated officer shall deliver the service within ${order.days} working days, by ${deadline}.`,
      );
    let penalty: Penalty | undefined;
    if (order.penaltyOn) {
      const dueDate = (await statutoryDueDate(tx, app, now)) ?? today;
      const until = app.status === "approved" ? (dateOf(app.decidedAt) ?? today) : today;
      const days = daysOfDelay(dueDate, until);
      const amount = penaltyPaise(chain, days);
      [penalty] = await tx
        .insert(penalties)
        .values({
          appealId: appeal.id,
          applicationId: app.id,
          officialId: order.penaltyOn.officialId ?? null,
          officerName: nfcMultiline(order.penaltyOn.officerName).slice(0, 200),
          daysLate: days,
          amountPaise: amount,
          compensationPaise: compensation,
          status: "imposed",
          createdAt: now.toString(),
          updatedAt: now.toString(),
        })
        .returning();
      lines.push(
        `A penalty of Rs ${(amount / 100).toFixed(2)} (${days} days of delay) is imposed on ${order.penaltyOn.officerName}.`,
      );
    }
    if (compensation > 0)
      lines.push(
        `Compensation of Rs ${(compensation / 100).toFixed(2)} is awarded to the applicant.`,
      );

    const pdf = await renderOrderPdf({
      orderNumber,
      date: today,
      authority: { name: actor.name, designation: `${actor.designation}, ${level.name.en}` },
      applicationReference: app.reference,
      heading: {
        en:
          order.outcome === "deliver"
            ? "Order on appeal: service to be delivered"
            : "Order on appeal: appeal dismissed",
        pa: order.outcome === "deliver" ? "ਅਪੀਲ 'ਤੇ ਹੁਕਮ: ਸੇਵਾ ਦਿੱਤੀ ਜਾਵੇ" : "ਅਪੀਲ 'ਤੇ ਹੁਕਮ: ਅਪੀਲ ਖ਼ਾਰਜ",
      },
      body: lines,
      createdAt: now,
    });
    const sha256 = await store.put(pdf);
    await addOrderDocument(
      tx,
      app.id,
      { filename: `order-${orderNumber.replace(/\//g, "-")}.pdf`, size: pdf.length, sha256 },
      now,
    );

    const actorId = `official:${actor.officialId}`;
    await recordEvent(tx, {
      applicationId: app.id,
      at: now,
      action: order.outcome === "deliver" ? "appeal_ordered" : "appeal_dismissed",
      status: current.status,
      remark: `${orderNumber}: ${lines.join(" ")}`,
      actor: actorId,
      dueDate: current.dueDate,
    });
    if (penalty)
      await recordEvent(tx, {
        applicationId: app.id,
        at: now,
        action: "penalty_imposed",
        status: current.status,
        remark: `Rs ${(penalty.amountPaise / 100).toFixed(2)}`,
        actor: actorId,
        dueDate: current.dueDate,
      });
    await appendAudit(tx, {
      stream: `application:${app.id}`,
      actor: actorId,
      action: "appeal.decided",
      data: {
        appealId: appeal.id,
        level: appeal.level,
        outcome: order.outcome,
        orderNumber,
        deadline,
        penaltyPaise: penalty?.amountPaise,
        compensationPaise: compensation,
      },
      at: now.toString(),
    });
    await emit(
      tx,
      "appeal.decided",
      {
        appealId: appeal.id,
        applicationId: app.id,
        reference: app.reference,
        mobile: app.mobile,
        outcome: order.outcome,
        deadline,
        notify: ["applicant", "designated_officer"],
      },
      now.toString(),
    );
    return decided;
  });
}

/** The penalty register, newest first, with each application's reference. */
export async function penaltyRegister(q: Queryable) {
  return rows<Penalty & { reference: string; level: number }>(
    q,
    sql`select p.id, p.appeal_id as "appealId", p.application_id as "applicationId", p.official_id as "officialId", p.officer_name as "officerName",
               p.days_late as "daysLate", p.amount_paise::int as "amountPaise", p.compensation_paise::int as "compensationPaise", p.status,
               p.status_note as "statusNote", p.created_at as "createdAt", p.updated_at as "updatedAt", a.reference, ap.level
        from penalties p join applications a on a.id = p.application_id join appeals ap on ap.id = p.appeal_id
        order by p.id desc limit 1000`,
  );
}

/**
 * Marks a penalty recovered, or waived on revision, with a note. Audited.
 * @throws DomainError not_found, invalid_transition (not in `imposed`), validation (note).
 */
export async function setPenaltyStatus(
  db: Db,
  actor: Actor,
  penaltyId: number,
  status: "recovered" | "waived",
  note: string,
  now: Temporal.Instant,
): Promise<void> {
  const text = nfcMultiline(note).slice(0, 1000);
  if (!text)
    throw new DomainError("validation", "Add a note", [{ field: "note", code: "required" }]);
  await db.transaction(async (tx) => {
    const [p] = await tx.select().from(penalties).where(eq(penalties.id, penaltyId));
    const app = p ? await findApplicationById(tx, p.applicationId) : undefined;
    if (!p || !app || !mayOn(actor, "penalty.manage", app))
      throw new DomainError("not_found", "No such penalty");
    const [u] = await tx
      .update(penalties)
      .set({ status, statusNote: text, updatedAt: now.toString() })
      .where(and(eq(penalties.id, penaltyId), eq(penalties.status, "imposed")))
      .returning();
    if (!u)
      throw new DomainError(
        "invalid_transition",
        "Only an imposed penalty can be marked recovered or waived",
      );
    await appendAudit(tx, {
      stream: `application:${app.id}`,
      actor: `official:${actor.officialId}`,
      action: `penalty.${status}`,
      data: { penaltyId, note: text },
      at: now.toString(),
    });
  });
}

/**
 * Auto-appeal (as Haryana and Jammu & Kashmir run it): files the first appeal
 * for every open application whose breach has been recorded and that has none.
 * Idempotent. Returns how many appeals were filed.
 */
export async function autoAppealBreaches(
  db: Db,
  chain: AppealChain,
  now: Temporal.Instant,
): Promise<number> {
  const candidates = await rows<{ id: number }>(
    db,
    sql`select a.id from applications a where a.overdue_since is not null and a.status in ('submitted', 'resubmitted')
        and not exists (select 1 from appeals p where p.application_id = a.id and p.level = 1) order by a.id limit 1000`,
  );
  let filed = 0;
  for (const c of candidates) {
    const app = await findApplicationById(db, Number(c.id));
    if (!app) continue;
    try {
      await fileAppeal(
        db,
        chain,
        app,
        {
          grounds: "Filed automatically: the time limit passed without delivery.",
          filedBy: "system",
        },
        now,
      );
      filed++;
    } catch (e) {
      if (!(e instanceof DomainError)) throw e;
    }
  }
  return filed;
}
