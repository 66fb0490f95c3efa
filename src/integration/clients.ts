/**
 * API clients: department systems registered to use the integration API
 * (issue 10). Each client belongs to one department and handles a list of
 * that department's services (its scope: it never sees another service's
 * applications). Each has a service account (an `officials` row that cannot
 * sign in), the actor of its decisions in the timeline and the audit log.
 *
 * Secrets: only SHA-256 hashes are stored (src/integration/crypto.ts). A
 * rotation issues a new secret and keeps the previous ones valid for a grace
 * period (default 24 hours) so the department can switch without downtime.
 * Every change is audited in the stream `api_client:<id>`.
 */
import { and, desc, eq, gt, isNull, or, sql } from "drizzle-orm";
import type { Temporal } from "temporal-polyfill";
import { appendAudit } from "../audit/service.ts";
import { DomainError } from "../common/errors.ts";
import { type Db, type Queryable, rows } from "../db/client.ts";
import { apiClientSecrets, apiClients, departments, officials, services } from "../db/schema.ts";
import type { Principal } from "../identity/authorization.ts";
import {
  hashSecret,
  newClientId,
  newClientSecret,
  openKey,
  sealKey,
  webhookKeyOf,
} from "./crypto.ts";

/** A registered client as stored. */
export type ApiClient = typeof apiClients.$inferSelect;

/** What a new client needs. `webhookUrl` must be http(s). */
export type NewClient = {
  name: string;
  departmentCode: string;
  /** Service codes (`services.code`) of the department that the client handles. */
  serviceCodes: string[];
  webhookUrl?: string | null;
};

/** A client and its secret, shown once (Sewa keeps only the hash). */
export type IssuedSecret = { client: ApiClient; secret: string; webhookKey: string };

/** Hours a rotated-out secret stays valid. */
export const ROTATION_GRACE_HOURS = 24;

function checkUrl(url: string | null | undefined): string | null {
  if (!url) return null;
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new DomainError("validation", "The webhook URL is not a URL", [
      { field: "webhookUrl", code: "invalid" },
    ]);
  }
  if (u.protocol !== "https:" && u.protocol !== "http:")
    throw new DomainError("validation", "The webhook URL must be http(s)", [
      { field: "webhookUrl", code: "invalid" },
    ]);
  return u.toString();
}

/**
 * Registers a client with a first secret.
 * @throws DomainError validation for an unknown department, a service of another department, or a bad URL.
 */
export async function createClient(
  db: Db,
  c: NewClient,
  ctx: { actor: string; now: Temporal.Instant; serverSecret: string },
): Promise<IssuedSecret> {
  const name = c.name.trim().normalize("NFC");
  if (!name)
    throw new DomainError("validation", "Enter a name", [{ field: "name", code: "required" }]);
  const webhookUrl = checkUrl(c.webhookUrl);
  return db.transaction(async (tx) => {
    const [dept] = await tx
      .select()
      .from(departments)
      .where(eq(departments.code, c.departmentCode));
    if (!dept)
      throw new DomainError("validation", `No department ${c.departmentCode}`, [
        { field: "department", code: "unknown" },
      ]);
    const serviceIds: number[] = [];
    for (const code of c.serviceCodes) {
      const [s] = await tx.select().from(services).where(eq(services.code, code));
      if (!s || s.departmentId !== dept.id)
        throw new DomainError("validation", `Service ${code} is not a service of ${dept.code}`, [
          { field: "services", code: "not_in_department" },
        ]);
      serviceIds.push(s.id);
    }
    const at = ctx.now;
    const clientId = newClientId(dept.code);
    // The service account: it cannot sign in (no usable password hash, locked).
    const [account] = await tx
      .insert(officials)
      .values({
        username: `api.${clientId}`,
        passwordHash: "!api-client",
        name: `${name} (system)`,
        designation: "Department system",
        lockedAt: at.toString(),
      })
      .returning();
    if (!account) throw new Error("service account not created");
    const [client] = await tx
      .insert(apiClients)
      .values({
        clientId,
        name,
        departmentId: dept.id,
        serviceIds,
        webhookUrl,
        officialId: account.id,
        createdBy: ctx.actor,
        createdAt: at.toString(),
      })
      .returning();
    if (!client) throw new Error("client not created");
    const secret = await addSecret(tx, client.id, ctx.serverSecret, at);
    await appendAudit(tx, {
      stream: `api_client:${client.id}`,
      actor: ctx.actor,
      action: "api_client.created",
      data: { clientId, name, department: dept.code, services: c.serviceCodes, webhookUrl },
      at: at.toString(),
    });
    return { client, ...secret };
  });
}

