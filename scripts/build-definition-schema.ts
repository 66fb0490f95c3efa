/**
 * Writes `schemas/service-definition.schema.json`, the JSON Schema of service
 * definitions, from its TypeBox source `src/catalog/definitions/schema.ts`, so
 * editors (e.g. the YAML language server, through the `$schema` modeline at
 * the top of each `data/services/**.yaml`) validate and complete definitions.
 *
 * Usage:
 * - `node scripts/build-definition-schema.ts`: write the file (then format it
 *   with Biome, best effort, so `biome check` stays clean);
 * - `node scripts/build-definition-schema.ts --check`: exit 1 when the
 *   committed file differs from the generated schema (CI; the unit test
 *   `build-definition-schema.test.ts` checks the same).
 *
 * Equality is of the JSON value, not the bytes, so formatting does not count.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { isDeepStrictEqual } from "node:util";
import { definitionJsonSchema } from "../src/catalog/definitions/schema.ts";

/** The generated file, relative to the repository root. */
export const SCHEMA_FILE = "schemas/service-definition.schema.json";

/** The schema as the file holds it (2-space JSON with a final newline, before Biome formats it). */
export function renderDefinitionSchema(): string {
  return `${JSON.stringify(definitionJsonSchema(), null, 2)}\n`;
}

/** True when `text` (the committed file) holds exactly the generated schema. */
export function isUpToDate(text: string): boolean {
  try {
    return isDeepStrictEqual(JSON.parse(text), definitionJsonSchema());
  } catch {
    return false;
  }
}

function main(argv: string[]): number {
  if (argv.includes("--check")) {
    const ok = existsSync(SCHEMA_FILE) && isUpToDate(readFileSync(SCHEMA_FILE, "utf8"));
    if (!ok) {
      console.error(`${SCHEMA_FILE} is out of date: run node scripts/build-definition-schema.ts`);
      return 1;
    }
    console.log(`${SCHEMA_FILE} is up to date`);
    return 0;
  }
  writeFileSync(SCHEMA_FILE, renderDefinitionSchema());
  const biome = spawnSync(
    process.execPath,
    ["node_modules/@biomejs/biome/bin/biome", "format", "--write", SCHEMA_FILE],
    { stdio: "inherit" },
  );
  if (biome.status !== 0) console.warn("biome format failed; the file is written but unformatted");
  console.log(`wrote ${SCHEMA_FILE}`);
  return 0;
}

if (import.meta.main) process.exitCode = main(process.argv.slice(2));
