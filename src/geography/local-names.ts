/**
 * District and tehsil names in the page's language, sorted for that language.
 *
 * LGD publishes names in English only; `data/lgd-punjab-local-names.csv`
 * (kind, code, name_en, name_pa, name_hi) gives the Gurmukhi and Devanagari
 * names of Punjab's 23 districts and 93 tehsils (first pass, to be checked by
 * the Revenue Department's own spellings: data/README.md). Names are NFC on
 * load. A code missing from the file keeps its English name.
 *
 * Lists are sorted with `Intl.Collator` of the page language (issue 7:
 * "names sorted with Intl.Collator for the page's language").
 */
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** A page language. */
export type PlaceLang = "en" | "pa" | "hi";
type Kind = "district" | "tehsil";

const FILE = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  "../../data/lgd-punjab-local-names.csv",
);

let table: Map<string, { pa: string; hi: string }> | undefined;

function names(): Map<string, { pa: string; hi: string }> {
  if (table) return table;
  table = new Map();
  const lines = fs.readFileSync(FILE, "utf8").split(/\r?\n/).slice(1);
  for (const line of lines) {
    if (!line.trim()) continue;
    const [kind, code, , pa = "", hi = ""] = line.split(",");
    table.set(`${kind}:${code}`, { pa: pa.normalize("NFC"), hi: hi.normalize("NFC") });
  }
  return table;
}

/**
 * The name of district or tehsil `code` in `lang`; `english` (the LGD display
 * name) for English or when no local name is known.
 */
export function placeName(kind: Kind, code: number, lang: string, english: string): string {
  if (lang !== "pa" && lang !== "hi") return english;
  return names().get(`${kind}:${code}`)?.[lang] || english;
}

/** A collator for the page language (`pa-IN`, `hi-IN`, `en-IN`). */
export function collatorFor(lang: string): Intl.Collator {
  return new Intl.Collator(lang === "pa" ? "pa-IN" : lang === "hi" ? "hi-IN" : "en-IN");
}

/**
 * Copies of `rows` (districts or tehsils: `code`, `name`) with `name` in
 * `lang`, sorted by that name with the language's collator. The English name
 * stays in `nameEn`.
 */
export function localPlaces<T extends { code: number; name: string }>(
  kind: Kind,
  rows: readonly T[],
  lang: string,
): Array<T & { nameEn: string }> {
  const collator = collatorFor(lang);
  return rows
    .map((r) => ({ ...r, nameEn: r.name, name: placeName(kind, r.code, lang, r.name) }))
    .sort((a, b) => collator.compare(a.name, b.name));
}
