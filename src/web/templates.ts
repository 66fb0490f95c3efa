/**
 * Nunjucks set-up: filters and globals shared by every page.
 */
import type nunjucks from "nunjucks";
import { GENERIC_FORM_MAX_BYTES } from "../applications/uploads.ts";

/** Adds Sewa's filters and globals to a Nunjucks environment. */
export function configureTemplates(env: nunjucks.Environment): void {
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
