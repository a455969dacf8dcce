import type { AnalyzerName, Finding } from "../finding.js";
import { parsePython, type ParsedModule } from "../python/index.js";
import type { Level, RuleOptionsByKey } from "../rules/index.js";
import { compareFindings, filterFindings, selectionPredicate } from "../rules/index.js";
import type { Analyzer, AnalyzerContext } from "./analyzers.js";
import { DEFAULT_ANALYZERS, INCOMPLETE_REASON, createAnalyzers, loadAnalyzers } from "./analyzers.js";
import { decodePythonSource } from "./decode.js";
import type { FileMetrics } from "./metrics.js";
import { addFindingCounts, countLoc, emptyMetrics } from "./metrics.js";
import type { ReportedFinding } from "./merge.js";
import type { BatchMessage, ScanWorkerPool, SharedScanWork } from "./parallel.js";
import { DEFAULT_MAX_FILE_BYTES, readSourceFile } from "./read.js";
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
  /** Name used in findings (default "<string>", or the parsed module's own name). */
  filename?: string;
  /** Files larger than this many bytes are not analysed, each an error of its own (default 2 MiB). */
  maxFileBytes?: number;
  /** The detector's per-file budget in ms (vuln/index.ts); a file past it is reported as incomplete. */
  analysisBudgetMs?: number;
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
    ...(options.analysisBudgetMs !== undefined ? { analysisBudgetMs: options.analysisBudgetMs } : {}),
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

function analyzeText(input: string | ParsedModule, filename: string, p: Prepared, ignoreNosec: boolean, selection: AnalyzerContext["selection"], ruleOptions: RuleOptionsByKey): ModuleOutcome {
  const metrics = emptyMetrics();
  metrics.loc = countLoc(typeof input === "string" ? input : input.source);
  let module: ParsedModule;
  try {
    module = typeof input === "string" ? parsePython(input, filename) : input;
  } catch (err) {
    return { findings: [], metrics, error: { filename, reason: EXCEPTION_REASON, detail: err instanceof Error ? err.message : String(err) } };
  }
  if (module.hasErrors) {
    const e = module.errorRanges[0]!;
    return { findings: [], metrics, error: { filename, reason: SYNTAX_ERROR_REASON, detail: `line ${e.line}: ${e.message}` } };
  }
  const findings: Finding[] = [];
  const unfinished: string[] = [];
  try {
    for (const a of p.analyzers) {
      findings.push(...a.analyze(module, { filename, ignoreNosec, selection, ruleOptions }));
      const c = a.lastCounters?.();
      if (c) {
        metrics.nosec += c.nosec;
        metrics.skipped_tests += c.skippedTests;
      }
      const e = a.lastErrors?.();
      if (e && e.length > 0) unfinished.push(...e.map((m) => `${a.name}: ${m}`));
    }
  } catch (err) {
    return { findings: [], metrics, error: { filename, reason: EXCEPTION_REASON, detail: err instanceof Error ? err.message : String(err) } };
  }
  findings.sort(compareFindings);
  addFindingCounts(metrics, findings);
  return unfinished.length > 0 ? { findings, metrics, error: { filename, reason: INCOMPLETE_REASON, detail: unfinished.join("; ") } } : { findings, metrics };
}

// scanSource is called per sample in reward loops: keep prepared analyzers per option set.
const preparedCache = new Map<string, Prepared>();

/**
 * Scan one Python source string, or a module already parsed (so the rules, the detector and the
 * structure check of a reward share one parse), in-process. Reuses the shared parser and the
 * prepared analyzers, so repeated calls pay no start-up cost. Analyzers other than "rules" must be
 * loaded first with `loadAnalyzers`. Findings are filtered by `severity`/`confidence` (default: all).
 */
