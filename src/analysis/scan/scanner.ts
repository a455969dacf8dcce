import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import type { AnalyzerName, Finding } from "../finding.js";
import { parsePython } from "../python/index.js";
import type { Level, RuleOptionsByKey } from "../rules/index.js";
import { compareFindings, filterFindings } from "../rules/index.js";
import type { Analyzer, AnalyzerContext } from "./analyzers.js";
import { DEFAULT_ANALYZERS, createAnalyzers, loadAnalyzers } from "./analyzers.js";
import { decodePythonSource } from "./decode.js";
import { DEFAULT_EXCLUDE_DIRS, listPythonFiles } from "./files.js";
import type { FileMetrics } from "./metrics.js";
import { addFindingCounts, countLoc, emptyMetrics, sumMetrics } from "./metrics.js";
import "./rules-analyzer.js";

export interface ScanOptions {
  analyzers?: readonly AnalyzerName[];
  /** Report findings even under `# nosec`. Rewards should set this, or a model learns to write nosec. */
  ignoreNosec?: boolean;
  tests?: readonly string[];
  skips?: readonly string[];
  ruleOptions?: RuleOptionsByKey;
  severity?: Level;
  confidence?: Level;
  /** Name used in findings (default "<string>"). */
  filename?: string;
}

/** A file or sample that could not be analysed, with Bandit's reason text. */
export interface ScanError {
  filename: string;
  reason: string;
  /** Where and why, when known (e.g. the syntax error's line). */
  detail?: string;
}

export const SYNTAX_ERROR_REASON = "syntax error while parsing AST from file";
export const EXCEPTION_REASON = "exception while scanning file";

interface Prepared {
  analyzers: Analyzer[];
  severity: Level;
  confidence: Level;
}

function prepare(options: ScanOptions): Prepared {
  const ctx: Omit<AnalyzerContext, "filename"> = {
    ignoreNosec: options.ignoreNosec ?? false,
    selection: { tests: options.tests, skips: options.skips },
    ruleOptions: options.ruleOptions ?? {},
  };
  return {
    analyzers: createAnalyzers(options.analyzers ?? ["rules"], ctx),
    severity: options.severity ?? "all",
    confidence: options.confidence ?? "all",
  };
}

interface ModuleOutcome {
  findings: Finding[];
  error?: ScanError;
  metrics: FileMetrics;
}

function analyzeText(text: string, filename: string, p: Prepared, ignoreNosec: boolean, selection: AnalyzerContext["selection"], ruleOptions: RuleOptionsByKey): ModuleOutcome {
  const metrics = emptyMetrics();
  metrics.loc = countLoc(text);
  let module;
  try {
    module = parsePython(text, filename);
  } catch (err) {
    return { findings: [], metrics, error: { filename, reason: EXCEPTION_REASON, detail: err instanceof Error ? err.message : String(err) } };
  }
  if (module.hasErrors) {
    const e = module.errorRanges[0]!;
    return { findings: [], metrics, error: { filename, reason: SYNTAX_ERROR_REASON, detail: `line ${e.line}: ${e.message}` } };
  }
  const findings: Finding[] = [];
  try {
    for (const a of p.analyzers) {
      findings.push(...a.analyze(module, { filename, ignoreNosec, selection, ruleOptions }));
      const c = a.lastCounters?.();
      if (c) {
        metrics.nosec += c.nosec;
        metrics.skipped_tests += c.skippedTests;
      }
    }
  } catch (err) {
    return { findings: [], metrics, error: { filename, reason: EXCEPTION_REASON, detail: err instanceof Error ? err.message : String(err) } };
  } finally {
    // Free the native tree now rather than at the next GC.
    (module.tree as unknown as { delete?: () => void }).delete?.();
  }
  findings.sort(compareFindings);
  addFindingCounts(metrics, findings);
  return { findings, metrics };
}

// scanSource is called per sample in reward loops: keep prepared analyzers per option set.
const preparedCache = new Map<string, Prepared>();

