/**
 * `sewa services lint [PATH]` as a function: load and lint every service
 * definition under a path, for the CLI and CI (the command itself is wired in
 * `src/cli.ts` by the CLI owner).
 */
import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { lintDefinition } from "./lint.ts";
import { loadDefinition } from "./load.ts";
import type { LintIssue } from "./types.ts";

/** Where the shipped definitions live. */
export const DEFAULT_DEFINITIONS_PATH = "data/services";

/** Result of {@link lintPath}. */
export type LintPathResult = {
  /** Every issue, sorted by file and line. Print them with `formatIssue` (types.ts). */
  issues: LintIssue[];
  /** The files linted, sorted. */
  files: string[];
  /**
   * Exit status for the command: 0 when there are no errors (warnings
   * allowed), 1 when any file has an error, 2 when the path does not exist or
   * holds no `.yaml`/`.yml` file.
   */
  exitCode: 0 | 1 | 2;
};

/** The definition files at `path`: the file itself, or every `.yaml`/`.yml` under a directory, sorted. */
export async function collect(path: string): Promise<string[]> {
  const info = await stat(path);
  if (!info.isDirectory()) return [path];
  const out: string[] = [];
  for (const entry of await readdir(path, { withFileTypes: true })) {
    const child = join(path, entry.name);
    if (entry.isDirectory()) out.push(...(await collect(child)));
    else if (/\.ya?ml$/i.test(entry.name)) out.push(child);
  }
  return out.sort();
}

/**
 * Lint one definition file, or every `.yaml`/`.yml` file under a directory
 * (recursively): the loader's errors (YAML syntax, schema), then the
 * linter's findings with line numbers, then across files: two files with the
 * same service `code` (`code.duplicate`).
 *
 * @param path a file or directory; default {@link DEFAULT_DEFINITIONS_PATH}
 *   (relative to the working directory).
 * @returns issues, files and the exit code (see {@link LintPathResult}).
 *   Never throws for bad definitions; only for I/O faults other than a
 *   missing path.
 */
export async function lintPath(path: string = DEFAULT_DEFINITIONS_PATH): Promise<LintPathResult> {
  let files: string[];
  try {
    files = await collect(path);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code !== "ENOENT" && err.code !== "ENOTDIR") throw e;
    const issue: LintIssue = {
      file: path,
      path: "(root)",
      code: "file.read",
      message: "no such file or directory",
      severity: "error",
    };
    return { issues: [issue], files: [], exitCode: 2 };
  }
  if (files.length === 0) {
    const issue: LintIssue = {
      file: path,
      path: "(root)",
      code: "file.read",
      message: "no .yaml service definitions here",
      severity: "error",
    };
    return { issues: [issue], files, exitCode: 2 };
  }

  const issues: LintIssue[] = [];
  const codes = new Map<string, string>();
  for (const file of files) {
    const loaded = await loadDefinition(file);
    if (!loaded.ok) {
      issues.push(...loaded.errors);
      continue;
    }
    issues.push(...lintDefinition(loaded.definition, file, loaded.lineOf));
    const code = loaded.definition.code;
    const first = codes.get(code);
    if (first !== undefined) {
      const issue: LintIssue = {
        file,
        path: "code",
        code: "code.duplicate",
        message: `service code “${code}” is already used by ${first}`,
        severity: "error",
      };
      const line = loaded.lineOf(["code"]);
      if (line !== undefined) issue.line = line;
      issues.push(issue);
    } else codes.set(code, file);
  }
  issues.sort((a, b) => a.file.localeCompare(b.file) || (a.line ?? 0) - (b.line ?? 0));
  const exitCode = issues.some((i) => i.severity === "error") ? 1 : 0;
  return { issues, files, exitCode };
}
