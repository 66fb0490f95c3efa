/**
 * Merkle roots (pure): SHA-256 over sorted leaves, pairing neighbours level by
 * level and carrying an odd leaf up unchanged (as in RFC 6962 §2.1, without
 * its leaf/node prefixes, which the stream-qualified leaves make unnecessary).
 */
import { createHash } from "node:crypto";

const sha = (s: string) => createHash("sha256").update(s).digest("hex");

/** The root of `leaves` (hex strings), or the hash of the empty string for none. */
export function merkleRoot(leaves: readonly string[]): string {
  if (leaves.length === 0) return sha("");
  let level = leaves.map((l) => sha(l));
  while (level.length > 1) {
    const next: string[] = [];
    for (let i = 0; i < level.length; i += 2) {
      const right = level[i + 1];
      next.push(right === undefined ? (level[i] as string) : sha(`${level[i]}${right}`));
    }
    level = next;
  }
  return level[0] as string;
}
