/**
 * Error handling: RFC 9457 problem details for the API, error pages for HTML.
 *
 * Every client error (malformed JSON, wrong types, oversize or empty bodies,
 * unknown fields, bad media types) maps to a 4xx with a stable `type`; only a
 * programming error is a 500, and its details are logged, never shown.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { DomainError, type FieldProblem } from "../common/errors.ts";

/** Base of the stable problem `type` URIs. */
export const PROBLEM_BASE = "https://sewa.punjab.gov.in/problems/";

/** An RFC 9457 problem body. */
export type Problem = {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  errors?: FieldProblem[];
};

const TITLES: Record<number, string> = {
  400: "Bad request",
  401: "Unauthorised",
  403: "Forbidden",
  404: "Not found",
  405: "Method not allowed",
  406: "Not acceptable",
  409: "Conflict",
  413: "Content too large",
  415: "Unsupported media type",
  422: "Unprocessable content",
  429: "Too many requests",
  500: "Internal server error",
  503: "Service unavailable",
};

/** True for requests answered as JSON (the API and anything asking for JSON). */
export function wantsJson(request: FastifyRequest): boolean {
  return request.url.startsWith("/api/") || request.url.startsWith("/healthz");
}

/** Sends a problem+json response. */
export function sendProblem(
  reply: FastifyReply,
  p: Omit<Problem, "title"> & { title?: string },
): FastifyReply {
  const body: Problem = { ...p, title: p.title ?? TITLES[p.status] ?? "Error" };
  return reply.code(p.status).type("application/problem+json").send(body);
}

/** Maps an error to (status, kind, detail, field errors). */
export function classify(error: FastifyError | DomainError | Error): {
  status: number;
  kind: string;
  detail: string;
  errors?: FieldProblem[];
} {
  if (error instanceof DomainError) {
    return {
      status: error.status,
      kind: error.kind,
      detail: error.message,
      errors: error.fields.length ? error.fields : undefined,
    };
  }
  const e = error as FastifyError & {
    validation?: Array<{
      instancePath: string;
      keyword: string;
      params: Record<string, unknown>;
      message?: string;
    }>;
  };
  if (e.validation) {
    return {
      status: 400,
      kind: "validation",
      detail: "The request does not match the schema",
      errors: e.validation.map((v) => ({
        field:
          v.keyword === "additionalProperties"
            ? [v.instancePath.slice(1).replace(/\//g, "."), String(v.params.additionalProperty)]
                .filter(Boolean)
                .join(".")
            : v.keyword === "required"
              ? [v.instancePath.slice(1).replace(/\//g, "."), String(v.params.missingProperty)]
                  .filter(Boolean)
                  .join(".")
              : v.instancePath.slice(1).replace(/\//g, "."),
        code: v.keyword === "additionalProperties" ? "unknown_field" : v.keyword,
        message: v.message,
      })),
    };
  }
  switch (e.code) {
    case "FST_ERR_CTP_INVALID_JSON_BODY":
    case "FST_ERR_CTP_EMPTY_JSON_BODY":
      return { status: 400, kind: "malformed_body", detail: e.message };
    case "FST_ERR_CTP_BODY_TOO_LARGE":
    case "FST_REQ_FILE_TOO_LARGE":
    case "FST_FILES_LIMIT":
    case "FST_PARTS_LIMIT":
    case "FST_FIELDS_LIMIT":
      return { status: 413, kind: "too_large", detail: e.message };
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
    case "FST_INVALID_MULTIPART_CONTENT_TYPE":
      return { status: 415, kind: "unsupported_media_type", detail: e.message };
  }
  if (error instanceof SyntaxError)
    return { status: 400, kind: "malformed_body", detail: "The body is not valid JSON" };
  const status =
    typeof e.statusCode === "number" && e.statusCode >= 400 && e.statusCode < 500
      ? e.statusCode
      : 500;
  if (status === 500)
    return {
      status,
      kind: "internal",
      detail: "Something went wrong on our side. Nothing you sent was saved.",
    };
  return { status, kind: status === 429 ? "rate_limited" : "bad_request", detail: e.message };
}

/** Installs the error and not-found handlers. */
export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler(async (error: FastifyError, request, reply) => {
    const c = classify(error);
    if (c.status >= 500) request.log.error({ err: error }, "request failed");
    else request.log.info({ kind: c.kind, status: c.status }, "client error");
    if (wantsJson(request)) {
      return sendProblem(reply, {
        type: PROBLEM_BASE + c.kind,
        status: c.status,
        detail: c.detail,
        instance: request.url.split("?")[0],
        errors: c.errors,
      });
    }
    return reply.code(c.status).view("error.njk", {
      status: c.status,
      kind: c.kind,
      detail: c.status >= 500 ? undefined : c.detail,
    });
  });
  app.setNotFoundHandler(async (request, reply) => {
    if (wantsJson(request)) {
      return sendProblem(reply, {
        type: `${PROBLEM_BASE}not_found`,
        status: 404,
        detail: "No such resource",
        instance: request.url.split("?")[0],
      });
    }
    return reply.code(404).view("error.njk", { status: 404, kind: "not_found" });
  });
}
