/**
 * The Sewa Kendra audit report as a file: XLSX (exceljs, as the monitoring
 * exports) and PDF (pdfkit with the full Noto Sans TrueType fonts of
 * src/documents/pdf.ts, each string split into runs by script so Gurmukhi
 * and Devanagari shape correctly). Both carry the same figures as the page
 * (service.ts `buildReport`), the scope, the period, the generation time, a
 * "simulated data" banner when `simulation_runs` has rows, and a "How each
 * metric is computed" section (PDF) / sheet (XLSX) generated from the metric
 * definitions of metrics.ts and their formulas in the locale catalogs.
 *
 * XLSX sheets: `Report` (about, then one row per metric: group, key, name,
 * value, unit), `Rows` (per district or centre), `Rankings`, `Services`,
 * `Waiting times`, `Feedback`, `How computed`. Money is in rupees (paise ÷
 * 100), numbers stay numbers, text passes the formula-injection guard.
 *
 * @module
 */
import ExcelJS from "exceljs";
import PDFDocument from "pdfkit";
import { safeCell } from "../../common/csv-export.ts";
import {
  DOCUMENT_AUTHOR,
  FONT_FILES,
  type FontScript,
  splitByScript,
} from "../../documents/pdf.ts";
import {
  DOORSTEP_METRICS,
  type Figures,
  METRIC_GROUPS,
  METRICS,
  type MetricDefinition,
  type Unit,
  WAIT_BUCKETS,
} from "./metrics.ts";
import { LOW_FOOTFALL_SHARE, MIN_DECISIONS, REPEATED_MISMATCHES } from "./rules.ts";
import type { AuditReport, Lang } from "./service.ts";

/** A translation function (i18next's `t`). */
export type Translate = (key: string, options?: Record<string, unknown>) => string;

/** The outlier flags, in display order. */
export const FLAGS = [
  "lowFootfall",
  "unusualRejection",
  "unusualSendBack",
  "repeatedMismatch",
] as const;

const LOCALE: Record<Lang, string> = { en: "en-IN", pa: "pa-IN", hi: "hi-IN" };

/** Metrics whose value is money owed to the operator: "not configured" without a rate. */
const COST_KEYS = new Set([
  "operatorPaymentPaise",
  "costPerApplicationPaise",
  "costPerCitizenPaise",
]);

/**
 * A metric value as text in `lang`: counts with Indian grouping, minutes and
 * scores to their decimals, percentages with " %", paise as rupees; null as
 * "not configured" for the money metrics when no rate is set, else "—".
 */
export function formatValue(
  key: string,
  unit: Unit,
  v: number | null,
  lang: Lang,
  t: Translate,
  configured: boolean,
): string {
  if (v === null) return COST_KEYS.has(key) && !configured ? t("kaudit.notConfigured") : "—";
  const nf = (d: number) =>
    new Intl.NumberFormat(LOCALE[lang], { maximumFractionDigits: d, minimumFractionDigits: 0 });
  switch (unit) {
    case "percent":
      return `${nf(1).format(v)} %`;
    case "minutes":
      return t("kaudit.minutesValue", { n: nf(1).format(v) });
    case "score":
    case "ratio":
      return nf(2).format(v);
    case "paise":
      return new Intl.NumberFormat(LOCALE[lang], {
        style: "currency",
        currency: "INR",
        minimumFractionDigits: 2,
      }).format(v / 100);
    default:
      return nf(0).format(v);
  }
}

/** A metric value for a spreadsheet cell: a number (rupees for paise) or null. */
function cellValue(unit: Unit, v: number | null): number | null {
  if (v === null) return null;
  return unit === "paise" ? v / 100 : v;
}

const metricValue = (r: AuditReport, m: MetricDefinition): number | null =>
  m.key in r.total
    ? (r.total[m.key as keyof Figures] as number | null)
    : (r.doorstep[m.key as keyof AuditReport["doorstep"]] as number | null);

