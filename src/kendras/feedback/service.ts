/**
 * One-question feedback after a service at a Sewa Kendra or the doorstep
 * (issue 9): the citizen gets an SMS with a short link `/f/<token>` and
 * rates the service from 1 to 5, with an optional comment, once.
 *
 * - {@link askForFeedback} runs in the caller's transaction (a handover, a
 *   token closed at a counter, a doorstep visit completed): it writes the
 *   `feedback` row with an unguessable token (16 random bytes, base64url: 128
 *   bits, OWASP ASVS 3.2.2) and the `feedback.requested` outbox event, from
 *   which the notification consumer sends ONE SMS. It is idempotent per
 *   token, per visit, and per application otherwise.
 * - {@link answerFeedback} keeps the first answer: a second answer changes
 *   nothing and says so. Links expire {@link FEEDBACK_VALID_DAYS} calendar days
 *   after they were sent.
 * - {@link feedbackSummary}: a centre's average, count and latest comments per
 *   counter (the manager's page; the Kendra audit reads the same table).
 */
import { randomBytes } from "node:crypto";
import { sql } from "drizzle-orm";
import type { Temporal } from "temporal-polyfill";
import { DomainError } from "../../common/errors.ts";
import { codePointLength, nfcMultiline, toAsciiDigits } from "../../common/text.ts";
import { instantOf, isoOf } from "../../common/time.ts";
import { type Queryable, rows } from "../../db/client.ts";
import { emit } from "../../notifications/outbox.ts";

/** Calendar days a feedback link stays open after it was sent. */
export const FEEDBACK_VALID_DAYS = 30;
/** The longest comment, in characters (code points, after NFC). */
export const MAX_COMMENT_LENGTH = 500;
/** Random bytes in a feedback token (base64url: 22 characters). */
export const FEEDBACK_TOKEN_BYTES = 16;

/** Where and after what the citizen was served. */
export type FeedbackRequest = {
  /** The citizen's 10-digit mobile number (the SMS goes there). */
  mobile: string;
  applicationId?: number | null;
  /** The queue token (`tokens.id`) served at the counter. */
  tokenId?: number | null;
  kendraCode?: string | null;
  counter?: number | null;
  /** The doorstep visit (`doorstep_visits.id`). */
  visitId?: number | null;
  now: Temporal.Instant;
};

/** The outcome of {@link askForFeedback}: the link token and whether this call created it. */
export type FeedbackAsked = { token: string; created: boolean };

/** A new feedback link token: {@link FEEDBACK_TOKEN_BYTES} random bytes, base64url without padding. */
export function newFeedbackToken(): string {
  return randomBytes(FEEDBACK_TOKEN_BYTES).toString("base64url");
}

/**
 * Asks the citizen for feedback, inside the caller's transaction `tx`: writes
 * a `feedback` row and a `feedback.requested` outbox event (one SMS with
 * the link `/f/<token>`, in the citizen's language). Idempotent: a second
 * call for the same `tokenId`, else the same `visitId`, else the same
 * `applicationId` (with neither token nor visit) returns the first row's
 * token and queues nothing.
 * @throws Error when none of `tokenId`, `visitId`, `applicationId` is given (a programming error).
 */
