/**
 * Certificate routes:
 *
 * - `GET /verify`: the public verification page. `?t=<token>` (the QR code)
 *   checks the signature against the published keys and then the register
 *   (revoked? replaced?); `?serial=<serial>` (typed) asks the register. An
 *   unknown serial gets a clear page with status 404.
 * - `GET /.well-known/sewa-keys.json`: the public keys (JWKS, RFC 7517), so a
 *   token can be checked offline (`verifyToken` in keys.ts).
 * - `GET /api/v1/certificates/{serial}/verify`: the register's answer as JSON
 *   (404 problem+json when unknown).
 * - `GET /desk/certificates/{serial}`, `POST …/revoke`, `POST …/reissue`: for
 *   officials who may decide the application (`application.decide` over its
 *   district); anyone else gets 404.
 *
 * On registration the signing keys are loaded (keys.ts `loadSigningKeys`) and
 * the certificate context is attached to the database handle, so approvals
 * issue certificates. The public base URL of the QR code is `config.publicUrl`
 * (env `SEWA_PUBLIC_URL`, default `http://localhost:<PORT>`).
 */

import { Type } from "@sinclair/typebox";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { DomainError } from "../common/errors.ts";
import { can } from "../identity/authorization.ts";
import { staffOrRedirect } from "../identity/session.ts";
import { TRACK_LIMIT } from "../web/limits.ts";
import { loadSigningKeys, publicJwks, type TokenCheck, verifyToken } from "./keys.ts";
import {
  applicationOf,
  type CertificateContext,
  configureCertificates,
  findCertificate,
  MAX_REASON_LENGTH,
  parseSerial,
  reissueCertificate,
  revokeCertificate,
  type Verification,
  verifySerial,
} from "./service.ts";

const VerificationSchema = Type.Object({
  serial: Type.String(),
  status: Type.Union([Type.Literal("valid"), Type.Literal("revoked"), Type.Literal("replaced")]),
  genuine: Type.Boolean(),
  reference: Type.String(),
  applicantName: Type.String(),
  service: Type.String(),
  department: Type.String(),
  issuedOn: Type.String({ format: "date" }),
  issueNumber: Type.Integer(),
  issuedBy: Type.Union([Type.String(), Type.Null()]),
  revokedAt: Type.Union([Type.String(), Type.Null()]),
  revokeReason: Type.Union([Type.String(), Type.Null()]),
  replacedBy: Type.Union([Type.String(), Type.Null()]),
});

