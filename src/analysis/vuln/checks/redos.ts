/**
 * CWE-1333: inefficient regular expressions (ReDoS).
 *
 * Constant patterns given to `re.compile/search/match/fullmatch/findall/finditer/sub/subn/split`
 * (directly or through a constant variable) are parsed (./regex.ts) and reported when they carry a
 * backtracking risk: nested unbounded quantifiers that can split the same text (`(\w+\s?)*`), a
 * repeated alternation with overlapping options (`(a|a)*`), two unbounded quantifiers that can eat the
 * same characters around a delimiter (`(.*?)\((.*)\)`), or, for patterns tried at every position, an
 * unbounded quantifier that rescans the input from each occurrence of the leading character
 * (`<(.*?)>` with findall). Bounded quantifiers (`{1,100}`) and negated classes that exclude the
 * delimiter (`[^>]`) are the usual fixes and are not reported.
 *
 * A literal length cap on the subject that dominates the call (`if len(s) > 200: raise`) bounds the
 * work: a polynomial risk under a cap of MAX_POLY_CAP characters, an exponential one under
 * MAX_EXP_CAP, is not reported.
 *
 * Patterns built from untrusted input without `re.escape` are the taint engine's CWE-1333 class.
 */
import type { Finding } from "../../finding.js";
import { callArgs, calleeObject, calleeTail, DefUse, enclosingFunction, rootName, unwrap, type Node } from "./ast.js";
import { qualifiedCallee } from "./callees.js";
import { analyzeRegex, parseRegex, RegexSyntaxError } from "./regex.js";
import { defUseOf, finding, liveNodesOfType, parametersAreInput, type CheckInput } from "./types.js";
import { derivesFromUntrusted } from "./remote-input.js";
import { constantString } from "./values.js";
import { guardsAt } from "./dominance.js";
import { lengthCaps } from "../../taint/guards.js";

/** Input lengths under which backtracking stays cheap: quadratic work on 4 KiB, 2^24 steps. */
const MAX_POLY_CAP = 4096;
const MAX_EXP_CAP = 24;

const NAME = "regex_denial_of_service";
const RE_FUNCS = new Set(["compile", "search", "match", "fullmatch", "findall", "finditer", "sub", "subn", "split"]);
const ANCHORED_METHODS = new Set(["match", "fullmatch"]);

export function checkRedos(input: CheckInput): Finding[] {
  const out: Finding[] = [];
  const duCache = new Map<number, DefUse>();
  const moduleConstants = new DefUse(input.module.root);
  for (const node of liveNodesOfType(input, ["call"])) {
    if (node.type !== "call") continue;
    const callee = qualifiedCallee(node, input.aliases) ?? "";
    const m = /^(re|regex)\.(\w+)$/.exec(callee);
    if (!m || !RE_FUNCS.has(m[2]!)) continue;
    const args = callArgs(node);
    const patternArg = args.keywords.get("pattern") ?? args.positional[0];
    if (!patternArg) continue;
    const fn = enclosingFunction(node);
    let du: DefUse | null = null;
    if (fn) {
      du = defUseOf(input, fn);
      duCache.set(fn.id, du);
    }
    const pattern = constantString(patternArg, du) ?? constantString(patternArg, moduleConstants);
    if (pattern === null) continue;
    const flagsText = (args.keywords.get("flags") ?? args.positional[m[2] === "sub" || m[2] === "subn" ? 4 : m[2] === "split" ? 3 : 2])?.text ?? "";
    let tree;
    try {
      tree = parseRegex(pattern, { dotAll: /DOTALL|\bS\b/.test(flagsText), ignoreCase: /IGNORECASE|\bI\b/.test(flagsText), verbose: /VERBOSE|\bX\b/.test(flagsText) });
    } catch (err) {
      if (err instanceof RegexSyntaxError) continue; // CPython would raise re.error: a runtime failure, not ReDoS
      throw err;
    }
    const searched = m[2] === "compile" ? compiledIsSearched(node, fn ?? input.module.root) : !ANCHORED_METHODS.has(m[2]!);
    const risks = analyzeRegex(tree, searched && !/^(\^|\\A)/.test(pattern));
    if (risks.length === 0) continue;
    const exponential = risks.some((r) => r.kind === "nested-quantifier" || r.kind === "overlapping-alternation");
    const subject = m[2] === "compile" ? undefined : (args.keywords.get("string") ?? args.positional[m[2] === "sub" || m[2] === "subn" ? 2 : 1]);
    const cap = subject ? dominatingLengthCap(node, subject) : null;
    if (cap !== null && cap <= (exponential ? MAX_EXP_CAP : MAX_POLY_CAP)) continue;
    // Polynomial backtracking costs seconds only on inputs tens of kilobytes long made of the
    // pattern's own delimiters: a risk when an outsider picks the text, not when the program
    // matches its own files, arguments or constants (CodeQL's polynomial-ReDoS query is likewise a
    // flow query from remote input; its exponential one is not).
    if (!exponential && !parametersAreInput(input.context)) {
      const subjects = subject ? [subject] : compiledSubjects(node, fn ?? input.module.root);
      if (!subjects.some((x) => derivesFromUntrusted(x, input))) continue;
    }
    out.push(
      finding(input, node, {
        cwe: 1333,
        name: NAME,
        severity: risks.some((r) => r.kind === "nested-quantifier" || r.kind === "overlapping-alternation") ? "HIGH" : "MEDIUM",
        confidence: "MEDIUM",
        text: `Regular expression ${JSON.stringify(pattern)} is prone to catastrophic backtracking: ${risks.map((r) => r.detail).join("; ")}. Bound the quantifiers or use character classes that exclude the delimiters`,
      }),
    );
  }
  return out;
}

