/**
 * Checks the i18next catalogs of the portal: `node scripts/i18n-check.ts`
 * (to be wired as `npm run i18n:check`). Exit status 0 with a one-line
 * summary when all is well, 1 with one line per problem otherwise.
 *
 * For every catalog folder ({@link catalogDirs}: every `locales` folder under
 * `src/`, e.g. `src/web/locales`, `src/applications/locales`,
 * `src/kendras/locales`), English (`en.json`) is the source and the
 * other languages (`pa.json` Gurmukhi, `hi.json` Devanagari) are checked
 * against it, key by key (keys are dotted paths to string leaves; the
 * `_meta` object is documentation and is skipped):
 * - `missing`: a key of `en.json` absent from a translation;
 * - `extra`: a key present only in a translation;
 * - `placeholders`: the set of `{{name}}` placeholders differs from English;
 * - `same_as_english`: the translation is the English text verbatim;
 * - `wrong_script`: a `pa` value with no Gurmukhi letter, or a `hi` value
 *   with no Devanagari letter;
 * - `not_string`: a leaf that is not a string (number, array, null).
 * The last two checks, and `same_as_english`, skip values that have no
 * letter at all once placeholders are removed (digits, punctuation) and the
 * few values in {@link IDENTICAL_ALLOWED} (codes a citizen reads as is).
 *
 * Unused keys (`unused`): every English catalog except the validation
 * messages' (`src/applications/locales`, keyed by definition data) is compared with the keys the code asks for. Sources are `src/**\/*.njk`
 * and `src/**\/*.ts` (tests excluded); a key is used when it appears as the
 * first argument of `t(...)`, `request.t(...)`, `<anything>.t(...)` or of a
 * local alias of one (`const tr = request.t;`), as a string literal; a
 * literal followed by `+` (or Nunjucks `~`), or a template literal with
 * `${...}`, is a dynamic key whose literal prefix marks every key starting
 * with it as used (`t("status." + status)`). A used key `k` also uses its
 * i18next plural forms `k_one`, `k_other`, ... and, if `k` names an object,
 * every key below it. Keys built outside any `t(...)` call are listed in
 * {@link CODE_BUILT_PREFIXES}.
 *
 * Rule sources: i18next interpolation (`{{name}}`, optional `, format`) and
 * plural suffixes (https://www.i18next.com/translation-function/plurals);
 * scripts per Unicode Script property (Gurmukhi U+0A00–U+0A7F, Devanagari
 * U+0900–U+097F).
 */
import fs from "node:fs";
import path from "node:path";

/**
 * Catalog folders, relative to `root`: every folder named `locales` under
 * `src/` (each domain module keeps its own strings), sorted.
 */
export function catalogDirs(root: string): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const e of fs.readdirSync(path.join(root, rel), { withFileTypes: true })) {
      if (!e.isDirectory() || e.name === "node_modules") continue;
      const child = path.posix.join(rel, e.name);
      if (e.name === "locales") out.push(child);
      else walk(child);
    }
  };
  walk("src");
  return out.sort();
}

/** The folder whose English keys are looked up by code built from definitions, not by literal `t()` calls. */
export const NOT_USAGE_CHECKED_DIR = "src/applications/locales";

/** The translated languages and the script each one must be written in. */
export const SCRIPT_OF: Readonly<Record<string, { name: string; letter: RegExp }>> = {
  pa: { name: "Gurmukhi", letter: /(?=\p{Script=Gurmukhi})\p{L}/u },
  hi: { name: "Devanagari", letter: /(?=\p{Script=Devanagari})\p{L}/u },
};

/**
 * Values that may legitimately be the same in every language and need not
 * contain the language's script: file-format and unit codes read as is.
 * Keep this list short; anything a citizen reads as a word must be translated.
 */
export const IDENTICAL_ALLOWED: ReadonlySet<string> = new Set(["PDF", "JPEG", "PNG", "MiB"]);

/**
 * Key prefixes built by code rather than by a `t("prefix" + ...)` call:
 * `validation.` keys come from `messageKey()` in
 * `src/applications/generic-form.ts` (field path + error code).
 */
