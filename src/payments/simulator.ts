/**
 * The payment-gateway simulator (`sewa gateway-simulator`, issue 8): a small
 * separate HTTP server that behaves like an Indian payment gateway, for
 * development and tests. Sewa's adapter (gateway.ts) talks to it over HTTP
 * exactly as it would to a real gateway.
 *
 * - `POST /v1/orders` (basic auth) creates an order and answers the page to
 *   send the citizen to: `GET /pay/<orderId>`, with four buttons — success,
 *   failure, pending and timeout.
 * - On success or failure it sends the signed webhook (`X-Gateway-Signature`,
 *   HMAC-SHA256 of the raw body) to the order's `webhookUrl` and redirects
 *   the browser to `returnUrl` with `orderId`, `paymentId`, `status`,
 *   `amountPaise` and `signature` (see gateway.ts). `pending` returns
 *   without a payment; the payment is captured later (`capturePending`).
 *   `timeout` shows a page and never returns to the portal.
 * - `GET /v1/orders/<id>` answers an order's status; `POST /v1/refunds`
 *   refunds; `GET /v1/settlements.csv?date=YYYY-MM-DD` is the settlement
 *   report (CSV: payment_id, order_id, amount_paise, settled_on).
 * - `POST /v1/test/webhooks/<orderId>?times=N` re-sends an order's webhook N
 *   times (to test replays, C-19).
 *
 * State is in memory. Money is integer paise.
 */
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { type GatewayResult, hmacHex, returnPayload } from "./gateway.ts";

type Order = {
  orderId: string;
  amountPaise: number;
  receipt: string;
  returnUrl: string;
  webhookUrl: string;
  status: GatewayResult["status"];
  paymentId: string;
  paidOn?: string;
  refunded?: boolean;
};

/** A running simulator. */
export type GatewaySimulator = {
  url: string;
  server: Server;
  orders: Map<string, Order>;
  /** Captures a pending order now (as the bank's late confirmation) and sends its webhook. */
  capturePending(orderId: string): Promise<void>;
  close(): Promise<void>;
};

const id = (prefix: string) => `${prefix}_${randomBytes(8).toString("hex")}`;

async function bodyOf(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(res: ServerResponse, status: number, title: string, body: string) {
  res.writeHead(status, { "content-type": "text/html; charset=utf-8" });
  res.end(
    `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${esc(title)}</title></head><body style="font-family:sans-serif;max-width:40em;margin:2em auto"><main><h1>${esc(title)}</h1>${body}</main></body></html>`,
  );
}

function json(res: ServerResponse, status: number, value: unknown) {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(value));
}

/**
 * Starts the simulator.
 * @param opts.port 0 for any free port; `keyId`/`secret` are the merchant credentials the adapter must use.
 */
