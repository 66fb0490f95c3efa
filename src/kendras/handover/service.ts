/**
 * Handing outputs over in person (issue 9): a certificate of an application
 * filed at a Sewa Kendra or the doorstep is handed to the applicant at a
 * counter, or at the doorstep by a facilitator (Sewa Sahayak), against a
 * one-time code sent to the applicant's mobile.
 *
 * - Ready: the `handovers` row is written in the approval's transaction
 *   (ready.ts, called by src/certificates/service.ts `issueCertificate`).
 * - Code: {@link sendHandoverCode} issues a `handover` OTP bound to the
 *   reference number (src/identity/otp.ts: 6 digits, 10 minutes, 5 attempts,
 *   a new one at most every 30 s) and sends it by SMS in the applicant's
 *   language. The code is sent directly, never through the outbox, so it is
 *   not kept in the delivery log.
 * - Handover: {@link handOver} checks the code and, in one transaction,
 *   marks the row `handed_over` (who, where, when), appends the public
 *   timeline entry, the audit record and the feedback request. A handed-over
 *   output cannot be handed over again (the attempt is refused, nothing changes).
 * - Uncollected: {@link listUncollected} (oldest first, days waiting in
 *   calendar days) and {@link remindUncollected}: ONE SMS per output ready
 *   for {@link REMIND_AFTER_DAYS} calendar days or more, `remindedAt` written
 *   in the same transaction as the outbox event (idempotent).
 */
import { sql } from "drizzle-orm";
import { Temporal } from "temporal-polyfill";
import {
  findApplicationByReference,
  normaliseReference,
  recordEvent,
} from "../../applications/service.ts";
import { appendAudit } from "../../audit/service.ts";
import { DomainError } from "../../common/errors.ts";
import { toAsciiDigits } from "../../common/text.ts";
import { isoOf } from "../../common/time.ts";
import { type Db, type Queryable, rows } from "../../db/client.ts";
import { derivedKey } from "../../identity/citizens.ts";
import { issueOtp, verifyOtp } from "../../identity/otp.ts";
import { emit } from "../../notifications/outbox.ts";
import type { SmsSender } from "../../notifications/sms.ts";
import { isNotifyLang, type NotifyLang, render } from "../../notifications/templates.ts";
import { istDateOf, startOfIstDay } from "../../sla/clock.ts";
import { askForFeedback, kendraNames } from "../feedback/service.ts";

/** Calendar days after which an uncollected output gets its one SMS reminder. */
export const REMIND_AFTER_DAYS = 30;

/** Names in the portal's three languages. */
export type Names = { en: string; pa: string; hi: string };

/** An output to hand over, as the counter page shows it (mobile masked). */
export type HandoverDetails = {
  applicationId: number;
  reference: string;
  applicantName: string;
  /** `XXXXXX1234`. */
  mobileMasked: string;
  districtCode: number;
  tehsilCode: number;
  departmentId: number;
  service: Names;
  channel: string;
  status: "ready" | "handed_over";
  readyAt: string;
  /** The filing centre while ready; where it was handed over afterwards. */
  kendraCode: string | null;
  counter: number | null;
  visitId: number | null;
  handedOverAt: string | null;
  handedOverBy: string | null;
  remindedAt: string | null;
  /** The certificate that stands (not revoked, not replaced), if any. */
  certificate: { serial: string; documentId: string | null } | null;
};

/** `9876501234` → `XXXXXX1234` (lists and pages that need no full number). */
export function maskMobile(mobile: string): string {
  return mobile.length > 4 ? `${"X".repeat(mobile.length - 4)}${mobile.slice(-4)}` : "XXXX";
}

/** Calendar days from the IST date of `from` to the IST date of `to` (0 on the same day). */
export function calendarDaysBetween(from: Temporal.Instant, to: Temporal.Instant): number {
  return Temporal.PlainDate.from(istDateOf(from)).until(Temporal.PlainDate.from(istDateOf(to)), {
    largestUnit: "days",
  }).days;
}

