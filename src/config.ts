/**
 * Typed configuration from the environment (12-factor).
 *
 * Every setting has a default that gives a working portal on the embedded
 * database. See README.md "Configuration" for the table of variables.
 */
import path from "node:path";
import type { AppealFigures } from "./appeals/chain.ts";

/** The portal's settings, read once at start. */
export type Config = {
  /** TCP port of the web server. Env `PORT`, default 3000. */
  port: number;
  /** Interface to bind. Env `HOST`, default 127.0.0.1. */
  host: string;
  /** PostgreSQL connection string. Env `DATABASE_URL`; unset means embedded PGlite. */
  databaseUrl: string | undefined;
  /** Folder for the embedded database and uploaded documents. Env `SEWA_DATA_DIR`, default `./var`. */
  dataDir: string;
  /** pino level. Env `LOG_LEVEL`, default `info`. */
  logLevel: string;
  /** Secret for signing cookies. Env `SEWA_COOKIE_SECRET`; a development default is used when unset. */
  cookieSecret: string;
  /** Whether cookies get the `Secure` flag (behind TLS). Env `SEWA_SECURE_COOKIES=1`. */
  secureCookies: boolean;
  /**
   * Server secret for keyed hashes (OTP codes, Aadhaar duplicate detection), at
   * least 32 characters. Env `SEWA_SECRET_KEY`; a development value when unset.
   */
  secretKey: string;
  /** The appeal chain profile: `2018` (default) or `2011`. Env `SEWA_APPEAL_CHAIN`. */
  appealChain: "2018" | "2011";
  /**
   * The appeal figures, overriding the profile's (appeals/chain.ts
   * `configuredChain`): env `SEWA_PENALTY_PER_DAY_RUPEES`, `SEWA_PENALTY_CAP_RUPEES`,
   * `SEWA_FIRST_APPEAL_DAYS`, `SEWA_FIRST_APPEAL_DECISION_DAYS`,
   * `SEWA_SECOND_APPEAL_DAYS`, `SEWA_SECOND_APPEAL_DECISION_DAYS` (whole numbers).
   */
  appealFigures: AppealFigures;
  /** File the first appeal automatically on a breach. Env `SEWA_AUTO_APPEAL=1`. */
  autoAppeal: boolean;
  /** Whether this node runs the background workers (pg-boss). Env `SEWA_WORKERS=0` turns them off. */
  workers: boolean;
  /**
   * SMS gateway: env `SEWA_SMS_GATEWAY_URL` and `SEWA_SMS_API_KEY` (both set =
   * the HTTP gateway of src/notifications/sms.ts; otherwise SMS are printed to
   * the console), and `SEWA_SMS_SENDER_ID`, the DLT header (default `PBSEWA`).
   */
  sms: { gatewayUrl: string | undefined; apiKey: string | undefined; senderId: string };
  /**
   * Payment gateway (src/payments/gateway.ts): env `SEWA_GATEWAY_URL`,
   * `SEWA_GATEWAY_KEY_ID`, `SEWA_GATEWAY_SECRET`. Unset: `npm start` runs the
   * gateway simulator on PORT+1 with development credentials.
   */
  gateway: { url: string; keyId: string; secret: string } | undefined;
  /** The portal's public address (env `SEWA_PUBLIC_URL`, default `http://localhost:<PORT>`): return and webhook URLs. */
  publicUrl: string;
  /** Email: env `SEWA_SMTP_URL` (unset = no email) and `SEWA_MAIL_FROM` (default `Sewa Punjab <noreply@localhost>`). */
  mail: { smtpUrl: string | undefined; from: string };
  /**
   * Webhooks to department systems (src/integration/webhooks.ts): how often
   * the worker looks for due deliveries (env `SEWA_WEBHOOK_POLL_MS`, default
   * 2000 ms), the first retry wait (env `SEWA_WEBHOOK_RETRY_BASE_MS`, default 30 000 ms)
   * and how long an attempt may take (env `SEWA_WEBHOOK_TIMEOUT_MS`, default 10 000 ms).
   */
  webhooks: { pollMs: number; retryBaseMs: number; timeoutMs: number };
  /**
   * The state's target for Sewa Kendra queues: a token is called within this
   * many minutes of being issued (wait = calledAt − issuedAt; misses are counted).
   * Env `SEWA_TOKEN_TARGET_MINUTES`, default 20.
   */
  tokenTargetMinutes: number;
  /**
   * What the state pays the Sewa Kendra operator per transaction, in paise
   * (the Kendra audit's cost figures, docs/kendra-audit.md). Env
   * `SEWA_KENDRA_PAYMENT_PER_TRANSACTION_PAISE` (a positive whole number);
   * unset = null, and the audit says "not configured".
   */
  kendraPaymentPerTransactionPaise: number | null;
};