async function addSecret(
  tx: Queryable,
  clientPk: number,
  serverSecret: string,
  at: Temporal.Instant,
): Promise<{ secret: string; webhookKey: string }> {
  const secret = newClientSecret();
  const webhookKey = webhookKeyOf(secret);
  await tx.insert(apiClientSecrets).values({
    clientId: clientPk,
    secretHash: hashSecret(secret),
    webhookKey: sealKey(serverSecret, webhookKey),
    createdAt: at.toString(),
  });
  return { secret, webhookKey };
}

/**
 * Issues a new secret; the current ones stay valid for `graceHours` (0 = end them now).
 * @throws DomainError not_found for an unknown client.
 */
export async function rotateSecret(
  db: Db,
  clientPk: number,
  ctx: { actor: string; now: Temporal.Instant; serverSecret: string; graceHours?: number },
): Promise<IssuedSecret> {
  return db.transaction(async (tx) => {
    const [client] = await tx.select().from(apiClients).where(eq(apiClients.id, clientPk));
    if (!client) throw new DomainError("not_found", "No such client");
    const until = ctx.now.add({ hours: ctx.graceHours ?? ROTATION_GRACE_HOURS }).toString();
    await tx
      .update(apiClientSecrets)
      .set({ expiresAt: until })
      .where(
        and(
          eq(apiClientSecrets.clientId, clientPk),
          or(isNull(apiClientSecrets.expiresAt), gt(apiClientSecrets.expiresAt, until)),
        ),
      );
    const secret = await addSecret(tx, clientPk, ctx.serverSecret, ctx.now);
    await appendAudit(tx, {
      stream: `api_client:${clientPk}`,
      actor: ctx.actor,
      action: "api_client.secret_rotated",
      data: { clientId: client.clientId, previousValidUntil: until },
      at: ctx.now.toString(),
    });
    return { client, ...secret };
  });
}

/** Enables or disables a client (a disabled client gets no token and no webhook). */
export async function setClientStatus(
  db: Db,
  clientPk: number,
  status: "active" | "disabled",
  ctx: { actor: string; now: Temporal.Instant },
): Promise<void> {
  await db.transaction(async (tx) => {
    const updated = await tx
      .update(apiClients)
      .set({ status })
      .where(eq(apiClients.id, clientPk))
      .returning();
    if (updated.length === 0) throw new DomainError("not_found", "No such client");
    await appendAudit(tx, {
      stream: `api_client:${clientPk}`,
      actor: ctx.actor,
      action: `api_client.${status}`,
      at: ctx.now.toString(),
    });
  });
}

/**
 * The active client whose id and secret match (OAuth 2.0 client credentials,
 * RFC 6749 §4.4), else undefined. A secret past its grace period does not match.
 */
export async function authenticateClient(
  q: Queryable,
  clientId: string,
  secret: string,
  now: Temporal.Instant,
): Promise<ApiClient | undefined> {
  const found = await q
    .select({ client: apiClients })
    .from(apiClientSecrets)
    .innerJoin(apiClients, eq(apiClients.id, apiClientSecrets.clientId))
    .where(
      and(
        eq(apiClientSecrets.secretHash, hashSecret(secret)),
        eq(apiClients.clientId, clientId),
        eq(apiClients.status, "active"),
        or(isNull(apiClientSecrets.expiresAt), gt(apiClientSecrets.expiresAt, now.toString())),
      ),
    );
  return found[0]?.client;
}

