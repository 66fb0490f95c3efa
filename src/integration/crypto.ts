/**
 * Secrets and signatures of the integration API (issue 10). Pure functions,
 * shared by the portal and the department simulator.
 *
 * - A client secret is `sws_` + 32 random bytes (base64url). Sewa keeps only
 *   its SHA-256 ({@link hashSecret}): the secret has 256 bits of entropy, so a
 *   slow password hash adds nothing.
 * - The webhook signing key is derived from the client secret
 *   ({@link webhookKeyOf}: HMAC-SHA256(secret, "sewa-webhook-signing-v1"),
 *   base64url), so the department needs one secret only. Sewa must sign, so it
 *   keeps the derived key encrypted with AES-256-GCM under a key derived from
 *   `SEWA_SECRET_KEY` ({@link sealKey} / {@link openKey}); the derived key cannot
 *   obtain tokens.
 * - Webhook signature (like Stripe's and Standard Webhooks'):
 *   `Sewa-Signature: v1=<hex HMAC-SHA256(webhookKey, "<timestamp>.<body>")>`,
 *   several `v1=` values comma-separated while a rotated secret is still valid,
 *   with `Sewa-Timestamp: <unix seconds>`; a receiver refuses a timestamp more
 *   than {@link SIGNATURE_TOLERANCE_SECONDS} away from its clock (replay window).
 * - Access tokens: JWT (RFC 7519) HS256 signed by Sewa with a key derived from
 *   `SEWA_SECRET_KEY`, so every node can verify them; lifetime {@link TOKEN_TTL_SECONDS}.
 */
import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  randomBytes,
  timingSafeEqual,
} from "node:crypto";
import { jwtVerify, SignJWT } from "jose";

/** Lifetime of an access token, in seconds (15 minutes). */
export const TOKEN_TTL_SECONDS = 900;
/** Largest difference, in seconds, between a webhook's timestamp and the receiver's clock. */
export const SIGNATURE_TOLERANCE_SECONDS = 300;
/** The issuer and audience of access tokens. */
export const TOKEN_ISSUER = "sewa.punjab";
export const TOKEN_AUDIENCE = "sewa-api";
/** The scopes a department client gets. */
export const CLIENT_SCOPES = ["applications:read", "applications:write"] as const;

/** A new client secret (`sws_` + 43 base64url characters). */
export function newClientSecret(): string {
  return `sws_${randomBytes(32).toString("base64url")}`;
}

/** A new public client id: `<slug>-<8 hex>`. */
export function newClientId(slug: string): string {
  const base =
    slug
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-+|-+$/g, "")
      .slice(0, 30) || "client";
  return `${base}-${randomBytes(4).toString("hex")}`;
}

/** SHA-256 (hex) of a client secret: what Sewa stores. */
export function hashSecret(secret: string): string {
  return createHash("sha256").update(secret, "utf8").digest("hex");
}

/** The webhook signing key derived from a client secret (base64url). */
export function webhookKeyOf(secret: string): string {
  return createHmac("sha256", secret).update("sewa-webhook-signing-v1").digest("base64url");
}

function keyFrom(serverSecret: string, purpose: string): Buffer {
  return createHmac("sha256", serverSecret).update(purpose).digest();
}

/** Encrypts a webhook key for storage: `v1.<iv>.<ciphertext>.<tag>` (base64url, AES-256-GCM). */
export function sealKey(serverSecret: string, plain: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", keyFrom(serverSecret, "sewa-webhook-keys-v1"), iv);
  const ct = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
  return ["v1", iv, ct, cipher.getAuthTag()]
    .map((p) => (typeof p === "string" ? p : p.toString("base64url")))
    .join(".");
}

/** Decrypts a key sealed by {@link sealKey}. @throws Error when the server secret is not the one that sealed it. */
export function openKey(serverSecret: string, sealed: string): string {
  const [v, iv, ct, tag] = sealed.split(".");
  if (v !== "v1" || !iv || !ct || !tag) throw new Error("unknown sealed key format");
  const decipher = createDecipheriv(
    "aes-256-gcm",
    keyFrom(serverSecret, "sewa-webhook-keys-v1"),
    Buffer.from(iv, "base64url"),
  );
  decipher.setAuthTag(Buffer.from(tag, "base64url"));
  return Buffer.concat([decipher.update(Buffer.from(ct, "base64url")), decipher.final()]).toString(
    "utf8",
  );
}