/** The smallest literal length bound on `subject` that holds on every path to the call, else null. */
function dominatingLengthCap(call: Node, subject: Node): number | null {
  const text = unwrap(subject).text;
  let best: number | null = null;
  for (const g of guardsAt(call)) {
    for (const c of lengthCaps(g.condition, g.holds)) {
      if (c.max === null || unwrap(c.value).text !== text) continue;
      best = best === null ? c.max : Math.min(best, c.max);
    }
  }
  return best;
}

/** Is a compiled pattern used with a searching method (or used in ways we cannot see)? */
function compiledIsSearched(compileCall: Node, scope: Node): boolean {
  const parent = compileCall.parent;
  let name: string | null = null;
  if (parent?.type === "attribute") {
    // re.compile(p).match(s)
    const call = parent.parent;
    return !(call?.type === "call" && ANCHORED_METHODS.has(parent.childForFieldName("attribute")?.text ?? ""));
  }
  if (parent?.type === "assignment" && parent.childForFieldName("left")?.type === "identifier") name = parent.childForFieldName("left")!.text;
  if (!name) return true;
  let uses = 0;
  let anchored = 0;
  const stack: Node[] = [scope.type === "function_definition" ? scope : compileCall.tree.rootNode];
  while (stack.length) {
    const n = stack.pop()!;
    if (n.type === "call") {
      const obj = calleeObject(n);
      if (obj && unwrap(obj).type === "identifier" && rootName(obj) === name) {
        uses++;
        if (ANCHORED_METHODS.has(calleeTail(n))) anchored++;
      }
    }
    for (const c of n.namedChildren) stack.push(c);
  }
  return uses === 0 || anchored < uses;
}

const SUBJECT_METHODS = new Set(["search", "match", "fullmatch", "findall", "finditer", "split", "sub", "subn"]);

/**
 * The strings a compiled pattern is applied to: the subject argument of every method call on the
 * name it is bound to, in its scope (the module's for a module-level pattern).
 */
function compiledSubjects(compileCall: Node, scope: Node): Node[] {
  const parent = compileCall.parent;
  const out: Node[] = [];
  const subjectOf = (call: Node): Node | undefined => {
    const args = callArgs(call);
    const method = calleeTail(call);
    return args.keywords.get("string") ?? args.positional[method === "sub" || method === "subn" ? 1 : 0];
  };
  if (parent?.type === "attribute") {
    const call = parent.parent;
    const s = call?.type === "call" && SUBJECT_METHODS.has(calleeTail(call)) ? subjectOf(call) : undefined;
    return s ? [s] : [];
  }
  const left = parent?.type === "assignment" ? parent.childForFieldName("left") : null;
  if (!left) return [];
  const bound = left.text;
  const root = left.type === "identifier" && scope.type === "function_definition" ? scope : compileCall.tree.rootNode;
  const stack: Node[] = [root];
  while (stack.length) {
    const n = stack.pop()!;
    if (n.type === "call" && SUBJECT_METHODS.has(calleeTail(n))) {
      const obj = calleeObject(n);
      if (obj && unwrap(obj).text === bound) {
        const s = subjectOf(n);
        if (s) out.push(s);
      }
    }
    for (const c of n.namedChildren) stack.push(c);
  }
  return out;
}
