/**
 * Citizen pages: sign in with a one-time code sent to the mobile number,
 * "Your applications" (every application filed with that number, including
 * those filed at a Sewa Kendra or at the doorstep), and the profile that
 * prefills later applications with consent.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import {
  citizenSession,
  rotateCitizenSession,
  updateCitizenSession,
} from "../applications/grants.ts";
import { getService } from "../catalog/service.ts";
import { DomainError } from "../common/errors.ts";
import { normaliseMobile } from "../common/text.ts";
import { localPlaces } from "../geography/local-names.ts";
import { listDistricts, listTehsils } from "../geography/service.ts";
import { OTP_LIMIT } from "../web/limits.ts";
import { saveCitizenLang } from "./citizen-lang.ts";
import {
  applicationsOfCitizen,
  type Citizen,
  draftsOfCitizen,
  findCitizen,
  PROFILE_FIELDS,
  saveProfile,
  sendSignInCode,
  signInWithCode,
} from "./citizens.ts";

type PageError = { text: string; href: string };
const str = (v: unknown, max: number) => (typeof v === "string" ? v.slice(0, max) : "");
const fieldErrors = (errors: PageError[]) =>
  Object.fromEntries(errors.map((e) => [e.href.slice(1), e.text]));

/** The signed-in citizen, or undefined. */
export async function currentCitizen(request: FastifyRequest): Promise<Citizen | undefined> {
  const s = await citizenSession(request);
  return s?.citizenId ? findCitizen(request.server.deps.database.db, s.citizenId) : undefined;
}

