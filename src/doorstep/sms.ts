/**
 * The SMS a citizen gets about a doorstep visit, in Punjabi, Hindi or
 * English: booked (date, time window, documents to keep ready, fees),
 * rescheduled and cancelled. The language is the citizen's when Sewa knows
 * it (`citizens.lang`), else Punjabi. Dates are DD-MM-YYYY and digits stay
 * ASCII, as in src/notifications/templates.ts.
 *
 * DLT (TRAI TCCCPR 2018): each text must be registered as a template with
 * the operator; the ids below are PLACEHOLDERS
 * (`SEWA-DLT-DOORSTEP-<EVENT>-<LANG>`) to replace with the issued ids.
 */
import { sql } from "drizzle-orm";
import { type Queryable, rows } from "../db/client.ts";
import type { Sms } from "../notifications/sms.ts";
import { slotWindow } from "./slots.ts";

/** The SMS languages. */
export type SmsLang = "pa" | "hi" | "en";
/** What a visit SMS says. */
export type VisitSmsKind = "booked" | "rescheduled" | "cancelled";

/** The facts a visit SMS needs. */
export type VisitSmsFacts = {
  number: string;
  visitDate: string;
  slot: string;
  serviceName: string;
  /** Document names in the SMS's language (booked only). */
  documents?: string[];
  /** Paise; null = the department's fee, not known in advance. */
  serviceFeePaise?: number | null;
  visitFeePaise?: number;
  purpose?: string;
};

/**
 * The documents to keep ready for a service without a service definition
 * (the generic form asks for proof of identity and of address), by language.
 */
export const GENERIC_DOCUMENTS: Record<SmsLang, readonly string[]> = {
  en: ["Proof of identity (e.g. Aadhaar or voter card)", "Proof of address"],
  pa: ["ਪਛਾਣ ਦਾ ਸਬੂਤ (ਜਿਵੇਂ ਆਧਾਰ ਜਾਂ ਵੋਟਰ ਕਾਰਡ)", "ਪਤੇ ਦਾ ਸਬੂਤ"],
  hi: ["पहचान का प्रमाण (जैसे आधार या मतदाता कार्ड)", "पते का प्रमाण"],
};

const ddmmyyyy = (d: string) => d.split("-").reverse().join("-");
const rs = (paise: number) => `Rs ${(paise / 100).toFixed(paise % 100 === 0 ? 0 : 2)}`;

