import { cweRef, type Confidence, type Finding, type Severity } from "../../finding.js";
import { calledFunction } from "./calls.js";
import { DefUse, descendants, functionName, functions, localNames, ofTypes, parameters, type Param, position, shadowedFunctions, type Node } from "./ast.js";
import { calleeAliases } from "./callees.js";

/**
 * What a check needs from the parsed module. The shared front end's ParsedModule satisfies it
 * structurally (it has `root`; `source`/`filename` are used when present).
 */
export interface CheckModule {
  root: Node;
  source?: string;
  filename?: string;
  /** Converts tree-sitter columns to Bandit's UTF-8 byte columns when present (ParsedModule has it). */
  text?: { utf8Column(row: number, column: number): number };
}

export interface CheckContext {
  /** The function the task asks for; checks that need an entry point fall back to every function. */
  entryFunction?: string;
  /** Parameters of the entry function that carry attacker-controlled data. */
  untrustedParams?: string[];
  /**
   * Whether function parameters carry attacker input (default: when a task names an entry function).
   * In a plain scan they are the caller's own values, as in the taint engine's trust levels, so the
   * checks whose only source is a parameter (mass assignment, resource growth) stay quiet there.
   */
  parametersAreInput?: boolean;
  /** The task's CWE, when known (used only to pick between sibling CWE ids in a report). */
  cwe?: string;
  /** Hash/cipher names accepted by the weak-crypto check (lower case); defaults to SECURE_HASHES. */
  allowedHashes?: string[];
}

/** Per-module facts every check can share, computed once. */
export interface CheckInput {
  module: CheckModule;
  context: CheckContext;
  /** Local name -> qualified name: imports and one-binding callee aliases (callees.ts). */
  aliases: Map<string, string>;
  lines: string[];
  /** Ids of function definitions replaced by a later `def` of the same name (never run). */
  shadowed: Set<number>;
  /** Per-function facts shared by the checks (tree-sitter node access is costly; compute once). */
  cache: Map<number, { du?: DefUse; locals?: Set<string>; params?: Param[] }>;
}

function cached(input: CheckInput, fn: Node) {
  let entry = input.cache.get(fn.id);
  if (!entry) input.cache.set(fn.id, (entry = {}));
  return entry;
}

export function defUseOf(input: CheckInput, fn: Node): DefUse {
  const e = cached(input, fn);
  return (e.du ??= new DefUse(fn));
}

/** Locals of a function (a fresh copy: callers may extend it). */
export function localsOf(input: CheckInput, fn: Node): Set<string> {
  const e = cached(input, fn);
  return new Set((e.locals ??= localNames(fn)));
}

export function paramsOf(input: CheckInput, fn: Node): Param[] {
  const e = cached(input, fn);
  return (e.params ??= parameters(fn));
}

export type Check = (input: CheckInput) => Finding[];

export function makeInput(module: CheckModule, context: CheckContext): CheckInput {
  const source = module.source ?? module.root.text;
  return { module, context, aliases: calleeAliases(module.root), lines: source.split("\n"), shadowed: shadowedFunctions(module.root), cache: new Map() };
}

/** Every node of the module except those inside shadowed (dead) function definitions. */
export function* liveNodes(input: CheckInput): Generator<Node> {
  if (input.shadowed.size === 0) {
    yield* descendants(input.module.root);
    return;
  }
  for (const node of descendants(input.module.root)) {
    if (!insideShadowed(node, input.shadowed) && !input.shadowed.has(node.id)) yield node;
  }
}

/** Live nodes of the given types (type search, then dead code dropped). */
export function liveNodesOfType(input: CheckInput, types: string[]): Node[] {
  const found = ofTypes(input.module.root, types);
  return input.shadowed.size === 0 ? found : found.filter((n) => !input.shadowed.has(n.id) && !insideShadowed(n, input.shadowed));
}

/** The functions a check should examine: the task's entry function when named, else every live one. */
export function parametersAreInput(context: CheckContext): boolean {
  return context.parametersAreInput ?? context.entryFunction !== undefined;
}

/**
 * The task's entry function and the module's own helpers it calls (transitively): code moved into
 * a helper is still the entry's code. Without an entry, every live function.
 */
export function targetFunctions(input: CheckInput): Node[] {
  const live = functions(input.module.root).filter((f) => !input.shadowed.has(f.id) && !insideShadowed(f, input.shadowed));
  const entry = input.context.entryFunction;
  if (!entry) return live;
  const named = live.filter((f) => functionName(f) === entry);
  if (named.length === 0) return live;
  const out = [...named];
  const seen = new Set(out.map((f) => f.id));
  for (let i = 0; i < out.length && out.length < MAX_HELPERS; i++) {
    for (const call of ofTypes(out[i]!, ["call"], { intoFunctions: false })) {
      const helper = calledFunction(call);
      if (helper && !seen.has(helper.id) && !input.shadowed.has(helper.id)) {
        seen.add(helper.id);
        out.push(helper);
      }
    }
  }
  return out;
}

/** Enough for any task's helpers; a bound so a generated module cannot make every check quadratic. */
const MAX_HELPERS = 50;

function insideShadowed(n: Node, shadowed: Set<number>): boolean {
  for (let p = n.parent; p; p = p.parent) if (shadowed.has(p.id)) return true;
  return false;
}



export interface FindingSpec {
  cwe: number;
  name: string;
  severity: Severity;
  confidence: Confidence;
  text: string;
}

export function finding(input: CheckInput, node: Node, spec: FindingSpec): Finding {
  const pos = position(node);
  const lineRange: number[] = [];
  for (let l = pos.line; l <= pos.endLine; l++) lineRange.push(l);
  const code = input.lines
    .slice(Math.max(0, pos.line - 1), pos.endLine)
    .map((text, i) => `${pos.line + i} ${text}`)
    .join("\n");
  return {
    analyzer: "vuln",
    filename: input.module.filename ?? "<string>",
    test_id: `VULN-CWE-${spec.cwe}`,
    test_name: spec.name,
    issue_severity: spec.severity,
    issue_confidence: spec.confidence,
    issue_cwe: cweRef(spec.cwe),
    issue_text: spec.text,
    line_number: pos.line,
    line_range: lineRange,
    col_offset: input.module.text ? input.module.text.utf8Column(node.startPosition.row, node.startPosition.column) : pos.col,
    end_col_offset: input.module.text ? input.module.text.utf8Column(node.endPosition.row, node.endPosition.column) : pos.endCol,
    code: `${code}\n`,
  };
}
