/**
 * The Fastify application: plugins, pages, the JSON API and error handling.
 *
 * Domains register their own routes (one encapsulated plugin each); this module
 * only assembles them. Errors: HTML pages get an error page, `/api/*` gets
 * RFC 9457 `application/problem+json`; bad input is never a 500.
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import compress from "@fastify/compress";
import cookie from "@fastify/cookie";
import csrf from "@fastify/csrf-protection";
import formbody from "@fastify/formbody";
import helmet from "@fastify/helmet";
import multipart from "@fastify/multipart";
import rateLimit from "@fastify/rate-limit";
import fastifyStatic from "@fastify/static";
import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import view from "@fastify/view";
import { sql } from "drizzle-orm";
import Fastify, { type FastifyInstance } from "fastify";
import type { TFunction } from "i18next";
import nunjucks from "nunjucks";
import { appealRoutes } from "../appeals/routes.ts";
import { applicationRoutes } from "../applications/routes.ts";
import type { DocumentStore } from "../applications/storage.ts";
import { GENERIC_FORM_MAX_BYTES, GENERIC_FORM_MAX_FILES } from "../applications/uploads.ts";
import { auditRoutes } from "../audit/routes.ts";
import { catalogRoutes } from "../catalog/routes.ts";
import { studioRoutes } from "../catalog/studio-routes.ts";
import { certificateRoutes } from "../certificates/routes.ts";
import type { Config } from "../config.ts";
import type { Database } from "../db/client.ts";
import { doorstepRoutes } from "../doorstep/routes.ts";
import { userAdminRoutes } from "../identity/admin-routes.ts";
import { citizenLang, saveCitizenLang, signedInCitizenId } from "../identity/citizen-lang.ts";
import { citizenRoutes } from "../identity/citizen-routes.ts";
import { identityRoutes } from "../identity/routes.ts";
import { integrationRoutes } from "../integration/routes.ts";
import { assistedRoutes } from "../kendras/assisted/routes.ts";
import { kendraAuditRoutes } from "../kendras/audit/routes.ts";
import { cashRoutes } from "../kendras/cash/routes.ts";
import { handoverRoutes } from "../kendras/handover/routes.ts";
import { kendraRoutes } from "../kendras/registry/routes.ts";
import { monitoringRoutes } from "../monitoring/routes.ts";
import { isSimulated } from "../monitoring/service.ts";
import { notificationRoutes } from "../notifications/routes.ts";
import type { SmsSender } from "../notifications/sms.ts";
import type { PaymentGateway } from "../payments/gateway.ts";
import { paymentRoutes } from "../payments/routes.ts";
import type { Clock } from "../sla/clock.ts";
import { adminRoutes } from "../sla/routes.ts";
import { deskRoutes } from "../workflow/routes.ts";
import { registerErrorHandling } from "./errors.ts";
import {
  formatters,
  fromAcceptLanguage,
  initI18n,
  isLang,
  LANGUAGE_NAMES,
  LANGUAGES,
  type Lang,
  translator,
} from "./i18n.ts";
import { publicPages } from "./public-pages.ts";
import { postgresRateLimitStore } from "./rate-limit-store.ts";
import { configureTemplates } from "./templates.ts";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "../..");

/** What every route plugin receives. */
export type AppDeps = {
  database: Database;
  config: Config;
  clock: Clock;
  store: DocumentStore;
  sms: SmsSender;
  /** The payment gateway adapter (src/payments/gateway.ts); without it online payment is not offered. */
  gateway?: PaymentGateway;
  /** Where logs go (default standard output); tests capture them to prove no personal data is logged. */
  logStream?: NodeJS.WritableStream;
};

declare module "fastify" {
  interface FastifyRequest {
    /** The page language (query, cookie, Accept-Language, English). */
    lang: Lang;
    /** Translate in the request's language. */
    t: TFunction;
    /** Intl formatting in the request's language, Asia/Kolkata. */
    fmt: ReturnType<typeof formatters>;
  }
  interface FastifyInstance {
    deps: AppDeps;
  }
  interface FastifyReply {
    /** Values every template sees (read by @fastify/view). */
    locals?: Record<string, unknown>;
  }
}

