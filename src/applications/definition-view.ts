/**
 * View models for definition form pages: each question with its name, DOM
 * id, text in the reader's language, the value to show and its error, ready
 * for `views/_definition-field.njk` (GOV.UK macros). Pure.
 */
import type { ChildField, Field, Lang } from "../catalog/definitions/types.ts";
import { groupSize } from "./definition-form.ts";
import { inLang } from "./definition-summary.ts";

/** A question as the template draws it. */
export type FieldView = {
  type: Field["type"];
  id: string;
  name: string;
  label: string;
  hint: string;
  error?: string;
  /** Text value, or the selected value(s) for choices, or the parts of a date or address. */
  value: unknown;
  options?: { value: string; text: string; checked: boolean }[];
  /** Repeating group: one list of child questions per item. */
  items?: FieldView[][];
  itemLabel?: string;
  canAdd?: boolean;
  inputmode?: string;
  autocomplete?: string;
};

const asText = (v: unknown): string =>
  v === undefined || v === null ? "" : typeof v === "object" ? "" : String(v);

function displayValue(field: Field | ChildField, value: unknown): unknown {
  switch (field.type) {
    case "date": {
      const [y = "", m = "", d = ""] = asText(value).split("-");
      return { day: d.replace(/^0/, ""), month: m.replace(/^0/, ""), year: y };
    }
    case "address":
      return (value ?? {}) as Record<string, unknown>;
    case "yesno":
      return value === true || value === "yes"
        ? "yes"
        : value === false || value === "no"
          ? "no"
          : "";
    case "checkboxes":
    case "file":
      return Array.isArray(value) ? value : value === undefined ? [] : [value];
    case "aadhaar":
      // Only the masked number is ever kept; the box is left empty (the hint says it is on file).
      return typeof value === "string" ? value : "";
    default:
      return asText(value);
  }
}

const INPUT_HINTS: Partial<Record<Field["type"], { inputmode?: string; autocomplete?: string }>> = {
  mobile: { inputmode: "numeric", autocomplete: "tel-national" },
  pincode: { inputmode: "numeric", autocomplete: "postal-code" },
  aadhaar: { inputmode: "numeric", autocomplete: "off" },
  number: { inputmode: "decimal" },
  email: { autocomplete: "email" },
};

/**
 * The view of one question.
 * @param values answers to show (what was posted, or what is stored)
 * @param errors field path (`id`, `group.0.child`) → message
 */
export function fieldView(
  field: Field | ChildField,
  lang: Lang,
  values: Record<string, unknown>,
  errors: Record<string, string>,
  prefix = "",
  body?: Record<string, string | string[]>,
): FieldView {
  const name = `${prefix}${field.id}`;
  const id = name.replaceAll(".", "-");
  const value = values[field.id];
  const view: FieldView = {
    type: field.type,
    id,
    name,
    label: inLang(field.label, lang),
    hint: inLang("hint" in field ? field.hint : undefined, lang),
    value: displayValue(field, value),
    ...INPUT_HINTS[field.type],
  };
  const error = errors[name] ?? firstNested(errors, name);
  if (error) view.error = error;
  if ("options" in field && field.options) {
    const selected = new Set(
      (Array.isArray(value) ? value : value === undefined ? [] : [value]).map(String),
    );
    view.options = field.options.map((o) => ({
      value: o.value,
      text: inLang(o.label, lang),
      checked: selected.has(o.value),
    }));
  }
  if (field.type === "group") {
    const stored = Array.isArray(value) ? (value as Record<string, unknown>[]) : [];
    const n = groupSize(field, body, stored);
    view.items = Array.from({ length: n }, (_, i) =>
      field.fields.map((child) =>
        fieldView(child, lang, stored[i] ?? {}, errors, `${name}.${i}.`, body),
      ),
    );
    view.itemLabel = inLang(field.itemLabel ?? field.label, lang);
    view.canAdd = n < (field.max ?? 20);
  }
  return view;
}

/** The first error under `name.` (an address part), for the question's own message. */
function firstNested(errors: Record<string, string>, name: string): string | undefined {
  const key = Object.keys(errors).find(
    (k) => k.startsWith(`${name}.`) && k.split(".").length === 2,
  );
  return key ? errors[key] : undefined;
}
