/**
 * Nunjucks set-up: filters and globals shared by every page.
 */
import nunjucks from "nunjucks";
import { GENERIC_FORM_MAX_BYTES } from "../applications/uploads.ts";

/** The GOV.UK Frontend macros' built-in English prefix of field errors (error-message template). */
/** HTML-escapes text (&, <, >, ", '). */
function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const GOVUK_ERROR_PREFIX = '<span class="govuk-visually-hidden">Error:</span>';

/**
 * Replaces the English defaults that GOV.UK Frontend's macros print on their
 * own (the visually hidden "Error:" before each field's error, read out by
 * screen readers) with the page language's words (`common.errorPrefix`).
 * The macros cannot see the page's translator, so this runs on the rendered page.
 */
export function localiseGovukDefaults(html: string, ctx: Record<string, unknown>): string {
  const t = ctx.t as ((key: string) => string) | undefined;
  if (!t || ctx.lang === "en" || !html.includes(GOVUK_ERROR_PREFIX)) return html;
  const prefix = escapeHtml(t("common.errorPrefix"));
  return html
    .split(GOVUK_ERROR_PREFIX)
    .join(`<span class="govuk-visually-hidden">${prefix}:</span>`);
}

/** Adds Sewa's filters and globals to a Nunjucks environment. */
export function configureTemplates(env: nunjucks.Environment): void {
  const render = env.render.bind(env);
  env.render = ((
    name: string,
    ctx: object,
    cb?: (err: Error | null, res: string | null) => void,
  ) => {
    if (!cb) return localiseGovukDefaults(render(name, ctx), ctx as Record<string, unknown>);
    return render(name, ctx, (err, res) =>
      cb(err, res === null ? res : localiseGovukDefaults(res, ctx as Record<string, unknown>)),
    );
  }) as typeof env.render;
  /**
   * Text that exists only in English (an officer's notified title, a notification's
   * citation, an address), marked `lang="en"` on a Punjabi or Hindi page so that
   * screen readers switch voice (WCAG 3.1.2). Escaped; returns safe markup.
   */
  env.addFilter("inEnglish", (value: unknown, lang: string) => {
    const text = escapeHtml(String(value ?? ""));
    return new nunjucks.runtime.SafeString(
      lang !== "en" && /[A-Za-z]{2}/.test(text) ? `<span lang="en">${text}</span>` : text,
    );
  });
  env.addGlobal("serviceName", "Sewa");
  env.addGlobal("maxUploadBytes", GENERIC_FORM_MAX_BYTES);
  /**
   * A catalog name in the page's language: `obj[key + "Pa"]` or `obj[key + "Hi"]`
   * when translated, else the English `obj[key]` (service and department names).
   */
  env.addGlobal(
    "localName",
    (obj: Record<string, unknown> | undefined, key: string, lang: string) => {
      if (!obj) return "";
      const suffix = lang === "pa" ? "Pa" : lang === "hi" ? "Hi" : "";
      const local = suffix ? obj[`${key}${suffix}`] : undefined;
      return typeof local === "string" && local ? local : String(obj[key] ?? "");
    },
  );
  /** Items for govukSelect from rows: value/text keys, with the selected value marked. */
  env.addFilter(
    "selectItems",
    (
      rowsIn: Array<Record<string, unknown>>,
      valueKey: string,
      textKey: string,
      selected: unknown,
      placeholder?: string,
    ) => {
      const items = rowsIn.map((r) => ({
        value: String(r[valueKey]),
        text: String(r[textKey]),
        selected:
          selected !== undefined && selected !== null && String(selected) === String(r[valueKey]),
      }));
      return placeholder === undefined ? items : [{ value: "", text: placeholder }, ...items];
    },
  );
}
