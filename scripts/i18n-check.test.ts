/**
 * Tests of the catalog checker (scripts/i18n-check.ts) on small in-memory
 * catalogs, one kind of problem at a time, and on the real catalogs.
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import {
  type Catalog,
  type CheckInput,
  checkI18n,
  findUsage,
  flatten,
  formatProblem,
  loadProject,
  placeholders,
  type SourceFile,
} from "./i18n-check.ts";

const DIR = "src/web/locales";

const en: Catalog = {
  _meta: { language: "English" },
  common: { serviceName: "Sewa", back: "Back" },
  home: { results_one: "{{count}} service found", results_other: "{{count}} services found" },
  upload: { formats: "PDF" },
};
const pa: Catalog = {
  _meta: { language: "ਪੰਜਾਬੀ", review: "needs review" },
  common: { serviceName: "ਸੇਵਾ", back: "ਪਿੱਛੇ" },
  home: { results_one: "{{count}} ਸੇਵਾ ਮਿਲੀ", results_other: "{{count}} ਸੇਵਾਵਾਂ ਮਿਲੀਆਂ" },
  upload: { formats: "PDF" },
};
const hi: Catalog = {
  _meta: { language: "हिन्दी" },
  common: { serviceName: "सेवा", back: "वापस" },
  home: { results_one: "{{count}} सेवा मिली", results_other: "{{count}} सेवाएँ मिलीं" },
  upload: { formats: "PDF" },
};
const usingAll: SourceFile[] = [
  {
    file: "src/x.njk",
    text: `{{ t("common.serviceName") }} {{ t('common.back') }} {{ t("home.results", { count: n }) }} {{ t("upload.formats") }}`,
  },
];

/** A deep copy of `c` with `dotted` set to `value` (or removed when undefined). */
function edit(c: Catalog, dotted: string, value: unknown): Catalog {
  const copy = structuredClone(c);
  const parts = dotted.split(".");
  let node = copy as Record<string, unknown>;
  for (const p of parts.slice(0, -1)) {
    node[p] ??= {};
    node = node[p] as Record<string, unknown>;
  }
  const last = parts.at(-1) as string;
  if (value === undefined) delete node[last];
  else node[last] = value;
  return copy;
}

function run(catalogs: Partial<Record<"en" | "pa" | "hi", Catalog>>, sources = usingAll) {
  const input: CheckInput = {
    folders: [{ dir: DIR, catalogs: { en, pa, hi, ...catalogs } }],
    sources,
  };
  return checkI18n(input).problems.map((p) => ({ kind: p.kind, file: p.file, key: p.key }));
}

describe("checkI18n on in-memory catalogs", () => {
  it("passes consistent catalogs (pure codes like PDF may equal English; _meta is skipped)", () => {
    expect(run({})).toEqual([]);
  });

  it("reports a key missing in a language, with file and key", () => {
    expect(run({ hi: edit(hi, "common.back", undefined) })).toEqual([
      { kind: "missing", file: "src/web/locales/hi.json", key: "common.back" },
    ]);
  });

  it("reports a missing plural form", () => {
    expect(run({ pa: edit(pa, "home.results_other", undefined) })).toEqual([
      { kind: "missing", file: "src/web/locales/pa.json", key: "home.results_other" },
    ]);
  });

  it("reports a key present only in pa", () => {
    expect(run({ pa: edit(pa, "common.extra", "ਵਾਧੂ") })).toEqual([
      { kind: "extra", file: "src/web/locales/pa.json", key: "common.extra" },
    ]);
  });

  it("reports a missing translation file", () => {
    const input: CheckInput = { folders: [{ dir: DIR, catalogs: { en, pa } }] };
    expect(checkI18n(input).problems.map((p) => [p.kind, p.file])).toEqual([
      ["missing_file", "src/web/locales/hi.json"],
    ]);
  });

  it("reports a placeholder set that differs from English", () => {
    expect(run({ pa: edit(pa, "home.results_one", "{{cnt}} ਸੇਵਾ ਮਿਲੀ") })).toEqual([
      { kind: "placeholders", file: "src/web/locales/pa.json", key: "home.results_one" },
    ]);
    expect(run({ hi: edit(hi, "home.results_other", "सेवाएँ मिलीं") })).toEqual([
      { kind: "placeholders", file: "src/web/locales/hi.json", key: "home.results_other" },
    ]);
  });

  it("reports a translation that is the English text", () => {
    expect(run({ hi: edit(hi, "common.back", "Back") })).toEqual([
      { kind: "same_as_english", file: "src/web/locales/hi.json", key: "common.back" },
    ]);
  });

  it("reports a value in the wrong script (Devanagari in pa, Gurmukhi or Latin in hi)", () => {
    expect(run({ pa: edit(pa, "common.back", "वापस") })).toEqual([
      { kind: "wrong_script", file: "src/web/locales/pa.json", key: "common.back" },
    ]);
    expect(
      run({
        hi: edit(edit(hi, "common.back", "ਪਿੱਛੇ"), "common.serviceName", "Seva"),
      }),
    ).toEqual([
      { kind: "wrong_script", file: "src/web/locales/hi.json", key: "common.serviceName" },
      { kind: "wrong_script", file: "src/web/locales/hi.json", key: "common.back" },
    ]);
  });

  it("accepts values with no letters (digits, placeholders) in any script", () => {
    const withNumber = (c: Catalog) => edit(c, "common.helpline", "1076");
    const sources = [...usingAll, { file: "src/h.njk", text: `{{ t("common.helpline") }}` }];
    expect(run({ en: withNumber(en), pa: withNumber(pa), hi: withNumber(hi) }, sources)).toEqual(
      [],
    );
  });

  it("reports a non-string value", () => {
    expect(run({ pa: edit(pa, "common.back", 3) })).toEqual([
      { kind: "not_string", file: "src/web/locales/pa.json", key: "common.back" },
    ]);
  });

  it("reports a key of the page catalog that no source uses", () => {
    const sources: SourceFile[] = [
      { file: "src/x.njk", text: `{{ t("common.serviceName") }} {{ t("home.results") }}` },
      { file: "src/y.ts", text: `request.t("upload.formats");` },
    ];
    expect(run({}, sources)).toEqual([
      { kind: "unused", file: "src/web/locales/en.json", key: "common.back" },
    ]);
  });

  it("only checks usage of the page catalog folder", () => {
    const input: CheckInput = {
      folders: [{ dir: "src/applications/locales", catalogs: { en, pa, hi } }],
      sources: [],
    };
    expect(checkI18n(input).problems).toEqual([]);
  });

  it("formats a problem as file: key: kind: message", () => {
    const input: CheckInput = {
      folders: [{ dir: DIR, catalogs: { en, pa: edit(pa, "common.back", undefined), hi } }],
    };
    const [problem] = checkI18n(input).problems;
    expect(problem && formatProblem(problem)).toBe(
      "src/web/locales/pa.json: common.back: missing: key missing (present in en.json)",
    );
  });
});

