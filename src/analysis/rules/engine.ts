import type { Finding } from "../finding.js";
import { cweRef } from "../finding.js";
import type { ParsedModule, SyntaxNode } from "../python/index.js";
import { colOffset, endColOffset, lineNumber, mayLookUpByString, nodeText } from "../python/index.js";
import { codeSnippet, makeRuleContext, newModuleMemo } from "./context.js";
import type { RuleOptionsByKey, RuleSelection } from "./config.js";
import { selectionPredicate } from "./config.js";
import { NosecLines } from "./nosec.js";
import { pyLineRange } from "./ranges.js";
import { allRules, moreInfoUrl, resolveTestId, ruleMeta } from "./registry.js";
import type { Rule, RuleContext, RuleHit } from "./types.js";

export interface EngineOptions {
  /** Rules to run; all registered rules by default. */
  rules?: readonly Rule[];
  selection?: RuleSelection;
  ruleOptions?: RuleOptionsByKey;
  /** Report findings even where a `# nosec` comment would suppress them. */
  ignoreNosec?: boolean;
  /** Run every rule on every module, ignoring `appliesTo` (to check that prefilters change nothing). */
  withoutPrefilters?: boolean;
}

/** Findings of one module plus the nosec bookkeeping Bandit reports in its metrics. */
export interface ModuleRuleResult {
  findings: Finding[];
  /** Findings suppressed by a blanket `# nosec` (Bandit's metrics "nosec"). */
  nosec: number;
  /** Findings suppressed by a `# nosec` naming their id (Bandit's metrics "skipped_tests"). */
  skippedTests: number;
}

interface Active {
  rule: Rule;
  options: Record<string, unknown>;
  /** The rule's context for the module being run (built on the rule's first node there). */
  ctx?: RuleContext;
  ctxModule?: ParsedModule;
}

/**
 * Runs rules over parsed modules: one tree walk per module, dispatching each node to the rules
 * registered for its type. Build once, run on many modules (no per-call set-up).
 */
/** What the walk over one module dispatches: rules per node type, and the types to fetch. */
interface DispatchTable {
  byType: Map<string, Active[]>;
  typesWithoutComments: readonly string[];
  typesWithComments: readonly string[];
}

function dispatchTable(actives: readonly Active[]): DispatchTable {
  const byType = new Map<string, Active[]>();
  for (const a of actives) {
    for (const t of a.rule.nodeTypes) {
      const list = byType.get(t);
      if (list) list.push(a);
      else byType.set(t, [a]);
    }
  }
  const types = [...byType.keys()];
  return { byType, typesWithoutComments: types, typesWithComments: [...types, "comment"] };
}

// Distinct sets of rules that modules leave active are few; past this many, tables are rebuilt.
const TABLE_CACHE_LIMIT = 256;

/**
 * Runs rules over parsed modules: one tree walk per module, dispatching each node to the rules
 * registered for its type. Build once, run on many modules (no per-call set-up).
 */
export class RuleEngine {
  private readonly actives: Active[] = [];
  private readonly full: DispatchTable;
  /** Rules with an `appliesTo` text test, asked once per module. */
  private readonly filtered: Active[] = [];
  /** Dispatch tables by which filtered rules apply ("1"/"0" per filtered rule). */
  private readonly tables = new Map<string, DispatchTable>();
  readonly isEnabled: (id: string) => boolean;
  private readonly ignoreNosec: boolean;

  constructor(opts: EngineOptions = {}) {
    this.isEnabled = selectionPredicate(opts.selection);
    this.ignoreNosec = opts.ignoreNosec ?? false;
    for (const rule of opts.rules ?? allRules()) {
      const ids = rule.members ? rule.members.map((m) => m.id) : [rule.id];
      if (!ids.some(this.isEnabled)) continue;
      const options = { ...(rule.defaultOptions ?? {}), ...(opts.ruleOptions?.[rule.configKey ?? rule.name] ?? {}) };
      const active: Active = { rule, options };
      this.actives.push(active);
      if (rule.appliesTo && !opts.withoutPrefilters) this.filtered.push(active);
    }
    this.full = dispatchTable(this.actives);
  }

