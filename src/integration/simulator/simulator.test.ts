import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newClientSecret, signatureHeader, webhookKeyOf } from "../crypto.ts";
import { decisionFor, outputPdf, type Simulator, startSimulator } from "./server.ts";

describe("department simulator", () => {
  const secret = newClientSecret();
  let sim: Simulator;
  beforeAll(async () => {
    // No portal behind it: these tests stop at the signature check.
    sim = await startSimulator({ port: 0, portalUrl: "http://127.0.0.1:9", clientId: "x", secret });
  });
  afterAll(async () => sim?.close());

  const send = (body: string, timestamp: number, key = webhookKeyOf(secret)) =>
    fetch(`${sim.url}/webhooks`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "sewa-timestamp": String(timestamp),
        "sewa-signature": signatureHeader([key], timestamp, body),
      },
      body,
    });
  const body = JSON.stringify({ id: "e-1", type: "appeal.filed", data: { reference: "R" } });
  const now = () => Math.floor(Date.now() / 1000);

  it("refuses a tampered body, an old timestamp and another key with 401", async () => {
    const ts = now();
    const tampered = await fetch(`${sim.url}/webhooks`, {
      method: "POST",
      headers: {
        "sewa-timestamp": String(ts),
        "sewa-signature": signatureHeader([webhookKeyOf(secret)], ts, body),
      },
      body: body.replace('"R"', '"S"'),
    });
    expect(tampered.status).toBe(401);
    expect(await tampered.text()).toBe("mismatch");
    const old = await send(body, now() - 600);
    expect(old.status).toBe(401);
    expect(await old.text()).toBe("too_old");
    expect((await send(body, now(), webhookKeyOf(newClientSecret()))).status).toBe(401);
    expect(sim.status().refused).toBe(3);
  });

  it("accepts a signed event once and answers a repeat without processing it again", async () => {
    expect((await send(body, now())).status).toBe(202);
    expect((await send(body, now())).status).toBe(200);
    expect(sim.status()).toMatchObject({ duplicateEvents: 1, processedPerEvent: { "e-1": 1 } });
  });

  it("decides by the mix, reproducibly, and never sends back twice", () => {
    const mix = { approved: 1, sent_back: 1, rejected: 1 };
    const first = Array.from({ length: 300 }, (_, i) => decisionFor(`R${i}`, 1, mix, "s"));
    expect(new Set(first)).toEqual(new Set(["approved", "sent_back", "rejected"]));
    expect(first).toEqual(Array.from({ length: 300 }, (_, i) => decisionFor(`R${i}`, 1, mix, "s")));
    expect(Array.from({ length: 300 }, (_, i) => decisionFor(`R${i}`, 2, mix, "s"))).not.toContain(
      "sent_back",
    );
  });

  it("generates a PDF output document", async () => {
    const pdf = await outputPdf("PB-LDH-2025-000001", "Transport");
    expect(pdf.subarray(0, 5).toString()).toBe("%PDF-");
  });
});
