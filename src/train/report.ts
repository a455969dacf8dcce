/**
 * DIR/report.html for any run folder (SFT, PPO, GRPO): the metrics of DIR/metrics.jsonl as line
 * charts in inline SVG, with the config beside them. One self-contained file, no scripts and no
 * external assets, so it opens anywhere (a CI artifact, a mail attachment).
 */
import { existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";

type Row = Record<string, unknown>;

/** Charts drawn first when their columns exist; each chart may overlay several columns. */
const FEATURED: { title: string; keys: string[] }[] = [
  { title: "Mean reward", keys: ["reward_mean"] },
  { title: "Patched vs vulnerable share", keys: ["patched_share", "vulnerable_share"] },
  { title: "KL to the reference (nats/token)", keys: ["kl"] },
  { title: "Loss", keys: ["train_loss", "loss", "val_loss", "validation_loss"] },
];

/** Columns that are bookkeeping, not curves. */
const SKIP = new Set(["step", "epochs", "time", "timestamp"]);

const COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd"];

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

function fmt(x: number): string {
  if (x === 0) return "0";
  const a = Math.abs(x);
  return a >= 1000 || a < 0.001 ? x.toExponential(2) : Number(x.toPrecision(3)).toString();
}

/** One line chart: x = step, one polyline per series, min/max labels on the y axis. */
export function lineChart(title: string, series: { name: string; points: [number, number][] }[]): string {
  const W = 420;
  const H = 200;
  const left = 52;
  const right = 10;
  const top = 24;
  const bottom = 28;
  const pts = series.flatMap((s) => s.points);
  if (pts.length === 0) return "";
  let [xMin, xMax] = [Math.min(...pts.map((p) => p[0])), Math.max(...pts.map((p) => p[0]))];
  let [yMin, yMax] = [Math.min(...pts.map((p) => p[1])), Math.max(...pts.map((p) => p[1]))];
  if (xMax === xMin) xMax = xMin + 1;
  if (yMax === yMin) [yMin, yMax] = [yMin - 0.5, yMax + 0.5];
  const sx = (x: number) => left + ((x - xMin) / (xMax - xMin)) * (W - left - right);
  const sy = (y: number) => top + (1 - (y - yMin) / (yMax - yMin)) * (H - top - bottom);
  const lines = series
    .map((s, i) => {
      const color = COLORS[i % COLORS.length]!;
      const d = s.points.map((p) => `${sx(p[0]).toFixed(1)},${sy(p[1]).toFixed(1)}`).join(" ");
      const dot = s.points.length === 1 ? `<circle cx="${sx(s.points[0]![0]).toFixed(1)}" cy="${sy(s.points[0]![1]).toFixed(1)}" r="3" fill="${color}"/>` : "";
      return `<polyline fill="none" stroke="${color}" stroke-width="1.8" points="${d}"/>${dot}`;
    })
    .join("");
  const legend = series.map((s, i) => `<tspan fill="${COLORS[i % COLORS.length]}">■ ${escapeHtml(s.name)}</tspan>`).join(" ");
  const zero = yMin < 0 && yMax > 0 ? `<line x1="${left}" x2="${W - right}" y1="${sy(0)}" y2="${sy(0)}" stroke="#bbb" stroke-dasharray="3,3"/>` : "";
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="${escapeHtml(title)}">
<text x="${left}" y="14" font-size="12" font-weight="bold">${escapeHtml(title)}</text>
<text x="${(left + W - right) / 2}" y="${H - 10}" font-size="10" text-anchor="middle">${legend}</text>
<rect x="${left}" y="${top}" width="${W - left - right}" height="${H - top - bottom}" fill="none" stroke="#ccc"/>${zero}
<text x="${left - 4}" y="${top + 4}" font-size="10" text-anchor="end">${fmt(yMax)}</text>
<text x="${left - 4}" y="${H - bottom}" font-size="10" text-anchor="end">${fmt(yMin)}</text>
<text x="${left}" y="${H - 10}" font-size="10">${fmt(xMin)}</text>
<text x="${W - right}" y="${H - 10}" font-size="10" text-anchor="end">step ${fmt(xMax)}</text>
${lines}</svg>`;
}

export function parseMetrics(text: string): Row[] {
  const rows: Row[] = [];
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    try {
      const row = JSON.parse(line) as unknown;
      if (row && typeof row === "object" && !Array.isArray(row)) rows.push(row as Row);
    } catch {
      // A line cut by kill -9 mid-write: skip it, the rest of the history still plots.
    }
  }
  return rows;
}

function seriesOf(rows: Row[], key: string): [number, number][] {
  const out: [number, number][] = [];
  rows.forEach((r, i) => {
    const y = r[key];
    const x = typeof r.step === "number" ? r.step : i + 1;
    if (typeof y === "number" && Number.isFinite(y)) out.push([x, y]);
  });
  return out;
}

export function renderReport(rows: Row[], config: unknown, title: string): string {
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))].filter((k) => !SKIP.has(k) && rows.some((r) => typeof r[k] === "number"));
  const used = new Set<string>();
  const charts: string[] = [];
  for (const f of FEATURED) {
    const series = f.keys.filter((k) => columns.includes(k)).map((k) => ({ name: k, points: seriesOf(rows, k) }));
    if (series.length === 0) continue;
    series.forEach((s) => used.add(s.name));
    charts.push(lineChart(f.title, series));
  }
  for (const k of columns) if (!used.has(k)) charts.push(lineChart(k, [{ name: k, points: seriesOf(rows, k) }]));
  const lastRow = rows[rows.length - 1] ?? {};
  const summary = Object.entries(lastRow)
    .filter(([, v]) => typeof v === "number" || typeof v === "string")
    .map(([k, v]) => `<tr><td>${escapeHtml(k)}</td><td>${escapeHtml(typeof v === "number" ? fmt(v) : String(v))}</td></tr>`)
    .join("");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;margin:24px;color:#222}.charts{display:flex;flex-wrap:wrap;gap:12px}
table{border-collapse:collapse;font-size:13px}td{border:1px solid #ddd;padding:2px 8px}pre{background:#f6f6f6;padding:8px;font-size:12px}</style>
</head><body>
<h1>${escapeHtml(title)}</h1>
<p>${rows.length} step${rows.length === 1 ? "" : "s"} logged in metrics.jsonl.</p>
<div class="charts">${charts.join("\n")}</div>
<h2>Last step</h2><table>${summary}</table>
<h2>Config</h2><pre>${escapeHtml(JSON.stringify(config, null, 2))}</pre>
</body></html>
`;
}

/** Writes DIR/report.html from DIR/metrics.jsonl and DIR/config.json (whatever exists of them). */
export async function writeReport(dir: string): Promise<string> {
  const metricsFile = join(dir, "metrics.jsonl");
  const rows = existsSync(metricsFile) ? parseMetrics(await readFile(metricsFile, "utf8")) : [];
  const configFile = join(dir, "config.json");
  const config = existsSync(configFile) ? (JSON.parse(await readFile(configFile, "utf8")) as unknown) : {};
  const algorithm = (config as { algorithm?: unknown }).algorithm;
  const title = `Training run ${dir}${typeof algorithm === "string" ? ` (${algorithm})` : ""}`;
  const out = join(dir, "report.html");
  await writeFile(out, renderReport(rows, config, title));
  return out;
}