/**
 * Scan one Python source string in-process. Reuses the shared parser and the prepared analyzers,
 * so repeated calls pay no start-up cost. Analyzers other than "rules" must be loaded first with
 * `loadAnalyzers`. Findings are filtered by `severity`/`confidence` (default: all).
 */
export function scanSource(code: string, options: ScanOptions = {}): { findings: Finding[]; errors: ScanError[] } {
  const key = JSON.stringify([options.analyzers, options.ignoreNosec, options.tests, options.skips, options.ruleOptions, options.severity, options.confidence]);
  let p = preparedCache.get(key);
  if (!p) {
    p = prepare(options);
    if (preparedCache.size > 32) preparedCache.clear();
    preparedCache.set(key, p);
  }
  const out = analyzeText(code, options.filename ?? "<string>", p, options.ignoreNosec ?? false, { tests: options.tests, skips: options.skips }, options.ruleOptions ?? {});
  return { findings: filterFindings(out.findings, p.severity, p.confidence), errors: out.error ? [out.error] : [] };
}

export interface ScanReport {
  /** Findings that pass the level filters, sorted by file then position. */
  results: Finding[];
  errors: ScanError[];
  /** Per file, plus "_totals". */
  metrics: Record<string, FileMetrics>;
  generated_at: string;
  filesScanned: number;
}

/** What scanning one file produced (also the message a scan worker sends back). */
export interface FileOutcome {
  file: string;
  /** Absent when the file could not be read at all. */
  metrics?: FileMetrics;
  findings: Finding[];
  error?: ScanError;
}

/** Scan one file with prepared analyzers; never throws. */
function scanFile(file: string, p: Prepared, options: ScanOptions): FileOutcome {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (err) {
    return { file, findings: [], error: { filename: file, reason: EXCEPTION_REASON, detail: `cannot read: ${(err as NodeJS.ErrnoException).code ?? String(err)}` } };
  }
  const decoded = decodePythonSource(bytes);
  if (!decoded.ok) return { file, metrics: emptyMetrics(), findings: [], error: { filename: file, reason: SYNTAX_ERROR_REASON, detail: decoded.reason } };
  const out = analyzeText(decoded.text, file, p, options.ignoreNosec ?? false, { tests: options.tests, skips: options.skips }, options.ruleOptions ?? {});
  return { file, metrics: out.metrics, findings: out.error ? [] : filterFindings(out.findings, p.severity, p.confidence), error: out.error };
}

/** Scan a list of files in this thread. */
export async function scanFileList(files: readonly string[], options: ScanOptions): Promise<FileOutcome[]> {
  const p = await prepareLoaded(options);
  return files.map((f) => scanFile(f, p, options));
}

async function prepareLoaded(options: ScanOptions): Promise<Prepared> {
  const analyzers = options.analyzers ?? DEFAULT_ANALYZERS;
  await loadAnalyzers(analyzers);
  return prepare({ ...options, analyzers });
}

export interface ScanPathsOptions extends ScanOptions {
  excludeDirs?: readonly string[];
  /**
   * Threads that scan files, this one included: 1 scans in this thread only; more start
   * `jobs - 1` worker threads. Default: chosen from the file count and the CPUs (`autoJobs`).
   */
  jobs?: number;
}

/**
 * A worker thread costs tens of milliseconds of CPU before it scans its first file (thread start,
 * loading the parser and rules, cold JIT), so one pays only for a few hundred files: one thread
 * per this many files, at most one per CPU.
 */
export const FILES_PER_THREAD = 150;

/** The default `jobs` for a scan of `fileCount` files. */
export function autoJobs(fileCount: number): number {
  return Math.max(1, Math.min(availableParallelism(), Math.floor(fileCount / FILES_PER_THREAD)));
}

