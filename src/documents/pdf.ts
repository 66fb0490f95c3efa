/**
 * PDF documents (certificates, receipts, official orders) drawn with pdfkit.
 *
 * A small layer over pdfkit that every domain uses to print a document in
 * English, Punjabi (Gurmukhi) and Hindi (Devanagari):
 *
 * - Fonts: the **full** Noto Sans TrueType fonts shipped in `assets/fonts/`
 *   (SIL Open Font License 1.1; source and versions in its README). The
 *   `@fontsource` WOFF subsets used by the web pages are never used here:
 *   fontkit's Gurmukhi shaping crashes on them (ARCHITECTURE.md §2, "PDFs").
 *   pdfkit embeds only the glyphs a document uses.
 * - Scripts: every string is split into runs by Unicode script
 *   ({@link splitByScript}) and each run is drawn with the font of its script,
 *   so a heading like "ਪ੍ਰਮਾਣ ਪੱਤਰ / Certificate" shapes its conjuncts with
 *   Noto Sans Gurmukhi and its Latin with Noto Sans (case C-16).
 * - QR codes: drawn from a PNG made by the `qrcode` package. The payload must
 *   be printable ASCII, a short verification URL or token, never raw Gurmukhi
 *   or Devanagari text (case C-17; ARCHITECTURE.md §2, "QR and signatures").
 * - Page: A4 (ISO 216, 595.28 × 841.89 pt), 50 pt margins, a header band
 *   "Government of Punjab — Sewa" on every page, an optional footer line and
 *   "page i of n" in the bottom margin.
 *
 * Output is not byte-for-byte deterministic (pdfkit writes a random file ID);
 * the creation date is taken from the caller when given.
 */
import { fileURLToPath } from "node:url";
import PDFDocument from "pdfkit";
import QRCode from "qrcode";
import { Temporal } from "temporal-polyfill";

/** A language a document is written in: English, Punjabi, Hindi. */
export type DocumentLanguage = "en" | "pa" | "hi";

/** The scripts that have their own font; everything else is drawn in Latin's font (Noto Sans). */
export type FontScript = "latin" | "gurmukhi" | "devanagari";

/** A stretch of text drawn with one font. */
export type ScriptRun = { script: FontScript; text: string };

/** A person who signs or issues a document. */
export type Signatory = { name: string; designation: string };

/**
 * A document to print. Any string may mix Latin, Gurmukhi and Devanagari.
 *
 * - `languages`: the languages the document is written in, main one first
 *   (at least one); the first sets the PDF's `/Lang` (`en-IN`, `pa-IN`, `hi-IN`).
 * - `title`: the PDF metadata title; defaults to `heading`.
 * - `heading`, `subheading`: the large title lines under the header band.
 * - `facts`: label/value rows (reference number, name, dates …).
 * - `paragraphs`: body text, one entry per paragraph.
 * - `signatory`: printed right-aligned after the body.
 * - `footer`: a small line in the bottom margin of every page.
 * - `qrPayload`: printable ASCII only (a verification URL or token), drawn as a
 *   QR code with the payload written beside it.
 * - `serial`: a document serial number, printed in the header band.
 * - `createdAt`: the instant written as the PDF's CreationDate (default: now).
 */
export type SewaDocument = {
  languages: DocumentLanguage[];
  title?: string;
  heading: string;
  subheading?: string;
  facts: Array<{ label: string; value: string }>;
  paragraphs: string[];
  signatory?: Signatory;
  footer?: string;
  qrPayload?: string;
  serial?: string;
  createdAt?: Temporal.Instant;
};

/** The PDF `/Author` of every Sewa document. */
export const DOCUMENT_AUTHOR = "Government of Punjab — Sewa";

const FONT_DIR = fileURLToPath(new URL("../../assets/fonts/", import.meta.url));

/** Absolute paths of the shipped TTF files, by script and weight. */
export const FONT_FILES: Record<FontScript, { regular: string; bold: string }> = {
  latin: {
    regular: `${FONT_DIR}NotoSans-Regular.ttf`,
    bold: `${FONT_DIR}NotoSans-Bold.ttf`,
  },
  gurmukhi: {
    regular: `${FONT_DIR}NotoSansGurmukhi-Regular.ttf`,
    bold: `${FONT_DIR}NotoSansGurmukhi-Bold.ttf`,
  },
  devanagari: {
    regular: `${FONT_DIR}NotoSansDevanagari-Regular.ttf`,
    bold: `${FONT_DIR}NotoSansDevanagari-Bold.ttf`,
  },
};