/** The "about" lines shared by both formats: label and value. */
function about(r: AuditReport, t: Translate, lang: Lang): Array<[string, string]> {
  const when = new Intl.DateTimeFormat(LOCALE[lang], {
    dateStyle: "medium",
    timeStyle: "short",
    timeZone: "Asia/Kolkata",
  }).format(new Date(r.generatedAt));
  return [
    [t("kaudit.scopeLabel"), r.scopeName],
    [t("kaudit.periodLabel"), t("kaudit.periodValue", { from: r.period.from, to: r.period.to })],
    [t("kaudit.generatedAt"), `${when} IST`],
    [t("kaudit.targetLabel"), t("kaudit.minutesValue", { n: r.targetMinutes })],
    [
      t("kaudit.paymentLabel"),
      r.paymentPerTransactionPaise === null
        ? t("kaudit.notConfigured")
        : formatValue("rate", "paise", r.paymentPerTransactionPaise, lang, t, true),
    ],
  ];
}

/** The outlier rules as sentences, with their thresholds. */
export function ruleTexts(t: Translate): Array<[string, string]> {
  return FLAGS.map((f) => [
    t(`kaudit.flag.${f}`),
    t(`kaudit.rule.${f}`, {
      share: LOW_FOOTFALL_SHARE * 100,
      min: MIN_DECISIONS,
      n: REPEATED_MISMATCHES,
    }),
  ]);
}

function sheetOf(wb: ExcelJS.Workbook, name: string, header: string[], widths: number[]) {
  const ws = wb.addWorksheet(name);
  ws.addRow(header.map(safeCell));
  ws.getRow(1).font = { bold: true };
  ws.columns.forEach((c, i) => {
    c.width = widths[i] ?? 14;
  });
  return ws;
}

