/**
 * The vulnerability detector as a `scan --analyzer vuln` analyzer. Importing this module registers
 * it (src/analysis/scan/analyzers.ts loads it lazily). `# nosec` comments do not silence it: it
 * feeds the quality reward, and generated code must not be able to switch it off.
 */
import { registerAnalyzer } from "../scan/analyzers.js";
import { analyzeVuln } from "./index.js";

registerAnalyzer("vuln", (setup) => {
  // What the detector could not finish on the last module (its time budget, a nesting too deep
  // for the CWE checks): reported with the file, never dropped in silence.
  let unfinished: readonly string[] = [];
  return {
    name: "vuln",
    analyze(module, ctx) {
      const { findings, errors } = analyzeVuln(module, ctx.filename, setup.analysisBudgetMs !== undefined ? { timeBudgetMs: setup.analysisBudgetMs } : {});
      const prefix = `${ctx.filename}: `;
      unfinished = errors.map((e) => (e.startsWith(prefix) ? e.slice(prefix.length) : e));
      return findings;
    },
    lastErrors: () => unfinished,
  };
});