type DetailsRow = {
  application_id: number;
  reference: string;
  applicant_name: string;
  mobile: string;
  district_code: number;
  tehsil_code: number;
  department_id: number;
  name_en: string;
  name_pa: string | null;
  name_hi: string | null;
  channel: string;
  status: string;
  ready_at: string;
  kendra_code: string | null;
  counter: number | null;
  visit_id: number | null;
  handed_over_at: string | null;
  handed_over_by: string | null;
  reminded_at: string | null;
  serial: string | null;
  document_id: string | null;
};

async function detailsRow(q: Queryable, reference: string, lock = false) {
  const [r] = await rows<DetailsRow>(
    q,
    sql`select a.id as application_id, a.reference, a.applicant_name, a.mobile, a.district_code,
          a.tehsil_code, a.department_id, s.name as name_en, s.name_pa, s.name_hi, a.channel,
          h.status, h.ready_at::text as ready_at, h.kendra_code, h.counter, h.visit_id,
          h.handed_over_at::text as handed_over_at, o.name as handed_over_by,
          h.reminded_at::text as reminded_at, c.serial, c.document_id::text as document_id
        from handovers h
        join applications a on a.id = h.application_id
        join services s on s.id = a.service_id
        left join officials o on o.id = h.handed_over_by
        left join lateral (
          select serial, document_id from certificates
          where application_id = a.id and revoked_at is null and replaced_by is null
          order by issue_number desc limit 1
        ) c on true
        where a.reference = ${reference}
        ${lock ? sql`for update of h` : sql``}`,
  );
  return r;
}

function toDetails(r: DetailsRow): HandoverDetails {
  return {
    applicationId: Number(r.application_id),
    reference: r.reference,
    applicantName: r.applicant_name,
    mobileMasked: maskMobile(r.mobile),
    districtCode: Number(r.district_code),
    tehsilCode: Number(r.tehsil_code),
    departmentId: Number(r.department_id),
    service: { en: r.name_en, pa: r.name_pa || r.name_en, hi: r.name_hi || r.name_en },
    channel: r.channel,
    status: r.status === "handed_over" ? "handed_over" : "ready",
    readyAt: isoOf(r.ready_at),
    kendraCode: r.kendra_code,
    counter: r.counter === null ? null : Number(r.counter),
    visitId: r.visit_id === null ? null : Number(r.visit_id),
    handedOverAt: r.handed_over_at ? isoOf(r.handed_over_at) : null,
    handedOverBy: r.handed_over_by,
    remindedAt: r.reminded_at ? isoOf(r.reminded_at) : null,
    certificate: r.serial ? { serial: r.serial, documentId: r.document_id } : null,
  };
}

/**
 * The output to hand over for a reference number (typed in any usual form:
 * case, spaces, dashes and Indic digits are accepted), or undefined when the
 * reference is unknown or its application is not handed over in person.
 * Authorization is the caller's (the record's district, tehsil and department are returned).
 */
export async function findHandover(
  q: Queryable,
  reference: string,
): Promise<HandoverDetails | undefined> {
  const ref = normaliseReference(reference);
  const r = ref ? await detailsRow(q, ref) : undefined;
  return r ? toDetails(r) : undefined;
}

/** The language of the citizen with this mobile (their account's), else Punjabi. */
async function langOf(q: Queryable, mobile: string): Promise<NotifyLang> {
  const [c] = await rows<{ lang: string | null }>(
    q,
    sql`select lang from citizens where mobile = ${mobile}`,
  );
  return isNotifyLang(c?.lang) ? c.lang : "pa";
}

