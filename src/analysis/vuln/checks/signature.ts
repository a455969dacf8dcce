/**
 * CWE-347: improper verification of a cryptographic signature.
 *
 * 1. JWT decoding with verification switched off: `jwt.decode(..., verify=False)`,
 *    `options={"verify_signature": False}`, `algorithms=["none"]` (PyJWT, python-jose, authlib-style).
 * 2. In a signature-verification task (CWE-347), an entry function that ignores one of its
 *    parameters: the parameter (or a value derived from it) is only tested for truth, printed or
 *    logged, and takes part in no comparison, call, key, container or result, nor reaches a helper
 *    of the module that uses it. The caller hands over a signature to be checked; one the function
 *    drops was not verified. Decided by what the function does with the value, never by its name
 *    (a renamed parameter is the same parameter). A function that verifies some input by value
 *    (`==`/`!=` against it, `compare_digest`, a `verify` call, directly or in a helper) has a check;
 *    the rule is for functions that verify nothing.
 *
 * 3. For a CWE-347 task, an entry function that swallows its arguments with `*args` / `**kwargs`
 *    instead of naming them: the task's signature then arrives unnamed, and it counts as verified
 *    only when a value the function takes out of `**kwargs` under a signature key is checked as in 2.
 *    Otherwise renaming the parameters away would be all it takes to silence rule 2.
 *
 * Comparing with `==` instead of `hmac.compare_digest` is a timing side channel (CWE-208), not a
 * skipped verification; this check does not report it.
 */
import type { Finding } from "../../finding.js";
import { callArgs, descendants, functionName, isLiteral, namesIn, parameters, stringValue, unwrap, words, ofTypes, type Node } from "./ast.js";
import { qualifiedCallee } from "./callees.js";
import { argumentBinding, calledFunction, MAX_CALL_DEPTH } from "./calls.js";
import { defUseOf, finding, liveNodesOfType, parametersAreInput, targetFunctions, type CheckInput } from "./types.js";

const NAME = "signature_verification_skipped";
const SIGNATURE_WORDS = new Set(["sig", "signature", "sign", "signed", "mac", "hmac"]);
const NOT_A_CHECK = new Set(["print", "str", "repr", "len", "format", "debug", "info", "warning", "error", "log", "exception"]);

export function checkSignature(input: CheckInput): Finding[] {
  const out: Finding[] = [];
  for (const node of liveNodesOfType(input, ["call"])) {
    if (node.type !== "call") continue;
    const callee = qualifiedCallee(node, input.aliases) ?? "";
    if (!/(^|\.)jwt\.decode$|^jose\.jwt\.decode$/.test(callee) && !/(^|\.)jws\.verify$/.test(callee)) continue;
    const reason = disabledVerification(node);
    if (reason) out.push(finding(input, node, { cwe: 347, name: NAME, severity: "HIGH", confidence: "HIGH", text: `${callee}() ${reason}: the token's signature is not checked` }));
  }
  // An ignored parameter is a skipped verification only where the caller is the attacker and the
  // task is about signatures; elsewhere an unused parameter is an ordinary interface.
  const fns = parametersAreInput(input.context) && input.context.cwe === "347" ? targetFunctions(input).filter((f) => functionName(f) === input.context.entryFunction || input.context.entryFunction === undefined) : [];
  for (const fn of fns) {
    // A function that does verify some input by value (an equality test, a digest comparison, a
    // verify call) has its check; one it also ignores is extra data, not the signature.
    const verifies = verifiesSomething(input, fn);
    for (const param of verifies ? [] : parameters(fn)) {
      if (param.node.type === "list_splat_pattern" || param.node.type === "dictionary_splat_pattern") continue;
      // A numeric "sign" (+1/-1) is arithmetic, not a signature.
      if (/^(int|float|bool|complex)$/.test(param.annotation ?? "") || usedInArithmetic(fn, param.name)) continue;
      if (!ignored(input, fn, param.name)) continue;
      out.push(
        finding(input, param.node, {
          cwe: 347,
          name: NAME,
          severity: "HIGH",
          confidence: "MEDIUM",
          text: `Function ${functionName(fn)}() receives '${param.name}' but never verifies it (it is at most tested for truth or logged)`,
        }),
      );
    }
    const swallowed = swallowedSignature(input, fn);
    if (swallowed) out.push(finding(input, swallowed, {
      cwe: 347,
      name: NAME,
      severity: "HIGH",
      confidence: "MEDIUM",
      text: `Function ${functionName(fn)}() takes its arguments through ${swallowed.text} in a signature-verification task, and no signature taken out of them is verified`,
    }));
  }
  return out;
}

