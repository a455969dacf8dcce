/**
 * Flow-sensitive taint analysis of one module, in passes (as pyright separates binder, code flow
 * and checker):
 *
 * - `program.ts` (binder): functions, CFGs, SSA form per graph, qualified names, which definition
 *   reaches a use;
 * - `guards.ts` (narrowing): what a branch condition or checking loop establishes about values;
 * - `evaluator.ts` (checker): the taint of expressions and the call rules (sources, sinks,
 *   sanitizers, summaries of same-file functions);
 * - `solver.ts` (code flow): each CFG solved to a fixpoint, summaries to a fixpoint, final runs;
 * - `report.ts`: the source table and the finding decision at sinks.
 *
 * The models these passes read are data in `models/`; see docs/vuln/README.md.
 */
import type { ParsedModule } from "../python/index.js";
import type { FunctionInfo, Summary, TaintHit, TaintOptions } from "./context.js";
import { Evaluator } from "./evaluator.js";
import type { State, Taint, TaintSource } from "./facts.js";
import { CLEAN } from "./facts.js";
import { Guards } from "./guards.js";
import { Program } from "./program.js";
import { Reporter } from "./report.js";
import { Solver } from "./solver.js";

export { TaintTimeout } from "./context.js";
export type { TaintHit, TaintOptions } from "./context.js";

/** Analyzes a parsed module: the findings, the sources they start from, and whether a limit cut it short. */
export function analyzeTaint(mod: ParsedModule, opts: TaintOptions = {}): { hits: TaintHit[]; sources: TaintSource[]; truncated: boolean } {
  const program = new Program(mod, opts);
  const reporter = new Reporter(program, opts);
  const summaries = new Map<FunctionInfo, Summary>();
  let evaluator: Evaluator | null = null;
  const read = (state: State, key: string): Taint => state.get(key) ?? (key.includes(".") || !evaluator ? CLEAN : (evaluator.globals.get(key) ?? CLEAN));
  const guards = new Guards(program, read);
  const solver = new Solver(program, reporter, guards, summaries, opts);
  evaluator = new Evaluator(program, reporter, guards, summaries, solver);
  solver.e = evaluator;
  solver.run();
  return { hits: reporter.hits, sources: reporter.sources, truncated: program.truncated };
}