/** Registers the certificate routes and attaches the certificate context to the database. */
export async function certificateRoutes(app: FastifyInstance): Promise<void> {
  const { db } = app.deps.database;
  const { clock, store, config } = app.deps;
  const keys = await loadSigningKeys(process.env, config.dataDir, (m) => app.log.warn(m));
  const ctx: CertificateContext = {
    keys,
    store,
    baseUrl: config.publicUrl,
  };
  configureCertificates(db, ctx);
  const jwks = publicJwks(keys);

  app.get("/.well-known/sewa-keys.json", { schema: { hide: true } }, async (_request, reply) =>
    reply.header("Cache-Control", "public, max-age=3600").send(jwks),
  );

  app.get(
    "/verify",
    { schema: { hide: true }, config: { rateLimit: TRACK_LIMIT } },
    async (request, reply) => {
      const q = request.query as { t?: unknown; serial?: unknown };
      if (typeof q.t === "string" && q.t) {
        const check: TokenCheck = await verifyToken(q.t.trim(), jwks);
        const register = check.ok ? await verifySerial(db, check.claims.sn) : undefined;
        return reply.view("certificates/views/verify.njk", {
          values: {},
          check,
          result: register,
          claims: check.ok ? check.claims : undefined,
        });
      }
      if (typeof q.serial === "string") {
        const typed = q.serial.slice(0, 40);
        const serial = parseSerial(typed);
        if (!typed.trim() || !serial) {
          const text = typed.trim()
            ? request.t("verify.errors.serialInvalid")
            : request.t("verify.errors.serialRequired");
          return reply.code(400).view("certificates/views/verify.njk", {
            values: { serial: typed },
            errors: [{ text, href: "#serial" }],
            fieldErrors: { serial: text },
          });
        }
        const result = await verifySerial(db, serial);
        return reply.code(result ? 200 : 404).view("certificates/views/verify.njk", {
          values: { serial: typed },
          result,
          notFound: !result,
          serial,
        });
      }
      return reply.view("certificates/views/verify.njk", { values: {} });
    },
  );

  app.get(
    "/api/v1/certificates/:serial/verify",
    {
      config: { rateLimit: TRACK_LIMIT },
      schema: {
        tags: ["certificates"],
        summary: "Verify a certificate by its serial number",
        description:
          "What the register says: genuine or not, the key facts, and whether it was revoked or replaced since. The QR code's signed token can also be checked offline against /.well-known/sewa-keys.json.",
        params: Type.Object({ serial: Type.String({ maxLength: 40 }) }),
        response: { 200: VerificationSchema },
      },
    },
    async (request) => {
      const serial = parseSerial((request.params as { serial: string }).serial);
      const result = serial ? await verifySerial(db, serial) : undefined;
      if (!result) throw new DomainError("not_found", "No certificate has this serial number");
      return apiVerification(result);
    },
  );

  // ---------------------------------------------------------------- desk

  const actorOf = async (request: FastifyRequest, reply: FastifyReply) => {
    const staff = await staffOrRedirect(request, reply, "application.decide");
    return staff && { officialId: staff.official.id, principal: staff.principal, staff };
  };

  /** The desk page of one certificate (404 unless the official may decide its application). */
  async function deskPage(
    request: FastifyRequest,
    reply: FastifyReply,
    serialParam: string,
    extra: Record<string, unknown> = {},
    status = 200,
  ) {
    const actor = await actorOf(request, reply);
    if (!actor) return reply;
    const serial = parseSerial(serialParam);
    const row = serial ? await findCertificate(db, serial) : undefined;
    const result = row ? await verifySerial(db, row.serial) : undefined;
    const app = row ? await applicationOf(db, row.applicationId) : undefined;
    if (
      !row ||
      !result ||
      !app ||
      !can(actor.principal, "application.decide", {
        districtCode: app.districtCode,
        tehsilCode: app.tehsilCode,
        departmentId: app.departmentId,
      })
    )
      throw new DomainError("not_found", "No such certificate");
    return reply.code(status).view("certificates/views/desk-certificate.njk", {
      official: actor.staff.official,
      result,
      values: {},
      ...extra,
    });
  }

  app.get("/desk/certificates/:serial", { schema: { hide: true } }, async (request, reply) =>
    deskPage(request, reply, (request.params as { serial: string }).serial),
  );

  for (const action of ["revoke", "reissue"] as const) {
    app.post(
      `/desk/certificates/:serial/${action}`,
      { schema: { hide: true } },
      async (request, reply) => {
        const actor = await actorOf(request, reply);
        if (!actor) return reply;
        const { serial } = request.params as { serial: string };
        const body = (request.body ?? {}) as Record<string, unknown>;
        const reason = typeof body.reason === "string" ? body.reason : "";
        try {
          const now = clock.now();
          const row =
            action === "revoke"
              ? await revokeCertificate(db, actor, serial, reason, now)
              : await reissueCertificate(db, ctx, actor, serial, reason, now);
          const app = await applicationOf(db, row.applicationId);
          return reply.redirect(
            `/desk/applications/${encodeURIComponent(app?.reference ?? "")}?done=certificate_${action}`,
            303,
          );
        } catch (e) {
          if (
            e instanceof DomainError &&
            (e.kind === "validation" || e.kind === "invalid_transition")
          ) {
            const text =
              e.kind === "invalid_transition"
                ? request.t("certificates.errors.notAllowed")
                : e.fields[0]?.code === "too_long"
                  ? request.t("certificates.errors.reasonTooLong", { max: MAX_REASON_LENGTH })
                  : request.t("certificates.errors.reasonRequired");
            return deskPage(
              request,
              reply,
              serial,
              {
                errors: [{ text, href: `#reason-${action}` }],
                fieldErrors: { [action]: text },
                values: { [action]: reason },
              },
              e.status,
            );
          }
          throw e;
        }
      },
    );
  }
}

/** The JSON body of the verification API: the register's answer, `genuine` when the serial is in it. */
function apiVerification(v: Verification) {
  return { ...v, genuine: true };
}
