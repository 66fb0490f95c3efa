/**
 * Publishing definitions kept in git (`sewa services publish PATH`, and the
 * seed, which publishes every definition under `data/services`): each file
 * is saved as a draft and published in turn, unless the live version already
 * has exactly this text (idempotent).
 */
import { readFile } from "node:fs/promises";
import { relative } from "node:path";
import type { Temporal } from "temporal-polyfill";
import type { Db } from "../../db/client.ts";
import { collect } from "./lint-path.ts";
import { formatIssue, type LintIssue } from "./types.ts";
import {
  checkDefinitionText,
  publishDefinition,
  saveDefinitionDraft,
  versionsOf,
} from "./versions.ts";

/** What happened to one file. */
export type PublishOutcome =
  | { file: string; result: "published"; code: string; version: number }
  | { file: string; result: "unchanged"; code: string; version: number }
  | { file: string; result: "refused"; issues: LintIssue[] };

/**
 * Publishes the definition file(s) at `path` (a file or a directory).
 * A file with lint errors is refused (nothing is stored for it); the others
 * are still published.
 * @param by the actor recorded in the audit trail, e.g. `cli` or `seed`.
 */
export async function publishPath(
  db: Db,
  path: string,
  by: string,
  now: Temporal.Instant,
): Promise<PublishOutcome[]> {
  const out: PublishOutcome[] = [];
  for (const file of await collect(path)) {
    const source = await readFile(file, "utf8");
    const name = relative(process.cwd(), file);
    const { definition, issues } = checkDefinitionText(source, name);
    if (!definition || issues.some((i) => i.severity === "error")) {
      out.push({ file: name, result: "refused", issues });
      continue;
    }
    const live = (await versionsOf(db, definition.code)).find((v) => v.status === "published");
    if (live && live.source === source) {
      out.push({ file: name, result: "unchanged", code: live.code, version: live.version });
      continue;
    }
    const { draft } = await saveDefinitionDraft(db, { source, by, now, file: name });
    const published = await publishDefinition(db, draft.id, by, now);
    out.push({ file: name, result: "published", code: published.code, version: published.version });
  }
  return out;
}

/** One line per outcome, for the terminal. */
export function describeOutcome(o: PublishOutcome): string {
  if (o.result === "refused")
    return o.issues
      .filter((i) => i.severity === "error")
      .map(formatIssue)
      .join("\n");
  return `${o.file}: ${o.result} ${o.code} v${o.version}`;
}