export function scanSource(code: string | ParsedModule, options: ScanOptions = {}): { findings: Finding[]; errors: ScanError[] } {
  const key = JSON.stringify([options.analyzers, options.ignoreNosec, options.tests, options.skips, options.ruleOptions, options.severity, options.confidence, options.analysisBudgetMs]);
  let p = preparedCache.get(key);
  if (!p) {
    p = prepare(options);
    if (preparedCache.size > 32) preparedCache.clear();
    preparedCache.set(key, p);
  }
  const filename = options.filename ?? (typeof code === "string" ? "<string>" : code.filename);
  const out = analyzeText(code, filename, p, options.ignoreNosec ?? false, { tests: options.tests, skips: options.skips }, options.ruleOptions ?? {});
  return { findings: filterFindings(out.findings, p.severity, p.confidence), errors: out.error ? [out.error] : [] };
}

export interface ScanReport {
  /** Findings that pass the level filters, sorted by file then position; one entry per problem (see merge.ts). */
  results: ReportedFinding[];
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

/** Scan one file with prepared analyzers; never throws. Only regular files up to the size limit are read. */
function scanFile(file: string, p: Prepared, options: ScanOptions): FileOutcome {
  const read = readSourceFile(file, options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES);
  if (!read.ok) return { file, findings: [], error: { filename: file, reason: EXCEPTION_REASON, detail: read.reason } };
  const bytes = read.bytes;
  const decoded = decodePythonSource(bytes);
  if (!decoded.ok) return { file, metrics: emptyMetrics(), findings: [], error: { filename: file, reason: SYNTAX_ERROR_REASON, detail: decoded.reason } };
  const out = analyzeText(decoded.text, file, p, options.ignoreNosec ?? false, { tests: options.tests, skips: options.skips }, options.ruleOptions ?? {});
  const kept = !out.error || out.error.reason === INCOMPLETE_REASON;
  return { file, metrics: out.metrics, findings: kept ? filterFindings(out.findings, p.severity, p.confidence) : [], error: out.error };
}

/** Throws UnknownTestError for a test id or name in `tests` or `skips` that no rule has. */
export function checkSelection(options: ScanOptions): void {
  selectionPredicate({ tests: options.tests, skips: options.skips });
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

/**
 * Scan with this thread and the pool's workers, all claiming small batches from a shared counter,
 * so a slow start or a busy CPU only means fewer batches for that thread. Outcomes are put back in
 * input order, so the report is the one a single thread gives. A batch that a worker claimed but
 * never returned (it crashed, or could not start) is scanned here at the end.
 */
export async function scanWithWorkers(files: readonly string[], options: ScanOptions, pool: ScanWorkerPool): Promise<FileOutcome[]> {
  const work = pool.begin(files, options);
  // This thread's share; after each of its batches it takes in the batches the workers posted, so
  // that deserializing them is spread over the scan instead of left to the end.
  await scanClaimedBatches(work, (msg) => {
    pool.record(msg, 0);
    pool.drain();
  });
  const results = await pool.finish();
  const missing: number[] = [];
  for (let b = 0; b < results.length; b++) if (results[b] === undefined) missing.push(b);
  if (missing.length > 0) {
    const p = await prepareLoaded(options);
    for (const b of missing) results[b] = files.slice(b * work.batchSize, (b + 1) * work.batchSize).map((f) => scanFile(f, p, options));
  }
  if (process.env.SECURECODERL_DEBUG) {
    process.stderr.write(`scan: ${files.length} files in ${results.length} batches on ${pool.size + 1} threads: ${pool.share.join("+")} batches (this thread first), ${missing.length} rescanned\n`);
  }
  return results.flat() as FileOutcome[];
}

/**
 * Pyright over every file that parsed, in one batch; its findings join each file's results and
 * metrics under the same level filters. A file pyright could not check gets no type findings and
 * keeps its other results (the reason goes to stderr under SECURECODERL_DEBUG).
 */
export async function addTypeFindings(outcomes: FileOutcome[], options: ScanOptions): Promise<void> {
  const { checkTypesReport } = await import("../types/index.js");
  const checkable = outcomes.filter((o) => o.metrics && !o.error);
  const files = checkable.flatMap((o, i) => {
    const read = readSourceFile(o.file, options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES);
    const decoded = read.ok ? decodePythonSource(read.bytes) : null;
    return decoded?.ok ? [{ name: `f${i}.py`, code: decoded.text, outcome: o }] : [];
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
