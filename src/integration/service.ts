/**
 * The integration API's rules (issue 10): what a department client may see,
 * and its status updates and decisions on applications.
 *
 * Scope: a client sees and acts on an application only when the application's
 * service is one of the client's services (and of its department); anything
 * else is "not found" (404), so other applications' existence is not revealed.
 *
 * Updates, in the words of the issue:
 * - `received` (received by the department) and `under_process`: timeline
 *   entries only (`received_by_department`, `under_process`); the status, the
 *   version and the due date do not change. Each is recorded once per round (from
 *   the last submission or resubmission): a repeat, or `received` after
 *   `under_process`, records nothing and answers `recorded: false`. Only while
 *   the application is with the department (submitted, resubmitted); otherwise
 *   409 `invalid_transition`.
 * - `sent_back` (deficiency), `approved` (with the output document, a PDF),
 *   `rejected` (with a reason): the officer's own `decide` of
 *   src/applications/service.ts, as the client's service account, so the
 *   workflow rules, time limits, timeline, outbox and audit are the same as an
 *   officer's; a decision the workflow does not allow now is 409
 *   `invalid_transition`, a stale `version` 409 `stale`.
 *
 * Every update is one transaction, audited in the application's stream (by
 * `decide`/here) and in the client's stream `api_client:<id>`.
 *
 * Idempotency ({@link withIdempotency}): the key is stored in the same
 * transaction as the update, with the answer; a replay with the same key and
 * body returns the first answer (errors included, except `stale`/`conflict`,
 * which a retry may resolve); the same key with another body is 422.
 */
import { createHash } from "node:crypto";
import { sql } from "drizzle-orm";
import type { Temporal } from "temporal-polyfill";
import * as apps from "../applications/service.ts";
import { canonicalJson } from "../audit/chain.ts";
import { appendAudit } from "../audit/service.ts";
import { DomainError, type ErrorKind, type FieldProblem } from "../common/errors.ts";
import { isoOf } from "../common/time.ts";
import { type Db, type Queryable, rows } from "../db/client.ts";
import { documents } from "../db/schema.ts";
import { type ApiClient, clientActor } from "./clients.ts";

/** The updates a client can post. */
export const UPDATE_STATUSES = [
  "received",
  "under_process",
  "sent_back",
  "approved",
  "rejected",
] as const;
export type UpdateStatus = (typeof UPDATE_STATUSES)[number];

/** A status update or decision. `version` (optional) is the version the client saw. */
export type ClientUpdate = {
  status: UpdateStatus;
  remark?: string;
  version?: number;
  /** The output document of an approval, already in the document store. */
  document?: { filename: string; mime: string; size: number; sha256: string };
};

/** The answer to an update. */
export type UpdateResult = {
  reference: string;
  status: string;
  version: number;
  dueDate: string | null;
  update: UpdateStatus;
  /** False when the update was already recorded (nothing changed). */
  recorded: boolean;
};

/** Statuses with the department (waiting for the client). */
export const WAITING = ["submitted", "resubmitted"] as const;

/** Whether an application is in the client's scope. */
export function inScope(
  client: Pick<ApiClient, "departmentId" | "serviceIds">,
  app: { serviceId: number; departmentId: number },
): boolean {
  return app.departmentId === client.departmentId && client.serviceIds.includes(app.serviceId);
}

/** A waiting application in a list. */
export type WaitingItem = {
  reference: string;
  serviceId: number;
  status: string;
  version: number;
  districtCode: number;
  receivedAt: string;
  dueDate: string | null;
};

/**
 * The applications waiting for the client (submitted or resubmitted, in its
 * services), oldest first, `limit` (1..200) after the cursor `after` (an
 * internal id; the API wraps it in an opaque cursor).
 */
