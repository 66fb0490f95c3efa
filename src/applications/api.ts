/**
 * The applications API (`/api/v1/applications`): file an application (JSON, or
 * multipart with attachments on the same path) and track it by reference
 * number plus mobile number. Errors are RFC 9457 problem+json.
 *
 * `Idempotency-Key` (draft-ietf-httpapi-idempotency-key-header): a replay with
 * the same key and body returns the first result; the same key with another
 * body is refused with 422.
 */
import { createHash } from "node:crypto";
import { Type } from "@sinclair/typebox";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { canonicalJson } from "../audit/chain.ts";
import type { Lang } from "../catalog/definitions/types.ts";
import { liveDefinitionOf } from "../catalog/definitions/versions.ts";
import { DomainError, type FieldProblem } from "../common/errors.ts";
import { normaliseMobile } from "../common/text.ts";
import { tehsilsByDistrict } from "../geography/service.ts";
import { istDateOf } from "../sla/clock.ts";
import { SUBMIT_LIMIT, TRACK_LIMIT } from "../web/limits.ts";
import { readMultipart } from "../web/multipart.ts";
import { definitionFilingOf } from "./definition-api.ts";
import {
  GenericApplicationSchema,
  messageKey,
  messageParams,
  validateGenericApplication,
} from "./generic-form.ts";
import * as svc from "./service.ts";
import {
  GENERIC_FORM_ACCEPT,
  GENERIC_FORM_MAX_BYTES,
  GENERIC_FORM_MAX_FILES,
  inspectUpload,
} from "./uploads.ts";

const SubmissionJson = Type.Object({
  reference: Type.String(),
  dueDate: Type.Union([Type.String({ format: "date" }), Type.Null()]),
  status: Type.String(),
});
const TrackJson = Type.Object({
  reference: Type.String(),
  service: Type.Object({ id: Type.Integer(), name: Type.String(), department: Type.String() }),
  status: Type.String(),
  dueDate: Type.Union([Type.String(), Type.Null()]),
  office: Type.String(),
  timeline: Type.Array(
    Type.Object({
      at: Type.String(),
      action: Type.String(),
      status: Type.String(),
      remark: Type.Optional(Type.String()),
    }),
  ),
});
/** RFC 9457 problem details, as every API error is sent (src/web/errors.ts); shared by the OpenAPI schemas of /api/v1. */
export const Problem = Type.Object({
  type: Type.String(),
  title: Type.String(),
  status: Type.Integer(),
  detail: Type.Optional(Type.String()),
  instance: Type.Optional(Type.String()),
  errors: Type.Optional(
    Type.Array(
      Type.Object({
        field: Type.String(),
        code: Type.String(),
        message: Type.Optional(Type.String()),
      }),
    ),
  ),
});

type StoredFile = { filename: string; mime: string; size: number; sha256: string };

