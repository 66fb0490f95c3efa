/**
 * Instants as they come back from PostgreSQL (`timestamptz` in text form, e.g.
 * `2026-04-06 04:30:00.123456+00`) turned into `Temporal.Instant` or ISO strings.
 */
import { Temporal } from "temporal-polyfill";

/**
 * Parses a PostgreSQL or ISO 8601 timestamp with an offset.
 * @throws RangeError when it has no offset or is not a valid instant.
 */
export function instantOf(value: string): Temporal.Instant {
  const s = value
    .trim()
    .replace(" ", "T")
    .replace(/([+-]\d{2})$/, "$1:00");
  return Temporal.Instant.from(s);
}

/** ISO 8601 UTC with milliseconds (`2026-04-06T04:30:00.123Z`), the form the API returns. */
export function isoOf(value: string): string {
  return new Date(instantOf(value).epochMilliseconds).toISOString();
}
