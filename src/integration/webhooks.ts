/**
 * Webhooks to department systems, from the transactional outbox (issue 10).
 *
 * Planning ({@link planWebhooks}): outbox events of the topics in
 * {@link WEBHOOK_TOPICS} are looked at once each (`webhook_scans`, so the
 * notification consumer's `processed_at` is left alone). For each active client
 * with a webhook URL whose services include the application's service, one
 * `webhook_deliveries` row is inserted with `ON CONFLICT DO NOTHING` on
 * (event, client): an event re-planned after a crash, or by two workers, is
 * delivered by one of them only (the C-21 pattern of src/notifications/consumer.ts).
 *
 * Delivery ({@link deliverDue}): each due row of an active client is leased (`next_attempt_at` =
 * now + {@link LEASE_SECONDS}, `attempts` + 1) with `FOR UPDATE SKIP LOCKED`,
 * then POSTed as JSON with the headers
 * - `Sewa-Event-Id`: the outbox event id (the receiver's deduplication key: a
 *   webhook may arrive more than once, never with another id);
 * - `Sewa-Event-Type`: e.g. `application.submitted`;
 * - `Sewa-Timestamp`: unix seconds of this attempt;
 * - `Sewa-Signature`: `v1=<hex HMAC-SHA256(key, "<timestamp>.<body>")>`, one per
 *   valid key while a rotated secret is in its grace period (src/integration/crypto.ts).
 * A 2xx answer within {@link TIMEOUT_MS} is delivered; anything else is retried
 * after base × 2^(attempts−1) (base 30 s by default, `SEWA_WEBHOOK_RETRY_BASE_MS`),
 * each wait capped at 1 hour, until 24 hours after the event; then the row stays
 * `failed` with no next attempt. Every attempt is logged in `webhook_attempts`.
 * An administrator can re-send any delivery ({@link resend}).
 *
 * Body: `{ "id", "type", "createdAt", "data": { "reference", "serviceId",
 * "districtCode", "level"? } }`; the receiver fetches the application itself.
 */
import { sql } from "drizzle-orm";
import type { Temporal } from "temporal-polyfill";
import { appendAudit } from "../audit/service.ts";
import { DomainError } from "../common/errors.ts";
import { isoOf } from "../common/time.ts";
import { type Db, type Queryable, rows } from "../db/client.ts";
import { webhookKeys } from "./clients.ts";
import { signatureHeader } from "./crypto.ts";

/** Outbox topics pushed to departments (payments do not exist yet: no `payment.received`). */
export const WEBHOOK_TOPICS = [
  "application.submitted",
  "application.resubmitted",
  "appeal.filed",
  "payment.received",
] as const;

/** Seconds a worker holds a delivery while sending it. */
export const LEASE_SECONDS = 60;
/** How long one attempt may take, in milliseconds. */
export const TIMEOUT_MS = 10_000;
/** Retries stop this many hours after the event. */
export const RETRY_HOURS = 24;
/** The longest wait between two attempts, in milliseconds. */
export const MAX_WAIT_MS = 3_600_000;

/** Milliseconds to wait after failed attempt number `attempts` (1-based). */
export function backoffMs(attempts: number, baseMs = 30_000): number {
  return Math.min(MAX_WAIT_MS, baseMs * 2 ** Math.max(0, attempts - 1));
}

/** Options of the delivery worker. */
export type WebhookOptions = {
  /** The server secret that seals webhook keys (`SEWA_SECRET_KEY`). */
  serverSecret: string;
  /** First retry wait in milliseconds (default 30 000). */
  retryBaseMs?: number;
  /** Attempt timeout in milliseconds (default {@link TIMEOUT_MS}). */
  timeoutMs?: number;
  /** Parallel requests (default 8). */
  concurrency?: number;
  /** The HTTP client (default global `fetch`). */
  fetch?: typeof fetch;
};

/**
 * Plans the deliveries of up to `batch` unscanned events, in one transaction.
 * @returns events scanned and deliveries created.
 */
