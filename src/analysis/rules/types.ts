import type { Confidence, Severity } from "../finding.js";
import type { ParsedModule, PyValue, SyntaxNode, CallArgs, BanditValue } from "../python/index.js";

/** Options for one rule, from the config file (merged over the rule's defaults). */
export type RuleOptions = Record<string, unknown>;

/** Static description of one Bandit test id. */
export interface RuleMeta {
  /** Bandit test id: "B602". */
  id: string;
  /** Bandit test name: "subprocess_popen_with_shell_equals_true". */
  name: string;
  /** Default CWE of the check. */
  cwe: number;
  /** Severity most hits carry; shown in rule listings and SARIF. Hits may differ. */
  severity: Severity;
  /** One sentence in our own words: what the check looks for. */
  description: string;
  /** Documentation link; defaults to Bandit's plugin page for the id. */
  moreInfo?: string;
}

/**
 * One check. The engine walks each module once and calls `check` for every node whose tree-sitter
 * type is in `nodeTypes` ("call", "string", "import_statement", "assert_statement", ...).
 */
export interface Rule extends RuleMeta {
  nodeTypes: readonly string[];
  /**
   * Config section holding this rule's options (Bandit's plugin config name, e.g. "shell_injection"
   * shared by B602-B607); defaults to `name`.
   */
  configKey?: string;
  defaultOptions?: RuleOptions;
  /**
   * A rule that reports several test ids (the blacklists: one Bandit test, many ids). Each member is
   * filtered by --tests/--skips on its own; `check` asks `ctx.isEnabled(id)` before reporting one.
   */
  members?: readonly RuleMeta[];
  check(node: SyntaxNode, ctx: RuleContext): RuleHit | RuleHit[] | null | undefined;
  /**
   * Optional cheap test on the module's text (with this rule's options): false when the rule cannot
   * report anything in this module, e.g. because a word every hit must contain is absent. The
   * engine then skips the rule there, and does not even fetch node types no remaining rule wants.
   * It must never be false for a module where `check` could report.
   */
  appliesTo?(source: string, options: RuleOptions): boolean;
}

/** What a check reports; the engine turns it into a Finding with Bandit's positions. */
export interface RuleHit {
  severity: Severity;
  confidence: Confidence;
  /** Issue text (our own words; may embed the offending name or value). */
  message: string;
  /** Overrides the rule's CWE. */
  cwe?: number;
  /** For member rules (blacklists): which id and name this hit is. Defaults to the rule's. */
  testId?: string;
  testName?: string;
  /** Report at this node instead of the dispatched node (position, line range, code). */
  node?: SyntaxNode;
  /** Override only the reported line number, keeping the node's range (Bandit's `lineno=` on Issue). */
  lineNumber?: number;
  /** Override the line range (for an `ast` parent without a position of its own, see strings.ts). */
  lineRange?: number[];
}

/** Per-module, per-rule view handed to `check`. Cheap helpers bound to the module. */
export interface RuleContext {
  module: ParsedModule;
  filename: string;
  /** This rule's options (defaults merged with config). */
  options: RuleOptions;
  /** Whether a test id is selected by --tests/--skips/config. */
  isEnabled(testId: string): boolean;
  /** Source text of a node. */
  text(node: SyntaxNode): string;
  /** Resolved dotted name of a Name/Attribute chain, or null (see python/names.ts). */
  qualifiedName(expr: SyntaxNode): string | null;
  /** Bandit's `call_function_name_qual` for a call node ("" when unresolvable). */
  callName(call: SyntaxNode): string;
  /** Bandit's `call_function_name`: last part of `callName`. */
  callShortName(call: SyntaxNode): string;
  callArgs(call: SyntaxNode): CallArgs;
  literal(node: SyntaxNode): PyValue | undefined;
  /** String value of a str literal (concatenations folded), else null. */
  stringValue(node: SyntaxNode): string | null;
  /**
   * A call argument as Bandit's `call_args`/`call_keywords` see it: literals by value, True/False/None
   * as "True"/"False"/"None", names by id, attributes by attribute name, else null.
   */
  banditValue(node: SyntaxNode): BanditValue;
}
