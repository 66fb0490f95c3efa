/**
 * The payment-gateway adapter (issue 8): what Sewa needs from any Indian
 * payment gateway — create an order, send the citizen to pay, verify the
 * signed return and webhook, query an order, refund, and fetch the
 * settlement report — over HTTP. Sewa's gateway simulator
 * (`sewa gateway-simulator`, simulator.ts) speaks this protocol; an adapter
 * for a real gateway implements the same {@link PaymentGateway}.
 *
 * Signatures follow the common Indian gateway pattern (e.g. Razorpay's
 * `order_id|payment_id` HMAC): HMAC-SHA256, hex, keyed by the merchant
 * secret, over `orderId|paymentId|status|amountPaise` for the browser's
 * return, and over the raw body for webhooks (header `X-Gateway-Signature`).
 * Comparisons are constant-time. Amounts are integer paise.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { parse } from "csv-parse/sync";

/** An order at the gateway and where to send the citizen to pay it. */
export type GatewayOrder = { orderId: string; redirectUrl: string };

/** The outcome the gateway reports for an order. */
export type GatewayStatus = "created" | "paid" | "failed" | "pending";

/** What the browser's return and the webhook carry. */
export type GatewayResult = {
  orderId: string;
  paymentId: string;
  status: GatewayStatus;
  amountPaise: number;
};

/** One line of the settlement report. */
export type SettlementLine = {
  paymentId: string;
  orderId: string;
  amountPaise: number;
  settledOn: string;
};

/** The adapter interface. */
export type PaymentGateway = {
  /**
   * The origin of the gateway's payment pages (e.g. `https://checkout.example.in`).
   * "Pay online" is a form whose answer redirects there, so the portal's CSP
   * `form-action` must allow it, or browsers block the redirect.
   */
  checkoutOrigin?: string;
  /** @throws Error when the gateway cannot be reached or refuses (the caller shows "try again"). */
  createOrder(o: {
    amountPaise: number;
    receipt: string;
    returnUrl: string;
    webhookUrl: string;
  }): Promise<GatewayOrder>;
  /** Whether the return parameters are signed by the gateway. */
  verifyReturn(r: GatewayResult, signature: string): boolean;
  /** Whether a webhook's raw body is signed by the gateway. */
  verifyWebhook(rawBody: string, signature: string): boolean;
  queryOrder(orderId: string): Promise<GatewayResult>;
  refund(paymentId: string, amountPaise: number): Promise<{ refundId: string }>;
  settlements(date: string): Promise<SettlementLine[]>;
};

/** HMAC-SHA256 hex of `text` under `secret`. */
export function hmacHex(secret: string, text: string): string {
  return createHmac("sha256", secret).update(text, "utf8").digest("hex");
}

/** The signed text of a return: `orderId|paymentId|status|amountPaise`. */
export function returnPayload(r: GatewayResult): string {
  return `${r.orderId}|${r.paymentId}|${r.status}|${r.amountPaise}`;
}

/** Constant-time comparison of two hex signatures (false for different lengths or non-hex). */
export function sameSignature(expected: string, given: string): boolean {
  if (!/^[0-9a-f]{64}$/.test(given)) return false;
  return timingSafeEqual(Buffer.from(expected, "hex"), Buffer.from(given, "hex"));
}

/** Gateway connection settings (env `SEWA_GATEWAY_URL`, `SEWA_GATEWAY_KEY_ID`, `SEWA_GATEWAY_SECRET`). */
export type GatewayConfig = { url: string; keyId: string; secret: string; timeoutMs?: number };

/** The HTTP adapter: the simulator's protocol (JSON, HTTP basic auth with the key id and secret). */
export function httpGateway(config: GatewayConfig): PaymentGateway {
  const auth = `Basic ${Buffer.from(`${config.keyId}:${config.secret}`).toString("base64")}`;
  async function call<T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
    const res = await fetch(new URL(path, config.url), {
      method: init.method ?? "GET",
      headers: { authorization: auth, "content-type": "application/json" },
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
      signal: AbortSignal.timeout(config.timeoutMs ?? 10_000),
    });
    if (!res.ok) throw new Error(`payment gateway ${path}: HTTP ${res.status}`);
    return (await res.json()) as T;
  }
  return {
    checkoutOrigin: new URL(config.url).origin,
    createOrder: (o) => call<GatewayOrder>("/v1/orders", { method: "POST", body: o }),
    verifyReturn: (r, signature) =>
      sameSignature(hmacHex(config.secret, returnPayload(r)), signature),
    verifyWebhook: (raw, signature) => sameSignature(hmacHex(config.secret, raw), signature),
    queryOrder: (orderId) => call<GatewayResult>(`/v1/orders/${encodeURIComponent(orderId)}`),
    refund: (paymentId, amountPaise) =>
      call<{ refundId: string }>("/v1/refunds", {
        method: "POST",
        body: { paymentId, amountPaise },
      }),
    settlements: async (date) => {
      const res = await fetch(
        new URL(`/v1/settlements.csv?date=${encodeURIComponent(date)}`, config.url),
        {
          headers: { authorization: auth },
          signal: AbortSignal.timeout(config.timeoutMs ?? 10_000),
        },
      );
      if (!res.ok) throw new Error(`payment gateway settlements: HTTP ${res.status}`);
      const records = parse(await res.text(), { columns: true, skip_empty_lines: true }) as Array<
        Record<string, string>
      >;
      return records.map((r) => ({
        paymentId: r.payment_id ?? "",
        orderId: r.order_id ?? "",
        amountPaise: Number(r.amount_paise),
        settledOn: r.settled_on ?? "",
      }));
    },
  };
}
