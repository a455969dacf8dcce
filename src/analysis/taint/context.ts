/**
 * Types shared by the taint passes (binder, guards, evaluator, reporter, solver) and the public
 * options and results of `analyzeTaint`.
 */
import type { FlowStep } from "../finding.js";
import type { Cfg, SyntaxNode } from "../python/cfg.js";
import type { CallArgs } from "../python/index.js";
import type { SsaForm } from "../python/ssa.js";
import type { Taint, TaintSource } from "./facts.js";
import type { VulnClass } from "./models/index.js";

export class TaintTimeout extends Error {
  constructor() {
    super("taint analysis time budget exceeded");
  }
}

export interface TaintOptions {
  /** Function whose parameters are untrusted (by name or qualified name). */
  entryFunction?: string;
  /** Parameters of the entry function that are untrusted (default: all but self/cls). */
  untrustedParams?: string[];
  /** Classes whose sink is the entry function's return value (the task returns markup or a URL). */
  returnSinkClasses?: VulnClass[];
  /** At the return-value sink, only values spliced into a template as fill values count (CWE-77). */
  returnSinkSplicedOnly?: boolean;
  /**
   * Classes the task's CWE names. A whole value from a caller-chosen source (a parameter of the
   * entry function, the command line, the environment, a file read) is reported only at sinks of
   * these classes; composed into trusted structure it is reported at every sink. Task-only sinks
   * (a CWE-22 task's existence checks) apply only to these classes.
   */
  taskClasses?: VulnClass[];
  /** The time on `clock` (default: wall time, ms since epoch) after which analysis stops. */
  deadline?: number;
  /** The clock `deadline` is read on: the analysing thread's CPU time where it can be read. */
  clock?: () => number;
}

export interface TaintHit {
  cls: VulnClass;
  sink: SyntaxNode;
  sinkName: string;
  source: TaintSource;
  flow: FlowStep[];
}

export interface FunctionInfo {
  name: string;
  qualname: string;
  node: SyntaxNode;
  cfg: Cfg;
  params: string[];
  isMethod: boolean;
  isRoute: boolean;
  /** Single assignments `name = expr` in the function (fallback where SSA has no answer). */
  assigns: Map<string, SyntaxNode>;
  /** SSA form of the function's graph, built on first use. */
  ssa?: SsaForm;
}

export interface SummarySink {
  param: number;
  /** The quote marks the parameter's variant assumed (see quoteVariant): applies to arguments that choose it. */
  marks: number;
  cleared: number;
  cls: VulnClass;
  sink: SyntaxNode;
  sinkName: string;
  path: FlowStep[];
}

/**
 * A call of a parameter's value inside a summarized function (`def apply(f, x): f(x)`): at each
 * call site, the function handed in as that parameter is called with these arguments.
 */
export interface CalledParam {
  param: number;
  call: SyntaxNode;
  args: CallArgs;
  /** The arguments' taints, in terms of the summarized function's param sources. */
  positional: Taint[];
  keywords: Map<string, Taint>;
}

export interface Summary {
  /** Facts reaching the return value; param sources stand for the arguments. */
  ret: Taint;
  sinks: SummarySink[];
  calledParams: CalledParam[];
  /**
   * Per parameter index: the classes the function validates its argument for when it returns
   * normally (a helper that raises or aborts unless the value passes a check). The caller's
   * variable passed there is validated after the call.
   */
  validated: number[];
  /** The returned tuple's elements, when every return returns a tuple of one length (see Run). */
  retElements: Taint[] | null;
  /**
   * Facts an exception raised out of the function carries (`raise ValueError(x)`), param sources
   * standing for the arguments: a caller's `except ... as e` gets them. Raised and handled inside
   * counts too (an over-approximation: a handler's state keeps what it caught).
   */
  raised: Taint;
  /**
   * What the function's `nonlocal` names hold when it returns (captured sources standing for the
   * enclosing function's variables): a call where they are in scope rebinds them.
   */
  nonlocals: Map<string, Taint>;
  key: string;
}

export type Mode = "summary" | "final";

/** One analysis of one graph: what it reports and where its returns and summary effects go. */
export interface Run {
  fn: FunctionInfo | null;
  /** The function whose parameter-to-sink effects are being summarized (closures share it). */
  summaryFn: FunctionInfo | null;
  mode: Mode;
  report: boolean;
  returns: Taint;
  /** What leaves the graph raised (the exit state's `RAISED`), set by the solver. */
  raised?: Taint;
  /** What the function's `nonlocal` names hold when it returns, set by the solver. */
  nonlocals?: Map<string, Taint>;
  /**
   * Per element, when every return returns a tuple of the same length (`return name, cur`):
   * callers that unpack the result keep the elements apart. null once some return is not such a
   * tuple; undefined before any return.
   */
  returnElements?: Taint[] | null;
  isEntry: boolean;
  summarySinks: SummarySink[];
  /** Calls of the summarized function's parameters (summary mode; see CalledParam). */
  calledParams?: CalledParam[];
  depth: number;
}

/** The arguments of a call Python makes with none (`__enter__`, a dataclass's `__post_init__`). */
export const NO_ARGS: CallArgs = { positional: [], keywords: new Map(), keywordNodes: [], hasStarArgs: false, hasStarStarKwargs: false, isGeneratorArgument: false };

/** State key of what the exception being handled holds (set by `raise`, read by `except ... as e`). */
export const RAISED = "@raised";

export function step(node: SyntaxNode, message: string): FlowStep {
  return { line: node.startPosition.row + 1, col: node.startPosition.column, message };
}

export function unparen(n: SyntaxNode): SyntaxNode {
  while (n.type === "parenthesized_expression" && n.namedChildCount === 1) n = n.namedChildren[0]!;
  return n;
}