/** The hex HMAC-SHA256 of `"<timestamp>.<body>"` under `key`. */
export function signatureOf(key: string, timestamp: number, body: string): string {
  return createHmac("sha256", key).update(`${timestamp}.${body}`, "utf8").digest("hex");
}

/** The `Sewa-Signature` header value for `body` at `timestamp` (unix seconds), one `v1=` per key. */
export function signatureHeader(keys: readonly string[], timestamp: number, body: string): string {
  return keys.map((k) => `v1=${signatureOf(k, timestamp, body)}`).join(",");
}

/** Why a webhook was refused by {@link verifyWebhook}. */
export type SignatureProblem = "missing" | "malformed" | "too_old" | "mismatch";

/**
 * Verifies a received webhook: the timestamp is within the replay window of
 * `nowSeconds`, and one of the `v1=` signatures matches `body` (the raw bytes
 * as received, as UTF-8 text) under `key`. Constant-time comparison.
 */
export function verifyWebhook(p: {
  key: string;
  body: string;
  timestamp: string | undefined;
  signature: string | undefined;
  nowSeconds: number;
  toleranceSeconds?: number;
}): { ok: true } | { ok: false; problem: SignatureProblem } {
  if (!p.timestamp || !p.signature) return { ok: false, problem: "missing" };
  if (!/^\d{1,12}$/.test(p.timestamp)) return { ok: false, problem: "malformed" };
  const ts = Number(p.timestamp);
  if (Math.abs(p.nowSeconds - ts) > (p.toleranceSeconds ?? SIGNATURE_TOLERANCE_SECONDS))
    return { ok: false, problem: "too_old" };
  const wanted = Buffer.from(signatureOf(p.key, ts, p.body), "hex");
  const given = p.signature
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s.startsWith("v1="))
    .map((s) => Buffer.from(s.slice(3), "hex"));
  if (given.length === 0) return { ok: false, problem: "malformed" };
  return given.some((g) => g.length === wanted.length && timingSafeEqual(g, wanted))
    ? { ok: true }
    : { ok: false, problem: "mismatch" };
}

/** Issues an access token for `clientId` at `nowSeconds` (unix). */
export async function issueToken(
  serverSecret: string,
  clientId: string,
  nowSeconds: number,
): Promise<{ token: string; expiresIn: number; scope: string }> {
  const scope = CLIENT_SCOPES.join(" ");
  const token = await new SignJWT({ scope })
    .setProtectedHeader({ alg: "HS256", typ: "at+jwt" })
    .setIssuer(TOKEN_ISSUER)
    .setAudience(TOKEN_AUDIENCE)
    .setSubject(clientId)
    .setIssuedAt(nowSeconds)
    .setExpirationTime(nowSeconds + TOKEN_TTL_SECONDS)
    .setJti(randomBytes(12).toString("base64url"))
    .sign(keyFrom(serverSecret, "sewa-api-tokens-v1"));
  return { token, expiresIn: TOKEN_TTL_SECONDS, scope };
}

/** The client id (`sub`) of a valid access token at `now`, or undefined (bad signature, expired, wrong audience). */
export async function verifyToken(
  serverSecret: string,
  token: string,
  now: Date,
): Promise<{ clientId: string; scopes: string[] } | undefined> {
  try {
    const { payload } = await jwtVerify(token, keyFrom(serverSecret, "sewa-api-tokens-v1"), {
      issuer: TOKEN_ISSUER,
      audience: TOKEN_AUDIENCE,
      algorithms: ["HS256"],
      typ: "at+jwt",
      currentDate: now,
    });
    if (typeof payload.sub !== "string") return undefined;
    const scopes = typeof payload.scope === "string" ? payload.scope.split(" ") : [];
    return { clientId: payload.sub, scopes };
  } catch {
    return undefined;
  }
}