export async function startGatewaySimulator(opts: {
  port: number;
  host?: string;
  keyId: string;
  secret: string;
  today?: () => string;
}): Promise<GatewaySimulator> {
  const orders = new Map<string, Order>();
  const today = opts.today ?? (() => new Date().toISOString().slice(0, 10));
  const expectedAuth = `Basic ${Buffer.from(`${opts.keyId}:${opts.secret}`).toString("base64")}`;

  const resultOf = (o: Order): GatewayResult => ({
    orderId: o.orderId,
    paymentId: o.paymentId,
    status: o.status,
    amountPaise: o.amountPaise,
  });

  async function sendWebhook(o: Order) {
    const raw = JSON.stringify({ event: `payment.${o.status}`, ...resultOf(o) });
    try {
      await fetch(o.webhookUrl, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "x-gateway-signature": hmacHex(opts.secret, raw),
        },
        body: raw,
        signal: AbortSignal.timeout(5000),
      });
    } catch {
      // A real gateway retries later; the portal also reconciles by querying the order.
    }
  }

  function returnUrlOf(o: Order): string {
    const r = resultOf(o);
    const url = new URL(o.returnUrl);
    url.searchParams.set("orderId", r.orderId);
    url.searchParams.set("paymentId", r.paymentId);
    url.searchParams.set("status", r.status);
    url.searchParams.set("amountPaise", String(r.amountPaise));
    url.searchParams.set("signature", hmacHex(opts.secret, returnPayload(r)));
    return url.toString();
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? "/", "http://simulator");
    const parts = url.pathname.split("/").filter(Boolean);
    const api = parts[0] === "v1";
    if (api && req.headers.authorization !== expectedAuth)
      return json(res, 401, { error: "unauthorized" });

    if (req.method === "POST" && url.pathname === "/v1/orders") {
      const b = JSON.parse((await bodyOf(req)) || "{}") as Partial<Order>;
      if (
        !Number.isSafeInteger(b.amountPaise) ||
        (b.amountPaise ?? 0) <= 0 ||
        !b.returnUrl ||
        !b.webhookUrl
      )
        return json(res, 400, {
          error: "amountPaise (positive integer), returnUrl and webhookUrl are required",
        });
      const o: Order = {
        orderId: id("order"),
        amountPaise: b.amountPaise as number,
        receipt: String(b.receipt ?? ""),
        returnUrl: b.returnUrl,
        webhookUrl: b.webhookUrl,
        status: "created",
        paymentId: "",
      };
      orders.set(o.orderId, o);
      return json(res, 200, {
        orderId: o.orderId,
        redirectUrl: `${simulator.url}/pay/${o.orderId}`,
      });
    }
    if (req.method === "GET" && parts[0] === "v1" && parts[1] === "orders" && parts[2]) {
      const o = orders.get(parts[2]);
      return o ? json(res, 200, resultOf(o)) : json(res, 404, { error: "no such order" });
    }
    if (req.method === "POST" && url.pathname === "/v1/refunds") {
      const b = JSON.parse((await bodyOf(req)) || "{}") as {
        paymentId?: string;
        amountPaise?: number;
      };
      const o = [...orders.values()].find(
        (x) => x.paymentId === b.paymentId && x.status === "paid",
      );
      if (!o || o.refunded || b.amountPaise !== o.amountPaise)
        return json(res, 422, { error: "cannot refund" });
      o.refunded = true;
      return json(res, 200, { refundId: id("rfnd") });
    }
    if (req.method === "GET" && url.pathname === "/v1/settlements.csv") {
      const date = url.searchParams.get("date") ?? today();
      const lines = [...orders.values()]
        .filter((o) => o.status === "paid" && o.paidOn === date)
        .map((o) => `${o.paymentId},${o.orderId},${o.amountPaise},${date}`);
      res.writeHead(200, { "content-type": "text/csv; charset=utf-8" });
      return res.end(
        ["payment_id,order_id,amount_paise,settled_on", ...lines].join("\r\n") + "\r\n",
      );
    }
    if (
      req.method === "POST" &&
      parts[0] === "v1" &&
      parts[1] === "test" &&
      parts[2] === "webhooks" &&
      parts[3]
    ) {
      const o = orders.get(parts[3]);
      if (!o) return json(res, 404, { error: "no such order" });
      const times = Math.min(10, Number(url.searchParams.get("times") ?? 1));
      await Promise.all(Array.from({ length: times }, () => sendWebhook(o)));
      return json(res, 200, { sent: times });
    }

    // The citizen's pages.
    if (parts[0] === "pay" && parts[1]) {
      const o = orders.get(parts[1]);
      if (!o) return page(res, 404, "No such order", "<p>This payment link is not valid.</p>");
      if (req.method === "GET") {
        const button = (outcome: string, label: string) =>
          `<form method="post" action="/pay/${o.orderId}"><input type="hidden" name="outcome" value="${outcome}"><button type="submit" style="font-size:1.2em;margin:.3em 0">${label}</button></form>`;
        return page(
          res,
          200,
          "Sewa payment gateway (simulator)",
          `<p>Pay <strong>₹${(o.amountPaise / 100).toFixed(2)}</strong> for ${esc(o.receipt)}.</p>${button("success", "Pay (success)")}${button("failure", "Fail the payment")}${button("pending", "Leave it pending")}${button("timeout", "Time out")}`,
        );
      }
      const outcome = new URLSearchParams(await bodyOf(req)).get("outcome");
      if (outcome === "timeout")
        return page(
          res,
          504,
          "The gateway timed out",
          "<p>The bank did not answer. Go back to Sewa and check your application.</p>",
        );
      if (o.status === "created" || o.status === "pending" || o.status === "failed") {
        if (outcome === "success") {
          o.status = "paid";
          o.paymentId = id("pay");
          o.paidOn = today();
        } else if (outcome === "failure") {
          o.status = "failed";
          o.paymentId = o.paymentId || id("pay");
        } else o.status = "pending";
        if (o.status !== "pending") await sendWebhook(o);
      }
      res.writeHead(303, { location: returnUrlOf(o) });
      return res.end();
    }
    return json(res, 404, { error: "not found" });
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((e) => json(res, 500, { error: String(e) }));
  });
  await new Promise<void>((resolve) => server.listen(opts.port, opts.host ?? "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : opts.port;
  const simulator: GatewaySimulator = {
    url: `http://${opts.host ?? "127.0.0.1"}:${port}`,
    server,
    orders,
    async capturePending(orderId) {
      const o = orders.get(orderId);
      if (!o || o.status !== "pending") return;
      o.status = "paid";
      o.paymentId = id("pay");
      o.paidOn = today();
      await sendWebhook(o);
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  return simulator;
}
