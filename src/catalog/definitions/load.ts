/**
 * Read service definition files: YAML 1.2 (the `yaml` package, core schema,
 * so `no` stays a string and `2015-03-02` stays a date string) checked
 * against the JSON Schema of `schema.ts` with Ajv. Errors carry the file, the
 * 1-based line, the path inside the definition and a message meant for the
 * person editing the YAML.
 *
 * The loader checks shape only; run `lintDefinition` (or `lintPath`) for the
 * rest.
 */
import { readFile } from "node:fs/promises";
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import { isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from "yaml";
import { definitionJsonSchema } from "./schema.ts";
import type { LintIssue, Path, ServiceDefinition } from "./types.ts";
import { formatPath } from "./types.ts";

/** A loaded definition, with a way to find the line of any path in its file. */
export type Loaded = {
  ok: true;
  definition: ServiceDefinition;
  /** 1-based line of `path` in the file: the key or item itself, else its nearest ancestor. */
  lineOf: (path: Path) => number | undefined;
};

/** Result of {@link loadDefinition} / {@link parseDefinition}. Load errors use codes `file.read`, `yaml.syntax` and `schema.<keyword>`. */
export type LoadResult = Loaded | { ok: false; errors: LintIssue[] };

let validator: ValidateFunction | undefined;

/** The compiled definition schema (draft-07, Ajv's `discriminator` keyword on). */
function definitionValidator(): ValidateFunction {
  validator ??= new Ajv({
    allErrors: true,
    strict: true,
    strictRequired: false, // the Condition schema's `if` names keys that its branches define
    discriminator: true,
    verbose: true,
  }).compile(definitionJsonSchema());
  return validator;
}

/**
 * Read and check one definition file.
 * @param file path of the YAML file; it is also the `file` of every error.
 * @returns the definition, or every error found (never throws for bad input;
 *   an unreadable file is a `file.read` error).
 */
export async function loadDefinition(file: string): Promise<LoadResult> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    return {
      ok: false,
      errors: [
        {
          file,
          path: "(root)",
          code: "file.read",
          message: `cannot read the file (${err.code ?? err.message})`,
          severity: "error",
        },
      ],
    };
  }
  return parseDefinition(text, file);
}

/**
 * Parse and check definition text (what {@link loadDefinition} does after
 * reading). Pure.
 */
