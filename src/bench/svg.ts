/** Inline SVG charts for the report: no scripts, no external assets, every label escaped. */

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

export interface Bar {
  label: string;
  value: number;
  /** Text shown at the bar's end (default: the value). */
  text?: string;
}

const COLORS = ["#3b6ea5", "#c0504d", "#9bbb59", "#8064a2", "#4bacc6", "#f79646"];

/** Vertical bars with labels under them (histograms, severity counts). */
export function columnChart(title: string, bars: readonly Bar[], opts: { color?: string; max?: number } = {}): string {
  const width = Math.max(320, bars.length * 70 + 60);
  const height = 236;
  const plotTop = 44;
  const plotBottom = height - 40;
  const max = opts.max ?? Math.max(1, ...bars.map((b) => b.value));
  const slot = (width - 40) / Math.max(1, bars.length);
  const parts = bars.map((b, i) => {
    const h = max > 0 ? ((plotBottom - plotTop) * b.value) / max : 0;
    const x = 30 + i * slot + slot * 0.15;
    const w = slot * 0.7;
    const y = plotBottom - h;
    return (
      `<rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${w.toFixed(1)}" height="${h.toFixed(1)}" fill="${opts.color ?? COLORS[0]}"><title>${escapeHtml(`${b.label}: ${b.text ?? b.value}`)}</title></rect>` +
      `<text x="${(x + w / 2).toFixed(1)}" y="${(y - 4).toFixed(1)}" text-anchor="middle" font-size="11">${escapeHtml(b.text ?? String(b.value))}</text>` +
      `<text x="${(x + w / 2).toFixed(1)}" y="${plotBottom + 16}" text-anchor="middle" font-size="11">${escapeHtml(b.label)}</text>`
    );
  });
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" aria-label="${escapeHtml(title)}">` +
    `<text x="10" y="18" font-size="13" font-weight="bold">${escapeHtml(title)}</text>` +
    `<line x1="25" y1="${plotBottom}" x2="${width - 10}" y2="${plotBottom}" stroke="#888"/>` +
    parts.join("") +
    `</svg>`
  );
}

/** Horizontal bars for rates in [0, 1] (per-CWE rates), one row per label. */
export function rateChart(title: string, bars: readonly Bar[], opts: { color?: string } = {}): string {
  const rowH = 22;
  const labelW = 140;
  const plotW = 360;
  const height = 34 + bars.length * rowH;
  const width = labelW + plotW + 70;
  const rows = bars.map((b, i) => {
    const y = 28 + i * rowH;
    const w = Math.max(0, Math.min(1, b.value)) * plotW;
    return (
      `<text x="${labelW - 6}" y="${y + 14}" text-anchor="end" font-size="11">${escapeHtml(b.label)}</text>` +
      `<rect x="${labelW}" y="${y + 3}" width="${w.toFixed(1)}" height="${rowH - 6}" fill="${opts.color ?? COLORS[1]}"><title>${escapeHtml(`${b.label}: ${b.text ?? b.value}`)}</title></rect>` +
      `<text x="${(labelW + w + 4).toFixed(1)}" y="${y + 14}" font-size="11">${escapeHtml(b.text ?? String(b.value))}</text>`
    );
  });
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" aria-label="${escapeHtml(title)}">` +
    `<text x="10" y="18" font-size="13" font-weight="bold">${escapeHtml(title)}</text>` +
    rows.join("") +
    `</svg>`
  );
}

export interface Point {
  x: number;
  y: number;
}

/** Small deterministic offset so stacked points (binary scores) stay countable; no randomness in outputs. */
function jitter(i: number, salt: number): number {
  const h = Math.sin((i + 1) * 12.9898 + salt * 78.233) * 43758.5453;
  return (h - Math.floor(h) - 0.5) * 0.06;
}

