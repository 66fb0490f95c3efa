/**
 * Checks on one uploaded document before it is stored. Pure (no storage, no
 * HTTP): the caller passes the complete bytes and stores them only after
 * `ok: true`, so a refused file leaves nothing behind (case C-11).
 *
 * - Size: at most `maxBytes` bytes, inclusive (C-10). The limit is binary:
 *   `GENERIC_FORM_MAX_BYTES` is 2 MiB = 2,097,152 bytes, and every text that
 *   states it comes from {@link formatBytesLimit}, which names the same unit
 *   and the exact byte count, so the page, the browser check and the server
 *   agree.
 * - Type: judged by the content (magic bytes, through `file-type`), never by
 *   the name or the declared `Content-Type` (C-13). A name or declared type
 *   naming a different type is refused as well, so what officers download is
 *   what its name says.
 * - Name: kept as sent (NFC, UTF-8; C-12) with only the dangerous parts
 *   removed, see {@link sanitiseFilename}.
 * - Hash: SHA-256 of the exact bytes (C-11), hex.
 *
 * Serving stored files with `Content-Disposition: attachment` and
 * `X-Content-Type-Options: nosniff` (C-13) is the route's job.
 */
import { createHash } from "node:crypto";
import { fileTypeFromBuffer } from "file-type";

/** Document types an upload field can accept. */
export type UploadKind = "pdf" | "jpeg" | "png";

/** Media type, display label and usual file-name extensions of each kind (IANA media types registry). */
export const UPLOAD_KINDS: Record<
  UploadKind,
  { mime: string; label: string; extensions: readonly string[] }
> = {
  pdf: { mime: "application/pdf", label: "PDF", extensions: ["pdf"] },
  jpeg: { mime: "image/jpeg", label: "JPG", extensions: ["jpg", "jpeg", "jpe", "jfif"] },
  png: { mime: "image/png", label: "PNG", extensions: ["png"] },
};

/** Most documents one generic application may carry. */
export const GENERIC_FORM_MAX_FILES = 5;
/** Largest document of the generic form: 2 MiB (2,097,152 bytes), inclusive. */
export const GENERIC_FORM_MAX_BYTES = 2 * 1024 * 1024;
/** Types the generic form accepts. */
export const GENERIC_FORM_ACCEPT: readonly UploadKind[] = ["pdf", "jpeg", "png"];

/** Error codes of {@link inspectUpload}; messages at `validation.generic.file.*`. */
export type UploadErrorCode =
  | "file.empty"
  | "file.too_large"
  | "file.type_not_allowed"
  | "file.type_mismatch";

/**
 * Code for a field that already holds its maximum number of files (params
 * `max`). Not produced by {@link inspectUpload}, which sees one file; the
 * route counts. Its message is at `validation.generic.file.too_many`.
 */
export const TOO_MANY_FILES_CODE = "file.too_many";

/** Input of {@link inspectUpload}. */
export type UploadInput = {
  /** File name as the browser or client sent it. */
  filename: string;
  /** `Content-Type` the client declared for the part, if any. */
  declaredType?: string | undefined;
  /** The complete file. */
  bytes: Uint8Array;
  /** Largest accepted size in bytes, inclusive (a positive integer). */
  maxBytes: number;
  /** Kinds accepted by this field. */
  accept: readonly UploadKind[];
  /** Language of the `limit` text in a `file.too_large` error: `en` (default), `pa` or `hi`. */
  locale?: string | undefined;
};

/** An accepted upload. `size` is in bytes; `sha256` is lowercase hex of the exact bytes. */
export type InspectedUpload = {
  ok: true;
  kind: UploadKind;
  mime: string;
  sha256: string;
  size: number;
  filename: string;
};

/** A refused upload, with the values its message needs (always including the safe `filename`). */
export type UploadRejection = {
  ok: false;
  code: UploadErrorCode;
  params: Record<string, string | number>;
};

/* --------------------------------------------------------------- file name */

