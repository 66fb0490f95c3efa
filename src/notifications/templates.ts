/**
 * Message templates per event and language (`templates/{en,pa,hi}.json`):
 * an SMS text with its DLT template id, and an email subject and body.
 *
 * DLT: under TRAI's Telecom Commercial Communications Customer Preference
 * Regulations, 2018 (TCCCPR), every transactional/service SMS sent in India
 * must match a content template registered by the sender (the principal
 * entity) on an operator's DLT platform, and carry that template's id. The ids
 * in {@link DLT_TEMPLATE_IDS} are PLACEHOLDERS (`SEWA-DLT-<EVENT>-<LANG>`):
 * the department must register each text of `templates/*.json` with its
 * operator and put the ids issued here before any SMS goes to a live gateway.
 * The registered text must match the sent text, variables aside
 * (`{{name}}` becomes `{#var#}` on the DLT platform).
 *
 * Dates are shown as DD-MM-YYYY (Indian usage); an instant (hearing time) as
 * DD-MM-YYYY HH:MM in Asia/Kolkata. Digits stay ASCII in every language so that
 * a reference number reads the same on every handset.
 */
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Temporal } from "temporal-polyfill";

/** The portal's languages (Punjabi is the default for citizens). */
export type NotifyLang = "pa" | "hi" | "en";
/** The languages, default first. */
export const NOTIFY_LANGS: readonly NotifyLang[] = ["pa", "hi", "en"];

/** The templates, by key (the event, and for an appeal decision its outcome). */
export const TEMPLATE_KEYS = [
  "submitted",
  "sent_back",
  "resubmitted",
  "approved",
  "rejected",
  "due_date_changed",
  "appeal_filed",
  "appeal_hearing",
  "appeal_decided_deliver",
  "appeal_decided_dismiss",
  "overdue",
  "at_risk",
  "payment_received",
  "handover_code",
  "handover_reminder",
  "feedback_request",
  "feedback_request_doorstep",
  "sign_in_code",
  "consent_code",
  "consent_code_doorstep",
] as const;
/** A template key. */
export type TemplateKey = (typeof TEMPLATE_KEYS)[number];

/**
 * DLT template ids per template and language. PLACEHOLDERS to be replaced by
 * the ids the operator issues on registration (module comment).
 */
export const DLT_TEMPLATE_IDS: Readonly<Record<TemplateKey, Readonly<Record<NotifyLang, string>>>> =
  Object.fromEntries(
    TEMPLATE_KEYS.map((k) => [
      k,
      Object.fromEntries(
        NOTIFY_LANGS.map((l) => [
          l,
          `SEWA-DLT-${k.toUpperCase().replaceAll("_", "-")}-${l.toUpperCase()}`,
        ]),
      ),
    ]),
  ) as Record<TemplateKey, Record<NotifyLang, string>>;

/** Days a citizen has to file a first appeal after a rejection: 30 under both appeal chain profiles (src/appeals/chain.ts, Punjab Right to Service Act, 2011). */
export const APPEAL_DAYS = 30;

type Entry = { sms: string; subject: string; email: string };
const here = path.dirname(fileURLToPath(import.meta.url));
const CATALOGS: Record<NotifyLang, Record<TemplateKey, Entry>> = Object.fromEntries(
  NOTIFY_LANGS.map((l) => [
    l,
    JSON.parse(fs.readFileSync(path.join(here, "templates", `${l}.json`), "utf8")),
  ]),
) as Record<NotifyLang, Record<TemplateKey, Entry>>;

/** A rendered message. */
export type Rendered = {
  key: TemplateKey;
  sms: { text: string; templateId: string };
  email: { subject: string; text: string };
};

/** Whether `v` is one of the portal's languages. */
export function isNotifyLang(v: unknown): v is NotifyLang {
  return v === "pa" || v === "hi" || v === "en";
}

/** `YYYY-MM-DD` → `DD-MM-YYYY`; anything else unchanged. */
function showDate(v: unknown): string {
  if (typeof v !== "string") return "";
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(v);
  return m ? `${m[3]}-${m[2]}-${m[1]}` : v;
}

/** An ISO instant → `DD-MM-YYYY HH:MM` in Asia/Kolkata. */
function showInstant(v: unknown): string {
  if (typeof v !== "string") return "";
  try {
    const z = Temporal.Instant.from(v).toZonedDateTimeISO("Asia/Kolkata");
    const p = (n: number) => String(n).padStart(2, "0");
    return `${p(z.day)}-${p(z.month)}-${z.year} ${p(z.hour)}:${p(z.minute)}`;
  } catch {
    return v;
  }
}

