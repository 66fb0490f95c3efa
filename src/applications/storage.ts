/**
 * Document storage on the filesystem, content-addressed by SHA-256.
 *
 * A file is written to a temporary name and renamed into place, so a crash
 * never leaves a partial file under a real key (C-11). Identical uploads share
 * one stored copy. S3-compatible storage is a later adapter with the same shape.
 */
import { createHash } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";

/** Where documents live and how to reach them by SHA-256. */
export type DocumentStore = {
  /** Stores the bytes; returns their SHA-256 (hex). Idempotent. */
  put(bytes: Uint8Array): Promise<string>;
  /** Reads the bytes stored under `sha256`. @throws Error (ENOENT) when absent. */
  get(sha256: string): Promise<Buffer>;
};

/** A store under `dir` (created on first write): `dir/ab/abcdef…`. */
export function fileStore(dir: string): DocumentStore {
  const where = (sha: string) => {
    if (!/^[0-9a-f]{64}$/.test(sha)) throw new Error("not a SHA-256 key");
    return path.join(dir, sha.slice(0, 2), sha);
  };
  return {
    async put(bytes) {
      const sha = createHash("sha256").update(bytes).digest("hex");
      const target = where(sha);
      try {
        await fs.access(target);
        return sha;
      } catch {
        // not stored yet
      }
      await fs.mkdir(path.dirname(target), { recursive: true });
      const temp = `${target}.${process.pid}.${Date.now()}.tmp`;
      await fs.writeFile(temp, bytes);
      await fs.rename(temp, target);
      return sha;
    },
    get(sha) {
      return fs.readFile(where(sha));
    },
  };
}
