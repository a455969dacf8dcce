import type { Finding } from "../analysis/finding.js";
import { parsePython, type ParsedModule } from "../analysis/python/index.js";
import { scanSource } from "../analysis/scan/index.js";
import { detect } from "../analysis/vuln/index.js";
import { DEFAULT_MAX_ANALYSIS_BYTES, failedOutcome, type AnalysisError, type AnalysisOutcome, type AnalysisRequest, type AnalysisRunner } from "./analysis-types.js";
import { hasModuleLevelSolution } from "./structure.js";

/**
 * The static analysis of one sample as one unit of work: parse once, then the rules, the detector
 * and the structure check on that one module. It runs in an analysis worker thread (see
 * analysis-pool.ts) or, where no worker can start, in the calling thread; either way the input and
 * output are plain data (analysis-types.ts), so they cross a thread boundary as they are.
 */

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export function runAnalysis(request: AnalysisRequest): AnalysisOutcome {
  const maxBytes = request.maxBytes ?? DEFAULT_MAX_ANALYSIS_BYTES;
  const bytes = Buffer.byteLength(request.code, "utf8");
  if (bytes > maxBytes) return failedOutcome(request, `program too large to analyse: ${bytes} bytes, limit ${maxBytes}`);
  const timings = { rules_ms: 0, vuln_ms: 0 };
  const t0 = performance.now();
  let module: ParsedModule;
  try {
    module = parsePython(request.code, "solution.py");
  } catch (err) {
    return failedOutcome(request, `could not parse: ${message(err)}`);
  }
  const parseMs = performance.now() - t0;
  const findings: Finding[] = [];
  const errors: AnalysisError[] = [];
  if (request.analyzers.includes("rules")) {
    const t1 = performance.now();
    try {
      // ignoreNosec: a reward that honours `# nosec` teaches a model to write it.
      const out = scanSource(module, { analyzers: ["rules"], ignoreNosec: true, filename: "solution.py" });
      findings.push(...out.findings);
      for (const e of out.errors) errors.push({ analyzer: "rules", message: `${e.reason}${e.detail ? `: ${e.detail}` : ""}` });
    } catch (err) {
      errors.push({ analyzer: "rules", message: message(err) });
    }
    timings.rules_ms = parseMs + performance.now() - t1;
  }
  if (request.analyzers.includes("vuln")) {
    const t1 = performance.now();
    try {
      const out = detect(
        module,
        {
          ...(request.entryFunction ? { entryFunction: request.entryFunction } : {}),
          ...(request.cwe ? { cwe: request.cwe } : {}),
          ...(request.vulnBudgetMs ? { timeBudgetMs: request.vulnBudgetMs } : {}),
        },
        "solution.py",
      );
      findings.push(...out.findings);
      for (const e of out.errors) errors.push({ analyzer: "vuln", message: e });
    } catch (err) {
      errors.push({ analyzer: "vuln", message: message(err) });
    }
    timings.vuln_ms = performance.now() - t1 + (request.analyzers.includes("rules") ? 0 : parseMs);
  }
  let moduleLevelSolution = false;
  try {
    moduleLevelSolution = hasModuleLevelSolution(module);
  } catch {
    // The structure finding is a report column, not a reward input: a failure leaves it false.
  }
  return { findings, errors, moduleLevelSolution, timings };
}

/** Analysis in the calling thread: for callers without worker threads, and the pool's fallback. */
export const inThreadAnalysis: AnalysisRunner = {
  analyze: async (request) => runAnalysis(request),
  close: async () => {},
};