/**
 * Sends the applicant a handover code for the output of `reference`: a
 * `handover` OTP bound to the reference (src/identity/otp.ts), by SMS to the
 * application's mobile, in the applicant's language ("Your <service>
 * certificate <reference> is ready. Code …", DLT template `handover_code`).
 * @param secret the server secret (`config.secretKey`); the OTP key is derived from it.
 * @returns the masked mobile number the code went to.
 * @throws DomainError not_found (unknown reference, or not handed over in person),
 *   invalid_transition (already handed over: field `reference`, code `handover.already`),
 *   conflict (a code was sent less than 30 s ago: field `mobile`, code `otp.wait`),
 *   unprocessable (10 codes today for this mobile: `otp.daily_limit`).
 */
export async function sendHandoverCode(
  db: Db,
  sms: SmsSender,
  secret: string,
  reference: string,
  now: Temporal.Instant,
): Promise<{ mobileMasked: string }> {
  const { mobile, text } = await db.transaction(async (tx) => {
    const ref = normaliseReference(reference);
    const r = ref ? await detailsRow(tx, ref) : undefined;
    if (!r) throw new DomainError("not_found", "No output to hand over for this reference number");
    if (r.status === "handed_over") throw alreadyHandedOver(r);
    const app = (await findApplicationByReference(tx, r.reference)) as { mobile: string };
    const code = await issueOtp(tx, derivedKey(secret, "otp"), app.mobile, now, {
      purpose: "handover",
      subject: r.reference,
    });
    const lang = await langOf(tx, app.mobile);
    const d = toDetails(r);
    const text = render("handover.code", lang, {
      reference: r.reference,
      service: d.service,
      code,
    });
    if (!text) throw new Error("handover_code template missing");
    return { mobile: app.mobile, text: text.sms };
  });
  await sms.send({ to: mobile, text: text.text, templateId: text.templateId });
  return { mobileMasked: maskMobile(mobile) };
}

function alreadyHandedOver(r: Pick<DetailsRow, "handed_over_at">): DomainError {
  return new DomainError("invalid_transition", "This output has already been handed over", [
    {
      field: "reference",
      code: "handover.already",
      params: { at: r.handed_over_at ? isoOf(r.handed_over_at) : "" },
    },
  ]);
}

/** Where and by whom an output is handed over, and the applicant's code. */
export type HandoverInput = {
  /** The server secret (`config.secretKey`); the OTP key is derived from it. */
  secret: string;
  reference: string;
  /** The 6-digit code the applicant read from their SMS (Indic digits accepted). */
  code: string;
  /** The operator or facilitator handing it over. */
  officialId: number;
  /** At a counter: the centre and counter (src/kendras/counter-seat.ts). */
  kendraCode?: string | null;
  counter?: number | null;
  /** At the doorstep: the delivery visit (`doorstep_visits.id`). */
  visitId?: number | null;
  now: Temporal.Instant;
};

/** A completed handover. */
export type HandoverResult = {
  reference: string;
  handedOverAt: string;
  kendraCode: string | null;
  counter: number | null;
  visitId: number | null;
  /** The feedback link token sent to the applicant (src/kendras/feedback/). */
  feedbackToken: string;
};

/**
 * Hands the output of `reference` over against the applicant's code, in one
 * transaction: the `handovers` row becomes `handed_over` (by, at, where: the
 * centre and counter, or the visit), the public timeline gets "Handed over at
 * Sewa Kendra X, counter N" (action `handed_over`) or "Handed over at the
 * doorstep" (`handed_over_doorstep`), the audit log `output.handed_over`, and
 * the applicant is asked for feedback (one SMS). A wrong code writes nothing
 * but the attempt count of the code (5 attempts: src/identity/otp.ts).
 * `db` may be a transaction (a savepoint is used), e.g. a doorstep visit's.
 * @throws DomainError not_found (unknown reference, or not handed over in person);
 *   invalid_transition (already handed over: field `reference`, code `handover.already`, nothing changes);
 *   validation (field `code`: `required`, or `handover.wrong_code` for a wrong, expired or spent code);
 *   validation (field `place`, code `required`) when neither a centre nor a visit is given.
 */
