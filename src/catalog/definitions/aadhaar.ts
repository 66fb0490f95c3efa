/**
 * Aadhaar numbers in service forms: check, mask, and hash for duplicate
 * detection. The clear number never leaves this module: no function returns
 * it, and no error message or exception contains it.
 *
 * Rules and their sources:
 * - An Aadhaar number has 12 digits; the last is a Verhoeff check digit over
 *   the first 11, and the first digit is never 0 or 1 (UIDAI's numbering
 *   scheme, as widely documented; the check digit algorithm is J. Verhoeff,
 *   "Error Detecting Decimal Codes", Mathematical Centre Tracts 29, 1969).
 *   Passing these checks shows the number is well formed, not that it exists.
 * - It must not be shown or stored in clear: Aadhaar Act, 2016, s.29(4) (no
 *   publishing or displaying Aadhaar numbers), UIDAI's Aadhaar Data Vault
 *   circular of 25 July 2017, and ARCHITECTURE.md §4 "Personal data" (mask
 *   as `XXXX XXXX 1234`, never store in clear). Sewa stores the masked form
 *   and a keyed hash.
 * - The hash is HMAC-SHA256 (RFC 2104, FIPS 180-4) with a secret key of at
 *   least 32 bytes held outside the database, over the text
 *   `sewa:aadhaar:v1:` followed by the 12 ASCII digits. Without the key the
 *   hash cannot be reversed by trying all 10^11 valid numbers; with it, the
 *   same number always gives the same hash, so duplicates can be found.
 *
 * Input may be typed with spaces or hyphens between groups and in any
 * script's digits (Gurmukhi ੦-੯, Devanagari ०-९; case C-14).
 */
import { createHmac } from "node:crypto";
import { nfc, toAsciiDigits } from "../../common/text.ts";

/* ------------------------------------------------------------- Verhoeff */

