/**
 * `npm test`: every check the project has, in order, stopping at the first failure:
 * typecheck, lint, i18n catalogs, then vitest's unit, integration and e2e projects.
 *
 * The integration suites run on embedded PGlite always, and on PostgreSQL when
 * TEST_DATABASE_URL is set or a server answers on 127.0.0.1:5432 (user postgres,
 * trust auth); each suite then works in a throwaway database it drops.
 * Ends with one line "N passed, N failed".
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";

const bin = (name: string) => path.join("node_modules", ".bin", name);

function step(
  label: string,
  cmd: string,
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
): void {
  console.log(`\n== ${label}`);
  const r = spawnSync(cmd, args, { stdio: "inherit", env });
  if (r.status !== 0) {
    console.log(`\n${label} failed.`);
    console.log("0 passed, 1 failed");
    process.exit(r.status ?? 1);
  }
}

async function postgresUrl(): Promise<string | undefined> {
  if (process.env.TEST_DATABASE_URL) return process.env.TEST_DATABASE_URL;
  const url = "postgres://postgres@127.0.0.1:5432/postgres";
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.end();
    return url;
  } catch {
    return undefined;
  }
}

step("typecheck", bin("tsc"), ["--noEmit"]);
step("lint", bin("biome"), ["check", "."]);
if (fs.existsSync("scripts/i18n-check.ts"))
  step("i18n catalogs", process.execPath, ["scripts/i18n-check.ts"]);

const url = await postgresUrl();
console.log(
  url
    ? `\nIntegration suites run on PGlite and on PostgreSQL (${new URL(url).host}).`
    : "\nNo PostgreSQL answered: integration suites run on PGlite only.",
);
const report = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "sewa-test-")), "vitest.json");
const env = { ...process.env, ...(url ? { TEST_DATABASE_URL: url } : {}) };
const r = spawnSync(
  bin("vitest"),
  ["run", "--reporter=default", "--reporter=json", `--outputFile.json=${report}`],
  { stdio: "inherit", env },
);
let passed = 0;
let failed = r.status === 0 ? 0 : 1;
if (fs.existsSync(report)) {
  const json = JSON.parse(fs.readFileSync(report, "utf8")) as {
    numPassedTests: number;
    numFailedTests: number;
  };
  passed = json.numPassedTests;
  failed = Math.max(json.numFailedTests, r.status === 0 ? 0 : 1);
}
console.log(`\n${passed} passed, ${failed} failed`);
process.exit(r.status ?? 1);