function axes(width: number, height: number, left: number, top: number, plotW: number, plotH: number, xLabel: string, yLabel: string, yMin: number, yMax: number): string {
  const ticks = [0, 0.25, 0.5, 0.75, 1];
  const xs = ticks.map((t) => `<text x="${(left + t * plotW).toFixed(1)}" y="${top + plotH + 15}" text-anchor="middle" font-size="10">${t}</text>`).join("");
  const ys = ticks
    .map((t) => {
      const v = yMin + t * (yMax - yMin);
      const y = top + plotH - t * plotH;
      return `<text x="${left - 5}" y="${(y + 3).toFixed(1)}" text-anchor="end" font-size="10">${Number(v.toFixed(2))}</text><line x1="${left}" y1="${y.toFixed(1)}" x2="${left + plotW}" y2="${y.toFixed(1)}" stroke="#eee"/>`;
    })
    .join("");
  return (
    ys +
    `<line x1="${left}" y1="${top + plotH}" x2="${left + plotW}" y2="${top + plotH}" stroke="#888"/><line x1="${left}" y1="${top}" x2="${left}" y2="${top + plotH}" stroke="#888"/>` +
    xs +
    `<text x="${left + plotW / 2}" y="${height - 6}" text-anchor="middle" font-size="11">${escapeHtml(xLabel)}</text>` +
    `<text x="12" y="${top + plotH / 2}" text-anchor="middle" font-size="11" transform="rotate(-90 12 ${top + plotH / 2})">${escapeHtml(yLabel)}</text>` +
    `<rect x="0" y="0" width="${width}" height="${height}" fill="none"/>`
  );
}

/** Points in [0, 1] x [0, 1], slightly jittered so identical pairs show as a cluster. */
export function scatterChart(title: string, points: readonly Point[], opts: { xLabel: string; yLabel: string; color?: string }): string {
  const width = 420, height = 300, left = 48, top = 34, plotW = 350, plotH = 220;
  const clamp = (v: number) => Math.max(-0.05, Math.min(1.05, v));
  const dots = points
    .slice(0, 5000)
    .map((p, i) => {
      const x = left + clamp(p.x + jitter(i, 1)) * plotW;
      const y = top + plotH - clamp(p.y + jitter(i, 2)) * plotH;
      return `<circle cx="${x.toFixed(1)}" cy="${y.toFixed(1)}" r="3" fill="${opts.color ?? COLORS[0]}" fill-opacity="0.45"/>`;
    })
    .join("");
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" aria-label="${escapeHtml(title)}">` +
    `<text x="10" y="18" font-size="13" font-weight="bold">${escapeHtml(title)}</text>` +
    axes(width, height, left, top, plotW, plotH, opts.xLabel, opts.yLabel, 0, 1) +
    dots +
    `</svg>`
  );
}

export interface Series {
  name: string;
  /** y may be null where a series has no value (an empty group); the line breaks there. */
  points: Array<{ x: number; y: number | null }>;
}

/** Lines over x in [0, 1] (the alpha sweep), with a legend. */
export function lineChart(title: string, series: readonly Series[], opts: { xLabel: string; yLabel: string; yMin?: number; yMax?: number }): string {
  const width = 560, left = 48, top = 34, plotW = 330, plotH = 220, height = 300;
  const ys = series.flatMap((s) => s.points.map((p) => p.y).filter((y): y is number => y !== null));
  const yMin = opts.yMin ?? Math.min(0, ...ys);
  const yMax = opts.yMax ?? Math.max(1, ...ys);
  const sy = (y: number) => top + plotH - ((y - yMin) / (yMax - yMin || 1)) * plotH;
  const lines = series
    .map((s, i) => {
      const color = COLORS[i % COLORS.length]!;
      let d = "";
      let pen = false;
      const marks: string[] = [];
      for (const p of s.points) {
        if (p.y === null) {
          pen = false;
          continue;
        }
        const x = left + p.x * plotW;
        const y = sy(p.y);
        d += `${pen ? "L" : "M"}${x.toFixed(1)} ${y.toFixed(1)} `;
        pen = true;
        marks.push(`<circle cx="${x.toFixed(1)}" cy="${y.toFixed(1)}" r="2.5" fill="${color}"><title>${escapeHtml(`${s.name} at ${p.x}: ${p.y.toFixed(3)}`)}</title></circle>`);
      }
      const legend = `<rect x="${left + plotW + 16}" y="${top + i * 18}" width="10" height="10" fill="${color}"/><text x="${left + plotW + 30}" y="${top + i * 18 + 9}" font-size="11">${escapeHtml(s.name)}</text>`;
      return (d ? `<path d="${d.trim()}" fill="none" stroke="${color}" stroke-width="2"/>` : "") + marks.join("") + legend;
    })
    .join("");
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" aria-label="${escapeHtml(title)}">` +
    `<text x="10" y="18" font-size="13" font-weight="bold">${escapeHtml(title)}</text>` +
    axes(width, height, left, top, plotW, plotH, opts.xLabel, opts.yLabel, yMin, yMax) +
    lines +
    `</svg>`
  );
}
