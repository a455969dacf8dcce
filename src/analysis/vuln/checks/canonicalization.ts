/**
 * CWE-179 / CWE-180: validation before canonicalization.
 *
 * A check on the raw value (a deny-list test, a prefix or pattern match) dominates a decoder or
 * canonicalizer applied to the same value afterwards, and the decoded result is used with no check
 * of its own. Decoding can produce exactly what the check looked for: `%2e%2e%2f` passes
 * `".." not in v` and `unquote` turns it into `../`; `&lt;script` passes a `<` test and
 * `html.unescape` restores it; NFKC folds U+FF0E into `.`; `/base/../etc` passes
 * `startswith("/base")` and `normpath` climbs out. The decoders are the taint models' DECODERS
 * (which also void earlier sanitizers in the taint engine) plus path normalizers after a prefix test.
 *
 * Only values from untrusted input are considered (remote input; the entry function's parameters
 * in task code). Reported as CWE-180, or CWE-179 when the task names it.
 */
import type { Finding } from "../../finding.js";
import { DECODERS } from "../../taint/models/sanitizers.js";
import { callArgs, calleeTail, descendants, enclosingFunction, namesIn, ofTypes, unwrap, type Node } from "./ast.js";
import { qualifiedCallee } from "./callees.js";
import { guardsAt } from "./dominance.js";
import { helperResults, untrustedAcrossCalls } from "./calls.js";
import { defUseOf, finding, liveNodesOfType, type CheckInput } from "./types.js";

const NAME = "validation_before_canonicalization";
const DECODER_CALLEES = new Set(DECODERS.flatMap((d) => d.callees ?? []));
const DECODER_METHODS = new Set(DECODERS.flatMap((d) => d.methods ?? []));
const PATH_NORMALIZERS = new Set(["os.path.normpath", "os.path.realpath", "os.path.abspath", "posixpath.normpath"]);
const STRING_TESTS = new Set(["startswith", "endswith", "find", "index", "count", "match", "search", "fullmatch", "isalnum", "isalpha", "isidentifier", "isprintable", "is_relative_to"]);

export function checkCanonicalization(input: CheckInput): Finding[] {
  const out: Finding[] = [];
  for (const call of liveNodesOfType(input, ["call"])) {
    const callee = qualifiedCallee(call, input.aliases) ?? "";
    const normalizer = PATH_NORMALIZERS.has(callee);
    if (!DECODER_CALLEES.has(callee) && !DECODER_METHODS.has(calleeTail(call)) && !normalizer) continue;
    const args = callArgs(call);
    const raw = callee === "unicodedata.normalize" ? args.positional[1] : args.positional[0];
    if (!raw || raw.type === "string") continue;
    const fn = enclosingFunction(call);
    if (!fn || !untrustedAcrossCalls(raw, input)) continue;
    const rawNames = namesIn(raw);
    const check = guardsAt(call).find((g) => validates(g.condition, rawNames, normalizer));
    if (!check) continue;
    if (recheckedAfter(call, input)) continue;
    const cwe = input.context.cwe === "179" ? 179 : 180;
    out.push(
      finding(input, call, {
        cwe,
        name: NAME,
        severity: "MEDIUM",
        confidence: "MEDIUM",
        text: `${unwrap(raw).text} is checked (line ${check.condition.startPosition.row + 1}) before ${callee || calleeTail(call)}() rewrites it; the decoded value can hold what the check rejected. Decode or canonicalize first, then validate the result`,
      }),
    );
  }
  return out;
}

/**
 * Does the condition test the raw value's text (not merely its truth or None-ness)? A predicate
 * helper it calls (`if not is_clean(name)`) is read through what it returns.
 */
function validates(cond: Node, rawNames: Set<string>, prefixOnly: boolean): boolean {
  return [cond, ...helperResults(cond)].some((c) => testsText(c, rawNames, prefixOnly));
}

function testsText(cond: Node, rawNames: Set<string>, prefixOnly: boolean): boolean {
  for (const n of descendants(cond)) {
    if (n.type === "call") {
      const tail = calleeTail(n);
      const reads = [...namesIn(n)].some((x) => rawNames.has(x));
      if (!reads) continue;
      if (prefixOnly ? tail === "startswith" || tail === "commonpath" || tail === "is_relative_to" : STRING_TESTS.has(tail) || /^(re|regex)\./.test(n.childForFieldName("function")?.text ?? "")) return true;
    } else if (!prefixOnly && n.type === "comparison_operator") {
      const ops = n.children.filter((c) => !c.isNamed).map((c) => c.type);
      if (!ops.some((o) => o === "in" || o === "not in" || o === "==" || o === "!=")) continue;
      if (n.namedChildren.some((c) => c.type === "string") && [...namesIn(n)].some((x) => rawNames.has(x))) return true;
    }
  }
  return false;
}

/** Is the decoder's result tested by a condition that comes after it in the function? */
function recheckedAfter(call: Node, input: CheckInput): boolean {
  const fn = enclosingFunction(call)!;
  const parent = call.parent;
  if (parent?.type !== "assignment" || parent.childForFieldName("right")?.id !== call.id) return false;
  const du = defUseOf(input, fn);
  const derived = du.derivedFrom(namesIn(parent.childForFieldName("left")!));
  for (const n of ofTypes(fn, ["if_statement", "elif_clause", "while_statement", "assert_statement", "if_clause", "conditional_expression"])) {
    if (n.startIndex <= call.startIndex) continue;
    const cond = n.type === "assert_statement" || n.type === "if_clause" ? n.namedChildren[0] : n.type === "conditional_expression" ? n.namedChildren[1] : n.childForFieldName("condition");
    if (cond && [...namesIn(cond)].some((x) => derived.has(x))) return true;
  }
  return false;
}
