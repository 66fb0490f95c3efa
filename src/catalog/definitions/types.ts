/**
 * Types of service definitions (derived from the TypeBox source in
 * `schema.ts`, so the TypeScript types and the JSON Schema cannot drift) and
 * the shared result types of the definitions module.
 */
import type { Static } from "@sinclair/typebox";
import type { UploadKind } from "../../applications/uploads.ts";
import type {
  ChildFieldSchema,
  ConditionSchema,
  DOCUMENT_KINDS,
  FieldSchema,
  LANGS,
  LocalisedTextSchema,
  ServiceDefinitionSchema,
} from "./schema.ts";

/** A language of the UI: `en`, `pa` (Punjabi, Gurmukhi) or `hi` (Hindi, Devanagari). */
export type Lang = (typeof LANGS)[number];

/** A text in the three languages (`pa`, `hi` optional in drafts; the linter requires them). */
export type LocalisedText = Static<typeof LocalisedTextSchema>;

/** A parsed service definition that matches `schemas/service-definition.schema.json`. */
export type ServiceDefinition = Static<typeof ServiceDefinitionSchema>;

/** A condition (`when`): a test, or `all` / `any` of tests. */
export type Condition = Static<typeof ConditionSchema>;

/** A question of the form (any type, including `group`). */
export type Field = Static<typeof FieldSchema>;
/** A question inside a repeating group (any type but `group`). */
export type ChildField = Static<typeof ChildFieldSchema>;
/** One of the field types. */
export type FieldType = Field["type"];
/** A field of one type, e.g. `FieldOf<"date">`. */
export type FieldOf<T extends FieldType> = Extract<Field, { type: T }>;

/** A form page. */
export type Page = ServiceDefinition["form"]["pages"][number];
/** A cross-field rule. */
export type FormRule = NonNullable<ServiceDefinition["form"]["rules"]>[number];
/** The fees section. */
export type Fees = ServiceDefinition["fees"];
/** One fee rule. */
export type FeeRule = Fees["rules"][number];
/** The workflow section. */
export type Workflow = ServiceDefinition["workflow"];
/** A channel name. */
export type ChannelName = keyof ServiceDefinition["channels"];
/** A file kind a document can have, judged by content (the upload checker's kinds, `applications/uploads.ts`). */
export type DocumentKind = (typeof DOCUMENT_KINDS)[number];

// Compile-time check: the kinds a definition can name are exactly the kinds the upload checker knows.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const _documentKindsAreUploadKinds: Same<DocumentKind, UploadKind> = true;

/**
 * A place inside a definition: keys and array indexes from the root, e.g.
 * `["form", "pages", 0, "fields", 2, "label", "pa"]`. Shown as
 * `form.pages[0].fields[2].label.pa` by {@link formatPath}.
 */
export type Path = readonly (string | number)[];

/** `["form","pages",0,"label"]` → `form.pages[0].label`; the empty path → `(root)`. */
export function formatPath(path: Path): string {
  let out = "";
  for (const seg of path) {
    if (typeof seg === "number") out += `[${seg}]`;
    else out += out === "" ? seg : `.${seg}`;
  }
  return out === "" ? "(root)" : out;
}

/**
 * One finding of the loader or the linter.
 * - `file`: the file as given to the loader/linter;
 * - `line`: 1-based line in the file when known;
 * - `path`: where in the definition, as {@link formatPath} shows it;
 * - `code`: a stable code (`workflow.unreachable`, `translation.missing`...);
 * - `message`: English, says what is wrong and what to do;
 * - `severity`: `error` blocks publishing; `warning` does not.
 */
export type LintIssue = {
  file: string;
  line?: number;
  path: string;
  code: string;
  message: string;
  severity: "error" | "warning";
};

/** `file:line: path: message` (the line when known), the one-line form for terminals and CI logs. */
export function formatIssue(issue: LintIssue): string {
  const where = issue.line === undefined ? issue.file : `${issue.file}:${issue.line}`;
  return `${where}: ${issue.severity}: ${issue.path}: ${issue.message} [${issue.code}]`;
}
