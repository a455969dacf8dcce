/**
 * CWE-347: improper verification of a cryptographic signature.
 *
 * 1. JWT decoding with verification switched off: `jwt.decode(..., verify=False)`,
 *    `options={"verify_signature": False}`, `algorithms=["none"]` (PyJWT, python-jose, authlib-style).
 * 2. A function that receives a signature (a parameter named sig/signature/sign/signed/mac/hmac)
 *    but never checks it: the parameter takes part in no comparison and reaches no call (a verify
 *    helper, `hmac.compare_digest`, a library `verify`). Whatever it returns was not authenticated.
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
import { callArgs, descendants, functionName, namesIn, parameters, qualifiedCallee, stringValue, unwrap, words, ofTypes, type Node } from "./ast.js";
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
  // A signature parameter left unchecked matters where the caller is the attacker (a task's entry
  // function); in a plain scan the parameter is the caller's own value.
  const fns = parametersAreInput(input.context) ? targetFunctions(input) : [];
  for (const fn of fns) {
    for (const param of parameters(fn)) {
      if (!words(param.name).some((w) => SIGNATURE_WORDS.has(w))) continue;
      // A numeric "sign" (+1/-1) is arithmetic, not a signature.
      if (/^(int|float|bool|complex)$/.test(param.annotation ?? "") || usedInArithmetic(fn, param.name)) continue;
      if (signatureChecked(input, fn, param.name)) continue;
      out.push(
        finding(input, param.node, {
          cwe: 347,
          name: NAME,
          severity: "HIGH",
          confidence: "MEDIUM",
          text: `Function ${functionName(fn)}() receives signature '${param.name}' but never verifies it (no comparison or verification call uses it)`,
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
  if (params.some((p) => (p.node.type !== "list_splat_pattern" && p.node.type !== "dictionary_splat_pattern") && words(p.name).some((w) => SIGNATURE_WORDS.has(w)))) return null;
  const splats = params.filter((p) => p.node.type === "list_splat_pattern" || p.node.type === "dictionary_splat_pattern");
  if (splats.length === 0) return null;
  const kwargs = splats.find((p) => p.node.type === "dictionary_splat_pattern")?.name;
  const body = fn.childForFieldName("body");
  if (kwargs && body) {
    for (const assign of ofTypes(body, ["assignment"])) {
      const target = assign.childForFieldName("left");
      const value = assign.childForFieldName("right");
      if (target?.type !== "identifier" || !value || !takesSignatureFrom(unwrap(value), kwargs)) continue;
      if (signatureChecked(input, fn, target.text)) return null;
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

/** Is the parameter (or a value derived from it) compared, or handed to any call that could verify it? */
function signatureChecked(input: CheckInput, fn: Node, param: string): boolean {
  const du = defUseOf(input, fn);
  const derived = du.derivedFrom([param]);
  const body = fn.childForFieldName("body");
  if (!body) return false;
  for (const n of ofTypes(body, ["comparison_operator", "call"])) {
    if (n.type === "comparison_operator") {
      for (const name of namesIn(n)) if (derived.has(name)) return true;
    } else if (n.type === "call") {
      const fnText = n.childForFieldName("function")?.text ?? "";
      const tail = fnText.split(".").pop() ?? "";
      if (NOT_A_CHECK.has(tail)) continue;
      for (const a of n.childForFieldName("arguments")?.namedChildren ?? []) for (const name of namesIn(a)) if (derived.has(name)) return true;
      // sig.verify(...) style: the signature object itself performs the check.
      const obj = n.childForFieldName("function");
      if (obj?.type === "attribute") for (const name of namesIn(obj.childForFieldName("object")!)) if (derived.has(name)) return true;
    }
  }
  return false;
}