/** Scan files and directories (the CLI's work): every file gets metrics, results or an error. */
export async function scanPaths(targets: readonly string[], options: ScanPathsOptions = {}): Promise<ScanReport> {
  const requested = options.analyzers ?? DEFAULT_ANALYZERS;
  // Type checks run as one pyright batch over all files after the per-module analyzers: its
  // start-up (about a second) dwarfs its per-file cost.
  const withTypes = requested.includes("types");
  const analyzers = requested.filter((a) => a !== "types");
  await loadAnalyzers(analyzers); // fail fast on an unavailable analyzer, before any work
  const listing = listPythonFiles(targets, options.excludeDirs ?? DEFAULT_EXCLUDE_DIRS);
  const report: ScanReport = { results: [], errors: [...listing.errors], metrics: {}, generated_at: new Date().toISOString().replace(/\.\d+Z$/, "Z"), filesScanned: 0 };
  const scanOptions: ScanOptions = { ...options, analyzers };
  delete (scanOptions as ScanPathsOptions).excludeDirs;
  delete (scanOptions as ScanPathsOptions).jobs;
  const n = listing.files.length;
  const jobs = Math.min(n, Math.max(1, options.jobs ?? autoJobs(n)));
  let outcomes: FileOutcome[];
  if (jobs > 1 && workerAvailable()) outcomes = await scanInParallel(listing.files, scanOptions, jobs);
  else {
    if (process.env.SECURECODERL_DEBUG) process.stderr.write(`scan: ${n} files on 1 thread\n`);
    outcomes = await scanFileList(listing.files, scanOptions);
  }
  if (withTypes) await addTypeFindings(outcomes, options);
  for (const o of outcomes) {
    if (o.metrics) report.metrics[o.file] = o.metrics;
    if (o.metrics && !o.error) report.filesScanned++;
    if (o.error) report.errors.push(o.error);
    report.results.push(...o.findings);
  }
  report.metrics._totals = sumMetrics(Object.values(report.metrics));
  return report;
}

/**
 * Pyright over every file that parsed, in one batch; its findings join each file's results and
 * metrics under the same level filters. A file pyright could not check gets no type findings and
 * keeps its other results (the reason goes to stderr under SECURECODERL_DEBUG).
 */
async function addTypeFindings(outcomes: FileOutcome[], options: ScanOptions): Promise<void> {
  const { checkTypesReport } = await import("../types/index.js");
  const checkable = outcomes.filter((o) => o.metrics && !o.error);
  const files = checkable.flatMap((o, i) => {
    const decoded = decodePythonSource(readFileSync(o.file));
    return decoded.ok ? [{ name: `f${i}.py`, code: decoded.text, outcome: o }] : [];
  });
  if (files.length === 0) return;
  const report = await checkTypesReport(files.map(({ name, code }) => ({ name, code })));
  for (const { name, outcome } of files) {
    const found = (report.findings.get(name) ?? []).map((f) => ({ ...f, filename: outcome.file }));
    const kept = filterFindings(found, options.severity ?? "all", options.confidence ?? "all");
    outcome.findings = [...outcome.findings, ...kept].sort(compareFindings);
    addFindingCounts(outcome.metrics!, kept);
    const error = report.errors.get(name);
    if (error && process.env.SECURECODERL_DEBUG) process.stderr.write(`types: ${outcome.file}: ${error}\n`);
  }
}

// The worker module sits next to this one: dist/analysis/scan/ from tsc, dist/bundle/ in the
// bundle (scripts/build-bundle.mjs names its worker entry worker.js for this).
const WORKER_URL = new URL("./worker.js", import.meta.url);

/** Workers need the compiled worker module; under a TypeScript test runner there is none. */
function workerAvailable(): boolean {
  return existsSync(fileURLToPath(WORKER_URL));
}

/**
 * Work shared by the threads of one scan: the files, cut into batches, and a counter in shared
 * memory from which each thread claims the next batch. Claiming needs no message round trip, so
 * the main thread can scan its share synchronously while the workers help themselves.
 */