export async function waitingFor(
  q: Queryable,
  client: ApiClient,
  page: { after: number; limit: number },
): Promise<{ items: WaitingItem[]; last: number | null }> {
  if (client.serviceIds.length === 0) return { items: [], last: null };
  const list = await rows<{
    id: string | number;
    reference: string;
    service_id: number;
    status: string;
    version: number;
    district_code: number;
    received_at: string;
    due_date: string | null;
  }>(
    q,
    sql`select id, reference, service_id, status, version, district_code, received_at::text as received_at, due_date
        from applications
        where department_id = ${client.departmentId}
          and service_id in (${sql.join(
            client.serviceIds.map((s) => sql`${s}`),
            sql`, `,
          )})
          and status in ('submitted', 'resubmitted') and id > ${page.after}
        order by id limit ${page.limit}`,
  );
  return {
    items: list.map((r) => ({
      reference: r.reference,
      serviceId: r.service_id,
      status: r.status,
      version: r.version,
      districtCode: r.district_code,
      receivedAt: isoOf(r.received_at),
      dueDate: r.due_date,
    })),
    last: list.length === page.limit ? Number(list[list.length - 1]?.id) : null,
  };
}

/**
 * An application in the client's scope with its documents and timeline; the
 * view is audited (`application.viewed` by `api_client:<clientId>`).
 * @throws DomainError not_found when unknown or out of scope.
 */
export async function openForClient(
  db: Db,
  client: ApiClient,
  reference: string,
  now: Temporal.Instant,
) {
  const row = await scoped(db, client, reference);
  await db.transaction((tx) =>
    appendAudit(tx, {
      stream: `application:${row.id}`,
      actor: `api_client:${client.clientId}`,
      action: "application.viewed",
      data: { reference: row.reference },
      at: now.toString(),
    }),
  );
  return {
    row,
    documents: await apps.applicationDocuments(db, row.id),
    view: await apps.trackView(db, row, now),
  };
}

async function scoped(q: Queryable, client: ApiClient, reference: string) {
  const ref = apps.normaliseReference(reference);
  const row = ref ? await apps.findApplicationByReference(q, ref) : undefined;
  if (!row || !inScope(client, row)) throw new DomainError("not_found", "No such application");
  return row;
}

const PROGRESS: Record<string, number> = { received_by_department: 1, under_process: 2 };

/**
 * Applies a client's update inside the caller's transaction `tx` (module comment).
 * @throws DomainError not_found, validation (remark or document missing), invalid_transition, stale.
 */
export async function applyUpdate(
  tx: Queryable,
  client: ApiClient,
  reference: string,
  u: ClientUpdate,
  now: Temporal.Instant,
): Promise<UpdateResult> {
  const first = await scoped(tx, client, reference);
  // Serialise updates on one application (a duplicate "under process" must not be recorded twice).
  await tx.execute(sql`select id from applications where id = ${first.id} for update`);
  const row = (await apps.findApplicationById(tx, first.id)) ?? first;
  if (u.version !== undefined && u.version !== row.version)
    throw new DomainError(
      "stale",
      `The application is at version ${row.version}, not ${u.version}. Fetch it again.`,
    );
  const remark = (u.remark ?? "").normalize("NFC").trim();
  let recorded = true;
  let after = row;
  if (u.status === "received" || u.status === "under_process") {
    if (!(WAITING as readonly string[]).includes(row.status))
      throw new DomainError(
        "invalid_transition",
        `You cannot mark an application that is ${row.status.replace("_", " ")} as ${u.status.replace("_", " ")}`,
      );
    const action = u.status === "received" ? "received_by_department" : "under_process";
    const view = await apps.trackView(tx, row, now);
    let start = 0;
    view.timeline.forEach((e, i) => {
      if (e.action === "submitted" || e.action === "resubmitted") start = i;
    });
    const reached = Math.max(0, ...view.timeline.slice(start).map((e) => PROGRESS[e.action] ?? 0));
    if (reached >= (PROGRESS[action] ?? 0)) recorded = false;
    else
      await apps.recordEvent(tx, {
        applicationId: row.id,
        at: now,
        action,
        status: row.status,
        remark: remark || undefined,
        actor: `official:${client.officialId}`,
        dueDate: row.dueDate,
      });
  } else {
    if ((u.status === "sent_back" || u.status === "rejected") && !remark)
      throw new DomainError(
        "validation",
        u.status === "rejected" ? "Give the reason for the rejection" : "Say what is deficient",
        [{ field: "remark", code: "required" }],
      );
    if (u.status === "approved") {
      if (!u.document)
        throw new DomainError("validation", "Upload the output document (a PDF)", [
          { field: "document", code: "required" },
        ]);
    }
    const action =
      u.status === "approved" ? "approve" : u.status === "rejected" ? "reject" : "send_back";
    await apps.decide(
      // A savepoint inside the caller's transaction, so the idempotency record commits with it.
      tx as unknown as Db,
      clientActor(client),
      row.reference,
      {
        action,
        remark: remark || `Approved by ${client.name}`,
        version: row.version,
      },
      now,
    );
    if (u.document)
      await tx.insert(documents).values({
        ...u.document,
        applicationId: row.id,
        kind: "output",
        uploadedBy: `api_client:${client.clientId}`,
        uploadedAt: now.toString(),
      });
    after = (await apps.findApplicationById(tx, row.id)) ?? row;
  }
  await appendAudit(tx, {
    stream: `api_client:${client.id}`,
    actor: `api_client:${client.clientId}`,
    action: "api_client.update",
    data: { reference: row.reference, update: u.status, recorded, document: u.document?.sha256 },
    at: now.toString(),
  });
  return {
    reference: after.reference,
    status: after.status,
    version: after.version,
    dueDate: after.dueDate,
    update: u.status,
    recorded,
  };
}

