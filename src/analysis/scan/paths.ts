import { availableParallelism } from "node:os";
import type { AnalyzerName } from "../finding.js";
import { DEFAULT_ANALYZERS, loadAnalyzers } from "./analyzers.js";
import { DEFAULT_EXCLUDE_DIRS, listPythonFiles } from "./files.js";
import { mergeSameProblem } from "./merge.js";
import { sumMetrics } from "./metrics.js";
import { ScanWorkerPool, workerAvailable } from "./parallel.js";
import type { FileOutcome, ScanOptions, ScanReport } from "./scanner.js";

// Kept free of the parser and the rules until the file count is known, so worker threads start
// booting before this thread spends its own time loading them.

export interface ScanPathsOptions extends ScanOptions {
  excludeDirs?: readonly string[];
  /**
   * Threads that scan files, this one included: 1 scans in this thread only; more start
   * `jobs - 1` worker threads. Default: chosen from the file count and the CPUs (`autoJobs`).
   */
  jobs?: number;
}

/**
 * A worker thread costs CPU before it scans at full speed (thread start, loading the parser and
 * rules, its own JIT warm-up), so it pays only on larger scans. On the 2-CPU development machine
 * at load 3 (best of 5, with the CLI's late-optimization setting): 300 files took 0.26 s on two
 * threads and 0.30 s on one, 500 files 0.37 s and 0.40 s, 1,000 files 0.47 s and 0.61 s. One
 * thread per this many files.
 */
export const FILES_PER_THREAD = 250;

/**
 * The default `jobs` for a scan of `fileCount` files: one thread per FILES_PER_THREAD files, at
 * most one per CPU. The load average is not consulted: it lags (it still counts the processes of
 * a scan that just ended), and on the 2-CPU machine at load 3 two threads were faster than one
 * (above); on a saturated machine an extra thread costs a few percent of CPU, not time.
 */
export function autoJobs(fileCount: number, cpus = availableParallelism()): number {
  return Math.max(1, Math.min(cpus, Math.floor(fileCount / FILES_PER_THREAD)));
}

/**
 * Scan files and directories (the CLI's work): every file gets metrics, results or an error.
 * Unknown analyzers (AnalyzerUnavailableError) and unknown test ids or names (UnknownTestError)
 * are rejected before any file is scanned.
 */
export async function scanPaths(targets: readonly string[], options: ScanPathsOptions = {}): Promise<ScanReport> {
  const requested: readonly AnalyzerName[] = options.analyzers ?? DEFAULT_ANALYZERS;
  // Type checks run as one pyright batch over all files after the per-module analyzers: its
  // start-up (about a second) dwarfs its per-file cost.
  const withTypes = requested.includes("types");
  const analyzers = requested.filter((a) => a !== "types");
  const listing = listPythonFiles(targets, options.excludeDirs ?? DEFAULT_EXCLUDE_DIRS);
  const generatedAt = new Date().toISOString().replace(/\.\d+Z$/, "Z");
  const scanOptions: ScanOptions = { ...options, analyzers };
  delete (scanOptions as ScanPathsOptions).excludeDirs;
  delete (scanOptions as ScanPathsOptions).jobs;
  const n = listing.files.length;
  const jobs = Math.min(n, Math.max(1, options.jobs ?? autoJobs(n)));
  const pool = jobs > 1 && workerAvailable() ? new ScanWorkerPool(jobs - 1) : undefined;
  let outcomes: FileOutcome[];
  try {
    // One dynamic import for the heavy part: each import boundary is a separate file to load.
    const scanner = await import("./scanner.js");
    await loadAnalyzers(analyzers);
    scanner.checkSelection(scanOptions);
    if (pool) outcomes = await scanner.scanWithWorkers(listing.files, scanOptions, pool);
    else {
      if (process.env.SECURECODERL_DEBUG) process.stderr.write(`scan: ${n} files on 1 thread\n`);
      outcomes = await scanner.scanFileList(listing.files, scanOptions);
    }
    if (withTypes) await scanner.addTypeFindings(outcomes, options);
  } finally {
    await pool?.stop();
  }
  // Metrics are keyed by file name; a file may be called `__proto__` or `constructor`.
  const report: ScanReport = { results: [], errors: [...listing.errors], metrics: Object.create(null) as ScanReport["metrics"], generated_at: generatedAt, filesScanned: 0 };
  for (const o of outcomes) {
    if (o.metrics) report.metrics[o.file] = o.metrics;
    if (o.metrics && !o.error) report.filesScanned++;
    if (o.error) report.errors.push(o.error);
    report.results.push(...o.findings);
  }
  report.metrics._totals = sumMetrics(Object.values(report.metrics));
  // After the level filters, so a finding filtered out never hides in another's entry.
  report.results = mergeSameProblem(report.results);
  return report;
}
