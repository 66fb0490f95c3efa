/**
 * The applicant's name in Gurmukhi (issue 7: Punjab certificates print the
 * name in English and in Gurmukhi). Two things, pure code:
 *
 * - {@link checkGurmukhiName}: the optional Gurmukhi name as typed, NFC, and
 *   checked to be Gurmukhi script (letters and signs of U+0A00–U+0A7F,
 *   spaces, dots).
 * - {@link suggestGurmukhi}: a *suggested* spelling from the English name,
 *   for the "Suggest Gurmukhi spelling" button (pages work without
 *   JavaScript, so the suggestion is a server round trip). It is a guess to
 *   be checked by the applicant, never an authority: romanised Punjabi names
 *   are ambiguous (Harjit/Harjeet, t/ਤ or ਟ).
 *
 * The suggestion runs `@indic-transliteration/sanscript` (ITRANS →
 * Gurmukhi) on each word after a short rewrite of common Punjabi spellings
 * into ITRANS ({@link ITRANS_REWRITES}), then two Gurmukhi conventions:
 * - no halant (virama, U+0A4D) except a subjoined ਰ/ਹ/ਵ at the start of a
 *   syllable cluster (ਪ੍ਰੀਤ in ਗੁਰਪ੍ਰੀਤ, but ਸਿਮਰਨ, not ਸਿਮ੍ਰਨ);
 * - a doubled consonant is an addak (ੱ, U+0A71) before the consonant: ਗਿੱਲ;
 * - a nasal after a short vowel is a tippi (ੰ, U+0A70), after a long vowel a
 *   bindi (ਂ, U+0A02): ਸਿੰਘ.
 *
 * @module
 */
import SanscriptModule from "@indic-transliteration/sanscript";
import { nfc } from "../common/text.ts";

/**
 * sanscript's `t` (transliterate). The package is CommonJS and its typings
 * declare an ES default export; under Node's CommonJS interop the default
 * import is `module.exports`, which has `t`.
 */
const transliterate = (
  SanscriptModule as unknown as { t: (data: string, from: string, to: string) => string }
).t;

/** Longest Gurmukhi name accepted, in code points (as the English name, generic-form.ts). */
export const GURMUKHI_NAME_MAX_LENGTH = 100;

/**
 * Gurmukhi letters, vowel signs and marks (U+0A00–U+0A7F), spaces and dots
 * (initials), after NFC. Nukta letters (ਸ਼ U+0A36 …) have no NFC composition:
 * NFC makes them letter + nukta (U+0A38 U+0A3C), still in the block.
 */
const GURMUKHI_NAME = /^[\u0A00-\u0A7F .]+$/u;

/** At least one Gurmukhi letter (a name of dots and spaces is not a name). */
const GURMUKHI_LETTER = /[\u0A05-\u0A39\u0A59-\u0A5E\u0A72-\u0A73]/u;

/** What {@link checkGurmukhiName} returns. */
export type GurmukhiNameCheck =
  | { ok: true; value: string | undefined }
  | { ok: false; code: "gurmukhi.invalid" | "too_long"; params?: { max: number } };

/**
 * The optional Gurmukhi name: NFC, spaces collapsed; blank is `undefined`.
 * @returns `gurmukhi.invalid` for any character outside Gurmukhi, space and
 *   dot (e.g. Latin letters, Devanagari, digits), `too_long` above
 *   {@link GURMUKHI_NAME_MAX_LENGTH} code points.
 */
export function checkGurmukhiName(raw: string | undefined): GurmukhiNameCheck {
  const value = nfc(raw ?? "").replace(/\s+/gu, " ");
  if (value === "") return { ok: true, value: undefined };
  if ([...value].length > GURMUKHI_NAME_MAX_LENGTH)
    return { ok: false, code: "too_long", params: { max: GURMUKHI_NAME_MAX_LENGTH } };
  if (!GURMUKHI_NAME.test(value) || !GURMUKHI_LETTER.test(value))
    return { ok: false, code: "gurmukhi.invalid" };
  return { ok: true, value };
}