const LANG_TAG: Record<DocumentLanguage, string> = {
  en: "en-IN",
  pa: "pa-IN",
  hi: "hi-IN",
};

// Layout, in PDF points (1/72 inch).
const MARGIN = 50;
const BAND_HEIGHT = 28;
const BAND_GAP = 18;
const QR_SIZE = 110;
const BAND_COLOUR = "#0b3d64";
const TEXT_COLOUR = "#111111";
const MUTED_COLOUR = "#444444";

// Both Gurmukhi and Devanagari use U+0964/U+0965 (danda, double danda), whose
// Script is Devanagari but whose Script_Extensions list both: treat as common.
const SHARED_INDIC = /^(?=\p{Script_Extensions=Gurmukhi})(?=\p{Script_Extensions=Devanagari})/u;
const GURMUKHI = /^\p{Script=Gurmukhi}$/u;
const DEVANAGARI = /^\p{Script=Devanagari}$/u;
// Spaces, digits, punctuation, symbols, ZWJ/ZWNJ and combining marks.
const COMMON = /^[\p{Script=Common}\p{Script=Inherited}]$/u;

function scriptOf(char: string): FontScript | null {
  if (SHARED_INDIC.test(char) || COMMON.test(char)) return null;
  if (GURMUKHI.test(char)) return "gurmukhi";
  if (DEVANAGARI.test(char)) return "devanagari";
  return "latin";
}

/**
 * Splits a string into runs of one font script, by the Unicode Script property
 * of each character (Unicode Standard Annex #24):
 * Gurmukhi → "gurmukhi", Devanagari → "devanagari", any other script (Latin,
 * and Greek or Cyrillic, which Noto Sans also covers) → "latin".
 * Characters of no particular script (Common and Inherited: spaces, digits,
 * punctuation, ZWJ/ZWNJ, combining marks, and the danda shared by Gurmukhi and
 * Devanagari) stay with the current run; at the start of the string they join
 * the first run that follows, and a string with no script at all is one
 * "latin" run. The runs concatenate back to the input exactly; the empty
 * string gives no runs.
 */
export function splitByScript(text: string): ScriptRun[] {
  const runs: ScriptRun[] = [];
  let pending = ""; // leading common characters, before any script is known
  for (const char of text) {
    const script = scriptOf(char);
    const last = runs.at(-1);
    if (script === null) {
      if (last) last.text += char;
      else pending += char;
    } else if (last && last.script === script) {
      last.text += char;
    } else {
      runs.push({ script, text: pending + char });
      pending = "";
    }
  }
  if (pending) runs.push({ script: "latin", text: pending });
  return runs;
}

/**
 * Refuses a QR payload that is not a non-empty string of printable ASCII
 * (U+0020 to U+007E), with a RangeError. Case C-17: the QR holds a
 * verification URL or token, never raw Gurmukhi or Devanagari text, so that
 * every scanner reads it back byte for byte.
 */
export function assertAsciiQrPayload(payload: string): void {
  if (payload.length === 0) {
    throw new RangeError("QR payload is empty");
  }
  const bad = /[^\x20-\x7e]/.exec(payload);
  if (bad) {
    throw new RangeError(
      `QR payload must be printable ASCII (a verification URL or token); found U+${bad[0].codePointAt(0)?.toString(16).toUpperCase().padStart(4, "0")} at index ${bad.index}`,
    );
  }
}

type Pdf = PDFKit.PDFDocument;
type RunOptions = {
  size: number;
  bold?: boolean;
  width: number;
  align?: "left" | "right" | "center";
  colour?: string;
  lineGap?: number;
};

function fontName(script: FontScript, bold: boolean | undefined): string {
  return `${script}-${bold ? "bold" : "regular"}`;
}

function registerFonts(pdf: Pdf): void {
  for (const script of Object.keys(FONT_FILES) as FontScript[]) {
    pdf.registerFont(fontName(script, false), FONT_FILES[script].regular);
    pdf.registerFont(fontName(script, true), FONT_FILES[script].bold);
  }
}