export async function askForFeedback(tx: Queryable, r: FeedbackRequest): Promise<FeedbackAsked> {
  const tokenId = r.tokenId ?? null;
  const visitId = r.visitId ?? null;
  const applicationId = r.applicationId ?? null;
  const key =
    tokenId !== null
      ? sql`token_id = ${tokenId}`
      : visitId !== null
        ? sql`visit_id = ${visitId}`
        : applicationId !== null
          ? sql`application_id = ${applicationId} and token_id is null and visit_id is null`
          : undefined;
  if (!key) throw new Error("askForFeedback needs a token, a visit or an application");
  // Concurrent asks for the same service wait for each other (transaction-scoped lock).
  const lockKey = `feedback:${tokenId ?? ""}:${visitId ?? ""}:${applicationId ?? ""}`;
  await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${lockKey}, 0))`);
  const [existing] = await rows<{ token: string }>(
    tx,
    sql`select token from feedback where ${key} order by id limit 1`,
  );
  if (existing) return { token: existing.token, created: false };
  const token = newFeedbackToken();
  const at = r.now.toString();
  await tx.execute(
    sql`insert into feedback (token, application_id, token_id, kendra_code, counter, visit_id, mobile, sent_at)
        values (${token}, ${applicationId}, ${tokenId}, ${r.kendraCode ?? null}, ${r.counter ?? null},
          ${visitId}, ${r.mobile}, ${at})`,
  );
  const kendra = r.kendraCode ? await kendraNames(tx, r.kendraCode) : undefined;
  await emit(
    tx,
    "feedback.requested",
    { mobile: r.mobile, feedbackToken: token, ...(kendra ? { kendra } : {}) },
    at,
  );
  return { token, created: true };
}

/** A centre's names in en/pa/hi, or undefined for an unknown code. */
export async function kendraNames(
  q: Queryable,
  code: string,
): Promise<{ en: string; pa: string; hi: string } | undefined> {
  const [k] = await rows<{ en: string; pa: string; hi: string }>(
    q,
    sql`select name_en as en, name_pa as pa, name_hi as hi from kendras where code = ${code}`,
  );
  return k;
}

/** A feedback request as the public page needs it (no mobile number). */
export type FeedbackView = {
  token: string;
  kendraCode: string | null;
  kendra: { en: string; pa: string; hi: string } | null;
  counter: number | null;
  visitId: number | null;
  sentAt: string;
  expiresAt: string;
  expired: boolean;
  rating: number | null;
  comment: string | null;
  answeredAt: string | null;
};

/**
 * The feedback request behind a link token, or undefined when there is none
 * (the page answers 404). `expired` is true from {@link FEEDBACK_VALID_DAYS}
 * days (as 24-hour periods) after it was sent.
 */
export async function findFeedback(
  q: Queryable,
  token: string,
  now: Temporal.Instant,
): Promise<FeedbackView | undefined> {
  if (!/^[A-Za-z0-9_-]{16,64}$/.test(token)) return undefined;
  const [f] = await rows<{
    token: string;
    kendra_code: string | null;
    name_en: string | null;
    name_pa: string | null;
    name_hi: string | null;
    counter: number | null;
    visit_id: number | null;
    sent_at: string;
    rating: number | null;
    comment: string | null;
    answered_at: string | null;
  }>(
    q,
    sql`select f.token, f.kendra_code, k.name_en, k.name_pa, k.name_hi, f.counter, f.visit_id,
          f.sent_at::text as sent_at, f.rating, f.comment, f.answered_at::text as answered_at
        from feedback f left join kendras k on k.code = f.kendra_code
        where f.token = ${token}`,
  );
  if (!f) return undefined;
  const sent = instantOf(f.sent_at);
  const expires = sent.add({ hours: 24 * FEEDBACK_VALID_DAYS });
  return {
    token: f.token,
    kendraCode: f.kendra_code,
    kendra: f.name_en ? { en: f.name_en, pa: f.name_pa ?? "", hi: f.name_hi ?? "" } : null,
    counter: f.counter === null ? null : Number(f.counter),
    visitId: f.visit_id === null ? null : Number(f.visit_id),
    sentAt: sent.toString(),
    expiresAt: expires.toString(),
    expired: expires.epochMilliseconds <= now.epochMilliseconds,
    rating: f.rating === null ? null : Number(f.rating),
    comment: f.comment,
    answeredAt: f.answered_at ? isoOf(f.answered_at) : null,
  };
}

/** What the citizen typed: the rating as sent by the radios, the comment as typed. */
export type FeedbackAnswer = { rating: unknown; comment: unknown };

/** The outcome of {@link answerFeedback}: `recorded`, or `already` (the first answer was kept). */
export type AnswerOutcome = { outcome: "recorded" | "already"; feedback: FeedbackView };

/**
 * Checks an answer: a rating from 1 to 5 (Gurmukhi and Devanagari digits
 * accepted) and an optional comment of at most {@link MAX_COMMENT_LENGTH}
 * characters after NFC normalisation.
 * @returns the normalised rating and comment (null when empty).
 * @throws DomainError validation with field problems `rating` (`required` | `invalid`)
 *   and `comment` (`too_long`, params `max`).
 */
export function checkAnswer(a: FeedbackAnswer): { rating: number; comment: string | null } {
  const problems: Array<{ field: string; code: string; params?: Record<string, number> }> = [];
  const raw = typeof a.rating === "string" ? toAsciiDigits(a.rating).trim() : "";
  const rating = Number(raw);
  if (!raw) problems.push({ field: "rating", code: "required" });
  else if (!/^[1-5]$/.test(raw)) problems.push({ field: "rating", code: "invalid" });
  const comment = nfcMultiline(typeof a.comment === "string" ? a.comment : "");
  if (codePointLength(comment) > MAX_COMMENT_LENGTH)
    problems.push({ field: "comment", code: "too_long", params: { max: MAX_COMMENT_LENGTH } });
  if (problems.length > 0) throw new DomainError("validation", "Check your answer", problems);
  return { rating, comment: comment || null };
}

/**
 * Records the citizen's answer to the feedback behind `token`, once.
 * @throws DomainError not_found (no such token), invalid_transition (the link
 *   has expired: field `rating`, code `expired`), validation ({@link checkAnswer}).
 */
export async function answerFeedback(
  db: Queryable,
  token: string,
  answer: FeedbackAnswer,
  now: Temporal.Instant,
): Promise<AnswerOutcome> {
  const f = await findFeedback(db, token, now);
  if (!f) throw new DomainError("not_found", "No such feedback link");
  if (f.answeredAt) return { outcome: "already", feedback: f };
  if (f.expired)
    throw new DomainError("invalid_transition", "This feedback link has expired", [
      { field: "rating", code: "expired" },
    ]);
  const checked = checkAnswer(answer);
  const updated = await rows<{ token: string }>(
    db,
    sql`update feedback set rating = ${checked.rating}, comment = ${checked.comment},
          answered_at = ${now.toString()}
        where token = ${token} and answered_at is null returning token`,
  );
  const after = (await findFeedback(db, token, now)) as FeedbackView;
  return { outcome: updated.length > 0 ? "recorded" : "already", feedback: after };
}

/** Ratings of one counter (null: answers not tied to a counter). */
export type CounterFeedback = { counter: number | null; answers: number; average: number | null };

/** A centre's feedback over a period. */
export type FeedbackSummary = {
  kendraCode: string;
  /** The period: requests sent from `from` to `to` (both inclusive), ISO instants. */
  from: string;
  to: string;
  asked: number;
  answers: number;
  /** Mean rating, rounded to 2 decimals; null without answers. */
  average: number | null;
  perCounter: CounterFeedback[];
  /** The latest answers with a comment, newest first. */
  comments: Array<{ rating: number; comment: string; counter: number | null; answeredAt: string }>;
};

/**
 * A centre's feedback for requests sent in the last `days` calendar days up
 * to `now` (default 30): how many were asked and answered, the average
 * rating overall and per counter, and the latest `limit` comments.
 */
export async function feedbackSummary(
  q: Queryable,
  kendraCode: string,
  now: Temporal.Instant,
  opts: { days?: number; limit?: number } = {},
): Promise<FeedbackSummary> {
  const from = now.subtract({ hours: 24 * (opts.days ?? 30) }).toString();
  const to = now.toString();
  const [total] = await rows<{ asked: number; answers: number; average: string | null }>(
    q,
    sql`select count(*)::int as asked, count(rating)::int as answers,
          round(avg(rating)::numeric, 2)::text as average
        from feedback where kendra_code = ${kendraCode} and sent_at >= ${from} and sent_at <= ${to}`,
  );
  const perCounter = await rows<{
    counter: number | null;
    answers: number;
    average: string | null;
  }>(
    q,
    sql`select counter, count(rating)::int as answers, round(avg(rating)::numeric, 2)::text as average
        from feedback where kendra_code = ${kendraCode} and sent_at >= ${from} and sent_at <= ${to}
        group by counter order by counter nulls last`,
  );
  const comments = await rows<{
    rating: number;
    comment: string;
    counter: number | null;
    answered_at: string;
  }>(
    q,
    sql`select rating, comment, counter, answered_at::text as answered_at from feedback
        where kendra_code = ${kendraCode} and sent_at >= ${from} and sent_at <= ${to}
          and comment is not null and comment <> ''
        order by answered_at desc, id desc limit ${opts.limit ?? 20}`,
  );
  const num = (v: string | null) => (v === null ? null : Number(v));
  return {
    kendraCode,
    from,
    to,
    asked: Number(total?.asked ?? 0),
    answers: Number(total?.answers ?? 0),
    average: num(total?.average ?? null),
    perCounter: perCounter.map((c) => ({
      counter: c.counter === null ? null : Number(c.counter),
      answers: Number(c.answers),
      average: num(c.average),
    })),
    comments: comments.map((c) => ({
      rating: Number(c.rating),
      comment: c.comment,
      counter: c.counter === null ? null : Number(c.counter),
      answeredAt: isoOf(c.answered_at),
    })),
  };
}
