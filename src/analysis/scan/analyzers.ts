import type { AnalyzerName, Finding } from "../finding.js";
import type { ParsedModule } from "../python/index.js";
import type { RuleOptionsByKey, RuleSelection } from "../rules/index.js";

/** What every analyzer gets besides the parsed module. */
export interface AnalyzerContext {
  filename: string;
  ignoreNosec: boolean;
  selection: RuleSelection;
  ruleOptions: RuleOptionsByKey;
  /** The detector's per-file budget in ms of the analysing thread's CPU (default 2000). */
  analysisBudgetMs?: number;
}

/**
 * An analyzer turns one parsed module into findings. It is created once per scan (so it can build
 * tables up front) and then called for every module.
 */
export interface Analyzer {
  name: AnalyzerName;
  analyze(module: ParsedModule, ctx: AnalyzerContext): Finding[];
  /** Per-module counters an analyzer wants in the metrics (the rules analyzer: nosec counts). */
  lastCounters?(): { nosec: number; skippedTests: number };
  /**
   * Work on the last module the analyzer could not finish (the detector's time budget): its
   * findings still count, and the file is listed under `errors` as incompletely analysed.
   */
  lastErrors?(): readonly string[];
}

/** A file an analyzer could not finish (`lastErrors`): its findings so far are reported. */
export const INCOMPLETE_REASON = "analysis incomplete";

export type AnalyzerFactory = (ctx: Omit<AnalyzerContext, "filename">) => Analyzer;

const registered = new Map<AnalyzerName, AnalyzerFactory>();

/** Make an analyzer available to `scan --analyzer NAME` and `scanSource`. */
export function registerAnalyzer(name: AnalyzerName, factory: AnalyzerFactory): void {
  registered.set(name, factory);
}

/**
 * Analyzers loaded on demand, so `scan` with only `rules` never loads the others. An analyzer's
 * module calls `registerAnalyzer` when imported. To plug one in, add one line here.
 */
const LAZY = new Map<string, () => Promise<unknown>>([
  ["rules", () => import("./rules-analyzer.js")],
  ["vuln", () => import("../vuln/scan-analyzer.js")],
]);

/** The analyzers `scan` runs when none are named: the design's default, rules and the detector. */
export const DEFAULT_ANALYZERS: readonly AnalyzerName[] = ["rules", "vuln"];

export const KNOWN_ANALYZERS: readonly AnalyzerName[] = ["rules", "vuln", "types"];

export class AnalyzerUnavailableError extends Error {}

/** Load (import) the named analyzers; errors name the ones that do not exist yet. */
export async function loadAnalyzers(names: readonly AnalyzerName[]): Promise<void> {
  for (const n of names) {
    // Type checks are not a per-module analyzer: scanPaths runs pyright once over all files.
    if (registered.has(n) || n === "types") continue;
    const load = LAZY.get(n);
    if (!load) throw new AnalyzerUnavailableError(`analyzer "${n}" is not available in this build`);
    await load();
    if (!registered.has(n)) throw new AnalyzerUnavailableError(`analyzer "${n}" did not register itself`);
  }
}

/** Instantiate already loaded analyzers. */
export function createAnalyzers(names: readonly AnalyzerName[], ctx: Omit<AnalyzerContext, "filename">): Analyzer[] {
  return names.map((n) => {
    if (n === "types") throw new AnalyzerUnavailableError('the "types" analyzer runs pyright in batches: use scanPaths (the scan command) or checkTypes, not a per-module scan');
    const f = registered.get(n);
    if (!f) throw new AnalyzerUnavailableError(`analyzer "${n}" is not available in this build (not loaded)`);
    return f(ctx);
  });
}

export function isRegistered(name: AnalyzerName): boolean {
  return registered.has(name);
}

/** Parse "rules,vuln" into analyzer names; unknown names are an error. */
export function parseAnalyzerList(value: string): AnalyzerName[] {
  const out: AnalyzerName[] = [];
  for (const part of value.split(",").map((s) => s.trim()).filter(Boolean)) {
    if (!(KNOWN_ANALYZERS as readonly string[]).includes(part)) {
      throw new AnalyzerUnavailableError(`unknown analyzer "${part}"; expected ${KNOWN_ANALYZERS.join(", ")}`);
    }
    if (!out.includes(part as AnalyzerName)) out.push(part as AnalyzerName);
  }
  if (out.length === 0) throw new AnalyzerUnavailableError("no analyzer named");
  return out;
}
