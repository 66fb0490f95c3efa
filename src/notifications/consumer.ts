/**
 * The notification consumer of the transactional outbox (ARCHITECTURE.md §4).
 *
 * {@link processOutbox} claims unprocessed events with `FOR UPDATE SKIP
 * LOCKED` (so concurrent workers take disjoint batches), decides the
 * recipients of each, writes one `messages` row per (event, recipient,
 * channel) with `ON CONFLICT DO NOTHING`, and marks the event processed, all
 * in one transaction. After commit it sends only the rows its own insert
 * created. Because that unique index, not the event's `processed_at`, decides
 * who sends, an event delivered twice, re-run after a crash, or picked up by
 * two workers calls the provider once (C-21).
 *
 * Recipients:
 * - the applicant (payload `mobile`): an SMS in the citizen's language
 *   (`citizens.lang` for that mobile, else Punjabi), and an email in the same
 *   language when the application's form has `applicant.email` and an email
 *   sender is configured;
 * - officers, for `application.overdue` and `application.at_risk`: officials
 *   have no contact details in the schema yet, so these go to the `console`
 *   channel (the log, in English), addressed to the roles in the payload's
 *   `notify` and the district. Officers see appeals on their desk.
 *
 * Sending: each attempt first takes a lease (`next_attempt_at` = now + 5
 * minutes, `attempts` + 1) so no other worker retries the row meanwhile. A
 * failed attempt is retried after 1, 2, 4, 8 minutes (exponential back-off,
 * {@link backoffSeconds}); after {@link MAX_ATTEMPTS} attempts, or on a
 * permanent refusal by the provider, the row stays `failed` with no next
 * attempt, and the admin page lists it first.
 */
import { sql } from "drizzle-orm";
import type { Temporal } from "temporal-polyfill";
import { type Db, type Queryable, rows } from "../db/client.ts";
import type { EmailSender } from "./email.ts";
import { SendError, type SendReceipt, type SmsSender } from "./sms.ts";
import { smsParts } from "./sms-parts.ts";
import { isNotifyLang, type NotifyLang, render } from "./templates.ts";

/** The channels messages go out on. */
export type Senders = {
  sms: SmsSender;
  /** Absent: no email is sent (env `SEWA_SMTP_URL` unset). */
  email?: EmailSender;
  /** Where officer notifications are written (default `console.log`). */
  console?: (line: string) => void;
};

/** Attempts before a message is failed permanently. */
export const MAX_ATTEMPTS = 5;
/** Seconds a worker holds a message while sending it. */
export const LEASE_SECONDS = 300;
/** Events per claimed batch. */
export const OUTBOX_BATCH = 50;

/** Seconds to wait after failed attempt number `attempts` (1-based): 60 × 2^(attempts−1). */
export function backoffSeconds(attempts: number): number {
  return 60 * 2 ** Math.max(0, attempts - 1);
}

/** A delivery-log row, as read back. */
export type MessageRow = {
  id: number;
  event_id: string;
  topic: string;
  channel: "sms" | "email" | "console";
  recipient: string;
  lang: string;
  template_id: string | null;
  subject: string | null;
  body: string;
  status: "queued" | "sent" | "delivered" | "failed";
  attempts: number;
  next_attempt_at: string | null;
  last_error: string | null;
};

type Planned = {
  channel: MessageRow["channel"];
  recipient: string;
  lang: NotifyLang;
  templateId: string | null;
  subject: string | null;
  body: string;
};

/** The language of the citizen with this mobile, else Punjabi. */
async function langOf(q: Queryable, mobile: string): Promise<NotifyLang> {
  const [c] = await rows<{ lang: string | null }>(
    q,
    sql`select lang from citizens where mobile = ${mobile}`,
  );
  return isNotifyLang(c?.lang) ? c.lang : "pa";
}

/** The applicant's email from the application form, if any. */
async function emailOf(q: Queryable, applicationId: unknown): Promise<string | undefined> {
  if (applicationId === undefined || applicationId === null) return undefined;
  const [a] = await rows<{ email: string | null }>(
    q,
    sql`select form_data->'applicant'->>'email' as email from applications where id = ${Number(applicationId)}`,
  );
  const email = a?.email?.trim();
  return email && /^[^\s@]+@[^\s@]+$/.test(email) ? email : undefined;
}