export async function planWebhooks(
  db: Db,
  now: Temporal.Instant,
  batch = 200,
): Promise<{ events: number; planned: number }> {
  const at = now.toString();
  return db.transaction(async (tx) => {
    const events = await rows<{
      id: string;
      topic: string;
      payload: Record<string, unknown>;
      created_at: string;
    }>(
      tx,
      sql`select e.id, e.topic, e.payload, e.created_at::text as created_at from outbox_events e
          where e.topic in (${sql.join(
            WEBHOOK_TOPICS.map((t) => sql`${t}`),
            sql`, `,
          )})
            and not exists (select 1 from webhook_scans s where s.event_id = e.id)
          order by e.created_at, e.id limit ${batch}`,
    );
    let planned = 0;
    for (const e of events) {
      const scanned = await rows<{ event_id: string }>(
        tx,
        sql`insert into webhook_scans (event_id, scanned_at) values (${e.id}, ${at})
            on conflict do nothing returning event_id`,
      );
      if (scanned.length === 0) continue; // another worker took it
      const applicationId = Number(e.payload.applicationId);
      if (!Number.isFinite(applicationId)) continue;
      const [app] = await rows<{
        service_id: number;
        department_id: number;
        district_code: number;
      }>(
        tx,
        sql`select service_id, department_id, district_code from applications where id = ${applicationId}`,
      );
      if (!app) continue;
      const clients = await rows<{ id: number; webhook_url: string }>(
        tx,
        sql`select id, webhook_url from api_clients
            where status = 'active' and webhook_url is not null and department_id = ${app.department_id}
              and service_ids @> ${JSON.stringify([app.service_id])}::jsonb`,
      );
      const body = JSON.stringify({
        id: e.id,
        type: e.topic,
        createdAt: isoOf(e.created_at),
        data: {
          reference: e.payload.reference,
          serviceId: app.service_id,
          districtCode: app.district_code,
          ...(e.topic === "appeal.filed" ? { level: e.payload.level } : {}),
        },
      });
      for (const c of clients) {
        const inserted = await rows<{ id: number }>(
          tx,
          sql`insert into webhook_deliveries (event_id, client_id, topic, url, body, status, attempts,
                next_attempt_at, created_at, updated_at)
              values (${e.id}, ${c.id}, ${e.topic}, ${c.webhook_url}, ${body}, 'queued', 0, ${at}, ${at}, ${at})
              on conflict (event_id, client_id) do nothing returning id`,
        );
        planned += inserted.length;
      }
    }
    return { events: events.length, planned };
  });
}

type Leased = {
  id: number;
  event_id: string;
  client_id: number;
  topic: string;
  url: string;
  body: string;
  attempts: number;
  created_at: string;
};

/**
 * Sends up to `batch` due deliveries (queued or failed with `next_attempt_at`
 * ≤ now); safe to run on several nodes at once.
 * @returns how many were delivered and how many failed this run.
 */
export async function deliverDue(
  db: Db,
  now: Temporal.Instant,
  opts: WebhookOptions,
  batch = 100,
): Promise<{ delivered: number; failed: number }> {
  const at = now.toString();
  const leased = await rows<Leased>(
    db,
    sql`update webhook_deliveries set attempts = attempts + 1, updated_at = ${at},
          next_attempt_at = ${now.add({ seconds: LEASE_SECONDS }).toString()}
        where id in (select id from webhook_deliveries
          where status in ('queued', 'failed') and next_attempt_at is not null and next_attempt_at <= ${at}
            and client_id in (select id from api_clients where status = 'active')
          order by next_attempt_at, id limit ${batch} for update skip locked)
        returning id, event_id, client_id, topic, url, body, attempts, created_at::text as created_at`,
  );
  const counts = { delivered: 0, failed: 0 };
  // Signatures are timestamped when each request is sent, not when the run began (a run may take minutes).
  const wallStart = Date.now();
  const keysOf = new Map<number, Promise<string[]>>();
  const queue = [...leased];
  const worker = async () => {
    for (let d = queue.shift(); d; d = queue.shift()) {
      let keys = keysOf.get(d.client_id);
      if (!keys) {
        keys = webhookKeys(db, d.client_id, now, opts.serverSecret);
        keysOf.set(d.client_id, keys);
      }
      const sentAt = now.add({ milliseconds: Date.now() - wallStart });
      const ok = await attempt(db, d, await keys, sentAt, opts);
      if (ok) counts.delivered++;
      else counts.failed++;
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency ?? 8 }, worker));
  return counts;
}

async function attempt(
  db: Db,
  d: Leased,
  keys: string[],
  now: Temporal.Instant,
  opts: WebhookOptions,
): Promise<boolean> {
  const started = Date.now();
  const timestamp = Math.floor(now.epochMilliseconds / 1000);
  let status: number | null = null;
  let error: string | null = null;
  try {
    if (keys.length === 0) throw new Error("the client has no valid secret");
    const res = await (opts.fetch ?? fetch)(d.url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "user-agent": "Sewa-Webhooks/1",
        "sewa-event-id": d.event_id,
        "sewa-event-type": d.topic,
        "sewa-timestamp": String(timestamp),
        "sewa-signature": signatureHeader(keys, timestamp, d.body),
      },
      body: d.body,
      signal: AbortSignal.timeout(opts.timeoutMs ?? TIMEOUT_MS),
      redirect: "manual",
    });
    status = res.status;
    await res.body?.cancel();
    if (status < 200 || status >= 300) error = `HTTP ${status}`;
  } catch (e) {
    error = (e instanceof Error ? `${e.name}: ${e.message}` : String(e)).slice(0, 500);
  }
  const duration = Date.now() - started;
  const at = now.toString();
  const ok = error === null;
  let next: string | null = null;
  if (!ok) {
    const wait = backoffMs(d.attempts, opts.retryBaseMs);
    const candidate = now.add({ milliseconds: wait });
    const deadline = Date.parse(d.created_at) + RETRY_HOURS * 3_600_000;
    next = candidate.epochMilliseconds <= deadline ? candidate.toString() : null;
  }
  await db.transaction(async (tx) => {
    await tx.execute(
      sql`insert into webhook_attempts (delivery_id, at, status_code, error, duration_ms)
          values (${d.id}, ${at}, ${status}, ${error}, ${duration})`,
    );
    await tx.execute(
      ok
        ? sql`update webhook_deliveries set status = 'delivered', delivered_at = ${at}, updated_at = ${at},
                next_attempt_at = null, last_status_code = ${status}, last_error = null where id = ${d.id}`
        : sql`update webhook_deliveries set status = 'failed', updated_at = ${at}, next_attempt_at = ${next},
                last_status_code = ${status}, last_error = ${error} where id = ${d.id}`,
    );
  });
  return ok;
}

