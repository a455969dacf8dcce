import type { CallArgs, ParsedModule, SyntaxNode } from "../python/index.js";
import { banditValue, callArgs, callQualName, callShortName, literalValue, nodeText, qualifiedName, stringValue, unparenthesize } from "../python/index.js";
import type { Rule, RuleContext, RuleOptions } from "./types.js";

/**
 * Per-module memo shared by every rule's context: many rules ask for the same call's name and
 * arguments, and each answer walks several nodes and builds strings.
 */
export interface ModuleMemo {
  // Keyed by node object: a tree hands out one object per node.
  callNames: Map<SyntaxNode, string>;
  callArgs: Map<SyntaxNode, CallArgs>;
  /** The module-bound helpers every rule's context shares (built on first use). */
  shared?: { module: ParsedModule; isEnabled: (id: string) => boolean; helpers: Omit<RuleContext, "options"> };
}

export function newModuleMemo(): ModuleMemo {
  return { callNames: new Map(), callArgs: new Map() };
}

/** Build the context a rule sees for one module. */
export function makeRuleContext(
  module: ParsedModule,
  rule: Rule,
  options: RuleOptions,
  isEnabled: (id: string) => boolean,
  memo: ModuleMemo = newModuleMemo(),
): RuleContext {
  // The helpers depend only on the module: build them once per module and give each rule a copy
  // with its options (one small object per rule instead of a dozen closures). A copy, not
  // Object.create(helpers): a fresh prototype per module cost V8 a new prototype map per module,
  // and left every rule's `ctx.callName(...)` site seeing a new object shape each module.
  let shared = memo.shared;
  if (!shared || shared.module !== module || shared.isEnabled !== isEnabled) {
    shared = { module, isEnabled, helpers: moduleHelpers(module, isEnabled, memo) };
    memo.shared = shared;
  }
  return { ...shared.helpers, options };
}

function moduleHelpers(module: ParsedModule, isEnabled: (id: string) => boolean, memo: ModuleMemo): Omit<RuleContext, "options"> {
  const src = module.source;
  return {
    module,
    filename: module.filename,
    isEnabled,
    text: (n: SyntaxNode) => nodeText(n, src),
    qualifiedName: (n: SyntaxNode) => qualifiedName(n, module),
    callName: (c: SyntaxNode) => {
      let v = memo.callNames.get(c);
      if (v === undefined) {
        v = callQualName(c, module);
        memo.callNames.set(c, v);
      }
      return v;
    },
    callShortName: (c: SyntaxNode) => callShortName(c, module),
    callArgs: (c: SyntaxNode) => {
      let v = memo.callArgs.get(c);
      if (v === undefined) {
        v = callArgs(c, src);
        memo.callArgs.set(c, v);
      }
      return v;
    },
    // Unwrap here too: the python helpers leave a group holding a comment wrapped.
    literal: (n: SyntaxNode) => literalValue(unparenthesize(n), src),
    stringValue: (n: SyntaxNode) => stringValue(unparenthesize(n), src),
    banditValue: (n: SyntaxNode) => banditValue(unparenthesize(n), src, true),
  };
}

/**
 * Bandit's `Issue.get_code(max_lines=3)`: the lines from one before the hit through the node's
 * range plus one after, each as "N text\n", stopping at the end of the file.
 */
export function codeSnippet(lines: readonly string[], lineNumber: number, rangeLength: number): string {
  const first = Math.max(1, lineNumber - 1);
  const end = first + Math.max(1, rangeLength) + 2; // exclusive
  let out = "";
  for (let l = first; l < end; l++) {
    if (l > lines.length) break;
    const text = lines[l - 1]!;
    // The last line of a file without a trailing newline still prints; an empty final split part
    // (the file ended with a newline) is the end of the file.
    if (l === lines.length && text === "") break;
    out += `${l} ${text}\n`;
  }
  return out;
}