/**
 * The `*args` / `**kwargs` parameter of a CWE-347 entry function that names no signature parameter
 * yet swallows its arguments, unless a signature pulled out of `**kwargs` by name (`kwargs["sig"]`,
 * `kwargs.get("signature")`) into a variable is verified. Null when the rule does not apply.
 */
function swallowedSignature(input: CheckInput, fn: Node): Node | null {
  if (input.context.cwe !== "347" || input.context.entryFunction === undefined) return null;
  const params = parameters(fn);
  const splats = params.filter((p) => p.node.type === "list_splat_pattern" || p.node.type === "dictionary_splat_pattern");
  if (splats.length === 0) return null;
  const kwargs = splats.find((p) => p.node.type === "dictionary_splat_pattern")?.name;
  const body = fn.childForFieldName("body");
  if (kwargs && body) {
    for (const assign of ofTypes(body, ["assignment"])) {
      const target = assign.childForFieldName("left");
      const value = assign.childForFieldName("right");
      if (target?.type !== "identifier" || !value || !takesSignatureFrom(unwrap(value), kwargs)) continue;
      // Used is not verified: a signature taken out of **kwargs counts only where the function checks something by value.
      if (!ignored(input, fn, target.text) && verifiesSomething(input, fn)) return null;
    }
  }
  return splats[0]!.node;
}

/** `kwargs["signature"]`, `kwargs.get("sig", ...)` or `kwargs.pop("mac", ...)`: a signature taken out of `kwargs` by name. */
function takesSignatureFrom(value: Node, kwargs: string): boolean {
  let key: Node | null | undefined = null;
  if (value.type === "subscript" && value.childForFieldName("value")?.text === kwargs) key = value.childForFieldName("subscript");
  else if (value.type === "call") {
    const callee = value.childForFieldName("function");
    if (callee?.type === "attribute" && callee.childForFieldName("object")?.text === kwargs && /^(get|pop)$/.test(callee.childForFieldName("attribute")?.text ?? "")) key = callArgs(value).positional[0];
  }
  const name = key ? stringValue(key) : null;
  return name !== null && words(name).some((w) => SIGNATURE_WORDS.has(w));
}

function usedInArithmetic(fn: Node, name: string): boolean {
  for (const op of ofTypes(fn, ["binary_operator", "unary_operator"])) {
    const operator = op.children.find((c) => !c.isNamed)?.text ?? "";
    if (!["*", "/", "-", "//", "**"].includes(operator)) continue;
    for (const c of op.namedChildren) if (c.type === "identifier" && c.text === name) return true;
  }
  return false;
}

function disabledVerification(call: Node): string | null {
  const args = callArgs(call);
  const verify = args.keywords.get("verify");
  if (verify && unwrap(verify).type === "false") return "is called with verify=False";
  const options = args.keywords.get("options");
  if (options && unwrap(options).type === "dictionary") {
    for (const pair of unwrap(options).namedChildren) {
      if (pair.type !== "pair") continue;
      const key = stringValue(pair.childForFieldName("key")!);
      const value = pair.childForFieldName("value");
      if (key && /^verify_(signature|sig)$/.test(key) && value && unwrap(value).type === "false") return `disables "${key}"`;
    }
  }
  const algorithms = args.keywords.get("algorithms");
  if (algorithms) {
    for (const n of descendants(algorithms)) {
      const v = n.type === "string" ? stringValue(n) : null;
      if (v !== null && v.toLowerCase() === "none") return 'accepts the "none" algorithm';
    }
  }
  return null;
}

