/**
 * Tests of the certificate signing keys and tokens: offline verification with
 * the JWKS alone, tampering, key rotation, key configuration, and serials.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Temporal } from "temporal-polyfill";
import { describe, expect, it } from "vitest";
import {
  type CertificateClaims,
  generateSigningKey,
  loadSigningKeys,
  parseSigningKeys,
  publicJwks,
  signToken,
  verifyToken,
} from "./keys.ts";
import { newSerial, parseSerial } from "./service.ts";

const claims: CertificateClaims = {
  sn: "PB-2025-7K3M-9QXD",
  ref: "LDH-2025-000123",
  n: "ਗੁਰਪ੍ਰੀਤ ਕੌਰ",
  d: "2025-10-20",
  no: 1,
};
const at = new Date("2025-10-20T06:30:00Z");

/** Changes one character of a token's part `i` (0 header, 1 payload, 2 signature). */
function tamper(token: string, i: number): string {
  const parts = token.split(".");
  const part = parts[i] as string;
  const pos = Math.floor(part.length / 2);
  const swapped = part[pos] === "A" ? "B" : "A";
  parts[i] = part.slice(0, pos) + swapped + part.slice(pos + 1);
  return parts.join(".");
}

describe("certificate tokens", () => {
  it("verify offline with only the public JWKS and carry the facts", async () => {
    const keys = { keys: [await generateSigningKey("k1")] };
    const { token, kid } = await signToken(claims, keys, at);
    expect(kid).toBe("k1");
    const jwks = publicJwks(keys);
    expect(JSON.stringify(jwks)).not.toContain('"d"');
    expect(await verifyToken(token, jwks)).toEqual({ ok: true, claims, kid: "k1" });
  });

  it("C-17: a token is printable ASCII (base64url), whatever the script of the name", async () => {
    const keys = { keys: [await generateSigningKey("k1")] };
    const { token } = await signToken(claims, keys, at);
    expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
  });

  it("fail when one character of the payload or the signature is changed", async () => {
    const keys = { keys: [await generateSigningKey("k1")] };
    const { token } = await signToken(claims, keys, at);
    const jwks = publicJwks(keys);
    expect((await verifyToken(tamper(token, 1), jwks)).ok).toBe(false);
    expect((await verifyToken(tamper(token, 2), jwks)).ok).toBe(false);
    expect(await verifyToken("not-a-token", jwks)).toEqual({ ok: false, reason: "malformed" });
  });

  it("rotation: a token signed by an older key still verifies; one by an unknown key does not", async () => {
    const old = await generateSigningKey("2024-a");
    const current = await generateSigningKey("2025-b");
    const before = await signToken(claims, { keys: [old] }, at);
    const rotated = { keys: [current, old] };
    const after = await signToken(claims, rotated, at);
    expect(after.kid).toBe("2025-b");
    const jwks = publicJwks(rotated);
    expect(await verifyToken(before.token, jwks)).toMatchObject({ ok: true, kid: "2024-a" });
    expect(await verifyToken(after.token, jwks)).toMatchObject({ ok: true, kid: "2025-b" });
    const stranger = await signToken(claims, { keys: [await generateSigningKey("x")] }, at);
    expect(await verifyToken(stranger.token, jwks)).toEqual({ ok: false, reason: "unknown_key" });
    // A forger who reuses a known kid with another key fails the signature check.
    const forged = await signToken(claims, { keys: [await generateSigningKey("2025-b")] }, at);
    expect(await verifyToken(forged.token, jwks)).toEqual({ ok: false, reason: "bad_signature" });
  });

  it("keys come from SEWA_SIGNING_KEYS, first one current; bad lists are refused", async () => {
    const a = await generateSigningKey("a");
    const b = await generateSigningKey("b");
    const env = { SEWA_SIGNING_KEYS: JSON.stringify([a.privateJwk, b.privateJwk]) };
    const keys = await loadSigningKeys(env, "/nonexistent", () => {});
    expect(keys.keys.map((k) => k.kid)).toEqual(["a", "b"]);
    expect(() => parseSigningKeys("[]")).toThrow(/non-empty/);
    expect(() => parseSigningKeys("{")).toThrow(/JSON/);
    expect(() => parseSigningKeys(JSON.stringify([a.publicJwk]))).toThrow(/private Ed25519/);
    expect(() => parseSigningKeys(JSON.stringify([a.privateJwk, a.privateJwk]))).toThrow(
      /two keys/,
    );
  });

  it("in development a key pair is generated once into the data folder, and the log says so", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sewa-keys-"));
    try {
      const log: string[] = [];
      const first = await loadSigningKeys({}, dir, (m) => log.push(m));
      expect(log).toHaveLength(1);
      expect(log[0]).toContain("signing-keys.json");
      const second = await loadSigningKeys({}, dir, (m) => log.push(m));
      expect(log).toHaveLength(1);
      expect(second.keys[0]?.kid).toBe(first.keys[0]?.kid);
      expect(fs.statSync(path.join(dir, "signing-keys.json")).mode & 0o077).toBe(0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("serial numbers", () => {
  it("are PB-<IST year>-XXXX-XXXX in Crockford base32 and parse back", () => {
    const serial = newSerial(Temporal.Instant.from("2025-12-31T20:00:00Z")); // 1 Jan 2026 in IST
    expect(serial).toMatch(/^PB-2026-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/);
    expect(parseSerial(serial)).toBe(serial);
  });

  it("are read forgivingly: case, spaces, missing dashes, O for 0 and I or L for 1", () => {
    expect(parseSerial(" pb 2025 7k3m 9qxd ")).toBe("PB-2025-7K3M-9QXD");
    expect(parseSerial("PB2025O1IL")).toBeUndefined();
    expect(parseSerial("pb-2025-0o1i-l1ab")).toBe("PB-2025-0011-11AB");
    expect(parseSerial("PB-2025-UUUU-0000")).toBeUndefined();
    expect(parseSerial("")).toBeUndefined();
  });
});