/**
 * Reads the configuration from `env`.
 * @throws Error when PORT is not an integer in 0..65535.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const port = Number(env.PORT ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`PORT must be an integer 0..65535, got ${env.PORT}`);
  }
  return {
    port,
    host: env.HOST ?? "127.0.0.1",
    databaseUrl: env.DATABASE_URL || undefined,
    dataDir: path.resolve(env.SEWA_DATA_DIR ?? "./var"),
    logLevel: env.LOG_LEVEL ?? "info",
    cookieSecret: env.SEWA_COOKIE_SECRET ?? "development-only-cookie-secret-change-me-please",
    secureCookies: env.SEWA_SECURE_COOKIES === "1",
    workers: env.SEWA_WORKERS !== "0",
    sms: {
      gatewayUrl: env.SEWA_SMS_GATEWAY_URL || undefined,
      apiKey: env.SEWA_SMS_API_KEY || undefined,
      senderId: env.SEWA_SMS_SENDER_ID || "PBSEWA",
    },
    gateway:
      env.SEWA_GATEWAY_URL && env.SEWA_GATEWAY_SECRET
        ? {
            url: env.SEWA_GATEWAY_URL,
            keyId: env.SEWA_GATEWAY_KEY_ID ?? "sewa",
            secret: env.SEWA_GATEWAY_SECRET,
          }
        : undefined,
    publicUrl: env.SEWA_PUBLIC_URL || `http://localhost:${port}`,
    mail: {
      smtpUrl: env.SEWA_SMTP_URL || undefined,
      from: env.SEWA_MAIL_FROM || "Sewa Punjab <noreply@localhost>",
    },
    webhooks: {
      pollMs: positive(env.SEWA_WEBHOOK_POLL_MS, 2000),
      retryBaseMs: positive(env.SEWA_WEBHOOK_RETRY_BASE_MS, 30_000),
      timeoutMs: positive(env.SEWA_WEBHOOK_TIMEOUT_MS, 10_000),
    },
    tokenTargetMinutes: positive(env.SEWA_TOKEN_TARGET_MINUTES, 20),
    kendraPaymentPerTransactionPaise: env.SEWA_KENDRA_PAYMENT_PER_TRANSACTION_PAISE
      ? positive(env.SEWA_KENDRA_PAYMENT_PER_TRANSACTION_PAISE, 0) || null
      : null,
    appealChain: env.SEWA_APPEAL_CHAIN === "2011" ? "2011" : "2018",
    appealFigures: appealFiguresFrom(env),
    autoAppeal: env.SEWA_AUTO_APPEAL === "1",
    secretKey: env.SEWA_SECRET_KEY ?? "development-only-secret-key-change-me-in-production",
  };
}

/** A positive integer from the environment, else `fallback`. */
function positive(value: string | undefined, fallback: number): number {
  const n = Number(value);
  return value && Number.isInteger(n) && n > 0 ? n : fallback;
}

/**
 * Reads the appeal figures from the environment; an unset variable keeps the profile's figure.
 * @throws Error when a value is not a positive whole number.
 */
export function appealFiguresFrom(env: NodeJS.ProcessEnv): AppealFigures {
  const read = (name: string, scale = 1): number | undefined => {
    const v = env[name];
    if (v === undefined || v === "") return undefined;
    const n = Number(v);
    if (!Number.isSafeInteger(n) || n <= 0)
      throw new Error(`${name} must be a positive whole number, got ${v}`);
    return n * scale;
  };
  const out: AppealFigures = {};
  const set = (k: keyof AppealFigures, v: number | undefined) => {
    if (v !== undefined) out[k] = v;
  };
  set("penaltyPerDayPaise", read("SEWA_PENALTY_PER_DAY_RUPEES", 100));
  set("penaltyCapPaise", read("SEWA_PENALTY_CAP_RUPEES", 100));
  set("firstWindowDays", read("SEWA_FIRST_APPEAL_DAYS"));
  set("firstDecisionDays", read("SEWA_FIRST_APPEAL_DECISION_DAYS"));
  set("secondWindowDays", read("SEWA_SECOND_APPEAL_DAYS"));
  set("secondDecisionDays", read("SEWA_SECOND_APPEAL_DECISION_DAYS"));
  return out;
}