/** The report as an XLSX workbook (bytes). */
export async function reportXlsx(r: AuditReport, t: Translate, lang: Lang): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = "Sewa";
  const configured = r.paymentPerTransactionPaise !== null;
  const unitText = (u: Unit) => t(`kaudit.unit.${u}`);

  const main = wb.addWorksheet("Report");
  main.columns = [{ width: 22 }, { width: 28 }, { width: 44 }, { width: 18 }, { width: 14 }];
  main.addRow([t("kaudit.title")]).font = { bold: true, size: 14 };
  if (r.simulated)
    main.addRow([t("kaudit.simulated")]).font = { bold: true, color: { argb: "FFD4351C" } };
  for (const [label, value] of about(r, t, lang)) main.addRow([safeCell(label), safeCell(value)]);
  main.addRow([]);
  const head = main.addRow([
    t("kaudit.groupHeader"),
    t("kaudit.keyHeader"),
    t("kaudit.metricHeader"),
    t("kaudit.valueHeader"),
    t("kaudit.unitHeader"),
  ]);
  head.font = { bold: true };
  for (const g of [...METRIC_GROUPS, { group: "doorstep", metrics: DOORSTEP_METRICS }]) {
    for (const m of g.metrics) {
      const v = metricValue(r, m);
      main.addRow([
        t(`kaudit.group.${g.group}`),
        m.key,
        t(`kaudit.metric.${m.key}`),
        v === null
          ? COST_KEYS.has(m.key) && !configured
            ? t("kaudit.notConfigured")
            : null
          : cellValue(m.unit, v),
        unitText(m.unit),
      ]);
    }
  }
  main.addRow([]);
  r.ratings.forEach((n, i) => {
    main.addRow([
      t("kaudit.group.feedback"),
      `rating${i + 1}`,
      t("kaudit.ratingN", { n: i + 1 }),
      n,
      unitText("count"),
    ]);
  });

  const perRow = METRIC_GROUPS.flatMap((g) => g.metrics);
  const rowsSheet = sheetOf(
    wb,
    r.rowLevel === "district" ? "By district" : "By centre",
    [
      t(`kaudit.rowLevel.${r.rowLevel}`),
      t("kaudit.keyHeader"),
      ...perRow.map((m) => t(`kaudit.metric.${m.key}`)),
      t("kaudit.flagsHeader"),
    ],
    [36, 14],
  );
  for (const row of r.rows) {
    rowsSheet.addRow([
      safeCell(row.name),
      safeCell(row.key),
      ...perRow.map((m) => cellValue(m.unit, row.figures[m.key as keyof Figures] as number | null)),
      safeCell(row.flags.map((f) => t(`kaudit.flag.${f}`)).join("; ")),
    ]);
  }
  const totalRow = rowsSheet.addRow([
    t("kaudit.total"),
    "total",
    ...perRow.map((m) => cellValue(m.unit, r.total[m.key as keyof Figures] as number | null)),
    "",
  ]);
  totalRow.font = { bold: true };

  const ranking = sheetOf(
    wb,
    "Rankings",
    [
      t("kaudit.rank"),
      t("kaudit.keyHeader"),
      t("kaudit.rowLevel.kendra"),
      t("kaudit.district"),
      t("kaudit.metric.footfallPerCounterDay"),
      t("kaudit.metric.waitMedianMinutes"),
      t("kaudit.metric.meanScore"),
      t("kaudit.metric.rejectionPercent"),
      t("kaudit.metric.sendBackPercent"),
      t("kaudit.metric.mismatches"),
      t("kaudit.flagsHeader"),
    ],
    [8, 14, 40, 20],
  );
  for (const c of r.ranking) {
    ranking.addRow([
      c.rank,
      safeCell(c.code),
      safeCell(c.name),
      safeCell(c.districtName),
      c.footfallPerCounterDay,
      c.waitMedianMinutes,
      c.meanScore,
      c.rejectionPercent,
      c.sendBackPercent,
      c.mismatches,
      safeCell(c.flags.map((f) => t(`kaudit.flag.${f}`)).join("; ")),
    ]);
  }

  const services = sheetOf(
    wb,
    "Services",
    [
      t("kaudit.service"),
      t("kaudit.metric.filed"),
      t("kaudit.metric.disposed"),
      t("kaudit.metric.disposedWithin"),
      t("kaudit.metric.rejected"),
      t("kaudit.metric.rejectionPercent"),
      t("kaudit.metric.sentBack"),
      t("kaudit.metric.sendBackPercent"),
    ],
    [60],
  );
  for (const s of r.services)
    services.addRow([
      safeCell(s.name[lang]),
      s.filed,
      s.disposed,
      s.disposedWithin,
      s.rejected,
      s.rejectionPercent,
      s.sentBack,
      s.sendBackPercent,
    ]);

  const waits = sheetOf(
    wb,
    "Waiting times",
    [t("kaudit.waitBucket"), t("kaudit.metric.called")],
    [20],
  );
  WAIT_BUCKETS.forEach((b, i) => {
    waits.addRow([b.key, r.waitBuckets[i]]);
  });

  const fb = sheetOf(
    wb,
    "Feedback",
    [t("kaudit.rating"), t("kaudit.metric.responses")],
    [12, 14, 60, 22],
  );
  r.ratings.forEach((n, i) => {
    fb.addRow([i + 1, n]);
  });
  fb.addRow([]);
  fb.addRow([
    t("kaudit.rowLevel.kendra"),
    t("kaudit.rating"),
    t("kaudit.comment"),
    t("kaudit.answeredAt"),
  ]).font = { bold: true };
  for (const c of r.comments)
    fb.addRow([safeCell(c.kendraCode), c.rating, safeCell(c.comment), safeCell(c.at)]);

  const how = sheetOf(
    wb,
    "How computed",
    [
      t("kaudit.keyHeader"),
      t("kaudit.metricHeader"),
      t("kaudit.unitHeader"),
      t("kaudit.formula"),
      t("kaudit.sources"),
    ],
    [26, 40, 12, 90, 40],
  );
  for (const m of METRICS)
    how.addRow([
      m.key,
      safeCell(t(`kaudit.metric.${m.key}`)),
      unitText(m.unit),
      safeCell(t(`kaudit.def.${m.key}`)),
      m.sources.join(", "),
    ]);
  how.addRow([]);
  for (const [name, rule] of ruleTexts(t))
    how.addRow(["", safeCell(name), "", safeCell(rule), "kendras"]);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

// ------------------------------------------------------------------ PDF

type Pdf = PDFKit.PDFDocument;
const MARGIN = 40;
const ASCENT = 1.069;
const TEXT = "#111111";
const MUTED = "#505a5f";
const BAND = "#0b3d64";

function fontName(script: FontScript, bold: boolean): string {
  return `${script}-${bold ? "bold" : "regular"}`;
}

type Style = { size?: number; bold?: boolean; colour?: string };

/** Width of mixed-script text in the current size. */
function widthOf(pdf: Pdf, text: string, style: Style): number {
  let w = 0;
  for (const run of splitByScript(text)) {
    pdf.font(fontName(run.script, style.bold ?? false)).fontSize(style.size ?? 9);
    w += pdf.widthOfString(run.text);
  }
  return w;
}