/** Plans and sends what is due: one run of the worker. */
export async function runWebhooks(
  db: Db,
  now: Temporal.Instant,
  opts: WebhookOptions,
): Promise<{ events: number; planned: number; delivered: number; failed: number }> {
  let events = 0;
  let planned = 0;
  for (;;) {
    const p = await planWebhooks(db, now);
    events += p.events;
    planned += p.planned;
    if (p.events < 200) break;
  }
  const d = await deliverDue(db, now, opts);
  return { events, planned, ...d };
}

/**
 * Queues a delivery to be sent again now (an administrator's re-send), even
 * after it was delivered or given up; audited.
 * @throws DomainError not_found for an unknown delivery.
 */
export async function resend(
  db: Db,
  deliveryId: number,
  ctx: { actor: string; now: Temporal.Instant },
): Promise<void> {
  await db.transaction(async (tx) => {
    const updated = await rows<{ client_id: number; event_id: string }>(
      tx,
      sql`update webhook_deliveries set status = 'queued', next_attempt_at = ${ctx.now.toString()},
            updated_at = ${ctx.now.toString()} where id = ${deliveryId} returning client_id, event_id`,
    );
    const row = updated[0];
    if (!row) throw new DomainError("not_found", "No such delivery");
    await appendAudit(tx, {
      stream: `api_client:${row.client_id}`,
      actor: ctx.actor,
      action: "webhook.resend",
      data: { deliveryId, eventId: row.event_id },
      at: ctx.now.toString(),
    });
  });
}

/** A delivery-log row for the admin page. */
export type DeliveryListItem = {
  id: number;
  event_id: string;
  client_id: number;
  client_name: string;
  topic: string;
  url: string;
  status: string;
  attempts: number;
  next_attempt_at: string | null;
  last_status_code: number | null;
  last_error: string | null;
  created_at: string;
  delivered_at: string | null;
};

/** The most recent deliveries (of one client when given), failures first. */
export function listDeliveries(
  q: Queryable,
  opts: { clientId?: number; limit?: number } = {},
): Promise<DeliveryListItem[]> {
  const which = opts.clientId === undefined ? sql`` : sql`where w.client_id = ${opts.clientId}`;
  return rows<DeliveryListItem>(
    q,
    sql`select w.id, w.event_id, w.client_id, c.name as client_name, w.topic, w.url, w.status, w.attempts,
          w.next_attempt_at::text as next_attempt_at, w.last_status_code, w.last_error,
          w.created_at::text as created_at, w.delivered_at::text as delivered_at
        from webhook_deliveries w join api_clients c on c.id = w.client_id ${which}
        order by (w.status = 'failed') desc, w.created_at desc, w.id desc limit ${opts.limit ?? 200}`,
  );
}

/** The attempts of a delivery, oldest first. */
export function attemptsOf(
  q: Queryable,
  deliveryId: number,
): Promise<
  Array<{ at: string; status_code: number | null; error: string | null; duration_ms: number }>
> {
  return rows(
    q,
    sql`select at::text as at, status_code, error, duration_ms from webhook_attempts
        where delivery_id = ${deliveryId} order by id`,
  );
}

/**
 * Runs the worker every `pollMs` milliseconds until stopped (on every node
 * that runs workers; the leases make that safe). Errors are reported to `log`
 * and the next tick tries again.
 */
export function startWebhookWorker(
  db: Db,
  clock: { now(): Temporal.Instant },
  opts: WebhookOptions & { pollMs: number; log?: (msg: string, err?: unknown) => void },
): { stop(): Promise<void> } {
  let running: Promise<unknown> | undefined;
  let stopped = false;
  const tick = () => {
    if (running || stopped) return;
    running = runWebhooks(db, clock.now(), opts)
      .catch((e) => opts.log?.("webhook worker failed", e))
      .finally(() => {
        running = undefined;
      });
  };
  const timer = setInterval(tick, opts.pollMs);
  timer.unref();
  tick();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