const MAX_FILENAME_BYTES = 255;
/** C0/C1 controls, plus bidirectional marks, embeddings, overrides and isolates (the "invoice\u202Efdp.exe" trick). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point
const UNSAFE_CHARS = /[\u0000-\u001F\u007F-\u009F\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/g;
const utf8 = new TextEncoder();
const byteLength = (s: string) => utf8.encode(s).length;

/** Cut `s` to at most `maxBytes` of UTF-8 without splitting a grapheme (a Gurmukhi consonant keeps its vowel sign). */
function cutToBytes(s: string, maxBytes: number): string {
  let out = "";
  let used = 0;
  for (const { segment } of new Intl.Segmenter("und", { granularity: "grapheme" }).segment(s)) {
    const n = byteLength(segment);
    if (used + n > maxBytes) break;
    out += segment;
    used += n;
  }
  return out;
}

/**
 * Make a client's file name safe to store and show, keeping it as sent
 * otherwise (C-12: `ਆਧਾਰ_ਕਾਰਡ.pdf` and `आधार.pdf` come back unchanged).
 *
 * Steps: Unicode NFC; keep only the part after the last `/` or `\` (old
 * browsers send a full path, attackers send `../`); remove control characters
 * and bidirectional controls (ZWJ/ZWNJ are kept: Indic text needs them); trim
 * spaces; remove leading dots (no hidden files, no `..`); cap at 255 bytes of
 * UTF-8 (the usual file-system limit), cut on a grapheme boundary and keeping
 * an extension of up to 16 bytes. An empty result becomes `file`.
 */
export function sanitiseFilename(name: string): string {
  const base = name.normalize("NFC").split(/[/\\]/).at(-1) ?? "";
  const cleaned = base
    .replace(UNSAFE_CHARS, "")
    .trim()
    .replace(/^[.\s]+/, "");
  if (cleaned === "") return "file";
  if (byteLength(cleaned) <= MAX_FILENAME_BYTES) return cleaned;
  const dot = cleaned.lastIndexOf(".");
  const ext = dot > 0 ? cleaned.slice(dot) : "";
  if (ext !== "" && byteLength(ext) <= 16) {
    return cutToBytes(cleaned.slice(0, dot), MAX_FILENAME_BYTES - byteLength(ext)) + ext;
  }
  return cutToBytes(cleaned, MAX_FILENAME_BYTES);
}

/* ---------------------------------------------------------------- the limit */

const KIB = 1024;
const MIB = 1024 * 1024;
const BYTES_WORD: Record<string, string> = { en: "bytes", pa: "ਬਾਈਟ", hi: "बाइट" };

/**
 * The size limit as the UI states it, in the unit that is checked (C-10):
 * binary units (IEC 80000-13: 1 MiB = 1,048,576 bytes) followed by the exact
 * byte count, e.g. `formatBytesLimit(2097152, "en")` → `2 MiB (20,97,152 bytes)`.
 * Numbers use Indian digit grouping (en-IN) with ASCII digits in every language;
 * the unit symbols MiB/KiB are international, the word "bytes" is translated
 * (`pa`: ਬਾਈਟ, `hi`: बाइट). `locale` may be a tag such as `pa-IN`; unknown
 * languages get English. Used by the upload hint and the `file.too_large` message.
 */
export function formatBytesLimit(bytes: number, locale: string): string {
  const lang = locale.toLowerCase().split(/[-_]/)[0] ?? "en";
  const word = BYTES_WORD[lang] ?? BYTES_WORD.en;
  const exact = new Intl.NumberFormat("en-IN", { maximumFractionDigits: 0 }).format(bytes);
  const approx = new Intl.NumberFormat("en-IN", { maximumFractionDigits: 2 });
  if (bytes >= MIB) return `${approx.format(bytes / MIB)} MiB (${exact} ${word})`;
  if (bytes >= KIB) return `${approx.format(bytes / KIB)} KiB (${exact} ${word})`;
  return `${exact} ${word}`;
}

/**
 * The size rule itself, shared by the server and the page's script so both
 * give the same verdict (C-10): a file of exactly `maxBytes` bytes is accepted.
 */
export function isWithinSizeLimit(size: number, maxBytes: number): boolean {
  return size <= maxBytes;
}

/** Value for an HTML `<input type="file" accept>`: extensions and media types of the kinds. */
export function acceptAttribute(accept: readonly UploadKind[]): string {
  return accept
    .flatMap((k) => [...UPLOAD_KINDS[k].extensions.map((e) => `.${e}`), UPLOAD_KINDS[k].mime])
    .join(",");
}

/* ---------------------------------------------------------------- the check */