/** The messages an event calls for (module comment). */
async function plan(
  q: Queryable,
  topic: string,
  payload: Record<string, unknown>,
  withEmail: boolean,
): Promise<Planned[]> {
  if (topic === "application.overdue" || topic === "application.at_risk") {
    const r = render(topic, "en", payload);
    if (!r) return [];
    const roles = Array.isArray(payload.notify) ? payload.notify.join("+") : "officers";
    return [
      {
        channel: "console",
        recipient: `${roles}@district:${payload.districtCode ?? "?"}`,
        lang: "en",
        templateId: null,
        subject: r.email.subject,
        body: r.email.text,
      },
    ];
  }
  const mobile = typeof payload.mobile === "string" ? payload.mobile : undefined;
  if (!mobile) return [];
  const lang = await langOf(q, mobile);
  const r = render(topic, lang, payload);
  if (!r) return [];
  const out: Planned[] = [
    {
      channel: "sms",
      recipient: mobile,
      lang,
      templateId: r.sms.templateId,
      subject: null,
      body: r.sms.text,
    },
  ];
  const email = withEmail ? await emailOf(q, payload.applicationId) : undefined;
  if (email)
    out.push({
      channel: "email",
      recipient: email,
      lang,
      templateId: null,
      subject: r.email.subject,
      body: r.email.text,
    });
  return out;
}

/** Outcome counts of a run. */
export type RunCounts = { events: number; sent: number; failed: number };

/**
 * Drains unprocessed outbox events in batches of `batch` and sends the
 * messages they call for (module comment). Safe to run concurrently and to
 * re-run: each (event, recipient, channel) is sent at most once (C-21).
 * `now` stamps the rows and the events.
 */
export async function processOutbox(
  db: Db,
  senders: Senders,
  now: Temporal.Instant,
  batch = OUTBOX_BATCH,
): Promise<RunCounts> {
  const at = now.toString();
  const counts: RunCounts = { events: 0, sent: 0, failed: 0 };
  for (;;) {
    const { claimed, inserted } = await db.transaction(async (tx) => {
      const events = await rows<{ id: string; topic: string; payload: Record<string, unknown> }>(
        tx,
        sql`select id, topic, payload from outbox_events where processed_at is null
            order by created_at, id limit ${batch} for update skip locked`,
      );
      const ids: number[] = [];
      for (const e of events) {
        for (const m of await plan(tx, e.topic, e.payload, senders.email !== undefined)) {
          const size = m.channel === "sms" ? smsParts(m.body) : undefined;
          const [row] = await rows<{ id: number }>(
            tx,
            sql`insert into messages (event_id, topic, channel, recipient, lang, template_id, subject, body,
                  encoding, units, parts, status, attempts, next_attempt_at, created_at, updated_at)
                values (${e.id}, ${e.topic}, ${m.channel}, ${m.recipient}, ${m.lang}, ${m.templateId},
                  ${m.subject}, ${m.body}, ${size?.encoding ?? null}, ${size?.units ?? null},
                  ${size?.parts ?? null}, 'queued', 0, ${at}, ${at}, ${at})
                on conflict (event_id, recipient, channel) do nothing returning id`,
          );
          if (row) ids.push(Number(row.id));
        }
        await tx.execute(
          sql`update outbox_events set processed_at = ${at} where id = ${e.id} and processed_at is null`,
        );
      }
      return { claimed: events.length, inserted: ids };
    });
    counts.events += claimed;
    if (inserted.length > 0) {
      const r = await deliver(
        db,
        senders,
        now,
        sql`id in (${sql.join(
          inserted.map((i) => sql`${i}`),
          sql`, `,
        )})`,
      );
      counts.sent += r.sent;
      counts.failed += r.failed;
    }
    if (claimed < batch) return counts;
  }
}

/**
 * Sends the messages whose retry is due (`status` queued or failed,
 * `next_attempt_at` ≤ `now`), at most `batch` of them; concurrent runs take
 * disjoint rows.
 */
export async function retryFailed(
  db: Db,
  senders: Senders,
  now: Temporal.Instant,
  batch = OUTBOX_BATCH,
): Promise<Omit<RunCounts, "events">> {
  return deliver(
    db,
    senders,
    now,
    sql`id in (select id from messages where status in ('queued', 'failed')
        and next_attempt_at is not null and next_attempt_at <= ${now.toString()}
        order by next_attempt_at, id limit ${batch} for update skip locked)`,
  );
}

