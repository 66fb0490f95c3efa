/**
 * Reading a multipart/form-data request into fields and whole files.
 *
 * A file over the per-file limit is reported (not thrown) so that a page can
 * show a field error and the API can answer 413; its bytes are discarded and
 * nothing of it is stored (C-11). File names arrive as UTF-8 (C-12).
 */
import type { FastifyRequest } from "fastify";
import { DomainError } from "../common/errors.ts";

/** A received file, whole, or a note that it was over the limit. */
export type ReceivedFile =
  | { field: string; filename: string; mimetype: string; bytes: Buffer; tooLarge: false }
  | { field: string; filename: string; mimetype: string; tooLarge: true };

/** Fields (repeated names become arrays) and files of a multipart request. */
export type MultipartBody = { fields: Record<string, string | string[]>; files: ReceivedFile[] };

/**
 * Consumes every part of the request. Empty file inputs (no file chosen) are skipped.
 * @param options.maxFiles how many file parts this form may send, empty ones included
 *   (a browser sends every file input), when it is more than the plugin's default.
 * @throws the plugin's errors for too many files or parts (413 through the error handler);
 *   DomainError validation (400) for a malformed body.
 */
export async function readMultipart(
  request: FastifyRequest,
  options: { maxFiles?: number } = {},
): Promise<MultipartBody> {
  try {
    return await consume(request, options.maxFiles);
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code?.startsWith("FST_")) throw e;
    // busboy's parse errors (no boundary, truncated body, malformed part header) are the client's.
    throw new DomainError("validation", `The multipart body is malformed: ${(e as Error).message}`);
  }
}

async function consume(request: FastifyRequest, maxFiles?: number): Promise<MultipartBody> {
  const fields: Record<string, string | string[]> = {};
  const files: ReceivedFile[] = [];
  for await (const part of request.parts(
    maxFiles === undefined ? undefined : { limits: { files: maxFiles } },
  )) {
    if (part.type === "field") {
      const value = typeof part.value === "string" ? part.value : String(part.value ?? "");
      const prev = fields[part.fieldname];
      fields[part.fieldname] =
        prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [prev, value];
      continue;
    }
    if (!part.filename) {
      await part.toBuffer().catch(() => undefined);
      continue;
    }
    try {
      const bytes = await part.toBuffer();
      files.push({
        field: part.fieldname,
        filename: part.filename,
        mimetype: part.mimetype,
        bytes,
        tooLarge: false,
      });
    } catch (e) {
      if ((e as { code?: string }).code !== "FST_REQ_FILE_TOO_LARGE") throw e;
      files.push({
        field: part.fieldname,
        filename: part.filename,
        mimetype: part.mimetype,
        tooLarge: true,
      });
    }
  }
  return { fields, files };
}

/** True when the request is multipart/form-data. */
export function isMultipart(request: FastifyRequest): boolean {
  return request.isMultipart();
}
