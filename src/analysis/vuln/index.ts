/**
 * The vulnerability detector behind the `real` quality reward: taint analysis (sources to sinks per
 * CWE class, with sanitizers and dominating guards) plus the CWE-specific non-taint checks.
 *
 *   detect(code, context?) -> { findings, errors, timedOut? }
 *   analyzeVuln(parsed, filename, context?) -> Finding[]   (for `scan --analyzer vuln`)
 *
 * Test ids are `VULN-CWE-<id>`; taint findings carry their source-to-sink path in `flow`.
 */
import { cweRef, type Finding } from "../finding.js";
import { analysisClock, parsePython, type ParsedModule } from "../python/index.js";
import { analyzeTaint, TaintTimeout, type TaintHit } from "../taint/engine.js";
import { CLASS_CWES, CLASS_SEVERITY, CLASS_TITLES, classOfCwe, type VulnClass } from "../taint/models/index.js";
import { runChecks } from "./checks/index.js";

export interface VulnContext {
  /** The task's entry function: its parameters are the untrusted inputs. */
  entryFunction?: string;
  /** Only these parameters of the entry function are untrusted (default: all but self/cls). */
  untrustedParams?: string[];
  /** The task's CWE ("89"): picks the reported id among sibling CWEs and enables return-value sinks. */
  cwe?: string;
  /**
   * Per-file analysis budget in milliseconds (default 2000): CPU time of the analysing thread
   * where the native addon can read it (so the machine's load does not change results), else
   * wall time.
   */
  timeBudgetMs?: number;
}

export interface DetectResult {
  findings: Finding[];
  /** Syntax errors and analysis failures; analysis still covers what parsed. */
  errors: string[];
  timedOut?: boolean;
}

export const DEFAULT_TIME_BUDGET_MS = 2000;

/** CWEs whose tasks return the dangerous value itself (markup, a header line, a URL). */
// CWE-77 (special elements in a command) covers commands and templates a task builds and returns
// rather than runs: the values it splices into the returned template are a generic injection sink
// (only those: a CWE-77 task's other return values are command output or parsed data).
// CWE-22 and its children: a task that returns the path it built from user input hands a path
// outside the base folder to whoever opens it.
const RETURN_SINK_CWES: Record<number, VulnClass> = { 22: "path-traversal", 23: "path-traversal", 36: "path-traversal", 73: "path-traversal", 74: "injection", 77: "injection", 79: "xss", 80: "xss", 113: "injection", 601: "open-redirect", 918: "ssrf" };

/**
 * CWEs that name a family of classes. CWE-74 is the parent of every injection. CWE-77 is a
 * command to any interpreter built from input: a shell's, and an expression evaluator's (its
 * child CWE-917; tasks labelled CWE-77 often evaluate a built expression).
 */
const CWE_FAMILIES: Record<number, VulnClass[]> = {
  74: ["injection", "xss", "command-injection", "sql-injection", "ldap-injection", "xpath-injection", "code-injection"],
  77: ["injection", "command-injection", "code-injection"],
};

/**
 * The classes a task's CWE names: a whole parameter reaching one of these is the task's
 * vulnerability; at any other sink it is the value the function exists to use.
 */
export function taskClassesOf(cwe: number | undefined): VulnClass[] {
  if (cwe === undefined) return [];
  const out = new Set<VulnClass>();
  const own = classOfCwe(cwe);
  if (own) out.add(own);
  const ret = RETURN_SINK_CWES[cwe];
  if (ret) out.add(ret);
  for (const c of CWE_FAMILIES[cwe] ?? []) out.add(c);
  return [...out];
}

function reportedCwe(cls: VulnClass, contextCwe: number | undefined): number {
  const ids = CLASS_CWES[cls];
  if (contextCwe !== undefined && (ids.includes(contextCwe) || RETURN_SINK_CWES[contextCwe] === cls)) return contextCwe;
  // eval/exec: CWE-95 for eval-style sinks, CWE-94 otherwise.
  return ids[0]!;
}

function codeSnippet(parsed: ParsedModule, line: number): string {
  const out: string[] = [];
  for (let l = Math.max(1, line - 1); l <= Math.min(parsed.lines.length, line + 1); l++) out.push(`${l}\t${parsed.lines[l - 1] ?? ""}`);
  return out.join("\n") + "\n";
}

