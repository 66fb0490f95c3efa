/**
 * Rate limits per client IP address (OWASP ASVS 2.2.1, 11.1.4): fixed windows,
 * counted in PostgreSQL so every app node shares them. Used as route `config.rateLimit`.
 */

/** Staff sign-in attempts: 10 per 5 minutes. */
export const LOGIN_LIMIT = { max: 10, timeWindow: 5 * 60_000 };
/** Tracking look-ups (pages and API): 30 per minute. */
export const TRACK_LIMIT = { max: 30, timeWindow: 60_000 };
/** Applications filed through the API: 60 per minute. */
export const SUBMIT_LIMIT = { max: 60, timeWindow: 60_000 };
/** Citizen sign-in codes requested or tried: 10 per 10 minutes per IP (on top of the per-number rules in identity/otp.ts). */
export const OTP_LIMIT = { max: 10, timeWindow: 10 * 60_000 };
