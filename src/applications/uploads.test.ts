import { createHash } from "node:crypto";
import { crc32, deflateSync } from "node:zlib";
import i18next from "i18next";
import { describe, expect, it } from "vitest";
import en from "./locales/en.json" with { type: "json" };
import hi from "./locales/hi.json" with { type: "json" };
import pa from "./locales/pa.json" with { type: "json" };
import {
  acceptAttribute,
  formatBytesLimit,
  GENERIC_FORM_ACCEPT,
  GENERIC_FORM_MAX_BYTES,
  GENERIC_FORM_MAX_FILES,
  inspectUpload,
  isWithinSizeLimit,
  sanitiseFilename,
} from "./uploads.ts";

/* Tiny real files, built here so no binary fixture is committed. */

const ascii = (s: string) => new TextEncoder().encode(s);

/** A minimal valid one-page PDF, padded with a trailing comment to `size` bytes when asked. */
function pdf(size?: number): Uint8Array {
  const body =
    "%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n" +
    "2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n" +
    "3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 10 10]>>endobj\n" +
    "trailer<</Root 1 0 R>>\n%%EOF\n";
  const bytes = ascii(body);
  if (size === undefined) return bytes;
  const out = new Uint8Array(size).fill(0x20); // spaces after %%EOF
  out.set(bytes.subarray(0, Math.min(bytes.length, size)));
  return out;
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const typeAndData = new Uint8Array([...ascii(type), ...data]);
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  out.set(typeAndData, 4);
  view.setUint32(8 + data.length, crc32(typeAndData));
  return out;
}

/** A valid 1×1 grey PNG (signature, IHDR, IDAT, IEND with real CRCs). */
function png(): Uint8Array {
  const ihdr = new Uint8Array(13);
  const v = new DataView(ihdr.buffer);
  v.setUint32(0, 1);
  v.setUint32(4, 1);
  ihdr.set([8, 0, 0, 0, 0], 8); // 8-bit greyscale
  const idat = deflateSync(new Uint8Array([0, 0x80]));
  return new Uint8Array([
    ...[0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a],
    ...chunk("IHDR", ihdr),
    ...chunk("IDAT", idat),
    ...chunk("IEND", new Uint8Array()),
  ]);
}

/** A JFIF JPEG header (SOI, APP0) followed by EOI: enough for content sniffing. */
function jpeg(): Uint8Array {
  return new Uint8Array([
    0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01,
    0x00, 0x01, 0x00, 0x00, 0xff, 0xd9,
  ]);
}

const base = { maxBytes: GENERIC_FORM_MAX_BYTES, accept: GENERIC_FORM_ACCEPT };
const sha256 = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

describe("constants", () => {
  it("the generic form takes 5 files of 2 MiB (2,097,152 bytes)", () => {
    expect(GENERIC_FORM_MAX_FILES).toBe(5);
    expect(GENERIC_FORM_MAX_BYTES).toBe(2_097_152);
  });
});

describe("inspectUpload: size", () => {
  it.each([2_097_151, 2_097_152])(
    "C-10: a PDF of %i bytes is accepted under the 2 MiB limit",
    async (size) => {
      const bytes = pdf(size);
      const result = await inspectUpload({ ...base, filename: "a.pdf", bytes });
      expect(result).toMatchObject({ ok: true, kind: "pdf", size });
    },
  );

  it("C-10: a PDF of 2,097,153 bytes is rejected with a size message in the unit checked", async () => {
    const result = await inspectUpload({ ...base, filename: "a.pdf", bytes: pdf(2_097_153) });
    expect(result).toEqual({
      ok: false,
      code: "file.too_large",
      params: {
        filename: "a.pdf",
        maxBytes: 2_097_152,
        limit: "2 MiB (20,97,152 bytes)",
        size: 2_097_153,
      },
    });
  });

  it("C-10: the message and the hint state the limit in MiB with the exact byte count", async () => {
    const result = await inspectUpload({
      ...base,
      filename: "a.pdf",
      bytes: pdf(2_097_153),
      locale: "pa",
    });
    const t = await i18nextFor("pa");
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(t(`validation.generic.${result.code}`, result.params)).toBe(
        "ਫ਼ਾਈਲ “a.pdf” 2 MiB (20,97,152 ਬਾਈਟ) ਜਾਂ ਇਸ ਤੋਂ ਛੋਟੀ ਹੋਣੀ ਚਾਹੀਦੀ ਹੈ",
      );
    }
    const tEn = await i18nextFor("en");
    expect(
      tEn("upload.hint", {
        limit: formatBytesLimit(GENERIC_FORM_MAX_BYTES, "en"),
        maxFiles: GENERIC_FORM_MAX_FILES,
      }),
    ).toBe(
      "Upload PDF, JPG or PNG files. Each file must be 2 MiB (20,97,152 bytes) or smaller. You can upload up to 5 files.",
    );
  });

  it("C-10: the shared size rule is inclusive at the limit", () => {
    expect(isWithinSizeLimit(2_097_151, GENERIC_FORM_MAX_BYTES)).toBe(true);
    expect(isWithinSizeLimit(2_097_152, GENERIC_FORM_MAX_BYTES)).toBe(true);
    expect(isWithinSizeLimit(2_097_153, GENERIC_FORM_MAX_BYTES)).toBe(false);
  });

  it("rejects an empty file", async () => {
    const result = await inspectUpload({ ...base, filename: "a.pdf", bytes: new Uint8Array() });
    expect(result).toEqual({ ok: false, code: "file.empty", params: { filename: "a.pdf" } });
  });

  it("refuses a nonsensical limit", async () => {
    await expect(
      inspectUpload({ ...base, maxBytes: 0, filename: "a", bytes: pdf() }),
    ).rejects.toThrow(RangeError);
  });
});

