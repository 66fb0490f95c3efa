/**
 * Tests of the PDF layer: script runs, QR payload rule, and real renderings
 * checked with poppler-utils (`pdftoppm`, `pdftotext`, `pdfinfo`) and a QR
 * decoder (jsQR). Cases C-16 and C-17 of /work/shared/cases/README.md.
 *
 * The rendering checks need poppler-utils (Debian package `poppler-utils`);
 * where `pdftoppm` is absent they are skipped with a message, and the checks on
 * the PDF bytes still run.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import jsqr from "jsqr";
import { PNG } from "pngjs";
import { Temporal } from "temporal-polyfill";
import { afterAll, describe, expect, it } from "vitest";
import {
  assertAsciiQrPayload,
  FONT_FILES,
  formatPlainDate,
  renderDocument,
  renderOrderPdf,
  type SewaDocument,
  splitByScript,
} from "./pdf.ts";

// jsqr is CommonJS with `exports.default`: Node's ESM loader hands over the
// exports object, vitest's interop may hand over the function itself.
type DecodeQr = typeof jsqr.default;
const jsQR: DecodeQr = typeof jsqr === "function" ? (jsqr as unknown as DecodeQr) : jsqr.default;

const SCREENSHOT = fileURLToPath(
  new URL("../../docs/screenshots/c16-certificate-pa-hi.png", import.meta.url),
);

function hasCommand(command: string): boolean {
  try {
    execFileSync(command, ["-v"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

const HAS_POPPLER = hasCommand("pdftoppm") && hasCommand("pdftotext");
const NO_POPPLER = !HAS_POPPLER;
if (NO_POPPLER) {
  console.warn(
    "src/documents/pdf.test.ts: pdftoppm/pdftotext not found; rendering checks (C-16 PNG, C-17 scan, text extraction) are SKIPPED. Install Debian's poppler-utils to run them.",
  );
}

const work = mkdtempSync(path.join(tmpdir(), "sewa-pdf-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function writePdf(name: string, pdf: Buffer): string {
  const file = path.join(work, `${name}.pdf`);
  writeFileSync(file, pdf);
  return file;
}

/** First page as PNG at `dpi` (pdftoppm -png -r dpi). */
function toPng(pdfFile: string, dpi = 100): string {
  const prefix = pdfFile.replace(/\.pdf$/, "");
  execFileSync("pdftoppm", [
    "-png",
    "-r",
    String(dpi),
    "-f",
    "1",
    "-l",
    "1",
    "-singlefile",
    pdfFile,
    prefix,
  ]);
  return `${prefix}.png`;
}

function toText(pdfFile: string): string {
  return execFileSync("pdftotext", ["-enc", "UTF-8", pdfFile, "-"], { encoding: "utf8" });
}

function fontNames(pdf: Buffer): string[] {
  return [...pdf.toString("latin1").matchAll(/\/FontName \/[A-Z]{6}\+([A-Za-z0-9-]+)/g)].map(
    (m) => m[1],
  );
}

function decodeQr(pngFile: string): string | undefined {
  const png = PNG.sync.read(readFileSync(pngFile));
  return jsQR(new Uint8ClampedArray(png.data), png.width, png.height)?.data;
}

const VERIFY_URL = "https://sewa.punjab.gov.in/verify?t=abc.DEF_123-xyz";

const certificate: SewaDocument = {
  languages: ["pa", "hi", "en"],
  heading: "ਪ੍ਰਮਾਣ ਪੱਤਰ / प्रमाण पत्र / Certificate",
  subheading: "ਰਿਹਾਇਸ਼ ਸਰਟੀਫਿਕੇਟ (Residence certificate)",
  facts: [
    { label: "Reference / ਹਵਾਲਾ ਨੰਬਰ", value: "LDH-K7M3-PQ7X" },
    { label: "Name / ਨਾਮ / नाम", value: "ਗੁਰਪ੍ਰੀਤ ਕੌਰ (Gurpreet Kaur)" },
    { label: "Date of issue", value: "11 December 2026" },
  ],
  paragraphs: [
    "ਪ੍ਰਮਾਣ ਪੱਤਰ",
    "प्रमाण पत्र",
    "This is to certify that the applicant named above is a resident of Punjab.",
  ],
  signatory: { name: "A. Singh", designation: "Tehsildar, Ludhiana" },
  footer: "Issued through Sewa",
  qrPayload: VERIFY_URL,
  serial: "CERT-2026-000123",
  createdAt: Temporal.Instant.from("2026-12-11T04:30:00Z"),
};