/** A problem stored as the first answer of an idempotent write. */
export type StoredProblem = { kind: ErrorKind; detail: string; errors?: FieldProblem[] };

/** The answer of an idempotent write: a body, or a problem, with its HTTP status. */
export type Answer<T> =
  | { status: number; body: T; replayed: boolean; problem?: undefined }
  | { status: number; problem: StoredProblem; replayed: boolean; body?: undefined };

/** SHA-256 (hex) of the canonical JSON of a request. */
export function requestHashOf(value: unknown): string {
  return createHash("sha256").update(canonicalJson(value)).digest("hex");
}

/**
 * Runs `run` in one transaction with `Idempotency-Key` semantics (module
 * comment). `key` is already namespaced per client; without one, `run` simply
 * runs (and a DomainError propagates).
 * @throws DomainError unprocessable when the key was used with another request.
 */
export async function withIdempotency<T>(
  db: Db,
  key: string | undefined,
  requestHash: string,
  now: Temporal.Instant,
  run: (tx: Queryable) => Promise<T>,
): Promise<Answer<T>> {
  if (!key) {
    const body = await db.transaction((tx) => run(tx));
    return { status: 200, body, replayed: false };
  }
  return db.transaction(async (tx) => {
    const mine = await rows<{ key: string }>(
      tx,
      sql`insert into idempotency_keys (key, request_hash, status_code, response, created_at)
          values (${key}, ${requestHash}, 0, '{}'::jsonb, ${now.toString()})
          on conflict (key) do nothing returning key`,
    );
    if (mine.length === 0) {
      const [stored] = await rows<{
        request_hash: string;
        status_code: number;
        response: { body?: T; problem?: StoredProblem };
      }>(
        tx,
        sql`select request_hash, status_code, response from idempotency_keys where key = ${key}`,
      );
      if (!stored || stored.request_hash !== requestHash)
        throw new DomainError(
          "unprocessable",
          "This Idempotency-Key was used with a different request",
          [{ field: "Idempotency-Key", code: "reused" }],
        );
      return stored.response.problem
        ? { status: stored.status_code, problem: stored.response.problem, replayed: true }
        : { status: stored.status_code, body: stored.response.body as T, replayed: true };
    }
    let answer: Answer<T>;
    try {
      const body = await tx.transaction((sp) => run(sp));
      answer = { status: 200, body, replayed: false };
    } catch (e) {
      if (!(e instanceof DomainError) || e.kind === "stale" || e.kind === "conflict") throw e;
      answer = {
        status: e.status,
        problem: {
          kind: e.kind,
          detail: e.message,
          ...(e.fields.length ? { errors: e.fields } : {}),
        },
        replayed: false,
      };
    }
    const response = answer.problem ? { problem: answer.problem } : { body: answer.body };
    await tx.execute(
      sql`update idempotency_keys set status_code = ${answer.status}, response = ${JSON.stringify(response)}::jsonb
          where key = ${key}`,
    );
    return answer;
  });
}
