import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { lintPath } from "./lint-path.ts";
import { minimalDefinition } from "./test-fixtures.ts";
import { formatIssue } from "./types.ts";

let root: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "sewa-lint-"));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function put(relative: string, content: string): Promise<string> {
  const file = join(root, relative);
  await mkdir(join(file, ".."), { recursive: true });
  await writeFile(file, content);
  return file;
}

describe("lintPath", () => {
  it("passes the shipped definitions (warnings only)", async () => {
    const r = await lintPath("data/services");
    // The two worked examples and the ten other real services of issue 3.
    expect(r.files).toHaveLength(12);
    expect(r.files).toContain("data/services/personnel/residence-certificate.yaml");
    expect(r.files).toContain("data/services/revenue/income-certificate.yaml");
    expect(r.files).toContain("data/services/police/saanjh-police-clearance-certificate.yaml");
    expect(r.issues.filter((i) => i.severity === "error")).toEqual([]);
    expect(r.exitCode).toBe(0);
  });

  it("reports linter findings with the file and line, and exits 1", async () => {
    const d = minimalDefinition();
    (d.workflow.actions[0] as { roles: string[] }).roles = [];
    const yaml = stringify(d);
    const file = await put("clean/testing/test-service.yaml", yaml);
    const r = await lintPath(join(root, "clean"));
    expect(r.exitCode).toBe(1);
    const issue = r.issues.find((i) => i.code === "workflow.action_no_role");
    expect(issue).toMatchObject({ file, path: "workflow.actions[0].roles" });
    const line = yaml.split("\n")[(issue?.line ?? 0) - 1];
    expect(line).toContain("roles: []");
    expect(formatIssue(issue as NonNullable<typeof issue>)).toBe(
      `${file}:${issue?.line}: error: workflow.actions[0].roles: action “forward” has no role: name who may take it [workflow.action_no_role]`,
    );
  });

  it("reports load errors and duplicate codes across files", async () => {
    const good = stringify(minimalDefinition());
    await put("mixed/testing/test-service.yaml", good);
    await put(
      "mixed/other/test-service.yml",
      good.replace("department: testing", "department: other"),
    );
    await put("mixed/testing/broken.yaml", "code: [unclosed\n");
    await put("mixed/testing/notes.txt", "not a definition");
    const r = await lintPath(join(root, "mixed"));
    expect(r.files.map((f) => f.slice(root.length + 1))).toEqual([
      "mixed/other/test-service.yml",
      "mixed/testing/broken.yaml",
      "mixed/testing/test-service.yaml",
    ]);
    expect(r.issues.map((i) => [i.file.slice(root.length + 1), i.code])).toEqual([
      ["mixed/testing/broken.yaml", "yaml.syntax"],
      ["mixed/testing/test-service.yaml", "code.duplicate"],
    ]);
    expect(r.exitCode).toBe(1);
  });

  it("exits 2 for a missing path or a directory without definitions", async () => {
    expect((await lintPath(join(root, "nowhere"))).exitCode).toBe(2);
    await mkdir(join(root, "empty"));
    const empty = await lintPath(join(root, "empty"));
    expect(empty.exitCode).toBe(2);
    expect(empty.issues[0]?.message).toBe("no .yaml service definitions here");
  });
});
