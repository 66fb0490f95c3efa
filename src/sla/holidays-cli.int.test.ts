import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "sewa-holidays-cli-"));
const run = (args: string[]) =>
  spawnSync(process.execPath, ["src/cli.ts", ...args], {
    encoding: "utf8",
    env: { ...process.env, SEWA_DATA_DIR: dataDir, DATABASE_URL: "" },
  });

describe("sewa holidays (embedded database)", () => {
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it("adds, lists and retires a local holiday, audited, and refuses bad input", () => {
    expect(run(["seed"]).status).toBe(0);

    // Tue 24 Nov 2026: a working day, so open applications are checked (none exist here).
    const added = run([
      "holidays",
      "add",
      "--date",
      "2026-11-24",
      "--name",
      "Local closure (test)",
      "--district",
      "36",
    ]);
    expect(added.stderr).toBe("");
    expect(added.status).toBe(0);
    const id = /^Holiday (\d+) added: 2026-11-24 Local closure \(test\) \(district 36\)\.$/m.exec(
      added.stdout,
    )?.[1];
    expect(id).toBeDefined();
    expect(added.stdout).toContain("Open applications checked: 0; due dates moved: 0.");

    expect(run(["holidays", "list", "--year", "2026", "--district", "36"]).stdout).toContain(
      `#${id} 2026-11-24 local district 36 Local closure (test)`,
    );
    const patiala = run(["holidays", "list", "--year", "2026", "--district", "41"]).stdout;
    expect(patiala).not.toContain("Local closure (test)");
    expect(patiala).toContain("2026-01-26 gazetted Republic Day");

    // The same date again for the same district is a duplicate.
    const dup = run([
      "holidays",
      "add",
      "--date",
      "2026-11-24",
      "--name",
      "Other",
      "--district",
      "36",
    ]);
    expect(dup.status).toBe(1);
    expect(dup.stderr).toContain("That date is already a holiday: Local closure (test)");
    const bad = run(["holidays", "add", "--date", "2026-02-30", "--name", ""]);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain("date invalid, name required");

    const retired = run(["holidays", "retire", "--id", id as string]);
    expect(retired.status).toBe(0);
    expect(retired.stdout).toContain(`Holiday ${id} retired: 2026-11-24 Local closure (test).`);
    const again = run(["holidays", "retire", "--id", id as string]);
    expect(again.status).toBe(1);
    expect(again.stderr).toContain("already retired");
    expect(
      run(["holidays", "list", "--year", "2026", "--district", "36", "--retired"]).stdout,
    ).toContain("Local closure (test) [retired]");

    // Sat 28 Nov 2026: offices are closed anyway, nothing to recompute.
    const weekend = run(["holidays", "add", "--date", "2026-11-28", "--name", "Saturday (test)"]);
    expect(weekend.stdout).toContain("No due date can move");

    expect(run(["audit", "verify"]).stdout).toMatch(/Audit log intact: \d+ records\./);
  }, 600_000); // a guard against hangs only: each step spawns the CLI, which opens PGlite and loads the app, slow on a busy 2-core machine
});