/** The active client with this secret (valid at `now`), else undefined: the Open311 `api_key`. */
export async function clientBySecret(
  q: Queryable,
  secret: string,
  now: Temporal.Instant,
): Promise<ApiClient | undefined> {
  const found = await q
    .select({ client: apiClients })
    .from(apiClientSecrets)
    .innerJoin(apiClients, eq(apiClients.id, apiClientSecrets.clientId))
    .where(
      and(
        eq(apiClientSecrets.secretHash, hashSecret(secret)),
        eq(apiClients.status, "active"),
        or(isNull(apiClientSecrets.expiresAt), gt(apiClientSecrets.expiresAt, now.toString())),
      ),
    );
  return found[0]?.client;
}

/** A client by its public id (any status). */
export async function clientByClientId(
  q: Queryable,
  clientId: string,
): Promise<ApiClient | undefined> {
  const [c] = await q.select().from(apiClients).where(eq(apiClients.clientId, clientId));
  return c;
}

/** A client by its row id. */
export async function clientById(q: Queryable, id: number): Promise<ApiClient | undefined> {
  const [c] = await q.select().from(apiClients).where(eq(apiClients.id, id));
  return c;
}

/** Records that the client used the API at `now` (at most one write a minute per client). */
export async function touchClient(q: Queryable, clientPk: number, now: Temporal.Instant) {
  const at = now.toString();
  await q.execute(
    sql`update api_clients set last_used_at = ${at}
        where id = ${clientPk} and (last_used_at is null or last_used_at < ${now.subtract({ seconds: 60 }).toString()})`,
  );
}

/** The webhook keys valid at `now`, newest first (decrypted with the server secret). */
export async function webhookKeys(
  q: Queryable,
  clientPk: number,
  now: Temporal.Instant,
  serverSecret: string,
): Promise<string[]> {
  const list = await q
    .select({ key: apiClientSecrets.webhookKey })
    .from(apiClientSecrets)
    .where(
      and(
        eq(apiClientSecrets.clientId, clientPk),
        or(isNull(apiClientSecrets.expiresAt), gt(apiClientSecrets.expiresAt, now.toString())),
      ),
    )
    .orderBy(desc(apiClientSecrets.id));
  return list.map((r) => openKey(serverSecret, r.key));
}

/**
 * The actor a client's decisions are taken as: its service account, with a
 * designated officer's posting over its department state-wide. The client's
 * narrower scope (its services) is checked before (src/integration/service.ts).
 */
export function clientActor(client: ApiClient): { officialId: number; principal: Principal } {
  return {
    officialId: client.officialId,
    principal: {
      officialId: client.officialId,
      postings: [
        {
          role: "designated_officer",
          level: "state",
          districtCode: null,
          tehsilCode: null,
          departmentId: client.departmentId,
          validFrom: "2000-01-01",
          validTo: null,
        },
      ],
    },
  };
}

/** A row of the admin list: the client, its department, service count, last use, and webhook health. */
export type ClientListItem = {
  id: number;
  client_id: string;
  name: string;
  department: string;
  services: number;
  webhook_url: string | null;
  status: string;
  created_at: string;
  last_used_at: string | null;
  failing: number;
  pending: number;
};

/** Every client, newest first, with its delivery counts. */
export function listClients(q: Queryable): Promise<ClientListItem[]> {
  return rows<ClientListItem>(
    q,
    sql`select c.id, c.client_id, c.name, d.name as department, jsonb_array_length(c.service_ids)::int as services,
          c.webhook_url, c.status, c.created_at::text as created_at, c.last_used_at::text as last_used_at,
          (select count(*)::int from webhook_deliveries w where w.client_id = c.id and w.status = 'failed') as failing,
          (select count(*)::int from webhook_deliveries w where w.client_id = c.id and w.status = 'queued') as pending
        from api_clients c join departments d on d.id = c.department_id
        order by c.id desc`,
  );
}
