/**
 * Hash chaining for the audit log (pure).
 *
 * Each record's hash is SHA-256 over the previous hash and the record's
 * canonical JSON (keys sorted, instants as ISO-8601 UTC with milliseconds), so
 * the same record hashes the same after a round trip through `jsonb`.
 */
import { createHash } from "node:crypto";
import { isoOf } from "../common/time.ts";

/** The hash that starts every stream. */
export const GENESIS_HASH = "0".repeat(64);

/** The hashed content of one audit record. `at` is an instant with an offset (ISO 8601 or PostgreSQL text). */
export type AuditContent = {
  stream: string;
  seq: number;
  at: string;
  actor: string;
  action: string;
  data: unknown;
};

/** JSON with object keys sorted at every level, so key order never changes a hash. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
}

/** SHA-256 (hex) of a record chained to `prevHash`. */
export function chainHash(prevHash: string, c: AuditContent): string {
  const body = canonicalJson({
    stream: c.stream,
    seq: c.seq,
    at: isoOf(c.at),
    actor: c.actor,
    action: c.action,
    data: c.data,
  });
  return createHash("sha256").update(prevHash).update("\n").update(body).digest("hex");
}
