/**
 * Filing an application for a service with a published definition through
 * the JSON API (`POST /api/v1/applications` with `{ serviceId, answers }`):
 * the answers are validated by the definition's compiled form, the files
 * come in multipart fields named `doc-<document id>` and are checked against
 * that document's accepted types and size, and the checklist must be
 * complete. Errors are field-level (RFC 9457 problem+json through the error
 * handler); nothing is stored unless everything is valid.
 */
import { compileForm } from "../catalog/definitions/compile.ts";
import type { Lang } from "../catalog/definitions/types.ts";
import type { LiveDefinition } from "../catalog/definitions/versions.ts";
import { DomainError, type FieldProblem } from "../common/errors.ts";
import type { ReceivedFile } from "../web/multipart.ts";
import { applicantOf, documentChecklist, feeOf } from "./definition-form.ts";
import type { DefinitionFiling } from "./service.ts";
import { inspectUpload } from "./uploads.ts";

/** A checked upload, ready for the document store and `Submission.newDocuments`. */
export type CheckedFile = {
  filename: string;
  mime: string;
  size: number;
  sha256: string;
  bytes: Buffer;
};

/**
 * Validates an API filing against the live definition.
 * @returns the filing (checklist entries name the uploads as `new:<index>` of `files`) and the checked files.
 * @throws DomainError validation with every field problem (answers `answers.<field>`, files `doc-<id>`, missing `documents.<id>`).
 */
export async function definitionFilingOf(
  live: LiveDefinition,
  serviceId: number,
  input: { answers?: unknown },
  files: readonly ReceivedFile[],
  ctx: { today: string; tehsilsByDistrict: ReadonlyMap<number, ReadonlySet<number>>; lang: Lang },
): Promise<{ filing: DefinitionFiling; files: CheckedFile[] }> {
  const def = live.definition;
  if (!def.channels.online.enabled)
    throw new DomainError(
      "unprocessable",
      "This service is not offered online: apply at a Sewa Kendra or book a doorstep visit (1076)",
    );
  const problems: FieldProblem[] = [];
  const result = compileForm(def).validate(input.answers ?? {}, ctx.lang, ctx);
  if (!result.ok)
    for (const e of result.errors)
      problems.push({ field: `answers.${e.field}`, code: e.code, message: e.message });
  const items = new Map(def.documents.items.map((d) => [d.id, d]));
  const checked: CheckedFile[] = [];
  const uploads: Record<string, string[]> = {};
  for (const f of files) {
    const item = items.get(f.field.replace(/^doc-/, ""));
    if (!item || !f.field.startsWith("doc-")) {
      problems.push({ field: f.field, code: "unknown_field" });
      continue;
    }
    if (f.tooLarge) {
      problems.push({ field: f.field, code: "file.too_large", params: { max: item.maxBytes } });
      continue;
    }
    const c = await inspectUpload({
      filename: f.filename,
      declaredType: f.mimetype,
      bytes: f.bytes,
      maxBytes: item.maxBytes,
      accept: item.accept,
    });
    if (!c.ok) {
      problems.push({ field: f.field, code: c.code, params: c.params });
      continue;
    }
    uploads[item.id] = [...(uploads[item.id] ?? []), `new:${checked.length}`];
    checked.push({
      filename: c.filename,
      mime: c.mime,
      size: c.size,
      sha256: c.sha256,
      bytes: f.bytes,
    });
  }
  const answers = result.ok ? result.value : {};
  if (result.ok)
    for (const id of documentChecklist(def, answers, uploads).missing)
      problems.push({ field: `documents.${id}`, code: "required" });
  const applicant = result.ok ? applicantOf(def, answers) : undefined;
  if (result.ok && !applicant) problems.push({ field: "answers", code: "applicant_unknown" });
  if (problems.length > 0 || !applicant)
    throw new DomainError("validation", "The application has errors", problems);
  return {
    filing: {
      kind: "definition",
      serviceId,
      definitionId: live.id,
      initialStage: def.workflow.initial,
      timeLimitDays: def.timeLimit.days,
      basis: def.timeLimit.basis,
      noticePeriodDays: def.timeLimit.noticePeriodDays ?? 0,
      feePaise: feeOf(def, answers, "api"),
      applicant,
      answers,
      documents: uploads,
    },
    files: checked,
  };
}