export function parseDefinition(text: string, file: string): LoadResult {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text.replace(/^\uFEFF/, ""), {
    lineCounter,
    uniqueKeys: true,
    prettyErrors: false,
  });
  const lineAt = (offset: number) => lineCounter.linePos(offset).line;
  const lineOf = (path: Path): number | undefined => locate(doc.contents, path, lineAt);

  if (doc.errors.length > 0) {
    return {
      ok: false,
      errors: doc.errors.map((e) => ({
        file,
        line: lineAt(e.pos[0]),
        path: "(root)",
        code: "yaml.syntax",
        message: e.message.split("\n")[0] ?? e.message,
        severity: "error",
      })),
    };
  }

  const data: unknown = doc.toJS({ maxAliasCount: 100 });
  const check = definitionValidator();
  if (check(data)) return { ok: true, definition: data as ServiceDefinition, lineOf };

  const errors: LintIssue[] = [];
  const seen = new Set<string>();
  for (const e of simplify(check.errors ?? [])) {
    const { path, message } = describe(e, data);
    const key = `${formatPath(path)}\u0000${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const issue: LintIssue = {
      file,
      path: formatPath(path),
      code: `schema.${e.keyword}`,
      message,
      severity: "error",
    };
    const line = lineOf(path);
    if (line !== undefined) issue.line = line;
    errors.push(issue);
  }
  return { ok: false, errors };
}

/** Line of the deepest existing node on `path` (for a map entry, its key's line). */
function locate(root: unknown, path: Path, lineAt: (offset: number) => number): number | undefined {
  let node = root as Node | null | undefined;
  let line = node?.range ? lineAt(node.range[0]) : undefined;
  for (const seg of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => (isScalar(p.key) ? p.key.value : p.key) === seg);
      if (!pair) break;
      const key = pair.key as Node | null;
      if (key?.range) line = lineAt(key.range[0]);
      node = pair.value as Node | null;
    } else if (isSeq(node) && typeof seg === "number") {
      const item = node.items[seg] as Node | undefined;
      if (!item) break;
      if (item.range) line = lineAt(item.range[0]);
      node = item;
    } else break;
  }
  return line;
}

/**
 * Keep the errors a person can act on: drop `if` bookkeeping errors, and for
 * a failed `anyOf` keep only the `anyOf` error itself (its branches' errors
 * say the same thing several times over).
 */
function simplify(errors: ErrorObject[]): ErrorObject[] {
  const anyOfPaths = errors.filter((e) => e.keyword === "anyOf").map((e) => e.schemaPath);
  return errors.filter(
    (e) =>
      e.keyword !== "if" &&
      !anyOfPaths.some((p) => e.schemaPath !== p && e.schemaPath.startsWith(`${p}/`)),
  );
}

/** Instance path segments, with array indexes as numbers (found by walking the data). */
function toPath(instancePath: string, data: unknown): (string | number)[] {
  if (instancePath === "") return [];
  const out: (string | number)[] = [];
  let node = data;
  for (const raw of instancePath.slice(1).split("/")) {
    const seg = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    if (Array.isArray(node)) {
      out.push(Number(seg));
      node = node[Number(seg)];
    } else {
      out.push(seg);
      node =
        typeof node === "object" && node !== null
          ? (node as Record<string, unknown>)[seg]
          : undefined;
    }
  }
  return out;
}

/** Levenshtein distance, for "did you mean" on unknown keys. */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0] as number;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j] as number;
      row[j] = Math.min(
        (row[j] as number) + 1,
        (row[j - 1] as number) + 1,
        prev + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
      prev = tmp;
    }
  }
  return row[b.length] as number;
}

type Branch = { $ref?: string; properties?: Record<string, { const?: unknown }> };

function describe(e: ErrorObject, data: unknown): { path: (string | number)[]; message: string } {
  const path = toPath(e.instancePath, data);
  const p = e.params as Record<string, unknown>;
  const parent = (e.parentSchema ?? {}) as Record<string, unknown>;
  const description = typeof parent.description === "string" ? parent.description : undefined;
  switch (e.keyword) {
    case "required":
      return { path, message: `missing required key “${String(p.missingProperty)}”` };
    case "additionalProperties": {
      const key = String(p.additionalProperty);
      const known = Object.keys((parent.properties ?? {}) as Record<string, unknown>);
      const near = known
        .map((k) => ({ k, d: distance(k.toLowerCase(), key.toLowerCase()) }))
        .filter(({ d }) => d <= 2)
        .sort((a, b) => a.d - b.d)[0];
      const hint = near
        ? ` (did you mean “${near.k}”?)`
        : known.length > 0
          ? `; allowed: ${known.join(", ")}`
          : "";
      return { path: [...path, key], message: `unknown key “${key}”${hint}` };
    }
    case "discriminator": {
      const defs = (definitionJsonSchema().definitions ?? {}) as Record<string, Branch>;
      const variants = ((parent.oneOf ?? []) as Branch[])
        .map((v) => (typeof v.$ref === "string" ? defs[v.$ref.replace("#/definitions/", "")] : v))
        .map((v) => v?.properties?.[String(p.tag)]?.const)
        .filter((v) => v !== undefined);
      return {
        path: [...path, String(p.tag)],
        message: `${String(p.tag)} must be one of: ${variants.join(", ")}`,
      };
    }
    case "const":
      return { path, message: `must be ${JSON.stringify(p.allowedValue)}` };
    case "enum":
      return {
        path,
        message: `must be one of: ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(", ")}`,
      };
    case "type":
      return { path, message: `must be ${String(p.type)}` };
    case "pattern":
      return {
        path,
        message: `${JSON.stringify(e.data)} is not allowed here: ${description ?? `it must match ${String(p.pattern)}`}`,
      };
    case "anyOf":
    case "oneOf":
    case "minProperties":
    case "maxProperties":
      return { path, message: description ?? e.message ?? "is not in an allowed form" };
    default:
      return { path, message: e.message ?? e.keyword };
  }
}