export const CODE_BUILT_PREFIXES: readonly string[] = ["validation."];

/** i18next plural categories (CLDR) appended to a key as `_<category>`. */
const PLURAL_CATEGORIES = ["zero", "one", "two", "few", "many", "other"] as const;

/** Kinds of problem the checker reports. */
export type ProblemKind =
  | "missing_file"
  | "invalid_json"
  | "missing"
  | "extra"
  | "placeholders"
  | "same_as_english"
  | "wrong_script"
  | "not_string"
  | "unused";

/** One problem: the file (path as given) and dotted key it is about. */
export interface Problem {
  kind: ProblemKind;
  file: string;
  key: string;
  message: string;
}

/** Parsed catalog (JSON object), or `undefined` when the file is absent. */
export type Catalog = Record<string, unknown>;

/** One catalog folder: its path and its catalogs by language code (`en` is the source). */
export interface CatalogFolder {
  dir: string;
  catalogs: Record<string, Catalog | undefined>;
}

/** A source file to scan for `t(...)` calls. */
export interface SourceFile {
  file: string;
  text: string;
}

/** Everything the checker looks at, already read into memory. */
export interface CheckInput {
  folders: CatalogFolder[];
  /** Sources scanned for used keys; when omitted, unused keys are not checked. */
  sources?: SourceFile[];
  /** The folder whose `en` keys must be used (default: every folder but {@link NOT_USAGE_CHECKED_DIR}). */
  usageDir?: string;
  /** Prefixes counted as used without a call (default {@link CODE_BUILT_PREFIXES}). */
  codeBuiltPrefixes?: readonly string[];
}

/** Result of {@link checkI18n}: the problems, and counts for the summary line. */
export interface CheckResult {
  problems: Problem[];
  folders: number;
  files: number;
  keys: number;
  usedKeys: number;
}

/**
 * Flattens a catalog to `dotted.key → leaf`, skipping the top-level `_meta`.
 * Objects are descended; any other value (string or not) is a leaf.
 */
export function flatten(catalog: Catalog): Map<string, unknown> {
  const out = new Map<string, unknown>();
  const walk = (node: Record<string, unknown>, prefix: string): void => {
    for (const [k, v] of Object.entries(node)) {
      if (prefix === "" && k === "_meta") continue;
      const key = prefix ? `${prefix}.${k}` : k;
      if (v !== null && typeof v === "object" && !Array.isArray(v)) {
        walk(v as Record<string, unknown>, key);
      } else out.set(key, v);
    }
  };
  walk(catalog, "");
  return out;
}

/** The i18next placeholder names of a value (`{{count}}`, `{{date, datetime}}` → `date`), sorted. */
export function placeholders(value: string): string[] {
  const names = new Set<string>();
  for (const m of value.matchAll(/\{\{\s*-?\s*([^}\s,]+)\s*(?:,[^}]*)?\}\}/g)) {
    names.add(m[1] as string);
  }
  return [...names].sort();
}

/** True for values exempt from the same-as-English and script checks. */
function exempt(value: string): boolean {
  if (IDENTICAL_ALLOWED.has(value.trim())) return true;
  const bare = value.replace(/\{\{[^}]*\}\}/g, "");
  return !/\p{L}/u.test(bare);
}

/**
 * Compares the catalogs of one folder with its English source.
 * A missing `en` catalog is one `missing_file` problem; a missing translation
 * of a language in {@link SCRIPT_OF} likewise.
 */
