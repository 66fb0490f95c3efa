import { describe, expect, it } from "vitest";
import {
  hashSecret,
  issueToken,
  newClientSecret,
  openKey,
  sealKey,
  signatureHeader,
  verifyToken,
  verifyWebhook,
  webhookKeyOf,
} from "./crypto.ts";

describe("webhook signatures", () => {
  const key = webhookKeyOf(newClientSecret());
  const body = JSON.stringify({
    id: "e1",
    type: "application.submitted",
    data: { reference: "X" },
  });
  const ts = 1_790_000_000;
  const signature = signatureHeader([key], ts, body);

  it("accepts the body as signed, within the window", () => {
    expect(
      verifyWebhook({ key, body, timestamp: String(ts), signature, nowSeconds: ts + 299 }),
    ).toEqual({ ok: true });
  });

  it("refuses a tampered body", () => {
    const tampered = body.replace('"X"', '"Y"');
    expect(
      verifyWebhook({ key, body: tampered, timestamp: String(ts), signature, nowSeconds: ts }),
    ).toEqual({ ok: false, problem: "mismatch" });
  });

  it("refuses an old (replayed) or future timestamp", () => {
    expect(
      verifyWebhook({ key, body, timestamp: String(ts), signature, nowSeconds: ts + 301 }),
    ).toEqual({ ok: false, problem: "too_old" });
    expect(
      verifyWebhook({ key, body, timestamp: String(ts), signature, nowSeconds: ts - 301 }),
    ).toEqual({ ok: false, problem: "too_old" });
  });

  it("refuses a timestamp changed to look fresh (it is signed too)", () => {
    expect(
      verifyWebhook({ key, body, timestamp: String(ts + 600), signature, nowSeconds: ts + 600 }),
    ).toEqual({ ok: false, problem: "mismatch" });
  });

  it("refuses another key, and missing or malformed headers", () => {
    const other = webhookKeyOf(newClientSecret());
    expect(
      verifyWebhook({ key: other, body, timestamp: String(ts), signature, nowSeconds: ts }),
    ).toEqual({ ok: false, problem: "mismatch" });
    expect(
      verifyWebhook({ key, body, timestamp: undefined, signature, nowSeconds: ts }),
    ).toMatchObject({ ok: false, problem: "missing" });
    expect(
      verifyWebhook({ key, body, timestamp: "soon", signature, nowSeconds: ts }),
    ).toMatchObject({ ok: false, problem: "malformed" });
    expect(
      verifyWebhook({ key, body, timestamp: String(ts), signature: "sha1=abc", nowSeconds: ts }),
    ).toMatchObject({ ok: false, problem: "malformed" });
  });

  it("accepts any of several signatures (rotation grace period)", () => {
    const old = webhookKeyOf(newClientSecret());
    const both = signatureHeader([key, old], ts, body);
    expect(both.split(",")).toHaveLength(2);
    expect(
      verifyWebhook({ key: old, body, timestamp: String(ts), signature: both, nowSeconds: ts }),
    ).toEqual({ ok: true });
  });
});

describe("secrets and tokens", () => {
  it("stores only a hash, and seals webhook keys reversibly under the server secret only", () => {
    const secret = newClientSecret();
    expect(secret).toMatch(/^sws_[A-Za-z0-9_-]{43}$/);
    expect(hashSecret(secret)).toMatch(/^[0-9a-f]{64}$/);
    const sealed = sealKey("server-secret-one-that-is-long-enough", "key");
    expect(openKey("server-secret-one-that-is-long-enough", sealed)).toBe("key");
    expect(() => openKey("another-server-secret-that-is-long!!", sealed)).toThrow();
  });

  it("verifies tokens until they expire, and never another server's", async () => {
    const s = "server-secret-one-that-is-long-enough";
    const t = await issueToken(s, "transport-1", 1_790_000_000);
    expect(await verifyToken(s, t.token, new Date(1_790_000_100_000))).toMatchObject({
      clientId: "transport-1",
    });
    expect(await verifyToken(s, t.token, new Date(1_790_000_901_000))).toBeUndefined();
    expect(await verifyToken(`${s}x`, t.token, new Date(1_790_000_100_000))).toBeUndefined();
  });
});