// Multiplication table of the dihedral group D5.
const D: readonly (readonly number[])[] = [
  [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
  [1, 2, 3, 4, 0, 6, 7, 8, 9, 5],
  [2, 3, 4, 0, 1, 7, 8, 9, 5, 6],
  [3, 4, 0, 1, 2, 8, 9, 5, 6, 7],
  [4, 0, 1, 2, 3, 9, 5, 6, 7, 8],
  [5, 9, 8, 7, 6, 0, 4, 3, 2, 1],
  [6, 5, 9, 8, 7, 1, 0, 4, 3, 2],
  [7, 6, 5, 9, 8, 2, 1, 0, 4, 3],
  [8, 7, 6, 5, 9, 3, 2, 1, 0, 4],
  [9, 8, 7, 6, 5, 4, 3, 2, 1, 0],
];
// Position permutation table: P[i] = P[1] applied i times.
const P: readonly (readonly number[])[] = [
  [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
  [1, 5, 7, 6, 2, 8, 3, 0, 9, 4],
  [5, 8, 0, 3, 7, 9, 6, 1, 4, 2],
  [8, 9, 1, 6, 0, 4, 3, 5, 2, 7],
  [9, 4, 5, 3, 1, 2, 6, 8, 7, 0],
  [4, 2, 8, 6, 5, 7, 3, 9, 0, 1],
  [2, 7, 9, 3, 8, 0, 6, 4, 1, 5],
  [7, 0, 4, 6, 9, 1, 3, 2, 5, 8],
];
// Inverses in D5.
const INV: readonly number[] = [0, 4, 3, 2, 1, 5, 6, 7, 8, 9];

function verhoeffState(digits: string, offset: number): number {
  let c = 0;
  for (let i = 0; i < digits.length; i++) {
    const digit = digits.charCodeAt(digits.length - 1 - i) - 48;
    c = (D[c] as number[])[(P[(i + offset) % 8] as number[])[digit] as number] as number;
  }
  return c;
}

/**
 * The Verhoeff check digit (0-9) to append to `digits` (ASCII digits only).
 * Example (Verhoeff 1969, the usual worked example): `"236"` → 3, so `2363`
 * is valid. Throws a TypeError when `digits` has anything but ASCII digits.
 */
export function verhoeffCheckDigit(digits: string): number {
  if (!/^\d+$/.test(digits)) throw new TypeError("verhoeffCheckDigit: ASCII digits expected");
  return INV[verhoeffState(digits, 1)] as number;
}

/** True when `digits` (ASCII digits, check digit last) passes the Verhoeff check. */
export function verhoeffValid(digits: string): boolean {
  return /^\d+$/.test(digits) && verhoeffState(digits, 0) === 0;
}

/* -------------------------------------------------------------- Aadhaar */

/** `invalid`: not 12 digits, or first digit 0 or 1; `checksum`: the check digit is wrong. */
export type AadhaarErrorCode = "invalid" | "checksum";

/**
 * Canonical form of typed input, for the form schema to check: digits of any
 * script made ASCII, spaces and hyphens removed. Used inside the validator
 * only; the validator's result holds the masked form instead.
 */
export function canonicalAadhaarInput(input: string): string {
  return toAsciiDigits(nfc(input)).replace(/[\s\-\u2010-\u2015]/g, "");
}

/** The 12 ASCII digits typed, or null. Internal: the clear number stays in this module. */
function digitsOf(input: string): string | null {
  const s = canonicalAadhaarInput(input);
  return /^\d{12}$/.test(s) ? s : null;
}

/**
 * Check an Aadhaar number as typed. Returns `{ ok: true }` or the error code;
 * never the number itself.
 */
export function checkAadhaar(input: string): { ok: true } | { ok: false; code: AadhaarErrorCode } {
  const digits = digitsOf(input);
  if (digits === null || digits[0] === "0" || digits[0] === "1") {
    return { ok: false, code: "invalid" };
  }
  return verhoeffValid(digits) ? { ok: true } : { ok: false, code: "checksum" };
}

function requireValid(input: string, fn: string): string {
  const digits = digitsOf(input);
  if (digits === null || checkAadhaar(digits).ok !== true) {
    // The message must not contain the input.
    throw new TypeError(`${fn}: not a valid Aadhaar number`);
  }
  return digits;
}

/**
 * The masked form `XXXX XXXX 1234` (last four digits kept), as ARCHITECTURE.md
 * §4 requires. Throws a TypeError (without the number in its message) when
 * the input is not a valid Aadhaar number.
 */
export function maskAadhaar(input: string): string {
  const digits = requireValid(input, "maskAadhaar");
  return `XXXX XXXX ${digits.slice(8)}`;
}

/** Shortest HMAC key accepted, in bytes (the SHA-256 output size; RFC 2104 §3 advises at least L bytes). */
export const AADHAAR_KEY_MIN_BYTES = 32;

/**
 * Keyed hash for duplicate detection: lowercase hex HMAC-SHA256 of
 * `sewa:aadhaar:v1:<12 digits>` under `key`. The same number typed in any
 * script or spacing gives the same hash. Throws a TypeError when the number is
 * not valid or the key is shorter than {@link AADHAAR_KEY_MIN_BYTES}.
 */
export function aadhaarHash(input: string, key: string | Uint8Array): string {
  const keyBytes = typeof key === "string" ? Buffer.from(key, "utf8") : key;
  if (keyBytes.length < AADHAAR_KEY_MIN_BYTES) {
    throw new TypeError(`aadhaarHash: key must be at least ${AADHAAR_KEY_MIN_BYTES} bytes`);
  }
  const digits = requireValid(input, "aadhaarHash");
  return createHmac("sha256", keyBytes).update(`sewa:aadhaar:v1:${digits}`).digest("hex");
}

/** What Sewa stores for an Aadhaar answer: the masked number and, when a key is configured, the keyed hash. */
export type ProtectedAadhaar = { masked: string; hash?: string };

/**
 * The stored form of a valid Aadhaar answer: `{ masked }`, plus `hash` when a
 * key is given. Throws like {@link maskAadhaar} and {@link aadhaarHash}.
 */
export function protectAadhaar(input: string, key?: string | Uint8Array): ProtectedAadhaar {
  const masked = maskAadhaar(input);
  return key === undefined ? { masked } : { masked, hash: aadhaarHash(input, key) };
}
