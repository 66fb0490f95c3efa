import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "sewa-cli-"));
const run = (args: string[], env: Record<string, string> = {}, input?: string) =>
  spawnSync(process.execPath, ["src/cli.ts", ...args], {
    encoding: "utf8",
    input,
    env: { ...process.env, SEWA_DATA_DIR: dataDir, DATABASE_URL: "", ...env },
  });

describe("the sewa command (embedded database)", () => {
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it("migrates, seeds, imports, creates a user and verifies the audit log", () => {
    expect(run(["migrate"]).stdout).toContain("Migrated (pglite)");
    const seed = run(["seed", "--demo", "4"]);
    expect(seed.status).toBe(0);
    expect(seed.stdout).toContain("Geography: 23 districts, 93 tehsils, 169 urban local bodies.");
    expect(seed.stdout).toContain("Services: 17 inserted");
    expect(seed.stdout).toMatch(/Demo applications: 4 \(e\.g\. (LDH|PTA)-/);

    const again = run(["import", "services", "data/punjab-notified-services.csv"]);
    expect(again.stdout).toContain("Inserted 0, updated 0, unchanged 17, rejected 0.");
    expect(again.status).toBe(0);

    const bad = path.join(dataDir, "bad.csv");
    fs.writeFileSync(
      bad,
      `${fs.readFileSync("data/punjab-notified-services.csv", "utf8").split(/\r?\n/)[0]}\n1,Revenue,X,abc,working,,,,,,Act,L,\n`,
    );
    const rejected = run(["import", "services", bad]);
    expect(rejected.status).toBe(1);
    expect(rejected.stderr).toContain(`${bad}:2: time_limit_days:`);

    const user = run(
      [
        "user",
        "create",
        "--username",
        "do.amritsar",
        "--name",
        "Test Officer",
        "--role",
        "designated_officer",
        "--district",
        "27",
      ],
      {},
      "a-long-enough-password\n",
    );
    expect(user.stdout).toContain("User do.amritsar (designated_officer) saved.");
    const badRole = run(["user", "create", "--username", "x.y", "--name", "X", "--role", "king"], {
      SEWA_PASSWORD: "a-long-enough-password",
    });
    expect(badRole.status).toBe(1);
    expect(badRole.stderr).toContain("unknown role: king");

    expect(run(["geography" as string]).status).not.toBe(0);
    expect(run(["import", "geography"]).stdout).toContain(
      "Districts 23, tehsils 93, urban local bodies 169.",
    );
    expect(run(["audit", "verify"]).stdout).toMatch(/Audit log intact: \d+ records\./);
    expect(run(["audit", "anchor", "--day", "2026-11-29"]).stdout).toMatch(
      /^Anchor 2026-11-29: [0-9a-f]{64} \(\d+ streams, \d+ records\)\./,
    );
    expect(
      run([
        "user",
        "posting",
        "add",
        "--username",
        "do.amritsar",
        "--role",
        "dealing_clerk",
        "--district",
        "27",
        "--from",
        "2026-01-01",
      ]).stdout,
    ).toMatch(/Posting \d+ added: dealing_clerk, district 27/);
    expect(run(["user", "list"]).stdout).toContain("do.amritsar");

    const lint = run(["services", "lint"]);
    expect(lint.status).toBe(0);
    expect(lint.stdout).toMatch(/2 definition file\(s\)/);
    const badDef = path.join(dataDir, "bad.yaml");
    fs.writeFileSync(badDef, "code: x\n");
    const badLint = run(["services", "lint", badDef]);
    expect(badLint.status).toBe(1);
    expect(badLint.stdout).toContain("error:");
  }, 600_000); // a guard against hangs only: each step spawns the CLI, which opens PGlite and loads the app, slow on a busy 2-core machine
});