/** Registers the API routes. */
export async function registerApplicationApi(app: FastifyInstance): Promise<void> {
  const { db } = app.deps.database;
  const { clock, store } = app.deps;

  app.post(
    "/api/v1/applications",
    {
      schema: {
        tags: ["applications"],
        summary: "File an application (generic form, or a service definition's own form)",
        description:
          "Send the application as JSON, or as multipart/form-data with the JSON in a field named `application`. For a service on the generic form (`form: generic` in the catalog): the generic fields below and up to 5 files (PDF, JPEG, PNG; each at most 2 MiB = 2,097,152 bytes) in fields named `documents`. For a service with a published definition (`form: definition`): `{ serviceId, answers }`, the answers keyed by the definition's question ids, and each document of its checklist in a field named `doc-<document id>` (see docs/api.md).",
        headers: Type.Object({ "idempotency-key": Type.Optional(Type.String({ maxLength: 200 })) }),
        body: GenericApplicationSchema,
        response: {
          201: SubmissionJson,
          400: Problem,
          404: Problem,
          413: Problem,
          415: Problem,
          422: Problem,
        },
      },
      // The body is validated in the handler (JSON and multipart alike) so that errors carry field codes.
      validatorCompiler: () => () => true,
      config: { rateLimit: SUBMIT_LIMIT },
    },
    async (request, reply) => {
      const key = headerKey(request);
      const { input, files } = await readSubmission(request);
      // A service with a published definition takes `answers` for its own form.
      const serviceId = (input as { serviceId?: unknown } | null)?.serviceId;
      const live =
        typeof serviceId === "number" && Number.isInteger(serviceId)
          ? await liveDefinitionOf(db, serviceId)
          : undefined;
      if (live) {
        const { filing, files: checked } = await definitionFilingOf(
          live,
          serviceId as number,
          input as { answers?: unknown },
          files,
          {
            today: istDateOf(clock.now()),
            tehsilsByDistrict: await tehsilsByDistrict(db),
            lang: request.lang as Lang,
          },
        );
        for (const f of checked) await store.put(f.bytes);
        const newDocuments = checked.map(({ bytes: _bytes, ...doc }) => doc);
        const outcome = await svc.submitApplication(db, {
          application: filing,
          documentIds: [],
          newDocuments,
          channel: "api",
          idempotencyKey: key,
          requestHash: createHash("sha256")
            .update(canonicalJson({ filing, documents: newDocuments.map((d) => d.sha256) }))
            .digest("hex"),
          now: clock.now(),
        });
        if (!outcome.created) reply.header("Idempotent-Replayed", "true");
        return reply
          .code(201)
          .send({ reference: outcome.reference, dueDate: outcome.dueDate, status: outcome.status });
      }
      if (files.some((f) => f.field !== "documents"))
        throw new DomainError("validation", "Files must be sent in fields named `documents`", [
          { field: "documents", code: "unknown_field" },
        ]);
      if (files.length > GENERIC_FORM_MAX_FILES)
        throw new DomainError("too_large", `At most ${GENERIC_FORM_MAX_FILES} documents`);
      const stored: StoredFile[] = [];
      const fileErrors: FieldProblem[] = [];
      for (const [i, f] of files.entries()) {
        if (f.tooLarge)
          throw new DomainError(
            "too_large",
            `documents[${i}] is larger than ${GENERIC_FORM_MAX_BYTES} bytes (2 MiB)`,
          );
        const checked = await inspectUpload({
          filename: f.filename,
          declaredType: f.mimetype,
          bytes: f.bytes,
          maxBytes: GENERIC_FORM_MAX_BYTES,
          accept: GENERIC_FORM_ACCEPT,
        });
        if (!checked.ok) {
          fileErrors.push({
            field: `documents[${i}]`,
            code: checked.code,
            message: request.t(`validation.generic.${checked.code}`, checked.params),
            params: checked.params,
          });
          continue;
        }
        stored.push({
          filename: checked.filename,
          mime: checked.mime,
          size: checked.size,
          sha256: checked.sha256,
        });
      }
      const result = validateGenericApplication(input, {
        tehsilsByDistrict: await tehsilsByDistrict(db),
        today: istDateOf(clock.now()),
      });
      if (!result.ok || fileErrors.length > 0) {
        const errors = [
          ...(result.ok
            ? []
            : result.errors.map((e) => ({
                field: e.field,
                code: e.code,
                message: request.t(messageKey(e), messageParams(e, request.lang)),
              }))),
          ...fileErrors,
        ];
        throw new DomainError("validation", "The application has errors", errors);
      }
      for (const f of files) if (!f.tooLarge) await store.put(f.bytes);
      const requestHash = createHash("sha256")
        .update(
          canonicalJson({ application: result.value, documents: stored.map((d) => d.sha256) }),
        )
        .digest("hex");
      const outcome = await svc.submitApplication(db, {
        application: result.value,
        documentIds: [],
        newDocuments: stored,
        channel: "api",
        idempotencyKey: key,
        requestHash,
        now: clock.now(),
      });
      if (!outcome.created) reply.header("Idempotent-Replayed", "true");
      return reply
        .code(201)
        .send({ reference: outcome.reference, dueDate: outcome.dueDate, status: outcome.status });
    },
  );

  app.get(
    "/api/v1/applications/:reference",
    {
      schema: {
        tags: ["applications"],
        summary: "Track an application by reference number and the applicant's mobile number",
        params: Type.Object({ reference: Type.String({ maxLength: 40 }) }),
        querystring: Type.Object({ mobile: Type.String({ maxLength: 20 }) }),
        response: { 200: TrackJson, 400: Problem, 404: Problem, 429: Problem },
      },
      config: { rateLimit: TRACK_LIMIT },
    },
    async (request) => {
      const { reference } = request.params as { reference: string };
      const mobile = normaliseMobile((request.query as { mobile: string }).mobile);
      if (!mobile.ok)
        throw new DomainError("validation", "mobile is not a valid mobile number", [
          { field: "mobile", code: mobile.code },
        ]);
      const row = await svc.findForApplicant(db, reference, mobile.value);
      if (!row)
        throw new DomainError(
          "not_found",
          "No application matches this reference number and mobile number",
        );
      const view = await svc.trackView(db, row, clock.now());
      return {
        reference: view.reference,
        service: view.service,
        status: view.status,
        dueDate: view.dueDate,
        office: view.office,
        timeline: view.timeline.map((e) => ({
          at: e.at,
          action: e.action,
          status: e.status,
          ...(e.remark ? { remark: e.remark } : {}),
        })),
      };
    },
  );
}

function headerKey(request: FastifyRequest): string | undefined {
  const raw = request.headers["idempotency-key"];
  if (raw === undefined) return undefined;
  const key = Array.isArray(raw) ? raw[0] : raw;
  if (!key || key.length > 200 || !/^[\x21-\x7e]+$/.test(key)) {
    throw new DomainError("validation", "Idempotency-Key must be 1-200 visible ASCII characters", [
      { field: "Idempotency-Key", code: "invalid" },
    ]);
  }
  return key;
}

async function readSubmission(request: FastifyRequest) {
  if (!request.isMultipart()) return { input: request.body as unknown, files: [] };
  const body = await readMultipart(request);
  const raw = body.fields.application;
  if (typeof raw !== "string") {
    throw new DomainError(
      "validation",
      "Send the application JSON in one multipart field named `application`",
      [{ field: "application", code: "required" }],
    );
  }
  let input: unknown;
  try {
    input = JSON.parse(raw);
  } catch {
    throw new DomainError("validation", "The `application` field is not valid JSON", [
      { field: "application", code: "malformed_json" },
    ]);
  }
  // Generic filings send `documents`; definition filings send `doc-<document id>` (checked by the caller).
  return { input, files: body.files };
}