/** Declared types that say nothing about the content. */
const GENERIC_TYPES = new Set(["", "application/octet-stream", "binary/octet-stream"]);
const MIME_ALIASES: Record<string, UploadKind> = {
  "application/pdf": "pdf",
  "application/x-pdf": "pdf",
  "image/jpeg": "jpeg",
  "image/jpg": "jpeg",
  "image/pjpeg": "jpeg",
  "image/png": "png",
  "image/x-png": "png",
};

/** Kind named by a declared media type: a kind, "other" for any specific other type, undefined when generic. */
function declaredKind(declaredType: string | undefined): UploadKind | "other" | undefined {
  const mime = (declaredType ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
  if (GENERIC_TYPES.has(mime)) return undefined;
  return MIME_ALIASES[mime] ?? "other";
}

/** Kind named by a file name's extension, or undefined when it has none we know. */
function extensionKind(filename: string): UploadKind | undefined {
  const dot = filename.lastIndexOf(".");
  if (dot <= 0) return undefined;
  const ext = filename.slice(dot + 1).toLowerCase();
  return (Object.keys(UPLOAD_KINDS) as UploadKind[]).find((k) =>
    UPLOAD_KINDS[k].extensions.includes(ext),
  );
}

/**
 * Inspect one upload and either accept it (kind, media type, SHA-256, size,
 * safe file name) or say why not.
 *
 * Checks, in order:
 * Every rejection's params carry `filename` (sanitised) so a page with several
 * files can say which one is wrong.
 * 1. empty file → `file.empty`;
 * 2. `bytes.length > maxBytes` → `file.too_large`, params `maxBytes` (the
 *    number checked), `limit` ({@link formatBytesLimit} in `locale`), `size`;
 * 3. content not recognised, or not in `accept` → `file.type_not_allowed`,
 *    params `allowed` ("PDF, JPG, PNG"), `detected` (media type or `unknown`).
 *    C-13: `affidavit.pdf` sent as `application/pdf` but starting with
 *    `<html><script>` ends here;
 * 4. a specific declared type, or a known extension, naming another kind than
 *    the content → `file.type_mismatch`, params `detected` (label) and
 *    `declared`. `application/octet-stream`, no type and unknown extensions
 *    are not held against the file.
 *
 * Throws a RangeError when `maxBytes` is not a positive integer (a programming error).
 */
export async function inspectUpload(
  input: UploadInput,
): Promise<InspectedUpload | UploadRejection> {
  const { bytes, maxBytes, accept } = input;
  if (!Number.isInteger(maxBytes) || maxBytes <= 0) {
    throw new RangeError(`maxBytes must be a positive integer, got ${maxBytes}`);
  }
  const filename = sanitiseFilename(input.filename);
  const size = bytes.length;
  if (size === 0) return { ok: false, code: "file.empty", params: { filename } };
  if (!isWithinSizeLimit(size, maxBytes)) {
    return {
      ok: false,
      code: "file.too_large",
      params: {
        filename,
        maxBytes,
        limit: formatBytesLimit(maxBytes, input.locale ?? "en"),
        size,
      },
    };
  }

  const detected = await fileTypeFromBuffer(bytes);
  const kind = (Object.keys(UPLOAD_KINDS) as UploadKind[]).find(
    (k) => UPLOAD_KINDS[k].mime === detected?.mime,
  );
  if (kind === undefined || !accept.includes(kind)) {
    return {
      ok: false,
      code: "file.type_not_allowed",
      params: {
        filename,
        allowed: accept.map((k) => UPLOAD_KINDS[k].label).join(", "),
        detected: detected?.mime ?? "unknown",
      },
    };
  }

  const byType = declaredKind(input.declaredType);
  const byName = extensionKind(filename);
  if ((byType !== undefined && byType !== kind) || (byName !== undefined && byName !== kind)) {
    return {
      ok: false,
      code: "file.type_mismatch",
      params: {
        filename,
        detected: UPLOAD_KINDS[kind].label,
        declared: byType !== undefined && byType !== kind ? String(input.declaredType) : filename,
      },
    };
  }

  const sha256 = createHash("sha256").update(bytes).digest("hex");
  return { ok: true, kind, mime: UPLOAD_KINDS[kind].mime, sha256, size, filename };
}