  /**
   * The dispatch table for one module: without the rules whose `appliesTo` rules them out for this
   * text, and without node types no remaining rule wants. Comments matter only for `# nosec`, so
   * a module whose text has no "nosec" (or a run that ignores nosec) does not fetch them.
   */
  private tableFor(source: string): DispatchTable {
    // `getattr(os, "sys" + "tem")` and `vars(os)["sys" "tem"]` call os.system
    // (python/callee-aliases.ts): there a callee's last name may be spelt in pieces, which the text
    // tests (util/triggers.ts) cannot see.
    if (this.filtered.length === 0 || mayLookUpByString(source)) return this.full;
    let key = "";
    // Indexed loops in the per-module path: a scan runs mostly unoptimized code (src/cli/jit.ts),
    // where each for-of step allocates an iterator result.
    for (let i = 0; i < this.filtered.length; i++) {
      const a = this.filtered[i]!;
      key += a.rule.appliesTo!(source, a.options) ? "1" : "0";
    }
    let table = this.tables.get(key);
    if (!table) {
      const skipped = new Set(this.filtered.filter((_, i) => key[i] === "0"));
      table = skipped.size === 0 ? this.full : dispatchTable(this.actives.filter((a) => !skipped.has(a)));
      if (this.tables.size >= TABLE_CACHE_LIMIT) this.tables.clear();
      this.tables.set(key, table);
    }
    return table;
  }

  run(module: ParsedModule): ModuleRuleResult {
    const memo = newModuleMemo();
    const ctxFor = (a: Active): RuleContext => {
      if (a.ctxModule !== module || !a.ctx) {
        a.ctx = makeRuleContext(module, a.rule, a.options, this.isEnabled, memo);
        a.ctxModule = module;
      }
      return a.ctx;
    };
    const nosec = new NosecLines();
    const raw: { hit: RuleHit; rule: Rule; node: SyntaxNode }[] = [];
    const wantComments = !this.ignoreNosec && module.source.includes("nosec");
    const table = this.tableFor(module.source);
    const byType = table.byType;
    const types = wantComments ? table.typesWithComments : table.typesWithoutComments;
    // descendantsOfType includes the root when it matches, in document (pre-order) order.
    const nodes = types.length === 0 ? [] : module.root.descendantsOfType(types);
    for (let n = 0; n < nodes.length; n++) {
      const node = nodes[n]!;
      const type = node.type;
      if (type === "comment") {
        if (wantComments) nosec.add(node, nodeText(node, module.source), resolveTestId);
        continue;
      }
      const actives = byType.get(type);
      if (!actives) continue;
      for (let r = 0; r < actives.length; r++) {
        const a = actives[r]!;
        const out = a.rule.check(node, ctxFor(a));
        if (!out) continue;
        if (!Array.isArray(out)) raw.push({ hit: out, rule: a.rule, node });
        else for (let h = 0; h < out.length; h++) raw.push({ hit: out[h]!, rule: a.rule, node });
      }
    }

    const result: ModuleRuleResult = { findings: [], nosec: 0, skippedTests: 0 };
    for (let r = 0; r < raw.length; r++) {
      const { hit, rule, node } = raw[r]!;
      const id = hit.testId ?? rule.id;
      if (!this.isEnabled(id)) continue;
      const at = hit.node ?? node;
      const range = hit.lineRange ?? pyLineRange(at);
      const line = hit.lineNumber ?? lineNumber(at);
      if (!this.ignoreNosec) {
        const skip = nosec.testsToSkip(line, range);
        if (skip) {
          if (skip.size === 0) {
            result.nosec++;
            continue;
          }
          if (skip.has(id)) {
            result.skippedTests++;
            continue;
          }
        }
      }
      const meta = hit.testId ? (ruleMeta(hit.testId) ?? rule) : rule;
      result.findings.push({
        analyzer: "rules",
        filename: module.filename,
        test_id: id,
        test_name: hit.testName ?? meta.name,
        issue_severity: hit.severity,
        issue_confidence: hit.confidence,
        issue_cwe: cweRef(hit.cwe ?? meta.cwe),
        issue_text: hit.message,
        line_number: line,
        line_range: range,
        col_offset: colOffset(at, module.text),
        end_col_offset: endColOffset(at, module.text),
        code: codeSnippet(module.lines, line, range.length),
        more_info: moreInfoUrl(meta),
      });
    }
    result.findings.sort(compareFindings);
    // Contexts hold the module; drop them so a finished module (and its tree) can be collected.
    for (let i = 0; i < this.actives.length; i++) {
      this.actives[i]!.ctx = undefined;
      this.actives[i]!.ctxModule = undefined;
    }
    return result;
  }
}

/** Source order: line, column, then id. */
export function compareFindings(a: Finding, b: Finding): number {
  return a.line_number - b.line_number || a.col_offset - b.col_offset || (a.test_id < b.test_id ? -1 : a.test_id > b.test_id ? 1 : 0);
}

/** One-shot convenience: run the rules over one parsed module. */
export function runRules(module: ParsedModule, opts: EngineOptions = {}): ModuleRuleResult {
  return new RuleEngine(opts).run(module);
}
