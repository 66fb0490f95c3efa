/**
 * Feedback pages (issue 9):
 *
 * - `GET /f/:token`, `POST /f/:token`: the citizen's one-question feedback
 *   from the SMS link, without login or JavaScript, in the citizen's
 *   language (`?lang=`, the `lang` cookie, then the browser's): a rating
 *   from 1 to 5 (GOV.UK radios) and an optional comment. An unknown token
 *   answers 404; an expired link (30 days) a clear page (410); a second
 *   answer keeps the first and says so. Rate-limited like the other public
 *   pages (`TRACK_LIMIT`, per IP, shared by every node).
 * - `GET /kendra/feedback[?kendra=]`: the manager's view of their centre's
 *   feedback over the last 30 days: average, count and latest comments, per counter.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { DomainError } from "../../common/errors.ts";
import type { Staff } from "../../identity/session.ts";
import { TRACK_LIMIT } from "../../web/limits.ts";
import { staffNav } from "../../workflow/routes.ts";
import {
  answerFeedback,
  type FeedbackView,
  feedbackSummary,
  findFeedback,
  MAX_COMMENT_LENGTH,
} from "./service.ts";

/** What the manager page needs from the handover routes: the manager's centre for the request. */
export type FeedbackRouteOptions = {
  managerKendra(
    request: FastifyRequest,
    reply: FastifyReply,
  ): Promise<
    | { staff: Staff; code: string | undefined; centres: Array<{ code: string; name: string }> }
    | undefined
  >;
};

/** The centre's name in the page language, or undefined (a doorstep visit). */
function centreName(f: FeedbackView, lang: string): string | undefined {
  if (!f.kendra) return undefined;
  return (lang === "pa" ? f.kendra.pa : lang === "hi" ? f.kendra.hi : f.kendra.en) || f.kendra.en;
}

/** Registers the feedback routes. */
export async function feedbackRoutes(
  app: FastifyInstance,
  opts: FeedbackRouteOptions,
): Promise<void> {
  const { db } = app.deps.database;
  const { clock } = app.deps;

  function render(
    request: FastifyRequest,
    reply: FastifyReply,
    f: FeedbackView,
    extra: Record<string, unknown> = {},
    status = 200,
  ) {
    return reply.code(status).view("kendras/feedback/views/ask.njk", {
      f,
      centre: centreName(f, request.lang),
      sentOn: f.sentAt,
      values: {},
      errors: [],
      fieldErrors: {},
      maxComment: MAX_COMMENT_LENGTH,
      ...extra,
    });
  }

  async function load(request: FastifyRequest) {
    const { token } = request.params as { token: string };
    const f = await findFeedback(db, token, clock.now());
    if (!f) throw new DomainError("not_found", "No such feedback link");
    return f;
  }

  app.get(
    "/f/:token",
    { schema: { hide: true }, config: { rateLimit: TRACK_LIMIT } },
    async (request, reply) => {
      const f = await load(request);
      if (f.answeredAt)
        return render(request, reply, f, {
          state: (request.query as { done?: string }).done === "1" ? "thanks" : "already",
        });
      if (f.expired) return render(request, reply, f, { state: "expired" }, 410);
      return render(request, reply, f, { state: "ask" });
    },
  );

  app.post(
    "/f/:token",
    { schema: { hide: true }, config: { rateLimit: TRACK_LIMIT } },
    async (request, reply) => {
      const f = await load(request);
      const body = (request.body ?? {}) as Record<string, unknown>;
      const values = {
        rating: typeof body.rating === "string" ? body.rating : "",
        comment: typeof body.comment === "string" ? body.comment : "",
      };
      try {
        const r = await answerFeedback(db, f.token, values, clock.now());
        if (r.outcome === "already")
          return render(request, reply, r.feedback, { state: "already" });
        return reply.redirect(`/f/${f.token}?done=1`, 303);
      } catch (e) {
        if (!(e instanceof DomainError)) throw e;
        if (e.kind === "invalid_transition")
          return render(request, reply, f, { state: "expired" }, 410);
        if (e.kind !== "validation") throw e;
        const fieldErrors: Record<string, string> = {};
        for (const p of e.fields) {
          fieldErrors[p.field] =
            p.field === "rating"
              ? p.code === "required"
                ? request.t("feedback.errors.ratingRequired")
                : request.t("feedback.errors.ratingInvalid")
              : request.t("feedback.errors.commentTooLong", { max: MAX_COMMENT_LENGTH });
        }
        return render(
          request,
          reply,
          f,
          {
            state: "ask",
            values,
            fieldErrors,
            errors: Object.entries(fieldErrors).map(([field, text]) => ({
              text,
              href: field === "rating" ? "#rating" : "#comment",
            })),
          },
          400,
        );
      }
    },
  );

  app.get("/kendra/feedback", { schema: { hide: true } }, async (request, reply) => {
    const m = await opts.managerKendra(request, reply);
    if (!m) return reply;
    const summary = m.code ? await feedbackSummary(db, m.code, clock.now()) : undefined;
    return reply.view("kendras/feedback/views/manager.njk", {
      navItems: staffNav(request, m.staff),
      kendraCode: m.code,
      centres: m.centres,
      kendraName: m.centres.find((c) => c.code === m.code)?.name ?? "",
      summary,
      // One decimal, as the audit report shows it.
      averageText: (v: number | null) => (v === null ? "–" : `${v.toFixed(1)} / 5`),
    });
  });
}
