#!/usr/bin/env node
// The `sewa` command (npx sewa …): runs src/cli.ts on the project's pinned Node.js,
// which strips TypeScript types natively.
import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const pinned = path.join(root, "node_modules", "node", "bin", "node");
const result = spawnSync(pinned, [path.join(root, "src", "cli.ts"), ...process.argv.slice(2)], {
  stdio: "inherit",
});
process.exit(result.status ?? 1);
