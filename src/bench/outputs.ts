import { renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { AnalyzerName } from "../analysis/finding.js";
import type { RewardSpec } from "../reward/index.js";
import type { BenchConfig } from "./config.js";
import { computeMetrics, type Metrics } from "./metrics.js";
import { renderReport, type ReportExtras } from "./report.js";
import { findingsSarif } from "./sarif.js";
import type { RunIssue } from "./store.js";
import { packageVersion, type RunSettings } from "./settings.js";
import type { RunCounts } from "./run.js";
import type { SampleResult } from "../verify/types.js";

export interface OutputPaths {
  results: string;
  metrics: string;
  report: string;
  sarif: string;
}

export interface RunContext {
  config: BenchConfig;
  spec: RewardSpec;
  analyzers: AnalyzerName[];
  issues: RunIssue[];
  /** Every setting that shaped the run (absent for results rendered outside a run). */
  settings?: RunSettings;
  counts?: Pick<RunCounts, "cached" | "generation_errors">;
}

/** Written beside the metrics so compare and the report know what a run measured. */
export interface MetricsFile extends Metrics {
  run: {
    name: string | null;
    reward_spec: string;
    analyzers: AnalyzerName[];
    judge: string;
    models: string[];
    datasets: string[];
    input_issues: number;
    /** Samples whose completion came from the generation cache. */
    cached_samples: number;
    generation_errors: number;
    settings: RunSettings | null;
  };
}

export { packageVersion };

/** Writes via a temporary file and rename, so a reader never sees half a file. */
function writeAtomic(path: string, text: string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}

export function metricsFile(results: readonly SampleResult[], ctx: RunContext): MetricsFile {
  const metrics = computeMetrics(results, { severity: ctx.config.severity, passK: ctx.config.pass_k });
  return {
    run: {
      name: ctx.config.name ?? null,
      reward_spec: ctx.spec.name,
      analyzers: ctx.analyzers,
      judge: ctx.config.judge,
      models: Object.keys(metrics.by_model),
      datasets: Object.keys(metrics.by_dataset),
      input_issues: ctx.issues.length,
      cached_samples: ctx.counts?.cached ?? 0,
      generation_errors: ctx.counts?.generation_errors ?? 0,
      settings: ctx.settings ?? null,
    },
    ...metrics,
  };
}

export async function renderOutputs(out: string, results: readonly SampleResult[], ctx: RunContext, extras: ReportExtras = {}): Promise<OutputPaths> {
  const paths: OutputPaths = {
    results: join(out, "results.jsonl"),
    metrics: join(out, "metrics.json"),
    report: join(out, "report.html"),
    sarif: join(out, "findings.sarif"),
  };
  writeAtomic(paths.results, results.map((r) => JSON.stringify(r)).join("\n") + (results.length > 0 ? "\n" : ""));
  const metrics = metricsFile(results, ctx);
  writeAtomic(paths.metrics, `${JSON.stringify(metrics, null, 2)}\n`);
  writeAtomic(paths.sarif, findingsSarif(results, packageVersion(), out));
  writeAtomic(paths.report, renderReport(results, metrics, ctx, extras));
  return paths;
}