const TEXT: Record<SmsLang, Record<VisitSmsKind, (f: VisitSmsFacts) => string>> = {
  en: {
    booked: (f) =>
      `Sewa doorstep visit ${f.number} booked: ${f.serviceName}, ${ddmmyyyy(f.visitDate)} ${slotWindow(f.slot)}.` +
      (f.purpose === "delivery"
        ? " Keep your mobile with you: you will get a code to receive the certificate."
        : ` Keep ready: ${(f.documents ?? []).join(", ") || "identity and address proof"}.`) +
      ` Fees: ${f.serviceFeePaise === null || f.serviceFeePaise === undefined ? "service fee as per rules" : `service ${rs(f.serviceFeePaise)}`} + visit ${rs(f.visitFeePaise ?? 0)}. To change, call 1076.`,
    rescheduled: (f) =>
      `Sewa doorstep visit ${f.number} moved to ${ddmmyyyy(f.visitDate)} ${slotWindow(f.slot)}. To change, call 1076.`,
    cancelled: (f) =>
      `Sewa doorstep visit ${f.number} (${ddmmyyyy(f.visitDate)}) is cancelled. To book again, call 1076.`,
  },
  pa: {
    booked: (f) =>
      `ਸੇਵਾ ਘਰ-ਘਰ ਦੌਰਾ ${f.number} ਬੁੱਕ: ${f.serviceName}, ${ddmmyyyy(f.visitDate)} ${slotWindow(f.slot)}.` +
      (f.purpose === "delivery"
        ? " ਆਪਣਾ ਮੋਬਾਈਲ ਨਾਲ ਰੱਖੋ: ਸਰਟੀਫਿਕੇਟ ਲੈਣ ਲਈ ਕੋਡ ਆਵੇਗਾ।"
        : ` ਤਿਆਰ ਰੱਖੋ: ${(f.documents ?? []).join(", ") || "ਪਛਾਣ ਅਤੇ ਪਤੇ ਦਾ ਸਬੂਤ"}.`) +
      ` ਫ਼ੀਸ: ${f.serviceFeePaise === null || f.serviceFeePaise === undefined ? "ਨਿਯਮਾਂ ਅਨੁਸਾਰ ਸੇਵਾ ਫ਼ੀਸ" : `ਸੇਵਾ ${rs(f.serviceFeePaise)}`} + ਦੌਰਾ ${rs(f.visitFeePaise ?? 0)}. ਬਦਲਣ ਲਈ 1076 'ਤੇ ਕਾਲ ਕਰੋ।`,
    rescheduled: (f) =>
      `ਸੇਵਾ ਘਰ-ਘਰ ਦੌਰਾ ${f.number} ਹੁਣ ${ddmmyyyy(f.visitDate)} ${slotWindow(f.slot)} ਨੂੰ ਹੈ। ਬਦਲਣ ਲਈ 1076 'ਤੇ ਕਾਲ ਕਰੋ।`,
    cancelled: (f) =>
      `ਸੇਵਾ ਘਰ-ਘਰ ਦੌਰਾ ${f.number} (${ddmmyyyy(f.visitDate)}) ਰੱਦ ਹੋ ਗਿਆ ਹੈ। ਦੁਬਾਰਾ ਬੁੱਕ ਕਰਨ ਲਈ 1076 'ਤੇ ਕਾਲ ਕਰੋ।`,
  },
  hi: {
    booked: (f) =>
      `सेवा घर-घर दौरा ${f.number} बुक: ${f.serviceName}, ${ddmmyyyy(f.visitDate)} ${slotWindow(f.slot)}.` +
      (f.purpose === "delivery"
        ? " अपना मोबाइल साथ रखें: प्रमाणपत्र लेने के लिए कोड आएगा।"
        : ` तैयार रखें: ${(f.documents ?? []).join(", ") || "पहचान और पते का प्रमाण"}.`) +
      ` शुल्क: ${f.serviceFeePaise === null || f.serviceFeePaise === undefined ? "नियमों के अनुसार सेवा शुल्क" : `सेवा ${rs(f.serviceFeePaise)}`} + दौरा ${rs(f.visitFeePaise ?? 0)}. बदलने के लिए 1076 पर कॉल करें।`,
    rescheduled: (f) =>
      `सेवा घर-घर दौरा ${f.number} अब ${ddmmyyyy(f.visitDate)} ${slotWindow(f.slot)} को है। बदलने के लिए 1076 पर कॉल करें।`,
    cancelled: (f) =>
      `सेवा घर-घर दौरा ${f.number} (${ddmmyyyy(f.visitDate)}) रद्द हो गया है। फिर से बुक करने के लिए 1076 पर कॉल करें।`,
  },
};

/** The DLT template id (placeholder) of a visit SMS. */
export function visitSmsTemplateId(kind: VisitSmsKind, lang: SmsLang): string {
  return `SEWA-DLT-DOORSTEP-${kind.toUpperCase()}-${lang.toUpperCase()}`;
}

/** The SMS for a visit event in `lang`. */
export function visitSms(kind: VisitSmsKind, lang: SmsLang, to: string, f: VisitSmsFacts): Sms {
  return { to, text: TEXT[lang][kind](f), templateId: visitSmsTemplateId(kind, lang) };
}

/** The citizen's language for `mobile` (`citizens.lang`), else Punjabi. */
export async function smsLangOf(q: Queryable, mobile: string): Promise<SmsLang> {
  const [c] = await rows<{ lang: string | null }>(
    q,
    sql`select lang from citizens where mobile = ${mobile}`,
  );
  return c?.lang === "en" || c?.lang === "hi" || c?.lang === "pa" ? c.lang : "pa";
}
