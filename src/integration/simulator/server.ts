/**
 * The department simulator (issue 10): a small separate HTTP server that
 * behaves like a department's back-office system against a Sewa portal, for
 * tests, demos and a department developer's first integration
 * (`sewa department-simulator`, docs/integration.md).
 *
 * - `POST /webhooks`: receives Sewa's webhooks and verifies their signature
 *   (HMAC-SHA256 over timestamp and body, 5-minute window) with the key derived
 *   from the client secret; a bad or old signature gets 401 and is counted in
 *   `refused`. An event id seen before is answered 200 and not processed again.
 *   A new event is accepted (202) and processed in the background:
 *   1. get an access token (client credentials; reused until it nearly expires);
 *   2. fetch the application;
 *   3. post `under_process`;
 *   4. after `delayMs`, post the decision: `approved` with a generated PDF,
 *      `sent_back`, or `rejected`, chosen by the `mix` weights from a hash of
 *      the reference and `seed` (so a run is reproducible). After a
 *      resubmission it approves or rejects (never a second send-back).
 *   Every write carries an `Idempotency-Key` derived from the event, so a retry
 *   after a network error or a 5xx is safe; retries back off (up to 8 tries).
 * - `GET /status`: counts and each reference's decision and last status, as JSON.
 *
 * Misbehaviour, each a probability in 0..1 per webhook or decision:
 * - `timeouts`: accept the event but answer only after `hangMs` (longer than
 *   Sewa's timeout), so Sewa retries a webhook that was in fact processed;
 * - `errors`: answer 500 without processing (Sewa retries);
 * - `duplicates`: send each update twice (the same Idempotency-Key) and the
 *   decision a third time with a new key (Sewa must not record it twice);
 * - `outOfOrder`: after the decision, post `received` and `under_process`
 *   again (Sewa refuses them: 409).
 */
import { createHash } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import PDFDocument from "pdfkit";
import { verifyWebhook, webhookKeyOf } from "../crypto.ts";

/** The decisions the simulator makes. */
export type SimDecision = "approved" | "sent_back" | "rejected";

/** Settings of a simulator. */
export type SimulatorOptions = {
  /** Port to listen on (0 = any free port). */
  port: number;
  /** Interface (default 127.0.0.1). */
  host?: string;
  /** The portal's base URL, e.g. `http://127.0.0.1:3000`. */
  portalUrl: string;
  clientId: string;
  secret: string;
  /** Weights of the decisions (default approve 70, send back 20, reject 10). */
  mix?: Partial<Record<SimDecision, number>>;
  /** Milliseconds between "under process" and the decision (default 0). */
  delayMs?: number;
  /** How long a "timed-out" answer hangs, in ms (default 15 000). */
  hangMs?: number;
  timeouts?: number;
  errors?: number;
  duplicates?: number;
  outOfOrder?: number;
  /** Seed of the decision hash and of the misbehaviour dice. */
  seed?: string;
  /** Log lines (default none). */
  log?: (line: string) => void;
};

/** What the simulator has done, for `GET /status` and tests. */
export type SimulatorStatus = {
  webhooks: number;
  refused: number;
  duplicateEvents: number;
  processedEvents: number;
  /** Events whose processing failed for good (after retries). */
  failedEvents: number;
  inFlight: number;
  /** Per reference: what the simulator decided last, and the portal's status after it. */
  decisions: Record<string, { decision: SimDecision; status: string; rounds: number }>;
  /** Processing count per event id (each must be 1). */
  processedPerEvent: Record<string, number>;
};

/** A running simulator. */
export type Simulator = { url: string; status(): SimulatorStatus; close(): Promise<void> };

/** A number in [0, 1) from a hash of the parts. */
function dice(...parts: string[]): number {
  return createHash("sha256").update(parts.join("|")).digest().readUInt32BE(0) / 2 ** 32;
}

/** The decision for `reference` in round `round` by the mix (round > 1: never send back). */
export function decisionFor(
  reference: string,
  round: number,
  mix: Record<SimDecision, number>,
  seed = "",
): SimDecision {
  const weights = round > 1 ? { ...mix, sent_back: 0 } : mix;
  const total = weights.approved + weights.sent_back + weights.rejected;
  if (total <= 0) return "approved";
  let x = dice(seed, reference, String(round)) * total;
  for (const d of ["approved", "sent_back", "rejected"] as const) {
    x -= weights[d];
    if (x < 0) return d;
  }
  return "approved";
}

