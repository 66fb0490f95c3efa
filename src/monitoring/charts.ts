/**
 * Charts for the monitoring pages: Apache ECharts rendered on the server to
 * SVG (`ssr: true`, renderer `svg`, no animation), so they show without
 * JavaScript. Each page puts a data table beside every chart for screen
 * readers. The SVG is returned as a `data:` URI for an `<img alt="">`: the
 * pages' Content-Security-Policy (`style-src 'self'`) would drop the inline
 * `style` attributes ECharts writes into an inline SVG, but not inside an image.
 *
 * @module
 */
import * as echarts from "echarts";

/** Chart colours: GOV.UK blue, green and red (govuk-frontend colour palette). */
const BLUE = "#1d70b8";
const GREEN = "#00703c";
const RED = "#d4351c";

/**
 * Rendered charts by their exact input (options and size), most recent last.
 * A pure function's memo: the same input always gives the same SVG, so nodes
 * never disagree; it only saves the 5–30 ms an ECharts SSR render costs.
 */
const memo = new Map<string, string>();
const MEMO_SIZE = 256;

function render(option: echarts.EChartsOption, width: number, height: number): string {
  const key = JSON.stringify([option, width, height]);
  const hit = memo.get(key);
  if (hit !== undefined) {
    memo.delete(key);
    memo.set(key, hit);
    return hit;
  }
  const uri = draw(option, width, height);
  memo.set(key, uri);
  if (memo.size > MEMO_SIZE) memo.delete(memo.keys().next().value as string);
  return uri;
}

function draw(option: echarts.EChartsOption, width: number, height: number): string {
  const chart = echarts.init(null, null, { renderer: "svg", ssr: true, width, height });
  chart.setOption({ animation: false, textStyle: { fontFamily: "sans-serif" }, ...option });
  const svg = chart.renderToSVGString();
  chart.dispose();
  return `data:image/svg+xml;base64,${Buffer.from(svg).toString("base64")}`;
}

/**
 * Received and disposed per week: two lines. `labels` are the week starts
 * (YYYY-MM-DD); the legend texts are given in the page's language.
 */
export function weeklyChart(
  labels: string[],
  received: number[],
  disposed: number[],
  legend: { received: string; disposed: string },
): string {
  return render(
    {
      legend: { data: [legend.received, legend.disposed], top: 0 },
      grid: { left: 56, right: 16, top: 32, bottom: 40 },
      xAxis: { type: "category", data: labels },
      yAxis: { type: "value" },
      series: [
        { name: legend.received, type: "line", data: received, color: BLUE, showSymbol: false },
        { name: legend.disposed, type: "line", data: disposed, color: GREEN, showSymbol: false },
      ],
    },
    640,
    280,
  );
}

/** Pendency % per month: bars; null months are drawn empty. */
export function monthlyChart(labels: string[], percents: Array<number | null>): string {
  return render(
    {
      grid: { left: 48, right: 16, top: 16, bottom: 40 },
      xAxis: { type: "category", data: labels },
      yAxis: { type: "value", axisLabel: { formatter: "{value} %" } },
      series: [{ type: "bar", data: percents.map((p) => (p === null ? "-" : p)), color: RED }],
    },
    640,
    240,
  );
}

/** Overdue applications per ageing bucket: bars. */
export function ageingChart(labels: string[], counts: number[]): string {
  return render(
    {
      grid: { left: 56, right: 16, top: 16, bottom: 32 },
      xAxis: { type: "category", data: labels },
      yAxis: { type: "value" },
      series: [{ type: "bar", data: counts, color: RED }],
    },
    480,
    220,
  );
}
