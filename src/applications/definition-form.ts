/**
 * The citizen side of service definitions (issue 3): turning what a form page
 * posts into answers, validating one page at a time, the task list, the next
 * page, and the applicant's name, mobile and address. Pure; the routes are
 * in definition-routes.ts.
 *
 * A definition draft's `data` is a {@link DefinitionDraftData}: the answers
 * so far (keyed by field id, the contract of catalog/definitions/compile.ts),
 * the protected form of each Aadhaar number given (`{ masked, hash? }`: the
 * clear number is never stored, ARCHITECTURE.md §6), the uploads for each
 * checklist document, and the privacy consent.
 *
 * Names posted by pages: `<id>` for one value (several for checkboxes),
 * `<id>-day|month|year` for dates, `<id>.line1|line2|districtCode|tehsilCode|pincode`
 * for addresses, `<group>.<n>.<child>` inside repeating groups.
 */
import { verhoeffCheckDigit } from "../catalog/definitions/aadhaar.ts";
import {
  type CompiledForm,
  conditionFacts,
  type FormError,
} from "../catalog/definitions/compile.ts";
import { evaluate } from "../catalog/definitions/conditions.ts";
import { computeFee } from "../catalog/definitions/fees.ts";
import type { ChildField, Field, Page, ServiceDefinition } from "../catalog/definitions/types.ts";

/** What a definition draft stores. */
export type DefinitionDraftData = {
  answers: Record<string, unknown>;
  /** Aadhaar fields answered: field id → `{ masked, hash? }`. */
  aadhaar: Record<string, unknown>;
  /** Checklist document id → upload ids. */
  documents: Record<string, string[]>;
  privacyConsent?: boolean;
  /** The applicant's mobile once answered (10 digits), to find the draft after an OTP sign-in. */
  mobile?: string;
  /** The applicant's name in Gurmukhi (optional, NFC, checked by gurmukhi-name.ts), asked beside the name question. */
  applicantNamePa?: string;
};

/**
 * The answer key, in a filed definition application's `answers`, of the
 * applicant's name in Gurmukhi: an optional companion of the name question
 * ({@link applicantFields}) that every definition gets without declaring it
 * (Punjab certificates print the name in English and Gurmukhi; issue 7). It
 * is never a definition's own question id.
 */
export const APPLICANT_NAME_PA = "applicantNamePa";

/** Reads a draft's data (an empty draft when unset). */
export function draftDataOf(data: unknown): DefinitionDraftData {
  const d = (data ?? {}) as Partial<DefinitionDraftData>;
  return {
    answers: d.answers ?? {},
    aadhaar: d.aadhaar ?? {},
    documents: d.documents ?? {},
    ...(d.privacyConsent ? { privacyConsent: true } : {}),
    ...(d.mobile ? { mobile: d.mobile } : {}),
    ...(d.applicantNamePa ? { applicantNamePa: d.applicantNamePa } : {}),
  };
}

type Posted = Record<string, string | string[]>;

const one = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v);
const many = (v: string | string[] | undefined): string[] =>
  v === undefined ? [] : Array.isArray(v) ? v : [v];

/** `YYYY-MM-DD` from three boxes; undefined when all are blank (a partial date stays malformed so validation says so). */
export function dateFrom(day?: string, month?: string, year?: string): string | undefined {
  const [d, m, y] = [day, month, year].map((s) => (s ?? "").trim());
  if (!d && !m && !y) return undefined;
  return `${y}-${(m ?? "").padStart(2, "0")}-${(d ?? "").padStart(2, "0")}`;
}

function postedValue(field: Field | ChildField, name: string, body: Posted): unknown {
  switch (field.type) {
    case "date":
      return dateFrom(
        one(body[`${name}-day`]),
        one(body[`${name}-month`]),
        one(body[`${name}-year`]),
      );
    case "checkboxes":
      return many(body[name]);
    case "address":
      return Object.fromEntries(
        ["line1", "line2", "districtCode", "tehsilCode", "pincode"].map((k) => [
          k,
          one(body[`${name}.${k}`]) ?? "",
        ]),
      );
    case "file":
      return many(body[name]);
    default:
      return one(body[name]);
  }
}

/** How many items a group shows: what was posted (or stored), at least its minimum and 1. */
export function groupSize(field: Field, body: Posted | undefined, stored: unknown): number {
  let posted = 0;
  if (body) {
    const prefix = `${field.id}.`;
    for (const key of Object.keys(body)) {
      if (!key.startsWith(prefix)) continue;
      const n = Number(key.slice(prefix.length).split(/[.-]/)[0]);
      if (Number.isInteger(n)) posted = Math.max(posted, n + 1);
    }
  }
  const min = field.type === "group" ? (field.min ?? 1) : 1;
  return Math.max(posted, Array.isArray(stored) ? stored.length : 0, min, 1);
}

