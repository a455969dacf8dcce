import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { AnalyzerName } from "../analysis/finding.js";
import { loadTasks } from "../task/index.js";
import type { Task } from "../task/schema.js";
import { analyzeResults, type Analyses } from "./analyze.js";
import { renderAnalyses } from "./analyze-render.js";
import { readMetrics } from "./compare.js";
import { parseBenchConfig, type BenchConfig } from "./config.js";
import type { RunContext } from "./outputs.js";
import { renderReport } from "./report.js";
import type { ReportSample } from "./report-rewards.js";
import { RunStore, type RunIssue } from "./store.js";
import { getSpec, parseSpec } from "../reward/index.js";

/**
 * `securecoderl analyze RUN`: the analyses over a finished run's stored results, written as
 * analysis.json, one SVG per plot, and report.html re-rendered with an Analyses section (and, the
 * tasks being loaded, failing tests' inputs in the drill-down). Nothing is generated or judged.
 */

export interface AnalyzeRunResult {
  analyses: Analyses;
  files: string[];
  /** Why the tasks could not be loaded (difficulty and test inputs are then absent). */
  notes: string[];
}

function readResultsFile(runDir: string): ReportSample[] {
  const path = join(runDir, "results.jsonl");
  if (!existsSync(path)) throw new Error(`no results.jsonl in ${runDir} (is it a finished bench run?)`);
  const out: ReportSample[] = [];
  readFileSync(path, "utf8").split("\n").forEach((line, i) => {
    if (line.trim() === "") return;
    try {
      out.push(JSON.parse(line) as ReportSample);
    } catch (err) {
      throw new Error(`results.jsonl line ${i + 1}: ${(err as Error).message}`);
    }
  });
  return out;
}

/** The run's stored config and input issues (absent for results copied out of their run folder). */
function readStore(runDir: string): { config: BenchConfig | null; issues: RunIssue[] } {
  const path = join(runDir, "run.sqlite");
  if (!existsSync(path)) return { config: null, issues: [] };
  const store = new RunStore(path);
  try {
    const raw = store.getMeta("config");
    return { config: raw ? parseBenchConfig(JSON.parse(raw), "stored run config") : null, issues: store.issues() };
  } finally {
    store.close();
  }
}

/** Loads the run's datasets under the labels the run gave them; a dataset that moved is a note, not an error. */
async function loadRunTasks(config: BenchConfig, notes: string[]): Promise<Map<string, Task>> {
  const byKey = new Map<string, Task>();
  const used = new Set<string>();
  for (const entry of config.datasets) {
    try {
      const loaded = await loadTasks(entry.path, { ...(entry.kind ? { dataset: entry.kind } : {}), ...(entry.limit ? { limit: entry.limit } : {}) });
      let label = entry.name ?? loaded.dataset;
      for (let i = 2; used.has(label); i++) label = `${entry.name ?? loaded.dataset}-${i}`;
      used.add(label);
      for (const t of loaded.tasks) byKey.set(`${label}\u0000${t.id}`, t);
    } catch (err) {
      notes.push(`cannot load ${entry.path}: ${(err as Error).message} (difficulty and test inputs left out)`);
    }
  }
  return byKey;
}

function writeAtomic(path: string, text: string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}

export async function analyzeRun(runDir: string, outDir: string = runDir): Promise<AnalyzeRunResult> {
  const dir = resolve(runDir);
  const metrics = readMetrics(dir);
  const results = readResultsFile(dir);
  const { config, issues } = readStore(dir);
  const notes: string[] = [];
  const tasks = config ? await loadRunTasks(config, notes) : new Map<string, Task>();
  if (!config) notes.push("no run.sqlite with the run's config: difficulty and test inputs left out");
  const lookup = (r: { dataset: string; task_id: string }) => tasks.get(`${r.dataset}\u0000${r.task_id}`);
  const analyzed = (metrics.run?.analyzers ?? []) as AnalyzerName[];
  const analyses = analyzeResults(results, { analyzed, ...(tasks.size > 0 ? { task: lookup } : {}) });
  const rendered = renderAnalyses(analyses);

  const out = resolve(outDir);
  const plots = join(out, "analysis");
  mkdirSync(plots, { recursive: true });
  const files: string[] = [];
  for (const [name, svg] of Object.entries(rendered.svgs)) {
    const path = join(plots, name);
    writeAtomic(path, `<?xml version="1.0" encoding="UTF-8"?>\n${svg}\n`);
    files.push(path);
  }
  const json = join(out, "analysis.json");
  writeAtomic(json, `${JSON.stringify(analyses, null, 2)}\n`);
  files.push(json);

  let spec;
  try {
    spec = config ? (typeof config.reward === "string" ? getSpec(config.reward) : parseSpec(config.reward)) : getSpec(metrics.run?.reward_spec ?? "securecoderl");
  } catch {
    spec = getSpec("securecoderl");
  }
  const ctx = { config: config as BenchConfig, spec, analyzers: analyzed, issues } satisfies RunContext;
  const report = join(out, "report.html");
  writeAtomic(report, renderReport(results, metrics, ctx, { tasks: lookup, analyses: rendered.html }));
  files.push(report);
  return { analyses, files, notes };
}
