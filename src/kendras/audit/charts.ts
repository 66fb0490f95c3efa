/**
 * Charts of the Sewa Kendra audit, drawn on the server to SVG with Apache
 * ECharts (`ssr: true`, renderer `svg`, no animation), as the monitoring
 * pages do (src/monitoring/charts.ts): they show without JavaScript. Each
 * SVG carries a `<title>` and `<desc>` (role `img`), and is returned as a
 * `data:` URI for an `<img>` whose `alt` repeats the title, because the
 * pages' Content-Security-Policy drops the inline styles ECharts writes
 * into an inline SVG. The page puts a data table beside every chart.
 *
 * @module
 */
import * as echarts from "echarts";

const BLUE = "#1d70b8";
const GREEN = "#00703c";
const ORANGE = "#f47738";

const xmlEscape = (s: string) =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** Renders an ECharts option to an SVG `data:` URI with a title and a description. */
function render(
  option: echarts.EChartsOption,
  width: number,
  height: number,
  text: { title: string; desc: string },
): string {
  const chart = echarts.init(null, null, { renderer: "svg", ssr: true, width, height });
  chart.setOption({ animation: false, textStyle: { fontFamily: "sans-serif" }, ...option });
  const svg = chart
    .renderToSVGString()
    .replace(
      /<svg([^>]*)>/,
      `<svg$1 role="img" aria-labelledby="t d"><title id="t">${xmlEscape(text.title)}</title><desc id="d">${xmlEscape(text.desc)}</desc>`,
    );
  chart.dispose();
  return `data:image/svg+xml;base64,${Buffer.from(svg).toString("base64")}`;
}

/** Bars of called tokens per waiting-time bucket; the buckets at or under the target in green. */
export function waitChart(
  labels: string[],
  counts: number[],
  withinTarget: boolean[],
  text: { title: string; desc: string },
): string {
  return render(
    {
      grid: { left: 56, right: 16, top: 16, bottom: 40 },
      xAxis: { type: "category", data: labels },
      yAxis: { type: "value" },
      series: [
        {
          type: "bar",
          data: counts.map((value, i) => ({
            value,
            itemStyle: { color: withinTarget[i] ? GREEN : ORANGE },
          })),
        },
      ],
    },
    560,
    240,
    text,
  );
}

/** Horizontal bars of footfall per centre or district (at most 30, as given). */
export function footfallChart(
  names: string[],
  counts: number[],
  text: { title: string; desc: string },
): string {
  const height = Math.max(160, 40 + names.length * 22);
  return render(
    {
      grid: { left: 180, right: 24, top: 8, bottom: 24 },
      xAxis: { type: "value" },
      yAxis: {
        type: "category",
        data: names.map((n) => (n.length > 28 ? `${n.slice(0, 27)}…` : n)),
        inverse: true,
      },
      series: [{ type: "bar", data: counts, color: BLUE }],
    },
    640,
    height,
    text,
  );
}

/** Bars of feedback ratings 1–5. */
export function feedbackChart(counts: number[], text: { title: string; desc: string }): string {
  return render(
    {
      grid: { left: 56, right: 16, top: 16, bottom: 32 },
      xAxis: { type: "category", data: ["1", "2", "3", "4", "5"] },
      yAxis: { type: "value" },
      series: [{ type: "bar", data: counts, color: BLUE }],
    },
    400,
    220,
    text,
  );
}