/**
 * The answers a page posted, for the page's fields (hidden or not; hidden
 * answers are dropped by validation). Uploads for `file` fields are the ids
 * posted as `<id>` (kept ones) plus `uploads[id]` (new ones).
 */
export function pageAnswers(
  page: Page,
  body: Posted,
  uploads: Record<string, string[]> = {},
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of page.fields) {
    if (field.type === "group") {
      const n = groupSize(field, body, undefined);
      const items: Record<string, unknown>[] = [];
      for (let i = 0; i < n; i++) {
        const item: Record<string, unknown> = {};
        for (const child of field.fields)
          item[child.id] = postedValue(child, `${field.id}.${i}.${child.id}`, body);
        if (
          Object.values(item).some(
            (v) => v !== undefined && v !== "" && !(Array.isArray(v) && v.length === 0),
          )
        )
          items.push(item);
      }
      out[field.id] = items;
    } else if (field.type === "file") {
      out[field.id] = [...many(body[field.id]), ...(uploads[field.id] ?? [])];
    } else {
      out[field.id] = postedValue(field, field.id, body);
    }
  }
  return out;
}

/** A valid stand-in for an Aadhaar number already checked and stored only masked. */
export const AADHAAR_STAND_IN = (() => {
  const body = "23456789012";
  return `${body}${verhoeffCheckDigit(body)}`;
})();

/**
 * The answers to validate: the draft's answers with each stored (protected)
 * Aadhaar replaced by a valid stand-in, so a number given once need not be
 * given again and is never kept in clear.
 */
export function answersForValidation(data: DefinitionDraftData): Record<string, unknown> {
  const out = { ...data.answers };
  for (const id of Object.keys(data.aadhaar)) if (out[id] === undefined) out[id] = AADHAAR_STAND_IN;
  return out;
}

/** The top-level field id an error is about (`address.pincode` → `address`). */
export function rootOf(error: FormError): string {
  return error.field.split(".")[0] ?? "";
}

/** The errors about the given fields (a page's), in form order. */
export function errorsFor(
  errors: readonly FormError[],
  fieldIds: ReadonlySet<string>,
): FormError[] {
  return errors.filter((e) => fieldIds.has(rootOf(e)));
}

/** The DOM id of the input an error points to (the error summary's link). */
export function domIdOf(def: ServiceDefinition, error: FormError): string {
  const parts = error.field.split(".");
  const field = allFields(def).get(parts[0] ?? "");
  if (field?.type === "date") return `${parts[0]}-day`;
  if (field?.type === "group" && parts.length >= 3) {
    const child = field.fields.find((c) => c.id === parts[2]);
    return child?.type === "date" ? `${parts.join("-")}-day` : parts.join("-");
  }
  return parts.join("-");
}

/** Every top-level field by id. */
export function allFields(def: ServiceDefinition): Map<string, Field> {
  const out = new Map<string, Field>();
  for (const page of def.form.pages) for (const f of page.fields) out.set(f.id, f);
  return out;
}

/** The page holding a top-level field. */
export function pageOfField(def: ServiceDefinition, fieldId: string): Page | undefined {
  return def.form.pages.find((p) => p.fields.some((f) => f.id === fieldId));
}

/** Task list sections: each task's shown pages and its status. Without `tasks`, one section holds every page. */
export type TaskStatus = "not_started" | "in_progress" | "completed";
export type TaskRow = { id: string; title?: Field["label"]; pages: Page[]; status: TaskStatus };

/**
 * The task list for these answers: a task is completed when every question
 * on its shown pages is valid (answered when required), not started when
 * none of them is answered, and in progress otherwise.
 */
export function taskList(
  def: ServiceDefinition,
  form: CompiledForm,
  answers: Record<string, unknown>,
  errors: readonly FormError[],
): TaskRow[] {
  const shown = new Set(form.visiblePages(answers));
  const pagesById = new Map(def.form.pages.map((p) => [p.id, p]));
  const tasks = def.form.tasks ?? [{ id: "form", pages: def.form.pages.map((p) => p.id) }];
  return tasks.map((task) => {
    const pages = task.pages.filter((id) => shown.has(id)).map((id) => pagesById.get(id) as Page);
    const ids = new Set(pages.flatMap((p) => p.fields.map((f) => f.id)));
    const answered = [...ids].some((id) => answers[id] !== undefined);
    const wrong = errorsFor(errors, ids).length > 0;
    const status: TaskStatus = !answered
      ? wrong
        ? "not_started"
        : "completed"
      : wrong
        ? "in_progress"
        : "completed";
    return { id: task.id, ...("title" in task ? { title: task.title } : {}), pages, status };
  });
}

