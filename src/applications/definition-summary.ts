/**
 * Check-your-answers summaries of definition answers (issue 3): one section
 * per shown page, one row per shown question, values in the reader's
 * language, each with the page to change it. Pure; the template escapes.
 */
import type {
  Field,
  Lang,
  LocalisedText,
  ServiceDefinition,
} from "../catalog/definitions/types.ts";

/** How to show values: dates and numbers in the reader's locale, place names, the words for yes and no. */
export type SummaryFormat = {
  date(iso: string): string;
  number(n: number): string;
  yes: string;
  no: string;
  district(code: number): string;
  tehsil(code: number): string;
  /** Upload id → file name. */
  file(id: string): string;
};

/** One row: the question, the answer (lines), the page that asks it. */
export type SummaryRow = { key: string; lines: string[]; pageId: string; fieldId: string };
/** One section: a page's title and its rows. */
export type SummarySection = { title: string; pageId: string; rows: SummaryRow[] };

/** A text in `lang`, else English. */
export function inLang(text: LocalisedText | undefined, lang: Lang): string {
  if (!text) return "";
  return text[lang] || text.en;
}

type AnyField = Field | Extract<Field, { type: "group" }>["fields"][number];

function optionLabel(field: AnyField, value: unknown, lang: Lang): string {
  const options = "options" in field ? field.options : undefined;
  const o = options?.find((x: { value: string }) => x.value === value);
  return o ? inLang(o.label, lang) : String(value);
}

function linesOf(field: AnyField, value: unknown, lang: Lang, f: SummaryFormat): string[] {
  if (value === undefined || value === null) return [];
  switch (field.type) {
    case "date":
      return [f.date(String(value))];
    case "number":
      return [f.number(Number(value))];
    case "yesno":
      return [value ? f.yes : f.no];
    case "select":
    case "radios":
      return [optionLabel(field, value, lang)];
    case "checkboxes":
      return (value as unknown[]).map((v) => optionLabel(field, v, lang));
    case "address": {
      const a = value as Record<string, unknown>;
      return [
        String(a.line1 ?? ""),
        ...(a.line2 ? [String(a.line2)] : []),
        `${f.tehsil(Number(a.tehsilCode))}, ${f.district(Number(a.districtCode))}`,
        String(a.pincode ?? ""),
      ];
    }
    case "aadhaar":
      return [String((value as { masked?: string }).masked ?? "")];
    case "file":
      return (value as string[]).map((id) => f.file(id));
    case "group": {
      const items = value as Record<string, unknown>[];
      return items.map((item, i) => {
        const parts = field.fields
          .filter((c) => item[c.id] !== undefined)
          .map((c) => `${inLang(c.label, lang)}: ${linesOf(c, item[c.id], lang, f).join(", ")}`);
        return `${inLang(field.itemLabel ?? field.label, lang)} ${i + 1}: ${parts.join("; ")}`;
      });
    }
    default:
      return [String(value)];
  }
}

/**
 * The summary of `answers` (validated, so hidden questions are absent) for
 * the pages in `shownPages`.
 */
export function summarise(
  def: ServiceDefinition,
  answers: Record<string, unknown>,
  shownPages: readonly string[],
  lang: Lang,
  format: SummaryFormat,
): SummarySection[] {
  const shown = new Set(shownPages);
  return def.form.pages
    .filter((p) => shown.has(p.id))
    .map((page) => ({
      title: inLang(page.title, lang),
      pageId: page.id,
      rows: page.fields
        .filter((field) => answers[field.id] !== undefined)
        .map((field) => ({
          key: inLang(field.label, lang),
          lines: linesOf(field, answers[field.id], lang, format),
          pageId: page.id,
          fieldId: field.id,
        })),
    }))
    .filter((s) => s.rows.length > 0);
}
