/**
 * Starts the portal: configuration, database (migrated; seeded with the real
 * reference data and the demo officials when empty), the background workers
 * (breach sweep every minute; `SEWA_WORKERS=0` turns them off on this node),
 * then the web app.
 */
import path from "node:path";
import { configuredChain } from "./appeals/chain.ts";
import { fileStore } from "./applications/storage.ts";
import { loadConfig } from "./config.ts";
import { startWebhookWorker } from "./integration/webhooks.ts";
import { startJobs } from "./jobs/queue.ts";
import { smtpEmail } from "./notifications/email.ts";
import { consoleSms, httpSms } from "./notifications/sms.ts";
import { httpGateway } from "./payments/gateway.ts";
import { startGatewaySimulator } from "./payments/simulator.ts";
import { openAndMigrate, seedIfEmpty } from "./setup.ts";
import { systemClock } from "./sla/clock.ts";
import { buildApp } from "./web/app.ts";

const config = loadConfig();
const database = await openAndMigrate(config);
if (await seedIfEmpty(database))
  console.log("Seeded the real reference data and the demo officials.");
// SMS through the HTTP gateway when configured, else printed; email only with an SMTP URL.
const { sms: smsConfig, mail } = config;
const sms =
  smsConfig.gatewayUrl && smsConfig.apiKey
    ? httpSms({ url: smsConfig.gatewayUrl, apiKey: smsConfig.apiKey, senderId: smsConfig.senderId })
    : consoleSms();
const email = mail.smtpUrl ? smtpEmail(mail.smtpUrl, mail.from) : undefined;
// Payments through the configured gateway; in development, the gateway simulator on PORT+1.
const simulator = config.gateway
  ? undefined
  : await startGatewaySimulator({
      port: config.port === 0 ? 0 : config.port + 1,
      host: config.host,
      keyId: "sewa-dev",
      secret: "development-only-gateway-secret",
    });
if (simulator) console.log(`Payment gateway simulator at ${simulator.url}`);
const gateway = httpGateway(
  config.gateway ?? {
    url: simulator?.url ?? "",
    keyId: "sewa-dev",
    secret: "development-only-gateway-secret",
  },
);
const app = await buildApp({
  database,
  config,
  clock: systemClock,
  store: fileStore(path.join(config.dataDir, "documents")),
  sms,
  gateway,
});

const jobs = config.workers
  ? await startJobs(database, systemClock, {
      log: (msg, err) => app.log.error({ err }, msg),
      autoAppeal: config.autoAppeal
        ? configuredChain(config.appealChain, config.appealFigures)
        : undefined,
      notify: { sms, email },
      gateway,
    })
  : undefined;

// Webhooks to department systems, from the outbox (src/integration/webhooks.ts).
const webhooks = config.workers
  ? startWebhookWorker(database.db, systemClock, {
      serverSecret: config.secretKey,
      pollMs: config.webhooks.pollMs,
      retryBaseMs: config.webhooks.retryBaseMs,
      timeoutMs: config.webhooks.timeoutMs,
      log: (msg, err) => app.log.error({ err }, msg),
    })
  : undefined;

const shutdown = async () => {
  await app.close();
  await simulator?.close();
  await webhooks?.stop();
  await jobs?.stop();
  await database.close();
  process.exit(0);
};
process.on("SIGINT", shutdown);
process.on("SIGTERM", shutdown);

await app.listen({ port: config.port, host: config.host });
console.log(
  `Sewa is running at http://${config.host === "0.0.0.0" ? "localhost" : config.host}:${config.port} (database: ${database.kind})`,
);