export function checkFolder(folder: CatalogFolder): Problem[] {
  const problems: Problem[] = [];
  const fileOf = (lang: string) => path.join(folder.dir, `${lang}.json`);
  const en = folder.catalogs.en;
  if (!en) {
    return [
      {
        kind: "missing_file",
        file: fileOf("en"),
        key: "",
        message: "English source catalog is missing",
      },
    ];
  }
  const source = flatten(en);
  for (const [key, value] of source) {
    if (typeof value !== "string")
      problems.push({
        kind: "not_string",
        file: fileOf("en"),
        key,
        message: `value is not a string (${JSON.stringify(value)})`,
      });
  }
  const langs = new Set([...Object.keys(SCRIPT_OF), ...Object.keys(folder.catalogs)]);
  langs.delete("en");
  for (const lang of [...langs].sort()) {
    const file = fileOf(lang);
    const catalog = folder.catalogs[lang];
    if (!catalog) {
      problems.push({ kind: "missing_file", file, key: "", message: "catalog is missing" });
      continue;
    }
    const target = flatten(catalog);
    const script = SCRIPT_OF[lang];
    for (const [key, enValue] of source) {
      if (!target.has(key)) {
        problems.push({ kind: "missing", file, key, message: "key missing (present in en.json)" });
        continue;
      }
      const value = target.get(key);
      if (typeof value !== "string") {
        problems.push({
          kind: "not_string",
          file,
          key,
          message: `value is not a string (${JSON.stringify(value)})`,
        });
        continue;
      }
      if (typeof enValue !== "string") continue;
      const want = placeholders(enValue);
      const got = placeholders(value);
      if (want.join("\u0000") !== got.join("\u0000")) {
        problems.push({
          kind: "placeholders",
          file,
          key,
          message: `placeholders {${got.join(", ")}} differ from English {${want.join(", ")}}`,
        });
      }
      if (exempt(value)) continue;
      if (value === enValue) {
        problems.push({
          kind: "same_as_english",
          file,
          key,
          message: `value is the English text: ${JSON.stringify(value)}`,
        });
      } else if (script && !script.letter.test(value)) {
        problems.push({
          kind: "wrong_script",
          file,
          key,
          message: `value has no ${script.name} letter: ${JSON.stringify(value)}`,
        });
      }
    }
    for (const key of target.keys()) {
      if (!source.has(key))
        problems.push({ kind: "extra", file, key, message: "key not in en.json" });
    }
  }
  return problems;
}

/** Keys and key prefixes the sources ask for. */
export interface Usage {
  keys: Set<string>;
  prefixes: Set<string>;
}

const STRING_ARG = String.raw`("(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|\x60(?:[^\x60\\]|\\.)*\x60)`;

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * Finds the keys used by `t(...)`-style calls in the given sources (see the
 * module docstring for the patterns). Aliases (`const tr = request.t;`) are
 * recognised per file.
 */