/** Cuts text to fit `width`, with an ellipsis. */
function fitText(pdf: Pdf, text: string, width: number, style: Style): string {
  if (widthOf(pdf, text, style) <= width) return text;
  const chars = [...text];
  let lo = 0;
  let hi = chars.length;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (widthOf(pdf, `${chars.slice(0, mid).join("")}…`, style) <= width) lo = mid;
    else hi = mid - 1;
  }
  return `${chars.slice(0, lo).join("")}…`;
}

/** Draws one line of mixed-script text at (x, y) without wrapping. */
function line(
  pdf: Pdf,
  text: string,
  x: number,
  y: number,
  style: Style,
  align: "left" | "right" = "left",
  width = 0,
): void {
  const size = style.size ?? 9;
  const runs = splitByScript(text);
  if (runs.length === 0) return;
  let cx = align === "right" ? x + width - widthOf(pdf, text, style) : x;
  pdf.fillColor(style.colour ?? TEXT);
  for (const run of runs) {
    pdf.font(fontName(run.script, style.bold ?? false)).fontSize(size);
    pdf.text(run.text, cx, y, {
      lineBreak: false,
      baseline: -ASCENT * size,
    } as PDFKit.Mixins.TextOptions);
    cx += pdf.widthOfString(run.text);
  }
}

/** Draws wrapped mixed-script text (each run on its own flow; one script per paragraph wraps best). */
function paragraph(
  pdf: Pdf,
  text: string,
  x: number,
  y: number,
  width: number,
  style: Style,
): number {
  const size = style.size ?? 9;
  const runs = splitByScript(text);
  pdf.fillColor(style.colour ?? TEXT);
  runs.forEach((run, i) => {
    pdf.font(fontName(run.script, style.bold ?? false)).fontSize(size);
    const options = { width, continued: i < runs.length - 1, lineGap: 2 };
    if (i === 0) pdf.text(run.text, x, y, options);
    else pdf.text(run.text, options);
  });
  return pdf.y;
}

class Layout {
  readonly pdf: Pdf;
  y = MARGIN;
  readonly width: number;
  readonly bottom: number;
  constructor(pdf: Pdf) {
    this.pdf = pdf;
    this.width = pdf.page.width - 2 * MARGIN;
    this.bottom = pdf.page.height - MARGIN - 14;
    this.y = MARGIN + 30;
  }
  ensure(h: number): void {
    if (this.y + h > this.bottom) {
      this.pdf.addPage();
      this.y = MARGIN + 30;
    }
  }
  heading(text: string, size = 13): void {
    this.ensure(size * 3);
    this.y += 6;
    line(this.pdf, text, MARGIN, this.y, { size, bold: true });
    this.y += size * 1.6;
  }
  text(text: string, style: Style = {}): void {
    this.ensure(30);
    this.y = paragraph(this.pdf, text, MARGIN, this.y, this.width, style) + 3;
  }
  /** A table: each column a share of the width; the first column left-aligned, the others right-aligned. */
  table(
    header: string[],
    body: string[][],
    shares: number[],
    opts: { boldLast?: boolean } = {},
  ): void {
    const total = shares.reduce((a, b) => a + b, 0);
    const widths = shares.map((s) => (s / total) * this.width);
    const rowH = 13;
    const drawRow = (cells: string[], style: Style) => {
      let x = MARGIN;
      cells.forEach((c, i) => {
        const w = widths[i] - 4;
        const textFit = fitText(this.pdf, c, w, style);
        line(this.pdf, textFit, x + 2, this.y + 2, style, i === 0 ? "left" : "right", w);
        x += widths[i];
      });
      this.y += rowH;
      this.pdf
        .moveTo(MARGIN, this.y)
        .lineTo(MARGIN + this.width, this.y)
        .lineWidth(0.3)
        .stroke("#b1b4b6");
    };
    const head = () => drawRow(header, { size: 7.5, bold: true, colour: MUTED });
    this.ensure(rowH * 3);
    head();
    body.forEach((cells, i) => {
      if (this.y + rowH > this.bottom) {
        this.pdf.addPage();
        this.y = MARGIN + 30;
        head();
      }
      drawRow(cells, { size: 8, bold: opts.boldLast === true && i === body.length - 1 });
    });
    this.y += 8;
  }
}

