/**
 * SMS length and part counting, as an operator bills it.
 *
 * A message is GSM-7 when every character is in the GSM 03.38 default
 * alphabet or its extension table (3GPP TS 23.038 §6.2.1); the extension
 * characters (`^ { } \ [ ~ ] | €` and form feed) take an escape plus the
 * character, so they count 2 units. Otherwise the whole message is UCS-2
 * (TS 23.038 §6.2.3), one unit per UTF-16 code unit (a character outside the
 * Basic Multilingual Plane, such as most emoji, counts 2).
 *
 * Limits (TS 23.040 §9.2.3.24.1, concatenation with a 6-octet user data
 * header): GSM-7 160 units in one part, 153 per part when split; UCS-2 70
 * units in one part, 67 per part when split. A GSM-7 escape pair is never
 * split across parts, so a part may carry 152 units. Gurmukhi and Devanagari
 * text is always UCS-2.
 */

/** The GSM 03.38 default alphabet (one unit each). */
const GSM_BASIC =
  "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
  "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";

/** The GSM 03.38 extension table (two units each: escape + character). */
const GSM_EXTENSION = "\f^{}\\[~]|€";

const BASIC = new Set(GSM_BASIC);
const EXTENSION = new Set(GSM_EXTENSION);

/** The size of a message: its encoding, its length in units, and the parts billed. */
export type SmsSize = {
  encoding: "GSM-7" | "UCS-2";
  /** GSM-7 septets (extension characters count 2) or UCS-2 code units. */
  units: number;
  /** Parts sent and billed (0 for an empty message). */
  parts: number;
};

/** Units of a GSM-7 character, or 0 when it has no GSM-7 form. */
function gsmUnits(ch: string): number {
  if (BASIC.has(ch)) return 1;
  if (EXTENSION.has(ch)) return 2;
  return 0;
}

/**
 * Encoding, units and billed parts of `text` (rules in the module comment).
 * Examples: 160 ASCII letters → GSM-7, 160 units, 1 part; 161 → 2 parts;
 * `"€"` → GSM-7, 2 units; 71 Gurmukhi letters → UCS-2, 71 units, 2 parts.
 */
export function smsParts(text: string): SmsSize {
  const chars = [...text];
  const perChar = chars.map(gsmUnits);
  if (perChar.every((u) => u > 0)) {
    const units = perChar.reduce((a, b) => a + b, 0);
    if (units <= 160) return { encoding: "GSM-7", units, parts: units === 0 ? 0 : 1 };
    // Split greedily at 153 septets, never between an escape and its character.
    let parts = 1;
    let used = 0;
    for (const u of perChar) {
      if (used + u > 153) {
        parts++;
        used = 0;
      }
      used += u;
    }
    return { encoding: "GSM-7", units, parts };
  }
  const units = text.length; // UTF-16 code units
  if (units <= 70) return { encoding: "UCS-2", units, parts: units === 0 ? 0 : 1 };
  // Split at 67 code units, never inside a surrogate pair.
  let parts = 1;
  let used = 0;
  for (const ch of chars) {
    const u = ch.length;
    if (used + u > 67) {
      parts++;
      used = 0;
    }
    used += u;
  }
  return { encoding: "UCS-2", units, parts };
}