// Vertical metrics of the shipped fonts, in ems (hhea ascent/descent over
// unitsPerEm 1000): Noto Sans 1.069/0.293, Noto Sans Gurmukhi and Devanagari
// 0.896/0.408. Every run is set on one baseline at the tallest ascent, and
// every line is as deep as the tallest ascent plus the deepest descent, so that
// runs in different fonts line up and Indic vowel signs below the line (ੁ ੂ ्र)
// never touch the next line.
const ASCENT = 1.069;
const DESCENT = 0.408;

function lineHeight(o: RunOptions): number {
  return (ASCENT + DESCENT) * o.size + (o.lineGap ?? 2);
}

/** pdfkit options for one run: common baseline, uniform line height. */
function runOptions(pdf: Pdf, o: RunOptions, continued: boolean) {
  return {
    width: o.width,
    align: o.align ?? "left",
    baseline: -ASCENT * o.size,
    // pdfkit advances a line by the current font's own height plus lineGap.
    lineGap: lineHeight(o) - pdf.currentLineHeight(true),
    continued,
  };
}

/** Draws mixed-script text at (x, y), wrapped to `width`; leaves pdf.y below it. */
function writeRuns(pdf: Pdf, text: string, x: number, y: number, o: RunOptions): void {
  const runs = splitByScript(text);
  if (runs.length === 0) return;
  pdf.fillColor(o.colour ?? TEXT_COLOUR);
  runs.forEach((run, i) => {
    pdf.font(fontName(run.script, o.bold)).fontSize(o.size);
    const options = runOptions(pdf, o, i < runs.length - 1);
    if (i === 0) pdf.text(run.text, x, y, options);
    else pdf.text(run.text, options);
  });
}

/** A height that mixed-script text will not exceed (each run measured as if on lines of its own). */
function measureRuns(pdf: Pdf, text: string, o: RunOptions): number {
  let lines = 0;
  for (const run of splitByScript(text)) {
    pdf.font(fontName(run.script, o.bold)).fontSize(o.size);
    const options = runOptions(pdf, o, false);
    const height = pdf.heightOfString(run.text, options);
    lines += Math.max(1, Math.round(height / (pdf.currentLineHeight(true) + options.lineGap)));
  }
  return lines * lineHeight(o);
}

function contentTop(): number {
  return MARGIN + BAND_HEIGHT + BAND_GAP;
}

/** Starts a new page when `height` points do not fit below pdf.y. */
function ensureSpace(pdf: Pdf, height: number): void {
  const bottom = pdf.page.height - pdf.page.margins.bottom;
  if (pdf.y + height > bottom && pdf.y > contentTop()) pdf.addPage();
}

function drawHeaderAndFooter(pdf: Pdf, doc: SewaDocument): void {
  const range = pdf.bufferedPageRange();
  const width = pdf.page.width - 2 * MARGIN;
  for (let i = range.start; i < range.start + range.count; i++) {
    pdf.switchToPage(i);
    const { bottom } = pdf.page.margins;
    pdf.page.margins.bottom = 0; // draw inside the bottom margin without a page break
    pdf.rect(MARGIN, MARGIN, width, BAND_HEIGHT).fill(BAND_COLOUR);
    writeRuns(pdf, DOCUMENT_AUTHOR, MARGIN + 10, MARGIN + 7, {
      size: 10,
      bold: true,
      width: width - 20,
      colour: "#ffffff",
    });
    if (doc.serial) {
      writeRuns(pdf, `Serial ${doc.serial}`, MARGIN + 10, MARGIN + 8, {
        size: 9,
        width: width - 20,
        align: "right",
        colour: "#ffffff",
      });
    }
    const footerY = pdf.page.height - MARGIN + 12;
    const pageLabel = `${i - range.start + 1} / ${range.count}`;
    if (doc.footer) {
      writeRuns(pdf, doc.footer, MARGIN, footerY, {
        size: 8,
        width: width - 60,
        colour: MUTED_COLOUR,
      });
    }
    writeRuns(pdf, pageLabel, MARGIN, footerY, {
      size: 8,
      width,
      align: "right",
      colour: MUTED_COLOUR,
    });
    pdf.page.margins.bottom = bottom;
  }
}