/** The next shown page after `pageId` in form order, or undefined at the end. */
export function nextPage(form: CompiledForm, answers: Record<string, unknown>, pageId: string) {
  const shown = form.visiblePages(answers);
  const i = shown.indexOf(pageId);
  return i >= 0 ? shown[i + 1] : shown[0];
}

/** Who applies, read from the answers by convention (see {@link applicantFields}). */
export type Applicant = { name: string; mobile: string; districtCode: number; tehsilCode: number };

/**
 * The fields that say who applies and where: the name is the top-level text
 * question `fullName` (else the first top-level text question whose id ends
 * in `name`, e.g. `husbandName`, else the first top-level text question; not
 * a place such as `placeOfMarriage` when a name is asked), the mobile
 * the first top-level `mobile` question, the place the first top-level
 * `address` question. A definition without a mobile or an address question
 * cannot be filed (reference numbers and tracking need them).
 */
export function applicantFields(def: ServiceDefinition) {
  const fields = [...allFields(def).values()];
  const text = fields.filter((f) => f.type === "text");
  const name =
    text.find((f) => f.id === "fullName") ?? text.find((f) => /name$/i.test(f.id)) ?? text[0];
  return {
    name: name?.id,
    mobile: fields.find((f) => f.type === "mobile")?.id,
    address: fields.find((f) => f.type === "address")?.id,
  };
}

/** The applicant of validated answers, or undefined when a needed answer is missing. */
export function applicantOf(
  def: ServiceDefinition,
  answers: Record<string, unknown>,
): Applicant | undefined {
  const f = applicantFields(def);
  const address = (f.address ? answers[f.address] : undefined) as
    | { districtCode?: number; tehsilCode?: number }
    | undefined;
  const name = f.name ? answers[f.name] : undefined;
  const mobile = f.mobile ? answers[f.mobile] : undefined;
  if (typeof name !== "string" || typeof mobile !== "string" || !address) return undefined;
  if (typeof address.districtCode !== "number" || typeof address.tehsilCode !== "number")
    return undefined;
  return { name, mobile, districtCode: address.districtCode, tehsilCode: address.tehsilCode };
}

/** One line of the document checklist. */
export type ChecklistItem = {
  item: ServiceDefinition["documents"]["items"][number];
  /** The any-one-of group it belongs to, if any. */
  group?: NonNullable<ServiceDefinition["documents"]["groups"]>[number];
  uploads: string[];
};

/**
 * The documents these answers call for (conditions applied), with the
 * uploads so far, and what is still missing: each required document outside
 * a group, and each group with fewer uploaded documents than its `min`
 * (default 1). Ids of missing items are document or group ids.
 *
 * `posted` may be a draft's answers as posted (`"yes"`, `"2"`): the
 * conditions are tested on them normalised, as the form's own are.
 */
export function documentChecklist(
  def: ServiceDefinition,
  posted: Record<string, unknown>,
  uploads: Record<string, string[]>,
): { items: ChecklistItem[]; missing: string[] } {
  const answers = conditionFacts(def, posted);
  const groups = (def.documents.groups ?? []).filter((g) => evaluate(g.when, answers));
  const groupOf = new Map(groups.flatMap((g) => g.documents.map((d) => [d, g] as const)));
  const items = def.documents.items
    .filter((item) => evaluate(item.when, answers))
    .map((item) => {
      const group = groupOf.get(item.id);
      return { item, ...(group ? { group } : {}), uploads: uploads[item.id] ?? [] };
    });
  const missing: string[] = [];
  for (const row of items)
    if (!row.group && row.item.required !== false && row.uploads.length === 0)
      missing.push(row.item.id);
  for (const g of groups) {
    const have = items.filter((r) => r.group?.id === g.id && r.uploads.length > 0).length;
    if (have < (g.min ?? 1)) missing.push(g.id);
  }
  return { items, missing };
}

/** The fee fact `channel` of an application channel (`kendra` is the definitions' `sewaKendra`; the API is online). */
export function channelFact(channel: string): string {
  return channel === "kendra" ? "sewaKendra" : channel === "api" ? "online" : channel;
}

/** The fee due in paise for these answers on this application channel (catalog/definitions/fees.ts `computeFee`). */
export function feeOf(def: ServiceDefinition, answers: Record<string, unknown>, channel: string) {
  return computeFee(def.fees, { ...answers, channel: channelFact(channel) }).paise;
}