describe("findUsage", () => {
  it("finds literal keys in t, request.t and aliases of request.t", () => {
    const usage = findUsage([
      { file: "a.njk", text: `{{ t("a.one") }} {{ t('a.two', { x: 1 }) }}` },
      { file: "b.ts", text: `const tr = request.t;\nerrors.push(tr("b.one"));\nreply.t("b.two");` },
      { file: "c.ts", text: `format("not.a.key"); attempt("no.key"); tr("c.not_aliased_here");` },
    ]);
    expect([...usage.keys].sort()).toEqual(["a.one", "a.two", "b.one", "b.two"]);
    expect([...usage.prefixes]).toEqual([]);
  });

  it("finds prefixes of dynamic keys: + and ~ concatenation, template literals", () => {
    const usage = findUsage([
      {
        file: "a.njk",
        text: [
          `{{ t("status." + status) }}`,
          `{{ t("error." + (status | string) + ".title", { defaultValue: t("error.default.title") }) }}`,
          `{{ t("desk.action_" + a) }} {{ t('admin.status_' ~ y.status) }}`,
        ].join("\n"),
      },
      // ${"$"} writes a literal `$` so the source text holds `${code}`.
      { file: "b.ts", text: `request.t(\`validation.generic.${"$"}{code}\`); t(\`plain.key\`);` },
    ]);
    expect([...usage.prefixes].sort()).toEqual([
      "admin.status_",
      "desk.action_",
      "error.",
      "status.",
      "validation.generic.",
    ]);
    expect([...usage.keys].sort()).toEqual(["error.default.title", "plain.key"]);
  });

  it("recognises keys used through dynamic prefixes, plural suffixes, objects and validation.*", () => {
    const catalog: Catalog = {
      status: { submitted: "Submitted", rejected: "Rejected" },
      service: { workingDays_one: "{{count}} day", workingDays_other: "{{count}} days" },
      error: { 404: { title: "Not found", body: "Check it" } },
      acknowledgement: { title: "Acknowledgement" },
      validation: { generic: { district_fixed: "You cannot change the district" } },
      desk: { action: "Decide", action_approve: "Approve", orphan: "Never used" },
    };
    const sources: SourceFile[] = [
      {
        file: "v.njk",
        text: `{{ t("status." + s) }} {{ t("service.workingDays", { count: n }) }} {{ t("error." + code + ".title") }} {{ t("acknowledgement") }} {{ t("desk.action") }} {{ t("desk.action_" + a) }}`,
      },
    ];
    const input: CheckInput = { folders: [{ dir: DIR, catalogs: { en: catalog } }], sources };
    const unused = checkI18n(input).problems.filter((p) => p.kind === "unused");
    expect(unused.map((p) => p.key)).toEqual(["desk.orphan"]);
  });
});

describe("helpers", () => {
  it("flatten skips _meta and yields dotted keys", () => {
    expect([...flatten({ _meta: { a: "x" }, a: { b: "1", c: { d: "2" } } }).keys()]).toEqual([
      "a.b",
      "a.c.d",
    ]);
  });

  it("placeholders reads i18next interpolations, ignoring format and spacing", () => {
    expect(placeholders("{{count}} of {{ total }} by {{date, datetime}} ({{count}})")).toEqual([
      "count",
      "date",
      "total",
    ]);
  });
});

describe("real catalogs", () => {
  it("every src/**/locales folder passes every check, with a catalog per language", () => {
    const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
    const { input, problems } = loadProject(root);
    const result = checkI18n(input);
    expect([...problems, ...result.problems].map(formatProblem)).toEqual([]);
    const dirs = input.folders.map((f) => f.dir);
    expect(dirs).toEqual(expect.arrayContaining(["src/web/locales", "src/applications/locales"]));
    expect(dirs.every((d) => d.startsWith("src/") && d.endsWith("/locales"))).toBe(true);
    expect(result.files).toBe(3 * result.folders);
  });
});