export async function handOver(db: Db, input: HandoverInput): Promise<HandoverResult> {
  const { now } = input;
  const kendraCode = input.kendraCode ?? null;
  const counter = input.counter ?? null;
  const visitId = input.visitId ?? null;
  if (kendraCode === null && visitId === null)
    throw new DomainError("validation", "Say where the output is handed over", [
      { field: "place", code: "required" },
    ]);
  const code = input.code.replace(/\s+/g, "");
  if (!code)
    throw new DomainError("validation", "Enter the code the applicant received", [
      { field: "code", code: "required" },
    ]);
  const outcome = await db.transaction(async (tx) => {
    const ref = normaliseReference(input.reference);
    const r = ref ? await detailsRow(tx, ref, true) : undefined;
    if (!r) throw new DomainError("not_found", "No output to hand over for this reference number");
    if (r.status === "handed_over") throw alreadyHandedOver(r);
    const app = (await findApplicationByReference(tx, r.reference)) as {
      id: number;
      mobile: string;
      status: string;
    };
    const ok = await verifyOtp(
      tx,
      derivedKey(input.secret, "otp"),
      app.mobile,
      toAsciiDigits(code),
      now,
      {
        purpose: "handover",
        subject: r.reference,
      },
    );
    // The attempt is counted (committed); nothing else is written.
    if (!ok) return { wrong: true as const };
    const at = now.toString();
    const updated = await rows<{ application_id: number }>(
      tx,
      sql`update handovers set status = 'handed_over', handed_over_at = ${at},
            handed_over_by = ${input.officialId}, kendra_code = ${kendraCode ?? r.kendra_code},
            counter = ${counter}, visit_id = ${visitId}
          where application_id = ${app.id} and status = 'ready' returning application_id`,
    );
    if (updated.length === 0) throw alreadyHandedOver(r);
    await recordEvent(tx, {
      applicationId: app.id,
      at: now,
      action: visitId !== null ? "handed_over_doorstep" : "handed_over",
      status: app.status,
      actor: `official:${input.officialId}`,
    });
    await appendAudit(tx, {
      stream: `application:${app.id}`,
      actor: `official:${input.officialId}`,
      action: "output.handed_over",
      data: {
        reference: r.reference,
        serial: r.serial,
        kendraCode: kendraCode ?? r.kendra_code,
        counter,
        visitId,
      },
      at,
    });
    const feedback = await askForFeedback(tx, {
      mobile: app.mobile,
      applicationId: app.id,
      kendraCode: visitId !== null ? null : kendraCode,
      counter: visitId !== null ? null : counter,
      visitId,
      now,
    });
    return {
      wrong: false as const,
      result: {
        reference: r.reference,
        handedOverAt: isoOf(at),
        kendraCode: kendraCode ?? r.kendra_code,
        counter,
        visitId,
        feedbackToken: feedback.token,
      },
    };
  });
  if (outcome.wrong)
    throw new DomainError("validation", "The code is not right, or has expired", [
      { field: "code", code: "handover.wrong_code" },
    ]);
  return outcome.result;
}

/** An output waiting at a centre. */
export type UncollectedItem = {
  reference: string;
  applicantName: string;
  mobileMasked: string;
  service: Names;
  readyAt: string;
  /** Calendar days since it was ready (IST dates). */
  daysWaiting: number;
  remindedAt: string | null;
  serial: string | null;
};

/**
 * Outputs of `kendraCode` that are ready and not handed over, oldest first,
 * with the calendar days they have waited as of `now`, and whether the
 * reminder was sent. At most `limit` (default 1000).
 */