/** A one-page PDF output document for `reference` (ASCII text, built-in Helvetica). */
export function outputPdf(reference: string, department: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const doc = new PDFDocument({ size: "A4", margin: 50, info: { Title: `Output ${reference}` } });
    const chunks: Buffer[] = [];
    doc.on("data", (c: Buffer) => chunks.push(c));
    doc.on("end", () => resolve(Buffer.concat(chunks)));
    doc.on("error", reject);
    doc.fontSize(18).text(department);
    doc.moveDown().fontSize(12).text(`Service delivered for application ${reference}.`);
    doc.text("Issued by the department simulator (test document, not valid).");
    doc.end();
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Starts a simulator (module comment). */
export async function startSimulator(o: SimulatorOptions): Promise<Simulator> {
  const key = webhookKeyOf(o.secret);
  const mix: Record<SimDecision, number> = {
    approved: o.mix?.approved ?? 70,
    sent_back: o.mix?.sent_back ?? 20,
    rejected: o.mix?.rejected ?? 10,
  };
  const seed = o.seed ?? "";
  const log = o.log ?? (() => {});
  const portal = o.portalUrl.replace(/\/+$/, "");
  const st: SimulatorStatus = {
    webhooks: 0,
    refused: 0,
    duplicateEvents: 0,
    processedEvents: 0,
    failedEvents: 0,
    inFlight: 0,
    decisions: {},
    processedPerEvent: {},
  };
  const seen = new Set<string>();
  const rounds = new Map<string, number>();
  let token: { value: string; until: number } | undefined;
  const sockets = new Set<import("node:net").Socket>();

  async function accessToken(): Promise<string> {
    if (token && token.until > Date.now() + 30_000) return token.value;
    const res = await fetch(`${portal}/api/v1/oauth/token`, {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        authorization: `Basic ${Buffer.from(`${o.clientId}:${o.secret}`).toString("base64")}`,
      },
      body: "grant_type=client_credentials",
    });
    if (!res.ok) throw new Error(`token: HTTP ${res.status}`);
    const t = (await res.json()) as { access_token: string; expires_in: number };
    token = { value: t.access_token, until: Date.now() + t.expires_in * 1000 };
    return t.access_token;
  }

  /** Calls the portal, retrying network errors, 5xx and 429 (same request, same key). */
  async function call(
    method: string,
    path: string,
    body?: unknown,
    idempotencyKey?: string,
  ): Promise<{ status: number; json: Record<string, unknown> }> {
    for (let attempt = 1; ; attempt++) {
      try {
        const res = await fetch(`${portal}${path}`, {
          method,
          headers: {
            authorization: `Bearer ${await accessToken()}`,
            ...(body ? { "content-type": "application/json" } : {}),
            ...(idempotencyKey ? { "idempotency-key": idempotencyKey } : {}),
          },
          body: body ? JSON.stringify(body) : undefined,
          signal: AbortSignal.timeout(30_000),
        });
        if (res.status === 401) token = undefined;
        if ((res.status >= 500 || res.status === 429 || res.status === 401) && attempt < 8) {
          await res.body?.cancel();
          await sleep(100 * 2 ** attempt);
          continue;
        }
        const text = await res.text();
        return { status: res.status, json: text ? JSON.parse(text) : {} };
      } catch (e) {
        if (attempt >= 8) throw e;
        await sleep(100 * 2 ** attempt);
      }
    }
  }

  async function update(
    reference: string,
    body: Record<string, unknown>,
    key: string,
    roll: string,
  ): Promise<{ status: number; json: Record<string, unknown> }> {
    const path = `/api/v1/integration/applications/${encodeURIComponent(reference)}/updates`;
    const first = await call("POST", path, body, key);
    if (dice(seed, "duplicate", key, roll) < (o.duplicates ?? 0)) {
      const again = await call("POST", path, body, key);
      log(`duplicate ${body.status} for ${reference}: ${again.status}`);
    }
    return first;
  }

  async function handle(eventId: string, type: string, reference: string): Promise<void> {
    const app = await call(
      "GET",
      `/api/v1/integration/applications/${encodeURIComponent(reference)}`,
    );
    if (app.status !== 200) throw new Error(`fetch ${reference}: HTTP ${app.status}`);
    const status = String(app.json.status);
    if (status !== "submitted" && status !== "resubmitted") return; // nothing to do (already decided)
    const round = (rounds.get(reference) ?? 0) + 1;
    rounds.set(reference, round);
    await update(reference, { status: "under_process" }, `${eventId}:under_process`, "u");
    if (o.delayMs) await sleep(o.delayMs);
    const decision = decisionFor(reference, round, mix, seed);
    const body: Record<string, unknown> =
      decision === "approved"
        ? {
            status: "approved",
            remark: "Service delivered",
            document: {
              filename: `output-${reference}.pdf`,
              content: (await outputPdf(reference, "Department simulator")).toString("base64"),
            },
          }
        : decision === "sent_back"
          ? { status: "sent_back", remark: "Attach a clearer copy of the proof of address" }
          : { status: "rejected", remark: "Not eligible under the service rules" };
    const res = await update(reference, body, `${eventId}:decision`, "d");
    if (res.status !== 200) throw new Error(`${decision} ${reference}: HTTP ${res.status}`);
    st.decisions[reference] = { decision, status: String(res.json.status), rounds: round };
    if (dice(seed, "duplicate-new-key", eventId) < (o.duplicates ?? 0)) {
      // The same decision again under a new key: the workflow refuses it (409), nothing is recorded.
      const again = await call(
        "POST",
        `/api/v1/integration/applications/${encodeURIComponent(reference)}/updates`,
        body,
        `${eventId}:decision:again`,
      );
      log(`repeated ${decision} for ${reference} under a new key: ${again.status}`);
    }
    if (dice(seed, "out-of-order", eventId) < (o.outOfOrder ?? 0)) {
      for (const late of ["received", "under_process"]) {
        const r = await call(
          "POST",
          `/api/v1/integration/applications/${encodeURIComponent(reference)}/updates`,
          { status: late },
          `${eventId}:late:${late}`,
        );
        log(`late ${late} for ${reference}: ${r.status}`);
      }
    }
    log(`${type} ${reference}: ${decision} (round ${round})`);
  }

  const server = http.createServer((req, res) => {
    if (req.method === "GET" && req.url === "/status") {
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify(st));
      return;
    }
    if (req.method !== "POST" || req.url !== "/webhooks") {
      res.statusCode = 404;
      res.end();
      return;
    }
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      st.webhooks++;
      const raw = Buffer.concat(chunks).toString("utf8");
      const check = verifyWebhook({
        key,
        body: raw,
        timestamp: req.headers["sewa-timestamp"] as string | undefined,
        signature: req.headers["sewa-signature"] as string | undefined,
        nowSeconds: Math.floor(Date.now() / 1000),
      });
      if (!check.ok) {
        st.refused++;
        res.statusCode = 401;
        res.end(check.problem);
        return;
      }
      const event = JSON.parse(raw) as { id: string; type: string; data: { reference: string } };
      const attemptRoll = `${event.id}:${st.webhooks}`;
      if (dice(seed, "error", attemptRoll) < (o.errors ?? 0)) {
        res.statusCode = 500;
        res.end("simulated failure");
        return;
      }
      if (seen.has(event.id)) {
        st.duplicateEvents++;
        res.statusCode = 200;
        res.end("already processed");
        return;
      }
      seen.add(event.id);
      st.processedPerEvent[event.id] = (st.processedPerEvent[event.id] ?? 0) + 1;
      st.inFlight++;
      if (event.type === "application.submitted" || event.type === "application.resubmitted")
        handle(event.id, event.type, event.data.reference)
          .then(() => {
            st.processedEvents++;
          })
          .catch((e: unknown) => {
            st.failedEvents++;
            log(`event ${event.id} failed: ${(e as Error).message}`);
          })
          .finally(() => {
            st.inFlight--;
          });
      else {
        st.processedEvents++;
        st.inFlight--;
      }
      if (dice(seed, "timeout", attemptRoll) < (o.timeouts ?? 0)) {
        // Processed, but the answer comes too late: Sewa retries; the retry is a duplicate.
        setTimeout(() => {
          if (!res.writableEnded) {
            res.statusCode = 202;
            res.end();
          }
        }, o.hangMs ?? 15_000).unref();
        return;
      }
      res.statusCode = 202;
      res.end();
    });
  });
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(o.port, o.host ?? "127.0.0.1", resolve));
  const address = server.address() as AddressInfo;
  return {
    url: `http://${o.host ?? "127.0.0.1"}:${address.port}`,
    status: () => structuredClone(st),
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    },
  };
}