/** Leases the rows matching `which` that are due, sends each, records the outcome. */
async function deliver(
  db: Db,
  senders: Senders,
  now: Temporal.Instant,
  which: ReturnType<typeof sql>,
): Promise<Omit<RunCounts, "events">> {
  const at = now.toString();
  const lease = now.add({ seconds: LEASE_SECONDS }).toString();
  const claimed = await rows<MessageRow>(
    db,
    sql`update messages set attempts = attempts + 1, next_attempt_at = ${lease}, updated_at = ${at}
        where ${which} and status in ('queued', 'failed') and next_attempt_at is not null
          and next_attempt_at <= ${at}
        returning id, event_id, topic, channel, recipient, lang, template_id, subject, body, status,
          attempts, next_attempt_at, last_error`,
  );
  let sent = 0;
  let failed = 0;
  for (const m of claimed) {
    try {
      const receipt = await sendOne(senders, m);
      await db.execute(
        sql`update messages set status = 'sent', sent_at = ${at}, updated_at = ${at}, next_attempt_at = null,
              last_error = null, provider_message_id = ${receipt?.providerMessageId ?? null}
            where id = ${m.id}`,
      );
      sent++;
    } catch (e) {
      const permanent = (e instanceof SendError && e.permanent) || m.attempts >= MAX_ATTEMPTS;
      const next = permanent ? null : now.add({ seconds: backoffSeconds(m.attempts) }).toString();
      const reason = (e instanceof Error ? e.message : String(e)).slice(0, 500);
      await db.execute(
        sql`update messages set status = 'failed', updated_at = ${at}, next_attempt_at = ${next},
              last_error = ${reason} where id = ${m.id}`,
      );
      failed++;
    }
  }
  return { sent, failed };
}

// biome-ignore lint/suspicious/noConfusingVoidType: adapters that return nothing (no provider id) stay valid
async function sendOne(senders: Senders, m: MessageRow): Promise<void | SendReceipt> {
  if (m.channel === "sms")
    return senders.sms.send({
      to: m.recipient,
      text: m.body,
      templateId: m.template_id ?? undefined,
    });
  if (m.channel === "email") {
    if (!senders.email) throw new SendError("no email sender configured", false);
    return senders.email.send({
      to: m.recipient,
      subject: m.subject ?? "",
      text: m.body,
      lang: m.lang,
    });
  }
  (senders.console ?? ((l: string) => console.log(l)))(
    `[notify ${m.recipient}] ${m.subject ?? ""}: ${m.body}`,
  );
}

/**
 * Records a provider's delivery report for the message it knows as
 * `providerMessageId`: `delivered`, or `failed` (final, no retry).
 * @returns whether a message matched.
 */
export async function recordDeliveryReport(
  db: Db,
  report: { providerMessageId: string; status: "delivered" | "failed"; error?: string },
  now: Temporal.Instant,
): Promise<boolean> {
  const at = now.toString();
  const updated =
    report.status === "delivered"
      ? await rows<{ id: number }>(
          db,
          sql`update messages set status = 'delivered', delivered_at = ${at}, updated_at = ${at}
              where provider_message_id = ${report.providerMessageId} returning id`,
        )
      : await rows<{ id: number }>(
          db,
          sql`update messages set status = 'failed', next_attempt_at = null, updated_at = ${at},
                last_error = ${(report.error ?? "undelivered (provider report)").slice(0, 500)}
              where provider_message_id = ${report.providerMessageId} returning id`,
        );
  return updated.length > 0;
}

/** A delivery-log row for the admin page. */
export type MessageListItem = MessageRow & {
  encoding: string | null;
  units: number | null;
  parts: number | null;
  created_at: string;
  sent_at: string | null;
  delivered_at: string | null;
};

/** The most recent `limit` messages, permanent and pending failures first, then newest first. */
export async function listMessages(q: Queryable, limit = 200): Promise<MessageListItem[]> {
  return rows<MessageListItem>(
    q,
    sql`select id, event_id, topic, channel, recipient, lang, template_id, subject, body, status, attempts,
          next_attempt_at::text as next_attempt_at, last_error, encoding, units, parts,
          created_at::text as created_at, sent_at::text as sent_at, delivered_at::text as delivered_at
        from messages
        order by (status = 'failed') desc, (status = 'failed' and next_attempt_at is null) desc,
          created_at desc, id desc
        limit ${limit}`,
  );
}