describe("inspectUpload: type by content", () => {
  it("C-13: affidavit.pdf sent as application/pdf but holding HTML is rejected", async () => {
    const result = await inspectUpload({
      ...base,
      filename: "affidavit.pdf",
      declaredType: "application/pdf",
      bytes: ascii("<html><script>alert(document.cookie)</script></html>"),
    });
    expect(result).toEqual({
      ok: false,
      code: "file.type_not_allowed",
      params: { filename: "affidavit.pdf", allowed: "PDF, JPG, PNG", detected: "unknown" },
    });
  });

  it.each([
    ["scan.pdf", "application/pdf", pdf(), "pdf", "application/pdf"],
    ["photo.png", "image/png", png(), "png", "image/png"],
    ["photo.jpg", "image/jpeg", jpeg(), "jpeg", "image/jpeg"],
    ["photo.JPEG", "image/jpg", jpeg(), "jpeg", "image/jpeg"],
    ["scan", undefined, pdf(), "pdf", "application/pdf"],
    ["scan.pdf", "application/octet-stream", pdf(), "pdf", "application/pdf"],
    ["scan.pdf", "application/pdf; charset=binary", pdf(), "pdf", "application/pdf"],
  ])("accepts %s sent as %s", async (filename, declaredType, bytes, kind, mime) => {
    const result = await inspectUpload({ ...base, filename, declaredType, bytes });
    expect(result).toMatchObject({ ok: true, kind, mime });
  });

  it("rejects a kind the field does not accept", async () => {
    const result = await inspectUpload({
      ...base,
      accept: ["pdf"],
      filename: "p.png",
      bytes: png(),
    });
    expect(result).toEqual({
      ok: false,
      code: "file.type_not_allowed",
      params: { filename: "p.png", allowed: "PDF", detected: "image/png" },
    });
  });

  it("rejects a recognised but unlisted type (a ZIP named .pdf)", async () => {
    const zip = new Uint8Array([0x50, 0x4b, 0x03, 0x04, ...new Uint8Array(26), ...ascii("a.txt")]);
    const result = await inspectUpload({ ...base, filename: "x.pdf", bytes: zip });
    expect(result).toMatchObject({ ok: false, code: "file.type_not_allowed" });
  });

  it.each([
    ["photo.pdf", "application/pdf"],
    ["photo.pdf", undefined],
    ["photo.png", "image/jpeg"],
    ["photo.png", "text/html"],
  ])("rejects a PNG whose name or type says otherwise (%s, %s)", async (filename, declaredType) => {
    const result = await inspectUpload({ ...base, filename, declaredType, bytes: png() });
    expect(result).toMatchObject({
      ok: false,
      code: "file.type_mismatch",
      params: { detected: "PNG" },
    });
  });
});

