/**
 * Tiny but valid attachments for the browser journeys, built in code (no
 * binary fixtures in the repository): a one-page PDF and a small PNG. The
 * portal judges file types by their content (case C-13), so these must be real
 * files, not just the right extension.
 *
 * @module
 */
import fs from "node:fs";
import path from "node:path";
import { deflateSync } from "node:zlib";

/**
 * A one-page PDF 1.4 with `text` written in Helvetica, with a correct
 * cross-reference table (byte offsets), so PDF readers open it without repair.
 *
 * @param text printable ASCII only (PDF string escapes for `(`, `)` and `\` are added).
 * @throws RangeError when `text` has characters outside printable ASCII.
 */
export function tinyPdf(text: string): Buffer {
  if (!/^[\x20-\x7e]*$/.test(text)) throw new RangeError("tinyPdf: printable ASCII only");
  const escaped = text.replace(/[()\\]/g, (c) => `\\${c}`);
  const stream = `BT /F1 14 Tf 20 50 Td (${escaped}) Tj ET`;
  const objects = [
    "<< /Type /Catalog /Pages 2 0 R >>",
    "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 100] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
    `<< /Length ${stream.length} >>\nstream\n${stream}\nendstream`,
    "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
  ];
  let body = "%PDF-1.4\n";
  const offsets: number[] = [];
  objects.forEach((o, i) => {
    offsets.push(body.length);
    body += `${i + 1} 0 obj\n${o}\nendobj\n`;
  });
  const xref = body.length;
  body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const off of offsets) body += `${String(off).padStart(10, "0")} 00000 n \n`;
  body += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(body, "latin1");
}

/**
 * A `width`×`height` PNG (8-bit RGB) filled with one colour.
 *
 * @param rgb the colour, three integers 0..255.
 * @throws RangeError when a size is not a positive integer up to 1000.
 */
export function tinyPng(width: number, height: number, rgb: [number, number, number]): Buffer {
  for (const n of [width, height])
    if (!Number.isInteger(n) || n < 1 || n > 1000) throw new RangeError(`bad PNG size ${n}`);
  const row = Buffer.alloc(1 + width * 3);
  for (let x = 0; x < width; x++) row.set(rgb, 1 + x * 3);
  const raw = Buffer.concat(Array.from({ length: height }, () => row));
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8); // bit depth 8, colour type 2 (RGB), default methods
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk("IHDR", header),
    pngChunk("IDAT", deflateSync(raw)),
    pngChunk("IEND", Buffer.alloc(0)),
  ]);
}

function pngChunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length, 0);
  const typeAndData = Buffer.concat([Buffer.from(type, "ascii"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typeAndData), 0);
  return Buffer.concat([length, typeAndData, crc]);
}

/** CRC-32 (ISO 3309, as PNG requires). */
function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

/**
 * Writes `bytes` as `dir/name` (the name kept exactly, e.g. in Gurmukhi) and
 * returns the path, for `setInputFiles`.
 */
export function writeFile(dir: string, name: string, bytes: Uint8Array): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, bytes);
  return file;
}
