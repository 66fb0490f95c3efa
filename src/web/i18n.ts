/**
 * Internationalisation: i18next catalogs in `en`, `pa` (Gurmukhi) and `hi`
 * (Devanagari), and `Intl` formatting in Asia/Kolkata with Indian grouping.
 *
 * Catalogs: every `locales/<lang>.json` under `src/`, merged: `src/web/locales`
 * (the pages), `src/applications/locales` (validation messages) and each
 * domain module's own (e.g. `src/kendras/locales`).
 * The page language comes from `?lang=`, then the `lang` cookie, then
 * `Accept-Language`, then English.
 */
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import i18next, { type TFunction } from "i18next";
import { formatBytesLimit } from "../applications/uploads.ts";

/** The portal's languages, in the order the switch shows them. */
export const LANGUAGES = ["pa", "hi", "en"] as const;
export type Lang = (typeof LANGUAGES)[number];
/** Each language's own name, for the switch. */
export const LANGUAGE_NAMES: Record<Lang, string> = { pa: "ਪੰਜਾਬੀ", hi: "हिन्दी", en: "English" };
/** BCP 47 locale for `Intl` per language. */
export const INTL_LOCALE: Record<Lang, string> = { en: "en-IN", pa: "pa-IN", hi: "hi-IN" };

const here = path.dirname(fileURLToPath(import.meta.url));
const SRC = path.join(here, "..");
/** Every `locales` folder under `src/`, sorted; keys must not collide across folders (a later folder would win). */
function catalogDirs(dir = SRC): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    if (!e.isDirectory()) continue;
    const child = path.join(dir, e.name);
    if (e.name === "locales") out.push(child);
    else out.push(...catalogDirs(child));
  }
  return out.sort();
}
const CATALOG_DIRS = catalogDirs();

function deepMerge(
  a: Record<string, unknown>,
  b: Record<string, unknown>,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const prev = out[k];
    out[k] =
      prev && typeof prev === "object" && v && typeof v === "object"
        ? deepMerge(prev as Record<string, unknown>, v as Record<string, unknown>)
        : v;
  }
  return out;
}

/** Reads and merges a language's catalogs (the `_meta` keys are dropped). */
export function loadCatalog(lang: Lang): Record<string, unknown> {
  let merged: Record<string, unknown> = {};
  for (const dir of CATALOG_DIRS) {
    const file = path.join(dir, `${lang}.json`);
    if (!fs.existsSync(file)) continue;
    const { _meta, ...rest } = JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, unknown>;
    merged = deepMerge(merged, rest);
  }
  return merged;
}

let ready: Promise<TFunction> | undefined;

/** Initialises i18next once per process. */
export function initI18n(): Promise<TFunction> {
  ready ??= i18next.init({
    resources: Object.fromEntries(LANGUAGES.map((l) => [l, { translation: loadCatalog(l) }])),
    lng: "en",
    fallbackLng: "en",
    interpolation: { escapeValue: true },
    returnNull: false,
  });
  return ready;
}

/** A translate function fixed to one language. */
export function translator(lang: Lang): TFunction {
  return i18next.getFixedT(lang);
}

/** True when `s` is one of the portal's languages. */
export function isLang(s: unknown): s is Lang {
  return typeof s === "string" && (LANGUAGES as readonly string[]).includes(s);
}

/** The best of our languages for an `Accept-Language` header (RFC 9110 §12.5.4), or undefined. */
export function fromAcceptLanguage(header: string | undefined): Lang | undefined {
  if (!header) return undefined;
  const ranked = header
    .split(",")
    .map((part) => {
      const [tag = "", ...params] = part.trim().split(";");
      const q = params.map((p) => p.trim()).find((p) => p.startsWith("q="));
      return { tag: tag.toLowerCase(), q: q ? Number(q.slice(2)) : 1 };
    })
    .filter((x) => x.tag && Number.isFinite(x.q) && x.q > 0)
    .sort((a, b) => b.q - a.q);
  for (const { tag } of ranked) {
    const primary = tag.split("-")[0];
    if (isLang(primary)) return primary;
  }
  return undefined;
}

/** The Unicode numbering system of each language's native digits (CLDR `nu`). */
export const NATIVE_NUMBERING: Record<Lang, string | undefined> = {
  en: undefined,
  pa: "guru",
  hi: "deva",
};

/**
 * Formatting helpers for one language, all in Asia/Kolkata.
 * @param opts.nativeDigits Gurmukhi (`pa`) or Devanagari (`hi`) digits through
 *   the `-u-nu-guru` / `-u-nu-deva` locale extension; ignored for English.
 */
export function formatters(lang: Lang, opts: { nativeDigits?: boolean } = {}) {
  const nu = opts.nativeDigits ? NATIVE_NUMBERING[lang] : undefined;
  const locale = nu ? `${INTL_LOCALE[lang]}-u-nu-${nu}` : INTL_LOCALE[lang];
  const zero = nu === "guru" ? 0x0a66 : nu === "deva" ? 0x0966 : 0x30;
  const dateFmt = new Intl.DateTimeFormat(locale, {
    day: "numeric",
    month: "short",
    year: "numeric",
    timeZone: "UTC",
  });
  const dateTimeFmt = new Intl.DateTimeFormat(locale, {
    day: "numeric",
    month: "short",
    year: "numeric",
    hour: "numeric",
    minute: "2-digit",
    // Punjabi and Hindi pages use the 24-hour clock: ICU's pa/hi day periods are the English "AM"/"PM".
    ...(lang === "en" ? {} : { hourCycle: "h23" as const }),
    timeZone: "Asia/Kolkata",
  });
  const numberFmt = new Intl.NumberFormat(locale);
  return {
    /** A plain `YYYY-MM-DD` date as "29 Nov 2026" (no time-zone shift: C-07). */
    date(plain: string | null | undefined): string {
      if (!plain) return "";
      const [y, m, d] = plain.split("-").map(Number);
      return dateFmt.format(Date.UTC(y as number, (m as number) - 1, d as number));
    },
    /** An instant shown in IST. */
    dateTime(instant: string | null | undefined): string {
      return instant ? dateTimeFmt.format(new Date(instant)) : "";
    },
    /** An upload size limit in the unit that is checked (C-10), e.g. "2 MiB (20,97,152 bytes)". */
    bytes(n: number): string {
      return formatBytesLimit(n, lang);
    },
    /**
     * ASCII digits in `s` as the page's digits (unchanged unless native digits
     * are on), for figures that are not numbers to format, e.g. opening hours
     * "09:00". Never for reference numbers, mobile numbers or codes.
     */
    digits(s: string | number | null | undefined): string {
      const text = s === null || s === undefined ? "" : String(s);
      return zero === 0x30
        ? text
        : text.replace(/[0-9]/g, (d) => String.fromCharCode(zero + d.charCodeAt(0) - 0x30));
    },
    /** Integer with Indian grouping (12,34,567). */
    number(n: number): string {
      return numberFmt.format(n);
    },
    /** Paise as rupees, e.g. 10050 → "₹100.50"; whole rupees without decimals. */
    rupees(paise: number | null | undefined): string {
      if (paise === null || paise === undefined) return "";
      const whole = paise % 100 === 0;
      return new Intl.NumberFormat(locale, {
        style: "currency",
        currency: "INR",
        minimumFractionDigits: whole ? 0 : 2,
        maximumFractionDigits: 2,
      }).format(paise / 100);
    },
  };
}