describe("splitByScript", () => {
  it("splits a mixed heading into font runs; spaces and punctuation stay with the current run", () => {
    expect(splitByScript("ਪ੍ਰਮਾਣ ਪੱਤਰ / प्रमाण पत्र / Certificate")).toEqual([
      { script: "gurmukhi", text: "ਪ੍ਰਮਾਣ ਪੱਤਰ / " },
      { script: "devanagari", text: "प्रमाण पत्र / " },
      { script: "latin", text: "Certificate" },
    ]);
  });

  it("gives leading digits and punctuation to the first script that follows", () => {
    expect(splitByScript("12. ਨਾਮ: Kaur")).toEqual([
      { script: "gurmukhi", text: "12. ਨਾਮ: " },
      { script: "latin", text: "Kaur" },
    ]);
    expect(splitByScript("2026-12-11")).toEqual([{ script: "latin", text: "2026-12-11" }]);
    expect(splitByScript("")).toEqual([]);
  });

  it("keeps the danda (U+0964), shared by Gurmukhi and Devanagari, with a Gurmukhi run", () => {
    expect(splitByScript("ਵਸਨੀਕ ਹੈ।")).toEqual([{ script: "gurmukhi", text: "ਵਸਨੀਕ ਹੈ।" }]);
  });

  it("keeps ZWJ/ZWNJ and virama inside their run", () => {
    expect(splitByScript("क्\u200dष")).toEqual([{ script: "devanagari", text: "क्\u200dष" }]);
  });

  it("property: runs join back to the input, are non-empty, and no two neighbours share a script", () => {
    const alphabet = [..."aZ ,.-1ਪ੍ਰਮਾਣੱਤहप्रमाणत्र।\u200d₹"];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...alphabet), { maxLength: 40 }), (chars) => {
        const text = chars.join("");
        const runs = splitByScript(text);
        expect(runs.map((r) => r.text).join("")).toBe(text);
        for (const [i, run] of runs.entries()) {
          expect(run.text.length).toBeGreaterThan(0);
          if (i > 0) expect(run.script).not.toBe(runs[i - 1].script);
        }
      }),
    );
  });
});

describe("assertAsciiQrPayload", () => {
  it("accepts a printable-ASCII URL", () => {
    expect(() => assertAsciiQrPayload(VERIFY_URL)).not.toThrow();
  });

  it("refuses Gurmukhi, control characters and the empty string with RangeError", () => {
    expect(() => assertAsciiQrPayload("ਪ੍ਰਮਾਣ")).toThrow(RangeError);
    expect(() => assertAsciiQrPayload("https://x/é")).toThrow(/U\+00E9 at index 10/);
    expect(() => assertAsciiQrPayload("a\nb")).toThrow(RangeError);
    expect(() => assertAsciiQrPayload("")).toThrow(RangeError);
  });
});

describe("formatPlainDate", () => {
  it("prints a calendar date without any time zone shift", () => {
    expect(formatPlainDate("2026-12-11")).toBe("11 December 2026");
    expect(formatPlainDate("2026-01-01")).toBe("1 January 2026");
  });

  it("refuses a date that is not YYYY-MM-DD or does not exist", () => {
    expect(() => formatPlainDate("2026-02-30")).toThrow(RangeError);
    expect(() => formatPlainDate("11/12/2026")).toThrow(RangeError);
    expect(() => formatPlainDate("2026-12-11T00:00:00Z")).toThrow(RangeError);
  });
});

