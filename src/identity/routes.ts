/**
 * Staff sign-in: password (`/staff/login`), then TOTP (`/staff/totp`, which
 * first enrols an authenticator app when the official has none),
 * sign-out, and the session time-out warning (WCAG 2.2.1).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import QRCode from "qrcode";
import { appendAudit } from "../audit/service.ts";
import { LOGIN_LIMIT } from "../web/limits.ts";
import {
  beginTotpEnrolment,
  checkPassword,
  confirmTotpEnrolment,
  type Official,
  SESSION_IDLE_MINUTES,
  totpValid,
} from "./service.ts";
import { completeSignIn, pendingOfficial, signInPassword, signOut } from "./session.ts";

/** Only local paths may be redirected to after sign-in (no open redirect). */
export function safeNext(next: unknown): string {
  return typeof next === "string" && /^\/(?![/\\])[\x21-\x7e]*$/.test(next) ? next : "/desk";
}

type PageError = { text: string; href: string };
const fieldErrors = (errors: PageError[]) =>
  Object.fromEntries(errors.map((e) => [e.href.slice(1), e.text]));
const str = (v: unknown, max: number) => (typeof v === "string" ? v.slice(0, max) : "");

/** Registers the sign-in pages. */
export async function identityRoutes(app: FastifyInstance): Promise<void> {
  const { db } = app.deps.database;

  app.get("/staff/login", { schema: { hide: true } }, async (request, reply) => {
    const next = safeNext((request.query as { next?: string }).next);
    return reply.view("identity/views/login.njk", { values: {}, next });
  });

  app.post(
    "/staff/login",
    { schema: { hide: true }, config: { rateLimit: LOGIN_LIMIT } },
    async (request, reply) => {
      const body = (request.body ?? {}) as Record<string, unknown>;
      const username = str(body.username, 64);
      const password = str(body.password, 200);
      const next = safeNext(body.next);
      const errors: PageError[] = [];
      if (!username)
        errors.push({ text: request.t("login.errors.usernameRequired"), href: "#username" });
      if (!password)
        errors.push({ text: request.t("login.errors.passwordRequired"), href: "#password" });
      if (errors.length === 0) {
        const outcome = await db.transaction((tx) =>
          checkPassword(tx, username, password, new Date().toISOString()),
        );
        if (outcome.ok) {
          await signInPassword(request, reply, outcome.official);
          return reply.redirect(`/staff/totp?next=${encodeURIComponent(next)}`, 303);
        }
        errors.push({
          text:
            outcome.reason === "locked"
              ? request.t("login.errors.locked")
              : request.t("login.errors.invalid"),
          href: "#username",
        });
      }
      return reply.code(400).view("identity/views/login.njk", {
        values: { username },
        next,
        errors,
        fieldErrors: fieldErrors(errors),
      });
    },
  );

  async function pendingOrLogin(request: FastifyRequest) {
    return pendingOfficial(request);
  }

  /** The TOTP page: enrolment (secret and QR code) until enrolled, then the code prompt. */
  async function renderTotp(
    reply: FastifyReply,
    official: Official,
    next: string,
    errors: PageError[] = [],
  ) {
    const base = { next, errors, fieldErrors: fieldErrors(errors) };
    const status = errors.length ? 400 : 200;
    if (official.totpEnabledAt)
      return reply.code(status).view("identity/views/totp.njk", { ...base, mode: "verify" });
    const { secret, uri } = await beginTotpEnrolment(db, official);
    return reply.code(status).view("identity/views/totp.njk", {
      ...base,
      mode: "setup",
      secret: secret.replace(/(.{4})/g, "$1 ").trim(),
      qr: await QRCode.toDataURL(uri, { margin: 1, width: 220 }),
    });
  }

  app.get("/staff/totp", { schema: { hide: true } }, async (request, reply) => {
    const pending = await pendingOrLogin(request);
    if (!pending) return reply.redirect("/staff/login", 303);
    return renderTotp(reply, pending.official, safeNext((request.query as { next?: string }).next));
  });

  app.post(
    "/staff/totp",
    { schema: { hide: true }, config: { rateLimit: LOGIN_LIMIT } },
    async (request, reply) => {
      const pending = await pendingOrLogin(request);
      if (!pending) return reply.redirect("/staff/login", 303);
      const body = (request.body ?? {}) as Record<string, unknown>;
      const code = str(body.code, 12).replace(/\s/g, "");
      const next = safeNext(body.next);
      const now = new Date();
      const { official } = pending;
      const ok = official.totpEnabledAt
        ? await totpValid(official.totpSecret ?? "", code, Math.floor(now.getTime() / 1000))
        : await db.transaction((tx) => confirmTotpEnrolment(tx, official, code, now));
      if (!ok)
        return renderTotp(reply, official, next, [
          {
            text: code ? request.t("totp.errors.invalid") : request.t("totp.errors.required"),
            href: "#code",
          },
        ]);
      await completeSignIn(request, pending.token);
      await db.transaction((tx) =>
        appendAudit(tx, {
          stream: `official:${official.id}`,
          actor: `official:${official.id}`,
          action: "official.login",
          at: now.toISOString(),
        }),
      );
      return reply.redirect(next, 303);
    },
  );

  app.post("/staff/logout", { schema: { hide: true } }, async (request, reply) => {
    await signOut(request, reply);
    return reply.redirect("/staff/login", 303);
  });

  app.get("/staff/session-warning", { schema: { hide: true } }, async (_request, reply) => {
    return reply.view("identity/views/session-warning.njk", { idleMinutes: SESSION_IDLE_MINUTES });
  });
}