/** Builds the app (not listening). */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  await initI18n();
  const app = Fastify({
    logger: {
      level: deps.config.logLevel,
      redact: {
        paths: ["req.headers.cookie", "req.headers.authorization", "res.headers['set-cookie']"],
        remove: true,
      },
      // No personal data in logs: no query strings (mobile numbers), no client addresses, no cookies.
      serializers: {
        req: (req: { method: string; url: string; id?: string }) => ({
          method: req.method,
          url: req.url.split("?")[0],
          id: req.id,
        }),
      },
      ...(deps.logStream ? { stream: deps.logStream } : {}),
    },
    bodyLimit: 1024 * 1024,
    trustProxy: true,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, allErrors: true } },
    routerOptions: { ignoreTrailingSlash: true },
  });
  app.decorate("deps", deps);
  app.decorateRequest("lang", "en");
  app.decorateRequest("t", null as unknown as TFunction);
  app.decorateRequest("fmt", null as unknown as ReturnType<typeof formatters>);

  await app.register(helmet, {
    contentSecurityPolicy: {
      directives: {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        // "Pay online" posts here and is redirected to the gateway's payment page.
        "form-action": [
          "'self'",
          ...(deps.gateway?.checkoutOrigin ? [deps.gateway.checkoutOrigin] : []),
        ],
        "frame-ancestors": ["'none'"],
        "upgrade-insecure-requests": null,
      },
    },
    hsts: deps.config.secureCookies,
  });
  // gzip/brotli for pages, CSS and JSON (page-weight budget: docs in bench/README.md).
  await app.register(compress, { global: true, threshold: 1024, encodings: ["br", "gzip"] });
  await app.register(cookie, { secret: deps.config.cookieSecret });
  await app.register(csrf, {
    sessionPlugin: "@fastify/cookie",
    cookieKey: "sewa_csrf",
    cookieOpts: {
      path: "/",
      httpOnly: true,
      sameSite: "lax",
      signed: true,
      secure: deps.config.secureCookies,
    },
    getToken: (request) => {
      const body = request.body as Record<string, unknown> | undefined;
      const query = request.query as Record<string, unknown> | undefined;
      const token =
        (body && typeof body === "object" ? body._csrf : undefined) ??
        query?._csrf ??
        request.headers["x-csrf-token"];
      return typeof token === "string" ? token : undefined;
    },
  });
  await app.register(rateLimit, {
    global: false,
    store: postgresRateLimitStore(deps.database.db),
    skipOnError: true,
  });
  await app.register(formbody, { bodyLimit: 64 * 1024 });
  await app.register(multipart, {
    limits: {
      fileSize: GENERIC_FORM_MAX_BYTES,
      files: GENERIC_FORM_MAX_FILES,
      fields: 60,
      fieldSize: 64 * 1024,
      parts: 80,
    },
  });
  await app.register(fastifyStatic, {
    root: path.join(here, "static"),
    prefix: "/assets/",
    maxAge: "1h",
  });
  await app.register(fastifyStatic, {
    root: path.join(root, "node_modules/govuk-frontend/dist/govuk/assets"),
    prefix: "/assets/govuk/",
    decorateReply: false,
    maxAge: "7d",
  });
  await app.register(fastifyStatic, {
    root: [
      path.join(root, "node_modules/@fontsource/noto-sans/files"),
      path.join(root, "node_modules/@fontsource/noto-sans-gurmukhi/files"),
      path.join(root, "node_modules/@fontsource/noto-sans-devanagari/files"),
    ],
    prefix: "/assets/fonts/",
    decorateReply: false,
    maxAge: "30d",
    immutable: true,
  });

  await app.register(view, {
    engine: { nunjucks },
    templates: [
      path.join(here, "views"),
      path.join(root, "src"),
      path.join(root, "node_modules/govuk-frontend/dist"),
    ],
    options: {
      autoescape: true,
      noCache: process.env.NODE_ENV !== "production",
      onConfigure: (env: nunjucks.Environment) => configureTemplates(env),
    },
  });

  await app.register(swagger, {
    openapi: {
      openapi: "3.1.0",
      info: {
        title: "Sewa API",
        version: "1.0.0",
        description:
          "Public services of the Government of Punjab: catalog, applications and tracking. Errors are RFC 9457 problem+json.",
      },
      servers: [{ url: "/" }],
      components: {
        securitySchemes: {
          sewaClient: {
            type: "oauth2",
            description: "Department systems (docs/integration.md): client credentials, bearer JWT",
            flows: { clientCredentials: { tokenUrl: "/api/v1/oauth/token", scopes: {} } },
          },
        },
      },
    },
  });
  await app.register(swaggerUi, { routePrefix: "/api/docs", staticCSP: true });

  app.addHook("onRequest", async (request, reply) => {
    const query = request.query as Record<string, unknown> | undefined;
    const fromQuery = query?.lang;
    if (isLang(fromQuery)) {
      request.lang = fromQuery;
      reply.setCookie("lang", fromQuery, {
        path: "/",
        httpOnly: true,
        sameSite: "lax",
        maxAge: 365 * 86400,
        secure: deps.config.secureCookies,
      });
      // A signed-in citizen's switch is kept in their profile too (their SMS follow it).
      const citizenId = await signedInCitizenId(request);
      if (citizenId !== undefined) await saveCitizenLang(deps.database.db, citizenId, fromQuery);
    } else if (isLang(request.cookies.lang)) {
      request.lang = request.cookies.lang;
    } else {
      const citizenId = await signedInCitizenId(request);
      const saved =
        citizenId === undefined ? undefined : await citizenLang(deps.database.db, citizenId);
      request.lang = isLang(saved)
        ? saved
        : (fromAcceptLanguage(request.headers["accept-language"]) ?? "en");
    }
    const t = translator(request.lang);
    // Native digits (Gurmukhi, Devanagari) only on request, for pa and hi: the `digits` cookie.
    const nativeDigits = request.lang !== "en" && request.cookies.digits === "native";
    const fmt = formatters(request.lang, { nativeDigits });
    request.t = t;
    request.fmt = fmt;
    const currentPath = request.url.split("?")[0] ?? "/";
    const htmlPage =
      !currentPath.startsWith("/api/") &&
      !currentPath.startsWith("/assets/") &&
      !currentPath.startsWith("/healthz") &&
      !currentPath.startsWith("/readyz");
    reply.locals = {
      ...(reply.locals ?? {}),
      ...(htmlPage ? { csrfToken: reply.generateCsrf() } : {}),
      t,
      fmt,
      lang: request.lang,
      languages: LANGUAGES.map((l) => ({
        code: l,
        name: LANGUAGE_NAMES[l],
        href: `${currentPath}?lang=${l}`,
        current: l === request.lang,
      })),
      currentPath,
      nativeDigits,
      digitsHref: (digits: string) =>
        `/settings/digits?digits=${digits}&back=${encodeURIComponent(request.url)}`,
      // Every page says so while simulated data is present (sewa simulate, issue 6).
      ...(htmlPage ? { simulated: await isSimulated(deps.database.db) } : {}),
    };
  });

  // Every form post of the pages carries a CSRF token (OWASP ASVS 4.2.2); multipart forms send it in the
  // query string, since their body is read inside the handler. The API is not cookie-authenticated.
  app.addHook("preHandler", (request, reply, done) => {
    const path = request.url.split("?")[0] ?? "";
    // Open311 (src/integration/open311.ts) is an API too: authenticated by api_key, not by cookie.
    if (request.method !== "POST" || path.startsWith("/api/") || path.startsWith("/open311/"))
      return done();
    app.csrfProtection(request, reply, done);
  });

  registerErrorHandling(app);

  app.get("/privacy", { schema: { hide: true } }, async (_req, reply) =>
    reply.view("privacy.njk", {}),
  );
  app.get("/healthz", { schema: { hide: true } }, async () => ({ status: "ok" }));
  app.get("/readyz", { schema: { hide: true } }, async (_req, reply) => {
    try {
      await deps.database.db.execute(sql`select 1`);
      return { status: "ready" };
    } catch {
      return reply.code(503).send({ status: "database unavailable" });
    }
  });

  await app.register(catalogRoutes);
  await app.register(applicationRoutes);
  await app.register(identityRoutes);
  await app.register(citizenRoutes);
  await app.register(deskRoutes);
  await app.register(adminRoutes);
  await app.register(auditRoutes);
  await app.register(userAdminRoutes);
  await app.register(appealRoutes);
  await app.register(notificationRoutes);
  await app.register(certificateRoutes);
  await app.register(integrationRoutes);
  await app.register(monitoringRoutes);
  await app.register(studioRoutes);
  await app.register(paymentRoutes);
  await app.register(doorstepRoutes);
  await app.register(handoverRoutes);
  await app.register(assistedRoutes);
  await app.register(cashRoutes);
  await app.register(kendraRoutes);
  await app.register(kendraAuditRoutes);
  await app.register(publicPages);
  return app;
}