/** Registers the citizen sign-in and account pages. */
export async function citizenRoutes(app: FastifyInstance): Promise<void> {
  const { db } = app.deps.database;
  const { clock, config } = app.deps;

  const masked = (mobile: string) => `XXXXXX${mobile.slice(-4)}`;

  function otpError(request: FastifyRequest, e: unknown): PageError | undefined {
    if (!(e instanceof DomainError)) return undefined;
    const code = e.fields[0]?.code;
    if (code === "otp.wait") return { text: request.t("citizen.errors.wait"), href: "#mobile" };
    if (code === "otp.daily_limit")
      return { text: request.t("citizen.errors.dailyLimit"), href: "#mobile" };
    return undefined;
  }

  app.get("/login", { schema: { hide: true } }, async (_request, reply) =>
    reply.view("identity/views/citizen-login.njk", { values: {} }),
  );

  app.post(
    "/login",
    { schema: { hide: true }, config: { rateLimit: OTP_LIMIT } },
    async (request, reply) => {
      const raw = str((request.body as Record<string, unknown> | undefined)?.mobile, 20);
      const mobile = normaliseMobile(raw);
      const errors: PageError[] = [];
      if (!raw.trim())
        errors.push({ text: request.t("track.errors.mobileRequired"), href: "#mobile" });
      else if (!mobile.ok)
        errors.push({ text: request.t("track.errors.mobileInvalid"), href: "#mobile" });
      if (mobile.ok) {
        try {
          await sendSignInCode(
            db,
            app.deps.sms,
            config.secretKey,
            mobile.value,
            clock.now(),
            request.lang,
          );
        } catch (e) {
          const err = otpError(request, e);
          if (!err) throw e;
          errors.push(err);
        }
      }
      if (errors.length > 0 || !mobile.ok) {
        return reply.code(400).view("identity/views/citizen-login.njk", {
          values: { mobile: raw },
          errors,
          fieldErrors: fieldErrors(errors),
        });
      }
      await updateCitizenSession(request, reply, (data) => ({
        ...data,
        pendingMobile: mobile.value,
      }));
      return reply.redirect("/login/code", 303);
    },
  );

  async function pendingMobile(request: FastifyRequest): Promise<string | undefined> {
    const m = (await citizenSession(request))?.data.pendingMobile;
    return typeof m === "string" ? m : undefined;
  }

  function renderCode(reply: FastifyReply, mobile: string, errors: PageError[] = [], status = 200) {
    return reply.code(status).view("identity/views/citizen-code.njk", {
      mobile: masked(mobile),
      errors,
      fieldErrors: fieldErrors(errors),
    });
  }

  app.get("/login/code", { schema: { hide: true } }, async (request, reply) => {
    const mobile = await pendingMobile(request);
    if (!mobile) return reply.redirect("/login", 303);
    return renderCode(reply, mobile);
  });

  app.post(
    "/login/code",
    { schema: { hide: true }, config: { rateLimit: OTP_LIMIT } },
    async (request, reply) => {
      const mobile = await pendingMobile(request);
      if (!mobile) return reply.redirect("/login", 303);
      const body = (request.body ?? {}) as Record<string, unknown>;
      if (body.resend === "yes") {
        try {
          await sendSignInCode(
            db,
            app.deps.sms,
            config.secretKey,
            mobile,
            clock.now(),
            request.lang,
          );
        } catch (e) {
          const err = otpError(request, e);
          if (!err) throw e;
          return renderCode(reply, mobile, [{ ...err, href: "#code" }], 400);
        }
        return renderCode(reply, mobile);
      }
      const code = str(body.code, 12).replace(/\s/g, "");
      const citizen = code
        ? await signInWithCode(db, config.secretKey, mobile, code, clock.now())
        : undefined;
      if (!citizen) {
        return renderCode(
          reply,
          mobile,
          [
            {
              text: code
                ? request.t("citizen.errors.codeInvalid")
                : request.t("citizen.errors.codeRequired"),
              href: "#code",
            },
          ],
          400,
        );
      }
      const old = await citizenSession(request);
      const { pendingMobile: _drop, ...keep } = old?.data ?? {};
      await rotateCitizenSession(request, reply, keep, citizen.id);
      // The language: a choice made in this browser is saved to the profile; else the saved one is used.
      if (request.cookies.lang === request.lang)
        await saveCitizenLang(db, citizen.id, request.lang);
      else if (citizen.lang && citizen.lang !== request.lang)
        reply.setCookie("lang", citizen.lang, {
          path: "/",
          httpOnly: true,
          sameSite: "lax",
          maxAge: 365 * 86400,
          secure: config.secureCookies,
        });
      return reply.redirect("/my", 303);
    },
  );

  app.post("/logout", { schema: { hide: true } }, async (request, reply) => {
    await rotateCitizenSession(request, reply, {}, null);
    return reply.redirect("/", 303);
  });

  const requireCitizen = async (request: FastifyRequest, reply: FastifyReply) => {
    const citizen = await currentCitizen(request);
    if (!citizen) reply.redirect("/login", 303);
    return citizen;
  };

  app.get("/my", { schema: { hide: true } }, async (request, reply) => {
    const citizen = await requireCitizen(request, reply);
    if (!citizen) return reply;
    const apps = await applicationsOfCitizen(db, citizen);
    const items = [];
    for (const a of apps) {
      const s = await getService(db, a.serviceId);
      const local = request.lang === "pa" ? s?.namePa : request.lang === "hi" ? s?.nameHi : "";
      items.push({ ...a, serviceName: local || s?.name || "" });
    }
    const drafts = [];
    for (const d of await draftsOfCitizen(db, citizen, app.deps.clock.now().toString()))
      drafts.push({ ...d, service: await getService(db, d.serviceId) });
    return reply.view("identity/views/my-applications.njk", { citizen, items, drafts });
  });

  app.get("/my/profile", { schema: { hide: true } }, async (request, reply) => {
    const citizen = await requireCitizen(request, reply);
    if (!citizen) return reply;
    return reply.view("identity/views/profile.njk", {
      citizen,
      values: citizen.profile,
      consent: citizen.prefillConsentAt !== null,
      ...(await places(request.lang)),
    });
  });

  app.post("/my/profile", { schema: { hide: true } }, async (request, reply) => {
    const citizen = await requireCitizen(request, reply);
    if (!citizen) return reply;
    const body = (request.body ?? {}) as Record<string, unknown>;
    const values = Object.fromEntries(PROFILE_FIELDS.map((f) => [f, str(body[f], 200)]));
    const consent = body.consent === "yes";
    try {
      await saveProfile(
        db,
        config.secretKey,
        citizen.id,
        { values, consent, aadhaar: str(body.aadhaar, 20) },
        clock.now(),
      );
    } catch (e) {
      if (!(e instanceof DomainError) || e.kind !== "validation") throw e;
      const errors = [{ text: request.t("citizen.errors.aadhaarInvalid"), href: "#aadhaar" }];
      return reply.code(400).view("identity/views/profile.njk", {
        citizen,
        values,
        consent,
        errors,
        fieldErrors: fieldErrors(errors),
        ...(await places(request.lang)),
      });
    }
    return reply.redirect("/my/profile?saved=1", 303);
  });

  async function places(lang: string) {
    const [districts, tehsils] = await Promise.all([
      listDistricts(db).then((r) => localPlaces("district", r, lang)),
      listTehsils(db).then((r) => localPlaces("tehsil", r, lang)),
    ]);
    return {
      districts,
      tehsilGroups: districts.map((d) => ({
        district: d,
        tehsils: tehsils.filter((t) => t.districtCode === d.code),
      })),
    };
  }
}