/**
 * Does the function drop the value: every use of it (or of a name derived from it) a truth test,
 * an output call or a plain copy? A local helper it is handed to is read the same way.
 */
function ignored(input: CheckInput, fn: Node, param: string, depth = 0): boolean {
  const body = fn.childForFieldName("body");
  if (!body) return true;
  const derived = defUseOf(input, fn).derivedFrom([param]);
  for (const id of ofTypes(body, ["identifier"])) {
    if (!derived.has(id.text)) continue;
    const parent = id.parent;
    if (parent?.type === "attribute" && parent.childForFieldName("attribute")?.id === id.id) continue;
    if (parent?.type === "keyword_argument" && parent.childForFieldName("name")?.id === id.id) continue;
    if (truthTest(id) || inOutputCall(id) || plainCopy(id)) continue;
    const call = parent?.type === "argument_list" ? parent.parent : parent?.type === "keyword_argument" && parent.parent?.type === "argument_list" ? parent.parent.parent : null;
    const helper = call?.type === "call" && depth < MAX_CALL_DEPTH ? calledFunction(call) : null;
    if (call && helper && helper.id !== fn.id) {
      const bound = [...argumentBinding(call, helper)].find(([, a]) => a.id === id.id || a.id === parent?.id);
      if (bound && ignored(input, helper, bound[0], depth + 1)) continue;
    }
    return false;
  }
  return true;
}

/** Does the function (or a helper it calls) compare an input by value or call a verifier on it? */
function verifiesSomething(input: CheckInput, fn: Node, depth = 0): boolean {
  const body = fn.childForFieldName("body");
  if (!body) return false;
  const fromParams = defUseOf(input, fn).derivedFrom(parameters(fn).map((p) => p.name));
  for (const n of ofTypes(body, ["comparison_operator", "call"])) {
    if (n.type === "comparison_operator") {
      const ops = n.children.filter((c) => !c.isNamed).map((c) => c.type);
      const sides = n.namedChildren;
      // Against a literal it is a dispatch (`name == "db.json"`), not a check of a secret.
      const fed = (c: Node) => [...namesIn(c)].some((x) => fromParams.has(x));
      if (ops.some((o) => o === "==" || o === "!=") && sides.length === 2 && sides.every((c) => !isLiteral(c)) && sides.some(fed)) return true;
      continue;
    }
    const tail = (n.childForFieldName("function")?.text ?? "").split(".").pop() ?? "";
    if (/^(compare_digest|verify\w*)$/.test(tail) && [...namesIn(n)].some((x) => fromParams.has(x))) return true;
    const helper = depth < MAX_CALL_DEPTH ? calledFunction(n) : null;
    if (helper && helper.id !== fn.id && verifiesSomething(input, helper, depth + 1)) return true;
  }
  return false;
}

/** The name is the whole condition (or under `not` / `and` / `or`): its truth, not its value, is read. */
function truthTest(id: Node): boolean {
  let c: Node = id;
  for (let p = id.parent; p; c = p, p = p.parent) {
    if (p.type === "not_operator" || p.type === "boolean_operator" || p.type === "parenthesized_expression") continue;
    if ((p.type === "if_statement" || p.type === "elif_clause" || p.type === "while_statement") && p.childForFieldName("condition")?.id === c.id) return true;
    if (p.type === "assert_statement" || p.type === "if_clause") return true;
    if (p.type === "conditional_expression" && p.namedChildren[1]?.id === c.id) return true;
    return false;
  }
  return false;
}

function inOutputCall(id: Node): boolean {
  for (let p = id.parent; p; p = p.parent) {
    if (p.type === "block" || p.type === "function_definition") return false;
    if (p.type === "call") {
      const tail = (p.childForFieldName("function")?.text ?? "").split(".").pop() ?? "";
      if (NOT_A_CHECK.has(tail)) return true;
    }
  }
  return false;
}

/** `x = name` (or the target of it): propagation, judged by the copy's own uses. */
function plainCopy(id: Node): boolean {
  const p = id.parent;
  return p?.type === "assignment" && (p.childForFieldName("right")?.id === id.id || p.childForFieldName("left")?.id === id.id);
}
