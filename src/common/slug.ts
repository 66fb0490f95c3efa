/**
 * URL-safe identifiers from English names: lower case ASCII letters, digits and
 * hyphens. Non-Latin text is dropped, so callers must not rely on a slug being
 * non-empty for Indic-only input.
 */

/** `"Home Affairs (Police)"` → `"home-affairs-police"`; cut to `max` characters on a hyphen boundary. */
export function slugify(text: string, max = 60): string {
  const s = text
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
  if (s.length <= max) return s;
  const cut = s.slice(0, max);
  const lastHyphen = cut.lastIndexOf("-");
  return (lastHyphen > max / 2 ? cut.slice(0, lastHyphen) : cut).replace(/-+$/, "");
}
