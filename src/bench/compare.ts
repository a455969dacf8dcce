import { readFileSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import type { GroupMetrics } from "./metrics.js";
import type { MetricsFile } from "./outputs.js";

/** `securecoderl compare`: several runs' metrics.json side by side, one row per run x model x dataset. */

export interface ComparedRun {
  run: string;
  group: string;
  metrics: GroupMetrics;
}

export function readMetrics(runDir: string): MetricsFile {
  const path = runDir.endsWith(".json") ? runDir : join(runDir, "metrics.json");
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    throw new Error(`no metrics.json in ${runDir} (is it a finished bench run?)`);
  }
  try {
    return JSON.parse(text) as MetricsFile;
  } catch (err) {
    throw new Error(`cannot parse ${path}: ${(err as Error).message}`);
  }
}

export function compareRuns(runDirs: readonly string[], opts: { by?: "model" | "model_dataset" | "dataset" } = {}): ComparedRun[] {
  const rows: ComparedRun[] = [];
  const names = new Map<string, number>();
  for (const dir of runDirs) {
    const m = readMetrics(dir);
    let name = m.run?.name ?? basename(resolve(dir));
    const seen = names.get(name) ?? 0;
    names.set(name, seen + 1);
    if (seen > 0) name = `${name} (${seen + 1})`;
    const groups = opts.by === "dataset" ? m.by_dataset : opts.by === "model" ? m.by_model : m.by_model_dataset;
    for (const [group, metrics] of Object.entries(groups ?? {})) rows.push({ run: name, group, metrics });
  }
  return rows;
}

const COLUMNS: Array<[string, (m: GroupMetrics) => string]> = [
  ["samples", (m) => String(m.samples)],
  ["compile", (m) => pct(m.compile_rate)],
  ["all_pass", (m) => pct(m.all_pass_rate)],
  ["all_pass_of_compiling", (m) => pct(m.all_pass_rate_of_compiling)],
  ["test_pass", (m) => pct(m.test_pass_rate)],
  ["semantic_err", (m) => pct(m.semantic_error_rate)],
  ["security_issue", (m) => pct(m.security_issue_rate)],
  ["low/med/high", (m) => `${m.severity.LOW}/${m.severity.MEDIUM}/${m.severity.HIGH}`],
  ["mean_reward", (m) => (m.mean_reward === null ? "-" : m.mean_reward.toFixed(3))],
  ["errored", (m) => String(m.errored)],
];

function pct(x: number | null): string {
  return x === null ? "-" : `${(100 * x).toFixed(1)}%`;
}

/** Every k any compared run computed, ascending: runs with different pass_k settings still line up. */
export function passKs(rows: readonly ComparedRun[]): number[] {
  const ks = new Set<number>();
  for (const r of rows) for (const k of Object.keys(r.metrics.pass_at_k ?? {})) ks.add(Number(k));
  return [...ks].filter((k) => Number.isFinite(k)).sort((a, b) => a - b);
}

function columns(rows: readonly ComparedRun[]): Array<[string, (m: GroupMetrics) => string]> {
  const passK: Array<[string, (m: GroupMetrics) => string]> = passKs(rows).map((k) => [
    `pass@${k}`,
    (m) => {
      const p = m.pass_at_k?.[String(k)];
      return p && p.tasks > 0 ? pct(p.estimate) : "-";
    },
  ]);
  const at = COLUMNS.findIndex(([h]) => h === "mean_reward");
  return [...COLUMNS.slice(0, at), ...passK, ...COLUMNS.slice(at)];
}

export function formatComparison(rows: readonly ComparedRun[], format: "text" | "markdown" | "json"): string {
  const COLUMNS = columns(rows);
  if (format === "json") {
    return `${JSON.stringify(rows.map((r) => ({ run: r.run, group: r.group, ...r.metrics })), null, 2)}\n`;
  }
  const head = ["run", "group", ...COLUMNS.map(([h]) => h)];
  const body = rows.map((r) => [r.run, r.group, ...COLUMNS.map(([, f]) => f(r.metrics))]);
  if (format === "markdown") {
    const cell = (s: string) => s.replace(/\|/g, "\\|");
    return [`| ${head.join(" | ")} |`, `| ${head.map((_, i) => (i < 2 ? "---" : "---:")).join(" | ")} |`, ...body.map((r) => `| ${r.map(cell).join(" | ")} |`)].join("\n") + "\n";
  }
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ").trimEnd();
  return [line(head), widths.map((w) => "-".repeat(w)).join("  "), ...body.map(line)].join("\n") + "\n";
}