/** A name given as `{en, pa, hi}` in `lang` (else English), or a plain string as is. */
function inLang(v: unknown, lang: NotifyLang): string {
  if (typeof v === "string") return v;
  if (!v || typeof v !== "object") return "";
  const names = v as Record<string, unknown>;
  const local = names[lang];
  return typeof local === "string" && local ? local : String(names.en ?? "");
}

/** The portal's public address for short links in messages (env `SEWA_PUBLIC_URL`). */
function publicBase(): string {
  return (process.env.SEWA_PUBLIC_URL || "https://sewa.punjab.gov.in").replace(/\/$/, "");
}

/** The template key for an outbox topic (and payload, for an appeal's outcome), or undefined when none. */
export function templateKeyFor(
  topic: string,
  payload: Record<string, unknown>,
): TemplateKey | undefined {
  if (topic === "appeal.decided")
    return payload.outcome === "dismiss" ? "appeal_decided_dismiss" : "appeal_decided_deliver";
  if (topic === "payment.received") return "payment_received";
  // Issue 9 (src/kendras/handover, src/kendras/feedback): the handover code is sent directly, never queued.
  if (topic === "handover.code") return "handover_code";
  // The citizen's sign-in code (src/identity/citizens.ts), sent directly in the page's language.
  if (topic === "otp.sign_in") return "sign_in_code";
  // The consent code of an assisted application (src/kendras/assisted), sent directly.
  if (topic === "otp.consent") return payload.kendra ? "consent_code" : "consent_code_doorstep";
  if (topic === "handover.reminder") return "handover_reminder";
  if (topic === "feedback.requested")
    return payload.kendra ? "feedback_request" : "feedback_request_doorstep";
  const key = topic.replace(/^application\./, "").replace(/^appeal\./, "appeal_");
  return (TEMPLATE_KEYS as readonly string[]).includes(key) ? (key as TemplateKey) : undefined;
}

/**
 * Renders the message for an outbox event in `lang`. Payload fields used:
 * `reference`, `dueDate` (`YYYY-MM-DD`), `remark`, `at` (ISO instant),
 * `deadline` (`YYYY-MM-DD`), `outcome`, `amountPaise` (integer paise, shown in rupees), `receiptNumber`;
 * issue 9: `service` and `kendra` (names as `{en, pa, hi}`, shown in `lang`, else English), `code`
 * (a handover or sign-in OTP), `minutes` (how long a code is valid), `readyOn` (`YYYY-MM-DD`), `feedbackToken` (the link `<public URL>/f/<token>`).
 * @returns undefined when the topic has no template.
 */
export function render(
  topic: string,
  lang: NotifyLang,
  payload: Record<string, unknown>,
): Rendered | undefined {
  const key = templateKeyFor(topic, payload);
  if (!key) return undefined;
  const entry = CATALOGS[lang][key];
  const vars: Record<string, string> = {
    reference: String(payload.reference ?? ""),
    dueDate: showDate(payload.dueDate),
    remark:
      typeof payload.remark === "string" && payload.remark.trim() ? payload.remark.trim() : "-",
    at: showInstant(payload.at),
    deadline: showDate(payload.deadline),
    appealDays: String(APPEAL_DAYS),
    link: `${publicBase()}/t/${String(payload.reference ?? "")}`,
    amount: typeof payload.amountPaise === "number" ? (payload.amountPaise / 100).toFixed(2) : "",
    receipt: String(payload.receiptNumber ?? ""),
    service: inLang(payload.service, lang),
    kendra: inLang(payload.kendra, lang),
    code: String(payload.code ?? ""),
    minutes: String(payload.minutes ?? ""),
    counter: String(payload.counter ?? ""),
    readyOn: showDate(payload.readyOn),
    feedbackLink: `${publicBase()}/f/${String(payload.feedbackToken ?? "")}`,
  };
  const fill = (s: string) => s.replace(/\{\{(\w+)\}\}/g, (_, name: string) => vars[name] ?? "");
  return {
    key,
    sms: { text: fill(entry.sms), templateId: DLT_TEMPLATE_IDS[key][lang] },
    email: { subject: fill(entry.subject), text: fill(entry.email) },
  };
}
