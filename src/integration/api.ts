/**
 * The integration API for department systems (issue 10), in the same OpenAPI
 * document as the rest of `/api/v1` (tag `integration`):
 *
 * - `POST /api/v1/oauth/token`: OAuth 2.0 client credentials (RFC 6749 §4.4),
 *   `grant_type=client_credentials` with the client id and secret as HTTP
 *   Basic credentials or in the form body; answers a JWT access token
 *   (HS256, 15 minutes) or an RFC 6749 §5.2 error (`invalid_client` 401,
 *   `unsupported_grant_type` / `invalid_request` 400).
 * - `GET /api/v1/integration/applications?cursor=&limit=`: the applications
 *   waiting for the client (submitted or resubmitted), oldest first, with
 *   `nextCursor` (opaque) while there are more.
 * - `GET /api/v1/integration/applications/{reference}`: one application with
 *   its answers, documents and timeline (the view is audited).
 * - `GET /api/v1/integration/applications/{reference}/documents/{id}`: a document's bytes.
 * - `POST /api/v1/integration/applications/{reference}/updates`: a status update
 *   or a decision (src/integration/service.ts), JSON; the output document of an
 *   approval is sent base64-encoded in `document.content` (a PDF, at most 2 MiB).
 *   Honours `Idempotency-Key`.
 *
 * Every call but the token needs `Authorization: Bearer <access token>`; a
 * missing, expired or forged token is 401 problem+json. Applications outside
 * the client's services are 404.
 */

import { type Static, Type } from "@sinclair/typebox";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { Problem } from "../applications/api.ts";
import { inspectUpload } from "../applications/uploads.ts";
import { appendAudit } from "../audit/service.ts";
import { DomainError } from "../common/errors.ts";
import { PROBLEM_BASE, sendProblem } from "../web/errors.ts";
import { type ApiClient, authenticateClient, clientByClientId, touchClient } from "./clients.ts";
import { issueToken, verifyToken } from "./crypto.ts";
import {
  applyUpdate,
  openForClient,
  requestHashOf,
  UPDATE_STATUSES,
  type UpdateResult,
  waitingFor,
  withIdempotency,
} from "./service.ts";

/** The largest output document, in bytes (2 MiB). */
export const OUTPUT_MAX_BYTES = 2 * 1024 * 1024;

const TokenJson = Type.Object({
  access_token: Type.String(),
  token_type: Type.Literal("Bearer"),
  expires_in: Type.Integer({ description: "seconds" }),
  scope: Type.String(),
});
const OAuthError = Type.Object({
  error: Type.String(),
  error_description: Type.Optional(Type.String()),
});

const WaitingJson = Type.Object({
  items: Type.Array(
    Type.Object({
      reference: Type.String(),
      serviceId: Type.Integer(),
      status: Type.String(),
      version: Type.Integer(),
      districtCode: Type.Integer(),
      receivedAt: Type.String({ format: "date-time" }),
      dueDate: Type.Union([Type.String({ format: "date" }), Type.Null()]),
    }),
  ),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
});

const ApplicationJson = Type.Object({
  reference: Type.String(),
  serviceId: Type.Integer(),
  status: Type.String(),
  version: Type.Integer(),
  districtCode: Type.Integer(),
  tehsilCode: Type.Integer(),
  receivedAt: Type.String({ format: "date-time" }),
  dueDate: Type.Union([Type.String({ format: "date" }), Type.Null()]),
  overdue: Type.Boolean(),
  form: Type.Record(Type.String(), Type.Unknown(), {
    description: "The applicant's answers (the generic form's JSON contract, docs/api.md)",
  }),
  documents: Type.Array(
    Type.Object({
      id: Type.String(),
      filename: Type.String(),
      mime: Type.String(),
      size: Type.Integer(),
      sha256: Type.String(),
      kind: Type.String(),
      href: Type.String(),
    }),
  ),
  timeline: Type.Array(
    Type.Object({
      at: Type.String(),
      action: Type.String(),
      status: Type.String(),
      remark: Type.Optional(Type.String()),
    }),
  ),
});

