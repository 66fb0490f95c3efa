/**
 * The State's certificate signing keys, and the signed verification token
 * printed in a certificate's QR code.
 *
 * - Algorithm: Ed25519 (RFC 8032) as JWS "EdDSA" (RFC 8037), through `jose`.
 * - Keys live outside the database (ARCHITECTURE.md §2, "QR and signatures"):
 *   env `SEWA_SIGNING_KEYS` is a JSON array of private JWKs (RFC 7517), each
 *   with a `kid`; the **first** signs, the others only verify (key rotation:
 *   put the new key first and keep the old ones while their certificates are
 *   in use). Without the variable (development), a key pair is generated once
 *   into `SEWA_DATA_DIR/signing-keys.json` (mode 0600) and the log says so.
 * - The public half of every key is published as a JWKS
 *   (`/.well-known/sewa-keys.json`), so anyone can check a token offline with
 *   {@link verifyToken}, which needs no database.
 * - Tokens are compact JWS (RFC 7515): base64url, hence ASCII, so the QR code
 *   scans back exactly (case C-17).
 */
import fs from "node:fs";
import path from "node:path";
import {
  type CryptoKey,
  createLocalJWKSet,
  exportJWK,
  generateKeyPair,
  importJWK,
  type JSONWebKeySet,
  type JWK,
  jwtVerify,
  SignJWT,
} from "jose";

/** The JWS algorithm of every Sewa certificate token (Ed25519, RFC 8037). */
export const SIGNING_ALG = "EdDSA";
/** The `iss` claim of every certificate token. */
export const TOKEN_ISSUER = "sewa.punjab";

/** One signing key: its id, private JWK (for signing) and public JWK (published). */
export type SigningKey = { kid: string; privateJwk: JWK; publicJwk: JWK };

/** The configured keys; `keys[0]` is the current (signing) key. Never empty. */
export type SigningKeys = { keys: SigningKey[] };

/**
 * The facts a token carries, readable offline. Short claim names keep the QR
 * code small: `sn` serial, `ref` application reference, `n` applicant's name
 * (as submitted, NFC), `d` issue date `YYYY-MM-DD` (Asia/Kolkata), `no`
 * issue number (1, then 2… on reissue). The service is not in the token (its
 * name can be long and would make the QR code dense); the register has it.
 */
export type CertificateClaims = {
  sn: string;
  ref: string;
  n: string;
  d: string;
  no: number;
};

/** What {@link verifyToken} finds. */
export type TokenCheck =
  | { ok: true; claims: CertificateClaims; kid: string }
  | { ok: false; reason: "malformed" | "unknown_key" | "bad_signature" | "invalid_claims" };

/**
 * Generates a fresh Ed25519 key pair with id `kid` (default: `sewa-` and the
 * current UTC date-time, e.g. `sewa-20261130T0118`).
 */
export async function generateSigningKey(kid?: string): Promise<SigningKey> {
  const { privateKey } = await generateKeyPair(SIGNING_ALG, {
    crv: "Ed25519",
    extractable: true,
  });
  const id =
    kid ??
    `sewa-${new Date()
      .toISOString()
      .replace(/[-:]/g, "")
      .replace(/\.\d+Z$/, "")
      .slice(0, 13)}`;
  const privateJwk = { ...(await exportJWK(privateKey)), kid: id, alg: SIGNING_ALG, use: "sig" };
  return { kid: id, privateJwk, publicJwk: publicOf(privateJwk) };
}

/** The public half of a JWK (drops `d`). */
function publicOf(jwk: JWK): JWK {
  const { d: _d, ...pub } = jwk;
  return { ...pub, alg: SIGNING_ALG, use: "sig" };
}

/**
 * Parses a JSON array of private Ed25519 JWKs (the `SEWA_SIGNING_KEYS` format).
 * @throws Error when it is not a non-empty array of OKP/Ed25519 JWKs each with
 *   `kid`, `x` and `d`, or when two keys share a `kid`.
 */
export function parseSigningKeys(json: string): SigningKeys {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    throw new Error("SEWA_SIGNING_KEYS is not valid JSON");
  }
  if (!Array.isArray(parsed) || parsed.length === 0)
    throw new Error("SEWA_SIGNING_KEYS must be a non-empty JSON array of JWKs");
  const seen = new Set<string>();
  const keys = parsed.map((raw, i) => {
    const jwk = raw as JWK;
    if (
      typeof jwk !== "object" ||
      jwk === null ||
      jwk.kty !== "OKP" ||
      jwk.crv !== "Ed25519" ||
      typeof jwk.kid !== "string" ||
      !jwk.kid ||
      typeof jwk.x !== "string" ||
      typeof jwk.d !== "string"
    )
      throw new Error(
        `SEWA_SIGNING_KEYS[${i}] must be a private Ed25519 JWK (kty OKP, crv Ed25519, x, d, kid)`,
      );
    if (seen.has(jwk.kid)) throw new Error(`SEWA_SIGNING_KEYS has two keys with kid ${jwk.kid}`);
    seen.add(jwk.kid);
    return { kid: jwk.kid, privateJwk: { ...jwk, alg: SIGNING_ALG }, publicJwk: publicOf(jwk) };
  });
  return { keys };
}

