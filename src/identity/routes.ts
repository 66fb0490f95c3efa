/**
 * Staff sign-in and sign-out pages. (Hardening — TOTP, lockout, breached
 * passwords — arrives with the identity issue.)
 */
import type { FastifyInstance } from "fastify";
import { appendAudit } from "../audit/service.ts";
import { LOGIN_LIMIT } from "../web/limits.ts";
import { authenticate } from "./service.ts";
import { signIn, signOut } from "./session.ts";

/** Only local paths may be redirected to after sign-in (no open redirect). */
export function safeNext(next: unknown): string {
  return typeof next === "string" && /^\/(?![/\\])[\x21-\x7e]*$/.test(next) ? next : "/desk";
}

/** Registers `/staff/login` and `/staff/logout`. */
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
      const username = typeof body.username === "string" ? body.username.slice(0, 64) : "";
      const password = typeof body.password === "string" ? body.password.slice(0, 200) : "";
      const next = safeNext(body.next);
      const errors = [];
      if (!username)
        errors.push({ text: request.t("login.errors.usernameRequired"), href: "#username" });
      if (!password)
        errors.push({ text: request.t("login.errors.passwordRequired"), href: "#password" });
      const official = errors.length === 0 ? await authenticate(db, username, password) : undefined;
      if (errors.length === 0 && !official)
        errors.push({ text: request.t("login.errors.invalid"), href: "#username" });
      if (!official) {
        return reply.code(400).view("identity/views/login.njk", {
          values: { username },
          next,
          errors,
          fieldErrors: Object.fromEntries(errors.map((e) => [e.href.slice(1), e.text])),
        });
      }
      await db.transaction(async (tx) => {
        await appendAudit(tx, {
          stream: `official:${official.id}`,
          actor: `official:${official.id}`,
          action: "official.login",
          at: new Date().toISOString(),
        });
      });
      await signIn(request, reply, official);
      return reply.redirect(next, 303);
    },
  );

  app.post("/staff/logout", { schema: { hide: true } }, async (request, reply) => {
    await signOut(request, reply);
    return reply.redirect("/staff/login", 303);
  });
}