describe("inspectUpload: hash and name", () => {
  it("C-11: sha256 is the hash of the exact bytes", async () => {
    const bytes = pdf(1000);
    const result = await inspectUpload({ ...base, filename: "a.pdf", bytes });
    expect(result.ok && result.sha256).toBe(sha256(bytes));
    // Known value: SHA-256 of a 1-byte-different file differs.
    const other = pdf(1001);
    const r2 = await inspectUpload({ ...base, filename: "a.pdf", bytes: other });
    expect(r2.ok && r2.sha256).not.toBe(result.ok && result.sha256);
  });

  it("C-11: sha256 of a known input has the value computed independently (sha256sum)", async () => {
    const result = await inspectUpload({ ...base, filename: "a.pdf", bytes: ascii("%PDF-1.4\n") });
    expect(result).toMatchObject({
      ok: true,
      size: 9,
      sha256: "e5c62df5dab5c87b6a015ef3d43597074d1eec433b15f51aec63b8582d0e4ab4",
    });
  });

  it.each(["ਆਧਾਰ_ਕਾਰਡ.pdf", "आधार.pdf"])("C-12: %s is kept exactly as sent", async (filename) => {
    const result = await inspectUpload({ ...base, filename, bytes: pdf() });
    expect(result).toMatchObject({ ok: true, filename });
    expect(result.ok && new TextEncoder().encode(result.filename)).toEqual(
      new TextEncoder().encode(filename),
    );
  });

  it("C-12: a decomposed name is stored in NFC", () => {
    expect(sanitiseFilename("Jose\u0301.pdf")).toBe("José.pdf");
  });

  it.each([
    ["C:\\Users\\gurpreet\\ਆਧਾਰ.pdf", "ਆਧਾਰ.pdf"],
    ["../../etc/passwd", "passwd"],
    ["..\\..\\boot.ini", "boot.ini"],
    [".htaccess", "htaccess"],
    ["...pdf", "pdf"],
    ["  ..  hidden.pdf", "hidden.pdf"],
    ["a\u0000b\u001fc\u007f.pdf", "abc.pdf"],
    ["invoice\u202efdp.exe", "invoicefdp.exe"],
    ["क्\u200dष.pdf", "क्\u200dष.pdf"],
    ["", "file"],
    ["../", "file"],
  ])("sanitises %j to %j", (sent, kept) => {
    expect(sanitiseFilename(sent)).toBe(kept);
  });

  it("caps the name at 255 bytes of UTF-8, on a grapheme boundary, keeping the extension", () => {
    const long = `${"ਕਾ".repeat(100)}.pdf`; // each ਕਾ is 6 bytes
    const kept = sanitiseFilename(long);
    const bytes = new TextEncoder().encode(kept).length;
    expect(bytes).toBeLessThanOrEqual(255);
    expect(kept.endsWith("ਕਾ.pdf")).toBe(true);
    expect(kept).toBe(`${"ਕਾ".repeat(41)}.pdf`); // 41 × 6 + 4 = 250 bytes
    const noExt = sanitiseFilename("आ".repeat(200));
    expect(noExt).toBe("आ".repeat(85)); // 85 × 3 = 255 bytes
  });
});

describe("formatBytesLimit", () => {
  it.each([
    [2_097_152, "en", "2 MiB (20,97,152 bytes)"],
    [2_097_152, "pa", "2 MiB (20,97,152 ਬਾਈਟ)"],
    [2_097_152, "hi-IN", "2 MiB (20,97,152 बाइट)"],
    [2_097_152, "fr", "2 MiB (20,97,152 bytes)"],
    [10 * 1024 * 1024, "en", "10 MiB (1,04,85,760 bytes)"],
    [1_572_864, "en", "1.5 MiB (15,72,864 bytes)"],
    [512 * 1024, "en", "512 KiB (5,24,288 bytes)"],
    [900, "en", "900 bytes"],
  ])("%i in %s → %s", (bytes, locale, text) => {
    expect(formatBytesLimit(bytes, locale)).toBe(text);
  });
});

describe("acceptAttribute", () => {
  it("lists extensions and media types", () => {
    expect(acceptAttribute(GENERIC_FORM_ACCEPT)).toBe(
      ".pdf,application/pdf,.jpg,.jpeg,.jpe,.jfif,image/jpeg,.png,image/png",
    );
  });
});

async function i18nextFor(lng: "en" | "pa" | "hi") {
  const instance = i18next.createInstance();
  await instance.init({
    lng,
    resources: { en: { translation: en }, pa: { translation: pa }, hi: { translation: hi } },
  });
  return instance.t.bind(instance) as (key: string, params?: Record<string, unknown>) => string;
}