export function findUsage(sources: readonly SourceFile[]): Usage {
  const keys = new Set<string>();
  const prefixes = new Set<string>();
  for (const { text } of sources) {
    const names = new Set(["t"]);
    for (const m of text.matchAll(
      /\b(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*=\s*(?:[\w$]+\.)*t\s*[;\n]/g,
    )) {
      names.add(m[1] as string);
    }
    const callee = [...names].map(escapeRegExp).join("|");
    const call = new RegExp(
      String.raw`(?<![\w$])(?:[\w$]+\s*\.\s*)*(?:${callee})\s*\(\s*${STRING_ARG}(\s*[+~])?`,
      "g",
    );
    for (const m of text.matchAll(call)) {
      const literal = m[1] as string;
      const quote = literal[0];
      const body = literal.slice(1, -1);
      if (quote === "`") {
        const at = body.indexOf("${");
        if (at >= 0) {
          if (at > 0) prefixes.add(body.slice(0, at));
          continue;
        }
      }
      if (m[2]) {
        if (body) prefixes.add(body);
      } else keys.add(body);
    }
  }
  return { keys, prefixes };
}

/** True when `key` is used: asked for, a plural form of a key asked for, below one, or under a prefix. */
export function isUsed(key: string, usage: Usage, codeBuiltPrefixes: readonly string[]): boolean {
  if (usage.keys.has(key)) return true;
  const plural = /^(.*)_([a-z]+)$/.exec(key);
  if (plural && (PLURAL_CATEGORIES as readonly string[]).includes(plural[2] as string)) {
    if (usage.keys.has(plural[1] as string)) return true;
  }
  for (let i = key.indexOf("."); i > 0; i = key.indexOf(".", i + 1)) {
    if (usage.keys.has(key.slice(0, i))) return true;
  }
  for (const p of usage.prefixes) if (key.startsWith(p)) return true;
  for (const p of codeBuiltPrefixes) if (key.startsWith(p)) return true;
  return false;
}

/** Runs every check on in-memory catalogs and sources. Pure: no file access. */
export function checkI18n(input: CheckInput): CheckResult {
  const problems: Problem[] = [];
  let files = 0;
  let keys = 0;
  let usedKeys = 0;
  for (const folder of input.folders) {
    problems.push(...checkFolder(folder));
    for (const c of Object.values(folder.catalogs)) if (c) files++;
    if (folder.catalogs.en) keys += flatten(folder.catalogs.en).size;
  }
  if (input.sources) {
    const usageFolders = input.folders.filter((f) =>
      input.usageDir ? f.dir === input.usageDir : f.dir !== NOT_USAGE_CHECKED_DIR,
    );
    const usage = findUsage(input.sources);
    const prefixes = input.codeBuiltPrefixes ?? CODE_BUILT_PREFIXES;
    for (const folder of usageFolders) {
      const en = folder.catalogs.en;
      if (!en) continue;
      for (const key of flatten(en).keys()) {
        if (isUsed(key, usage, prefixes)) usedKeys++;
        else
          problems.push({
            kind: "unused",
            file: path.join(folder.dir, "en.json"),
            key,
            message: "key is never used by src/**/*.njk or src/**/*.ts",
          });
      }
    }
  }
  return { problems, folders: input.folders.length, files, keys, usedKeys };
}

function listFiles(dir: string, accept: (name: string) => boolean): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listFiles(full, accept));
    else if (entry.isFile() && accept(entry.name)) out.push(full);
  }
  return out.sort();
}

/**
 * Reads the project's catalogs and sources from `root` (the repository root).
 * Unparseable JSON is reported as `invalid_json` problems alongside.
 */
export function loadProject(root: string): { input: CheckInput; problems: Problem[] } {
  const problems: Problem[] = [];
  const folders: CatalogFolder[] = catalogDirs(root).map((dir) => {
    const catalogs: Record<string, Catalog | undefined> = {};
    const abs = path.join(root, dir);
    const names = fs.existsSync(abs) ? fs.readdirSync(abs).filter((n) => n.endsWith(".json")) : [];
    for (const name of names.sort()) {
      const file = path.join(dir, name);
      try {
        const parsed: unknown = JSON.parse(fs.readFileSync(path.join(root, file), "utf8"));
        if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed))
          throw new Error("not a JSON object");
        catalogs[name.slice(0, -".json".length)] = parsed as Catalog;
      } catch (e) {
        problems.push({ kind: "invalid_json", file, key: "", message: (e as Error).message });
      }
    }
    return { dir, catalogs };
  });
  const sources = listFiles(
    path.join(root, "src"),
    (n) => n.endsWith(".njk") || (n.endsWith(".ts") && !n.endsWith(".test.ts")),
  ).map((abs) => ({ file: path.relative(root, abs), text: fs.readFileSync(abs, "utf8") }));
  return { input: { folders, sources }, problems };
}

/** Formats a problem as `file: key: kind: message`. */
export function formatProblem(p: Problem): string {
  return `${p.file}: ${p.key || "(file)"}: ${p.kind}: ${p.message}`;
}

/** Checks the repository at `root`; prints problems or a summary; returns the exit status. */
export function main(root: string = process.cwd()): number {
  const loaded = loadProject(root);
  const result = checkI18n(loaded.input);
  const problems = [...loaded.problems, ...result.problems];
  if (problems.length > 0) {
    for (const p of problems) console.error(formatProblem(p));
    console.error(`i18n-check: ${problems.length} problem(s)`);
    return 1;
  }
  console.log(
    `i18n-check: ok — ${result.files} catalogs in ${result.folders} folders, ${result.keys} English keys, ` +
      `${result.usedKeys} page keys all used, translations complete`,
  );
  return 0;
}

if (import.meta.main) process.exitCode = main();