async function drawQr(pdf: Pdf, payload: string, width: number): Promise<void> {
  const png = await QRCode.toBuffer(payload, {
    type: "png",
    errorCorrectionLevel: "M",
    margin: 4, // the quiet zone ISO/IEC 18004 requires, in modules
    scale: 8,
    color: { dark: "#000000", light: "#ffffff" },
  });
  ensureSpace(pdf, QR_SIZE + 10);
  const top = pdf.y + 10;
  pdf.image(png, MARGIN, top, { width: QR_SIZE, height: QR_SIZE });
  const textX = MARGIN + QR_SIZE + 12;
  const textWidth = width - QR_SIZE - 12;
  writeRuns(pdf, "Verify this document / ਇਸ ਦਸਤਾਵੇਜ਼ ਦੀ ਪੁਸ਼ਟੀ ਕਰੋ", textX, top + 12, {
    size: 10,
    bold: true,
    width: textWidth,
  });
  writeRuns(pdf, payload, textX, pdf.y + 4, {
    size: 9,
    width: textWidth,
    colour: MUTED_COLOUR,
  });
  pdf.x = MARGIN;
  pdf.y = Math.max(pdf.y, top + QR_SIZE);
}

/**
 * Renders a document to a PDF file in memory.
 *
 * Layout: A4, 50 pt margins, header band "Government of Punjab — Sewa" (and
 * the serial) on every page, then heading, subheading, the facts as a
 * two-column table, the paragraphs, the signatory, and the QR code; the footer
 * and page numbers go in the bottom margin. Metadata: Title (`title` or
 * `heading`), Author {@link DOCUMENT_AUTHOR}, CreationDate (`createdAt`),
 * Lang (first of `languages`).
 *
 * @returns the PDF bytes (starting `%PDF-`).
 * @throws RangeError when `languages` is empty or `qrPayload` is not printable
 *   ASCII (case C-17), before anything is drawn.
 */
export async function renderDocument(doc: SewaDocument): Promise<Buffer> {
  if (doc.languages.length === 0) {
    throw new RangeError("a document needs at least one language");
  }
  if (doc.qrPayload !== undefined) assertAsciiQrPayload(doc.qrPayload);

  const pdf = new PDFDocument({
    size: "A4",
    margin: MARGIN,
    bufferPages: true,
    autoFirstPage: false,
    lang: LANG_TAG[doc.languages[0]],
    displayTitle: true,
    info: {
      Title: doc.title ?? doc.heading,
      Author: DOCUMENT_AUTHOR,
      Creator: "Sewa",
      CreationDate: new Date((doc.createdAt ?? Temporal.Now.instant()).epochMilliseconds),
    },
  });
  const chunks: Buffer[] = [];
  pdf.on("data", (chunk: Buffer) => chunks.push(chunk));
  const finished = new Promise<Buffer>((resolve, reject) => {
    pdf.on("end", () => resolve(Buffer.concat(chunks)));
    pdf.on("error", reject);
  });

  registerFonts(pdf);
  // Keep the body below the header band on every page, including those that
  // pdfkit adds itself when text runs over.
  pdf.on("pageAdded", () => {
    pdf.x = MARGIN;
    pdf.y = contentTop();
  });
  pdf.addPage();

  const width = pdf.page.width - 2 * MARGIN;

  writeRuns(pdf, doc.heading, MARGIN, pdf.y, { size: 20, bold: true, width });
  if (doc.subheading) {
    writeRuns(pdf, doc.subheading, MARGIN, pdf.y + 2, { size: 13, width, colour: MUTED_COLOUR });
  }
  pdf.y += 14;

  if (doc.facts.length > 0) {
    const labelWidth = 170;
    const valueX = MARGIN + labelWidth + 10;
    const valueWidth = width - labelWidth - 10;
    const ruleY = () =>
      pdf
        .moveTo(MARGIN, pdf.y)
        .lineTo(MARGIN + width, pdf.y)
        .lineWidth(0.5)
        .stroke("#b1b4b6");
    ruleY();
    for (const fact of doc.facts) {
      const label = { size: 10, bold: true, width: labelWidth };
      const value = { size: 11, width: valueWidth };
      ensureSpace(
        pdf,
        Math.max(measureRuns(pdf, fact.label, label), measureRuns(pdf, fact.value, value)) + 10,
      );
      const rowY = pdf.y + 5;
      writeRuns(pdf, fact.label, MARGIN, rowY + 1, label);
      const labelBottom = pdf.y;
      writeRuns(pdf, fact.value, valueX, rowY, value);
      pdf.y = Math.max(labelBottom, pdf.y) + 4;
      ruleY();
    }
    pdf.y += 12;
  }

  for (const paragraph of doc.paragraphs) {
    ensureSpace(pdf, 30);
    writeRuns(pdf, paragraph, MARGIN, pdf.y, { size: 11, width, lineGap: 3 });
    pdf.y += 8;
  }

  if (doc.signatory) {
    // Keep the signature and the QR code together on one page.
    ensureSpace(pdf, 60 + (doc.qrPayload === undefined ? 0 : QR_SIZE + 10));
    writeRuns(pdf, doc.signatory.name, MARGIN, pdf.y + 24, {
      size: 11,
      bold: true,
      width,
      align: "right",
    });
    writeRuns(pdf, doc.signatory.designation, MARGIN, pdf.y, { size: 10, width, align: "right" });
    pdf.y += 8;
  }

  if (doc.qrPayload !== undefined) await drawQr(pdf, doc.qrPayload, width);

  drawHeaderAndFooter(pdf, doc);
  pdf.end();
  return finished;
}