export async function listUncollected(
  q: Queryable,
  kendraCode: string,
  now: Temporal.Instant,
  limit = 1000,
): Promise<UncollectedItem[]> {
  const list = await rows<{
    reference: string;
    applicant_name: string;
    mobile: string;
    name_en: string;
    name_pa: string | null;
    name_hi: string | null;
    ready_at: string;
    reminded_at: string | null;
    serial: string | null;
  }>(
    q,
    sql`select a.reference, a.applicant_name, a.mobile, s.name as name_en, s.name_pa, s.name_hi,
          h.ready_at::text as ready_at, h.reminded_at::text as reminded_at, c.serial
        from handovers h
        join applications a on a.id = h.application_id
        join services s on s.id = a.service_id
        left join lateral (
          select serial from certificates
          where application_id = a.id and revoked_at is null and replaced_by is null
          order by issue_number desc limit 1
        ) c on true
        where h.status = 'ready' and h.kendra_code = ${kendraCode}
        order by h.ready_at, a.id limit ${limit}`,
  );
  return list.map((r) => {
    const readyAt = isoOf(r.ready_at);
    return {
      reference: r.reference,
      applicantName: r.applicant_name,
      mobileMasked: maskMobile(r.mobile),
      service: { en: r.name_en, pa: r.name_pa || r.name_en, hi: r.name_hi || r.name_en },
      readyAt,
      daysWaiting: calendarDaysBetween(Temporal.Instant.from(readyAt), now),
      remindedAt: r.reminded_at ? isoOf(r.reminded_at) : null,
      serial: r.serial,
    };
  });
}

/**
 * Sends the reminder of every output ready for {@link REMIND_AFTER_DAYS}
 * calendar days or more (IST dates) and not yet reminded: for each, in one
 * transaction, `remindedAt` is set (only if still null) and a
 * `handover.reminder` outbox event is written, from which the notification
 * consumer sends ONE SMS (and an email when the form has one). Running it
 * twice, or on two nodes at once, reminds each output once.
 * @returns how many outputs were reminded by this run.
 */
export async function remindUncollected(
  db: Db,
  now: Temporal.Instant,
): Promise<{ reminded: number }> {
  // Ready on or before (today − 30 days) ⇔ ready before the start of (today − 29 days), IST.
  const cutoff = startOfIstDay(
    Temporal.PlainDate.from(istDateOf(now)).subtract({ days: REMIND_AFTER_DAYS - 1 }),
  ).toString();
  const due = await rows<{ application_id: number }>(
    db,
    sql`select application_id from handovers
        where status = 'ready' and reminded_at is null and ready_at < ${cutoff}
        order by ready_at, application_id`,
  );
  let reminded = 0;
  for (const { application_id } of due) {
    const done = await db.transaction(async (tx) => {
      const [r] = await rows<{
        reference: string;
        mobile: string;
        name_en: string;
        name_pa: string | null;
        name_hi: string | null;
        kendra_code: string | null;
        ready_at: string;
      }>(
        tx,
        sql`update handovers h set reminded_at = ${now.toString()}
            from applications a, services s
            where h.application_id = ${Number(application_id)} and a.id = h.application_id
              and s.id = a.service_id and h.status = 'ready' and h.reminded_at is null
            returning a.reference, a.mobile, s.name as name_en, s.name_pa, s.name_hi, h.kendra_code,
              h.ready_at::text as ready_at`,
      );
      if (!r) return false;
      const kendra = r.kendra_code ? await kendraNames(tx, r.kendra_code) : undefined;
      await emit(
        tx,
        "handover.reminder",
        {
          applicationId: Number(application_id),
          reference: r.reference,
          mobile: r.mobile,
          service: { en: r.name_en, pa: r.name_pa || r.name_en, hi: r.name_hi || r.name_en },
          ...(kendra ? { kendra } : {}),
          readyOn: istDateOf(Temporal.Instant.from(isoOf(r.ready_at))),
        },
        now.toString(),
      );
      return true;
    });
    if (done) reminded++;
  }
  return { reminded };
}