const UpdateBody = Type.Object(
  {
    status: Type.Union(
      UPDATE_STATUSES.map((s) => Type.Literal(s)),
      {
        description:
          "received (by the department) | under_process | sent_back (deficiency; remark required) | approved (document required) | rejected (remark = reason, required)",
      },
    ),
    remark: Type.Optional(Type.String({ maxLength: 2000 })),
    version: Type.Optional(
      Type.Integer({ minimum: 1, description: "the version the client saw (409 when stale)" }),
    ),
    document: Type.Optional(
      Type.Object(
        {
          filename: Type.String({ minLength: 1, maxLength: 255 }),
          content: Type.String({ description: "the PDF, base64", maxLength: 2_900_000 }),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);
type UpdateBodyT = Static<typeof UpdateBody>;

const UpdateJson = Type.Object({
  reference: Type.String(),
  status: Type.String(),
  version: Type.Integer(),
  dueDate: Type.Union([Type.String({ format: "date" }), Type.Null()]),
  update: Type.String(),
  recorded: Type.Boolean(),
});

const bearer = [{ sewaClient: [] as string[] }];

/** Encodes a list position as an opaque cursor. */
function cursorOf(id: number): string {
  return Buffer.from(`a:${id}`).toString("base64url");
}
function positionOf(cursor: string | undefined): number {
  if (!cursor) return 0;
  const m = /^a:(\d{1,15})$/.exec(Buffer.from(cursor, "base64url").toString("utf8"));
  if (!m)
    throw new DomainError("validation", "cursor is not a cursor from this API", [
      { field: "cursor", code: "invalid" },
    ]);
  return Number(m[1]);
}

function idempotencyKeyOf(request: FastifyRequest): string | undefined {
  const raw = request.headers["idempotency-key"];
  if (raw === undefined) return undefined;
  const key = Array.isArray(raw) ? raw[0] : raw;
  if (!key || key.length > 200 || !/^[\x21-\x7e]+$/.test(key))
    throw new DomainError("validation", "Idempotency-Key must be 1-200 visible ASCII characters", [
      { field: "Idempotency-Key", code: "invalid" },
    ]);
  return key;
}

/** Registers the token endpoint and the integration routes. */
export async function registerIntegrationApi(app: FastifyInstance): Promise<void> {
  const { db } = app.deps.database;
  const { clock, store, config } = app.deps;

  /** The client of a request's bearer token. @throws DomainError unauthorized. */
  async function clientOf(request: FastifyRequest, reply: FastifyReply): Promise<ApiClient> {
    const auth = request.headers.authorization ?? "";
    const m = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/.exec(auth);
    const now = clock.now();
    const claims = m?.[1]
      ? await verifyToken(config.secretKey, m[1], new Date(now.epochMilliseconds))
      : undefined;
    const client = claims ? await clientByClientId(db, claims.clientId) : undefined;
    if (client?.status !== "active") {
      reply.header("WWW-Authenticate", 'Bearer realm="sewa", error="invalid_token"');
      throw new DomainError("unauthorized", "Send a valid access token (POST /api/v1/oauth/token)");
    }
    await touchClient(db, client.id, now);
    return client;
  }

  app.post(
    "/api/v1/oauth/token",
    {
      schema: {
        tags: ["integration"],
        summary: "Get an access token (OAuth 2.0 client credentials)",
        description:
          "Form-encoded `grant_type=client_credentials`; the client id and secret as HTTP Basic credentials or as `client_id` and `client_secret`. The token is valid for 15 minutes.",
        response: { 200: TokenJson, 400: OAuthError, 401: OAuthError },
      },
      config: { rateLimit: { max: 60, timeWindow: 60_000 } },
    },
    async (request, reply) => {
      reply.header("Cache-Control", "no-store");
      const body = (request.body ?? {}) as Record<string, unknown>;
      if (body.grant_type !== "client_credentials")
        return reply.code(400).send({
          error: "unsupported_grant_type",
          error_description: "Only client_credentials",
        });
      let id = typeof body.client_id === "string" ? body.client_id : undefined;
      let secret = typeof body.client_secret === "string" ? body.client_secret : undefined;
      const basic = /^Basic ([A-Za-z0-9+/=]+)$/.exec(request.headers.authorization ?? "");
      if (basic?.[1]) {
        const decoded = Buffer.from(basic[1], "base64").toString("utf8");
        const colon = decoded.indexOf(":");
        if (colon > 0) {
          id = decodeURIComponent(decoded.slice(0, colon));
          secret = decodeURIComponent(decoded.slice(colon + 1));
        }
      }
      if (!id || !secret)
        return reply
          .code(400)
          .send({ error: "invalid_request", error_description: "client_id and client_secret" });
      const now = clock.now();
      const client = await authenticateClient(db, id, secret, now);
      if (!client) {
        reply.header("WWW-Authenticate", 'Basic realm="sewa"');
        return reply.code(401).send({ error: "invalid_client" });
      }
      await db.transaction(async (tx) => {
        await touchClient(tx, client.id, now);
        await appendAudit(tx, {
          stream: `api_client:${client.id}`,
          actor: `api_client:${client.clientId}`,
          action: "api_client.token_issued",
          at: now.toString(),
        });
      });
      const t = await issueToken(
        config.secretKey,
        client.clientId,
        Math.floor(now.epochMilliseconds / 1000),
      );
      return {
        access_token: t.token,
        token_type: "Bearer",
        expires_in: t.expiresIn,
        scope: t.scope,
      };
    },
  );

  app.get(
    "/api/v1/integration/applications",
    {
      schema: {
        tags: ["integration"],
        summary: "Applications waiting for this department system",
        security: bearer,
        querystring: Type.Object({
          cursor: Type.Optional(Type.String({ maxLength: 40 })),
          limit: Type.Optional(Type.String({ pattern: "^[0-9]{1,3}$" })),
        }),
        response: { 200: WaitingJson, 400: Problem, 401: Problem },
      },
    },
    async (request, reply) => {
      const client = await clientOf(request, reply);
      const q = request.query as { cursor?: string; limit?: string };
      const limit = Math.min(200, Math.max(1, Number(q.limit ?? 50)));
      const page = await waitingFor(db, client, { after: positionOf(q.cursor), limit });
      return { items: page.items, nextCursor: page.last === null ? null : cursorOf(page.last) };
    },
  );

  app.get(
    "/api/v1/integration/applications/:reference",
    {
      schema: {
        tags: ["integration"],
        summary: "One application with its documents and timeline",
        security: bearer,
        params: Type.Object({ reference: Type.String({ maxLength: 40 }) }),
        response: { 200: ApplicationJson, 401: Problem, 404: Problem },
      },
    },
    async (request, reply) => {
      const client = await clientOf(request, reply);
      const { reference } = request.params as { reference: string };
      const { row, documents, view } = await openForClient(db, client, reference, clock.now());
      return {
        reference: row.reference,
        serviceId: row.serviceId,
        status: row.status,
        version: row.version,
        districtCode: row.districtCode,
        tehsilCode: row.tehsilCode,
        receivedAt: view.receivedAt,
        dueDate: row.dueDate,
        overdue: view.overdue,
        form: row.formData,
        documents: documents.map((d) => ({
          id: d.id,
          filename: d.filename,
          mime: d.mime,
          size: d.size,
          sha256: d.sha256,
          kind: d.kind,
          href: `/api/v1/integration/applications/${encodeURIComponent(row.reference)}/documents/${d.id}`,
        })),
        timeline: view.timeline.map((e) => ({
          at: e.at,
          action: e.action,
          status: e.status,
          ...(e.remark ? { remark: e.remark } : {}),
        })),
      };
    },
  );

  app.get(
    "/api/v1/integration/applications/:reference/documents/:id",
    {
      schema: {
        tags: ["integration"],
        summary: "A document of the application (its bytes)",
        security: bearer,
        params: Type.Object({
          reference: Type.String({ maxLength: 40 }),
          id: Type.String({ maxLength: 40 }),
        }),
      },
    },
    async (request, reply) => {
      const client = await clientOf(request, reply);
      const { reference, id } = request.params as { reference: string; id: string };
      const { documents } = await openForClient(db, client, reference, clock.now());
      const doc = documents.find((d) => d.id === id);
      if (!doc) throw new DomainError("not_found", "No such document");
      const bytes = await store.get(doc.sha256);
      return reply
        .type(doc.mime)
        .header(
          "Content-Disposition",
          `attachment; filename*=UTF-8''${encodeURIComponent(doc.filename)}`,
        )
        .send(bytes);
    },
  );

  app.post(
    "/api/v1/integration/applications/:reference/updates",
    {
      schema: {
        tags: ["integration"],
        summary: "Post a status update or a decision",
        description:
          "Goes through the same workflow rules, time limits, timeline and audit as an officer's action. 409 `invalid_transition` when the workflow does not allow it now, 409 `stale` when `version` is not the current one. Honours `Idempotency-Key`.",
        security: bearer,
        headers: Type.Object({ "idempotency-key": Type.Optional(Type.String({ maxLength: 200 })) }),
        params: Type.Object({ reference: Type.String({ maxLength: 40 }) }),
        body: UpdateBody,
        response: {
          200: UpdateJson,
          400: Problem,
          401: Problem,
          404: Problem,
          409: Problem,
          413: Problem,
          422: Problem,
        },
      },
      bodyLimit: 4 * 1024 * 1024,
    },
    async (request, reply) => {
      const client = await clientOf(request, reply);
      const key = idempotencyKeyOf(request);
      const { reference } = request.params as { reference: string };
      const body = request.body as UpdateBodyT;
      let document: { filename: string; mime: string; size: number; sha256: string } | undefined;
      if (body.document) {
        const bytes = Buffer.from(body.document.content, "base64");
        const checked = await inspectUpload({
          filename: body.document.filename,
          declaredType: "application/pdf",
          bytes,
          maxBytes: OUTPUT_MAX_BYTES,
          accept: ["pdf"],
        });
        if (!checked.ok)
          throw new DomainError("validation", "The document must be a PDF of at most 2 MiB", [
            { field: "document", code: checked.code },
          ]);
        await store.put(bytes);
        document = {
          filename: checked.filename,
          mime: checked.mime,
          size: checked.size,
          sha256: checked.sha256,
        };
      }
      const now = clock.now();
      const answer = await withIdempotency<UpdateResult>(
        db,
        key ? `integration:${client.id}:${key}` : undefined,
        requestHashOf({ reference, ...body }),
        now,
        (tx) =>
          applyUpdate(
            tx,
            client,
            reference,
            { status: body.status, remark: body.remark, version: body.version, document },
            now,
          ),
      );
      if (answer.replayed) reply.header("Idempotent-Replayed", "true");
      if (answer.problem)
        return sendProblem(reply, {
          type: PROBLEM_BASE + answer.problem.kind,
          status: answer.status,
          detail: answer.problem.detail,
          instance: request.url.split("?")[0],
          errors: answer.problem.errors,
        });
      return reply.code(answer.status as 200).send(answer.body);
    },
  );
}