export interface SharedScanWork {
  files: readonly string[];
  batchSize: number;
  /** One Int32: the next unclaimed batch index. */
  counter: SharedArrayBuffer;
  options: ScanOptions;
}

/** What a scan worker posts: one batch's outcomes, in file order. */
export interface BatchMessage {
  batch: number;
  outcomes: FileOutcome[];
}

/** Scan batches claimed from `work` until none is left, handing each batch's outcomes to `done`. */
export async function scanClaimedBatches(work: SharedScanWork, done: (msg: BatchMessage) => void): Promise<void> {
  const p = await prepareLoaded(work.options);
  const counter = new Int32Array(work.counter);
  for (;;) {
    const batch = Atomics.add(counter, 0, 1);
    const start = batch * work.batchSize;
    if (start >= work.files.length) return;
    const outcomes = work.files.slice(start, start + work.batchSize).map((f) => scanFile(f, p, work.options));
    done({ batch, outcomes });
  }
}

/** Young-generation cap for scan workers, in MB (see docs/cli/scan.md for the measurement). */
const WORKER_YOUNG_GENERATION_MB = 48;

/**
 * Scan with this thread and `jobs - 1` workers claiming small batches from a shared counter, so
 * a slow start or a busy CPU only means fewer batches for that thread. Outcomes are put back in
 * input order, so the report is the one a single thread gives. A batch that a worker claimed but
 * never returned (it crashed, or could not start) is scanned here at the end.
 */
async function scanInParallel(files: readonly string[], options: ScanOptions, jobs: number): Promise<FileOutcome[]> {
  // Small batches keep the tail short (the last batches end close together); claiming one is a
  // single atomic add.
  const batchSize = Math.max(1, Math.min(16, Math.floor(files.length / (jobs * 16))));
  const batches = Math.ceil(files.length / batchSize);
  const results: (FileOutcome[] | undefined)[] = new Array(batches);
  const work: SharedScanWork = { files, batchSize, counter: new SharedArrayBuffer(4), options };
  let received = 0;
  let running = jobs - 1;
  let wake: () => void = () => {};
  // Batches each thread scanned (this one first), for SECURECODERL_DEBUG.
  const share = new Array<number>(jobs).fill(0);
  const workers = Array.from({ length: jobs - 1 }, (_, i) => {
    const worker = new Worker(WORKER_URL, { workerData: work, resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB } });
    worker.on("message", (msg: BatchMessage) => {
      if (results[msg.batch] === undefined) received++;
      results[msg.batch] = msg.outcomes;
      share[i + 1]!++;
      wake();
    });
    worker.on("error", (err) => {
      if (process.env.SECURECODERL_DEBUG) process.stderr.write(`scan worker failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    });
    worker.on("exit", () => {
      running--;
      wake();
    });
    return worker;
  });
  // This thread's share. Workers' messages queue up meanwhile and are read below.
  await scanClaimedBatches(work, ({ batch, outcomes }) => {
    results[batch] = outcomes;
    received++;
    share[0]!++;
  });
  await new Promise<void>((resolve) => {
    wake = () => {
      if (received === batches || running === 0) resolve();
    };
    wake();
  });
  // Every batch is in (or no worker is left): a worker still starting up has nothing left to do.
  await Promise.all(workers.map((w) => w.terminate()));
  const missing = results.flatMap((r, i) => (r === undefined ? [i] : []));
  if (process.env.SECURECODERL_DEBUG) {
    process.stderr.write(`scan: ${files.length} files in ${batches} batches on ${jobs} threads: ${share.join("+")} batches (this thread first), ${missing.length} rescanned\n`);
  }
  if (missing.length > 0) {
    const p = await prepareLoaded(options);
    for (const b of missing) results[b] = files.slice(b * batchSize, (b + 1) * batchSize).map((f) => scanFile(f, p, options));
  }
  return results.flat() as FileOutcome[];
}
