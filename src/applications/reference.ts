/**
 * Reference numbers: short, unambiguous when read aloud, and carrying the district.
 *
 * Format `LDH-K7M3-PQ7X`: the district's 3-letter code (data/district-abbreviations.csv),
 * then 7 characters that encode the number drawn from a database sequence
 * (ARCHITECTURE.md §4), then 1 check character. The alphabet has 31 symbols:
 * it leaves out 0, O, 1 and I, so no two characters sound or look alike, and
 * U (read aloud as "you", close to V in handwriting). 31 is prime, so the
 * check character catches every single wrong character and every swap of two
 * neighbours (docs/decisions/0001-reference-numbers.md).
 * The sequence number is scrambled by an invertible multiplication, so
 * consecutive applications do not get consecutive-looking references.
 */
import { toAsciiDigits } from "../common/text.ts";

/** The 31 symbols: digits 2-9 and letters without I, O and U. */
export const REFERENCE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTVWXYZ";
const RADIX = 31n;
const BODY_LENGTH = 7;
/** 31^7 = 27,512,614,111 numbers. */
export const REFERENCE_CAPACITY = 31 ** 7;
/** Not a multiple of 31, so multiplication is a bijection modulo 31^7. */
const MULTIPLIER = 0x5_1d2a_3e7bn;
const DISTRICT_PATTERN = /^[A-HJ-NP-TV-Z]{3}$/;

/**
 * Formats sequence number `n` (1 ≤ n < 31^7) for a district.
 * @throws RangeError when `n` is out of range or the abbreviation is not 3 letters from the alphabet.
 */
export function formatReference(districtAbbreviation: string, n: number): string {
  if (!Number.isSafeInteger(n) || n < 1 || n >= REFERENCE_CAPACITY) {
    throw new RangeError(`sequence number out of range: ${n}`);
  }
  if (!DISTRICT_PATTERN.test(districtAbbreviation)) {
    throw new RangeError(
      `district abbreviation must be 3 letters without I, O or U: ${districtAbbreviation}`,
    );
  }
  let x = (BigInt(n) * MULTIPLIER) % BigInt(REFERENCE_CAPACITY);
  let body = "";
  for (let i = 0; i < BODY_LENGTH; i++) {
    body = REFERENCE_ALPHABET[Number(x % RADIX)] + body;
    x /= RADIX;
  }
  const check = checkCharacter(districtAbbreviation + body);
  return `${districtAbbreviation}-${body.slice(0, 4)}-${body.slice(4)}${check}`;
}

/**
 * Weighted sum modulo 31 (prime) of the symbol values with weights 1..10, all
 * below 31: a single wrong character or a swap of two neighbours always
 * changes the sum.
 */
function checkCharacter(s: string): string {
  let sum = 0;
  for (let i = 0; i < s.length; i++) sum += REFERENCE_ALPHABET.indexOf(s[i] as string) * (i + 1);
  return REFERENCE_ALPHABET[sum % 31] as string;
}

/**
 * Normalises what a person typed: any-script digits to ASCII (C-14), upper
 * case, spaces and dashes dropped, then re-grouped. Returns undefined when it
 * cannot be a reference (wrong length, a symbol outside the alphabet, or a bad check character).
 */
export function parseReference(input: string): string | undefined {
  const s = toAsciiDigits(input)
    .toUpperCase()
    .replace(/[\s\-–—_.]/g, "");
  if (s.length !== 3 + BODY_LENGTH + 1) return undefined;
  if (!DISTRICT_PATTERN.test(s.slice(0, 3))) return undefined;
  for (const c of s.slice(3)) if (!REFERENCE_ALPHABET.includes(c)) return undefined;
  if (checkCharacter(s.slice(0, 10)) !== s[10]) return undefined;
  return `${s.slice(0, 3)}-${s.slice(3, 7)}-${s.slice(7)}`;
}