/**
 * Rewrites of a lower-case romanised word into ITRANS, applied in order.
 * The common spellings of Punjabi names: doubled vowels are long ("ee" →
 * ਈ, "oo" → ਊ, "aa" → ਆ); the endings -jit, -dip, -prit are usually long
 * (Harjit ਹਰਜੀਤ, Amandip ਅਮਨਦੀਪ); "ng" is a nasal (Singh ਸਿੰਘ); a final a/i/u
 * is long (Rekha ਰੇਖਾ, Preeti ਪ੍ਰੀਤੀ); -inder is ਇੰਦਰ (Sukhwinder ਸੁਖਵਿੰਦਰ), ndh
 * and a final nt are nasal (Sandhu ਸੰਧੂ, Jaswant ਜਸਵੰਤ); w is ਵ, a lone c is
 * ਕ, x is ਕਸ. A doubled consonant is written with an addak (Gill ਗਿੱਲ).
 */
export const ITRANS_REWRITES: ReadonlyArray<readonly [RegExp, string]> = [
  [/ee/g, "I"],
  [/oo/g, "U"],
  [/aa/g, "A"],
  [/jit$/, "jIt"],
  [/dip$/, "dIp"],
  [/prit/g, "prIt"],
  [/ng/g, ".ng"],
  [/inder$/, "i.ndar"],
  [/ndh/g, ".ndh"],
  [/nt$/, ".nt"],
  [/w/g, "v"],
  [/c(?!h)/g, "k"],
  [/x/g, "ks"],
  [/(?<=[^aeiouAIU.])a$/, "A"],
  [/(?<=[^aeiouAIU.])i$/, "I"],
  [/(?<=[^aeiouAIU.])u$/, "U"],
];

/** One lower-case Latin word in ITRANS (see {@link ITRANS_REWRITES}). */
export function toItrans(word: string): string {
  let out = word.toLowerCase().replace(/[^a-z]/g, "");
  for (const [from, to] of ITRANS_REWRITES) out = out.replace(from, to);
  return out;
}

const HALANT = "\u0A4D";
const NUKTA = "\u0A3C";
const SUBJOINED = new Set(["ਰ", "ਹ", "ਵ"]);
const isConsonant = (c: string | undefined) =>
  c !== undefined && /[\u0A15-\u0A39\u0A59-\u0A5E]/u.test(c);

/** Gurmukhi spelling conventions on sanscript's output (module comment). */
function gurmukhiConventions(word: string): string {
  const chars = [...word];
  let out = "";
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i] as string;
    // A doubled consonant (C੍C): an addak, then the consonant.
    if (isConsonant(c) && chars[i + 1] === HALANT && chars[i + 2] === c) {
      out += "\u0A71";
      i++;
      continue;
    }
    if (c === HALANT) {
      // The consonant this halant follows starts at `k` (a nukta belongs to it).
      const k = chars[i - 1] === NUKTA ? i - 2 : i - 1;
      const clusterStart = k === 0 || chars[k - 1] === HALANT;
      if (SUBJOINED.has(chars[i + 1] as string) && clusterStart) out += c;
      continue;
    }
    // Bindi after a short vowel (inherent a, ਿ, ੁ, ਅ ਇ ਉ) is written as a tippi.
    if (c === "\u0A02") {
      const prev = chars[i - 1];
      const short =
        isConsonant(prev) ||
        prev === NUKTA ||
        ["\u0A3F", "\u0A41", "ਅ", "ਇ", "ਉ"].includes(prev as string);
      out += short ? "\u0A70" : c;
      continue;
    }
    out += c;
  }
  return nfc(out);
}

/**
 * A suggested Gurmukhi spelling of a name written in Latin letters, e.g.
 * "Gurpreet Singh" → "ਗੁਰਪ੍ਰੀਤ ਸਿੰਘ", "Harjit Kaur" → "ਹਰਜੀਤ ਕੌਰ". Words
 * without Latin letters are kept as they are (a name already partly in
 * Gurmukhi). A suggestion only: the applicant checks and edits it.
 * @returns `""` when there is nothing to transliterate.
 */
export function suggestGurmukhi(english: string): string {
  return nfc(english)
    .split(/\s+/u)
    .filter((w) => w !== "")
    .map((w) => {
      if (!/[A-Za-z]/.test(w)) return w;
      const itrans = toItrans(w);
      return itrans ? gurmukhiConventions(transliterate(itrans, "itrans", "gurmukhi")) : "";
    })
    .filter((w) => w !== "")
    .join(" ");
}