describe("renderDocument", () => {
  it("ships the full TTF fonts, not WOFF subsets", () => {
    for (const { regular, bold } of Object.values(FONT_FILES)) {
      for (const file of [regular, bold]) {
        expect(file).toMatch(/assets\/fonts\/NotoSans[A-Za-z]*-(Regular|Bold)\.ttf$/);
        // TrueType sfnt version 0x00010000 (a WOFF file starts "wOFF")
        expect(readFileSync(file).subarray(0, 4).toString("hex")).toBe("00010000");
      }
    }
  });

  it("C-16: embeds Noto Sans Gurmukhi and Devanagari and sets the metadata", async () => {
    const pdf = await renderDocument(certificate);
    expect(pdf.subarray(0, 5).toString("latin1")).toBe("%PDF-");
    const fonts = fontNames(pdf);
    expect(fonts).toContain("NotoSansGurmukhi-Bold");
    expect(fonts).toContain("NotoSansGurmukhi-Regular");
    expect(fonts).toContain("NotoSansDevanagari-Bold");
    expect(fonts).toContain("NotoSansDevanagari-Regular");
    expect(fonts).toContain("NotoSans-Regular");
    expect(pdf.toString("latin1")).toContain("/Lang (pa-IN)");
  });

  it.skipIf(NO_POPPLER)(
    "C-16: ਪ੍ਰਮਾਣ ਪੱਤਰ and प्रमाण पत्र render, extract back, and the PNG is kept for review",
    async () => {
      const file = writePdf("c16", await renderDocument(certificate));
      const text = toText(file);
      expect(text).toContain("ਪ੍ਰਮਾਣ ਪੱਤਰ");
      expect(text).toContain("प्रमाण पत्र");
      expect(text).toContain("LDH-K7M3-PQ7X");
      expect(text).toContain("Government of Punjab — Sewa");

      const info = execFileSync("pdfinfo", ["-isodates", file], {
        encoding: "utf8",
        env: { ...process.env, TZ: "UTC" },
      });
      expect(info).toMatch(/^Title:\s+ਪ੍ਰਮਾਣ ਪੱਤਰ \/ प्रमाण पत्र \/ Certificate$/m);
      expect(info).toMatch(/^Author:\s+Government of Punjab — Sewa$/m);
      expect(info).toMatch(/^CreationDate:\s+2026-12-11T04:30:00(Z|\+00)/m);
      expect(info).toMatch(/^Page size:\s+595\.28 x 841\.89 pts \(A4\)$/m);

      // A person looks at this picture (C-16: conjuncts joined, no gaps).
      const png = toPng(file, 100);
      mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
      writeFileSync(SCREENSHOT, readFileSync(png));
      const { width, height } = PNG.sync.read(readFileSync(png));
      expect([width, height]).toEqual([827, 1170]); // A4, 595.28 x 841.89 pt at 100 dpi, rounded up
    },
  );

  it.skipIf(NO_POPPLER)("C-17: the QR code scans back to the exact ASCII payload", async () => {
    const file = writePdf("c17", await renderDocument(certificate));
    expect(decodeQr(toPng(file, 100))).toBe("https://sewa.punjab.gov.in/verify?t=abc.DEF_123-xyz");
  });

  it("C-17: a Gurmukhi QR payload is refused with RangeError", async () => {
    await expect(renderDocument({ ...certificate, qrPayload: "ਪ੍ਰਮਾਣ ਪੱਤਰ" })).rejects.toThrow(
      RangeError,
    );
    await expect(
      renderDocument({ ...certificate, qrPayload: "https://sewa.punjab.gov.in/verify?name=ਕੌਰ" }),
    ).rejects.toThrow(RangeError);
  });

  it("refuses a document with no language", async () => {
    await expect(renderDocument({ ...certificate, languages: [] })).rejects.toThrow(RangeError);
  });

  it("flows long text onto further pages", async () => {
    const long = Array.from(
      { length: 40 },
      (_, i) => `ਪੈਰਾ ${i + 1}. ${"The designated officer shall deliver the service. ".repeat(5)}`,
    );
    const pdf = await renderDocument({ ...certificate, paragraphs: long });
    const pages = pdf.toString("latin1").match(/\/Type \/Page\b/g) ?? [];
    expect(pages.length).toBeGreaterThan(1);
  });
});

describe("renderOrderPdf", () => {
  const order = {
    orderNumber: "AA/LDH/2026/0042",
    date: "2026-12-11",
    authority: {
      name: "Harpreet Sandhu",
      designation: "Additional Deputy Commissioner (General), Ludhiana",
    },
    applicationReference: "LDH-K7M3-PQ7X",
    heading: { en: "Order on first appeal", pa: "ਪਹਿਲੀ ਅਪੀਲ ਉੱਤੇ ਹੁਕਮ" },
    body: [
      "The appeal is allowed. The designated officer shall deliver the service within 7 working days.",
    ],
    verifyUrl: "https://sewa.punjab.gov.in/verify?t=ord.42",
    createdAt: Temporal.Instant.from("2026-12-11T06:00:00Z"),
  };

  it("returns a complete PDF file", async () => {
    const pdf = await renderOrderPdf(order);
    expect(pdf.subarray(0, 5).toString("latin1")).toBe("%PDF-");
    expect(pdf.subarray(-6).toString("latin1").trimEnd()).toBe("%%EOF");
    expect(fontNames(pdf)).toContain("NotoSansGurmukhi-Bold");
  });

  it.skipIf(NO_POPPLER)(
    "shows the order number, date, reference and authority as text",
    async () => {
      const text = toText(writePdf("order", await renderOrderPdf(order)));
      expect(text).toContain("AA/LDH/2026/0042");
      expect(text).toContain("LDH-K7M3-PQ7X");
      expect(text).toContain("11 December 2026");
      expect(text).toContain("Harpreet Sandhu");
      expect(text).toContain("Order on first appeal");
    },
  );

  it.skipIf(NO_POPPLER)("draws the verification URL as a QR code that scans back", async () => {
    const file = writePdf("order-qr", await renderOrderPdf(order));
    expect(decodeQr(toPng(file, 100))).toBe("https://sewa.punjab.gov.in/verify?t=ord.42");
  });

  it("refuses a bad date or a non-ASCII verification URL", async () => {
    await expect(renderOrderPdf({ ...order, date: "2026-13-01" })).rejects.toThrow(RangeError);
    await expect(renderOrderPdf({ ...order, verifyUrl: "https://x/ਕ" })).rejects.toThrow(
      RangeError,
    );
  });
});