function hitToFinding(hit: TaintHit, parsed: ParsedModule, filename: string, contextCwe: number | undefined): Finding {
  const cwe = reportedCwe(hit.cls, contextCwe);
  const node = hit.sink;
  const line = node.startPosition.row + 1;
  const endLine = node.endPosition.row + 1;
  const range: number[] = [];
  for (let l = line; l <= Math.min(endLine, line + 50); l++) range.push(l);
  const weakSource = hit.source.label === "file contents" || hit.source.label === "environment";
  return {
    analyzer: "vuln",
    filename,
    test_id: `VULN-CWE-${cwe}`,
    test_name: `taint-${hit.cls}`,
    issue_severity: CLASS_SEVERITY[hit.cls],
    issue_confidence: weakSource ? "MEDIUM" : "HIGH",
    issue_cwe: cweRef(cwe),
    issue_text: `${CLASS_TITLES[hit.cls]}: ${hit.source.label} (line ${hit.source.line}) reaches ${hit.sinkName} without sanitization or a validating check.`,
    line_number: line,
    line_range: range,
    col_offset: parsed.text.utf8Column(node.startPosition.row, node.startPosition.column),
    end_col_offset: parsed.text.utf8Column(node.endPosition.row, node.endPosition.column),
    code: codeSnippet(parsed, line),
    flow: hit.flow,
  };
}

/** Deeper trees than this skip the CWE checks (their walkers are not all depth-safe); taint still runs. */
const MAX_CHECK_DEPTH = 1000;

/** Maximum depth of the syntax tree, with a cursor (no recursion). */
function treeDepth(parsed: ParsedModule): number {
  const cursor = parsed.root.walk();
  let depth = 0;
  let max = 0;
  for (;;) {
    if (cursor.gotoFirstChild()) {
      depth++;
      if (depth > max) max = depth;
      if (max > MAX_CHECK_DEPTH) return max;
      continue;
    }
    while (!cursor.gotoNextSibling()) {
      if (!cursor.gotoParent()) return max;
      depth--;
    }
  }
}

/** Taint findings for an already parsed module (plug-in point for `scan --analyzer vuln`). */
export function analyzeVuln(parsed: ParsedModule, filename = parsed.filename, context: VulnContext = {}): { findings: Finding[]; errors: string[]; timedOut?: boolean } {
  const errors: string[] = [];
  const contextCwe = context.cwe !== undefined && /^\d+$/.test(context.cwe) ? Number(context.cwe) : undefined;
  const returnCls = contextCwe !== undefined ? RETURN_SINK_CWES[contextCwe] : undefined;
  const clock = analysisClock();
  const deadline = clock.now() + (context.timeBudgetMs ?? DEFAULT_TIME_BUDGET_MS);
  const findings: Finding[] = [];
  let timedOut = false;
  try {
    const { hits } = analyzeTaint(parsed, {
      ...(context.entryFunction ? { entryFunction: context.entryFunction } : {}),
      ...(context.untrustedParams ? { untrustedParams: context.untrustedParams } : {}),
      ...(returnCls ? { returnSinkClasses: [returnCls] } : {}),
      ...(contextCwe === 77 ? { returnSinkSplicedOnly: true } : {}),
      taskClasses: taskClassesOf(contextCwe),
      deadline,
      clock: clock.now,
    });
    for (const h of hits) findings.push(hitToFinding(h, parsed, filename, contextCwe));
  } catch (err) {
    if (err instanceof TaintTimeout) {
      timedOut = true;
      errors.push(`${filename}: taint analysis stopped after ${context.timeBudgetMs ?? DEFAULT_TIME_BUDGET_MS} ms of ${clock.cpu ? "CPU" : "wall"} time (time budget)`);
    } else errors.push(`${filename}: taint analysis failed: ${err instanceof Error ? err.message : String(err)}`);
  }
  const depth = treeDepth(parsed);
  if (depth > MAX_CHECK_DEPTH) {
    errors.push(`${filename}: CWE checks skipped: syntax nesting depth ${depth} exceeds ${MAX_CHECK_DEPTH}`);
  } else try {
    const checkContext = {
      ...(context.entryFunction ? { entryFunction: context.entryFunction } : {}),
      ...(context.untrustedParams ? { untrustedParams: context.untrustedParams } : {}),
      ...(context.cwe ? { cwe: context.cwe } : {}),
    };
    for (const f of runChecks(parsed, checkContext)) findings.push({ ...f, filename });
  } catch (err) {
    errors.push(`${filename}: CWE checks failed: ${err instanceof Error ? err.message : String(err)}`);
  }
  findings.sort((a, b) => a.line_number - b.line_number || a.col_offset - b.col_offset);
  return timedOut ? { findings, errors, timedOut } : { findings, errors };
}

/**
 * Parses (unless given a module another analyzer already parsed) and analyzes one program. Never
 * throws on bad input.
 */
export function detect(code: string | ParsedModule, context: VulnContext = {}, filename = typeof code === "string" ? "<string>" : code.filename): DetectResult {
  let parsed: ParsedModule;
  try {
    parsed = typeof code === "string" ? parsePython(code, filename) : code;
  } catch (err) {
    return { findings: [], errors: [`${filename}: could not parse: ${err instanceof Error ? err.message : String(err)}`] };
  }
  const result = analyzeVuln(parsed, filename, context);
  const syntax = parsed.errorRanges.slice(0, 20).map((e) => `${filename}:${e.line}:${e.col}: syntax error: ${e.message} (analyzed the parts that parse)`);
  return { ...result, errors: [...syntax, ...result.errors] };
}

export { classOfCwe };