/** The report as a PDF (A4 landscape), in the reader's language. */
export async function reportPdf(r: AuditReport, t: Translate, lang: Lang): Promise<Buffer> {
  const pdf = new PDFDocument({
    size: "A4",
    layout: "landscape",
    margin: MARGIN,
    bufferPages: true,
    autoFirstPage: false,
    lang: LOCALE[lang],
    displayTitle: true,
    info: {
      Title: `${t("kaudit.title")} — ${r.scopeName} — ${r.period.from}/${r.period.to}`,
      Author: DOCUMENT_AUTHOR,
      Creator: "Sewa",
      CreationDate: new Date(r.generatedAt),
    },
  });
  const chunks: Buffer[] = [];
  pdf.on("data", (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    pdf.on("end", () => resolve(Buffer.concat(chunks)));
    pdf.on("error", reject);
  });
  for (const script of Object.keys(FONT_FILES) as FontScript[]) {
    pdf.registerFont(fontName(script, false), FONT_FILES[script].regular);
    pdf.registerFont(fontName(script, true), FONT_FILES[script].bold);
  }
  // Text that wraps onto a new page starts below the header band.
  pdf.on("pageAdded", () => {
    pdf.x = MARGIN;
    pdf.y = MARGIN + 30;
  });
  pdf.addPage();
  const L = new Layout(pdf);
  const configured = r.paymentPerTransactionPaise !== null;
  const fv = (m: MetricDefinition, v: number | null) =>
    formatValue(m.key, m.unit, v, lang, t, configured);

  line(pdf, t("kaudit.title"), MARGIN, L.y, { size: 18, bold: true });
  L.y += 28;
  if (r.simulated) {
    pdf.rect(MARGIN, L.y, L.width, 20).fill("#d4351c");
    line(pdf, t("kaudit.simulated"), MARGIN + 8, L.y + 5, {
      size: 10,
      bold: true,
      colour: "#ffffff",
    });
    L.y += 28;
  }
  for (const [label, value] of about(r, t, lang)) {
    line(pdf, label, MARGIN, L.y, { size: 9, bold: true, colour: MUTED });
    line(pdf, value, MARGIN + 190, L.y, { size: 9 });
    L.y += 14;
  }
  L.y += 6;

  L.heading(t("kaudit.summary"));
  const summary: string[][] = [];
  for (const g of [...METRIC_GROUPS, { group: "doorstep", metrics: DOORSTEP_METRICS }]) {
    for (const m of g.metrics)
      summary.push([
        `${t(`kaudit.group.${g.group}`)} · ${t(`kaudit.metric.${m.key}`)}`,
        fv(m, metricValue(r, m)),
      ]);
  }
  L.table([t("kaudit.metricHeader"), t("kaudit.valueHeader")], summary, [5, 1.4]);
  L.text(t("kaudit.doorstepArea"), { size: 8, colour: MUTED });

  for (const g of METRIC_GROUPS) {
    L.heading(`${t(`kaudit.group.${g.group}`)} — ${t(`kaudit.byRowLevel.${r.rowLevel}`)}`, 11);
    const body = r.rows.map((row) => [
      row.name,
      ...g.metrics.map((m) => fv(m, row.figures[m.key as keyof Figures] as number | null)),
    ]);
    body.push([
      t("kaudit.total"),
      ...g.metrics.map((m) => fv(m, r.total[m.key as keyof Figures] as number | null)),
    ]);
    L.table(
      [t(`kaudit.rowLevel.${r.rowLevel}`), ...g.metrics.map((m) => t(`kaudit.metric.${m.key}`))],
      body,
      [3, ...g.metrics.map(() => 1)],
      { boldLast: true },
    );
  }

  L.heading(t("kaudit.ranking"));
  L.text(t("kaudit.rankingIntro", { peers: r.peerName, median: r.peerMedian ?? "—" }), {
    size: 8,
    colour: MUTED,
  });
  L.table(
    [
      t("kaudit.rank"),
      t("kaudit.rowLevel.kendra"),
      t("kaudit.metric.footfallPerCounterDay"),
      t("kaudit.metric.waitMedianMinutes"),
      t("kaudit.metric.meanScore"),
      t("kaudit.metric.rejectionPercent"),
      t("kaudit.metric.sendBackPercent"),
      t("kaudit.metric.mismatches"),
      t("kaudit.flagsHeader"),
    ],
    r.ranking.map((c) => [
      String(c.rank),
      `${c.name} (${c.code})`,
      formatValue("", "ratio", c.footfallPerCounterDay, lang, t, true),
      formatValue("", "minutes", c.waitMedianMinutes, lang, t, true),
      formatValue("", "score", c.meanScore, lang, t, true),
      formatValue("", "percent", c.rejectionPercent, lang, t, true),
      formatValue("", "percent", c.sendBackPercent, lang, t, true),
      formatValue("", "count", c.mismatches, lang, t, true),
      c.flags.map((f) => t(`kaudit.flag.${f}`)).join(", "),
    ]),
    [0.5, 3.2, 1, 1, 0.8, 1, 1, 0.8, 2.6],
  );

  L.heading(t("kaudit.services"));
  L.table(
    [
      t("kaudit.service"),
      t("kaudit.metric.filed"),
      t("kaudit.metric.disposedWithin"),
      t("kaudit.metric.rejectionPercent"),
      t("kaudit.metric.sendBackPercent"),
    ],
    r.services.map((s) => [
      s.name[lang],
      formatValue("", "count", s.filed, lang, t, true),
      formatValue("", "count", s.disposedWithin, lang, t, true),
      formatValue("", "percent", s.rejectionPercent, lang, t, true),
      formatValue("", "percent", s.sendBackPercent, lang, t, true),
    ]),
    [5, 1, 1, 1, 1],
  );

  L.heading(t("kaudit.chart.wait"));
  L.table(
    [t("kaudit.waitBucket"), t("kaudit.metric.called")],
    WAIT_BUCKETS.map((b, i) => [
      t("kaudit.minutesValue", { n: b.key }),
      formatValue("", "count", r.waitBuckets[i], lang, t, true),
    ]),
    [2, 1],
  );
  L.heading(t("kaudit.chart.feedback"));
  L.table(
    [t("kaudit.rating"), t("kaudit.metric.responses")],
    r.ratings.map((n, i) => [
      t("kaudit.ratingN", { n: i + 1 }),
      formatValue("", "count", n, lang, t, true),
    ]),
    [2, 1],
  );
  L.heading(t("kaudit.comments"), 11);
  if (r.comments.length === 0) L.text(t("kaudit.noComments"));
  for (const c of r.comments)
    L.text(`${c.kendraCode} · ${c.rating ?? "—"}/5 · ${c.comment}`, { size: 9 });

  pdf.addPage();
  L.y = MARGIN + 30;
  L.heading(t("kaudit.howComputed"));
  for (const m of METRICS) {
    L.ensure(34);
    line(pdf, `${t(`kaudit.metric.${m.key}`)} (${m.key})`, MARGIN, L.y, { size: 9, bold: true });
    L.y += 13;
    L.text(`${t(`kaudit.def.${m.key}`)} ${t("kaudit.sources")}: ${m.sources.join(", ")}.`, {
      size: 8.5,
    });
  }
  L.heading(t("kaudit.outliers"), 11);
  for (const [name, rule] of ruleTexts(t)) {
    L.ensure(30);
    line(pdf, name, MARGIN, L.y, { size: 9, bold: true });
    L.y += 13;
    L.text(rule, { size: 8.5 });
  }

  // Header band and page numbers on every page.
  const range = pdf.bufferedPageRange();
  for (let i = range.start; i < range.start + range.count; i++) {
    pdf.switchToPage(i);
    const bottom = pdf.page.margins.bottom;
    pdf.page.margins.bottom = 0;
    pdf.rect(MARGIN, MARGIN - 18, pdf.page.width - 2 * MARGIN, 20).fill(BAND);
    line(pdf, DOCUMENT_AUTHOR, MARGIN + 8, MARGIN - 13, { size: 9, bold: true, colour: "#ffffff" });
    const footer = `${r.scopeName} · ${r.period.from} – ${r.period.to}${r.simulated ? ` · ${t("kaudit.simulated")}` : ""}`;
    line(
      pdf,
      fitText(pdf, footer, pdf.page.width - 2 * MARGIN - 60, { size: 7 }),
      MARGIN,
      pdf.page.height - MARGIN + 8,
      { size: 7, colour: MUTED },
    );
    line(
      pdf,
      `${i - range.start + 1} / ${range.count}`,
      MARGIN,
      pdf.page.height - MARGIN + 8,
      { size: 7, colour: MUTED },
      "right",
      pdf.page.width - 2 * MARGIN,
    );
    pdf.page.margins.bottom = bottom;
  }
  pdf.end();
  return done;
}
