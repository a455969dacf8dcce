import type { AnalyzerName, Finding } from "../analysis/finding.js";

/**
 * The static analysis of one sample as plain data (request and outcome), shared by the analysis
 * worker, the pool that drives it and the evaluation that reads the outcome. Free of the parser and
 * the analyzers, so the main thread can hold these types without loading them.
 */

/** The analyzers that run here; `types` is pyright, batched in its own process by the verifier. */
export type ModuleAnalyzer = Extract<AnalyzerName, "rules" | "vuln">;

/** Largest program analysed, in UTF-8 bytes: far above any generated solution, far below what stalls a thread. */
export const DEFAULT_MAX_ANALYSIS_BYTES = 256 * 1024;

export interface AnalysisRequest {
  code: string;
  analyzers: readonly ModuleAnalyzer[];
  /** Task context for the detector. */
  entryFunction?: string;
  cwe?: string;
  /** The detector's own time budget (ms); the pool's per-sample budget is the backstop. */
  vulnBudgetMs?: number;
  maxBytes?: number;
}

export interface AnalysisError {
  analyzer: ModuleAnalyzer;
  message: string;
}

export interface AnalysisOutcome {
  findings: Finding[];
  /** Any entry means that analyzer did not fully read the program: the reward counts it against the sample. */
  errors: AnalysisError[];
  /** The paper's structure finding (empty function bodies, solution at module level). */
  moduleLevelSolution: boolean;
  /** Milliseconds; `rules_ms` includes the one shared parse (the detector's when rules did not run). */
  timings: { rules_ms: number; vuln_ms: number };
}

/** Whatever runs analyses: the worker pool, or this thread. */
export interface AnalysisRunner {
  analyze(request: AnalysisRequest): Promise<AnalysisOutcome>;
  close(): Promise<void>;
}

/** Every requested analyzer failed with the same reason (too large, budget exceeded, worker died). */
export function failedOutcome(request: Pick<AnalysisRequest, "analyzers">, reason: string): AnalysisOutcome {
  return { findings: [], errors: request.analyzers.map((analyzer) => ({ analyzer, message: reason })), moduleLevelSolution: false, timings: { rules_ms: 0, vuln_ms: 0 } };
}