/**
 * The signing keys for this process: from env `SEWA_SIGNING_KEYS` when set;
 * otherwise from `dataDir/signing-keys.json`, generating one key pair into it
 * on first start (development), and logging that through `log`.
 * @throws Error when the variable or the file is not a valid key list.
 */
export async function loadSigningKeys(
  env: NodeJS.ProcessEnv,
  dataDir: string,
  log: (message: string) => void,
): Promise<SigningKeys> {
  if (env.SEWA_SIGNING_KEYS) return parseSigningKeys(env.SEWA_SIGNING_KEYS);
  if (dataDir === "memory://") {
    // An in-memory portal (tests, demos): a key for this process only, nothing written.
    return { keys: [await generateSigningKey()] };
  }
  const file = path.join(dataDir, "signing-keys.json");
  if (fs.existsSync(file)) return parseSigningKeys(fs.readFileSync(file, "utf8"));
  const key = await generateSigningKey();
  fs.mkdirSync(dataDir, { recursive: true });
  fs.writeFileSync(file, `${JSON.stringify([key.privateJwk], null, 2)}\n`, { mode: 0o600 });
  log(
    `SEWA_SIGNING_KEYS is not set: generated a development certificate signing key (kid ${key.kid}) in ${file}. Set SEWA_SIGNING_KEYS in production.`,
  );
  return { keys: [key] };
}

/** The public JWKS of all configured keys (current first), as published at `/.well-known/sewa-keys.json`. */
export function publicJwks(keys: SigningKeys): JSONWebKeySet {
  return { keys: keys.keys.map((k) => k.publicJwk) };
}

const imported = new WeakMap<JWK, CryptoKey | Uint8Array>();

/**
 * Signs certificate claims with the current key (`keys[0]`): a compact JWS
 * with header `{alg: "EdDSA", kid}`, `iss` {@link TOKEN_ISSUER} and `iat`
 * (seconds, from `issuedAt`). No expiry: a certificate stays valid until revoked.
 */
export async function signToken(
  claims: CertificateClaims,
  keys: SigningKeys,
  issuedAt: Date,
): Promise<{ token: string; kid: string }> {
  const current = keys.keys[0];
  if (!current) throw new Error("no signing key configured");
  let key = imported.get(current.privateJwk);
  if (!key) {
    key = await importJWK(current.privateJwk, SIGNING_ALG);
    imported.set(current.privateJwk, key);
  }
  const token = await new SignJWT({ ...claims })
    .setProtectedHeader({ alg: SIGNING_ALG, kid: current.kid, typ: "JWT" })
    .setIssuer(TOKEN_ISSUER)
    .setIssuedAt(Math.floor(issuedAt.getTime() / 1000))
    .sign(key);
  return { token, kid: current.kid };
}

function isClaims(p: Record<string, unknown>): boolean {
  return (
    typeof p.sn === "string" &&
    typeof p.ref === "string" &&
    typeof p.n === "string" &&
    typeof p.d === "string" &&
    typeof p.no === "number"
  );
}

/**
 * Checks a certificate token against a public JWKS, offline: no database, no
 * network. Pure apart from the signature check (WebCrypto). Only EdDSA is
 * accepted; the key is chosen by the token's `kid`, so tokens signed by an
 * older key still verify while that key is in the JWKS (rotation).
 *
 * @returns `{ok: true, claims, kid}` for a genuine token; otherwise
 *   `{ok: false, reason}`: `malformed` (not a compact JWS / not ASCII),
 *   `unknown_key` (kid not in the JWKS), `bad_signature` (tampered, or signed
 *   by another key), `invalid_claims` (wrong issuer or missing facts).
 *   Whether the certificate was revoked since is not in the token: ask the
 *   register (`/api/v1/certificates/{serial}/verify`).
 */
export async function verifyToken(token: string, jwks: JSONWebKeySet): Promise<TokenCheck> {
  if (!/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(token) || token.length > 4096)
    return { ok: false, reason: "malformed" };
  try {
    const { payload, protectedHeader } = await jwtVerify(token, createLocalJWKSet(jwks), {
      algorithms: [SIGNING_ALG],
      issuer: TOKEN_ISSUER,
    });
    if (!isClaims(payload as Record<string, unknown>))
      return { ok: false, reason: "invalid_claims" };
    const p = payload as unknown as CertificateClaims;
    return {
      ok: true,
      claims: { sn: p.sn, ref: p.ref, n: p.n, d: p.d, no: p.no },
      kid: protectedHeader.kid ?? "",
    };
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === "ERR_JWKS_NO_MATCHING_KEY") return { ok: false, reason: "unknown_key" };
    if (
      code === "ERR_JWS_SIGNATURE_VERIFICATION_FAILED" ||
      code === "ERR_JWKS_MULTIPLE_MATCHING_KEYS"
    )
      return { ok: false, reason: "bad_signature" };
    if (code === "ERR_JWT_CLAIM_VALIDATION_FAILED") return { ok: false, reason: "invalid_claims" };
    return { ok: false, reason: "malformed" };
  }
}