/**
 * An official order: an appellate authority's order on an appeal, a
 * designated officer's order, and the like.
 *
 * - `orderNumber`: the order's own number (also printed as the serial).
 * - `date`: the date of the order, a calendar date `YYYY-MM-DD`, printed as a
 *   plain date ("11 December 2026"), with no time zone arithmetic.
 * - `authority`: who passed the order.
 * - `applicationReference`: the reference number of the application concerned.
 * - `heading`: the order's title in English and Punjabi.
 * - `body`: the paragraphs of the order.
 * - `verifyUrl`: a printable-ASCII verification URL, drawn as a QR code.
 * - `createdAt`: the instant written as the PDF's CreationDate.
 */
export type OrderDocument = {
  orderNumber: string;
  date: string;
  authority: Signatory;
  applicationReference: string;
  heading: { en: string; pa: string };
  body: string[];
  verifyUrl?: string;
  createdAt?: Temporal.Instant;
};

/**
 * Formats a calendar date `YYYY-MM-DD` as "11 December 2026" (en-IN).
 * @throws RangeError when the string is not a valid ISO 8601 calendar date.
 */
export function formatPlainDate(date: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) {
    throw new RangeError(`expected a date as YYYY-MM-DD, got ${JSON.stringify(date)}`);
  }
  const plain = Temporal.PlainDate.from(date, { overflow: "reject" });
  return plain.toLocaleString("en-IN", { day: "numeric", month: "long", year: "numeric" });
}

/**
 * Renders an official order (see {@link OrderDocument}) as a PDF: Punjabi
 * heading with the English one under it (Punjabi is the State's official
 * language: Punjab Official Language Act, 1967), the order number, date,
 * application reference and issuing authority as facts, the body, the
 * authority as signatory, and the verification QR code when `verifyUrl` is
 * given. The labels are bilingual (English / Punjabi).
 *
 * @returns the PDF bytes.
 * @throws RangeError (as a rejected promise) for a date that is not
 *   `YYYY-MM-DD` or a non-ASCII `verifyUrl`.
 */
export async function renderOrderPdf(order: OrderDocument): Promise<Buffer> {
  const date = formatPlainDate(order.date);
  return renderDocument({
    languages: ["pa", "en"],
    title: `${order.heading.en} — ${order.orderNumber}`,
    heading: order.heading.pa,
    subheading: order.heading.en,
    facts: [
      { label: "Order No. / ਹੁਕਮ ਨੰਬਰ", value: order.orderNumber },
      { label: "Date / ਮਿਤੀ", value: date },
      { label: "Application reference / ਹਵਾਲਾ ਨੰਬਰ", value: order.applicationReference },
      {
        label: "Issued by / ਜਾਰੀ ਕਰਤਾ",
        value: `${order.authority.name}, ${order.authority.designation}`,
      },
    ],
    paragraphs: order.body,
    signatory: order.authority,
    footer: `Order ${order.orderNumber} · application ${order.applicationReference}`,
    qrPayload: order.verifyUrl,
    serial: order.orderNumber,
    createdAt: order.createdAt,
  });
}
